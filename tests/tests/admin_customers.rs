//! Customers read, written and erased by id with an admin key, as a
//! programme's backend does: only its own tenant's, only within its scopes.

use e2e::admin::*;
use e2e::{base_url, http, now, read_profile, sign, unique_customer};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn a_key_reaches_only_its_tenant_and_only_within_its_scopes() {
    tenant("admin-a").await;
    tenant("admin-b").await;
    let (a_key, _) = key("admin-a", &["customers:read", "customers:write"]).await;
    let (reader, _) = key("admin-a", &["customers:read"]).await;
    let b_customer = unique_customer("admin-b");
    read_profile(&customer_token("admin-b", &b_customer)).await;
    let a_customer = unique_customer("admin-a");
    let (_, etag) = read_profile(&customer_token("admin-a", &a_customer)).await;

    // Tenant B's customer does not exist for tenant A's key, whatever it does.
    assert_eq!(
        get_customer(&a_key, &b_customer).await.status(),
        StatusCode::NOT_FOUND
    );
    let write = patch_customer(&a_key, &b_customer, "\"v1\"", json!({"notes": "x"})).await;
    assert_eq!(write.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        get_customer(&a_key, "nobody-here").await.status(),
        StatusCode::NOT_FOUND
    );

    // A key without customers:write reads but may not write.
    assert_eq!(
        get_customer(&reader, &a_customer).await.status(),
        StatusCode::OK
    );
    let refused = patch_customer(&reader, &a_customer, &etag, json!({"notes": "x"})).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(problem_type(refused).await.ends_with("missing-scope"));

    // Not a key at all, or a customer's token, on the admin routes.
    let token = customer_token("admin-a", &a_customer);
    for credential in [
        "",
        "cpk_admin-a_0123456789ab_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        token.as_str(),
    ] {
        assert_eq!(
            get_customer(credential, &a_customer).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // An admin key is no customer token.
    let me = http()
        .get(format!("{}/v1/customers/me", base_url()))
        .bearer_auth(&a_key)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_programme_writes_tier_and_card_which_the_customer_sees_but_cannot_change() {
    tenant("admin-loyalty").await;
    let (key, _) = key("admin-loyalty", &["customers:read", "customers:write"]).await;
    let customer = unique_customer("admin-loyalty");
    let token = customer_token("admin-loyalty", &customer);
    read_profile(&token).await;

    let read = get_customer(&key, &customer).await;
    assert_eq!(read.status(), StatusCode::OK);
    let etag = read.headers()["etag"].to_str().unwrap().to_owned();
    let cached = http()
        .get(customer_url(&customer))
        .bearer_auth(&key)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);

    let missing_if_match = http()
        .patch(customer_url(&customer))
        .bearer_auth(&key)
        .header("Content-Type", "application/merge-patch+json")
        .body(json!({"card_code": "7001"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(missing_if_match.status(), StatusCode::PRECONDITION_REQUIRED);
    let stale = patch_customer(&key, &customer, "\"v999\"", json!({"card_code": "7001"})).await;
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let server_owned =
        patch_customer(&key, &customer, &etag, json!({"id": "mine", "version": 9})).await;
    assert_eq!(server_owned.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let written = patch_customer(
        &key,
        &customer,
        &etag,
        json!({"card_code": "7001", "loyalty": {"member": true, "rank": "gold", "flags": ["vip"]}, "notes": "Prefers e-mail"}),
    )
    .await;
    assert_eq!(written.status(), StatusCode::OK);
    let profile: Value = written.json().await.unwrap();
    assert_eq!(profile["updated_by"], "admin");
    assert_eq!(profile["notes"], "Prefers e-mail");

    let (seen, seen_etag) = read_profile(&token).await;
    assert_eq!(seen["card_code"], "7001");
    assert_eq!(seen["loyalty"]["rank"], "gold");
    assert!(seen.get("notes").is_none(), "notes are the programme's");
    assert!(
        seen["loyalty"].get("flags").is_none(),
        "flags are the programme's"
    );
    let changed = http()
        .patch(format!("{}/v1/customers/me", base_url()))
        .bearer_auth(&token)
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", &seen_etag)
        .body(json!({"card_code": "1234", "loyalty": {"rank": "platinum"}}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(read_profile(&token).await.0["card_code"], "7001");
}

#[tokio::test]
async fn a_customer_id_with_any_printable_character_is_reached_percent_encoded() {
    tenant("admin-ids").await;
    let (key, _) = key("admin-ids", &["customers:read"]).await;
    let customer = format!("{} / 7?#%", unique_customer("admin ids"));
    read_profile(&customer_token("admin-ids", &customer)).await;
    let encoded: String = customer
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let read = get_customer(&key, &encoded).await;
    assert_eq!(read.status(), StatusCode::OK);
    let profile: Value = read.json().await.unwrap();
    assert_eq!(profile["external_id"], customer.as_str());
    // Not UTF-8, or not a possible id: nobody.
    for nobody in ["%FF", "%00", "caf%C3%A9"] {
        assert_eq!(
            get_customer(&key, nobody).await.status(),
            StatusCode::NOT_FOUND,
            "{nobody}"
        );
    }
}

#[tokio::test]
async fn erasing_a_customer_frees_their_address_and_is_in_the_audit_log() {
    tenant("admin-erase").await;
    let (eraser, eraser_id) = key("admin-erase", &["customers:erase"]).await;
    let (reader, _) = key("admin-erase", &["customers:read", "customers:write"]).await;
    let customer = unique_customer("admin-erase");
    let email = format!("{customer}@example.com");
    let token = sign(
        &json!({"iss": "admin-erase", "sub": customer, "aud": "customer-profile", "iat": now(), "exp": now() + 600, "email": email}),
        SECRET,
    );
    let (profile, _) = read_profile(&token).await;
    assert_eq!(profile["email"], email.as_str());
    let delete = |key: String, id: String| async move {
        http()
            .delete(customer_url(&id))
            .bearer_auth(key)
            .send()
            .await
            .unwrap()
    };
    assert_eq!(
        delete(reader.clone(), customer.clone()).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        delete(eraser.clone(), customer.clone()).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        get_customer(&reader, &customer).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        delete(eraser.clone(), customer.clone()).await.status(),
        StatusCode::NOT_FOUND
    );

    // The address is free: another customer takes it.
    let other = unique_customer("admin-erase");
    let other_token = sign(
        &json!({"iss": "admin-erase", "sub": other, "aud": "customer-profile", "iat": now(), "exp": now() + 600, "email": email}),
        SECRET,
    );
    assert_eq!(read_profile(&other_token).await.0["email"], email.as_str());

    let page: Value = get_json(
        format!("{}/v1/tenants/admin-erase/audit", base_url()),
        &operator_key(),
    )
    .await;
    let entry = &page["entries"][0];
    assert_eq!(entry["action"], "customer.erased");
    assert_eq!(entry["actor"], format!("key:{eraser_id}"));
    assert_eq!(entry["detail"]["profile"], profile["id"]);
    assert!(
        !page.to_string().contains(&customer),
        "no customer id in the log"
    );
}

/// The tenant's customers, every page, as the backend walks them.
async fn list_all(key: &str) -> (Vec<Value>, usize) {
    let (mut all, mut pages, mut cursor) = (Vec::new(), 0, None::<String>);
    loop {
        let mut url = format!("{}/v1/customers", base_url());
        if let Some(cursor) = &cursor {
            url = format!("{url}?cursor={cursor}");
        }
        let response = http().get(url).bearer_auth(key).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let page: Value = response.json().await.unwrap();
        pages += 1;
        all.extend(page["customers"].as_array().unwrap().iter().cloned());
        match page["next"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return (all, pages),
        }
    }
}

#[tokio::test]
async fn the_backend_lists_every_customer_across_pages_and_finds_one_by_profile_id() {
    let tenant_id = format!("admin-list-{}", now());
    tenant(&tenant_id).await;
    let (key, _) = key(&tenant_id, &["customers:read", "customers:erase"]).await;
    // 110 customers: more than one page.
    let mut created = Vec::new();
    for i in 0..110 {
        let customer = format!("c-{i:03}");
        read_profile(&customer_token(&tenant_id, &customer)).await;
        created.push(customer);
    }
    created.sort();
    // The index follows each profile's change moments later.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    let (listed, pages) = loop {
        let (listed, pages) = list_all(&key).await;
        if listed.len() == created.len() || tokio::time::Instant::now() > deadline {
            break (listed, pages);
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    };
    let ids: Vec<&str> = listed.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, created, "every customer once, in order");
    assert_eq!(pages, 2, "100 a page");
    assert!(
        listed
            .iter()
            .all(|c| c["version"] == 1 && c["updated"].is_string())
    );

    let first = &listed[0];
    let by_profile = get_customer(
        &key,
        &format!("id:{}", first["profile_id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(by_profile.status(), StatusCode::OK);
    let profile: Value = by_profile.json().await.unwrap();
    assert_eq!(profile["external_id"], first["id"]);
    assert_eq!(
        get_customer(&key, "id:no-such-profile").await.status(),
        StatusCode::NOT_FOUND
    );
    let bad_cursor = http()
        .get(format!("{}/v1/customers?cursor=%%%", base_url()))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(bad_cursor.status(), StatusCode::BAD_REQUEST);

    // Erased, it leaves the list.
    let erased = http()
        .delete(customer_url(first["id"].as_str().unwrap()))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), StatusCode::NO_CONTENT);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (listed, _) = list_all(&key).await;
        if listed.len() == created.len() - 1 {
            assert!(listed.iter().all(|c| c["id"] != first["id"]));
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the erased customer is still listed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
}

#[tokio::test]
async fn the_backend_finds_the_customer_who_holds_an_address() {
    tenant("admin-search").await;
    tenant("admin-search-other").await;
    let (key, _) = key("admin-search", &["customers:read"]).await;
    let customer = unique_customer("admin-search");
    let email = format!("{customer}@Example.com");
    let token = sign(
        &json!({"iss": "admin-search", "sub": customer, "aud": "customer-profile", "iat": now(), "exp": now() + 600, "email": email}),
        SECRET,
    );
    read_profile(&token).await;
    let search = |body: Value| {
        let key = key.clone();
        async move {
            http()
                .post(format!("{}/v1/customers/search", base_url()))
                .bearer_auth(key)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let found = search(json!({"email": email.to_uppercase()})).await;
    assert_eq!(found.status(), StatusCode::OK);
    let found: Value = found.json().await.unwrap();
    assert_eq!(found["customers"][0]["id"], customer.as_str());
    assert_eq!(found["customers"].as_array().unwrap().len(), 1);
    let nobody: Value = search(json!({"email": "nobody@example.com"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(nobody["customers"], json!([]));
    // Another tenant's customer with an address is nobody here.
    let other = unique_customer("admin-search-other");
    let other_email = format!("{other}@example.com");
    let other_token = sign(
        &json!({"iss": "admin-search-other", "sub": other, "aud": "customer-profile", "iat": now(), "exp": now() + 600, "email": other_email}),
        SECRET,
    );
    read_profile(&other_token).await;
    let elsewhere: Value = search(json!({"email": other_email}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(elsewhere["customers"], json!([]));
    for (bad, pointer) in [
        (json!({"email": "not an address"}), "/email"),
        (json!({}), "/email"),
        (json!({"email": 7}), "/email"),
        (json!({"email": "a@example.com", "phone": "1"}), "/phone"),
    ] {
        let refused = search(bad.clone()).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let problem: Value = refused.json().await.unwrap();
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{bad}");
    }
}
