//! Importing customers: `POST /v1/customers/import` takes NDJSON (at most
//! 1,000 lines), checks each line's shape, and hands the lines to an
//! `ImportObject`, one Durable Object per import, which answers 202 at once.
//! The object then works through the lines from its alarm, 40 at a time:
//! each line is one request to that customer's object (which claims an
//! e-mail address itself, in its own invocation), so no invocation makes more
//! than 40 subrequests, under the Workers Free plan's 50 (Paid allows 10,000).
//! `GET /v1/customers/import/{id}` answers how far it is, with every line's
//! result so far.

use crate::admin::admin;
use crate::customer::{self, Who};
use crate::error::{ApiError, ApiResult};
use profile::api::Scope;
use profile::imports::{
    ID_MEMBER, ImportStarted, ImportStatus, LineResult, MAX_BYTES, MAX_LINES, Outcome,
};
use profile::rights::Provenance;
use profile::{Code, FieldError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use worker::{DurableObject, Env, Request, Response, SqlStorageValue, State, durable_object};

const BINDING: &str = "IMPORTS";
/// Lines per alarm: each is one subrequest (see the module's comment).
const CHUNK: usize = 40;

/// A line to import: its number, the customer, and the rest of the line.
#[derive(Serialize, Deserialize)]
struct Line {
    n: u32,
    customer: String,
    body: Value,
}

#[derive(Serialize, Deserialize)]
enum Ask {
    Start {
        tenant: String,
        id: String,
        /// Who imports, through which channel: recorded with each change.
        by: Provenance,
        lines: Vec<Line>,
        decided: Vec<LineResult>,
        total: u32,
    },
    Status,
}

fn object_name(tenant: &str, id: &str) -> String {
    format!("{tenant}:{id}")
}

/// One line read: the customer and the patch, or why it cannot be imported.
fn read_line(n: u32, text: &str) -> Result<Line, LineResult> {
    let refused = |pointer: &str, code| LineResult {
        line: n,
        outcome: Outcome::Invalid,
        errors: vec![FieldError::new(pointer, code)],
    };
    let Ok(Value::Object(mut members)) = crate::strict_json::from_slice(text.as_bytes()) else {
        return Err(refused("", Code::InvalidType));
    };
    let customer = match members.remove(ID_MEMBER) {
        Some(Value::String(id)) if crate::token::valid_subject(&id) => id,
        None | Some(Value::Null) => return Err(refused("/external_id", Code::Required)),
        Some(_) => return Err(refused("/external_id", Code::InvalidType)),
    };
    Ok(Line {
        n,
        customer,
        body: Value::Object(members),
    })
}

/// `POST /v1/customers/import`.
pub async fn start(mut req: Request, env: &Env, accepts: &[&str]) -> ApiResult<Response> {
    let admin = admin(&req, env, Scope::CustomersWrite).await?;
    let by = crate::rights::of_import(&req, &admin)?;
    crate::routes::check_media_type(&req, accepts)?;
    let bytes = crate::routes::limited_body(&mut req, MAX_BYTES).await?;
    let text = String::from_utf8(bytes)
        .map_err(|_| ApiError::MalformedBody("The body is not UTF-8.".into()))?;
    let texts: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if texts.is_empty() || texts.len() > MAX_LINES {
        let error = match texts.len() {
            0 => FieldError::new("", Code::Required),
            _ => FieldError::new("", Code::TooMany).with("max", MAX_LINES),
        };
        return Err(ApiError::Validation(vec![error]));
    }
    let (mut lines, mut decided) = (Vec::new(), Vec::new());
    for (i, text) in texts.iter().enumerate() {
        match read_line(i as u32 + 1, text) {
            Ok(line) => lines.push(line),
            Err(result) => decided.push(result),
        }
    }
    let id = uuid::Uuid::new_v4().to_string();
    let total = texts.len() as u32;
    let ask = Ask::Start {
        tenant: admin.tenant.clone(),
        id: id.clone(),
        by,
        lines,
        decided,
        total,
    };
    let name = object_name(&admin.tenant, &id);
    let _: bool = crate::object_call::ask(env, BINDING, &name, &ask).await?;
    let started = ImportStarted {
        id: id.clone(),
        lines: total,
    };
    let response = Response::from_json(&started)?.with_status(202);
    let headers = response.headers().clone();
    headers.set("Location", &format!("/v1/customers/import/{id}"))?;
    headers.set("Cache-Control", "no-store")?;
    Ok(response.with_headers(headers))
}

/// `GET /v1/customers/import/{id}`: another tenant's import is a 404.
pub async fn status(req: &Request, env: &Env, id: &str) -> ApiResult<Response> {
    let admin = admin(req, env, Scope::CustomersWrite).await?;
    if uuid::Uuid::parse_str(id).is_err() {
        return Err(ApiError::NotFound);
    }
    let name = object_name(&admin.tenant, id);
    let status: Option<ImportStatus> =
        crate::object_call::ask(env, BINDING, &name, &Ask::Status).await?;
    let response = Response::from_json(&status.ok_or(ApiError::NotFound)?)?;
    let headers = response.headers().clone();
    headers.set("Cache-Control", "no-store")?;
    Ok(response.with_headers(headers))
}

#[durable_object]
pub struct ImportObject {
    state: State,
    env: Env,
}

#[derive(Deserialize)]
struct Meta {
    tenant: String,
    id: String,
    total: i64,
}

#[derive(Deserialize)]
struct Pending {
    n: i64,
    customer: String,
    body: String,
}

#[derive(Deserialize)]
struct Done {
    body: String,
}

impl DurableObject for ImportObject {
    fn new(state: State, env: Env) -> Self {
        let sql = state.storage().sql();
        for table in [
            "CREATE TABLE IF NOT EXISTS meta (slot INTEGER PRIMARY KEY CHECK (slot = 1),
                tenant TEXT NOT NULL, id TEXT NOT NULL, total INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS pending (n INTEGER PRIMARY KEY,
                customer TEXT NOT NULL, body TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS done (n INTEGER PRIMARY KEY, body TEXT NOT NULL)",
            // Who imports (a `Provenance`, as JSON).
            "CREATE TABLE IF NOT EXISTS importer (slot INTEGER PRIMARY KEY CHECK (slot = 1),
                body TEXT NOT NULL)",
        ] {
            sql.exec(table, None).expect("creating the import tables");
        }
        Self { state, env }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        match serde_json::from_str::<Ask>(&req.text().await?)? {
            Ask::Start {
                tenant,
                id,
                by,
                lines,
                decided,
                total,
            } => {
                if self.meta()?.is_none() {
                    let sql = self.state.storage().sql();
                    sql.exec(
                        "INSERT INTO meta (slot, tenant, id, total) VALUES (1, ?, ?, ?)",
                        vec![
                            SqlStorageValue::String(tenant),
                            SqlStorageValue::String(id),
                            SqlStorageValue::Integer(i64::from(total)),
                        ],
                    )?;
                    sql.exec(
                        "INSERT INTO importer (slot, body) VALUES (1, ?)",
                        vec![SqlStorageValue::String(serde_json::to_string(&by)?)],
                    )?;
                    for line in lines {
                        sql.exec(
                            "INSERT INTO pending (n, customer, body) VALUES (?, ?, ?)",
                            vec![
                                SqlStorageValue::Integer(i64::from(line.n)),
                                SqlStorageValue::String(line.customer),
                                SqlStorageValue::String(line.body.to_string()),
                            ],
                        )?;
                    }
                    for result in &decided {
                        self.done(result)?;
                    }
                    self.state.storage().set_alarm(0i64).await?;
                }
                Response::from_json(&true)
            }
            Ask::Status => Response::from_json(&self.status()?),
        }
    }

    async fn alarm(&self) -> worker::Result<Response> {
        let Some(meta) = self.meta()? else {
            return Response::ok("nothing to import");
        };
        let by: Vec<Done> = self
            .state
            .storage()
            .sql()
            .exec("SELECT body FROM importer", None)?
            .to_array()?;
        let by: Provenance = match by.first() {
            Some(row) => serde_json::from_str(&row.body)?,
            None => Provenance {
                actor: "operator".into(),
                channel: crate::provenance::IMPORT_CHANNEL.into(),
                point_of_sale: None,
                acting_user: None,
            },
        };
        let lines: Vec<Pending> = self
            .state
            .storage()
            .sql()
            .exec(
                "SELECT n, customer, body FROM pending ORDER BY n LIMIT ?",
                vec![SqlStorageValue::Integer(CHUNK as i64)],
            )?
            .to_array()?;
        // The chunk's lines at once, so that an alarm is short and the
        // status is answered between them; a customer's second line waits
        // for the next chunk, so that their lines apply in order.
        let mut seen = std::collections::HashSet::new();
        let lines: Vec<&Pending> = lines
            .iter()
            .take_while(|line| seen.insert(line.customer.as_str()))
            .collect();
        let imports = lines.iter().map(|line| async {
            let who = Who::by_id(&meta.tenant, &line.customer);
            let body: Value = serde_json::from_str(&line.body).unwrap_or(Value::Null);
            match customer::import(&self.env, who, by.clone(), body).await {
                Ok(Ok(outcome)) => (outcome, Vec::new()),
                Ok(Err(errors)) => (Outcome::Invalid, errors),
                Err(_) => (Outcome::Failed, Vec::new()),
            }
        });
        let results = futures_util::future::join_all(imports).await;
        for (line, (outcome, errors)) in lines.iter().zip(results) {
            self.done(&LineResult {
                line: line.n as u32,
                outcome,
                errors,
            })?;
            self.state.storage().sql().exec(
                "DELETE FROM pending WHERE n = ?",
                vec![SqlStorageValue::Integer(line.n)],
            )?;
        }
        let more: Vec<Pending> = self
            .state
            .storage()
            .sql()
            .exec("SELECT n, customer, body FROM pending LIMIT 1", None)?
            .to_array()?;
        if !more.is_empty() {
            // A moment between chunks, for the status requests waiting.
            self.state.storage().set_alarm(50i64).await?;
        }
        Response::ok("imported")
    }
}

impl ImportObject {
    fn meta(&self) -> worker::Result<Option<Meta>> {
        let rows: Vec<Meta> = self
            .state
            .storage()
            .sql()
            .exec("SELECT tenant, id, total FROM meta", None)?
            .to_array()?;
        Ok(rows.into_iter().next())
    }

    fn done(&self, result: &LineResult) -> worker::Result<()> {
        self.state.storage().sql().exec(
            "INSERT OR REPLACE INTO done (n, body) VALUES (?, ?)",
            vec![
                SqlStorageValue::Integer(i64::from(result.line)),
                SqlStorageValue::String(serde_json::to_string(result)?),
            ],
        )?;
        Ok(())
    }

    fn status(&self) -> worker::Result<Option<ImportStatus>> {
        let Some(meta) = self.meta()? else {
            return Ok(None);
        };
        let rows: Vec<Done> = self
            .state
            .storage()
            .sql()
            .exec("SELECT body FROM done ORDER BY n", None)?
            .to_array()?;
        let results = rows
            .iter()
            .map(|row| serde_json::from_str(&row.body))
            .collect::<Result<Vec<LineResult>, _>>()?;
        Ok(Some(ImportStatus {
            id: meta.id,
            lines: meta.total as u32,
            done: results.len() as u32,
            results,
        }))
    }
}
