//! The customer's rights in the widget, used in Chromium as a person uses
//! them: a photo chosen with the keyboard, the consents' dates, the history
//! of changes, the download of their data, and the deletion of their
//! profile; axe-core with every panel open.

use e2e::{Browser, Cdp, base_url, demo_token, http, patch_over_api, unique_customer};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

async fn tab(browser: &Browser) {
    let tab = char::from(Key::Tab);
    let actions = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: tab })
        .then(KeyAction::Up { value: tab });
    browser.client.perform_actions(actions).await.unwrap();
}

/// A file in a folder of its own, as a customer's picture would be.
fn file(name: &str, bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(unique_customer("panels-files"));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

/// Chooses the file at `path` in the focused photo picker (what the
/// browser's file dialog does once the customer picks it).
async fn choose(browser: &Browser, path: &str) {
    browser
        .widget_element("#cp-photo")
        .await
        .send_keys(path)
        .await
        .unwrap();
}

/// Chooses the picture at `path` and waits until the widget says it was saved.
async fn choose_saved(browser: &Browser, path: &str) {
    choose(browser, path).await;
    browser
        .wait_for_widget_prop(
            ".cp-photo [role=status]",
            "textContent",
            "Your photo was saved.",
        )
        .await;
}

const PICTURE: &[u8] = include_bytes!("../fixtures/gps.jpg");
const HUGE: &[u8] = include_bytes!("../fixtures/huge.png");

#[tokio::test]
async fn a_customer_chooses_a_photo_with_the_keyboard_and_sees_it_after_a_reload() {
    let customer = unique_customer("panels-photo");
    let browser = Browser::open_demo(&customer).await;
    // From the first field, Tab alone reaches the photo picker.
    browser
        .widget_element("#cp-first_name")
        .await
        .click()
        .await
        .unwrap();
    let mut tabs = 0;
    while browser
        .in_widget("return root.activeElement && root.activeElement.id;")
        .await
        != "cp-photo"
    {
        tab(&browser).await;
        tabs += 1;
        assert!(tabs < 80, "Tab never reached the photo picker");
    }
    // A wrong type and a file too large are refused before anything is sent.
    choose(&browser, &file("notes.txt", b"not a picture")).await;
    browser
        .wait_for_widget_prop(
            "#cp-photo-error",
            "textContent",
            "Choose a JPEG, PNG or WebP picture.",
        )
        .await;
    let mut big = PICTURE.to_vec();
    big.resize(3 * 1024 * 1024, 0);
    choose(&browser, &file("big.jpg", &big)).await;
    browser
        .wait_for_widget_prop(
            "#cp-photo-error",
            "textContent",
            "Choose a picture of at most 2 MB.",
        )
        .await;
    let invalid = browser
        .in_widget("return root.querySelector('#cp-photo').getAttribute('aria-invalid');")
        .await;
    assert_eq!(invalid, "true");
    let stored = e2e::stored_profile(&customer).await;
    assert_eq!(stored.get("photo"), None, "nothing was sent");
    // What only the server can tell (the pixels its header declares) lands in the same place.
    choose(&browser, &file("huge.png", HUGE)).await;
    browser
        .wait_for_widget_prop(
            "#cp-photo-error",
            "textContent",
            "Choose a picture of at most 4096 by 4096 pixels.",
        )
        .await;

    choose_saved(&browser, &file("me.jpg", PICTURE)).await;
    let shown = ".cp-photo-preview";
    browser.wait_until(&format!("root.querySelector('{shown}').src.includes('/v1/photos/') && root.querySelector('{shown}').naturalWidth === 64"),
        "the saved photo shows",
    )
    .await;
    // The form goes on saving after the photo changed its version.
    browser.type_into("#cp-last_name", "Berg").await;
    browser.save_and_wait().await;

    browser.client.refresh().await.unwrap();
    browser.wait_until(&format!("root.querySelector('{shown}') && !root.querySelector('{shown}').hidden && root.querySelector('{shown}').naturalWidth === 64"),
        "the photo shows after a reload",
    )
    .await;
    let stored = e2e::stored_profile(&customer).await;
    let id = stored["photo"].as_str().expect("a photo").to_owned();
    let src = browser
        .in_widget(&format!("return root.querySelector('{shown}').src;"))
        .await;
    assert_eq!(src, format!("{}/v1/photos/{id}", base_url()));

    // Removed: it is gone from the page and from the server.
    browser
        .widget_element(".cp-photo button")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_for_widget_prop(
            ".cp-photo [role=status]",
            "textContent",
            "Your photo was removed.",
        )
        .await;
    browser
        .wait_until(
            &format!("root.querySelector('{shown}').hidden"),
            "the photo hides",
        )
        .await;
    let gone = http()
        .get(format!("{}/v1/photos/{id}", base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
    browser.close().await;
}

#[tokio::test]
async fn consents_show_their_dates_the_history_pages_and_the_data_downloads_in_swedish() {
    let customer = unique_customer("panels-rights");
    patch_over_api(&customer, &json!({"consents": {"sms": {"granted": true}}})).await;
    // Enough changes for a second page of history.
    for n in 0..52 {
        patch_over_api(
            &customer,
            &json!({"first_name": format!("Name{}", "a".repeat(n % 5 + 1))}),
        )
        .await;
    }
    let browser = Browser::start_with(&["--lang=sv", "--accept-lang=sv"]).await;
    browser.goto_demo(&customer).await;
    browser.widget_element("#cp-last_name").await;
    let date = browser.in_widget("return root.querySelector('#cp-consents-sms-granted').closest('.cp-field').querySelector('.cp-consent-date').textContent;",
    )
    .await;
    let date = date.as_str().unwrap();
    assert!(date.starts_with("Givet "), "{date}");
    assert!(date.chars().any(|c| c.is_ascii_digit()), "{date}");

    // The history is asked for when it is opened, 50 entries at a time.
    browser
        .widget_element(".cp-history summary")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_until(
            "root.querySelectorAll('.cp-history li').length === 50",
            "a first page",
        )
        .await;
    let newest = browser
        .in_widget("return root.querySelector('.cp-history li').textContent;")
        .await;
    let newest = newest.as_str().unwrap();
    assert!(
        newest.contains("Förnamn") && newest.contains("av dig"),
        "{newest}"
    );
    browser
        .widget_element(".cp-history button")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_until(
            "root.querySelectorAll('.cp-history li').length === 54",
            "the older page",
        )
        .await;
    let oldest = browser.in_widget("const all = root.querySelectorAll('.cp-history li'); return all[all.length - 1].textContent;").await;
    assert!(
        oldest.as_str().unwrap().contains("Profilen skapades"),
        "{oldest}"
    );

    // The download is a file with everything held.
    let folder = std::env::temp_dir().join(unique_customer("panels-download"));
    std::fs::create_dir_all(&folder).unwrap();
    browser
        .client
        .issue_cmd(Cdp(
            "Browser.setDownloadBehavior",
            json!({"behavior": "allow", "downloadPath": folder.display().to_string()}),
        ))
        .await
        .unwrap();
    browser
        .widget_element(".cp-download button")
        .await
        .click()
        .await
        .unwrap();
    let saved = folder.join("customer-profile-export.json");
    let started = Instant::now();
    while !saved.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no file was downloaded"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let export: Value = serde_json::from_slice(&std::fs::read(&saved).unwrap()).unwrap();
    assert_eq!(export["profile"]["external_id"], customer.as_str());
    assert_eq!(export["history"].as_array().unwrap().len(), 54);
    assert_eq!(export["consent_ledger"][0]["purpose"], "sms");
    browser
        .wait_for_widget_prop(
            ".cp-download [role=status]",
            "textContent",
            "Dina uppgifter har laddats ner som en fil.",
        )
        .await;
    browser.close().await;
}

#[tokio::test]
async fn a_customer_deletes_their_profile_after_confirming_and_the_page_hears_of_it() {
    let customer = unique_customer("panels-delete");
    let browser = Browser::open_demo(&customer).await;
    browser.type_into("#cp-last_name", "Lindqvist").await;
    browser.save_and_wait().await;
    browser
        .client
        .execute(
            "window.deleted = [];
             document.querySelector('customer-profile')
               .addEventListener('profile-deleted', e => window.deleted.push(e.detail));",
            vec![],
        )
        .await
        .unwrap();
    // Opening the panel names what will be lost, and nothing is deleted yet.
    browser
        .widget_element(".cp-delete summary")
        .await
        .click()
        .await
        .unwrap();
    let warning = browser
        .widget_element("#cp-delete-warning")
        .await
        .text()
        .await
        .unwrap();
    for lost in [
        "consents",
        "history of changes",
        "photo",
        "cannot be undone",
    ] {
        assert!(warning.contains(lost), "{warning}");
    }
    assert_eq!(
        e2e::stored_profile(&customer).await["last_name"],
        "Lindqvist"
    );

    browser
        .widget_element(".cp-delete .cp-danger")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_for_widget_prop(
            "[data-state=deleted]",
            "textContent",
            "Your profile has been deleted.",
        )
        .await;
    let left = browser.in_widget("return [root.querySelectorAll('input').length, root.textContent.includes('Lindqvist')];",
    )
    .await;
    assert_eq!(
        left,
        json!([0, false]),
        "nothing of the profile stays on the page"
    );
    let heard = browser
        .client
        .execute("return window.deleted.length;", vec![])
        .await
        .unwrap();
    assert_eq!(heard, 1);
    let export: Value = http()
        .get(format!("{}/v1/customers/me/export", base_url()))
        .bearer_auth(demo_token(&customer))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(export.get("profile"), None);
    assert!(export["erasure"]["erased"].is_string());
    browser.close().await;
}

#[tokio::test]
async fn every_panel_open_passes_axe_core() {
    let customer = unique_customer("panels-axe");
    patch_over_api(&customer, &json!({"consents": {"sms": {"granted": true}}})).await;
    let browser = Browser::open_demo(&customer).await;
    choose_saved(&browser, &file("me.jpg", PICTURE)).await;
    for panel in [".cp-history summary", ".cp-delete summary"] {
        browser.widget_element(panel).await.click().await.unwrap();
    }
    browser
        .wait_until(
            "root.querySelectorAll('.cp-history li').length > 0",
            "the history",
        )
        .await;
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "axe-core: {violations:#?}");
    browser.close().await;
}
