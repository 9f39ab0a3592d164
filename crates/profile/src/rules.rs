//! Field rules. Each failure carries a stable `code`: the code is the contract
//! between the library, the Worker and the widget; messages are translations.

use serde::{Deserialize, Serialize};

/// Longest name accepted, counted in Unicode scalar values.
pub const NAME_MAX_CHARS: usize = 50;

/// One failed rule on one field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// JSON Pointer (RFC 6901) to the field in the wire shape, e.g. `/first_name`.
    pub pointer: String,
    /// Stable machine-readable code, e.g. `TooLong`.
    pub code: String,
    /// Parameters of the rule, e.g. `{"max": 50}`.
    #[serde(default)]
    pub params: serde_json::Map<String, serde_json::Value>,
}

impl FieldError {
    pub fn new(pointer: &str, code: &str) -> Self {
        Self {
            pointer: pointer.to_owned(),
            code: code.to_owned(),
            params: serde_json::Map::new(),
        }
    }

    pub fn with_param(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.params.insert(key.to_owned(), value.into());
        self
    }

    /// The English message for this error.
    pub fn message(&self) -> String {
        match self.code.as_str() {
            "Required" => "This field is required.".to_owned(),
            "TooLong" => format!(
                "Use at most {} characters.",
                self.params.get("max").cloned().unwrap_or_default()
            ),
            "InvalidCharacters" => {
                "Use letters, spaces, apostrophes, hyphens and periods only.".to_owned()
            }
            "InvalidType" => "This value has the wrong type.".to_owned(),
            "UnknownField" => "This field does not exist.".to_owned(),
            "ReadOnly" => "This field cannot be changed.".to_owned(),
            _ => "This value is not valid.".to_owned(),
        }
    }
}

/// Trims surrounding white space and collapses inner runs of it to one space.
pub fn normalize_name(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Checks a normalized name: not empty, not too long, and only letters, marks,
/// spaces, apostrophes, hyphens and periods.
pub fn validate_name(pointer: &str, name: &str) -> Result<(), FieldError> {
    if name.is_empty() {
        return Err(FieldError::new(pointer, "Required"));
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(FieldError::new(pointer, "TooLong").with_param("max", NAME_MAX_CHARS));
    }
    let allowed = |c: char| c.is_alphabetic() || matches!(c, ' ' | '\'' | '’' | '-' | '.');
    if !name.chars().all(allowed) {
        return Err(FieldError::new(pointer, "InvalidCharacters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        let cases: &[(&str, Option<&str>)] = &[
            ("Ana", None),
            ("María José", None),
            ("O'Brien-Smith", None),
            ("Ольга", None),
            ("Bjørn Å.", None),
            ("", Some("Required")),
            ("R2D2", Some("InvalidCharacters")),
            ("<script>", Some("InvalidCharacters")),
            ("a&b", Some("InvalidCharacters")),
        ];
        for (name, want) in cases {
            let got = validate_name("/first_name", name).err().map(|e| e.code);
            assert_eq!(got.as_deref(), *want, "name {name:?}");
        }
    }

    #[test]
    fn a_name_of_fifty_one_letters_is_too_long() {
        assert!(validate_name("/first_name", &"é".repeat(50)).is_ok());
        let err = validate_name("/first_name", &"é".repeat(51)).unwrap_err();
        assert_eq!(err.code, "TooLong");
        assert_eq!(err.params["max"], 50);
        assert_eq!(err.message(), "Use at most 50 characters.");
    }

    #[test]
    fn names_are_trimmed_and_inner_space_collapsed() {
        assert_eq!(normalize_name("  Ana \t María "), "Ana María");
    }
}
