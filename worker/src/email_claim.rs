//! `EmailClaim`: one SQLite-backed Durable Object per (tenant, normalized
//! e-mail), holding which customer has proven that address (by the code sent
//! to it, by a token the programme marked `email_verified`, or by an admin).
//! A claim is taken only once the address is proven, then the profile is
//! written, then the old address released. It also counts the codes sent to
//! its address, for the limit across all customers.
//!
//! A claim left behind by a write that failed half-way blocks nobody for good:
//! when another customer asks for a held address, the object asks the holder
//! whether it still holds it proven (its profile has it `verified`, or a
//! write of it is in progress and younger than `PENDING_SECONDS`), and hands
//! the claim over if not. A claim from before proofs existed (its address was
//! never proven) is handed over without asking.

use crate::atomic::{Statement, all_or_nothing};
use crate::clock::now_ms;
use profile::verification::{FORGET_AFTER_MS, address_room};
use serde::{Deserialize, Serialize};
use worker::worker_sys::DurableObjectState;
use worker::{DurableObject, Env, Request, Response, SqlStorageValue, State, durable_object};

const BINDING: &str = "EMAIL_CLAIMS";
/// How long a customer's write of a new address may take between claiming it
/// and storing the profile; after that the claim may be handed over.
pub const PENDING_SECONDS: f64 = 20.0;

/// The claim table as every object stored it up to 2026-12 (schema 1): each
/// object starts from it and migrates up, so that the path an old object
/// takes is the one every new object takes too.
const SCHEMA_1: &str = "CREATE TABLE IF NOT EXISTS claim (
    slot INTEGER PRIMARY KEY CHECK (slot = 1),
    holder TEXT NOT NULL)";

/// Each step's statements, from schema 1 to 2 and onwards; a step runs in one
/// transaction with the new version.
const MIGRATIONS: [&[&str]; 1] = [&[
    // 2: whether the holder proved the address. Claims made before are not
    // proven, and no longer block anyone.
    "ALTER TABLE claim ADD COLUMN verified INTEGER NOT NULL DEFAULT 0",
    // When each code to this address went out (ms), for its daily limit.
    "CREATE TABLE IF NOT EXISTS sent (at_ms REAL NOT NULL)",
]];

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Ask {
    Claim {
        holder: String,
        email_key: String,
        /// Whether the holder proved the address.
        verified: bool,
    },
    Release {
        holder: String,
    },
    /// Who holds the address, if anyone (a customer object's name).
    Holder,
    /// May a code go out to this address? Counts it if so; else the
    /// seconds until one may.
    Send,
    /// Local development only (the fixture test of the migration): replaces
    /// this object's storage with schema 1 holding `holder`, then migrates
    /// it as an object stored before proofs would be at its first start.
    Restore {
        holder: String,
    },
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Claimed {
    Granted,
    Taken,
}

fn object_name(tenant: &str, email_key: &str) -> String {
    format!("{tenant}:{email_key}")
}

/// Claims `email_key` of `tenant` for `holder` (a customer object's name);
/// `verified`: the holder proved the address. A claim that is not proven
/// never blocks anyone, and is taken only where nobody holds it proven.
pub async fn claim(
    env: &Env,
    tenant: &str,
    email_key: &str,
    holder: &str,
    verified: bool,
) -> worker::Result<Claimed> {
    let claim = Ask::Claim {
        holder: holder.to_owned(),
        email_key: email_key.to_owned(),
        verified,
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

/// The customer object that holds `email_key` of `tenant`, if any.
pub async fn holder(env: &Env, tenant: &str, email_key: &str) -> worker::Result<Option<String>> {
    crate::object_call::ask(env, BINDING, &object_name(tenant, email_key), &Ask::Holder).await
}

/// Whether a code may go out to `email_key` now (and counts it): `Err` with
/// the seconds to wait when the address had its codes for the day.
pub async fn send(env: &Env, tenant: &str, email_key: &str) -> worker::Result<Result<(), u32>> {
    let wait: Option<u32> =
        crate::object_call::ask(env, BINDING, &object_name(tenant, email_key), &Ask::Send).await?;
    Ok(wait.map_or(Ok(()), Err))
}

/// Local development only: see `Ask::Restore`.
pub async fn restore(env: &Env, tenant: &str, email_key: &str, holder: &str) -> worker::Result<()> {
    let ask = Ask::Restore {
        holder: holder.to_owned(),
    };
    crate::object_call::ask::<bool>(env, BINDING, &object_name(tenant, email_key), &ask)
        .await
        .map(|_| ())
}

/// What one claim decides before any await: the claim's state is read and
/// written here, and a hand-over is judged again after asking the holder.
/// Pure, so that its races are tested natively.
#[derive(Debug, Default, PartialEq)]
struct ClaimState {
    holder: Option<String>,
    /// Whether the holder proved the address (claims from before proofs did not).
    verified: bool,
    /// Counts every grant, a holder's renewal included. A hand-over that
    /// waited on the holder's answer goes ahead only if no grant happened
    /// meanwhile: the holder may have claimed the address again to store it.
    generation: u64,
}

/// The first step of a claim.
#[derive(Debug, PartialEq)]
enum Step {
    Granted,
    /// Someone else holds it: ask them whether they still use it, then call
    /// [`ClaimState::hand_over`] with this generation.
    AskHolder {
        holder: String,
        generation: u64,
    },
}

impl ClaimState {
    fn claim(&mut self, requester: &str, verified: bool) -> Step {
        match &self.holder {
            Some(holder) if holder != requester && self.verified => Step::AskHolder {
                holder: holder.clone(),
                generation: self.generation,
            },
            _ => {
                self.grant(requester, verified);
                Step::Granted
            }
        }
    }

    fn grant(&mut self, requester: &str, verified: bool) {
        self.holder = Some(requester.to_owned());
        self.verified = verified;
        self.generation += 1;
    }

    /// After the holder answered: hand over only if it does not hold the
    /// address proven and nothing was granted while we asked.
    fn hand_over(
        &mut self,
        requester: &str,
        verified: bool,
        asked_at: u64,
        still_used: bool,
    ) -> Claimed {
        if still_used || self.generation != asked_at {
            return Claimed::Taken;
        }
        self.grant(requester, verified);
        Claimed::Granted
    }

    fn release(&mut self, holder: &str) -> bool {
        let held = self.holder.as_deref() == Some(holder);
        if held {
            self.holder = None;
            self.verified = false;
            self.generation += 1;
        }
        held
    }
}

#[durable_object]
pub struct EmailClaim {
    state: State,
    object: DurableObjectState,
    env: Env,
    /// The stored holder and this instance's grant counter (in memory: a
    /// hand-over waits within one instance's life, or not at all).
    claim: std::cell::RefCell<ClaimState>,
}

#[derive(Deserialize)]
struct Row {
    holder: String,
    verified: i64,
}

#[derive(Deserialize)]
struct Version {
    version: i64,
}

#[derive(Deserialize)]
struct Sent {
    at_ms: f64,
}

/// Brings the object's storage from whichever schema it has to the newest.
fn migrate(state: &State, object: &DurableObjectState) -> worker::Result<()> {
    let sql = state.storage().sql();
    sql.exec(SCHEMA_1, None)?;
    sql.exec(
        "CREATE TABLE IF NOT EXISTS schema_version (
            slot INTEGER PRIMARY KEY CHECK (slot = 1),
            version INTEGER NOT NULL)",
        None,
    )?;
    let stored: Vec<Version> = sql
        .exec("SELECT version FROM schema_version", None)?
        .to_array()?;
    let from = stored.first().map_or(1, |v| v.version);
    for (step, statements) in (2i64..).zip(MIGRATIONS) {
        if from >= step {
            continue;
        }
        let mut all: Vec<Statement> = statements.iter().map(|q| (*q, Vec::new())).collect();
        all.push((
            "INSERT INTO schema_version (slot, version) VALUES (1, ?)
             ON CONFLICT (slot) DO UPDATE SET version = excluded.version",
            vec![SqlStorageValue::Integer(step)],
        ));
        all_or_nothing(object, all)?;
    }
    Ok(())
}

impl EmailClaim {
    fn stored(state: &State) -> worker::Result<ClaimState> {
        let rows: Vec<Row> = state
            .storage()
            .sql()
            .exec("SELECT holder, verified FROM claim WHERE slot = 1", None)?
            .to_array()?;
        Ok(rows
            .into_iter()
            .next()
            .map(|row| ClaimState {
                holder: Some(row.holder),
                verified: row.verified != 0,
                generation: 0,
            })
            .unwrap_or_default())
    }

    /// Writes the holder of `claim` through to storage.
    fn store(&self) -> worker::Result<()> {
        let sql = self.state.storage().sql();
        let claim = self.claim.borrow();
        match &claim.holder {
            Some(holder) => sql.exec(
                "INSERT INTO claim (slot, holder, verified) VALUES (1, ?, ?)
                 ON CONFLICT (slot) DO UPDATE SET
                    holder = excluded.holder, verified = excluded.verified",
                vec![
                    SqlStorageValue::String(holder.clone()),
                    SqlStorageValue::Integer(i64::from(claim.verified)),
                ],
            )?,
            None => sql.exec("DELETE FROM claim", None)?,
        };
        Ok(())
    }

    async fn claim(
        &self,
        requester: String,
        email_key: String,
        verified: bool,
    ) -> worker::Result<Claimed> {
        let step = self.claim.borrow_mut().claim(&requester, verified);
        let (holder, asked_at) = match step {
            Step::Granted => {
                self.store()?;
                return Ok(Claimed::Granted);
            }
            Step::AskHolder { holder, generation } => (holder, generation),
        };
        // An answer that cannot be read keeps the claim where it is.
        let still_used = crate::customer::uses_email(&self.env, &holder, &email_key)
            .await
            .unwrap_or(true);
        let claimed = self
            .claim
            .borrow_mut()
            .hand_over(&requester, verified, asked_at, still_used);
        if claimed == Claimed::Granted {
            self.store()?;
        }
        Ok(claimed)
    }

    /// Counts a code to this address if the day's limit allows it.
    fn send(&self) -> worker::Result<Option<u32>> {
        let sql = self.state.storage().sql();
        let now = now_ms();
        sql.exec(
            "DELETE FROM sent WHERE at_ms < ?",
            vec![SqlStorageValue::Float(now - FORGET_AFTER_MS)],
        )?;
        let sent: Vec<Sent> = sql
            .exec("SELECT at_ms FROM sent ORDER BY at_ms", None)?
            .to_array()?;
        let times: Vec<f64> = sent.iter().map(|s| s.at_ms).collect();
        if let Err(wait) = address_room(&times, now) {
            return Ok(Some(wait));
        }
        sql.exec(
            "INSERT INTO sent (at_ms) VALUES (?)",
            vec![SqlStorageValue::Float(now)],
        )?;
        Ok(None)
    }

    fn restore(&self, holder: String) -> worker::Result<()> {
        let sql = self.state.storage().sql();
        for table in ["claim", "schema_version", "sent"] {
            sql.exec(&format!("DROP TABLE IF EXISTS {table}"), None)?;
        }
        sql.exec(SCHEMA_1, None)?;
        sql.exec(
            "INSERT INTO claim (slot, holder) VALUES (1, ?)",
            vec![SqlStorageValue::String(holder)],
        )?;
        migrate(&self.state, &self.object)?;
        *self.claim.borrow_mut() = Self::stored(&self.state)?;
        Ok(())
    }
}

impl DurableObject for EmailClaim {
    fn new(state: State, env: Env) -> Self {
        let object = state._inner();
        let state = State::from(crate::atomic::copy(&object));
        migrate(&state, &object).expect("migrating the claim's storage");
        let claim = Self::stored(&state).unwrap_or_default();
        Self {
            state,
            object,
            env,
            claim: std::cell::RefCell::new(claim),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        match serde_json::from_str::<Ask>(&req.text().await?)? {
            Ask::Claim {
                holder,
                email_key,
                verified,
            } => Response::from_json(&self.claim(holder, email_key, verified).await?),
            Ask::Release { holder } => {
                let held = self.claim.borrow_mut().release(&holder);
                if held {
                    self.store()?;
                }
                Response::from_json(&held)
            }
            Ask::Holder => Response::from_json(&self.claim.borrow().holder),
            Ask::Send => Response::from_json(&self.send()?),
            Ask::Restore { holder } => {
                self.restore(holder)?;
                Response::from_json(&true)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_from_before_proofs_is_handed_over_without_asking() {
        let mut state = ClaimState {
            holder: Some("squatter".into()),
            verified: false,
            generation: 0,
        };
        assert_eq!(state.claim("owner", true), Step::Granted);
        assert_eq!(state.holder.as_deref(), Some("owner"));
        assert!(state.verified);
        // Now proven, it is asked about like any other.
        assert!(matches!(state.claim("third", true), Step::AskHolder { .. }));
    }

    #[test]
    fn an_unproven_claim_blocks_nobody_and_is_blocked_by_a_proven_one() {
        let mut state = ClaimState::default();
        assert_eq!(state.claim("import", false), Step::Granted);
        assert_eq!(
            state.claim("token", false),
            Step::Granted,
            "unproven over unproven"
        );
        assert_eq!(
            state.claim("owner", true),
            Step::Granted,
            "proven over unproven"
        );
        let Step::AskHolder { generation, .. } = state.claim("late", false) else {
            panic!("a proven holder is asked");
        };
        assert_eq!(
            state.hand_over("late", false, generation, true),
            Claimed::Taken
        );
        assert_eq!(state.holder.as_deref(), Some("owner"));
    }

    #[test]
    fn a_free_address_is_granted_and_its_holder_may_claim_it_again() {
        let mut state = ClaimState::default();
        assert_eq!(state.claim("a", true), Step::Granted);
        assert_eq!(state.claim("a", true), Step::Granted);
        assert_eq!(state.holder.as_deref(), Some("a"));
    }

    #[test]
    fn a_held_address_is_handed_over_only_when_its_holder_no_longer_uses_it() {
        let mut state = ClaimState::default();
        state.claim("a", true);
        let Step::AskHolder { holder, generation } = state.claim("b", true) else {
            panic!("b must ask a");
        };
        assert_eq!(holder, "a");
        assert_eq!(state.hand_over("b", true, generation, true), Claimed::Taken);
        assert_eq!(state.holder.as_deref(), Some("a"));
        assert_eq!(
            state.hand_over("b", true, generation, false),
            Claimed::Granted
        );
        assert_eq!(state.holder.as_deref(), Some("b"));
    }

    /// The holder claims its address again (to store it) while another
    /// customer's hand-over waits on the holder's old answer, "not in use":
    /// the hand-over must not go ahead, or two customers would hold one address.
    #[test]
    fn a_claim_renewed_while_a_hand_over_waits_wins() {
        let mut state = ClaimState::default();
        state.claim("a", true);
        let Step::AskHolder { generation, .. } = state.claim("b", true) else {
            panic!("b must ask a");
        };
        assert_eq!(
            state.claim("a", true),
            Step::Granted,
            "a renews while b waits"
        );
        assert_eq!(
            state.hand_over("b", true, generation, false),
            Claimed::Taken
        );
        assert_eq!(state.holder.as_deref(), Some("a"));
    }

    #[test]
    fn a_release_during_a_hand_over_lets_the_next_claim_decide() {
        let mut state = ClaimState::default();
        state.claim("a", true);
        let Step::AskHolder { generation, .. } = state.claim("b", true) else {
            panic!("b must ask a");
        };
        assert!(state.release("a"));
        assert!(!state.release("a"));
        assert_eq!(
            state.hand_over("b", true, generation, false),
            Claimed::Taken
        );
        assert_eq!(state.claim("b", true), Step::Granted);
    }
}
