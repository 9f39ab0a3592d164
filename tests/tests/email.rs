//! Proof that an e-mail address belongs to its customer. A customer's new
//! address waits as `pending_email` while its code goes out as the event
//! `email.verification_requested.v1` (here to a receiver on loopback, which
//! checks each signature with `standardwebhooks`); the right code claims it.
//! Before that, a free address and a member's get the same answer.

use e2e::admin::{get_json, key};
use e2e::email::*;
use e2e::receiver::of_type;
use e2e::{base_url, http, read_profile};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

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
    let history = get_json(me("/history"), &customer).await;
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
    // The same address again within the minute: no second code, no new
    // version, and no error.
    let (pending, _) = read_profile(&customer).await;
    assert_eq!(set_email(&customer, &first).await.status(), StatusCode::OK);
    assert_eq!(read_profile(&customer).await.0, pending);
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
    let history = get_json(format!("{}/v1/customers/eva/history", base_url()), &admin).await;
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

#[tokio::test]
async fn after_its_minute_the_same_address_gets_a_new_code_that_replaces_the_old() {
    let (t, receiver) = tenant("again", 600).await;
    let customer = token(&t, "gus", json!({}));
    let wanted = address("again");
    assert_eq!(set_email(&customer, &wanted).await.status(), StatusCode::OK);
    let first = code(&receiver, &wanted).await;
    tokio::time::sleep(Duration::from_secs(61)).await;
    let (before, _) = read_profile(&customer).await;
    assert_eq!(set_email(&customer, &wanted).await.status(), StatusCode::OK);
    assert_eq!(
        read_profile(&customer).await.0,
        before,
        "the profile is as it was"
    );
    let sent = codes(&receiver, &wanted, 2).await;
    let second = sent[1]["data"]["code"].as_str().unwrap().to_owned();
    assert_eq!(
        resend(&customer).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    if first != second {
        let (status, problem) = verify(&customer, &first).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "the old code: {problem}"
        );
    }
    let (status, profile) = verify(&customer, &second).await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(profile["email"], wanted.as_str());
    receiver.stop().await;
}
