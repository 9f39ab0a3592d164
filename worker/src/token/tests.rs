//! The claim rules, each and every way to fail.

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
