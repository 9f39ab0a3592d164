//! `CustomerObject`: one SQLite-backed Durable Object per (tenant, customer),
//! the source of truth for that customer's profile. It handles one request at
//! a time, and reads, patches, validates and stores without awaiting in
//! between, so a conditional write can never interleave with another.

use crate::auth::Customer;
use crate::error::{ApiError, ApiResult};
use profile::{FieldError, Profile, apply_patch, normalize_name, validate_name};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use worker::{
    DurableObject, Env, Headers, Method, Request, RequestInit, Response, SqlStorageValue, State,
    durable_object,
};

const BINDING: &str = "CUSTOMERS";
const ORIGIN: &str = "https://customer-object";

/// What the object answers the Worker.
#[derive(Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
enum Reply {
    Profile { profile: Profile },
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
}

/// Whose profile, and what a new profile starts with.
#[derive(Serialize, Deserialize)]
struct Who {
    tenant: String,
    subject: String,
    given_name: Option<String>,
}

impl From<&Customer> for Who {
    fn from(customer: &Customer) -> Self {
        Who {
            tenant: customer.tenant.clone(),
            subject: customer.subject.clone(),
            given_name: customer.given_name.clone(),
        }
    }
}

/// Reads the customer's profile, creating it on first access.
pub async fn read(env: &Env, who: &Customer) -> ApiResult<Profile> {
    let ask = Ask::Read { who: who.into() };
    match send(env, who, &ask).await? {
        Reply::Profile { profile } => Ok(profile),
        _ => Err(ApiError::Internal("unexpected reply to read".into())),
    }
}

/// Applies a merge patch if `if_match` names the current version.
pub async fn patch(
    env: &Env,
    who: &Customer,
    if_match: String,
    patch: Value,
) -> ApiResult<Profile> {
    let ask = Ask::Patch {
        who: who.into(),
        if_match,
        patch,
    };
    match send(env, who, &ask).await? {
        Reply::Profile { profile } => Ok(profile),
        Reply::Stale { etag } => Err(ApiError::PreconditionFailed(etag)),
        Reply::Invalid { errors } => Err(ApiError::Validation(errors)),
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
        Self { state }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let ask: Ask = req.json().await?;
        let reply = match ask {
            Ask::Read { who } => Reply::Profile {
                profile: self.load_or_create(who)?,
            },
            Ask::Patch {
                who,
                if_match,
                patch,
            } => {
                let mut profile = self.load_or_create(who)?;
                if if_match != profile.etag() {
                    Reply::Stale {
                        etag: profile.etag(),
                    }
                } else {
                    match apply_patch(&mut profile, &patch) {
                        Err(e) => Reply::Invalid { errors: e.errors },
                        Ok(changed) if changed.is_empty() => Reply::Profile { profile },
                        Ok(_) => {
                            profile.version += 1;
                            profile.updated = now_rfc3339();
                            self.save(&profile)?;
                            Reply::Profile { profile }
                        }
                    }
                }
            }
        };
        Response::from_json(&reply)
    }
}

#[derive(Deserialize)]
struct Row {
    body: String,
}

impl CustomerObject {
    fn load_or_create(&self, who: Who) -> worker::Result<Profile> {
        let rows: Vec<Row> = self
            .state
            .storage()
            .sql()
            .exec("SELECT body FROM profile WHERE slot = 1", None)?
            .to_array()?;
        if let Some(row) = rows.first() {
            return serde_json::from_str(&row.body)
                .map_err(|e| worker::Error::RustError(e.to_string()));
        }
        let now = now_rfc3339();
        // A name from the token that our rules refuse is left out, not an error:
        // the customer can still open their profile and type one.
        let first_name = who
            .given_name
            .map(|raw| normalize_name(&raw))
            .filter(|name| validate_name("/first_name", name).is_ok());
        let profile = Profile {
            id: uuid::Uuid::new_v4().to_string(),
            external_id: who.subject,
            tenant: who.tenant,
            first_name,
            version: 1,
            created: now.clone(),
            updated: now,
        };
        self.save(&profile)?;
        Ok(profile)
    }

    fn save(&self, profile: &Profile) -> worker::Result<()> {
        let body =
            serde_json::to_string(profile).map_err(|e| worker::Error::RustError(e.to_string()))?;
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
