//! Countries (ISO 3166-1 alpha-2) and postal codes.

use crate::error::{Code, FieldError};

/// The 249 officially assigned ISO 3166-1 alpha-2 codes, sorted.
const COUNTRIES: &str = "\
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS \
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE \
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM \
HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC \
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA \
NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW \
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO \
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// Every country code, in order (for a country picker).
pub fn countries() -> impl Iterator<Item = &'static str> {
    COUNTRIES.split(' ')
}

pub fn is_country(code: &str) -> bool {
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return false;
    }
    // Every entry is two letters and a space: a binary search over the sorted list.
    let entries = COUNTRIES.len().div_ceil(3);
    let entry = |i: usize| &COUNTRIES[i * 3..i * 3 + 2];
    let (mut low, mut high) = (0, entries);
    while low < high {
        let middle = (low + high) / 2;
        match entry(middle).cmp(code) {
            std::cmp::Ordering::Less => low = middle + 1,
            std::cmp::Ordering::Greater => high = middle,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// The stored form of a country code: trimmed, upper case.
pub fn clean_country(raw: &str) -> String {
    raw.trim().to_ascii_uppercase()
}

pub fn check_country(pointer: &str, code: &str) -> Option<FieldError> {
    (!is_country(code)).then(|| FieldError::new(pointer, Code::InvalidCountry))
}

/// Postal code shapes per country: `9` a digit, `A` a letter, anything else
/// itself. A space in a shape may be left out by the customer.
fn shapes(country: &str) -> Option<&'static [&'static str]> {
    Some(match country {
        "SE" => &["999 99"],
        "NO" | "DK" | "AT" | "BE" | "CH" => &["9999"],
        "ES" | "DE" | "FI" | "FR" | "IT" => &["99999"],
        "RU" => &["999999"],
        "NL" => &["9999 AA"],
        "PL" => &["99-999"],
        "US" => &["99999", "99999-9999"],
        "GB" => &[
            "A9 9AA", "A99 9AA", "AA9 9AA", "AA99 9AA", "A9A 9AA", "AA9A 9AA",
        ],
        _ => return None,
    })
}

fn fits(value: &str, shape: &str) -> bool {
    let compact: String = shape.chars().filter(|c| *c != ' ').collect();
    let candidates = [shape, compact.as_str()];
    candidates.iter().any(|shape| {
        value.chars().count() == shape.chars().count()
            && value.chars().zip(shape.chars()).all(|(v, s)| match s {
                '9' => v.is_ascii_digit(),
                'A' => v.is_ascii_alphabetic(),
                other => v == other,
            })
    })
}

/// Whether this library knows the postal code shape of `country`.
pub fn knows_postal_codes_of(country: &str) -> bool {
    shapes(country).is_some()
}

/// The stored form of a postal code: trimmed, single spaces, ASCII upper
/// case (postal codes are ASCII; the Unicode case tables would cost the
/// widget's size budget).
pub fn clean_postal_code(raw: &str) -> String {
    crate::text::clean_line(raw).to_ascii_uppercase()
}

/// Checks `code` against the shapes of `country`; countries without a known
/// shape only get the generic text checks.
pub fn check_postal_code(pointer: &str, code: &str, country: &str) -> Option<FieldError> {
    let shapes = shapes(country)?;
    // Spanish codes start with the province number, 01 to 52.
    let province_ok = country != "ES"
        || matches!(
            code.get(0..2).and_then(|p| p.parse::<u8>().ok()),
            Some(1..=52)
        );
    let valid = province_ok && shapes.iter().any(|shape| fits(code, shape));
    (!valid).then(|| FieldError::new(pointer, Code::InvalidPostalCode).with("country", country))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries() {
        let all: Vec<&str> = COUNTRIES.split(' ').collect();
        assert_eq!(all.len(), 249);
        assert!(
            all.windows(2).all(|w| w[0] < w[1]),
            "sorted, for the binary search"
        );
        assert!(all.iter().all(|c| is_country(c)));
        for good in ["SE", "NO", "ES", "RU", "DE", "GB", "US", "AX", "SJ"] {
            assert!(is_country(good), "{good}");
        }
        for bad in ["se", "UK", "EU", "XX", "SWE", "", "S"] {
            assert!(!is_country(bad), "{bad}");
        }
        assert_eq!(clean_country(" se "), "SE");
    }

    #[test]
    fn postal_codes() {
        let cases: &[(&str, &str, bool)] = &[
            ("SE", "123 45", true),
            ("SE", "12345", true),
            ("SE", "1234", false),
            ("SE", "123-45", false),
            ("NO", "0150", true),
            ("NO", "01500", false),
            ("ES", "28013", true),
            ("ES", "08001", true),
            ("ES", "53001", false),
            ("ES", "00123", false),
            ("RU", "101000", true),
            ("RU", "10100", false),
            ("DE", "10115", true),
            ("DE", "1011", false),
            ("GB", "SW1A 1AA", true),
            ("GB", "M1 1AE", true),
            ("GB", "B33 8TH", true),
            ("GB", "CR2 6XH", true),
            ("GB", "DN55 1PT", true),
            ("GB", "EC1A1BB", true),
            ("GB", "12345", false),
            ("US", "10001", true),
            ("US", "10001-1234", true),
            ("US", "1000", false),
            ("US", "10001-12", false),
        ];
        for (country, code, valid) in cases {
            let cleaned = clean_postal_code(code);
            assert_eq!(
                check_postal_code("/p", &cleaned, country).is_none(),
                *valid,
                "{country} {code}"
            );
        }
        assert!(check_postal_code("/p", "anything", "BR").is_none());
        assert_eq!(clean_postal_code(" sw1a  1aa "), "SW1A 1AA");
    }
}
