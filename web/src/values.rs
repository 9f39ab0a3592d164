//! How values look and are read: the text a control shows for a stored
//! value and the value its text stands for, numbers and dates in the
//! customer's language, the country list, and the autocomplete hints.

use crate::form::Form;
use profile::schema::Control;
use serde_json::Value;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `Intl.DisplayNames`: the browser's own country names in every language
    /// (a table of our own would cost the size budget).
    #[wasm_bindgen(js_namespace = Intl)]
    type DisplayNames;
    #[wasm_bindgen(constructor, js_namespace = Intl)]
    fn new(locales: &str, options: &JsValue) -> DisplayNames;
    #[wasm_bindgen(method)]
    fn of(this: &DisplayNames, code: &str) -> Option<String>;
}

/// Countries as (code, name in `language`), in the language's order. The
/// browser sorts them (`Intl.Collator`): a Rust sort would cost the budget.
fn countries(language: &str) -> Vec<(String, String)> {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"type".into(), &"region".into());
    let names = DisplayNames::new(language, &options);
    let list = js_sys::Array::new();
    for code in profile::places::countries() {
        let name = names.of(code).unwrap_or_else(|| code.to_owned());
        list.push(&JsValue::from_str(&format!("{name}\u{1}{code}")));
    }
    let collator = js_sys::Intl::Collator::new(
        &js_sys::Array::of1(&language.into()),
        &js_sys::Object::new(),
    );
    let compare = collator.compare();
    list.sort_by(&mut |a: JsValue, b: JsValue| {
        compare
            .call2(&JsValue::NULL, &a, &b)
            .ok()
            .and_then(|n| n.as_f64())
            .unwrap_or(0.0) as i32
    });
    list.iter()
        .filter_map(|entry| {
            let entry = entry.as_string()?;
            let (name, code) = entry.split_once('\u{1}')?;
            Some((code.to_owned(), name.to_owned()))
        })
        .collect()
}

/// How a value looks as text: dates in the language's format.
pub(crate) fn display(form: Form, value: &Value, control: Control) -> String {
    match value {
        Value::Null => form.t("not_given"),
        Value::Bool(true) => form.t("yes"),
        Value::Bool(false) => form.t("no"),
        Value::String(s) if matches!(control, Control::Date | Control::DateTime) => {
            let options = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"long".into());
            // A date is a calendar day; a moment is shown in the reader's own zone.
            let _ = match control {
                Control::Date => js_sys::Reflect::set(&options, &"timeZone".into(), &"UTC".into()),
                _ => js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into()),
            };
            let date = js_sys::Date::new(&s.as_str().into());
            if date.get_time().is_nan() {
                s.clone()
            } else {
                date.to_locale_string(form.language, &options).into()
            }
        }
        Value::String(s) if s.is_empty() => form.t("not_given"),
        Value::String(s) => s.clone(),
        Value::Number(n) => number_text(form, n),
        Value::Array(items) if items.is_empty() => form.t("not_given"),
        // Not `join` on the Strings: one instantiation of it (for `&str`) is enough.
        Value::Array(items) => {
            let mut all = String::new();
            for item in items {
                if !all.is_empty() {
                    all.push_str("; ");
                }
                all.push_str(&display(form, item, control));
            }
            all
        }
        Value::Object(map) => {
            let parts: Vec<&str> = map
                .iter()
                .filter(|(key, _)| *key != "id")
                .filter_map(|(_, v)| v.as_str())
                .filter(|s| !s.is_empty())
                .collect();
            if parts.is_empty() {
                form.t("not_given")
            } else {
                parts.join(", ")
            }
        }
    }
}

fn uses_decimal_comma(language: &str) -> bool {
    language != "en"
}

/// Numbers are written and read by the browser (`Number`): a Rust float
/// formatter and parser would cost the widget's size budget.
fn number_text(form: Form, n: &serde_json::Number) -> String {
    let text: String = js_sys::Number::from(n.as_f64().unwrap_or_default())
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_default();
    if uses_decimal_comma(form.language) {
        text.replace('.', ",")
    } else {
        text
    }
}

/// How a control's text becomes the value stored.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Kind {
    Text,
    Integer,
    Decimal,
    /// A moment: stored in UTC, shown and typed in the browser's time zone
    /// (`<input type="datetime-local">`), converted by the browser's `Date`.
    Moment,
}

pub(crate) fn to_text(form: Form, value: &Value, kind: Kind) -> String {
    match value {
        Value::String(s) if kind == Kind::Moment => {
            let date = js_sys::Date::new(&s.as_str().into());
            if date.get_time().is_nan() {
                return s.clone();
            }
            let two = |n: u32| format!("{n:02}");
            format!(
                "{:04}-{}-{}T{}:{}",
                date.get_full_year(),
                two(date.get_month() + 1),
                two(date.get_date()),
                two(date.get_hours()),
                two(date.get_minutes())
            )
        }
        Value::String(s) => s.clone(),
        Value::Number(n) => number_text(form, n),
        _ => String::new(),
    }
}

pub(crate) fn from_text(kind: Kind, text: String) -> Value {
    let trimmed = text.trim();
    let number = match kind {
        Kind::Integer => trimmed.parse::<i64>().ok().map(Value::from),
        Kind::Decimal => {
            let decimal = trimmed.replace(',', ".");
            let looks_decimal = !decimal.is_empty()
                && decimal
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-');
            let f = js_sys::Number::parse_float(&decimal);
            (looks_decimal && f.is_finite())
                .then(|| serde_json::Number::from_f64(f).map(Value::Number))
                .flatten()
        }
        Kind::Moment => {
            let date = js_sys::Date::new(&trimmed.into());
            (!trimmed.is_empty() && !date.get_time().is_nan())
                .then(|| Value::String(date.to_iso_string().into()))
        }
        Kind::Text => None,
    };
    // What is not a number stays text: the rules then say what is wrong.
    number.unwrap_or(Value::String(text))
}

pub(crate) fn autocomplete(pointer: &str) -> Option<String> {
    let (prefix, field) = match pointer.split('/').nth(1) {
        Some("invoice_address") => ("billing ", pointer.rsplit('/').next()?),
        Some("delivery_addresses") => ("shipping ", pointer.rsplit('/').next()?),
        Some("company") => (
            "",
            if pointer.ends_with("/name") {
                "organization"
            } else {
                "off"
            },
        ),
        Some(field) => ("", field),
        None => return None,
    };
    let token = match field {
        "first_name" => "given-name",
        "middle_name" => "additional-name",
        "last_name" => "family-name",
        "birth_date" => "bday",
        "email" => "email",
        "mobile_phone" | "other_phone" => "tel",
        "line1" => "address-line1",
        "line2" => "address-line2",
        "postal_code" => "postal-code",
        "city" => "address-level2",
        "country" => "country",
        "organization" => "organization",
        "preferred_language" => "language",
        "gender" => "sex",
        _ => "off",
    };
    Some(if token == "off" {
        token.to_owned()
    } else {
        format!("{prefix}{token}")
    })
}

/// The five languages, each named in itself.
pub(crate) const LANGUAGE_NAMES: [(&str, &str); 5] = [
    ("en", "English"),
    ("es", "Español"),
    ("sv", "Svenska"),
    ("nb", "Norsk bokmål"),
    ("ru", "Русский"),
];

/// Countries as (value, name in the form's language), by name.
pub type Countries = Vec<(Value, String)>;

/// The country list, made once per form.
pub fn country_list(language: &str) -> Countries {
    countries(language)
        .into_iter()
        .map(|(code, name)| (Value::String(code), name))
        .collect()
}
