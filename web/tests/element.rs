//! Component tests of `<customer-profile>` as a page uses it: the element of
//! `static/element.js` (loaded as it ships) mounts the widget through the
//! real `mount_widget`, with `fetch` answered by a stand-in for the API. A
//! single-page app removes, moves and adds the element again; a bundling
//! site mounts and unmounts it with `mount()`.
#![cfg(target_arch = "wasm32")]

use profile::Rules;
use profile::schema::form_schema;
use serde_json::{Value, json};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/static/element.js")]
extern "C" {
    /// Defines `<customer-profile>` and returns `mount`.
    fn define(deps: &JsValue) -> js_sys::Function;
}

#[wasm_bindgen(inline_js = r#"
// What went wrong on the page since the last call: a listener or a task that threw.
const errors = [];
addEventListener("error", (event) => errors.push(String(event.message)));
addEventListener("unhandledrejection", (event) => errors.push(String(event.reason)));
export function page_errors() { return errors.splice(0).join("; "); }
let gate;
const saves = new Promise((open) => (gate = open));
const calls = [];
let giveToken;
export function deps(mountWidget, releaseWidget) {
  return {
    ready: Promise.resolve(), origin: "https://profile.test", styles: () => new CSSStyleSheet(),
    mountWidget, releaseWidget,
  };
}
// The API: the schema and the profile at once; a save waits for open_saves().
export function stub_fetch(schema, profile) {
  globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const path = new URL(request.url).pathname;
    calls.push(`${request.method} ${path}`);
    if (request.method === "PATCH") await saves;
    const body = path.endsWith("/schema") ? schema : profile;
    return new Response(body, { headers: { "Content-Type": "application/json", ETag: '"v1"' } });
  };
}
export function calls_made() { return calls.length; }
export function calls_since(start) { return calls.slice(start).join(", "); }
export function open_saves() { gate(); }
// A token provider that answers when give_token() is called.
export function slow_provider(name) {
  globalThis[name] = () => new Promise((resolve) => (giveToken = resolve));
}
export function give_token(token) { giveToken(token); }
// The names of the widget's events on `element`, in order.
export function record(element) {
  const seen = [];
  for (const name of ["profile-loaded", "profile-saved", "profile-error"]) {
    element.addEventListener(name, () => seen.push(name));
  }
  return seen;
}
// Whether leaving the page now would ask the customer first.
export function leaving_asks() {
  return !window.dispatchEvent(new Event("beforeunload", { cancelable: true }));
}
export function options(signal) {
  return { api: "https://profile.test", lang: "en", getToken: () => Promise.resolve("t1"), signal };
}
"#)]
extern "C" {
    fn page_errors() -> String;
    fn deps(mount_widget: JsValue, release_widget: JsValue) -> JsValue;
    fn stub_fetch(schema: &str, profile: &str);
    fn calls_made() -> u32;
    fn calls_since(start: u32) -> String;
    fn open_saves();
    fn slow_provider(name: &str);
    fn give_token(token: &str);
    fn record(element: &Element) -> js_sys::Array;
    fn leaving_asks() -> bool;
    fn options(signal: Option<web_sys::AbortSignal>) -> JsValue;
}

const API: &str = "https://profile.test";

thread_local! {
    static MOUNT: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// `mount` of element.js; the first call defines the element and stubs the API.
fn page() -> js_sys::Function {
    MOUNT.with_borrow_mut(|mount| {
        mount
            .get_or_insert_with(|| {
                let config: Value =
                    serde_json::from_str(include_str!("../../worker/demo-tenant.json")).unwrap();
                let rules =
                    Rules::new(serde_json::from_value(config["rules"].clone()).unwrap()).unwrap();
                let schema = serde_json::to_string(&form_schema(&rules, "en")).unwrap();
                let profile = json!({
                    "id": "p1", "external_id": "c1", "tenant": "demo", "active": true,
                    "created": "2026-01-01T00:00:00Z", "updated": "2026-01-01T00:00:00Z",
                    "version": 1, "first_name": "Ingrid", "last_name": "Berg",
                    "email": "ingrid@example.se", "email_status": "unverified",
                    "delivery_addresses": [], "use_invoice_address_for_delivery": false,
                    "consents": {}, "loyalty": {}, "acquisition": {}, "custom_fields": {}
                });
                stub_fetch(&schema, &profile.to_string());
                // The WASM's own entry points, as widget.js hands them over.
                type Mount = dyn Fn(
                    HtmlElement,
                    HtmlElement,
                    String,
                    String,
                    js_sys::Function,
                    JsValue,
                ) -> u32;
                let mount_widget = Closure::<Mount>::new(profile_web::mount_widget);
                let release_widget = Closure::<dyn Fn(u32)>::new(profile_web::release_widget);
                define(&deps(
                    mount_widget.into_js_value(),
                    release_widget.into_js_value(),
                ))
            })
            .clone()
    })
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A new element in the page's body, for the widget to go into.
fn parent() -> Element {
    let parent = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&parent).unwrap();
    parent
}

/// A `<customer-profile>` with a token, added to `parent`.
fn widget(parent: &Element) -> Element {
    page();
    let element = document().create_element("customer-profile").unwrap();
    element.set_attribute("api", API).unwrap();
    element.set_attribute("lang", "en").unwrap();
    js_sys::Reflect::set(&element, &"token".into(), &"t1".into()).unwrap();
    parent.append_child(&element).unwrap();
    element
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Lets microtasks, effects and a few tasks run (any deferred release too).
async fn settle() {
    for _ in 0..3 {
        sleep(1).await;
    }
}

/// What the widget in `host` shows for `selector`, if anything.
fn inside(host: &Element, selector: &str) -> Option<Element> {
    host.shadow_root()?.query_selector(selector).unwrap()
}

fn first_name(host: &Element) -> HtmlInputElement {
    inside(host, "#cp-first_name")
        .expect("the form is shown")
        .unchecked_into()
}

/// Waits until `host` shows the customer's form.
async fn shown(host: &Element) {
    for _ in 0..300 {
        if inside(host, "#cp-first_name").is_some() {
            return;
        }
        sleep(10).await;
    }
    panic!("the form never showed");
}

fn fire(element: &Element, event: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = web_sys::Event::new_with_event_init_dict(event, &init).unwrap();
    element.dispatch_event(&event).unwrap();
}

fn type_into(field: &HtmlInputElement, text: &str) {
    field.set_value(text);
    fire(field, "input");
    fire(field, "blur");
}

fn names(seen: &js_sys::Array) -> Vec<String> {
    seen.iter().filter_map(|name| name.as_string()).collect()
}

#[wasm_bindgen_test]
async fn removing_the_element_releases_the_widget() {
    let host = widget(&parent());
    let seen = record(&host);
    shown(&host).await;
    let field = first_name(&host);
    type_into(&field, "Inga");
    settle().await;
    assert!(
        leaving_asks(),
        "an unsaved edit asks before the page is left"
    );
    let form = inside(&host, "form").unwrap();

    host.remove();
    settle().await;
    assert!(
        !leaving_asks(),
        "a removed widget no longer guards the page"
    );
    assert!(inside(&host, "form").is_none(), "its form is gone");
    // What it drew no longer reacts: neither an edit nor a submit.
    let start = calls_made();
    type_into(&field, "Inge");
    fire(&form, "submit");
    settle().await;
    assert!(!leaving_asks(), "an edit in a released form is not watched");
    assert_eq!(calls_since(start), "", "a released form sends nothing");
    assert_eq!(names(&seen), ["profile-loaded"]);
    assert_eq!(page_errors(), "");
}

#[wasm_bindgen_test]
async fn moving_the_element_keeps_the_customers_edits() {
    let host = widget(&parent());
    let seen = record(&host);
    shown(&host).await;
    type_into(&first_name(&host), "Inga");
    settle().await;
    let start = calls_made();

    // appendChild to another parent: disconnected, then connected at once.
    parent().append_child(&host).unwrap();
    settle().await;
    assert_eq!(first_name(&host).value(), "Inga", "the edit is still there");
    assert!(leaving_asks(), "and still unsaved");
    assert_eq!(calls_since(start), "", "nothing is loaded again");
    assert_eq!(names(&seen), ["profile-loaded"]);
    // Still the one live widget: it follows edits, and removing it releases it.
    type_into(&first_name(&host), "Ingrid");
    settle().await;
    assert!(!leaving_asks(), "the stored value again: nothing unsaved");
    type_into(&first_name(&host), "Inga");
    settle().await;
    host.remove();
    settle().await;
    assert!(!leaving_asks(), "removed after the move: released");
    assert_eq!(page_errors(), "");
}

#[wasm_bindgen_test]
async fn an_element_added_again_mounts_again() {
    let first = parent();
    let host = widget(&first);
    let seen = record(&host);
    shown(&host).await;
    type_into(&first_name(&host), "Inga");
    settle().await;
    host.remove();
    settle().await;
    let start = calls_made();

    first.append_child(&host).unwrap();
    for _ in 0..300 {
        if names(&seen).len() == 2 {
            break;
        }
        sleep(10).await;
    }
    assert_eq!(
        names(&seen),
        ["profile-loaded", "profile-loaded"],
        "loaded again"
    );
    assert!(calls_since(start).contains("GET /v1/customers/me"));
    shown(&host).await;
    assert_eq!(first_name(&host).value(), "Ingrid", "a fresh load");
    assert!(!leaving_asks());
    host.remove();
    settle().await;
    assert_eq!(page_errors(), "");
}

#[wasm_bindgen_test]
async fn a_token_that_comes_after_the_removal_starts_nothing() {
    page();
    slow_provider("slowToken");
    let start = calls_made();
    let host = document().create_element("customer-profile").unwrap();
    host.set_attribute("api", API).unwrap();
    host.set_attribute("token-provider", "slowToken").unwrap();
    let seen = record(&host);
    parent().append_child(&host).unwrap();
    settle().await;
    host.remove();
    settle().await;

    give_token("t1");
    settle().await;
    assert_eq!(calls_since(start), "", "nothing is fetched");
    assert!(inside(&host, "form").is_none(), "nothing is drawn");
    assert!(names(&seen).is_empty(), "{:?}", names(&seen));
    assert_eq!(page_errors(), "");
}

#[wasm_bindgen_test]
async fn a_save_answered_after_the_removal_touches_nothing() {
    let host = widget(&parent());
    let seen = record(&host);
    shown(&host).await;
    type_into(&first_name(&host), "Inga");
    settle().await;
    let start = calls_made();
    inside(&host, "button[type=submit]")
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .click();
    settle().await;
    assert_eq!(
        calls_since(start),
        "PATCH /v1/customers/me",
        "the save is under way"
    );

    host.remove();
    settle().await;
    open_saves();
    settle().await;
    assert_eq!(
        names(&seen),
        ["profile-loaded"],
        "no profile-saved from a removed widget"
    );
    assert!(!leaving_asks());
    assert_eq!(page_errors(), "");
}

#[wasm_bindgen_test]
async fn mount_returns_a_handle_that_unmounts() {
    let mount = page();
    let element = parent();
    let mounted = mount
        .call2(&JsValue::NULL, &element, &options(None))
        .unwrap();
    let handle = JsFuture::from(js_sys::Promise::from(mounted))
        .await
        .unwrap();
    shown(&element).await;
    type_into(&first_name(&element), "Inga");
    settle().await;
    assert!(leaving_asks());

    let unmount: js_sys::Function = js_sys::Reflect::get(&handle, &"unmount".into())
        .unwrap()
        .dyn_into()
        .expect("mount() gives { unmount }");
    unmount.call0(&handle).unwrap();
    settle().await;
    assert!(!leaving_asks(), "unmounted: released");
    assert!(inside(&element, "form").is_none());
    // Unmounting twice is harmless.
    unmount.call0(&handle).unwrap();
    assert_eq!(page_errors(), "");
}

#[wasm_bindgen_test]
async fn mount_stops_when_its_signal_aborts() {
    let mount = page();
    // Aborted while it loads: it rejects with the reason, and draws nothing.
    let element = parent();
    let controller = web_sys::AbortController::new().unwrap();
    let mounted = mount
        .call2(
            &JsValue::NULL,
            &element,
            &options(Some(controller.signal())),
        )
        .unwrap();
    controller.abort();
    let refused = JsFuture::from(js_sys::Promise::from(mounted)).await;
    assert!(refused.is_err(), "an aborted mount rejects");
    settle().await;
    assert!(inside(&element, "form").is_none());

    // Aborted once mounted: released.
    let element = parent();
    let controller = web_sys::AbortController::new().unwrap();
    let mounted = mount
        .call2(
            &JsValue::NULL,
            &element,
            &options(Some(controller.signal())),
        )
        .unwrap();
    JsFuture::from(js_sys::Promise::from(mounted))
        .await
        .unwrap();
    shown(&element).await;
    type_into(&first_name(&element), "Inga");
    settle().await;
    assert!(leaving_asks());
    controller.abort();
    settle().await;
    assert!(!leaving_asks(), "aborted: released");
    assert!(inside(&element, "form").is_none());
    assert_eq!(page_errors(), "");
}
