//! The customer's rights and the programme's proof, as a customer, a
//! programme's backend and its privacy officer meet them: the history of
//! changes with who and which channel (never the values), the consent
//! ledger with policy versions, export, erasure, and returning after it.

use e2e::admin::*;
use e2e::{base_url, http, now, put_tenant, read_profile, sign, unique_customer};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

fn me(path: &str) -> String {
    format!("{}/v1/customers/me{path}", base_url())
}

/// A tenant of this run with `privacy` settings and these consent policies.
async fn tenant_with(prefix: &str, privacy: Value, policies: Value) -> String {
    let id = format!("{prefix}-{}", now());
    put_tenant(
        &id,
        &json!({"name": id, "token_keys": [{"kid": "dev", "alg": "HS256", "secret": SECRET}],
            "privacy": privacy, "rules": {"consent_policies": policies}}),
    )
    .await;
    id
}

fn token_with(tenant: &str, customer: &str, claims: Value) -> String {
    let mut all = json!({"iss": tenant, "sub": customer, "aud": "customer-profile",
        "iat": now(), "exp": now() + 600});
    all.as_object_mut()
        .unwrap()
        .extend(claims.as_object().unwrap().clone());
    sign(&all, SECRET)
}

async fn send(request: RequestBuilder) -> Response {
    request.send().await.expect("a request")
}

async fn patch_me(token: &str, etag: &str, patch: Value, headers: &[(&str, &str)]) -> Response {
    let mut request = http()
        .patch(me(""))
        .bearer_auth(token)
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", etag)
        .body(patch.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    send(request).await
}

fn etag(response: &Response) -> String {
    response.headers()["etag"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn each_change_is_in_the_history_with_its_actor_and_channel_and_no_value() {
    let t = tenant_with("rights-history", json!({}), json!([])).await;
    let (admin_key, admin_id) = key(&t, &["customers:read", "customers:write"]).await;
    let customer = unique_customer("hist");
    let token = customer_token(&t, &customer);
    let (_, tag) = read_profile(&token).await;
    let changed = patch_me(
        &token,
        &tag,
        json!({"first_name": "Solveig", "mobile_phone": "+46701234567"}),
        &[
            ("X-Profile-Source", "widget"),
            ("X-Profile-Point-Of-Sale", "Store 12"),
        ],
    )
    .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let by_admin = patch_customer(
        &admin_key,
        &customer,
        &etag(&changed),
        json!({"notes": "Prefers e-mail"}),
    )
    .await;
    assert_eq!(by_admin.status(), StatusCode::OK);
    let started = send(
        http()
            .post(format!("{}/v1/customers/import", base_url()))
            .bearer_auth(&admin_key)
            .header("Content-Type", "application/x-ndjson")
            .body(json!({"external_id": customer, "last_name": "Lindqvist"}).to_string()),
    )
    .await;
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    let location = started.headers()["location"].to_str().unwrap().to_owned();
    for _ in 0..100 {
        let status = get_json(format!("{}{location}", base_url()), &admin_key).await;
        if status["done"] == status["lines"] {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let mine = get_json(me("/history"), &token).await;
    let theirs = get_json(format!("{}/history", customer_url(&customer)), &admin_key).await;
    assert_eq!(
        mine, theirs,
        "the customer and the programme read the same history"
    );
    let entries = mine["entries"].as_array().unwrap();
    let summary: Vec<(&str, &str, &str, Value)> = entries
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap(),
                e["actor"].as_str().unwrap(),
                e["channel"].as_str().unwrap(),
                e["fields"].clone(),
            )
        })
        .collect();
    let key_actor = format!("key:{admin_id}");
    assert_eq!(
        summary,
        [
            (
                "changed",
                key_actor.as_str(),
                "import",
                json!(["last_name"])
            ),
            ("changed", key_actor.as_str(), "api", json!(["notes"])),
            (
                "changed",
                "customer",
                "widget",
                json!(["first_name", "mobile_phone"])
            ),
            ("created", "customer", "api", json!([])),
        ],
        "newest first: {mine}"
    );
    assert_eq!(entries[2]["point_of_sale"], "Store 12");
    let text = mine.to_string();
    for value in ["Solveig", "+46701234567", "Prefers e-mail", "Lindqvist"] {
        assert!(
            !text.contains(value),
            "the history holds no value: {value} in {text}"
        );
    }

    // A bad channel is refused by name, and changes nothing.
    let (before, tag) = read_profile(&token).await;
    let refused = patch_me(
        &token,
        &tag,
        json!({"first_name": "X"}),
        &[("X-Profile-Source", "Not A Channel")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(
        problem["type"],
        "urn:customer-profile:problem:invalid-header"
    );
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("X-Profile-Source")
    );
    assert_eq!(read_profile(&token).await.0, before);

    // Another tenant's key reads no one here; a stranger's cursor is a 400.
    let other = tenant_with("rights-history-other", json!({}), json!([])).await;
    let (other_key, _) = key(&other, &["customers:read"]).await;
    let stranger = send(
        http()
            .get(format!("{}/history", customer_url(&customer)))
            .bearer_auth(&other_key),
    )
    .await;
    assert_eq!(stranger.status(), StatusCode::NOT_FOUND);
    let bad_cursor = send(http().get(me("/history?cursor=abc")).bearer_auth(&token)).await;
    assert_eq!(bad_cursor.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_history_is_paged_newest_first_by_cursor() {
    let t = tenant_with("rights-pages", json!({"writes_per_minute": 100}), json!([])).await;
    let token = customer_token(&t, &unique_customer("pages"));
    let (_, mut tag) = read_profile(&token).await;
    for i in 0..55 {
        let name = if i % 2 == 0 { "Ann" } else { "Bo" };
        let changed = patch_me(&token, &tag, json!({"middle_name": name}), &[]).await;
        assert_eq!(changed.status(), StatusCode::OK);
        tag = etag(&changed);
    }
    let first = get_json(me("/history"), &token).await;
    assert_eq!(first["entries"].as_array().unwrap().len(), 50);
    let next = first["next"].as_str().expect("a next page");
    let second = get_json(me(&format!("/history?cursor={next}")), &token).await;
    let rest = second["entries"].as_array().unwrap();
    assert_eq!(rest.len(), 6, "55 changes and the creation");
    assert_eq!(rest.last().unwrap()["kind"], "created");
    assert!(second.get("next").is_none());
    let all: Vec<&str> = first["entries"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest)
        .map(|e| e["at"].as_str().unwrap())
        .collect();
    assert!(
        all.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {all:?}"
    );
}

#[tokio::test]
async fn a_withdraw_then_grant_is_in_the_ledger_with_its_policy_versions() {
    let policy = |v: &str| json!([{"purpose": "sms", "version": v, "url": format!("https://example.com/sms/{v}")}]);
    let t = tenant_with("rights-ledger", json!({}), policy("2026-01")).await;
    let (rules_key, _) = key(&t, &["rules:write", "customers:read", "customers:write"]).await;
    let customer = unique_customer("ledger");
    let token = customer_token(&t, &customer);
    let schema = get_json(me("/schema"), &token).await;
    assert_eq!(
        schema["rules"]["consent_policies"],
        json!([{"purpose": "sms", "version": "2026-01", "url": "https://example.com/sms/2026-01"}]),
        "the schema gives the widget the policy in force"
    );
    let (_, tag) = read_profile(&token).await;
    let granted = patch_me(
        &token,
        &tag,
        json!({"consents": {"sms": {"granted": true}}}),
        &[("X-Profile-Source", "widget")],
    )
    .await;
    assert_eq!(granted.status(), StatusCode::OK);
    // The programme publishes a new policy; the customer withdraws, then grants again.
    let rules_url = format!("{}/v1/tenants/{t}/rules", base_url());
    let put = send(
        http()
            .put(&rules_url)
            .bearer_auth(&rules_key)
            .header("If-Match", "*")
            .json(&json!({"consent_policies": policy("2026-06")})),
    )
    .await;
    assert_eq!(put.status(), StatusCode::OK);
    let withdrawn = patch_me(
        &token,
        &etag(&granted),
        json!({"consents": {"sms": {"granted": false}}}),
        &[("X-Profile-Source", "widget")],
    )
    .await;
    assert_eq!(withdrawn.status(), StatusCode::OK);
    let again = patch_me(
        &token,
        &etag(&withdrawn),
        json!({"consents": {"sms": {"granted": true}}}),
        &[("X-Profile-Source", "pos")],
    )
    .await;
    assert_eq!(again.status(), StatusCode::OK);
    // Imported evidence enters with its own time and source.
    let started = send(
        http()
            .post(format!("{}/v1/customers/import", base_url()))
            .bearer_auth(&rules_key)
            .header("Content-Type", "application/x-ndjson")
            .body(
                json!({"external_id": customer, "consents": {"newsletter": {"granted": true,
                "at": "2019-05-04T10:00:00Z", "source": "old-crm", "policy_version": "v3"}}})
                .to_string(),
            ),
    )
    .await;
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    let mut record = Value::Null;
    for _ in 0..100 {
        record = get_json(me("/consents"), &token).await;
        if record["ledger"].as_array().unwrap().len() == 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let ledger: Vec<(&str, bool, &str, Option<&str>)> = record["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["purpose"].as_str().unwrap(),
                e["granted"].as_bool().unwrap(),
                e["source"].as_str().unwrap(),
                e["policy_version"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        ledger,
        [
            ("sms", true, "widget", Some("2026-01")),
            ("sms", false, "widget", Some("2026-06")),
            ("sms", true, "pos", Some("2026-06")),
            ("newsletter", true, "old-crm", Some("v3")),
        ],
        "in the order given: {record}"
    );
    assert_eq!(record["ledger"][3]["at"], "2019-05-04T10:00:00Z");
    assert_eq!(record["ledger"][0]["actor"], "customer");
    assert_eq!(record["consents"]["sms"]["granted"], true);
    assert_eq!(record["consents"]["sms"]["policy_version"], "2026-06");
    let by_admin = get_json(format!("{}/consents", customer_url(&customer)), &rules_key).await;
    assert_eq!(by_admin, record, "the programme proves the same consents");
}

async fn export(token: &str) -> (Value, String) {
    let response = send(http().get(me("/export")).bearer_auth(token)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    (response.json().await.unwrap(), disposition)
}

#[tokio::test]
async fn an_export_then_an_erasure_then_an_export_that_holds_nothing_personal() {
    let t = tenant_with("rights-erase", json!({}), json!([])).await;
    let (admin_key, _) = key(&t, &["customers:read"]).await;
    let customer = unique_customer("erase");
    let email = format!("{customer}@example.com");
    let token = token_with(
        &t,
        &customer,
        json!({"given_name": "Ingrid", "email": email}),
    );
    let (profile, tag) = read_profile(&token).await;
    let changed = patch_me(
        &token,
        &tag,
        json!({"last_name": "Bergström", "consents": {"sms": {"granted": true}}}),
        &[],
    )
    .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let (before, disposition) = export(&token).await;
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert_eq!(before["profile"]["first_name"], "Ingrid");
    assert_eq!(before["profile"]["last_name"], "Bergström");
    assert_eq!(before["history"].as_array().unwrap().len(), 2);
    assert_eq!(before["consent_ledger"].as_array().unwrap().len(), 1);
    assert!(before.get("erasure").is_none());
    let by_admin = get_json(format!("{}/export", customer_url(&customer)), &admin_key).await;
    assert_eq!(by_admin["profile"], before["profile"]);

    // Erasure needs the current version.
    let without = send(http().delete(me("")).bearer_auth(&token)).await;
    assert_eq!(without.status(), StatusCode::PRECONDITION_REQUIRED);
    let stale = send(
        http()
            .delete(me(""))
            .bearer_auth(&token)
            .header("If-Match", &tag),
    )
    .await;
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let erased = send(
        http()
            .delete(me(""))
            .bearer_auth(&token)
            .header("If-Match", etag(&changed)),
    )
    .await;
    assert_eq!(erased.status(), StatusCode::NO_CONTENT);

    let (after, _) = export(&token).await;
    for gone in ["profile", "photo"] {
        assert!(after.get(gone).is_none(), "{gone} in {after}");
    }
    assert_eq!(after["history"], json!([]));
    assert_eq!(after["consent_ledger"], json!([]));
    assert_eq!(after["erasure"]["by"], "customer");
    assert_eq!(after["erasure"]["last_version"], 2);
    let text = after.to_string();
    for personal in [
        "Ingrid",
        "Bergström",
        email.as_str(),
        profile["id"].as_str().unwrap(),
    ] {
        assert!(!text.contains(personal), "{personal} in {text}");
    }
    let by_admin = get_json(format!("{}/export", customer_url(&customer)), &admin_key).await;
    assert_eq!(by_admin["erasure"], after["erasure"]);
    assert!(by_admin.get("profile").is_none());
    // Erasing again finds nothing; the address is free for someone else.
    let again = send(
        http()
            .delete(me(""))
            .bearer_auth(&token)
            .header("If-Match", "*"),
    )
    .await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    let other = token_with(&t, &unique_customer("erase-other"), json!({"email": email}));
    assert_eq!(read_profile(&other).await.0["email"], json!(email));
}

#[tokio::test]
async fn a_customer_who_returns_after_erasure_starts_empty_unless_returns_are_suppressed() {
    for suppress in [false, true] {
        let t = tenant_with(
            "rights-return",
            json!({"suppress_return_after_erasure": suppress}),
            json!([]),
        )
        .await;
        let (admin_key, _) = key(
            &t,
            &["customers:read", "customers:write", "customers:erase"],
        )
        .await;
        let customer = unique_customer("return");
        let claims = json!({"given_name": "Oskar", "family_name": "Nyberg", "email": format!("{customer}@example.com")});
        let token = token_with(&t, &customer, claims);
        let (first, tag) = read_profile(&token).await;
        assert_eq!(first["first_name"], "Oskar");
        let erased = send(
            http()
                .delete(customer_url(&customer))
                .bearer_auth(&admin_key)
                .header("If-Match", &tag),
        )
        .await;
        assert_eq!(erased.status(), StatusCode::NO_CONTENT);

        let returned = send(http().get(me("")).bearer_auth(&token)).await;
        if suppress {
            assert_eq!(returned.status(), StatusCode::GONE);
            assert_eq!(
                problem_type(returned).await,
                "urn:customer-profile:problem:erased"
            );
            let write = patch_me(&token, "*", json!({"first_name": "Oskar"}), &[]).await;
            assert_eq!(
                write.status(),
                StatusCode::GONE,
                "a write does not bring the profile back"
            );
            let started = send(
                http()
                    .post(format!("{}/v1/customers/import", base_url()))
                    .bearer_auth(&admin_key)
                    .header("Content-Type", "application/x-ndjson")
                    .body(json!({"external_id": customer, "first_name": "Oskar"}).to_string()),
            )
            .await;
            let location = started.headers()["location"].to_str().unwrap().to_owned();
            let mut status = Value::Null;
            for _ in 0..100 {
                status = get_json(format!("{}{location}", base_url()), &admin_key).await;
                if status["done"] == 1 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            assert_eq!(
                status["results"][0]["outcome"], "erased",
                "nor does an import: {status}"
            );
            let lifted = send(
                http()
                    .delete(format!("{}/suppression", customer_url(&customer)))
                    .bearer_auth(&admin_key),
            )
            .await;
            assert_eq!(lifted.status(), StatusCode::NO_CONTENT);
        } else {
            assert_eq!(returned.status(), StatusCode::OK);
            let never = send(
                http()
                    .delete(format!(
                        "{}/suppression",
                        customer_url(&unique_customer("never"))
                    ))
                    .bearer_auth(&admin_key),
            )
            .await;
            assert_eq!(never.status(), StatusCode::NOT_FOUND);
        }
        let (fresh, fresh_tag) = read_profile(&token).await;
        for claimed in ["first_name", "last_name", "email"] {
            assert!(
                fresh.get(claimed).is_none(),
                "{claimed} taken from the token again: {fresh}"
            );
        }
        assert_ne!(fresh["id"], first["id"], "a new profile, not the old one");
        assert_ne!(
            fresh_tag, tag,
            "no ETag of the old profile names the new one"
        );
        assert_eq!(fresh["version"], 2);
        let history = get_json(me("/history"), &token).await;
        assert_eq!(history["entries"].as_array().unwrap().len(), 1);
        let export = get_json(me("/export"), &token).await;
        assert!(
            export["erasure"]["by"]
                .as_str()
                .unwrap()
                .starts_with("key:")
        );
        assert_eq!(export["erasure"]["lifted"].is_string(), suppress);
    }
}

#[tokio::test]
async fn history_entries_older_than_the_retention_are_dropped_by_the_alarm() {
    let t = tenant_with(
        "rights-retention",
        json!({"history_retention_seconds": 2}),
        json!([]),
    )
    .await;
    let token = customer_token(&t, &unique_customer("retention"));
    let (_, tag) = read_profile(&token).await;
    let changed = patch_me(
        &token,
        &tag,
        json!({"middle_name": "Kept", "consents": {"sms": {"granted": true}}}),
        &[],
    )
    .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let fresh = get_json(me("/history"), &token).await;
    assert_eq!(fresh["entries"].as_array().unwrap().len(), 2);
    let mut history = fresh;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        history = get_json(me("/history"), &token).await;
        if history["entries"].as_array().unwrap().is_empty() {
            break;
        }
    }
    assert_eq!(
        history["entries"],
        json!([]),
        "dropped after 2 s (and the alarm's second)"
    );
    let (profile, _) = read_profile(&token).await;
    assert_eq!(profile["middle_name"], "Kept", "the profile itself stays");
    let consents = get_json(me("/consents"), &token).await;
    assert_eq!(
        consents["ledger"].as_array().unwrap().len(),
        1,
        "the ledger is proof, and stays"
    );
}
