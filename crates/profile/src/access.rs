//! Who may write which field. A field that the writer may not change is
//! refused (`ReadOnly`), never silently ignored; sending it back with exactly
//! its stored value is accepted, so a client may return what it read.

use crate::tenant::Rules;
use serde::{Deserialize, Serialize};

/// Who is writing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The customer, through `/v1/customers/me`.
    Customer,
    /// The tenant, through the admin API.
    Admin,
    /// The tenant's import from the system it leaves: writes as the tenant
    /// does, and may bring each consent's evidence (`at`, `source`,
    /// `policy_version`) from there.
    Import,
}

impl Actor {
    /// Its name, as `updated_by` records it.
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::Customer => "customer",
            Actor::Admin => "admin",
            Actor::Import => "import",
        }
    }

    /// Whether this is the tenant (its backend or its import), not the customer.
    pub fn is_tenant(self) -> bool {
        self != Actor::Customer
    }
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
        match self {
            Access::CustomerEditable => true,
            Access::AdminOnly => actor.is_tenant(),
            Access::ServerOwned => false,
        }
    }
}

crate::wire_enum! {
    /// The form section a built-in field belongs to.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Section {
        Identity = "identity",
        Personal = "personal",
        Contact = "contact",
        Addresses = "addresses",
        Consents = "consents",
        Loyalty = "loyalty",
        Custom = "custom",
    }
}

/// What the customer is shown of a field: an allow-list, so that a field
/// added for the programme stays the programme's until someone decides otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sight {
    /// A field of the form: the schema lists it, unless the tenant hides it.
    Form,
    /// The record's identity and version, shown beside the form.
    Record,
    /// The programme's internals: never shown to the customer.
    Hidden,
}

/// A top-level field of the wire shape.
#[derive(Clone, Copy, Debug)]
pub struct FieldSpec {
    pub name: &'static str,
    pub access: Access,
    pub section: Section,
    pub sight: Sight,
}

const fn field(name: &'static str, access: Access, section: Section, sight: Sight) -> FieldSpec {
    FieldSpec {
        name,
        access,
        section,
        sight,
    }
}

use Access::{AdminOnly, CustomerEditable, ServerOwned};
use Section::*;
use Sight::{Form, Hidden, Record};

/// Every top-level field. `consents` and `custom_fields` are refined per entry
/// (see [`consent_part_access`]); the others are written whole.
pub const FIELDS: &[FieldSpec] = &[
    field("id", ServerOwned, Identity, Record),
    field("external_id", ServerOwned, Identity, Record),
    field("tenant", ServerOwned, Identity, Record),
    field("organization_code", AdminOnly, Identity, Hidden),
    field("store_code", AdminOnly, Identity, Hidden),
    field("card_code", AdminOnly, Identity, Form),
    field("crm_id", AdminOnly, Identity, Hidden),
    field("shop_id", AdminOnly, Identity, Hidden),
    field("username", AdminOnly, Identity, Hidden),
    field("active", AdminOnly, Identity, Hidden),
    field("created", ServerOwned, Identity, Record),
    field("updated", ServerOwned, Identity, Record),
    field("updated_by", ServerOwned, Identity, Hidden),
    field("version", ServerOwned, Identity, Record),
    field("first_name", CustomerEditable, Personal, Form),
    field("middle_name", CustomerEditable, Personal, Form),
    field("last_name", CustomerEditable, Personal, Form),
    field("birth_date", CustomerEditable, Personal, Form),
    field("estimated_birth_date", AdminOnly, Personal, Hidden),
    field("gender", CustomerEditable, Personal, Form),
    field("has_children", CustomerEditable, Personal, Form),
    field("national_id", CustomerEditable, Personal, Form),
    field("national_id_verified", ServerOwned, Personal, Hidden),
    field("preferred_language", CustomerEditable, Personal, Form),
    field("photo", ServerOwned, Personal, Form),
    field("email", CustomerEditable, Contact, Form),
    // The tenant may mark an address it has proven itself as `verified`.
    field("email_status", AdminOnly, Contact, Form),
    field("pending_email", ServerOwned, Contact, Record),
    field("mobile_phone", CustomerEditable, Contact, Form),
    field("other_phone", CustomerEditable, Contact, Form),
    field("invoice_address", CustomerEditable, Addresses, Form),
    field("delivery_addresses", CustomerEditable, Addresses, Form),
    field(
        "use_invoice_address_for_delivery",
        CustomerEditable,
        Addresses,
        Form,
    ),
    field("company", CustomerEditable, Addresses, Form),
    field("other_companies", AdminOnly, Addresses, Hidden),
    field("consents", CustomerEditable, Consents, Form),
    field("loyalty", AdminOnly, Loyalty, Form),
    field("acquisition", AdminOnly, Loyalty, Hidden),
    field("notes", AdminOnly, Loyalty, Hidden),
    field("access_keys", AdminOnly, Loyalty, Hidden),
    field("comments", AdminOnly, Loyalty, Hidden),
    field("custom_fields", CustomerEditable, Custom, Form),
];

pub fn field_spec(name: &str) -> Option<&'static FieldSpec> {
    FIELDS.iter().find(|f| f.name == name)
}

/// The members of `loyalty` the customer sees; the rest is the programme's.
pub const LOYALTY_SEEN_BY_CUSTOMER: [&str; 3] = ["member", "rank", "has_card"];

/// Whether the customer sees the top-level field `name` under the tenant's
/// rules: form fields unless the tenant hides them, and the record's identity.
pub fn customer_sees(name: &str, rules: &Rules) -> bool {
    field_spec(name).is_some_and(|spec| match spec.sight {
        Sight::Form => rules.setting(name).shown,
        Sight::Record => true,
        Sight::Hidden => false,
    })
}

/// Whether the customer sees the place `pointer` (a JSON Pointer into the
/// profile's wire shape): its field, and of `loyalty` only its parts in
/// [`LOYALTY_SEEN_BY_CUSTOMER`].
pub fn customer_sees_place(pointer: &str, rules: &Rules) -> bool {
    let mut segments = pointer.trim_start_matches('/').split('/');
    let field = segments.next().unwrap_or("");
    match (field, segments.next()) {
        ("loyalty", Some(part)) => LOYALTY_SEEN_BY_CUSTOMER.contains(&part),
        _ => customer_sees(field, rules),
    }
}

/// Whether the customer may change the place `pointer`: a field they see
/// and may write (not made read-only by the tenant), of a consent only
/// `granted`, of the custom fields only the editable ones. What a source
/// API sends for other places must be as stored.
pub fn customer_writes_place(pointer: &str, rules: &Rules) -> bool {
    let mut segments = pointer.trim_start_matches('/').split('/');
    let field = segments.next().unwrap_or("");
    let writable = field_spec(field).is_some_and(|spec| {
        spec.access.writable_by(Actor::Customer) && !rules.setting(field).read_only
    });
    if !writable || !customer_sees_place(pointer, rules) {
        return false;
    }
    match (field, segments.next(), segments.next()) {
        ("consents", Some(_), Some(part)) => consent_part_access(part) == Some(CustomerEditable),
        ("custom_fields", Some(key), _) => {
            rules.custom_field(key).is_some_and(|(def, _)| def.editable)
        }
        _ => true,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_customer_sees_places_of_what_they_see() {
        let rules = Rules::default();
        assert!(customer_sees_place("/invoice_address/city", &rules));
        assert!(customer_sees_place("/loyalty/rank", &rules));
        assert!(!customer_sees_place("/loyalty/flags", &rules));
        assert!(!customer_sees_place("/crm_id", &rules));
        assert!(!customer_sees_place("/nothing", &rules));
    }

    #[test]
    fn the_customer_writes_only_their_places() {
        let rules = Rules::default();
        assert!(customer_writes_place("/invoice_address/line1", &rules));
        assert!(customer_writes_place("/consents/terms/granted", &rules));
        assert!(!customer_writes_place("/consents/terms/at", &rules));
        assert!(!customer_writes_place("/loyalty/rank", &rules));
        assert!(!customer_writes_place("/email_status", &rules));
        assert!(!customer_writes_place("/custom_fields/unknown", &rules));
        assert!(!customer_writes_place("/id", &rules));
    }

    /// Every member of the profile has its access class, section and sight,
    /// in the order the struct declares them.
    #[test]
    fn every_member_of_the_profile_has_its_line_in_fields() {
        let names: Vec<&str> = super::FIELDS.iter().map(|f| f.name).collect();
        assert_eq!(names, crate::Profile::KEYS);
    }
}
