//! Dev-only endpoints: a token minter and the demo page. They exist only when
//! `DEV_ENDPOINTS=on` comes from `worker/.dev.vars`, which is never deployed:
//! anywhere else, a token minter would let anyone become any customer.

use crate::auth::{AUDIENCE, Claims, now_seconds};
use crate::error::{ApiError, ApiResult};
use jsonwebtoken::{EncodingKey, Header, encode};
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

/// `GET /dev/token?sub=...`: a demo-tenant token for that customer.
pub fn token(req: &Request, env: &Env) -> ApiResult<Response> {
    let url = req.url()?;
    let subject = url
        .query_pairs()
        .find(|(k, _)| k == "sub")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| DEMO_CUSTOMER.to_owned());
    if subject.is_empty() || subject.len() > 128 {
        return Err(ApiError::MalformedBody(
            "sub must be 1 to 128 characters.".into(),
        ));
    }
    let secret = env
        .secret("DEMO_TENANT_SECRET")
        .map_err(|_| ApiError::Internal("DEMO_TENANT_SECRET is not set".into()))?
        .to_string();
    let now = now_seconds();
    let claims = Claims {
        iss: DEMO_TENANT.to_owned(),
        sub: subject,
        aud: AUDIENCE.to_owned(),
        exp: now + TOKEN_LIFETIME_SECONDS,
        iat: Some(now),
        nbf: None,
        given_name: Some(DEMO_GIVEN_NAME.to_owned()),
        family_name: None,
        email: None,
    };
    let token = encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .map_err(|e| ApiError::Internal(format!("minting a dev token: {e}")))?;
    Ok(Response::from_json(&json!({"token": token}))?)
}

/// `GET /demo`: a small fake loyalty site that embeds the widget.
pub fn demo_page() -> ApiResult<Response> {
    Ok(Response::from_html(include_str!("demo.html"))?)
}
