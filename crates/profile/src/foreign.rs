//! Values as the source APIs write them, and their canonical form: gender
//! codes, phones and customer ids sent as integers, birth dates sent as
//! date-times, and supply flags sent as booleans. The adapters read with
//! these; `/v1` never sees the foreign forms.

use crate::model::{EmailStatus, Gender};

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
    if time.is_some() {
        crate::dates::parse_instant(text, true)?;
    }
    Some(date.to_owned())
}

/// The loyalty extranet's (000) `Gender`, which its JSON writes as a
/// number and its XML as a name; the page shows that `0` is `Male`, the
/// rest follows the canonical order.
pub const EXTRANET_GENDERS: [(&str, i64, Gender); 4] = [
    ("Male", 0, Gender::Male),
    ("Female", 1, Gender::Female),
    ("Other", 2, Gender::Other),
    ("Unspecified", 3, Gender::Unspecified),
];

/// The loyalty extranet's (000) `EmailStatus`: `0` is `Checked`, as the page shows.
pub const EXTRANET_EMAIL_STATUSES: [(&str, i64, EmailStatus); 3] = [
    ("Checked", 0, EmailStatus::Verified),
    ("Unchecked", 1, EmailStatus::Unverified),
    ("Bounced", 2, EmailStatus::Bounced),
];

/// A .NET enum's value sent as its number or its name (names case-insensitively, as
/// Json.NET reads them). `None`: neither.
pub fn of_enum<T: Copy>(table: &[(&str, i64, T)], value: &serde_json::Value) -> Option<T> {
    let found = |(name, number, _): &&(&str, i64, T)| match value {
        serde_json::Value::Number(n) => n.as_i64() == Some(*number),
        serde_json::Value::String(s) => {
            s.trim().eq_ignore_ascii_case(name) || s.trim().parse::<i64>().ok() == Some(*number)
        }
        _ => false,
    };
    table.iter().find(found).map(|(_, _, value)| *value)
}

/// The name and number of a value in a .NET enum's table.
pub fn enum_of<T: PartialEq>(
    table: &[(&'static str, i64, T)],
    value: &T,
) -> Option<(&'static str, i64)> {
    table
        .iter()
        .find(|(_, _, v)| v == value)
        .map(|(name, number, _)| (*name, *number))
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
    fn extranet_codes_are_read_as_numbers_and_as_names() {
        use serde_json::json;
        assert_eq!(of_enum(&EXTRANET_GENDERS, &json!(0)), Some(Gender::Male));
        assert_eq!(
            of_enum(&EXTRANET_GENDERS, &json!("Male")),
            Some(Gender::Male)
        );
        assert_eq!(
            of_enum(&EXTRANET_GENDERS, &json!("female")),
            Some(Gender::Female)
        );
        assert_eq!(
            of_enum(&EXTRANET_GENDERS, &json!("1")),
            Some(Gender::Female)
        );
        assert_eq!(of_enum(&EXTRANET_GENDERS, &json!(4)), None);
        assert_eq!(of_enum(&EXTRANET_GENDERS, &json!("Man")), None);
        assert_eq!(of_enum(&EXTRANET_GENDERS, &json!(true)), None);
        let checked = of_enum(&EXTRANET_EMAIL_STATUSES, &json!("Checked"));
        assert_eq!(checked, Some(EmailStatus::Verified));
        assert_eq!(
            enum_of(&EXTRANET_EMAIL_STATUSES, &EmailStatus::Verified),
            Some(("Checked", 0))
        );
        for (name, number, gender) in EXTRANET_GENDERS {
            assert_eq!(enum_of(&EXTRANET_GENDERS, &gender), Some((name, number)));
        }
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
