//! Customer tokens: the pure part. A token is a JWS in compact form (RFC 7515)
//! whose payload holds JWT claims (RFC 7519). This module reads it, chooses
//! the tenant's key and checks every claim; only the signature goes to the
//! platform (`crate::webcrypto`), with the key and the bytes chosen here.

use crate::tenant::{TenantConfig, TokenKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

/// The audience every customer token must name.
pub const AUDIENCE: &str = "customer-profile";
/// Leeway for clocks that disagree, in seconds: for `exp`, `nbf`, `iat` and
/// the lifetime.
pub const LEEWAY_SECONDS: u64 = 60;
/// Longer tokens are refused before anything is decoded.
const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// The longest customer id a token may carry.
pub const MAX_SUBJECT_CHARS: usize = 255;

/// The signature algorithms a tenant may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alg {
    /// HMAC with SHA-256 and the tenant's shared secret.
    Hs256,
    /// Ed25519.
    EdDsa,
    /// ECDSA on P-256 with SHA-256; the signature is r || s.
    Es256,
}

impl Alg {
    pub const ALL: [Alg; 3] = [Alg::Hs256, Alg::EdDsa, Alg::Es256];

    /// The name in a JWS header and in a tenant's key configuration.
    pub fn name(self) -> &'static str {
        match self {
            Alg::Hs256 => "HS256",
            Alg::EdDsa => "EdDSA",
            Alg::Es256 => "ES256",
        }
    }

    pub fn from_name(name: &str) -> Option<Alg> {
        Alg::ALL.into_iter().find(|alg| alg.name() == name)
    }

    /// The length of a signature, in bytes.
    fn signature_len(self) -> usize {
        match self {
            Alg::Hs256 => 32,
            Alg::EdDsa | Alg::Es256 => 64,
        }
    }
}

/// Why a token was refused. Every one becomes the same 401 for the caller;
/// the variants let the tests name the rule that refused it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not three base64url parts, a header or payload that is not a JSON
    /// object of the right shape, or longer than 8 KiB.
    Malformed,
    /// `alg` is not HS256, EdDSA or ES256 (`none` included), or the header
    /// names extensions (`crit`) that must be understood.
    Algorithm,
    /// The tenant has no key of that `kid` (or, without `kid`, of that algorithm).
    UnknownKey,
    /// The key named by `kid` is for another algorithm.
    KeyAlgorithm,
    /// The signature has the wrong length for its algorithm.
    SignatureLength,
    /// A required claim is missing.
    Missing(&'static str),
    /// `iss` is not the tenant whose keys were chosen.
    Issuer,
    /// `aud` does not name `customer-profile`.
    Audience,
    /// `exp` has passed.
    Expired,
    /// `nbf` has not come yet.
    NotYetValid,
    /// `iat` lies in the future.
    IssuedInFuture,
    /// `exp` lies before `iat`.
    ExpiresBeforeIssued,
    /// `exp - iat` or `exp - now` is over the tenant's maximum lifetime.
    Lifetime,
    /// `sub` is empty, longer than 255 characters or not printable ASCII.
    Subject,
    /// The tenant is disabled.
    TenantDisabled,
}

/// `aud`: one audience or several (RFC 7519, section 4.1.3).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn names(&self, audience: &str) -> bool {
        match self {
            Audience::One(one) => one == audience,
            Audience::Many(many) => many.iter().any(|a| a == audience),
        }
    }
}

/// The claims of a customer token, as sent: the registered ones optional here
/// so that a missing one is refused by name in `check`.
#[derive(Debug, Deserialize)]
pub struct Claims {
    pub iss: Option<String>,
    pub sub: Option<String>,
    pub aud: Option<Audience>,
    pub exp: Option<u64>,
    pub iat: Option<u64>,
    pub nbf: Option<u64>,
    /// The customer's first name as the tenant knows it: fills a new profile.
    pub given_name: Option<String>,
    /// The last name a new profile starts with.
    pub family_name: Option<String>,
    /// The e-mail a new profile starts with, unless another customer holds it.
    pub email: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
    crit: Option<serde_json::Value>,
}

/// A token read but not yet trusted.
#[derive(Debug)]
pub struct Unverified<'a> {
    pub alg: Alg,
    kid: Option<String>,
    pub claims: Claims,
    /// `header.payload`, the bytes the signature covers.
    pub signing_input: &'a str,
    pub signature: Vec<u8>,
}

/// A token whose claims passed: who the customer is, and the key that must
/// verify its signature.
#[derive(Debug)]
pub struct Checked<'c> {
    pub key: &'c TokenKey,
    pub subject: String,
}

fn decode_json<T: serde::de::DeserializeOwned>(part: &str) -> Result<T, Refusal> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| Refusal::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| Refusal::Malformed)
}

/// Reads a compact JWS: its header, claims and signature.
pub fn parse(token: &str) -> Result<Unverified<'_>, Refusal> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(Refusal::Malformed);
    }
    let (signing_input, signature) = token.rsplit_once('.').ok_or(Refusal::Malformed)?;
    let (header, payload) = signing_input.split_once('.').ok_or(Refusal::Malformed)?;
    if payload.contains('.') {
        return Err(Refusal::Malformed);
    }
    let header: Header = decode_json(header)?;
    let alg = Alg::from_name(&header.alg).ok_or(Refusal::Algorithm)?;
    if header.crit.is_some() {
        return Err(Refusal::Algorithm);
    }
    let claims: Claims = decode_json(payload)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| Refusal::Malformed)?;
    if signature.len() != alg.signature_len() {
        return Err(Refusal::SignatureLength);
    }
    Ok(Unverified {
        alg,
        kid: header.kid,
        claims,
        signing_input,
        signature,
    })
}

/// 1 to 255 printable ASCII characters (space to `~`).
pub fn valid_subject(sub: &str) -> bool {
    (1..=MAX_SUBJECT_CHARS).contains(&sub.len()) && sub.bytes().all(|b| (b' '..=b'~').contains(&b))
}

impl Unverified<'_> {
    /// The issuer the token claims: it names the tenant whose keys verify it.
    pub fn issuer(&self) -> Option<&str> {
        self.claims.iss.as_deref()
    }

    /// Chooses the key of `tenant` that must verify the signature, and checks
    /// every claim at `now` (seconds since 1970).
    pub fn check<'c>(
        &self,
        tenant: &str,
        config: &'c TenantConfig,
        now: u64,
    ) -> Result<Checked<'c>, Refusal> {
        if config.disabled {
            return Err(Refusal::TenantDisabled);
        }
        let key = self.key(config)?;
        let claims = &self.claims;
        let iss = claims.iss.as_deref().ok_or(Refusal::Missing("iss"))?;
        if iss != tenant {
            return Err(Refusal::Issuer);
        }
        let aud = claims.aud.as_ref().ok_or(Refusal::Missing("aud"))?;
        if !aud.names(AUDIENCE) {
            return Err(Refusal::Audience);
        }
        let exp = claims.exp.ok_or(Refusal::Missing("exp"))?;
        let iat = claims.iat.ok_or(Refusal::Missing("iat"))?;
        if exp.saturating_add(LEEWAY_SECONDS) < now {
            return Err(Refusal::Expired);
        }
        if claims
            .nbf
            .is_some_and(|nbf| nbf > now.saturating_add(LEEWAY_SECONDS))
        {
            return Err(Refusal::NotYetValid);
        }
        if iat > now.saturating_add(LEEWAY_SECONDS) {
            return Err(Refusal::IssuedInFuture);
        }
        if exp < iat {
            return Err(Refusal::ExpiresBeforeIssued);
        }
        let longest = config.max_token_lifetime().saturating_add(LEEWAY_SECONDS);
        if exp - iat > longest || exp.saturating_sub(now) > longest {
            return Err(Refusal::Lifetime);
        }
        let sub = claims.sub.as_deref().ok_or(Refusal::Missing("sub"))?;
        if !valid_subject(sub) {
            return Err(Refusal::Subject);
        }
        Ok(Checked {
            key,
            subject: sub.to_owned(),
        })
    }

    /// The key named by `kid`; without one, the tenant's first key of the
    /// token's algorithm. A key verifies only tokens of its own algorithm.
    fn key<'c>(&self, config: &'c TenantConfig) -> Result<&'c TokenKey, Refusal> {
        let alg = self.alg.name();
        let key = match &self.kid {
            Some(kid) => config
                .token_keys
                .iter()
                .find(|k| k.kid.as_ref() == Some(kid)),
            None => config.token_keys.iter().find(|k| k.alg == alg),
        }
        .ok_or(Refusal::UnknownKey)?;
        if key.alg != alg {
            return Err(Refusal::KeyAlgorithm);
        }
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    const NOW: u64 = 1_800_000_000;
    const TENANT: &str = "acme";

    fn config() -> TenantConfig {
        serde_json::from_value(json!({
            "name": "Acme",
            "token_keys": [
                {"kid": "hs", "alg": "HS256", "secret": "a-secret-of-at-least-32-characters-0"},
                {"kid": "ed", "alg": "EdDSA", "x": "UusOVBbLHFsD_fuRehW2iFWsWMNHMusL0O3AJCXfXxw"},
                {"kid": "ec", "alg": "ES256",
                 "x": "EKNuUETLpNFogKLm6y05VYtFVr8num9a7BDjo-1JeYo",
                 "y": "h4SgLfDMNR8ivKZYtdb9sP4zDlDraVWYTia_vZ6DzjM"}
            ]
        }))
        .unwrap()
    }

    fn b64(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    fn good_claims() -> Value {
        json!({"iss": TENANT, "sub": "customer-1", "aud": AUDIENCE, "iat": NOW, "exp": NOW + 600})
    }

    /// `good_claims()` with `changes` on top; `null` removes a claim.
    fn claims_with(changes: Value) -> Value {
        let mut claims = good_claims();
        for (name, value) in changes.as_object().unwrap() {
            if value.is_null() {
                claims.as_object_mut().unwrap().remove(name);
            } else {
                claims[name] = value.clone();
            }
        }
        claims
    }

    /// A token with `header` and `claims` and a signature of `len` bytes
    /// (the signature itself is the platform's to check, not this module's).
    fn token_with(header: &Value, claims: &Value, len: usize) -> String {
        format!(
            "{}.{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes()),
            b64(&vec![7; len])
        )
    }

    fn token(claims: &Value) -> String {
        token_with(
            &json!({"alg": "HS256", "typ": "JWT", "kid": "hs"}),
            claims,
            32,
        )
    }

    fn check_at(token: &str, config: &TenantConfig, now: u64) -> Result<String, Refusal> {
        let unverified = parse(token)?;
        let checked = unverified.check(TENANT, config, now)?;
        Ok(checked.subject)
    }

    fn check(token: &str) -> Result<String, Refusal> {
        check_at(token, &config(), NOW)
    }

    #[test]
    fn a_good_token_names_its_customer_and_key() {
        assert_eq!(check(&token(&good_claims())), Ok("customer-1".to_owned()));
        let token = token(&good_claims());
        let unverified = parse(&token).unwrap();
        assert_eq!(unverified.issuer(), Some(TENANT));
        assert_eq!(unverified.alg, Alg::Hs256);
        let config = config();
        let checked = unverified.check(TENANT, &config, NOW).unwrap();
        assert_eq!(checked.key.kid.as_deref(), Some("hs"));
        assert_eq!(
            unverified.signing_input,
            token.rsplit_once('.').unwrap().0,
            "the signature covers header.payload"
        );
        assert_eq!(unverified.signature, [7; 32]);
    }

    #[test]
    fn malformed_tokens_are_refused() {
        let good = token(&good_claims());
        let (header, rest) = good.split_once('.').unwrap();
        let (payload, signature) = rest.split_once('.').unwrap();
        let cases = [
            String::new(),
            "garbage".to_owned(),
            format!("{header}.{payload}"),
            format!("{good}.{signature}"),
            format!("{header}.{payload}.{signature}="),
            format!("{header}=.{payload}.{signature}"),
            format!("{header}.{payload}+.{signature}"),
            format!("{}.{payload}.{signature}", b64(b"not json")),
            format!("{}.{payload}.{signature}", b64(b"[\"HS256\"]")),
            format!("{header}.{}.{signature}", b64(b"\"a string\"")),
            format!("{header}.{}.{signature}", b64(b"{\"exp\": \"tomorrow\"}")),
            format!("{header}.{}.{signature}", b64(b"{\"exp\": 1.8e9}")),
            format!("{header}.{}.{signature}", b64(b"{\"exp\": -1}")),
            format!("{header}.{}.{signature}", b64(b"{\"sub\": 42}")),
            format!("{header}.{}.{signature}", b64(b"{\"iat\": 1, \"iat\": 2}")),
            token(&claims_with(json!({"pad": "x".repeat(MAX_TOKEN_BYTES)}))),
        ];
        for case in cases {
            assert_eq!(check(&case), Err(Refusal::Malformed), "{case}");
        }
    }

    #[test]
    fn only_hs256_eddsa_and_es256_are_accepted() {
        for alg in [
            "none", "HS384", "HS512", "RS256", "PS256", "ES384", "ES512", "Ed25519", "hs256", "",
        ] {
            let token = token_with(&json!({"alg": alg, "kid": "hs"}), &good_claims(), 32);
            assert_eq!(check(&token), Err(Refusal::Algorithm), "{alg}");
        }
        let unsigned = format!(
            "{}.{}.",
            b64(json!({"alg": "none"}).to_string().as_bytes()),
            b64(good_claims().to_string().as_bytes())
        );
        assert_eq!(check(&unsigned), Err(Refusal::Algorithm));
        let no_alg = token_with(&json!({"kid": "hs"}), &good_claims(), 32);
        assert_eq!(check(&no_alg), Err(Refusal::Malformed));
        let critical = token_with(
            &json!({"alg": "HS256", "kid": "hs", "crit": ["b64"], "b64": false}),
            &good_claims(),
            32,
        );
        assert_eq!(check(&critical), Err(Refusal::Algorithm));
    }

    #[test]
    fn the_key_is_chosen_by_kid_or_else_by_algorithm_and_must_match_it() {
        let config = config();
        let kid_of = |header: Value, len: usize| {
            let token = token_with(&header, &good_claims(), len);
            let unverified = parse(&token)?;
            let checked = unverified.check(TENANT, &config, NOW)?;
            Ok::<_, Refusal>(checked.key.kid.clone().unwrap())
        };
        assert_eq!(
            kid_of(json!({"alg": "EdDSA", "kid": "ed"}), 64),
            Ok("ed".into())
        );
        assert_eq!(
            kid_of(json!({"alg": "ES256", "kid": "ec"}), 64),
            Ok("ec".into())
        );
        assert_eq!(kid_of(json!({"alg": "ES256"}), 64), Ok("ec".into()));
        assert_eq!(kid_of(json!({"alg": "HS256"}), 32), Ok("hs".into()));
        assert_eq!(
            kid_of(json!({"alg": "EdDSA", "kid": "nine"}), 64),
            Err(Refusal::UnknownKey)
        );
        assert_eq!(
            kid_of(json!({"alg": "EdDSA", "kid": "ec"}), 64),
            Err(Refusal::KeyAlgorithm)
        );
        assert_eq!(
            kid_of(json!({"alg": "HS256", "kid": "ed"}), 32),
            Err(Refusal::KeyAlgorithm),
            "an HS256 token may not use a public key as its secret"
        );
        let only_hs: TenantConfig = serde_json::from_value(json!({
            "name": "Only HS256",
            "token_keys": [{"kid": "hs", "alg": "HS256", "secret": "a-secret-of-at-least-32-characters-0"}]
        }))
        .unwrap();
        let token = token_with(&json!({"alg": "EdDSA"}), &good_claims(), 64);
        assert_eq!(
            parse(&token).unwrap().check(TENANT, &only_hs, NOW).err(),
            Some(Refusal::UnknownKey)
        );
    }

    #[test]
    fn a_signature_of_the_wrong_length_is_refused() {
        for (alg, kid, wrong) in [
            ("HS256", "hs", 64),
            ("EdDSA", "ed", 32),
            ("ES256", "ec", 72),
            ("ES256", "ec", 0),
        ] {
            let token = token_with(&json!({"alg": alg, "kid": kid}), &good_claims(), wrong);
            assert_eq!(
                check(&token),
                Err(Refusal::SignatureLength),
                "{alg} {wrong}"
            );
        }
    }

    #[test]
    fn every_registered_claim_but_nbf_is_required() {
        for name in ["iss", "sub", "aud", "exp", "iat"] {
            let token = token(&claims_with(json!({name: null})));
            assert_eq!(check(&token), Err(Refusal::Missing(name)), "{name}");
        }
        assert!(check(&token(&claims_with(json!({"nbf": null})))).is_ok());
    }

    #[test]
    fn the_issuer_must_be_the_tenant() {
        let token = token(&claims_with(json!({"iss": "other"})));
        assert_eq!(check(&token), Err(Refusal::Issuer));
    }

    #[test]
    fn aud_is_a_string_or_an_array_that_names_us() {
        for aud in [
            json!(AUDIENCE),
            json!([AUDIENCE]),
            json!(["loyalty", AUDIENCE, "shop"]),
        ] {
            assert!(
                check(&token(&claims_with(json!({"aud": aud.clone()})))).is_ok(),
                "{aud}"
            );
        }
        for aud in [
            json!("loyalty"),
            json!(["loyalty"]),
            json!([]),
            json!("Customer-Profile"),
            json!(" customer-profile"),
        ] {
            assert_eq!(
                check(&token(&claims_with(json!({"aud": aud.clone()})))),
                Err(Refusal::Audience),
                "{aud}"
            );
        }
        for aud in [
            json!(42),
            json!([42]),
            json!([[AUDIENCE]]),
            json!({"aud": AUDIENCE}),
        ] {
            assert_eq!(
                check(&token(&claims_with(json!({"aud": aud.clone()})))),
                Err(Refusal::Malformed),
                "{aud}"
            );
        }
    }

    #[test]
    fn exp_nbf_and_iat_allow_one_minute_of_clock_skew() {
        let at = |claims: Value| check(&token(&claims_with(claims)));
        let minute = LEEWAY_SECONDS;
        assert!(at(json!({"iat": NOW - 600, "exp": NOW - minute})).is_ok());
        assert_eq!(
            at(json!({"iat": NOW - 600, "exp": NOW - minute - 1})),
            Err(Refusal::Expired)
        );
        assert!(at(json!({"nbf": NOW + minute})).is_ok());
        assert_eq!(
            at(json!({"nbf": NOW + minute + 1})),
            Err(Refusal::NotYetValid)
        );
        assert!(at(json!({"iat": NOW + minute})).is_ok());
        assert_eq!(
            at(json!({"iat": NOW + minute + 1, "exp": NOW + 600})),
            Err(Refusal::IssuedInFuture)
        );
        assert_eq!(
            at(json!({"iat": NOW, "exp": NOW - 1})),
            Err(Refusal::ExpiresBeforeIssued)
        );
        assert_eq!(
            at(json!({"iat": 0, "exp": u64::MAX})),
            Err(Refusal::Lifetime),
            "no overflow"
        );
        assert_eq!(
            at(json!({"iat": u64::MAX, "exp": u64::MAX})),
            Err(Refusal::IssuedInFuture)
        );
    }

    #[test]
    fn a_token_lives_at_most_the_tenants_maximum_one_hour_by_default() {
        let hour = 3600;
        let minute = LEEWAY_SECONDS;
        let at = |config: &TenantConfig, iat: u64, exp: u64| {
            check_at(
                &token(&claims_with(json!({"iat": iat, "exp": exp}))),
                config,
                NOW,
            )
        };
        let default = config();
        assert!(at(&default, NOW, NOW + hour).is_ok());
        assert!(
            at(&default, NOW, NOW + hour + minute).is_ok(),
            "with the leeway"
        );
        assert_eq!(
            at(&default, NOW, NOW + hour + minute + 1),
            Err(Refusal::Lifetime)
        );
        assert_eq!(
            at(&default, NOW - 5 * hour, NOW + 60),
            Err(Refusal::Lifetime),
            "exp - iat counts, even when exp is near"
        );
        assert_eq!(
            at(&default, NOW + minute, NOW + minute + hour + minute),
            Err(Refusal::Lifetime),
            "exp - now counts, even when exp - iat is within"
        );

        let mut short = config();
        short.max_token_lifetime_seconds = Some(300);
        assert!(at(&short, NOW, NOW + 300 + minute).is_ok());
        assert_eq!(
            at(&short, NOW, NOW + 300 + minute + 1),
            Err(Refusal::Lifetime)
        );

        let mut day = config();
        day.max_token_lifetime_seconds = Some(24 * hour);
        assert!(at(&day, NOW, NOW + 24 * hour).is_ok());
        assert_eq!(at(&day, NOW, NOW + 25 * hour), Err(Refusal::Lifetime));
    }

    #[test]
    fn sub_is_1_to_255_printable_ascii_characters() {
        let with_sub = |sub: &str| check(&token(&claims_with(json!({"sub": sub}))));
        for sub in ["a".repeat(255), " !~".to_owned(), "kund 42/a".to_owned()] {
            assert_eq!(with_sub(&sub), Ok(sub.clone()));
        }
        for sub in [
            String::new(),
            "a".repeat(256),
            "a".repeat(5000),
            "line\nbreak".to_owned(),
            "tab\t".to_owned(),
            "nul\0".to_owned(),
            "del\u{7f}".to_owned(),
            "kund-ä".to_owned(),
            "\u{202e}rtl".to_owned(),
        ] {
            assert_eq!(with_sub(&sub), Err(Refusal::Subject), "{sub:?}");
        }
    }

    #[test]
    fn a_disabled_tenant_accepts_no_token() {
        let mut disabled = config();
        disabled.disabled = true;
        assert_eq!(
            check_at(&token(&good_claims()), &disabled, NOW),
            Err(Refusal::TenantDisabled)
        );
    }

    #[test]
    fn the_optional_claims_are_read() {
        let token = token(&claims_with(
            json!({"given_name": "Kari", "family_name": "Nordmann", "email": "kari@example.com"}),
        ));
        let unverified = parse(&token).unwrap();
        assert_eq!(unverified.claims.given_name.as_deref(), Some("Kari"));
        assert_eq!(unverified.claims.family_name.as_deref(), Some("Nordmann"));
        assert_eq!(unverified.claims.email.as_deref(), Some("kari@example.com"));
    }
}
