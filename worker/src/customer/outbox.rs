//! The customer's outbox: every change's events are stored in the same
//! transaction as the change (see `rights::commit_with`), so no
//! acknowledged change is without its events. The object's alarm delivers
//! them: it asks the tenant's object for the endpoints, makes one delivery
//! per event and endpoint that wants its type, and sends what is due, each
//! endpoint's in order and the endpoints side by side, each attempt with the
//! tenant's timeout. A delivery leaves only when the endpoint took it, or
//! once the tenant's object holds it as a dead letter. The alarm survives a
//! restart of workerd; before sending, the object sets it for after the
//! attempts' timeout, so a process killed mid-send tries again.

use super::CustomerObject;
use crate::atomic::{Statement, all_or_nothing};
use crate::clock::{now_ms, rfc3339};
use crate::tenant_object::webhooks::{HookAsk, Line};
use crate::tenant_object::{self, Ask};
use crate::webhook::{self, Attempt, Target, Targets};
use futures_util::future::join_all;
use profile::events::{Event, EventType, code_expired};
use profile::webhooks::{DeliveryRecord, DeliveryState};
use serde::Deserialize;
use serde_json::Value;
use worker::SqlStorageValue;

pub const TABLES: [&str; 5] = [
    // `fanned`: its deliveries (one per endpoint that wants it) are made.
    "CREATE TABLE IF NOT EXISTS outbox (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        tenant TEXT NOT NULL,
        type TEXT NOT NULL,
        body TEXT NOT NULL,
        fanned INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS outbox_delivery (
        event_id TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_ms REAL NOT NULL,
        PRIMARY KEY (event_id, endpoint))",
    "CREATE INDEX IF NOT EXISTS outbox_due ON outbox_delivery (next_ms)",
    // What the tenant's object has not yet been told; a dead delivery's line carries its event.
    "CREATE TABLE IF NOT EXISTS outbox_report (
        event_id TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        tenant TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (event_id, endpoint))",
    "CREATE INDEX IF NOT EXISTS outbox_report_tenant ON outbox_report (tenant)",
];

/// Attempts per alarm: each is a subrequest, and the Free plan allows 50 per
/// invocation (the index, the endpoints and the report take a few).
const BATCH: usize = 30;
/// Report lines sent to the tenant's object at once.
const REPORT_BATCH: usize = 200;
/// Beyond the timeout, how long a killed process's attempts wait to be tried again.
const LEASE_MARGIN_MS: f64 = 5000.0;

/// A new event's id: `evt_` and 32 hex digits; the receiver's idempotency key.
pub fn new_event_id() -> String {
    format!("evt_{}", uuid::Uuid::new_v4().simple())
}

/// The statements that put `events` in the outbox.
pub(super) fn enqueue(events: &[Event]) -> worker::Result<Vec<Statement>> {
    events
        .iter()
        .map(|event| {
            Ok((
                "INSERT OR IGNORE INTO outbox (id, tenant, type, body) VALUES (?, ?, ?, ?)",
                vec![
                    SqlStorageValue::String(event.id.clone()),
                    SqlStorageValue::String(event.tenant.clone()),
                    SqlStorageValue::String(event.kind.as_str().to_owned()),
                    SqlStorageValue::String(serde_json::to_string(event)?),
                ],
            ))
        })
        .collect()
}

/// Removes the customer's dead letters that carry codes (on erasure).
pub(super) async fn purge_codes(
    env: &worker::Env,
    profile: &profile::Profile,
) -> worker::Result<()> {
    let ask = Ask::Hooks(HookAsk::PurgeCodes {
        customer: profile.id.clone(),
    });
    let _: bool = tenant_object::ask(env, &profile.tenant, &ask).await?;
    Ok(())
}

#[derive(Deserialize)]
struct Unfanned {
    id: String,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize, Clone)]
struct Due {
    event_id: String,
    endpoint: String,
    attempts: i64,
    body: String,
}

#[derive(Deserialize)]
struct Tenant {
    tenant: String,
}

#[derive(Deserialize)]
struct Next {
    next_ms: f64,
}

#[derive(Deserialize)]
struct Reported {
    event_id: String,
    endpoint: String,
    body: String,
}

impl CustomerObject {
    /// Puts `event` back in the outbox for `endpoint` alone, as new (a dead letter's replay).
    pub(super) async fn requeue(&self, event: &Value, endpoint: &str) -> worker::Result<()> {
        let member =
            |name: &str| SqlStorageValue::String(event[name].as_str().unwrap_or_default().into());
        let statements = vec![
            (
                "INSERT OR IGNORE INTO outbox (id, tenant, type, body, fanned)
                 VALUES (?, ?, ?, ?, 1)",
                vec![
                    member("id"),
                    member("tenant"),
                    member("type"),
                    SqlStorageValue::String(event.to_string()),
                ],
            ),
            (
                "INSERT OR REPLACE INTO outbox_delivery (event_id, endpoint, attempts, next_ms)
                 VALUES (?, ?, 0, 0)",
                vec![member("id"), SqlStorageValue::String(endpoint.to_owned())],
            ),
        ];
        all_or_nothing(&self.object, statements)?;
        self.index_soon().await
    }

    /// The alarm's part: delivers what is due. Answers when the next
    /// delivery is due (ms since 1970), if any.
    pub(super) async fn deliver_events(&self) -> worker::Result<Option<f64>> {
        let sql = self.state.storage().sql();
        let tenants: Vec<Tenant> = sql
            .exec(
                "SELECT tenant FROM outbox UNION SELECT tenant FROM outbox_report LIMIT 1",
                None,
            )?
            .to_array()?;
        let Some(Tenant { tenant }) = tenants.into_iter().next() else {
            return Ok(None);
        };
        let now = now_ms();
        let unfanned: Vec<Unfanned> = sql
            .exec(
                "SELECT id, type FROM outbox WHERE fanned = 0 ORDER BY seq",
                None,
            )?
            .to_array()?;
        let idle = self.due(now, 1)?.is_empty() && unfanned.is_empty();
        if idle && !self.reports_waiting()? {
            return self.next_due();
        }
        let ask = Ask::Hooks(HookAsk::Targets {
            tenant: tenant.clone(),
        });
        let targets: Targets = tenant_object::ask(&self.env, &tenant, &ask).await?;
        self.fan_out(&unfanned, &targets.endpoints)?;
        let due = self.due(now_ms(), BATCH)?;
        if !due.is_empty() {
            let lease = f64::from(targets.settings.timeout_seconds) * 1000.0 + LEASE_MARGIN_MS;
            self.state.storage().set_alarm(lease as i64).await?;
            let outcomes = send_all(&targets, &due).await;
            self.settle(&tenant, &targets, outcomes)?;
        }
        // A failed report stays for the next alarm.
        let _ = self.report(&tenant).await;
        let more = self.due(now_ms(), 1)?;
        if !more.is_empty() || self.reports_waiting()? {
            return Ok(Some(now_ms() + if more.is_empty() { 5000.0 } else { 0.0 }));
        }
        self.next_due()
    }

    fn due(&self, now: f64, limit: usize) -> worker::Result<Vec<Due>> {
        self.state
            .storage()
            .sql()
            .exec(
                "SELECT d.event_id, d.endpoint, d.attempts, o.body
                 FROM outbox_delivery d JOIN outbox o ON o.id = d.event_id
                 WHERE d.next_ms <= ? ORDER BY o.seq LIMIT ?",
                vec![
                    SqlStorageValue::Float(now),
                    SqlStorageValue::Integer(limit as i64),
                ],
            )?
            .to_array()
    }

    fn next_due(&self) -> worker::Result<Option<f64>> {
        let next: Vec<Next> = self
            .state
            .storage()
            .sql()
            .exec(
                "SELECT next_ms FROM outbox_delivery ORDER BY next_ms LIMIT 1",
                None,
            )?
            .to_array()?;
        Ok(next.first().map(|n| n.next_ms))
    }

    fn reports_waiting(&self) -> worker::Result<bool> {
        let rows: Vec<Reported> = self
            .state
            .storage()
            .sql()
            .exec(
                "SELECT event_id, endpoint, body FROM outbox_report LIMIT 1",
                None,
            )?
            .to_array()?;
        Ok(!rows.is_empty())
    }

    /// Makes each new event's deliveries, drops those of endpoints that are
    /// gone, and events left with none.
    fn fan_out(&self, unfanned: &[Unfanned], endpoints: &[Target]) -> worker::Result<()> {
        let mut statements: Vec<Statement> = Vec::new();
        for event in unfanned {
            let kind = EventType::parse(&event.kind);
            for target in endpoints
                .iter()
                .filter(|t| kind.is_some_and(|k| t.wants(k)))
            {
                statements.push((
                    "INSERT OR IGNORE INTO outbox_delivery (event_id, endpoint, attempts, next_ms)
                     VALUES (?, ?, 0, 0)",
                    vec![
                        SqlStorageValue::String(event.id.clone()),
                        SqlStorageValue::String(target.id.clone()),
                    ],
                ));
            }
            statements.push((
                "UPDATE outbox SET fanned = 1 WHERE id = ?",
                vec![SqlStorageValue::String(event.id.clone())],
            ));
        }
        all_or_nothing(&self.object, statements)?;
        let sql = self.state.storage().sql();
        let known = serde_json::to_string(&endpoints.iter().map(|t| &t.id).collect::<Vec<_>>())?;
        sql.exec(
            "DELETE FROM outbox_delivery WHERE endpoint NOT IN (SELECT value FROM json_each(?))",
            vec![SqlStorageValue::String(known)],
        )?;
        sql.exec(
            "DELETE FROM outbox WHERE fanned = 1
               AND id NOT IN (SELECT event_id FROM outbox_delivery)",
            None,
        )?;
        Ok(())
    }

    /// Stores what the attempts came to, with their report lines, in one transaction.
    fn settle(
        &self,
        tenant: &str,
        targets: &Targets,
        outcomes: Vec<(Due, Attempt)>,
    ) -> worker::Result<()> {
        let now = now_ms();
        let mut statements: Vec<Statement> = Vec::new();
        for (due, attempt) in outcomes {
            // Read as JSON, not as `Event` (see `DeadLetter::event`).
            let event: Value = serde_json::from_str(&due.body)?;
            let kind = EventType::parse(event["type"].as_str().unwrap_or_default())
                .ok_or_else(|| worker::Error::RustError("an event without its type".into()))?;
            let attempts = due.attempts as u32 + 1;
            // A code that no longer works is not tried again, nor kept.
            let expired = !attempt.delivered && code_expired(&event, &rfc3339(now));
            let key = || {
                vec![
                    SqlStorageValue::String(due.event_id.clone()),
                    SqlStorageValue::String(due.endpoint.clone()),
                ]
            };
            let wait = targets.settings.wait_after(attempts);
            let (state, next_ms) = match (attempt.delivered, wait) {
                (true, _) => (DeliveryState::Delivered, None),
                (false, _) if expired => (DeliveryState::Dead, None),
                (false, Some(wait)) => (
                    DeliveryState::Retrying,
                    Some(now + f64::from(wait) * 1000.0),
                ),
                (false, None) => (DeliveryState::Dead, None),
            };
            match next_ms {
                Some(next_ms) => {
                    let mut values = vec![
                        SqlStorageValue::Integer(i64::from(attempts)),
                        SqlStorageValue::Float(next_ms),
                    ];
                    values.extend(key());
                    statements.push((
                        "UPDATE outbox_delivery SET attempts = ?, next_ms = ?
                         WHERE event_id = ? AND endpoint = ?",
                        values,
                    ));
                }
                None => statements.push((
                    "DELETE FROM outbox_delivery WHERE event_id = ? AND endpoint = ?",
                    key(),
                )),
            }
            let line = Line {
                record: DeliveryRecord {
                    endpoint: due.endpoint.clone(),
                    event_id: due.event_id.clone(),
                    event_type: kind,
                    customer: event["customer"]["external_id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    attempts,
                    state,
                    status_code: attempt.status_code,
                    last_error: attempt.error,
                    last_attempt: rfc3339(now),
                    next_attempt: next_ms.map(rfc3339),
                },
                event: (state == DeliveryState::Dead && !expired).then_some(event),
            };
            let mut values = key();
            values.push(SqlStorageValue::String(tenant.to_owned()));
            values.push(SqlStorageValue::String(serde_json::to_string(&line)?));
            statements.push((
                "INSERT OR REPLACE INTO outbox_report (event_id, endpoint, tenant, body)
                 VALUES (?, ?, ?, ?)",
                values,
            ));
        }
        statements.push((
            "DELETE FROM outbox WHERE fanned = 1
               AND id NOT IN (SELECT event_id FROM outbox_delivery)",
            Vec::new(),
        ));
        all_or_nothing(&self.object, statements)
    }

    /// Tells the tenant's object what happened; the lines it took are dropped.
    async fn report(&self, tenant: &str) -> worker::Result<()> {
        let sql = self.state.storage().sql();
        let rows: Vec<Reported> = sql
            .exec(
                "SELECT event_id, endpoint, body FROM outbox_report WHERE tenant = ? LIMIT ?",
                vec![
                    SqlStorageValue::String(tenant.to_owned()),
                    SqlStorageValue::Integer(REPORT_BATCH as i64),
                ],
            )?
            .to_array()?;
        if rows.is_empty() {
            return Ok(());
        }
        let lines = rows
            .iter()
            .map(|row| serde_json::from_str(&row.body))
            .collect::<Result<Vec<Line>, _>>()?;
        let ask = Ask::Hooks(HookAsk::Report { lines });
        let _: bool = tenant_object::ask(&self.env, tenant, &ask).await?;
        // Only the lines sent: an attempt settled meanwhile wrote a newer one.
        let statements = rows
            .into_iter()
            .map(|row| {
                (
                    "DELETE FROM outbox_report WHERE event_id = ? AND endpoint = ? AND body = ?",
                    vec![
                        SqlStorageValue::String(row.event_id),
                        SqlStorageValue::String(row.endpoint),
                        SqlStorageValue::String(row.body),
                    ],
                )
            })
            .collect();
        all_or_nothing(&self.object, statements)
    }
}

/// Sends the due deliveries: each endpoint's in order, the endpoints side
/// by side. After an endpoint fails, its other due deliveries of this
/// round are not sent: they count as failed with the same cause, so a
/// down endpoint costs one request per round, and each event keeps its
/// own schedule.
async fn send_all(targets: &Targets, due: &[Due]) -> Vec<(Due, Attempt)> {
    let mut endpoints: Vec<&Target> = Vec::new();
    for delivery in due {
        if let Some(target) = targets.endpoints.iter().find(|t| t.id == delivery.endpoint)
            && !endpoints.iter().any(|t| t.id == target.id)
        {
            endpoints.push(target);
        }
    }
    let timeout = targets.settings.timeout_seconds;
    let now = rfc3339(now_ms());
    let expired = |body: &str| {
        serde_json::from_str::<Value>(body).is_ok_and(|event| code_expired(&event, &now))
    };
    let sends = endpoints.into_iter().map(|target| async move {
        let mut outcomes = Vec::new();
        let mut failed: Option<Attempt> = None;
        for delivery in due.iter().filter(|d| d.endpoint == target.id) {
            if expired(&delivery.body) {
                let attempt = Attempt {
                    delivered: false,
                    status_code: None,
                    error: Some("not sent: the code had expired".into()),
                };
                outcomes.push((delivery.clone(), attempt));
                continue;
            }
            let attempt = match &failed {
                Some(first) => Attempt {
                    delivered: false,
                    status_code: None,
                    error: Some(format!(
                        "not sent: an earlier event failed just before ({})",
                        first.error.as_deref().unwrap_or("failed")
                    )),
                },
                None => webhook::attempt(target, &delivery.event_id, &delivery.body, timeout).await,
            };
            if !attempt.delivered && failed.is_none() {
                failed = Some(attempt.clone());
            }
            outcomes.push((delivery.clone(), attempt));
        }
        outcomes
    });
    join_all(sends).await.into_iter().flatten().collect()
}
