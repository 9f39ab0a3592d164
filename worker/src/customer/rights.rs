//! The customer object's proof and the customer's rights: each change stored
//! with its history entry and its consent ledger entries in one transaction;
//! reading them; the export; erasure, which leaves a tombstone with nothing
//! personal; and the alarm's dropping of history past the tenant's retention.

use super::{CustomerObject, Reply, Row, Who, email_claim};
use crate::atomic::{Statement, all_or_nothing};
use crate::clock::{now_ms, now_rfc3339};
use crate::tenant::Tenant;
use profile::Profile;
use profile::email::email_key;
use profile::events::{Data, Event, EventType, Subject, events_of};
use profile::rights::{
    ConsentRecord, Export, HISTORY_PAGE, HistoryEntry, HistoryKind, HistoryPage, LedgerEntry,
    Provenance, Tombstone, history_entry, ledger_entries,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use worker::SqlStorageValue;

pub const TABLES: [&str; 4] = [
    // `at_ms`: when, for the retention's cut; `body`: the entry as JSON.
    "CREATE TABLE IF NOT EXISTS history (
        seq INTEGER PRIMARY KEY,
        at_ms REAL NOT NULL,
        body TEXT NOT NULL)",
    // The retention's cut runs from the alarm after every change: without
    // this it read the whole history each time.
    "CREATE INDEX IF NOT EXISTS history_at ON history (at_ms)",
    "CREATE TABLE IF NOT EXISTS ledger (
        seq INTEGER PRIMARY KEY,
        body TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tombstone (
        slot INTEGER PRIMARY KEY CHECK (slot = 1),
        body TEXT NOT NULL)",
];

/// What a change records besides the profile.
pub struct Record<'a> {
    pub kind: HistoryKind,
    pub by: &'a Provenance,
    /// The profile before the change (for a new one, as it was created).
    pub before: &'a Profile,
    /// The names of what changed.
    pub fields: Vec<String>,
}

fn json<T: serde::Serialize>(value: &T) -> worker::Result<SqlStorageValue> {
    serde_json::to_string(value)
        .map(SqlStorageValue::String)
        .map_err(|_| worker::Error::RustError("a record could not be serialized".into()))
}

fn read<T: DeserializeOwned>(body: &str) -> worker::Result<T> {
    serde_json::from_str(body)
        .map_err(|_| worker::Error::RustError("a stored record could not be read".into()))
}

#[derive(Deserialize)]
struct Entry {
    seq: i64,
    body: String,
}

impl CustomerObject {
    /// Stores `profile`, its history entry and its ledger entries: all or nothing.
    pub(super) fn commit(&self, profile: &Profile, record: Record) -> worker::Result<()> {
        self.commit_with(profile, record, Vec::new())
    }

    /// Stores as `commit` does, with `more` statements in the same transaction.
    pub(super) fn commit_with(
        &self,
        profile: &Profile,
        record: Record,
        more: Vec<Statement>,
    ) -> worker::Result<()> {
        let mut statements: Vec<Statement> = vec![(
            "INSERT INTO profile (slot, body) VALUES (1, ?)
             ON CONFLICT (slot) DO UPDATE SET body = excluded.body",
            vec![json(profile)?],
        )];
        let entry = history_entry(record.kind, &profile.updated, record.by, record.fields);
        statements.push((
            "INSERT INTO history (at_ms, body) VALUES (?, ?)",
            vec![SqlStorageValue::Float(now_ms()), json(&entry)?],
        ));
        let ledger = ledger_entries(record.before, profile, &record.by.actor);
        for entry in &ledger {
            statements.push(("INSERT INTO ledger (body) VALUES (?)", vec![json(entry)?]));
        }
        let events = events_of(profile, &entry, &ledger, super::outbox::new_event_id);
        statements.extend(super::outbox::enqueue(&events)?);
        statements.extend(more);
        all_or_nothing(&self.object, statements)
    }

    fn entries<T: DeserializeOwned>(
        &self,
        query: &str,
        values: Vec<SqlStorageValue>,
    ) -> worker::Result<Vec<(i64, T)>> {
        let rows: Vec<Entry> = self.state.storage().sql().exec(query, values)?.to_array()?;
        rows.into_iter()
            .map(|row| Ok((row.seq, read(&row.body)?)))
            .collect()
    }

    /// A page of history before the entry `cursor`, newest first.
    pub(super) fn history(&self, cursor: Option<i64>) -> worker::Result<Reply> {
        if self.load()?.is_none() {
            return Ok(Reply::Missing);
        }
        let mut entries: Vec<(i64, HistoryEntry)> = self.entries(
            "SELECT seq, body FROM history WHERE seq < ? ORDER BY seq DESC LIMIT ?",
            vec![
                SqlStorageValue::Integer(cursor.unwrap_or(i64::MAX)),
                SqlStorageValue::Integer(HISTORY_PAGE as i64 + 1),
            ],
        )?;
        let more = entries.len() > HISTORY_PAGE;
        entries.truncate(HISTORY_PAGE);
        let next = more
            .then(|| entries.last().map(|(seq, _)| seq.to_string()))
            .flatten();
        Ok(Reply::History {
            page: HistoryPage {
                entries: entries.into_iter().map(|(_, entry)| entry).collect(),
                next,
            },
        })
    }

    fn ledger(&self) -> worker::Result<Vec<LedgerEntry>> {
        let entries = self.entries("SELECT seq, body FROM ledger ORDER BY seq", Vec::new())?;
        Ok(entries.into_iter().map(|(_, entry)| entry).collect())
    }

    pub(super) fn consents(&self) -> worker::Result<Reply> {
        let Some(profile) = self.load()? else {
            return Ok(Reply::Missing);
        };
        Ok(Reply::Consents {
            record: ConsentRecord {
                consents: profile.consents,
                ledger: self.ledger()?,
            },
        })
    }

    pub(super) fn export(&self) -> worker::Result<Reply> {
        let profile = self.load()?;
        let erasure = self.tombstone()?;
        if profile.is_none() && erasure.is_none() {
            return Ok(Reply::Missing);
        }
        let history: Vec<(i64, HistoryEntry)> = self.entries(
            "SELECT seq, body FROM history ORDER BY seq DESC",
            Vec::new(),
        )?;
        Ok(Reply::Export {
            export: Box::new(Export {
                exported: now_rfc3339(),
                photo: profile.as_ref().and_then(|p| p.photo.clone()),
                profile,
                history: history.into_iter().map(|(_, entry)| entry).collect(),
                consent_ledger: self.ledger()?,
                erasure,
            }),
        })
    }

    pub(super) fn tombstone(&self) -> worker::Result<Option<Tombstone>> {
        let rows: Vec<Row> = self
            .state
            .storage()
            .sql()
            .exec("SELECT body FROM tombstone WHERE slot = 1", None)?
            .to_array()?;
        rows.first().map(|row| read(&row.body)).transpose()
    }

    fn put_tombstone(&self, tombstone: &Tombstone) -> worker::Result<Statement> {
        Ok((
            "INSERT INTO tombstone (slot, body) VALUES (1, ?)
             ON CONFLICT (slot) DO UPDATE SET body = excluded.body",
            vec![json(tombstone)?],
        ))
    }

    /// A profile for `who` that nobody has created yet, or `None` if the
    /// customer was erased and the tenant suppresses their return. After an
    /// erasure, its version continues the erased one's, so that no ETag of
    /// the old profile names the new one.
    pub(super) fn fresh_profile(
        &self,
        who: &Who,
        tenant: &Tenant,
        rules: &profile::Rules,
    ) -> worker::Result<Option<Profile>> {
        let tombstone = self.tombstone()?;
        let suppressed = tombstone.as_ref().is_some_and(|t| t.lifted.is_none())
            && tenant.privacy.suppress_return_after_erasure;
        if suppressed {
            return Ok(None);
        }
        let mut profile = profile::new_profile(
            uuid::Uuid::new_v4().to_string(),
            who.tenant.clone(),
            who.subject.clone(),
            now_rfc3339(),
            rules,
        );
        if let Some(tombstone) = tombstone {
            profile.version = tombstone.last_version + 1;
        }
        Ok(Some(profile))
    }

    /// Erases the profile, its history, its ledger and the answers kept for
    /// idempotency keys, leaving a tombstone; then releases its address (if
    /// that fails, the claim is handed over when someone asks, as nobody
    /// uses it).
    pub(super) async fn erase(
        &self,
        who: &Who,
        by: &Provenance,
        if_match: Option<&str>,
    ) -> worker::Result<Reply> {
        let tenant = self.tenant(&who.tenant).await?;
        if let Some(retry_after) = self.take_write(tenant.privacy.writes_per_minute)? {
            return Ok(Reply::Busy { retry_after });
        }
        let Some(stored) = self.load()? else {
            return Ok(Reply::Missing);
        };
        if let Some(tags) = if_match
            && !crate::conditional::if_match(tags, &stored.etag())
        {
            return Ok(Reply::Stale {
                etag: stored.etag(),
            });
        }
        let tombstone = Tombstone {
            erased: now_rfc3339(),
            by: by.actor.clone(),
            last_version: stored.version,
            lifted: None,
        };
        let mut statements: Vec<Statement> = [
            "DELETE FROM profile",
            "DELETE FROM history",
            "DELETE FROM ledger",
            "DELETE FROM pending_email",
        ]
        .into_iter()
        .chain(super::limits::ERASED)
        .map(|query| (query, Vec::new()))
        .chain(super::verify::erased())
        .collect();
        statements.push(self.put_tombstone(&tombstone)?);
        statements.push(self.gone(&stored));
        let erased = Event {
            id: super::outbox::new_event_id(),
            kind: EventType::CustomerErased,
            tenant: stored.tenant.clone(),
            customer: Subject {
                id: stored.id.clone(),
                external_id: stored.external_id.clone(),
            },
            version: stored.version,
            at: tombstone.erased.clone(),
            data: Data::Nothing {},
        };
        statements.extend(super::outbox::enqueue(&[erased])?);
        statements.extend(stored.photo.as_deref().map(super::photo::to_delete));
        // The codes that went out and died wait in the tenant's dead letters:
        // purged before (or nothing is erased), and after, for one that died
        // in between.
        super::outbox::purge_codes(&self.env, &stored).await?;
        all_or_nothing(&self.object, statements)?;
        self.index_soon().await?;
        let _ = super::outbox::purge_codes(&self.env, &stored).await;
        // Failing here leaves the photo to the alarm.
        let _ = self.delete_old_photos().await;
        if let Some(email) = &stored.email {
            let _ =
                email_claim::release(&self.env, &who.tenant, &email_key(email), &who.name()).await;
        }
        Ok(Reply::Erased { id: stored.id })
    }

    /// Lifts the suppression of an erased customer's return.
    pub(super) fn lift(&self) -> worker::Result<Reply> {
        let Some(mut tombstone) = self.tombstone()? else {
            return Ok(Reply::Missing);
        };
        if tombstone.lifted.is_none() {
            tombstone.lifted = Some(now_rfc3339());
            all_or_nothing(&self.object, vec![self.put_tombstone(&tombstone)?])?;
        }
        Ok(Reply::Lifted)
    }

    /// The alarm's part: drops history entries older than the tenant's
    /// retention; answers when the oldest kept one expires.
    pub(super) async fn drop_old_history(&self) -> worker::Result<Option<f64>> {
        let Some(profile) = self.load()? else {
            return Ok(None);
        };
        let tenant = self.tenant(&profile.tenant).await?;
        let retention_ms = tenant.privacy.history_retention_seconds as f64 * 1000.0;
        let sql = self.state.storage().sql();
        sql.exec(
            "DELETE FROM history WHERE at_ms < ?",
            vec![SqlStorageValue::Float(now_ms() - retention_ms)],
        )?;
        #[derive(Deserialize)]
        struct Oldest {
            at_ms: f64,
        }
        let oldest: Vec<Oldest> = sql
            .exec("SELECT at_ms FROM history ORDER BY seq LIMIT 1", None)?
            .to_array()?;
        // A second late at most, so that the entry is surely past its time.
        Ok(oldest.first().map(|o| o.at_ms + retention_ms + 1000.0))
    }
}
