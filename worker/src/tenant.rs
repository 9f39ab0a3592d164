//! Tenant configuration: stored in KV by the operator, read on every request.

use crate::cache::BoundedCache;
use crate::error::{ApiError, ApiResult};
use profile::Code;
use serde::{Deserialize, Serialize};
use worker::Env;

/// KV binding that holds tenant configurations.
const KV: &str = "TENANTS";

/// A tenant (loyalty programme or shop) as the operator configures it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantConfig {
    pub name: String,
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    pub token_keys: Vec<TokenKey>,
    /// The library's rules: shown and required fields, minimum age, custom fields...
    #[serde(default)]
    pub rules: profile::TenantRules,
}

/// A key that verifies the customer tokens the tenant's backend mints.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenKey {
    /// Names the key in a token's header; required for EdDSA and ES256 keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// `HS256`, `EdDSA` (Ed25519) or `ES256` (P-256).
    pub alg: String,
    /// The HS256 shared secret, at least 32 characters. Never returned by the API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// The public key as in a JWK, base64url: the Ed25519 key, or the P-256 point's x.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// The P-256 point's y (ES256 only), base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
}

/// The token algorithms a tenant may use.
pub const ALGORITHMS: [&str; 3] = ["HS256", "EdDSA", "ES256"];

fn coordinate_ok(value: &Option<String>) -> bool {
    use base64::Engine;
    value.as_deref().is_some_and(|v| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(v)
            .is_ok_and(|bytes| bytes.len() == 32)
    })
}

impl TenantConfig {
    /// Checks what serde cannot: every key usable, secrets long enough.
    pub fn validate(&self) -> ApiResult<()> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() {
            errors.push(profile::FieldError::new("/name", Code::Required));
        }
        if self.token_keys.is_empty() {
            errors.push(profile::FieldError::new("/token_keys", Code::Required));
        }
        for (i, key) in self.token_keys.iter().enumerate() {
            let at = |part: &str| format!("/token_keys/{i}/{part}");
            let asymmetric = key.alg != "HS256";
            if !ALGORITHMS.contains(&key.alg.as_str()) {
                errors.push(
                    profile::FieldError::new(at("alg"), Code::NotAnOption)
                        .with("options", ALGORITHMS.join(", ")),
                );
            } else if !asymmetric && key.secret.as_deref().unwrap_or("").len() < 32 {
                errors.push(profile::FieldError::new(at("secret"), Code::TooShort).with("min", 32));
            } else if asymmetric && !coordinate_ok(&key.x) {
                errors.push(
                    profile::FieldError::new(at("x"), Code::InvalidType)
                        .with("expected", "32 bytes, base64url"),
                );
            } else if key.alg == "ES256" && !coordinate_ok(&key.y) {
                errors.push(
                    profile::FieldError::new(at("y"), Code::InvalidType)
                        .with("expected", "32 bytes, base64url"),
                );
            }
            if asymmetric && key.kid.as_deref().unwrap_or("").is_empty() {
                errors.push(profile::FieldError::new(at("kid"), Code::Required));
            }
            if key.kid.is_some()
                && self.token_keys[..i]
                    .iter()
                    .any(|other| other.kid == key.kid)
            {
                errors.push(profile::FieldError::new(at("kid"), Code::Duplicate));
            }
        }
        for (i, origin) in self.allowed_origins.iter().enumerate() {
            if crate::origins::normalize_origin(origin).is_none() {
                errors.push(
                    profile::FieldError::new(format!("/allowed_origins/{i}"), Code::InvalidType)
                        .with(
                            "expected",
                            "an origin such as https://www.example.com (https, no path; http only for localhost and 127.0.0.1)",
                        ),
                );
            }
        }
        if let Err(rule_errors) = profile::Rules::new(self.rules.clone()) {
            errors.extend(rule_errors.into_iter().map(|mut e| {
                e.pointer = format!("/rules{}", e.pointer);
                e
            }));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(errors))
        }
    }

    /// Origins as browsers send them (see `origins::normalize_origin`), each
    /// once; what cannot be read as an origin is left for `validate` to refuse.
    pub fn normalize(&mut self) {
        let mut seen = Vec::new();
        for origin in std::mem::take(&mut self.allowed_origins) {
            let origin = crate::origins::normalize_origin(&origin).unwrap_or(origin);
            if !seen.contains(&origin) {
                seen.push(origin);
            }
        }
        self.allowed_origins = seen;
    }

    /// The configuration as the API shows it: without any secret.
    pub fn redacted(&self) -> TenantConfig {
        let mut shown = self.clone();
        for key in &mut shown.token_keys {
            key.secret = None;
        }
        shown
    }
}

/// Tenant ids appear in URLs, KV keys and token issuers: keep them plain.
pub fn valid_tenant_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn key(id: &str) -> String {
    format!("tenant/{id}")
}

/// How long an isolate keeps a tenant configuration (or which origins some
/// tenant allows) before reading KV again. A change by the operator reaches
/// every isolate within this time (plus KV's own propagation, up to a minute
/// between locations).
pub const CACHE_SECONDS: f64 = 30.0;
/// How long an isolate remembers that a tenant does not exist: a token's
/// unverified issuer names it, so strangers choose these names.
const ABSENT_CACHE_SECONDS: f64 = 5.0;
/// At most this many configurations (or absences) per isolate.
const CACHE_ENTRIES: usize = 1000;

thread_local! {
    static CACHE: std::cell::RefCell<BoundedCache<Option<String>>> =
        std::cell::RefCell::new(BoundedCache::new(CACHE_ENTRIES));
}

fn now_ms() -> f64 {
    worker::js_sys::Date::now()
}

fn remember(key: &str, text: Option<String>) {
    let seconds = if text.is_some() {
        CACHE_SECONDS
    } else {
        ABSENT_CACHE_SECONDS
    };
    CACHE.with(|c| c.borrow_mut().insert(key, text, seconds * 1000.0, now_ms()));
}

/// A KV value, from this isolate's cache while it is fresh.
async fn cached_text(env: &Env, key: &str) -> ApiResult<Option<String>> {
    if let Some(text) = CACHE.with(|c| c.borrow().get(key, now_ms())) {
        return Ok(text);
    }
    let text = env
        .kv(KV)?
        .get(key)
        .text()
        .await
        .map_err(|_| ApiError::Internal("KV could not be read".into()))?;
    remember(key, text.clone());
    Ok(text)
}

async fn put_text(env: &Env, key: &str, text: String) -> ApiResult<()> {
    env.kv(KV)?
        .put(key, text.clone())
        .map_err(|_| ApiError::Internal("KV could not be written".into()))?
        .execute()
        .await
        .map_err(|_| ApiError::Internal("KV could not be written".into()))?;
    remember(key, Some(text));
    Ok(())
}

pub async fn load(env: &Env, id: &str) -> ApiResult<Option<TenantConfig>> {
    if !valid_tenant_id(id) {
        return Ok(None);
    }
    match cached_text(env, &key(id)).await? {
        None => Ok(None),
        // The configuration holds secrets: never put its content in the cause.
        Some(text) => serde_json::from_str(&text).map(Some).map_err(|_| {
            ApiError::Internal("a stored tenant configuration could not be read".into())
        }),
    }
}

/// Stores a tenant's configuration and the entries of its origins beside it.
pub async fn store(env: &Env, id: &str, config: &TenantConfig) -> ApiResult<()> {
    // The origins it allowed until now, read fresh: the cache may be old.
    CACHE.with(|c| c.borrow_mut().remove(&key(id)));
    let before = load(env, id)
        .await?
        .map(|old| old.allowed_origins)
        .unwrap_or_default();
    let text = serde_json::to_string(config).map_err(|e| ApiError::Internal(e.to_string()))?;
    put_text(env, &key(id), text).await?;
    crate::origins::reindex(env, id, &before, &config.allowed_origins).await
}

thread_local! {
    /// Compiled rules per tenant, rebuilt when the tenant's rules change: patterns
    /// are compiled once per configuration in this isolate, not per request.
    static COMPILED: std::cell::RefCell<std::collections::HashMap<String, (profile::TenantRules, std::rc::Rc<profile::Rules>)>> =
        std::cell::RefCell::default();
}

/// The tenant's rules, compiled.
pub fn compiled_rules(
    tenant: &str,
    rules: &profile::TenantRules,
) -> ApiResult<std::rc::Rc<profile::Rules>> {
    COMPILED.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some((source, compiled)) = cache.get(tenant)
            && source == rules
        {
            return Ok(compiled.clone());
        }
        let compiled =
            std::rc::Rc::new(profile::Rules::new(rules.clone()).map_err(|_| {
                ApiError::Internal("a tenant's stored rules do not compile".into())
            })?);
        // Only stored tenants get here, but bound it all the same.
        if cache.len() >= CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(tenant.to_owned(), (rules.clone(), compiled.clone()));
        Ok(compiled)
    })
}
