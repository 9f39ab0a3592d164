//! The customer's edits over the stored profile: what each control shows, the
//! merge patch of what changed, and the merge with a newer stored version
//! after a conflict. Plain data, so it is tested without a page.

use profile::merge_diff;
use serde_json::{Map, Value};

/// The stored profile (as JSON) and the profile as the customer edited it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Draft {
    stored: Value,
    current: Value,
    etag: String,
}

/// A field that both the customer and someone else changed.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    pub pointer: String,
    /// The value that was saved elsewhere (`Null`: cleared there).
    pub theirs: Value,
}

impl Draft {
    pub fn new(stored: Value, etag: String) -> Draft {
        Draft {
            current: stored.clone(),
            stored,
            etag,
        }
    }

    pub fn etag(&self) -> &str {
        &self.etag
    }

    pub fn stored(&self) -> &Value {
        &self.stored
    }

    /// The profile as the customer edited it.
    pub fn edited(&self) -> &Value {
        &self.current
    }

    /// The value a control shows (`Null` when there is none).
    pub fn get(&self, pointer: &str) -> Value {
        self.current
            .pointer(pointer)
            .cloned()
            .unwrap_or(Value::Null)
    }

    /// What was stored at `pointer` before the customer's edits.
    pub fn stored_at(&self, pointer: &str) -> Value {
        self.stored.pointer(pointer).cloned().unwrap_or(Value::Null)
    }

    /// Sets the value at `pointer`; `Null` (or an empty text) removes it. An
    /// address or company left without any part is removed as a whole.
    pub fn set(&mut self, pointer: &str, value: Value) {
        set_pointer(&mut self.current, pointer, value);
    }

    pub fn is_dirty(&self) -> bool {
        self.stored != self.current
    }

    /// The merge patch (RFC 7396) that turns the stored profile into the
    /// edited one: the changed fields only.
    pub fn patch(&self) -> Map<String, Value> {
        match merge_diff(&self.stored, &self.current) {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    /// A save succeeded: the answer is the new stored version, edits gone.
    pub fn saved(&mut self, stored: Value, etag: String) {
        *self = Draft::new(stored, etag);
    }

    /// The profile changed elsewhere: takes `newer` as the stored version and
    /// keeps the customer's edits of `units` (the pointers the form edits as
    /// a whole). Where both sides changed a unit differently, the customer's
    /// value stays and the unit is returned as a conflict to be decided.
    pub fn rebase<'a>(
        &mut self,
        newer: Value,
        etag: String,
        units: impl IntoIterator<Item = &'a str>,
    ) -> Vec<Conflict> {
        let mut current = newer.clone();
        let mut conflicts = Vec::new();
        for pointer in units {
            let mine = self.get(pointer);
            let base = self.stored_at(pointer);
            if mine == base {
                continue; // Not edited: the newer value shows.
            }
            let theirs = newer.pointer(pointer).cloned().unwrap_or(Value::Null);
            if theirs != base && theirs != mine {
                conflicts.push(Conflict {
                    pointer: pointer.to_owned(),
                    theirs,
                });
            }
            set_pointer(&mut current, pointer, mine);
        }
        self.stored = newer;
        self.current = current;
        self.etag = etag;
        conflicts
    }
}

/// Parts that hold one value, not a field of their own: when the last one
/// goes, so does the object.
const WHOLE_OBJECTS: [&str; 2] = ["invoice_address", "company"];

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// Sets `value` at a JSON Pointer, making the objects on the way; `Null` and
/// `""` remove the member instead.
pub fn set_pointer(doc: &mut Value, pointer: &str, value: Value) {
    let segments: Vec<String> = pointer.split('/').skip(1).map(unescape).collect();
    let Some((last, parents)) = segments.split_last() else {
        *doc = value;
        return;
    };
    let remove = value.is_null() || value.as_str() == Some("");
    let mut target = &mut *doc;
    for segment in parents {
        if remove && target.get(segment.as_str()).is_none() && !target.is_array() {
            return; // Nothing there to remove.
        }
        target = match target {
            Value::Array(items) => match segment.parse::<usize>() {
                Ok(i) if i < items.len() => &mut items[i],
                _ => return,
            },
            other => {
                if !other.is_object() {
                    *other = Value::Object(Map::new());
                }
                other
                    .as_object_mut()
                    .map(|map| map.entry(segment.clone()).or_insert(Value::Null))
                    .expect("made an object above")
            }
        };
    }
    match target {
        Value::Array(items) => {
            if let Ok(i) = last.parse::<usize>()
                && i < items.len()
            {
                items[i] = value;
            }
        }
        other => {
            if !other.is_object() {
                if remove {
                    return;
                }
                *other = Value::Object(Map::new());
            }
            let map = other.as_object_mut().expect("an object");
            if remove {
                map.remove(last);
            } else {
                map.insert(last.clone(), value);
            }
        }
    }
    if remove
        && let [parent] = parents
        && WHOLE_OBJECTS.contains(&parent.as_str())
        && doc
            .get(parent.as_str())
            .and_then(Value::as_object)
            .is_some_and(Map::is_empty)
        && let Some(map) = doc.as_object_mut()
    {
        map.remove(parent.as_str());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn draft() -> Draft {
        Draft::new(
            json!({"version": 3, "first_name": "Ingrid", "last_name": "Berg",
                   "consents": {}, "custom_fields": {"shoe": 42}}),
            "\"v3\"".into(),
        )
    }

    #[test]
    fn only_changed_fields_are_in_the_patch() {
        let mut d = draft();
        assert!(d.patch().is_empty() && !d.is_dirty());
        d.set("/first_name", json!("Astrid"));
        d.set("/last_name", json!(""));
        d.set("/consents/sms/granted", json!(true));
        d.set("/invoice_address/city", json!("Umeå"));
        d.set("/custom_fields/shoe", Value::Null);
        assert_eq!(
            Value::Object(d.patch()),
            json!({"first_name": "Astrid", "last_name": null,
                   "consents": {"sms": {"granted": true}},
                   "invoice_address": {"city": "Umeå"},
                   "custom_fields": {"shoe": null}})
        );
        d.set("/first_name", json!("Ingrid"));
        assert!(
            !d.patch().contains_key("first_name"),
            "typed back: no change"
        );
    }

    #[test]
    fn an_address_without_parts_is_removed() {
        let mut d = draft();
        d.set("/invoice_address/city", json!("Umeå"));
        d.set("/invoice_address/city", json!(""));
        assert!(!d.is_dirty());
    }

    #[test]
    fn a_rebase_keeps_edits_and_reports_real_conflicts() {
        let mut d = draft();
        d.set("/first_name", json!("Astrid"));
        d.set("/last_name", json!("Lund"));
        d.set("/custom_fields/shoe", json!(43));
        let newer = json!({"version": 4, "first_name": "Ingrid", "last_name": "Ek",
                           "consents": {}, "custom_fields": {"shoe": 43}, "middle_name": "M"});
        let conflicts = d.rebase(
            newer,
            "\"v4\"".into(),
            [
                "/first_name",
                "/last_name",
                "/middle_name",
                "/custom_fields/shoe",
            ],
        );
        assert_eq!(
            conflicts,
            [Conflict {
                pointer: "/last_name".into(),
                theirs: json!("Ek")
            }]
        );
        assert_eq!(d.etag(), "\"v4\"");
        assert_eq!(d.get("/middle_name"), json!("M"), "their change shows");
        assert_eq!(
            Value::Object(d.patch()),
            json!({"first_name": "Astrid", "last_name": "Lund"}),
            "the same value on both sides is no edit any more"
        );
    }
}
