//! Properties over arbitrary input: patching and validation never panic,
//! cleaning is idempotent, and a diff applied to the first version gives the second.

use profile::dates::parse_date;
use profile::{Actor, Change, Profile, Rules, TenantRules, apply_patch, merge_diff, merge_patch};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn json_value(allow_null: bool) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        Just(json!("Ana")),
        Just(json!("2000-01-01")),
    ];
    let leaf = if allow_null {
        prop_oneof![Just(Value::Null), leaf].boxed()
    } else {
        leaf.boxed()
    };
    leaf.prop_recursive(3, 24, 4, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Keys that hit real fields often, and arbitrary ones sometimes.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "first_name",
            "last_name",
            "email",
            "mobile_phone",
            "birth_date",
            "gender",
            "consents",
            "sms",
            "granted",
            "invoice_address",
            "postal_code",
            "country",
            "custom_fields",
            "shoe_size",
            "delivery_addresses",
            "id",
            "version",
            "loyalty",
            "rank",
        ])
        .prop_map(str::to_owned),
        "[a-z_]{1,8}",
    ]
}

fn rules() -> Rules {
    let tenant: TenantRules = serde_json::from_value(json!({
        "custom_fields": [{"key": "shoe_size", "type": "integer", "min": 30, "max": 50},
                          {"key": "nick", "type": "text", "pattern": "[a-z]+"}]
    }))
    .unwrap();
    Rules::new(tenant).unwrap()
}

fn change(rules: &Rules) -> Change<'_> {
    Change {
        actor: Actor::Customer,
        rules,
        today: parse_date("2026-11-23").unwrap(),
        now: "2026-11-23T12:00:00Z",
        source: "customer-profile",
        updated_by: None,
        only: None,
    }
}

fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

proptest! {
    #[test]
    fn patching_never_panics_and_a_refused_patch_changes_nothing(patch in json_value(true)) {
        let rules = rules();
        let stored = Profile::new("p".into(), "t".into(), "c".into(), "2026-01-01T00:00:00Z".into());
        match apply_patch(&stored, &patch, &change(&rules)) {
            Ok(patched) => {
                // What was accepted validates again, unchanged.
                let again = apply_patch(&patched.profile, &json!({}), &change(&rules)).unwrap();
                prop_assert_eq!(again.profile, patched.profile);
            }
            Err(errors) => prop_assert!(!errors.is_empty()),
        }
    }

    #[test]
    fn the_widgets_reader_agrees_with_serde(value in json_value(true)) {
        // What serde reads, the widget's reader reads the same; it only
        // refuses serde's other form of a struct, an array (never on the wire).
        let agrees = |read: Result<Profile, profile::wire::WireError>, by_serde: Profile| match read {
            Ok(read) => read == by_serde,
            Err(profile::wire::WireError(place)) => value.pointer(&place).is_some_and(Value::is_array),
        };
        if let Ok(by_serde) = serde_json::from_value::<Profile>(value.clone()) {
            prop_assert!(agrees(profile::wire::profile(&value), by_serde));
        }
        if let Ok(rules) = serde_json::from_value::<TenantRules>(value.clone()) {
            match profile::wire::tenant_rules(&value) {
                Ok(read) => prop_assert_eq!(read, rules),
                Err(profile::wire::WireError(place)) => prop_assert!(value.pointer(&place).is_some_and(Value::is_array)),
            }
        }
    }

    #[test]
    fn validating_arbitrary_json_as_a_profile_never_panics(value in json_value(true)) {
        if let Ok(profile) = serde_json::from_value::<Profile>(value) {
            let _ = profile::validate(&profile, &rules(), parse_date("2026-11-23").unwrap());
        }
    }

    #[test]
    fn cleaning_is_idempotent(text in "\\PC{0,30}", raw_phone in "[0-9 ()+.-]{0,20}") {
        use profile::text::{clean_line, clean_multiline};
        prop_assert_eq!(clean_line(&clean_line(&text)), clean_line(&text));
        prop_assert_eq!(clean_multiline(&clean_multiline(&text)), clean_multiline(&text));
        let email = profile::email::clean_email(&text);
        prop_assert_eq!(profile::email::clean_email(&email), email.clone());
        let phone = profile::phone::clean_phone(&raw_phone);
        prop_assert_eq!(profile::phone::clean_phone(&phone), phone);
    }

    #[test]
    fn the_diff_of_two_documents_turns_the_first_into_the_second(a in json_value(false), b in json_value(false)) {
        let (a, b) = (without_nulls(a), without_nulls(b));
        let mut patched = a.clone();
        merge_patch(&mut patched, &merge_diff(&a, &b));
        prop_assert_eq!(patched, b);
    }

    #[test]
    fn the_diff_of_two_profiles_turns_the_first_into_the_second(first in "[A-Z][a-z]{1,10}", last in "[A-Z][a-z]{1,10}", sms in any::<bool>(), shoe in 30i64..=50) {
        let rules = rules();
        let before = Profile::new("p".into(), "t".into(), "c".into(), "2026-01-01T00:00:00Z".into());
        let after = apply_patch(&before, &json!({"first_name": first, "last_name": last, "consents": {"sms": {"granted": sms}}, "custom_fields": {"shoe_size": shoe}}), &change(&rules)).unwrap().profile;
        let (from, to) = (serde_json::to_value(&before).unwrap(), serde_json::to_value(&after).unwrap());
        let mut patched = from.clone();
        merge_patch(&mut patched, &merge_diff(&from, &to));
        prop_assert_eq!(serde_json::from_value::<Profile>(patched).unwrap(), after);
    }
}

#[test]
fn merge_patch_follows_rfc_7396_examples() {
    let cases = [
        (json!({"a": "b"}), json!({"a": "c"}), json!({"a": "c"})),
        (
            json!({"a": "b"}),
            json!({"b": "c"}),
            json!({"a": "b", "b": "c"}),
        ),
        (json!({"a": "b"}), json!({"a": null}), json!({})),
        (
            json!({"a": "b", "b": "c"}),
            json!({"a": null}),
            json!({"b": "c"}),
        ),
        (json!({"a": ["b"]}), json!({"a": "c"}), json!({"a": "c"})),
        (json!({"a": "c"}), json!({"a": ["b"]}), json!({"a": ["b"]})),
        (
            json!({"a": {"b": "c"}}),
            json!({"a": {"b": "d", "c": null}}),
            json!({"a": {"b": "d"}}),
        ),
        (
            json!({"a": [{"b": "c"}]}),
            json!({"a": [1]}),
            json!({"a": [1]}),
        ),
        (json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"])),
        (json!({"a": "b"}), json!(["c"]), json!(["c"])),
        (json!({"a": "foo"}), json!(null), json!(null)),
        (json!({"a": "foo"}), json!("bar"), json!("bar")),
        (
            json!({"e": null}),
            json!({"a": 1}),
            json!({"e": null, "a": 1}),
        ),
        (
            json!([1, 2]),
            json!({"a": "b", "c": null}),
            json!({"a": "b"}),
        ),
        (
            json!({}),
            json!({"a": {"bb": {"ccc": null}}}),
            json!({"a": {"bb": {}}}),
        ),
    ];
    for (target, patch, expected) in cases {
        let mut result = target.clone();
        merge_patch(&mut result, &patch);
        assert_eq!(result, expected, "{target} + {patch}");
    }
    let _ = Map::<String, Value>::new();
}
