//! Writing a profile: JSON merge patch (RFC 7396), full replace, and the diff
//! between two versions. Every write cleans, checks access and validates, and
//! either gives the new profile or every error at once, never a partial write.
//!
//! Unknown fields are refused (`UnknownField`), never ignored: no mass
//! assignment. A field the writer may not change is refused (`ReadOnly`)
//! unless it is sent with exactly its stored value.

mod checks;

use crate::access::{Actor, FIELDS, customer_sees};
use crate::clean::clean;
use crate::error::{Code, FieldError, pointer_segment};
use crate::model::{ConsentPurpose, EmailStatus, Profile};
use crate::tenant::Rules;
use crate::validate::validate;
use checks::{check_access, check_structure, check_types};
use serde_json::{Map, Value};
use time::Date;

/// The circumstances of one write.
#[derive(Clone, Copy, Debug)]
pub struct Change<'a> {
    pub actor: Actor,
    pub rules: &'a Rules,
    /// For the birth-date rules.
    pub today: Date,
    /// RFC 3339: becomes `updated` and the `at` of changed consents.
    pub now: &'a str,
    /// The channel written through (`widget`, `pos`, `import`...): the
    /// `source` of changed consents.
    pub source: &'a str,
    /// Who the request names as having made the change (the acting user or
    /// the point of sale, [`Provenance::updated_by`]): it becomes
    /// `updated_by`; else the actor's name does.
    ///
    /// [`Provenance::updated_by`]: crate::rights::Provenance::updated_by
    pub updated_by: Option<&'a str>,
    /// The only fields (by top-level name) this write may change, when a
    /// source API allows fewer than the actor may write; any other field it
    /// sends must be its stored value (`ReadOnly`).
    pub only: Option<&'a [String]>,
}

/// A successful write: the new profile, and the names of what changed.
#[derive(Clone, Debug, PartialEq)]
pub struct Patched {
    pub profile: Profile,
    /// See [`diff`].
    pub changed: Vec<String>,
}

/// RFC 7396: `null` removes a member, objects merge, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(target) = target else {
        unreachable!()
    };
    for (key, value) in patch {
        if value.is_null() {
            target.remove(key);
        } else {
            merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

/// The merge patch that turns `from` into `to` (for values without `null`s,
/// which a merge patch cannot express).
pub fn merge_diff(from: &Value, to: &Value) -> Value {
    match (from, to) {
        (Value::Object(from), Value::Object(to)) => {
            let mut patch = Map::new();
            for key in from.keys().filter(|k| !to.contains_key(*k)) {
                patch.insert(key.clone(), Value::Null);
            }
            for (key, value) in to {
                match from.get(key) {
                    Some(old) if old == value => {}
                    Some(old) => {
                        patch.insert(key.clone(), merge_diff(old, value));
                    }
                    None => {
                        patch.insert(key.clone(), merge_diff(&Value::Null, value));
                    }
                }
            }
            Value::Object(patch)
        }
        _ => to.clone(),
    }
}

/// The names of what differs between two versions: top-level field names, and
/// `consents/<purpose>` and `custom_fields/<key>` for those maps.
pub fn diff(before: &Profile, after: &Profile) -> Vec<String> {
    let before = wire(before);
    let after = wire(after);
    let mut changed = Vec::new();
    for spec in FIELDS {
        let (old, new) = (before.get(spec.name), after.get(spec.name));
        if old == new {
            continue;
        }
        match spec.name {
            "consents" | "custom_fields" => {
                let empty = Map::new();
                let old = old.and_then(Value::as_object).unwrap_or(&empty);
                let new = new.and_then(Value::as_object).unwrap_or(&empty);
                let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
                keys.sort();
                keys.dedup();
                for key in keys {
                    if old.get(key) != new.get(key) {
                        changed.push(format!("{}/{key}", spec.name));
                    }
                }
            }
            name => changed.push(name.to_owned()),
        }
    }
    changed
}

fn wire(profile: &Profile) -> Map<String, Value> {
    match serde_json::to_value(profile) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// The place an error refuses: a top-level field, or one entry of
/// `consents` or `custom_fields`.
fn refused_place(pointer: &str) -> String {
    let segments: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["consents" | "custom_fields", entry, ..] => format!("/{}/{entry}", segments[0]),
        [first, ..] => format!("/{first}"),
        [] => String::new(),
    }
}

/// Puts the stored value (or its absence) back at `place`.
fn restore(merged: &mut Map<String, Value>, stored: &Map<String, Value>, place: &str) {
    let segments: Vec<String> = place
        .trim_start_matches('/')
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    match segments.as_slice() {
        [key] => match stored.get(key) {
            Some(value) => {
                merged.insert(key.clone(), value.clone());
            }
            None => {
                merged.remove(key);
            }
        },
        [key, entry] => {
            let old = stored.get(key).and_then(|v| v.get(entry)).cloned();
            if let Some(Value::Object(members)) = merged.get_mut(key) {
                match old {
                    Some(value) => {
                        members.insert(entry.clone(), value);
                    }
                    None => {
                        members.remove(entry);
                    }
                }
            } else if let Some(value) = stored.get(key) {
                merged.insert(key.clone(), value.clone());
            }
        }
        _ => {}
    }
}

/// Whether `pointer` lies in what the patch touched.
fn touched_by(pointer: &str, patch: &Map<String, Value>) -> bool {
    patch.iter().any(|(key, value)| {
        let base = format!("/{}", pointer_segment(key));
        let inside = |base: &str| pointer == base || pointer.starts_with(&format!("{base}/"));
        match (key.as_str(), value) {
            ("custom_fields" | "consents", Value::Object(members)) => members
                .keys()
                .any(|m| inside(&format!("{base}/{}", pointer_segment(m)))),
            _ => inside(&base),
        }
    })
}

/// A request body must be a JSON object.
fn object(body: &Value) -> Result<&Map<String, Value>, Vec<FieldError>> {
    match body {
        Value::Object(members) => Ok(members),
        _ => Err(vec![
            FieldError::new("", Code::InvalidType).with("expected", "object"),
        ]),
    }
}

/// Cleans a profile written with `patch` and gives every failure of a field
/// the patch touched: the rules' answer for that write. [`apply_patch`] comes
/// here after its checks of structure, access and types; the widget comes
/// here directly with the profile as the customer edited it, so both give
/// the same answer.
pub fn check_written(
    profile: &mut Profile,
    patch: &Map<String, Value>,
    rules: &Rules,
    today: Date,
) -> Vec<FieldError> {
    clean(profile, rules);
    validate(profile, rules, today)
        .into_iter()
        .filter(|e| touched_by(&e.pointer, patch))
        .collect()
}

/// Applies a merge patch written by `change.actor`. Validation errors are
/// reported for the fields the patch touches, so that a rule the tenant added
/// later never blocks a customer from changing something else.
pub fn apply_patch(
    stored: &Profile,
    patch: &Value,
    change: &Change,
) -> Result<Patched, Vec<FieldError>> {
    let patch = &member_by_member(object(patch)?, stored, change.rules);
    let stored_wire = wire(stored);
    let mut merged = Value::Object(stored_wire.clone());
    merge_patch(&mut merged, &Value::Object(patch.clone()));
    let Value::Object(merged) = merged else {
        unreachable!()
    };

    let mut errors = Vec::new();
    check_structure(&mut errors, patch, change.rules);
    check_access(&mut errors, patch, &stored_wire, &merged, change);
    check_types(&mut errors, patch, &merged);
    // What was refused so far keeps its stored value, so that the rules can
    // still judge the rest: the answer lists every failure of the request.
    let refused: Vec<String> = errors.iter().map(|e| refused_place(&e.pointer)).collect();
    let mut merged = merged;
    for place in &refused {
        restore(&mut merged, &stored_wire, place);
    }
    let Ok(mut profile) = serde_json::from_value::<Profile>(Value::Object(merged)) else {
        errors.push(FieldError::new("", Code::InvalidType));
        return Err(errors);
    };
    let is_refused = |pointer: &str| {
        refused
            .iter()
            .any(|place| pointer == place || pointer.starts_with(&format!("{place}/")))
    };
    errors.extend(
        check_written(&mut profile, patch, change.rules, change.today)
            .into_iter()
            .filter(|e| !is_refused(&e.pointer)),
    );
    stamp_consents(stored, &mut profile, change, patch);
    reset_verifications(stored, &mut profile, patch, change.actor);
    if !errors.is_empty() {
        return Err(errors);
    }
    let changed = diff(stored, &profile);
    if !changed.is_empty() {
        profile.version = stored.version + 1;
        profile.updated = change.now.to_owned();
        let by = change.updated_by.unwrap_or(change.actor.as_str());
        profile.updated_by = Some(by.to_owned());
    }
    Ok(Patched { profile, changed })
}

/// Replaces every field the writer may change (PUT): what the body leaves out
/// is cleared; consents it leaves out are withdrawn. Read-only fields may be
/// sent back unchanged, as with a patch.
pub fn replace(
    stored: &Profile,
    body: &Value,
    change: &Change,
) -> Result<Patched, Vec<FieldError>> {
    let body = object(body)?;
    let mut patch = body.clone();
    let replaced = |name: &str| {
        change.actor.is_tenant()
            || (customer_sees(name, change.rules) && !change.rules.setting(name).read_only)
    };
    for spec in FIELDS
        .iter()
        .filter(|f| f.access.writable_by(change.actor) && replaced(f.name))
    {
        patch.entry(spec.name).or_insert(Value::Null);
    }
    // Consents are withdrawn, not erased: their history stays.
    let mut consents = match patch.remove("consents") {
        Some(Value::Object(map)) => map,
        Some(Value::Null) | None => Map::new(),
        Some(other) => {
            patch.insert("consents".into(), other);
            return apply_patch(stored, &Value::Object(patch), change);
        }
    };
    for purpose in stored.consents.keys() {
        consents
            .entry(purpose.as_str())
            .or_insert_with(|| serde_json::json!({"granted": false}));
    }
    patch.insert("consents".into(), Value::Object(consents));
    // Custom fields the body leaves out are cleared, where the writer may.
    let writable = |key: &&String| {
        change.actor.is_tenant()
            || change
                .rules
                .custom_field(key)
                .is_some_and(|(def, _)| def.editable)
    };
    let cleared = defined_custom_fields(stored, change.rules)
        .filter(writable)
        .map(|k| (k.clone(), Value::Null));
    match patch.get_mut("custom_fields") {
        Some(Value::Object(fields)) => {
            for (key, null) in cleared {
                fields.entry(key).or_insert(null);
            }
        }
        Some(Value::Null) => {
            patch.insert("custom_fields".into(), Value::Object(cleared.collect()));
        }
        _ => {}
    }
    apply_patch(stored, &Value::Object(patch), change)
}

/// `null` for a whole map means removing each of its members, one by one, so
/// that it can erase nothing a member-by-member patch could not: consents
/// are withdrawn (their record stays), and each custom field goes through
/// its own access check (a locked one is refused). A member set to `null`
/// in `consents` withdraws that consent too.
fn member_by_member(
    patch: &Map<String, Value>,
    stored: &Profile,
    rules: &Rules,
) -> Map<String, Value> {
    let withdrawn = || serde_json::json!({"granted": false});
    let mut patch = patch.clone();
    match patch.get_mut("consents") {
        Some(consents @ Value::Null) => {
            *consents = stored
                .consents
                .keys()
                .map(|purpose| (purpose.as_str().to_owned(), withdrawn()))
                .collect();
        }
        Some(Value::Object(consents)) => {
            consents.retain(|key, value| {
                !value.is_null()
                    || ConsentPurpose::parse(key).is_none_or(|p| stored.consents.contains_key(&p))
            });
            for value in consents.values_mut().filter(|v| v.is_null()) {
                *value = withdrawn();
            }
        }
        _ => {}
    }
    if let Some(fields @ Value::Null) = patch.get_mut("custom_fields") {
        *fields = defined_custom_fields(stored, rules)
            .map(|key| (key.clone(), Value::Null))
            .collect();
    }
    patch
}

/// The stored custom fields that the tenant still defines: a value kept for
/// a field since removed is nobody's to clear through the form.
fn defined_custom_fields<'a>(
    stored: &'a Profile,
    rules: &'a Rules,
) -> impl Iterator<Item = &'a String> {
    stored
        .custom_fields
        .keys()
        .filter(|key| rules.custom_field(key).is_some())
}

/// A verification belongs to the value it verified: a new value is
/// unverified, unless the tenant says in the same write that it has proven it.
fn reset_verifications(
    stored: &Profile,
    profile: &mut Profile,
    patch: &Map<String, Value>,
    actor: Actor,
) {
    let proven = actor.is_tenant() && patch.get("email_status").is_some_and(|s| !s.is_null());
    if profile.email != stored.email && !proven {
        profile.email_status = EmailStatus::Unverified;
    }
    if profile.national_id != stored.national_id {
        profile.national_id_verified = false;
    }
}

/// Records when, where and under which policy (the tenant's policy in force
/// for the purpose) each changed consent was given; an import keeps the
/// evidence its line brings (`at` given).
fn stamp_consents(
    stored: &Profile,
    profile: &mut Profile,
    change: &Change,
    patch: &Map<String, Value>,
) {
    for (purpose, consent) in profile.consents.iter_mut() {
        let before = stored.consents.get(purpose).map(|c| c.granted);
        let given = patch
            .get("consents")
            .and_then(|all| all.get(purpose.as_str()))
            .and_then(|one| one.get("at"));
        let evidence = change.actor == Actor::Import && given.is_some_and(|at| !at.is_null());
        if before != Some(consent.granted) && !evidence {
            consent.at = Some(change.now.to_owned());
            consent.source = Some(change.source.to_owned());
            consent.policy_version = change
                .rules
                .tenant()
                .consent_policies
                .iter()
                .find(|policy| policy.purpose == *purpose)
                .map(|policy| policy.version.clone());
        }
    }
}
