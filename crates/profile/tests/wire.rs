#![recursion_limit = "256"]
//! The widget's wire readers (derived: `#[derive(Wire)]`) agree with serde's
//! derives (used by the Worker).

use profile::{Profile, TenantRules, wire};
use serde_json::{Value, json};

fn demo_rules() -> Value {
    let config: Value =
        serde_json::from_str(include_str!("../../../worker/demo-tenant.json")).unwrap();
    config["rules"].clone()
}

#[test]
fn tenant_rules_read_alike() {
    let mut rules = demo_rules();
    rules["national_id_country"] = json!("SE");
    rules["phone_max_digits"] = json!(12);
    rules["fields"]["middle_name"] = json!({"shown": false});
    rules["message_overrides"] =
        json!({"/email": {"InvalidEmail": {"en": "Check the address", "sv": "Kolla adressen"}}});
    rules["custom_fields"][0]["error_messages"] = json!({"TooLong": {"en": "Shorter, please"}});
    let by_serde: TenantRules = serde_json::from_value(rules.clone()).unwrap();
    assert!(
        by_serde.custom_fields.len() >= 8,
        "every kind of custom field"
    );
    assert_eq!(wire::tenant_rules(&rules).unwrap(), by_serde);
    assert_eq!(
        wire::tenant_rules(&json!({})).unwrap(),
        TenantRules::default()
    );
}

#[test]
fn a_full_profile_reads_alike() {
    let value = json!({
        "id": "p1", "external_id": "c1", "tenant": "t", "organization_code": "o",
        "store_code": "s", "card_code": "c", "crm_id": "r", "username": "u", "active": false,
        "created": "2026-01-01T00:00:00Z", "updated": "2026-01-02T00:00:00Z",
        "updated_by": "customer", "version": 7, "first_name": "Åsa", "middle_name": "M",
        "last_name": "Berg", "birth_date": "1990-02-03", "estimated_birth_date": "1990-01-01",
        "gender": "female", "has_children": true, "national_id": "199002031234",
        "national_id_verified": true, "preferred_language": "sv", "photo": "abc",
        "email": "asa@example.se", "email_status": "verified", "mobile_phone": "+46701234567",
        "other_phone": "+4690123456",
        "invoice_address": {"line1": "Storgatan 1", "line2": "2 tr", "care_of": "Lund",
            "house_number": "1", "house_letter": "A", "entrance": "B", "floor": "2",
            "po_box": "12", "postal_code": "903 26", "city": "Umeå", "country": "SE"},
        "delivery_addresses": [{"id": "d1", "line1": "Kungsgatan 2", "postal_code": "111 43",
            "city": "Stockholm", "country": "SE"}],
        "use_invoice_address_for_delivery": true,
        "company": {"name": "Berg AB", "organization_number": "556000-0000"},
        "consents": {"sms": {"granted": true, "at": "2026-01-01T00:00:00Z",
            "source": "customer-profile", "policy_version": "3"},
            "terms": {"granted": false}},
        "loyalty": {"member": true, "rank": "gold", "has_card": true, "any_online_purchase": true,
            "any_offline_purchase": true, "price_list_ids": ["a", "b"], "flags": ["vip"],
            "customer_type": "private", "requires_profile_confirmation": true},
        "acquisition": {"source_code": "x", "refer_id": "y", "refer_url": "https://example.se"},
        "notes": "Likes oat milk",
        "custom_fields": {"shoe": 42, "nick": "Åsa", "tags": ["a"], "ok": true}
    });
    let by_serde: Profile = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(wire::profile(&value).unwrap(), by_serde);
    // And the way back: what the server writes reads the same.
    let written = serde_json::to_value(&by_serde).unwrap();
    assert_eq!(wire::profile(&written).unwrap(), by_serde);
    assert_eq!(
        wire::profile(&json!({})).unwrap(),
        serde_json::from_value::<Profile>(json!({})).unwrap()
    );
}

#[test]
fn a_wrong_type_names_its_place() {
    let error = wire::profile(&json!({"invoice_address": {"city": 3}})).unwrap_err();
    assert_eq!(error.0, "/invoice_address/city");
    assert!(wire::profile(&json!({"gender": "robot"})).is_err());
    assert!(wire::tenant_rules(&json!({"custom_fields": [{"key": "k", "type": "blob"}]})).is_err());
}

#[test]
fn field_errors_read_from_a_problem() {
    let problem = json!({"type": "about:blank", "status": 422, "errors": [
        {"pointer": "/email", "code": "InvalidEmail", "params": {}, "message": "Check it"},
        {"pointer": "/first_name", "code": "TooLong", "params": {"max": 50}}
    ]});
    let errors = wire::field_errors(&problem).unwrap();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[1].code, profile::Code::TooLong);
    assert_eq!(errors[1].params["max"], 50);
}

#[test]
fn the_form_schema_reads_alike() {
    let rules: TenantRules = serde_json::from_value(demo_rules()).unwrap();
    let rules = profile::Rules::new(rules).unwrap();
    for language in ["en", "sv", "ru"] {
        let schema = profile::schema::form_schema(&rules, language);
        let written = serde_json::to_value(&schema).unwrap();
        assert_eq!(wire::form_schema(&written).unwrap(), schema);
    }
}
