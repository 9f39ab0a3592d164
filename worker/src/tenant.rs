//! Tenant configuration: stored in KV by the operator, read on every request.

use crate::cache::BoundedCache;
use crate::clock::now_ms;
use crate::error::{ApiError, ApiResult};
use profile::Code;
use serde::{Deserialize, Serialize};
use std::rc::Rc;
use worker::Env;

/// KV binding that holds tenant configurations.
pub const KV: &str = "TENANTS";

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
    /// The longest a customer token may live (`exp - iat`, and `exp - now`),
    /// in seconds: at most 24 hours; one hour when not set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_token_lifetime_seconds: Option<u64>,
    /// A disabled tenant's customers are refused (401); their profiles are kept.
    #[serde(default)]
    pub disabled: bool,
    /// History retention, writes per minute, and whether an erased customer may return.
    #[serde(default)]
    pub privacy: profile::rights::Privacy,
    /// How events are delivered to the tenant's webhook endpoints: the retry schedule and the timeout.
    #[serde(default)]
    pub webhooks: profile::webhooks::WebhookSettings,
    /// How long the codes that prove customers' e-mail addresses work.
    #[serde(default)]
    pub email_verification: profile::verification::VerificationSettings,
    /// The source APIs switched on for this tenant (see `sources`).
    #[serde(default)]
    pub sources: profile::sources::Adapters,
}

/// A token lives at most this long when the tenant does not say.
pub const DEFAULT_TOKEN_LIFETIME_SECONDS: u64 = 60 * 60;
/// The longest token lifetime a tenant may choose.
pub const MAX_TOKEN_LIFETIME_SECONDS: u64 = 24 * 60 * 60;

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

/// 32 bytes of base64url, as a JWK carries a key or a coordinate.
pub fn coordinate(value: Option<&str>) -> Option<[u8; 32]> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(value?)
        .ok()?;
    bytes.try_into().ok()
}

const fn hex32(hex: &str) -> [u8; 32] {
    const fn digit(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("not a hex digit"),
        }
    }
    let hex = hex.as_bytes();
    assert!(hex.len() == 64);
    let mut bytes = [0; 32];
    let mut i = 0;
    while i < 32 {
        bytes[i] = digit(hex[2 * i]) * 16 + digit(hex[2 * i + 1]);
        i += 1;
    }
    bytes
}

/// The y coordinates (little-endian, as an Ed25519 public key encodes them,
/// the x sign bit cleared) of the points of small order: the identity, the
/// point of order 2, those of order 4 and 8, and the encodings of 0 and 1 as
/// p and p + 1, which decoders accept too. A signature "verifies" under such a
/// key for many messages. Written out here instead of linking a curve library
/// into the Worker for one check (its size is the reason); a native test
/// proves the list equal to curve25519-dalek's `is_small_order`.
const SMALL_ORDER_ED25519_Y: [[u8; 32]; 7] = [
    // 0: the two points of order 4.
    hex32("0000000000000000000000000000000000000000000000000000000000000000"),
    // 1: the identity.
    hex32("0100000000000000000000000000000000000000000000000000000000000000"),
    // p - 1: the point of order 2.
    hex32("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    // p and p + 1: 0 and 1 again, not reduced.
    hex32("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    hex32("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    // The two y coordinates of the four points of order 8.
    hex32("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
    hex32("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
];

/// Whether an Ed25519 public key encodes a point of small order.
pub fn small_order_ed25519(key: &[u8; 32]) -> bool {
    let mut y = *key;
    y[31] &= 0x7f;
    SMALL_ORDER_ED25519_Y.contains(&y)
}

impl TenantConfig {
    /// What serde cannot check: every key usable, secrets long enough... All
    /// but whether a P-256 point is on its curve, which the platform answers
    /// (see [`Self::check`]).
    pub fn field_errors(&self) -> Vec<profile::FieldError> {
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
            } else if asymmetric && coordinate(key.x.as_deref()).is_none() {
                errors.push(
                    profile::FieldError::new(at("x"), Code::InvalidType)
                        .with("expected", "32 bytes, base64url"),
                );
            } else if key.alg == "ES256" && coordinate(key.y.as_deref()).is_none() {
                errors.push(
                    profile::FieldError::new(at("y"), Code::InvalidType)
                        .with("expected", "32 bytes, base64url"),
                );
            } else if key.alg == "EdDSA"
                && coordinate(key.x.as_deref()).is_some_and(|x| small_order_ed25519(&x))
            {
                errors.push(profile::FieldError::new(at("x"), Code::InvalidType).with(
                    "expected",
                    "an Ed25519 public key that is not of small order",
                ));
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
        if let Some(seconds) = self.max_token_lifetime_seconds {
            if seconds == 0 {
                errors.push(
                    profile::FieldError::new("/max_token_lifetime_seconds", Code::BelowMinimum)
                        .with("min", 1),
                );
            } else if seconds > MAX_TOKEN_LIFETIME_SECONDS {
                errors.push(
                    profile::FieldError::new("/max_token_lifetime_seconds", Code::AboveMaximum)
                        .with("max", MAX_TOKEN_LIFETIME_SECONDS),
                );
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
        errors.extend(self.privacy.errors("/privacy"));
        errors.extend(self.webhooks.errors("/webhooks"));
        errors.extend(self.email_verification.errors("/email_verification"));
        errors.extend(self.sources.errors("/sources", &self.rules));
        if let Err(rule_errors) = profile::Rules::checked(self.rules.clone()) {
            errors.extend(rule_errors.into_iter().map(|mut e| {
                e.pointer = format!("/rules{}", e.pointer);
                e
            }));
        }
        errors
    }

    /// Every problem of the configuration at once: [`Self::field_errors`], and
    /// each ES256 point that the platform finds off its curve.
    pub async fn check(&self) -> ApiResult<()> {
        let mut errors = self.field_errors();
        for (i, x, y) in self.es256_points() {
            if !crate::webcrypto::p256_point_on_curve(&x, &y).await {
                errors.push(
                    profile::FieldError::new(format!("/token_keys/{i}/x"), Code::InvalidType)
                        .with("expected", "a point on P-256 (with y)"),
                );
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(errors))
        }
    }

    /// The well-formed ES256 keys' points: (index, x, y).
    fn es256_points(&self) -> Vec<(usize, [u8; 32], [u8; 32])> {
        self.token_keys
            .iter()
            .enumerate()
            .filter(|(_, key)| key.alg == "ES256")
            .filter_map(|(i, key)| {
                Some((
                    i,
                    coordinate(key.x.as_deref())?,
                    coordinate(key.y.as_deref())?,
                ))
            })
            .collect()
    }

    /// The longest a customer token of this tenant may live, in seconds.
    pub fn max_token_lifetime(&self) -> u64 {
        self.max_token_lifetime_seconds
            .unwrap_or(DEFAULT_TOKEN_LIFETIME_SECONDS)
            .min(MAX_TOKEN_LIFETIME_SECONDS)
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

/// A tenant's configuration as read from KV, parsed once, with its rules
/// compiled on first use: a request costs neither a JSON parse of the
/// configuration nor a comparison of its rules.
pub struct Tenant {
    config: TenantConfig,
    rules: std::cell::OnceCell<Rc<profile::Rules>>,
}

impl std::ops::Deref for Tenant {
    type Target = TenantConfig;

    fn deref(&self) -> &TenantConfig {
        &self.config
    }
}

impl Tenant {
    fn new(config: TenantConfig) -> Rc<Tenant> {
        Rc::new(Tenant {
            config,
            rules: std::cell::OnceCell::new(),
        })
    }

    /// The tenant's rules, compiled (patterns once per configuration and isolate).
    pub fn compiled_rules(&self) -> ApiResult<Rc<profile::Rules>> {
        if let Some(rules) = self.rules.get() {
            return Ok(rules.clone());
        }
        let rules =
            Rc::new(profile::Rules::new(self.config.rules.clone()).map_err(|_| {
                ApiError::Internal("a tenant's stored rules do not compile".into())
            })?);
        Ok(self.rules.get_or_init(|| rules).clone())
    }
}

thread_local! {
    static CACHE: std::cell::RefCell<BoundedCache<Option<Rc<Tenant>>>> =
        std::cell::RefCell::new(BoundedCache::new(CACHE_ENTRIES));
}

fn remember(key: &str, tenant: Option<Rc<Tenant>>) {
    let seconds = if tenant.is_some() {
        CACHE_SECONDS
    } else {
        ABSENT_CACHE_SECONDS
    };
    CACHE.with(|c| {
        c.borrow_mut()
            .insert(key, tenant, seconds * 1000.0, now_ms())
    });
}

/// A tenant's configuration, from this isolate's cache while it is fresh.
pub async fn load(env: &Env, id: &str) -> ApiResult<Option<Rc<Tenant>>> {
    if !valid_tenant_id(id) {
        return Ok(None);
    }
    let key = key(id);
    if let Some(tenant) = CACHE.with(|c| c.borrow().get(&key, now_ms())) {
        return Ok(tenant);
    }
    let text = env
        .kv(KV)?
        .get(&key)
        .text()
        .await
        .map_err(|_| ApiError::Internal("KV could not be read".into()))?;
    let tenant = match text {
        None => None,
        // The configuration holds secrets: never put its content in the cause.
        Some(text) => Some(Tenant::new(serde_json::from_str(&text).map_err(|_| {
            ApiError::Internal("a stored tenant configuration could not be read".into())
        })?)),
    };
    remember(&key, tenant.clone());
    Ok(tenant)
}

/// Stores a tenant's configuration and the entries of its origins beside it.
pub async fn store(env: &Env, id: &str, config: &TenantConfig) -> ApiResult<()> {
    // The origins it allowed until now, read fresh: the cache may be old.
    CACHE.with(|c| c.borrow_mut().remove(&key(id)));
    let before = load(env, id)
        .await?
        .map(|old| old.allowed_origins.clone())
        .unwrap_or_default();
    let text = serde_json::to_string(config).map_err(|e| ApiError::Internal(e.to_string()))?;
    env.kv(KV)?
        .put(&key(id), text)
        .map_err(|_| ApiError::Internal("KV could not be written".into()))?
        .execute()
        .await
        .map_err(|_| ApiError::Internal("KV could not be written".into()))?;
    remember(&key(id), Some(Tenant::new(config.clone())));
    crate::origins::reindex(env, id, &before, &config.allowed_origins).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::EIGHT_TORSION;
    use curve25519_dalek::edwards::CompressedEdwardsY;
    use serde_json::{Value, json};

    /// p = 2^255 - 19, little-endian.
    const P: [u8; 32] = hex32("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");

    /// y + p, when that still fits in 255 bits (the other encoding of y).
    fn plus_p(y: &[u8; 32]) -> Option<[u8; 32]> {
        let mut sum = [0u8; 32];
        let mut carry = 0u16;
        for i in 0..32 {
            let total = u16::from(y[i]) + u16::from(P[i]) + carry;
            sum[i] = total as u8;
            carry = total >> 8;
        }
        (carry == 0 && sum[31] & 0x80 == 0).then_some(sum)
    }

    fn dalek_small_order(bytes: &[u8; 32]) -> bool {
        CompressedEdwardsY(*bytes)
            .decompress()
            .is_some_and(|point| point.is_small_order())
    }

    /// Every encoding that decodes to a point of small order is in the list,
    /// and every encoding the list matches decodes to one. An encoding of a
    /// point holds its y (or y + p, when that fits in 255 bits) and a sign
    /// bit; the points of small order are the eight of EIGHT_TORSION.
    #[test]
    fn the_small_order_list_is_what_curve25519_dalek_calls_small_order() {
        let mut encodings = Vec::new();
        for point in EIGHT_TORSION {
            assert!(point.is_small_order());
            let mut y = point.compress().to_bytes();
            y[31] &= 0x7f;
            for y in [Some(y), plus_p(&y)].into_iter().flatten() {
                for sign in [0, 0x80] {
                    let mut encoding = y;
                    encoding[31] |= sign;
                    if dalek_small_order(&encoding) {
                        encodings.push(encoding);
                    }
                }
            }
        }
        encodings.sort();
        encodings.dedup();
        assert_eq!(
            encodings.len(),
            14,
            "the known count of small-order encodings"
        );
        for encoding in &encodings {
            assert!(small_order_ed25519(encoding), "{encoding:02x?} is missing");
        }
        for y in SMALL_ORDER_ED25519_Y {
            for sign in [0, 0x80] {
                let mut encoding = y;
                encoding[31] |= sign;
                assert!(dalek_small_order(&encoding), "{encoding:02x?} is not small");
                assert!(encodings.contains(&encoding));
            }
        }
    }

    #[test]
    fn keys_of_large_order_are_not_in_the_small_order_list() {
        let ordinary = coordinate(Some("UusOVBbLHFsD_fuRehW2iFWsWMNHMusL0O3AJCXfXxw")).unwrap();
        assert!(!dalek_small_order(&ordinary));
        assert!(!small_order_ed25519(&ordinary));
        let basepoint = curve25519_dalek::constants::ED25519_BASEPOINT_COMPRESSED.to_bytes();
        assert!(!small_order_ed25519(&basepoint));
        // A point of small order plus the base point is of large order.
        let mixed = (EIGHT_TORSION[1] + curve25519_dalek::constants::ED25519_BASEPOINT_POINT)
            .compress()
            .to_bytes();
        assert!(!dalek_small_order(&mixed));
        assert!(!small_order_ed25519(&mixed));
    }

    fn config(changes: Value) -> TenantConfig {
        let mut config = json!({
            "name": "Acme",
            "token_keys": [{"kid": "hs", "alg": "HS256", "secret": "a-secret-of-at-least-32-characters-0"}]
        });
        for (name, value) in changes.as_object().unwrap() {
            config[name] = value.clone();
        }
        serde_json::from_value(config).unwrap()
    }

    fn pointers(config: &TenantConfig) -> Vec<String> {
        config
            .field_errors()
            .into_iter()
            .map(|e| e.pointer)
            .collect()
    }

    #[test]
    fn an_ed25519_key_of_small_order_is_refused_at_its_x() {
        use base64::Engine;
        let encode = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        for y in SMALL_ORDER_ED25519_Y {
            for sign in [0, 0x80] {
                let mut key = y;
                key[31] |= sign;
                let weak = config(json!({"token_keys": [
                    {"kid": "good", "alg": "EdDSA", "x": "UusOVBbLHFsD_fuRehW2iFWsWMNHMusL0O3AJCXfXxw"},
                    {"kid": "weak", "alg": "EdDSA", "x": encode(&key)}
                ]}));
                assert_eq!(pointers(&weak), ["/token_keys/1/x"], "{key:02x?}");
            }
        }
    }

    #[test]
    fn the_token_lifetime_is_1_second_to_24_hours_and_1_hour_by_default() {
        assert_eq!(config(json!({})).max_token_lifetime(), 3600);
        assert!(pointers(&config(json!({}))).is_empty());
        for ok in [1, 600, 86_400] {
            let chosen = config(json!({"max_token_lifetime_seconds": ok}));
            assert!(pointers(&chosen).is_empty(), "{ok}");
            assert_eq!(chosen.max_token_lifetime(), ok);
        }
        for (bad, code) in [(0, Code::BelowMinimum), (86_401, Code::AboveMaximum)] {
            let errors = config(json!({"max_token_lifetime_seconds": bad})).field_errors();
            assert_eq!(errors.len(), 1, "{bad}");
            assert_eq!(errors[0].pointer, "/max_token_lifetime_seconds");
            assert_eq!(errors[0].code, code);
        }
        for bad in [json!(-1), json!(1.5), json!("3600")] {
            let mut value =
                json!({"name": "Acme", "token_keys": [], "max_token_lifetime_seconds": bad});
            value["token_keys"] = json!([]);
            assert!(
                serde_json::from_value::<TenantConfig>(value).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_tenant_is_enabled_unless_disabled_and_the_api_shows_which() {
        let enabled = config(json!({}));
        assert!(!enabled.disabled);
        assert_eq!(
            serde_json::to_value(enabled.redacted()).unwrap()["disabled"],
            false
        );
        let disabled = config(json!({"disabled": true}));
        assert!(disabled.disabled);
        assert!(pointers(&disabled).is_empty());
        assert_eq!(
            serde_json::to_value(disabled.redacted()).unwrap()["disabled"],
            true
        );
    }

    fn keys(value: &Value) -> Vec<String> {
        let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    }

    /// worker/openapi.json documents every field of a configuration and of a key.
    #[test]
    fn the_openapi_document_names_every_configuration_field() {
        let doc: Value = serde_json::from_str(include_str!("../openapi.json")).unwrap();
        let schema = &doc["components"]["schemas"]["TenantConfig"];
        let full = config(json!({
            "allowed_origins": ["https://www.acme.example"],
            "max_token_lifetime_seconds": 600,
            "token_keys": [{"kid": "ec", "alg": "ES256", "secret": "s", "x": "x", "y": "y"}]
        }));
        let shown = serde_json::to_value(&full).unwrap();
        assert_eq!(keys(&schema["properties"]), keys(&shown));
        assert_eq!(
            keys(&schema["properties"]["token_keys"]["items"]["properties"]),
            keys(&shown["token_keys"][0])
        );
    }
}
