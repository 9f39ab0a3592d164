//! Who may write which field. A field that the writer may not change is
//! refused (`ReadOnly`), never silently ignored; sending it back with exactly
//! its stored value is accepted, so a client may return what it read.

use serde::{Deserialize, Serialize};

/// Who is writing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The customer, through `/v1/customers/me`.
    Customer,
    /// The tenant, through the admin API.
    Admin,
}

/// The access class of a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// The customer (and the tenant) may change it.
    CustomerEditable,
    /// The tenant may change it; the customer may see it.
    AdminOnly,
    /// Nobody writes it through the API.
    ServerOwned,
}

impl Access {
    pub fn writable_by(self, actor: Actor) -> bool {
        matches!(
            (self, actor),
            (Access::CustomerEditable, _) | (Access::AdminOnly, Actor::Admin)
        )
    }
}

/// The form section a built-in field belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Identity,
    Personal,
    Contact,
    Addresses,
    Consents,
    Loyalty,
    Custom,
}

/// A top-level field of the wire shape.
#[derive(Clone, Copy, Debug)]
pub struct FieldSpec {
    pub name: &'static str,
    pub access: Access,
    pub section: Section,
}

const fn field(name: &'static str, access: Access, section: Section) -> FieldSpec {
    FieldSpec {
        name,
        access,
        section,
    }
}

use Access::{AdminOnly, CustomerEditable, ServerOwned};
use Section::*;

/// Every top-level field. `consents` and `custom_fields` are refined per entry
/// (see [`consent_part_access`]); the others are written whole.
pub const FIELDS: &[FieldSpec] = &[
    field("id", ServerOwned, Identity),
    field("external_id", ServerOwned, Identity),
    field("tenant", ServerOwned, Identity),
    field("organization_code", AdminOnly, Identity),
    field("store_code", AdminOnly, Identity),
    field("card_code", AdminOnly, Identity),
    field("crm_id", AdminOnly, Identity),
    field("username", AdminOnly, Identity),
    field("active", AdminOnly, Identity),
    field("created", ServerOwned, Identity),
    field("updated", ServerOwned, Identity),
    field("updated_by", ServerOwned, Identity),
    field("version", ServerOwned, Identity),
    field("first_name", CustomerEditable, Personal),
    field("middle_name", CustomerEditable, Personal),
    field("last_name", CustomerEditable, Personal),
    field("birth_date", CustomerEditable, Personal),
    field("estimated_birth_date", AdminOnly, Personal),
    field("gender", CustomerEditable, Personal),
    field("has_children", CustomerEditable, Personal),
    field("national_id", CustomerEditable, Personal),
    field("national_id_verified", ServerOwned, Personal),
    field("preferred_language", CustomerEditable, Personal),
    field("photo", ServerOwned, Personal),
    field("email", CustomerEditable, Contact),
    field("email_status", ServerOwned, Contact),
    field("mobile_phone", CustomerEditable, Contact),
    field("other_phone", CustomerEditable, Contact),
    field("invoice_address", CustomerEditable, Addresses),
    field("delivery_addresses", CustomerEditable, Addresses),
    field(
        "use_invoice_address_for_delivery",
        CustomerEditable,
        Addresses,
    ),
    field("company", CustomerEditable, Addresses),
    field("consents", CustomerEditable, Consents),
    field("loyalty", AdminOnly, Loyalty),
    field("acquisition", AdminOnly, Loyalty),
    field("notes", AdminOnly, Loyalty),
    field("custom_fields", CustomerEditable, Custom),
];

pub fn field_spec(name: &str) -> Option<&'static FieldSpec> {
    FIELDS.iter().find(|f| f.name == name)
}

/// A consent's `granted` is the customer's; `at`, `source` and
/// `policy_version` are set by the server when `granted` changes.
pub fn consent_part_access(part: &str) -> Option<Access> {
    match part {
        "granted" => Some(CustomerEditable),
        "at" | "source" | "policy_version" => Some(ServerOwned),
        _ => None,
    }
}
