//! A tenant's customers as its backend lists and finds them: one entry per
//! customer, from the tenant's index of profiles.

use serde::{Deserialize, Serialize};

/// How many entries a page of the list holds at most.
pub const PAGE: usize = 100;

/// One customer of the list, or found by a search.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerEntry {
    /// The tenant's own id for the customer (the token's `sub`).
    pub id: String,
    /// The profile's own id: `GET /v1/customers/id:<profile_id>` reaches it too.
    pub profile_id: String,
    /// When the profile last changed (RFC 3339).
    pub updated: String,
    pub version: u64,
}

/// A page of the tenant's customers, ordered by id.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerPage {
    pub customers: Vec<CustomerEntry>,
    /// Ask for the next page with `?cursor=<next>`; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// What a search asks: `{"email": ...}`.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Search {
    /// An e-mail address; matched as the uniqueness rule matches it (case
    /// and, for some providers, dots and tags do not matter).
    pub email: String,
}

/// The customers a search found: none or one, as an address has one holder.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Found {
    pub customers: Vec<CustomerEntry>,
}
