//! Calling the programme's side as a backend does: tenants of the admin
//! tests, keys issued by the operator, customers read and written by id.

use crate::{base_url, dev_var, http, now, put_tenant, sign};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

/// The HS256 secret of the admin tests' tenants.
pub const SECRET: &str = "admin-tests-tenant-secret-0123456789";

pub fn operator_key() -> String {
    dev_var("OPERATOR_KEY").expect("worker/.dev.vars")
}

pub async fn tenant(id: &str) {
    put_tenant(
        id,
        &json!({"name": id, "token_keys": [{"kid": "dev", "alg": "HS256", "secret": SECRET}]}),
    )
    .await;
}

pub fn customer_token(tenant: &str, customer: &str) -> String {
    sign(
        &json!({"iss": tenant, "sub": customer, "aud": "customer-profile", "iat": now(), "exp": now() + 600}),
        SECRET,
    )
}

pub fn keys_url(tenant: &str) -> String {
    format!("{}/v1/tenants/{tenant}/keys", base_url())
}

pub fn customer_url(id: &str) -> String {
    format!("{}/v1/customers/{id}", base_url())
}

pub async fn issue(tenant: &str, body: Value) -> Response {
    http()
        .post(keys_url(tenant))
        .bearer_auth(operator_key())
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// A new key of `tenant` with `scopes`: its secret and its id.
pub async fn key(tenant: &str, scopes: &[&str]) -> (String, String) {
    let response = issue(tenant, json!({"name": "tests", "scopes": scopes})).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let shown: Value = response.json().await.unwrap();
    (
        shown["key"].as_str().unwrap().to_owned(),
        shown["id"].as_str().unwrap().to_owned(),
    )
}

pub async fn get_customer(key: &str, id: &str) -> Response {
    http()
        .get(customer_url(id))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
}

pub async fn patch_customer(key: &str, id: &str, etag: &str, patch: Value) -> Response {
    http()
        .patch(customer_url(id))
        .bearer_auth(key)
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", etag)
        .body(patch.to_string())
        .send()
        .await
        .unwrap()
}

pub async fn problem_type(response: Response) -> String {
    let problem: Value = response.json().await.unwrap();
    problem["type"].as_str().unwrap_or_default().to_owned()
}

/// `GET` of `url` with `bearer`, as JSON.
pub async fn get_json(url: impl reqwest::IntoUrl, bearer: &str) -> Value {
    http()
        .get(url)
        .bearer_auth(bearer)
        .send()
        .await
        .expect("a GET")
        .json()
        .await
        .expect("a JSON answer")
}
