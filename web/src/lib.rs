//! The `<customer-profile>` widget: a Leptos form in a Shadow DOM that lets a
//! customer read and edit their own profile. `static/widget.js` defines the
//! custom element and calls [`mount_widget`].

mod api;
mod form;

pub use api::Loaded;
pub use form::{ProfileForm, SaveOutcome, build_patch};

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

/// Mounts the widget into `container` (inside the host's shadow root).
/// `get_token` returns a Promise of the customer's token.
#[wasm_bindgen]
pub fn mount_widget(container: HtmlElement, api_base: String, get_token: js_sys::Function) {
    let client = api::Client::new(api_base, get_token);
    let handle = leptos::mount::mount_to(container, move || view! { <Widget client/> });
    // The widget lives as long as its element; the page owns its lifetime.
    handle.forget();
}

/// Loads the profile, then shows the form.
#[component]
fn Widget(client: api::Client) -> impl IntoView {
    let (loaded, set_loaded) = signal(None::<Result<api::Loaded, String>>);
    {
        let client = client.clone();
        spawn_local(async move { set_loaded.set(Some(client.load().await)) });
    }
    move || match loaded.get() {
        None => view! { <p class="cp-status" role="status">"Loading your profile…"</p> }.into_any(),
        Some(Err(message)) => view! { <p class="cp-error" role="alert">{message}</p> }.into_any(),
        Some(Ok(loaded)) => {
            let client = client.clone();
            let save = move |etag: String, patch: serde_json::Value| {
                let client = client.clone();
                async move { client.save(&etag, &patch).await }
            };
            view! { <ProfileForm loaded save/> }.into_any()
        }
    }
}
