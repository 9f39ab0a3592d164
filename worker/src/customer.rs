//! `CustomerObject`: one SQLite-backed Durable Object per (tenant, customer),
//! the source of truth for that customer's profile. It reads, patches,
//! validates and stores without awaiting in between, so a conditional write
//! can never interleave with another. A change of e-mail is the exception: it
//! claims the new address (an `EmailClaim` object) before storing, so it
//! checks the version again after that await, and stores only if nothing
//! else was written meanwhile.

use crate::auth::Customer;
use crate::email_claim::{self, Claimed};
use crate::error::{ApiError, ApiResult};
use profile::email::{check_email, clean_email, email_key};
use profile::text::{check_name, clean_line};
use profile::{Actor, Change, Code, FieldError, Profile, Rules, apply_patch, replace};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::rc::Rc;
use worker::{DurableObject, Env, Request, Response, SqlStorageValue, State, durable_object};

mod claims;
mod import;
mod index;

use crate::clock::{now_ms, now_rfc3339};

const BINDING: &str = "CUSTOMERS";
/// Recorded as `updated_by` and as the source of consents the customer changes.
const CUSTOMER_SOURCE: &str = "customer-profile";
/// Recorded as `updated_by` and as the source of consents when the tenant's backend writes.
const ADMIN_SOURCE: &str = "admin";
/// Recorded as `updated_by`, and as the source of consents an import line brings without one.
const IMPORT_SOURCE: &str = "import";

/// What the object answers the Worker.
#[derive(Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
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
}

/// What the Worker asks the object.
#[derive(Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Ask {
    Read {
        who: Who,
        /// Whether a first read creates the profile (a customer's does).
        create: bool,
    },
    Patch {
        who: Who,
        actor: Actor,
        if_match: String,
        patch: Value,
    },
    Replace {
        who: Who,
        actor: Actor,
        if_match: String,
        body: Value,
    },
    /// Creates or merges the profile from an import's line.
    Import { who: Who, line: Value },
    /// Deletes the profile and gives up its e-mail address.
    Erase { who: Who },
    /// From an `EmailClaim`: does this customer use (or is it taking) the address?
    UsesEmail { email_key: String },
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
#[derive(Serialize, Deserialize)]
pub struct Who {
    tenant: String,
    subject: String,
    given_name: Option<String>,
    family_name: Option<String>,
    email: Option<String>,
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
        }
    }

    /// The object's name, which `EmailClaim` records as the holder.
    fn name(&self) -> String {
        object_name(&self.tenant, &self.subject)
    }
}

/// The tenant id cannot contain ':' (see `valid_tenant_id`), so names never collide.
fn object_name(tenant: &str, subject: &str) -> String {
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
        }
    }
}

/// Reads the customer's profile, creating it on first access.
pub async fn read(env: &Env, who: &Customer) -> ApiResult<Profile> {
    read_as(env, who.into(), true)
        .await?
        .ok_or_else(|| ApiError::Internal("a read that creates found nothing".into()))
}

/// Reads a profile; `None` if there is none and `create` is false.
pub async fn read_as(env: &Env, who: Who, create: bool) -> ApiResult<Option<Profile>> {
    let name = who.name();
    match send(env, &name, &Ask::Read { who, create }).await? {
        Reply::Profile { profile } => Ok(Some(*profile)),
        Reply::Missing => Ok(None),
        _ => Err(ApiError::Internal("unexpected reply to read".into())),
    }
}

/// Imports one line into the customer's profile: what it did, or why not.
pub async fn import(
    env: &Env,
    who: Who,
    line: Value,
) -> ApiResult<Result<profile::imports::Outcome, Vec<FieldError>>> {
    let name = who.name();
    match send(env, &name, &Ask::Import { who, line }).await? {
        Reply::Imported { result } => Ok(Ok(result)),
        Reply::Invalid { errors } => Ok(Err(errors)),
        _ => Err(ApiError::Internal("unexpected reply to an import".into())),
    }
}

/// Erases the customer's profile: its own id, or `None` if there was none.
pub async fn erase(env: &Env, who: Who) -> ApiResult<Option<String>> {
    let name = who.name();
    match send(env, &name, &Ask::Erase { who }).await? {
        Reply::Missing => Ok(None),
        Reply::Erased { id } => Ok(Some(id)),
        _ => Err(ApiError::Internal("unexpected reply to erase".into())),
    }
}

/// Writes the profile if `if_match` names the current version, as `actor`
/// (an admin's write of a customer who has no profile is a 404);
/// `rules`: the tenant's, for the messages of errors.
pub async fn write(
    env: &Env,
    who: Who,
    actor: Actor,
    rules: &profile::TenantRules,
    how: Write,
    if_match: String,
    body: Value,
) -> ApiResult<Profile> {
    let name = who.name();
    let ask = match how {
        Write::MergePatch => Ask::Patch {
            who,
            actor,
            if_match,
            patch: body,
        },
        Write::Replace => Ask::Replace {
            who,
            actor,
            if_match,
            body,
        },
    };
    match send(env, &name, &ask).await? {
        Reply::Profile { profile } => Ok(*profile),
        Reply::Missing => Err(ApiError::NotFound),
        Reply::Stale { etag } => Err(ApiError::PreconditionFailed(etag)),
        Reply::Invalid { errors } => {
            let rules = Box::new(rules.clone());
            if errors.iter().all(|e| e.code == Code::EmailTaken) {
                Err(ApiError::EmailTaken(errors, rules))
            } else {
                Err(ApiError::InvalidProfile(errors, rules))
            }
        }
        Reply::Erased { .. } | Reply::Imported { .. } => {
            Err(ApiError::Internal("unexpected reply to a write".into()))
        }
    }
}

async fn send(env: &Env, name: &str, ask: &Ask) -> ApiResult<Reply> {
    let reply = ask_object(env, name, ask).await?;
    // The reply holds personal data: never put its content in the cause.
    serde_json::from_value(reply)
        .map_err(|_| ApiError::Internal("the customer object's reply could not be read".into()))
}

async fn ask_object(env: &Env, name: &str, ask: &Ask) -> worker::Result<Value> {
    crate::object_call::ask(env, BINDING, name, ask).await
}

/// Whether the customer object `name` uses the address `email_key`. A reply
/// that is not a boolean is an error, never "not in use": a claim is handed
/// over only on a clear no.
pub async fn uses_email(env: &Env, name: &str, email_key: &str) -> worker::Result<bool> {
    let ask = Ask::UsesEmail {
        email_key: email_key.to_owned(),
    };
    in_use(&ask_object(env, name, &ask).await?)
}

fn in_use(reply: &Value) -> worker::Result<bool> {
    reply.as_bool().ok_or_else(|| {
        worker::Error::RustError("the customer object's reply was not a yes or no".into())
    })
}

#[durable_object]
pub struct CustomerObject {
    state: State,
    env: Env,
}

impl DurableObject for CustomerObject {
    fn new(state: State, env: Env) -> Self {
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
        ] {
            sql.exec(table, None).expect("creating the customer tables");
        }
        Self { state, env }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        // serde_json, not `req.json()`: that parses with JavaScript, whose numbers
        // lose integers beyond 2^53 before our rules could see them.
        let ask: Ask = serde_json::from_str(&req.text().await?)?;
        let reply = match ask {
            Ask::Read { who, create: true } => Reply::Profile {
                profile: Box::new(self.load_or_create(&who).await?),
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
                if_match,
                patch,
            } => {
                self.write(who, actor, &if_match, &patch, Write::MergePatch)
                    .await?
            }
            Ask::Replace {
                who,
                actor,
                if_match,
                body,
            } => {
                self.write(who, actor, &if_match, &body, Write::Replace)
                    .await?
            }
            Ask::Erase { who } => self.erase(&who).await?,
            Ask::Import { who, line } => self.import(who, &line).await?,
            Ask::UsesEmail { email_key } => {
                return Response::from_json(&self.uses_email(&email_key)?);
            }
        };
        Response::from_json(&reply)
    }

    async fn alarm(&self) -> worker::Result<Response> {
        self.tell_index().await?;
        Response::ok("indexed")
    }
}

#[derive(Deserialize)]
struct Row {
    body: String,
}

impl CustomerObject {
    /// The tenant's compiled rules, read by the object itself (cached per
    /// isolate), so that requests need not carry them.
    async fn rules(&self, tenant: &str) -> worker::Result<Rc<Rules>> {
        let unreadable =
            |_| worker::Error::RustError("the tenant's configuration could not be read".into());
        let config = crate::tenant::load(&self.env, tenant)
            .await
            .map_err(unreadable)?
            .ok_or_else(|| worker::Error::RustError("the tenant no longer exists".into()))?;
        config.compiled_rules().map_err(unreadable)
    }

    async fn write(
        &self,
        who: Who,
        actor: Actor,
        if_match: &str,
        body: &Value,
        how: Write,
    ) -> worker::Result<Reply> {
        // Awaits first: from here to the store nothing awaits (unless the e-mail changes).
        let rules = self.rules(&who.tenant).await?;
        // An import creates the profile it does not find, from its line alone.
        let (stored, existed) = match (actor, self.load()?) {
            (Actor::Customer, _) => (self.load_or_create(&who).await?, true),
            (_, Some(stored)) => (stored, true),
            (Actor::Admin, None) => return Ok(Reply::Missing),
            (Actor::Import, None) => (self.new_profile(&who, &rules), false),
        };
        if !crate::conditional::if_match(if_match, &stored.etag()) {
            return Ok(Reply::Stale {
                etag: stored.etag(),
            });
        }
        let now = now_rfc3339();
        let today = today(&now)?;
        let outcome = {
            let change = Change {
                actor,
                rules: &rules,
                today,
                now: &now,
                source: match actor {
                    Actor::Customer => CUSTOMER_SOURCE,
                    Actor::Admin => ADMIN_SOURCE,
                    Actor::Import => IMPORT_SOURCE,
                },
                policy_version: None,
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
        if !existed {
            // A new profile's first version, as when a customer first signs in.
            patched.profile.version = stored.version;
            patched.profile.updated = stored.updated.clone();
        }
        let old_key = stored.email.as_deref().map(email_key);
        let new_key = patched.profile.email.as_deref().map(email_key);
        if new_key != old_key
            && let Some(new_key) = &new_key
        {
            // Claim the new address first; nothing is stored if another customer holds it.
            let started = self.begin_claim(new_key)?;
            let claimed = email_claim::claim(&self.env, &who.tenant, new_key, &who.name()).await;
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
            self.save(&patched.profile)?;
            self.end_claim(new_key)?;
        } else {
            self.save(&patched.profile)?;
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

    /// The stored profile, or a new one: names from the token's `given_name` and
    /// `family_name`, and its `email` unless another customer holds it. What our
    /// rules refuse is left out, not an error: the customer can type it.
    async fn load_or_create(&self, who: &Who) -> worker::Result<Profile> {
        if let Some(profile) = self.load()? {
            return Ok(profile);
        }
        let rules = self.rules(&who.tenant).await?;
        // Another request may have created the profile while we read the rules.
        if let Some(profile) = self.load()? {
            return Ok(profile);
        }
        let mut profile = profile::new_profile(
            uuid::Uuid::new_v4().to_string(),
            who.tenant.clone(),
            who.subject.clone(),
            now_rfc3339(),
            &rules,
        );
        let name = |raw: &Option<String>, pointer: &str| {
            raw.as_deref()
                .map(clean_line)
                .filter(|name| check_name(pointer, name, profile::model::NAME_MAX_CHARS).is_none())
        };
        profile.first_name = name(&who.given_name, "/first_name");
        profile.last_name = name(&who.family_name, "/last_name");
        let email = who
            .email
            .as_deref()
            .map(clean_email)
            .filter(|e| check_email("/email", e).is_none());
        if let Some(email) = email {
            let key = email_key(&email);
            self.begin_claim(&key)?;
            let claimed = email_claim::claim(&self.env, &who.tenant, &key, &who.name()).await;
            self.end_claim(&key)?;
            // Another request may have created the profile while we waited.
            if let Some(existing) = self.load()? {
                if matches!(claimed, Ok(Claimed::Granted))
                    && existing.email.as_deref().map(email_key) != Some(key.clone())
                {
                    let _ = email_claim::release(&self.env, &who.tenant, &key, &who.name()).await;
                }
                return Ok(existing);
            }
            if matches!(claimed, Ok(Claimed::Granted)) {
                profile.email = Some(email);
            }
        }
        self.save(&profile)?;
        self.index_soon().await?;
        Ok(profile)
    }

    fn save(&self, profile: &Profile) -> worker::Result<()> {
        let body = serde_json::to_string(profile)
            .map_err(|_| worker::Error::RustError("the profile could not be serialized".into()))?;
        self.state.storage().sql().exec(
            "INSERT INTO profile (slot, body) VALUES (1, ?)
             ON CONFLICT (slot) DO UPDATE SET body = excluded.body",
            vec![SqlStorageValue::String(body)],
        )?;
        Ok(())
    }
}

/// Today's date (UTC) from an RFC 3339 timestamp.
fn today(now: &str) -> worker::Result<time::Date> {
    now.get(..10)
        .and_then(profile::dates::parse_date)
        .ok_or_else(|| worker::Error::RustError("the clock gave no date".into()))
}

#[cfg(test)]
mod tests {
    use super::in_use;
    use serde_json::json;

    #[test]
    fn only_a_clear_no_frees_an_address() {
        assert!(!in_use(&json!(false)).unwrap());
        assert!(in_use(&json!(true)).unwrap());
        for unclear in [json!(null), json!("false"), json!(0), json!({}), json!([])] {
            assert!(in_use(&unclear).is_err(), "{unclear}");
        }
    }
}
