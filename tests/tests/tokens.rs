//! Customer tokens of a tenant that signs with EdDSA and ES256 keys (public
//! keys in its configuration, chosen by `kid`), and tokens that must fail.

use base64::Engine;
use e2e::{base_url, dev_var, http, now, unique_customer};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use reqwest::StatusCode;
use serde_json::{Value, json};

const TENANT: &str = "asymmetric-keys";
/// Test keys made for these tests only (PKCS#8, DER, base64).
const ED25519_PRIVATE: &str = "MC4CAQAwBQYDK2VwBCIEIIwjN5G/hUCb4UpXAQO4NhKvM0zgRmpN3sPKruMnXUQt";
const ED25519_X: &str = "UusOVBbLHFsD_fuRehW2iFWsWMNHMusL0O3AJCXfXxw";
const P256_PRIVATE: &str = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgFQTF3L0i0vH+QqSDtwGHmsg+h9rA7ElzBbeK4e46UY+hRANCAAQQo25QRMuk0WiAoubrLTlVi0VWvye6b1rsEOOj7Ul5ioeEoC3wzDUfIrymWLXW/bD+Mw5Q62lVmE4mv72eg84z";
const P256_X: &str = "EKNuUETLpNFogKLm6y05VYtFVr8num9a7BDjo-1JeYo";
const P256_Y: &str = "h4SgLfDMNR8ivKZYtdb9sP4zDlDraVWYTia_vZ6DzjM";
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

fn der(base64: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(base64)
        .unwrap()
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
                &json!({"iss": TENANT, "sub": customer, "aud": "customer-profile", "exp": now() - 120}),
            ),
        ),
        (
            "not yet valid",
            signed(
                Algorithm::ES256,
                Some("p256-1"),
                &json!({"iss": TENANT, "sub": customer, "aud": "customer-profile", "nbf": now() + 600, "exp": now() + 900}),
            ),
        ),
        (
            "no exp",
            signed(
                Algorithm::EdDSA,
                Some("ed-1"),
                &json!({"iss": TENANT, "sub": customer, "aud": "customer-profile"}),
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
