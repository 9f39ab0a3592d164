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

/// The Julian day of 1970-01-01, the start of the seconds [`parse_instant`] counts.
const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;

/// A moment as RFC 3339 writes it (`2026-06-04T19:00:05Z`,
/// `2026-06-04T19:00:05.9591471+02:00`): its seconds since 1970-01-01 UTC,
/// fractions dropped. A time without an offset (.NET's "unspecified" kind)
/// is taken as UTC only when `offsetless_is_utc`, else refused.
pub fn parse_instant(text: &str, offsetless_is_utc: bool) -> Option<i64> {
    let (date, time) = text.split_once(['T', 't', ' '])?;
    let date = parse_date(date)?;
    let (clock, offset) = match time.find(['Z', 'z', '+', '-']) {
        Some(at) => time.split_at(at),
        None => (time, ""),
    };
    let offset_seconds = match offset {
        "" if offsetless_is_utc => 0,
        "Z" | "z" => 0,
        "" => return None,
        _ => {
            let digits = &offset[1..];
            (digits.len() == 5 && digits.as_bytes()[2] == b':').then_some(())?;
            let minutes = two_digits(&digits[..2], 14)? * 60 + two_digits(&digits[3..], 59)?;
            let seconds = i64::from(minutes) * 60;
            if offset.starts_with('-') {
                -seconds
            } else {
                seconds
            }
        }
    };
    let (clock, fraction) = clock.split_once('.').unwrap_or((clock, "0"));
    let fraction_ok =
        !fraction.is_empty() && fraction.len() <= 9 && fraction.bytes().all(|b| b.is_ascii_digit());
    fraction_ok.then_some(())?;
    let mut parts = clock.split(':');
    let (hours, minutes, seconds) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(m), s, None) => (
            two_digits(h, 23)?,
            two_digits(m, 59)?,
            s.map_or(Some(0), |s| two_digits(s, 59))?,
        ),
        _ => return None,
    };
    let days = i64::from(date.to_julian_day()) - UNIX_EPOCH_JULIAN_DAY;
    let of_day = i64::from(hours * 3600 + minutes * 60 + seconds);
    Some(days * 86_400 + of_day - offset_seconds)
}

/// Two digits, at most `max`.
fn two_digits(text: &str, max: u32) -> Option<u32> {
    let digits = text.len() == 2 && text.bytes().all(|b| b.is_ascii_digit());
    digits
        .then(|| text.parse().ok())
        .flatten()
        .filter(|n| *n <= max)
}

/// A moment's canonical form, `YYYY-MM-DDThh:mm:ssZ` (years 0000 to 9999).
pub fn format_instant(seconds: i64) -> Option<String> {
    let day = i32::try_from(seconds.div_euclid(86_400) + UNIX_EPOCH_JULIAN_DAY).ok()?;
    let date = Date::from_julian_day(day).ok()?;
    (0..=9999).contains(&date.year()).then_some(())?;
    let of_day = seconds.rem_euclid(86_400);
    Some(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        date.year(),
        date.month() as u8,
        date.day(),
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60
    ))
}

/// A moment with its offset, in its canonical form (UTC, whole seconds);
/// `None` if it is not one.
pub fn canonical_instant(text: &str) -> Option<String> {
    parse_instant(text, false).and_then(format_instant)
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
    fn instants_are_read_in_their_offset_and_written_in_utc() {
        let cases = [
            ("1970-01-01T00:00:00Z", Some("1970-01-01T00:00:00Z")),
            (
                "2026-06-04T19:00:05.9591471+00:00",
                Some("2026-06-04T19:00:05Z"),
            ),
            ("2026-06-04T01:30:00+02:00", Some("2026-06-03T23:30:00Z")),
            ("2026-12-31T23:30:00-05:00", Some("2027-01-01T04:30:00Z")),
            ("1969-12-31T23:59:59Z", Some("1969-12-31T23:59:59Z")),
            ("2024-02-29T12:00Z", Some("2024-02-29T12:00:00Z")),
            ("2026-06-04T19:00:05", None),
            ("2023-02-29T12:00:00Z", None),
            ("2026-06-04T24:00:00Z", None),
            ("2026-06-04T10:00:00+15:00", None),
            ("2026-06-04T10:00:00+2:00", None),
            ("2026-06-04T10:00:00.Z", None),
            ("2026-06-04", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(canonical_instant(text).as_deref(), want, "{text}");
        }
        assert_eq!(
            parse_instant("2026-06-04T19:00:05", true),
            parse_instant("2026-06-04T19:00:05Z", false)
        );
        assert_eq!(format_instant(253_402_300_800), None, "year 10000");
    }

    #[test]
    fn a_leap_day_birthday_counts_on_the_first_of_march() {
        let birth = parse_date("2008-02-29").unwrap();
        assert_eq!(age_on(birth, parse_date("2026-02-28").unwrap()), 17);
        assert_eq!(age_on(birth, parse_date("2026-03-01").unwrap()), 18);
    }
}
