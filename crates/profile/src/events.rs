//! The events a programme's backend receives about its customers: what
//! happened, to whom, at which version of the profile, and never a value (the
//! backend reads values with its admin key), but for one: the code that
//! proves an e-mail address, which the programme mails itself. Derived from the same record a
//! change stores in its history and consent ledger, so an event can never say
//! something the history does not.
//!
//! The signature is the Standard Webhooks one: HMAC-SHA256 with the
//! endpoint's secret over `{webhook-id}.{webhook-timestamp}.{body}`, sent
//! as `v1,<base64>`; the HMAC itself is the platform's (the Worker's Web
//! Crypto), what it signs and how the secret reads are here.

use crate::Profile;
use crate::rights::{HistoryEntry, HistoryKind, LedgerEntry};
use serde::{Deserialize, Serialize};

crate::wire_enum! {
    /// An event's type, with its version: a receiver that knows `v1` reads
    /// every `v1` event the same way for good.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
    pub enum EventType {
        /// A profile was created (a customer's first visit, or an import).
        CustomerCreated = "customer.created.v1",
        /// Fields of a profile changed.
        CustomerUpdated = "customer.updated.v1",
        /// A consent was given or withdrawn.
        ConsentChanged = "consent.changed.v1",
        /// A profile was erased.
        CustomerErased = "customer.erased.v1",
        /// What `POST /v1/tenants/{tenant}/webhooks/{id}/test` sends.
        Test = "webhook.test.v1",
        /// A code to mail to a customer's new address: the only event with
        /// values. Purged on erasure, never replayed once expired.
        EmailVerificationRequested = "email.verification_requested.v1",
    }
}

/// Whom an event is about: the profile's own id and the tenant's id for the customer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Subject {
    pub id: String,
    pub external_id: String,
}

/// What an event says beyond who and when; each type has its own members.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum Data {
    /// `customer.created` and `customer.updated`: the names of what changed
    /// (as the history names them), who changed it and through which channel.
    Changed {
        fields: Vec<String>,
        actor: String,
        channel: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        point_of_sale: Option<String>,
        /// The programme's user who made the change, when its API named one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        acting_user: Option<String>,
    },
    /// `consent.changed`.
    Consent {
        purpose: String,
        granted: bool,
        at: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        policy_version: Option<String>,
    },
    /// `email.verification_requested`: mail `code` to `email`, in
    /// `language` (BCP 47); it works until `expires` (RFC 3339).
    Verification {
        email: String,
        code: String,
        expires: String,
        language: String,
    },
    /// `customer.erased` and `webhook.test`: nothing more.
    Nothing {},
}

/// One event, as its body is sent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    /// Unique, and the same on every attempt: the receiver's idempotency key
    /// (the `webhook-id` header).
    pub id: String,
    #[serde(rename = "type")]
    pub kind: EventType,
    pub tenant: String,
    pub customer: Subject,
    /// The profile's version after the change: a receiver drops an event
    /// older than one it already has.
    pub version: u64,
    /// When it happened (RFC 3339).
    pub at: String,
    pub data: Data,
}

/// The events of one stored change of `profile`: its history entry's, then
/// one per consent ledger entry. `new_id` names each.
pub fn events_of(
    profile: &Profile,
    entry: &HistoryEntry,
    ledger: &[LedgerEntry],
    mut new_id: impl FnMut() -> String,
) -> Vec<Event> {
    let mut event = |kind, at: &str, data| Event {
        id: new_id(),
        kind,
        tenant: profile.tenant.clone(),
        customer: Subject {
            id: profile.id.clone(),
            external_id: profile.external_id.clone(),
        },
        version: profile.version,
        at: at.to_owned(),
        data,
    };
    let kind = match entry.kind {
        HistoryKind::Created => EventType::CustomerCreated,
        HistoryKind::Changed => EventType::CustomerUpdated,
    };
    let changed = Data::Changed {
        fields: entry.fields.clone(),
        actor: entry.actor.clone(),
        channel: entry.channel.clone(),
        point_of_sale: entry.point_of_sale.clone(),
        acting_user: entry.acting_user.clone(),
    };
    let mut events = vec![event(kind, &entry.at, changed)];
    for consent in ledger {
        let data = Data::Consent {
            purpose: consent.purpose.as_str().to_owned(),
            granted: consent.granted,
            at: consent.at.clone(),
            policy_version: consent.policy_version.clone(),
        };
        events.push(event(EventType::ConsentChanged, &entry.at, data));
    }
    events
}

/// Whether `event` (as JSON) carries a code that no longer works at `now`
/// (RFC 3339, as the events write it): such an event is not sent again, nor
/// kept as a dead letter, nor replayed.
pub fn code_expired(event: &serde_json::Value, now: &str) -> bool {
    event["type"] == EventType::EmailVerificationRequested.as_str()
        && event["data"]["expires"]
            .as_str()
            .is_none_or(|expires| expires <= now)
}

/// What the signature covers (Standard Webhooks): the event's id, the
/// attempt's time in whole seconds, and the body exactly as sent.
pub fn signed_content(id: &str, timestamp: u64, body: &str) -> String {
    format!("{id}.{timestamp}.{body}")
}

/// The header of one signature, or several separated by spaces while a
/// secret is being rotated.
pub fn signature_header(signatures: &[String]) -> String {
    signatures
        .iter()
        .map(|signature| format!("v1,{signature}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The prefix of an endpoint's signing secret; the rest is its key, base64.
pub const SECRET_PREFIX: &str = "whsec_";

#[cfg(test)]
mod tests;
