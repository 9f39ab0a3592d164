//! What limits a customer object's writes: at most the tenant's
//! `writes_per_minute` in any minute (customer and admin writes together;
//! an import's lines are paced by the import), and the answers kept for
//! `Idempotency-Key`s of this customer's writes (see `crate::idempotency`).

use super::CustomerObject;
use crate::clock::now_ms;
use serde::Deserialize;
use worker::SqlStorageValue;

pub const TABLES: [&str; 3] = [
    // When each write of the last minute came (ms).
    "CREATE TABLE IF NOT EXISTS writes (at REAL NOT NULL)",
    // Each write drops the rows past the minute and reads the oldest left.
    "CREATE INDEX IF NOT EXISTS writes_at ON writes (at)",
    crate::idempotency::TABLE,
];

/// What an erasure deletes here: kept answers hold the profile.
pub const ERASED: [&str; 1] = ["DELETE FROM idempotency"];

const MINUTE_MS: f64 = 60_000.0;

impl CustomerObject {
    /// Counts a write if the last minute has room for it; else the seconds
    /// until it has (for `Retry-After`).
    pub(super) fn take_write(&self, per_minute: u32) -> worker::Result<Option<u32>> {
        let now = now_ms();
        let sql = self.state.storage().sql();
        sql.exec(
            "DELETE FROM writes WHERE at <= ?",
            vec![SqlStorageValue::Float(now - MINUTE_MS)],
        )?;
        #[derive(Deserialize)]
        struct Window {
            count: f64,
            oldest: Option<f64>,
        }
        let window: Window = sql
            .exec(
                "SELECT COUNT(*) AS count, MIN(at) AS oldest FROM writes",
                None,
            )?
            .one()?;
        if window.count >= f64::from(per_minute) {
            let free_at = window.oldest.unwrap_or(now) + MINUTE_MS;
            let seconds = ((free_at - now) / 1000.0).ceil().max(1.0);
            return Ok(Some(seconds as u32));
        }
        sql.exec(
            "INSERT INTO writes (at) VALUES (?)",
            vec![SqlStorageValue::Float(now)],
        )?;
        Ok(None)
    }
}
