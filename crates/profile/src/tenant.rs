//! A tenant's rules: which built-in fields the form shows and requires, the
//! minimum age, the phone digit limit, the national id country, the tenant's
//! own fields and message overrides. One serializable type: the Worker
//! validates with it, and the widget receives the very same value from
//! `GET /v1/customers/me/schema`. [`Rules`] is it compiled (patterns once).

use crate::access::{Access, field_spec};
use crate::dates::DEFAULT_MINIMUM_AGE;
use crate::error::{Code, FieldError, pointer_segment};
use crate::model::ConsentPurpose;
use crate::pattern::Pattern;
use crate::phone::PHONE_MAX_DIGITS;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use wire_derive::Wire;

/// Text per language (`en`, `es`, `sv`, `nb`, `ru`).
pub type Translations = BTreeMap<String, String>;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Wire)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct TenantRules {
    /// Settings of built-in customer-editable fields, by name; a field not
    /// listed is shown and optional.
    pub fields: BTreeMap<String, FieldSetting>,
    pub minimum_age: u8,
    /// At most this many digits in a phone number (at most 15).
    pub phone_max_digits: u8,
    /// ISO country whose national id numbers are checked, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub national_id_country: Option<String>,
    pub custom_fields: Vec<CustomFieldDef>,
    /// Messages that replace the built-in ones: by JSON Pointer, then code.
    pub message_overrides: BTreeMap<String, BTreeMap<Code, Translations>>,
    /// The policy in force for each consent purpose (at most one each): its
    /// version is recorded with every consent given or withdrawn. A list, not
    /// a map by purpose: the widget reads it, and a second map type costs it
    /// about 2 KB gzip of map code.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub consent_policies: Vec<ConsentPolicy>,
    /// At most this many characters in an e-mail address, if fewer than
    /// the 254 that mail allows (a source API may allow only 100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_max_length: Option<u32>,
    /// The language of messages to a request that names none of the five
    /// (`en`, `es`, `sv`, `nb` or `ru`); English when not set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_language: Option<String>,
    /// The country (ISO 3166-1 alpha-2) of an address that names none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_country: Option<String>,
    /// Whether an invoice address, when given, needs its postal code, city
    /// and country (yes unless the tenant says otherwise: a source API may
    /// send a street and a postal code alone).
    pub complete_invoice_address: bool,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// A published policy that a consent is given under.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Wire)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConsentPolicy {
    pub purpose: ConsentPurpose,
    /// The tenant's name for this version, such as `2026-03` or `4`.
    pub version: String,
    /// Where the customer reads it (https).
    pub url: String,
}

/// The longest policy version name, and the longest policy URL.
const POLICY_VERSION_MAX: usize = 64;
const POLICY_URL_MAX: usize = 2048;

impl Default for TenantRules {
    fn default() -> Self {
        TenantRules {
            fields: BTreeMap::new(),
            minimum_age: DEFAULT_MINIMUM_AGE,
            phone_max_digits: PHONE_MAX_DIGITS,
            national_id_country: None,
            custom_fields: Vec::new(),
            message_overrides: BTreeMap::new(),
            consent_policies: Vec::new(),
            email_max_length: None,
            default_language: None,
            default_country: None,
            complete_invoice_address: true,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Wire)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct FieldSetting {
    pub shown: bool,
    pub required: bool,
    /// The customer sees it but may not change it; the programme writes it.
    #[serde(skip_serializing_if = "is_false")]
    pub read_only: bool,
}

impl Default for FieldSetting {
    fn default() -> Self {
        FieldSetting {
            shown: true,
            required: false,
            read_only: false,
        }
    }
}

crate::wire_enum! {
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum CustomKind {
        Text = "text",
        Multiline = "multiline",
        Integer = "integer",
        Decimal = "decimal",
        Date = "date",
        /// A moment: RFC 3339 with an offset, stored in UTC (`2026-06-04T19:00:05Z`).
        DateTime = "date_time",
        Bool = "bool",
        Select = "select",
        Multiselect = "multiselect",
    }
}

/// One of the tenant's own fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Wire)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomFieldDef {
    /// `[a-z][a-z0-9_]*`, at most 40 characters; the key in `custom_fields`.
    pub key: String,
    #[serde(rename = "type")]
    pub kind: CustomKind,
    /// Must have a value; a required `bool` must be `true` (a confirmation).
    #[serde(default)]
    pub required: bool,
    /// Whether the customer may change it (else only the tenant).
    #[serde(default = "yes")]
    pub editable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// A `regex-lite` pattern the whole text value must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// The choices of `select` and `multiselect`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<CustomOption>,
    /// The value a new profile starts with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    #[serde(default)]
    pub label: Translations,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub help: Translations,
    /// Messages for this field's failures, by code.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub error_messages: BTreeMap<Code, Translations>,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Wire)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomOption {
    pub value: String,
    #[serde(default)]
    pub label: Translations,
}

/// Tenant rules, checked and with their patterns compiled: build once per
/// tenant configuration, not per request.
#[derive(Clone, Debug, Default)]
pub struct Rules {
    tenant: TenantRules,
    patterns: Vec<Option<Pattern>>,
}

/// A tenant has at most this many custom fields.
pub const MAX_CUSTOM_FIELDS: usize = 100;

/// What is wrong with the consent policies: checked where a configuration is
/// accepted ([`Rules::checked`]), not by [`Rules::new`], which the widget
/// compiles its rules with and which needs no policy to validate a profile.
fn policy_errors(policies: &[ConsentPolicy]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (i, policy) in policies.iter().enumerate() {
        let at = |part: &str| format!("/consent_policies/{i}/{part}");
        if policies[..i]
            .iter()
            .any(|other| other.purpose == policy.purpose)
        {
            errors.push(FieldError::new(at("purpose"), Code::Duplicate));
        }
        let version = policy.version.as_str();
        if version.is_empty()
            || version.len() > POLICY_VERSION_MAX
            || !version.bytes().all(|b| b.is_ascii_graphic())
        {
            errors.push(
                FieldError::new(at("version"), Code::InvalidCharacters)
                    .with("pattern", "1 to 64 printable ASCII characters, no spaces"),
            );
        }
        let url = policy.url.as_str();
        if !url.starts_with("https://")
            || url.len() <= "https://".len()
            || url.len() > POLICY_URL_MAX
            || !url.bytes().all(|b| b.is_ascii_graphic())
        {
            errors.push(
                FieldError::new(at("url"), Code::InvalidType)
                    .with("expected", "an https URL of at most 2048 characters"),
            );
        }
    }
    errors
}

impl Rules {
    /// Checks the configuration and compiles its patterns; every problem at once.
    pub fn new(tenant: TenantRules) -> Result<Rules, Vec<FieldError>> {
        let mut errors = Vec::new();
        for name in tenant.fields.keys() {
            match field_spec(name) {
                Some(spec) if spec.access == Access::CustomerEditable => {}
                Some(_) => errors.push(FieldError::new(
                    format!("/fields/{}", pointer_segment(name)),
                    Code::ReadOnly,
                )),
                None => errors.push(FieldError::new(
                    format!("/fields/{}", pointer_segment(name)),
                    Code::UnknownField,
                )),
            }
        }
        if tenant.phone_max_digits == 0 || tenant.phone_max_digits > PHONE_MAX_DIGITS {
            errors.push(
                FieldError::new("/phone_max_digits", Code::AboveMaximum)
                    .with("max", PHONE_MAX_DIGITS),
            );
        }
        if tenant.minimum_age > 100 {
            errors.push(FieldError::new("/minimum_age", Code::AboveMaximum).with("max", 100));
        }
        if let Some(country) = &tenant.national_id_country
            && !crate::places::is_country(country)
        {
            errors.push(FieldError::new(
                "/national_id_country",
                Code::InvalidCountry,
            ));
        }
        if let Some(max) = tenant.email_max_length
            && !(6..=crate::model::EMAIL_MAX_CHARS).contains(&u64::from(max))
        {
            errors.push(
                FieldError::new("/email_max_length", Code::AboveMaximum)
                    .with("max", crate::model::EMAIL_MAX_CHARS),
            );
        }
        if let Some(language) = &tenant.default_language
            && !crate::messages::LANGUAGES.contains(&language.as_str())
        {
            errors.push(
                FieldError::new("/default_language", Code::InvalidLanguage)
                    .with("expected", crate::messages::LANGUAGES.join(", ")),
            );
        }
        if let Some(country) = &tenant.default_country
            && !crate::places::is_country(country)
        {
            errors.push(FieldError::new("/default_country", Code::InvalidCountry));
        }
        if tenant.custom_fields.len() > MAX_CUSTOM_FIELDS {
            errors.push(
                FieldError::new("/custom_fields", Code::TooMany).with("max", MAX_CUSTOM_FIELDS),
            );
        }
        let mut patterns = Vec::with_capacity(tenant.custom_fields.len());
        for (i, def) in tenant.custom_fields.iter().enumerate() {
            let at = |part: &str| format!("/custom_fields/{i}/{part}");
            let key_ok = def.key.len() <= 40
                && def.key.starts_with(|c: char| c.is_ascii_lowercase())
                && def
                    .key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !key_ok {
                errors.push(
                    FieldError::new(at("key"), Code::InvalidCharacters)
                        .with("pattern", "[a-z][a-z0-9_]{0,39}"),
                );
            }
            if tenant.custom_fields[..i]
                .iter()
                .any(|other| other.key == def.key)
            {
                errors.push(FieldError::new(at("key"), Code::Duplicate));
            }
            let choices = matches!(def.kind, CustomKind::Select | CustomKind::Multiselect);
            if choices && def.options.is_empty() {
                errors.push(FieldError::new(at("options"), Code::Required));
            }
            for (j, option) in def.options.iter().enumerate() {
                if def.options[..j].iter().any(|o| o.value == option.value) {
                    errors.push(FieldError::new(
                        format!("/custom_fields/{i}/options/{j}/value"),
                        Code::Duplicate,
                    ));
                }
            }
            if let (Some(min), Some(max)) = (def.min, def.max)
                && min > max
            {
                errors.push(FieldError::new(at("min"), Code::AboveMaximum).with("max", max));
            }
            patterns.push(match &def.pattern {
                None => None,
                // Anchored: the whole value must match, as the source APIs' "RegEx" meant.
                Some(pattern) => match Pattern::new(pattern) {
                    Some(pattern) => Some(pattern),
                    None => {
                        errors.push(FieldError::new(at("pattern"), Code::InvalidPattern));
                        None
                    }
                },
            });
        }
        if errors.is_empty() {
            Ok(Rules { tenant, patterns })
        } else {
            Err(errors)
        }
    }

    /// [`Rules::new`], and the consent policies checked too: every problem of
    /// a configuration that is about to be stored.
    pub fn checked(tenant: TenantRules) -> Result<Rules, Vec<FieldError>> {
        let policies = policy_errors(&tenant.consent_policies);
        match Rules::new(tenant) {
            Ok(rules) if policies.is_empty() => Ok(rules),
            Ok(_) => Err(policies),
            Err(mut errors) => {
                errors.extend(policies);
                Err(errors)
            }
        }
    }

    pub fn tenant(&self) -> &TenantRules {
        &self.tenant
    }

    pub fn setting(&self, field: &str) -> FieldSetting {
        self.tenant.fields.get(field).copied().unwrap_or_default()
    }

    pub fn custom_field(&self, key: &str) -> Option<(&CustomFieldDef, Option<&Pattern>)> {
        let index = self
            .tenant
            .custom_fields
            .iter()
            .position(|d| d.key == key)?;
        Some((
            &self.tenant.custom_fields[index],
            self.patterns[index].as_ref(),
        ))
    }

    pub fn custom_fields(&self) -> impl Iterator<Item = (&CustomFieldDef, Option<&Pattern>)> {
        self.tenant
            .custom_fields
            .iter()
            .zip(self.patterns.iter().map(Option::as_ref))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules(value: Value) -> Result<Rules, Vec<FieldError>> {
        Rules::checked(serde_json::from_value(value).unwrap())
    }

    fn codes(errors: Vec<FieldError>) -> Vec<(String, Code)> {
        errors.into_iter().map(|e| (e.pointer, e.code)).collect()
    }

    #[test]
    fn an_empty_configuration_means_the_defaults() {
        let rules = rules(json!({})).unwrap();
        assert_eq!(rules.tenant(), &TenantRules::default());
        assert_eq!(
            rules.setting("first_name"),
            FieldSetting {
                shown: true,
                required: false,
                read_only: false,
            }
        );
        assert!(rules.tenant().complete_invoice_address);
    }

    #[test]
    fn the_source_settings_are_checked() {
        let good = json!({
            "email_max_length": 100, "default_language": "ru", "default_country": "NO",
            "complete_invoice_address": false, "fields": {"first_name": {"read_only": true}}
        });
        let checked = rules(good).unwrap();
        assert!(checked.setting("first_name").read_only);
        assert_eq!(checked.tenant().email_max_length, Some(100));
        let bad = json!({
            "email_max_length": 255, "default_language": "de", "default_country": "XX"
        });
        assert_eq!(
            codes(rules(bad).unwrap_err()),
            [
                ("/email_max_length".into(), Code::AboveMaximum),
                ("/default_language".into(), Code::InvalidLanguage),
                ("/default_country".into(), Code::InvalidCountry),
            ]
        );
    }

    #[test]
    fn a_consent_policy_needs_a_version_an_https_url_and_its_own_purpose() {
        assert!(
            rules(json!({"consent_policies": [
                {"purpose": "terms", "version": "2026-03", "url": "https://example.com/terms"}
            ]}))
            .is_ok()
        );
        let errors = rules(json!({"consent_policies": [
            {"purpose": "sms", "version": "", "url": "http://example.com/sms"},
            {"purpose": "terms", "version": "has space", "url": "https://"},
            {"purpose": "sms", "version": "2", "url": "https://example.com/sms"}
        ]}))
        .unwrap_err();
        assert_eq!(
            codes(errors),
            [
                (
                    "/consent_policies/0/version".into(),
                    Code::InvalidCharacters
                ),
                ("/consent_policies/0/url".into(), Code::InvalidType),
                (
                    "/consent_policies/1/version".into(),
                    Code::InvalidCharacters
                ),
                ("/consent_policies/1/url".into(), Code::InvalidType),
                ("/consent_policies/2/purpose".into(), Code::Duplicate),
            ]
        );
    }

    #[test]
    fn bad_patterns_duplicate_keys_and_unknown_fields_are_all_reported() {
        let errors = rules(json!({
            "fields": {"first_name": {"required": true}, "shoe_size": {"shown": false}, "version": {"shown": true}},
            "phone_max_digits": 16,
            "custom_fields": [
                {"key": "member_no", "type": "text", "pattern": "[0-9"},
                {"key": "member_no", "type": "integer"},
                {"key": "Colour", "type": "select"}
            ]
        }))
        .unwrap_err();
        assert_eq!(
            codes(errors),
            [
                ("/fields/shoe_size".into(), Code::UnknownField),
                ("/fields/version".into(), Code::ReadOnly),
                ("/phone_max_digits".into(), Code::AboveMaximum),
                ("/custom_fields/0/pattern".into(), Code::InvalidPattern),
                ("/custom_fields/1/key".into(), Code::Duplicate),
                ("/custom_fields/2/key".into(), Code::InvalidCharacters),
                ("/custom_fields/2/options".into(), Code::Required),
            ]
        );
    }

    #[test]
    fn rules_survive_a_round_trip_through_json() {
        let tenant: TenantRules = serde_json::from_value(json!({
            "minimum_age": 18,
            "custom_fields": [{"key": "shoe_size", "type": "integer", "min": 30, "max": 50,
                               "label": {"en": "Shoe size", "sv": "Skostorlek"},
                               "error_messages": {"AboveMaximum": {"en": "We have no shoes that big."}}}]
        }))
        .unwrap();
        let back: TenantRules =
            serde_json::from_str(&serde_json::to_string(&tenant).unwrap()).unwrap();
        assert_eq!(back, tenant);
    }
}
