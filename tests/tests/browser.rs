//! The walking skeleton in Chromium, as a customer uses it: the demo page
//! shows the first name, the customer types a new one and saves, and after a
//! reload the new name is read back from the customer's Durable Object.

use e2e::{Browser, patch_over_api, stored_profile, unique_customer};
use serde_json::json;

/// Opens the demo page as `customer`, once the widget shows `first_name`.
async fn open_demo_page(customer: &str, first_name: &str) -> Browser {
    let browser = Browser::open_demo(customer).await;
    browser
        .wait_for_widget_prop("#cp-first_name", "value", first_name)
        .await;
    browser
}

/// Replaces the first name by typing, and clicks Save.
async fn type_first_name_and_save(browser: &Browser, text: &str) {
    browser.type_into("#cp-first_name", text).await;
    browser.save().await;
}

#[tokio::test]
async fn a_customer_renames_themself_and_the_name_survives_a_reload() {
    let customer = unique_customer("browser");
    patch_over_api(&customer, &json!({"first_name": "Ingrid"})).await;
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
    assert_eq!(stored_profile(&customer).await["first_name"], "Astrid");
}

#[tokio::test]
async fn an_invalid_name_is_explained_and_not_saved() {
    let customer = unique_customer("browser-invalid");
    patch_over_api(&customer, &json!({"first_name": "Ingrid"})).await;
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
    assert_eq!(stored_profile(&customer).await["first_name"], "Ingrid");
}
