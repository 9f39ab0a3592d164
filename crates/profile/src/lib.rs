//! The canonical customer profile and the rules that both the widget and the
//! Worker apply to it. Pure: no I/O, no `worker`, `leptos` or `web-sys` types.

mod patch;
mod rules;

pub use patch::{PatchError, apply_patch};
pub use rules::{FieldError, NAME_MAX_CHARS, normalize_name, validate_name};

use serde::{Deserialize, Serialize};

/// A customer's profile in its wire shape (snake_case JSON).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Server-made identifier of this profile.
    pub id: String,
    /// The tenant's own id for this customer (the token's `sub`).
    pub external_id: String,
    /// The tenant (loyalty programme) this customer belongs to.
    pub tenant: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Incremented on every stored change; the ETag is derived from it.
    pub version: u64,
    /// RFC 3339 timestamps set by the server.
    pub created: String,
    pub updated: String,
}

impl Profile {
    /// The strong entity tag of this version of the profile.
    pub fn etag(&self) -> String {
        format!("\"v{}\"", self.version)
    }
}
