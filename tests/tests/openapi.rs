//! The OpenAPI document the Worker serves cannot drift from the Rust types:
//! its profile, address, consent and error-code schemas are compared with
//! what the library serializes and declares.

use e2e::{base_url, http};
use profile::model::{Acquisition, Address, Company, Consent, Loyalty};
use profile::{Code, access::FIELDS};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeSet;

async fn document() -> Value {
    let response = http()
        .get(format!("{}/openapi.json", base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    response.json().await.unwrap()
}

fn documented(doc: &Value, schema: &str) -> BTreeSet<String> {
    doc["components"]["schemas"][schema]["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("{schema} is not documented"))
        .keys()
        .cloned()
        .collect()
}

/// The keys a value serializes to, with every optional part set.
fn keys_of<T: Serialize>(value: &T) -> BTreeSet<String> {
    serde_json::to_value(value)
        .unwrap()
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

fn some() -> Option<String> {
    Some("x".into())
}

#[tokio::test]
async fn the_document_matches_the_library_types() {
    let doc = document().await;
    assert_eq!(doc["openapi"], "3.1.0");

    let fields: BTreeSet<String> = FIELDS.iter().map(|f| f.name.to_owned()).collect();
    assert_eq!(documented(&doc, "Profile"), fields);

    let address = Address {
        line1: some(),
        line2: some(),
        care_of: some(),
        house_number: some(),
        house_letter: some(),
        entrance: some(),
        floor: some(),
        po_box: some(),
        postal_code: some(),
        city: some(),
        country: some(),
    };
    assert_eq!(documented(&doc, "Address"), keys_of(&address));
    let mut delivery = keys_of(&address);
    delivery.insert("id".into());
    assert_eq!(documented(&doc, "DeliveryAddress"), delivery);
    assert_eq!(
        documented(&doc, "Company"),
        keys_of(&Company {
            name: some(),
            organization_number: some()
        })
    );
    assert_eq!(
        documented(&doc, "Consent"),
        keys_of(&Consent {
            granted: true,
            at: some(),
            source: some(),
            policy_version: some()
        })
    );
    let loyalty = Loyalty {
        rank: some(),
        customer_type: some(),
        ..Loyalty::default()
    };
    assert_eq!(documented(&doc, "Loyalty"), keys_of(&loyalty));
    let acquisition = Acquisition {
        source_code: some(),
        refer_id: some(),
        refer_url: some(),
    };
    assert_eq!(documented(&doc, "Acquisition"), keys_of(&acquisition));

    let codes: BTreeSet<String> = doc["components"]["schemas"]["FieldError"]["properties"]["code"]
        ["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    let known: BTreeSet<String> = Code::ALL.iter().map(|c| c.as_str().to_owned()).collect();
    assert_eq!(codes, known);
}

#[tokio::test]
async fn every_route_is_documented() {
    let doc = document().await;
    for (path, method) in [
        ("/v1/customers/me", "get"),
        ("/v1/customers/me", "patch"),
        ("/v1/customers/me", "put"),
        ("/v1/customers/me", "options"),
        ("/v1/customers/me/schema", "get"),
        ("/v1/tenants/{tenant}", "get"),
        ("/v1/tenants/{tenant}", "put"),
        ("/openapi.json", "get"),
        ("/healthz", "get"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
}
