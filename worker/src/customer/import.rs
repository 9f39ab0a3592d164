//! An import's line, in the customer's object: the profile is created if
//! there is none (from the line alone: no token names the customer), or the
//! line is merged into it, as the tenant writes, consent evidence included.

use super::{CustomerObject, Reply, Who, Write};
use profile::Actor;
use profile::imports::Outcome;
use profile::rights::Provenance;
use serde_json::Value;

impl CustomerObject {
    pub(super) async fn import(
        &self,
        who: Who,
        by: &Provenance,
        line: &Value,
    ) -> worker::Result<Reply> {
        let before = self.load()?.map(|p| p.version);
        let reply = self
            .write(who, Actor::Import, by, ("*", None), line, Write::MergePatch)
            .await?;
        Ok(match reply {
            Reply::Profile { profile } => Reply::Imported {
                result: match before {
                    None => Outcome::Created,
                    Some(version) if version == profile.version => Outcome::Unchanged,
                    Some(_) => Outcome::Updated,
                },
            },
            other => other,
        })
    }
}
