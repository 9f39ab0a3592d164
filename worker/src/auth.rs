//! Who is calling: customers by a tenant-signed JWT, the operator by a key.

use crate::error::{ApiError, ApiResult};
use crate::tenant::{self, Tenant};
use crate::{token, webcrypto};
use subtle::ConstantTimeEq;
use worker::{Env, Request};

/// A customer, as proven by a valid token.
pub struct Customer {
    pub tenant: String,
    pub subject: String,
    /// The token's `given_name`, `family_name` and `email`: used only when the
    /// profile is first created.
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub email: Option<String>,
    /// The token's `email_verified` is `true`: the programme proved `email`.
    pub email_verified: bool,
    /// The token's `source` and `point_of_sale` claims, if it has them.
    pub source: Option<String>,
    pub point_of_sale: Option<String>,
    /// The configuration of the customer's tenant.
    pub config: std::rc::Rc<Tenant>,
}

pub fn bearer(req: &Request) -> Option<String> {
    let value = req.headers().get("Authorization").ok()??;
    let token = value.strip_prefix("Bearer ")?.trim();
    (!token.is_empty()).then(|| token.to_owned())
}

/// The customer a tenant-signed token names: its claims checked by
/// `token` (the issuer names the tenant whose keys verify it), its
/// signature by the platform.
pub async fn customer(req: &Request, env: &Env) -> ApiResult<Customer> {
    let token = bearer(req).ok_or(ApiError::InvalidToken)?;
    let unverified = token::parse(&token).map_err(|_| ApiError::InvalidToken)?;
    let issuer = unverified
        .issuer()
        .ok_or(ApiError::InvalidToken)?
        .to_owned();
    let config = tenant::load(env, &issuer)
        .await?
        .ok_or(ApiError::InvalidToken)?;
    let checked = unverified
        .check(&issuer, &config, now_seconds())
        .map_err(|_| ApiError::InvalidToken)?;
    let signed = webcrypto::verify(
        unverified.alg,
        checked.key,
        unverified.signing_input.as_bytes(),
        &unverified.signature,
    )
    .await;
    if !signed {
        return Err(ApiError::InvalidToken);
    }
    let claims = unverified.claims;
    Ok(Customer {
        tenant: issuer,
        subject: checked.subject,
        given_name: claims.given_name,
        family_name: claims.family_name,
        email: claims.email,
        email_verified: claims.email_verified == Some(serde_json::Value::Bool(true)),
        source: claims.source,
        point_of_sale: claims.point_of_sale,
        config,
    })
}

/// Checks `Authorization: Bearer <OPERATOR_KEY>` in constant time.
pub fn operator(req: &Request, env: &Env) -> ApiResult<()> {
    let expected = env
        .secret("OPERATOR_KEY")
        .map_err(|_| ApiError::Internal("OPERATOR_KEY is not set".into()))?
        .to_string();
    let given = bearer(req).ok_or(ApiError::Unauthorized)?;
    if expected.len() >= 16 && bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        Ok(())
    } else {
        Err(ApiError::Unauthorized)
    }
}

pub fn now_seconds() -> u64 {
    worker::Date::now().as_millis() / 1000
}
