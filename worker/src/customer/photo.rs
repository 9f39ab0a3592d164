//! The customer object's side of the photo: the profile names its photo by
//! id; a change of photo is recorded in the history as a change of `photo`;
//! the photo it replaces, and the photo of an erased profile, are deleted
//! from KV. The ids to delete are stored in the same transaction as the
//! change, so a failed deletion is tried again by the alarm, never forgotten.

use super::{CustomerObject, Reply, Who, rights::Record};
use crate::atomic::Statement;
use crate::clock::now_rfc3339;
use profile::Actor;
use profile::rights::{HistoryKind, Provenance};
use serde::Deserialize;
use worker::SqlStorageValue;

pub const TABLES: [&str; 1] = ["CREATE TABLE IF NOT EXISTS old_photo (id TEXT PRIMARY KEY)"];

/// The statement that marks the photo `id` for deletion.
pub(super) fn to_delete(id: &str) -> Statement {
    (
        "INSERT OR IGNORE INTO old_photo (id) VALUES (?)",
        vec![SqlStorageValue::String(id.to_owned())],
    )
}

#[derive(Deserialize)]
struct Old {
    id: String,
}

impl CustomerObject {
    pub(super) async fn set_photo(
        &self,
        who: &Who,
        actor: Actor,
        by: &Provenance,
        if_match: Option<&str>,
        photo: Option<String>,
    ) -> worker::Result<Reply> {
        let tenant = self.tenant(&who.tenant).await?;
        if let Some(retry_after) = self.take_write(tenant.privacy.writes_per_minute)? {
            return Ok(Reply::Busy { retry_after });
        }
        let stored = match actor {
            Actor::Customer => match self.load_or_create(who, by).await? {
                Some(stored) => stored,
                None => return Ok(Reply::Gone),
            },
            _ => match self.load()? {
                Some(stored) => stored,
                None => return Ok(Reply::Missing),
            },
        };
        if let Some(tags) = if_match
            && !crate::conditional::if_match(tags, &stored.etag())
        {
            return Ok(Reply::Stale {
                etag: stored.etag(),
            });
        }
        if stored.photo == photo {
            return Ok(Reply::Profile {
                profile: Box::new(stored),
            });
        }
        let mut profile = stored.clone();
        profile.photo = photo;
        profile.version = stored.version + 1;
        profile.updated = now_rfc3339();
        let record = Record {
            kind: HistoryKind::Changed,
            by,
            before: &stored,
            fields: vec!["photo".into()],
        };
        let old: Vec<Statement> = stored.photo.as_deref().map(to_delete).into_iter().collect();
        self.commit_with(&profile, record, old)?;
        self.index_soon().await?;
        // Failing here leaves the old photo to the alarm.
        let _ = self.delete_old_photos().await;
        Ok(Reply::Profile {
            profile: Box::new(profile),
        })
    }

    /// Deletes the photos marked for deletion from KV. Those it cannot
    /// stay marked, and it fails: the alarm (set by every change) then tries
    /// again, and the platform retries a failed alarm with backoff.
    pub(super) async fn delete_old_photos(&self) -> worker::Result<()> {
        let sql = self.state.storage().sql();
        let old: Vec<Old> = sql.exec("SELECT id FROM old_photo", None)?.to_array()?;
        let mut failed = None;
        for Old { id } in old {
            match crate::photo::delete(&self.env, &id).await {
                Ok(()) => {
                    sql.exec(
                        "DELETE FROM old_photo WHERE id = ?",
                        vec![SqlStorageValue::String(id)],
                    )?;
                }
                Err(error) => failed = Some(error),
            }
        }
        failed.map_or(Ok(()), Err)
    }
}
