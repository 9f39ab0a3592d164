//! Customer tokens of a tenant that signs with EdDSA and ES256 keys (public
//! keys in its configuration, chosen by `kid`), and tokens that must fail.

use base64::Engine;
use e2e::keys::{ED25519_PRIVATE, ED25519_X, P256_PRIVATE, P256_X, P256_Y, der};
use e2e::{base_url, dev_var, http, now, unique_customer};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use reqwest::StatusCode;
use serde_json::{Value, json};

const TENANT: &str = "asymmetric-keys";
const HS256_SECRET: &str = "asymmetric-tenant-also-has-a-shared-secret-0123";

async fn create_tenant() {
    let response = http()
        .put(format!("{}/v1/tenants/{TENANT}", base_url()))
        .bearer_auth(dev_var("OPERATOR_KEY").unwrap())
        .json(&json!({
            "name": "Asymmetric keys",
            "token_keys": [
                {"kid": "ed-1", "alg": "EdDSA", "x": ED25519_X},
                {"kid": "p256-1", "alg": "ES256", "x": P256_X, "y": P256_Y},
                {"kid": "hs-1", "alg": "HS256", "secret": HS256_SECRET}
            ]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let shown: Value = response.json().await.unwrap();
    assert_eq!(
        shown["token_keys"][0]["x"], ED25519_X,
        "public keys are shown"
    );
    assert!(
        shown["token_keys"][2].get("secret").is_none(),
        "secrets are not"
    );
}

fn claims(customer: &str) -> Value {
    json!({"iss": TENANT, "sub": customer, "aud": "customer-profile", "iat": now(), "exp": now() + 600})
}

fn signed(alg: Algorithm, kid: Option<&str>, claims: &Value) -> String {
    let key = match alg {
        Algorithm::EdDSA => EncodingKey::from_ed_der(&der(ED25519_PRIVATE)),
        Algorithm::ES256 => EncodingKey::from_ec_der(&der(P256_PRIVATE)),
        _ => EncodingKey::from_secret(HS256_SECRET.as_bytes()),
    };
    let header = Header {
        kid: kid.map(str::to_owned),
        ..Header::new(alg)
    };
    encode(&header, claims, &key).unwrap()
}

async fn status_with(token: &str) -> StatusCode {
    http()
        .get(format!("{}/v1/customers/me", base_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn eddsa_and_es256_tokens_are_accepted_by_kid() {
    create_tenant().await;
    let customer = unique_customer("asym");
    for (alg, kid) in [
        (Algorithm::EdDSA, "ed-1"),
        (Algorithm::ES256, "p256-1"),
        (Algorithm::HS256, "hs-1"),
    ] {
        let token = signed(alg, Some(kid), &claims(&customer));
        assert_eq!(status_with(&token).await, StatusCode::OK, "{alg:?}");
    }
}

#[tokio::test]
async fn tokens_with_a_wrong_algorithm_key_or_signature_are_refused() {
    create_tenant().await;
    let customer = unique_customer("asym-bad");
    let good = signed(Algorithm::EdDSA, Some("ed-1"), &claims(&customer));
    let encode_part =
        |value: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string());
    let payload = good.split('.').nth(1).unwrap().to_owned();
    let cases = [
        (
            "unknown kid",
            signed(Algorithm::EdDSA, Some("ed-9"), &claims(&customer)),
        ),
        (
            "EdDSA token naming the ES256 key",
            signed(Algorithm::EdDSA, Some("p256-1"), &claims(&customer)),
        ),
        (
            "HS256 token naming the EdDSA key",
            signed(Algorithm::HS256, Some("ed-1"), &claims(&customer)),
        ),
        (
            "alg none",
            format!(
                "{}.{payload}.",
                encode_part(&json!({"alg": "none", "typ": "JWT"}))
            ),
        ),
        ("signature of another token", {
            let other = signed(Algorithm::EdDSA, Some("ed-1"), &claims("someone-else"));
            format!(
                "{}.{payload}.{}",
                good.split('.').next().unwrap(),
                other.split('.').nth(2).unwrap()
            )
        }),
        (
            "expired",
            signed(
                Algorithm::ES256,
                Some("p256-1"),
                &json!({"iss": TENANT, "sub": customer, "aud": "customer-profile", "iat": now() - 600, "exp": now() - 120}),
            ),
        ),
        (
            "not yet valid",
            signed(
                Algorithm::ES256,
                Some("p256-1"),
                &json!({"iss": TENANT, "sub": customer, "aud": "customer-profile", "iat": now(), "nbf": now() + 600, "exp": now() + 900}),
            ),
        ),
        (
            "no exp",
            signed(
                Algorithm::EdDSA,
                Some("ed-1"),
                &json!({"iss": TENANT, "sub": customer, "aud": "customer-profile", "iat": now()}),
            ),
        ),
        (
            "issued in the future",
            signed(
                Algorithm::EdDSA,
                Some("ed-1"),
                &json!({"iss": TENANT, "sub": customer, "aud": "customer-profile", "iat": now() + 300, "exp": now() + 600}),
            ),
        ),
    ];
    for (case, token) in cases {
        assert_eq!(
            status_with(&token).await,
            StatusCode::UNAUTHORIZED,
            "{case}"
        );
    }
}

#[tokio::test]
async fn a_tenant_configuration_with_unusable_keys_is_refused() {
    let response = http()
        .put(format!("{}/v1/tenants/bad-keys", base_url()))
        .bearer_auth(dev_var("OPERATOR_KEY").unwrap())
        .json(&json!({
            "name": "Bad keys",
            "token_keys": [
                {"alg": "EdDSA", "x": ED25519_X},
                {"kid": "short", "alg": "HS256", "secret": "too short"},
                {"kid": "rsa", "alg": "RS256"},
                {"kid": "rsa", "alg": "ES256", "x": P256_X}
            ],
            "rules": {"custom_fields": [{"key": "a", "type": "text", "pattern": "("}, {"key": "a", "type": "bool"}]}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    let pointers = e2e::error_pointers(&body);
    assert_eq!(
        pointers,
        [
            "/rules/custom_fields/0/pattern",
            "/rules/custom_fields/1/key",
            "/token_keys/0/kid",
            "/token_keys/1/secret",
            "/token_keys/2/alg",
            "/token_keys/3/kid",
            "/token_keys/3/y",
        ]
    );
    let stored = http()
        .get(format!("{}/v1/tenants/bad-keys", base_url()))
        .bearer_auth(dev_var("OPERATOR_KEY").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(stored.status(), StatusCode::NOT_FOUND, "nothing was stored");
}

/// `claims(customer)` with `changes` on top (`null` removes a claim).
fn claims_with(customer: &str, changes: Value) -> Value {
    let mut claims = claims(customer);
    for (name, value) in changes.as_object().unwrap() {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(name);
        } else {
            claims[name] = value.clone();
        }
    }
    claims
}

/// The tenant's HS256 token for `claims`.
fn hs256(claims: &Value) -> String {
    signed(Algorithm::HS256, Some("hs-1"), claims)
}

#[tokio::test]
async fn a_token_without_iat_is_refused() {
    create_tenant().await;
    let customer = unique_customer("no-iat");
    let with_iat = hs256(&claims(&customer));
    assert_eq!(status_with(&with_iat).await, StatusCode::OK);
    for (alg, kid) in [
        (Algorithm::HS256, "hs-1"),
        (Algorithm::EdDSA, "ed-1"),
        (Algorithm::ES256, "p256-1"),
    ] {
        let without = signed(
            alg,
            Some(kid),
            &claims_with(&customer, json!({"iat": null})),
        );
        assert_eq!(
            status_with(&without).await,
            StatusCode::UNAUTHORIZED,
            "{alg:?}"
        );
    }
}

/// The leeway the Worker allows for clocks that disagree, in seconds.
const LEEWAY: u64 = 60;

#[tokio::test]
async fn a_token_may_not_live_longer_than_the_tenants_maximum() {
    const SHORT: &str = "short-lived-tokens";
    const MAX: u64 = 600;
    let response = put_tenant(
        SHORT,
        json!({"name": "Short-lived tokens", "max_token_lifetime_seconds": MAX,
               "token_keys": [{"kid": "hs-1", "alg": "HS256", "secret": HS256_SECRET}]}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let shown: Value = response.json().await.unwrap();
    assert_eq!(shown["max_token_lifetime_seconds"], MAX);
    let customer = unique_customer("lifetime");
    let token = |iat: u64, exp: u64| {
        hs256(
            &json!({"iss": SHORT, "sub": customer, "aud": "customer-profile", "iat": iat, "exp": exp}),
        )
    };
    let t = now();
    assert_eq!(status_with(&token(t, t + MAX)).await, StatusCode::OK);
    assert_eq!(
        status_with(&token(t - 30, t + MAX + LEEWAY - 30)).await,
        StatusCode::OK,
        "within the leeway"
    );
    let refused = [
        (
            "exp - iat over the maximum",
            token(t, t + MAX + LEEWAY + 60),
        ),
        (
            "an old token that lived too long, though it ends soon",
            token(t - 3000, t + 300),
        ),
        (
            "exp - iat within the maximum, exp - now over it",
            token(t + 55, t + 55 + MAX + LEEWAY),
        ),
    ];
    for (case, token) in refused {
        assert_eq!(
            status_with(&token).await,
            StatusCode::UNAUTHORIZED,
            "{case}"
        );
    }

    // Without the setting, a tenant's tokens live at most an hour.
    create_tenant().await;
    let hour = |exp: u64| hs256(&claims_with(&customer, json!({"iat": t, "exp": exp})));
    assert_eq!(status_with(&hour(t + 50 * 60)).await, StatusCode::OK);
    assert_eq!(
        status_with(&hour(t + 2 * 60 * 60)).await,
        StatusCode::UNAUTHORIZED,
        "two hours, default maximum one hour"
    );
}

#[tokio::test]
async fn the_maximum_token_lifetime_is_at_most_24_hours() {
    let config = |seconds: Value| {
        json!({"name": "Day-long tokens", "max_token_lifetime_seconds": seconds,
               "token_keys": [{"kid": "hs-1", "alg": "HS256", "secret": HS256_SECRET}]})
    };
    for seconds in [json!(0), json!(24 * 60 * 60 + 1)] {
        let response = put_tenant("day-long-tokens", config(seconds.clone())).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{seconds}"
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            e2e::error_pointers(&body),
            ["/max_token_lifetime_seconds"],
            "{seconds}"
        );
    }
    let response = put_tenant("day-long-tokens", config(json!(24 * 60 * 60))).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn sub_is_at_most_255_printable_ascii_characters() {
    create_tenant().await;
    let padded = |length: usize| {
        let mut sub = unique_customer("sub");
        while sub.len() < length {
            sub.push('x');
        }
        sub
    };
    let with_sub = |sub: &str| hs256(&claims(sub));
    let accepted = [
        padded(255),
        format!("{} with ~ spaces & !", unique_customer("sub")),
    ];
    for sub in accepted {
        assert_eq!(status_with(&with_sub(&sub)).await, StatusCode::OK, "{sub}");
    }
    let refused = [
        ("256 characters", padded(256)),
        ("5,000 characters", padded(5000)),
        ("a newline", format!("{}\nx", unique_customer("sub"))),
        ("a tab", format!("{}\tx", unique_customer("sub"))),
        ("a DEL", format!("{}\u{7f}", unique_customer("sub"))),
        (
            "a letter outside ASCII",
            format!("{}-é", unique_customer("sub")),
        ),
        ("empty", String::new()),
    ];
    for (case, sub) in refused {
        assert_eq!(
            status_with(&with_sub(&sub)).await,
            StatusCode::UNAUTHORIZED,
            "{case}"
        );
    }
}

#[tokio::test]
async fn aud_may_be_an_array_that_names_us() {
    create_tenant().await;
    let customer = unique_customer("aud");
    let with_aud = |aud: Value| hs256(&claims_with(&customer, json!({"aud": aud})));
    for aud in [
        json!(["customer-profile"]),
        json!(["loyalty-api", "customer-profile"]),
    ] {
        assert_eq!(
            status_with(&with_aud(aud.clone())).await,
            StatusCode::OK,
            "{aud}"
        );
    }
    for aud in [
        json!(["loyalty-api"]),
        json!([]),
        json!("loyalty-api"),
        json!(["customer-profile-other"]),
        json!([["customer-profile"]]),
        json!(null),
    ] {
        assert_eq!(
            status_with(&with_aud(aud.clone())).await,
            StatusCode::UNAUTHORIZED,
            "{aud}"
        );
    }
}

/// How long a Worker isolate may keep a tenant's configuration
/// (`worker/src/tenant.rs` CACHE_SECONDS), with a margin.
const CACHE_SECONDS: u64 = 30 + 5;

/// Polls `GET /v1/customers/me` with `token` until it answers `status`, for
/// at most the configuration cache time.
async fn wait_for_status(token: &str, status: StatusCode) -> reqwest::Response {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(CACHE_SECONDS);
    loop {
        let response = http()
            .get(format!("{}/v1/customers/me", base_url()))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        if response.status() == status {
            return response;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still {} after {CACHE_SECONDS} s, expected {status}",
            response.status()
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn a_disabled_tenants_customers_get_401_and_their_profiles_are_kept() {
    const SWITCHED: &str = "switched-off";
    let config = |disabled: bool| {
        json!({"name": "Switched off", "disabled": disabled,
               "token_keys": [{"kid": "hs-1", "alg": "HS256", "secret": HS256_SECRET}]})
    };
    assert_eq!(
        put_tenant(SWITCHED, config(false)).await.status(),
        StatusCode::OK
    );
    let customer = unique_customer("disabled");
    let token = hs256(
        &json!({"iss": SWITCHED, "sub": customer, "aud": "customer-profile",
                              "iat": now(), "exp": now() + 600}),
    );
    let url = format!("{}/v1/customers/me", base_url());
    let read = wait_for_status(&token, StatusCode::OK).await;
    let etag = read.headers()["etag"].to_str().unwrap().to_owned();
    let saved = http()
        .patch(&url)
        .bearer_auth(&token)
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", etag)
        .body(json!({"first_name": "Sigrid"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::OK);

    let response = put_tenant(SWITCHED, config(true)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Value>().await.unwrap()["disabled"], true);
    let refused = wait_for_status(&token, StatusCode::UNAUTHORIZED).await;
    assert_eq!(
        refused.headers()["www-authenticate"],
        r#"Bearer error="invalid_token""#
    );
    let schema = http()
        .get(format!("{url}/schema"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(schema.status(), StatusCode::UNAUTHORIZED, "the schema too");

    assert_eq!(
        put_tenant(SWITCHED, config(false)).await.status(),
        StatusCode::OK
    );
    let back = wait_for_status(&token, StatusCode::OK).await;
    assert_eq!(back.json::<Value>().await.unwrap()["first_name"], "Sigrid");
}

fn base64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// 32 bytes from 64 hex digits.
fn hex32(hex: &str) -> [u8; 32] {
    let mut bytes = [0; 32];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
    }
    bytes
}

#[tokio::test]
async fn an_off_curve_es256_key_and_a_small_order_ed25519_key_are_refused() {
    let mut identity = [0u8; 32];
    identity[0] = 1;
    // (0, -1), of order 2: y = p - 1 = 2^255 - 20, little-endian.
    let mut order_two = [0xff_u8; 32];
    order_two[0] = 0xec;
    order_two[31] = 0x7f;
    // A point of order 8.
    let order_eight = hex32("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a");
    let mut off_curve_y = decode_base64url(P256_Y);
    off_curve_y[31] ^= 1;
    let response = put_tenant(
        "weak-keys",
        json!({
            "name": "Weak keys",
            "token_keys": [
                {"kid": "ed-good", "alg": "EdDSA", "x": ED25519_X},
                {"kid": "ed-identity", "alg": "EdDSA", "x": base64url(&identity)},
                {"kid": "ed-order-2", "alg": "EdDSA", "x": base64url(&order_two)},
                {"kid": "ed-order-8", "alg": "EdDSA", "x": base64url(&order_eight)},
                {"kid": "p256-good", "alg": "ES256", "x": P256_X, "y": P256_Y},
                {"kid": "p256-off", "alg": "ES256", "x": P256_X, "y": base64url(&off_curve_y)},
                {"kid": "p256-zero", "alg": "ES256", "x": base64url(&[0; 32]), "y": base64url(&[0; 32])},
                {"kid": "p256-over-p", "alg": "ES256", "x": base64url(&[0xff; 32]), "y": base64url(&[0xff; 32])}
            ]
        }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        e2e::error_pointers(&body),
        [
            "/token_keys/1/x",
            "/token_keys/2/x",
            "/token_keys/3/x",
            "/token_keys/5/x",
            "/token_keys/6/x",
            "/token_keys/7/x",
        ]
    );
    let stored = http()
        .get(format!("{}/v1/tenants/weak-keys", base_url()))
        .bearer_auth(dev_var("OPERATOR_KEY").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(stored.status(), StatusCode::NOT_FOUND, "nothing was stored");
}

fn decode_base64url(base64url: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(base64url)
        .unwrap()
}

async fn put_tenant(id: &str, config: Value) -> reqwest::Response {
    http()
        .put(format!("{}/v1/tenants/{id}", base_url()))
        .bearer_auth(dev_var("OPERATOR_KEY").unwrap())
        .json(&config)
        .send()
        .await
        .unwrap()
}
