//! The e-commerce platform's (003) error keys: which canonical error each
//! stands for, and the messages of those the canonical codes have none for.

use crate::error::{Code, FieldError};

/// The page's keys, as it names them.
pub const KEYS: [&str; 12] = [
    "AccountAlreadyExists",
    "CompanyAlreadyExists",
    "CustomerAlreadyExists",
    "CustomerMissing",
    "InvalidCompanyName",
    "InvalidEmail",
    "DeliveryAddressZipMissing",
    "DeliveryAddressCityMissing",
    "DeliveryAddressCountryMissing",
    "InvoiceAddressZipMissing",
    "InvoiceAddressCityMissing",
    "InvoiceAddressCountryMissing",
];

/// The page's key for a canonical field error, when the page has one; else
/// the answer names the canonical code.
pub fn key_of(error: &FieldError) -> Option<&'static str> {
    let company_name = error.pointer == "/company/name"
        || (error.pointer.starts_with("/other_companies/") && error.pointer.ends_with("/name"));
    let company = error.pointer == "/company"
        || (error.pointer.starts_with("/other_companies/")
            && error.pointer.matches('/').count() == 2);
    match error.code {
        Code::EmailTaken => Some("CustomerAlreadyExists"),
        Code::Required if company_name => Some("InvalidCompanyName"),
        // The customer's account is their user name; another one is refused.
        Code::ReadOnly if error.pointer == "/username" => Some("AccountAlreadyExists"),
        Code::Duplicate if company => Some("CompanyAlreadyExists"),
        code => KEYS.into_iter().find(|key| *key == code.as_str()),
    }
}

/// The message of a key that no canonical code's message says, in one of
/// [`crate::messages::LANGUAGES`] (English for any other).
pub fn message(key: &str, language: &str) -> Option<&'static str> {
    let texts: [&'static str; 5] = match key {
        "CustomerMissing" => [
            "There is no such customer.",
            "No existe ese cliente.",
            "Kunden finns inte.",
            "Kunden finnes ikke.",
            "Такого клиента нет.",
        ],
        "AccountAlreadyExists" => [
            "The customer already has an account with another user name.",
            "El cliente ya tiene una cuenta con otro nombre de usuario.",
            "Kunden har redan ett konto med ett annat användarnamn.",
            "Kunden har allerede en konto med et annet brukernavn.",
            "У клиента уже есть учётная запись с другим именем пользователя.",
        ],
        "CompanyAlreadyExists" => [
            "The customer already has a company with this name and organisation number.",
            "El cliente ya tiene una empresa con este nombre y número de organización.",
            "Kunden har redan ett företag med detta namn och organisationsnummer.",
            "Kunden har allerede et firma med dette navnet og organisasjonsnummeret.",
            "У клиента уже есть компания с таким названием и номером организации.",
        ],
        "InvalidCompanyName" => [
            "Every company needs a name.",
            "Cada empresa necesita un nombre.",
            "Varje företag måste ha ett namn.",
            "Hvert firma må ha et navn.",
            "У каждой компании должно быть название.",
        ],
        _ => return None,
    };
    let at = crate::messages::LANGUAGES
        .iter()
        .position(|l| *l == language)
        .unwrap_or(0);
    Some(texts[at])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_errors_take_the_pages_keys() {
        let key = |pointer: &str, code| key_of(&FieldError::new(pointer, code));
        assert_eq!(
            key("/email", Code::EmailTaken),
            Some("CustomerAlreadyExists")
        );
        assert_eq!(key("/email", Code::InvalidEmail), Some("InvalidEmail"));
        assert_eq!(
            key("/other_companies/2/name", Code::Required),
            Some("InvalidCompanyName")
        );
        assert_eq!(
            key("/company/name", Code::Required),
            Some("InvalidCompanyName")
        );
        assert_eq!(key("/first_name", Code::Required), None);
        assert_eq!(
            key(
                "/delivery_addresses/0/city",
                Code::DeliveryAddressCityMissing
            ),
            Some("DeliveryAddressCityMissing")
        );
        assert_eq!(
            key(
                "/invoice_address/country",
                Code::InvoiceAddressCountryMissing
            ),
            Some("InvoiceAddressCountryMissing")
        );
        assert_eq!(key("/first_name", Code::TooLong), None);
        assert_eq!(
            key("/username", Code::ReadOnly),
            Some("AccountAlreadyExists")
        );
        assert_eq!(
            key("/other_companies/1", Code::Duplicate),
            Some("CompanyAlreadyExists")
        );
        assert_eq!(key("/other_companies/1/id", Code::Duplicate), None);
    }

    #[test]
    fn every_key_has_a_message_in_every_language() {
        for key in KEYS {
            for language in crate::messages::LANGUAGES {
                let own = message(key, language);
                // The others are the canonical codes' messages.
                let canonical = [
                    Code::EmailTaken,
                    Code::InvalidEmail,
                    Code::DeliveryAddressZipMissing,
                    Code::DeliveryAddressCityMissing,
                    Code::DeliveryAddressCountryMissing,
                    Code::InvoiceAddressZipMissing,
                    Code::InvoiceAddressCityMissing,
                    Code::InvoiceAddressCountryMissing,
                ]
                .iter()
                .any(|code| key_of(&FieldError::new("/email", *code)) == Some(key));
                assert!(own.is_some() != canonical, "{key} in {language}");
            }
        }
        assert_ne!(
            message("CustomerMissing", "sv"),
            message("CustomerMissing", "en")
        );
        assert_eq!(
            message("CustomerMissing", "xx"),
            message("CustomerMissing", "en")
        );
    }
}
