//! Dev-only endpoints: a token minter and the demo page. They exist only when
//! `DEV_ENDPOINTS=on` comes from `worker/.dev.vars`, which is never deployed:
//! anywhere else, a token minter would let anyone become any customer.

pub mod events;

use crate::auth::now_seconds;
use crate::error::{ApiError, ApiResult};
use crate::token::{AUDIENCE, valid_subject};
use crate::webcrypto;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use worker::{Env, Request, Response};

/// The tenant that `cargo xtask dev` creates and the demo page belongs to.
pub const DEMO_TENANT: &str = "demo";
const DEMO_CUSTOMER: &str = "demo-customer";
/// The name a demo customer's profile starts with, as a tenant's token would carry it.
const DEMO_GIVEN_NAME: &str = "Alex";
const TOKEN_LIFETIME_SECONDS: u64 = 60 * 60;

pub fn enabled(env: &Env) -> bool {
    env.var("DEV_ENDPOINTS")
        .map(|v| v.to_string() == "on")
        .unwrap_or(false)
}

/// `GET /dev/token?sub=...`: a demo-tenant token for that customer, signed
/// with HS256 as a tenant's backend would.
pub async fn token(req: &Request, env: &Env) -> ApiResult<Response> {
    let url = req.url()?;
    let subject = url
        .query_pairs()
        .find(|(k, _)| k == "sub")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| DEMO_CUSTOMER.to_owned());
    if !valid_subject(&subject) {
        return Err(ApiError::MalformedBody(
            "sub must be 1 to 255 printable ASCII characters.".into(),
        ));
    }
    let secret = env
        .secret("DEMO_TENANT_SECRET")
        .map_err(|_| ApiError::Internal("DEMO_TENANT_SECRET is not set".into()))?
        .to_string();
    let now = now_seconds();
    let header = json!({"alg": "HS256", "typ": "JWT"});
    let claims = json!({
        "iss": DEMO_TENANT,
        "sub": subject,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + TOKEN_LIFETIME_SECONDS,
        "given_name": DEMO_GIVEN_NAME,
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = webcrypto::hmac_sha256(secret.as_bytes(), signing_input.as_bytes())
        .await
        .map_err(|_| ApiError::Internal("minting a dev token failed".into()))?;
    let token = format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature));
    Ok(Response::from_json(&json!({"token": token}))?)
}

/// `POST /dev/fixture`: writes stored data of an earlier release (a file
/// under `tests/stored/`) into its objects as that release stored it, then
/// lets each object migrate it as at its first start after an upgrade: the
/// test of the migrations on the real storage.
pub async fn fixture(env: &Env, fixture: &serde_json::Value) -> ApiResult<Response> {
    let text = |value: &serde_json::Value| value.as_str().map(str::to_owned);
    let bad = || ApiError::MalformedBody("Not a fixture of stored data.".into());
    let tenant = text(&fixture["tenant"]).ok_or_else(bad)?;
    for claim in fixture["email_claims"].as_array().ok_or_else(bad)? {
        let email = text(&claim["email"]).ok_or_else(bad)?;
        let holder = text(&claim["claim"][0]["holder"]).ok_or_else(bad)?;
        let key = profile::email::email_key(&email);
        crate::email_claim::restore(env, &tenant, &key, &holder).await?;
    }
    for customer in fixture["customers"].as_array().ok_or_else(bad)? {
        let subject = text(&customer["subject"]).ok_or_else(bad)?;
        let body = text(&customer["profile"][0]["body"]).ok_or_else(bad)?;
        crate::customer::restore(env, &tenant, &subject, body).await?;
    }
    Ok(Response::empty()?.with_status(204))
}

/// `GET /demo`: a small fake loyalty site that embeds the widget.
pub fn demo_page() -> ApiResult<Response> {
    Ok(Response::from_html(include_str!("demo.html"))?)
}
