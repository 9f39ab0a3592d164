//! Importing customers from a source system: 1,000 NDJSON lines in one
//! request, worked through by an import object; each line's result, and the
//! customers read back with their consent evidence and e-mail claims.

use e2e::admin::*;
use e2e::{base_url, http, now, read_profile, sign, unique_customer};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

async fn import(key: &str, content_type: &str, body: String) -> Response {
    http()
        .post(format!("{}/v1/customers/import", base_url()))
        .bearer_auth(key)
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_thousand_customers_are_imported_with_their_evidence_and_addresses() {
    let tenant_id = format!("admin-import-{}", now());
    tenant(&tenant_id).await;
    let (key, _) = key(&tenant_id, &["customers:read", "customers:write"]).await;
    let run = unique_customer("run");
    // One customer is there already: the import merges into their profile.
    let (existing, _) = read_profile(&customer_token(&tenant_id, "imp-0007")).await;
    assert_eq!(existing["version"], 1);
    let email = |i: usize| format!("imp-{i:04}-{run}@example.com");
    let mut lines: Vec<String> = (1..=1000)
        .map(|i| {
            json!({"external_id": format!("imp-{i:04}"), "first_name": "Åse", "email": email(i),
                "consents": {"sms": {"granted": true, "at": "2020-01-02T03:04:05Z",
                    "source": "old-crm", "policy_version": "v1"}}})
            .to_string()
        })
        .collect();
    lines[499] = json!({"external_id": "imp-0500", "email": "not an address"}).to_string();
    lines[699] = "{not json".into();
    // The old system proved this one's address.
    lines[998] = json!({"external_id": "imp-0999", "first_name": "Åse", "email": email(999),
        "email_status": "verified",
        "consents": {"sms": {"granted": true, "at": "2020-01-02T03:04:05Z",
            "source": "old-crm", "policy_version": "v1"}}})
    .to_string();

    let started = import(&key, "application/x-ndjson", lines.join("\n")).await;
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    let location = started.headers()["location"].to_str().unwrap().to_owned();
    let started: Value = started.json().await.unwrap();
    assert_eq!(started["lines"], 1000);

    let patient = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let started_at = tokio::time::Instant::now();
    let deadline = started_at + Duration::from_secs(400);
    let status = loop {
        // The import object answers between its chunks: a busy moment is no failure.
        let asked = patient
            .get(format!("{}{location}", base_url()))
            .bearer_auth(&key)
            .send()
            .await;
        let status: Value = match asked {
            Ok(response) => response.json().await.unwrap(),
            Err(_) => json!({}),
        };
        if status["done"] == 1000 {
            break status;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the import stalled at {}",
            status["done"]
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
    };
    println!(
        "imported 1,000 lines in {:.1} s",
        started_at.elapsed().as_secs_f64()
    );
    let results = status["results"].as_array().unwrap();
    assert_eq!(results.len(), 1000);
    let count = |outcome: &str| results.iter().filter(|r| r["outcome"] == outcome).count();
    assert_eq!(
        (count("created"), count("updated"), count("invalid")),
        (997, 1, 2),
        "{status}"
    );
    assert_eq!(results[6]["outcome"], "updated");
    assert_eq!(results[499]["errors"][0]["pointer"], "/email");
    assert_eq!(results[699]["line"], 700);
    assert_eq!(results[699]["errors"][0]["code"], "InvalidType");

    // A sample, read back as the programme's backend reads it.
    for i in [1, 7, 250, 999, 1000] {
        let read = get_customer(&key, &format!("imp-{i:04}")).await;
        assert_eq!(read.status(), StatusCode::OK, "imp-{i:04}");
        let profile: Value = read.json().await.unwrap();
        assert_eq!(profile["first_name"], "Åse");
        assert_eq!(profile["email"], email(i));
        let sms = &profile["consents"]["sms"];
        assert_eq!(
            (sms["granted"].clone(), sms["at"].clone()),
            (json!(true), json!("2020-01-02T03:04:05Z"))
        );
        assert_eq!(
            (sms["source"].clone(), sms["policy_version"].clone()),
            (json!("old-crm"), json!("v1"))
        );
        assert_eq!(profile["version"], if i == 7 { 2 } else { 1 });
    }
    assert_eq!(
        get_customer(&key, "imp-0500").await.status(),
        StatusCode::NOT_FOUND
    );
    // Their addresses are claimed: search finds them, and nobody else takes
    // one the old system proved (an unproven one blocks nobody: see email.rs).
    let found: Value = http()
        .post(format!("{}/v1/customers/search", base_url()))
        .bearer_auth(&key)
        .json(&json!({"email": email(999)}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found["customers"][0]["id"], "imp-0999");
    let taker = sign(
        &json!({"iss": tenant_id, "sub": "someone-else", "aud": "customer-profile", "iat": now(), "exp": now() + 600, "email": email(999)}),
        SECRET,
    );
    assert!(
        read_profile(&taker).await.0.get("email").is_none(),
        "the address stays imp-0999's"
    );
}

#[tokio::test]
async fn an_import_is_refused_whole_when_it_is_not_ndjson_or_too_long() {
    tenant("admin-import-bad").await;
    let (key, _) = key("admin-import-bad", &["customers:write"]).await;
    let (reader, _) = e2e::admin::key("admin-import-bad", &["customers:read"]).await;
    let line = json!({"external_id": "x"}).to_string();
    assert_eq!(
        import(&key, "application/json", line.clone())
            .await
            .status(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert_eq!(
        import(&reader, "application/x-ndjson", line.clone())
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let too_many = vec![line.as_str(); 1001].join("\n");
    let refused = import(&key, "application/x-ndjson", too_many).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        import(&key, "application/x-ndjson", "\n\n".into())
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let unknown = http()
        .get(format!(
            "{}/v1/customers/import/00000000-0000-4000-8000-000000000000",
            base_url()
        ))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}
