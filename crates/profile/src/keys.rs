//! A tenant's admin keys: what the operator asks for when issuing one, what
//! is kept of it (never the secret), and the shape of the key itself; and
//! the tenant's audit log, where issuing and revoking them is recorded.
//!
//! A key reads `cpk_<tenant>_<id>_<secret>`. The tenant routes it (an admin
//! route names no tenant), the id names it in lists, logs and the audit log,
//! and the secret (32 random bytes, base64url) proves it. Only a SHA-256 hash
//! of the whole key is stored: the key has 256 bits of chance, so a fast
//! hash is enough.

use crate::api::Scope;
use crate::error::{Code, FieldError};
use crate::text::clean_line;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wire_derive::Wire;

/// What every key starts with.
pub const PREFIX: &str = "cpk_";
/// A key id: this many lowercase hex digits.
pub const ID_CHARS: usize = 12;
/// The secret: 32 bytes in unpadded base64url.
pub const SECRET_CHARS: usize = 43;
/// The longest name of a key.
pub const NAME_MAX_CHARS: u64 = 100;

/// The parts of a key.
#[derive(Debug, PartialEq, Eq)]
pub struct KeyParts<'a> {
    pub tenant: &'a str,
    pub id: &'a str,
}

/// The tenant and id of something shaped like a key; `None` for anything else.
pub fn parse(key: &str) -> Option<KeyParts<'_>> {
    let rest = key.strip_prefix(PREFIX)?;
    // Tenant ids have no `_` (see the Worker's `valid_tenant_id`); the secret may.
    let (tenant, rest) = rest.split_once('_')?;
    let (id, secret) = rest.split_once('_')?;
    let tenant_ok = !tenant.is_empty()
        && tenant.len() <= 64
        && tenant
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let id_ok = is_key_id(id);
    let secret_ok = secret.len() == SECRET_CHARS
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    (tenant_ok && id_ok && secret_ok).then_some(KeyParts { tenant, id })
}

/// Whether `id` is shaped like a key id.
pub fn is_key_id(id: &str) -> bool {
    id.len() == ID_CHARS
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A key as kept and listed: everything but its secret.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KeyInfo {
    /// Names the key in lists, logs and the audit log; part of the key.
    pub id: String,
    pub name: String,
    pub scopes: Vec<Scope>,
    /// RFC 3339, UTC.
    pub created: String,
    /// When the key stops working (RFC 3339, UTC); never, if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// When the key was last accepted, to within the revocation time (a
    /// Worker checks a key again after that long).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used: Option<String>,
    /// When the operator revoked it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<String>,
}

impl KeyInfo {
    /// Whether the key works at `now` (RFC 3339, UTC).
    pub fn usable(&self, now: &str) -> bool {
        self.revoked.is_none() && self.expires.as_deref().is_none_or(|e| !passed(e, now))
    }

    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }
}

/// Whether the time `at` is not after `now`: both RFC 3339 in UTC, compared
/// to the second.
pub fn passed(at: &str, now: &str) -> bool {
    at.get(..19).unwrap_or(at) <= now.get(..19).unwrap_or(now)
}

/// What the operator asks for: `{name, scopes, expires}`.
#[derive(Debug, PartialEq, Serialize, Deserialize, Wire)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KeyRequest {
    /// What the key is for, e.g. `CRM sync` (at most 100 characters).
    pub name: String,
    /// What it may do; at least one.
    pub scopes: Vec<Scope>,
    /// When it stops working, `YYYY-MM-DDTHH:MM:SSZ` (UTC) in the future;
    /// never, if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

/// A key as issued: shown this once, with its secret.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedKey {
    #[serde(flatten)]
    pub info: KeyInfo,
    /// The key: send it as `Authorization: Bearer <key>`. It cannot be shown again.
    pub key: String,
}

/// The tenant's keys, revoked ones included.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyList {
    pub keys: Vec<KeyInfo>,
}

/// One line of a tenant's audit log.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// RFC 3339, UTC.
    pub at: String,
    /// `operator`, or `key:<id>` for an admin key.
    pub actor: String,
    /// What happened: `key.issued`, `key.revoked`, `tenant.changed`.
    pub action: String,
    /// Which thing, without secrets or personal data (a key's id, name and
    /// scopes).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub detail: Value,
}

/// A page of the audit log, newest first.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Ask for the older entries with `?before=<next>`; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<i64>,
}

/// Reads and checks a request to issue a key, at `now` (RFC 3339, UTC).
pub fn key_request(body: &Value, now: &str) -> Result<KeyRequest, Vec<FieldError>> {
    let mut errors = Vec::new();
    let Some(members) = body.as_object() else {
        return Err(vec![
            FieldError::new("", Code::InvalidType).with("expected", "object"),
        ]);
    };
    for key in members.keys() {
        if !KeyRequest::KEYS.contains(&key.as_str()) {
            let pointer = format!("/{}", crate::error::pointer_segment(key));
            errors.push(FieldError::new(pointer, Code::UnknownField));
        }
    }
    let name = match members.get("name") {
        Some(Value::String(name)) => {
            let name = clean_line(name);
            if name.is_empty() {
                errors.push(FieldError::new("/name", Code::Required));
            } else if let Some(error) =
                crate::text::check_text("/name", &name, NAME_MAX_CHARS, false)
            {
                errors.push(error);
            }
            name
        }
        None | Some(Value::Null) => {
            errors.push(FieldError::new("/name", Code::Required));
            String::new()
        }
        Some(_) => {
            errors.push(FieldError::new("/name", Code::InvalidType).with("expected", "string"));
            String::new()
        }
    };
    let mut scopes = Vec::new();
    match members.get("scopes") {
        Some(Value::Array(items)) if !items.is_empty() => {
            for (i, item) in items.iter().enumerate() {
                let pointer = format!("/scopes/{i}");
                match item.as_str().and_then(Scope::parse) {
                    Some(scope) if scopes.contains(&scope) => {
                        errors.push(FieldError::new(pointer, Code::Duplicate));
                    }
                    Some(scope) => scopes.push(scope),
                    None => errors.push(FieldError::new(pointer, Code::NotAnOption).with(
                        "options",
                        Scope::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                    )),
                }
            }
        }
        Some(Value::Array(_)) | None | Some(Value::Null) => {
            errors.push(FieldError::new("/scopes", Code::Required));
        }
        Some(_) => {
            errors.push(FieldError::new("/scopes", Code::InvalidType).with("expected", "array"));
        }
    }
    let expires = match members.get("expires") {
        None | Some(Value::Null) => None,
        Some(Value::String(at)) if is_utc_timestamp(at) => {
            if passed(at, now) {
                errors.push(FieldError::new("/expires", Code::InvalidDate).with("after", now));
            }
            Some(at.clone())
        }
        Some(_) => {
            errors.push(
                FieldError::new("/expires", Code::InvalidDate)
                    .with("format", "YYYY-MM-DDTHH:MM:SSZ"),
            );
            None
        }
    };
    if errors.is_empty() {
        Ok(KeyRequest {
            name,
            scopes,
            expires,
        })
    } else {
        Err(errors)
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`, a real date and time.
fn is_utc_timestamp(at: &str) -> bool {
    let bytes = at.as_bytes();
    if bytes.len() != 20 || bytes[10] != b'T' || bytes[19] != b'Z' {
        return false;
    }
    let two = |i: usize| {
        at.get(i..i + 2)
            .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|s| s.parse::<u8>().ok())
    };
    let time_ok = bytes[13] == b':'
        && bytes[16] == b':'
        && two(11).is_some_and(|h| h < 24)
        && two(14).is_some_and(|m| m < 60)
        && two(17).is_some_and(|s| s < 60);
    time_ok && crate::dates::parse_date(&at[..10]).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: &str = "2026-12-02T10:00:00.000Z";

    #[test]
    fn a_key_is_read_into_its_tenant_and_id() {
        let secret = "a".repeat(SECRET_CHARS - 2) + "-_";
        let key = format!("cpk_demo-shop_0123456789ab_{secret}");
        assert_eq!(
            parse(&key),
            Some(KeyParts {
                tenant: "demo-shop",
                id: "0123456789ab"
            })
        );
        for bad in [
            String::new(),
            "cpk_".into(),
            format!("cpk__0123456789ab_{secret}"),
            format!("cpk_Demo_0123456789ab_{secret}"),
            format!("cpk_demo_0123456789a_{secret}"),
            format!("cpk_demo_0123456789AB_{secret}"),
            format!("cpk_demo_0123456789ab_{secret}x"),
            format!("cpk_demo_0123456789ab_{}", "a".repeat(42) + "="),
            format!("eyJ_demo_0123456789ab_{secret}"),
        ] {
            assert_eq!(parse(&bad), None, "{bad}");
        }
    }

    #[test]
    fn a_request_names_its_scopes_and_may_expire() {
        let asked = json!({"name": " CRM sync ", "scopes": ["customers:read", "rules:write"],
            "expires": "2027-01-01T00:00:00Z"});
        assert_eq!(
            key_request(&asked, NOW),
            Ok(KeyRequest {
                name: "CRM sync".into(),
                scopes: vec![Scope::CustomersRead, Scope::RulesWrite],
                expires: Some("2027-01-01T00:00:00Z".into()),
            })
        );
        let codes = |body: Value| -> Vec<(String, Code)> {
            key_request(&body, NOW)
                .unwrap_err()
                .into_iter()
                .map(|e| (e.pointer, e.code))
                .collect()
        };
        assert_eq!(
            codes(json!({"scopes": [], "admin": true})),
            [
                ("/admin".into(), Code::UnknownField),
                ("/name".into(), Code::Required),
                ("/scopes".into(), Code::Required)
            ]
        );
        assert_eq!(
            codes(
                json!({"name": "x", "scopes": ["customers:read", "everything", "customers:read"]})
            ),
            [
                ("/scopes/1".into(), Code::NotAnOption),
                ("/scopes/2".into(), Code::Duplicate)
            ]
        );
        for expires in [
            "2026-12-01T00:00:00Z",
            "2027-02-30T00:00:00Z",
            "tomorrow",
            "2027-01-01",
        ] {
            let body = json!({"name": "x", "scopes": ["customers:read"], "expires": expires});
            assert_eq!(
                codes(body),
                [("/expires".into(), Code::InvalidDate)],
                "{expires}"
            );
        }
        assert_eq!(codes(json!([])), [("".into(), Code::InvalidType)]);
        assert_eq!(
            codes(json!({"name": 1, "scopes": "customers:read"})),
            [
                ("/name".into(), Code::InvalidType),
                ("/scopes".into(), Code::InvalidType)
            ]
        );
    }

    #[test]
    fn a_key_works_until_it_expires_or_is_revoked() {
        let mut info = KeyInfo {
            id: "0123456789ab".into(),
            name: "CRM".into(),
            scopes: vec![Scope::CustomersRead],
            created: "2026-12-01T00:00:00Z".into(),
            expires: Some("2026-12-02T10:00:01Z".into()),
            last_used: None,
            revoked: None,
        };
        assert!(info.usable(NOW));
        assert!(!info.usable("2026-12-02T10:00:01.000Z"));
        info.expires = None;
        assert!(info.usable("2099-01-01T00:00:00.000Z"));
        assert!(info.allows(Scope::CustomersRead) && !info.allows(Scope::CustomersWrite));
        info.revoked = Some(NOW.into());
        assert!(!info.usable(NOW));
    }
}
