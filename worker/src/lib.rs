//! The customer profile Worker: routes requests to the customer's Durable
//! Object, after checking who is calling. Rules live in the `profile` crate.

mod auth;
mod cors;
mod customer;
mod dev;
mod email_claim;
mod error;
mod object_call;
mod routes;
mod tenant;
mod token;
mod webcrypto;

pub use customer::CustomerObject;
pub use email_claim::EmailClaim;

use worker::{Context, Env, Request, Response, event};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let accept_language = req.headers().get("Accept-Language").ok().flatten();
    let language = profile::messages::negotiate(accept_language.as_deref().unwrap_or(""));
    let origin = cors::origin(&req);
    let customer_api = req.path().starts_with("/v1/customers/");
    let response = match routes::handle(req, &env).await {
        Ok(response) => response,
        Err(error) => error.into_response(language)?,
    };
    if customer_api {
        cors::decorate(response, origin.as_deref(), &env).await
    } else {
        Ok(response)
    }
}
