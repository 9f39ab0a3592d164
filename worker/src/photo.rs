//! The profile photo over HTTP: uploaded raw by the customer (or the
//! tenant's backend), checked and stripped (`clean`), stored in KV under a
//! random id, and served from there to anyone who holds the id, as an
//! `<img>` on the programme's page needs. The customer's object records the
//! change and deletes the photo it replaces (see `customer::photo`).

mod clean;

pub use clean::clean;
#[cfg(feature = "fuzzing")]
pub use clean::has_metadata;

use crate::admin::{self, admin};
use crate::auth;
use crate::customer::{self, Who};
use crate::error::{ApiError, ApiResult};
use crate::routes::{check_media_type, limited_body, with_etag};
use profile::api::{Route, Scope};
use profile::photo::sniff;
use profile::rights::Provenance;
use profile::{Actor, Profile};
use worker::{Env, Request, Response};

/// The KV namespace of photos (with the tenants' configuration).
const KV: &str = crate::tenant::KV;

/// A photo's key in KV.
fn key(id: &str) -> String {
    format!("photo/{id}")
}

/// The picture the request brings, checked and cleaned, with what it was sent as.
async fn received(req: &mut Request, route: &Route) -> ApiResult<Vec<u8>> {
    check_media_type(req, route.accepts)?;
    let media_type = req.headers().get("Content-Type")?.unwrap_or_default();
    let media_type = media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let bytes = limited_body(req, route.max_body_bytes()).await?;
    clean(&media_type, &bytes).map_err(|error| ApiError::Validation(vec![error]))
}

/// Stores `picture` (if any) and makes it the profile's photo; the photo it
/// replaces is deleted by the customer's object. A refused change deletes
/// the picture it stored.
pub(crate) async fn set(
    env: &Env,
    who: Who,
    actor: Actor,
    by: Provenance,
    if_match: Option<String>,
    picture: Option<Vec<u8>>,
) -> ApiResult<Profile> {
    let id = match picture {
        Some(bytes) => {
            let id = new_id();
            store(env, &id, &bytes).await?;
            Some(id)
        }
        None => None,
    };
    let set = customer::set_photo(env, who, actor, by, if_match, id.clone()).await;
    if set.is_err()
        && let Some(id) = &id
    {
        let _ = delete(env, id).await;
    }
    set
}

/// `PUT` and `DELETE /v1/customers/me/photo` (`If-Match` optional: the
/// last picture wins, and the answer is the profile with its new ETag).
pub async fn mine(mut req: Request, env: &Env, route: &Route) -> ApiResult<Response> {
    let who = auth::customer(&req, env).await?;
    crate::cors::check_tenant_origin(&req, &who)?;
    let by = crate::rights::of_customer(&req, &who)?;
    let if_match = req.headers().get("If-Match")?;
    let picture = match route.method {
        "PUT" => Some(received(&mut req, route).await?),
        _ => None,
    };
    let profile = set(env, (&who).into(), Actor::Customer, by, if_match, picture).await?;
    crate::routes::customer_answer(&who, &profile)
}

/// `PUT` and `DELETE /v1/customers/{id}/photo`, for the tenant's backend.
pub async fn customers(
    mut req: Request,
    env: &Env,
    id: &str,
    route: &Route,
) -> ApiResult<Response> {
    let admin = admin(&req, env, Scope::CustomersWrite).await?;
    let id = admin::subject(env, &admin.tenant, id).await?;
    let by = crate::rights::of_admin(&req, &admin)?;
    let if_match = req.headers().get("If-Match")?;
    let picture = match route.method {
        "PUT" => Some(received(&mut req, route).await?),
        _ => None,
    };
    let who = Who::by_id(&admin.tenant, &id);
    let profile = set(env, who, Actor::Admin, by, if_match, picture).await?;
    with_etag(Response::from_json(&profile)?, &profile.etag())
}

/// A new photo's id: a random UUID's 32 hexadecimal digits.
fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Stores a cleaned photo under `id`.
async fn store(env: &Env, id: &str, bytes: &[u8]) -> ApiResult<()> {
    let failed = |_| ApiError::Internal("KV could not store a photo".into());
    env.kv(KV)?
        .put_bytes(&key(id), bytes)
        .map_err(failed)?
        .execute()
        .await
        .map_err(failed)
}

/// Deletes the photo `id` (nothing if there is none).
pub async fn delete(env: &Env, id: &str) -> worker::Result<()> {
    env.kv(KV)?
        .delete(&key(id))
        .await
        .map_err(|e| worker::Error::RustError(e.to_string()))
}

/// `GET /v1/photos/{photo_id}`: the picture, kept by browsers and caches for
/// a year (an id never names another picture), and never read as anything
/// but an image.
pub async fn serve(env: &Env, id: &str) -> ApiResult<Response> {
    if !profile::photo::valid_id(id) {
        return Err(ApiError::NotFound);
    }
    let bytes = env
        .kv(KV)?
        .get(&key(id))
        .bytes()
        .await
        .map_err(|_| ApiError::Internal("KV could not read a photo".into()))?
        .ok_or(ApiError::NotFound)?;
    let media_type = sniff(&bytes).unwrap_or("application/octet-stream");
    let response = Response::from_bytes(bytes)?;
    let headers = response.headers().clone();
    headers.set("Content-Type", media_type)?;
    headers.set("Cache-Control", "public, max-age=31536000, immutable")?;
    headers.set("X-Content-Type-Options", "nosniff")?;
    headers.set("Content-Security-Policy", "default-src 'none'")?;
    Ok(response.with_headers(headers))
}
