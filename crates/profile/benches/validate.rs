//! Validating a full profile with 20 custom fields (goal: at most 20 µs natively).

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use profile::dates::parse_date;
use profile::{Profile, Rules, TenantRules, validate};
use serde_json::{Value, json};

fn rules_with_20_custom_fields() -> Rules {
    let kinds = [
        "text",
        "multiline",
        "integer",
        "decimal",
        "date",
        "bool",
        "select",
        "multiselect",
    ];
    let fields: Vec<Value> = (0..20)
        .map(|i| {
            let kind = kinds[i % kinds.len()];
            let mut def = json!({"key": format!("field_{i}"), "type": kind, "required": i % 3 == 0,
                                 "label": {"en": format!("Field {i}"), "sv": format!("Fält {i}")}});
            match kind {
                "text" => def["pattern"] = json!("[A-Za-z ]+"),
                "integer" | "decimal" => {
                    def["min"] = json!(0);
                    def["max"] = json!(1000);
                }
                "select" | "multiselect" => {
                    def["options"] = json!([{"value": "a"}, {"value": "b"}, {"value": "c"}])
                }
                _ => {}
            }
            def
        })
        .collect();
    let tenant: TenantRules = serde_json::from_value(json!({
        "fields": {"last_name": {"required": true}, "email": {"required": true}},
        "national_id_country": "SE",
        "custom_fields": fields
    }))
    .unwrap();
    Rules::new(tenant).unwrap()
}

fn full_profile(rules: &Rules) -> Profile {
    let custom: serde_json::Map<String, Value> = rules
        .custom_fields()
        .map(|(def, _)| {
            let value = match def.kind {
                profile::CustomKind::Text => json!("Some text"),
                profile::CustomKind::Multiline => json!("Line one\nLine two"),
                profile::CustomKind::Integer => json!(42),
                profile::CustomKind::Decimal => json!(3.5),
                profile::CustomKind::Date => json!("2020-02-29"),
                profile::CustomKind::DateTime => json!("2026-06-04T19:00:05Z"),
                profile::CustomKind::Bool => json!(true),
                profile::CustomKind::Select => json!("b"),
                profile::CustomKind::Multiselect => json!(["a", "c"]),
            };
            (def.key.clone(), value)
        })
        .collect();
    serde_json::from_value(json!({
        "id": "0b5f5a8e-8a49-4c0e-9a51-6d1f8e0c2b11", "external_id": "c-1", "tenant": "demo",
        "created": "2026-01-01T00:00:00Z", "updated": "2026-01-01T00:00:00Z", "version": 7,
        "first_name": "Åsa", "middle_name": "Maria", "last_name": "Lindström-Ek", "birth_date": "1985-06-15",
        "gender": "female", "national_id": "811228-9874", "preferred_language": "sv-SE",
        "email": "asa.lindstrom@example.se", "mobile_phone": "+46701234567", "other_phone": "081234567",
        "invoice_address": {"line1": "Storgatan 1", "care_of": "Ek", "postal_code": "123 45", "city": "Umeå", "country": "SE"},
        "delivery_addresses": [
            {"id": "home", "line1": "Storgatan 1", "postal_code": "123 45", "city": "Umeå", "country": "SE"},
            {"id": "work", "line1": "Kungsgatan 2", "postal_code": "111 43", "city": "Stockholm", "country": "SE"}
        ],
        "company": {"name": "Ek AB", "organization_number": "556677-8899"},
        "consents": {"marketing_email": {"granted": true}, "sms": {"granted": false}, "terms": {"granted": true}},
        "custom_fields": custom
    }))
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let rules = rules_with_20_custom_fields();
    let profile = full_profile(&rules);
    let today = parse_date("2026-11-23").unwrap();
    assert!(
        validate(&profile, &rules, today).is_empty(),
        "the benchmark's profile must be valid"
    );
    c.bench_function("validate a full profile with 20 custom fields", |b| {
        b.iter(|| validate(black_box(&profile), black_box(&rules), today))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
