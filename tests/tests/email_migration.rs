//! E-mail claims stored before addresses were proven, migrated: the fixture
//! of that stored data (`tests/stored/before-email-proofs.json`) is written
//! into its objects on the real workerd (`POST /dev/fixture`), which migrate
//! it as at their first start after the upgrade.

use e2e::{base_url, dev_var, http, now, read_profile, sign, unique_customer};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn claims_stored_before_proofs_block_nobody_after_the_migration() {
    let fixture: Value = serde_json::from_str(
        &std::fs::read_to_string(xtask::root().join("tests/stored/before-email-proofs.json"))
            .unwrap(),
    )
    .unwrap();
    let restored = http()
        .post(format!("{}/dev/fixture", base_url()))
        .json(&fixture)
        .send()
        .await
        .unwrap();
    assert_eq!(restored.status(), StatusCode::NO_CONTENT);
    let email = fixture["email_claims"][0]["email"].as_str().unwrap();
    let secret = dev_var("DEMO_TENANT_SECRET").unwrap();
    let demo = |customer: &str, more: Value| {
        let mut claims = json!({"iss": "demo", "sub": customer, "aud": "customer-profile",
            "iat": now(), "exp": now() + 600});
        claims
            .as_object_mut()
            .unwrap()
            .extend(more.as_object().unwrap().clone());
        sign(&claims, &secret)
    };
    // The customer stored then reads as before, with nothing pending.
    let legacy = fixture["customers"][0]["subject"].as_str().unwrap();
    let (profile, _) = read_profile(&demo(legacy, json!({}))).await;
    assert_eq!(profile["email"], email);
    assert_eq!(profile["email_status"], "unverified");
    assert!(profile.get("pending_email").is_none());
    // An unproven address blocked everyone then; a proven one takes it now.
    let owner = demo(
        &unique_customer("fixture-owner"),
        json!({"email": email, "email_verified": true}),
    );
    let (profile, _) = read_profile(&owner).await;
    assert_eq!(
        profile["email"], email,
        "the old unproven claim blocked the owner"
    );
    assert_eq!(profile["email_status"], "verified");
    let after = demo(&unique_customer("fixture-late"), json!({"email": email}));
    assert!(read_profile(&after).await.0.get("email").is_none());
}
