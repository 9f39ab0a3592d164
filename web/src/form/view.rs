//! The form's element: the schema's sections, the error summary, the save
//! button and the announcements, wired to the form's state.

use super::{Backend, Form, Status, submit};
use crate::dom::El;
use crate::draft::Draft;
use crate::fields::section_view;
use crate::i18n::Text;
use crate::values::country_list;
use leptos::prelude::*;
use profile::schema::FormSchema;
use std::rc::Rc;
use wasm_bindgen::JsCast;

/// The form: the schema's sections, the error summary, the save button and
/// the announcements. Returns its element; the caller puts it on the page.
pub fn profile_form(form: Form, schema: &FormSchema, backend: Rc<dyn Backend>) -> El {
    // The form's element, once made (for focus and the summary's links).
    let root: Rc<std::cell::OnceCell<web_sys::HtmlElement>> = Rc::default();
    // Leaving the page with unsaved edits asks first.
    let leave = window_event_listener(leptos::ev::beforeunload, move |ev| {
        if form.draft.with_untracked(Draft::is_dirty) {
            ev.prevent_default();
            ev.set_return_value("");
        }
    });
    on_cleanup(move || leave.remove());

    let summary_root = root.clone();
    let summary = El::new("div")
        .attr("class", "cp-summary")
        .attr("role", "alert")
        .attr("aria-labelledby", "cp-summary-title")
        .bind_shown(move || !form.summary().is_empty())
        .child(
            El::new("h2")
                .attr("id", "cp-summary-title")
                .text(&form.t("summary_title")),
        )
        .child(El::new("ul").bind_children(
            // Drawn again when an entry changes, not on every check.
            move || {
                form.summary()
                    .into_iter()
                    .map(|(id, message)| format!("{id}\t{message}\n"))
                    .collect::<String>()
            },
            move || {
                form.summary()
                    .into_iter()
                    .map(|(id, message)| {
                        let (target, root) = (id.clone(), summary_root.clone());
                        let link = El::new("a")
                            .attr("href", &format!("#{id}"))
                            .text(&message)
                            .on("click", move |ev| {
                                // A fragment cannot reach into a shadow root: focus by hand.
                                ev.prevent_default();
                                focus(root.get(), &format!("#{target}"));
                            });
                        El::new("li").child(link)
                    })
                    .collect()
            },
        ));
    let notice = El::new("div")
        .attr("class", "cp-notice")
        .attr("role", "alert")
        .bind_shown(move || form.status.get() == Status::Conflict)
        .text(&form.t("conflict"));
    let countries = country_list(form.language);
    let sections = schema
        .sections
        .iter()
        .map(|section| section_view(form, section, &countries))
        .collect();
    let saving = move || form.status.get() == Status::Saving;
    let save = El::new("button")
        .attr("type", "submit")
        .attr("class", "cp-primary")
        .bind_attr("aria-disabled", move || saving().then(|| "true".to_owned()))
        .bind_text(move || form.t(if saving() { "saving" } else { "save" }));
    let retry = El::new("button")
        .attr("type", "button")
        .text(crate::i18n::text(Text::TryAgain, form.language))
        .bind_shown(move || form.status.get() == Status::Network)
        .on("click", {
            let (backend, root) = (backend.clone(), root.clone());
            move |_| submit(form, backend.clone(), root.get().cloned())
        });
    let status = El::new("p")
        .attr("class", "cp-status")
        .attr("role", "status")
        .attr("aria-live", "polite")
        .bind_attr("data-state", move || {
            Some(
                match form.status.get() {
                    Status::Saved => "saved",
                    Status::Network | Status::Failed | Status::SignIn => "problem",
                    _ => "",
                }
                .to_owned(),
            )
        })
        .bind_text(move || match form.status.get() {
            Status::Idle | Status::Conflict => String::new(),
            Status::Saving => form.t("saving"),
            Status::Saved => form.t("saved"),
            Status::NoChanges => form.t("no_changes"),
            Status::Network => form.t("network_failed"),
            Status::Failed => form.t("save_failed"),
            Status::SignIn => crate::i18n::text(Text::SignInAgain, form.language).to_owned(),
        });
    let element = El::new("form")
        .attr("class", "cp-form")
        .attr("novalidate", "")
        .child(summary)
        .child(notice)
        .children(sections)
        .child(
            El::new("div")
                .attr("class", "cp-actions")
                .child(save)
                .child(retry),
        )
        .child(status)
        .on("submit", {
            let root = root.clone();
            move |ev| {
                ev.prevent_default();
                submit(form, backend.clone(), root.get().cloned());
            }
        });
    let _ = root.set(element.clone().into_html());
    element
}

/// Focuses the element `selector` finds in `root`.
pub(super) fn focus(root: Option<&web_sys::HtmlElement>, selector: &str) {
    if let Some(root) = root
        && let Ok(Some(element)) = root.query_selector(selector)
        && let Ok(element) = element.dyn_into::<web_sys::HtmlElement>()
    {
        let _ = element.focus();
    }
}
