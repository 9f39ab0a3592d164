//! Beside the form, the customer's rights: their photo (picked, previewed,
//! replaced, removed), the history of their changes, a download of
//! everything held about them, and the deletion of their profile. Each
//! panel asks the API only when the customer uses it.

use crate::api::{Client, Failure};
use crate::dom::El;
use crate::form::{Backend, Form};
use gloo_net::http::Request;
use leptos::prelude::*;
use profile::photo::{MEDIA_TYPES, check_file, too_large};
use serde_json::{Value, json};
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlInputElement};

/// A time in the customer's language: its date, and with `time` its hour too.
pub fn local_time(at: &str, language: &str, time: bool) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(at));
    let text = if time {
        date.to_locale_string(language, &JsValue::UNDEFINED)
    } else {
        date.to_locale_date_string(language, &JsValue::UNDEFINED)
    };
    text.into()
}

/// What went wrong, for the customer: the server's own message for the
/// first field error when it sent one.
fn trouble(form: Form, status: u16, body: &str) -> String {
    let errors = crate::json::parse(body)
        .and_then(|problem| profile::wire::field_errors(&problem).ok())
        .unwrap_or_default();
    match (status, errors.first()) {
        (413, _) => form.message_of(&too_large()),
        (_, Some(error)) if !error.message.is_empty() => error.message.clone(),
        (_, Some(error)) => form.message_of(error),
        _ => form.t("save_failed"),
    }
}

fn failed(form: Form, failure: &Failure) -> String {
    match failure {
        Failure::SignIn => crate::i18n::text(crate::i18n::Text::SignInAgain, form.language).into(),
        _ => form.t("network_failed"),
    }
}

/// The panels, for the form `form`; `deleted` is called once the profile is erased.
pub fn panels(form: Form, client: Client, backend: Rc<dyn Backend>, deleted: Rc<dyn Fn()>) -> El {
    El::new("div")
        .attr("class", "cp-panels")
        .child(photo(form, client.clone(), backend.clone()))
        .child(history(form, client.clone()))
        .child(download(form, client.clone()))
        .child(erase(form, client, backend, deleted))
}

fn photo(form: Form, client: Client, backend: Rc<dyn Backend>) -> El {
    // A picked picture's local address, shown while it is sent.
    let chosen = RwSignal::new(None::<String>);
    let problem = RwSignal::new(String::new());
    let said = RwSignal::new(String::new());
    let src = {
        let client = client.clone();
        move || {
            chosen.get().or_else(|| {
                form.draft.with(|d| {
                    d.stored_at("/photo")
                        .as_str()
                        .map(|id| client.photo_url(id))
                })
            })
        }
    };
    let shown = src.clone();
    // After an answer: the profile it brings, or what went wrong.
    let settle = {
        let backend = backend.clone();
        Rc::new(
            move |result: Result<(u16, String, String), Failure>, done: &str| {
                if let Some(url) = chosen.get_untracked() {
                    let _ = web_sys::Url::revoke_object_url(&url);
                }
                chosen.set(None);
                match result {
                    Ok((200, etag, body)) => match crate::json::parse(&body) {
                        Some(profile) => {
                            form.took(profile, etag);
                            said.set(form.t(done));
                            backend.notify("profile-saved", json!({ "fields": ["photo"] }));
                        }
                        None => problem.set(form.t("save_failed")),
                    },
                    Ok((status, _, body)) => problem.set(trouble(form, status, &body)),
                    Err(failure) => problem.set(failed(form, &failure)),
                }
            },
        )
    };
    let upload = {
        let (client, settle) = (client.clone(), settle.clone());
        move |ev: web_sys::Event| {
            let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            input.set_value("");
            said.set(String::new());
            // Checked before anything is sent, by the rule the server applies.
            if let Some(error) = check_file(&file.type_(), file.size() as u64) {
                problem.set(form.message_of(&error));
                return;
            }
            problem.set(String::new());
            chosen.set(web_sys::Url::create_object_url_with_blob(&file).ok());
            said.set(form.t("photo_saving"));
            let (client, settle) = (client.clone(), settle.clone());
            form.spawn(async move {
                let body = Some((file.type_(), JsValue::from(file)));
                settle(
                    client.call(Request::put, "/photo", body, None).await,
                    "photo_saved",
                );
            });
        }
    };
    let remove = move |_| {
        let (client, settle) = (client.clone(), settle.clone());
        problem.set(String::new());
        form.spawn(async move {
            settle(
                client.call(Request::delete, "/photo", None, None).await,
                "photo_removed",
            );
        });
    };
    let has_photo = move || form.draft.with(|d| d.stored_at("/photo").is_string());
    El::new("section")
        .attr("class", "cp-panel cp-photo")
        .attr("aria-labelledby", "cp-photo-title")
        .child(
            El::new("h2")
                .attr("id", "cp-photo-title")
                .text(&form.t("photo_title")),
        )
        .child(
            El::new("img")
                .attr("class", "cp-photo-preview")
                .attr("alt", &form.t("photo_alt"))
                .bind_attr("src", src)
                .bind_shown(move || shown().is_some()),
        )
        .child(
            El::new("label")
                .attr("for", "cp-photo")
                .text(&form.t("photo_choose")),
        )
        .child(
            El::new("p")
                .attr("id", "cp-photo-hint")
                .attr("class", "cp-help")
                .text(&form.t("photo_hint")),
        )
        .child(
            El::new("input")
                .attr("type", "file")
                .attr("id", "cp-photo")
                .attr("accept", &MEDIA_TYPES.join(","))
                .attr("aria-describedby", "cp-photo-hint cp-photo-error")
                .bind_attr("aria-invalid", move || {
                    (!problem.get().is_empty()).then(|| "true".into())
                })
                .on("change", upload),
        )
        .child(
            El::new("p")
                .attr("id", "cp-photo-error")
                .attr("class", "cp-error")
                .attr("role", "alert")
                .bind_text(move || problem.get()),
        )
        .child(
            El::new("button")
                .attr("type", "button")
                .text(&form.t("photo_remove"))
                .bind_shown(has_photo)
                .on("click", remove),
        )
        .child(
            El::new("p")
                .attr("role", "status")
                .bind_text(move || said.get()),
        )
}

/// The name a person reads for a changed field: its label in the form.
fn label_of(form: Form, name: &str) -> String {
    if name == "photo" {
        return form.t("photo_title");
    }
    form.label_of(&format!("/{name}"))
        .or_else(|| form.label_of(&format!("/{name}/granted")))
        .unwrap_or_else(|| name.replace(['_', '/'], " "))
}

fn history_entry(form: Form, entry: &Value) -> El {
    let text = |key: &str| entry[key].as_str().unwrap_or_default().to_owned();
    let at = text("at");
    let what = if text("kind") == "created" {
        form.t("history_created")
    } else {
        let fields = entry["fields"].as_array().cloned().unwrap_or_default();
        let names: Vec<String> = fields
            .iter()
            .filter_map(Value::as_str)
            .map(|name| label_of(form, name))
            .collect();
        names.join(", ")
    };
    let who = form.t(if text("actor") == "customer" {
        "by_you"
    } else {
        "by_programme"
    });
    El::new("li")
        .child(
            El::new("time")
                .attr("datetime", &at)
                .text(&local_time(&at, form.language, true)),
        )
        .text(&format!(": {what} ({who}, {})", text("channel")))
}

/// Whether the `<details>` an event came from is open.
fn opened(ev: &web_sys::Event) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .is_some_and(|el| el.has_attribute("open"))
}

fn history(form: Form, client: Client) -> El {
    let entries = RwSignal::new(Vec::<Value>::new());
    let next = RwSignal::new(None::<String>);
    // Nothing asked yet, asked, or what went wrong.
    let asked = RwSignal::new(false);
    let problem = RwSignal::new(String::new());
    let load: Rc<dyn Fn(String)> = Rc::new(move |query: String| {
        let client = client.clone();
        asked.set(true);
        form.spawn(async move {
            let path = format!("/history{query}");
            match client.call(Request::get, &path, None, None).await {
                Ok((200, _, body)) => {
                    let page = crate::json::parse(&body).unwrap_or_default();
                    let more = page["entries"].as_array().cloned().unwrap_or_default();
                    entries.update(|all| all.extend(more));
                    next.set(page["next"].as_str().map(str::to_owned));
                    problem.set(String::new());
                }
                Ok(_) => problem.set(form.t("load_failed")),
                Err(failure) => problem.set(failed(form, &failure)),
            }
        });
    });
    let first = load.clone();
    El::new("details")
        .attr("class", "cp-panel cp-history")
        .on("toggle", move |ev| {
            if opened(&ev) && !asked.get_untracked() {
                first(String::new());
            }
        })
        .child(El::new("summary").text(&form.t("history_title")))
        .child(El::new("ol").bind_children(
            move || entries.with(Vec::len).to_string(),
            move || {
                entries.with_untracked(|all| all.iter().map(|e| history_entry(form, e)).collect())
            },
        ))
        .child(El::new("p").attr("role", "status").bind_text(move || {
            let empty = asked.get() && entries.with(Vec::is_empty) && next.get().is_none();
            match problem.get() {
                problem if !problem.is_empty() => problem,
                _ if empty => form.t("history_empty"),
                _ => String::new(),
            }
        }))
        .child(
            El::new("button")
                .attr("type", "button")
                .text(&form.t("history_more"))
                .bind_shown(move || next.get().is_some())
                .on("click", move |_| {
                    if let Some(cursor) = next.get_untracked() {
                        load(format!("?cursor={cursor}"));
                    }
                }),
        )
}

/// Saves `text` as the file `name`, as a link the page clicks.
fn save_file(name: &str, text: &str) -> Option<()> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
    let link = El::new("a")
        .attr("href", &url)
        .attr("download", name)
        .into_html();
    link.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Some(())
}

fn download(form: Form, client: Client) -> El {
    let said = RwSignal::new(String::new());
    El::new("div")
        .attr("class", "cp-panel cp-download")
        .child(
            El::new("button")
                .attr("type", "button")
                .text(&form.t("download"))
                .on("click", move |_| {
                    let client = client.clone();
                    form.spawn(async move {
                        said.set(
                            match client.call(Request::get, "/export", None, None).await {
                                Ok((200, _, body)) => {
                                    match save_file("customer-profile-export.json", &body) {
                                        Some(()) => form.t("downloaded"),
                                        None => form.t("load_failed"),
                                    }
                                }
                                Ok(_) => form.t("load_failed"),
                                Err(failure) => failed(form, &failure),
                            },
                        );
                    });
                }),
        )
        .child(
            El::new("p")
                .attr("role", "status")
                .bind_text(move || said.get()),
        )
}

fn erase(form: Form, client: Client, backend: Rc<dyn Backend>, deleted: Rc<dyn Fn()>) -> El {
    let problem = RwSignal::new(String::new());
    let confirm = move |_| {
        let (client, backend, deleted) = (client.clone(), backend.clone(), deleted.clone());
        let etag = form.draft.with_untracked(|d| d.etag().to_owned());
        form.spawn(async move {
            match client.call(Request::delete, "", None, Some(etag)).await {
                Ok((204, _, _)) => {
                    backend.notify("profile-deleted", json!({}));
                    deleted();
                }
                Ok((412, _, _)) => problem.set(form.t("conflict")),
                Ok((status, _, body)) => problem.set(trouble(form, status, &body)),
                Err(failure) => problem.set(failed(form, &failure)),
            }
        });
    };
    El::new("details")
        .attr("class", "cp-panel cp-delete")
        .child(El::new("summary").text(&form.t("delete_title")))
        .child(
            El::new("p")
                .attr("id", "cp-delete-warning")
                .text(&form.t("delete_warning")),
        )
        .child(
            El::new("button")
                .attr("type", "button")
                .attr("class", "cp-danger")
                .attr("aria-describedby", "cp-delete-warning")
                .text(&form.t("delete_confirm"))
                .on("click", confirm),
        )
        .child(
            El::new("p")
                .attr("class", "cp-error")
                .attr("role", "alert")
                .bind_text(move || problem.get()),
        )
}
