//! The customer's rights and the programme's proof: who changed what (the
//! history), when and under which policy each consent was given or
//! withdrawn (the consent ledger), everything held about a customer in one
//! document (the export), and what an erasure leaves (a tombstone with no
//! personal data). The Worker stores them; the shapes and rules are here.

use crate::error::{Code, FieldError};
use crate::model::{Consent, ConsentPurpose, Profile};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// History entries are kept this long unless the tenant says otherwise: 2 years.
pub const DEFAULT_HISTORY_RETENTION_SECONDS: u64 = 2 * 365 * 24 * 60 * 60;
/// The longest a tenant may keep history entries: 10 years.
pub const MAX_HISTORY_RETENTION_SECONDS: u64 = 10 * 365 * 24 * 60 * 60;
/// Writes one customer's profile takes per minute unless the tenant says otherwise.
pub const DEFAULT_WRITES_PER_MINUTE: u32 = 30;
/// The most writes per minute a tenant may allow one profile.
pub const MAX_WRITES_PER_MINUTE: u32 = 60_000;
/// A history page holds at most this many entries.
pub const HISTORY_PAGE: usize = 50;
/// The longest channel name (`X-Profile-Source`, or the token's `source`).
pub const CHANNEL_MAX: usize = 32;
/// The longest point-of-sale name.
pub const POINT_OF_SALE_MAX: usize = 64;

/// A tenant's settings for the customers' rights (in its configuration).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct Privacy {
    /// How long history entries are kept, in seconds (2 years when not set).
    /// The customer object's alarm drops older ones.
    pub history_retention_seconds: u64,
    /// How many writes (by the customer and the tenant's backend together)
    /// one customer's profile takes per minute; more are answered 429.
    pub writes_per_minute: u32,
    /// After an erasure, a valid token of the erased customer is answered 410
    /// (code `erased`) instead of starting a new, empty profile, until an
    /// admin lifts it (`DELETE /v1/customers/{id}/suppression`).
    pub suppress_return_after_erasure: bool,
}

impl Default for Privacy {
    fn default() -> Self {
        Privacy {
            history_retention_seconds: DEFAULT_HISTORY_RETENTION_SECONDS,
            writes_per_minute: DEFAULT_WRITES_PER_MINUTE,
            suppress_return_after_erasure: false,
        }
    }
}

impl Privacy {
    /// Every problem of the settings, with pointers below `at`.
    pub fn errors(&self, at: &str) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let retention = self.history_retention_seconds;
        if retention == 0 {
            errors.push(
                FieldError::new(
                    format!("{at}/history_retention_seconds"),
                    Code::BelowMinimum,
                )
                .with("min", 1),
            );
        } else if retention > MAX_HISTORY_RETENTION_SECONDS {
            errors.push(
                FieldError::new(
                    format!("{at}/history_retention_seconds"),
                    Code::AboveMaximum,
                )
                .with("max", MAX_HISTORY_RETENTION_SECONDS),
            );
        }
        if self.writes_per_minute == 0 {
            errors.push(
                FieldError::new(format!("{at}/writes_per_minute"), Code::BelowMinimum)
                    .with("min", 1),
            );
        } else if self.writes_per_minute > MAX_WRITES_PER_MINUTE {
            errors.push(
                FieldError::new(format!("{at}/writes_per_minute"), Code::AboveMaximum)
                    .with("max", MAX_WRITES_PER_MINUTE),
            );
        }
        errors
    }
}

/// Who wrote, and through which channel: recorded with every change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// `customer`, `key:<admin key id>` or `operator`.
    pub actor: String,
    /// `widget`, `pos`, `import`, `crm`...
    pub channel: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point_of_sale: Option<String>,
    /// The user of the programme's own system who made the change, when its
    /// API names one (the e-commerce platform's `updatedBy`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acting_user: Option<String>,
}

impl Provenance {
    /// What the profile's `updated_by` names: the acting user (`user:<id>`),
    /// else the point of sale; `None` leaves it to the actor.
    pub fn updated_by(&self) -> Option<String> {
        match &self.acting_user {
            Some(user) => Some(format!("user:{user}")),
            None => self.point_of_sale.clone(),
        }
    }
}

/// A channel's name: 1 to 32 of `a-z`, `0-9`, `-`, `_` and `.`, starting with a letter or digit.
pub fn valid_channel(name: &str) -> bool {
    (1..=CHANNEL_MAX).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b))
}

/// A point of sale's name: 1 to 64 printable ASCII characters (a store id, a till).
pub fn valid_point_of_sale(name: &str) -> bool {
    (1..=POINT_OF_SALE_MAX).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
        && name.trim() == name
}

crate::wire_enum! {
    /// What a history entry records.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum HistoryKind {
        /// The profile was created (on the customer's first visit, or by an import).
        Created = "created",
        /// Fields of the profile changed.
        Changed = "changed",
    }
}

/// One change of a profile: when, by whom, through which channel, and the
/// names of the fields that changed, never their values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    /// RFC 3339.
    pub at: String,
    pub kind: HistoryKind,
    /// `customer`, `key:<admin key id>` or `operator`.
    pub actor: String,
    pub channel: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point_of_sale: Option<String>,
    /// The programme's user who made the change, when its API named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acting_user: Option<String>,
    /// The names of what changed: top-level fields, and
    /// `consents/<purpose>` and `custom_fields/<key>` within those maps.
    pub fields: Vec<String>,
}

/// A page of a profile's history, newest first.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryPage {
    pub entries: Vec<HistoryEntry>,
    /// Ask for the next (older) page with `?cursor=<next>`; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// One consent given or withdrawn: the evidence GDPR Art. 7(1) asks for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerEntry {
    pub purpose: ConsentPurpose,
    /// True: given; false: withdrawn.
    pub granted: bool,
    /// When (RFC 3339); for imported evidence, the time the source recorded.
    pub at: String,
    /// The channel it came through (`widget`, `pos`, `import`...), or the
    /// source an import's evidence names.
    pub source: String,
    /// The version of the purpose's policy in force (or that the evidence names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_version: Option<String>,
    /// Who recorded it: `customer`, `key:<admin key id>` or `operator`.
    pub actor: String,
}

/// A customer's consents: their current state and every change, oldest first.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentRecord {
    pub consents: BTreeMap<ConsentPurpose, Consent>,
    pub ledger: Vec<LedgerEntry>,
}

/// What an erasure leaves: nothing personal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tombstone {
    /// When the profile was erased (RFC 3339).
    pub erased: String,
    /// `customer` or `key:<admin key id>`.
    pub by: String,
    /// The erased profile's last version: a new profile continues after it,
    /// so that an ETag of the old one never matches the new one.
    pub last_version: u64,
    /// When an admin lifted the suppression of the customer's return, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifted: Option<String>,
}

/// Everything held about a customer (GDPR Art. 15 and 20).
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Export {
    /// When the export was made (RFC 3339).
    pub exported: String,
    /// The profile; absent when there is none (never created, or erased).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<Profile>,
    /// Every kept history entry, newest first.
    pub history: Vec<HistoryEntry>,
    /// The consent ledger, oldest first.
    pub consent_ledger: Vec<LedgerEntry>,
    /// A link to the photo (`GET /v1/photos/{photo_id}`), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<String>,
    /// The last erasure, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erasure: Option<Tombstone>,
}

/// The ledger entries of a write: one per consent whose `granted` it set
/// or changed, as the write stamped it (see `patch::stamp_consents`).
pub fn ledger_entries(before: &Profile, after: &Profile, actor: &str) -> Vec<LedgerEntry> {
    after
        .consents
        .iter()
        .filter(|(purpose, consent)| {
            before.consents.get(purpose).map(|c| c.granted) != Some(consent.granted)
        })
        .map(|(purpose, consent)| LedgerEntry {
            purpose: *purpose,
            granted: consent.granted,
            at: consent.at.clone().unwrap_or_else(|| after.updated.clone()),
            source: consent.source.clone().unwrap_or_default(),
            policy_version: consent.policy_version.clone(),
            actor: actor.to_owned(),
        })
        .collect()
}

/// The profile's history entry of a write that changed `fields`.
pub fn history_entry(
    kind: HistoryKind,
    at: &str,
    by: &Provenance,
    fields: Vec<String>,
) -> HistoryEntry {
    HistoryEntry {
        at: at.to_owned(),
        kind,
        actor: by.actor.clone(),
        channel: by.channel.clone(),
        point_of_sale: by.point_of_sale.clone(),
        acting_user: by.acting_user.clone(),
        fields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_acting_user_names_who_updated_before_the_point_of_sale() {
        let by = |point_of_sale: Option<&str>, acting_user: Option<&str>| Provenance {
            actor: "key:1".into(),
            channel: "storm".into(),
            point_of_sale: point_of_sale.map(str::to_owned),
            acting_user: acting_user.map(str::to_owned),
        };
        assert_eq!(
            by(Some("pos-1"), Some("5")).updated_by().as_deref(),
            Some("user:5")
        );
        assert_eq!(
            by(Some("pos-1"), None).updated_by().as_deref(),
            Some("pos-1")
        );
        assert_eq!(by(None, None).updated_by(), None);
        let entry = history_entry(HistoryKind::Changed, "t", &by(None, Some("5")), vec![]);
        assert_eq!(entry.acting_user.as_deref(), Some("5"));
    }

    fn consent(granted: bool, at: &str, version: Option<&str>) -> Consent {
        Consent {
            granted,
            at: Some(at.into()),
            source: Some("widget".into()),
            policy_version: version.map(Into::into),
        }
    }

    #[test]
    fn a_ledger_entry_for_each_consent_set_or_changed_and_none_for_the_rest() {
        let mut before = Profile::new(
            "p".into(),
            "t".into(),
            "c".into(),
            "2026-01-01T00:00:00Z".into(),
        );
        before.consents.insert(
            ConsentPurpose::Sms,
            consent(true, "2026-01-01T00:00:00Z", Some("1")),
        );
        before.consents.insert(
            ConsentPurpose::Newsletter,
            consent(true, "2026-01-01T00:00:00Z", Some("1")),
        );
        let mut after = before.clone();
        after.consents.insert(
            ConsentPurpose::Sms,
            consent(false, "2026-02-01T00:00:00Z", Some("2")),
        );
        after.consents.insert(
            ConsentPurpose::Terms,
            consent(true, "2026-02-01T00:00:00Z", None),
        );
        let entries = ledger_entries(&before, &after, "customer");
        let purposes: Vec<_> = entries.iter().map(|e| (e.purpose, e.granted)).collect();
        assert_eq!(
            purposes,
            [(ConsentPurpose::Sms, false), (ConsentPurpose::Terms, true)]
        );
        assert_eq!(entries[0].policy_version.as_deref(), Some("2"));
        assert_eq!(entries[0].at, "2026-02-01T00:00:00Z");
        assert_eq!(entries[0].source, "widget");
        assert!(ledger_entries(&after, &after, "customer").is_empty());
    }

    #[test]
    fn channels_and_points_of_sale_are_short_plain_names() {
        for good in ["widget", "pos", "crm", "import", "app-v2", "a.b_c", "7"] {
            assert!(valid_channel(good), "{good}");
        }
        let long = "a".repeat(CHANNEL_MAX + 1);
        for bad in ["", "Widget", "-pos", "pos\n", "på", "a b", long.as_str()] {
            assert!(!valid_channel(bad), "{bad:?}");
        }
        assert!(valid_point_of_sale("Store 12 / till 3"));
        for bad in [
            "",
            " x",
            "x ",
            "tab\there",
            "é",
            &"x".repeat(POINT_OF_SALE_MAX + 1),
        ] {
            assert!(!valid_point_of_sale(bad), "{bad:?}");
        }
    }

    #[test]
    fn the_settings_refuse_zero_and_the_unbounded() {
        assert!(Privacy::default().errors("/privacy").is_empty());
        let bad = Privacy {
            history_retention_seconds: 0,
            writes_per_minute: MAX_WRITES_PER_MINUTE + 1,
            suppress_return_after_erasure: true,
        };
        let pointers: Vec<_> = bad
            .errors("/privacy")
            .into_iter()
            .map(|e| e.pointer)
            .collect();
        assert_eq!(
            pointers,
            [
                "/privacy/history_retention_seconds",
                "/privacy/writes_per_minute"
            ]
        );
    }
}
