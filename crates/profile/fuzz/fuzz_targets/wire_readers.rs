//! The widget's derived wire readers (`profile::wire`, `#[derive(Wire)]`) against serde's
//! derives, which the Worker uses. Arbitrary bytes become a JSON value that is
//! read on its own and also grafted into a real document (a stored profile,
//! the demo tenant's rules, its form in one language, a problem document) at
//! a place the first two bytes choose, so that most inputs are nearly valid and
//! reach deep into the readers. Whatever serde reads, the widget's reader
//! must read the same; it may refuse only an array where serde also takes a
//! struct as an array (a form the Worker never writes).
#![no_main]

use libfuzzer_sys::fuzz_target;
use profile::schema::{FormSchema, form_schema};
use profile::wire::{self, WireError};
use profile::{FieldError, Profile, Rules, TenantRules};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::fmt::Debug;
use std::sync::OnceLock;

const STORED: &str = include_str!("../../tests/stored/2026-12.json");
const DEMO_TENANT: &str = include_str!("../../../../worker/demo-tenant.json");

/// The documents values are grafted into, one per reader.
fn documents() -> &'static [Value; 4] {
    static DOCUMENTS: OnceLock<[Value; 4]> = OnceLock::new();
    DOCUMENTS.get_or_init(|| {
        let stored: Value = serde_json::from_str(STORED).unwrap();
        let tenant: Value = serde_json::from_str(DEMO_TENANT).unwrap();
        let rules: TenantRules = serde_json::from_value(tenant["rules"].clone()).unwrap();
        let form = form_schema(&Rules::new(rules).unwrap(), "sv");
        [
            stored["profiles"][0].clone(),
            tenant["rules"].clone(),
            serde_json::to_value(form).unwrap(),
            json!({"type": "about:blank", "status": 422, "errors": [
                {"pointer": "/email", "code": "invalid_email", "params": {}},
                {"pointer": "/custom/cups_per_day", "code": "above_maximum", "params": {"max": 20}}
            ]}),
        ]
    })
}

/// Every place in `value`: its members and items, at every depth.
fn places(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, member) in map {
                let place = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                places(member, place.clone(), out);
                out.push(place);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                places(item, format!("{at}/{i}"), out);
                out.push(format!("{at}/{i}"));
            }
        }
        _ => {}
    }
}

/// Serde's reading, and the widget's, of `value`.
fn agree<T: DeserializeOwned + PartialEq + Debug>(
    value: &Value,
    read: impl Fn(&Value) -> Result<T, WireError>,
) {
    let Ok(by_serde) = serde_json::from_value::<T>(value.clone()) else {
        return;
    };
    match read(value) {
        Ok(by_hand) => assert_eq!(by_hand, by_serde, "the readers disagree on {value}"),
        Err(WireError(place)) => assert!(
            value.pointer(&place).is_some_and(Value::is_array),
            "the widget's reader refused {place} of {value}, which serde read"
        ),
    }
}

fn check_all(value: &Value) {
    agree::<Profile>(value, wire::profile);
    agree::<TenantRules>(value, wire::tenant_rules);
    agree::<FormSchema>(value, wire::form_schema);
    if let Some(errors) = value.get("errors") {
        if let Ok(by_serde) = serde_json::from_value::<Vec<FieldError>>(errors.clone()) {
            match wire::field_errors(value) {
                Ok(by_hand) => assert_eq!(by_hand, by_serde, "the readers disagree on {value}"),
                Err(WireError(place)) => {
                    panic!("the widget's reader refused {place} of {value}")
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((choice, rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let choice = usize::from(u16::from_le_bytes(*choice));
    let Ok(value) = serde_json::from_slice::<Value>(rest) else {
        return;
    };
    check_all(&value);
    let mut document = documents()[choice % 4].clone();
    let mut all = Vec::new();
    places(&document, String::new(), &mut all);
    let place = &all[choice / 4 % all.len()];
    *document.pointer_mut(place).unwrap() = value;
    check_all(&document);
});
