//! Component tests of the profile form in headless Chromium: the form is
//! drawn from the demo tenant's schema, the customer types and clicks, and
//! a recording backend stands in for the API.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use profile::Rules;
use profile::schema::form_schema;
use profile_web::{Backend, Failure, Form, Loaded, Pending, profile_form};
use serde_json::{Value, json};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

fn demo_rules() -> Rules {
    let config: Value =
        serde_json::from_str(include_str!("../../worker/demo-tenant.json")).unwrap();
    Rules::new(serde_json::from_value(config["rules"].clone()).unwrap()).unwrap()
}

fn stored(version: u64) -> Value {
    json!({
        "id": "p1", "external_id": "c1", "tenant": "demo", "active": true,
        "created": "2026-01-01T00:00:00Z", "updated": "2026-01-01T00:00:00Z",
        "version": version, "first_name": "Ingrid", "last_name": "Berg",
        "email": "ingrid@example.se", "email_status": "unverified", "card_code": "CARD-42",
        "delivery_addresses": [], "use_invoice_address_for_delivery": false,
        "consents": {}, "loyalty": {"member": true, "rank": "Gold"}, "acquisition": {},
        "custom_fields": {}
    })
}

/// What the form sent, and what the next calls answer.
#[derive(Default)]
struct Recorder {
    saves: RefCell<Vec<(String, Value)>>,
    answers: RefCell<VecDeque<Result<Loaded, Failure>>>,
    reloads: RefCell<VecDeque<Loaded>>,
    events: RefCell<Vec<(String, Value)>>,
}

/// The form's backend: the shared recorder.
struct Recording(Rc<Recorder>);

impl Backend for Recording {
    fn save(&self, etag: String, patch: Value) -> Pending<Result<Loaded, Failure>> {
        self.0.saves.borrow_mut().push((etag, patch.clone()));
        let answer = self.0.answers.borrow_mut().pop_front().unwrap_or_else(|| {
            // Stored as sent: the patch merged, the next version.
            let mut profile = stored(2);
            profile::merge_patch(&mut profile, &patch);
            Ok(Loaded {
                profile,
                etag: "\"v2\"".into(),
            })
        });
        Box::pin(async move { answer })
    }

    fn reload(&self) -> Pending<Result<Loaded, Failure>> {
        let newer = self
            .0
            .reloads
            .borrow_mut()
            .pop_front()
            .ok_or(Failure::Network);
        Box::pin(async move { newer })
    }

    fn notify(&self, event: &str, detail: Value) {
        self.0.events.borrow_mut().push((event.to_owned(), detail));
    }
}

/// The form for `language` in a fresh element of the page.
fn mount(language: &'static str) -> (HtmlElement, Rc<Recorder>) {
    let document = web_sys::window().unwrap().document().unwrap();
    let parent: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&parent).unwrap();
    let schema = form_schema(&demo_rules(), language);
    let recorder = Rc::new(Recorder::default());
    let backend: Rc<dyn Backend> = Rc::new(Recording(recorder.clone()));
    let owner = Owner::new();
    owner.with(|| {
        let loaded = Loaded {
            profile: stored(1),
            etag: "\"v1\"".into(),
        };
        let form = Form::new(&schema, loaded, language).unwrap();
        parent
            .append_child(&profile_form(form, &schema, backend).0)
            .unwrap();
    });
    std::mem::forget(owner);
    (parent, recorder)
}

/// Lets effects and the form's tasks run.
async fn settle() {
    for _ in 0..4 {
        leptos::task::tick().await;
        let resolved = js_sys::Promise::resolve(&wasm_bindgen::JsValue::NULL);
        wasm_bindgen_futures::JsFuture::from(resolved)
            .await
            .unwrap();
    }
}

fn find(parent: &HtmlElement, selector: &str) -> Element {
    parent
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
}

fn input(parent: &HtmlElement, selector: &str) -> HtmlInputElement {
    find(parent, selector).unchecked_into()
}

fn text_of(parent: &HtmlElement, selector: &str) -> String {
    find(parent, selector).text_content().unwrap_or_default()
}

fn fire(element: &Element, event: &str) {
    let event = web_sys::Event::new_with_event_init_dict(event, &{
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        init.set_cancelable(true);
        init
    })
    .unwrap();
    element.dispatch_event(&event).unwrap();
}

/// Types `text` into a field (replacing what it held) and leaves it.
fn type_into(parent: &HtmlElement, selector: &str, text: &str) {
    let field = find(parent, selector);
    js_sys::Reflect::set(&field, &"value".into(), &text.into()).unwrap();
    fire(&field, "input");
    fire(&field, "change");
    fire(&field, "blur");
}

/// Chooses the option of a select whose text contains `text`.
fn choose(parent: &HtmlElement, selector: &str, text: &str) {
    let options = find(parent, selector).children();
    let value = (0..options.length())
        .filter_map(|i| options.item(i))
        .map(|o| o.unchecked_into::<web_sys::HtmlOptionElement>())
        .find(|o| o.text().contains(text))
        .unwrap_or_else(|| panic!("no option {text} in {selector}"))
        .value();
    type_into(parent, selector, &value);
}

fn click(parent: &HtmlElement, selector: &str) {
    find(parent, selector)
        .unchecked_into::<HtmlElement>()
        .click();
}

fn submit(parent: &HtmlElement) {
    click(parent, "button[type=submit]");
}

#[wasm_bindgen_test]
async fn every_kind_of_field_gets_its_control() {
    let (parent, _) = mount("en");
    settle().await;
    let tag = |selector: &str| find(&parent, selector).tag_name().to_lowercase();
    let kind = |selector: &str| {
        find(&parent, selector)
            .get_attribute("type")
            .unwrap_or_default()
    };
    assert_eq!(input(&parent, "#cp-first_name").value(), "Ingrid");
    assert_eq!(kind("#cp-email"), "email");
    assert_eq!(kind("#cp-mobile_phone"), "tel");
    assert_eq!(kind("#cp-birth_date"), "date");
    assert_eq!(tag("#cp-gender"), "select");
    assert_eq!(tag("#cp-custom_fields-allergies"), "textarea");
    assert_eq!(
        find(&parent, "#cp-custom_fields-cups_per_day")
            .get_attribute("inputmode")
            .as_deref(),
        Some("numeric")
    );
    assert_eq!(
        find(&parent, "#cp-custom_fields-grind_size")
            .get_attribute("inputmode")
            .as_deref(),
        Some("decimal")
    );
    assert_eq!(kind("#cp-custom_fields-member_since"), "date");
    assert_eq!(kind("#cp-custom_fields-oat_milk"), "checkbox");
    assert_eq!(kind("#cp-consents-sms-granted"), "checkbox");
    assert_eq!(kind("#cp-custom_fields-favourite_drinks-0"), "checkbox");
    // Multi-select: a group of checkboxes; address: a group of parts with a country list.
    assert_eq!(tag("#cp-invoice_address"), "fieldset");
    assert_eq!(tag("#cp-invoice_address-country"), "select");
    assert!(
        parent
            .query_selector_all("#cp-invoice_address-country option")
            .unwrap()
            .length()
            > 200,
        "every country"
    );
    // Every custom field type of the demo tenant has its control.
    for (key, expected) in [
        ("nickname", "input"),
        ("allergies", "textarea"),
        ("home_store", "select"),
        ("favourite_drinks", "fieldset"),
    ] {
        let selector = format!("#cp-custom_fields-{key}");
        assert_eq!(tag(&selector), expected, "{key}");
    }
    // Read-only fields are shown as text, not as inputs.
    assert!(parent.query_selector("#cp-card_code").unwrap().is_none());
    assert!(parent.text_content().unwrap().contains("CARD-42"));
    // Every control has a label.
    let controls = parent
        .query_selector_all("input, select, textarea")
        .unwrap();
    for i in 0..controls.length() {
        let control: Element = controls.item(i).unwrap().unchecked_into();
        let id = control.id();
        assert!(
            parent
                .query_selector(&format!("label[for='{id}']"))
                .unwrap()
                .is_some(),
            "{id} has a label"
        );
    }
}

#[wasm_bindgen_test]
async fn a_bad_value_is_explained_under_its_field_in_the_customers_language() {
    for (language, expected) in [
        ("en", "Enter an e-mail address such as name@example.com."),
        ("sv", "Ange en e-postadress som namn@exempel.se."),
    ] {
        let (parent, _) = mount(language);
        settle().await;
        type_into(&parent, "#cp-email", "ingrid@");
        settle().await;
        let email = find(&parent, "#cp-email");
        assert_eq!(text_of(&parent, "#cp-email-error"), expected);
        assert_eq!(email.get_attribute("aria-invalid").as_deref(), Some("true"));
        // Its help text and its error both describe it.
        assert_eq!(
            email.get_attribute("aria-describedby").as_deref(),
            Some("cp-email-help cp-email-error")
        );
        assert!(!text_of(&parent, "#cp-email-help").is_empty());
        // Fixed: the message goes; the help stays.
        type_into(&parent, "#cp-email", "ingrid@example.com");
        settle().await;
        assert_eq!(text_of(&parent, "#cp-email-error"), "");
        assert_eq!(email.get_attribute("aria-invalid"), None);
        assert_eq!(
            email.get_attribute("aria-describedby").as_deref(),
            Some("cp-email-help")
        );
    }
}

#[wasm_bindgen_test]
async fn submitting_with_errors_lists_them_and_focuses_the_first() {
    let (parent, recorder) = mount("en");
    settle().await;
    type_into(&parent, "#cp-last_name", "");
    type_into(&parent, "#cp-mobile_phone", "call me");
    submit(&parent);
    settle().await;
    let links = parent.query_selector_all(".cp-summary a").unwrap();
    assert_eq!(links.length(), 2, "{}", text_of(&parent, ".cp-summary"));
    let first: Element = links.item(0).unwrap().unchecked_into();
    assert_eq!(
        first.get_attribute("href").as_deref(),
        Some("#cp-last_name")
    );
    assert!(first.text_content().unwrap().starts_with("Last name: "));
    let focused = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .active_element()
        .unwrap();
    assert_eq!(focused.id(), "cp-last_name");
    assert!(recorder.saves.borrow().is_empty(), "nothing was sent");
    // A link in the summary takes the focus to its field.
    let second: HtmlElement = links.item(1).unwrap().unchecked_into();
    second.click();
    let focused = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .active_element()
        .unwrap();
    assert_eq!(focused.id(), "cp-mobile_phone");
}

#[wasm_bindgen_test]
async fn only_changed_fields_are_sent_with_the_version_read() {
    let (parent, recorder) = mount("en");
    settle().await;
    type_into(&parent, "#cp-first_name", "Astrid");
    type_into(&parent, "#cp-custom_fields-cups_per_day", "3");
    click(&parent, "#cp-consents-sms-granted");
    type_into(&parent, "#cp-invoice_address-city", "Umeå");
    type_into(&parent, "#cp-invoice_address-postal_code", "903 26");
    choose(&parent, "#cp-invoice_address-country", "Sweden");
    // Typed and typed back: no change.
    type_into(&parent, "#cp-last_name", "Lund");
    type_into(&parent, "#cp-last_name", "Berg");
    submit(&parent);
    settle().await;
    let saves = recorder.saves.borrow();
    assert_eq!(saves.len(), 1, "{}", text_of(&parent, ".cp-summary"));
    assert_eq!(saves[0].0, "\"v1\"");
    assert_eq!(
        saves[0].1,
        json!({
            "first_name": "Astrid",
            "custom_fields": {"cups_per_day": 3},
            "consents": {"sms": {"granted": true}},
            "invoice_address": {"city": "Umeå", "postal_code": "903 26", "country": "SE"}
        })
    );
    assert_eq!(
        text_of(&parent, "[role=status]"),
        "Your changes were saved."
    );
    let events = recorder.events.borrow();
    assert_eq!(events[0].0, "profile-saved");
    let fields = events[0].1["fields"].as_array().unwrap();
    assert!(fields.contains(&json!("first_name")) && fields.contains(&json!("consents/sms")));
}

#[wasm_bindgen_test]
async fn a_conflict_keeps_the_customers_edits_and_asks_where_both_changed() {
    let (parent, recorder) = mount("en");
    settle().await;
    let mut newer = stored(2);
    newer["last_name"] = json!("Ek");
    newer["first_name"] = json!("Inga");
    recorder
        .answers
        .borrow_mut()
        .push_back(Err(Failure::Conflict));
    recorder.reloads.borrow_mut().push_back(Loaded {
        profile: newer,
        etag: "\"v2\"".into(),
    });
    type_into(&parent, "#cp-first_name", "Astrid");
    type_into(&parent, "#cp-email", "astrid@example.se");
    submit(&parent);
    settle().await;
    assert!(text_of(&parent, ".cp-notice").contains("changed elsewhere"));
    // Changed only elsewhere: the new value shows. Changed only here: kept.
    assert_eq!(input(&parent, "#cp-last_name").value(), "Ek");
    assert_eq!(input(&parent, "#cp-email").value(), "astrid@example.se");
    // Changed on both sides: both values, and the choice.
    assert_eq!(input(&parent, "#cp-first_name").value(), "Astrid");
    let choice = find(&parent, "#cp-first_name ~ .cp-conflict");
    assert!(!choice.has_attribute("hidden"));
    assert!(choice.text_content().unwrap().contains("Inga"));
    let take: HtmlElement = choice
        .query_selector_all("button")
        .unwrap()
        .item(1)
        .unwrap()
        .unchecked_into();
    take.click();
    settle().await;
    assert_eq!(input(&parent, "#cp-first_name").value(), "Inga");
    assert!(choice.has_attribute("hidden"));
    // The next save is made against the new version, with the edit kept.
    submit(&parent);
    settle().await;
    let saves = recorder.saves.borrow();
    assert_eq!(
        saves[1],
        ("\"v2\"".to_owned(), json!({"email": "astrid@example.se"}))
    );
}

#[wasm_bindgen_test]
async fn a_failed_connection_keeps_the_edits_and_offers_to_retry() {
    let (parent, recorder) = mount("en");
    settle().await;
    recorder
        .answers
        .borrow_mut()
        .push_back(Err(Failure::Network));
    type_into(&parent, "#cp-first_name", "Astrid");
    submit(&parent);
    settle().await;
    assert!(text_of(&parent, "[role=status]").contains("Check your connection"));
    assert_eq!(input(&parent, "#cp-first_name").value(), "Astrid");
    let retry = find(&parent, ".cp-actions button[type=button]");
    assert!(!retry.has_attribute("hidden"));
    retry.unchecked_into::<HtmlElement>().click();
    settle().await;
    assert_eq!(recorder.saves.borrow().len(), 2);
    assert_eq!(
        text_of(&parent, "[role=status]"),
        "Your changes were saved."
    );
    assert_eq!(recorder.events.borrow()[0].0, "profile-error");
}

#[wasm_bindgen_test]
async fn the_servers_refusal_shows_on_the_same_field() {
    let (parent, recorder) = mount("en");
    settle().await;
    let taken = profile::FieldError::new("/email", profile::Code::EmailTaken);
    recorder
        .answers
        .borrow_mut()
        .push_back(Err(Failure::Invalid(vec![taken])));
    type_into(&parent, "#cp-email", "taken@example.se");
    submit(&parent);
    settle().await;
    assert_eq!(
        text_of(&parent, "#cp-email-error"),
        "This e-mail address is already in use."
    );
    assert_eq!(
        text_of(&parent, ".cp-summary a"),
        "E-mail: This e-mail address is already in use."
    );
}

#[wasm_bindgen_test]
async fn delivery_addresses_are_added_and_removed() {
    let (parent, recorder) = mount("en");
    settle().await;
    click(&parent, "#cp-delivery_addresses > button");
    settle().await;
    // Typing in a row keeps that row (and the focus in it).
    let city: HtmlElement = find(&parent, "#cp-delivery_addresses-0-city").unchecked_into();
    city.focus().unwrap();
    type_into(&parent, "#cp-delivery_addresses-0-city", "Oslo");
    settle().await;
    assert!(
        city.is_connected(),
        "the row was drawn again while the customer typed"
    );
    type_into(&parent, "#cp-delivery_addresses-0-postal_code", "0150");
    choose(&parent, "#cp-delivery_addresses-0-country", "Norway");
    submit(&parent);
    settle().await;
    assert_eq!(
        recorder.saves.borrow().len(),
        1,
        "{}",
        text_of(&parent, ".cp-summary")
    );
    let patch = recorder.saves.borrow()[0].1.clone();
    let list = patch["delivery_addresses"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["city"], "Oslo");
    assert!(
        list[0]["id"].as_str().is_some_and(|id| !id.is_empty()),
        "a new id"
    );
    click(&parent, "#cp-delivery_addresses .cp-row .cp-link");
    settle().await;
    assert!(
        parent
            .query_selector("#cp-delivery_addresses-0-city")
            .unwrap()
            .is_none()
    );
}

#[wasm_bindgen_test]
async fn the_browsers_own_engines_give_the_librarys_answers() {
    // Letters of every script (\p{Alphabetic}), tenant patterns (RegExp) and
    // internationalized e-mail domains, without Rust's tables in the module.
    let (parent, _) = mount("en");
    settle().await;
    for (selector, text, message) in [
        ("#cp-first_name", "Ærøskøbing Ñoño", ""),
        ("#cp-first_name", "Юлия", ""),
        (
            "#cp-first_name",
            "R2-D2",
            "Use letters, spaces, apostrophes, hyphens and periods only.",
        ),
        (
            "#cp-first_name",
            "Ann€",
            "Use letters, spaces, apostrophes, hyphens and periods only.",
        ),
        ("#cp-email", "åsa@exämple.se", ""),
        (
            "#cp-email",
            "åsa@ex€mple.se",
            "Enter an e-mail address such as name@example.com.",
        ),
        ("#cp-custom_fields-nickname", "Bean", ""),
        (
            "#cp-custom_fields-nickname",
            "Bean42",
            "This value does not have the expected format.",
        ),
    ] {
        type_into(&parent, selector, text);
        settle().await;
        assert_eq!(
            text_of(&parent, &format!("{selector}-error")),
            message,
            "{text}"
        );
    }
}
