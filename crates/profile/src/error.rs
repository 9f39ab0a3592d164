//! Field errors: a JSON Pointer, a stable code and its parameters. The code is
//! the contract between the library, the Worker and the widget; the message
//! (see [`crate::messages`]) is its translation.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use wire_derive::Wire;

crate::wire_enum! {
    /// Why a value was refused. Serialized as its name, e.g. `"TooLong"`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    #[non_exhaustive]
    pub enum Code {
        /// A required field is missing, empty or was cleared.
        Required,
        /// Longer than `max` characters.
        TooLong,
        /// Shorter than `min` characters.
        TooShort,
        /// A name holds something other than letters, marks, spaces, apostrophes, hyphens, periods.
        InvalidCharacters,
        /// Control or invisible formatting characters (bidi overrides, zero-width...).
        ControlCharacters,
        /// The JSON value has the wrong type; `expected` names the right one.
        InvalidType,
        /// No such field (or consent purpose, or custom field).
        UnknownField,
        /// The writer may not change this field.
        ReadOnly,
        /// Not an e-mail address.
        InvalidEmail,
        /// Another customer of the tenant already uses this e-mail address.
        EmailTaken,
        /// Not the code sent to the pending address; `attempts_left` more tries.
        CodeWrong,
        /// The code has expired, or its attempts are used up: ask for a new one.
        CodeExpired,
        /// There is no pending address to confirm.
        NothingPending,
        /// Not a phone number: digits with an optional leading `+`.
        InvalidPhone,
        /// More than `max` digits.
        PhoneTooLong,
        /// Not a real calendar date in the form `YYYY-MM-DD`.
        InvalidDate,
        /// A birth date after today.
        BirthDateInFuture,
        /// Older than `max` years.
        TooOld,
        /// Younger than `min` years.
        TooYoung,
        /// Not an ISO 3166-1 alpha-2 country code.
        InvalidCountry,
        /// Not a postal code of `country`.
        InvalidPostalCode,
        /// A delivery address without a postal code.
        DeliveryAddressZipMissing,
        /// A delivery address without a city.
        DeliveryAddressCityMissing,
        /// A delivery address without a country.
        DeliveryAddressCountryMissing,
        /// An invoice address without a postal code.
        InvoiceAddressZipMissing,
        /// An invoice address without a city.
        InvoiceAddressCityMissing,
        /// An invoice address without a country.
        InvoiceAddressCountryMissing,
        /// More than `max` items.
        TooMany,
        /// Two items of a list share an `id` (or two definitions a key).
        Duplicate,
        /// Not a national id number of `country`.
        InvalidNationalId,
        /// Not a BCP 47 language tag.
        InvalidLanguage,
        /// Not one of the field's options.
        NotAnOption,
        /// Below `min`.
        BelowMinimum,
        /// Above `max`.
        AboveMaximum,
        /// Does not match the field's pattern.
        PatternMismatch,
        /// A custom field's pattern is not a valid regular expression (tenant configuration).
        InvalidPattern,
        /// Not a JPEG, PNG or WebP picture, or not the type it was sent as.
        ImageType,
        /// A picture file of more than `max` MB (mebibytes).
        ImageTooLarge,
        /// A picture wider or taller than `max` pixels.
        ImageTooManyPixels,
    }
}

/// One failed rule on one field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Wire)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// JSON Pointer (RFC 6901) into the wire shape, e.g. `/invoice_address/postal_code`.
    pub pointer: String,
    pub code: Code,
    /// The rule's parameters, e.g. `{"max": 50}`.
    #[serde(default)]
    pub params: Map<String, Value>,
    /// The message in the reader's language, filled in by the Worker when it
    /// answers with a problem document (see [`FieldError::in_language`]);
    /// empty in what the rules return.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

impl FieldError {
    pub fn new(pointer: impl Into<String>, code: Code) -> Self {
        Self {
            pointer: pointer.into(),
            code,
            params: Map::new(),
            message: String::new(),
        }
    }

    /// This error with its message in `language`, the tenant's override first.
    pub fn in_language(&self, language: &str, tenant: Option<&crate::TenantRules>) -> FieldError {
        FieldError {
            message: crate::messages::message(self, language, tenant),
            ..self.clone()
        }
    }

    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.params.insert(key.to_owned(), value.into());
        self
    }
}

/// Escapes a key for use as one JSON Pointer segment (RFC 6901).
pub fn pointer_segment(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_and_its_wire_name_is_its_name() {
        for (i, code) in Code::ALL.iter().enumerate() {
            assert!(!Code::ALL[..i].contains(code), "{code:?} twice");
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
            assert_eq!(format!("{code:?}"), code.as_str());
        }
    }
}
