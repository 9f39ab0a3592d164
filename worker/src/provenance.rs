//! Who writes, through which channel and at which point of sale: what every
//! change records in the customer's history and consent ledger. The channel
//! comes from the customer token's `source` claim (signed by the tenant, so
//! it wins), else from the `X-Profile-Source` header, else it is `api`.

use crate::error::{ApiError, ApiResult};
use profile::rights::{Provenance, valid_channel, valid_point_of_sale};
use worker::Request;

pub const SOURCE_HEADER: &str = "X-Profile-Source";
pub const POINT_OF_SALE_HEADER: &str = "X-Profile-Point-Of-Sale";
/// The channel of a write that names none.
pub const DEFAULT_CHANNEL: &str = "api";
/// The channel of an import's writes that names none.
pub const IMPORT_CHANNEL: &str = "import";

/// The provenance of a request by `actor`; `claimed`: the token's `source`
/// and `point_of_sale` claims, which come before the headers; `default`:
/// the channel when neither names one.
pub fn of_request(
    req: &Request,
    actor: String,
    claimed: (Option<&str>, Option<&str>),
    default: &str,
) -> ApiResult<Provenance> {
    let header = |name: &str| req.headers().get(name).ok().flatten();
    let (channel, channel_from) = match (claimed.0, header(SOURCE_HEADER)) {
        (Some(claim), _) => (claim.to_owned(), "The token's source claim"),
        (None, Some(value)) => (value, SOURCE_HEADER),
        (None, None) => (default.to_owned(), ""),
    };
    if !valid_channel(&channel) {
        return Err(ApiError::InvalidHeader(format!(
            "{channel_from} must be a channel's name: 1 to 32 of a-z, 0-9, '-', '_' and '.', such as widget, pos or crm."
        )));
    }
    let (point_of_sale, pos_from) = match (claimed.1, header(POINT_OF_SALE_HEADER)) {
        (Some(claim), _) => (Some(claim.to_owned()), "The token's point_of_sale claim"),
        (None, value) => (value, POINT_OF_SALE_HEADER),
    };
    if point_of_sale
        .as_deref()
        .is_some_and(|name| !valid_point_of_sale(name))
    {
        return Err(ApiError::InvalidHeader(format!(
            "{pos_from} must be 1 to 64 printable ASCII characters, without spaces around them."
        )));
    }
    Ok(Provenance {
        actor,
        channel,
        point_of_sale,
        acting_user: None,
    })
}
