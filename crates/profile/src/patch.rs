//! Writing a profile: JSON merge patch (RFC 7396), full replace, and the diff
//! between two versions. Every write cleans, checks access and validates, and
//! either gives the new profile or every error at once, never a partial write.
//!
//! Unknown fields are refused (`UnknownField`), never ignored: no mass
//! assignment. A field the writer may not change is refused (`ReadOnly`)
//! unless it is sent with exactly its stored value.

use crate::access::{
    Actor, FIELDS, LOYALTY_SEEN_BY_CUSTOMER, consent_part_access, customer_sees, field_spec,
};
use crate::clean::clean;
use crate::error::{Code, FieldError, pointer_segment};
use crate::model::{Consent, ConsentPurpose, EmailStatus, MAX_DELIVERY_ADDRESSES, Profile};
use crate::tenant::Rules;
use crate::validate::validate;
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
    /// Who writes: becomes `updated_by` and the `source` of changed consents.
    pub source: &'a str,
    /// The policy the customer saw: recorded on changed consents.
    pub policy_version: Option<&'a str>,
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

const ADDRESS_KEYS: &[&str] = &[
    "line1",
    "line2",
    "care_of",
    "house_number",
    "house_letter",
    "entrance",
    "floor",
    "po_box",
    "postal_code",
    "city",
    "country",
];
const COMPANY_KEYS: &[&str] = &["name", "organization_number"];
const LOYALTY_KEYS: &[&str] = &[
    "member",
    "rank",
    "has_card",
    "any_online_purchase",
    "any_offline_purchase",
    "price_list_ids",
    "flags",
    "customer_type",
    "requires_profile_confirmation",
];
const ACQUISITION_KEYS: &[&str] = &["source_code", "refer_id", "refer_url"];

/// Members of `value` (if an object) that `known` does not list.
fn unknown_members(errors: &mut Vec<FieldError>, base: &str, value: &Value, known: &[&str]) {
    if let Value::Object(members) = value {
        for key in members.keys().filter(|k| !known.contains(&k.as_str())) {
            errors.push(FieldError::new(
                format!("{base}/{}", pointer_segment(key)),
                Code::UnknownField,
            ));
        }
    }
}

/// Refuses what the patch names but the model does not have.
fn check_structure(errors: &mut Vec<FieldError>, patch: &Map<String, Value>, rules: &Rules) {
    for (key, value) in patch {
        let base = format!("/{}", pointer_segment(key));
        match key.as_str() {
            "invoice_address" => unknown_members(errors, &base, value, ADDRESS_KEYS),
            "company" => unknown_members(errors, &base, value, COMPANY_KEYS),
            "loyalty" => unknown_members(errors, &base, value, LOYALTY_KEYS),
            "acquisition" => unknown_members(errors, &base, value, ACQUISITION_KEYS),
            "delivery_addresses" => {
                let items = value.as_array().map_or(&[][..], Vec::as_slice);
                // Refused whole before anything looks inside it.
                if items.len() > MAX_DELIVERY_ADDRESSES {
                    errors.push(
                        FieldError::new(base, Code::TooMany).with("max", MAX_DELIVERY_ADDRESSES),
                    );
                    continue;
                }
                for (i, item) in items.iter().enumerate() {
                    let mut known = ADDRESS_KEYS.to_vec();
                    known.push("id");
                    unknown_members(errors, &format!("{base}/{i}"), item, &known);
                }
            }
            "consents" => {
                for (purpose, consent) in value.as_object().into_iter().flatten() {
                    let at = format!("/consents/{}", pointer_segment(purpose));
                    if ConsentPurpose::from_key(purpose).is_none() {
                        errors.push(FieldError::new(at, Code::UnknownField));
                    } else if let Value::Object(parts) = consent {
                        for part in parts.keys().filter(|p| consent_part_access(p).is_none()) {
                            errors.push(FieldError::new(
                                format!("{at}/{}", pointer_segment(part)),
                                Code::UnknownField,
                            ));
                        }
                    }
                }
            }
            "custom_fields" => {
                for field in value.as_object().into_iter().flat_map(|m| m.keys()) {
                    if rules.custom_field(field).is_none() {
                        errors.push(FieldError::new(
                            format!("/custom_fields/{}", pointer_segment(field)),
                            Code::UnknownField,
                        ));
                    }
                }
            }
            _ if field_spec(key).is_none() => {
                errors.push(FieldError::new(base, Code::UnknownField))
            }
            _ => {}
        }
    }
}

/// Whether an error was already given at the top-level field `key` or inside it.
fn reported(errors: &[FieldError], key: &str) -> bool {
    let base = format!("/{}", pointer_segment(key));
    errors
        .iter()
        .any(|e| e.pointer == base || e.pointer.starts_with(&format!("{base}/")))
}

/// Refuses changes to what the writer may not change. The customer writes
/// only what the form shows them: a field they cannot see is refused whatever
/// its value, since accepting it when it equals the stored value would let
/// anyone test guesses of what is hidden.
fn check_access(
    errors: &mut Vec<FieldError>,
    patch: &Map<String, Value>,
    stored: &Map<String, Value>,
    merged: &Map<String, Value>,
    change: &Change,
) {
    for key in patch.keys() {
        let Some(spec) = field_spec(key) else {
            continue; // UnknownField, from check_structure
        };
        let customer = change.actor == Actor::Customer;
        if customer && !customer_sees(key, change.rules) {
            errors.push(FieldError::new(format!("/{key}"), Code::ReadOnly));
            continue;
        }
        let (old, new) = (stored.get(key), merged.get(key));
        if !spec.access.writable_by(change.actor) {
            let unseen_parts: Vec<&String> = match (key.as_str(), &patch[key]) {
                ("loyalty", Value::Object(parts)) if customer => parts
                    .keys()
                    .filter(|part| {
                        LOYALTY_KEYS.contains(&part.as_str())
                            && !LOYALTY_SEEN_BY_CUSTOMER.contains(&part.as_str())
                    })
                    .collect(),
                _ => Vec::new(),
            };
            for part in &unseen_parts {
                errors.push(FieldError::new(
                    format!("/{key}/{}", pointer_segment(part)),
                    Code::ReadOnly,
                ));
            }
            if old != new && unseen_parts.is_empty() {
                errors.push(FieldError::new(format!("/{key}"), Code::ReadOnly));
            }
            continue;
        }
        let empty = Map::new();
        let members = |v: Option<&Value>| {
            v.and_then(Value::as_object)
                .cloned()
                .unwrap_or_else(|| empty.clone())
        };
        let (old, new) = (members(old), members(new));
        let touched = patch[key]
            .as_object()
            .map(|m| m.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default();
        match key.as_str() {
            "consents" => {
                for purpose in touched
                    .iter()
                    .filter(|p| ConsentPurpose::from_key(p).is_some())
                {
                    let at = format!("/consents/{purpose}");
                    match (old.get(purpose), new.get(purpose)) {
                        (Some(_), None) => errors.push(FieldError::new(at, Code::ReadOnly)),
                        (before, Some(after)) => {
                            for part in ["at", "source", "policy_version"] {
                                if before.and_then(|b| b.get(part)) != after.get(part) {
                                    errors.push(FieldError::new(
                                        format!("{at}/{part}"),
                                        Code::ReadOnly,
                                    ));
                                }
                            }
                        }
                        (None, None) => {}
                    }
                }
            }
            "custom_fields" if change.actor == Actor::Customer => {
                for field in &touched {
                    let locked = change
                        .rules
                        .custom_field(field)
                        .is_some_and(|(def, _)| !def.editable);
                    if locked && old.get(field) != new.get(field) {
                        errors.push(FieldError::new(
                            format!("/custom_fields/{}", pointer_segment(field)),
                            Code::ReadOnly,
                        ));
                    }
                }
            }
            _ => {}
        }
    }
}

/// Type errors, each at its pointer: every patched field is read on its own.
fn check_types(
    errors: &mut Vec<FieldError>,
    patch: &Map<String, Value>,
    merged: &Map<String, Value>,
) {
    let keys: Vec<&String> = patch
        .keys()
        .filter(|k| field_spec(k).is_some() && !reported(errors, k))
        .collect();
    for key in keys {
        let Some(value) = merged.get(key) else {
            continue;
        };
        let base = format!("/{}", pointer_segment(key));
        if let Some(pointer) = misshapen(&base, key, value) {
            errors.push(FieldError::new(pointer, Code::InvalidType));
            continue;
        }
        // Consents are keyed by purpose, which serde's path would not name.
        if let ("consents", Value::Object(entries)) = (key.as_str(), value) {
            for (purpose, consent) in entries {
                let at = format!("{base}/{}", pointer_segment(purpose));
                // `"granted": null` removed it, as a merge patch does.
                if consent.get("granted").is_none() {
                    errors.push(FieldError::new(format!("{at}/granted"), Code::Required));
                } else if let Err(error) = serde_path_to_error::deserialize::<_, Consent>(consent) {
                    let inside = path_pointer(&error.path().to_string()).unwrap_or_default();
                    errors.push(FieldError::new(format!("{at}{inside}"), Code::InvalidType));
                }
            }
            continue;
        }
        let single = Value::Object(Map::from_iter([(key.clone(), value.clone())]));
        if let Err(error) = serde_path_to_error::deserialize::<_, Profile>(single) {
            let pointer = path_pointer(&error.path().to_string()).unwrap_or(base);
            errors.push(FieldError::new(pointer, Code::InvalidType));
        }
    }
}

/// Where serde's readers are lenient, the wire shape is not: an object field
/// given as an array (serde reads a struct from a sequence), or a list item
/// or consent that is not an object.
fn misshapen(base: &str, key: &str, value: &Value) -> Option<String> {
    const OBJECTS: [&str; 6] = [
        "invoice_address",
        "company",
        "loyalty",
        "acquisition",
        "consents",
        "custom_fields",
    ];
    if OBJECTS.contains(&key) && !value.is_object() {
        return Some(base.to_owned());
    }
    let items: Vec<(String, &Value)> = match (key, value) {
        ("delivery_addresses", Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| (i.to_string(), item))
            .collect(),
        ("consents", Value::Object(entries)) => entries
            .iter()
            .map(|(purpose, entry)| (pointer_segment(purpose), entry))
            .collect(),
        _ => Vec::new(),
    };
    items
        .into_iter()
        .find(|(_, item)| !item.is_object())
        .map(|(at, _)| format!("{base}/{at}"))
}

/// serde_path_to_error's path (`invoice_address.city`, `delivery_addresses[0].id`)
/// as a JSON Pointer, or `None` when it names the value itself (`.`).
fn path_pointer(path: &str) -> Option<String> {
    let tail = path
        .replace('.', "/")
        .replace(['[', ']'], "/")
        .replace("//", "/");
    let tail = tail.trim_matches('/');
    (!tail.is_empty()).then(|| format!("/{tail}"))
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
    stamp_consents(stored, &mut profile, change);
    reset_verifications(stored, &mut profile);
    if !errors.is_empty() {
        return Err(errors);
    }
    let changed = diff(stored, &profile);
    if !changed.is_empty() {
        profile.version = stored.version + 1;
        profile.updated = change.now.to_owned();
        profile.updated_by = Some(change.source.to_owned());
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
    let replaced = |name: &str| change.actor == Actor::Admin || customer_sees(name, change.rules);
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
            .entry(purpose.key())
            .or_insert_with(|| serde_json::json!({"granted": false}));
    }
    patch.insert("consents".into(), Value::Object(consents));
    // Custom fields the body leaves out are cleared, where the writer may.
    let writable = |key: &&String| {
        change.actor == Actor::Admin
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
                .map(|purpose| (purpose.key().to_owned(), withdrawn()))
                .collect();
        }
        Some(Value::Object(consents)) => {
            consents.retain(|key, value| {
                !value.is_null()
                    || ConsentPurpose::from_key(key)
                        .is_none_or(|p| stored.consents.contains_key(&p))
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

/// A verification belongs to the value it verified: a new value is unverified.
fn reset_verifications(stored: &Profile, profile: &mut Profile) {
    if profile.email != stored.email {
        profile.email_status = EmailStatus::Unverified;
    }
    if profile.national_id != stored.national_id {
        profile.national_id_verified = false;
    }
}

/// Records when, where and under which policy each changed consent was given.
fn stamp_consents(stored: &Profile, profile: &mut Profile, change: &Change) {
    for (purpose, consent) in profile.consents.iter_mut() {
        let before = stored.consents.get(purpose).map(|c| c.granted);
        if before != Some(consent.granted) {
            consent.at = Some(change.now.to_owned());
            consent.source = Some(change.source.to_owned());
            consent.policy_version = change.policy_version.map(str::to_owned);
        }
    }
}
