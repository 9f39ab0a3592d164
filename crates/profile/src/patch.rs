//! Merge patch (RFC 7396) of the customer-editable view of a profile.

use crate::{FieldError, Profile, normalize_name, validate_name};
use serde_json::Value;

/// Why a patch was refused: every field error of the request at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatchError {
    pub errors: Vec<FieldError>,
}

/// Fields a customer may never write; sending one with its stored value is
/// accepted (a client may send back what it read), any other value is refused.
const SERVER_OWNED: &[&str] = &[
    "id",
    "external_id",
    "tenant",
    "version",
    "created",
    "updated",
];

/// Applies a merge patch to `profile`, validating every field it touches.
/// On error `profile` is left unchanged. Returns the names of changed fields.
pub fn apply_patch(profile: &mut Profile, patch: &Value) -> Result<Vec<String>, PatchError> {
    let Some(object) = patch.as_object() else {
        return Err(PatchError {
            errors: vec![FieldError::new("", "InvalidType").with_param("expected", "object")],
        });
    };
    let mut next = profile.clone();
    let mut errors = Vec::new();
    let stored = serde_json::to_value(&*profile).unwrap_or_default();
    for (key, value) in object {
        let pointer = format!("/{key}");
        match key.as_str() {
            "first_name" => match value {
                Value::Null => next.first_name = None,
                Value::String(raw) => {
                    let name = normalize_name(raw);
                    match validate_name(&pointer, &name) {
                        Ok(()) => next.first_name = Some(name),
                        Err(e) => errors.push(e),
                    }
                }
                _ => errors.push(
                    FieldError::new(&pointer, "InvalidType").with_param("expected", "string"),
                ),
            },
            k if SERVER_OWNED.contains(&k) => {
                if stored.get(k) != Some(value) {
                    errors.push(FieldError::new(&pointer, "ReadOnly"));
                }
            }
            _ => errors.push(FieldError::new(&pointer, "UnknownField")),
        }
    }
    if !errors.is_empty() {
        return Err(PatchError { errors });
    }
    let mut changed = Vec::new();
    if next.first_name != profile.first_name {
        changed.push("first_name".to_owned());
    }
    *profile = next;
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn profile() -> Profile {
        Profile {
            id: "p1".into(),
            external_id: "c1".into(),
            tenant: "demo".into(),
            first_name: Some("Ana".into()),
            version: 3,
            created: "2026-01-01T00:00:00Z".into(),
            updated: "2026-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn a_valid_name_is_normalized_and_stored() {
        let mut p = profile();
        let changed = apply_patch(&mut p, &json!({"first_name": "  Eva  "})).unwrap();
        assert_eq!(p.first_name.as_deref(), Some("Eva"));
        assert_eq!(changed, ["first_name"]);
    }

    #[test]
    fn null_clears_the_name() {
        let mut p = profile();
        apply_patch(&mut p, &json!({"first_name": null})).unwrap();
        assert_eq!(p.first_name, None);
    }

    #[test]
    fn all_errors_are_reported_and_nothing_changes() {
        let mut p = profile();
        let err = apply_patch(
            &mut p,
            &json!({"first_name": "R2D2", "version": 9, "shoe_size": 44}),
        )
        .unwrap_err();
        let mut codes: Vec<_> = err
            .errors
            .iter()
            .map(|e| (e.pointer.as_str(), e.code.as_str()))
            .collect();
        codes.sort();
        assert_eq!(
            codes,
            [
                ("/first_name", "InvalidCharacters"),
                ("/shoe_size", "UnknownField"),
                ("/version", "ReadOnly")
            ]
        );
        assert_eq!(p, profile());
    }

    #[test]
    fn a_read_only_field_sent_back_unchanged_is_accepted() {
        let mut p = profile();
        let changed = apply_patch(&mut p, &json!({"version": 3, "id": "p1"})).unwrap();
        assert!(changed.is_empty());
        assert_eq!(p, profile());
    }

    #[test]
    fn a_patch_that_is_not_an_object_is_refused() {
        let mut p = profile();
        let err = apply_patch(&mut p, &json!([1])).unwrap_err();
        assert_eq!(err.errors[0].code, "InvalidType");
    }
}
