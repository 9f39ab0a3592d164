//! `Idempotency-Key` on `PATCH`, `PUT`, `POST` and `DELETE`: the first
//! answer to a key is kept for 24 hours, and the same key with the same
//! request gets that answer again (body, status and ETag, with
//! `Idempotent-Replayed: true`); with another request it is a 422, and while
//! the first request still runs, a 409.
//!
//! Where a key lives: a write of one customer's profile (`/v1/customers/me`
//! and `/v1/customers/{id}/...`) keeps it in that customer's object; any
//! other write (an import, a rule change, a key...) in the tenant's
//! `TenantObject`. Keys are named by their caller (the customer, an admin
//! key's id, the operator), so one caller never gets another's answer.
//!
//! The key is taken before the body is read, so a second request with it
//! is refused while the first is still sending its body. A request that has
//! not finished after a minute is taken as lost, and its key may be used again.

use crate::error::{ApiError, ApiResult};
use crate::{admin, auth, customer, routes, tenant_object, webcrypto};
use profile::api::{self, Caller, Found, Route};
use serde::{Deserialize, Serialize};
use worker::{Env, Headers, Request, RequestInit, Response, SqlStorage, SqlStorageValue};

pub const HEADER: &str = "Idempotency-Key";
/// The table of keys, in every object that keeps them.
pub const TABLE: &str = "CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY,
    started REAL NOT NULL,
    fingerprint TEXT,
    answer TEXT)";
/// How long a key is kept.
const KEEP_MS: f64 = 24.0 * 60.0 * 60.0 * 1000.0;
/// After this, a request that has not finished is taken as lost.
const LOST_MS: f64 = 60.0 * 1000.0;
/// The headers of an answer that are kept with it.
const KEPT_HEADERS: [&str; 8] = [
    "Content-Type",
    "ETag",
    "Location",
    "Cache-Control",
    "Content-Language",
    "Content-Disposition",
    "Vary",
    "WWW-Authenticate",
];

/// What the Worker asks the object that keeps a key.
#[derive(Serialize, Deserialize)]
pub enum KeyAsk {
    /// Takes the key if it is free; else says what became of it.
    Take { key: String },
    /// Keeps the first answer to the key.
    Keep {
        key: String,
        fingerprint: String,
        answer: Answer,
    },
    /// Frees the key: its request failed on our side, and may be tried again.
    Free { key: String },
}

/// What became of a key.
#[derive(Serialize, Deserialize)]
pub enum KeyState {
    /// It was free, and is now taken by this request.
    Taken,
    /// Its first request is still running.
    Running,
    /// Its first request was answered.
    Answered { fingerprint: String, answer: Answer },
}

/// An answer as kept.
#[derive(Clone, Serialize, Deserialize)]
pub struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

/// The object's side: answers `ask` from its `idempotency` table.
pub fn answer(sql: &SqlStorage, ask: KeyAsk, now: f64) -> worker::Result<Option<KeyState>> {
    #[derive(Deserialize)]
    struct Row {
        started: f64,
        fingerprint: Option<String>,
        answer: Option<String>,
    }
    match ask {
        KeyAsk::Take { key } => {
            sql.exec(
                "DELETE FROM idempotency WHERE started < ?",
                vec![SqlStorageValue::Float(now - KEEP_MS)],
            )?;
            let rows: Vec<Row> = sql
                .exec(
                    "SELECT started, fingerprint, answer FROM idempotency WHERE key = ?",
                    vec![SqlStorageValue::String(key.clone())],
                )?
                .to_array()?;
            let state = match rows.into_iter().next() {
                Some(Row {
                    fingerprint: Some(fingerprint),
                    answer: Some(answer),
                    ..
                }) => KeyState::Answered {
                    fingerprint,
                    answer: serde_json::from_str(&answer)?,
                },
                Some(row) if row.started > now - LOST_MS => KeyState::Running,
                _ => {
                    sql.exec(
                        "INSERT OR REPLACE INTO idempotency (key, started) VALUES (?, ?)",
                        vec![SqlStorageValue::String(key), SqlStorageValue::Float(now)],
                    )?;
                    KeyState::Taken
                }
            };
            Ok(Some(state))
        }
        KeyAsk::Keep {
            key,
            fingerprint,
            answer,
        } => {
            sql.exec(
                "INSERT OR REPLACE INTO idempotency (key, started, fingerprint, answer)
                 VALUES (?, ?, ?, ?)",
                vec![
                    SqlStorageValue::String(key),
                    SqlStorageValue::Float(now),
                    SqlStorageValue::String(fingerprint),
                    SqlStorageValue::String(serde_json::to_string(&answer)?),
                ],
            )?;
            Ok(None)
        }
        KeyAsk::Free { key } => {
            sql.exec(
                "DELETE FROM idempotency WHERE key = ?",
                vec![SqlStorageValue::String(key)],
            )?;
            Ok(None)
        }
    }
}

/// Where a key lives.
enum Store {
    /// The customer object of this name.
    Customer(String),
    /// The tenant's `TenantObject`.
    Tenant(String),
}

impl Store {
    async fn ask(&self, env: &Env, ask: KeyAsk) -> ApiResult<Option<KeyState>> {
        Ok(match self {
            Store::Customer(name) => customer::keep_key(env, name, ask).await?,
            Store::Tenant(tenant) => {
                tenant_object::ask(env, tenant, &tenant_object::Ask::Key(ask)).await?
            }
        })
    }
}

/// A key as a header brings it: 1 to 255 printable ASCII characters.
fn valid_key(key: &str) -> bool {
    (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
}

/// The request's answer, through its `Idempotency-Key` when it has one.
pub async fn handle(
    req: Request,
    env: &Env,
    language: &str,
    request_id: &str,
) -> ApiResult<Response> {
    let key = req.headers().get(HEADER)?;
    let path = req.path();
    let route = match api::find(req.method().as_ref(), &path, crate::dev::enabled(env)) {
        Found::Route(route, values) if key.is_some() && route.takes_idempotency_key() => {
            let values: Vec<String> = values.iter().map(|v| (*v).to_owned()).collect();
            Some((route, values))
        }
        _ => None,
    };
    let (Some(key), Some((route, values))) = (key, route) else {
        return routes::handle(req, env).await;
    };
    if !valid_key(&key) {
        return Err(ApiError::InvalidHeader(format!(
            "{HEADER} must be 1 to 255 printable ASCII characters, such as a UUID."
        )));
    }
    let Some((store, caller)) = store(&req, env, route, &values).await? else {
        // A request that cannot change anything: its handler refuses it.
        return routes::handle(req, env).await;
    };
    let key = format!("{caller} {key}");
    match store.ask(env, KeyAsk::Take { key: key.clone() }).await? {
        Some(KeyState::Taken) => {}
        Some(KeyState::Running) => return Err(ApiError::IdempotencyKeyInFlight),
        Some(KeyState::Answered {
            fingerprint,
            answer,
        }) => {
            let (_, given) = read(req, route).await?;
            if given != fingerprint {
                return Err(ApiError::IdempotencyKeyReused);
            }
            return replay(&answer, true);
        }
        None => return Err(ApiError::Internal("a key's store did not answer".into())),
    }
    let (req, fingerprint) = match read(req, route).await {
        Ok(read) => read,
        Err(error) => {
            store.ask(env, KeyAsk::Free { key }).await?;
            return Err(error);
        }
    };
    let response = match routes::handle(req, env).await {
        Ok(response) => response,
        Err(error) => error.into_response(language, request_id)?,
    };
    let answer = kept(response).await?;
    // Failures on our side, and refusals for now (429), may be tried again.
    let ask = if answer.status >= 500 || answer.status == 429 {
        KeyAsk::Free { key }
    } else {
        KeyAsk::Keep {
            key,
            fingerprint,
            answer: answer.clone(),
        }
    };
    store.ask(env, ask).await?;
    replay(&answer, false)
}

/// The key's store and its caller's name, once the caller is proven;
/// `None` for a path that names no tenant there can be.
async fn store(
    req: &Request,
    env: &Env,
    route: &Route,
    values: &[String],
) -> ApiResult<Option<(Store, String)>> {
    let of_a_customer = route.path.starts_with("/v1/customers/{id}");
    match route.caller {
        Caller::Customer => {
            let customer = auth::customer(req, env).await?;
            let name = customer::object_name(&customer.tenant, &customer.subject);
            Ok(Some((Store::Customer(name), "customer".into())))
        }
        Caller::Admin(scope) => {
            let admin = admin::admin(req, env, scope).await?;
            let caller = format!("key:{}", admin.key_id);
            if of_a_customer {
                let id = admin::subject(env, &admin.tenant, &values[0]).await?;
                let name = customer::object_name(&admin.tenant, &id);
                Ok(Some((Store::Customer(name), caller)))
            } else {
                Ok(Some((Store::Tenant(admin.tenant), caller)))
            }
        }
        Caller::Manager(scope) => {
            let tenant = values[0].as_str();
            let key = auth::bearer(req).ok_or(ApiError::Unauthorized)?;
            let caller = if profile::keys::parse(&key).is_some() {
                let admin = admin::admin(req, env, scope).await?;
                if admin.tenant != tenant {
                    return Err(ApiError::NotFound);
                }
                format!("key:{}", admin.key_id)
            } else {
                auth::operator(req, env)?;
                "operator".into()
            };
            let valid = crate::tenant::valid_tenant_id(tenant);
            Ok(valid.then(|| (Store::Tenant(tenant.to_owned()), caller)))
        }
        Caller::Operator => {
            auth::operator(req, env)?;
            let tenant = values.first().filter(|t| crate::tenant::valid_tenant_id(t));
            Ok(tenant.map(|tenant| (Store::Tenant(tenant.clone()), "operator".into())))
        }
        _ => Err(ApiError::Internal("this route takes no key".into())),
    }
}

/// The request again with its body read, and the fingerprint of what it asks.
async fn read(mut req: Request, route: &Route) -> ApiResult<(Request, String)> {
    let body = routes::limited_body(&mut req, route.max_body_bytes()).await?;
    let header = |name: &str| req.headers().get(name).ok().flatten().unwrap_or_default();
    // The path and query, not the host: one API may answer at several names.
    let url = req.url()?;
    let mut asked = format!(
        "{} {}?{}\nIf-Match: {}\nContent-Type: {}\n\n",
        route.method,
        url.path(),
        url.query().unwrap_or_default(),
        header("If-Match"),
        header("Content-Type")
    )
    .into_bytes();
    asked.extend_from_slice(&body);
    let fingerprint = webcrypto::sha256_hex(&asked)
        .await
        .map_err(|_| ApiError::Internal("hashing a request failed".into()))?;
    let mut init = RequestInit::new();
    init.with_method(req.method())
        .with_headers(req.headers().clone());
    if !body.is_empty() {
        init.with_body(Some(worker::js_sys::Uint8Array::from(&body[..]).into()));
    }
    Ok((
        Request::new_with_init(req.url()?.as_str(), &init)?,
        fingerprint,
    ))
}

async fn kept(mut response: Response) -> ApiResult<Answer> {
    let body = response.text().await?;
    let headers = KEPT_HEADERS
        .iter()
        .filter_map(|name| {
            let value = response.headers().get(name).ok().flatten()?;
            Some(((*name).to_owned(), value))
        })
        .collect();
    Ok(Answer {
        status: response.status_code(),
        headers,
        body,
    })
}

fn replay(answer: &Answer, replayed: bool) -> ApiResult<Response> {
    let headers = Headers::new();
    for (name, value) in &answer.headers {
        headers.set(name, value)?;
    }
    if replayed {
        headers.set("Idempotent-Replayed", "true")?;
    }
    let response = if answer.body.is_empty() {
        Response::empty()?
    } else {
        Response::ok(answer.body.clone())?
    };
    Ok(response.with_status(answer.status).with_headers(headers))
}

#[cfg(test)]
mod tests {
    use super::valid_key;

    #[test]
    fn a_key_is_short_printable_ascii() {
        assert!(valid_key("5f0c6a1e-9d2b-4c1e-8f7a-2b3c4d5e6f70"));
        assert!(valid_key("order 42"));
        for bad in ["", "tab\there", "ключ", &"k".repeat(256)] {
            assert!(!valid_key(bad), "{bad:?}");
        }
    }
}
