//! JSON text through the browser's own `JSON.parse` and `JSON.stringify`:
//! serde_json's reader and writer would cost about 15 KB gzip of the widget's
//! budget, and the browser has both already. Values are still
//! `serde_json::Value`, the type the library works with.

use serde_json::{Map, Number, Value};
use wasm_bindgen::{JsCast, JsValue};

/// Parses JSON text; `None` if it is not JSON.
pub fn parse(text: &str) -> Option<Value> {
    js_sys::JSON::parse(text).ok().map(|js| from_js(&js))
}

/// A JavaScript value (as `JSON.parse` makes them) as a `Value`.
pub fn from_js(js: &JsValue) -> Value {
    if let Some(b) = js.as_bool() {
        Value::Bool(b)
    } else if let Some(f) = js.as_f64() {
        // Whole numbers stay integers, as serde_json would read them.
        if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
            Value::from(f as i64)
        } else {
            Number::from_f64(f).map_or(Value::Null, Value::Number)
        }
    } else if let Some(s) = js.as_string() {
        Value::String(s)
    } else if js_sys::Array::is_array(js) {
        let items: &js_sys::Array = js.unchecked_ref();
        Value::Array(items.iter().map(|item| from_js(&item)).collect())
    } else if js.is_object() {
        let object: &js_sys::Object = js.unchecked_ref();
        let mut map = Map::new();
        for key in js_sys::Object::keys(object).iter() {
            if let Some(name) = key.as_string() {
                let member = js_sys::Reflect::get(object, &key).unwrap_or(JsValue::NULL);
                map.insert(name, from_js(&member));
            }
        }
        Value::Object(map)
    } else {
        Value::Null
    }
}

/// A `Value` as a JavaScript value.
pub fn to_js(value: &Value) -> JsValue {
    match value {
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Number(n) => JsValue::from_f64(n.as_f64().unwrap_or_default()),
        Value::String(s) => JsValue::from_str(s),
        Value::Array(items) => items.iter().map(to_js).collect::<js_sys::Array>().into(),
        Value::Object(map) => {
            let object = js_sys::Object::new();
            for (key, member) in map {
                let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), &to_js(member));
            }
            object.into()
        }
    }
}

/// JSON text of a `Value`.
pub fn stringify(value: &Value) -> String {
    js_sys::JSON::stringify(&to_js(value))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}
