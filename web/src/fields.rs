//! One control per kind of field in the schema: text, textarea, number, date,
//! checkbox, select, multi-select, address, list of addresses, company and
//! consent; read-only fields as text. Every control is labelled, shows its
//! message under it, and marks itself `aria-invalid` and `aria-describedby`.

use crate::dom::El;
use crate::form::{Form, id_of};
use crate::values::{Countries, Kind, LANGUAGE_NAMES, autocomplete, display, from_text, to_text};
use leptos::prelude::*;
use profile::schema::{Control, SchemaField, SchemaOption, SchemaSection};
use serde_json::{Value, json};

/// Marks a control `aria-invalid` and `aria-describedby` (its help, and its
/// message while one shows).
fn describe(form: Form, control: El, pointer: &str, help: bool) -> El {
    let id = id_of(pointer);
    let (p_invalid, p_described) = (pointer.to_owned(), pointer.to_owned());
    control
        .bind_attr("aria-invalid", move || {
            form.error_for(&p_invalid).map(|_| "true".to_owned())
        })
        .bind_attr("aria-describedby", move || {
            let mut ids = Vec::new();
            let (help_id, error_id) = (format!("{id}-help"), format!("{id}-error"));
            if help {
                ids.push(help_id.as_str());
            }
            if form.error_for(&p_described).is_some() {
                ids.push(error_id.as_str());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        })
}

/// The message under a control.
fn message(form: Form, pointer: &str) -> El {
    let p = pointer.to_owned();
    El::new("p")
        .attr("id", &format!("{}-error", id_of(pointer)))
        .attr("class", "cp-field-error")
        .bind_text(move || form.error_for(&p).unwrap_or_default())
}

/// Where both the customer and someone else changed a field: both values,
/// and the choice.
fn conflict_choice(form: Form, pointer: &str, control: Control) -> El {
    let (p_shown, p_theirs, p_mine, p_keep, p_take) = (
        pointer.to_owned(),
        pointer.to_owned(),
        pointer.to_owned(),
        pointer.to_owned(),
        pointer.to_owned(),
    );
    El::new("div")
        .attr("class", "cp-conflict")
        .attr("role", "group")
        .attr("aria-label", &form.t("changed_elsewhere"))
        .bind_shown(move || form.conflict(&p_shown).is_some())
        .child(
            El::new("p")
                .text(&form.t("changed_elsewhere"))
                .text(" ")
                .child(El::new("strong").bind_text(move || {
                    form.conflict(&p_theirs)
                        .map(|v| display(form, &v, control))
                        .unwrap_or_default()
                })),
        )
        .child(
            El::new("p").text(&form.t("your_value")).text(" ").child(
                El::new("strong").bind_text(move || display(form, &form.get(&p_mine), control)),
            ),
        )
        .child(
            El::new("button")
                .attr("type", "button")
                .text(&form.t("keep_mine"))
                .on("click", move |_| form.resolve(&p_keep, false)),
        )
        .child(
            El::new("button")
                .attr("type", "button")
                .text(&form.t("use_theirs"))
                .on("click", move |_| form.resolve(&p_take, true)),
        )
}

/// A caption (a `label` or a `legend`), marked when its field is required:
/// a star to see, "(required)" to hear.
fn caption(form: Form, caption: El, text: &str, required: bool) -> El {
    let caption = caption.text(text);
    if !required {
        return caption;
    }
    caption
        .child(
            El::new("span")
                .attr("class", "cp-required")
                .attr("aria-hidden", "true")
                .text(" *"),
        )
        .child(
            El::new("span")
                .attr("class", "cp-sr")
                .text(&format!(" ({})", form.t("required"))),
        )
}

fn help_text(pointer: &str, help: &Option<String>) -> Option<El> {
    help.as_ref().map(|help| {
        El::new("p")
            .attr("id", &format!("{}-help", id_of(pointer)))
            .attr("class", "cp-help")
            .text(help)
    })
}

/// What every control shows around it: label, help, message, conflict.
struct Field<'a> {
    pointer: &'a str,
    label: &'a str,
    required: bool,
    help: Option<String>,
    control: Control,
}

impl Field<'_> {
    /// A labelled control; a checkbox comes before its label.
    fn wrap(&self, form: Form, input: El, checkbox: bool) -> El {
        form.control(self.pointer, self.label);
        let id = id_of(self.pointer);
        let input = describe(
            form,
            input.attr("id", &id),
            self.pointer,
            self.help.is_some(),
        );
        let input = if self.required {
            input.attr("aria-required", "true")
        } else {
            input
        };
        let label = caption(
            form,
            El::new("label").attr("for", &id),
            self.label,
            self.required,
        );
        let help = help_text(self.pointer, &self.help);
        let mut parts = if checkbox {
            vec![input, label]
        } else {
            let mut parts = vec![label];
            parts.extend(help.clone());
            parts.push(input);
            parts
        };
        if checkbox {
            parts.extend(help);
        }
        parts.push(message(form, self.pointer));
        parts.push(conflict_choice(form, self.pointer, self.control));
        El::new("div")
            .attr(
                "class",
                if checkbox {
                    "cp-field cp-check"
                } else {
                    "cp-field"
                },
            )
            .children(parts)
    }
}

/// A one-line text, a number or a date; or a multi-line text.
fn text_control(form: Form, field: &Field, input_type: &str, kind: Kind) -> El {
    let (p_value, p_input, p_blur) = (
        field.pointer.to_owned(),
        field.pointer.to_owned(),
        field.pointer.to_owned(),
    );
    let input = if field.control == Control::Multiline {
        El::new("textarea").attr("rows", "3")
    } else {
        let inputmode = match kind {
            Kind::Integer => Some("numeric"),
            Kind::Decimal => Some("decimal"),
            Kind::Text | Kind::Moment => None,
        };
        El::new("input")
            .attr("type", input_type)
            .maybe("inputmode", inputmode)
            .maybe("autocomplete", autocomplete(field.pointer).as_deref())
    };
    let input = input
        .bind_prop("value", move || {
            to_text(form, &form.get(&p_value), kind).into()
        })
        .on("input", move |ev| {
            form.set(&p_input, from_text(kind, event_target_value(&ev)))
        })
        .on("blur", move |_| form.touch(&p_blur));
    field.wrap(form, input, false)
}

fn checkbox(form: Form, field: &Field) -> El {
    let (p_value, p_input) = (field.pointer.to_owned(), field.pointer.to_owned());
    let input = El::new("input")
        .attr("type", "checkbox")
        .bind_prop("checked", move || {
            (form.get(&p_value) == Value::Bool(true)).into()
        })
        .on("change", move |ev| {
            form.set(&p_input, Value::Bool(event_target_checked(&ev)));
            form.touch(&p_input);
        });
    let wrapped = field.wrap(form, input, true);
    // A consent links to the policy it is given under, when the tenant has one.
    let purpose = field
        .pointer
        .strip_prefix("/consents/")
        .map(|rest| rest.split('/').next().unwrap_or(""));
    let wrapped = match purpose.and_then(|purpose| form.policy_url(purpose)) {
        Some(url) => wrapped.child(
            El::new("a")
                .attr("class", "cp-policy")
                .attr("href", &url)
                .attr("target", "_blank")
                .attr("rel", "noopener noreferrer")
                .text(&form.t("policy")),
        ),
        None => wrapped,
    };
    match purpose {
        Some(purpose) => {
            let base = format!("/consents/{purpose}");
            wrapped.child(
                El::new("p")
                    .attr("class", "cp-help cp-consent-date")
                    .bind_text(move || consent_date(form, &base)),
            )
        }
        None => wrapped,
    }
}

/// When the stored consent at `base` was given or withdrawn, and under
/// which version of the policy; empty while it never was either.
fn consent_date(form: Form, base: &str) -> String {
    form.draft.with(|d| {
        let Some(at) = d
            .stored_at(&format!("{base}/at"))
            .as_str()
            .map(str::to_owned)
        else {
            return String::new();
        };
        let granted = d.stored_at(&format!("{base}/granted")) == Value::Bool(true);
        let key = if granted {
            "consent_given"
        } else {
            "consent_withdrawn"
        };
        let date = crate::panels::local_date(&at, form.language);
        let mut text = form.t(key).replace("{date}", &date);
        if let Some(version) = d.stored_at(&format!("{base}/policy_version")).as_str() {
            text.push_str(" · ");
            text.push_str(&form.t("policy_version").replace("{version}", version));
        }
        text
    })
}

/// One choice of several; the first option chooses nothing.
fn select(form: Form, field: &Field, choices: Vec<(Value, String)>) -> El {
    let (p_value, p_input, p_blur) = (
        field.pointer.to_owned(),
        field.pointer.to_owned(),
        field.pointer.to_owned(),
    );
    let mut options = vec![El::new("option").attr("value", "").text(&form.t("choose"))];
    options.extend(
        choices
            .iter()
            .enumerate()
            .map(|(i, (_, text))| El::new("option").attr("value", &i.to_string()).text(text)),
    );
    let values: Vec<Value> = choices.into_iter().map(|(v, _)| v).collect();
    let shown = values.clone();
    let input = El::new("select")
        .maybe("autocomplete", autocomplete(field.pointer).as_deref())
        .children(options)
        .bind_prop("value", move || {
            let current = form.get(&p_value);
            shown
                .iter()
                .position(|v| *v == current)
                .map(|i| i.to_string())
                .unwrap_or_default()
                .into()
        })
        .on("change", move |ev| {
            let chosen = event_target_value(&ev)
                .parse::<usize>()
                .ok()
                .and_then(|i| values.get(i).cloned())
                .unwrap_or(Value::Null);
            form.set(&p_input, chosen);
        })
        .on("blur", move |_| form.touch(&p_blur));
    field.wrap(form, input, false)
}

/// Several choices: a group of checkboxes, which every keyboard and screen
/// reader handles better than `<select multiple>`.
fn multiselect(form: Form, field: &SchemaField) -> El {
    let pointer = field.pointer.as_str();
    form.control(pointer, &field.label);
    let id = id_of(pointer);
    let boxes: Vec<El> = field
        .options
        .iter()
        .enumerate()
        .map(|(i, option)| {
            let box_id = format!("{id}-{i}");
            let (p_value, p_input) = (pointer.to_owned(), pointer.to_owned());
            let (checked, value) = (Value::String(option.value.clone()), option.value.clone());
            let input = El::new("input")
                .attr("type", "checkbox")
                .attr("id", &box_id)
                .bind_prop("checked", move || {
                    form.get(&p_value)
                        .as_array()
                        .is_some_and(|a| a.contains(&checked))
                        .into()
                })
                .on("change", move |ev| {
                    let on = event_target_checked(&ev);
                    let mut chosen = form.list(&p_input);
                    chosen.retain(|v| v.as_str() != Some(&value));
                    if on {
                        chosen.push(Value::String(value.clone()));
                    }
                    let next = if chosen.is_empty() {
                        Value::Null
                    } else {
                        Value::Array(chosen)
                    };
                    form.set(&p_input, next);
                    form.touch(&p_input);
                });
            El::new("div")
                .attr("class", "cp-check")
                .child(input)
                .child(El::new("label").attr("for", &box_id).text(&option.label))
        })
        .collect();
    let legend = caption(form, El::new("legend"), &field.label, field.required);
    let group = El::new("fieldset")
        .attr("class", "cp-field cp-group")
        .attr("id", &id)
        .attr("tabindex", "-1");
    let mut parts = vec![legend];
    parts.extend(help_text(pointer, &field.help));
    parts.extend(boxes);
    parts.push(message(form, pointer));
    parts.push(conflict_choice(form, pointer, Control::Multiselect));
    describe(form, group, pointer, field.help.is_some()).children(parts)
}

/// An address or a company: a group of parts, each its own input.
fn parts_group(
    form: Form,
    base: &str,
    legend: &str,
    parts: &[SchemaOption],
    countries: &Countries,
) -> El {
    let mut children = vec![El::new("legend").text(legend)];
    let base_owned = base.to_owned();
    children.push(
        El::new("p")
            .attr("class", "cp-field-error")
            .bind_text(move || form.group_error(&base_owned).unwrap_or_default()),
    );
    for part in parts {
        let pointer = format!("{base}/{}", part.value);
        let field = Field {
            pointer: &pointer,
            label: &part.label,
            required: false,
            help: None,
            control: Control::Text,
        };
        children.push(if part.value == "country" {
            select(form, &field, countries.clone())
        } else {
            text_control(form, &field, "text", Kind::Text)
        });
    }
    El::new("fieldset")
        .attr("class", "cp-group")
        .attr("id", &id_of(base))
        .attr("tabindex", "-1")
        .children(children)
}

fn address_list(form: Form, field: &SchemaField, countries: &Countries) -> El {
    let pointer = field.pointer.clone();
    form.unit(&pointer);
    form.control(&pointer, &field.label);
    let count = {
        let pointer = pointer.clone();
        // Rows are drawn again when one is added or removed, not on typing.
        move || {
            form.get(&pointer)
                .as_array()
                .map_or(0, Vec::len)
                .to_string()
        }
    };
    let add = {
        let pointer = pointer.clone();
        move |_| {
            let mut list = form.list(&pointer);
            let id = web_sys::window()
                .and_then(|w| w.crypto().ok())
                .map(|c| c.random_uuid())
                .unwrap_or_else(|| format!("a{}", list.len() + 1));
            list.push(json!({ "id": id }));
            form.set(&pointer, Value::Array(list));
        }
    };
    let rows = {
        let (pointer, parts, countries) = (pointer.clone(), field.parts.clone(), countries.clone());
        move || {
            (0..form.list(&pointer).len())
                .map(|i| {
                    let base = format!("{pointer}/{i}");
                    let list = pointer.clone();
                    let remove = move |_| {
                        let mut items = form.list(&list);
                        if i < items.len() {
                            items.remove(i);
                        }
                        form.set(&list, Value::Array(items));
                    };
                    let legend = format!("{} {}", form.t("delivery_address"), i + 1);
                    El::new("div")
                        .attr("class", "cp-row")
                        .child(parts_group(form, &base, &legend, &parts, &countries))
                        .child(
                            El::new("button")
                                .attr("type", "button")
                                .attr("class", "cp-link")
                                .text(&format!("{} ({legend})", form.t("remove_address")))
                                .on("click", remove),
                        )
                })
                .collect()
        }
    };
    let group_pointer = pointer.clone();
    El::new("fieldset")
        .attr("class", "cp-group")
        .attr("id", &id_of(&pointer))
        .attr("tabindex", "-1")
        .child(El::new("legend").text(&field.label))
        .child(
            El::new("p")
                .attr("class", "cp-field-error")
                .bind_text(move || form.group_error(&group_pointer).unwrap_or_default()),
        )
        .child(El::new("div").bind_children(count, rows))
        .child(
            El::new("button")
                .attr("type", "button")
                .text(&form.t("add_address"))
                .on("click", add),
        )
        .child(conflict_choice(form, &pointer, Control::AddressList))
}

fn read_only(form: Form, field: &SchemaField) -> El {
    let pointer = field.pointer.clone();
    let control = field.control;
    El::new("div")
        .attr("class", "cp-field cp-readonly")
        .child(El::new("span").attr("class", "cp-label").text(&field.label))
        .child(
            El::new("span")
                .attr("class", "cp-value")
                .bind_text(move || {
                    let value = form.get(&pointer);
                    match value.as_str() {
                        Some(status @ ("unverified" | "verified" | "bounced"))
                            if pointer == "/email_status" =>
                        {
                            form.t(status).to_owned()
                        }
                        _ => display(form, &value, control),
                    }
                }),
        )
}

fn field_view(form: Form, schema_field: &SchemaField, countries: &Countries) -> El {
    if !schema_field.editable {
        return read_only(form, schema_field);
    }
    let pointer = schema_field.pointer.as_str();
    let field = Field {
        pointer,
        label: &schema_field.label,
        required: schema_field.required,
        help: schema_field.help.clone(),
        control: schema_field.control,
    };
    if !matches!(
        field.control,
        Control::Address | Control::Company | Control::AddressList
    ) {
        form.unit(pointer);
    }
    let options = || -> Vec<(Value, String)> {
        schema_field
            .options
            .iter()
            .map(|o| (Value::String(o.value.clone()), o.label.clone()))
            .collect()
    };
    match field.control {
        Control::Text if pointer == "/preferred_language" => {
            let languages = LANGUAGE_NAMES
                .iter()
                .map(|(code, name)| (Value::String((*code).to_owned()), (*name).to_owned()))
                .collect();
            select(form, &field, languages)
        }
        Control::Text | Control::Multiline => text_control(form, &field, "text", Kind::Text),
        Control::Email => text_control(form, &field, "email", Kind::Text),
        Control::Phone => text_control(form, &field, "tel", Kind::Text),
        Control::Integer => text_control(form, &field, "text", Kind::Integer),
        Control::Decimal => text_control(form, &field, "text", Kind::Decimal),
        Control::Date => text_control(form, &field, "date", Kind::Text),
        Control::DateTime => text_control(form, &field, "datetime-local", Kind::Moment),
        // A built-in yes/no may also be unanswered: a choice of three.
        Control::Bool if pointer == "/has_children" => {
            let choices = vec![
                (Value::Bool(true), form.t("yes")),
                (Value::Bool(false), form.t("no")),
            ];
            select(form, &field, choices)
        }
        Control::Bool | Control::Consent => checkbox(form, &field),
        Control::Select => select(form, &field, options()),
        Control::Multiselect => multiselect(form, schema_field),
        Control::Address | Control::Company => {
            for part in &schema_field.parts {
                form.unit(&format!("{pointer}/{}", part.value));
            }
            parts_group(
                form,
                pointer,
                &schema_field.label,
                &schema_field.parts,
                countries,
            )
        }
        Control::AddressList => address_list(form, schema_field, countries),
    }
}

pub fn section_view(form: Form, section: &SchemaSection, countries: &Countries) -> El {
    let heading = format!(
        "cp-section-{}",
        section
            .fields
            .first()
            .map_or("x", |f| &f.pointer[1..])
            .replace('/', "-")
    );
    let mut children = vec![El::new("h2").attr("id", &heading).text(&section.label)];
    children.extend(
        section
            .fields
            .iter()
            .map(|field| field_view(form, field, countries)),
    );
    El::new("section")
        .attr("class", "cp-section")
        .attr("aria-labelledby", &heading)
        .children(children)
}
