//! The customer's rights over HTTP, for the customer (`/v1/customers/me/...`)
//! and for the tenant's backend (`/v1/customers/{id}/...`): the history of
//! changes, the consents with their ledger, the export of everything held,
//! erasure, and lifting the suppression of an erased customer's return.
//! Reading any of them never creates a profile.

use crate::admin::{self, Admin, admin};
use crate::auth::{self, Customer};
use crate::customer::{self, Who};
use crate::error::{ApiError, ApiResult};
use crate::provenance;
use profile::api::Scope;
use profile::rights::{ConsentRecord, HistoryPage, Provenance};
use std::collections::BTreeMap;
use worker::{Env, Request, Response};

async fn customer(req: &Request, env: &Env) -> ApiResult<Customer> {
    let who = auth::customer(req, env).await?;
    crate::cors::check_tenant_origin(req, &who)?;
    Ok(who)
}

/// The admin and the customer its path's `{id}` names.
async fn admin_on(req: &Request, env: &Env, id: &str, scope: Scope) -> ApiResult<(Admin, Who)> {
    let admin = admin(req, env, scope).await?;
    let id = admin::subject(env, &admin.tenant, id).await?;
    let who = Who::by_id(&admin.tenant, &id);
    Ok((admin, who))
}

/// The `?cursor=` of a history page: the `next` of the page before.
fn cursor(req: &Request) -> ApiResult<Option<i64>> {
    let url = req.url()?;
    match url.query_pairs().find(|(name, _)| name == "cursor") {
        None => Ok(None),
        Some((_, value)) => value
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(|| {
                ApiError::MalformedBody("`cursor` is the `next` of an earlier page.".into())
            }),
    }
}

/// Nobody's cache keeps what is held about a customer.
fn private(response: Response) -> ApiResult<Response> {
    let headers = response.headers().clone();
    headers.set("Cache-Control", "no-store")?;
    Ok(response.with_headers(headers))
}

fn empty_history() -> HistoryPage {
    HistoryPage {
        entries: Vec::new(),
        next: None,
    }
}

/// `GET /v1/customers/me/history`: newest first; empty before the first visit.
pub async fn my_history(req: &Request, env: &Env) -> ApiResult<Response> {
    let who = customer(req, env).await?;
    let page = customer::history(env, &(&who).into(), cursor(req)?).await?;
    private(Response::from_json(&page.unwrap_or_else(empty_history))?)
}

/// `GET /v1/customers/{id}/history`.
pub async fn customer_history(req: &Request, env: &Env, id: &str) -> ApiResult<Response> {
    let (_, who) = admin_on(req, env, id, Scope::CustomersRead).await?;
    let page = customer::history(env, &who, cursor(req)?).await?;
    private(Response::from_json(&page.ok_or(ApiError::NotFound)?)?)
}

/// `GET /v1/customers/me/consents`: the consents and their whole ledger.
pub async fn my_consents(req: &Request, env: &Env) -> ApiResult<Response> {
    let who = customer(req, env).await?;
    let record = customer::consents(env, &(&who).into()).await?;
    let record = record.unwrap_or_else(|| ConsentRecord {
        consents: BTreeMap::new(),
        ledger: Vec::new(),
    });
    private(Response::from_json(&record)?)
}

/// `GET /v1/customers/{id}/consents`.
pub async fn customer_consents(req: &Request, env: &Env, id: &str) -> ApiResult<Response> {
    let (_, who) = admin_on(req, env, id, Scope::CustomersRead).await?;
    let record = customer::consents(env, &who).await?;
    private(Response::from_json(&record.ok_or(ApiError::NotFound)?)?)
}

/// The export as a download named after the customer's profile, its
/// photo as a link at the address the request came to.
fn download(req: &Request, mut export: profile::rights::Export) -> ApiResult<Response> {
    if let Some(id) = export.photo.take() {
        let url = req.url()?;
        export.photo = Some(format!(
            "{}/v1/photos/{id}",
            url.origin().ascii_serialization()
        ));
    }
    let response = private(Response::from_json(&export)?)?;
    let headers = response.headers().clone();
    headers.set(
        "Content-Disposition",
        "attachment; filename=\"customer-profile-export.json\"",
    )?;
    Ok(response.with_headers(headers))
}

/// `GET /v1/customers/me/export`: everything held about the customer.
pub async fn export_me(req: &Request, env: &Env) -> ApiResult<Response> {
    let who = customer(req, env).await?;
    let export = customer::export(env, &(&who).into()).await?;
    let export = export.unwrap_or_else(|| profile::rights::Export {
        exported: crate::clock::now_rfc3339(),
        profile: None,
        history: Vec::new(),
        consent_ledger: Vec::new(),
        photo: None,
        erasure: None,
    });
    download(req, export)
}

/// `GET /v1/customers/{id}/export`.
pub async fn export_customer(req: &Request, env: &Env, id: &str) -> ApiResult<Response> {
    let (_, who) = admin_on(req, env, id, Scope::CustomersRead).await?;
    let export = customer::export(env, &who).await?;
    download(req, export.ok_or(ApiError::NotFound)?)
}

/// The customer's provenance: the token's claims, then the headers.
pub fn of_customer(req: &Request, who: &Customer) -> ApiResult<Provenance> {
    let claimed = (who.source.as_deref(), who.point_of_sale.as_deref());
    provenance::of_request(req, "customer".into(), claimed, provenance::DEFAULT_CHANNEL)
}

/// An admin key's provenance, from the headers.
pub fn of_admin(req: &Request, admin: &Admin) -> ApiResult<Provenance> {
    let actor = format!("key:{}", admin.key_id);
    provenance::of_request(req, actor, (None, None), provenance::DEFAULT_CHANNEL)
}

/// An import's provenance: its admin key, and `import` unless the headers name a channel.
pub fn of_import(req: &Request, admin: &Admin) -> ApiResult<Provenance> {
    let actor = format!("key:{}", admin.key_id);
    provenance::of_request(req, actor, (None, None), provenance::IMPORT_CHANNEL)
}

/// `DELETE /v1/customers/me` with `If-Match`: the customer erases their profile.
pub async fn erase_me(req: &Request, env: &Env) -> ApiResult<Response> {
    let who = customer(req, env).await?;
    let if_match = req
        .headers()
        .get("If-Match")?
        .ok_or(ApiError::PreconditionRequired)?;
    let by = of_customer(req, &who)?;
    let profile = customer::erase(env, (&who).into(), by, Some(if_match)).await?;
    let detail = serde_json::json!({ "profile": profile });
    admin::record(env, &who.tenant, "customer", "customer.erased", detail).await?;
    Ok(Response::empty()?.with_status(204))
}

/// `DELETE /v1/customers/{id}` (`If-Match` optional): the profile, its
/// history and its ledger are gone, its e-mail address free; the tenant's
/// audit log records that the key erased a customer (by the profile's own
/// id, nothing personal).
pub async fn erase_customer(req: &Request, env: &Env, id: &str) -> ApiResult<Response> {
    let (admin, who) = admin_on(req, env, id, Scope::CustomersErase).await?;
    let by = of_admin(req, &admin)?;
    let if_match = req.headers().get("If-Match")?;
    let profile = customer::erase(env, who, by.clone(), if_match).await?;
    let detail = serde_json::json!({ "profile": profile });
    admin::record(env, &admin.tenant, &by.actor, "customer.erased", detail).await?;
    Ok(Response::empty()?.with_status(204))
}

/// `DELETE /v1/customers/{id}/suppression`: an erased customer may return.
pub async fn lift_suppression(req: &Request, env: &Env, id: &str) -> ApiResult<Response> {
    let (admin, who) = admin_on(req, env, id, Scope::CustomersErase).await?;
    customer::lift(env, &who).await?;
    let actor = format!("key:{}", admin.key_id);
    let detail = serde_json::json!({});
    admin::record(
        env,
        &admin.tenant,
        &actor,
        "customer.return_allowed",
        detail,
    )
    .await?;
    Ok(Response::empty()?.with_status(204))
}
