//! Who is calling: customers by a tenant-signed JWT, the operator by a key.

use crate::error::{ApiError, ApiResult};
use crate::tenant::{self, TenantConfig};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use worker::{Env, Request};

/// The audience every customer token must name.
pub const AUDIENCE: &str = "customer-profile";
/// Leeway for `exp`, `nbf` and `iat`, in seconds.
const LEEWAY_SECONDS: u64 = 60;
/// The longest a token may live ahead of now.
const MAX_LIFETIME_SECONDS: u64 = 24 * 60 * 60;

/// The claims of a customer token.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    /// The customer's first name as the tenant knows it: fills a new profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// The last name a new profile starts with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// The e-mail a new profile starts with, unless another customer holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// A customer, as proven by a valid token.
pub struct Customer {
    pub tenant: String,
    pub subject: String,
    /// The token's `given_name`, `family_name` and `email`: used only when the
    /// profile is first created.
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub email: Option<String>,
    /// The configuration of the customer's tenant.
    pub config: TenantConfig,
}

fn bearer(req: &Request) -> Option<String> {
    let value = req.headers().get("Authorization").ok()??;
    let token = value.strip_prefix("Bearer ")?.trim();
    (!token.is_empty()).then(|| token.to_owned())
}

/// The unverified issuer, used only to find the keys that verify the token.
fn unverified_issuer(token: &str) -> Option<String> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    #[derive(Deserialize)]
    struct Issuer {
        iss: String,
    }
    serde_json::from_slice::<Issuer>(&bytes).ok().map(|i| i.iss)
}

pub async fn customer(req: &Request, env: &Env) -> ApiResult<Customer> {
    let token = bearer(req).ok_or(ApiError::InvalidToken)?;
    let issuer = unverified_issuer(&token).ok_or(ApiError::InvalidToken)?;
    let config = tenant::load(env, &issuer)
        .await?
        .ok_or(ApiError::InvalidToken)?;
    let claims = verify(&token, &issuer, &config, now_seconds())?;
    Ok(Customer {
        tenant: issuer,
        subject: claims.sub,
        given_name: claims.given_name,
        family_name: claims.family_name,
        email: claims.email,
        config,
    })
}

/// Verifies signature and claims of `token` against the tenant's keys.
pub fn verify(token: &str, issuer: &str, config: &TenantConfig, now: u64) -> ApiResult<Claims> {
    // `alg: none` and every algorithm outside these fail here.
    let header = decode_header(token).map_err(|_| ApiError::InvalidToken)?;
    let alg_name = match header.alg {
        Algorithm::HS256 => "HS256",
        Algorithm::EdDSA => "EdDSA",
        Algorithm::ES256 => "ES256",
        _ => return Err(ApiError::InvalidToken),
    };
    // A token names its key by `kid`; without one, the tenant's first key of its algorithm.
    let key = match &header.kid {
        Some(kid) => config
            .token_keys
            .iter()
            .find(|k| k.kid.as_ref() == Some(kid)),
        None => config.token_keys.iter().find(|k| k.alg == alg_name),
    }
    .ok_or(ApiError::InvalidToken)?;
    // A key verifies only tokens of its own algorithm.
    if key.alg != alg_name {
        return Err(ApiError::InvalidToken);
    }
    let decoding_key = match header.alg {
        Algorithm::HS256 => key
            .secret
            .as_deref()
            .map(|s| DecodingKey::from_secret(s.as_bytes())),
        Algorithm::EdDSA => key
            .x
            .as_deref()
            .and_then(|x| DecodingKey::from_ed_components(x).ok()),
        _ => match (key.x.as_deref(), key.y.as_deref()) {
            (Some(x), Some(y)) => DecodingKey::from_ec_components(x, y).ok(),
            _ => None,
        },
    }
    .ok_or(ApiError::InvalidToken)?;
    let mut validation = Validation::new(header.alg);
    validation.set_audience(&[AUDIENCE]);
    validation.set_issuer(&[issuer]);
    validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
    validation.leeway = LEEWAY_SECONDS;
    validation.validate_nbf = true;
    let claims = decode::<Claims>(token, &decoding_key, &validation)
        .map_err(|_| ApiError::InvalidToken)?
        .claims;
    let too_far = claims.exp > now + MAX_LIFETIME_SECONDS + LEEWAY_SECONDS;
    let issued_in_future = claims.iat.is_some_and(|iat| iat > now + LEEWAY_SECONDS);
    if too_far || issued_in_future || claims.sub.is_empty() {
        return Err(ApiError::InvalidToken);
    }
    Ok(claims)
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
