//! A tenant's rules managed by its backend with a `rules:write` key, with
//! `ETag` and `If-Match`; the operator's own `PUT` of the tenant with them too.

use e2e::admin::*;
use e2e::{base_url, http, read_profile, unique_customer};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

fn rules_url(tenant: &str) -> String {
    format!("{}/v1/tenants/{tenant}/rules", base_url())
}

async fn put_rules(key: &str, tenant: &str, if_match: Option<&str>, rules: &Value) -> Response {
    let mut request = http().put(rules_url(tenant)).bearer_auth(key).json(rules);
    if let Some(tag) = if_match {
        request = request.header("If-Match", tag);
    }
    request.send().await.unwrap()
}

fn etag(response: &Response) -> String {
    response.headers()["etag"].to_str().unwrap().to_owned()
}

fn field(key: &str) -> Value {
    json!({"key": key, "type": "text", "max_length": 20, "label": {"en": "Favourite drink"}})
}

#[tokio::test]
async fn the_backend_adds_a_field_the_customer_then_sees_and_a_stale_write_is_refused() {
    tenant("admin-rules").await;
    let (key, key_id) = key("admin-rules", &["rules:write"]).await;
    let read = http()
        .get(rules_url("admin-rules"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), StatusCode::OK);
    let first = etag(&read);
    let mut rules: Value = read.json().await.unwrap();
    let drink = format!("drink_{}", e2e::now());
    rules["custom_fields"] = json!([field(&drink)]);
    rules["fields"] = json!({"middle_name": {"shown": false}});

    let missing = put_rules(&key, "admin-rules", None, &rules).await;
    assert_eq!(missing.status(), StatusCode::PRECONDITION_REQUIRED);
    let saved = put_rules(&key, "admin-rules", Some(&first), &rules).await;
    assert_eq!(saved.status(), StatusCode::OK);
    let second = etag(&saved);
    assert_ne!(second, first);
    let stale = put_rules(&key, "admin-rules", Some(&first), &json!({})).await;
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(
        etag(&stale),
        second,
        "the current version comes with the refusal"
    );

    // The customer's form has the new field and lacks the hidden one.
    let token = customer_token("admin-rules", &unique_customer("admin-rules"));
    read_profile(&token).await;
    let schema: Value = get_json(format!("{}/v1/customers/me/schema", base_url()), &token).await;
    let pointers: Vec<&str> = schema["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["fields"].as_array().unwrap())
        .map(|f| f["pointer"].as_str().unwrap())
        .collect();
    assert!(
        pointers.contains(&format!("/custom_fields/{drink}").as_str()),
        "{pointers:?}"
    );
    assert!(!pointers.contains(&"/middle_name"));

    // The operator's view has the same version; the log names the key.
    let tenant = http()
        .get(format!("{}/v1/tenants/admin-rules", base_url()))
        .bearer_auth(operator_key())
        .send()
        .await
        .unwrap();
    assert_eq!(etag(&tenant), second);
    let page: Value = get_json(
        format!("{}/v1/tenants/admin-rules/audit", base_url()),
        &operator_key(),
    )
    .await;
    assert_eq!(page["entries"][0]["action"], "rules.changed");
    assert_eq!(page["entries"][0]["actor"], format!("key:{key_id}"));
}

#[tokio::test]
async fn bad_rules_are_refused_with_pointers_and_keys_and_origins_stay_the_operators() {
    tenant("admin-rules-bad").await;
    let (writer, _) = key("admin-rules-bad", &["rules:write"]).await;
    let key = writer.as_str();
    let read = http()
        .get(rules_url("admin-rules-bad"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    let tag = etag(&read);
    let bad_pattern =
        json!({"custom_fields": [{"key": "code", "type": "text", "pattern": "([a-z"}]});
    let refused = put_rules(key, "admin-rules-bad", Some(&tag), &bad_pattern).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["errors"][0]["pointer"], "/custom_fields/0/pattern");
    let twice = json!({"custom_fields": [field("same"), field("same")]});
    let refused = put_rules(key, "admin-rules-bad", Some(&tag), &twice).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["errors"][0]["pointer"], "/custom_fields/1/key");
    for operators in [
        json!({"token_keys": []}),
        json!({"allowed_origins": ["https://evil.example"]}),
    ] {
        let refused = put_rules(key, "admin-rules-bad", Some(&tag), &operators).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{operators}");
    }
    // Nothing changed.
    let again = http()
        .get(rules_url("admin-rules-bad"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    assert_eq!(etag(&again), tag);

    // A key without the scope, and a key of another tenant.
    let (reader, _) = e2e::admin::key("admin-rules-bad", &["customers:read"]).await;
    let refused = http()
        .get(rules_url("admin-rules-bad"))
        .bearer_auth(&reader)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    tenant("admin-rules-other").await;
    let (other, _) = e2e::admin::key("admin-rules-other", &["rules:write"]).await;
    let elsewhere = http()
        .get(rules_url("admin-rules-bad"))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_operators_put_of_a_tenant_honours_if_match() {
    tenant("admin-rules-operator").await;
    let url = format!("{}/v1/tenants/admin-rules-operator", base_url());
    let read = http()
        .get(&url)
        .bearer_auth(operator_key())
        .send()
        .await
        .unwrap();
    let tag = etag(&read);
    let config = json!({"name": "Renamed", "token_keys": [{"kid": "dev", "alg": "HS256", "secret": SECRET}]});
    let put = |if_match: String| {
        let (url, config) = (url.clone(), config.clone());
        async move {
            http()
                .put(url)
                .bearer_auth(operator_key())
                .header("If-Match", if_match)
                .json(&config)
                .send()
                .await
                .unwrap()
        }
    };
    let saved = put(tag.clone()).await;
    assert_eq!(saved.status(), StatusCode::OK);
    assert_ne!(etag(&saved), tag);
    assert_eq!(put(tag).await.status(), StatusCode::PRECONDITION_FAILED);
    let unknown = http()
        .put(format!("{}/v1/tenants/admin-rules-nobody", base_url()))
        .bearer_auth(operator_key())
        .header("If-Match", "\"c1\"")
        .json(&config)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::PRECONDITION_FAILED);
}
