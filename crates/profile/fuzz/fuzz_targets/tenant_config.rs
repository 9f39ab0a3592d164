//! Arbitrary bytes as the body of `PUT /v1/admin/tenants/{id}`, read as the
//! Worker reads it: strict JSON (a name given twice is refused), the
//! configuration's serde reader, origins normalized, every rule checked. No
//! step may panic; normalizing twice changes nothing; a configuration found
//! valid compiles its rules, builds its form in every language, and what is
//! stored and what the API shows read back as they were written.
#![no_main]

use libfuzzer_sys::fuzz_target;
use profile::messages::LANGUAGES;
use profile::schema::form_schema;
use profile::{Profile, Rules, customer_view};
use profile_worker::strict_json;
use profile_worker::tenant::{MAX_TOKEN_LIFETIME_SECONDS, TenantConfig};

fuzz_target!(|data: &[u8]| {
    let Ok(body) = strict_json::from_slice(data) else {
        return;
    };
    let Ok(mut config) = serde_json::from_value::<TenantConfig>(body) else {
        return;
    };
    config.normalize();
    let origins = config.allowed_origins.clone();
    config.normalize();
    assert_eq!(
        config.allowed_origins, origins,
        "normalizing twice changed the origins"
    );
    if !config.field_errors().is_empty() {
        return;
    }
    assert!((1..=MAX_TOKEN_LIFETIME_SECONDS).contains(&config.max_token_lifetime()));
    let rules = Rules::new(config.rules.clone()).expect("valid rules compile");
    for language in LANGUAGES {
        let _ = form_schema(&rules, language);
    }
    let empty = Profile::new(
        "p".into(),
        "t".into(),
        "c".into(),
        "2026-01-01T00:00:00Z".into(),
    );
    let _ = customer_view(&empty, &rules);

    let stored = serde_json::to_vec(&config).expect("a configuration serializes");
    let read: TenantConfig = serde_json::from_slice(&stored).expect("what is stored reads back");
    assert_eq!(
        serde_json::to_vec(&read).unwrap(),
        stored,
        "the stored form round-trips"
    );
    assert!(
        read.field_errors().is_empty(),
        "what was valid is valid when read back"
    );

    let shown = serde_json::to_vec(&config.redacted()).unwrap();
    let shown: TenantConfig =
        serde_json::from_slice(&shown).expect("what the API shows reads back");
    assert!(
        shown.token_keys.iter().all(|key| key.secret.is_none()),
        "a secret is shown"
    );
});
