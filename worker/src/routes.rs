//! The router: each handler reads the request, asks the customer's Durable
//! Object or KV, and turns the answer into a response.

use crate::customer::Write;
use crate::error::{ApiError, ApiResult};
use crate::tenant_object::{self, Ask, Change, Configured, Versioned};
use crate::{
    admin, auth, conditional, cors, customer, dev, import_object, photo, rights, strict_json,
    tenant,
};
use profile::Actor;
use profile::api::{self, Found, Operation, Route};
use serde_json::{Value, json};
use worker::{Env, Request, Response};

/// Largest JSON body accepted.
pub const MAX_BODY_BYTES: usize = profile::api::MAX_JSON_BYTES;

/// Dispatches from the route table (`profile::api::ROUTES`): the table
/// says which routes exist; this `match` only names each one's handler.
pub async fn handle(req: Request, env: &Env) -> ApiResult<Response> {
    let path = req.path();
    let method = req.method();
    let (route, values) = match api::find(method.as_ref(), &path, dev::enabled(env)) {
        Found::Route(route, values) => (route, values),
        Found::MethodNotAllowed(methods) => {
            return Err(ApiError::MethodNotAllowed(methods.join(", ")));
        }
        Found::NotFound => return Err(ApiError::NotFound),
    };
    match route.operation {
        Operation::Health => Ok(Response::from_json(&json!({"status": "ok"}))?),
        Operation::OpenApi => {
            let response = Response::ok(include_str!("../openapi.json"))?;
            let headers = response.headers().clone();
            headers.set("Content-Type", "application/json")?;
            Ok(response.with_headers(headers))
        }
        Operation::GetMe => get_me(req, env).await,
        Operation::PatchMe => write_me(req, env, Write::MergePatch, route).await,
        Operation::ReplaceMe => write_me(req, env, Write::Replace, route).await,
        Operation::EraseMe => rights::erase_me(&req, env).await,
        Operation::PreflightMe
        | Operation::PreflightMySchema
        | Operation::PreflightMyHistory
        | Operation::PreflightMyConsents
        | Operation::PreflightMyExport
        | Operation::PreflightMyPhoto
        | Operation::PreflightMyEmailVerify
        | Operation::PreflightMyEmailCode => cors::preflight(&req, env).await,
        Operation::VerifyMyEmail => verify_my_email(req, env, route).await,
        Operation::SendMyEmailCode => send_my_code(&req, env).await,
        Operation::PutMyPhoto | Operation::DeleteMyPhoto => photo::mine(req, env, route).await,
        Operation::GetPhoto => photo::serve(env, values[0]).await,
        Operation::PutCustomerPhoto | Operation::DeleteCustomerPhoto => {
            let id = values[0].to_owned();
            photo::customers(req, env, &id, route).await
        }
        Operation::GetMySchema => get_schema(&req, env).await,
        Operation::GetMyHistory => rights::my_history(&req, env).await,
        Operation::GetMyConsents => rights::my_consents(&req, env).await,
        Operation::ExportMe => rights::export_me(&req, env).await,
        Operation::GetCustomerHistory => rights::customer_history(&req, env, values[0]).await,
        Operation::GetCustomerConsents => rights::customer_consents(&req, env, values[0]).await,
        Operation::ExportCustomer => rights::export_customer(&req, env, values[0]).await,
        Operation::LiftSuppression => rights::lift_suppression(&req, env, values[0]).await,
        Operation::GetTenant => get_tenant(&req, env, values[0]).await,
        Operation::PutTenant => {
            let id = values[0].to_owned();
            put_tenant(req, env, &id, route).await
        }
        Operation::IssueKey => {
            let tenant = values[0].to_owned();
            admin::issue_key(req, env, &tenant, route.accepts).await
        }
        Operation::ListKeys => admin::list_keys(&req, env, values[0]).await,
        Operation::RevokeKey => admin::revoke_key(&req, env, values[0], values[1]).await,
        Operation::GetAudit => admin::audit(&req, env, values[0]).await,
        Operation::GetCustomer => admin::get_customer(&req, env, values[0]).await,
        Operation::PatchCustomer | Operation::ReplaceCustomer => {
            let how = match route.operation {
                Operation::PatchCustomer => Write::MergePatch,
                _ => Write::Replace,
            };
            let id = values[0].to_owned();
            admin::write_customer(req, env, &id, how, route.accepts).await
        }
        Operation::EraseCustomer => rights::erase_customer(&req, env, values[0]).await,
        Operation::ListCustomers => admin::list_customers(&req, env).await,
        Operation::ImportCustomers => import_object::start(req, env, route.accepts).await,
        Operation::GetImport => import_object::status(&req, env, values[0]).await,
        Operation::GetRules => admin::get_rules(&req, env, values[0]).await,
        Operation::PutRules => {
            let tenant = values[0].to_owned();
            admin::put_rules(req, env, &tenant, route.accepts).await
        }
        Operation::SearchCustomers => admin::search_customers(req, env, route.accepts).await,
        Operation::UtilityPatchCustomer
        | Operation::ClientUpdate
        | Operation::ExtranetUpdateCustomer
        | Operation::BookingUpdateCustomer
        | Operation::StormUpdateCustomer => crate::sources::handle(req, env, route, &values).await,
        Operation::DevToken => dev::token(&req, env).await,
        Operation::DemoPage => dev::demo_page(),
        Operation::DevEvents => dev::events::page(env).await,
        Operation::DevReceive => dev::events::receive(req, env).await,
        Operation::DevFixture => {
            let body = json_body(&mut { req }, route.accepts).await?;
            dev::fixture(env, &body).await
        }
        Operation::ListWebhooks
        | Operation::CreateWebhook
        | Operation::ListDeliveries
        | Operation::UpdateWebhook
        | Operation::DeleteWebhook
        | Operation::RotateWebhookSecret
        | Operation::TestWebhook
        | Operation::ListDeadLetters
        | Operation::ReplayDeadLetters => {
            crate::webhook::routes::handle(req, env, route, &values).await
        }
    }
}

/// The answer with its `ETag`, never kept by a cache.
pub fn with_etag(response: Response, etag: &str) -> ApiResult<Response> {
    let headers = response.headers().clone();
    headers.set("ETag", etag)?;
    headers.set("Cache-Control", "no-store")?;
    Ok(response.with_headers(headers))
}

async fn get_me(req: Request, env: &Env) -> ApiResult<Response> {
    let who = auth::customer(&req, env).await?;
    cors::check_tenant_origin(&req, &who)?;
    let by = rights::of_customer(&req, &who)?;
    let profile = customer::read(env, &who, by).await?;
    let etag = profile.etag();
    let has_it = req.headers().get("If-None-Match")?;
    if has_it.is_some_and(|tags| conditional::if_none_match(&tags, &etag)) {
        return with_etag(Response::empty()?.with_status(304), &etag);
    }
    customer_answer(&who, &profile)
}

/// The profile as its customer may read it, with its ETag.
pub fn customer_answer(who: &auth::Customer, profile: &profile::Profile) -> ApiResult<Response> {
    let rules = who.config.compiled_rules()?;
    let view = profile::customer_view(profile, &rules);
    with_etag(Response::from_json(&view)?, &profile.etag())
}

async fn write_me(mut req: Request, env: &Env, how: Write, route: &Route) -> ApiResult<Response> {
    let who = auth::customer(&req, env).await?;
    cors::check_tenant_origin(&req, &who)?;
    let if_match = req
        .headers()
        .get("If-Match")?
        .ok_or(ApiError::PreconditionRequired)?;
    let by = rights::of_customer(&req, &who)?;
    let body = json_body(&mut req, route.accepts).await?;
    let rules = &who.config.rules;
    let profile = customer::write(
        env,
        customer::Who::from(&who).speaking(language(&req)?),
        Actor::Customer,
        by,
        rules,
        how,
        if_match,
        body,
    )
    .await?;
    customer_answer(&who, &profile)
}

/// The request's language among the messages' five (`Accept-Language`).
fn language(req: &Request) -> ApiResult<&'static str> {
    let accept_language = req.headers().get("Accept-Language")?.unwrap_or_default();
    Ok(profile::messages::negotiate(&accept_language))
}

/// `POST /v1/customers/me/email/verify`: `{"code": "123456"}`.
async fn verify_my_email(mut req: Request, env: &Env, route: &Route) -> ApiResult<Response> {
    let who = auth::customer(&req, env).await?;
    cors::check_tenant_origin(&req, &who)?;
    let by = rights::of_customer(&req, &who)?;
    let body = json_body(&mut req, route.accepts).await?;
    let code = code_of(&body)?;
    let asking = customer::Who::from(&who).speaking(language(&req)?);
    let profile = customer::verify_email(env, asking, by, &who.config.rules, code).await?;
    customer_answer(&who, &profile)
}

/// The code of a verification's body, or the field error that says what is wrong.
fn code_of(body: &Value) -> ApiResult<String> {
    use profile::{Code, FieldError};
    let error = |pointer: &str, code| ApiError::Validation(vec![FieldError::new(pointer, code)]);
    let Value::Object(members) = body else {
        return Err(error("", Code::InvalidType));
    };
    if let Some(unknown) = members.keys().find(|k| *k != "code") {
        let pointer = format!("/{}", profile::error::pointer_segment(unknown));
        return Err(error(&pointer, Code::UnknownField));
    }
    match members.get("code") {
        Some(Value::String(code)) => Ok(code.clone()),
        None | Some(Value::Null) => Err(error("/code", Code::Required)),
        Some(_) => Err(error("/code", Code::InvalidType)),
    }
}

/// `POST /v1/customers/me/email/code`: another code for the pending address.
async fn send_my_code(req: &Request, env: &Env) -> ApiResult<Response> {
    let who = auth::customer(req, env).await?;
    cors::check_tenant_origin(req, &who)?;
    let asking = customer::Who::from(&who).speaking(language(req)?);
    let sent = customer::send_code(env, asking, &who.config.rules).await?;
    let response = Response::from_json(&sent)?;
    let headers = response.headers().clone();
    headers.set("Cache-Control", "no-store")?;
    Ok(response.with_headers(headers))
}

async fn get_schema(req: &Request, env: &Env) -> ApiResult<Response> {
    let who = auth::customer(req, env).await?;
    cors::check_tenant_origin(req, &who)?;
    let rules = who.config.compiled_rules()?;
    let language = language(req)?;
    let schema = profile::schema::form_schema(&rules, language);
    let response = Response::from_json(&schema)?;
    let headers = response.headers().clone();
    headers.set("Content-Language", language)?;
    headers.set("Vary", "Accept-Language")?;
    Ok(response.with_headers(headers))
}

/// The operator's view of a tenant: its configuration without secrets, and
/// its version as the ETag that `If-Match` names.
async fn get_tenant(req: &Request, env: &Env, id: &str) -> ApiResult<Response> {
    auth::operator(req, env)?;
    if !tenant::valid_tenant_id(id) {
        return Err(ApiError::NotFound);
    }
    let ask = Ask::Config { tenant: id.into() };
    let versioned: Option<Versioned> = tenant_object::ask(env, id, &ask).await?;
    let versioned = versioned.ok_or(ApiError::NotFound)?;
    with_etag(
        Response::from_json(&versioned.config.redacted())?,
        &versioned.etag(),
    )
}

async fn put_tenant(mut req: Request, env: &Env, id: &str, route: &Route) -> ApiResult<Response> {
    auth::operator(&req, env)?;
    if !tenant::valid_tenant_id(id) {
        return Err(ApiError::Validation(vec![
            profile::FieldError::new("", profile::Code::InvalidCharacters)
                .with("pattern", "[a-z0-9-]{1,64}"),
        ]));
    }
    let body = json_body(&mut req, route.accepts).await?;
    let mut config: tenant::TenantConfig = serde_json::from_value(body)
        .map_err(|e| ApiError::MalformedBody(format!("Not a tenant configuration: {e}.")))?;
    config.normalize();
    config.check().await?;
    let ask = Ask::Configure {
        tenant: id.into(),
        change: Change::Whole(Box::new(config)),
        if_match: req.headers().get("If-Match")?,
        actor: "operator".into(),
    };
    match tenant_object::ask(env, id, &ask).await? {
        Configured::Stored(versioned) => with_etag(
            Response::from_json(&versioned.config.redacted())?,
            &versioned.etag(),
        ),
        Configured::Stale(etag) => Err(ApiError::ConfigChanged(etag)),
    }
}

/// Reads a JSON body of one of the `accepted` media types, at most 64 KiB.
pub async fn json_body(req: &mut Request, accepted: &[&str]) -> ApiResult<Value> {
    check_media_type(req, accepted)?;
    let bytes = limited_body(req, MAX_BODY_BYTES).await?;
    strict_json::from_slice(&bytes).map_err(|e| {
        let text = e.to_string();
        // serde_json ends its message with the place, which comes first here.
        let reason = text
            .rfind(" at line ")
            .map_or(text.as_str(), |at| &text[..at]);
        ApiError::MalformedBody(format!(
            "The body is not valid JSON: error at line {}, column {}: {reason}.",
            e.line(),
            e.column()
        ))
    })
}

/// Refuses a body that is not of one of the `accepted` media types (415).
pub fn check_media_type(req: &Request, accepted: &[&str]) -> ApiResult<()> {
    let media_type = req
        .headers()
        .get("Content-Type")?
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if accepted.contains(&media_type.as_str()) {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType(accepted.join(", ")))
    }
}

/// The body, refused as soon as it is known to exceed `max` bytes: from its
/// `Content-Length` before reading anything, else while it streams in, so that
/// a large body is never held whole in memory.
pub async fn limited_body(req: &mut Request, max: usize) -> ApiResult<Vec<u8>> {
    use futures_util::StreamExt;
    check_declared_length(req.headers().get("Content-Length")?.as_deref(), max)?;
    if req.inner().body().is_none() {
        return Ok(Vec::new());
    }
    let mut stream = req.stream()?;
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        if body.len() + chunk.len() > max {
            return Err(ApiError::PayloadTooLarge(max));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Refuses a body whose `Content-Length` is over `max`, before any of it is read.
fn check_declared_length(content_length: Option<&str>, max: usize) -> ApiResult<()> {
    match content_length.map(str::trim).map(str::parse::<u64>) {
        None => Ok(()),
        Some(Ok(length)) if length > max as u64 => Err(ApiError::PayloadTooLarge(max)),
        Some(Ok(_)) => Ok(()),
        Some(Err(_)) => Err(ApiError::MalformedBody(
            "Content-Length is not a number.".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::{ApiError, MAX_BODY_BYTES, check_declared_length};

    #[test]
    fn a_declared_length_over_the_limit_is_refused_before_reading() {
        assert!(check_declared_length(None, MAX_BODY_BYTES).is_ok());
        assert!(check_declared_length(Some("65536"), MAX_BODY_BYTES).is_ok());
        for too_large in ["65537", "1000000000", "18446744073709551615"] {
            assert!(matches!(
                check_declared_length(Some(too_large), MAX_BODY_BYTES),
                Err(ApiError::PayloadTooLarge(MAX_BODY_BYTES))
            ));
        }
        for bad in ["-1", "ten", "99999999999999999999999"] {
            assert!(matches!(
                check_declared_length(Some(bad), MAX_BODY_BYTES),
                Err(ApiError::MalformedBody(_))
            ));
        }
    }
}
