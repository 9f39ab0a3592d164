//! Dates: `YYYY-MM-DD`, real calendar dates (the `time` crate decides), and the
//! birth-date rules. "Today" is given by the caller: the library does no I/O.

use crate::error::{Code, FieldError};
use time::{Date, Month};

/// The oldest age accepted.
pub const MAX_AGE_YEARS: u8 = 120;
/// The default youngest age a tenant accepts.
pub const DEFAULT_MINIMUM_AGE: u8 = 13;

/// Parses exactly `YYYY-MM-DD` into a real date.
pub fn parse_date(value: &str) -> Option<Date> {
    let bytes = value.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = &value[range];
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let year = number(0..4)? as i32;
    let month = Month::try_from(number(5..7)? as u8).ok()?;
    Date::from_calendar_date(year, month, number(8..10)? as u8).ok()
}

pub fn check_date(pointer: &str, value: &str) -> Option<FieldError> {
    parse_date(value)
        .is_none()
        .then(|| FieldError::new(pointer, Code::InvalidDate))
}

/// Whole years from `birth` to `today`.
pub fn age_on(birth: Date, today: Date) -> i32 {
    let mut years = today.year() - birth.year();
    if (today.month() as u8, today.day()) < (birth.month() as u8, birth.day()) {
        years -= 1;
    }
    years
}

pub fn check_birth_date(
    pointer: &str,
    value: &str,
    today: Date,
    minimum_age: u8,
) -> Option<FieldError> {
    let Some(birth) = parse_date(value) else {
        return Some(FieldError::new(pointer, Code::InvalidDate));
    };
    if birth > today {
        return Some(FieldError::new(pointer, Code::BirthDateInFuture));
    }
    let age = age_on(birth, today);
    if age > MAX_AGE_YEARS as i32 {
        return Some(FieldError::new(pointer, Code::TooOld).with("max", MAX_AGE_YEARS));
    }
    if age < minimum_age as i32 {
        return Some(FieldError::new(pointer, Code::TooYoung).with("min", minimum_age));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        parse_date("2026-11-23").unwrap()
    }

    #[test]
    fn only_real_dates_in_iso_form_parse() {
        for good in ["2024-02-29", "1990-01-01", "2026-12-31"] {
            assert!(parse_date(good).is_some(), "{good}");
        }
        for bad in [
            "2023-02-29",
            "1990-13-01",
            "1990-00-10",
            "1990-04-31",
            "1990-1-1",
            "01/02/1990",
            "1990-01-01T00:00:00Z",
            "+990-01-01",
            "１９９０-01-01",
            "",
        ] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn birth_dates() {
        let cases: &[(&str, u8, Option<Code>)] = &[
            ("1990-05-17", 13, None),
            ("2013-11-23", 13, None),
            ("2013-11-24", 13, Some(Code::TooYoung)),
            ("2008-11-24", 18, Some(Code::TooYoung)),
            ("2026-11-24", 0, Some(Code::BirthDateInFuture)),
            ("2026-11-23", 0, None),
            ("1906-11-23", 13, None),
            ("1906-11-22", 13, None),
            ("1905-11-23", 13, Some(Code::TooOld)),
            ("1990-02-30", 13, Some(Code::InvalidDate)),
        ];
        for (value, minimum, want) in cases {
            assert_eq!(
                check_birth_date("/birth_date", value, today(), *minimum).map(|e| e.code),
                *want,
                "{value} min {minimum}"
            );
        }
    }

    #[test]
    fn a_leap_day_birthday_counts_on_the_first_of_march() {
        let birth = parse_date("2008-02-29").unwrap();
        assert_eq!(age_on(birth, parse_date("2026-02-28").unwrap()), 17);
        assert_eq!(age_on(birth, parse_date("2026-03-01").unwrap()), 18);
    }
}
