//! The checks a write goes through before the rules judge its values: what
//! exists in the model (structure), who may write it (access, and what the
//! customer sees), and whether each value has its wire type.

use super::Change;
use crate::access::{
    Actor, LOYALTY_SEEN_BY_CUSTOMER, consent_part_access, customer_sees, field_spec,
};
use crate::error::{Code, FieldError, pointer_segment};
use crate::model::{
    Acquisition, Address, Company, Consent, ConsentPurpose, Loyalty, MAX_DELIVERY_ADDRESSES,
    MAX_OTHER_COMPANIES, Profile,
};
use crate::tenant::Rules;
use serde_json::{Map, Value};

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
pub(super) fn check_structure(
    errors: &mut Vec<FieldError>,
    patch: &Map<String, Value>,
    rules: &Rules,
) {
    for (key, value) in patch {
        let base = format!("/{}", pointer_segment(key));
        match key.as_str() {
            "invoice_address" => unknown_members(errors, &base, value, &Address::KEYS),
            "company" => unknown_members(errors, &base, value, &Company::KEYS),
            "loyalty" => unknown_members(errors, &base, value, &Loyalty::KEYS),
            "acquisition" => unknown_members(errors, &base, value, &Acquisition::KEYS),
            "other_companies" => {
                let items = value.as_array().map_or(&[][..], Vec::as_slice);
                if items.len() > MAX_OTHER_COMPANIES {
                    let error =
                        FieldError::new(base, Code::TooMany).with("max", MAX_OTHER_COMPANIES);
                    errors.push(error);
                    continue;
                }
                for (i, item) in items.iter().enumerate() {
                    unknown_members(errors, &format!("{base}/{i}"), item, &Company::KEYS);
                }
            }
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
                    let mut known = Address::KEYS.to_vec();
                    known.push("id");
                    unknown_members(errors, &format!("{base}/{i}"), item, &known);
                }
            }
            "consents" => {
                for (purpose, consent) in value.as_object().into_iter().flatten() {
                    let at = format!("/consents/{}", pointer_segment(purpose));
                    if ConsentPurpose::parse(purpose).is_none() {
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
pub(super) fn check_access(
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
        let read_only = (customer && change.rules.setting(key).read_only)
            || change
                .only
                .is_some_and(|only| !only.iter().any(|name| name == key));
        if !spec.access.writable_by(change.actor) || read_only {
            let unseen_parts: Vec<&String> = match (key.as_str(), &patch[key]) {
                ("loyalty", Value::Object(parts)) if customer => parts
                    .keys()
                    .filter(|part| {
                        Loyalty::KEYS.contains(&part.as_str())
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
                    .filter(|p| ConsentPurpose::parse(p).is_some())
                {
                    let at = format!("/consents/{purpose}");
                    match (old.get(purpose), new.get(purpose)) {
                        (Some(_), None) => errors.push(FieldError::new(at, Code::ReadOnly)),
                        (_, Some(after)) if change.actor == Actor::Import => {
                            check_evidence(errors, &at, after);
                        }
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
pub(super) fn check_types(
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
        ("delivery_addresses" | "other_companies", Value::Array(items)) => items
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

/// A consent's evidence as an import brings it: `at` a date and time
/// (RFC 3339), `source` and `policy_version` short texts.
fn check_evidence(errors: &mut Vec<FieldError>, at: &str, consent: &Value) {
    if let Some(Value::String(when)) = consent.get("at") {
        let dated = when.len() >= 20
            && when.as_bytes()[10] == b'T'
            && when
                .get(..10)
                .is_some_and(|day| crate::dates::parse_date(day).is_some());
        if !dated {
            errors.push(
                FieldError::new(format!("{at}/at"), Code::InvalidDate)
                    .with("format", "YYYY-MM-DDTHH:MM:SSZ"),
            );
        }
    }
    for part in ["source", "policy_version"] {
        if let Some(Value::String(text)) = consent.get(part)
            && let Some(error) = crate::text::check_text(
                &format!("{at}/{part}"),
                text,
                crate::model::TEXT_MAX_CHARS,
                false,
            )
        {
            errors.push(error);
        }
    }
}
