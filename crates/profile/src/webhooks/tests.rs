use super::*;

#[test]
fn endpoints_are_https_or_loopback_http() {
    for url in [
        "https://crm.example.com/hooks",
        "https://crm.example.com:8443/hooks?tenant=a",
        "http://127.0.0.1:8787/dev/events",
        "http://localhost/x",
        "http://[::1]:9000/",
        "https://[2001:db8::1]/in",
    ] {
        assert_eq!(check_url("/url", url), None, "{url}");
    }
    for url in [
        "",
        "ftp://example.com/",
        "http://crm.example.com/hooks",
        "https://user:pw@example.com/",
        "https://example.com/a b",
        "https://example.com/#frag",
        "https:///path",
        "https://example.com:99999/",
        "https://example.com:/",
        "http://127.0.0.1.example.com/",
        "https://exa\u{0}mple.com/",
        "https://[::1/",
    ] {
        let error = check_url("/url", url).expect(url);
        assert_eq!(error.pointer, "/url");
        assert_eq!(error.code, Code::InvalidType, "{url}");
    }
    let long = format!("https://example.com/{}", "a".repeat(URL_MAX));
    assert_eq!(check_url("/url", &long).unwrap().code, Code::TooLong);
}

#[test]
fn the_default_schedule_retries_for_more_than_a_day_then_gives_up() {
    let settings = WebhookSettings::default();
    assert!(settings.errors("/webhooks").is_empty());
    let total: u32 = (1..).map_while(|n| settings.wait_after(n)).sum();
    assert!(total >= 24 * 3600, "{total}");
    assert_eq!(settings.wait_after(0), None);
    assert_eq!(settings.wait_after(1), Some(5));
    assert_eq!(settings.wait_after(7), Some(36000));
    assert_eq!(settings.wait_after(8), None);
}

#[test]
fn a_schedule_out_of_bounds_is_refused_with_pointers() {
    let settings = WebhookSettings {
        retry_seconds: vec![1, 0, MAX_RETRY_WAIT_SECONDS + 1],
        timeout_seconds: 31,
    };
    let errors: Vec<(String, Code)> = settings
        .errors("/webhooks")
        .into_iter()
        .map(|e| (e.pointer, e.code))
        .collect();
    assert_eq!(
        errors,
        [
            ("/webhooks/retry_seconds/1".into(), Code::BelowMinimum),
            ("/webhooks/retry_seconds/2".into(), Code::AboveMaximum),
            ("/webhooks/timeout_seconds".into(), Code::AboveMaximum),
        ]
    );
    let many = WebhookSettings {
        retry_seconds: vec![1; MAX_RETRIES + 1],
        ..WebhookSettings::default()
    };
    assert_eq!(many.errors("")[0].code, Code::TooMany);
}

#[test]
fn an_endpoint_takes_every_type_but_the_test_by_default_and_no_duplicate() {
    let request: WebhookRequest =
        serde_json::from_str(r#"{"url": "https://crm.example.com/in"}"#).unwrap();
    assert_eq!(request.event_types.len(), EventType::ALL.len() - 1);
    assert!(!request.event_types.contains(&EventType::Test));
    let errors = endpoint_errors(
        Some("https://crm.example.com/in"),
        Some(&[EventType::CustomerUpdated, EventType::CustomerUpdated]),
    );
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].pointer, "/event_types/1");
    assert_eq!(endpoint_errors(None, Some(&[]))[0].code, Code::Required);
    assert!(serde_json::from_str::<WebhookRequest>(r#"{"url": "x", "secret": "y"}"#).is_err());
}
