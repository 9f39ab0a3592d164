//! `CustomerObject`: one SQLite-backed Durable Object per (tenant, customer),
//! the source of truth for that customer's profile. It handles one request at
//! a time, and reads, patches, validates and stores without awaiting in
//! between, so a conditional write can never interleave with another.

use crate::auth::Customer;
use crate::error::{ApiError, ApiResult};
use profile::text::{check_name, clean_line};
use profile::{Actor, Change, FieldError, Profile, Rules, TenantRules, apply_patch, replace};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::cell::RefCell;
use worker::{
    DurableObject, Env, Headers, Method, Request, RequestInit, Response, SqlStorageValue, State,
    durable_object,
};

const BINDING: &str = "CUSTOMERS";
const ORIGIN: &str = "https://customer-object";
/// Recorded as `updated_by` and as the source of consents the customer changes.
const CUSTOMER_SOURCE: &str = "customer-profile";

/// What the object answers the Worker.
#[derive(Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
enum Reply {
    Profile { profile: Box<Profile> },
    Stale { etag: String },
    Invalid { errors: Vec<FieldError> },
}

/// What the Worker asks the object.
#[derive(Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Ask {
    Read {
        who: Who,
    },
    Patch {
        who: Who,
        if_match: String,
        patch: Value,
    },
    Replace {
        who: Who,
        if_match: String,
        body: Value,
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

/// Whose profile, the tenant's rules, and what a new profile starts with.
#[derive(Serialize, Deserialize)]
struct Who {
    tenant: String,
    subject: String,
    given_name: Option<String>,
    rules: TenantRules,
}

impl From<&Customer> for Who {
    fn from(customer: &Customer) -> Self {
        Who {
            tenant: customer.tenant.clone(),
            subject: customer.subject.clone(),
            given_name: customer.given_name.clone(),
            rules: customer.config.rules.clone(),
        }
    }
}

/// Reads the customer's profile, creating it on first access.
pub async fn read(env: &Env, who: &Customer) -> ApiResult<Profile> {
    let ask = Ask::Read { who: who.into() };
    match send(env, who, &ask).await? {
        Reply::Profile { profile } => Ok(*profile),
        _ => Err(ApiError::Internal("unexpected reply to read".into())),
    }
}

/// Writes the profile if `if_match` names the current version.
pub async fn write(
    env: &Env,
    who: &Customer,
    how: Write,
    if_match: String,
    body: Value,
) -> ApiResult<Profile> {
    let whose: Who = who.into();
    let ask = match how {
        Write::MergePatch => Ask::Patch {
            who: whose,
            if_match,
            patch: body,
        },
        Write::Replace => Ask::Replace {
            who: whose,
            if_match,
            body,
        },
    };
    match send(env, who, &ask).await? {
        Reply::Profile { profile } => Ok(*profile),
        Reply::Stale { etag } => Err(ApiError::PreconditionFailed(etag)),
        Reply::Invalid { errors } => Err(ApiError::InvalidProfile(
            errors,
            Box::new(who.config.rules.clone()),
        )),
    }
}

async fn send(env: &Env, who: &Customer, ask: &Ask) -> ApiResult<Reply> {
    let namespace = env.durable_object(BINDING)?;
    // The tenant id cannot contain ':' (see `valid_tenant_id`), so names never collide.
    let stub = namespace
        .id_from_name(&format!("{}:{}", who.tenant, who.subject))?
        .get_stub()?;
    let body = serde_json::to_string(ask).map_err(|e| ApiError::Internal(e.to_string()))?;
    let headers = Headers::new();
    headers.set("Content-Type", "application/json")?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(body.into()));
    let request = Request::new_with_init(ORIGIN, &init)?;
    let mut response = stub.fetch_with_request(request).await?;
    response
        .json::<Reply>()
        .await
        // The reply holds personal data: never put its content in the cause.
        .map_err(|_| ApiError::Internal("the customer object's reply could not be read".into()))
}

#[durable_object]
pub struct CustomerObject {
    state: State,
    /// The tenant's rules, compiled once per configuration, not per request.
    rules: RefCell<Option<(TenantRules, Rules)>>,
}

impl DurableObject for CustomerObject {
    fn new(state: State, _env: Env) -> Self {
        state
            .storage()
            .sql()
            .exec(
                "CREATE TABLE IF NOT EXISTS profile (
                    slot INTEGER PRIMARY KEY CHECK (slot = 1),
                    body TEXT NOT NULL)",
                None,
            )
            .expect("creating the profile table");
        Self {
            state,
            rules: RefCell::new(None),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let ask: Ask = req.json().await?;
        let reply = match ask {
            Ask::Read { who } => Reply::Profile {
                profile: Box::new(self.load_or_create(who)?),
            },
            Ask::Patch {
                who,
                if_match,
                patch,
            } => self.write(who, &if_match, &patch, Write::MergePatch)?,
            Ask::Replace {
                who,
                if_match,
                body,
            } => self.write(who, &if_match, &body, Write::Replace)?,
        };
        Response::from_json(&reply)
    }
}

#[derive(Deserialize)]
struct Row {
    body: String,
}

impl CustomerObject {
    fn with_rules<T>(
        &self,
        tenant: &TenantRules,
        use_rules: impl FnOnce(&Rules) -> T,
    ) -> worker::Result<T> {
        let mut cache = self.rules.borrow_mut();
        if cache.as_ref().is_none_or(|(cached, _)| cached != tenant) {
            // The configuration was validated when it was stored.
            let rules = Rules::new(tenant.clone()).map_err(|_| {
                worker::Error::RustError("the tenant's stored rules do not compile".into())
            })?;
            *cache = Some((tenant.clone(), rules));
        }
        let (_, rules) = cache.as_ref().expect("filled above");
        Ok(use_rules(rules))
    }

    fn write(&self, who: Who, if_match: &str, body: &Value, how: Write) -> worker::Result<Reply> {
        let tenant_rules = who.rules.clone();
        let stored = self.load_or_create(who)?;
        if if_match != stored.etag() {
            return Ok(Reply::Stale {
                etag: stored.etag(),
            });
        }
        let now = now_rfc3339();
        let today = today(&now)?;
        let outcome = self.with_rules(&tenant_rules, |rules| {
            let change = Change {
                actor: Actor::Customer,
                rules,
                today,
                now: &now,
                source: CUSTOMER_SOURCE,
                policy_version: None,
            };
            match how {
                Write::MergePatch => apply_patch(&stored, body, &change),
                Write::Replace => replace(&stored, body, &change),
            }
        })?;
        match outcome {
            Err(errors) => Ok(Reply::Invalid { errors }),
            Ok(patched) => {
                if !patched.changed.is_empty() {
                    self.save(&patched.profile)?;
                }
                Ok(Reply::Profile {
                    profile: Box::new(patched.profile),
                })
            }
        }
    }

    fn load_or_create(&self, who: Who) -> worker::Result<Profile> {
        let rows: Vec<Row> = self
            .state
            .storage()
            .sql()
            .exec("SELECT body FROM profile WHERE slot = 1", None)?
            .to_array()?;
        if let Some(row) = rows.first() {
            return serde_json::from_str(&row.body).map_err(|e| {
                worker::Error::RustError(format!(
                    "the stored profile could not be read (line {}, column {})",
                    e.line(),
                    e.column()
                ))
            });
        }
        let mut profile = self.with_rules(&who.rules, |rules| {
            profile::new_profile(
                uuid::Uuid::new_v4().to_string(),
                who.tenant.clone(),
                who.subject.clone(),
                now_rfc3339(),
                rules,
            )
        })?;
        // A name from the token that our rules refuse is left out, not an error:
        // the customer can still open their profile and type one.
        profile.first_name = who.given_name.map(|raw| clean_line(&raw)).filter(|name| {
            check_name("/first_name", name, profile::model::NAME_MAX_CHARS).is_none()
        });
        self.save(&profile)?;
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

fn now_rfc3339() -> String {
    String::from(worker::js_sys::Date::new_0().to_iso_string())
}

/// Today's date (UTC) from an RFC 3339 timestamp.
fn today(now: &str) -> worker::Result<time::Date> {
    now.get(..10)
        .and_then(profile::dates::parse_date)
        .ok_or_else(|| worker::Error::RustError("the clock gave no date".into()))
}
