//! National identity numbers, checked by the country the tenant sets:
//! Spanish DNI / NIE, Swedish personnummer / samordningsnummer, Norwegian
//! fødselsnummer / D-nummer. Other countries get the generic text checks.

use crate::error::{Code, FieldError};

/// Countries whose numbers this library checks.
pub const CHECKED_COUNTRIES: [&str; 3] = ["ES", "SE", "NO"];

/// The stored form: trimmed, upper case, spaces dropped. Numbers of every
/// country checked here are ASCII, so ASCII upper case is enough (and keeps
/// the Unicode case tables out of the widget).
pub fn clean_national_id(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

pub fn check_national_id(pointer: &str, value: &str, country: &str) -> Option<FieldError> {
    let valid = match country {
        "ES" => valid_dni_or_nie(value),
        "SE" => valid_personnummer(value),
        "NO" => valid_fodselsnummer(value),
        _ => return None,
    };
    (!valid).then(|| FieldError::new(pointer, Code::InvalidNationalId).with("country", country))
}

fn digits(s: &str) -> Option<Vec<u32>> {
    s.chars().map(|c| c.to_digit(10)).collect()
}

/// DNI: 8 digits and a control letter; NIE: X, Y or Z (0, 1, 2), 7 digits and the letter.
fn valid_dni_or_nie(value: &str) -> bool {
    const LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";
    if value.len() != 9 || !value.is_ascii() {
        return false;
    }
    let (number, letter) = value.split_at(8);
    let number = match number.as_bytes()[0] {
        b'X' => format!("0{}", &number[1..]),
        b'Y' => format!("1{}", &number[1..]),
        b'Z' => format!("2{}", &number[1..]),
        _ => number.to_owned(),
    };
    match (
        number.parse::<u32>(),
        number.bytes().all(|b| b.is_ascii_digit()),
    ) {
        (Ok(n), true) => letter.as_bytes()[0] == LETTERS[(n % 23) as usize],
        _ => false,
    }
}

/// `YYMMDD-NNNC`, `YYMMDD+NNNC` (over 100), `YYMMDDNNNC` or `YYYYMMDDNNNC`:
/// a date (day + 60 for a samordningsnummer) and the Luhn check over ten digits.
fn valid_personnummer(value: &str) -> bool {
    // The offsets below count bytes: they are characters only in ASCII.
    if !value.is_ascii() {
        return false;
    }
    let compact: String = value.chars().filter(|c| *c != '-' && *c != '+').collect();
    let separators = value.len() - compact.len();
    let ten = match (compact.len(), separators) {
        (10, 0) | (10, 1) | (12, 0) | (12, 1) => &compact[compact.len() - 10..],
        _ => return false,
    };
    if separators == 1 && !matches!(value.as_bytes().get(value.len() - 5), Some(b'-' | b'+')) {
        return false;
    }
    let Some(d) = digits(ten) else { return false };
    let month = d[2] * 10 + d[3];
    let day = d[4] * 10 + d[5];
    let day = if day > 60 { day - 60 } else { day };
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return false;
    }
    let sum: u32 = d[..9]
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let x = if i % 2 == 0 { n * 2 } else { n };
            if x > 9 { x - 9 } else { x }
        })
        .sum();
    (10 - sum % 10) % 10 == d[9]
}

/// Eleven digits, `DDMMYYIIIKK`, with two mod-11 check digits (day + 40 for a D-nummer).
fn valid_fodselsnummer(value: &str) -> bool {
    let Some(d) = digits(value).filter(|d| d.len() == 11) else {
        return false;
    };
    let day = d[0] * 10 + d[1];
    let day = if day > 40 { day - 40 } else { day };
    let month = d[2] * 10 + d[3];
    if !(1..=31).contains(&day) || !(1..=12).contains(&month) {
        return false;
    }
    let check = |weights: &[u32]| {
        let sum: u32 = weights.iter().zip(&d).map(|(w, n)| w * n).sum();
        match 11 - sum % 11 {
            11 => Some(0),
            10 => None,
            k => Some(k),
        }
    };
    check(&[3, 7, 6, 1, 8, 9, 4, 5, 2]) == Some(d[9])
        && check(&[5, 4, 3, 2, 7, 6, 5, 4, 3, 2]) == Some(d[10])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(country: &str, value: &str) -> bool {
        check_national_id("/national_id", &clean_national_id(value), country).is_none()
    }

    #[test]
    fn spanish_dni_and_nie() {
        assert!(valid("ES", "12345678Z"));
        assert!(valid("ES", "00000000T"));
        assert!(valid("ES", "x1234567l"));
        assert!(valid("ES", "Y0000000Z"));
        assert!(!valid("ES", "12345678A"));
        assert!(!valid("ES", "1234567Z"));
        assert!(!valid("ES", "A1234567L"));
    }

    #[test]
    fn swedish_personnummer() {
        assert!(valid("SE", "811228-9874"));
        assert!(valid("SE", "8112289874"));
        assert!(valid("SE", "198112289874"));
        assert!(valid("SE", "19811228-9874"));
        assert!(valid("SE", "701063-2391"), "samordningsnummer");
        assert!(!valid("SE", "811228-9875"));
        assert!(!valid("SE", "811328-9874"));
        assert!(!valid("SE", "81122-89874"));
    }

    #[test]
    fn norwegian_fodselsnummer() {
        assert!(valid("NO", "01010750160"));
        assert!(valid("NO", "15076500565"));
        assert!(!valid("NO", "01010750161"));
        assert!(!valid("NO", "0101075016"));
        assert!(!valid("NO", "32010750160"));
    }

    /// Every checked country with text that is not ASCII, of the lengths each
    /// rule looks for: refused, never a panic (a byte offset inside `é` once was).
    #[test]
    fn non_ascii_numbers_are_refused_without_a_panic() {
        for country in CHECKED_COUNTRIES {
            for value in [
                "1é123456789",
                "1é12345678",
                "éé12345678",
                "19811228-98é",
                "811228-987é",
                "1234567é",
                "X123456é",
                "0101075016é",
                "٠١٠١٠٧٥٠١٦٠",
                "é",
                "",
                "-",
                "+++++++++++",
            ] {
                assert!(!valid(country, value), "{country} {value:?}");
            }
        }
    }

    #[test]
    fn other_countries_are_not_checked_here() {
        assert!(valid("DE", "anything"));
    }
}
