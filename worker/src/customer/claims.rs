//! The customer's own side of e-mail claims: which address this profile is
//! claiming, so that a claim's holder can answer whether it still holds it
//! proven.

use super::{CustomerObject, email_claim};
use crate::clock::now_ms;
use profile::email::email_key;
use serde::Deserialize;
use worker::SqlStorageValue;

impl CustomerObject {
    pub(super) fn begin_claim(&self, key: &str) -> worker::Result<f64> {
        let started = now_ms();
        self.state.storage().sql().exec(
            "INSERT INTO pending_email (email_key, since) VALUES (?, ?)
             ON CONFLICT (email_key) DO UPDATE SET since = excluded.since",
            vec![
                SqlStorageValue::String(key.to_owned()),
                SqlStorageValue::Float(started),
            ],
        )?;
        Ok(started)
    }

    pub(super) fn end_claim(&self, key: &str) -> worker::Result<()> {
        self.state.storage().sql().exec(
            "DELETE FROM pending_email WHERE email_key = ?",
            vec![SqlStorageValue::String(key.to_owned())],
        )?;
        Ok(())
    }

    /// The stored profile has the address `verified`, or a write of it began
    /// recently. An address the customer no longer holds proven (an admin
    /// marked it unverified or bounced) may be handed over.
    pub(super) fn uses_email(&self, key: &str) -> worker::Result<bool> {
        if self.load()?.is_some_and(|p| {
            p.email_status == profile::EmailStatus::Verified
                && p.email.is_some_and(|e| email_key(&e) == key)
        }) {
            return Ok(true);
        }
        #[derive(Deserialize)]
        struct Pending {
            since: f64,
        }
        let pending: Vec<Pending> = self
            .state
            .storage()
            .sql()
            .exec(
                "SELECT since FROM pending_email WHERE email_key = ?",
                vec![SqlStorageValue::String(key.to_owned())],
            )?
            .to_array()?;
        Ok(pending
            .iter()
            .any(|p| now_ms() - p.since < email_claim::PENDING_SECONDS * 1000.0))
    }
}
