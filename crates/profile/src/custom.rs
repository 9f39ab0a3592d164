//! Values of the tenant's own fields, checked against their definitions.

use crate::dates::{canonical_instant, check_date};
use crate::error::{Code, FieldError};
use crate::tenant::{CustomFieldDef, CustomKind};
use crate::text::{check_text, clean_line, clean_multiline};
use serde_json::Value;

const TEXT_DEFAULT_MAX: u32 = 200;
const MULTILINE_DEFAULT_MAX: u32 = 2000;
/// The largest integer that a JSON number keeps exactly in every reader
/// (2^53 - 1, JavaScript's `Number.MAX_SAFE_INTEGER`).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The stored form of a value: text cleaned, numbers and others as they are.
pub fn clean_custom_value(def: &CustomFieldDef, value: &Value) -> Value {
    match (def.kind, value) {
        (CustomKind::Multiline, Value::String(s)) => Value::String(clean_multiline(s)),
        (CustomKind::DateTime, Value::String(s)) => {
            Value::String(canonical_instant(s.trim()).unwrap_or_else(|| clean_line(s)))
        }
        (_, Value::String(s)) => Value::String(clean_line(s)),
        (CustomKind::Multiselect, Value::Array(items)) => Value::Array(
            items
                .iter()
                .map(|item| match item {
                    Value::String(s) => Value::String(clean_line(s)),
                    other => other.clone(),
                })
                .collect(),
        ),
        _ => value.clone(),
    }
}

/// Whether a value counts as not given, for `required`: `null`, an empty
/// text, and an empty list of choices. An empty list for any other kind is
/// of the wrong type, not empty.
fn is_empty(kind: CustomKind, value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(items) => kind == CustomKind::Multiselect && items.is_empty(),
        _ => false,
    }
}

/// Checks one (cleaned) value of a custom field.
pub fn check_custom_value(
    pointer: &str,
    def: &CustomFieldDef,
    pattern: Option<&crate::pattern::Pattern>,
    value: &Value,
) -> Option<FieldError> {
    if is_empty(def.kind, value) {
        return def
            .required
            .then(|| FieldError::new(pointer, Code::Required));
    }
    let wrong_type = |expected: &str| {
        Some(FieldError::new(pointer, Code::InvalidType).with("expected", expected))
    };
    match def.kind {
        CustomKind::Text | CustomKind::Multiline => {
            let Value::String(text) = value else {
                return wrong_type("string");
            };
            let default_max = if def.kind == CustomKind::Text {
                TEXT_DEFAULT_MAX
            } else {
                MULTILINE_DEFAULT_MAX
            };
            let max = def.max_length.unwrap_or(default_max);
            if let Some(error) =
                check_text(pointer, text, max as u64, def.kind == CustomKind::Multiline)
            {
                return Some(error);
            }
            if pattern.is_some_and(|p| !p.is_match(text)) {
                return Some(FieldError::new(pointer, Code::PatternMismatch));
            }
            None
        }
        CustomKind::Integer | CustomKind::Decimal => {
            let number = match value {
                Value::Number(n)
                    if def.kind == CustomKind::Integer && !(n.is_i64() || n.is_u64()) =>
                {
                    return wrong_type("integer");
                }
                // Larger integers lose digits as f64 (and in the browser's
                // numbers), so two different values would compare equal.
                Value::Number(n)
                    if def.kind == CustomKind::Integer
                        && n.as_i64()
                            .is_none_or(|i| i.unsigned_abs() > MAX_SAFE_INTEGER) =>
                {
                    return Some(if n.as_i64().is_some_and(|i| i < 0) {
                        FieldError::new(pointer, Code::BelowMinimum)
                            .with("min", -(MAX_SAFE_INTEGER as i64))
                    } else {
                        FieldError::new(pointer, Code::AboveMaximum).with("max", MAX_SAFE_INTEGER)
                    });
                }
                Value::Number(n) => n.as_f64()?,
                _ => {
                    return wrong_type(if def.kind == CustomKind::Integer {
                        "integer"
                    } else {
                        "number"
                    });
                }
            };
            if let Some(min) = def.min
                && number < min
            {
                return Some(FieldError::new(pointer, Code::BelowMinimum).with("min", min));
            }
            if let Some(max) = def.max
                && number > max
            {
                return Some(FieldError::new(pointer, Code::AboveMaximum).with("max", max));
            }
            None
        }
        CustomKind::Date => match value {
            Value::String(date) => check_date(pointer, date),
            _ => wrong_type("string"),
        },
        CustomKind::DateTime => match value {
            Value::String(moment) if canonical_instant(moment).is_some() => None,
            Value::String(_) => {
                Some(FieldError::new(pointer, Code::InvalidDate).with("expected", "date-time"))
            }
            _ => wrong_type("string"),
        },
        CustomKind::Bool => match value {
            Value::Bool(false) if def.required => Some(FieldError::new(pointer, Code::Required)),
            Value::Bool(_) => None,
            _ => wrong_type("boolean"),
        },
        CustomKind::Select => match value {
            Value::String(choice) if def.options.iter().any(|o| &o.value == choice) => None,
            Value::String(_) => Some(FieldError::new(pointer, Code::NotAnOption)),
            _ => wrong_type("string"),
        },
        CustomKind::Multiselect => {
            let Value::Array(items) = value else {
                return wrong_type("array");
            };
            // Checked before the items: the duplicate check grows with the square.
            if items.len() > def.options.len() {
                return Some(
                    FieldError::new(pointer, Code::TooMany).with("max", def.options.len()),
                );
            }
            for (i, item) in items.iter().enumerate() {
                let at = format!("{pointer}/{i}");
                match item {
                    Value::String(choice) if !def.options.iter().any(|o| &o.value == choice) => {
                        return Some(FieldError::new(at, Code::NotAnOption));
                    }
                    Value::String(_) if items[..i].contains(item) => {
                        return Some(FieldError::new(at, Code::Duplicate));
                    }
                    Value::String(_) => {}
                    _ => {
                        return Some(
                            FieldError::new(at, Code::InvalidType).with("expected", "string"),
                        );
                    }
                }
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenant::{Rules, TenantRules};
    use serde_json::json;

    fn rules() -> Rules {
        let tenant: TenantRules = serde_json::from_value(json!({"custom_fields": [
            {"key": "nickname", "type": "text", "max_length": 10, "pattern": "[A-Za-z]+"},
            {"key": "about", "type": "multiline"},
            {"key": "shoe_size", "type": "integer", "min": 30, "max": 50},
            {"key": "height", "type": "decimal", "min": 0.5, "max": 2.5},
            {"key": "anniversary", "type": "date"},
            {"key": "visit", "type": "date_time"},
            {"key": "confirmed", "type": "bool", "required": true},
            {"key": "newsletter", "type": "bool"},
            {"key": "store", "type": "select", "required": true, "options": [{"value": "oslo"}, {"value": "bergen"}]},
            {"key": "interests", "type": "multiselect", "options": [{"value": "coffee"}, {"value": "tea"}]}
        ]}))
        .unwrap();
        Rules::new(tenant).unwrap()
    }

    fn code(key: &str, value: Value) -> Option<(String, Code)> {
        let rules = rules();
        let (def, pattern) = rules.custom_field(key).unwrap();
        let cleaned = clean_custom_value(def, &value);
        check_custom_value(&format!("/custom_fields/{key}"), def, pattern, &cleaned)
            .map(|e| (e.pointer, e.code))
    }

    #[test]
    fn each_type_accepts_its_values() {
        let good = [
            ("nickname", json!(" Kari ")),
            ("about", json!("line one\nline two")),
            ("shoe_size", json!(42)),
            ("height", json!(1.82)),
            ("height", json!(2)),
            ("anniversary", json!("2020-02-29")),
            ("visit", json!("2026-06-04T21:00:05.5+02:00")),
            ("visit", json!(" 2026-06-04T19:00:05Z ")),
            ("confirmed", json!(true)),
            ("newsletter", json!(false)),
            ("store", json!("oslo")),
            ("interests", json!(["tea", "coffee"])),
            ("interests", json!([])),
            ("nickname", Value::Null),
        ];
        for (key, value) in good {
            assert_eq!(code(key, value.clone()), None, "{key} {value}");
        }
    }

    #[test]
    fn a_date_time_is_stored_in_utc() {
        let rules = rules();
        let (def, _) = rules.custom_field("visit").unwrap();
        let cleaned = clean_custom_value(def, &json!("2026-06-04T21:00:05.5+02:00"));
        assert_eq!(cleaned, json!("2026-06-04T19:00:05Z"));
    }

    #[test]
    fn integers_beyond_two_to_the_53_are_refused() {
        let def: CustomFieldDef =
            serde_json::from_value(json!({"key": "points", "type": "integer"})).unwrap();
        let check = |value: Value| {
            check_custom_value("/custom_fields/points", &def, None, &value).map(|e| e.code)
        };
        assert_eq!(check(json!(9007199254740991_u64)), None);
        assert_eq!(check(json!(-9007199254740991_i64)), None);
        assert_eq!(check(json!(9007199254740992_u64)), Some(Code::AboveMaximum));
        assert_eq!(check(json!(u64::MAX)), Some(Code::AboveMaximum));
        assert_eq!(
            check(json!(-9007199254740992_i64)),
            Some(Code::BelowMinimum)
        );
        assert_eq!(check(json!(i64::MIN)), Some(Code::BelowMinimum));
    }

    #[test]
    fn a_multiselect_longer_than_its_options_is_refused_before_its_items() {
        let many: Vec<&str> = std::iter::repeat_n("tea", 20_000).collect();
        assert_eq!(
            code("interests", json!(many)),
            Some(("/custom_fields/interests".into(), Code::TooMany))
        );
    }

    #[test]
    fn each_type_refuses_what_is_wrong() {
        let at = |k: &str| format!("/custom_fields/{k}");
        let bad = [
            (
                "nickname",
                json!("Kari2"),
                at("nickname"),
                Code::PatternMismatch,
            ),
            (
                "nickname",
                json!("Abcdefghijk"),
                at("nickname"),
                Code::TooLong,
            ),
            (
                "nickname",
                json!("two\nlines"),
                at("nickname"),
                Code::PatternMismatch,
            ),
            ("nickname", json!(7), at("nickname"), Code::InvalidType),
            (
                "about",
                json!("a\u{202E}b"),
                at("about"),
                Code::ControlCharacters,
            ),
            ("shoe_size", json!(29), at("shoe_size"), Code::BelowMinimum),
            ("shoe_size", json!(51), at("shoe_size"), Code::AboveMaximum),
            ("shoe_size", json!(42.5), at("shoe_size"), Code::InvalidType),
            ("shoe_size", json!("42"), at("shoe_size"), Code::InvalidType),
            ("height", json!(3), at("height"), Code::AboveMaximum),
            (
                "anniversary",
                json!("2021-02-29"),
                at("anniversary"),
                Code::InvalidDate,
            ),
            (
                "visit",
                json!("2026-06-04T19:00:05"),
                at("visit"),
                Code::InvalidDate,
            ),
            ("visit", json!("2026-06-04"), at("visit"), Code::InvalidDate),
            (
                "visit",
                json!(1_780_000_000),
                at("visit"),
                Code::InvalidType,
            ),
            ("confirmed", json!(false), at("confirmed"), Code::Required),
            ("confirmed", Value::Null, at("confirmed"), Code::Required),
            (
                "newsletter",
                json!("yes"),
                at("newsletter"),
                Code::InvalidType,
            ),
            ("store", json!("stockholm"), at("store"), Code::NotAnOption),
            ("store", json!(""), at("store"), Code::Required),
            (
                "interests",
                json!(["tea", "beer"]),
                format!("{}/1", at("interests")),
                Code::NotAnOption,
            ),
            (
                "interests",
                json!(["tea", "tea"]),
                format!("{}/1", at("interests")),
                Code::Duplicate,
            ),
            (
                "interests",
                json!("tea"),
                at("interests"),
                Code::InvalidType,
            ),
        ];
        for (key, value, pointer, want) in bad {
            assert_eq!(
                code(key, value.clone()),
                Some((pointer, want)),
                "{key} {value}"
            );
        }
    }
}
