//! Hostile input and crashes, as a stranger or a customer would try them from
//! outside: nothing panics, nothing stored changes, nothing hidden is shown,
//! and the request after a refused one is served as usual.

use e2e::{
    base_url, demo_token, dev_var, http, now, put_tenant, read_profile, sign, unique_customer,
};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn me() -> String {
    format!("{}/v1/customers/me", base_url())
}

fn etag(response: &Response) -> String {
    response.headers()["etag"].to_str().unwrap().to_owned()
}

async fn patch(token: &str, if_match: &str, body: &str) -> Response {
    http()
        .patch(me())
        .bearer_auth(token)
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", if_match)
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

/// PATCHes `body` against the current version; returns the answer and
/// checks, when it is refused, that the whole stored profile is unchanged.
async fn patch_current(token: &str, body: &str) -> (StatusCode, Value) {
    let (before, tag) = read_profile(token).await;
    let response = patch(token, &tag, body).await;
    let status = response.status();
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        assert_eq!(
            read_profile(token).await,
            (before, tag),
            "a refused write changed nothing"
        );
    }
    (status, answer)
}

/// A tenant of these tests, signing with `secret` under the key id `dev`.
async fn tenant(id: &str, secret: &str, extra: Value) {
    let mut config =
        json!({"name": id, "token_keys": [{"kid": "dev", "alg": "HS256", "secret": secret}]});
    for (key, value) in extra.as_object().unwrap() {
        config[key] = value.clone();
    }
    put_tenant(id, &config).await;
}

fn token_of(tenant: &str, secret: &str, customer: &str) -> String {
    sign(
        &json!({"iss": tenant, "sub": customer, "aud": "customer-profile", "iat": now(), "exp": now() + 600}),
        secret,
    )
}

#[tokio::test]
async fn a_national_id_that_once_crashed_the_object_is_refused_and_the_next_request_is_served() {
    let secret = "swedish-tenant-secret-long-enough-0123";
    tenant(
        "trust-se",
        secret,
        json!({"rules": {"national_id_country": "SE"}}),
    )
    .await;
    let token = token_of("trust-se", secret, &unique_customer("trust-se"));
    for bad in ["1é123456789", "19811228-98é", "é"] {
        let (status, problem) =
            patch_current(&token, &json!({"national_id": bad}).to_string()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {problem}");
        assert_eq!(problem["errors"][0]["code"], "InvalidNationalId");
    }
    let (status, saved) = patch_current(
        &token,
        &json!({"national_id": "811228-9874", "first_name": "Eva"}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["first_name"], "Eva");
}

#[tokio::test]
async fn null_for_all_consents_withdraws_them_and_keeps_their_records() {
    let token = demo_token(&unique_customer("trust-consents"));
    let (status, _) = patch_current(
        &token,
        r#"{"consents": {"terms": {"granted": true}, "sms": {"granted": true}}}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, saved) = patch_current(&token, r#"{"consents": null}"#).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let consents = saved["consents"].as_object().unwrap();
    assert_eq!(consents.len(), 2, "{consents:?}");
    for (purpose, consent) in consents {
        assert_eq!(consent["granted"], false, "{purpose}");
        assert!(consent["at"].is_string(), "{purpose} keeps when it changed");
    }
    let (status, saved) = patch_current(&token, r#"{"consents": {"terms": null}}"#).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["consents"]["terms"]["granted"], false);
}

#[tokio::test]
async fn null_for_all_custom_fields_refuses_a_locked_one_and_changes_nothing() {
    let secret = "locked-fields-tenant-secret-long-enough-01";
    tenant(
        "trust-locked",
        secret,
        json!({"rules": {"custom_fields": [
            {"key": "member_no", "type": "text", "editable": false, "default": "M-1"},
            {"key": "nickname", "type": "text"}
        ]}}),
    )
    .await;
    let token = token_of("trust-locked", secret, &unique_customer("trust-locked"));
    let (status, _) = patch_current(&token, r#"{"custom_fields": {"nickname": "Kalle"}}"#).await;
    assert_eq!(status, StatusCode::OK);
    let (status, problem) = patch_current(&token, r#"{"custom_fields": null}"#).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["pointer"], "/custom_fields/member_no");
    assert_eq!(problem["errors"][0]["code"], "ReadOnly");
}

#[tokio::test]
async fn the_customer_reads_only_what_the_form_shows_and_writes_only_what_it_edits() {
    let secret = "hidden-fields-tenant-secret-long-enough-0";
    tenant(
        "trust-hidden",
        secret,
        json!({"rules": {"fields": {"national_id": {"shown": false}}}}),
    )
    .await;
    let token = token_of("trust-hidden", secret, &unique_customer("trust-hidden"));
    let (profile, _) = read_profile(&token).await;
    let schema: Value = http()
        .get(format!("{}/v1/customers/me/schema", base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let pointers: Vec<&str> = schema["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["fields"].as_array().unwrap())
        .map(|f| f["pointer"].as_str().unwrap())
        .collect();
    let record = [
        "id",
        "external_id",
        "tenant",
        "created",
        "updated",
        "version",
    ];
    for (key, value) in profile.as_object().unwrap() {
        match (key.as_str(), value) {
            // Maps are shown entry by entry.
            ("consents" | "custom_fields", Value::Object(entries)) => {
                for entry in entries.keys() {
                    let at = format!("/{key}/{entry}");
                    assert!(
                        pointers.iter().any(|p| p.starts_with(&at)),
                        "{at} is returned but the schema does not show it"
                    );
                }
            }
            _ => assert!(
                pointers.contains(&format!("/{key}").as_str()) || record.contains(&key.as_str()),
                "{key} is returned but the schema does not show it"
            ),
        }
    }
    let loyalty: Vec<&String> = profile["loyalty"].as_object().unwrap().keys().collect();
    assert_eq!(
        loyalty,
        ["has_card", "member"],
        "no flags, price lists or types"
    );
    for internal in [
        "notes",
        "crm_id",
        "estimated_birth_date",
        "national_id_verified",
        "acquisition",
        "updated_by",
    ] {
        assert!(profile.get(internal).is_none(), "{internal}");
    }
    for (body, pointer) in [
        (json!({"national_id": "811228-9874"}), "/national_id"),
        (json!({"national_id": null}), "/national_id"),
        (json!({"notes": null}), "/notes"),
        (json!({"loyalty": {"flags": []}}), "/loyalty/flags"),
    ] {
        let (status, problem) = patch_current(&token, &body.to_string()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{body}");
        assert_eq!(problem["errors"][0]["code"], "ReadOnly", "{body}");
    }
}

#[tokio::test]
async fn thousands_of_delivery_addresses_are_one_short_error() {
    let token = demo_token(&unique_customer("trust-list"));
    let items: Vec<Value> = (0..4700).map(|_| json!({"id": "a"})).collect();
    let body = json!({"delivery_addresses": items}).to_string();
    assert!(body.len() < 64 * 1024);
    let (status, problem) = patch_current(&token, &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"].as_array().unwrap().len(), 1, "{problem}");
    assert_eq!(problem["errors"][0]["code"], "TooMany");
}

#[tokio::test]
async fn an_answer_lists_at_most_fifty_errors_and_says_how_many_more() {
    let token = demo_token(&unique_customer("trust-cap"));
    let long = "x".repeat(101);
    let items: Vec<Value> = (0..10)
        .map(|i| {
            json!({"id": format!("a{i}"), "line1": long, "line2": long, "care_of": long, "city": long,
                   "house_number": long, "house_letter": long, "entrance": long, "floor": long, "po_box": long})
        })
        .collect();
    let (status, problem) =
        patch_current(&token, &json!({"delivery_addresses": items}).to_string()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"].as_array().unwrap().len(), 50);
    assert!(
        problem["errors_omitted"].as_u64().unwrap() >= 40,
        "{}",
        problem["errors_omitted"]
    );
    assert!(problem["detail"].as_str().unwrap().contains("first 50"));
}

#[tokio::test]
async fn integers_beyond_two_to_the_53_are_refused() {
    let token = demo_token(&unique_customer("trust-int"));
    for body in [
        r#"{"custom_fields": {"cups_per_day": 9007199254740993}}"#,
        r#"{"custom_fields": {"cups_per_day": 18446744073709551615}}"#,
        r#"{"custom_fields": {"cups_per_day": -9223372036854775808}}"#,
    ] {
        let (status, problem) = patch_current(&token, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let code = problem["errors"][0]["code"].as_str().unwrap();
        assert!(code == "AboveMaximum" || code == "BelowMinimum", "{code}");
    }
}

#[tokio::test]
async fn a_member_named_twice_is_refused_with_400() {
    let token = demo_token(&unique_customer("trust-dup"));
    let (status, problem) =
        patch_current(&token, r#"{"first_name": "Eva", "first_name": "Mallory"}"#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        problem["detail"].as_str().unwrap().contains("twice"),
        "{problem}"
    );
}

/// Sends raw HTTP/1.1 and gives the status line of the answer.
async fn raw_status(head: &str, body_chunks: &[Vec<u8>]) -> String {
    let address = base_url().trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    for chunk in body_chunks {
        // The server may answer and close before it has read everything.
        if stream.write_all(chunk).await.is_err() {
            break;
        }
    }
    let mut answer = vec![0; 4096];
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read(&mut answer))
        .await
        .expect("an answer within 20 s")
        .unwrap();
    let text = String::from_utf8_lossy(&answer[..read]).into_owned();
    text.lines().next().unwrap_or_default().to_owned()
}

// Under `wrangler dev`, wrangler's proxy holds an answer until the client has
// sent its whole body, so these tests send whole bodies; that a declared
// length is refused before reading is a unit test in worker/src/routes.rs.
#[tokio::test]
async fn a_body_declared_over_64_kib_is_refused_with_413() {
    let token = demo_token(&unique_customer("trust-length"));
    let (before, tag) = read_profile(&token).await;
    let host = base_url().trim_start_matches("http://").to_owned();
    let body = format!(
        "{{\"first_name\": \"Eva\", \"x\": \"{}\"}}",
        " ".repeat(70_000)
    );
    let head = format!(
        "PATCH /v1/customers/me HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/merge-patch+json\r\nIf-Match: {tag}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let status = raw_status(&head, &[body.into_bytes()]).await;
    assert!(status.contains(" 413 "), "{status}");
    assert_eq!(read_profile(&token).await, (before, tag));
}

#[tokio::test]
async fn a_chunked_body_is_cut_off_at_64_kib() {
    let token = demo_token(&unique_customer("trust-chunked"));
    let (before, tag) = read_profile(&token).await;
    let host = base_url().trim_start_matches("http://").to_owned();
    let head = format!(
        "PATCH /v1/customers/me HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/merge-patch+json\r\nIf-Match: {tag}\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let start = b"{\"first_name\": \"Eva\", \"x\":";
    let mut chunks = vec![
        format!("{:x}\r\n", start.len()).into_bytes(),
        start.to_vec(),
        b"\r\n".to_vec(),
    ];
    let filler = format!("{:x}\r\n{}\r\n", 16 * 1024, " ".repeat(16 * 1024)).into_bytes();
    chunks.extend(std::iter::repeat_n(filler, 8));
    chunks.push(b"2\r\n1}\r\n0\r\n\r\n".to_vec());
    let status = raw_status(&head, &chunks).await;
    assert!(status.contains(" 413 "), "{status}");
    assert_eq!(read_profile(&token).await, (before, tag));
}

#[tokio::test]
async fn a_wrong_method_gets_405_with_the_methods_allowed() {
    for (method, path, allowed) in [
        (
            Method::POST,
            "/v1/customers/me",
            "GET, PUT, PATCH, DELETE, OPTIONS",
        ),
        (Method::POST, "/v1/customers/me/schema", "GET, OPTIONS"),
        (Method::DELETE, "/v1/tenants/demo", "GET, PUT"),
        (Method::POST, "/healthz", "GET"),
    ] {
        let response = http()
            .request(method.clone(), format!("{}{path}", base_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_eq!(response.headers()["allow"], allowed, "{method} {path}");
    }
}

#[tokio::test]
async fn conditional_headers_follow_rfc_9110() {
    let token = demo_token(&unique_customer("trust-conditional"));
    let (_, tag) = read_profile(&token).await;
    let saved = patch(&token, "*", r#"{"first_name": "Eva"}"#).await;
    assert_eq!(
        saved.status(),
        StatusCode::OK,
        "If-Match: * matches the profile"
    );
    let tag2 = etag(&saved);
    let listed = patch(
        &token,
        &format!("\"v0\", {tag2}"),
        r#"{"first_name": "Ana"}"#,
    )
    .await;
    assert_eq!(
        listed.status(),
        StatusCode::OK,
        "a list that names the current version"
    );
    let tag3 = etag(&listed);
    let weak = patch(&token, &format!("W/{tag3}"), r#"{"first_name": "Ola"}"#).await;
    assert_eq!(
        weak.status(),
        StatusCode::PRECONDITION_FAILED,
        "If-Match compares strongly"
    );
    let old = patch(
        &token,
        &format!("{tag}, {tag2}"),
        r#"{"first_name": "Ola"}"#,
    )
    .await;
    assert_eq!(old.status(), StatusCode::PRECONDITION_FAILED);
    for if_none_match in [
        format!("W/{tag3}"),
        "*".to_owned(),
        format!("\"v0\", {tag3}"),
    ] {
        let response = http()
            .get(me())
            .bearer_auth(&token)
            .header("If-None-Match", &if_none_match)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::NOT_MODIFIED,
            "{if_none_match}"
        );
    }
}

#[tokio::test]
async fn every_answer_names_its_request_and_problems_are_never_cached() {
    let ok = http()
        .get(format!("{}/healthz", base_url()))
        .send()
        .await
        .unwrap();
    let ok_id = ok.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(ok_id.len(), 36, "{ok_id}");
    let refused = http().get(me()).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(refused.headers()["cache-control"], "no-store");
    let id = refused.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_ne!(id, ok_id);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["instance"], format!("urn:uuid:{id}"));
    // The Worker's log line carries the same id (the log is wrangler's output).
    if let Ok(log) = std::env::var("PROFILE_SERVER_LOG") {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(line) = text.lines().find(|l| l.contains(&id)) {
                assert!(
                    line.contains("/v1/customers/me") && line.contains("401"),
                    "{line}"
                );
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no log line has {id}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

#[tokio::test]
async fn six_tenants_saved_at_once_all_have_their_origins_answered() {
    let saves = (0..6).map(|i| async move {
        tenant(
            &format!("trust-origin-{i}"),
            "origin-race-tenant-secret-long-enough-01",
            json!({"allowed_origins": [format!("https://shop-{i}.trust.example")]}),
        )
        .await
    });
    futures_join_all(saves).await;
    for i in 0..6 {
        let response = http()
            .request(Method::OPTIONS, me())
            .header("Origin", format!("https://shop-{i}.trust.example"))
            .header("Access-Control-Request-Method", "GET")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "shop-{i}");
    }
}

/// Runs futures at once (the tests have no futures crate of their own).
async fn futures_join_all<F: std::future::Future<Output = ()> + Send + 'static>(
    futures: impl Iterator<Item = F>,
) {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    for handle in handles {
        handle.await.unwrap();
    }
}

#[tokio::test]
async fn origins_are_stored_as_browsers_send_them_and_only_https() {
    let put = |origins: Value| async move {
        http()
            .put(format!("{}/v1/tenants/trust-origins", base_url()))
            .bearer_auth(dev_var("OPERATOR_KEY").unwrap())
            .json(&json!({"name": "Origins", "allowed_origins": origins,
                          "token_keys": [{"kid": "dev", "alg": "HS256", "secret": "origins-tenant-secret-long-enough-0123"}]}))
            .send()
            .await
            .unwrap()
    };
    let saved = put(json!([
        "HTTPS://Shop.Trust.Example:443",
        "http://localhost:3000"
    ]))
    .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let config: Value = saved.json().await.unwrap();
    assert_eq!(
        config["allowed_origins"],
        json!(["https://shop.trust.example", "http://localhost:3000"])
    );
    for bad in [
        "http://shop.trust.example",
        "https://shop.trust.example/account",
        "*",
    ] {
        let refused = put(json!([bad])).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let problem: Value = refused.json().await.unwrap();
        assert_eq!(problem["errors"][0]["pointer"], "/allowed_origins/0");
    }
}

#[tokio::test]
async fn the_unicode_and_ascii_forms_of_one_domain_are_one_address() {
    let secret = dev_var("DEMO_TENANT_SECRET").unwrap();
    let local = unique_customer("kari");
    // Two tokens whose programme proved the address, in its two forms.
    let proven = |label: &str, domain: &str| {
        sign(
            &json!({"iss": "demo", "sub": unique_customer(label), "aud": "customer-profile",
                    "iat": now(), "exp": now() + 600,
                    "email": format!("{local}@{domain}"), "email_verified": true}),
            &secret,
        )
    };
    let (first, _) = read_profile(&proven("trust-idna-a", "bücher.example")).await;
    assert_eq!(first["email_status"], "verified", "{first}");
    let (second, _) = read_profile(&proven("trust-idna-b", "xn--bcher-kva.example")).await;
    assert!(
        second.get("email").is_none(),
        "one address, one holder: {second}"
    );
}
