//! The source APIs' adapters: each reads its API's request as the API's page
//! documents it, maps it onto a canonical merge patch (through
//! `profile::sources`' table and `profile::foreign`'s values), writes it
//! through the customer's object as `/v1` does (the same rules, history,
//! consent ledger and events, with the adapter as the channel), and answers
//! in the API's own shape. Nothing an adapter needs stays here: what the
//! profile lacked went into the profile, its rules or the tenant's settings.

mod aspnet;
mod booking;
mod client_update;
mod extranet;
pub mod jsv;
mod storm;
mod utility;
pub mod xml;

use crate::admin::{self, Admin};
use crate::auth::{self, Customer};
use crate::customer::Who;
use crate::error::{ApiError, ApiResult};
use crate::tenant::Tenant;
use profile::Actor;
use profile::api::{Operation, Route, Scope};
use profile::rights::Provenance;
use serde_json::Value;
use std::rc::Rc;
use worker::{Env, Request, Response};

pub async fn handle(
    req: Request,
    env: &Env,
    route: &Route,
    values: &[&str],
) -> ApiResult<Response> {
    match route.operation {
        Operation::UtilityPatchCustomer => utility::handle(req, env, route, values[0]).await,
        Operation::ClientUpdate => client_update::handle(req, env, route).await,
        Operation::ExtranetUpdateCustomer => extranet::handle(req, env, route).await,
        Operation::BookingUpdateCustomer => booking::handle(req, env, route, values[0]).await,
        Operation::StormUpdateCustomer => storm::handle(req, env, route).await,
        _ => Err(ApiError::NotFound),
    }
}

/// Who calls a source API: a customer with their token, or a tenant's
/// backend with an admin key.
pub enum Caller {
    Customer(Customer),
    Admin(Admin),
}

impl Caller {
    /// The admin key if the credential has an admin key's form (it then
    /// needs `scope`), else the customer token.
    pub async fn of(req: &Request, env: &Env, scope: Scope) -> ApiResult<Caller> {
        match auth::bearer(req) {
            Some(key) if profile::keys::parse(&key).is_some() => {
                Ok(Caller::Admin(admin::admin(req, env, scope).await?))
            }
            _ => Ok(Caller::Customer(auth::customer(req, env).await?)),
        }
    }

    pub fn tenant(&self) -> &Rc<Tenant> {
        match self {
            Caller::Customer(customer) => &customer.config,
            Caller::Admin(admin) => &admin.config,
        }
    }

    pub fn actor(&self) -> Actor {
        match self {
            Caller::Customer(_) => Actor::Customer,
            Caller::Admin(_) => Actor::Admin,
        }
    }

    /// The customer `id` (the tenant's customer id): a customer may name
    /// only themselves (else `Forbidden`); an admin key any customer of its tenant.
    pub fn customer(&self, id: &str) -> Result<Who, Forbidden> {
        match self {
            Caller::Customer(customer) if customer.subject == id => Ok(Who::from(customer)),
            Caller::Customer(_) => Err(Forbidden),
            Caller::Admin(admin) => Ok(Who::by_id(&admin.tenant, id)),
        }
    }

    /// Who wrote, through `channel` (the adapter), at `point_of_sale` if the
    /// request names one. A customer token's own `source` and
    /// `point_of_sale` claims come first, as in `/v1`.
    pub fn provenance(&self, channel: &str, point_of_sale: Option<String>) -> Provenance {
        match self {
            Caller::Customer(customer) => Provenance {
                actor: "customer".into(),
                channel: customer.source.clone().unwrap_or_else(|| channel.into()),
                point_of_sale: customer.point_of_sale.clone().or(point_of_sale),
                acting_user: None,
            },
            Caller::Admin(admin) => Provenance {
                actor: format!("key:{}", admin.key_id),
                channel: channel.into(),
                point_of_sale,
                acting_user: None,
            },
        }
    }
}

/// A customer token that names another customer.
pub struct Forbidden;

/// The request's language for messages: `Accept-Language`, else the
/// tenant's default language, else English.
pub fn language(req: &Request, tenant: Option<&Tenant>) -> &'static str {
    let header = req
        .headers()
        .get("Accept-Language")
        .ok()
        .flatten()
        .unwrap_or_default();
    let default = tenant.and_then(|t| t.rules.default_language.as_deref());
    profile::messages::negotiate_or(&header, default)
}

/// The body, of one of `route`'s media types and at most its size.
pub async fn body(req: &mut Request, route: &Route) -> ApiResult<Vec<u8>> {
    crate::routes::check_media_type(req, route.accepts)?;
    crate::routes::limited_body(req, route.max_body_bytes()).await
}

/// Whether the request's body is XML (else JSON).
pub fn is_xml(req: &Request) -> bool {
    let media_type = req
        .headers()
        .get("Content-Type")
        .ok()
        .flatten()
        .unwrap_or_default()
        .to_ascii_lowercase();
    media_type.starts_with("application/xml") || media_type.starts_with("text/xml")
}

/// An answer of `status` with `body` of `content_type`, never cached, with
/// `Retry-After` when a limit was reached.
pub fn answer(
    status: u16,
    content_type: &str,
    body: String,
    retry_after: Option<u32>,
) -> ApiResult<Response> {
    let response = Response::ok(body)?.with_status(status);
    let headers = response.headers().clone();
    headers.set("Content-Type", content_type)?;
    headers.set("Cache-Control", "no-store")?;
    if let Some(seconds) = retry_after {
        headers.set("Retry-After", &seconds.to_string())?;
    }
    Ok(response.with_headers(headers))
}

/// .NET's empty GUID: no company, no key, no customer.
pub const NO_ID: &str = "00000000-0000-0000-0000-000000000000";

/// Where `source`'s `member` goes in the profile: the source map's place
/// (`""` for a member the map does not place; each adapter's test checks
/// that every member it writes has one).
pub fn place(source: &str, member: &str) -> &'static str {
    match profile::sources::target(source, member) {
        Some(profile::sources::Target::Field(pointer)) => pointer,
        _ => "",
    }
}

/// Sets `value` at `pointer` (a JSON Pointer of plain names) in `document`,
/// making the objects on the way: how an adapter puts a property on its place.
pub fn put(document: &mut Value, pointer: &str, value: Value) {
    let mut slot = document;
    let mut parts = pointer.trim_start_matches('/').split('/').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            slot[part] = value;
            return;
        }
        if !slot[part].is_object() {
            slot[part] = Value::Object(serde_json::Map::new());
        }
        slot = &mut slot[part];
    }
}

/// An object of these members (inserted one by one: collecting them would
/// sort them first, and bring a sort's code).
pub fn object<const N: usize>(members: [(&str, Value); N]) -> Value {
    let mut object = serde_json::Map::new();
    for (name, value) in members {
        object.insert(name.to_owned(), value);
    }
    Value::Object(object)
}

/// `error`'s `Retry-After`, if it has one.
pub fn retry_after(error: &ApiError) -> Option<u32> {
    match error {
        ApiError::TooManyWrites(seconds) | ApiError::TooManyCodes(seconds) => Some(*seconds),
        _ => None,
    }
}

/// Logs the cause of an internal error, as the problem answers of `/v1` do
/// (causes are ours, never a request's data); the answer says no more.
pub fn log_internal(error: &ApiError) {
    if let ApiError::Internal(cause) = error {
        worker::console_error!("internal error in a source API: {cause}");
    }
}
