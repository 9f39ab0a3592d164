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
#[serde(rename_all = "snake_case")]
enum Ask {
    Claim {
        holder: String,
        email_key: String,
    },
    Release {
        holder: String,
    },
    /// Who holds the address, if anyone (a customer object's name).
    Holder,
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

/// The customer object that holds `email_key` of `tenant`, if any.
pub async fn holder(env: &Env, tenant: &str, email_key: &str) -> worker::Result<Option<String>> {
    crate::object_call::ask(env, BINDING, &object_name(tenant, email_key), &Ask::Holder).await
}

/// What one claim decides before any await: the claim's state is read and
/// written here, and a hand-over is judged again after asking the holder.
/// Pure, so that its races are tested natively.
#[derive(Debug, Default, PartialEq)]
struct ClaimState {
    holder: Option<String>,
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
    fn claim(&mut self, requester: &str) -> Step {
        match &self.holder {
            Some(holder) if holder != requester => Step::AskHolder {
                holder: holder.clone(),
                generation: self.generation,
            },
            _ => {
                self.grant(requester);
                Step::Granted
            }
        }
    }

    fn grant(&mut self, requester: &str) {
        self.holder = Some(requester.to_owned());
        self.generation += 1;
    }

    /// After the holder answered: hand over only if it does not use the
    /// address and nothing was granted while we asked.
    fn hand_over(&mut self, requester: &str, asked_at: u64, still_used: bool) -> Claimed {
        if still_used || self.generation != asked_at {
            return Claimed::Taken;
        }
        self.grant(requester);
        Claimed::Granted
    }

    fn release(&mut self, holder: &str) -> bool {
        let held = self.holder.as_deref() == Some(holder);
        if held {
            self.holder = None;
            self.generation += 1;
        }
        held
    }
}

#[durable_object]
pub struct EmailClaim {
    state: State,
    env: Env,
    /// The stored holder and this instance's grant counter (in memory: a
    /// hand-over waits within one instance's life, or not at all).
    claim: std::cell::RefCell<ClaimState>,
}

#[derive(Deserialize)]
struct Row {
    holder: String,
}

impl EmailClaim {
    fn stored_holder(state: &State) -> worker::Result<Option<String>> {
        let rows: Vec<Row> = state
            .storage()
            .sql()
            .exec("SELECT holder FROM claim WHERE slot = 1", None)?
            .to_array()?;
        Ok(rows.into_iter().next().map(|r| r.holder))
    }

    /// Writes the holder of `claim` through to storage.
    fn store(&self) -> worker::Result<()> {
        let sql = self.state.storage().sql();
        match &self.claim.borrow().holder {
            Some(holder) => sql.exec(
                "INSERT INTO claim (slot, holder) VALUES (1, ?)
                 ON CONFLICT (slot) DO UPDATE SET holder = excluded.holder",
                vec![SqlStorageValue::String(holder.clone())],
            )?,
            None => sql.exec("DELETE FROM claim", None)?,
        };
        Ok(())
    }

    async fn claim(&self, requester: String, email_key: String) -> worker::Result<Claimed> {
        let step = self.claim.borrow_mut().claim(&requester);
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
            .hand_over(&requester, asked_at, still_used);
        if claimed == Claimed::Granted {
            self.store()?;
        }
        Ok(claimed)
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
        let holder = Self::stored_holder(&state).unwrap_or(None);
        Self {
            state,
            env,
            claim: std::cell::RefCell::new(ClaimState {
                holder,
                generation: 0,
            }),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        match serde_json::from_str::<Ask>(&req.text().await?)? {
            Ask::Claim { holder, email_key } => {
                Response::from_json(&self.claim(holder, email_key).await?)
            }
            Ask::Release { holder } => {
                let held = self.claim.borrow_mut().release(&holder);
                if held {
                    self.store()?;
                }
                Response::from_json(&held)
            }
            Ask::Holder => Response::from_json(&self.claim.borrow().holder),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_free_address_is_granted_and_its_holder_may_claim_it_again() {
        let mut state = ClaimState::default();
        assert_eq!(state.claim("a"), Step::Granted);
        assert_eq!(state.claim("a"), Step::Granted);
        assert_eq!(state.holder.as_deref(), Some("a"));
    }

    #[test]
    fn a_held_address_is_handed_over_only_when_its_holder_no_longer_uses_it() {
        let mut state = ClaimState::default();
        state.claim("a");
        let Step::AskHolder { holder, generation } = state.claim("b") else {
            panic!("b must ask a");
        };
        assert_eq!(holder, "a");
        assert_eq!(state.hand_over("b", generation, true), Claimed::Taken);
        assert_eq!(state.holder.as_deref(), Some("a"));
        assert_eq!(state.hand_over("b", generation, false), Claimed::Granted);
        assert_eq!(state.holder.as_deref(), Some("b"));
    }

    /// The holder claims its address again (to store it) while another
    /// customer's hand-over waits on the holder's old answer, "not in use":
    /// the hand-over must not go ahead, or two customers would hold one address.
    #[test]
    fn a_claim_renewed_while_a_hand_over_waits_wins() {
        let mut state = ClaimState::default();
        state.claim("a");
        let Step::AskHolder { generation, .. } = state.claim("b") else {
            panic!("b must ask a");
        };
        assert_eq!(state.claim("a"), Step::Granted, "a renews while b waits");
        assert_eq!(state.hand_over("b", generation, false), Claimed::Taken);
        assert_eq!(state.holder.as_deref(), Some("a"));
    }

    #[test]
    fn a_release_during_a_hand_over_lets_the_next_claim_decide() {
        let mut state = ClaimState::default();
        state.claim("a");
        let Step::AskHolder { generation, .. } = state.claim("b") else {
            panic!("b must ask a");
        };
        assert!(state.release("a"));
        assert!(!state.release("a"));
        assert_eq!(state.hand_over("b", generation, false), Claimed::Taken);
        assert_eq!(state.claim("b"), Step::Granted);
    }
}
