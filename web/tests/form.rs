//! Component tests of the profile form, in headless Chromium.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use profile::Profile;
use profile_web::{Loaded, ProfileForm, SaveOutcome, build_patch};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

fn loaded(first_name: &str) -> Loaded {
    Loaded {
        profile: Profile {
            first_name: Some(first_name.into()),
            ..Profile::new(
                "p1".into(),
                "demo".into(),
                "c1".into(),
                "2026-01-01T00:00:00Z".into(),
            )
        },
        etag: "\"v1\"".into(),
    }
}

type Sent = Rc<RefCell<Vec<(String, serde_json::Value)>>>;

/// Mounts the form into a fresh element; saves are recorded, and answered as stored.
fn mount(first_name: &str) -> (HtmlElement, Sent) {
    let document = web_sys::window().unwrap().document().unwrap();
    let parent: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&parent).unwrap();
    let sent: Sent = Rc::default();
    let recorder = sent.clone();
    let initial = loaded(first_name);
    let handle = leptos::mount::mount_to(parent.clone(), move || {
        let recorder = recorder.clone();
        let save = move |etag: String, patch: serde_json::Value| {
            recorder.borrow_mut().push((etag, patch.clone()));
            let mut next = loaded(patch["first_name"].as_str().unwrap_or_default());
            next.profile.version = 2;
            next.etag = "\"v2\"".into();
            async move { SaveOutcome::Saved(Box::new(next)) }
        };
        view! { <ProfileForm loaded=initial.clone() save/> }
    });
    handle.forget();
    (parent, sent)
}

fn input(parent: &HtmlElement) -> HtmlInputElement {
    parent
        .query_selector("#cp-first-name")
        .unwrap()
        .unwrap()
        .unchecked_into()
}

fn type_into(field: &HtmlInputElement, text: &str) {
    field.set_value(text);
    let event = web_sys::Event::new("input").unwrap();
    field.dispatch_event(&event).unwrap();
}

fn text_of(parent: &HtmlElement, selector: &str) -> String {
    parent
        .query_selector(selector)
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap_or_default()
}

fn submit(parent: &HtmlElement) {
    let button: HtmlElement = parent
        .query_selector("button[type=submit]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    button.click();
}

#[wasm_bindgen_test]
async fn the_stored_first_name_is_shown_in_a_labelled_field() {
    let (parent, _) = mount("Ana");
    leptos::task::tick().await;
    assert_eq!(input(&parent).value(), "Ana");
    assert_eq!(text_of(&parent, "label[for=cp-first-name]"), "First name");
}

#[wasm_bindgen_test]
async fn an_invalid_name_is_explained_on_blur() {
    let (parent, _) = mount("Ana");
    let field = input(&parent);
    type_into(&field, "R2D2");
    field
        .dispatch_event(&web_sys::Event::new("blur").unwrap())
        .unwrap();
    leptos::task::tick().await;
    assert_eq!(field.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        field.get_attribute("aria-describedby").as_deref(),
        Some("cp-first-name-error")
    );
    assert_eq!(
        text_of(&parent, "#cp-first-name-error"),
        "Use letters, spaces, apostrophes, hyphens and periods only."
    );
}

#[wasm_bindgen_test]
async fn an_invalid_name_is_not_sent() {
    let (parent, sent) = mount("Ana");
    type_into(&input(&parent), "<b>");
    submit(&parent);
    leptos::task::tick().await;
    assert!(sent.borrow().is_empty());
    assert_eq!(
        input(&parent).get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
}

#[wasm_bindgen_test]
async fn saving_sends_only_the_changed_name_with_the_etag() {
    let (parent, sent) = mount("Ana");
    type_into(&input(&parent), "  Eva ");
    submit(&parent);
    leptos::task::tick().await;
    leptos::task::tick().await;
    assert_eq!(
        *sent.borrow(),
        vec![(
            "\"v1\"".to_owned(),
            serde_json::json!({"first_name": "Eva"})
        )]
    );
    assert_eq!(text_of(&parent, "[role=status]"), "Your profile was saved.");
    assert_eq!(input(&parent).value(), "Eva");
}

#[wasm_bindgen_test]
fn a_decomposed_accent_counts_as_the_same_name() {
    assert!(build_patch(&loaded("José"), "Jose\u{0301}").is_empty());
}

#[wasm_bindgen_test]
fn an_unchanged_form_builds_an_empty_patch() {
    assert!(build_patch(&loaded("Ana"), " Ana ").is_empty());
    assert_eq!(
        build_patch(&loaded("Ana"), "")["first_name"],
        serde_json::Value::Null
    );
}
