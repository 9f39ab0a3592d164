//! The walking skeleton over HTTP, as a tenant's site or a curl user calls it.

use e2e::{base_url, demo_token, dev_var, http, no_dev_base_url, now, sign, unique_customer};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

fn me() -> String {
    format!("{}/v1/customers/me", base_url())
}

async fn get_me(token: &str) -> Response {
    http().get(me()).bearer_auth(token).send().await.unwrap()
}

async fn patch_me(token: &str, if_match: Option<&str>, body: &str) -> Response {
    let mut request = http()
        .patch(me())
        .bearer_auth(token)
        .header("Content-Type", "application/merge-patch+json")
        .body(body.to_owned());
    if let Some(etag) = if_match {
        request = request.header("If-Match", etag);
    }
    request.send().await.unwrap()
}

fn etag(response: &Response) -> String {
    response.headers()["etag"].to_str().unwrap().to_owned()
}

async fn problem(response: Response) -> Value {
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    response.json().await.unwrap()
}

#[tokio::test]
async fn health_check_answers_ok() {
    let response = http()
        .get(format!("{}/healthz", base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"status": "ok"})
    );
}

#[tokio::test]
async fn a_first_name_saved_with_patch_is_read_back() {
    let token = demo_token(&unique_customer("api"));
    let first = get_me(&token).await;
    assert_eq!(first.status(), StatusCode::OK);
    let first_etag = etag(&first);
    let profile: Value = first.json().await.unwrap();
    assert_eq!(profile["tenant"], "demo");
    assert!(profile.get("first_name").is_none());

    let saved = patch_me(&token, Some(&first_etag), r#"{"first_name": "  Åsa "}"#).await;
    assert_eq!(saved.status(), StatusCode::OK);
    let saved_etag = etag(&saved);
    assert_ne!(saved_etag, first_etag);
    assert_eq!(saved.json::<Value>().await.unwrap()["first_name"], "Åsa");

    let again = get_me(&token).await;
    assert_eq!(etag(&again), saved_etag);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["first_name"], "Åsa");
    assert_eq!(again["id"], profile["id"]);
}

#[tokio::test]
async fn if_none_match_with_the_current_etag_gives_304() {
    let token = demo_token(&unique_customer("api-304"));
    let current = etag(&get_me(&token).await);
    let response = http()
        .get(me())
        .bearer_auth(&token)
        .header("If-None-Match", &current)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn patch_without_if_match_is_refused_with_428() {
    let token = demo_token(&unique_customer("api-428"));
    let response = patch_me(&token, None, r#"{"first_name": "Eva"}"#).await;
    assert_eq!(response.status(), StatusCode::PRECONDITION_REQUIRED);
    assert_eq!(problem(response).await["status"], 428);
}

#[tokio::test]
async fn stale_if_match_is_refused_with_412_and_the_current_etag() {
    let token = demo_token(&unique_customer("api-412"));
    let old = etag(&get_me(&token).await);
    let saved = patch_me(&token, Some(&old), r#"{"first_name": "Eva"}"#).await;
    assert_eq!(saved.status(), StatusCode::OK);
    let current = etag(&saved);
    let stale = patch_me(&token, Some(&old), r#"{"first_name": "Ola"}"#).await;
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(etag(&stale), current);
    assert_eq!(
        get_me(&token).await.json::<Value>().await.unwrap()["first_name"],
        "Eva"
    );
}

#[tokio::test]
async fn an_invalid_name_is_refused_with_422_and_nothing_changes() {
    let token = demo_token(&unique_customer("api-422"));
    let current = etag(&get_me(&token).await);
    let response = patch_me(
        &token,
        Some(&current),
        r#"{"first_name": "<script>", "version": 99}"#,
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = problem(response).await;
    let mut errors: Vec<(String, String)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert!(!e["message"].as_str().unwrap().is_empty());
            (
                e["pointer"].as_str().unwrap().into(),
                e["code"].as_str().unwrap().into(),
            )
        })
        .collect();
    errors.sort();
    assert_eq!(
        errors,
        [
            ("/first_name".to_owned(), "InvalidCharacters".to_owned()),
            ("/version".to_owned(), "ReadOnly".to_owned())
        ]
    );
    assert_eq!(etag(&get_me(&token).await), current);
}

#[tokio::test]
async fn malformed_json_is_refused_with_400_naming_the_position() {
    let token = demo_token(&unique_customer("api-400"));
    let current = etag(&get_me(&token).await);
    let response = patch_me(&token, Some(&current), "{\"first_name\": ").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let detail = problem(response).await["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(detail.contains("line 1, column"), "{detail}");
}

#[tokio::test]
async fn a_body_that_is_not_json_is_refused_with_415() {
    let token = demo_token(&unique_customer("api-415"));
    let current = etag(&get_me(&token).await);
    let response = http()
        .patch(me())
        .bearer_auth(&token)
        .header("Content-Type", "text/plain")
        .header("If-Match", current)
        .body("first_name=Eva")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn bad_tokens_are_refused_with_401_invalid_token() {
    let secret = dev_var("DEMO_TENANT_SECRET").unwrap();
    let customer = unique_customer("api-401");
    let claims = |overrides: Value| {
        let mut claims = json!({"iss": "demo", "sub": customer, "aud": "customer-profile", "iat": now(), "exp": now() + 600});
        for (k, v) in overrides.as_object().unwrap() {
            claims[k] = v.clone();
        }
        claims
    };
    let cases = [
        ("no token", String::new()),
        ("not a JWT", "garbage".to_owned()),
        (
            "wrong secret",
            sign(
                &claims(json!({})),
                "another-secret-that-is-long-enough-0123",
            ),
        ),
        (
            "expired",
            sign(&claims(json!({"exp": now() - 3600})), &secret),
        ),
        (
            "wrong audience",
            sign(&claims(json!({"aud": "someone-else"})), &secret),
        ),
        (
            "unknown tenant",
            sign(&claims(json!({"iss": "nobody"})), &secret),
        ),
        (
            "lives too long",
            sign(&claims(json!({"exp": now() + 3 * 24 * 3600})), &secret),
        ),
    ];
    for (case, token) in cases {
        let mut request = http().get(me());
        if !token.is_empty() {
            request = request.bearer_auth(&token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{case}");
        assert_eq!(
            response.headers()["www-authenticate"],
            r#"Bearer error="invalid_token""#,
            "{case}"
        );
    }
}

#[tokio::test]
async fn the_tenant_api_needs_the_operator_key_and_never_shows_secrets() {
    let url = format!("{}/v1/tenants/demo", base_url());
    let anonymous = http().get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let wrong = http()
        .get(&url)
        .bearer_auth("not-the-operator-key")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    let operator = dev_var("OPERATOR_KEY").unwrap();
    let shown = http()
        .get(&url)
        .bearer_auth(&operator)
        .send()
        .await
        .unwrap();
    assert_eq!(shown.status(), StatusCode::OK);
    let text = shown.text().await.unwrap();
    assert!(text.contains("\"alg\":\"HS256\""), "{text}");
    assert!(
        !text.contains(&dev_var("DEMO_TENANT_SECRET").unwrap()),
        "{text}"
    );
    assert!(!text.contains("secret"), "{text}");
}

#[tokio::test]
async fn the_dev_token_endpoint_mints_a_working_token_in_dev() {
    let response = http()
        .get(format!("{}/dev/token?sub=dev-endpoint-check", base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let token = response.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let profile: Value = get_me(&token).await.json().await.unwrap();
    assert_eq!(profile["external_id"], "dev-endpoint-check");
}

#[tokio::test]
async fn without_the_dev_variable_the_token_endpoint_and_demo_page_do_not_exist() {
    for path in ["/dev/token", "/dev/token?sub=anyone", "/demo"] {
        let response = http()
            .get(format!("{}{path}", no_dev_base_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    // The same build answers its API there: it is the endpoint that is gone.
    let health = http()
        .get(format!("{}/healthz", no_dev_base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}

#[test]
fn deployed_configuration_never_turns_on_dev_endpoints() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../worker/wrangler.toml");
    let config: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
    let mut var_tables = vec![config.get("vars")];
    if let Some(toml::Value::Table(envs)) = config.get("env") {
        var_tables.extend(envs.values().map(|env| env.get("vars")));
    }
    for vars in var_tables.into_iter().flatten() {
        assert!(
            vars.get("DEV_ENDPOINTS").is_none(),
            "wrangler.toml [vars] sets DEV_ENDPOINTS"
        );
    }
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../worker/.dev.vars.example"
    ))
    .unwrap();
    assert!(example.lines().any(|l| l.trim() == "DEV_ENDPOINTS=on"));
}

#[tokio::test]
async fn a_new_profile_takes_its_first_name_from_the_token_when_it_is_valid() {
    let secret = dev_var("DEMO_TENANT_SECRET").unwrap();
    let token = |customer: &str, given_name: &str| {
        sign(
            &json!({"iss": "demo", "sub": customer, "aud": "customer-profile", "iat": now(), "exp": now() + 600, "given_name": given_name}),
            &secret,
        )
    };
    let named = token(&unique_customer("api-given"), " Märta ");
    assert_eq!(
        get_me(&named).await.json::<Value>().await.unwrap()["first_name"],
        "Märta"
    );

    let refused = token(&unique_customer("api-given-bad"), "<b>Bob</b>");
    let response = get_me(&refused).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .json::<Value>()
            .await
            .unwrap()
            .get("first_name")
            .is_none()
    );
}

#[tokio::test]
async fn the_customer_cannot_write_programme_or_server_fields() {
    let token = demo_token(&unique_customer("api-read-only"));
    let before = get_me(&token).await;
    let current = etag(&before);
    let stored: Value = before.json().await.unwrap();
    for (patch, pointer) in [
        (json!({"loyalty": {"rank": "platinum"}}), "/loyalty"),
        (json!({"loyalty": {"member": true}}), "/loyalty"),
        (json!({"id": "00000000-0000-0000-0000-000000000000"}), "/id"),
        (json!({"version": 99}), "/version"),
        (json!({"email_status": "verified"}), "/email_status"),
        (json!({"card_code": "GOLD-1"}), "/card_code"),
    ] {
        let response = patch_me(&token, Some(&current), &patch.to_string()).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{patch}"
        );
        let body = problem(response).await;
        assert_eq!(body["errors"][0]["pointer"], pointer, "{patch}");
        assert_eq!(body["errors"][0]["code"], "ReadOnly", "{patch}");
    }
    let after = get_me(&token).await;
    assert_eq!(etag(&after), current);
    assert_eq!(
        after.json::<Value>().await.unwrap(),
        stored,
        "the stored profile is unchanged"
    );
}

#[tokio::test]
async fn the_widget_is_served_versioned_immutable_and_to_any_site() {
    let get = |path: String| async move {
        http()
            .get(format!("{}{path}", base_url()))
            .header("Origin", "https://shop.example")
            .send()
            .await
            .unwrap()
    };
    let header = |response: &reqwest::Response, name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let latest: Value = get("/widget/latest.json".into())
        .await
        .json()
        .await
        .unwrap();
    let module_path = latest["path"].as_str().unwrap().to_owned();
    assert!(module_path.starts_with("/widget/") && module_path.ends_with("/widget.js"));
    let wasm_path = module_path.replace("widget.js", "profile_web_bg.wasm");
    for (path, content_type) in [
        (module_path.clone(), "text/javascript"),
        (wasm_path, "application/wasm"),
    ] {
        let response = get(path.clone()).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(
            header(&response, "content-type").starts_with(content_type),
            "{path}"
        );
        assert_eq!(
            header(&response, "access-control-allow-origin"),
            "*",
            "{path}"
        );
        assert_eq!(
            header(&response, "cache-control"),
            "public, max-age=31536000, immutable",
            "{path}"
        );
    }
    // The integrity the README's snippet carries is the module's own hash.
    let module = get(module_path.clone()).await.bytes().await.unwrap();
    assert_eq!(latest["integrity"], xtask::build::integrity(&module));
    // The unversioned entry point always leads to the newest version.
    let entry = get("/widget/widget.js".into()).await;
    assert_eq!(header(&entry, "cache-control"), "no-cache");
    assert!(
        entry
            .text()
            .await
            .unwrap()
            .contains(&module_path.replace("/widget/", "./"))
    );
}
