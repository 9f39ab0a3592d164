//! Beside the form: the code that confirms a new e-mail address (while one
//! is pending), and the customer's rights: their photo (picked, previewed,
//! replaced, removed), the history of their changes, a download of
//! everything held about them, and the deletion of their profile. Each
//! panel asks the API only when the customer uses it.
//!
//! What a panel says is set on its element when an answer comes, not kept
//! in signals: a signal of a new type, and each closure that shows one,
//! cost the widget's size budget (measured: about 2 KB gzip for these panels).

use crate::api::{Client, Failure};
use crate::dom::El;
use crate::form::{Backend, Form};
use gloo_net::http::Request;
use leptos::prelude::*;
use profile::photo::{ACCEPT, check_file};
use serde_json::{Value, json};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlInputElement};

/// A date (RFC 3339) as the customer's language writes it.
pub fn local_date(at: &str, language: &str) -> String {
    js_sys::Date::new(&JsValue::from_str(at))
        .to_locale_date_string(language, &JsValue::UNDEFINED)
        .into()
}

/// A line that says what an answer meant: a status, or (`alert`) a problem.
fn line(alert: bool) -> El {
    let el = El::new("p");
    if alert {
        el.attr("class", "cp-error").attr("role", "alert")
    } else {
        el.attr("role", "status")
    }
}

/// Sets what `el` says.
fn say(el: &Element, text: &str) {
    el.set_text_content(Some(text));
}

/// What went wrong, for the customer: the message of the first field
/// error, which the server writes in the customer's language.
fn trouble(form: Form, body: &str) -> String {
    let errors = crate::json::parse(body)
        .and_then(|problem| profile::wire::field_errors(&problem).ok())
        .unwrap_or_default();
    match errors.first() {
        Some(error) if !error.message.is_empty() => error.message.clone(),
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
        .child(email(form, client.clone()))
        .child(photo(form, client.clone()))
        .child(history(form, client.clone()))
        .child(download(form, client.clone()))
        .child(erase(form, client, backend, deleted))
}

/// Turns `button` off for the minute between two codes.
fn cool_down(button: &Element) {
    let _ = button.set_attribute("disabled", "");
    let again = button.clone();
    let wake = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = again.remove_attribute("disabled");
    });
    if let Some(window) = web_sys::window() {
        let wait = profile::verification::RESEND_SECONDS as i32 * 1000;
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(wake.unchecked_ref(), wait);
    }
}

/// The pending address: where the code went, the code's field, and a new
/// code after a minute. Shown only while an address is pending.
fn email(form: Form, client: Client) -> El {
    let pending = move || {
        form.draft
            .with(|d| d.stored_at("/pending_email").as_str().map(str::to_owned))
    };
    let problem = line(true).attr("id", "cp-email-code-error");
    let said = line(false);
    let input = El::new("input")
        .attr("id", "cp-email-code")
        .attr("inputmode", "numeric")
        .attr("autocomplete", "one-time-code")
        .attr("maxlength", "6")
        .attr("aria-describedby", "cp-email-code-sent cp-email-code-error");
    let resend = El::new("button")
        .attr("type", "button")
        .attr("aria-describedby", "cp-email-resend-wait")
        .text(&form.t("email_resend"));
    let (problem_el, said_el, input_el, resend_el) = (
        problem.0.clone(),
        said.0.clone(),
        input.0.clone(),
        resend.0.clone(),
    );
    // A code went out when the address became pending: the next waits a minute.
    let seen = RefCell::new(None::<String>);
    let cooled = resend_el.clone();
    crate::dom::effect(Box::new(move || {
        let now = pending();
        if now.is_some() && *seen.borrow() != now {
            cool_down(&cooled);
        }
        *seen.borrow_mut() = now;
    }));
    // As the photo's `refuse`: one shared helper (returning a closure, or an
    // `Rc<dyn Fn>`) cost the widget 96 to 132 bytes more than the two copies.
    let tell = {
        let (problem_el, input_el) = (problem_el.clone(), input_el.clone());
        move |text: &str| {
            say(&problem_el, text);
            let _ = if text.is_empty() {
                input_el.remove_attribute("aria-invalid")
            } else {
                input_el.set_attribute("aria-invalid", "true")
            };
        }
    };
    let confirm = {
        let (client, tell, said_el) = (client.clone(), tell.clone(), said_el.clone());
        move |event: web_sys::Event| {
            event.prevent_default();
            let input: &HtmlInputElement = input_el.unchecked_ref();
            let body = crate::json::stringify(&json!({ "code": input.value().trim() }));
            let (client, tell, said_el, input) =
                (client.clone(), tell.clone(), said_el.clone(), input.clone());
            form.spawn(async move {
                let body = Some(("application/json", JsValue::from_str(&body)));
                let answer = client
                    .answer(Request::post, "/email/verify", body, None)
                    .await;
                say(&said_el, "");
                match answer {
                    Ok((200, etag, body)) => {
                        if let Some(profile) = crate::json::parse(&body) {
                            tell("");
                            input.set_value("");
                            form.took(profile, etag);
                            say(&said_el, &form.t("email_confirmed"));
                        }
                    }
                    Ok((_, _, body)) => tell(&trouble(form, &body)),
                    Err(failure) => tell(&failed(form, &failure)),
                }
            });
        }
    };
    let again = move |_| {
        let (client, tell, said_el, resend_el) = (
            client.clone(),
            tell.clone(),
            said_el.clone(),
            resend_el.clone(),
        );
        form.spawn(async move {
            let answer = client
                .answer(Request::post, "/email/code", None, None)
                .await;
            match answer {
                Ok((200, _, _)) => {
                    tell("");
                    cool_down(&resend_el);
                    say(
                        &said_el,
                        &form
                            .t("email_code_sent")
                            .replace("{email}", &pending().unwrap_or_default()),
                    );
                }
                Ok((429, _, _)) => tell(&form.t("email_resend_wait")),
                Ok((_, _, body)) => tell(&trouble(form, &body)),
                Err(failure) => tell(&failed(form, &failure)),
            }
        });
    };
    let section = El::new("section")
        .attr("class", "cp-panel cp-email-pending")
        .attr("aria-labelledby", "cp-email-pending-title")
        .child(
            El::new("h2")
                .attr("id", "cp-email-pending-title")
                .text(&form.t("email_pending_title")),
        )
        .child(
            El::new("p")
                .attr("id", "cp-email-code-sent")
                .bind_text(move || {
                    form.t("email_code_sent")
                        .replace("{email}", &pending().unwrap_or_default())
                }),
        )
        .child(
            El::new("form")
                .child(
                    El::new("label")
                        .attr("for", "cp-email-code")
                        .text(&form.t("email_code")),
                )
                .child(input)
                .child(
                    El::new("button")
                        .attr("type", "submit")
                        .text(&form.t("email_confirm")),
                )
                .on("submit", confirm),
        )
        .child(problem)
        .child(resend.on("click", again))
        .child(
            El::new("p")
                .attr("id", "cp-email-resend-wait")
                .attr("class", "cp-help")
                .text(&form.t("email_resend_wait")),
        )
        .bind_shown(move || pending().is_some());
    El::new("div").child(section).child(said)
}

/// The stored photo's address, if the profile has one.
fn stored_photo(form: Form, client: &Client) -> Option<String> {
    form.draft.with(|d| {
        d.stored_at("/photo")
            .as_str()
            .map(|id| client.photo_url(id))
    })
}

/// Shows `src` in the preview, or hides it.
fn preview(img: &Element, src: Option<String>) {
    let _ = img.toggle_attribute_with_force("hidden", src.is_none());
    let _ = img.set_attribute("src", src.as_deref().unwrap_or_default());
}

fn photo(form: Form, client: Client) -> El {
    let img = El::new("img")
        .attr("class", "cp-photo-preview")
        .attr("alt", &form.t("photo_alt"));
    let problem = line(true).attr("id", "cp-photo-error");
    let said = line(false);
    let input = El::new("input")
        .attr("type", "file")
        .attr("id", "cp-photo")
        .attr("accept", ACCEPT)
        .attr("aria-describedby", "cp-photo-hint cp-photo-error");
    let (img_el, problem_el, said_el, input_el) = (
        img.0.clone(),
        problem.0.clone(),
        said.0.clone(),
        input.0.clone(),
    );
    // The stored photo shows whenever the profile changes.
    let img = {
        let client = client.clone();
        let shown = img_el.clone();
        crate::dom::effect(Box::new(move || {
            preview(&shown, stored_photo(form, &client))
        }));
        img
    };
    // A problem, or nothing: the picker says whether its file was refused.
    let refuse = {
        let (problem_el, input_el) = (problem_el.clone(), input_el.clone());
        move |text: &str| {
            say(&problem_el, text);
            let _ = if text.is_empty() {
                input_el.remove_attribute("aria-invalid")
            } else {
                input_el.set_attribute("aria-invalid", "true")
            };
        }
    };
    // After an answer: the profile it brings, or what went wrong.
    let settle = {
        let (client, refuse) = (client.clone(), refuse.clone());
        let (img_el, said_el) = (img_el.clone(), said_el.clone());
        Rc::new(
            move |result: Result<(u16, String, String), Failure>, done: &str| {
                if let Some(url) = img_el
                    .get_attribute("src")
                    .filter(|u| u.starts_with("blob:"))
                {
                    let _ = web_sys::Url::revoke_object_url(&url);
                }
                say(&said_el, "");
                match result {
                    Ok((200, etag, body)) => match crate::json::parse(&body) {
                        Some(profile) => {
                            form.took(profile, etag);
                            say(&said_el, &form.t(done));
                        }
                        None => refuse(&form.t("save_failed")),
                    },
                    Ok((_, _, body)) => refuse(&trouble(form, &body)),
                    Err(failure) => refuse(&failed(form, &failure)),
                }
                preview(&img_el, untrack(|| stored_photo(form, &client)));
            },
        )
    };
    let upload = {
        let (client, settle, refuse) = (client.clone(), settle.clone(), refuse.clone());
        let input_el = input_el.clone();
        move |_| {
            let input: &HtmlInputElement = input_el.unchecked_ref();
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            input.set_value("");
            // Checked before anything is sent, by the rule the server applies.
            if let Some(error) = check_file(&file.type_(), file.size() as u64) {
                say(&said_el, "");
                refuse(&form.message_of(&error));
                return;
            }
            refuse("");
            preview(
                &img_el,
                web_sys::Url::create_object_url_with_blob(&file).ok(),
            );
            say(&said_el, &form.t("photo_saving"));
            let (client, settle) = (client.clone(), settle.clone());
            form.spawn(async move {
                let media_type = file.type_();
                let body = Some((media_type.as_str(), JsValue::from(file)));
                settle(
                    client.answer(Request::put, "/photo", body, None).await,
                    "photo_saved",
                );
            });
        }
    };
    let remove = move |_| {
        let (client, settle) = (client.clone(), settle.clone());
        refuse("");
        form.spawn(async move {
            settle(
                client.answer(Request::delete, "/photo", None, None).await,
                "photo_removed",
            );
        });
    };
    El::new("section")
        .attr("class", "cp-panel cp-photo")
        .attr("aria-labelledby", "cp-photo-title")
        .child(
            El::new("h2")
                .attr("id", "cp-photo-title")
                .text(&form.t("photo_title")),
        )
        .child(img)
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
        .child(input.on("change", upload))
        .child(problem)
        .child(
            El::new("button")
                .attr("type", "button")
                .text(&form.t("photo_remove"))
                .bind_shown(move || form.draft.with(|d| d.stored_at("/photo").is_string()))
                .on("click", remove),
        )
        .child(said)
}

/// The name a person reads for a changed field: its label in the form.
fn label_of(form: Form, name: &str) -> String {
    if name == "photo" {
        return form.t("photo_title");
    }
    form.label_of(&format!("/{name}"))
        .or_else(|| form.label_of(&format!("/{name}/granted")))
        .unwrap_or_else(|| name.to_owned())
}

fn history_entry(form: Form, entry: &Value) -> El {
    let text = |key: &str| entry[key].as_str().unwrap_or_default();
    let at = text("at");
    let mut what = String::new();
    if text("kind") == "created" {
        what = form.t("history_created");
    } else {
        for name in entry["fields"].as_array().into_iter().flatten() {
            if !what.is_empty() {
                what.push_str(", ");
            }
            what.push_str(&label_of(form, name.as_str().unwrap_or_default()));
        }
    }
    let who = form.t(if text("actor") == "customer" {
        "by_you"
    } else {
        "by_programme"
    });
    El::new("li")
        .child(
            El::new("time")
                .attr("datetime", at)
                .text(&local_date(at, form.language)),
        )
        .text(": ")
        .text(&what)
        .text(" (")
        .text(&who)
        .text(", ")
        .text(text("channel"))
        .text(")")
}

fn history(form: Form, client: Client) -> El {
    let list = El::new("ol");
    let said = line(false);
    let more = El::new("button")
        .attr("type", "button")
        .attr("hidden", "")
        .text(&form.t("history_more"));
    // The older page's cursor: empty before the first page and after the last.
    let next = Rc::new(RefCell::new(None::<String>));
    let (items, said_el, more_el) = (list.0.clone(), said.0.clone(), more.0.clone());
    let load: Rc<dyn Fn()> = Rc::new({
        let next = next.clone();
        move || {
            let path = next
                .borrow()
                .as_ref()
                .map_or_else(|| "/history".to_owned(), |c| format!("/history?cursor={c}"));
            let (client, items, said_el, more_el, next) = (
                client.clone(),
                items.clone(),
                said_el.clone(),
                more_el.clone(),
                next.clone(),
            );
            form.spawn(async move {
                let text = match client.answer(Request::get, &path, None, None).await {
                    Ok((200, _, body)) => {
                        let page = crate::json::parse(&body).unwrap_or_default();
                        let mut none = true;
                        for entry in page["entries"].as_array().into_iter().flatten() {
                            let _ = items.append_child(&history_entry(form, entry).0);
                            none = false;
                        }
                        *next.borrow_mut() = page["next"].as_str().map(str::to_owned);
                        let _ =
                            more_el.toggle_attribute_with_force("hidden", next.borrow().is_none());
                        // Only a first page can be empty.
                        if none {
                            form.t("history_empty")
                        } else {
                            String::new()
                        }
                    }
                    Ok(_) => form.t("load_failed"),
                    Err(failure) => failed(form, &failure),
                };
                say(&said_el, &text);
            });
        }
    });
    let first = load.clone();
    let asked = std::cell::Cell::new(false);
    let details = El::new("details").attr("class", "cp-panel cp-history");
    let opened = details.0.clone();
    details
        .on("toggle", move |_| {
            if opened.has_attribute("open") && !asked.replace(true) {
                first();
            }
        })
        .child(El::new("summary").text(&form.t("history_title")))
        .child(list)
        .child(said)
        .child(more.on("click", move |_| load()))
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
    let said = line(false);
    let said_el = said.0.clone();
    let button = El::new("button")
        .attr("type", "button")
        .text(&form.t("download"));
    El::new("div")
        .attr("class", "cp-panel cp-download")
        .child(button.on("click", move |_| {
            let (client, said_el) = (client.clone(), said_el.clone());
            form.spawn(async move {
                let text = match client.answer(Request::get, "/export", None, None).await {
                    Ok((200, _, body)) => match save_file("customer-profile-export.json", &body) {
                        Some(()) => form.t("downloaded"),
                        None => form.t("load_failed"),
                    },
                    Ok(_) => form.t("load_failed"),
                    Err(failure) => failed(form, &failure),
                };
                say(&said_el, &text);
            });
        }))
        .child(said)
}

fn erase(form: Form, client: Client, backend: Rc<dyn Backend>, deleted: Rc<dyn Fn()>) -> El {
    let problem = line(true);
    let problem_el = problem.0.clone();
    let confirm = move |_| {
        let (client, backend, deleted) = (client.clone(), backend.clone(), deleted.clone());
        let problem_el = problem_el.clone();
        let etag = form.draft.with_untracked(|d| d.etag().to_owned());
        form.spawn(async move {
            let text = match client.answer(Request::delete, "", None, Some(&etag)).await {
                Ok((204, _, _)) => {
                    backend.notify("profile-deleted", json!({}));
                    deleted();
                    return;
                }
                Ok((412, _, _)) => form.t("conflict"),
                Ok((_, _, body)) => trouble(form, &body),
                Err(failure) => failed(form, &failure),
            };
            say(&problem_el, &text);
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
        .child(problem)
}
