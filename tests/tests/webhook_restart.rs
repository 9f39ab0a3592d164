//! An acknowledged change is never without its event: `wrangler dev` (its
//! whole process group) is killed with SIGKILL right after a write answered
//! 200, while the tenant's receiver is down; after a restart on the same
//! state folder, the customer's object's alarm delivers that write's event.

use e2e::admin::{SECRET, operator_key};
use e2e::receiver::{Receiver, url};
use e2e::{now, sign, unique_customer};
use serde_json::{Value, json};
use std::time::Duration;
use xtask::server::{Options, Server, free_port};

fn start(state: &std::path::Path, log: &str) -> Server {
    let tools = xtask::tools::installed().unwrap();
    let log = xtask::root().join("target/e2e").join(log);
    Server::start(
        &tools,
        Options {
            port: free_port().unwrap(),
            state,
            log: Some(log),
            extra: &[],
        },
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_write_acknowledged_before_sigkill_is_delivered_after_the_restart() {
    let state = xtask::root()
        .join("target/e2e")
        .join(unique_customer("state-webhooks"));
    let mut first = start(&state, "wrangler-webhooks-1.log");
    let base = first.base_url.clone();
    let client = reqwest::Client::new();
    let t = "hooks-restart";
    let config = json!({"name": t, "token_keys": [{"kid": "dev", "alg": "HS256", "secret": SECRET}],
        "webhooks": {"retry_seconds": [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]}});
    let put = client
        .put(format!("{base}/v1/tenants/{t}"))
        .bearer_auth(operator_key())
        .json(&config)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let port = free_port().unwrap();
    let created: Value = client
        .post(format!("{base}/v1/tenants/{t}/webhooks"))
        .bearer_auth(operator_key())
        .json(&json!({"url": url(port), "event_types": ["customer.updated.v1"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = created["secret"].as_str().unwrap().to_owned();
    let customer = unique_customer("sigkill");
    let token = sign(
        &json!({"iss": t, "sub": customer, "aud": "customer-profile", "iat": now(), "exp": now() + 600}),
        SECRET,
    );
    let me = format!("{base}/v1/customers/me");
    let read = client.get(&me).bearer_auth(&token).send().await.unwrap();
    let etag = read.headers()["etag"].to_str().unwrap().to_owned();
    let saved = client
        .patch(&me)
        .bearer_auth(&token)
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", etag)
        .body(json!({"first_name": "Killed"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200);
    let version = saved.json::<Value>().await.unwrap()["version"]
        .as_u64()
        .unwrap();
    first.kill().unwrap();

    // The receiver comes up only now: nothing can have been delivered before the kill.
    let receiver = Receiver::start(port, &[&secret]).await;
    let _second = start(&state, "wrangler-webhooks-2.log");
    let received = receiver
        .wait_for(
            "the event after the restart",
            Duration::from_secs(90),
            |r| r.iter().any(|d| d["status"] == 204),
        )
        .await;
    let delivered = received.iter().find(|d| d["status"] == 204).unwrap();
    assert_eq!(delivered["verified_by"], json!([0]));
    assert_eq!(
        delivered["event"]["customer"]["external_id"],
        customer.as_str()
    );
    assert_eq!(delivered["event"]["version"], version);
    println!(
        "killed right after the write; its event delivered after the restart: {}",
        delivered["event"]
    );
}
