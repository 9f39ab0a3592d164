//! Writes that a client may retry safely, and a limit on how often a profile
//! changes: `Idempotency-Key` replays, refusals of a key reused or still in
//! flight, and the 429 with `Retry-After`, as clients and backends meet them.

use e2e::admin::*;
use e2e::in_flight::{hold, probe};
use e2e::{base_url, http, now, put_tenant, read_profile, unique_customer};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

fn me() -> String {
    format!("{}/v1/customers/me", base_url())
}

async fn tenant_with(prefix: &str, privacy: Value) -> String {
    let id = format!("{prefix}-{}", now());
    put_tenant(
        &id,
        &json!({"name": id, "token_keys": [{"kid": "dev", "alg": "HS256", "secret": SECRET}],
            "privacy": privacy}),
    )
    .await;
    id
}

async fn patch(token: &str, etag: &str, key: Option<&str>, body: &Value) -> Response {
    let mut request = http()
        .patch(me())
        .bearer_auth(token)
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", etag)
        .body(body.to_string());
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    request.send().await.unwrap()
}

fn header(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn the_same_key_and_body_replay_the_first_answer_and_another_body_is_refused() {
    let t = tenant_with("safety-replay", json!({})).await;
    let token = customer_token(&t, &unique_customer("replay"));
    let (_, tag) = read_profile(&token).await;
    let key = unique_customer("key");
    let body = json!({"first_name": "Maja"});
    let first = patch(&token, &tag, Some(&key), &body).await;
    assert_eq!(first.status(), StatusCode::OK);
    let first_etag = header(&first, "etag").unwrap();
    assert_eq!(header(&first, "idempotent-replayed"), None);
    let first_body: Value = first.json().await.unwrap();

    // The client did not see the answer and retries: the same answer, no second change.
    let again = patch(&token, &tag, Some(&key), &body).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(header(&again, "etag").unwrap(), first_etag);
    assert_eq!(
        header(&again, "idempotent-replayed").as_deref(),
        Some("true")
    );
    assert_eq!(again.json::<Value>().await.unwrap(), first_body);
    let (now_stored, now_tag) = read_profile(&token).await;
    assert_eq!(now_tag, first_etag, "one change, not two");
    assert_eq!(now_stored["version"], 2);

    let other = patch(&token, &tag, Some(&key), &json!({"first_name": "Mia"})).await;
    assert_eq!(other.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problem_type(other).await,
        "urn:customer-profile:problem:idempotency-key-reused"
    );
    assert_eq!(read_profile(&token).await.0, now_stored, "nothing changed");

    // A refusal is replayed too: the same stale request, the same 412.
    let stale_key = unique_customer("stale");
    let stale = patch(&token, &tag, Some(&stale_key), &body).await;
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let replayed = patch(&token, &tag, Some(&stale_key), &body).await;
    assert_eq!(replayed.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(
        header(&replayed, "idempotent-replayed").as_deref(),
        Some("true")
    );

    // Another customer's key of the same name is theirs alone.
    let someone = customer_token(&t, &unique_customer("replay-other"));
    let (_, their_tag) = read_profile(&someone).await;
    let theirs = patch(&someone, &their_tag, Some(&key), &body).await;
    assert_eq!(theirs.status(), StatusCode::OK);
    assert_eq!(header(&theirs, "idempotent-replayed"), None);

    let bad = patch(&token, &now_tag, Some("tab\tkey"), &body).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_key_is_refused_while_its_first_request_is_still_running() {
    let t = tenant_with("safety-flight", json!({})).await;
    let token = customer_token(&t, &unique_customer("flight"));
    let (_, tag) = read_profile(&token).await;
    let key = unique_customer("key");
    let body = json!({"first_name": "Lova"}).to_string();
    // The first request sends its head and half its body, and waits.
    let content_type = "application/merge-patch+json";
    let bearer = format!("Bearer {token}");
    let headers = [
        ("Authorization", bearer.as_str()),
        ("Content-Type", content_type),
        ("If-Match", tag.as_str()),
    ];
    let held = hold("PATCH", "/v1/customers/me", &headers, &key, body.as_bytes()).await;
    let running = probe("PATCH", "/v1/customers/me", &token, &key).await;
    assert_eq!(running, StatusCode::CONFLICT);
    let refused = patch(
        &token,
        &tag,
        Some(&key),
        &serde_json::from_str(&body).unwrap(),
    )
    .await;
    assert_eq!(
        problem_type(refused).await,
        "urn:customer-profile:problem:idempotency-key-in-flight"
    );
    let answer = held.finish().await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let replay = patch(
        &token,
        &tag,
        Some(&key),
        &serde_json::from_str(&body).unwrap(),
    )
    .await;
    assert_eq!(replay.status(), StatusCode::OK);
    assert_eq!(
        header(&replay, "idempotent-replayed").as_deref(),
        Some("true")
    );
    assert_eq!(read_profile(&token).await.0["version"], 2);
}

#[tokio::test]
async fn an_import_and_an_admin_write_replay_from_their_own_stores() {
    let t = tenant_with("safety-admin", json!({})).await;
    let (admin, _) = key(&t, &["customers:read", "customers:write"]).await;
    let line =
        json!({"external_id": unique_customer("imported"), "first_name": "Edit"}).to_string();
    let import = |key: &'static str| {
        http()
            .post(format!("{}/v1/customers/import", base_url()))
            .bearer_auth(&admin)
            .header("Content-Type", "application/x-ndjson")
            .header("Idempotency-Key", key)
            .body(line.clone())
            .send()
    };
    let first = import("import-1").await.unwrap();
    assert_eq!(first.status(), StatusCode::ACCEPTED);
    let started: Value = first.json().await.unwrap();
    let again = import("import-1").await.unwrap();
    assert_eq!(again.status(), StatusCode::ACCEPTED);
    assert_eq!(
        again.json::<Value>().await.unwrap(),
        started,
        "the same import, not a second one"
    );

    let customer = unique_customer("by-id");
    let (_, tag) = read_profile(&customer_token(&t, &customer)).await;
    let write = || {
        http()
            .patch(customer_url(&customer))
            .bearer_auth(&admin)
            .header("Content-Type", "application/merge-patch+json")
            .header("If-Match", &tag)
            .header("Idempotency-Key", "note-1")
            .body(json!({"notes": "Called back"}).to_string())
            .send()
    };
    let first = write().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let replayed = write().await.unwrap();
    assert_eq!(replayed.status(), StatusCode::OK);
    assert_eq!(
        header(&replayed, "idempotent-replayed").as_deref(),
        Some("true")
    );
}

#[tokio::test]
async fn past_the_tenants_writes_per_minute_a_write_gets_429_with_retry_after() {
    let t = tenant_with("safety-rate", json!({"writes_per_minute": 3})).await;
    let customer = unique_customer("rate");
    let token = customer_token(&t, &customer);
    let (_, mut tag) = read_profile(&token).await;
    for name in ["Ann", "Bo", "Cai"] {
        let changed = patch(&token, &tag, None, &json!({"first_name": name})).await;
        assert_eq!(changed.status(), StatusCode::OK);
        tag = header(&changed, "etag").unwrap();
    }
    let (stored, _) = read_profile(&token).await;
    let refused = patch(&token, &tag, None, &json!({"first_name": "Dag"})).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let seconds: u64 = header(&refused, "retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&seconds), "Retry-After: {seconds}");
    assert_eq!(
        problem_type(refused).await,
        "urn:customer-profile:problem:too-many-writes"
    );
    assert_eq!(read_profile(&token).await.0, stored, "nothing changed");
    // The programme's writes count against the same profile's minute.
    let (admin, _) = key(&t, &["customers:write"]).await;
    let by_admin = patch_customer(&admin, &customer, &tag, json!({"notes": "x"})).await;
    assert_eq!(by_admin.status(), StatusCode::TOO_MANY_REQUESTS);
    // Reads are not limited.
    assert_eq!(read_profile(&token).await.0, stored);
}
