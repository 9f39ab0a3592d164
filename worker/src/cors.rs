//! CORS for the customer API. A preflight carries no token, so it is answered
//! from the index of origins that some tenant allows; the real request is then
//! checked against the allowed origins of the token's tenant. Only allowed
//! origins get `Access-Control-Allow-Origin`, never `*`.

use crate::auth::Customer;
use crate::error::{ApiError, ApiResult};
use worker::{Env, Request, Response};

const ALLOWED_METHODS: &str = "GET, PUT, PATCH, DELETE, OPTIONS";
const ALLOWED_HEADERS: &str = "Authorization, Content-Type, If-Match, If-None-Match, Accept-Language, Idempotency-Key, X-Profile-Source, X-Profile-Point-Of-Sale";
const EXPOSED_HEADERS: &str =
    "ETag, Content-Language, Content-Disposition, Retry-After, Idempotent-Replayed, X-Request-Id";
/// How long a browser may reuse a preflight answer.
const MAX_AGE_SECONDS: &str = "600";

pub fn origin(req: &Request) -> Option<String> {
    req.headers().get("Origin").ok().flatten()
}

/// `OPTIONS` on the customer API.
pub async fn preflight(req: &Request, env: &Env) -> ApiResult<Response> {
    let origin = origin(req).ok_or(ApiError::OriginNotAllowed)?;
    if !crate::origins::some_tenant_allows(env, &origin).await? {
        return Err(ApiError::OriginNotAllowed);
    }
    let response = Response::empty()?.with_status(204);
    let headers = response.headers().clone();
    headers.set("Access-Control-Allow-Methods", ALLOWED_METHODS)?;
    headers.set("Access-Control-Allow-Headers", ALLOWED_HEADERS)?;
    headers.set("Access-Control-Max-Age", MAX_AGE_SECONDS)?;
    Ok(response.with_headers(headers))
}

/// Refuses a request whose `Origin` the customer's tenant does not allow.
/// Requests without `Origin` (servers, curl) are not browsers' and pass.
pub fn check_tenant_origin(req: &Request, who: &Customer) -> ApiResult<()> {
    match origin(req) {
        Some(origin) if !who.config.allowed_origins.contains(&origin) => {
            Err(ApiError::OriginNotAllowed)
        }
        _ => Ok(()),
    }
}

/// Adds the CORS answer to a customer API response: `Vary: Origin` always,
/// and the allow headers for an origin that some tenant allows (the handler
/// has refused origins that the token's tenant does not).
pub async fn decorate(
    response: Response,
    origin: Option<&str>,
    env: &Env,
) -> worker::Result<Response> {
    let headers = response.headers().clone();
    headers.append("Vary", "Origin")?;
    if let Some(origin) = origin
        && crate::origins::some_tenant_allows(env, origin)
            .await
            .unwrap_or(false)
    {
        headers.set("Access-Control-Allow-Origin", origin)?;
        headers.set("Access-Control-Expose-Headers", EXPOSED_HEADERS)?;
    }
    Ok(response.with_headers(headers))
}
