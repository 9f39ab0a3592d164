//! What the customer reads and writes of their profile: exactly what the
//! form's schema shows them, plus the record's identity and version.

use profile::access::{FIELDS, Sight};
use profile::dates::parse_date;
use profile::schema::form_schema;
use profile::{Actor, Change, Code, Profile, Rules, apply_patch, customer_view, replace};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// A profile with every field set, as stored.
fn full() -> Profile {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/stored/2026-12.json"
    ))
    .unwrap();
    let fixture: Value = serde_json::from_str(&text).unwrap();
    let mut profile: Profile = serde_json::from_value(fixture["profiles"][0].clone()).unwrap();
    // Stored before addresses waited for their code.
    profile.pending_email = Some("kari.nordmann@example.no".into());
    profile
}

fn rules(tenant: Value) -> Rules {
    Rules::new(serde_json::from_value(tenant).unwrap()).unwrap()
}

fn demo_rules() -> Rules {
    rules(json!({"custom_fields": [
        {"key": "home_store", "type": "select", "options": [{"value": "oslo"}]},
        {"key": "shoe_size", "type": "integer", "editable": false}
    ]}))
}

fn change(rules: &Rules) -> Change<'_> {
    Change {
        actor: Actor::Customer,
        rules,
        today: parse_date("2026-12-01").unwrap(),
        now: "2026-12-01T12:00:00Z",
        source: "customer-profile",
        updated_by: None,
        only: None,
    }
}

/// The top-level names the schema shows (and, for maps, their entries).
fn schema_names(rules: &Rules) -> BTreeSet<String> {
    form_schema(rules, "en")
        .sections
        .iter()
        .flat_map(|s| &s.fields)
        .map(|f| {
            let parts: Vec<&str> = f.pointer[1..].split('/').collect();
            match parts.as_slice() {
                ["consents" | "custom_fields", entry, ..] => format!("{}/{entry}", parts[0]),
                [name, ..] => (*name).to_owned(),
                [] => String::new(),
            }
        })
        .collect()
}

/// The view's names, in the same form as [`schema_names`].
fn view_names(view: &serde_json::Map<String, Value>) -> BTreeSet<String> {
    view.iter()
        .flat_map(|(name, value)| match (name.as_str(), value) {
            ("consents" | "custom_fields", Value::Object(entries)) => {
                entries.keys().map(|k| format!("{name}/{k}")).collect()
            }
            _ => vec![name.clone()],
        })
        .collect()
}

#[test]
fn the_customer_sees_exactly_the_schema_and_the_record() {
    let profile = full();
    let stored = serde_json::to_value(&profile).unwrap();
    for tenant in [
        json!({"custom_fields": [{"key": "home_store", "type": "select", "options": [{"value": "oslo"}]},
                                 {"key": "shoe_size", "type": "integer", "editable": false}]}),
        json!({"fields": {"national_id": {"shown": false}, "gender": {"shown": false}, "company": {"shown": false}}}),
    ] {
        let rules = rules(tenant);
        let view = customer_view(&profile, &rules);
        let record: BTreeSet<String> = FIELDS
            .iter()
            .filter(|f| f.sight == Sight::Record)
            .map(|f| f.name.to_owned())
            .collect();
        let expected: BTreeSet<String> = schema_names(&rules).union(&record).cloned().collect();
        assert_eq!(view_names(&view), expected);
        // Walk every field of the stored profile: shown as stored, or not at all.
        for (name, value) in stored.as_object().unwrap() {
            match view.get(name) {
                Some(shown) if name == "loyalty" => {
                    let parts: Vec<&String> = shown.as_object().unwrap().keys().collect();
                    assert_eq!(parts, ["has_card", "member", "rank"]);
                }
                Some(shown) if name == "custom_fields" => {
                    for (key, v) in shown.as_object().unwrap() {
                        assert_eq!(&value[key], v);
                    }
                }
                Some(shown) => assert_eq!(shown, value, "{name}"),
                None => assert!(!expected.contains(name), "{name} is missing"),
            }
        }
        for internal in [
            "notes",
            "crm_id",
            "estimated_birth_date",
            "national_id_verified",
            "acquisition",
            "updated_by",
        ] {
            assert!(!view.contains_key(internal), "{internal} is shown");
        }
    }
}

#[test]
fn a_field_the_customer_cannot_see_is_refused_whatever_its_value() {
    let profile = full();
    let rules = rules(json!({"fields": {"national_id": {"shown": false}}}));
    for patch in [
        json!({"national_id": profile.national_id}),
        json!({"national_id": "01010750160x"}),
        json!({"national_id": null}),
        json!({"notes": null}),
        json!({"crm_id": "crm"}),
        json!({"national_id_verified": true}),
        json!({"loyalty": {"flags": []}}),
        json!({"loyalty": {"price_list_ids": ["1"]}}),
    ] {
        let errors = apply_patch(&profile, &patch, &change(&rules)).unwrap_err();
        assert!(
            errors.iter().all(|e| e.code == Code::ReadOnly) && errors.len() == 1,
            "{patch}: {errors:?}"
        );
    }
    // What the customer sees of the programme's fields may be sent back as read.
    let read = Value::Object(customer_view(&profile, &rules));
    let patched = apply_patch(&profile, &read, &change(&rules)).unwrap();
    assert!(patched.changed.is_empty(), "{:?}", patched.changed);
}

#[test]
fn a_put_leaves_the_fields_the_customer_cannot_see_as_they_are() {
    let profile = full();
    let rules = rules(json!({"fields": {"national_id": {"shown": false}}}));
    let mut body = customer_view(&profile, &rules);
    body.insert("first_name".into(), json!("Eva"));
    let replaced = replace(&profile, &Value::Object(body), &change(&rules)).unwrap();
    assert_eq!(replaced.changed, ["first_name"]);
    assert_eq!(replaced.profile.national_id, profile.national_id);
    assert_eq!(replaced.profile.notes, profile.notes);
}

#[test]
fn null_for_all_consents_withdraws_each_and_keeps_their_records() {
    let profile = full();
    let rules = demo_rules();
    for patch in [
        json!({"consents": null}),
        json!({"consents": {"terms": null, "sms": null}}),
    ] {
        let patched = apply_patch(&profile, &patch, &change(&rules)).unwrap();
        let named: Vec<&str> = patch["consents"]
            .as_object()
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        for (purpose, consent) in &patched.profile.consents {
            let touched = named.is_empty() || named.contains(&purpose.as_str());
            assert_eq!(consent.granted, !touched, "{}", purpose.as_str());
            if touched {
                assert_eq!(consent.at.as_deref(), Some("2026-12-01T12:00:00Z"));
            }
        }
        assert_eq!(patched.profile.consents.len(), profile.consents.len());
    }
}

#[test]
fn null_for_all_custom_fields_refuses_the_locked_ones_and_changes_nothing() {
    let profile = full();
    let rules = demo_rules();
    let errors =
        apply_patch(&profile, &json!({"custom_fields": null}), &change(&rules)).unwrap_err();
    let refused: Vec<(&str, Code)> = errors
        .iter()
        .map(|e| (e.pointer.as_str(), e.code))
        .collect();
    assert_eq!(refused, [("/custom_fields/shoe_size", Code::ReadOnly)]);
}

#[test]
fn a_verification_does_not_outlive_its_value() {
    let profile = full();
    assert!(profile.national_id_verified);
    let rules = rules(json!({}));
    let patched = apply_patch(
        &profile,
        &json!({"national_id": "15076500565"}),
        &change(&rules),
    )
    .unwrap();
    assert!(!patched.profile.national_id_verified);
    let same = apply_patch(
        &profile,
        &json!({"national_id": "010107 50160", "first_name": "Eva"}),
        &change(&rules),
    )
    .unwrap();
    assert!(
        same.profile.national_id_verified,
        "the same number, cleaned"
    );
    let cleared = apply_patch(&profile, &json!({"national_id": null}), &change(&rules)).unwrap();
    assert!(!cleared.profile.national_id_verified);
}

#[test]
fn an_oversized_delivery_list_is_one_error_before_its_items_are_read() {
    let profile = full();
    let rules = rules(json!({}));
    let items: Vec<Value> = (0..4700)
        .map(|i| json!({"id": "same", "planet": i, "postal_code": []}))
        .collect();
    let errors = apply_patch(
        &profile,
        &json!({"delivery_addresses": items}),
        &change(&rules),
    )
    .unwrap_err();
    let refused: Vec<(&str, Code)> = errors
        .iter()
        .map(|e| (e.pointer.as_str(), e.code))
        .collect();
    assert_eq!(refused, [("/delivery_addresses", Code::TooMany)]);
}
