//! Proof of a customer's new e-mail address, in the customer's object: a
//! customer's change of address waits as `pending_email` while a code goes
//! out as an event (see `profile::verification`); the right code claims the
//! address and makes it the e-mail, `verified`. Until then nothing is
//! claimed, so the answer to a change is the same for a free address and a
//! member's.

use super::rights::Record;
use super::{CustomerObject, Reply, Who, email_claim};
use crate::atomic::{Statement, all_or_nothing};
use crate::clock::{now_ms, now_rfc3339, rfc3339};
use email_claim::Claimed;
use profile::email::email_key;
use profile::events::{Data, Event, EventType, Subject};
use profile::rights::{HistoryKind, Provenance};
use profile::verification::{
    CodeSent, FORGET_AFTER_MS, Pending, RESEND_SECONDS, Tried, code_from, customer_room,
};
use profile::{Code, EmailStatus, FieldError, Profile};
use serde::Deserialize;
use worker::SqlStorageValue;

pub const TABLES: [&str; 2] = [
    // The code that went out last, as `profile::verification::Pending` in JSON.
    "CREATE TABLE IF NOT EXISTS email_code (
        slot INTEGER PRIMARY KEY CHECK (slot = 1),
        body TEXT NOT NULL)",
    // When each code went out (ms), for the hourly limit.
    "CREATE TABLE IF NOT EXISTS email_code_sent (at_ms REAL NOT NULL)",
];

/// What an erasure deletes here: the code, and the events that carry it
/// (the only events with values), wherever they wait.
pub fn erased() -> Vec<Statement> {
    let kind = || vec![SqlStorageValue::String(CODE.as_str().to_owned())];
    vec![
        ("DELETE FROM email_code", Vec::new()),
        ("DELETE FROM email_code_sent", Vec::new()),
        (
            "DELETE FROM outbox_delivery WHERE event_id IN (SELECT id FROM outbox WHERE type = ?)",
            kind(),
        ),
        // A dead code's line carries it, also once its outbox row is gone.
        (
            "DELETE FROM outbox_report WHERE json_extract(body, '$.record.event_type') = ?",
            kind(),
        ),
        ("DELETE FROM outbox WHERE type = ?", kind()),
    ]
}

const CODE: EventType = EventType::EmailVerificationRequested;

fn nothing_pending() -> Reply {
    Reply::Invalid {
        errors: vec![FieldError::new("/pending_email", Code::NothingPending)],
    }
}

impl CustomerObject {
    fn pending_code(&self) -> worker::Result<Option<Pending>> {
        #[derive(Deserialize)]
        struct Row {
            body: String,
        }
        let rows: Vec<Row> = self
            .state
            .storage()
            .sql()
            .exec("SELECT body FROM email_code WHERE slot = 1", None)?
            .to_array()?;
        rows.first()
            .map(|row| {
                serde_json::from_str(&row.body).map_err(|_| {
                    worker::Error::RustError("the stored code could not be read".into())
                })
            })
            .transpose()
    }

    fn code_statement(pending: &Pending) -> worker::Result<Statement> {
        Ok((
            "INSERT INTO email_code (slot, body) VALUES (1, ?)
             ON CONFLICT (slot) DO UPDATE SET body = excluded.body",
            vec![SqlStorageValue::String(serde_json::to_string(pending)?)],
        ))
    }

    /// Whether a code may go out to `email` now, counting it toward the
    /// address's daily limit if so: the customer's hourly limit first, then
    /// the address's (an await: the caller checks its version after it).
    async fn may_send(&self, who: &Who, email: &str, now: f64) -> worker::Result<Result<(), u32>> {
        #[derive(Deserialize)]
        struct Sent {
            at_ms: f64,
        }
        let sent: Vec<Sent> = self
            .state
            .storage()
            .sql()
            .exec(
                "SELECT at_ms FROM email_code_sent WHERE at_ms > ? ORDER BY at_ms",
                vec![SqlStorageValue::Float(now - FORGET_AFTER_MS)],
            )?
            .to_array()?;
        let times: Vec<f64> = sent.iter().map(|s| s.at_ms).collect();
        if let Err(wait) = customer_room(&times, now) {
            return Ok(Err(wait));
        }
        email_claim::send(&self.env, &who.tenant, &email_key(email)).await
    }

    /// The statements that store a new code for `email` and put its event
    /// in the outbox, and the code as kept.
    fn new_code(
        &self,
        who: &Who,
        profile: &Profile,
        email: &str,
        now: f64,
        seconds: u32,
    ) -> worker::Result<(Pending, Vec<Statement>)> {
        // A v4 UUID's random bits come from the platform's CSPRNG; its low 64
        // bits hold 62 of them.
        let code = code_from(uuid::Uuid::new_v4().as_u128() as u64);
        let pending = Pending::new(email.to_owned(), code.clone(), now, seconds);
        let language = profile
            .preferred_language
            .clone()
            .or_else(|| who.language.clone())
            .unwrap_or_else(|| "en".into());
        let event = Event {
            id: super::outbox::new_event_id(),
            kind: CODE,
            tenant: profile.tenant.clone(),
            customer: Subject {
                id: profile.id.clone(),
                external_id: profile.external_id.clone(),
            },
            version: profile.version,
            at: rfc3339(now),
            data: Data::Verification {
                email: email.to_owned(),
                code,
                expires: rfc3339(pending.expires_ms),
                language,
            },
        };
        let mut statements = vec![
            Self::code_statement(&pending)?,
            (
                "DELETE FROM email_code_sent WHERE at_ms < ?",
                vec![SqlStorageValue::Float(now - FORGET_AFTER_MS)],
            ),
            (
                "INSERT INTO email_code_sent (at_ms) VALUES (?)",
                vec![SqlStorageValue::Float(now)],
            ),
        ];
        statements.extend(super::outbox::enqueue(&[event])?);
        Ok((pending, statements))
    }

    /// A customer's write that changes the address: `profile` as the write
    /// made it is stored with the new address as `pending_email`, the stored
    /// one kept, and a code goes out (unless one went to the same address
    /// within the last minute).
    pub(super) async fn pend_email(
        &self,
        who: &Who,
        by: &Provenance,
        stored: &Profile,
        mut profile: Profile,
        code_seconds: u32,
    ) -> worker::Result<Reply> {
        let Some(wanted) = profile.email.take() else {
            return Err(worker::Error::RustError("no address to confirm".into()));
        };
        profile.email = stored.email.clone();
        profile.email_status = stored.email_status;
        profile.pending_email = Some(wanted.clone());
        let now = now_ms();
        let key = email_key(&wanted);
        let recent = self
            .pending_code()?
            .is_some_and(|p| email_key(&p.email) == key && p.resend_after(now) > 0);
        let mut more = Vec::new();
        if !recent {
            if let Err(retry_after) = self.may_send(who, &wanted, now).await? {
                return Ok(Reply::TooManyCodes { retry_after });
            }
            // Other writes may have run while the address's limit was asked.
            match self.load()? {
                Some(current) if current.etag() == stored.etag() => {}
                Some(current) => {
                    return Ok(Reply::Stale {
                        etag: current.etag(),
                    });
                }
                None => return Ok(Reply::Missing),
            }
            more = self.new_code(who, &profile, &wanted, now, code_seconds)?.1;
        }
        // The write's stamp (version, time, writer) counts only with a change.
        let mut unstamped = profile.clone();
        unstamped.version = stored.version;
        unstamped.updated = stored.updated.clone();
        unstamped.updated_by = stored.updated_by.clone();
        if profile::diff(stored, &unstamped).is_empty() {
            // The same pending address again: after its minute, a new code alone.
            if !more.is_empty() {
                all_or_nothing(&self.object, more)?;
                self.index_soon().await?;
            }
            return Ok(Reply::Profile {
                profile: Box::new(stored.clone()),
            });
        }
        let record = Record {
            kind: HistoryKind::Changed,
            by,
            before: stored,
            fields: profile::diff(stored, &profile),
        };
        self.commit_with(&profile, record, more)?;
        self.index_soon().await?;
        Ok(Reply::Profile {
            profile: Box::new(profile),
        })
    }

    /// `POST /v1/customers/me/email/code`: another code for the pending address.
    pub(super) async fn send_code(&self, who: &Who) -> worker::Result<Reply> {
        let tenant = self.tenant(&who.tenant).await?;
        let seconds = tenant.email_verification.code_seconds;
        let Some(stored) = self.load()? else {
            return Ok(nothing_pending());
        };
        let Some(wanted) = stored.pending_email.clone() else {
            return Ok(nothing_pending());
        };
        let now = now_ms();
        if let Some(wait) = self.pending_code()?.map(|p| p.resend_after(now))
            && wait > 0
        {
            return Ok(Reply::TooManyCodes { retry_after: wait });
        }
        if let Err(retry_after) = self.may_send(who, &wanted, now).await? {
            return Ok(Reply::TooManyCodes { retry_after });
        }
        let (pending, statements) = self.new_code(who, &stored, &wanted, now, seconds)?;
        all_or_nothing(&self.object, statements)?;
        self.index_soon().await?;
        Ok(Reply::CodeSent {
            sent: CodeSent {
                pending_email: wanted,
                expires: rfc3339(pending.expires_ms),
                resend_after: RESEND_SECONDS,
            },
        })
    }

    /// `POST /v1/customers/me/email/verify`: the right code claims the
    /// pending address and makes it the e-mail, `verified`. Only now may the
    /// answer say that another customer holds it proven: the caller has just
    /// shown they read that mailbox. Then the pending address is dropped.
    pub(super) async fn verify_email(
        &self,
        who: &Who,
        by: &Provenance,
        code: &str,
    ) -> worker::Result<Reply> {
        let tenant = self.tenant(&who.tenant).await?;
        if let Some(retry_after) = self.take_write(tenant.privacy.writes_per_minute)? {
            return Ok(Reply::Busy { retry_after });
        }
        let stored = self.load()?;
        let wanted = stored.as_ref().and_then(|p| p.pending_email.clone());
        let (Some(wanted), Some(mut pending)) = (wanted, self.pending_code()?) else {
            return Ok(nothing_pending());
        };
        if email_key(&pending.email) != email_key(&wanted) {
            return Ok(nothing_pending());
        }
        let attempts = pending.attempts_left;
        if let Tried::Refused(error) = pending.try_code(code, now_ms()) {
            if pending.attempts_left != attempts {
                all_or_nothing(&self.object, vec![Self::code_statement(&pending)?])?;
            }
            return Ok(Reply::Invalid {
                errors: vec![error],
            });
        }
        let key = email_key(&wanted);
        let started = self.begin_claim(&key)?;
        let claimed = email_claim::claim(&self.env, &who.tenant, &key, &who.name(), true).await;
        // Other writes may have run meanwhile: go on from what is stored now.
        let current = self
            .load()?
            .filter(|p| p.pending_email.as_deref().map(email_key).as_deref() == Some(&key));
        let in_time = now_ms() - started < email_claim::PENDING_SECONDS * 1000.0;
        let (granted, current) = match (claimed, current) {
            (Ok(claimed), Some(current)) if in_time => (claimed == Claimed::Granted, current),
            (claimed, _) => {
                self.end_claim(&key)?;
                if matches!(claimed, Ok(Claimed::Granted)) {
                    let _ = email_claim::release(&self.env, &who.tenant, &key, &who.name()).await;
                }
                claimed?;
                return Ok(nothing_pending());
            }
        };
        let mut profile = current.clone();
        profile.pending_email = None;
        let old_key = current.email.as_deref().map(email_key);
        if granted {
            profile.email = Some(wanted);
            profile.email_status = EmailStatus::Verified;
        }
        profile.version = current.version + 1;
        profile.updated = now_rfc3339();
        profile.updated_by = Some(profile::Actor::Customer.as_str().to_owned());
        let record = Record {
            kind: HistoryKind::Changed,
            by,
            before: &current,
            fields: profile::diff(&current, &profile),
        };
        let spent = vec![("DELETE FROM email_code", Vec::new())];
        self.commit_with(&profile, record, spent)?;
        self.end_claim(&key)?;
        self.index_soon().await?;
        if !granted {
            return Ok(Reply::Invalid {
                errors: vec![FieldError::new("/email", Code::EmailTaken)],
            });
        }
        if let Some(old_key) = old_key.filter(|old| *old != key) {
            let _ = email_claim::release(&self.env, &who.tenant, &old_key, &who.name()).await;
        }
        Ok(Reply::Profile {
            profile: Box::new(profile),
        })
    }
}
