//! The Worker's side of the customer object: each function asks it one thing
//! and turns its reply into a value or an `ApiError`.

use super::{Ask, BINDING, Reply, Who, Write};
use crate::auth::Customer;
use crate::error::{ApiError, ApiResult};
use profile::rights::{ConsentRecord, Export, HistoryPage, Provenance};
use profile::{Actor, Code, Profile};
use serde_json::Value;
use worker::Env;

/// Reads the customer's profile, creating it on first access (410 if the
/// customer was erased and the tenant suppresses their return).
pub async fn read(env: &Env, who: &Customer, by: Provenance) -> ApiResult<Profile> {
    let who: Who = who.into();
    let name = who.name();
    match send(
        env,
        &name,
        &Ask::Read {
            who,
            by,
            create: true,
        },
    )
    .await?
    {
        Reply::Profile { profile } => Ok(*profile),
        Reply::Gone => Err(ApiError::Erased),
        _ => Err(ApiError::Internal("unexpected reply to read".into())),
    }
}

/// Reads a profile; `None` if there is none. Never creates one.
pub async fn read_as(env: &Env, who: Who) -> ApiResult<Option<Profile>> {
    let name = who.name();
    let by = Provenance {
        actor: String::new(),
        channel: String::new(),
        point_of_sale: None,
        acting_user: None,
    };
    let ask = Ask::Read {
        who,
        by,
        create: false,
    };
    match send(env, &name, &ask).await? {
        Reply::Profile { profile } => Ok(Some(*profile)),
        Reply::Missing => Ok(None),
        _ => Err(ApiError::Internal("unexpected reply to read".into())),
    }
}

/// Imports one line into the customer's profile: what it did, or why not.
pub async fn import(
    env: &Env,
    who: Who,
    by: Provenance,
    line: Value,
) -> ApiResult<Result<profile::imports::Outcome, Vec<profile::FieldError>>> {
    let name = who.name();
    match send(env, &name, &Ask::Import { who, by, line }).await? {
        Reply::Imported { result } => Ok(Ok(result)),
        Reply::Gone => Ok(Ok(profile::imports::Outcome::Erased)),
        Reply::Invalid { errors } => Ok(Err(errors)),
        _ => Err(ApiError::Internal("unexpected reply to an import".into())),
    }
}

/// Erases the customer's profile, its history and its consent ledger,
/// leaving a tombstone: its own id, or 404 if there was none.
pub async fn erase(
    env: &Env,
    who: Who,
    by: Provenance,
    if_match: Option<String>,
) -> ApiResult<String> {
    let name = who.name();
    match send(env, &name, &Ask::Erase { who, by, if_match }).await? {
        Reply::Erased { id } => Ok(id),
        other => Err(refused(other, "erase")),
    }
}

/// Makes `photo` (a stored photo's id, or none) the profile's photo, if
/// `if_match` (when given) names its version. A customer without a profile
/// gets one; for an admin, that is a 404.
pub async fn set_photo(
    env: &Env,
    who: Who,
    actor: Actor,
    by: Provenance,
    if_match: Option<String>,
    photo: Option<String>,
) -> ApiResult<Profile> {
    let name = who.name();
    let ask = Ask::SetPhoto {
        who,
        actor,
        by,
        if_match,
        photo,
    };
    match send(env, &name, &ask).await? {
        Reply::Profile { profile } => Ok(*profile),
        other => Err(refused(other, "a photo")),
    }
}

/// Why a write was refused: no profile (404), an erased customer whose
/// return is suppressed (410), too many writes (429), a stale `If-Match`
/// (412); any other reply is ours to explain (500).
fn refused(reply: Reply, to: &str) -> ApiError {
    match reply {
        Reply::Missing => ApiError::NotFound,
        Reply::Gone => ApiError::Erased,
        Reply::Busy { retry_after } => ApiError::TooManyWrites(retry_after),
        Reply::TooManyCodes { retry_after } => ApiError::TooManyCodes(retry_after),
        Reply::Stale { etag } => ApiError::PreconditionFailed(etag),
        _ => ApiError::Internal(format!("unexpected reply to {to}")),
    }
}

/// A page of the profile's history, newest first; `None` if there is no profile.
pub async fn history(env: &Env, who: &Who, cursor: Option<i64>) -> ApiResult<Option<HistoryPage>> {
    match send(env, &who.name(), &Ask::History { cursor }).await? {
        Reply::History { page } => Ok(Some(page)),
        Reply::Missing => Ok(None),
        _ => Err(ApiError::Internal("unexpected reply to history".into())),
    }
}

/// The consents and their ledger; `None` if there is no profile.
pub async fn consents(env: &Env, who: &Who) -> ApiResult<Option<ConsentRecord>> {
    match send(env, &who.name(), &Ask::Consents).await? {
        Reply::Consents { record } => Ok(Some(record)),
        Reply::Missing => Ok(None),
        _ => Err(ApiError::Internal("unexpected reply to consents".into())),
    }
}

/// Everything held; `None` if there is neither a profile nor a tombstone.
pub async fn export(env: &Env, who: &Who) -> ApiResult<Option<Export>> {
    match send(env, &who.name(), &Ask::Export).await? {
        Reply::Export { export } => Ok(Some(*export)),
        Reply::Missing => Ok(None),
        _ => Err(ApiError::Internal("unexpected reply to export".into())),
    }
}

/// Puts a replayed dead letter back in its customer's outbox for `endpoint`.
pub async fn requeue(env: &Env, event: &Value, endpoint: &str) -> worker::Result<()> {
    let member = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    let tenant = member(&event["tenant"]);
    let name = super::object_name(&tenant, &member(&event["customer"]["external_id"]));
    let ask = Ask::Requeue {
        event: event.clone(),
        endpoint: endpoint.to_owned(),
    };
    ask_object(env, &name, &ask).await.map(|_| ())
}

/// Local development only: stores `body` as the profile of `subject`, as an
/// earlier release wrote it (see `dev::fixture`).
pub async fn restore(env: &Env, tenant: &str, subject: &str, body: String) -> worker::Result<()> {
    let name = super::object_name(tenant, subject);
    ask_object(env, &name, &Ask::Restore { body })
        .await
        .map(|_| ())
}

/// Lets an erased customer return; 404 if they were never erased.
pub async fn lift(env: &Env, who: &Who) -> ApiResult<()> {
    match send(env, &who.name(), &Ask::Lift).await? {
        Reply::Lifted => Ok(()),
        Reply::Missing => Err(ApiError::NotFound),
        _ => Err(ApiError::Internal("unexpected reply to lift".into())),
    }
}

/// Writes the profile if `if_match` names the current version, as `actor`
/// (an admin's write of a customer who has no profile is a 404);
/// `rules`: the tenant's, for the messages of errors.
#[allow(clippy::too_many_arguments)]
pub async fn write(
    env: &Env,
    who: Who,
    actor: Actor,
    by: Provenance,
    rules: &profile::TenantRules,
    how: Write,
    if_match: String,
    body: Value,
) -> ApiResult<Profile> {
    let name = who.name();
    let ask = match how {
        Write::MergePatch => Ask::Patch {
            who,
            actor,
            by,
            if_match,
            patch: body,
            only: None,
        },
        Write::Replace => Ask::Replace {
            who,
            actor,
            by,
            if_match,
            body,
        },
    };
    profile_or_refused(send(env, &name, &ask).await?, rules, "a write")
}

/// A source API's write, which has no `If-Match`: the merge patch is read,
/// merged and stored inside the customer's object, where nothing interleaves
/// with it, so no update is lost. `only`: the fields the API may change at
/// all. When another write came in while the object claimed a new e-mail
/// address (the one await of a write), it is merged again on the new version.
pub async fn write_unconditionally(
    env: &Env,
    who: Who,
    actor: Actor,
    by: Provenance,
    rules: &profile::TenantRules,
    patch: Value,
    only: Option<Vec<String>>,
) -> ApiResult<Profile> {
    let name = who.name();
    let mut tries = 0;
    loop {
        let ask = Ask::Patch {
            who: who.clone(),
            actor,
            by: by.clone(),
            if_match: "*".into(),
            patch: patch.clone(),
            only: only.clone(),
        };
        match send(env, &name, &ask).await? {
            Reply::Stale { .. } if tries < 3 => tries += 1,
            reply => return profile_or_refused(reply, rules, "a write"),
        }
    }
}

fn profile_or_refused(reply: Reply, rules: &profile::TenantRules, to: &str) -> ApiResult<Profile> {
    match reply {
        Reply::Profile { profile } => Ok(*profile),
        Reply::Invalid { errors } => {
            let rules = Box::new(rules.clone());
            if errors.iter().all(|e| e.code == Code::EmailTaken) {
                Err(ApiError::EmailTaken(errors, rules))
            } else {
                Err(ApiError::InvalidProfile(errors, rules))
            }
        }
        other => Err(refused(other, to)),
    }
}

/// Tries `code` for the customer's pending address: the profile with the
/// address proven, or why not (422 with the attempts left, 409 if another
/// customer holds it proven).
pub async fn verify_email(
    env: &Env,
    who: Who,
    by: Provenance,
    rules: &profile::TenantRules,
    code: String,
) -> ApiResult<Profile> {
    let name = who.name();
    let reply = send(env, &name, &Ask::VerifyEmail { who, by, code }).await?;
    profile_or_refused(reply, rules, "a code")
}

/// Sends another code for the customer's pending address.
pub async fn send_code(
    env: &Env,
    who: Who,
    rules: &profile::TenantRules,
) -> ApiResult<profile::verification::CodeSent> {
    let name = who.name();
    match send(env, &name, &Ask::SendCode { who }).await? {
        Reply::CodeSent { sent } => Ok(sent),
        Reply::Invalid { errors } => Err(ApiError::InvalidProfile(errors, Box::new(rules.clone()))),
        other => Err(refused(other, "a new code")),
    }
}

/// Asks the customer object `name` about an `Idempotency-Key`.
pub async fn keep_key(
    env: &Env,
    name: &str,
    ask: crate::idempotency::KeyAsk,
) -> ApiResult<Option<crate::idempotency::KeyState>> {
    crate::object_call::ask(env, BINDING, name, &Ask::Key { ask })
        .await
        .map_err(|_| ApiError::Internal("asking the customer object about a key failed".into()))
}

/// Read straight from the reply's text (not through a `Value`, whose
/// reader of every reply type cost the Worker several KiB).
async fn send(env: &Env, name: &str, ask: &Ask) -> ApiResult<Reply> {
    // The reply holds personal data, which a reading error may quote: never
    // put the error in the cause.
    crate::object_call::ask(env, BINDING, name, ask)
        .await
        .map_err(|_| ApiError::Internal("asking the customer object failed".into()))
}

async fn ask_object(env: &Env, name: &str, ask: &Ask) -> worker::Result<Value> {
    crate::object_call::ask(env, BINDING, name, ask).await
}

/// Whether the customer object `name` uses the address `email_key`. A reply
/// that is not a boolean is an error, never "not in use": a claim is handed
/// over only on a clear no.
pub async fn uses_email(env: &Env, name: &str, email_key: &str) -> worker::Result<bool> {
    let ask = Ask::UsesEmail {
        email_key: email_key.to_owned(),
    };
    in_use(&ask_object(env, name, &ask).await?)
}

fn in_use(reply: &Value) -> worker::Result<bool> {
    reply.as_bool().ok_or_else(|| {
        worker::Error::RustError("the customer object's reply was not a yes or no".into())
    })
}

#[cfg(test)]
mod tests {
    use super::in_use;
    use serde_json::json;

    #[test]
    fn only_a_clear_no_frees_an_address() {
        assert!(!in_use(&json!(false)).unwrap());
        assert!(in_use(&json!(true)).unwrap());
        for unclear in [json!(null), json!("false"), json!(0), json!({}), json!([])] {
            assert!(in_use(&unclear).is_err(), "{unclear}");
        }
    }
}
