//! The tenant settings the source APIs need, as every writer meets them:
//! built-in fields made read-only for customers, a lower e-mail limit, a
//! default country, an invoice address that may be incomplete, and the
//! point of sale as `updated_by`.

use profile::dates::parse_date;
use profile::{Actor, Change, Code, Profile, Rules, TenantRules, apply_patch, replace};
use serde_json::{Value, json};

fn rules(settings: Value) -> Rules {
    let tenant: TenantRules = serde_json::from_value(settings).unwrap();
    Rules::checked(tenant).unwrap()
}

fn change<'a>(rules: &'a Rules, actor: Actor, point_of_sale: Option<&'a str>) -> Change<'a> {
    Change {
        actor,
        rules,
        today: parse_date("2026-12-03").unwrap(),
        now: "2026-12-03T10:00:00Z",
        source: "utility",
        updated_by: point_of_sale,
        only: None,
    }
}

fn stored(rules: &Rules) -> Profile {
    let mut profile = profile::new_profile(
        "p1".into(),
        "t".into(),
        "2".into(),
        "2026-01-01T00:00:00Z".into(),
        rules,
    );
    profile.first_name = Some("Kari".into());
    profile.mobile_phone = Some("4791234567".into());
    profile
}

fn codes(errors: Vec<profile::FieldError>) -> Vec<(String, Code)> {
    errors.into_iter().map(|e| (e.pointer, e.code)).collect()
}

#[test]
fn a_read_only_field_refuses_the_customers_change_and_takes_the_programmes() {
    let rules = rules(json!({"fields": {"first_name": {"read_only": true}}}));
    let stored = stored(&rules);
    let customer = change(&rules, Actor::Customer, None);
    let refused = apply_patch(&stored, &json!({"first_name": "Ola"}), &customer).unwrap_err();
    assert_eq!(codes(refused), [("/first_name".into(), Code::ReadOnly)]);
    // Sent back unchanged, with a change of another field: accepted.
    let patch = json!({"first_name": "Kari", "mobile_phone": "4798765432"});
    let patched = apply_patch(&stored, &patch, &customer).unwrap();
    assert_eq!(patched.changed, ["mobile_phone"]);
    // A replace by the customer keeps it, although the body leaves it out.
    let replaced = replace(&stored, &json!({}), &customer).unwrap();
    assert_eq!(replaced.profile.first_name.as_deref(), Some("Kari"));
    // The programme writes it.
    let admin = change(&rules, Actor::Admin, None);
    let patched = apply_patch(&stored, &json!({"first_name": "Ola"}), &admin).unwrap();
    assert_eq!(patched.profile.first_name.as_deref(), Some("Ola"));
    // And the form shows it as not editable.
    let schema = profile::schema::form_schema(&rules, "en");
    let schema = serde_json::to_value(&schema).unwrap();
    let first_name = schema["sections"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["pointer"] == "/first_name")
        .unwrap();
    assert_eq!(first_name["editable"], false);
}

#[test]
fn the_tenants_email_limit_is_the_rule() {
    let rules = rules(json!({"email_max_length": 100}));
    let stored = stored(&rules);
    let customer = change(&rules, Actor::Admin, None);
    let email = format!("{}@{}.no", "a".repeat(40), "b".repeat(56));
    assert_eq!(email.chars().count(), 100);
    assert!(apply_patch(&stored, &json!({"email": email}), &customer).is_ok());
    let refused =
        apply_patch(&stored, &json!({"email": format!("a{email}")}), &customer).unwrap_err();
    assert_eq!(refused[0].code, Code::TooLong);
    assert_eq!(refused[0].params["max"], 100);
}

#[test]
fn an_address_without_a_country_is_in_the_tenants() {
    let rules = rules(json!({"default_country": "NO"}));
    let address = json!({"line1": "Storgata 1", "postal_code": "0150", "city": "Oslo"});
    let patched = apply_patch(
        &stored(&rules),
        &json!({"invoice_address": address}),
        &change(&rules, Actor::Customer, None),
    )
    .unwrap();
    let country = patched.profile.invoice_address.unwrap().country;
    assert_eq!(country.as_deref(), Some("NO"));
    // Without the setting, the country is missing.
    let strict = self::rules(json!({}));
    let refused = apply_patch(
        &stored(&strict),
        &json!({"invoice_address": address}),
        &change(&strict, Actor::Customer, None),
    )
    .unwrap_err();
    assert_eq!(
        codes(refused),
        [(
            "/invoice_address/country".into(),
            Code::InvoiceAddressCountryMissing
        )]
    );
}

#[test]
fn an_incomplete_invoice_address_is_accepted_where_the_tenant_allows_it() {
    let address = json!({"invoice_address": {"line1": "Gran Vía 1", "postal_code": "28013"}});
    let lenient = rules(json!({"complete_invoice_address": false}));
    let patched = apply_patch(
        &stored(&lenient),
        &address,
        &change(&lenient, Actor::Customer, None),
    )
    .unwrap();
    assert_eq!(patched.changed, ["invoice_address"]);
    let strict = rules(json!({}));
    let refused = apply_patch(
        &stored(&strict),
        &address,
        &change(&strict, Actor::Customer, None),
    )
    .unwrap_err();
    assert_eq!(
        codes(refused),
        [
            (
                "/invoice_address/city".into(),
                Code::InvoiceAddressCityMissing
            ),
            (
                "/invoice_address/country".into(),
                Code::InvoiceAddressCountryMissing
            ),
        ]
    );
}

#[test]
fn the_point_of_sale_is_who_updated_else_the_actor() {
    let rules = rules(json!({}));
    let patch = json!({"first_name": "Ola"});
    let at_pos = change(&rules, Actor::Admin, Some("pos-17"));
    let patched = apply_patch(&stored(&rules), &patch, &at_pos).unwrap();
    assert_eq!(patched.profile.updated_by.as_deref(), Some("pos-17"));
    let anywhere = change(&rules, Actor::Customer, None);
    let patched = apply_patch(&stored(&rules), &patch, &anywhere).unwrap();
    assert_eq!(patched.profile.updated_by.as_deref(), Some("customer"));
}

#[test]
fn a_write_limited_to_some_fields_refuses_a_change_of_any_other() {
    let rules = rules(json!({}));
    let only = ["email".to_owned(), "mobile_phone".to_owned()];
    let limited = Change {
        only: Some(&only),
        ..change(&rules, Actor::Admin, None)
    };
    let stored = stored(&rules);
    // The others sent as stored: accepted.
    let patch = json!({"first_name": "Kari", "mobile_phone": "4798765432"});
    let patched = apply_patch(&stored, &patch, &limited).unwrap();
    assert_eq!(patched.changed, ["mobile_phone"]);
    // Changed: refused, each of them, and nothing is written.
    let patch = json!({"first_name": "Ola", "loyalty": {"flags": ["power_customer"]}, "email": "ola@example.no"});
    let refused = apply_patch(&stored, &patch, &limited).unwrap_err();
    assert_eq!(
        codes(refused),
        [
            ("/first_name".into(), Code::ReadOnly),
            ("/loyalty".into(), Code::ReadOnly)
        ]
    );
}

/// The source adapters' aliases name the tenant's own custom fields: one
/// alias per field, the booking platform's as positive integers.
#[test]
fn source_aliases_name_real_custom_fields() {
    let rules: profile::TenantRules = serde_json::from_value(serde_json::json!({
        "custom_fields": [{"key": "shoe_size", "type": "integer"}, {"key": "nick", "type": "text"}]
    }))
    .unwrap();
    let errors = |sources: serde_json::Value| {
        let adapters: profile::sources::Adapters = serde_json::from_value(sources).unwrap();
        adapters
            .errors("/sources", &rules)
            .into_iter()
            .map(|e| (e.pointer, e.code))
            .collect::<Vec<_>>()
    };
    let good = serde_json::json!({"extranet": {"custom_fields": {"SHOE": "shoe_size", "NICK": "nick"}},
        "booking": {"custom_fields": {"7": "shoe_size"}},
        "storm": {"custom_fields": {"3": "nick"}, "flags": {"12": "b2b"}}});
    assert_eq!(errors(good), vec![]);
    use profile::Code::*;
    let bad = [
        (
            serde_json::json!({"extranet": {"custom_fields": {"SHOE": "size"}}}),
            "/sources/extranet/custom_fields/SHOE",
            NotAnOption,
        ),
        (
            serde_json::json!({"extranet": {"custom_fields": {"A": "nick", "B": "nick"}}}),
            "/sources/extranet/custom_fields/B",
            Duplicate,
        ),
        (
            serde_json::json!({"booking": {"custom_fields": {"07": "nick"}}}),
            "/sources/booking/custom_fields/07",
            InvalidType,
        ),
        (
            serde_json::json!({"booking": {"custom_fields": {"0": "nick"}}}),
            "/sources/booking/custom_fields/0",
            InvalidType,
        ),
        (
            serde_json::json!({"storm": {"custom_fields": {"x": "nick"}}}),
            "/sources/storm/custom_fields/x",
            InvalidType,
        ),
        (
            serde_json::json!({"storm": {"flags": {"-1": "b2b"}}}),
            "/sources/storm/flags/-1",
            InvalidType,
        ),
        (
            serde_json::json!({"storm": {"flags": {"4": ""}}}),
            "/sources/storm/flags/4",
            Required,
        ),
        (
            serde_json::json!({"extranet": {"custom_fields": {"": "nick"}}}),
            "/sources/extranet/custom_fields/",
            InvalidType,
        ),
    ];
    for (sources, pointer, code) in bad {
        assert_eq!(
            errors(sources.clone()),
            vec![(pointer.to_owned(), code)],
            "{sources}"
        );
    }
}
