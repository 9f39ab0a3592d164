//! Arbitrary bytes as the booking platform's JSV body, read as the Worker
//! reads it. Nothing may panic; what is read keeps within the depth limit;
//! and what is read, written back as JSV, reads as the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use profile_worker::sources::jsv::{parse, write};
use serde_json::Value;

fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(members) => 1 + members.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// The value as the writer keeps it: null members of maps left out.
fn written_form(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(written_form).collect()),
        Value::Object(members) => Value::Object(
            members
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), written_form(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(value) = parse(text) {
        assert!(depth(&value) <= 17, "{} levels", depth(&value));
        let kept = written_form(&value);
        // A key that only a quoted form could carry is not written back as one.
        let plain_keys = |v: &Value| -> bool {
            fn all(v: &Value) -> bool {
                match v {
                    Value::Array(items) => items.iter().all(all),
                    Value::Object(m) => m.iter().all(|(k, v)| {
                        !k.is_empty()
                            && k.trim() == k
                            && !k.contains([':', ',', '{', '}', '[', ']', '"'])
                            && all(v)
                    }),
                    _ => true,
                }
            }
            all(v)
        };
        if plain_keys(&kept) {
            assert_eq!(parse(&write(&kept)).ok(), Some(kept), "written back differently");
        }
    }
});
