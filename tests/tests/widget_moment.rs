//! A `date_time` custom field in Chromium: shown and typed in the reader's
//! own time zone, stored in UTC.

use e2e::{Browser, Cdp, patch_over_api, stored_profile, unique_customer};
use serde_json::json;

const FIELD: &str = "#cp-custom_fields-next_tasting";

#[tokio::test]
async fn a_moment_is_shown_and_typed_in_the_readers_zone_and_stored_in_utc() {
    let customer = unique_customer("widget-moment");
    let tasting =
        json!({"last_name": "Lind", "custom_fields": {"next_tasting": "2026-06-04T19:00:00Z"}});
    patch_over_api(&customer, &tasting).await;
    let browser = Browser::start().await;
    browser
        .client
        .issue_cmd(Cdp(
            "Emulation.setTimezoneOverride",
            json!({"timezoneId": "Europe/Oslo"}),
        ))
        .await
        .unwrap();
    browser.goto_demo(&customer).await;
    // 19:00 UTC is 21:00 in Oslo in June (summer time).
    browser
        .wait_for_widget_prop(FIELD, "value", "2026-06-04T21:00")
        .await;
    let kind = browser
        .in_widget(&format!("return root.querySelector('{FIELD}').type;"))
        .await;
    assert_eq!(kind, "datetime-local");
    // What the customer picks, as the browser reports it: 18:30 in Oslo in
    // December (winter time) is 17:30 UTC.
    browser
        .in_widget(&format!(
            "const input = root.querySelector('{FIELD}');
             input.value = '2026-12-24T18:30';
             input.dispatchEvent(new Event('input', {{bubbles: true}}));"
        ))
        .await;
    browser.save_and_wait().await;
    browser.close().await;
    let profile = stored_profile(&customer).await;
    assert_eq!(
        profile["custom_fields"]["next_tasting"],
        "2026-12-24T17:30:00Z"
    );
}
