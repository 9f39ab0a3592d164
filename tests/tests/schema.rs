//! The form's schema, as the widget reads it: the demo tenant's rules and
//! every visible field with its control and label, in the asked language.

use e2e::{base_url, demo_token, http, unique_customer};
use reqwest::StatusCode;
use serde_json::Value;

async fn schema(language: &str) -> Value {
    let response = http()
        .get(format!("{}/v1/customers/me/schema", base_url()))
        .bearer_auth(demo_token(&unique_customer("schema")))
        .header("Accept-Language", language)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

fn field<'a>(schema: &'a Value, pointer: &str) -> &'a Value {
    schema["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["fields"].as_array().unwrap())
        .find(|f| f["pointer"] == pointer)
        .unwrap_or_else(|| panic!("{pointer} is not in the schema"))
}

#[tokio::test]
async fn the_schema_holds_the_tenant_rules_and_labels_in_the_asked_language() {
    let swedish = schema("sv-SE,sv;q=0.9,en;q=0.5").await;
    assert_eq!(swedish["language"], "sv");
    assert_eq!(swedish["rules"]["minimum_age"], 16);
    assert_eq!(field(&swedish, "/first_name")["label"], "Förnamn");
    assert_eq!(field(&swedish, "/last_name")["required"], true);
    assert_eq!(field(&swedish, "/card_code")["editable"], false);
    let store = field(&swedish, "/custom_fields/home_store");
    assert_eq!(store["label"], "Hemmabutik");
    assert_eq!(store["control"], "select");
    assert_eq!(store["options"][1]["label"], "Stockholm");

    let russian = schema("ru").await;
    assert_eq!(
        field(&russian, "/custom_fields/cups_per_day")["label"],
        "Чашек в день"
    );
    let controls: Vec<&str> = russian["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["fields"].as_array().unwrap())
        .filter(|f| {
            f["pointer"]
                .as_str()
                .unwrap()
                .starts_with("/custom_fields/")
        })
        .map(|f| f["control"].as_str().unwrap())
        .collect();
    assert_eq!(
        controls,
        [
            "text",
            "multiline",
            "integer",
            "decimal",
            "date",
            "date_time",
            "bool",
            "select",
            "multiselect"
        ]
    );
    assert_eq!(schema("fr").await["language"], "en");
}

#[tokio::test]
async fn field_messages_follow_accept_language_and_tenant_overrides() {
    let token = demo_token(&unique_customer("messages"));
    let url = format!("{}/v1/customers/me", base_url());
    let etag = http()
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let response = http()
        .patch(&url)
        .bearer_auth(&token)
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", &etag)
        .header("Accept-Language", "nb-NO")
        .body(r#"{"first_name": "R2D2"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["message"],
        "Bruk bare bokstaver, mellomrom, apostrofer, bindestreker og punktum."
    );
}
