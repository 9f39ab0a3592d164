//! The customer profile Worker: routes requests to the customer's Durable
//! Object, after checking who is calling. Rules live in the `profile` crate.

mod admin;
mod atomic;
mod auth;
mod cache;
mod clock;
mod conditional;
mod cors;
mod customer;
mod dev;
mod email_claim;
mod error;
mod idempotency;
mod import_object;
mod object_call;
mod origins;
mod provenance;
mod rights;
mod routes;
// The fuzz targets (crates/profile/fuzz) read bodies and tenant configurations
// (and photos, and the source APIs' XML) as the Worker does: they build with the feature `fuzzing`, which
// makes these modules public. Without it they stay private, as public items change how
// the Worker compiles (measured: 10 bytes gzip more).
#[cfg(feature = "fuzzing")]
pub mod photo;
#[cfg(not(feature = "fuzzing"))]
mod photo;
#[cfg(feature = "fuzzing")]
pub mod sources;
#[cfg(not(feature = "fuzzing"))]
mod sources;
#[cfg(feature = "fuzzing")]
pub mod strict_json;
#[cfg(not(feature = "fuzzing"))]
mod strict_json;
#[cfg(feature = "fuzzing")]
pub mod tenant;
#[cfg(not(feature = "fuzzing"))]
mod tenant;
mod tenant_object;
mod token;
mod webcrypto;
mod webhook;

pub use customer::CustomerObject;
pub use email_claim::EmailClaim;
pub use import_object::ImportObject;
pub use tenant_object::TenantObject;

use worker::{Context, Env, Request, Response, event};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    // Names this request in the answer (X-Request-Id, and `instance` of a
    // problem) and in the log line, so a customer's report can be found.
    let request_id = uuid::Uuid::new_v4().to_string();
    let method = req.method();
    // The log names the route as the table writes it (`/v1/customers/{id}`),
    // never the path itself: a path may hold a customer's id, the query
    // string anything.
    let path = req.path();
    let logged = match profile::api::find(method.as_ref(), &path, true) {
        profile::api::Found::Route(route, _) => route.path,
        _ => "(no route)",
    };
    let accept_language = req.headers().get("Accept-Language").ok().flatten();
    let language = profile::messages::negotiate(accept_language.as_deref().unwrap_or(""));
    let origin = cors::origin(&req);
    // The customer's own routes answer browsers; the admin ones, backends.
    let customer_api = logged.starts_with("/v1/customers/me");
    let response = match idempotency::handle(req, &env, language, &request_id).await {
        Ok(response) => response,
        Err(error) => error.into_response(language, &request_id)?,
    };
    let response = if customer_api {
        cors::decorate(response, origin.as_deref(), &env).await?
    } else {
        response
    };
    // A line for every answer that refuses or fails: what a customer or a
    // programme reports. Successes are left to the platform's own request
    // log, since a line per request costs every request (and, under
    // wrangler dev, the proxy that prints it).
    let status = response.status_code();
    if status >= 400 {
        worker::console_log!("{method:?} {logged} {status} request {request_id}");
    }
    let headers = response.headers().clone();
    headers.set("X-Request-Id", &request_id)?;
    Ok(response.with_headers(headers))
}
