//! An import's line, in the customer's object: the profile is created if
//! there is none (from the line alone: no token names the customer), or the
//! line is merged into it, as the tenant writes, consent evidence included.

use super::{CustomerObject, Reply, Who, Write};
use profile::Actor;
use profile::imports::Outcome;
use serde_json::Value;

impl CustomerObject {
    pub(super) async fn import(&self, who: Who, line: &Value) -> worker::Result<Reply> {
        let before = self.load()?.map(|p| p.version);
        let reply = self
            .write(who, Actor::Import, "*", line, Write::MergePatch)
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

    /// A profile for `who` that nobody has created yet.
    pub(super) fn new_profile(&self, who: &Who, rules: &profile::Rules) -> profile::Profile {
        profile::new_profile(
            uuid::Uuid::new_v4().to_string(),
            who.tenant.clone(),
            who.subject.clone(),
            crate::clock::now_rfc3339(),
            rules,
        )
    }
}
