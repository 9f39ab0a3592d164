//! Proof that an e-mail address belongs to its customer. A customer's new
//! address waits as `pending_email` while its code goes out as the event
//! `email.verification_requested.v1` (here to a receiver on loopback, which
//! checks each signature with `standardwebhooks`); the right code claims it.
//! Before that, a free address and a member's get the same answer.

use e2e::admin::{SECRET, key, operator_key};
use e2e::receiver::{Receiver, of_type, url};
use e2e::{base_url, http, now, put_tenant, read_profile, sign, unique_customer};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;
use xtask::server::free_port;

const CODE_EVENT: &str = "email.verification_requested.v1";

fn me(path: &str) -> String {
    format!("{}/v1/customers/me{path}", base_url())
}

/// A tenant of its own whose endpoint (a receiver on loopback) gets the
/// codes; its codes work `code_seconds`.
async fn tenant(label: &str, code_seconds: u32) -> (String, Receiver) {
    let (t, receiver, _) = tenant_retrying(label, code_seconds, &[1, 1]).await;
    (t, receiver)
}

/// As `tenant`, with the retry schedule `retries`, and the endpoint's id.
async fn tenant_retrying(
    label: &str,
    code_seconds: u32,
    retries: &[u32],
) -> (String, Receiver, String) {
    let t = unique_customer(&format!("email-{label}"));
    put_tenant(
        &t,
        &json!({"name": t, "token_keys": [{"kid": "dev", "alg": "HS256", "secret": SECRET}],
            "privacy": {"writes_per_minute": 1000},
            "webhooks": {"retry_seconds": retries},
            "email_verification": {"code_seconds": code_seconds}}),
    )
    .await;
    let port = free_port().unwrap();
    let created: Value = http()
        .post(format!("{}/v1/tenants/{t}/webhooks", base_url()))
        .bearer_auth(operator_key())
        .json(&json!({"url": url(port), "event_types": [CODE_EVENT]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let receiver = Receiver::start(port, &[created["secret"].as_str().unwrap()]).await;
    (t, receiver, created["id"].as_str().unwrap().to_owned())
}

/// A token of `tenant` for `customer`, with more claims.
fn token(tenant: &str, customer: &str, more: Value) -> String {
    let mut claims = json!({"iss": tenant, "sub": customer, "aud": "customer-profile",
        "iat": now(), "exp": now() + 600});
    claims
        .as_object_mut()
        .unwrap()
        .extend(more.as_object().unwrap().clone());
    sign(&claims, SECRET)
}

fn address(label: &str) -> String {
    format!("{}@example.com", unique_customer(label))
}

async fn set_email(token: &str, email: &str) -> reqwest::Response {
    let (_, etag) = read_profile(token).await;
    http()
        .patch(me(""))
        .bearer_auth(token)
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", etag)
        .header("Accept-Language", "sv")
        .body(json!({"email": email}).to_string())
        .send()
        .await
        .unwrap()
}

async fn verify(token: &str, code: &str) -> (StatusCode, Value) {
    let response = http()
        .post(me("/email/verify"))
        .bearer_auth(token)
        .json(&json!({"code": code}))
        .send()
        .await
        .unwrap();
    (
        response.status(),
        response.json().await.unwrap_or(Value::Null),
    )
}

async fn resend(token: &str) -> reqwest::Response {
    http()
        .post(me("/email/code"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// The codes sent to `email` so far, once there are `count`; the newest last.
async fn codes(receiver: &Receiver, email: &str, count: usize) -> Vec<Value> {
    let sent_to = |received: &[Value]| -> Vec<Value> {
        of_type(received, CODE_EVENT)
            .into_iter()
            .filter(|d| d["event"]["data"]["email"] == email && d["verified_by"] == json!([0]))
            .map(|d| d["event"].clone())
            .collect()
    };
    let received = receiver
        .wait_for("the codes", Duration::from_secs(30), |r| {
            sent_to(r).len() >= count
        })
        .await;
    sent_to(&received)
}

async fn code(receiver: &Receiver, email: &str) -> String {
    let events = codes(receiver, email, 1).await;
    events.last().unwrap()["data"]["code"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The answer to a change of address, without what differs by customer.
fn shape(mut profile: Value) -> Value {
    for name in [
        "id",
        "external_id",
        "created",
        "updated",
        "pending_email",
        "tenant",
    ] {
        profile.as_object_mut().unwrap().remove(name);
    }
    profile
}

#[tokio::test]
async fn a_taken_address_and_a_free_one_get_the_same_answer_and_the_holder_keeps_it() {
    let (t, receiver) = tenant("same", 600).await;
    let taken = address("taken");
    let holder = token(
        &t,
        "holder",
        json!({"email": taken, "email_verified": true}),
    );
    let (held, _) = read_profile(&holder).await;
    assert_eq!(
        (held["email"].as_str(), held["email_status"].as_str()),
        (Some(taken.as_str()), Some("verified"))
    );

    let free = address("free");
    let mut answers = Vec::new();
    for (customer, wanted) in [("squatter", &taken), ("newcomer", &free)] {
        let asking = token(&t, customer, json!({}));
        let before = read_profile(&asking).await.0;
        let response = set_email(&asking, wanted).await;
        let status = response.status();
        let profile: Value = response.json().await.unwrap();
        assert_eq!(profile["pending_email"], wanted.as_str(), "{profile}");
        assert_eq!(
            profile.get("email"),
            before.get("email"),
            "nothing claimed yet"
        );
        answers.push((status, shape(profile)));
    }
    assert_eq!(
        answers[0], answers[1],
        "a member's address answers as a free one"
    );
    assert_eq!(answers[0].0, StatusCode::OK);

    // Both codes went out, with the address, its expiry and the language.
    for wanted in [&taken, &free] {
        let event = &codes(&receiver, wanted, 1).await[0];
        assert_eq!(event["data"]["language"], "sv");
        assert!(event["data"]["expires"].as_str().unwrap() > event["at"].as_str().unwrap());
    }
    let (held, _) = read_profile(&holder).await;
    assert_eq!(
        held["email"],
        taken.as_str(),
        "the holder keeps the address"
    );

    // The squatter reads the mailbox? Then, and only then, the answer says it is taken.
    let squatter = token(&t, "squatter", json!({}));
    let (status, problem) = verify(&squatter, &code(&receiver, &taken).await).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["errors"][0]["code"], "EmailTaken");
    let (after, _) = read_profile(&squatter).await;
    assert!(after.get("pending_email").is_none(), "{after}");
    assert_eq!(read_profile(&holder).await.0["email"], taken.as_str());
    receiver.stop().await;
}

#[tokio::test]
async fn the_right_code_makes_the_address_the_email_verified() {
    let (t, receiver) = tenant("verify", 600).await;
    let customer = token(&t, "ana", json!({"email": address("old")}));
    let wanted = address("new");
    assert_eq!(set_email(&customer, &wanted).await.status(), StatusCode::OK);
    let (status, profile) = verify(&customer, &code(&receiver, &wanted).await).await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(profile["email"], wanted.as_str());
    assert_eq!(profile["email_status"], "verified");
    assert!(profile.get("pending_email").is_none(), "{profile}");
    // The history records the proof; another customer cannot take the address now.
    let history: Value = http()
        .get(me("/history"))
        .bearer_auth(&customer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let fields = &history["entries"][0]["fields"];
    for field in ["email", "email_status", "pending_email"] {
        assert!(
            fields.as_array().unwrap().contains(&json!(field)),
            "{history}"
        );
    }
    let late = token(&t, "late", json!({"email": wanted, "email_verified": true}));
    assert!(read_profile(&late).await.0.get("email").is_none());
    // Nothing pending any more: a code, or another, is refused by name.
    let (status, problem) = verify(&customer, "123456").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["code"], "NothingPending");
    assert_eq!(resend(&customer).await.status(), 422);
    receiver.stop().await;
}

#[tokio::test]
async fn a_wrong_code_counts_down_and_spends_the_code() {
    let (t, receiver) = tenant("wrong", 600).await;
    let customer = token(&t, "bo", json!({}));
    let wanted = address("wrong");
    assert_eq!(set_email(&customer, &wanted).await.status(), StatusCode::OK);
    let right = code(&receiver, &wanted).await;
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    let (status, problem) = verify(&customer, "12a456").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problem["errors"][0]["code"], "PatternMismatch",
        "costs no attempt"
    );
    for left in [4, 3, 2, 1] {
        let (status, problem) = verify(&customer, &wrong).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["errors"][0]["code"], "CodeWrong", "{problem}");
        assert_eq!(problem["errors"][0]["params"]["attempts_left"], left);
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains(&left.to_string())
        );
    }
    let (_, problem) = verify(&customer, &wrong).await;
    assert_eq!(problem["errors"][0]["code"], "CodeExpired");
    let (status, problem) = verify(&customer, &right).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "spent: {problem}");
    assert_eq!(problem["errors"][0]["code"], "CodeExpired");
    assert!(read_profile(&customer).await.0.get("email").is_none());
    receiver.stop().await;
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let (t, receiver) = tenant("expired", 2).await;
    let customer = token(&t, "cy", json!({}));
    let wanted = address("expired");
    assert_eq!(set_email(&customer, &wanted).await.status(), StatusCode::OK);
    let right = code(&receiver, &wanted).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (status, problem) = verify(&customer, &right).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["code"], "CodeExpired");
    receiver.stop().await;
}

#[tokio::test]
async fn a_customer_gets_five_codes_an_hour_and_a_new_one_after_a_minute() {
    let (t, receiver) = tenant("hourly", 600).await;
    let customer = token(&t, "dag", json!({}));
    let first = address("hourly-0");
    assert_eq!(set_email(&customer, &first).await.status(), StatusCode::OK);
    // The same address again within the minute: no second code, and no error.
    assert_eq!(set_email(&customer, &first).await.status(), StatusCode::OK);
    let early = resend(&customer).await;
    assert_eq!(early.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(
        early.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u32>()
            .unwrap()
            <= 60
    );
    for n in 1..5 {
        let response = set_email(&customer, &address(&format!("hourly-{n}"))).await;
        assert_eq!(response.status(), StatusCode::OK, "code {}", n + 1);
    }
    let (before, _) = read_profile(&customer).await;
    let sixth = set_email(&customer, &address("hourly-5")).await;
    assert_eq!(sixth.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u32 = sixth.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((3000..=3600).contains(&retry), "{retry}");
    let problem: Value = sixth.json().await.unwrap();
    assert_eq!(
        problem["type"],
        "urn:customer-profile:problem:too-many-codes"
    );
    assert_eq!(read_profile(&customer).await.0, before, "nothing changed");
    assert_eq!(codes(&receiver, &first, 1).await.len(), 1);
    receiver.stop().await;
}

#[tokio::test]
async fn an_address_gets_ten_codes_a_day_from_all_customers_together() {
    let (t, receiver) = tenant("daily", 600).await;
    let victim = address("victim");
    for n in 0..10 {
        let customer = token(&t, &format!("bomber-{n}"), json!({}));
        assert_eq!(
            set_email(&customer, &victim).await.status(),
            StatusCode::OK,
            "{n}"
        );
    }
    let eleventh = set_email(&token(&t, "bomber-10", json!({})), &victim).await;
    assert_eq!(eleventh.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another address is not limited by this one's day.
    let other = set_email(&token(&t, "bomber-10", json!({})), &address("other")).await;
    assert_eq!(other.status(), StatusCode::OK);
    assert_eq!(codes(&receiver, &victim, 10).await.len(), 10);
    receiver.stop().await;
}

#[tokio::test]
async fn a_token_the_programme_marked_verified_wins_over_a_squatter() {
    let (t, receiver) = tenant("token", 600).await;
    let wanted = address("owner");
    // Squatters: one whose profile began with the address unproven (a claim
    // that blocks nobody), one with a pending change to it.
    let first = token(&t, "first", json!({"email": wanted}));
    assert_eq!(read_profile(&first).await.0["email_status"], "unverified");
    let pending = token(&t, "pending", json!({}));
    assert_eq!(set_email(&pending, &wanted).await.status(), StatusCode::OK);

    let owner = token(
        &t,
        "owner",
        json!({"email": wanted, "email_verified": true}),
    );
    let (profile, _) = read_profile(&owner).await;
    assert_eq!(profile["email"], wanted.as_str());
    assert_eq!(profile["email_status"], "verified");
    // At a later login, a token's other address changes nothing stored.
    let later = token(
        &t,
        "owner",
        json!({"email": address("later"), "email_verified": true}),
    );
    assert_eq!(read_profile(&later).await.0["email"], wanted.as_str());
    // The pending squatter proves the mailbox too late; an unproven token gets nothing.
    let (status, _) = verify(&pending, &code(&receiver, &wanted).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let unproven = token(&t, "unproven", json!({"email": wanted}));
    assert!(read_profile(&unproven).await.0.get("email").is_none());
    receiver.stop().await;
}

#[tokio::test]
async fn an_admin_sets_a_verified_address_directly_and_the_history_says_so() {
    let (t, receiver) = tenant("admin", 600).await;
    let (admin, _) = key(&t, &["customers:read", "customers:write"]).await;
    let customer = token(&t, "eva", json!({}));
    let (_, etag) = read_profile(&customer).await;
    let wanted = address("admin");
    let response = http()
        .patch(format!("{}/v1/customers/eva", base_url()))
        .bearer_auth(&admin)
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", etag)
        .body(json!({"email": wanted, "email_status": "verified"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (profile, _) = read_profile(&customer).await;
    assert_eq!(
        (profile["email"].as_str(), profile["email_status"].as_str()),
        (Some(wanted.as_str()), Some("verified"))
    );
    let history: Value = http()
        .get(format!("{}/v1/customers/eva/history", base_url()))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entry = &history["entries"][0];
    assert!(
        entry["actor"].as_str().unwrap().starts_with("key:"),
        "{entry}"
    );
    assert!(
        entry["fields"]
            .as_array()
            .unwrap()
            .contains(&json!("email_status"))
    );
    // The customer cannot mark an address proven.
    let (_, etag) = read_profile(&customer).await;
    let refused = http()
        .patch(me(""))
        .bearer_auth(&customer)
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", etag)
        .body(json!({"email_status": "bounced"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        of_type(&receiver.received().await, CODE_EVENT).is_empty(),
        "no code"
    );
    receiver.stop().await;
}

/// The endpoint's dead letters' events.
async fn dead_letters(t: &str, endpoint: &str) -> Vec<Value> {
    let page: Value = http()
        .get(format!(
            "{}/v1/tenants/{t}/webhooks/{endpoint}/dead-letters",
            base_url()
        ))
        .bearer_auth(operator_key())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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
        let log: Value = http()
            .get(&url)
            .bearer_auth(operator_key())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
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
