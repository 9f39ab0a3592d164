//! The OpenAPI document the Worker serves cannot drift from the Rust types:
//! its profile, address, consent and error-code schemas are compared with
//! what the library serializes and declares.

use e2e::{base_url, http};
use profile::api::{Caller, ROUTES};
use profile::model::{Acquisition, Address, Company, Consent, Loyalty};
use profile::{Code, access::FIELDS};
use serde::Serialize;
use serde_json::{Value, json};
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
            id: Some(1),
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

    assert_eq!(
        doc["components"]["schemas"]["FieldError"]["properties"]["code"]["$ref"],
        "#/components/schemas/Code"
    );
    let codes: BTreeSet<String> = doc["components"]["schemas"]["Code"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    let known: BTreeSet<String> = Code::ALL.iter().map(|c| c.as_str().to_owned()).collect();
    assert_eq!(codes, known);
}

/// The route table (`profile::api::ROUTES`, which the Worker dispatches from)
/// and the document name the same routes, each with its operation, who may
/// call it, the body it takes and the statuses it answers with.
#[tokio::test]
async fn the_document_has_exactly_the_routes_of_the_table() {
    let doc = document().await;
    let mut in_table = BTreeSet::new();
    for route in ROUTES.iter().filter(|r| r.caller != Caller::Dev) {
        let method = route.method.to_ascii_lowercase();
        let what = format!("{} {}", route.method, route.path);
        in_table.insert(format!("{method} {}", route.path));
        let operation = &doc["paths"][route.path][&method];
        assert!(operation.is_object(), "{what} is not documented");
        assert_eq!(operation["operationId"], route.operation.as_str(), "{what}");
        let requirements: Vec<Value> = route
            .caller
            .security()
            .into_iter()
            .map(|(scheme, role)| {
                let roles: Vec<&str> = role.iter().map(|scope| scope.as_str()).collect();
                json!({ scheme: roles })
            })
            .collect();
        let security = if requirements.is_empty() {
            Value::Null
        } else {
            Value::Array(requirements)
        };
        let schemes = &doc["components"]["securitySchemes"];
        for (scheme, _) in route.caller.security() {
            assert!(schemes[scheme].is_object(), "{what}: no scheme {scheme}");
        }
        let parameters: Vec<&str> = doc["paths"][route.path]["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "path")
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert_eq!(parameters, route.parameters().collect::<Vec<_>>(), "{what}");
        assert_eq!(operation["security"], security, "{what}: who may call it");
        let accepts: BTreeSet<&str> = operation["requestBody"]["content"]
            .as_object()
            .map(|content| content.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(
            accepts,
            route.accepts.iter().copied().collect(),
            "{what}: its body"
        );
        let schema = |name: &str| format!("#/components/schemas/{name}");
        for (media_type, name) in route.accepts.iter().zip(std::iter::repeat(route.takes)) {
            let written = &operation["requestBody"]["content"][media_type]["schema"]["$ref"];
            assert_eq!(
                written.as_str(),
                name.map(schema).as_deref(),
                "{what}: the body's type"
            );
        }
        if let Some(name) = route.answers {
            let success = &operation["responses"][route.statuses[0].to_string()];
            let written = &success["content"]["application/json"]["schema"]["$ref"];
            assert_eq!(
                written.as_str(),
                Some(schema(name).as_str()),
                "{what}: the answer's type"
            );
        }
        let statuses: BTreeSet<String> = operation["responses"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        let answered: BTreeSet<String> = route.statuses.iter().map(u16::to_string).collect();
        assert_eq!(statuses, answered, "{what}: its statuses");
    }
    let mut in_document = BTreeSet::new();
    for (path, methods) in doc["paths"].as_object().unwrap() {
        // A path's own `parameters` (and summary) are not operations.
        for method in methods.as_object().unwrap().keys() {
            if matches!(method.as_str(), "parameters" | "summary" | "description") {
                continue;
            }
            in_document.insert(format!("{method} {path}"));
        }
    }
    assert_eq!(
        in_document, in_table,
        "routes in the document but not in the table"
    );
}
