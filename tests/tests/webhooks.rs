//! Events to the programme's backend, as its receiver sees them: a receiver
//! on loopback (tests/receiver.py) checks each signature with the
//! `standardwebhooks` package from PyPI. Each test has its own tenant, with
//! a retry schedule of seconds (the tenant's `webhooks` settings).

use e2e::admin::{SECRET, key, operator_key};
use e2e::receiver::{Receiver, of_type, url};
use e2e::{base_url, http, now, put_tenant, sign, unique_customer};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use xtask::server::free_port;

const UPDATED: &str = "customer.updated.v1";

fn hooks(base: &str, tenant: &str) -> String {
    format!("{base}/v1/tenants/{tenant}/webhooks")
}

fn tenant_config(tenant: &str, webhooks: Value) -> Value {
    json!({"name": tenant, "token_keys": [{"kid": "dev", "alg": "HS256", "secret": SECRET}],
        "privacy": {"writes_per_minute": 1000}, "webhooks": webhooks})
}

/// An endpoint of `tenant` at `url`, created by the operator: its id and secret.
async fn create(base: &str, tenant: &str, url: &str, types: &[&str]) -> (String, String) {
    let response = http()
        .post(hooks(base, tenant))
        .bearer_auth(operator_key())
        .json(&json!({"url": url, "event_types": types}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{created}");
    (created["id"].as_str().unwrap().to_owned(), secret)
}

/// A first name for write `n` (names take no digits).
fn name(n: usize) -> String {
    let mut name = String::from("Hook");
    let mut n = n;
    loop {
        name.push(char::from(b'a' + (n % 26) as u8));
        n /= 26;
        if n == 0 {
            return name;
        }
    }
}

/// The customer (created on first read) sets their first name: the version written.
async fn change(base: &str, tenant: &str, customer: &str, first_name: &str) -> u64 {
    let token = sign(
        &json!({"iss": tenant, "sub": customer, "aud": "customer-profile", "iat": now(), "exp": now() + 600}),
        SECRET,
    );
    let url = format!("{base}/v1/customers/me");
    let read = http().get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(read.status(), 200);
    let etag = read.headers()["etag"].to_str().unwrap().to_owned();
    let saved = http()
        .patch(&url)
        .bearer_auth(&token)
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", etag)
        .body(json!({"first_name": first_name}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200);
    let profile: Value = saved.json().await.unwrap();
    profile["version"].as_u64().unwrap()
}

async fn get(url: &str) -> Value {
    let response = http()
        .get(url)
        .bearer_auth(operator_key())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{url}");
    response.json().await.unwrap()
}

/// The delivery log's entry of `event_id`, once it says `state`.
async fn logged(tenant: &str, endpoint: &str, event_id: &str, state: &str) -> Value {
    let url = format!(
        "{}/deliveries?endpoint={endpoint}",
        hooks(&base_url(), tenant)
    );
    for _ in 0..100 {
        let page = get(&url).await;
        let found = page["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["event_id"] == event_id && d["state"] == state)
            .cloned();
        if let Some(found) = found {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("the delivery log never showed {event_id} {state}");
}

fn verified(delivery: &Value) -> bool {
    delivery["status"] == 204 && !delivery["verified_by"].as_array().unwrap().is_empty()
}

#[tokio::test]
async fn a_receiver_that_fails_three_times_gets_the_event_on_the_fourth_try() {
    let t = format!("hooks-retry-{}", now());
    put_tenant(
        &t,
        &tenant_config(&t, json!({"retry_seconds": [1, 1, 1, 1, 1]})),
    )
    .await;
    let port = free_port().unwrap();
    let (endpoint, secret) = create(&base_url(), &t, &url(port), &[UPDATED]).await;
    let receiver = Receiver::start(port, &[&secret]).await;
    receiver.control(json!({"fail": 3})).await;
    let customer = unique_customer("retry");
    let version = change(&base_url(), &t, &customer, "Retry").await;
    let received = receiver
        .wait_for("the update, delivered", Duration::from_secs(60), |r| {
            r.iter().any(verified)
        })
        .await;
    // Only what the endpoint asked for: no customer.created.v1.
    assert_eq!(of_type(&received, UPDATED).len(), received.len());
    let statuses: Vec<&Value> = received.iter().map(|d| &d["status"]).collect();
    assert_eq!(statuses, [500, 500, 500, 204], "{received:?}");
    let ids: BTreeSet<&str> = received
        .iter()
        .map(|d| d["webhook_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 1, "every attempt carries the same id");
    let event = &received[3]["event"];
    assert_eq!(event["id"], received[3]["webhook_id"]);
    assert_eq!(event["tenant"], t.as_str());
    assert_eq!(event["customer"]["external_id"], customer.as_str());
    assert_eq!(event["version"], version);
    assert_eq!(event["data"]["fields"], json!(["first_name"]));
    assert_eq!(event["data"]["actor"], "customer");
    assert!(
        !event.to_string().contains("Retry"),
        "events carry no values: {event}"
    );
    let entry = logged(&t, &endpoint, event["id"].as_str().unwrap(), "delivered").await;
    assert_eq!(entry["attempts"], 4, "{entry}");
    assert_eq!(entry["status_code"], 204, "{entry}");
    assert_eq!(entry["event_type"], UPDATED);
    assert_eq!(entry["customer"], customer.as_str());
    println!("4 attempts, 3 answered 500, then 204: {entry}");
}

#[tokio::test]
async fn a_receiver_down_during_200_changes_gets_every_one_once_by_id_when_it_returns() {
    let t = format!("hooks-down-{}", now());
    let schedule = json!({"retry_seconds": [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]});
    put_tenant(&t, &tenant_config(&t, schedule)).await;
    let port = free_port().unwrap();
    let (endpoint, secret) = create(&base_url(), &t, &url(port), &[UPDATED]).await;
    // 10 customers write 20 changes each, side by side, while nothing listens.
    let mut writers = tokio::task::JoinSet::new();
    for c in 0..10 {
        let t = t.clone();
        writers.spawn(async move {
            let customer = format!("{}-{c}", unique_customer("down"));
            let mut versions = Vec::new();
            for n in 0..20 {
                versions.push(change(&base_url(), &t, &customer, &name(n)).await);
            }
            (customer, versions)
        });
    }
    let written: BTreeMap<String, Vec<u64>> = writers.join_all().await.into_iter().collect();
    let changes: usize = written.values().map(Vec::len).sum();
    assert_eq!(changes, 200);
    // The log shows the failed attempts while the receiver is down.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let page = get(&format!(
        "{}/deliveries?endpoint={endpoint}",
        hooks(&base_url(), &t)
    ))
    .await;
    let failing = page["deliveries"].as_array().unwrap();
    assert!(
        failing
            .iter()
            .any(|d| d["state"] == "retrying" && d["last_error"] == "no connection to the endpoint"),
        "{page}"
    );
    let receiver = Receiver::start(port, &[&secret]).await;
    let received = receiver
        .wait_for("all 200 changes", Duration::from_secs(120), |r| {
            let ids: BTreeSet<&str> = r
                .iter()
                .filter(|d| verified(d))
                .map(|d| d["webhook_id"].as_str().unwrap())
                .collect();
            ids.len() >= 200
        })
        .await;
    let mut ids_of: BTreeMap<(String, u64), BTreeSet<String>> = BTreeMap::new();
    for delivery in received.iter().filter(|d| verified(d)) {
        let event = &delivery["event"];
        assert_eq!(event["id"], delivery["webhook_id"]);
        let key = (
            event["customer"]["external_id"]
                .as_str()
                .unwrap()
                .to_owned(),
            event["version"].as_u64().unwrap(),
        );
        ids_of
            .entry(key)
            .or_default()
            .insert(event["id"].as_str().unwrap().to_owned());
    }
    let expected: BTreeSet<(String, u64)> = written
        .iter()
        .flat_map(|(customer, versions)| versions.iter().map(|v| (customer.clone(), *v)))
        .collect();
    assert_eq!(ids_of.keys().cloned().collect::<BTreeSet<_>>(), expected);
    assert!(
        ids_of.values().all(|ids| ids.len() == 1),
        "one id per change"
    );
    let deliveries = received.iter().filter(|d| verified(d)).count();
    println!(
        "200 changes while down: 200 distinct events received, {} deliveries of them ({} again by id)",
        deliveries,
        deliveries - 200
    );
}

#[tokio::test]
async fn a_receiver_that_hangs_does_not_delay_another_tenants_endpoint() {
    let (ta, tb) = (
        format!("hooks-hang-{}", now()),
        format!("hooks-quick-{}", now()),
    );
    put_tenant(&ta, &tenant_config(&ta, json!({"timeout_seconds": 30}))).await;
    put_tenant(&tb, &tenant_config(&tb, json!({}))).await;
    let (port_a, port_b) = (free_port().unwrap(), free_port().unwrap());
    let (_, secret_a) = create(&base_url(), &ta, &url(port_a), &[UPDATED]).await;
    let (_, secret_b) = create(&base_url(), &tb, &url(port_b), &[UPDATED]).await;
    let hanging = Receiver::start(port_a, &[&secret_a]).await;
    hanging.control(json!({"hang": true})).await;
    let quick = Receiver::start(port_b, &[&secret_b]).await;
    change(&base_url(), &ta, &unique_customer("hang"), "Hang").await;
    for _ in 0..100 {
        if hanging.open().await > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        hanging.open().await,
        1,
        "the first tenant's endpoint holds the attempt"
    );
    change(&base_url(), &tb, &unique_customer("quick"), "Quick").await;
    quick
        .wait_for("the other tenant's event", Duration::from_secs(25), |r| {
            r.iter().any(verified)
        })
        .await;
    // Delivered while the first tenant's attempt still hangs (its timeout is 30 s).
    assert_eq!(hanging.open().await, 1);
    hanging.control(json!({"hang": false})).await;
    println!("another tenant's event arrived while an endpoint held its attempt open");
}

#[tokio::test]
async fn rotation_signs_with_both_secrets_until_the_old_one_ends() {
    let t = format!("hooks-rotate-{}", now());
    put_tenant(&t, &tenant_config(&t, json!({"retry_seconds": [1, 1, 1]}))).await;
    let port = free_port().unwrap();
    let (endpoint, first) = create(&base_url(), &t, &url(port), &[UPDATED]).await;
    let receiver = Receiver::start(port, &[&first]).await;
    let customer = unique_customer("rotate");
    let delivered =
        |count: usize| move |r: &[Value]| r.iter().filter(|d| verified(d)).count() >= count;
    change(&base_url(), &t, &customer, "Ann").await;
    let received = receiver
        .wait_for(
            "signed with the first secret",
            Duration::from_secs(30),
            delivered(1),
        )
        .await;
    assert_eq!(received[0]["verified_by"], json!([0]));

    let rotate = |keep: u32| {
        let t = t.clone();
        let endpoint = endpoint.clone();
        async move {
            let response = http()
                .post(format!("{}/{endpoint}/secret", hooks(&base_url(), &t)))
                .bearer_auth(operator_key())
                .json(&json!({"old_secret_seconds": keep}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            let rotated: Value = response.json().await.unwrap();
            rotated["secret"].as_str().unwrap().to_owned()
        }
    };
    let second = rotate(3600).await;
    // Each secret alone verifies: a receiver that has either works.
    receiver.control(json!({"secrets": [first, second]})).await;
    change(&base_url(), &t, &customer, "Bo").await;
    let received = receiver
        .wait_for("signed with both", Duration::from_secs(30), delivered(2))
        .await;
    let last = received.last().unwrap();
    assert_eq!(last["verified_by"], json!([0, 1]), "{last}");
    assert_eq!(last["signatures"].as_array().unwrap().len(), 2);

    let third = rotate(0).await;
    receiver.control(json!({"secrets": [second, third]})).await;
    change(&base_url(), &t, &customer, "Cy").await;
    let received = receiver
        .wait_for(
            "signed with the newest",
            Duration::from_secs(30),
            delivered(3),
        )
        .await;
    let last = received.last().unwrap();
    assert_eq!(
        last["verified_by"],
        json!([1]),
        "the old secret ended at once: {last}"
    );
    let listed = get(&hooks(&base_url(), &t)).await;
    assert!(
        !listed.to_string().contains("whsec_"),
        "no secret is listed: {listed}"
    );
    println!("rotation: both signatures while both secrets live, then the new one alone");
}

#[tokio::test]
async fn a_dead_letter_is_listed_and_replayed() {
    let t = format!("hooks-dead-{}", now());
    put_tenant(&t, &tenant_config(&t, json!({"retry_seconds": [1, 1]}))).await;
    let port = free_port().unwrap();
    let (endpoint, secret) = create(&base_url(), &t, &url(port), &[UPDATED]).await;
    let receiver = Receiver::start(port, &[&secret]).await;
    receiver.control(json!({"fail": 1000})).await;
    let customer = unique_customer("dead");
    let version = change(&base_url(), &t, &customer, "Dead").await;
    let received = receiver
        .wait_for("three attempts", Duration::from_secs(30), |r| r.len() >= 3)
        .await;
    let event_id = received[0]["webhook_id"].as_str().unwrap().to_owned();
    let entry = logged(&t, &endpoint, &event_id, "dead").await;
    assert_eq!(entry["attempts"], 3, "{entry}");
    assert_eq!(entry["last_error"], "the endpoint answered 500", "{entry}");
    assert_eq!(entry["status_code"], 500);
    let dead_url = format!("{}/{endpoint}/dead-letters", hooks(&base_url(), &t));
    let dead = get(&dead_url).await;
    let letters = dead["dead_letters"].as_array().unwrap();
    assert_eq!(letters.len(), 1, "{dead}");
    assert_eq!(letters[0]["event"]["id"], event_id.as_str());
    assert_eq!(letters[0]["event"]["version"], version);
    // No more attempts once it is dead.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(receiver.received().await.len(), 3);

    receiver.control(json!({"fail": 0})).await;
    let replay = http()
        .post(format!("{dead_url}/replay"))
        .bearer_auth(operator_key())
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 202);
    assert_eq!(replay.json::<Value>().await.unwrap()["replaying"], 1);
    let received = receiver
        .wait_for("the replayed event", Duration::from_secs(30), |r| {
            r.iter().any(verified)
        })
        .await;
    let replayed = received.iter().find(|d| verified(d)).unwrap();
    assert_eq!(
        replayed["webhook_id"],
        event_id.as_str(),
        "the same id, for the receiver's idempotency"
    );
    logged(&t, &endpoint, &event_id, "delivered").await;
    let dead = get(&dead_url).await;
    assert_eq!(dead["dead_letters"], json!([]), "{dead}");
    println!("dead after 3 attempts, replayed, delivered with the same id");
}

#[tokio::test]
async fn the_test_event_and_what_a_key_may_do() {
    let t = format!("hooks-test-{}", now());
    put_tenant(&t, &tenant_config(&t, json!({}))).await;
    let (manager, _) = key(&t, &["webhooks:write"]).await;
    let (reader, _) = key(&t, &["customers:read"]).await;
    let port = free_port().unwrap();
    // An admin key with webhooks:write creates the endpoint.
    let created = http()
        .post(hooks(&base_url(), &t))
        .bearer_auth(&manager)
        .json(&json!({"url": url(port)}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let endpoint = created["id"].as_str().unwrap().to_owned();
    let receiver = Receiver::start(port, &[created["secret"].as_str().unwrap()]).await;
    let test_url = format!("{}/{endpoint}/test", hooks(&base_url(), &t));
    let send_test = || async {
        let answer = http()
            .post(&test_url)
            .bearer_auth(&manager)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        answer.json::<Value>().await.unwrap()
    };
    let tested = send_test().await;
    assert_eq!(tested["delivered"], true, "{tested}");
    assert_eq!(tested["status_code"], 204);
    let received = receiver.received().await;
    assert_eq!(received.len(), 1);
    assert!(verified(&received[0]));
    assert_eq!(received[0]["event"]["type"], "webhook.test.v1");
    assert_eq!(received[0]["event"]["id"], tested["event_id"]);
    logged(
        &t,
        &endpoint,
        tested["event_id"].as_str().unwrap(),
        "delivered",
    )
    .await;
    receiver.control(json!({"fail": 1})).await;
    let failed = send_test().await;
    assert_eq!(failed["delivered"], false, "{failed}");
    assert_eq!(failed["status_code"], 500);

    // Without the scope, 403; another tenant's endpoint is not found.
    let refused = http()
        .get(hooks(&base_url(), &t))
        .bearer_auth(&reader)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let elsewhere = http()
        .get(hooks(&base_url(), "demo"))
        .bearer_auth(&manager)
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), 404);
    // An endpoint must be https (http only on loopback).
    let plain = http()
        .post(hooks(&base_url(), &t))
        .bearer_auth(&manager)
        .json(&json!({"url": "http://crm.example.com/hooks"}))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 422);
    let problem: Value = plain.json().await.unwrap();
    assert_eq!(problem["errors"][0]["pointer"], "/url", "{problem}");
    // The erasure's event reaches an endpoint that takes every type.
    let customer = unique_customer("erased");
    change(&base_url(), &t, &customer, "Gone").await;
    let (eraser, _) = key(&t, &["customers:erase"]).await;
    let erased = http()
        .delete(format!("{}/v1/customers/{customer}", base_url()))
        .bearer_auth(&eraser)
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), 204);
    let received = receiver
        .wait_for("created, updated, erased", Duration::from_secs(30), |r| {
            of_type(r, "customer.erased.v1").iter().any(|d| verified(d))
        })
        .await;
    let kinds: Vec<&str> = received
        .iter()
        .filter(|d| verified(d) && d["event"]["customer"]["external_id"] == customer.as_str())
        .map(|d| d["event"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["customer.created.v1", UPDATED, "customer.erased.v1"]
    );
    println!("test event delivered and logged; scopes and URLs enforced; erasure announced");
}

#[tokio::test]
async fn the_dev_page_lists_the_demo_events_with_checked_signatures() {
    let base = base_url();
    xtask::server::ensure_demo_webhook(&base).unwrap();
    // Idempotent: a second call adds no endpoint.
    xtask::server::ensure_demo_webhook(&base).unwrap();
    let listed = get(&hooks(&base, "demo")).await;
    let demo: Vec<&Value> = listed["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["url"].as_str().unwrap().ends_with("/dev/events"))
        .collect();
    assert_eq!(demo.len(), 1, "{listed}");
    let customer = unique_customer("dev-events");
    e2e::patch_over_api(&customer, &json!({"first_name": "Devon"})).await;
    let mut page = String::new();
    let row_of = |page: &str| {
        page.split("<tr>")
            .find(|row| row.contains(&customer) && row.contains(UPDATED))
            .map(str::to_owned)
    };
    for _ in 0..100 {
        page = http()
            .get(format!("{base}/dev/events"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if row_of(&page).is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let row = row_of(&page).unwrap_or_else(|| panic!("no row of {customer}'s update in {page}"));
    assert!(row.contains(">valid<"), "{row}");
    assert!(!page.contains("Devon"), "the page shows no values");
    // The other suites' demo customers need not be delivered to the server itself.
    let id = demo[0]["id"].as_str().unwrap();
    let deleted = http()
        .delete(format!("{}/{id}", hooks(&base, "demo")))
        .bearer_auth(operator_key())
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    // The deployed build has no such page.
    let deployed = http()
        .get(format!("{}/dev/events", e2e::no_dev_base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(deployed.status(), 404);
    println!("/dev/events lists the demo's events with their signatures checked");
}
