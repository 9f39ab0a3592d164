//! What the customer sees of their profile: an allow-list drawn from the same
//! table as the form ([`crate::access::FIELDS`] and the tenant's rules), so that
//! `GET /v1/customers/me` shows exactly what the schema shows, plus the
//! record's identity and version. The programme's internals (notes, CRM ids,
//! flags...) never leave the server through the customer's routes.

use crate::access::{LOYALTY_SEEN_BY_CUSTOMER, customer_sees};
use crate::model::Profile;
use crate::tenant::Rules;
use serde_json::{Map, Value};

/// The profile as the customer may read it.
pub fn customer_view(profile: &Profile, rules: &Rules) -> Map<String, Value> {
    let Ok(Value::Object(mut wire)) = serde_json::to_value(profile) else {
        return Map::new();
    };
    wire.retain(|name, _| customer_sees(name, rules));
    if let Some(Value::Object(loyalty)) = wire.get_mut("loyalty") {
        loyalty.retain(|part, _| LOYALTY_SEEN_BY_CUSTOMER.contains(&part.as_str()));
    }
    // A value kept for a field the tenant has since removed is no longer the form's.
    if let Some(Value::Object(fields)) = wire.get_mut("custom_fields") {
        fields.retain(|key, _| rules.custom_field(key).is_some());
    }
    wire
}
