//! `EmailClaim`: one SQLite-backed Durable Object per (tenant, normalized
//! e-mail), holding which customer uses that address. A customer changing
//! e-mail claims the new address first, then writes the profile, then
//! releases the old one.
//!
//! A claim left behind by a write that failed half-way blocks nobody for good:
//! when another customer asks for a held address, the object asks the holder
//! whether it still uses it (its profile has it, or a write of it is in
//! progress and younger than `PENDING_SECONDS`), and hands the claim over if not.

use serde::{Deserialize, Serialize};
use worker::{DurableObject, Env, Request, Response, SqlStorageValue, State, durable_object};

const BINDING: &str = "EMAIL_CLAIMS";
/// How long a customer's write of a new address may take between claiming it
/// and storing the profile; after that the claim may be handed over.
pub const PENDING_SECONDS: f64 = 20.0;

#[derive(Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Ask {
    Claim { holder: String, email_key: String },
    Release { holder: String },
}

#[derive(Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Claimed {
    Granted,
    Taken,
}

fn object_name(tenant: &str, email_key: &str) -> String {
    format!("{tenant}:{email_key}")
}

/// Claims `email_key` of `tenant` for `holder` (a customer object's name).
pub async fn claim(
    env: &Env,
    tenant: &str,
    email_key: &str,
    holder: &str,
) -> worker::Result<Claimed> {
    let claim = Ask::Claim {
        holder: holder.to_owned(),
        email_key: email_key.to_owned(),
    };
    crate::object_call::ask(env, BINDING, &object_name(tenant, email_key), &claim).await
}

/// Releases `email_key` if `holder` holds it.
pub async fn release(env: &Env, tenant: &str, email_key: &str, holder: &str) -> worker::Result<()> {
    let release = Ask::Release {
        holder: holder.to_owned(),
    };
    crate::object_call::ask::<bool>(env, BINDING, &object_name(tenant, email_key), &release)
        .await
        .map(|_| ())
}

#[durable_object]
pub struct EmailClaim {
    state: State,
    env: Env,
}

#[derive(Deserialize)]
struct Row {
    holder: String,
}

impl EmailClaim {
    fn holder(&self) -> worker::Result<Option<String>> {
        let rows: Vec<Row> = self
            .state
            .storage()
            .sql()
            .exec("SELECT holder FROM claim WHERE slot = 1", None)?
            .to_array()?;
        Ok(rows.into_iter().next().map(|r| r.holder))
    }

    fn set_holder(&self, holder: Option<&str>) -> worker::Result<()> {
        let sql = self.state.storage().sql();
        match holder {
            Some(holder) => sql.exec(
                "INSERT INTO claim (slot, holder) VALUES (1, ?)
                 ON CONFLICT (slot) DO UPDATE SET holder = excluded.holder",
                vec![SqlStorageValue::String(holder.to_owned())],
            )?,
            None => sql.exec("DELETE FROM claim", None)?,
        };
        Ok(())
    }

    async fn claim(&self, requester: String, email_key: String) -> worker::Result<Claimed> {
        let Some(holder) = self.holder()? else {
            self.set_holder(Some(&requester))?;
            return Ok(Claimed::Granted);
        };
        if holder == requester {
            return Ok(Claimed::Granted);
        }
        let still_used = crate::customer::uses_email(&self.env, &holder, &email_key).await?;
        // Other claims may have run while we asked: hand over only if nothing changed.
        if !still_used && self.holder()?.as_deref() == Some(holder.as_str()) {
            self.set_holder(Some(&requester))?;
            return Ok(Claimed::Granted);
        }
        Ok(Claimed::Taken)
    }
}

impl DurableObject for EmailClaim {
    fn new(state: State, env: Env) -> Self {
        state
            .storage()
            .sql()
            .exec(
                "CREATE TABLE IF NOT EXISTS claim (slot INTEGER PRIMARY KEY CHECK (slot = 1), holder TEXT NOT NULL)",
                None,
            )
            .expect("creating the claim table");
        Self { state, env }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        match req.json::<Ask>().await? {
            Ask::Claim { holder, email_key } => {
                Response::from_json(&self.claim(holder, email_key).await?)
            }
            Ask::Release { holder } => {
                let held = self.holder()?.as_deref() == Some(holder.as_str());
                if held {
                    self.set_holder(None)?;
                }
                Response::from_json(&held)
            }
        }
    }
}
