//! The tenant's side of its events: its webhook endpoints and their secrets,
//! the delivery log, and the dead letters. The customers' objects deliver
//! (each from its own outbox) and report here; a dead letter is stored here
//! before its customer's object lets go of it. A replay hands dead letters
//! back to their customers' outboxes from this object's alarm, a batch at a
//! time, and each leaves this list only once its outbox has it.

use super::TenantObject;
use crate::clock::{now_ms, now_rfc3339};
use crate::webhook::{self, Target, Targets};
use profile::events::{Data, Event, EventType, Subject};
use profile::keys::AuditEntry;
use profile::webhooks::{
    CreatedWebhook, DeadLetter, DeadLetterPage, DeliveryPage, DeliveryRecord, DeliveryState,
    LOG_SECONDS, MAX_ENDPOINTS, PAGE, Replay, RotatedSecret, TestDelivery, Webhook, WebhookChange,
    WebhookList, WebhookRequest,
};
use serde::{Deserialize, Serialize};
use worker::SqlStorageValue;

pub const TABLES: [&str; 5] = [
    // `secret` signs; `old_secret` too, until `old_until_ms`.
    "CREATE TABLE IF NOT EXISTS webhook (
        id TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        secret TEXT NOT NULL,
        old_secret TEXT,
        old_until_ms REAL)",
    // The latest of each event's delivery to each endpoint.
    "CREATE TABLE IF NOT EXISTS delivery_log (
        endpoint TEXT NOT NULL,
        event_id TEXT NOT NULL,
        last_ms REAL NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (endpoint, event_id))",
    "CREATE INDEX IF NOT EXISTS delivery_log_last ON delivery_log (last_ms, event_id)",
    "CREATE TABLE IF NOT EXISTS dead_letter (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        endpoint TEXT NOT NULL,
        event_id TEXT NOT NULL,
        replaying INTEGER NOT NULL DEFAULT 0,
        body TEXT NOT NULL,
        UNIQUE (endpoint, event_id))",
    "CREATE INDEX IF NOT EXISTS dead_letter_replaying ON dead_letter (replaying)",
];

/// Dead letters handed back to their outboxes per alarm (a subrequest each).
const REPLAY_BATCH: usize = 30;

/// What is asked of the tenant's webhooks.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HookAsk {
    List,
    Create {
        request: WebhookRequest,
        secret: String,
        actor: String,
    },
    Change {
        id: String,
        change: WebhookChange,
        actor: String,
    },
    Delete {
        id: String,
        actor: String,
    },
    Rotate {
        id: String,
        secret: String,
        keep_seconds: u32,
        actor: String,
    },
    Test {
        id: String,
        tenant: String,
    },
    Deliveries {
        endpoint: Option<String>,
        before: Option<Cursor>,
    },
    DeadLetters {
        id: String,
        after: Option<i64>,
    },
    Replay {
        id: String,
        actor: String,
    },
    /// The endpoints with their secrets, for a customer's outbox.
    Targets {
        tenant: String,
    },
    /// What a customer's outbox did: each line the latest state of one event
    /// to one endpoint; a dead one carries its event.
    Report {
        lines: Vec<Line>,
    },
    /// An erased customer's dead letters that carry codes (by the profile's id).
    PurgeCodes {
        customer: String,
    },
}

/// A place in the delivery log: a last attempt's time and an event's id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    pub last_ms: f64,
    pub event_id: String,
}

impl Cursor {
    pub fn parse(text: &str) -> Option<Cursor> {
        let (ms, event_id) = text.split_once('~')?;
        let last_ms = ms.parse::<u64>().ok()? as f64;
        Some(Cursor {
            last_ms,
            event_id: event_id.to_owned(),
        })
    }

    fn write(&self) -> String {
        format!("{}~{}", self.last_ms as u64, self.event_id)
    }
}

/// One line of an outbox's report.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Line {
    pub record: DeliveryRecord,
    /// The event, when it is dead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct HookRow {
    body: String,
    secret: String,
    old_secret: Option<String>,
    old_until_ms: Option<f64>,
}

#[derive(Deserialize)]
struct Body {
    body: String,
}

#[derive(Deserialize)]
struct Dead {
    seq: i64,
    body: String,
}

fn json<T: Serialize>(value: &T) -> worker::Result<SqlStorageValue> {
    Ok(SqlStorageValue::String(serde_json::to_string(value)?))
}

fn text(value: &str) -> SqlStorageValue {
    SqlStorageValue::String(value.to_owned())
}

fn read<T: serde::de::DeserializeOwned>(body: &str) -> worker::Result<T> {
    serde_json::from_str(body).map_err(super::unreadable)
}

fn rfc3339(ms: f64) -> String {
    crate::clock::rfc3339(ms)
}

impl TenantObject {
    pub(super) async fn hooks(&self, ask: HookAsk) -> worker::Result<serde_json::Value> {
        let answer = match ask {
            HookAsk::List => serde_json::to_value(WebhookList {
                webhooks: self.webhooks()?,
            })?,
            HookAsk::Create {
                request,
                secret,
                actor,
            } => {
                if self.webhooks()?.len() >= MAX_ENDPOINTS {
                    return Ok(serde_json::Value::Null);
                }
                let id: String = uuid::Uuid::new_v4().simple().to_string()[..16].to_owned();
                let webhook = Webhook {
                    id: id.clone(),
                    url: request.url,
                    event_types: request.event_types,
                    created: now_rfc3339(),
                    old_secret_expires: None,
                };
                self.sql().exec(
                    "INSERT INTO webhook (id, body, secret) VALUES (?, ?, ?)",
                    vec![text(&id), json(&webhook)?, text(&secret)],
                )?;
                self.audit_hook(&actor, "webhook.created", &webhook)?;
                serde_json::to_value(CreatedWebhook { webhook, secret })?
            }
            HookAsk::Change { id, change, actor } => {
                let Some((mut webhook, _)) = self.webhook(&id)? else {
                    return Ok(serde_json::Value::Null);
                };
                if let Some(url) = change.url {
                    webhook.url = url;
                }
                if let Some(types) = change.event_types {
                    webhook.event_types = types;
                }
                self.sql().exec(
                    "UPDATE webhook SET body = ? WHERE id = ?",
                    vec![json(&webhook)?, text(&id)],
                )?;
                self.audit_hook(&actor, "webhook.changed", &webhook)?;
                serde_json::to_value(webhook)?
            }
            HookAsk::Delete { id, actor } => {
                let Some((webhook, _)) = self.webhook(&id)? else {
                    return Ok(serde_json::Value::Bool(false));
                };
                let sql = self.sql();
                sql.exec("DELETE FROM webhook WHERE id = ?", vec![text(&id)])?;
                sql.exec(
                    "DELETE FROM dead_letter WHERE endpoint = ?",
                    vec![text(&id)],
                )?;
                self.audit_hook(&actor, "webhook.deleted", &webhook)?;
                serde_json::Value::Bool(true)
            }
            HookAsk::Rotate {
                id,
                secret,
                keep_seconds,
                actor,
            } => {
                let Some((mut webhook, row)) = self.webhook(&id)? else {
                    return Ok(serde_json::Value::Null);
                };
                let until_ms = now_ms() + f64::from(keep_seconds) * 1000.0;
                webhook.old_secret_expires = (keep_seconds > 0).then(|| rfc3339(until_ms));
                self.sql().exec(
                    "UPDATE webhook SET body = ?, secret = ?, old_secret = ?, old_until_ms = ?
                     WHERE id = ?",
                    vec![
                        json(&webhook)?,
                        text(&secret),
                        text(&row.secret),
                        SqlStorageValue::Float(until_ms),
                        text(&id),
                    ],
                )?;
                self.audit_hook(&actor, "webhook.secret_rotated", &webhook)?;
                serde_json::to_value(RotatedSecret {
                    secret,
                    old_secret_expires: webhook.old_secret_expires,
                })?
            }
            HookAsk::Test { id, tenant } => match self.test(&id, &tenant).await? {
                Some(tested) => serde_json::to_value(tested)?,
                None => serde_json::Value::Null,
            },
            HookAsk::Deliveries { endpoint, before } => {
                serde_json::to_value(self.deliveries(endpoint, before)?)?
            }
            HookAsk::DeadLetters { id, after } => match self.webhook(&id)? {
                Some(_) => serde_json::to_value(self.dead_letters(&id, after)?)?,
                None => serde_json::Value::Null,
            },
            HookAsk::Replay { id, actor } => {
                let Some((webhook, _)) = self.webhook(&id)? else {
                    return Ok(serde_json::Value::Null);
                };
                let sql = self.sql();
                sql.exec(
                    "UPDATE dead_letter SET replaying = 1 WHERE endpoint = ?",
                    vec![text(&id)],
                )?;
                #[derive(Deserialize)]
                struct Count {
                    n: i64,
                }
                let count: Vec<Count> = sql
                    .exec(
                        "SELECT count(*) AS n FROM dead_letter WHERE endpoint = ? AND replaying = 1",
                        vec![text(&id)],
                    )?
                    .to_array()?;
                let replaying = count.first().map_or(0, |c| c.n) as u32;
                self.audit_hook(&actor, "webhook.replayed", &webhook)?;
                if replaying > 0 {
                    self.state.storage().set_alarm(0i64).await?;
                }
                serde_json::to_value(Replay { replaying })?
            }
            HookAsk::Targets { tenant } => serde_json::to_value(self.targets(&tenant).await?)?,
            HookAsk::Report { lines } => {
                self.report(lines)?;
                serde_json::Value::Bool(true)
            }
            HookAsk::PurgeCodes { customer } => {
                self.sql().exec(
                    "DELETE FROM dead_letter WHERE json_extract(body, '$.event.type') = ?
                     AND json_extract(body, '$.event.customer.id') = ?",
                    vec![
                        text(profile::events::EventType::EmailVerificationRequested.as_str()),
                        text(&customer),
                    ],
                )?;
                serde_json::Value::Bool(true)
            }
        };
        Ok(answer)
    }

    fn sql(&self) -> worker::SqlStorage {
        self.state.storage().sql()
    }

    fn audit_hook(&self, actor: &str, action: &str, webhook: &Webhook) -> worker::Result<()> {
        self.record(&AuditEntry {
            at: now_rfc3339(),
            actor: actor.to_owned(),
            action: action.to_owned(),
            detail: serde_json::json!({"webhook": webhook.id, "url": webhook.url}),
        })
    }

    fn webhook(&self, id: &str) -> worker::Result<Option<(Webhook, HookRow)>> {
        let rows: Vec<HookRow> = self
            .sql()
            .exec(
                "SELECT body, secret, old_secret, old_until_ms FROM webhook WHERE id = ?",
                vec![text(id)],
            )?
            .to_array()?;
        rows.into_iter()
            .next()
            .map(|row| Ok((read(&row.body)?, row)))
            .transpose()
    }

    fn webhooks(&self) -> worker::Result<Vec<Webhook>> {
        let rows: Vec<Body> = self
            .sql()
            .exec("SELECT body FROM webhook ORDER BY id", None)?
            .to_array()?;
        rows.iter().map(|row| read(&row.body)).collect()
    }

    fn target(webhook: Webhook, row: HookRow) -> Target {
        let mut secrets = vec![row.secret];
        if let (Some(old), Some(until)) = (row.old_secret, row.old_until_ms)
            && until > now_ms()
        {
            secrets.push(old);
        }
        Target {
            id: webhook.id,
            url: webhook.url,
            event_types: webhook.event_types,
            secrets,
        }
    }

    async fn targets(&self, tenant: &str) -> worker::Result<Targets> {
        let rows: Vec<HookRow> = self
            .sql()
            .exec(
                "SELECT body, secret, old_secret, old_until_ms FROM webhook",
                None,
            )?
            .to_array()?;
        let endpoints = rows
            .into_iter()
            .map(|row| Ok(Self::target(read(&row.body)?, row)))
            .collect::<worker::Result<Vec<_>>>()?;
        let settings = match self.config(tenant).await? {
            Some(versioned) => versioned.config.webhooks,
            None => Default::default(),
        };
        Ok(Targets {
            endpoints,
            settings,
        })
    }

    /// Sends a `webhook.test.v1` event to the endpoint once, logs and answers what came of it.
    async fn test(&self, id: &str, tenant: &str) -> worker::Result<Option<TestDelivery>> {
        let Some((webhook, row)) = self.webhook(id)? else {
            return Ok(None);
        };
        let settings = self.targets(tenant).await?.settings;
        let event = Event {
            id: crate::customer::outbox::new_event_id(),
            kind: EventType::Test,
            tenant: tenant.to_owned(),
            customer: Subject {
                id: String::new(),
                external_id: String::new(),
            },
            version: 0,
            at: now_rfc3339(),
            data: Data::Nothing {},
        };
        let body = serde_json::to_string(&event)?;
        let target = Self::target(webhook, row);
        let attempt = webhook::attempt(&target, &event.id, &body, settings.timeout_seconds).await;
        let record = DeliveryRecord {
            endpoint: target.id,
            event_id: event.id.clone(),
            event_type: EventType::Test,
            customer: String::new(),
            attempts: 1,
            state: if attempt.delivered {
                DeliveryState::Delivered
            } else {
                DeliveryState::Dead
            },
            status_code: attempt.status_code,
            last_error: attempt.error.clone(),
            last_attempt: now_rfc3339(),
            next_attempt: None,
        };
        self.log(&record)?;
        Ok(Some(TestDelivery {
            event_id: event.id,
            delivered: attempt.delivered,
            status_code: attempt.status_code,
            error: attempt.error,
        }))
    }

    fn log(&self, record: &DeliveryRecord) -> worker::Result<()> {
        self.sql().exec(
            "INSERT INTO delivery_log (endpoint, event_id, last_ms, body) VALUES (?, ?, ?, ?)
             ON CONFLICT (endpoint, event_id) DO UPDATE SET
                last_ms = excluded.last_ms, body = excluded.body",
            vec![
                text(&record.endpoint),
                text(&record.event_id),
                SqlStorageValue::Float(now_ms()),
                json(record)?,
            ],
        )?;
        Ok(())
    }

    /// Takes an outbox's report: the log, and the dead letters, kept before
    /// the outbox lets go of them. Entries past the log's week are dropped.
    fn report(&self, lines: Vec<Line>) -> worker::Result<()> {
        let sql = self.sql();
        for line in lines {
            // An endpoint deleted meanwhile keeps nothing.
            if self.webhook(&line.record.endpoint)?.is_none() {
                continue;
            }
            self.log(&line.record)?;
            if let (DeliveryState::Dead, Some(event)) = (line.record.state, line.event) {
                let dead = DeadLetter {
                    endpoint: line.record.endpoint.clone(),
                    event,
                    attempts: line.record.attempts,
                    last_error: line.record.last_error.clone(),
                    dead_since: line.record.last_attempt.clone(),
                    replaying: false,
                };
                sql.exec(
                    "INSERT INTO dead_letter (endpoint, event_id, body) VALUES (?, ?, ?)
                     ON CONFLICT (endpoint, event_id) DO UPDATE SET
                        body = excluded.body, replaying = 0",
                    vec![
                        text(&dead.endpoint),
                        text(&line.record.event_id),
                        json(&dead)?,
                    ],
                )?;
            }
        }
        sql.exec(
            "DELETE FROM delivery_log WHERE last_ms < ?",
            vec![SqlStorageValue::Float(
                now_ms() - LOG_SECONDS as f64 * 1000.0,
            )],
        )?;
        Ok(())
    }

    fn deliveries(
        &self,
        endpoint: Option<String>,
        before: Option<Cursor>,
    ) -> worker::Result<DeliveryPage> {
        #[derive(Deserialize)]
        struct Logged {
            last_ms: f64,
            event_id: String,
            body: String,
        }
        let before = before.unwrap_or(Cursor {
            last_ms: f64::MAX,
            event_id: String::new(),
        });
        let all = endpoint.is_none();
        let rows: Vec<Logged> = self
            .sql()
            .exec(
                "SELECT last_ms, event_id, body FROM delivery_log
                 WHERE (? OR endpoint = ?)
                   AND (last_ms < ? OR (last_ms = ? AND event_id < ?))
                 ORDER BY last_ms DESC, event_id DESC LIMIT ?",
                vec![
                    SqlStorageValue::Integer(i64::from(all)),
                    text(&endpoint.unwrap_or_default()),
                    SqlStorageValue::Float(before.last_ms),
                    SqlStorageValue::Float(before.last_ms),
                    text(&before.event_id),
                    SqlStorageValue::Integer(PAGE as i64 + 1),
                ],
            )?
            .to_array()?;
        let more = rows.len() > PAGE;
        let rows = &rows[..rows.len().min(PAGE)];
        let next = more.then(|| rows.last()).flatten().map(|row| {
            Cursor {
                last_ms: row.last_ms.floor(),
                event_id: row.event_id.clone(),
            }
            .write()
        });
        Ok(DeliveryPage {
            deliveries: rows
                .iter()
                .map(|row| read(&row.body))
                .collect::<worker::Result<_>>()?,
            next,
        })
    }

    fn dead_letters(&self, id: &str, after: Option<i64>) -> worker::Result<DeadLetterPage> {
        let rows: Vec<Dead> = self
            .sql()
            .exec(
                "SELECT seq, body FROM dead_letter WHERE endpoint = ? AND seq > ?
                 ORDER BY seq LIMIT ?",
                vec![
                    text(id),
                    SqlStorageValue::Integer(after.unwrap_or(0)),
                    SqlStorageValue::Integer(PAGE as i64 + 1),
                ],
            )?
            .to_array()?;
        let more = rows.len() > PAGE;
        let rows = &rows[..rows.len().min(PAGE)];
        let next = more
            .then(|| rows.last())
            .flatten()
            .map(|row| row.seq.to_string());
        let dead_letters = rows
            .iter()
            .map(|row| read(&row.body))
            .collect::<worker::Result<Vec<DeadLetter>>>()?;
        Ok(DeadLetterPage { dead_letters, next })
    }

    /// The alarm's part: hands a batch of dead letters being replayed back to
    /// their customers' outboxes; each leaves the list once its outbox has
    /// it. `true` if more are waiting.
    pub(super) async fn replay_some(&self) -> worker::Result<bool> {
        let rows: Vec<Dead> = self
            .sql()
            .exec(
                "SELECT seq, body FROM dead_letter WHERE replaying = 1 ORDER BY seq LIMIT ?",
                vec![SqlStorageValue::Integer(REPLAY_BATCH as i64 + 1)],
            )?
            .to_array()?;
        let more = rows.len() > REPLAY_BATCH;
        for row in rows.iter().take(REPLAY_BATCH) {
            let dead: DeadLetter = read(&row.body)?;
            // An expired code is useless to its customer: it leaves unsent.
            if !profile::events::code_expired(&dead.event, &now_rfc3339()) {
                crate::customer::requeue(&self.env, &dead.event, &dead.endpoint).await?;
            }
            self.sql().exec(
                "DELETE FROM dead_letter WHERE seq = ? AND replaying = 1",
                vec![SqlStorageValue::Integer(row.seq)],
            )?;
        }
        Ok(more)
    }
}
