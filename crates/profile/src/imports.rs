//! Importing customers from the system a programme leaves: NDJSON, one
//! customer a line, created or merged; and what the import answers for each
//! line.

use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// At most this many lines in one import.
pub const MAX_LINES: usize = 1000;
/// At most this many bytes in one import's body.
pub const MAX_BYTES: usize = 4 * 1024 * 1024;
/// The member of each line that names the customer: the tenant's own id.
pub const ID_MEMBER: &str = "external_id";

crate::wire_enum! {
    /// What became of one line.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Outcome {
        /// A new profile.
        Created = "created",
        /// An existing profile, changed.
        Updated = "updated",
        /// An existing profile, already so.
        Unchanged = "unchanged",
        /// Refused: see its errors.
        Invalid = "invalid",
        /// Refused: the customer was erased, and the tenant suppresses their return.
        Erased = "erased",
        /// Our side failed; import the line again.
        Failed = "failed",
    }
}

/// One line's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineResult {
    /// The line's number, from 1.
    pub line: u32,
    pub outcome: Outcome,
    /// Why the line was refused, each at its pointer in the line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// An import, as it starts.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportStarted {
    /// Its id: `GET /v1/customers/import/{id}` tells how far it is.
    pub id: String,
    pub lines: u32,
}

/// An import, as far as it is.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportStatus {
    pub id: String,
    pub lines: u32,
    /// How many lines have their result; the import is over when all have.
    pub done: u32,
    /// The results so far, in line order.
    pub results: Vec<LineResult>,
}
