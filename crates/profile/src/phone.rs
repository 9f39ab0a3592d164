//! Phone numbers: what people type (spaces, dashes, dots, brackets) is
//! dropped; what remains is digits with an optional leading `+`, at most 15
//! digits (E.164) or the tenant's stricter limit.

use crate::error::{Code, FieldError};

/// E.164's limit.
pub const PHONE_MAX_DIGITS: u8 = 15;
/// Fewer digits than this is no one's phone number.
const PHONE_MIN_DIGITS: usize = 5;

/// The stored form: separators dropped, e.g. `+46 (0)70-123 45 67` -> `+460701234567`.
pub fn clean_phone(raw: &str) -> String {
    raw.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{00A0}' | '/'))
        .collect()
}

pub fn check_phone(pointer: &str, phone: &str, max_digits: u8) -> Option<FieldError> {
    let digits = phone.strip_prefix('+').unwrap_or(phone);
    if digits.is_empty()
        || !digits.chars().all(|c| c.is_ascii_digit())
        || digits.len() < PHONE_MIN_DIGITS
    {
        return Some(FieldError::new(pointer, Code::InvalidPhone));
    }
    if digits.len() > max_digits as usize {
        return Some(FieldError::new(pointer, Code::PhoneTooLong).with("max", max_digits));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(raw: &str, max: u8) -> Option<Code> {
        check_phone("/mobile_phone", &clean_phone(raw), max).map(|e| e.code)
    }

    #[test]
    fn phones() {
        assert_eq!(clean_phone("+46 (0)70-123 45.67"), "+460701234567");
        let cases: &[(&str, u8, Option<Code>)] = &[
            ("070-123 45 67", 15, None),
            ("+47 912 34 567", 15, None),
            ("+7 (912) 345-67-89", 15, None),
            ("79123456789", 15, None),
            ("123456789012345", 15, None),
            ("1234567890123456", 15, Some(Code::PhoneTooLong)),
            ("123456789012345", 14, Some(Code::PhoneTooLong)),
            ("12345678901234", 14, None),
            ("++46701234567", 15, Some(Code::InvalidPhone)),
            ("46+701234567", 15, Some(Code::InvalidPhone)),
            ("070 CALL ME", 15, Some(Code::InvalidPhone)),
            ("１２３４５６７", 15, Some(Code::InvalidPhone)),
            ("1234", 15, Some(Code::InvalidPhone)),
            ("+", 15, Some(Code::InvalidPhone)),
        ];
        for (raw, max, want) in cases {
            assert_eq!(code(raw, *max), *want, "{raw:?} max {max}");
        }
    }
}
