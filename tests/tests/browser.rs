//! The walking skeleton in Chromium, as a customer uses it: the demo page
//! shows the first name, the customer types a new one and saves, and after a
//! reload the new name is read back from the customer's Durable Object.

use e2e::{Browser, base_url, demo_token, http, unique_customer};
use serde_json::{Value, json};

/// Control+A (select all), release the modifier, Backspace.
const SELECT_ALL_AND_DELETE: &str = "\u{E009}a\u{E000}\u{E003}";

async fn stored_first_name(customer: &str) -> Value {
    let profile: Value = http()
        .get(format!("{}/v1/customers/me", base_url()))
        .bearer_auth(demo_token(customer))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    profile["first_name"].clone()
}

async fn give_first_name(customer: &str, name: &str) {
    let client = http();
    let url = format!("{}/v1/customers/me", base_url());
    let token = demo_token(customer);
    let read = client.get(&url).bearer_auth(&token).send().await.unwrap();
    let etag = read.headers()["etag"].to_str().unwrap().to_owned();
    let saved = client
        .patch(&url)
        .bearer_auth(&token)
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", etag)
        .body(json!({"first_name": name}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200);
}

/// Opens the demo page as `customer`, once the widget shows `first_name`.
async fn open_demo_page(customer: &str, first_name: &str) -> Browser {
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}/demo?customer={customer}", base_url()))
        .await
        .unwrap();
    browser
        .wait_for_widget_prop("#cp-first_name", "value", first_name)
        .await;
    browser
}

/// Clicks into the first-name field, replaces its text by typing, and clicks Save.
async fn type_first_name_and_save(browser: &Browser, text: &str) {
    let field = browser.widget_element("#cp-first_name").await;
    field.click().await.unwrap();
    field
        .send_keys(&format!("{SELECT_ALL_AND_DELETE}{text}"))
        .await
        .unwrap();
    browser
        .widget_element("button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_customer_renames_themself_and_the_name_survives_a_reload() {
    let customer = unique_customer("browser");
    give_first_name(&customer, "Ingrid").await;
    let browser = open_demo_page(&customer, "Ingrid").await;

    type_first_name_and_save(&browser, "Astrid").await;
    browser
        .wait_for_widget_prop("[role=status]", "textContent", "Your changes were saved.")
        .await;

    browser.client.refresh().await.unwrap();
    browser
        .wait_for_widget_prop("#cp-first_name", "value", "Astrid")
        .await;
    browser.close().await;
    assert_eq!(stored_first_name(&customer).await, "Astrid");
}

#[tokio::test]
async fn an_invalid_name_is_explained_and_not_saved() {
    let customer = unique_customer("browser-invalid");
    give_first_name(&customer, "Ingrid").await;
    let browser = open_demo_page(&customer, "Ingrid").await;

    type_first_name_and_save(&browser, "R2-D2").await;
    browser
        .wait_for_widget_prop(
            "#cp-first_name-error",
            "textContent",
            "Use letters, spaces, apostrophes, hyphens and periods only.",
        )
        .await;
    let field = browser.widget_element("#cp-first_name").await;
    assert_eq!(
        field.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    browser.close().await;
    assert_eq!(stored_first_name(&customer).await, "Ingrid");
}
