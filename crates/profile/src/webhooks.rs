//! A tenant's webhook endpoints and what the programme sees of their
//! deliveries: the endpoint's rules (an `https` URL, loopback `http` only for
//! development, as for origins), the retry schedule, the delivery log, the
//! dead letters. The Worker delivers; the shapes and the rules are here.

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

/// Whether `url` may receive events: `https`, or `http` on loopback
/// (`localhost`, `127.0.0.1`, `[::1]`) for development, as for origins;
/// no user name or password, no fragment, no spaces.
pub fn check_url(pointer: &str, url: &str) -> Option<FieldError> {
    let refuse = || {
        Some(FieldError::new(pointer, Code::InvalidType).with(
            "expected",
            "an https URL such as https://crm.example.com/hooks (http only for localhost and 127.0.0.1)",
        ))
    };
    if url.chars().count() > URL_MAX {
        return Some(FieldError::new(pointer, Code::TooLong).with("max", URL_MAX));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) || url.contains('#') {
        return refuse();
    }
    let (secure, rest) = if let Some(rest) = url.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = url.strip_prefix("http://") {
        (false, rest)
    } else {
        return refuse();
    };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    if authority.contains('@') || authority.contains('\\') {
        return refuse();
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((address, port)) if port.is_empty() || port.starts_with(':') => {
                (address, port.strip_prefix(':'))
            }
            _ => return refuse(),
        },
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    let (name, port) = host;
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.parse::<u16>().is_ok());
    let name_ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    let loopback = matches!(
        name.to_ascii_lowercase().as_str(),
        "localhost" | "127.0.0.1" | "::1"
    );
    if !port_ok || !name_ok || !(secure || loopback) {
        return refuse();
    }
    None
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

/// Every problem of an endpoint's URL and types.
pub fn endpoint_errors(url: Option<&str>, types: Option<&[EventType]>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    errors.extend(url.and_then(|url| check_url("/url", url)));
    if let Some(types) = types {
        if types.is_empty() {
            errors.push(FieldError::new("/event_types", Code::Required));
        }
        for (i, kind) in types.iter().enumerate() {
            if types[..i].contains(kind) {
                errors.push(FieldError::new(
                    format!("/event_types/{i}"),
                    Code::Duplicate,
                ));
            }
        }
    }
    errors
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
