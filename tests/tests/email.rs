//! One e-mail address, one customer per tenant: the new address is claimed
//! before the profile is written, and the old one is released after.

use e2e::{base_url, demo_token, dev_var, http, now, sign, unique_customer};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn me() -> String {
    format!("{}/v1/customers/me", base_url())
}

async fn read(token: &str) -> (String, Value) {
    let response = http().get(me()).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    (etag, response.json().await.unwrap())
}

async fn set_email(token: &str, email: &str) -> reqwest::Response {
    let (etag, _) = read(token).await;
    http()
        .patch(me())
        .bearer_auth(token)
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", etag)
        .body(json!({"email": email}).to_string())
        .send()
        .await
        .unwrap()
}

fn address(label: &str) -> String {
    format!("{}@example.com", unique_customer(label))
}

#[tokio::test]
async fn an_address_another_customer_holds_is_refused_with_409() {
    let (ana, bo) = (
        demo_token(&unique_customer("ana")),
        demo_token(&unique_customer("bo")),
    );
    let shared = address("shared");
    assert_eq!(set_email(&ana, &shared).await.status(), StatusCode::OK);

    let before = read(&bo).await;
    let taken = set_email(&bo, &shared.to_uppercase()).await;
    assert_eq!(taken.status(), StatusCode::CONFLICT);
    let body: Value = taken.json().await.unwrap();
    assert_eq!(body["errors"][0]["pointer"], "/email");
    assert_eq!(body["errors"][0]["code"], "EmailTaken");
    assert_eq!(read(&bo).await, before, "nothing changed");
}

#[tokio::test]
async fn changing_an_address_releases_the_old_one() {
    let (ana, bo) = (
        demo_token(&unique_customer("ana")),
        demo_token(&unique_customer("bo")),
    );
    let first = address("first");
    assert_eq!(set_email(&ana, &first).await.status(), StatusCode::OK);
    assert_eq!(
        set_email(&ana, &address("second")).await.status(),
        StatusCode::OK
    );
    let response = set_email(&bo, &first).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(read(&bo).await.1["email"], first.as_str());
    assert_eq!(read(&bo).await.1["email_status"], "unverified");
}

#[tokio::test]
async fn of_twenty_customers_claiming_one_address_at_once_exactly_one_wins() {
    let wanted = address("wanted");
    let tokens: Vec<String> = (0..20)
        .map(|_| demo_token(&unique_customer("claimer")))
        .collect();
    for token in &tokens {
        read(token).await;
    }
    let attempts: Vec<_> = tokens
        .iter()
        .cloned()
        .map(|token| {
            let wanted = wanted.clone();
            tokio::spawn(async move { (set_email(&token, &wanted).await.status(), token) })
        })
        .collect();
    let mut winners = Vec::new();
    for attempt in attempts {
        let (status, token) = attempt.await.unwrap();
        match status {
            StatusCode::OK => winners.push(token),
            StatusCode::CONFLICT => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one customer holds the address");
    let mut holders = 0;
    for token in &tokens {
        if read(token).await.1["email"] == wanted.as_str() {
            holders += 1;
        }
    }
    assert_eq!(holders, 1);
}

#[tokio::test]
async fn a_new_profile_takes_the_tokens_email_unless_another_customer_holds_it() {
    let secret = dev_var("DEMO_TENANT_SECRET").unwrap();
    let email = address("from-token");
    let token = |customer: &str| {
        sign(
            &json!({"iss": "demo", "sub": customer, "aud": "customer-profile", "iat": now(), "exp": now() + 600,
                    "given_name": "Ingrid", "family_name": "Berg", "email": email}),
            &secret,
        )
    };
    let (_, first) = read(&token(&unique_customer("first"))).await;
    assert_eq!(first["email"], email.as_str());
    assert_eq!(first["last_name"], "Berg");
    let (_, second) = read(&token(&unique_customer("second"))).await;
    assert!(second.get("email").is_none(), "{second}");
    assert_eq!(second["first_name"], "Ingrid");
}

#[tokio::test]
async fn an_address_claimed_by_a_write_that_lost_its_race_blocks_nobody() {
    let wanted = address("raced");
    for _ in 0..5 {
        let ana = demo_token(&unique_customer("racer"));
        let (etag, _) = read(&ana).await;
        // Two writes of one version: the e-mail change must claim the address
        // first, so the name change usually wins and the e-mail write is refused.
        let patch = |body: Value| {
            let (ana, etag) = (ana.clone(), etag.clone());
            tokio::spawn(async move {
                http()
                    .patch(me())
                    .bearer_auth(&ana)
                    .header("Content-Type", "application/merge-patch+json")
                    .header("If-Match", etag)
                    .body(body.to_string())
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        };
        let email_write = patch(json!({"email": wanted}));
        let name_write = patch(json!({"first_name": "Ana"}));
        let (email_status, name_status) = (email_write.await.unwrap(), name_write.await.unwrap());
        assert!(email_status == StatusCode::OK || name_status == StatusCode::OK);
        if email_status == StatusCode::PRECONDITION_FAILED {
            // The losing write claimed the address and gave it up: another customer may take it.
            let bo = demo_token(&unique_customer("bo"));
            assert_eq!(set_email(&bo, &wanted).await.status(), StatusCode::OK);
            return;
        }
        assert_eq!(email_status, StatusCode::OK);
        // The e-mail write won this time: give the address back and race again.
        assert_eq!(
            set_email(&ana, &address("elsewhere")).await.status(),
            StatusCode::OK
        );
    }
    panic!("the e-mail write never lost the race in five tries");
}
