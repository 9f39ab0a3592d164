//! `ProfileForm`: the fields a customer edits, checked by the shared rules as
//! they type, saved as a merge patch of only what changed.

use crate::api::Loaded;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use profile::FieldError;
use profile::model::NAME_MAX_CHARS;
use profile::text::check_name;
use serde_json::{Map, Value};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// What a save came to.
#[derive(Clone, Debug, PartialEq)]
pub enum SaveOutcome {
    Saved(Box<Loaded>),
    Failed(String),
}

/// Sends a merge patch with `If-Match: etag`; the widget's API client in the
/// page, a recorder in tests.
pub type SaveFn = Rc<dyn Fn(String, Value) -> Pin<Box<dyn Future<Output = SaveOutcome>>>>;

/// A single-line value as the server will store it: NFC by the browser's own
/// `String.prototype.normalize` (the library's tables would cost the widget's
/// size budget; both implement the same Unicode algorithm), then the library's
/// cleaning.
pub fn clean_line(raw: &str) -> String {
    let normalized: String = js_sys::JsString::from(raw).normalize("NFC").into();
    profile::text::clean_line(&normalized)
}

/// The merge patch from `stored` to what the customer typed: changed fields only.
pub fn build_patch(stored: &Loaded, first_name: &str) -> Map<String, Value> {
    let mut patch = Map::new();
    let typed = clean_line(first_name);
    let before = stored.profile.first_name.clone().unwrap_or_default();
    if typed != before {
        let value = if typed.is_empty() {
            Value::Null
        } else {
            Value::String(typed)
        };
        patch.insert("first_name".into(), value);
    }
    patch
}

#[component]
pub fn ProfileForm<F, Fut>(loaded: Loaded, save: F) -> impl IntoView
where
    F: Fn(String, Value) -> Fut + 'static,
    Fut: Future<Output = SaveOutcome> + 'static,
{
    let save: SaveFn = Rc::new(move |etag, patch| Box::pin(save(etag, patch)));
    let first_name_value = loaded.profile.first_name.clone().unwrap_or_default();
    let stored = RwSignal::new(loaded);
    let first_name = RwSignal::new(first_name_value);
    let error = RwSignal::new(None::<FieldError>);
    let saving = RwSignal::new(false);
    let status = RwSignal::new(String::new());
    let input: NodeRef<html::Input> = NodeRef::new();

    let check = move || {
        let name = clean_line(&first_name.get_untracked());
        // An empty first name is allowed: it clears the field.
        let result = if name.is_empty() {
            None
        } else {
            check_name("/first_name", &name, NAME_MAX_CHARS)
        };
        error.set(result);
        error.get_untracked().is_none()
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() {
            return;
        }
        if !check() {
            status.set(String::new());
            if let Some(el) = input.get_untracked() {
                let _ = el.focus();
            }
            return;
        }
        let patch = build_patch(&stored.get_untracked(), &first_name.get_untracked());
        if patch.is_empty() {
            status.set("There are no changes to save.".into());
            return;
        }
        saving.set(true);
        status.set(String::new());
        let save = save.clone();
        let etag = stored.get_untracked().etag;
        spawn_local(async move {
            match save(etag, Value::Object(patch)).await {
                SaveOutcome::Saved(loaded) => {
                    first_name.set(loaded.profile.first_name.clone().unwrap_or_default());
                    stored.set(*loaded);
                    status.set("Your profile was saved.".into());
                }
                SaveOutcome::Failed(message) => status.set(message),
            }
            saving.set(false);
        });
    };

    view! {
        <form class="cp-form" novalidate on:submit=on_submit>
            <div class="cp-field">
                <label for="cp-first-name">"First name"</label>
                <input
                    id="cp-first-name"
                    name="first_name"
                    type="text"
                    autocomplete="given-name"
                    node_ref=input
                    prop:value=move || first_name.get()
                    on:input=move |ev| first_name.set(event_target_value(&ev))
                    on:blur=move |_| {
                        check();
                    }
                    aria-invalid=move || error.get().map(|_| "true")
                    aria-describedby=move || error.get().map(|_| "cp-first-name-error")
                />
                <p id="cp-first-name-error" class="cp-field-error">
                    {move || error.get().map(|e| profile::messages::message(&e, "en", None))}
                </p>
            </div>
            <button type="submit" aria-disabled=move || saving.get().then_some("true")>
                {move || if saving.get() { "Saving…" } else { "Save" }}
            </button>
            <p class="cp-status" role="status" aria-live="polite">{move || status.get()}</p>
        </form>
    }
}
