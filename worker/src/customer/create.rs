//! A customer's profile as their first visit creates it: from the token's
//! names, and its e-mail (claimed, and `verified` when the programme says
//! it proved it).

use super::rights::Record;
use super::{CustomerObject, Who, email_claim};
use email_claim::Claimed;
use profile::email::{check_email, clean_email, email_key};
use profile::rights::{HistoryKind, Provenance};
use profile::text::{check_name, clean_line};
use profile::{EmailStatus, Profile};

impl CustomerObject {
    /// The stored profile, or a new one: names from the token's `given_name` and
    /// `family_name`, and its `email` unless another customer holds it proven
    /// (`verified` when the token's `email_verified` is true). What our
    /// rules refuse is left out, not an error: the customer can type it. A
    /// customer who returns after an erasure starts empty: the token's claims
    /// are what was erased. `None`: erased, and the tenant suppresses returns.
    pub(super) async fn load_or_create(
        &self,
        who: &Who,
        by: &Provenance,
    ) -> worker::Result<Option<Profile>> {
        if let Some(profile) = self.load()? {
            return Ok(Some(profile));
        }
        let tenant = self.tenant(&who.tenant).await?;
        let rules = self.rules(&tenant)?;
        // Another request may have created the profile while we read the rules.
        if let Some(profile) = self.load()? {
            return Ok(Some(profile));
        }
        let Some(fresh) = self.fresh_profile(who, &tenant, &rules)? else {
            return Ok(None);
        };
        let mut profile = fresh.clone();
        if self.tombstone()?.is_none() {
            let name = |raw: &Option<String>, pointer: &str| {
                raw.as_deref().map(clean_line).filter(|name| {
                    check_name(pointer, name, profile::model::NAME_MAX_CHARS).is_none()
                })
            };
            profile.first_name = name(&who.given_name, "/first_name");
            profile.last_name = name(&who.family_name, "/last_name");
            let email_max = (rules.tenant().email_max_length)
                .map_or(profile::model::EMAIL_MAX_CHARS, u64::from);
            let email = who
                .email
                .as_deref()
                .map(clean_email)
                .filter(|e| check_email("/email", e, email_max).is_none());
            if let Some(email) = email {
                let key = email_key(&email);
                self.begin_claim(&key)?;
                let proven = who.email_verified;
                let claimed =
                    email_claim::claim(&self.env, &who.tenant, &key, &who.name(), proven).await;
                self.end_claim(&key)?;
                // Another request may have created the profile while we waited.
                if let Some(existing) = self.load()? {
                    if matches!(claimed, Ok(Claimed::Granted))
                        && existing.email.as_deref().map(email_key) != Some(key.clone())
                    {
                        let _ =
                            email_claim::release(&self.env, &who.tenant, &key, &who.name()).await;
                    }
                    return Ok(Some(existing));
                }
                if matches!(claimed, Ok(Claimed::Granted)) {
                    profile.email = Some(email);
                    if proven {
                        profile.email_status = EmailStatus::Verified;
                    }
                }
            }
        }
        let record = Record {
            kind: HistoryKind::Created,
            by,
            before: &fresh,
            fields: profile::diff(&fresh, &profile),
        };
        self.commit(&profile, record)?;
        self.index_soon().await?;
        Ok(Some(profile))
    }
}
