//! Tenant configuration: stored in KV by the operator, read on every request.

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
    #[serde(default)]
    pub kid: Option<String>,
    pub alg: String,
    /// The HS256 shared secret. Never returned by the API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
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
            if key.alg != "HS256" {
                errors.push(
                    profile::FieldError::new(format!("/token_keys/{i}/alg"), Code::NotAnOption)
                        .with("options", "HS256"),
                );
            }
            if key.secret.as_deref().unwrap_or("").len() < 32 {
                errors.push(
                    profile::FieldError::new(format!("/token_keys/{i}/secret"), Code::TooShort)
                        .with("min", 32),
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

pub async fn load(env: &Env, id: &str) -> ApiResult<Option<TenantConfig>> {
    if !valid_tenant_id(id) {
        return Ok(None);
    }
    let kv = env.kv(KV)?;
    kv.get(&key(id))
        .json::<TenantConfig>()
        .await
        // The configuration holds secrets: never put its content in the cause.
        .map_err(|_| ApiError::Internal("a stored tenant configuration could not be read".into()))
}

pub async fn store(env: &Env, id: &str, config: &TenantConfig) -> ApiResult<()> {
    let kv = env.kv(KV)?;
    kv.put(&key(id), serde_json::to_string(config).unwrap_or_default())
        .map_err(|e| ApiError::Internal(format!("writing tenant configuration: {e}")))?
        .execute()
        .await
        .map_err(|e| ApiError::Internal(format!("writing tenant configuration: {e}")))
}
