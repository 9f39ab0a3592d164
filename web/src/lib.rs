//! The `<customer-profile>` widget: a Leptos form in a Shadow DOM that lets a
//! customer read and edit their own profile. `static/element.js` defines the
//! custom element, starts loading the schema and the profile while this
//! module compiles, and calls [`mount_widget`] (and [`release_widget`]).

mod api;
mod dom;
mod draft;
mod fields;
mod form;
mod i18n;
mod json;
mod panels;
mod values;

pub use api::{Failure, Loaded};
pub use form::{Backend, Form, Pending, Status, profile_form};

use dom::El;
use gloo_net::http::Response;
use i18n::{Text as T, text};
use leptos::prelude::*;
use profile::schema::FormSchema;
use serde_json::{Value, json};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlElement;

/// Mounts the widget into `container` (inside `host`'s shadow root).
/// `get_token` returns a Promise of the customer's token; `preload` is what
/// the page already asked for: `{token, profile, schema}` (Promises of
/// Responses), or `undefined`.
///
/// Returns the widget's number, for [`release_widget`].
#[wasm_bindgen]
pub fn mount_widget(
    host: HtmlElement,
    container: HtmlElement,
    api_base: String,
    language: String,
    get_token: js_sys::Function,
    preload: JsValue,
) -> u32 {
    // Effects and tasks run on the browser's microtasks (set once per page).
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let language = profile::messages::negotiate(&language);
    let field = |name: &str| js_sys::Reflect::get(&preload, &name.into()).ok();
    let token = field("token").and_then(|t| t.as_string());
    let client = api::Client::new(&api_base, language, get_token).with_token(token);
    let preloaded = Preloaded {
        profile: field("profile").and_then(|p| p.dyn_into().ok()),
        schema: field("schema").and_then(|p| p.dyn_into().ok()),
    };
    // The widget's reactive owner: everything it made hangs from it.
    let owner = Owner::new();
    owner.with(|| {
        let _ = container.append_child(&widget(client, host, language, preloaded).0);
    });
    MOUNTED.with_borrow_mut(|mounted| {
        mounted.push(Some(owner));
        mounted.len() as u32 - 1
    })
}

thread_local! {
    /// The owner of each widget mounted on the page, by number; `None` once
    /// released. (A number, not a closure: a closure type costs more.)
    static MOUNTED: RefCell<Vec<Option<Owner>>> = const { RefCell::new(Vec::new()) };
}

/// Releases the widget numbered `widget`: its effects end, its listeners and
/// the page's `beforeunload` guard come off, and an answer still under way
/// touches nothing. `element.js` calls it when the element leaves the page,
/// and from `mount()`'s `unmount`. Releasing it again does nothing.
#[wasm_bindgen]
pub fn release_widget(widget: u32) {
    let owner =
        MOUNTED.with_borrow_mut(|mounted| mounted.get_mut(widget as usize).and_then(Option::take));
    if let Some(owner) = owner {
        owner.cleanup();
    }
}

/// Requests the page started before the WASM was ready.
#[derive(Default)]
struct Preloaded {
    profile: Option<js_sys::Promise>,
    schema: Option<js_sys::Promise>,
}

async fn answer(promise: Option<js_sys::Promise>) -> Option<Response> {
    let value = JsFuture::from(promise?).await.ok()?;
    value
        .dyn_into::<web_sys::Response>()
        .ok()
        .map(Response::from)
}

/// Sends a DOM event from the host element (it crosses the shadow boundary).
fn dispatch(host: &HtmlElement, name: &str, detail: &Value) {
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&json::to_js(detail));
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = host.dispatch_event(&event);
    }
}

struct PageBackend {
    client: api::Client,
    host: HtmlElement,
}

impl Backend for PageBackend {
    fn save(&self, etag: String, patch: Value) -> Pending<Result<Loaded, Failure>> {
        let client = self.client.clone();
        Box::pin(async move { client.save(&etag, &patch).await })
    }

    fn reload(&self) -> Pending<Result<Loaded, Failure>> {
        let client = self.client.clone();
        Box::pin(async move { client.profile(None).await })
    }

    fn notify(&self, event: &str, detail: Value) {
        dispatch(&self.host, event, &detail);
    }
}

type Ready = Result<(FormSchema, Loaded), Failure>;

/// Loads the schema and the profile (both already under way), then shows
/// the form; a failed load says why and offers to try again.
fn widget(
    client: api::Client,
    host: HtmlElement,
    language: &'static str,
    preloaded: Preloaded,
) -> El {
    let state = RwSignal::new(None::<Ready>);
    let load = {
        let (client, host) = (client.clone(), host.clone());
        move |preloaded: Preloaded| {
            let (client, host) = (client.clone(), host.clone());
            state.set(None);
            let alive = Box::new(move || !state.is_disposed());
            dom::spawn_while(
                alive,
                Box::pin(async move {
                    let (profile, schema) = (answer(preloaded.profile), answer(preloaded.schema));
                    let profile = client.profile(profile.await).await;
                    let schema = client.schema(schema.await).await;
                    let ready = profile.and_then(|loaded| Ok((schema?, loaded)));
                    match &ready {
                        Ok((_, loaded)) => dispatch(
                            &host,
                            "profile-loaded",
                            &json!({ "version": loaded.profile.get("version") }),
                        ),
                        Err(failure) => dispatch(&host, "profile-error", &failure.event()),
                    }
                    state.set(Some(ready));
                }),
            );
        }
    };
    load(preloaded);
    // Once the customer erased their profile: what the widget says instead.
    let deleted = RwSignal::new(String::new());
    let backend: Rc<dyn Backend> = Rc::new(PageBackend {
        client: client.clone(),
        host,
    });
    let phase = move || {
        if !deleted.with(String::is_empty) {
            return "deleted".to_owned();
        }
        match state.with(|s| s.as_ref().map(Result::is_ok)) {
            None => "loading",
            Some(false) => "failed",
            Some(true) => "ready",
        }
        .to_owned()
    };
    El::new("div").bind_children(phase, move || {
        let drawn = state.with_untracked(|s| match s {
            None => Err(None),
            Some(Err(failure)) => Err(Some(failure.clone())),
            Some(Ok((schema, loaded))) => Ok((schema.clone(), loaded.clone())),
        });
        let problem = |message: T| {
            El::new("div")
                .attr("class", "cp-problem")
                .attr("role", "alert")
                .child(El::new("p").text(text(message, language)))
        };
        let said = deleted.get_untracked();
        if !said.is_empty() {
            // Nothing of the profile is left on the page.
            return vec![
                El::new("p")
                    .attr("class", "cp-status")
                    .attr("role", "status")
                    .attr("data-state", "deleted")
                    .text(&said),
            ];
        }
        vec![match drawn {
            Err(None) => El::new("p")
                .attr("class", "cp-status")
                .attr("role", "status")
                .text(text(T::Loading, language)),
            Err(Some(failure)) => {
                let message = if failure == Failure::SignIn {
                    T::SignInAgain
                } else {
                    T::LoadFailed
                };
                problem(message).child(
                    El::new("button")
                        .attr("type", "button")
                        .text(text(T::TryAgain, language))
                        .on("click", {
                            let load = load.clone();
                            move |_| load(Preloaded::default())
                        }),
                )
            }
            Ok((schema, loaded)) => match Form::new(&schema, loaded, language) {
                Some(form) => {
                    let gone = Rc::new(move || deleted.set(form.t("deleted")));
                    El::new("div")
                        .child(profile_form(form, &schema, backend.clone()))
                        .child(panels::panels(form, client.clone(), backend.clone(), gone))
                }
                None => problem(T::LoadFailed),
            },
        }]
    })
}
