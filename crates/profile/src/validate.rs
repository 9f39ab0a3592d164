//! Validation of a whole profile against a tenant's rules: every failure at
//! once, each at its JSON Pointer. Values are expected in their cleaned form
//! (see [`crate::patch`], which cleans before it validates).

use crate::custom::check_custom_value;
use crate::dates::{check_birth_date, check_date};
use crate::email::check_email;
use crate::error::{Code, FieldError, pointer_segment};
use crate::model::{
    ADDRESS_PART_MAX_CHARS, Address, CODE_MAX_CHARS, MAX_DELIVERY_ADDRESSES, NAME_MAX_CHARS,
    Profile,
};
use crate::national_id::check_national_id;
use crate::phone::check_phone;
use crate::places::{check_country, check_postal_code};
use crate::tenant::Rules;
use crate::text::{check_name, check_text};
use serde_json::Value;
use time::Date;
use validator::ValidateLength;

mod lists;

use lists::{check_access_keys, check_comments, check_company, check_other_companies};

/// Longest national id number, in characters.
const NATIONAL_ID_MAX_CHARS: u64 = 30;
/// Longest admin notes.
const NOTES_MAX_CHARS: u64 = 2000;

/// All the rule failures of `profile`.
pub fn validate(profile: &Profile, rules: &Rules, today: Date) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut push = |error: Option<FieldError>| errors.extend(error);
    let tenant = rules.tenant();

    for (name, value) in [
        ("first_name", &profile.first_name),
        ("middle_name", &profile.middle_name),
        ("last_name", &profile.last_name),
    ] {
        if let Some(value) = value {
            push(check_name(&format!("/{name}"), value, NAME_MAX_CHARS));
        }
    }
    if let Some(birth) = &profile.birth_date {
        push(check_birth_date(
            "/birth_date",
            birth,
            today,
            tenant.minimum_age,
        ));
    }
    if let Some(date) = &profile.estimated_birth_date {
        push(check_date("/estimated_birth_date", date));
    }
    if let Some(id) = &profile.national_id {
        let error = check_text("/national_id", id, NATIONAL_ID_MAX_CHARS, false).or_else(|| {
            let country = tenant.national_id_country.as_deref()?;
            check_national_id("/national_id", id, country)
        });
        push(error);
    }
    if let Some(tag) = &profile.preferred_language {
        push(check_language("/preferred_language", tag));
    }
    if let Some(email) = &profile.email {
        let max = tenant
            .email_max_length
            .map_or(crate::model::EMAIL_MAX_CHARS, u64::from);
        push(check_email("/email", email, max));
    }
    for (name, value) in [
        ("mobile_phone", &profile.mobile_phone),
        ("other_phone", &profile.other_phone),
    ] {
        if let Some(phone) = value {
            push(check_phone(
                &format!("/{name}"),
                phone,
                tenant.phone_max_digits,
            ));
        }
    }
    for (name, value) in [
        ("organization_code", &profile.organization_code),
        ("store_code", &profile.store_code),
        ("card_code", &profile.card_code),
        ("crm_id", &profile.crm_id),
        ("shop_id", &profile.shop_id),
        ("username", &profile.username),
        ("loyalty/rank", &profile.loyalty.rank),
        ("loyalty/customer_type", &profile.loyalty.customer_type),
        ("acquisition/source_code", &profile.acquisition.source_code),
        ("acquisition/refer_id", &profile.acquisition.refer_id),
    ] {
        if let Some(value) = value {
            push(check_text(
                &format!("/{name}"),
                value,
                CODE_MAX_CHARS,
                false,
            ));
        }
    }
    if let Some(url) = &profile.acquisition.refer_url {
        push(check_text("/acquisition/refer_url", url, 255, false));
    }
    if let Some(notes) = &profile.notes {
        push(check_text("/notes", notes, NOTES_MAX_CHARS, true));
    }

    check_access_keys(&mut errors, &profile.access_keys);
    check_comments(&mut errors, &profile.comments);

    if let Some(address) = &profile.invoice_address {
        check_address(
            &mut errors,
            "/invoice_address",
            address,
            AddressUse::Invoice {
                complete: tenant.complete_invoice_address,
            },
        );
    }
    // An oversized list is refused whole, before its items are looked at:
    // their checks (and the duplicate check) would grow with the list.
    let delivery_addresses = if profile.delivery_addresses.len() > MAX_DELIVERY_ADDRESSES {
        errors.push(
            FieldError::new("/delivery_addresses", Code::TooMany)
                .with("max", MAX_DELIVERY_ADDRESSES),
        );
        &[][..]
    } else {
        &profile.delivery_addresses[..]
    };
    for (i, delivery) in delivery_addresses.iter().enumerate() {
        let base = format!("/delivery_addresses/{i}");
        if delivery.id.is_empty() {
            errors.push(FieldError::new(format!("{base}/id"), Code::Required));
        } else if delivery_addresses[..i].iter().any(|d| d.id == delivery.id) {
            errors.push(FieldError::new(format!("{base}/id"), Code::Duplicate));
        } else if let Some(error) =
            check_text(&format!("{base}/id"), &delivery.id, CODE_MAX_CHARS, false)
        {
            errors.push(error);
        }
        check_address(&mut errors, &base, &delivery.address, AddressUse::Delivery);
    }
    if let Some(company) = &profile.company {
        check_company(&mut errors, "/company", company);
    }
    check_other_companies(&mut errors, profile);

    check_required(&mut errors, profile, rules);
    check_custom_fields(&mut errors, profile, rules);
    errors
}

#[derive(Clone, Copy, PartialEq)]
enum AddressUse {
    /// `complete`: whether it needs its postal code, city and country.
    Invoice {
        complete: bool,
    },
    Delivery,
}

fn check_address(errors: &mut Vec<FieldError>, base: &str, address: &Address, usage: AddressUse) {
    let parts = [
        ("line1", &address.line1),
        ("line2", &address.line2),
        ("care_of", &address.care_of),
        ("house_number", &address.house_number),
        ("house_letter", &address.house_letter),
        ("entrance", &address.entrance),
        ("floor", &address.floor),
        ("po_box", &address.po_box),
        ("postal_code", &address.postal_code),
        ("city", &address.city),
    ];
    let present: Vec<(&str, Option<&String>)> = parts
        .iter()
        .map(|(name, value)| (*name, value.as_ref()))
        .collect();
    check_lengths(errors, base, &ADDRESS_PART_MAX_CHARS, &present);
    for (name, value) in parts {
        if let Some(value) = value {
            // The lengths were checked above.
            errors.extend(check_text(
                &format!("{base}/{name}"),
                value,
                u64::MAX,
                false,
            ));
        }
    }
    let required = usage != AddressUse::Invoice { complete: false };
    let (zip, city, country) = match usage {
        AddressUse::Invoice { .. } => (
            Code::InvoiceAddressZipMissing,
            Code::InvoiceAddressCityMissing,
            Code::InvoiceAddressCountryMissing,
        ),
        AddressUse::Delivery => (
            Code::DeliveryAddressZipMissing,
            Code::DeliveryAddressCityMissing,
            Code::DeliveryAddressCountryMissing,
        ),
    };
    let missing = |value: &Option<String>| value.as_deref().is_none_or(str::is_empty);
    if required && missing(&address.postal_code) {
        errors.push(FieldError::new(format!("{base}/postal_code"), zip));
    }
    if required && missing(&address.city) {
        errors.push(FieldError::new(format!("{base}/city"), city));
    }
    match &address.country {
        None if required => errors.push(FieldError::new(format!("{base}/country"), country)),
        None => {}
        Some(code) => match check_country(&format!("{base}/country"), code) {
            Some(error) => errors.push(error),
            None => {
                if let Some(postal_code) = address.postal_code.as_deref().filter(|p| !p.is_empty())
                {
                    errors.extend(check_postal_code(
                        &format!("{base}/postal_code"),
                        postal_code,
                        code,
                    ));
                }
            }
        },
    }
}

/// The length limits of an object's parts (`ADDRESS_PART_MAX_CHARS`,
/// `COMPANY_PART_MAX_CHARS`), checked by the validator crate's length rule.
/// Its rule functions are used, not its derive: the derive's error maps cost
/// the widget about 9 KB gzip of its budget.
fn check_lengths(
    errors: &mut Vec<FieldError>,
    base: &str,
    limits: &[(&str, u64)],
    parts: &[(&str, Option<&String>)],
) {
    for (name, max) in limits {
        let value = parts
            .iter()
            .find(|(part, _)| part == name)
            .and_then(|(_, v)| *v);
        if let Some(value) = value
            && !value.validate_length(None, Some(*max), None)
        {
            errors.push(FieldError::new(format!("{base}/{name}"), Code::TooLong).with("max", *max));
        }
    }
}

/// BCP 47 in its common form: a 2-3 letter language, then subtags of 1-8
/// letters or digits (script, region, variants), e.g. `nb-NO`, `sr-Latn-RS`.
fn check_language(pointer: &str, tag: &str) -> Option<FieldError> {
    let mut subtags = tag.split('-');
    let language_ok = subtags
        .next()
        .is_some_and(|l| (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_alphabetic()));
    let rest_ok =
        subtags.all(|s| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()));
    (!(language_ok && rest_ok && tag.len() <= 35))
        .then(|| FieldError::new(pointer, Code::InvalidLanguage))
}

/// Built-in fields the tenant requires (and shows) must have a value.
fn check_required(errors: &mut Vec<FieldError>, profile: &Profile, rules: &Rules) {
    for (name, setting) in &rules.tenant().fields {
        if setting.required && setting.shown && !profile.has_value(name) {
            let pointer = format!("/{name}");
            if !errors.iter().any(|e| e.pointer == pointer) {
                errors.push(FieldError::new(pointer, Code::Required));
            }
        }
    }
}

fn check_custom_fields(errors: &mut Vec<FieldError>, profile: &Profile, rules: &Rules) {
    for key in profile.custom_fields.keys() {
        if rules.custom_field(key).is_none() {
            errors.push(FieldError::new(
                format!("/custom_fields/{}", pointer_segment(key)),
                Code::UnknownField,
            ));
        }
    }
    for (def, pattern) in rules.custom_fields() {
        let value = profile.custom_fields.get(&def.key).unwrap_or(&Value::Null);
        errors.extend(check_custom_value(
            &format!("/custom_fields/{}", def.key),
            def,
            pattern,
            value,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::parse_date;
    use crate::model::{AccessKey, Comment, DeliveryAddress, MAX_ACCESS_KEYS, MAX_OTHER_COMPANIES};
    use crate::tenant::TenantRules;
    use serde_json::json;

    fn today() -> Date {
        parse_date("2026-11-23").unwrap()
    }

    fn errors_of(profile: &Profile, rules: &Rules) -> Vec<(String, Code)> {
        validate(profile, rules, today())
            .into_iter()
            .map(|e| (e.pointer, e.code))
            .collect()
    }

    #[test]
    fn other_companies_need_names_and_ids_of_their_own() {
        let company = |id: Option<u32>, name: Option<&str>| crate::Company {
            id,
            name: name.map(str::to_owned),
            organization_number: None,
        };
        let profile = Profile {
            company: Some(company(Some(1), Some("Alfa AB"))),
            other_companies: vec![
                company(Some(2), Some("Beta AB")),
                company(Some(1), Some("Gamma AB")),
                company(Some(2), Some("Delta AB")),
                company(None, None),
                company(None, Some("Bad\u{202e}AB")),
            ],
            ..Profile::default()
        };
        let mut errors = errors_of(&profile, &Rules::default());
        errors.sort();
        let want = [
            ("/other_companies/1/id", Code::Duplicate),
            ("/other_companies/2/id", Code::Duplicate),
            ("/other_companies/3/name", Code::Required),
            ("/other_companies/4/name", Code::ControlCharacters),
        ];
        assert_eq!(errors, want.map(|(p, c)| (p.to_owned(), c)).to_vec());
        let many = Profile {
            other_companies: vec![company(None, Some("A")); MAX_OTHER_COMPANIES + 1],
            ..Profile::default()
        };
        let errors = errors_of(&many, &Rules::default());
        assert_eq!(errors, vec![("/other_companies".to_owned(), Code::TooMany)]);
    }

    #[test]
    fn access_keys_and_comments_need_unique_ids_and_values() {
        let key = |id: &str, value: &str| AccessKey {
            id: id.into(),
            type_id: 1,
            value: value.into(),
            description: None,
        };
        let comment = |id: u32, text: &str, created: Option<&str>| Comment {
            id,
            text: text.into(),
            created: created.map(str::to_owned),
        };
        let profile = Profile {
            access_keys: vec![
                key("a", "1234"),
                key("a", "5678"),
                key("", "x"),
                key("b", ""),
            ],
            comments: vec![
                comment(1, "Called about the booking", Some("2026-01-01T10:00:00Z")),
                comment(1, "Again", None),
                comment(2, "", Some("yesterday")),
            ],
            ..Profile::default()
        };
        let errors = errors_of(&profile, &Rules::default());
        for want in [
            ("/access_keys/1/id", Code::Duplicate),
            ("/access_keys/2/id", Code::Required),
            ("/access_keys/3/value", Code::Required),
            ("/comments/1/id", Code::Duplicate),
            ("/comments/2/text", Code::Required),
            ("/comments/2/created", Code::InvalidDate),
        ] {
            assert!(
                errors.contains(&(want.0.to_owned(), want.1)),
                "{want:?} in {errors:?}"
            );
        }
        assert_eq!(
            errors
                .iter()
                .filter(|(p, _)| p.starts_with("/access_keys/0") || p.starts_with("/comments/0"))
                .count(),
            0
        );
        let many = Profile {
            access_keys: (0..=MAX_ACCESS_KEYS)
                .map(|i| key(&i.to_string(), "v"))
                .collect(),
            ..Profile::default()
        };
        assert!(
            errors_of(&many, &Rules::default()).contains(&("/access_keys".into(), Code::TooMany))
        );
    }

    fn address(value: Value) -> Address {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn an_empty_profile_is_valid_by_default() {
        assert!(errors_of(&Profile::default(), &Rules::default()).is_empty());
    }

    #[test]
    fn addresses_need_postal_code_city_and_country() {
        let profile = Profile {
            invoice_address: Some(address(json!({"line1": "Storgatan 1"}))),
            delivery_addresses: vec![
                DeliveryAddress {
                    id: "home".into(),
                    address: address(
                        json!({"postal_code": "123 45", "city": "Umeå", "country": "SE"}),
                    ),
                },
                DeliveryAddress {
                    id: "home".into(),
                    address: address(
                        json!({"city": "Oslo", "country": "NO", "postal_code": "12345"}),
                    ),
                },
                DeliveryAddress {
                    id: "work".into(),
                    address: address(json!({"postal_code": "10115"})),
                },
            ],
            ..Profile::default()
        };
        assert_eq!(
            errors_of(&profile, &Rules::default()),
            [
                (
                    "/invoice_address/postal_code".into(),
                    Code::InvoiceAddressZipMissing
                ),
                (
                    "/invoice_address/city".into(),
                    Code::InvoiceAddressCityMissing
                ),
                (
                    "/invoice_address/country".into(),
                    Code::InvoiceAddressCountryMissing
                ),
                ("/delivery_addresses/1/id".into(), Code::Duplicate),
                (
                    "/delivery_addresses/1/postal_code".into(),
                    Code::InvalidPostalCode
                ),
                (
                    "/delivery_addresses/2/city".into(),
                    Code::DeliveryAddressCityMissing
                ),
                (
                    "/delivery_addresses/2/country".into(),
                    Code::DeliveryAddressCountryMissing
                ),
            ]
        );
    }

    #[test]
    fn address_lengths_are_checked_part_by_part() {
        let long = "x".repeat(101);
        let profile = Profile {
            invoice_address: Some(address(
                json!({"line1": long, "postal_code": "12345", "city": "Madrid", "country": "ES", "floor": "12345678901"}),
            )),
            ..Profile::default()
        };
        let errors = validate(&profile, &Rules::default(), today());
        let pointers: Vec<_> = errors
            .iter()
            .map(|e| (e.pointer.as_str(), e.code, e.params.get("max").cloned()))
            .collect();
        assert_eq!(
            pointers,
            [
                ("/invoice_address/line1", Code::TooLong, Some(json!(100))),
                ("/invoice_address/floor", Code::TooLong, Some(json!(10))),
            ]
        );
    }

    #[test]
    fn tenant_rules_apply() {
        let tenant: TenantRules = serde_json::from_value(json!({
            "fields": {"last_name": {"required": true}, "email": {"required": true, "shown": false}},
            "minimum_age": 18,
            "phone_max_digits": 14,
            "national_id_country": "SE",
            "custom_fields": [{"key": "store", "type": "select", "required": true, "options": [{"value": "umea"}]}]
        }))
        .unwrap();
        let rules = Rules::new(tenant).unwrap();
        let profile = Profile {
            birth_date: Some("2010-01-01".into()),
            mobile_phone: Some("123456789012345".into()),
            national_id: Some("811228-9875".into()),
            preferred_language: Some("sv_SE".into()),
            custom_fields: [("shoe_size".to_owned(), json!(42))].into(),
            ..Profile::default()
        };
        assert_eq!(
            errors_of(&profile, &rules),
            [
                ("/birth_date".into(), Code::TooYoung),
                ("/national_id".into(), Code::InvalidNationalId),
                ("/preferred_language".into(), Code::InvalidLanguage),
                ("/mobile_phone".into(), Code::PhoneTooLong),
                ("/last_name".into(), Code::Required),
                ("/custom_fields/shoe_size".into(), Code::UnknownField),
                ("/custom_fields/store".into(), Code::Required),
            ]
        );
    }

    #[test]
    fn language_tags() {
        for good in ["en", "sv-SE", "nb-NO", "sr-Latn-RS", "es-419"] {
            assert!(check_language("/l", good).is_none(), "{good}");
        }
        for bad in ["", "e", "english", "sv_SE", "sv-", "sv--SE", "sv-SEEEEEEEE"] {
            assert!(check_language("/l", bad).is_some(), "{bad}");
        }
    }
}
