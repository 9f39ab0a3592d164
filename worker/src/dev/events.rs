//! The demo tenant's own webhook receiver, for `cargo xtask dev`: `POST
//! /dev/events` takes a delivery and checks its signature against the demo
//! endpoint's secrets (as a programme's backend would), `GET /dev/events`
//! lists the last ones. Dev only, behind the same switch as `/dev/token`.
//! Each delivery is kept a day in KV under `dev-events/`, with what the
//! page shows as the key's metadata.

use super::DEMO_TENANT;
use crate::auth::now_seconds;
use crate::error::{ApiError, ApiResult};
use crate::tenant_object::webhooks::HookAsk;
use crate::tenant_object::{self, Ask};
use crate::webhook::{Targets, signature};
use serde::{Deserialize, Serialize};
use worker::{Env, Request, Response};

const PREFIX: &str = "dev-events/";
/// How far a delivery's timestamp may be from now, as the Standard Webhooks libraries allow.
const TOLERANCE_SECONDS: u64 = 5 * 60;
/// Deliveries the page lists.
const SHOWN: u64 = 50;

/// What the page shows of one delivery.
#[derive(Serialize, Deserialize)]
struct Seen {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    customer: String,
    version: u64,
    at: String,
    verified: bool,
    /// A verification code and where it goes: the one event with values,
    /// shown so that a person can confirm an address in the demo.
    #[serde(default)]
    code: Option<(String, String)>,
}

/// `POST /dev/events`: one delivery; 204 when its signature is the demo endpoint's, else 401.
pub async fn receive(mut req: Request, env: &Env) -> ApiResult<Response> {
    let header = |name: &str| req.headers().get(name).ok().flatten().unwrap_or_default();
    let (id, timestamp, signatures) = (
        header("webhook-id"),
        header("webhook-timestamp"),
        header("webhook-signature"),
    );
    let body = req.text().await?;
    let ask = Ask::Hooks(HookAsk::Targets {
        tenant: DEMO_TENANT.into(),
    });
    let targets: Targets = tenant_object::ask(env, DEMO_TENANT, &ask).await?;
    let fresh = timestamp
        .parse::<u64>()
        .is_ok_and(|t| t.abs_diff(now_seconds()) <= TOLERANCE_SECONDS);
    let mut verified = false;
    for target in targets
        .endpoints
        .iter()
        .filter(|t| t.url.ends_with("/dev/events"))
    {
        for secret in &target.secrets {
            let expected = signature(
                std::slice::from_ref(secret),
                &id,
                timestamp.parse().unwrap_or(0),
                &body,
            )
            .await
            .map_err(ApiError::Internal)?;
            verified |= fresh && signatures.split(' ').any(|given| given == expected);
        }
    }
    let event: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let seen = Seen {
        id: id.clone(),
        kind: event["type"]
            .as_str()
            .unwrap_or("(not an event)")
            .to_owned(),
        customer: event["customer"]["external_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        version: event["version"].as_u64().unwrap_or(0),
        at: crate::clock::now_rfc3339(),
        verified,
        code: event["data"]["code"]
            .as_str()
            .zip(event["data"]["email"].as_str())
            .map(|(code, email)| (code.to_owned(), email.to_owned())),
    };
    // Newest first in KV's order of names.
    let key = format!(
        "{PREFIX}{:013}-{id}",
        9_999_999_999_999u64.saturating_sub(crate::clock::now_ms() as u64)
    );
    env.kv(crate::tenant::KV)?
        .put(&key, "")
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .metadata(&seen)
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .expiration_ttl(86_400)
        .execute()
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    if verified {
        Ok(Response::empty()?.with_status(204))
    } else {
        Err(ApiError::Unauthorized)
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `GET /dev/events`: the last deliveries to the demo endpoint, newest first.
pub async fn page(env: &Env) -> ApiResult<Response> {
    let listed = env
        .kv(crate::tenant::KV)?
        .list()
        .prefix(PREFIX.into())
        .limit(SHOWN)
        .execute()
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut rows = String::new();
    for key in listed.keys {
        let Some(seen) = key
            .metadata
            .and_then(|m| serde_json::from_value::<Seen>(m).ok())
        else {
            continue;
        };
        let code = seen.code.as_ref().map_or(String::new(), |(code, email)| {
            format!(
                "code <code class=\"verification-code\">{}</code> for {}",
                escape(code),
                escape(email)
            )
        });
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{} {code}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>\n",
            escape(&seen.at),
            escape(&seen.kind),
            escape(&seen.customer),
            seen.version,
            escape(&seen.id),
            if seen.verified { "valid" } else { "INVALID" },
        ));
    }
    if rows.is_empty() {
        rows.push_str(
            "<tr><td colspan=\"6\">Nothing yet: change the demo profile at /demo.</td></tr>",
        );
    }
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Demo events</title>\
         <style>body{{font-family:system-ui,sans-serif;margin:2rem}}td,th{{padding:.3rem .8rem;text-align:left}}</style></head>\
         <body><h1>Events delivered to the demo endpoint</h1>\
         <p>Each row is one delivery of a signed webhook; its signature is checked with the endpoint's secret. Newest first.</p>\
         <table><thead><tr><th>Received</th><th>Type</th><th>Customer</th><th>Version</th><th>Event id</th><th>Signature</th></tr></thead>\
         <tbody>{rows}</tbody></table></body></html>"
    );
    Ok(Response::from_html(html)?)
}
