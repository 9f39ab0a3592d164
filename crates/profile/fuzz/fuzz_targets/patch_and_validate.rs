//! Arbitrary bytes as a merge patch, under every kind of tenant rule: the first
//! bytes choose the rules (national id country SE, NO, ES or none; which
//! built-in fields are shown and required; custom fields of every kind, with
//! and without patterns, editable or locked), the writer and the stored
//! profile; the rest is the patch. Patching and validating must never panic,
//! and what is accepted must be accepted again, unchanged, when re-applied.
#![no_main]

use libfuzzer_sys::fuzz_target;
use profile::access::{Access, FIELDS};
use profile::dates::parse_date;
use profile::{Actor, Change, Profile, Rules, TenantRules, apply_patch, customer_view, replace};
use serde_json::{Value, json};

const STORED: &str = include_str!("../../tests/stored/2026-12.json");

fn tenant(selector: &[u8; 4]) -> TenantRules {
    let country = [None, Some("SE"), Some("NO"), Some("ES")][usize::from(selector[0] % 4)];
    let mut fields = serde_json::Map::new();
    let editable = FIELDS
        .iter()
        .filter(|f| f.access == Access::CustomerEditable);
    for (i, spec) in editable.enumerate() {
        let bits = u32::from_le_bytes(*selector) >> (i % 30);
        fields.insert(
            spec.name.into(),
            json!({"shown": bits & 1 == 0, "required": bits & 2 == 2}),
        );
    }
    let required = selector[1] & 1 == 1;
    let locked = selector[1] & 2 == 2;
    let custom = json!([
        {"key": "nick", "type": "text", "pattern": "[a-z]+", "required": required},
        {"key": "bio", "type": "multiline", "max_length": 20, "editable": !locked},
        {"key": "shoe_size", "type": "integer", "min": 30, "max": 50},
        {"key": "points", "type": "integer", "editable": !locked},
        {"key": "height", "type": "decimal", "min": 0.5, "max": 2.5, "required": required},
        {"key": "anniversary", "type": "date"},
        {"key": "confirmed", "type": "bool", "required": required},
        {"key": "store", "type": "select", "options": [{"value": "oslo"}, {"value": "umeå"}], "default": "oslo"},
        {"key": "tags", "type": "multiselect", "options": [{"value": "a"}, {"value": "b"}]},
        {"key": "code", "type": "text", "pattern": "^(?:[A-Z]{2}-\\d{1,4}|é+)$"}
    ]);
    serde_json::from_value(json!({
        "fields": fields,
        "minimum_age": selector[2] % 101,
        "phone_max_digits": 1 + selector[3] % 15,
        "national_id_country": country,
        "custom_fields": custom,
    }))
    .unwrap()
}

fuzz_target!(|data: &[u8]| {
    let Some((selector, rest)) = data.split_first_chunk::<4>() else {
        return;
    };
    let Ok(patch) = serde_json::from_slice::<Value>(rest) else {
        return;
    };
    let Ok(rules) = Rules::new(tenant(selector)) else {
        return;
    };
    let actor = if selector[2] & 0x80 == 0 {
        Actor::Customer
    } else {
        Actor::Admin
    };
    let change = Change {
        actor,
        rules: &rules,
        today: parse_date("2026-11-23").unwrap(),
        now: "2026-11-23T12:00:00Z",
        source: "fuzz",
        updated_by: None,
        only: None,
    };
    let fixture: Value = serde_json::from_str(STORED).unwrap();
    let stored: Profile = if selector[3] & 0x80 == 0 {
        Profile::new(
            "p".into(),
            "t".into(),
            "c".into(),
            "2026-01-01T00:00:00Z".into(),
        )
    } else {
        serde_json::from_value(fixture["profiles"][0].clone()).unwrap()
    };
    let _ = customer_view(&stored, &rules);
    let _ = replace(&stored, &patch, &change);
    if let Ok(patched) = apply_patch(&stored, &patch, &change) {
        let again = apply_patch(&patched.profile, &patch, &change)
            .expect("a patch accepted once is accepted again");
        assert!(
            again.changed.is_empty(),
            "re-applying changed {:?}",
            again.changed
        );
    }
});
