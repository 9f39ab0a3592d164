//! The canonical customer profile in its wire shape: snake_case JSON, person and
//! contact fields at the top level, objects for addresses, company, consents,
//! loyalty and custom fields. Which of these fields a customer may write is
//! in [`crate::access`]; what a valid value is, in [`mod@crate::validate`].
//!
//! `delivery_addresses` is an array: a merge patch (RFC 7396) replaces it whole,
//! so a client sends the complete list, each item with its stable `id`.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use wire_derive::Wire;

/// Longest value of the free-text fields that have no stricter limit.
pub const TEXT_MAX_CHARS: u64 = 100;
/// Longest name (first, middle, last), in characters.
pub const NAME_MAX_CHARS: u64 = 50;
/// Longest e-mail address (RFC 5321's path limit).
pub const EMAIL_MAX_CHARS: u64 = 254;
/// Longest identifier a tenant or a source system gives (codes, ids).
pub const CODE_MAX_CHARS: u64 = 50;
/// The longest value of each part of an address, in characters.
pub const ADDRESS_PART_MAX_CHARS: [(&str, u64); 10] = [
    ("line1", TEXT_MAX_CHARS),
    ("line2", TEXT_MAX_CHARS),
    ("care_of", TEXT_MAX_CHARS),
    ("house_number", 10),
    ("house_letter", 5),
    ("entrance", 10),
    ("floor", 10),
    ("po_box", 20),
    ("postal_code", 20),
    ("city", TEXT_MAX_CHARS),
];
/// The longest value of each part of a company, in characters.
pub const COMPANY_PART_MAX_CHARS: [(&str, u64); 2] =
    [("name", TEXT_MAX_CHARS), ("organization_number", 30)];
/// At most this many delivery addresses.
pub const MAX_DELIVERY_ADDRESSES: usize = 10;
/// At most this many companies besides the default one.
pub const MAX_OTHER_COMPANIES: usize = 10;

/// A customer's profile.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Wire)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
// `default`: so that one field can be read on its own, to point at type errors.
#[serde(deny_unknown_fields, default)]
pub struct Profile {
    // Identity: made by the server, or set by the tenant.
    /// Server-made UUID of this profile.
    pub id: String,
    /// The tenant's own id for this customer (the token's `sub`).
    pub external_id: String,
    /// The tenant (loyalty programme or shop).
    pub tenant: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_code: Option<String>,
    /// The customer's id in the tenant's CRM or ERP, when it differs from `external_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crm_id: Option<String>,
    /// The customer's id in the tenant's web shop (the e-commerce platform's
    /// integer id), when it differs from `external_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shop_id: Option<String>,
    /// The customer's login name at the tenant (their account), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Whether the tenant counts this customer as active.
    #[serde(default = "yes")]
    pub active: bool,
    /// RFC 3339 timestamps, and the version the ETag is made of.
    pub created: String,
    pub updated: String,
    /// Who made the last change: `customer`, `admin`, or a tenant's point of sale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
    pub version: u64,

    // Person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// A birth date the tenant estimated, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_birth_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_children: Option<bool>,
    /// DNI, personnummer, fødselsnummer...: checked by the tenant's country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_id: Option<String>,
    /// Whether the tenant has verified `national_id`.
    #[serde(default)]
    pub national_id_verified: bool,
    /// BCP 47 tag, e.g. `sv-SE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_language: Option<String>,
    /// The stored photo's id, set by its upload (`PUT /v1/customers/me/photo`)
    /// and served at `/v1/photos/{photo_id}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<String>,

    // Contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default)]
    pub email_status: EmailStatus,
    /// An address the customer asked for and has not yet confirmed with the
    /// code sent to it (`POST /v1/customers/me/email/verify`); `email`
    /// stays as it was until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_phone: Option<String>,

    // Addresses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_address: Option<Address>,
    #[serde(default)]
    pub delivery_addresses: Vec<DeliveryAddress>,
    #[serde(default)]
    pub use_invoice_address_for_delivery: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<Company>,
    /// The customer's further companies, after `company` (the default): the
    /// programme's, as a shop lists them.
    #[serde(default)]
    pub other_companies: Vec<Company>,

    /// Keyed by purpose.
    #[serde(default)]
    pub consents: BTreeMap<ConsentPurpose, Consent>,
    /// Set by the programme, never by the customer.
    #[serde(default)]
    pub loyalty: Loyalty,
    /// How the customer came to the tenant; set by the tenant.
    #[serde(default)]
    pub acquisition: Acquisition,
    /// The tenant's admins' notes about the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Keys the programme gave the customer (door codes, member keys).
    #[serde(default)]
    pub access_keys: Vec<AccessKey>,
    /// Comments the programme's staff wrote about the customer.
    #[serde(default)]
    pub comments: Vec<Comment>,
    /// Values of the tenant's own fields, keyed by the field's key.
    #[serde(default)]
    #[cfg_attr(test, proptest(strategy = "crate::wire::tests::custom_values()"))]
    pub custom_fields: BTreeMap<String, Value>,
}

fn yes() -> bool {
    true
}

crate::wire_enum! {
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    #[cfg_attr(test, derive(proptest_derive::Arbitrary))]
    pub enum Gender {
        Female = "female",
        Male = "male",
        Other = "other",
        Unspecified = "unspecified",
    }
}

crate::wire_enum! {
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    #[cfg_attr(test, derive(proptest_derive::Arbitrary))]
    pub enum EmailStatus {
        #[default]
        Unverified = "unverified",
        Verified = "verified",
        Bounced = "bounced",
    }
}

/// A postal address. Which parts are needed depends on its use (see the rules).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Wire)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub care_of: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub house_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub house_letter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrance: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub po_box: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2, upper case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A delivery address: an [`Address`] with a stable id, so a client can tell
/// the items of the list apart across versions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Wire)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct DeliveryAddress {
    pub id: String,
    #[serde(flatten)]
    pub address: Address,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Wire)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct Company {
    /// Unique among the customer's companies; given when a source API adds one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_number: Option<String>,
}

crate::wire_enum! {
    /// What a customer may be asked to agree to.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
    #[cfg_attr(test, derive(proptest_derive::Arbitrary))]
    pub enum ConsentPurpose {
        MarketingEmail = "marketing_email",
        Sms = "sms",
        PushNotifications = "push_notifications",
        Advertising = "advertising",
        DataSharing = "data_sharing",
        BirthdayGreetings = "birthday_greetings",
        EmailReceipts = "email_receipts",
        Newsletter = "newsletter",
        /// Acceptance of the programme's terms and privacy policy (GDPR).
        Terms = "terms",
    }
}

/// A consent as recorded: the customer sets `granted`, the server the rest.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Wire)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct Consent {
    pub granted: bool,
    /// When `granted` last changed (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// Where it was given: `customer-profile`, a point of sale...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The version of the policy the customer saw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_version: Option<String>,
}

/// The programme's own facts about the customer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Wire)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct Loyalty {
    #[serde(default)]
    pub member: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<String>,
    #[serde(default)]
    pub has_card: bool,
    #[serde(default)]
    pub any_online_purchase: bool,
    #[serde(default)]
    pub any_offline_purchase: bool,
    #[serde(default)]
    pub price_list_ids: Vec<String>,
    /// Named flags, e.g. `power_customer`, `vip`.
    #[serde(default)]
    pub flags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_type: Option<String>,
    #[serde(default)]
    pub requires_profile_confirmation: bool,
}

/// At most this many access keys, and this many comments.
pub const MAX_ACCESS_KEYS: usize = 20;
pub const MAX_COMMENTS: usize = 50;

/// A key the programme gave the customer, such as a door code or a member
/// key: written by the programme, never by the customer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Wire)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct AccessKey {
    /// Stable across versions, unique in the list (a UUID when a source API adds it).
    pub id: String,
    /// The programme's kind of key, by its number.
    #[serde(default)]
    pub type_id: u32,
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A comment of the programme's staff about the customer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Wire)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct Comment {
    /// Unique in the list.
    pub id: u32,
    pub text: String,
    /// When it was written, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
}

/// How the customer came: a campaign code, a referrer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Wire)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct Acquisition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refer_url: Option<String>,
}

impl Profile {
    /// A new, empty profile for a customer of a tenant.
    pub fn new(id: String, tenant: String, external_id: String, now: String) -> Profile {
        Profile {
            id,
            tenant,
            external_id,
            active: true,
            created: now.clone(),
            updated: now,
            version: 1,
            ..Profile::default()
        }
    }

    /// Whether a customer-editable field has a value (for `required`). A
    /// `bool` always has one; an empty text, list or map has none.
    pub fn has_value(&self, field: &str) -> bool {
        let text = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.is_empty());
        match field {
            "first_name" => text(&self.first_name),
            "middle_name" => text(&self.middle_name),
            "last_name" => text(&self.last_name),
            "birth_date" => text(&self.birth_date),
            "gender" => self.gender.is_some(),
            "has_children" => self.has_children.is_some(),
            "national_id" => text(&self.national_id),
            "preferred_language" => text(&self.preferred_language),
            "email" => text(&self.email),
            "mobile_phone" => text(&self.mobile_phone),
            "other_phone" => text(&self.other_phone),
            "invoice_address" => self.invoice_address.is_some(),
            "delivery_addresses" => !self.delivery_addresses.is_empty(),
            "use_invoice_address_for_delivery" => true,
            "company" => self.company.is_some(),
            "consents" => !self.consents.is_empty(),
            "custom_fields" => !self.custom_fields.is_empty(),
            _ => true,
        }
    }

    /// The strong entity tag of this version.
    pub fn etag(&self) -> String {
        format!("\"v{}\"", self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{Access, FIELDS};

    #[test]
    fn has_value_knows_every_customer_editable_field() {
        let empty = Profile::default();
        for spec in FIELDS
            .iter()
            .filter(|f| f.access == Access::CustomerEditable)
        {
            let always = spec.name == "use_invoice_address_for_delivery";
            assert_eq!(empty.has_value(spec.name), always, "{}", spec.name);
        }
    }
}
