//! A tenant's webhook endpoints and what the programme sees of their
//! deliveries: the endpoints' shapes, the retry schedule, the delivery log,
//! the dead letters. The Worker delivers, and checks an endpoint's URL (in
//! `worker/src/webhook/url.rs`, as origins are checked there: the widget
//! never sees either, and the URL's parsing changed how the widget's own
//! string code was inlined, 91 bytes gzip).

use crate::error::{Code, FieldError};
#[cfg(feature = "openapi")]
use crate::events::Event;
use crate::events::EventType;
use serde::{Deserialize, Serialize};

/// A tenant has at most this many endpoints: each change is sent to each.
pub const MAX_ENDPOINTS: usize = 10;
/// The longest endpoint URL.
pub const URL_MAX: usize = 2000;
/// The waits between attempts unless the tenant says otherwise (seconds):
/// 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, so the last attempt is
/// 27 h 35 min after the first; then the event is a dead letter.
pub const DEFAULT_RETRY_SECONDS: [u32; 7] = [5, 300, 1800, 7200, 18000, 36000, 36000];
/// The most retries a schedule may have.
pub const MAX_RETRIES: usize = 20;
/// The longest wait between two attempts: a day.
pub const MAX_RETRY_WAIT_SECONDS: u32 = 86_400;
/// How long an attempt may take unless the tenant says otherwise.
pub const DEFAULT_TIMEOUT_SECONDS: u32 = 10;
/// The longest an attempt may take.
pub const MAX_TIMEOUT_SECONDS: u32 = 30;
/// How long the old secret still signs after a rotation unless the caller says otherwise: a day.
pub const DEFAULT_OLD_SECRET_SECONDS: u32 = 86_400;
/// The longest the old secret may keep signing: a week.
pub const MAX_OLD_SECRET_SECONDS: u32 = 7 * 86_400;
/// Entries in one page of the delivery log or of the dead letters.
pub const PAGE: usize = 100;
/// How long the delivery log keeps an entry after its last attempt: a week.
pub const LOG_SECONDS: u64 = 7 * 86_400;

/// How a tenant's events are delivered (in its configuration, the operator's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct WebhookSettings {
    /// The waits after each failed attempt, in seconds: after the last, the
    /// event is a dead letter. By default 5 s, 5 min, 30 min, 2 h, 5 h, 10 h
    /// and 10 h: retries for 27 h 35 min.
    pub retry_seconds: Vec<u32>,
    /// How long one attempt may take before it counts as failed (1 to 30 s; 10 by default).
    pub timeout_seconds: u32,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            retry_seconds: DEFAULT_RETRY_SECONDS.to_vec(),
            timeout_seconds: DEFAULT_TIMEOUT_SECONDS,
        }
    }
}

impl WebhookSettings {
    /// Every problem of the settings, with pointers below `at`.
    pub fn errors(&self, at: &str) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.retry_seconds.len() > MAX_RETRIES {
            errors.push(
                FieldError::new(format!("{at}/retry_seconds"), Code::TooMany)
                    .with("max", MAX_RETRIES),
            );
        }
        for (i, wait) in self.retry_seconds.iter().enumerate() {
            let pointer = format!("{at}/retry_seconds/{i}");
            if *wait == 0 {
                errors.push(FieldError::new(pointer, Code::BelowMinimum).with("min", 1));
            } else if *wait > MAX_RETRY_WAIT_SECONDS {
                errors.push(
                    FieldError::new(pointer, Code::AboveMaximum)
                        .with("max", MAX_RETRY_WAIT_SECONDS),
                );
            }
        }
        let pointer = format!("{at}/timeout_seconds");
        if self.timeout_seconds == 0 {
            errors.push(FieldError::new(pointer, Code::BelowMinimum).with("min", 1));
        } else if self.timeout_seconds > MAX_TIMEOUT_SECONDS {
            errors.push(
                FieldError::new(pointer, Code::AboveMaximum).with("max", MAX_TIMEOUT_SECONDS),
            );
        }
        errors
    }

    /// The wait before the next attempt after `failed` failed attempts
    /// (at least one), or `None` when the event is a dead letter.
    pub fn wait_after(&self, failed: u32) -> Option<u32> {
        let index = usize::try_from(failed.checked_sub(1)?).ok()?;
        self.retry_seconds.get(index).copied()
    }
}

/// The event types an endpoint takes when it does not say: all but the test's.
pub fn default_event_types() -> Vec<EventType> {
    EventType::ALL
        .iter()
        .copied()
        .filter(|t| *t != EventType::Test)
        .collect()
}

/// A new endpoint: where, and which events (all but the test's when not said).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WebhookRequest {
    /// `https://...`; `http` only for localhost and 127.0.0.1.
    pub url: String,
    /// The types it receives; `webhook.test.v1` reaches every endpoint anyway.
    #[serde(default = "default_event_types")]
    pub event_types: Vec<EventType>,
}

/// A change of an endpoint: what is given is replaced.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WebhookChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_types: Option<Vec<EventType>>,
}

/// An endpoint as listed: never its secret.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Webhook {
    /// 16 hex digits.
    pub id: String,
    pub url: String,
    pub event_types: Vec<EventType>,
    /// RFC 3339, UTC.
    pub created: String,
    /// While a secret is being rotated: until when the old one still signs
    /// (each request then carries both signatures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_secret_expires: Option<String>,
}

/// An endpoint as created, with its signing secret: shown this once.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// `whsec_` and the key in base64, as the Standard Webhooks libraries take it.
    pub secret: String,
}

/// The tenant's endpoints.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookList {
    pub webhooks: Vec<Webhook>,
}

/// A rotation: how long the old secret keeps signing (a day when not said, 0 to stop it at once).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RotateSecret {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_secret_seconds: Option<u32>,
}

/// The new secret, shown this once, and until when the old one still signs.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RotatedSecret {
    pub secret: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_secret_expires: Option<String>,
}

crate::wire_enum! {
    /// Where one event's delivery to one endpoint stands.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum DeliveryState {
        /// Failed so far; another attempt is due at `next_attempt`.
        Retrying = "retrying",
        /// The endpoint answered 2xx.
        Delivered = "delivered",
        /// Every attempt failed: it is among the endpoint's dead letters.
        Dead = "dead",
    }
}

/// One event's delivery to one endpoint, as its log shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryRecord {
    /// The endpoint's id.
    pub endpoint: String,
    pub event_id: String,
    pub event_type: EventType,
    /// The tenant's id for the customer (empty for a test event).
    pub customer: String,
    pub attempts: u32,
    pub state: DeliveryState,
    /// The endpoint's last answer's status, if it answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    /// Why the last attempt failed: the status, a timeout, or no connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// RFC 3339, UTC.
    pub last_attempt: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt: Option<String>,
}

/// A page of the delivery log, latest attempt first; `next` is the cursor of the page after it.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryPage {
    pub deliveries: Vec<DeliveryRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// An event that every attempt failed to deliver to its endpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeadLetter {
    pub endpoint: String,
    /// The event as it was sent. JSON here: the Worker never reads an event
    /// back into `Event`, whose untagged `data` would cost it serde's
    /// buffering deserializer.
    #[cfg_attr(feature = "openapi", schema(value_type = Event))]
    pub event: serde_json::Value,
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// When the last attempt failed (RFC 3339, UTC).
    pub dead_since: String,
    /// Whether a replay of it has been asked for and not yet handed back to delivery.
    pub replaying: bool,
}

/// A page of an endpoint's dead letters, oldest first.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeadLetterPage {
    pub dead_letters: Vec<DeadLetter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// What a replay took on: its dead letters go back to delivery, with a new schedule.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Replay {
    pub replaying: u32,
}

/// What a test event's one attempt came to.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TestDelivery {
    pub event_id: String,
    pub delivered: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[cfg(test)]
mod tests;
