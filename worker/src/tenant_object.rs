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
//! It is the source of truth of the tenant's configuration and its version
//! (the ETag of `/v1/tenants/{tenant}` and `/rules`): a change is checked
//! against `If-Match`, stored with its audit entry, then written to Workers
//! KV, the copy every request reads. Only then does the object await, so two
//! changes cannot both pass one version. A KV write that fails is retried by
//! the object's alarm. A tenant stored before this object existed is taken
//! over from KV on its first change or read.
//!
//! It also holds the tenant's index of customers (for listing them and for
//! `id:<profile id>`): each customer's object tells it what its profile is
//! after every change, from an alarm that the platform retries until it
//! succeeds (see `crate::customer`). An entry is replaced only by a newer
//! version of the same profile, or by a new profile of the customer, so
//! answers arriving out of order cannot undo each other.

pub mod webhooks;

use crate::clock::now_ms;
use crate::tenant::TenantConfig;
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
        /// The profile's `shop_id`, if it has one.
        #[serde(default)]
        shop_id: Option<String>,
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
    /// The customer with this id in the tenant's web shop.
    FindShop {
        shop_id: String,
    },
    /// The tenant's configuration and its version.
    Config {
        tenant: String,
    },
    /// Changes the configuration if `if_match` (an `If-Match` header) names
    /// its version, or comes without one.
    Configure {
        tenant: String,
        change: Change,
        if_match: Option<String>,
        actor: String,
    },
    /// An `Idempotency-Key` of a write that is not one customer's.
    Key(crate::idempotency::KeyAsk),
    /// The tenant's webhooks.
    Hooks(webhooks::HookAsk),
}

/// A change of a tenant's configuration.
#[derive(Serialize, Deserialize)]
pub enum Change {
    /// The operator's whole configuration.
    Whole(Box<TenantConfig>),
    /// Only the rules, by an admin key with `rules:write`.
    Rules(Box<profile::TenantRules>),
}

/// A configuration and its version.
#[derive(Serialize, Deserialize)]
pub struct Versioned {
    pub version: u64,
    pub config: TenantConfig,
}

impl Versioned {
    pub fn etag(&self) -> String {
        format!("\"c{}\"", self.version)
    }
}

/// What a change came to.
#[derive(Serialize, Deserialize)]
pub enum Configured {
    Stored(Box<Versioned>),
    /// `If-Match` named another version; the current one's ETag, if any.
    Stale(Option<String>),
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
    env: Env,
}

impl DurableObject for TenantObject {
    fn new(state: State, env: Env) -> Self {
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
            // The customer's id in the tenant's web shop, for the e-commerce
            // platform's adapter (003), which may name a customer by it.
            "CREATE TABLE IF NOT EXISTS customer_shop (
                id TEXT PRIMARY KEY,
                shop_id TEXT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS customer_by_shop ON customer_shop (shop_id)",
            "CREATE TABLE IF NOT EXISTS config (
                slot INTEGER PRIMARY KEY CHECK (slot = 1),
                tenant TEXT NOT NULL,
                version INTEGER NOT NULL,
                body TEXT NOT NULL)",
            crate::idempotency::TABLE,
            // A row while KV lacks the stored configuration (a write failed).
            "CREATE TABLE IF NOT EXISTS kv_behind (slot INTEGER PRIMARY KEY CHECK (slot = 1))",
        ]
        .into_iter()
        .chain(webhooks::TABLES)
        {
            sql.exec(table, None).expect("creating the tenant tables");
        }
        Self { state, env }
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
            Ask::Key(ask) => {
                let sql = self.state.storage().sql();
                Response::from_json(&crate::idempotency::answer(&sql, ask, now_ms())?)
            }
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
            Ask::Index { entry, shop_id } => {
                let sql = self.state.storage().sql();
                let id = SqlStorageValue::String(entry.id.clone());
                match shop_id {
                    Some(shop_id) => sql.exec(
                        "INSERT OR REPLACE INTO customer_shop (id, shop_id) VALUES (?, ?)",
                        vec![id, SqlStorageValue::String(shop_id)],
                    )?,
                    None => sql.exec("DELETE FROM customer_shop WHERE id = ?", vec![id])?,
                };
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
                    "DELETE FROM customer_shop WHERE id = ?
                        AND id IN (SELECT id FROM customer WHERE profile_id = ?)",
                    vec![
                        SqlStorageValue::String(id.clone()),
                        SqlStorageValue::String(profile_id.clone()),
                    ],
                )?;
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
            Ask::Hooks(ask) => Response::from_json(&self.hooks(ask).await?),
            Ask::Config { tenant } => Response::from_json(&self.config(&tenant).await?),
            Ask::Configure {
                tenant,
                change,
                if_match,
                actor,
            } => Response::from_json(&self.configure(&tenant, change, if_match, actor).await?),
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
            Ask::FindShop { shop_id } => {
                let found: Vec<CustomerEntry> = self
                    .state
                    .storage()
                    .sql()
                    .exec(
                        "SELECT c.id, c.profile_id, c.updated, c.version
                         FROM customer_shop s JOIN customer c ON c.id = s.id
                         WHERE s.shop_id = ? ORDER BY c.id LIMIT 1",
                        vec![SqlStorageValue::String(shop_id)],
                    )?
                    .to_array()?;
                Response::from_json(&found.into_iter().next())
            }
        }
    }

    /// Writes the configuration to KV again after a write that failed, and
    /// hands dead letters being replayed back to their outboxes.
    async fn alarm(&self) -> worker::Result<Response> {
        let sql = self.state.storage().sql();
        let behind: Vec<serde_json::Value> =
            sql.exec("SELECT slot FROM kv_behind", None)?.to_array()?;
        if !behind.is_empty()
            && let Some((tenant, versioned)) = self.stored_config()?
        {
            crate::tenant::store(&self.env, &tenant, &versioned.config)
                .await
                .map_err(|_| worker::Error::RustError("KV could not be written".into()))?;
            sql.exec("DELETE FROM kv_behind", None)?;
        }
        if self.replay_some().await? {
            self.state.storage().set_alarm(0i64).await?;
        }
        Response::ok("done")
    }
}

#[derive(Deserialize)]
struct ConfigRow {
    tenant: String,
    version: i64,
    body: String,
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

    fn stored_config(&self) -> worker::Result<Option<(String, Versioned)>> {
        let rows: Vec<ConfigRow> = self
            .state
            .storage()
            .sql()
            .exec(
                "SELECT tenant, version, body FROM config WHERE slot = 1",
                None,
            )?
            .to_array()?;
        rows.into_iter()
            .next()
            .map(|row| {
                let config = serde_json::from_str(&row.body).map_err(unreadable)?;
                let version = row.version as u64;
                Ok((row.tenant, Versioned { version, config }))
            })
            .transpose()
    }

    fn store_config(&self, tenant: &str, versioned: &Versioned) -> worker::Result<()> {
        self.state.storage().sql().exec(
            "INSERT INTO config (slot, tenant, version, body) VALUES (1, ?, ?, ?)
             ON CONFLICT (slot) DO UPDATE SET version = excluded.version, body = excluded.body",
            vec![
                SqlStorageValue::String(tenant.to_owned()),
                SqlStorageValue::Integer(versioned.version as i64),
                SqlStorageValue::String(serde_json::to_string(&versioned.config)?),
            ],
        )?;
        Ok(())
    }

    /// The configuration: stored here, or taken over from KV (version 1).
    async fn config(&self, tenant: &str) -> worker::Result<Option<Versioned>> {
        if let Some((_, versioned)) = self.stored_config()? {
            return Ok(Some(versioned));
        }
        let in_kv = crate::tenant::load(&self.env, tenant)
            .await
            .map_err(|_| worker::Error::RustError("KV could not be read".into()))?;
        // Another request may have taken it over while KV answered.
        if let Some((_, versioned)) = self.stored_config()? {
            return Ok(Some(versioned));
        }
        let Some(in_kv) = in_kv else {
            return Ok(None);
        };
        let versioned = Versioned {
            version: 1,
            config: TenantConfig::clone(&in_kv),
        };
        self.store_config(tenant, &versioned)?;
        Ok(Some(versioned))
    }

    async fn configure(
        &self,
        tenant: &str,
        change: Change,
        if_match: Option<String>,
        actor: String,
    ) -> worker::Result<Configured> {
        let current = self.config(tenant).await?;
        // From here to the stored version nothing awaits.
        if let Some(if_match) = &if_match {
            let matches = current
                .as_ref()
                .is_some_and(|c| crate::conditional::if_match(if_match, &c.etag()));
            if !matches {
                return Ok(Configured::Stale(current.map(|c| c.etag())));
            }
        }
        let (config, action) = match (change, current.as_ref()) {
            (Change::Whole(config), _) => (*config, "tenant.changed"),
            (Change::Rules(rules), Some(current)) => {
                let mut config = current.config.clone();
                config.rules = *rules;
                (config, "rules.changed")
            }
            (Change::Rules(_), None) => return Ok(Configured::Stale(None)),
        };
        let versioned = Versioned {
            version: current.map_or(1, |c| c.version + 1),
            config,
        };
        self.store_config(tenant, &versioned)?;
        self.record(&AuditEntry {
            at: crate::clock::now_rfc3339(),
            actor,
            action: action.into(),
            detail: serde_json::json!({"version": versioned.version}),
        })?;
        if crate::tenant::store(&self.env, tenant, &versioned.config)
            .await
            .is_err()
        {
            self.state
                .storage()
                .sql()
                .exec("INSERT OR IGNORE INTO kv_behind (slot) VALUES (1)", None)?;
            self.state.storage().set_alarm(1000i64).await?;
        }
        Ok(Configured::Stored(Box::new(versioned)))
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
