//! Writes to /v1/customers/me: replace, limits, and conditional writes racing.

use e2e::{base_url, demo_token, http, unique_customer};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn me() -> String {
    format!("{}/v1/customers/me", base_url())
}

async fn read(token: &str) -> (String, Value) {
    let response = http().get(me()).bearer_auth(token).send().await.unwrap();
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    (etag, response.json().await.unwrap())
}

#[tokio::test]
async fn put_replaces_the_editable_fields_and_keeps_the_rest() {
    let customer = unique_customer("put");
    let token = demo_token(&customer);
    let email = format!("{customer}@example.no");
    let (etag, before) = read(&token).await;
    let patched = http()
        .patch(me())
        .bearer_auth(&token)
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", &etag)
        .body(json!({"first_name": "Ola", "middle_name": "Johan", "last_name": "Nordmann", "consents": {"sms": {"granted": true}}}).to_string())
        .send()
        .await
        .unwrap();
    let etag = patched.headers()["etag"].to_str().unwrap().to_owned();

    let replaced = http()
        .put(me())
        .bearer_auth(&token)
        .header("If-Match", &etag)
        .json(
            &json!({"first_name": "Kari", "last_name": "Hansen", "email": email,
                      "custom_fields": {"home_store": "madrid"}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.status(), StatusCode::OK);
    let profile: Value = replaced.json().await.unwrap();
    assert_eq!(profile["first_name"], "Kari");
    assert!(profile.get("middle_name").is_none(), "left out, so cleared");
    assert_eq!(
        profile["custom_fields"],
        json!({"home_store": "madrid"}),
        "left out, so cleared"
    );
    assert_eq!(
        profile["consents"]["sms"]["granted"], false,
        "left out, so withdrawn"
    );
    assert_eq!(profile["id"], before["id"]);
    assert_eq!(profile["version"], 3);

    let stale = http()
        .put(me())
        .bearer_auth(&token)
        .header("If-Match", &etag)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let unconditional = http()
        .put(me())
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(unconditional.status(), StatusCode::PRECONDITION_REQUIRED);
}

#[tokio::test]
async fn a_body_over_64_kib_is_refused_with_413_and_nothing_changes() {
    let token = demo_token(&unique_customer("too-large"));
    let (etag, _) = read(&token).await;
    let body = json!({"first_name": "A".repeat(65 * 1024)}).to_string();
    let response = http()
        .patch(me())
        .bearer_auth(&token)
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", &etag)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(read(&token).await.0, etag);
}

#[tokio::test]
async fn an_unsupported_method_is_refused_with_405() {
    let token = demo_token(&unique_customer("method"));
    let response = http().post(me()).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn of_fifty_concurrent_patches_with_one_etag_exactly_one_wins() {
    let token = demo_token(&unique_customer("race"));
    let (etag, _) = read(&token).await;
    let attempts = (0..50).map(|i| {
        let (token, etag) = (token.clone(), etag.clone());
        tokio::spawn(async move {
            let name = format!(
                "Racer {}{}",
                char::from(b'A' + (i % 26) as u8),
                "a".repeat(i / 26)
            );
            // A 503 means "try again" (the runtime may shed load): retry as a client would.
            for _ in 0..3 {
                let response = http()
                    .patch(me())
                    .bearer_auth(&token)
                    .header("Content-Type", "application/merge-patch+json")
                    .header("If-Match", &etag)
                    .body(json!({"first_name": name}).to_string())
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                let body = response.text().await.unwrap_or_default();
                if status != StatusCode::SERVICE_UNAVAILABLE {
                    return (status, name, body);
                }
                eprintln!("503 under 50 concurrent writes: {body}");
            }
            panic!("503 three times");
        })
    });
    let mut winners = Vec::new();
    let mut refused = 0;
    for attempt in attempts.collect::<Vec<_>>() {
        let (status, name, body) = attempt.await.unwrap();
        match status {
            StatusCode::OK => winners.push(name),
            StatusCode::PRECONDITION_FAILED => refused += 1,
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one write wins");
    assert_eq!(refused, 49);
    let (_, stored) = read(&token).await;
    assert_eq!(stored["first_name"], winners[0].as_str());
    assert_eq!(stored["version"], 2);
}

#[tokio::test]
async fn put_without_a_field_the_tenant_requires_is_refused() {
    let token = demo_token(&unique_customer("put-required"));
    let (etag, _) = read(&token).await;
    let response = http()
        .put(me())
        .bearer_auth(&token)
        .header("If-Match", &etag)
        .json(&json!({"first_name": "Kari"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    let pointers = e2e::error_pointers(&body);
    assert_eq!(pointers, ["/custom_fields/home_store", "/last_name"]);
    assert_eq!(read(&token).await.0, etag, "nothing changed");
}
