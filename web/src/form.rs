//! `profile_form`: the tenant's form drawn from its schema, checked by the
//! shared library exactly as the server will check the save, and saved as a
//! merge patch of what changed.

use crate::api::{Failure, Loaded};
use crate::draft::{Conflict, Draft};
use leptos::prelude::*;
use profile::schema::FormSchema;
use profile::{Code, FieldError, Rules};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

pub type Pending<T> = Pin<Box<dyn Future<Output = T>>>;

/// What the form needs from outside: the API in the page, a recorder in tests.
pub trait Backend {
    /// Saves a merge patch made against the version `etag`.
    fn save(&self, etag: String, patch: Value) -> Pending<Result<Loaded, Failure>>;
    /// Reads the stored profile again (after a conflict).
    fn reload(&self) -> Pending<Result<Loaded, Failure>>;
    /// Tells the host page what happened (`profile-saved`, `profile-error`).
    fn notify(&self, event: &str, detail: Value);
}

/// Where the form is after the last submit.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Idle,
    Saving,
    Saved,
    NoChanges,
    Conflict,
    Network,
    /// The save was refused for a reason the customer cannot fix here.
    Failed,
    /// The page's sign-in ended.
    SignIn,
}

/// The form's state: small and `Copy`, so every control can hold it.
#[derive(Clone, Copy)]
pub struct Form {
    pub language: &'static str,
    pub draft: RwSignal<Draft>,
    pub errors: RwSignal<Vec<FieldError>>,
    pub conflicts: RwSignal<Vec<Conflict>>,
    pub status: RwSignal<Status>,
    rules: StoredValue<Rules>,
    /// The built-in messages in the form's language, from the schema.
    messages: StoredValue<BTreeMap<Code, String>>,
    texts: StoredValue<BTreeMap<String, String>>,
    touched: RwSignal<BTreeSet<String>>,
    show_all: RwSignal<bool>,
    /// Every control drawn: (pointer, label), in the order of the page.
    controls: StoredValue<Vec<(String, String)>>,
    /// The pointers the form edits as a whole (kept or taken on a conflict).
    units: StoredValue<Vec<String>>,
}

/// The id of the control that edits `pointer` (unique in its shadow root).
pub fn id_of(pointer: &str) -> String {
    format!("cp{}", pointer.replace('/', "-"))
}

/// A text as the server will store it: NFC by the browser's own
/// `String.prototype.normalize` (the library's tables would cost the widget's
/// size budget; both implement the same Unicode algorithm).
fn normalize(value: &mut Value) {
    match value {
        Value::String(s) => *s = js_sys::JsString::from(s.as_str()).normalize("NFC").into(),
        Value::Array(items) => items.iter_mut().for_each(normalize),
        Value::Object(map) => map.values_mut().for_each(normalize),
        _ => {}
    }
}

/// The customer's local date, for the age rules.
fn today() -> time::Date {
    let now = js_sys::Date::new_0();
    time::Month::try_from(now.get_month() as u8 + 1)
        .ok()
        .and_then(|month| {
            time::Date::from_calendar_date(now.get_full_year() as i32, month, now.get_date() as u8)
                .ok()
        })
        .unwrap_or(time::Date::MIN)
}

/// The merge patch of the draft, with its texts in NFC.
pub fn patch_of(draft: &Draft) -> Map<String, Value> {
    let mut patch = Value::Object(draft.patch());
    normalize(&mut patch);
    match patch {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Every error the server would answer for saving the draft now: the
/// library's own rules for the fields the patch touches, as in the Worker.
pub fn check(draft: &Draft, rules: &Rules) -> Vec<FieldError> {
    let patch = patch_of(draft);
    if patch.is_empty() {
        return Vec::new();
    }
    let mut edited = draft.edited().clone();
    normalize(&mut edited);
    match profile::wire::profile(&edited) {
        Ok(mut profile) => profile::check_written(&mut profile, &patch, rules, today()),
        // A value of the wrong type: the controls never make one.
        Err(_) => vec![FieldError::new("", profile::Code::InvalidType)],
    }
}

impl Form {
    pub fn new(schema: &FormSchema, loaded: Loaded, language: &'static str) -> Option<Form> {
        // Effects and tasks run on the browser's microtasks (set once per page).
        let _ = any_spawner::Executor::init_wasm_bindgen();
        // The browser's own regular expressions and Unicode properties (see
        // profile::pattern and profile::chars: they keep tables out of the module).
        profile::pattern::set_matcher(|pattern, text| js_sys::RegExp::new(pattern, "u").test(text));
        profile::chars::set_classifier(|c, class| {
            let pattern = match class {
                profile::chars::Class::Letter => "^\\p{Alphabetic}$",
                profile::chars::Class::LetterOrDigit => "^[\\p{Alphabetic}\\p{N}]$",
            };
            js_sys::RegExp::new(pattern, "u").test(c.encode_utf8(&mut [0; 4]))
        });
        let rules = Rules::new(schema.rules.clone()).ok()?;
        Some(Form {
            language,
            draft: RwSignal::new(Draft::new(loaded.profile, loaded.etag)),
            errors: RwSignal::new(Vec::new()),
            conflicts: RwSignal::new(Vec::new()),
            status: RwSignal::new(Status::Idle),
            rules: StoredValue::new(rules),
            messages: StoredValue::new(schema.messages.clone()),
            texts: StoredValue::new(schema.texts.clone()),
            touched: RwSignal::new(BTreeSet::new()),
            show_all: RwSignal::new(false),
            controls: StoredValue::new(Vec::new()),
            units: StoredValue::new(Vec::new()),
        })
    }

    /// One of the form's own words, in its language (from the schema).
    /// The URL of the tenant's policy for the consent `purpose`, if it has one.
    pub fn policy_url(&self, purpose: &str) -> Option<String> {
        self.rules.with_value(|rules| {
            let policies = &rules.tenant().consent_policies;
            let policy = policies.iter().find(|p| p.purpose.as_str() == purpose)?;
            // The server accepts https alone; a page never gets another scheme here.
            policy
                .url
                .starts_with("https://")
                .then(|| policy.url.clone())
        })
    }

    pub fn t(&self, key: &str) -> String {
        self.texts
            .with_value(|texts| texts.get(key).cloned())
            .unwrap_or_default()
    }

    /// Registers a drawn control (for the error summary and the focus).
    pub fn control(&self, pointer: &str, label: &str) {
        self.controls.update_value(|c| {
            if !c.iter().any(|(p, _)| p == pointer) {
                c.push((pointer.to_owned(), label.to_owned()));
            }
        });
    }

    /// Registers a unit that a conflict keeps or replaces as a whole.
    pub fn unit(&self, pointer: &str) {
        self.units.update_value(|u| {
            if !u.iter().any(|p| p == pointer) {
                u.push(pointer.to_owned());
            }
        });
    }

    /// The value at `pointer`, tracked.
    pub fn get(&self, pointer: &str) -> Value {
        self.draft.with(|d| d.get(pointer))
    }

    /// The items of the list at `pointer` as they are now, untracked (to
    /// change one and set the list again).
    pub fn list(&self, pointer: &str) -> Vec<Value> {
        match self.draft.with_untracked(|d| d.get(pointer)) {
            Value::Array(items) => items,
            _ => Vec::new(),
        }
    }

    /// The customer changed a control: the draft follows, and shown
    /// messages are checked again.
    pub fn set(&self, pointer: &str, value: Value) {
        self.draft.update(|d| d.set(pointer, value));
        if matches!(
            self.status.get_untracked(),
            Status::Saved | Status::NoChanges
        ) {
            self.status.set(Status::Idle);
        }
        self.validate();
    }

    /// The customer left a control: its message shows from now on.
    pub fn touch(&self, pointer: &str) {
        self.touched.update(|t| {
            t.insert(pointer.to_owned());
        });
        self.validate();
    }

    fn validate(&self) {
        let errors = self
            .rules
            .with_value(|rules| self.draft.with_untracked(|d| check(d, rules)));
        self.errors.set(errors);
    }

    /// The label of the control that edits `pointer`, once it is drawn.
    pub fn label_of(&self, pointer: &str) -> Option<String> {
        self.controls
            .with_value(|c| c.iter().find(|(p, _)| p == pointer).map(|(_, l)| l.clone()))
    }

    /// A newer stored profile that a panel's change brought (a new photo):
    /// the customer's edits stay, as after a conflict, but nothing is
    /// announced unless both changed the same thing.
    pub fn took(&self, profile: Value, etag: String) {
        let units = self.units.get_value();
        let conflicts = self
            .draft
            .try_update(|d| d.rebase(profile, etag, units.iter().map(String::as_str)))
            .unwrap_or_default();
        if !conflicts.is_empty() {
            self.conflicts.set(conflicts);
            self.status.set(Status::Conflict);
        }
    }

    pub fn message_of(&self, error: &FieldError) -> String {
        self.message(error)
    }

    fn message(&self, error: &FieldError) -> String {
        self.messages.with_value(|messages| {
            self.rules.with_value(|rules| {
                profile::messages::message_from(
                    error,
                    self.language,
                    Some(rules.tenant()),
                    |code| messages.get(&code).map_or("", String::as_str),
                )
            })
        })
    }

    fn visible(&self, pointer: &str) -> bool {
        self.show_all.get() || self.touched.with(|t| t.contains(pointer))
    }

    /// The message under the control of `pointer`, if it shows one.
    pub fn error_for(&self, pointer: &str) -> Option<String> {
        if !self.visible(pointer) {
            return None;
        }
        let nested = format!("{pointer}/");
        self.errors.with(|errors| {
            errors
                .iter()
                .find(|e| e.pointer == pointer || e.pointer.starts_with(&nested))
                .map(|e| self.message(e))
        })
    }

    /// A message about a group as a whole (a list that is too long, say).
    pub fn group_error(&self, pointer: &str) -> Option<String> {
        if !self.show_all.get() {
            return None;
        }
        self.errors.with(|errors| {
            errors
                .iter()
                .find(|e| e.pointer == pointer)
                .map(|e| self.message(e))
        })
    }

    /// The drawn control an error belongs to: the one at or above its pointer.
    fn control_of(&self, pointer: &str) -> Option<(usize, String, String)> {
        self.controls.with_value(|controls| {
            let mut place = pointer.to_owned();
            loop {
                if let Some(i) = controls.iter().position(|(p, _)| *p == place) {
                    return Some((i, controls[i].0.clone(), controls[i].1.clone()));
                }
                let cut = place.rfind('/')?;
                if cut == 0 {
                    return None;
                }
                place.truncate(cut);
            }
        })
    }

    /// The summary's entries, in the order of the page: (control id, text).
    pub fn summary(&self) -> Vec<(String, String)> {
        if !self.show_all.get() {
            return Vec::new();
        }
        self.errors.with(|errors| {
            // Each error with the control it belongs to (index, pointer, label).
            type Placed<'e> = (Option<(usize, String, String)>, &'e FieldError);
            let placed: Vec<Placed> = errors
                .iter()
                .map(|e| (self.control_of(&e.pointer), e))
                .collect();
            let count = self.controls.with_value(Vec::len);
            let mut entries: Vec<(String, String)> = Vec::new();
            // Control by control (no sort: each sort instance costs the budget).
            for i in 0..count {
                for (place, error) in &placed {
                    if let Some((at, pointer, label)) = place
                        && *at == i
                    {
                        let id = id_of(pointer);
                        if !entries.iter().any(|(seen, _)| *seen == id) {
                            entries.push((id, format!("{label}: {}", self.message(error))));
                        }
                    }
                }
            }
            for (place, error) in &placed {
                if place.is_none() {
                    entries.push((id_of(&error.pointer), self.message(error)));
                }
            }
            entries
        })
    }

    pub fn conflict(&self, pointer: &str) -> Option<Value> {
        self.conflicts.with(|c| {
            c.iter()
                .find(|c| c.pointer == pointer)
                .map(|c| c.theirs.clone())
        })
    }

    /// The customer chose for a conflicting field: theirs, or their own.
    pub fn resolve(&self, pointer: &str, take_theirs: bool) {
        if take_theirs && let Some(theirs) = self.conflict(pointer) {
            self.draft.update(|d| d.set(pointer, theirs));
            self.validate();
        }
        self.conflicts
            .update(|c| c.retain(|c| c.pointer != pointer));
    }

    /// Runs `task` while the form lives: a form released meanwhile (its
    /// widget left the page) is not touched when an answer comes.
    pub fn spawn(&self, task: impl Future<Output = ()> + 'static) {
        let status = self.status;
        crate::dom::spawn_while(Box::new(move || !status.is_disposed()), Box::pin(task));
    }

    fn show_errors(&self, errors: Vec<FieldError>) {
        self.errors.set(errors);
        self.show_all.set(true);
    }
}

/// Focuses the first control that shows an error, once the page shows it.
fn focus_first_invalid(form: Form, root: Option<web_sys::HtmlElement>) {
    form.spawn(async move {
        leptos::task::tick().await;
        view::focus(root.as_ref(), "[aria-invalid=true]");
    });
}

/// Saves the draft: checks it first, sends only what changed, and handles
/// every answer (conflict, refused values, no connection).
fn submit(form: Form, backend: Rc<dyn Backend>, root: Option<web_sys::HtmlElement>) {
    if form.status.get_untracked() == Status::Saving {
        return;
    }
    form.validate();
    form.show_all.set(true);
    if !form.errors.with_untracked(Vec::is_empty) {
        form.status.set(Status::Idle);
        focus_first_invalid(form, root);
        return;
    }
    let patch = form.draft.with_untracked(patch_of);
    if patch.is_empty() {
        form.status.set(Status::NoChanges);
        return;
    }
    form.status.set(Status::Saving);
    let etag = form.draft.with_untracked(|d| d.etag().to_owned());
    form.spawn(async move {
        match backend.save(etag, Value::Object(patch)).await {
            Ok(saved) => {
                let before = form.draft.with_untracked(|d| d.stored().clone());
                let changed = changed_fields(&before, &saved.profile);
                form.draft.update(|d| d.saved(saved.profile, saved.etag));
                form.errors.set(Vec::new());
                form.conflicts.set(Vec::new());
                form.touched.set(BTreeSet::new());
                form.show_all.set(false);
                form.status.set(Status::Saved);
                backend.notify("profile-saved", json!({ "fields": changed }));
            }
            Err(Failure::Conflict) => match backend.reload().await {
                Ok(newer) => {
                    let units = form.units.get_value();
                    let conflicts = form.draft.try_update(|d| {
                        d.rebase(newer.profile, newer.etag, units.iter().map(String::as_str))
                    });
                    form.conflicts.set(conflicts.unwrap_or_default());
                    form.validate();
                    form.status.set(Status::Conflict);
                }
                Err(failure) => fail(form, &*backend, failure),
            },
            Err(Failure::Invalid(errors)) => {
                form.show_errors(errors);
                form.status.set(Status::Idle);
                focus_first_invalid(form, root);
            }
            Err(failure) => fail(form, &*backend, failure),
        }
    });
}

fn fail(form: Form, backend: &dyn Backend, failure: Failure) {
    form.status.set(match failure {
        Failure::Network => Status::Network,
        Failure::SignIn => Status::SignIn,
        _ => Status::Failed,
    });
    backend.notify("profile-error", failure.event());
}

/// The names of what a save changed, as `profile::diff` names them: fields
/// the customer edits, and `consents/<purpose>`, `custom_fields/<key>`.
pub fn changed_fields(before: &Value, after: &Value) -> Vec<String> {
    let mut changed = Vec::new();
    for spec in profile::access::FIELDS {
        if spec.access != profile::Access::CustomerEditable {
            continue;
        }
        let (old, new) = (before.get(spec.name), after.get(spec.name));
        if old == new {
            continue;
        }
        match (old, new) {
            (Some(Value::Object(old)), Some(Value::Object(new))) => {
                // Inserted, not collected: collecting sorts (a sort costs the budget).
                let mut keys = BTreeSet::new();
                for key in old.keys().chain(new.keys()) {
                    keys.insert(key);
                }
                changed.extend(
                    keys.into_iter()
                        .filter(|k| old.get(*k) != new.get(*k))
                        .map(|k| format!("{}/{k}", spec.name)),
                );
            }
            _ => changed.push(spec.name.to_owned()),
        }
    }
    changed
}

mod view;
pub use view::profile_form;
