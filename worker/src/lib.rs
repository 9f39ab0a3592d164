//! The customer profile Worker: routes requests to the customer's Durable
//! Object, after checking who is calling. Rules live in the `profile` crate.

mod auth;
mod customer;
mod dev;
mod error;
mod routes;
mod tenant;

pub use customer::CustomerObject;

use worker::{Context, Env, Request, Response, event};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let accept_language = req.headers().get("Accept-Language").ok().flatten();
    let language = profile::messages::negotiate(accept_language.as_deref().unwrap_or(""));
    match routes::handle(req, &env).await {
        Ok(response) => Ok(response),
        Err(error) => error.into_response(language),
    }
}
