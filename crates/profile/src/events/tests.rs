use super::*;
use crate::ConsentPurpose;
use crate::rights::{Provenance, history_entry, ledger_entries};
use serde_json::json;

fn profile(version: u64, sms: Option<bool>) -> Profile {
    let mut profile = Profile::new(
        "p-1".into(),
        "demo".into(),
        "c-42".into(),
        "2026-12-01T10:00:00Z".into(),
    );
    profile.version = version;
    if let Some(granted) = sms {
        let consent = crate::Consent {
            granted,
            at: Some("2026-12-01T10:00:00Z".into()),
            source: Some("widget".into()),
            policy_version: Some("2026-03".into()),
        };
        profile.consents.insert(ConsentPurpose::Sms, consent);
    }
    profile
}

fn numbered() -> impl FnMut() -> String {
    let mut n = 0;
    move || {
        n += 1;
        format!("evt_{n}")
    }
}

#[test]
fn a_change_is_one_event_and_each_consent_change_one_more_without_values() {
    let (before, after) = (profile(3, Some(false)), profile(4, Some(true)));
    let by = Provenance {
        actor: "customer".into(),
        channel: "widget".into(),
        point_of_sale: None,
        acting_user: None,
    };
    let fields = vec!["first_name".to_owned(), "consents/sms".to_owned()];
    let entry = history_entry(HistoryKind::Changed, "2026-12-01T10:00:00Z", &by, fields);
    let ledger = ledger_entries(&before, &after, "customer");
    let events = events_of(&after, &entry, &ledger, numbered());
    let body = serde_json::to_value(&events).unwrap();
    assert_eq!(
        body,
        json!([
            {"id": "evt_1", "type": "customer.updated.v1", "tenant": "demo",
             "customer": {"id": "p-1", "external_id": "c-42"}, "version": 4,
             "at": "2026-12-01T10:00:00Z",
             "data": {"fields": ["first_name", "consents/sms"], "actor": "customer", "channel": "widget"}},
            {"id": "evt_2", "type": "consent.changed.v1", "tenant": "demo",
             "customer": {"id": "p-1", "external_id": "c-42"}, "version": 4,
             "at": "2026-12-01T10:00:00Z",
             "data": {"purpose": "sms", "granted": true, "at": "2026-12-01T10:00:00Z", "policy_version": "2026-03"}}
        ])
    );
    // What is sent reads back as it was.
    let read: Vec<Event> = serde_json::from_value(body).unwrap();
    assert_eq!(read, events);
}

#[test]
fn a_new_profile_is_created_and_every_type_is_spelled_with_its_version() {
    let after = profile(1, None);
    let by = Provenance {
        actor: "key:0123456789ab".into(),
        channel: "import".into(),
        point_of_sale: Some("Store 12".into()),
        acting_user: None,
    };
    let entry = history_entry(HistoryKind::Created, "2026-12-01T10:00:00Z", &by, vec![]);
    let events = events_of(&after, &entry, &[], numbered());
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, EventType::CustomerCreated);
    let data = serde_json::to_value(&events[0].data).unwrap();
    assert_eq!(data["point_of_sale"], "Store 12");
    for kind in EventType::ALL {
        assert!(kind.as_str().ends_with(".v1"), "{kind:?}");
        assert_eq!(EventType::parse(kind.as_str()), Some(kind));
    }
}

#[test]
fn the_signature_covers_id_time_and_body_as_standard_webhooks_says() {
    // The specification's own example (standard-webhooks, README).
    let content = signed_content(
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        r#"{"test": 2432232314}"#,
    );
    assert_eq!(
        content,
        r#"msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}"#
    );
    let two = signature_header(&["a2V5MQ==".into(), "a2V5Mg==".into()]);
    assert_eq!(two, "v1,a2V5MQ== v1,a2V5Mg==");
}

#[test]
fn only_a_code_past_its_expiry_counts_as_expired() {
    let code = |expires: serde_json::Value| {
        json!({"type": "email.verification_requested.v1",
               "data": {"email": "a@example.com", "code": "042917", "expires": expires, "language": "en"}})
    };
    let now = "2026-12-02T10:05:00.000Z";
    assert!(!code_expired(&code(json!("2026-12-02T10:10:00.000Z")), now));
    assert!(code_expired(&code(json!("2026-12-02T10:05:00.000Z")), now));
    assert!(code_expired(&code(json!("2026-12-02T09:59:59.999Z")), now));
    assert!(code_expired(&code(json!(null)), now), "no expiry, no use");
    let update =
        json!({"type": "customer.updated.v1", "data": {"expires": "2000-01-01T00:00:00Z"}});
    assert!(!code_expired(&update, now), "other events never expire");
}
