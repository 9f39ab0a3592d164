//! Token and access attacks: forged, confused, stale, foreign and injected
//! tokens, the operator routes without the operator's key, and origins the
//! tenant did not allow. None may succeed; the suite prints what it tried.

use base64::Engine;
use e2e::keys::{ED25519_PRIVATE, ED25519_X, P256_PRIVATE, P256_X, P256_Y, der};
use e2e::{Caps, base_url, demo_token, dev_var, http, now, put_tenant, unique_customer};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

const TENANT: &str = "attack-a";
const OTHER: &str = "attack-b";
const DISABLED: &str = "attack-off";
const SECRET: &str = "attack-a-shared-secret-that-is-long-enough";
const OTHER_SECRET: &str = "attack-b-shared-secret-that-is-long-enough";
const SHOP: &str = "https://shop.attack.example";
const OTHER_SHOP: &str = "https://other.attack.example";

async fn tenants() {
    put_tenant(
        TENANT,
        &json!({"name": "Attack A", "allowed_origins": [SHOP], "token_keys": [
            {"kid": "hs", "alg": "HS256", "secret": SECRET},
            {"kid": "ed", "alg": "EdDSA", "x": ED25519_X},
            {"kid": "p256", "alg": "ES256", "x": P256_X, "y": P256_Y}
        ]}),
    )
    .await;
    put_tenant(
        OTHER,
        &json!({"name": "Attack B", "allowed_origins": [OTHER_SHOP],
               "token_keys": [{"kid": "hs-b", "alg": "HS256", "secret": OTHER_SECRET}]}),
    )
    .await;
    put_tenant(DISABLED, &json!({"name": "Attack off", "disabled": true, "token_keys": [{"kid": "hs", "alg": "HS256", "secret": SECRET}]}),
    )
    .await;
}

fn part(value: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

fn claims(overrides: Value) -> Value {
    let mut claims = json!({"iss": TENANT, "sub": unique_customer("attack"), "aud": "customer-profile",
                            "iat": now(), "exp": now() + 600});
    for (key, value) in overrides.as_object().unwrap() {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(key);
        } else {
            claims[key] = value.clone();
        }
    }
    claims
}

/// A token signed as a tenant's backend would, with header and claims as given.
fn signed(alg: Algorithm, kid: &str, claims: &Value) -> String {
    let key = match alg {
        Algorithm::EdDSA => EncodingKey::from_ed_der(&der(ED25519_PRIVATE)),
        Algorithm::ES256 => EncodingKey::from_ec_der(&der(P256_PRIVATE)),
        _ => EncodingKey::from_secret(SECRET.as_bytes()),
    };
    let header = Header {
        kid: Some(kid.to_owned()),
        ..Header::new(alg)
    };
    encode(&header, claims, &key).unwrap()
}

/// HS256 by hand, for headers a library would not write.
fn hs256_raw(header: &Value, claims: &Value, secret: &[u8]) -> String {
    let input = format!("{}.{}", part(header), part(claims));
    let key = EncodingKey::from_secret(secret);
    let signature = jsonwebtoken::crypto::sign(input.as_bytes(), &key, Algorithm::HS256).unwrap();
    format!("{input}.{signature}")
}

/// The forged or broken tokens, each named.
fn token_cases() -> Vec<(&'static str, String)> {
    let good = signed(Algorithm::HS256, "hs", &claims(json!({})));
    let [header, payload, signature]: [&str; 3] =
        good.split('.').collect::<Vec<_>>().try_into().unwrap();
    let ed_public = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(ED25519_X)
        .unwrap();
    let other_payload = part(&claims(json!({"sub": "someone-else"})));
    let long = "x".repeat(9000);
    vec![
        (
            "alg none",
            format!("{}.{payload}.", part(&json!({"alg": "none", "kid": "hs"}))),
        ),
        (
            "alg None",
            format!("{}.{payload}.", part(&json!({"alg": "None"}))),
        ),
        (
            "alg none with the old signature",
            format!("{}.{payload}.{signature}", part(&json!({"alg": "none"}))),
        ),
        (
            "HS256 signed with the tenant's Ed25519 public key",
            hs256_raw(
                &json!({"alg": "HS256", "kid": "ed"}),
                &claims(json!({})),
                &ed_public,
            ),
        ),
        (
            "HS256 signed with the public key's text",
            hs256_raw(
                &json!({"alg": "HS256", "kid": "ed"}),
                &claims(json!({})),
                ED25519_X.as_bytes(),
            ),
        ),
        (
            "HS256 signed with the P-256 x",
            hs256_raw(
                &json!({"alg": "HS256", "kid": "p256"}),
                &claims(json!({})),
                P256_X.as_bytes(),
            ),
        ),
        (
            "a wrong secret",
            hs256_raw(
                &json!({"alg": "HS256", "kid": "hs"}),
                &claims(json!({})),
                b"not-the-tenant-secret-but-long-enough-x",
            ),
        ),
        (
            "another tenant's secret",
            hs256_raw(
                &json!({"alg": "HS256", "kid": "hs"}),
                &claims(json!({})),
                OTHER_SECRET.as_bytes(),
            ),
        ),
        (
            "expired",
            signed(
                Algorithm::HS256,
                "hs",
                &claims(json!({"iat": now() - 1200, "exp": now() - 120})),
            ),
        ),
        (
            "not yet valid",
            signed(Algorithm::HS256, "hs", &claims(json!({"nbf": now() + 600}))),
        ),
        (
            "no iat",
            signed(Algorithm::HS256, "hs", &claims(json!({"iat": null}))),
        ),
        (
            "issued in the future",
            signed(
                Algorithm::HS256,
                "hs",
                &claims(json!({"iat": now() + 600, "exp": now() + 900})),
            ),
        ),
        (
            "over the tenant's lifetime",
            signed(
                Algorithm::HS256,
                "hs",
                &claims(json!({"exp": now() + 7200})),
            ),
        ),
        (
            "thirty days ahead",
            signed(
                Algorithm::HS256,
                "hs",
                &claims(json!({"exp": now() + 30 * 86400})),
            ),
        ),
        (
            "no exp",
            signed(Algorithm::HS256, "hs", &claims(json!({"exp": null}))),
        ),
        (
            "a wrong audience",
            signed(
                Algorithm::HS256,
                "hs",
                &claims(json!({"aud": "another-api"})),
            ),
        ),
        (
            "an audience list without us",
            signed(Algorithm::HS256, "hs", &claims(json!({"aud": ["a", "b"]}))),
        ),
        (
            "no audience",
            signed(Algorithm::HS256, "hs", &claims(json!({"aud": null}))),
        ),
        (
            "a wrong issuer",
            signed(Algorithm::HS256, "hs", &claims(json!({"iss": "nobody"}))),
        ),
        (
            "no issuer",
            signed(Algorithm::HS256, "hs", &claims(json!({"iss": null}))),
        ),
        (
            "tenant A's key on tenant B",
            signed(Algorithm::HS256, "hs", &claims(json!({"iss": OTHER}))),
        ),
        (
            "tenant B's kid with A's secret",
            signed(Algorithm::HS256, "hs-b", &claims(json!({"iss": OTHER}))),
        ),
        (
            "a disabled tenant",
            signed(Algorithm::HS256, "hs", &claims(json!({"iss": DISABLED}))),
        ),
        (
            "no sub",
            signed(Algorithm::HS256, "hs", &claims(json!({"sub": null}))),
        ),
        (
            "an empty sub",
            signed(Algorithm::HS256, "hs", &claims(json!({"sub": ""}))),
        ),
        (
            "a sub of 256 characters",
            signed(
                Algorithm::HS256,
                "hs",
                &claims(json!({"sub": "a".repeat(256)})),
            ),
        ),
        (
            "a sub with a newline",
            signed(
                Algorithm::HS256,
                "hs",
                &claims(json!({"sub": "alice\nbob"})),
            ),
        ),
        (
            "a sub with NUL",
            signed(
                Algorithm::HS256,
                "hs",
                &claims(json!({"sub": "alice\u{0}"})),
            ),
        ),
        (
            "a sub that is not ASCII",
            signed(Algorithm::HS256, "hs", &claims(json!({"sub": "josé"}))),
        ),
        (
            "a sub that is a number",
            signed(Algorithm::HS256, "hs", &claims(json!({"sub": 42}))),
        ),
        (
            "an issuer list",
            signed(Algorithm::HS256, "hs", &claims(json!({"iss": [TENANT]}))),
        ),
        (
            "exp as text",
            signed(
                Algorithm::HS256,
                "hs",
                &claims(json!({"exp": (now() + 600).to_string()})),
            ),
        ),
        (
            "a path as kid",
            hs256_raw(
                &json!({"alg": "HS256", "kid": "../../hs"}),
                &claims(json!({})),
                SECRET.as_bytes(),
            ),
        ),
        (
            "SQL as kid",
            hs256_raw(
                &json!({"alg": "HS256", "kid": "hs' OR '1'='1"}),
                &claims(json!({})),
                SECRET.as_bytes(),
            ),
        ),
        (
            "an unknown kid",
            hs256_raw(
                &json!({"alg": "HS256", "kid": "hs-9"}),
                &claims(json!({})),
                SECRET.as_bytes(),
            ),
        ),
        (
            "a critical extension",
            hs256_raw(
                &json!({"alg": "HS256", "kid": "hs", "crit": ["exp"]}),
                &claims(json!({})),
                SECRET.as_bytes(),
            ),
        ),
        (
            "the attacker's own key in jwk",
            hs256_raw(
                &json!({"alg": "HS256", "jwk": {"kty": "oct", "k": "YWJj"}}),
                &claims(json!({})),
                b"abc",
            ),
        ),
        (
            "a payload swapped under the signature",
            format!("{header}.{other_payload}.{signature}"),
        ),
        (
            "a truncated signature",
            format!("{header}.{payload}.{}", &signature[..signature.len() - 4]),
        ),
        ("no signature", format!("{header}.{payload}.")),
        ("four parts", format!("{good}.{signature}")),
        ("two parts", format!("{header}.{payload}")),
        ("padded base64", format!("{header}=.{payload}.{signature}")),
        ("an ES256 signature in DER", {
            let es = signed(Algorithm::ES256, "p256", &claims(json!({})));
            let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(es.split('.').nth(2).unwrap())
                .unwrap();
            let mut der_sig = vec![0x30, 0x44, 0x02, 0x20];
            der_sig.extend(&raw[..32]);
            der_sig.extend([0x02, 0x20]);
            der_sig.extend(&raw[32..]);
            let (input, _) = es.rsplit_once('.').unwrap();
            format!(
                "{input}.{}",
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(der_sig)
            )
        }),
        (
            "an EdDSA token under the ES256 kid",
            signed(Algorithm::EdDSA, "p256", &claims(json!({}))),
        ),
        (
            "a token of 9,000 characters",
            signed(Algorithm::HS256, "hs", &claims(json!({"given_name": long}))),
        ),
        ("garbage", "not.a.token".to_owned()),
    ]
}

async fn customer_status(
    authorization: Option<String>,
    origin: Option<&str>,
) -> (StatusCode, reqwest::header::HeaderMap) {
    let mut request = http().get(format!("{}/v1/customers/me", base_url()));
    if let Some(value) = authorization {
        request = request.header("Authorization", value);
    }
    if let Some(origin) = origin {
        request = request.header("Origin", origin);
    }
    let response = request.send().await.unwrap();
    (response.status(), response.headers().clone())
}

const CAPS: Caps = Caps {
    suite: "token and access attacks",
    cases: 200,
    time: Duration::from_secs(120),
};

#[tokio::test]
async fn no_token_or_access_attack_succeeds() {
    CAPS.run(all_attacks()).await;
}

async fn all_attacks() {
    tenants().await;
    // The suite's own control: a good token of the same tenant gets in.
    let good = signed(Algorithm::HS256, "hs", &claims(json!({})));
    assert_eq!(
        customer_status(Some(format!("Bearer {good}")), None)
            .await
            .0,
        StatusCode::OK
    );

    let mut tried: Vec<(&str, String)> = Vec::new();
    let mut succeeded = Vec::new();
    for (name, token) in token_cases() {
        let (status, headers) = customer_status(Some(format!("Bearer {token}")), None).await;
        let challenged = headers
            .get("www-authenticate")
            .is_some_and(|v| v.to_str().unwrap_or("").contains("invalid_token"));
        tried.push(("tokens", name.to_owned()));
        if status != StatusCode::UNAUTHORIZED || !challenged {
            succeeded.push(format!("token {name}: {status}"));
        }
    }

    let operator = dev_var("OPERATOR_KEY").unwrap();
    let customer = demo_token(&unique_customer("attack-op"));
    let operator_cases: Vec<(&str, Method, Option<String>)> = vec![
        ("read a tenant without a key", Method::GET, None),
        (
            "read a tenant with a wrong key",
            Method::GET,
            Some(format!("Bearer {}x", operator)),
        ),
        (
            "read a tenant with half the key",
            Method::GET,
            Some(format!("Bearer {}", &operator[..operator.len() / 2])),
        ),
        (
            "read a tenant with a customer's token",
            Method::GET,
            Some(format!("Bearer {customer}")),
        ),
        (
            "read a tenant with the key as Basic",
            Method::GET,
            Some(format!("Basic {operator}")),
        ),
        ("write a tenant without a key", Method::PUT, None),
        (
            "write a tenant with a wrong key",
            Method::PUT,
            Some("Bearer wrong-operator-key-of-some-length".into()),
        ),
        (
            "write a tenant with a customer's token",
            Method::PUT,
            Some(format!("Bearer {customer}")),
        ),
    ];
    for (name, method, authorization) in operator_cases {
        let mut request = http().request(method, format!("{}/v1/tenants/{TENANT}", base_url()));
        if let Some(value) = authorization {
            request = request.header("Authorization", value);
        }
        let response = request
            .header("Content-Type", "application/json")
            .body(json!({"name": "Taken over", "token_keys": [{"kid": "x", "alg": "HS256", "secret": "s".repeat(40)}]}).to_string())
            .send()
            .await
            .unwrap();
        tried.push(("operator", name.to_owned()));
        if response.status() != StatusCode::UNAUTHORIZED {
            succeeded.push(format!("operator {name}: {}", response.status()));
        }
    }
    // The operator's key is not a customer token.
    let (status, _) = customer_status(Some(format!("Bearer {operator}")), None).await;
    tried.push(("operator", "the operator's key as a customer token".into()));
    if status != StatusCode::UNAUTHORIZED {
        succeeded.push(format!("the operator's key as a customer token: {status}"));
    }
    // The tenant stayed as it was.
    let shown: Value = http()
        .get(format!("{}/v1/tenants/{TENANT}", base_url()))
        .bearer_auth(&operator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        shown["name"], "Attack A",
        "a refused write changed the tenant"
    );

    let stranger = "https://evil.attack.example";
    let preflight = http()
        .request(Method::OPTIONS, format!("{}/v1/customers/me", base_url()))
        .header("Origin", stranger)
        .header("Access-Control-Request-Method", "PATCH")
        .send()
        .await
        .unwrap();
    tried.push(("origins", "a preflight from an origin nobody allows".into()));
    if preflight.status() != StatusCode::FORBIDDEN
        || preflight
            .headers()
            .contains_key("access-control-allow-origin")
    {
        succeeded.push(format!("preflight from {stranger}: {}", preflight.status()));
    }
    for (name, origin) in [
        ("a request from an origin nobody allows", stranger),
        ("a request from another tenant's origin", OTHER_SHOP),
        (
            "a request from the allowed origin's http twin",
            "http://shop.attack.example",
        ),
        (
            "a request from a suffix of the allowed origin",
            "https://shop.attack.example.evil.example",
        ),
    ] {
        let (status, headers) = customer_status(Some(format!("Bearer {good}")), Some(origin)).await;
        tried.push(("origins", name.to_owned()));
        // A refusal may carry the CORS answer of an origin that some tenant
        // allows (the page learns only that it was refused); for an origin
        // nobody allows, not even that.
        let shared = headers
            .get("access-control-allow-origin")
            .is_some_and(|v| v.to_str().unwrap_or("") == origin);
        if status != StatusCode::FORBIDDEN || (origin != OTHER_SHOP && shared) {
            succeeded.push(format!("{name}: {status}"));
        }
    }
    let (status, _) = customer_status(Some(format!("Bearer {good}")), Some(SHOP)).await;
    assert_eq!(status, StatusCode::OK, "the tenant's own origin gets in");

    let mut per_kind = std::collections::BTreeMap::new();
    for (kind, _) in &tried {
        *per_kind.entry(*kind).or_insert(0) += 1;
    }
    let kinds: Vec<String> = per_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
    println!(
        "token and access attacks: {} cases ({}), {} succeeded ({})",
        tried.len(),
        kinds.join(", "),
        succeeded.len(),
        CAPS.within(tried.len()),
    );
    for line in &succeeded {
        println!("    succeeded: {line}");
    }
    assert!(tried.len() >= 40, "only {} cases", tried.len());
    assert!(succeeded.is_empty(), "{succeeded:?}");
}
