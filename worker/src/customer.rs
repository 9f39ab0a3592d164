//! `CustomerObject`: one SQLite-backed Durable Object per (tenant, customer),
//! the source of truth for that customer's profile, its history and its
//! consent ledger. It reads, patches, validates and stores without awaiting
//! in between, so a conditional write can never interleave with another. A
//! change of e-mail is the exception: it claims the new address (an
//! `EmailClaim` object) once it is proven, before storing, so it checks the
//! version again after that await, and stores only if nothing else was
//! written meanwhile; a customer's new address first waits for its code
//! (see `verify`). A
//! change, its history entry and its ledger entries are stored in one
//! transaction (see `atomic`).

use crate::auth::Customer;
use crate::email_claim::{self, Claimed};
use profile::email::email_key;
use profile::rights::{ConsentRecord, Export, HistoryKind, HistoryPage, Provenance};
use profile::{Actor, Change, Code, EmailStatus, FieldError, Profile, apply_patch, replace};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::rc::Rc;
use worker::worker_sys::DurableObjectState;
use worker::{DurableObject, Env, Request, Response, State, durable_object};

mod alarm;
mod claims;
mod client;
mod create;
mod import;
mod index;
mod limits;
pub mod outbox;
mod photo;
mod rights;
mod verify;

pub use client::{
    consents, erase, export, history, import, keep_key, lift, read, read_as, requeue, restore,
    send_code, set_photo, uses_email, verify_email, write, write_unconditionally,
};

use crate::clock::{now_ms, now_rfc3339};

const BINDING: &str = "CUSTOMERS";

/// What the object answers the Worker. Externally tagged (serde's default),
/// as `Ask` is: an internally tagged enum is read through serde's buffering
/// `Content`, which cost the Worker 37 KiB gzip for these messages and
/// `EmailClaim`'s (measured with `wrangler deploy --dry-run`).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Reply {
    Profile {
        profile: Box<Profile>,
    },
    /// There is no profile, and the caller may not create one (an admin).
    Missing,
    /// The profile (by its own id) is gone.
    Erased {
        id: String,
    },
    /// What an import's line did.
    Imported {
        result: profile::imports::Outcome,
    },
    Stale {
        etag: String,
    },
    Invalid {
        errors: Vec<FieldError>,
    },
    /// The customer was erased, and the tenant suppresses their return.
    Gone,
    /// The profile took its writes for this minute; try again after this many seconds.
    Busy {
        retry_after: u32,
    },
    /// No code may go out now (the customer's or the address's limit, or the
    /// minute between two); try again after this many seconds.
    TooManyCodes {
        retry_after: u32,
    },
    CodeSent {
        sent: profile::verification::CodeSent,
    },
    History {
        page: HistoryPage,
    },
    Consents {
        record: ConsentRecord,
    },
    Export {
        export: Box<Export>,
    },
    Lifted,
}

/// What the Worker asks the object.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Ask {
    Read {
        who: Who,
        /// Who is reading: recorded if the read creates the profile.
        by: Provenance,
        /// Whether a first read creates the profile (a customer's does).
        create: bool,
    },
    Patch {
        who: Who,
        actor: Actor,
        by: Provenance,
        if_match: String,
        patch: Value,
        /// The only fields the write may change (a source API's limit).
        #[serde(default)]
        only: Option<Vec<String>>,
    },
    Replace {
        who: Who,
        actor: Actor,
        by: Provenance,
        if_match: String,
        body: Value,
    },
    /// Creates or merges the profile from an import's line.
    Import {
        who: Who,
        by: Provenance,
        line: Value,
    },
    /// Erases the profile, its history and its ledger, and gives up its e-mail address.
    Erase {
        who: Who,
        by: Provenance,
        if_match: Option<String>,
    },
    /// Makes `photo` (a stored photo's id, or none) the profile's photo.
    SetPhoto {
        who: Who,
        actor: Actor,
        by: Provenance,
        if_match: Option<String>,
        photo: Option<String>,
    },
    /// A page of the history, newest first, before the entry `cursor`.
    History {
        cursor: Option<i64>,
    },
    Consents,
    Export,
    /// Lets an erased customer return although the tenant suppresses returns.
    Lift,
    /// Tries a code for the pending address.
    VerifyEmail {
        who: Who,
        by: Provenance,
        code: String,
    },
    /// Sends another code for the pending address.
    SendCode {
        who: Who,
    },
    /// From an `EmailClaim`: does this customer hold the address proven (or is it claiming it)?
    UsesEmail {
        email_key: String,
    },
    /// Local development only (`/dev/fixture`): stores `body` as the profile
    /// row, exactly as an earlier release wrote it.
    Restore {
        body: String,
    },
    /// An `Idempotency-Key` of this customer's writes.
    Key {
        ask: crate::idempotency::KeyAsk,
    },
    /// A dead letter replayed: the event goes back to the outbox for this endpoint.
    Requeue {
        event: Value,
        endpoint: String,
    },
}

/// How a write changes the profile.
#[derive(Clone, Copy)]
pub enum Write {
    /// A JSON merge patch (`PATCH`).
    MergePatch,
    /// A replacement of every customer-editable field (`PUT`).
    Replace,
}

/// Whose profile, and what a new profile starts with.
#[derive(Clone, Serialize, Deserialize)]
pub struct Who {
    tenant: String,
    subject: String,
    given_name: Option<String>,
    family_name: Option<String>,
    email: Option<String>,
    /// The token says the programme proved `email`.
    #[serde(default)]
    email_verified: bool,
    /// The language the request negotiated, for the codes' mails.
    #[serde(default)]
    language: Option<String>,
}

impl Who {
    /// A customer by the tenant's id for them, as the tenant's backend names them.
    pub fn by_id(tenant: &str, subject: &str) -> Who {
        Who {
            tenant: tenant.to_owned(),
            subject: subject.to_owned(),
            given_name: None,
            family_name: None,
            email: None,
            email_verified: false,
            language: None,
        }
    }

    /// This customer, speaking `language` (one of the messages' languages).
    pub fn speaking(mut self, language: &str) -> Who {
        self.language = Some(language.to_owned());
        self
    }

    /// The object's name, which `EmailClaim` records as the holder.
    fn name(&self) -> String {
        object_name(&self.tenant, &self.subject)
    }
}

/// The tenant id cannot contain ':' (see `valid_tenant_id`), so names never collide.
pub fn object_name(tenant: &str, subject: &str) -> String {
    format!("{tenant}:{subject}")
}

impl From<&Customer> for Who {
    fn from(customer: &Customer) -> Self {
        Who {
            tenant: customer.tenant.clone(),
            subject: customer.subject.clone(),
            given_name: customer.given_name.clone(),
            family_name: customer.family_name.clone(),
            email: customer.email.clone(),
            email_verified: customer.email_verified,
            language: None,
        }
    }
}

#[durable_object]
pub struct CustomerObject {
    state: State,
    /// The same state as the platform's object, for `atomic::all_or_nothing`.
    object: DurableObjectState,
    env: Env,
    /// Whether a request asked for the alarm while it ran (see `alarm`).
    woken: std::cell::Cell<bool>,
}

impl DurableObject for CustomerObject {
    fn new(state: State, env: Env) -> Self {
        let object = state._inner();
        let state = State::from(crate::atomic::copy(&object));
        let sql = state.storage().sql();
        for table in [
            "CREATE TABLE IF NOT EXISTS profile (
                slot INTEGER PRIMARY KEY CHECK (slot = 1),
                body TEXT NOT NULL)",
            // Addresses this customer is claiming, with when the claim began (ms).
            "CREATE TABLE IF NOT EXISTS pending_email (
                email_key TEXT PRIMARY KEY,
                since REAL NOT NULL)",
            index::GONE_TABLE,
        ]
        .into_iter()
        .chain(rights::TABLES)
        .chain(limits::TABLES)
        .chain(photo::TABLES)
        .chain(outbox::TABLES)
        .chain(verify::TABLES)
        {
            sql.exec(table, None).expect("creating the customer tables");
        }
        Self {
            state,
            object,
            env,
            woken: std::cell::Cell::new(false),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        // serde_json, not `req.json()`: that parses with JavaScript, whose numbers
        // lose integers beyond 2^53 before our rules could see them.
        let ask: Ask = serde_json::from_str(&req.text().await?)?;
        let reply = match ask {
            Ask::Read {
                who,
                by,
                create: true,
            } => match self.load_or_create(&who, &by).await? {
                Some(profile) => Reply::Profile {
                    profile: Box::new(profile),
                },
                None => Reply::Gone,
            },
            Ask::Read { create: false, .. } => match self.load()? {
                Some(profile) => Reply::Profile {
                    profile: Box::new(profile),
                },
                None => Reply::Missing,
            },
            Ask::Patch {
                who,
                actor,
                by,
                if_match,
                patch,
                only,
            } => {
                let how = Write::MergePatch;
                self.write(who, actor, &by, (&if_match, only.as_deref()), &patch, how)
                    .await?
            }
            Ask::Replace {
                who,
                actor,
                by,
                if_match,
                body,
            } => {
                self.write(who, actor, &by, (&if_match, None), &body, Write::Replace)
                    .await?
            }
            Ask::Erase { who, by, if_match } => self.erase(&who, &by, if_match.as_deref()).await?,
            Ask::Import { who, by, line } => self.import(who, &by, &line).await?,
            Ask::SetPhoto {
                who,
                actor,
                by,
                if_match,
                photo,
            } => {
                self.set_photo(&who, actor, &by, if_match.as_deref(), photo)
                    .await?
            }
            Ask::History { cursor } => self.history(cursor)?,
            Ask::Consents => self.consents()?,
            Ask::Export => self.export()?,
            Ask::Lift => self.lift()?,
            Ask::VerifyEmail { who, by, code } => self.verify_email(&who, &by, &code).await?,
            Ask::SendCode { who } => self.send_code(&who).await?,
            Ask::UsesEmail { email_key } => {
                return Response::from_json(&self.uses_email(&email_key)?);
            }
            Ask::Restore { body } => {
                self.state.storage().sql().exec(
                    "INSERT INTO profile (slot, body) VALUES (1, ?)
                     ON CONFLICT (slot) DO UPDATE SET body = excluded.body",
                    vec![worker::SqlStorageValue::String(body)],
                )?;
                return Response::from_json(&true);
            }
            Ask::Key { ask } => {
                let sql = self.state.storage().sql();
                return Response::from_json(&crate::idempotency::answer(&sql, ask, now_ms())?);
            }
            Ask::Requeue { event, endpoint } => {
                self.requeue(&event, &endpoint).await?;
                return Response::from_json(&true);
            }
        };
        Response::from_json(&reply)
    }

    async fn alarm(&self) -> worker::Result<Response> {
        self.duties().await
    }
}

#[derive(Deserialize)]
struct Row {
    body: String,
}

impl CustomerObject {
    /// The tenant's configuration, read by the object itself (cached per
    /// isolate), so that requests need not carry it.
    async fn tenant(&self, tenant: &str) -> worker::Result<Rc<crate::tenant::Tenant>> {
        crate::tenant::load(&self.env, tenant)
            .await
            .map_err(|_| {
                worker::Error::RustError("the tenant's configuration could not be read".into())
            })?
            .ok_or_else(|| worker::Error::RustError("the tenant no longer exists".into()))
    }

    fn rules(&self, tenant: &crate::tenant::Tenant) -> worker::Result<Rc<profile::Rules>> {
        tenant.compiled_rules().map_err(|_| {
            worker::Error::RustError("the tenant's configuration could not be read".into())
        })
    }

    async fn write(
        &self,
        who: Who,
        actor: Actor,
        by: &Provenance,
        (if_match, only): (&str, Option<&[String]>),
        body: &Value,
        how: Write,
    ) -> worker::Result<Reply> {
        // Awaits first: from here to the store nothing awaits (unless the e-mail changes).
        let tenant = self.tenant(&who.tenant).await?;
        let rules = self.rules(&tenant)?;
        if actor != Actor::Import
            && let Some(retry_after) = self.take_write(tenant.privacy.writes_per_minute)?
        {
            return Ok(Reply::Busy { retry_after });
        }
        // An import creates the profile it does not find, from its line alone.
        let (stored, existed) = match (actor, self.load()?) {
            (Actor::Customer, _) => match self.load_or_create(&who, by).await? {
                Some(stored) => (stored, true),
                None => return Ok(Reply::Gone),
            },
            (_, Some(stored)) => (stored, true),
            (Actor::Admin, None) => return Ok(Reply::Missing),
            (Actor::Import, None) => match self.fresh_profile(&who, &tenant, &rules)? {
                Some(fresh) => (fresh, false),
                None => return Ok(Reply::Gone),
            },
        };
        if !crate::conditional::if_match(if_match, &stored.etag()) {
            return Ok(Reply::Stale {
                etag: stored.etag(),
            });
        }
        let now = now_rfc3339();
        let today = today(&now)?;
        let updated_by = by.updated_by();
        let outcome = {
            let change = Change {
                actor,
                rules: &rules,
                today,
                now: &now,
                source: &by.channel,
                updated_by: updated_by.as_deref(),
                only,
            };
            match how {
                Write::MergePatch => apply_patch(&stored, body, &change),
                Write::Replace => replace(&stored, body, &change),
            }
        };
        let mut patched = match outcome {
            Err(errors) => return Ok(Reply::Invalid { errors }),
            Ok(patched) if patched.changed.is_empty() && existed => {
                return Ok(Reply::Profile {
                    profile: Box::new(patched.profile),
                });
            }
            Ok(patched) => patched,
        };
        let kind = if existed {
            HistoryKind::Changed
        } else {
            // A new profile's first version, as when a customer first signs in.
            patched.profile.version = stored.version;
            patched.profile.updated = stored.updated.clone();
            HistoryKind::Created
        };
        let old_key = stored.email.as_deref().map(email_key);
        let new_key = patched.profile.email.as_deref().map(email_key);
        let moved = new_key.is_some() && new_key != old_key;
        if actor == Actor::Customer && moved {
            // A customer's new address waits for its code.
            let seconds = tenant.email_verification.code_seconds;
            return self
                .pend_email(&who, by, &stored, patched.profile, seconds)
                .await;
        }
        let record = rights::Record {
            kind,
            by,
            before: &stored,
            fields: std::mem::take(&mut patched.changed),
        };
        // The tenant's word that it proved the address (see `access`).
        let proven = patched.profile.email_status == EmailStatus::Verified;
        let newly_proven = proven && stored.email_status != EmailStatus::Verified;
        if (moved || newly_proven)
            && let Some(new_key) = &new_key
        {
            // Claim the new address first; nothing is stored if another
            // customer holds it proven.
            let started = self.begin_claim(new_key)?;
            let claimed =
                email_claim::claim(&self.env, &who.tenant, new_key, &who.name(), proven).await;
            let granted = matches!(claimed, Ok(Claimed::Granted));
            // Other writes may have run while we waited: store only on the version we read,
            // and only while the claim is surely still ours.
            let current = self.load()?;
            let in_time = now_ms() - started < email_claim::PENDING_SECONDS * 1000.0;
            let unchanged = current.as_ref().map(Profile::etag) == existed.then(|| stored.etag());
            if !(granted && in_time && unchanged) {
                self.end_claim(new_key)?;
                if granted {
                    let _ =
                        email_claim::release(&self.env, &who.tenant, new_key, &who.name()).await;
                }
                claimed?;
                return Ok(match (granted, current) {
                    (false, _) => Reply::Invalid {
                        errors: vec![FieldError::new("/email", Code::EmailTaken)],
                    },
                    (true, Some(current)) if !unchanged => Reply::Stale {
                        etag: current.etag(),
                    },
                    _ => {
                        return Err(worker::Error::RustError(
                            "claiming the e-mail took too long".into(),
                        ));
                    }
                });
            }
            self.commit(&patched.profile, record)?;
            self.end_claim(new_key)?;
        } else {
            self.commit(&patched.profile, record)?;
        }
        self.index_soon().await?;
        // Then release the old address. If this fails, the claim is handed over
        // when someone asks for it, since this profile no longer uses it.
        if new_key != old_key
            && let Some(old_key) = &old_key
        {
            let _ = email_claim::release(&self.env, &who.tenant, old_key, &who.name()).await;
        }
        Ok(Reply::Profile {
            profile: Box::new(patched.profile),
        })
    }

    fn load(&self) -> worker::Result<Option<Profile>> {
        let rows: Vec<Row> = self
            .state
            .storage()
            .sql()
            .exec("SELECT body FROM profile WHERE slot = 1", None)?
            .to_array()?;
        rows.first()
            .map(|row| {
                serde_json::from_str(&row.body).map_err(|e| {
                    worker::Error::RustError(format!(
                        "the stored profile could not be read (line {}, column {})",
                        e.line(),
                        e.column()
                    ))
                })
            })
            .transpose()
    }
}

/// Today's date (UTC) from an RFC 3339 timestamp.
fn today(now: &str) -> worker::Result<time::Date> {
    now.get(..10)
        .and_then(profile::dates::parse_date)
        .ok_or_else(|| worker::Error::RustError("the clock gave no date".into()))
}
