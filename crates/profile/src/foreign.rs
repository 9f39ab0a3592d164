//! Values as the source APIs write them, and their canonical form: gender
//! codes, phones and customer ids sent as integers, birth dates sent as
//! date-times, and supply flags sent as booleans. The adapters read with
//! these; `/v1` never sees the foreign forms.

use crate::model::Gender;

/// A gender code of the loyalty programme (002): `1` male, `-1` female,
/// `0` not determined. "Not determined" is no gender at all (`null`), not
/// `unspecified` ("rather not say", which is the customer's own answer).
/// `None`: not one of the three codes.
pub fn gender_of_code(code: i64) -> Option<Option<Gender>> {
    match code {
        1 => Some(Some(Gender::Male)),
        -1 => Some(Some(Gender::Female)),
        0 => Some(None),
        _ => None,
    }
}

/// The code of a stored gender: `other` and `unspecified` have none of
/// their own, and read as not determined.
pub fn code_of_gender(gender: Option<Gender>) -> i64 {
    match gender {
        Some(Gender::Male) => 1,
        Some(Gender::Female) => -1,
        _ => 0,
    }
}

/// A phone number sent as an integer (002's `Phone`): its digits, which
/// the phone rules then judge like any typed number. `None` for zero or a
/// negative number, which are no one's number.
pub fn phone_of_integer(number: i64) -> Option<String> {
    (number > 0).then(|| number.to_string())
}

/// A customer id sent as an integer (004's `customerId`, 002's `Client`):
/// the tenant's customer id, in decimal. `None` for zero or less.
pub fn customer_id_of_integer(id: i64) -> Option<String> {
    (id > 0).then(|| id.to_string())
}

/// The date of a birth date sent as a date-time (`2025-10-30T05:04:59.6543877+03:00`,
/// as .NET writes dates), taken in the sender's own offset: a birthday is
/// a calendar date, and converting it to UTC would move it a day. A bare
/// date is taken as it is. `None`: not a date or a date-time.
pub fn date_of_date_time(text: &str) -> Option<String> {
    let (date, time) = match text.split_once(['T', 't', ' ']) {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    crate::dates::parse_date(date)?;
    if let Some(time) = time {
        valid_time(time).then_some(())?;
    }
    Some(date.to_owned())
}

/// `hh:mm[:ss[.fraction]]`, then `Z`, an offset `±hh:mm`, or nothing (.NET's
/// unspecified kind).
fn valid_time(time: &str) -> bool {
    let (clock, offset) = match time.find(['Z', 'z', '+', '-']) {
        Some(at) => time.split_at(at),
        None => (time, ""),
    };
    let offset_ok = match offset {
        "" | "Z" | "z" => true,
        _ => {
            let digits = &offset[1..];
            digits.len() == 5
                && digits.as_bytes()[2] == b':'
                && two_digits(&digits[..2], 14)
                && two_digits(&digits[3..], 59)
        }
    };
    let (clock, fraction) = clock.split_once('.').unwrap_or((clock, "0"));
    let mut parts = clock.split(':');
    let clock_ok = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(m), second, None) => {
            two_digits(h, 23) && two_digits(m, 59) && second.is_none_or(|s| two_digits(s, 59))
        }
        _ => false,
    };
    offset_ok
        && clock_ok
        && !fraction.is_empty()
        && fraction.len() <= 9
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

fn two_digits(text: &str, max: u8) -> bool {
    text.len() == 2
        && text.bytes().all(|b| b.is_ascii_digit())
        && text.parse::<u8>().is_ok_and(|n| n <= max)
}

/// The energy utility's (004) supply flags, by its property names, and the
/// named loyalty flags (`loyalty.flags`) that hold them.
pub const SUPPLY_FLAGS: [(&str, &str); 4] = [
    ("IsBroadbandCustomer", "broadband_customer"),
    ("IsDistrictHeatingCustomer", "district_heating_customer"),
    ("IsNetCustomer", "net_customer"),
    ("IsPowerCustomer", "power_customer"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gender_codes_go_both_ways_and_not_determined_is_no_gender() {
        assert_eq!(gender_of_code(1), Some(Some(Gender::Male)));
        assert_eq!(gender_of_code(-1), Some(Some(Gender::Female)));
        assert_eq!(gender_of_code(0), Some(None));
        for bad in [2, -2, i64::MAX, i64::MIN] {
            assert_eq!(gender_of_code(bad), None, "{bad}");
        }
        for code in [1, -1, 0] {
            assert_eq!(code_of_gender(gender_of_code(code).unwrap()), code);
        }
        assert_eq!(code_of_gender(Some(Gender::Unspecified)), 0);
        assert_ne!(gender_of_code(0), Some(Some(Gender::Unspecified)));
    }

    #[test]
    fn integers_become_digits() {
        assert_eq!(
            phone_of_integer(79161234567).as_deref(),
            Some("79161234567")
        );
        assert_eq!(phone_of_integer(0), None);
        assert_eq!(phone_of_integer(-4791234567), None);
        assert_eq!(customer_id_of_integer(2).as_deref(), Some("2"));
        assert_eq!(customer_id_of_integer(0), None);
    }

    #[test]
    fn a_date_time_gives_its_date_in_the_senders_offset() {
        let cases = [
            ("2025-10-30T05:04:59.6543877+03:00", Some("2025-10-30")),
            // 23:30 at -05:00 is the next day in UTC; the birthday is the 30th.
            ("1990-10-30T23:30:00-05:00", Some("1990-10-30")),
            ("1990-10-30T00:47:22.3597104+00:00", Some("1990-10-30")),
            ("1990-10-30T00:00:00Z", Some("1990-10-30")),
            ("1990-10-30T00:00:00", Some("1990-10-30")),
            ("1990-10-30", Some("1990-10-30")),
            ("1990-02-30T00:00:00Z", None),
            ("1990-10-30T24:00:00Z", None),
            ("1990-10-30T10:00:00+3:00", None),
            ("1990-10-30T10:00:00.", None),
            ("1990-10-30T10:00:00.1234567890", None),
            ("1990-10-30Tnoon", None),
            ("30.10.1990", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(date_of_date_time(text).as_deref(), want, "{text}");
        }
    }
}
