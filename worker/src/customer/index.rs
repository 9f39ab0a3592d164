//! Keeping the tenant's index of customers (in its `TenantObject`) up to
//! date. After each change the object sets an alarm; the alarm tells the
//! index what the profile now is, or that it is gone. The platform retries a
//! failed alarm, and the next change sets another, so the index follows the
//! profiles without slowing any request.

use super::CustomerObject;
use crate::atomic::Statement;
use crate::tenant_object::{self, Ask};
use profile::Profile;
use profile::listing::CustomerEntry;
use serde::Deserialize;
use worker::SqlStorageValue;

/// The table of profiles that are gone but may still be in the index.
pub const GONE_TABLE: &str = "CREATE TABLE IF NOT EXISTS gone (
    profile_id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    id TEXT NOT NULL)";

#[derive(Deserialize)]
struct Gone {
    profile_id: String,
    tenant: String,
    id: String,
}

impl CustomerObject {
    /// Asks for the alarm that tells the index.
    pub(super) async fn index_soon(&self) -> worker::Result<()> {
        self.woken.set(true);
        self.state.storage().set_alarm(0i64).await
    }

    /// The statement that notes `profile` is gone, for the alarm to tell the index.
    pub(super) fn gone(&self, profile: &Profile) -> Statement {
        (
            "INSERT OR REPLACE INTO gone (profile_id, tenant, id) VALUES (?, ?, ?)",
            vec![
                SqlStorageValue::String(profile.id.clone()),
                SqlStorageValue::String(profile.tenant.clone()),
                SqlStorageValue::String(profile.external_id.clone()),
            ],
        )
    }

    /// The alarm's work: the profile as it is, then every profile gone.
    pub(super) async fn tell_index(&self) -> worker::Result<()> {
        if let Some(profile) = self.load()? {
            let entry = CustomerEntry {
                id: profile.external_id.clone(),
                profile_id: profile.id.clone(),
                updated: profile.updated.clone(),
                version: profile.version,
            };
            let ask = Ask::Index {
                entry,
                shop_id: profile.shop_id.clone(),
            };
            let _: bool = tenant_object::ask(&self.env, &profile.tenant, &ask).await?;
        }
        let gone: Vec<Gone> = self
            .state
            .storage()
            .sql()
            .exec("SELECT profile_id, tenant, id FROM gone", None)?
            .to_array()?;
        for profile in gone {
            let ask = Ask::Unindex {
                id: profile.id,
                profile_id: profile.profile_id.clone(),
            };
            let _: bool = tenant_object::ask(&self.env, &profile.tenant, &ask).await?;
            self.state.storage().sql().exec(
                "DELETE FROM gone WHERE profile_id = ?",
                vec![SqlStorageValue::String(profile.profile_id)],
            )?;
        }
        Ok(())
    }
}
