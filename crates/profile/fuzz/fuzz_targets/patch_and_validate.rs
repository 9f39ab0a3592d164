//! Arbitrary bytes as a merge patch on a profile with custom fields: patching
//! and validating must never panic, and what is accepted must validate again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use profile::dates::parse_date;
use profile::{Actor, Change, Profile, Rules, TenantRules, apply_patch};

fuzz_target!(|data: &[u8]| {
    let Ok(patch) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let tenant: TenantRules = serde_json::from_str(
        r#"{"custom_fields": [{"key": "shoe_size", "type": "integer", "min": 30, "max": 50},
                              {"key": "nick", "type": "text", "pattern": "[a-z]+"},
                              {"key": "tags", "type": "multiselect", "options": [{"value": "a"}]}]}"#,
    )
    .unwrap();
    let rules = Rules::new(tenant).unwrap();
    let change = Change {
        actor: Actor::Customer,
        rules: &rules,
        today: parse_date("2026-11-23").unwrap(),
        now: "2026-11-23T12:00:00Z",
        source: "fuzz",
        policy_version: None,
    };
    let stored = Profile::new("p".into(), "t".into(), "c".into(), "2026-01-01T00:00:00Z".into());
    if let Ok(patched) = apply_patch(&stored, &patch, &change) {
        assert!(profile::validate(&patched.profile, &rules, change.today).is_empty());
    }
});
