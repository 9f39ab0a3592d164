//! The source-API suites' helpers: a programme (a tenant of its own) with
//! adapters switched on as each suite needs, its admin key, a receiver of
//! its events on loopback, its customers, and the samples kept as files.

use crate::admin::{SECRET, customer_token, customer_url, get_json, key};
use crate::receiver::{Receiver, subscribe};
use crate::{http, put_tenant, read_profile, unique_customer};
use serde_json::{Value, json};
use std::time::Duration;

/// A tenant of the suite's own, its admin key (`customers:read`,
/// `customers:write` and `customers:erase`) and the receiver of its customer events.
pub struct Programme {
    pub tenant: String,
    pub key: String,
    pub key_id: String,
    pub receiver: Receiver,
}

/// A programme with the adapters `sources` switched on and the rules `rules`.
pub async fn programme(label: &str, sources: Value, rules: Value) -> Programme {
    programme_with(label, json!({"sources": sources, "rules": rules})).await
}

/// A programme whose configuration has `more` over the suites' defaults.
pub async fn programme_with(label: &str, more: Value) -> Programme {
    let tenant = unique_customer(&format!("src-{label}"));
    let mut config = json!({"name": tenant,
        "token_keys": [{"kid": "dev", "alg": "HS256", "secret": SECRET}],
        "privacy": {"writes_per_minute": 1000}, "webhooks": {"retry_seconds": [1, 1]}});
    for (name, value) in more.as_object().unwrap() {
        config[name] = value.clone();
    }
    put_tenant(&tenant, &config).await;
    let types = [
        "customer.created.v1",
        "customer.updated.v1",
        "consent.changed.v1",
    ];
    let (receiver, _) = subscribe(&tenant, &types).await;
    let scopes = ["customers:read", "customers:write", "customers:erase"];
    let (key, key_id) = key(&tenant, &scopes).await;
    Programme {
        tenant,
        key,
        key_id,
        receiver,
    }
}

impl Programme {
    pub fn token(&self, customer: &str) -> String {
        customer_token(&self.tenant, customer)
    }

    /// Creates the customer `id` (as their first sign-in does) and gives
    /// the profile `values` as the programme: the stored profile.
    pub async fn customer(&self, id: &str, values: Value) -> Value {
        let (_, etag) = read_profile(&self.token(id)).await;
        let written = http()
            .patch(customer_url(id))
            .bearer_auth(&self.key)
            .header("Content-Type", "application/merge-patch+json")
            .header("If-Match", etag)
            .body(values.to_string())
            .send()
            .await
            .unwrap();
        let status = written.status();
        let body: Value = written.json().await.unwrap();
        assert_eq!(status, 200, "setting up customer {id}: {body}");
        body
    }

    /// The customer `id`'s whole stored profile, as the programme reads it.
    pub async fn stored(&self, id: &str) -> Value {
        get_json(customer_url(id), &self.key).await
    }

    /// Erases the customer `id`, as the programme does.
    pub async fn erase(&self, id: &str) {
        let erased = http()
            .delete(customer_url(id))
            .bearer_auth(&self.key)
            .send()
            .await
            .unwrap();
        assert!(erased.status().is_success(), "{}", erased.status());
    }

    /// The customer's history, newest first.
    pub async fn history(&self, id: &str) -> Vec<Value> {
        let page = get_json(format!("{}/history", customer_url(id)), &self.key).await;
        page["entries"].as_array().unwrap().clone()
    }

    /// The first event of `kind` about the customer `id` through `channel`, once it has come.
    pub async fn event(&self, id: &str, kind: &str, channel: &str) -> Value {
        let of = |received: &[Value]| {
            received
                .iter()
                .map(|d| &d["event"])
                .find(|e| {
                    e["customer"]["external_id"] == id
                        && e["type"] == kind
                        && e["data"]["channel"] == channel
                })
                .cloned()
        };
        let received = self
            .receiver
            .wait_for(&format!("{kind} of {id}"), Duration::from_secs(30), |r| {
                of(r).is_some()
            })
            .await;
        of(&received).unwrap()
    }
}

/// A sample request kept under `tests/sources/`.
pub fn sample(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sources")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `request` sent with `bearer` (none when empty) and `content_type`:
/// the status, the headers and the body as text.
pub async fn send(
    request: reqwest::RequestBuilder,
    bearer: &str,
    content_type: &str,
    body: String,
) -> (u16, reqwest::header::HeaderMap, String) {
    let request = if bearer.is_empty() {
        request
    } else {
        request.bearer_auth(bearer)
    };
    let response = request
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}
