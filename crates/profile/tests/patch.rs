//! Writing a profile as the customer and the tenant do: merge patch, replace, diff.

use profile::dates::parse_date;
use profile::{Actor, Change, Code, Profile, Rules, TenantRules, apply_patch, diff, replace};
use serde_json::{Value, json};

const NOW: &str = "2026-11-23T12:00:00Z";

fn rules() -> Rules {
    let tenant: TenantRules = serde_json::from_value(json!({
        "fields": {"last_name": {"required": true}},
        "custom_fields": [
            {"key": "shoe_size", "type": "integer", "min": 30, "max": 50},
            {"key": "member_no", "type": "text", "editable": false},
            {"key": "store", "type": "select", "options": [{"value": "oslo"}], "default": "oslo"}
        ],
        "consent_policies": [
            {"purpose": "marketing_email", "version": "2026-01", "url": "https://example.com/privacy"}
        ]
    }))
    .unwrap();
    Rules::new(tenant).unwrap()
}

fn change(rules: &Rules, actor: Actor) -> Change<'_> {
    Change {
        actor,
        rules,
        today: parse_date("2026-11-23").unwrap(),
        now: NOW,
        source: "customer-profile",
        updated_by: None,
        only: None,
    }
}

fn stored() -> Profile {
    let mut profile = profile::new_profile(
        "p1".into(),
        "demo".into(),
        "c1".into(),
        "2026-01-01T00:00:00Z".into(),
        &rules(),
    );
    profile.first_name = Some("Ana".into());
    profile.last_name = Some("García".into());
    profile.version = 3;
    profile.loyalty.rank = Some("gold".into());
    profile
        .custom_fields
        .insert("member_no".into(), json!("M-1"));
    profile
}

fn patch_as(actor: Actor, patch: Value) -> Result<profile::Patched, Vec<(String, Code)>> {
    let rules = rules();
    apply_patch(&stored(), &patch, &change(&rules, actor))
        .map_err(|errors| errors.into_iter().map(|e| (e.pointer, e.code)).collect())
}

fn refused(patch: Value) -> Vec<(String, Code)> {
    patch_as(Actor::Customer, patch).unwrap_err()
}

#[test]
fn a_patch_cleans_values_bumps_the_version_and_names_what_changed() {
    let patched = patch_as(
        Actor::Customer,
        json!({"first_name": "  Eva  María ", "email": "Eva@Example.COM", "mobile_phone": "070-123 45 67",
               "invoice_address": {"line1": "Gran Vía 1", "postal_code": "28013", "city": "Madrid", "country": "es"}}),
    )
    .unwrap();
    let p = &patched.profile;
    assert_eq!(p.first_name.as_deref(), Some("Eva María"));
    assert_eq!(p.email.as_deref(), Some("Eva@example.com"));
    assert_eq!(p.mobile_phone.as_deref(), Some("0701234567"));
    assert_eq!(
        p.invoice_address.as_ref().unwrap().country.as_deref(),
        Some("ES")
    );
    assert_eq!(p.version, 4);
    assert_eq!(p.updated, NOW);
    assert_eq!(p.updated_by.as_deref(), Some("customer"));
    assert_eq!(
        patched.changed,
        ["first_name", "email", "mobile_phone", "invoice_address"]
    );
}

#[test]
fn an_unchanged_patch_keeps_the_version() {
    let patched = patch_as(Actor::Customer, json!({"first_name": "Ana"})).unwrap();
    assert!(patched.changed.is_empty());
    assert_eq!(patched.profile, stored());
}

#[test]
fn null_clears_an_optional_field_but_not_a_required_one() {
    let patched = patch_as(Actor::Customer, json!({"first_name": null})).unwrap();
    assert_eq!(patched.profile.first_name, None);
    assert_eq!(
        refused(json!({"last_name": null})),
        [("/last_name".into(), Code::Required)]
    );
}

#[test]
fn the_customer_cannot_write_admin_or_server_fields() {
    let errors = refused(json!({
        "version": 9, "id": "other", "email_status": "verified",
        "loyalty": {"rank": "platinum"}, "notes": "vip", "custom_fields": {"member_no": "M-2"},
        "consents": {"sms": {"granted": true, "at": "2020-01-01T00:00:00Z"}}
    }));
    assert_eq!(
        errors,
        [
            ("/consents/sms/at".into(), Code::ReadOnly),
            ("/custom_fields/member_no".into(), Code::ReadOnly),
            ("/email_status".into(), Code::ReadOnly),
            ("/id".into(), Code::ReadOnly),
            ("/loyalty".into(), Code::ReadOnly),
            ("/notes".into(), Code::ReadOnly),
            ("/version".into(), Code::ReadOnly),
        ]
    );
}

#[test]
fn the_tenant_may_write_admin_fields_but_not_server_fields() {
    let patched = patch_as(
        Actor::Admin,
        json!({"loyalty": {"rank": "platinum"}, "custom_fields": {"member_no": "M-2"}}),
    )
    .unwrap();
    assert_eq!(patched.profile.loyalty.rank.as_deref(), Some("platinum"));
    assert_eq!(
        patch_as(Actor::Admin, json!({"version": 9})).unwrap_err(),
        [("/version".into(), Code::ReadOnly)]
    );
}

#[test]
fn read_only_fields_sent_back_unchanged_are_accepted() {
    let mut read = Value::Object(profile::customer_view(&stored(), &rules()));
    read["first_name"] = json!("Eva");
    let patched = patch_as(Actor::Customer, read).unwrap();
    assert_eq!(patched.changed, ["first_name"]);
}

#[test]
fn unknown_fields_are_refused_everywhere() {
    let errors = refused(json!({
        "shoe_size": 42, "invoice_address": {"street": "x"}, "consents": {"telepathy": {"granted": true}, "sms": {"granted": true, "why": 1}},
        "custom_fields": {"hat_size": 7}, "delivery_addresses": [{"id": "a", "planet": "Mars"}]
    }));
    assert_eq!(
        errors,
        [
            ("/consents/sms/why".into(), Code::UnknownField),
            ("/consents/telepathy".into(), Code::UnknownField),
            ("/custom_fields/hat_size".into(), Code::UnknownField),
            ("/delivery_addresses/0/planet".into(), Code::UnknownField),
            ("/invoice_address/street".into(), Code::UnknownField),
            ("/shoe_size".into(), Code::UnknownField),
        ]
    );
}

#[test]
fn wrong_types_are_reported_each_at_its_pointer() {
    let errors = refused(
        json!({"first_name": 5, "gender": "robot", "invoice_address": {"city": ["Oslo"]}, "use_invoice_address_for_delivery": "yes"}),
    );
    assert_eq!(
        errors,
        [
            ("/first_name".into(), Code::InvalidType),
            ("/gender".into(), Code::InvalidType),
            ("/invoice_address/city".into(), Code::InvalidType),
            (
                "/use_invoice_address_for_delivery".into(),
                Code::InvalidType
            ),
        ]
    );
}

#[test]
fn all_rule_failures_come_together_and_nothing_changes() {
    let errors = refused(
        json!({"first_name": "R2D2", "email": "nope", "birth_date": "2030-01-01", "custom_fields": {"shoe_size": 99}}),
    );
    assert_eq!(
        errors,
        [
            ("/first_name".into(), Code::InvalidCharacters),
            ("/birth_date".into(), Code::BirthDateInFuture),
            ("/email".into(), Code::InvalidEmail),
            ("/custom_fields/shoe_size".into(), Code::AboveMaximum),
        ]
    );
}

#[test]
fn a_consent_change_is_stamped_by_the_server() {
    let patched = patch_as(
        Actor::Customer,
        json!({"consents": {"marketing_email": {"granted": true}}}),
    )
    .unwrap();
    let consent = &patched.profile.consents[&profile::ConsentPurpose::MarketingEmail];
    assert!(consent.granted);
    assert_eq!(consent.at.as_deref(), Some(NOW));
    assert_eq!(consent.source.as_deref(), Some("customer-profile"));
    assert_eq!(consent.policy_version.as_deref(), Some("2026-01"));
    assert_eq!(patched.changed, ["consents/marketing_email"]);
}

#[test]
fn a_patch_replaces_the_delivery_address_list_whole() {
    let first = patch_as(
        Actor::Customer,
        json!({"delivery_addresses": [{"id": "home", "postal_code": "0150", "city": "Oslo", "country": "NO"},
                                      {"id": "cabin", "postal_code": "3550", "city": "Gol", "country": "NO"}]}),
    )
    .unwrap();
    assert_eq!(first.profile.delivery_addresses.len(), 2);
    let rules = rules();
    let second = apply_patch(
        &first.profile,
        &json!({"delivery_addresses": [{"id": "cabin", "postal_code": "3550", "city": "Gol", "country": "NO"}]}),
        &change(&rules, Actor::Customer),
    )
    .unwrap();
    let ids: Vec<_> = second
        .profile
        .delivery_addresses
        .iter()
        .map(|d| d.id.as_str())
        .collect();
    assert_eq!(ids, ["cabin"]);
}

#[test]
fn a_rule_the_tenant_added_later_does_not_block_other_changes() {
    let mut old = stored();
    old.last_name = None;
    let rules = rules();
    let patched = apply_patch(
        &old,
        &json!({"first_name": "Eva"}),
        &change(&rules, Actor::Customer),
    )
    .unwrap();
    assert_eq!(patched.profile.first_name.as_deref(), Some("Eva"));
}

#[test]
fn replace_clears_what_it_leaves_out_and_withdraws_consents() {
    let rules = rules();
    let with_sms = apply_patch(
        &stored(),
        &json!({"consents": {"sms": {"granted": true}}, "middle_name": "Luisa"}),
        &change(&rules, Actor::Customer),
    )
    .unwrap()
    .profile;
    let replaced = replace(
        &with_sms,
        &json!({"first_name": "Ana", "last_name": "Ruiz", "custom_fields": {"member_no": "M-1"}}),
        &change(&rules, Actor::Customer),
    )
    .unwrap();
    let p = &replaced.profile;
    assert_eq!(p.middle_name, None);
    assert_eq!(p.last_name.as_deref(), Some("Ruiz"));
    assert!(!p.consents[&profile::ConsentPurpose::Sms].granted);
    assert_eq!(p.loyalty.rank.as_deref(), Some("gold"), "admin fields stay");
    assert_eq!(
        p.custom_fields.get("member_no"),
        Some(&json!("M-1")),
        "fields the customer may not write stay"
    );
    assert_eq!(
        p.custom_fields.get("store"),
        None,
        "custom fields left out are cleared"
    );
}

#[test]
fn replace_without_a_required_field_is_refused() {
    let rules = rules();
    let errors = replace(
        &stored(),
        &json!({"first_name": "Ana"}),
        &change(&rules, Actor::Customer),
    )
    .unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.pointer == "/last_name" && e.code == Code::Required),
        "{errors:?}"
    );
}

#[test]
fn diff_names_changed_fields() {
    let before = stored();
    let mut after = before.clone();
    after.first_name = Some("Eva".into());
    after.custom_fields.insert("shoe_size".into(), json!(40));
    assert_eq!(
        diff(&before, &after),
        ["first_name", "custom_fields/shoe_size"]
    );
    assert!(diff(&before, &before).is_empty());
}

#[test]
fn a_new_profile_starts_with_the_tenant_defaults() {
    assert_eq!(stored().custom_fields.get("store"), Some(&json!("oslo")));
}

#[test]
fn access_type_and_rule_failures_are_reported_together() {
    let errors = refused(
        json!({"version": 9, "gender": 1, "first_name": "R2D2", "custom_fields": {"member_no": "M-2", "shoe_size": 99}}),
    );
    assert_eq!(
        errors,
        [
            ("/custom_fields/member_no".into(), Code::ReadOnly),
            ("/version".into(), Code::ReadOnly),
            ("/gender".into(), Code::InvalidType),
            ("/first_name".into(), Code::InvalidCharacters),
            ("/custom_fields/shoe_size".into(), Code::AboveMaximum),
        ]
    );
}

#[test]
fn a_new_email_address_is_unverified() {
    let mut verified = stored();
    verified.email = Some("ana@example.com".into());
    verified.email_status = profile::EmailStatus::Verified;
    let rules = rules();
    let same = apply_patch(
        &verified,
        &json!({"email": "ana@EXAMPLE.com"}),
        &change(&rules, Actor::Customer),
    )
    .unwrap();
    assert_eq!(
        same.profile.email_status,
        profile::EmailStatus::Verified,
        "the same address, cleaned"
    );
    let new = apply_patch(
        &verified,
        &json!({"email": "eva@example.com"}),
        &change(&rules, Actor::Customer),
    )
    .unwrap();
    assert_eq!(new.profile.email_status, profile::EmailStatus::Unverified);
}

#[test]
fn an_array_where_an_object_belongs_is_a_type_error_not_an_empty_object() {
    for (patch, pointer) in [
        (json!({"company": []}), "/company"),
        (json!({"invoice_address": []}), "/invoice_address"),
        (json!({"custom_fields": []}), "/custom_fields"),
        (json!({"consents": []}), "/consents"),
        (json!({"delivery_addresses": [[]]}), "/delivery_addresses/0"),
        (
            json!({"delivery_addresses": ["home"]}),
            "/delivery_addresses/0",
        ),
        (json!({"consents": {"sms": []}}), "/consents/sms"),
    ] {
        assert_eq!(
            refused(patch.clone()),
            [(pointer.to_owned(), Code::InvalidType)],
            "{patch}"
        );
    }
}

#[test]
fn a_consent_of_the_wrong_type_is_named_by_its_purpose() {
    for granted in [json!("yes"), json!(1), json!({})] {
        assert_eq!(
            refused(json!({"consents": {"sms": {"granted": granted}}})),
            [("/consents/sms/granted".to_owned(), Code::InvalidType)],
            "{granted}"
        );
    }
    assert_eq!(
        refused(json!({"consents": {"sms": {"granted": null}}})),
        [("/consents/sms/granted".to_owned(), Code::Required)],
        "null removes it, as a merge patch does"
    );
}

#[test]
fn an_empty_list_is_no_value_only_for_a_multiselect() {
    assert_eq!(
        refused(json!({"custom_fields": {"shoe_size": []}})),
        [("/custom_fields/shoe_size".to_owned(), Code::InvalidType)]
    );
}

#[test]
fn an_import_keeps_the_consent_evidence_of_the_system_it_leaves() {
    let rules = rules();
    let import = change(&rules, Actor::Import);
    let line = json!({"consents": {
        "sms": {"granted": true, "at": "2019-05-04T10:00:00Z", "source": "old-crm", "policy_version": "v3"},
        "newsletter": {"granted": true}
    }, "card_code": "7001"});
    let patched = apply_patch(&stored(), &line, &import).unwrap().profile;
    let sms = &patched.consents[&profile::ConsentPurpose::Sms];
    assert_eq!(sms.at.as_deref(), Some("2019-05-04T10:00:00Z"));
    assert_eq!(sms.source.as_deref(), Some("old-crm"));
    assert_eq!(sms.policy_version.as_deref(), Some("v3"));
    // Without evidence, the import's own time and source, as for any write.
    let newsletter = &patched.consents[&profile::ConsentPurpose::Newsletter];
    assert_eq!(newsletter.at.as_deref(), Some(NOW));
    assert_eq!(
        patched.card_code.as_deref(),
        Some("7001"),
        "as the tenant writes"
    );

    let bad = json!({"consents": {"sms": {"granted": true, "at": "last spring", "source": "x".repeat(101)}}});
    let errors = apply_patch(&stored(), &bad, &import).unwrap_err();
    let mut pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
    pointers.sort();
    assert_eq!(pointers, ["/consents/sms/at", "/consents/sms/source"]);
    // Nobody else brings evidence.
    for actor in [Actor::Customer, Actor::Admin] {
        let errors = apply_patch(&stored(), &line, &change(&rules, actor)).unwrap_err();
        assert!(
            errors
                .iter()
                .any(|e| e.pointer == "/consents/sms/at" && e.code == Code::ReadOnly),
            "{actor:?}"
        );
    }
}
