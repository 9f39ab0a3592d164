//! CORS as browsers meet it: preflights answered from the index of origins that
//! some tenant allows, real requests checked against the token's tenant.

use e2e::{base_url, demo_token, dev_var, http, unique_customer};
use reqwest::{Method, StatusCode};
use serde_json::json;

const OTHER_SHOP: &str = "https://shop.example";

async fn create_other_tenant() {
    let response = http()
        .put(format!("{}/v1/tenants/other-shop", base_url()))
        .bearer_auth(dev_var("OPERATOR_KEY").unwrap())
        .json(&json!({"name": "Other shop", "allowed_origins": [OTHER_SHOP],
                      "token_keys": [{"kid": "k", "alg": "HS256", "secret": "other-shop-secret-that-is-long-enough-42"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

fn me() -> String {
    format!("{}/v1/customers/me", base_url())
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_preflight_from_an_allowed_origin_is_answered() {
    let origin = base_url();
    let response = http()
        .request(Method::OPTIONS, me())
        .header("Origin", &origin)
        .header("Access-Control-Request-Method", "PATCH")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type, if-match",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        header(&response, "access-control-allow-origin"),
        Some(origin)
    );
    assert!(header(&response, "vary").unwrap().contains("Origin"));
    let methods = header(&response, "access-control-allow-methods").unwrap();
    assert!(
        methods.contains("PATCH") && methods.contains("PUT") && methods.contains("DELETE"),
        "{methods}"
    );
    let allowed = header(&response, "access-control-allow-headers").unwrap();
    for needed in [
        "Authorization",
        "Content-Type",
        "If-Match",
        "If-None-Match",
        "Accept-Language",
        "Idempotency-Key",
        "X-Profile-Source",
        "X-Profile-Point-Of-Sale",
    ] {
        assert!(allowed.contains(needed), "{needed} in {allowed}");
    }
}

#[tokio::test]
async fn a_preflight_from_an_unknown_origin_is_refused_without_allow_headers() {
    let response = http()
        .request(Method::OPTIONS, me())
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "PATCH")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(header(&response, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn a_request_is_answered_only_for_the_origins_of_the_tokens_tenant() {
    create_other_tenant().await;
    let token = demo_token(&unique_customer("cors"));
    let own = http()
        .get(me())
        .bearer_auth(&token)
        .header("Origin", base_url())
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::OK);
    assert_eq!(
        header(&own, "access-control-allow-origin"),
        Some(base_url())
    );
    assert!(
        header(&own, "access-control-expose-headers")
            .unwrap()
            .contains("ETag")
    );

    // Another tenant allows this origin; the demo tenant does not.
    let foreign = http()
        .get(me())
        .bearer_auth(&token)
        .header("Origin", OTHER_SHOP)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);

    let evil = http()
        .get(me())
        .bearer_auth(&token)
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(evil.status(), StatusCode::FORBIDDEN);
    assert_eq!(header(&evil, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn an_origin_with_a_path_is_not_an_origin() {
    let response = http()
        .put(format!("{}/v1/tenants/bad-origin", base_url()))
        .bearer_auth(dev_var("OPERATOR_KEY").unwrap())
        .json(&json!({"name": "Bad origin", "allowed_origins": ["https://shop.example/account", "*"],
                      "token_keys": [{"kid": "k", "alg": "HS256", "secret": "bad-origin-secret-that-is-long-enough-42"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
