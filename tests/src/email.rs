//! The e-mail suites' helpers: a tenant of its own whose endpoint (a
//! Standard Webhooks receiver on loopback) gets the codes, and the
//! customer's calls that change and confirm an address.

use crate::admin::SECRET;
use crate::receiver::{Receiver, of_type, subscribe};
use crate::{base_url, http, now, put_tenant, read_profile, sign, unique_customer};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

pub const CODE_EVENT: &str = "email.verification_requested.v1";

pub fn me(path: &str) -> String {
    format!("{}/v1/customers/me{path}", base_url())
}

/// A tenant of its own whose endpoint (a receiver on loopback) gets the
/// codes; its codes work `code_seconds`.
pub async fn tenant(label: &str, code_seconds: u32) -> (String, Receiver) {
    let (t, receiver, _) = tenant_retrying(label, code_seconds, &[1, 1]).await;
    (t, receiver)
}

/// As `tenant`, with the retry schedule `retries`, and the endpoint's id.
pub async fn tenant_retrying(
    label: &str,
    code_seconds: u32,
    retries: &[u32],
) -> (String, Receiver, String) {
    let t = unique_customer(&format!("email-{label}"));
    put_tenant(
        &t,
        &json!({"name": t, "token_keys": [{"kid": "dev", "alg": "HS256", "secret": SECRET}],
            "privacy": {"writes_per_minute": 1000},
            "webhooks": {"retry_seconds": retries},
            "email_verification": {"code_seconds": code_seconds}}),
    )
    .await;
    let (receiver, id) = subscribe(&t, &[CODE_EVENT]).await;
    (t, receiver, id)
}

/// A token of `tenant` for `customer`, with more claims.
pub fn token(tenant: &str, customer: &str, more: Value) -> String {
    let mut claims = json!({"iss": tenant, "sub": customer, "aud": "customer-profile",
        "iat": now(), "exp": now() + 600});
    claims
        .as_object_mut()
        .unwrap()
        .extend(more.as_object().unwrap().clone());
    sign(&claims, SECRET)
}

pub fn address(label: &str) -> String {
    format!("{}@example.com", unique_customer(label))
}

pub async fn set_email(token: &str, email: &str) -> reqwest::Response {
    let (_, etag) = read_profile(token).await;
    http()
        .patch(me(""))
        .bearer_auth(token)
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", etag)
        .header("Accept-Language", "sv")
        .body(json!({"email": email}).to_string())
        .send()
        .await
        .unwrap()
}

pub async fn verify(token: &str, code: &str) -> (StatusCode, Value) {
    let response = http()
        .post(me("/email/verify"))
        .bearer_auth(token)
        .json(&json!({"code": code}))
        .send()
        .await
        .unwrap();
    (
        response.status(),
        response.json().await.unwrap_or(Value::Null),
    )
}

pub async fn resend(token: &str) -> reqwest::Response {
    http()
        .post(me("/email/code"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// The codes sent to `email` so far, once there are `count`; the newest last.
pub async fn codes(receiver: &Receiver, email: &str, count: usize) -> Vec<Value> {
    let sent_to = |received: &[Value]| -> Vec<Value> {
        of_type(received, CODE_EVENT)
            .into_iter()
            .filter(|d| d["event"]["data"]["email"] == email && d["verified_by"] == json!([0]))
            .map(|d| d["event"].clone())
            .collect()
    };
    let received = receiver
        .wait_for("the codes", Duration::from_secs(30), |r| {
            sent_to(r).len() >= count
        })
        .await;
    sent_to(&received)
}

pub async fn code(receiver: &Receiver, email: &str) -> String {
    let events = codes(receiver, email, 1).await;
    events.last().unwrap()["data"]["code"]
        .as_str()
        .unwrap()
        .to_owned()
}
