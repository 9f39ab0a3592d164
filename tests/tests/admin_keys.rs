//! Admin keys as the operator issues, lists and revokes them, their scopes,
//! expiry and revocation time, and the tenant's audit log.

use e2e::admin::*;
use e2e::{base_url, http, now, read_profile, unique_customer};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

#[tokio::test]
async fn a_key_is_shown_once_listed_without_its_secret_and_revoked() {
    tenant("admin-keys").await;
    let response = issue(
        "admin-keys",
        json!({"name": "CRM sync", "scopes": ["customers:read"], "expires": "2099-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let shown: Value = response.json().await.unwrap();
    let key = shown["key"].as_str().unwrap().to_owned();
    let id = shown["id"].as_str().unwrap().to_owned();
    assert!(key.starts_with(&format!("cpk_admin-keys_{id}_")), "{key}");
    assert_eq!(shown["scopes"], json!(["customers:read"]));
    assert_eq!(shown["expires"], "2099-01-01T00:00:00Z");

    let listed = http()
        .get(keys_url("admin-keys"))
        .bearer_auth(operator_key())
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), StatusCode::OK);
    let text = listed.text().await.unwrap();
    let secret = key.rsplit('_').next().unwrap();
    assert!(!text.contains(secret), "the list shows no secret");
    let list: Value = serde_json::from_str(&text).unwrap();
    let mine = list["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == id.as_str())
        .expect("the key is listed");
    assert_eq!(mine["name"], "CRM sync");
    assert!(mine.get("key").is_none());

    // It works, its use is recorded, then it is revoked and refused at once.
    let customer = unique_customer("admin-keys");
    read_profile(&customer_token("admin-keys", &customer)).await;
    assert_eq!(get_customer(&key, &customer).await.status(), StatusCode::OK);
    let revoke = |id: String| async move {
        http()
            .delete(format!("{}/{id}", keys_url("admin-keys")))
            .bearer_auth(operator_key())
            .send()
            .await
            .unwrap()
    };
    assert_eq!(revoke(id.clone()).await.status(), StatusCode::NO_CONTENT);
    let refused = get_customer(&key, &customer).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(problem_type(refused).await.ends_with("invalid-key"));
    assert_eq!(
        revoke("0123456789ab".into()).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        revoke("not-a-key-id".into()).await.status(),
        StatusCode::NOT_FOUND
    );

    let list: Value = get_json(keys_url("admin-keys"), &operator_key()).await;
    let mine = list["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == id.as_str())
        .unwrap();
    assert!(
        mine["revoked"].is_string() && mine["last_used"].is_string(),
        "{mine}"
    );
}

#[tokio::test]
async fn only_the_operator_issues_keys_and_bad_requests_name_their_fields() {
    tenant("admin-issuing").await;
    let (admin_key, _) = key(
        "admin-issuing",
        &["customers:read", "customers:write", "rules:write"],
    )
    .await;
    for credential in [
        None,
        Some("wrong-operator-key-0123456789"),
        Some(admin_key.as_str()),
    ] {
        let mut request = http()
            .post(keys_url("admin-issuing"))
            .json(&json!({"name": "x", "scopes": ["customers:read"]}));
        if let Some(credential) = credential {
            request = request.bearer_auth(credential);
        }
        assert_eq!(
            request.send().await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
        let list = http()
            .get(keys_url("admin-issuing"))
            .bearer_auth(credential.unwrap_or(""))
            .send()
            .await
            .unwrap();
        assert_eq!(list.status(), StatusCode::UNAUTHORIZED);
    }
    let unknown_tenant = issue(
        "admin-no-such-tenant",
        json!({"name": "x", "scopes": ["customers:read"]}),
    )
    .await;
    assert_eq!(unknown_tenant.status(), StatusCode::NOT_FOUND);
    let bad = issue(
        "admin-issuing",
        json!({"name": "", "scopes": ["customers:read", "everything"], "expires": "2020-01-01T00:00:00Z", "owner": "me"}),
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = bad.json().await.unwrap();
    let mut pointers: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    pointers.sort();
    assert_eq!(pointers, ["/expires", "/name", "/owner", "/scopes/1"]);
}

#[tokio::test]
async fn an_expired_key_is_refused_and_a_key_is_checked_again_after_the_check_time() {
    tenant("admin-expiry").await;
    let customer = unique_customer("admin-expiry");
    read_profile(&customer_token("admin-expiry", &customer)).await;
    // Expires in three seconds (the API takes whole seconds).
    let at = time_after(3);
    let response = issue(
        "admin-expiry",
        json!({"name": "short", "scopes": ["customers:read"], "expires": at}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let shown: Value = response.json().await.unwrap();
    let short = shown["key"].as_str().unwrap().to_owned();
    assert_eq!(
        get_customer(&short, &customer).await.status(),
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(
        get_customer(&short, &customer).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // The tests' server keeps a key's answer KEY_CHECK_SECONDS = 2: its last
    // use is written when it is checked again, not at every request.
    let (key, id) = key("admin-expiry", &["customers:read"]).await;
    let last_used = || async {
        let list: Value = get_json(keys_url("admin-expiry"), &operator_key()).await;
        list["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["id"] == id.as_str())
            .unwrap()["last_used"]
            .clone()
    };
    assert_eq!(get_customer(&key, &customer).await.status(), StatusCode::OK);
    let first = last_used().await;
    assert!(first.is_string());
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(get_customer(&key, &customer).await.status(), StatusCode::OK);
    assert_eq!(
        last_used().await,
        first,
        "within the check time the answer is kept"
    );
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(get_customer(&key, &customer).await.status(), StatusCode::OK);
    assert_ne!(
        last_used().await,
        first,
        "after it the key is checked again"
    );
}

/// `YYYY-MM-DDTHH:MM:SSZ`, `seconds` from now.
fn time_after(seconds: u64) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp((now() + seconds) as i64).unwrap();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

#[tokio::test]
async fn the_audit_log_records_issuing_revoking_and_tenant_changes_newest_first() {
    tenant("admin-audit").await;
    let (_, id) = key("admin-audit", &["rules:write"]).await;
    let revoked = http()
        .delete(format!("{}/{id}", keys_url("admin-audit")))
        .bearer_auth(operator_key())
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    let audit = http()
        .get(format!("{}/v1/tenants/admin-audit/audit", base_url()))
        .bearer_auth(operator_key())
        .send()
        .await
        .unwrap();
    assert_eq!(audit.status(), StatusCode::OK);
    let page: Value = audit.json().await.unwrap();
    let entries = page["entries"].as_array().unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .take(3)
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["key.revoked", "key.issued", "tenant.changed"]);
    assert_eq!(entries[0]["detail"]["key"], id.as_str());
    assert_eq!(entries[0]["actor"], "operator");
    assert!(entries[0]["at"].as_str().unwrap().ends_with('Z'));
    let stranger = http()
        .get(format!("{}/v1/tenants/admin-audit/audit", base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), StatusCode::UNAUTHORIZED);
}

/// Every route of the table that needs credentials refuses a request with
/// none, and with each kind of credential that is not its own.
#[tokio::test]
async fn every_route_refuses_credentials_of_another_kind() {
    use profile::api::{Caller, ROUTES};
    tenant("admin-routes").await;
    let (admin_key, _) = key(
        "admin-routes",
        &[
            "customers:read",
            "customers:write",
            "customers:erase",
            "rules:write",
        ],
    )
    .await;
    let token = customer_token("admin-routes", &unique_customer("admin-routes"));
    let operator = operator_key();
    let mut tried = 0;
    for route in ROUTES.iter() {
        let own: &[&str] = match route.caller {
            Caller::Customer => &["customer"],
            Caller::Operator => &["operator"],
            Caller::Admin(_) => &["admin"],
            Caller::Manager(_) => &["operator", "admin"],
            _ => continue,
        };
        let path = route
            .path
            .replace("{tenant}", "admin-routes")
            .replace("{key_id}", "0123456789ab")
            .replace("{id}", "someone")
            .replace("{webhook_id}", "0123456789abcdef");
        let url = format!("{}{path}", base_url());
        let method = reqwest::Method::from_bytes(route.method.as_bytes()).unwrap();
        for (kind, credential) in [
            ("none", None),
            ("customer", Some(token.as_str())),
            ("operator", Some(operator.as_str())),
            ("admin", Some(admin_key.as_str())),
        ] {
            if own.contains(&kind) {
                continue;
            }
            let mut request = http()
                .request(method.clone(), &url)
                .header("Content-Type", "application/json")
                .header("If-Match", "*")
                .body("{}");
            if let Some(credential) = credential {
                request = request.bearer_auth(credential);
            }
            let status = request.send().await.unwrap().status();
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{} {} with {kind}",
                route.method,
                route.path
            );
            tried += 1;
        }
    }
    assert!(tried >= 40, "{tried} requests");
    println!("credentials of another kind: {tried} requests, all 401");
}
