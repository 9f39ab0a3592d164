//! `TenantObject`: one SQLite-backed Durable Object per tenant, the source of
//! truth for the tenant's admin keys and its audit log. Being one object, it
//! answers every Worker alike at once: a key it has revoked is refused by the
//! next check anywhere. Workers keep a key's answer for at most
//! `KEY_CHECK_SECONDS` (see `crate::admin`), which bounds how long a revoked
//! key can still work in another isolate.
//!
//! Issuing and revoking write the key and its audit entry in one step (no
//! await between them), so the log cannot miss a change.
//!
//! It also holds the tenant's index of customers (for listing them and for
//! `id:<profile id>`): each customer's object tells it what its profile is
//! after every change, from an alarm that the platform retries until it
//! succeeds (see `crate::customer`). An entry is replaced only by a newer
//! version of the same profile, or by a new profile of the customer, so
//! answers arriving out of order cannot undo each other.

use profile::keys::{AuditEntry, AuditPage, KeyInfo};
use profile::listing::{CustomerEntry, CustomerPage, PAGE};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use worker::{DurableObject, Env, Request, Response, SqlStorageValue, State, durable_object};

const BINDING: &str = "TENANT_OBJECTS";
/// At most this many audit entries in one answer.
pub const AUDIT_PAGE: usize = 100;

/// What the Worker asks. Externally tagged (serde's default): an internally
/// tagged enum is read through serde's buffering `Content`, which cost the
/// Worker several KiB for these few messages.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ask {
    Issue {
        info: KeyInfo,
        hash: String,
    },
    List,
    Revoke {
        id: String,
        at: String,
    },
    /// The key with this id, if its hash is `hash` and it works at `at`; marks its use.
    Check {
        id: String,
        hash: String,
        at: String,
    },
    Audit {
        before: Option<i64>,
    },
    Record {
        entry: AuditEntry,
    },
    /// A customer's profile as it now is.
    Index {
        entry: CustomerEntry,
    },
    /// A customer's profile is gone.
    Unindex {
        id: String,
        profile_id: String,
    },
    /// A page of customers after the id `after`.
    Customers {
        after: Option<String>,
    },
    /// The customer whose profile has this id.
    Find {
        profile_id: String,
    },
}

pub async fn ask<T: serde::de::DeserializeOwned>(
    env: &Env,
    tenant: &str,
    ask: &Ask,
) -> worker::Result<T> {
    crate::object_call::ask(env, BINDING, tenant, ask).await
}

#[durable_object]
pub struct TenantObject {
    state: State,
}

impl DurableObject for TenantObject {
    fn new(state: State, _env: Env) -> Self {
        let sql = state.storage().sql();
        for table in [
            "CREATE TABLE IF NOT EXISTS admin_key (
                id TEXT PRIMARY KEY,
                hash TEXT NOT NULL,
                body TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS audit (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                body TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS customer (
                id TEXT PRIMARY KEY,
                profile_id TEXT NOT NULL,
                updated TEXT NOT NULL,
                version INTEGER NOT NULL)",
            "CREATE INDEX IF NOT EXISTS customer_by_profile ON customer (profile_id)",
        ] {
            sql.exec(table, None).expect("creating the tenant tables");
        }
        Self { state }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let ask: Ask = serde_json::from_str(&req.text().await?)?;
        match ask {
            Ask::Issue { info, hash } => {
                self.put_key(&info, &hash)?;
                self.record(&AuditEntry {
                    at: info.created.clone(),
                    actor: "operator".into(),
                    action: "key.issued".into(),
                    detail: serde_json::json!({"key": info.id, "name": info.name, "scopes": info.scopes}),
                })?;
                Response::from_json(&info)
            }
            Ask::List => Response::from_json(&self.keys()?),
            Ask::Revoke { id, at } => {
                let Some((mut info, hash)) = self.key(&id)? else {
                    return Response::from_json(&Value::Null);
                };
                if info.revoked.is_none() {
                    info.revoked = Some(at.clone());
                    self.put_key(&info, &hash)?;
                    self.record(&AuditEntry {
                        at,
                        actor: "operator".into(),
                        action: "key.revoked".into(),
                        detail: serde_json::json!({"key": info.id, "name": info.name}),
                    })?;
                }
                // The hash, so that the Worker can forget its answer for this key at once.
                Response::from_json(&hash)
            }
            Ask::Check { id, hash, at } => {
                let found = self.key(&id)?.filter(|(info, stored)| {
                    use subtle::ConstantTimeEq;
                    bool::from(stored.as_bytes().ct_eq(hash.as_bytes())) && info.usable(&at)
                });
                let Some((mut info, hash)) = found else {
                    return Response::from_json(&Value::Null);
                };
                info.last_used = Some(at);
                self.put_key(&info, &hash)?;
                Response::from_json(&info)
            }
            Ask::Audit { before } => Response::from_json(&self.audit(before)?),
            Ask::Record { entry } => {
                self.record(&entry)?;
                Response::from_json(&true)
            }
            Ask::Index { entry } => {
                self.state.storage().sql().exec(
                    "INSERT INTO customer (id, profile_id, updated, version) VALUES (?, ?, ?, ?)
                     ON CONFLICT (id) DO UPDATE SET profile_id = excluded.profile_id,
                        updated = excluded.updated, version = excluded.version
                     WHERE excluded.profile_id != customer.profile_id
                        OR excluded.version > customer.version",
                    vec![
                        SqlStorageValue::String(entry.id),
                        SqlStorageValue::String(entry.profile_id),
                        SqlStorageValue::String(entry.updated),
                        SqlStorageValue::Integer(entry.version as i64),
                    ],
                )?;
                Response::from_json(&true)
            }
            Ask::Unindex { id, profile_id } => {
                self.state.storage().sql().exec(
                    "DELETE FROM customer WHERE id = ? AND profile_id = ?",
                    vec![
                        SqlStorageValue::String(id),
                        SqlStorageValue::String(profile_id),
                    ],
                )?;
                Response::from_json(&true)
            }
            Ask::Customers { after } => Response::from_json(&self.customers(after)?),
            Ask::Find { profile_id } => {
                let found: Vec<CustomerEntry> = self
                    .state
                    .storage()
                    .sql()
                    .exec(
                        "SELECT id, profile_id, updated, version FROM customer WHERE profile_id = ?",
                        vec![SqlStorageValue::String(profile_id)],
                    )?
                    .to_array()?;
                Response::from_json(&found.into_iter().next())
            }
        }
    }
}

#[derive(Deserialize)]
struct KeyRow {
    hash: String,
    body: String,
}

#[derive(Deserialize)]
struct AuditRow {
    seq: i64,
    body: String,
}

fn unreadable(_: serde_json::Error) -> worker::Error {
    worker::Error::RustError("a stored key or audit entry could not be read".into())
}

impl TenantObject {
    fn put_key(&self, info: &KeyInfo, hash: &str) -> worker::Result<()> {
        self.state.storage().sql().exec(
            "INSERT INTO admin_key (id, hash, body) VALUES (?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET body = excluded.body",
            vec![
                SqlStorageValue::String(info.id.clone()),
                SqlStorageValue::String(hash.to_owned()),
                SqlStorageValue::String(serde_json::to_string(info)?),
            ],
        )?;
        Ok(())
    }

    fn key(&self, id: &str) -> worker::Result<Option<(KeyInfo, String)>> {
        let rows: Vec<KeyRow> = self
            .state
            .storage()
            .sql()
            .exec(
                "SELECT hash, body FROM admin_key WHERE id = ?",
                vec![SqlStorageValue::String(id.to_owned())],
            )?
            .to_array()?;
        rows.into_iter()
            .next()
            .map(|row| {
                Ok((
                    serde_json::from_str(&row.body).map_err(unreadable)?,
                    row.hash,
                ))
            })
            .transpose()
    }

    fn keys(&self) -> worker::Result<Vec<KeyInfo>> {
        let rows: Vec<KeyRow> = self
            .state
            .storage()
            .sql()
            .exec("SELECT hash, body FROM admin_key ORDER BY id", None)?
            .to_array()?;
        rows.iter()
            .map(|row| serde_json::from_str(&row.body).map_err(unreadable))
            .collect()
    }

    fn record(&self, entry: &AuditEntry) -> worker::Result<()> {
        self.state.storage().sql().exec(
            "INSERT INTO audit (body) VALUES (?)",
            vec![SqlStorageValue::String(serde_json::to_string(entry)?)],
        )?;
        Ok(())
    }

    fn customers(&self, after: Option<String>) -> worker::Result<CustomerPage> {
        let mut customers: Vec<CustomerEntry> = self
            .state
            .storage()
            .sql()
            .exec(
                "SELECT id, profile_id, updated, version FROM customer
                 WHERE id > ? ORDER BY id LIMIT ?",
                vec![
                    SqlStorageValue::String(after.unwrap_or_default()),
                    SqlStorageValue::Integer(PAGE as i64 + 1),
                ],
            )?
            .to_array()?;
        let next = (customers.len() > PAGE).then(|| customers[PAGE - 1].id.clone());
        customers.truncate(PAGE);
        Ok(CustomerPage { customers, next })
    }

    fn audit(&self, before: Option<i64>) -> worker::Result<AuditPage> {
        let rows: Vec<AuditRow> = self
            .state
            .storage()
            .sql()
            .exec(
                "SELECT seq, body FROM audit WHERE seq < ? ORDER BY seq DESC LIMIT ?",
                vec![
                    SqlStorageValue::Integer(before.unwrap_or(i64::MAX)),
                    SqlStorageValue::Integer(AUDIT_PAGE as i64 + 1),
                ],
            )?
            .to_array()?;
        let next = (rows.len() > AUDIT_PAGE).then(|| rows[AUDIT_PAGE - 1].seq);
        let entries = rows
            .iter()
            .take(AUDIT_PAGE)
            .map(|row| serde_json::from_str(&row.body).map_err(unreadable))
            .collect::<worker::Result<_>>()?;
        Ok(AuditPage { entries, next })
    }
}
