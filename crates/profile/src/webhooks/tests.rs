use super::*;
use crate::error::Code;
use crate::events::EventType;

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
fn an_endpoint_takes_every_type_but_the_test_by_default() {
    let request: WebhookRequest =
        serde_json::from_str(r#"{"url": "https://crm.example.com/in"}"#).unwrap();
    assert_eq!(request.event_types.len(), EventType::ALL.len() - 1);
    assert!(!request.event_types.contains(&EventType::Test));
    assert!(serde_json::from_str::<WebhookRequest>(r#"{"url": "x", "secret": "y"}"#).is_err());
}
