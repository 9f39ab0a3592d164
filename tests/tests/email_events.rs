//! The code's event, the only one with values, where events wait: purged
//! from the dead letters on erasure, never sent again once expired.

use e2e::admin::{get_json, operator_key};
use e2e::email::*;
use e2e::{base_url, http, read_profile};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

async fn dead_letters(t: &str, endpoint: &str) -> Vec<Value> {
    let url = format!(
        "{}/v1/tenants/{t}/webhooks/{endpoint}/dead-letters",
        base_url()
    );
    let page = get_json(url, &operator_key()).await;
    page["dead_letters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["event"].clone())
        .collect()
}

/// Waits until the endpoint's dead letters hold a code to each of `emails`.
async fn dead_codes_to(t: &str, endpoint: &str, emails: &[&str]) -> Vec<Value> {
    for _ in 0..150 {
        let dead = dead_letters(t, endpoint).await;
        if emails
            .iter()
            .all(|e| dead.iter().any(|d| d["data"]["email"] == *e))
        {
            return dead;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("the codes to {emails:?} never became dead letters");
}

#[tokio::test]
async fn a_dead_code_is_purged_on_erasure_and_never_replayed_once_expired() {
    let (t, receiver, endpoint) = tenant_retrying("dead", 4, &[1, 1]).await;
    receiver.control(json!({"fail": 1000})).await;
    let (kept, erased) = (token(&t, "kept", json!({})), token(&t, "erased", json!({})));
    let (kept_to, erased_to) = (address("kept"), address("erased"));
    assert_eq!(set_email(&kept, &kept_to).await.status(), StatusCode::OK);
    assert_eq!(
        set_email(&erased, &erased_to).await.status(),
        StatusCode::OK
    );
    // Two attempts each (the schedule has one retry), then dead letters, codes and all.
    let dead = dead_codes_to(&t, &endpoint, &[&kept_to, &erased_to]).await;
    assert!(
        dead.iter()
            .all(|d| d["data"]["code"].as_str().unwrap().len() == 6)
    );

    // Erasure takes the erased customer's code out of the dead letters.
    let (_, etag) = read_profile(&erased).await;
    let gone = http()
        .delete(me(""))
        .bearer_auth(&erased)
        .header("If-Match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    let dead = dead_letters(&t, &endpoint).await;
    assert!(
        !dead
            .iter()
            .any(|d| d["data"]["email"] == erased_to.as_str()),
        "{dead:?}"
    );
    assert!(dead.iter().any(|d| d["data"]["email"] == kept_to.as_str()));

    // Once the code has expired, a replay leaves it unsent.
    tokio::time::sleep(Duration::from_secs(4)).await;
    receiver.control(json!({"fail": 0})).await;
    let replay = http()
        .post(format!(
            "{}/v1/tenants/{t}/webhooks/{endpoint}/dead-letters/replay",
            base_url()
        ))
        .bearer_auth(operator_key())
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::ACCEPTED);
    for _ in 0..100 {
        if dead_letters(&t, &endpoint).await.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        dead_letters(&t, &endpoint).await.is_empty(),
        "the replay took them"
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let delivered: Vec<Value> = receiver
        .received()
        .await
        .into_iter()
        .filter(|d| d["status"] == 204)
        .collect();
    assert!(
        delivered.is_empty(),
        "an expired code was sent: {delivered:?}"
    );
    receiver.stop().await;
}

#[tokio::test]
async fn a_code_that_expired_while_its_endpoint_was_down_is_not_sent_again() {
    let (t, receiver, endpoint) = tenant_retrying("stale", 2, &[1; 10]).await;
    receiver.control(json!({"fail": 1000})).await;
    let customer = token(&t, "fay", json!({}));
    assert_eq!(
        set_email(&customer, &address("stale")).await.status(),
        StatusCode::OK
    );
    let url = format!(
        "{}/v1/tenants/{t}/webhooks/deliveries?endpoint={endpoint}",
        base_url()
    );
    let mut last = Value::Null;
    for _ in 0..100 {
        let log = get_json(&url, &operator_key()).await;
        last = log["deliveries"][0].clone();
        if last["state"] == "dead" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(last["state"], "dead", "{last}");
    assert_eq!(
        last["last_error"], "not sent: the code had expired",
        "{last}"
    );
    // Tried while it worked (about two seconds of a schedule of ten), then dropped whole.
    let tried = receiver.received().await.len();
    assert!((1..=4).contains(&tried), "{tried} attempts");
    assert!(dead_letters(&t, &endpoint).await.is_empty());
    receiver.stop().await;
}
