//! A person changes their e-mail address on the demo page in Chromium, with
//! the keyboard alone, using the code that `/dev/events` shows (as in
//! `cargo xtask dev`, where the demo tenant's events go to that page).

use e2e::admin::{get_json, operator_key};
use e2e::{Browser, base_url, http, stored_profile, unique_customer};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::json;
use std::time::{Duration, Instant};

async fn keys(browser: &Browser, text: &str) {
    let mut actions = KeyActions::new("keyboard".into());
    for key in text.chars() {
        actions = actions
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
    }
    browser.client.perform_actions(actions).await.unwrap();
}

/// The code `/dev/events` shows for `email`, once it is there.
async fn code_on_dev_page(email: &str) -> String {
    let started = Instant::now();
    loop {
        let page = http()
            .get(format!("{}/dev/events", base_url()))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let row = page
            .split("<tr>")
            .find(|row| row.contains("verification-code") && row.contains(email));
        if let Some(row) = row {
            let start = row.find("verification-code\">").unwrap() + "verification-code\">".len();
            return row[start..start + 6].to_owned();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no code for {email} on /dev/events"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The other suites' demo customers need not be delivered to the server itself.
async fn remove_demo_webhook() {
    let hooks = format!("{}/v1/tenants/demo/webhooks", base_url());
    let listed = get_json(&hooks, &operator_key()).await;
    for hook in listed["webhooks"].as_array().unwrap() {
        if hook["url"].as_str().unwrap().ends_with("/dev/events") {
            let id = hook["id"].as_str().unwrap();
            let deleted = http()
                .delete(format!("{hooks}/{id}"))
                .bearer_auth(operator_key())
                .send()
                .await
                .unwrap();
            assert_eq!(deleted.status(), 204);
        }
    }
}

#[tokio::test]
async fn a_person_changes_their_email_on_the_demo_page_with_the_code_from_dev_events() {
    xtask::server::ensure_demo_webhook(&base_url()).unwrap();
    let customer = unique_customer("email-demo");
    let wanted = format!("{customer}@example.com");
    let browser = Browser::open_demo(&customer).await;
    browser.type_into("#cp-email", &wanted).await;
    browser.save_and_wait().await;

    // The form keeps the address it had; the panel says where the code went.
    browser
        .wait_until(
            &format!(
                "root.querySelector('#cp-email-code-sent').textContent.includes('{wanted}') \
             && !root.querySelector('.cp-email-pending').hidden"
            ),
            "the pending address is shown",
        )
        .await;
    assert_eq!(
        browser
            .in_widget("return root.querySelector('#cp-email').value")
            .await,
        json!("")
    );
    // A new code waits its minute.
    assert_eq!(
        browser
            .in_widget(
                "return root.querySelector('.cp-email-pending button[type=button]').disabled"
            )
            .await,
        json!(true)
    );
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "axe: {violations:?}");

    let code = code_on_dev_page(&wanted).await;
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    // With the keyboard: into the code's field, type, Enter.
    browser
        .widget_element("#cp-email-code")
        .await
        .click()
        .await
        .unwrap();
    keys(&browser, &wrong).await;
    keys(&browser, &char::from(Key::Enter).to_string()).await;
    browser
        .wait_until(
            "root.querySelector('#cp-email-code-error').textContent.includes('Tries left: 4') \
         && root.querySelector('#cp-email-code').getAttribute('aria-invalid') === 'true'",
            "a wrong code is explained with the tries left",
        )
        .await;
    browser
        .in_widget("root.querySelector('#cp-email-code').select()")
        .await;
    keys(&browser, &code).await;
    keys(&browser, &char::from(Key::Enter).to_string()).await;
    browser
        .wait_until(
            &format!(
                "root.querySelector('#cp-email').value === '{wanted}' \
             && root.querySelector('.cp-email-pending').hidden"
            ),
            "the confirmed address is the e-mail",
        )
        .await;
    assert!(
        browser
            .in_widget("return root.querySelector('.cp-panels').textContent")
            .await
            .as_str()
            .unwrap()
            .contains("Your new e-mail address is confirmed.")
    );
    browser.close().await;
    remove_demo_webhook().await;
    let profile = stored_profile(&customer).await;
    assert_eq!(profile["email"], wanted.as_str());
    assert_eq!(profile["email_status"], "verified");
}
