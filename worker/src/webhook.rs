//! Events to the programme's backend: one attempt to deliver one event to
//! one endpoint, signed as Standard Webhooks says (`webhook-id`,
//! `webhook-timestamp`, `webhook-signature`, HMAC-SHA256 by the platform's
//! Web Crypto), with a timeout. The customer's object decides when to try
//! (its outbox, see `crate::customer::outbox`); the tenant's object keeps
//! the endpoints, the delivery log and the dead letters
//! (`crate::tenant_object::webhooks`); `routes` here are the API's.

pub mod routes;
pub mod url;

use crate::auth::now_seconds;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use futures_util::future::{Either, select};
use profile::events::{EventType, SECRET_PREFIX, signature_header, signed_content};
use profile::webhooks::WebhookSettings;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use worker::{
    AbortController, Delay, Fetch, Headers, Method, Request, RequestInit, RequestRedirect,
};

/// An endpoint as the deliverer needs it: where, what, and the secrets that
/// sign now (two while one is being rotated).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Target {
    pub id: String,
    pub url: String,
    pub event_types: Vec<EventType>,
    pub secrets: Vec<String>,
}

impl Target {
    pub fn wants(&self, kind: EventType) -> bool {
        kind == EventType::Test || self.event_types.contains(&kind)
    }
}

/// A tenant's endpoints and how to deliver to them.
#[derive(Debug, Serialize, Deserialize)]
pub struct Targets {
    pub endpoints: Vec<Target>,
    pub settings: WebhookSettings,
}

/// What one attempt came to.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Attempt {
    pub delivered: bool,
    pub status_code: Option<u16>,
    pub error: Option<String>,
}

/// A new signing secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    let mut key = [0u8; 32];
    key[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    key[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// The `webhook-signature` header of `body`, one signature per secret.
pub async fn signature(
    secrets: &[String],
    id: &str,
    timestamp: u64,
    body: &str,
) -> Result<String, String> {
    let content = signed_content(id, timestamp, body);
    let mut signatures = Vec::new();
    for secret in secrets {
        let key = secret
            .strip_prefix(SECRET_PREFIX)
            .and_then(|key| STANDARD.decode(key).ok())
            .ok_or("a stored secret is not whsec_ and base64")?;
        let mac = crate::webcrypto::hmac_sha256(&key, content.as_bytes())
            .await
            .map_err(|_| "signing failed")?;
        signatures.push(STANDARD.encode(mac));
    }
    Ok(signature_header(&signatures))
}

/// Sends `body` (the event `id`) to `target` once; an answer after
/// `timeout_seconds`, a redirect or a status outside 2xx is a failure.
pub async fn attempt(target: &Target, id: &str, body: &str, timeout_seconds: u32) -> Attempt {
    let failed = |status_code: Option<u16>, error: String| Attempt {
        delivered: false,
        status_code,
        error: Some(error),
    };
    let timestamp = now_seconds();
    let signature = match signature(&target.secrets, id, timestamp, body).await {
        Ok(signature) => signature,
        Err(error) => return failed(None, error.to_owned()),
    };
    let request = (|| {
        let headers = Headers::new();
        headers.set("Content-Type", "application/json")?;
        headers.set("User-Agent", "customer-profile-webhooks/1")?;
        headers.set("webhook-id", id)?;
        headers.set("webhook-timestamp", &timestamp.to_string())?;
        headers.set("webhook-signature", &signature)?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_headers(headers)
            .with_redirect(RequestRedirect::Manual)
            .with_body(Some(body.into()));
        Request::new_with_init(&target.url, &init)
    })();
    let request = match request {
        Ok(request) => request,
        Err(_) => return failed(None, "the endpoint's URL could not be requested".into()),
    };
    let controller = AbortController::default();
    let signal = controller.signal();
    let fetch = Fetch::Request(request);
    let sent = fetch.send_with_signal(&signal);
    let timeout = Delay::from(Duration::from_secs(u64::from(timeout_seconds)));
    match select(Box::pin(sent), timeout).await {
        Either::Left((Ok(response), _)) => {
            let status = response.status_code();
            if (200..300).contains(&status) {
                Attempt {
                    delivered: true,
                    status_code: Some(status),
                    error: None,
                }
            } else {
                failed(Some(status), format!("the endpoint answered {status}"))
            }
        }
        Either::Left((Err(_), _)) => failed(None, "no connection to the endpoint".into()),
        Either::Right(_) => {
            controller.abort();
            failed(None, format!("no answer within {timeout_seconds} s"))
        }
    }
}
