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
    /// The e-mail a new profile starts with.
    pub email: Option<String>,
    /// `true` (the JSON boolean) when the programme has proven `email` itself:
    /// the new profile then holds it verified. Anything else is "not proven".
    pub email_verified: Option<serde_json::Value>,
    /// The channel the customer writes through (`widget`, `pos`, `app`...):
    /// recorded with each change, before any `X-Profile-Source` header.
    pub source: Option<String>,
    /// The point of sale the customer is at, if any: recorded with each change.
    pub point_of_sale: Option<String>,
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
mod tests;
