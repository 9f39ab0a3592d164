//! The router: each handler reads the request, asks the customer's Durable
//! Object or KV, and turns the answer into a response.

use crate::customer::Write;
use crate::error::{ApiError, ApiResult};
use crate::{auth, cors, customer, dev, tenant, webcrypto};
use serde_json::{Value, json};
use worker::{Env, Method, Request, Response};

/// Largest JSON body accepted.
const MAX_BODY_BYTES: usize = 64 * 1024;

pub async fn handle(req: Request, env: &Env) -> ApiResult<Response> {
    let path = req.path();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (req.method(), segments.as_slice()) {
        (Method::Get, ["healthz"]) => Ok(Response::from_json(&json!({"status": "ok"}))?),
        (Method::Get, ["openapi.json"]) => {
            let response = Response::ok(include_str!("../openapi.json"))?;
            let headers = response.headers().clone();
            headers.set("Content-Type", "application/json")?;
            Ok(response.with_headers(headers))
        }
        (Method::Get, ["v1", "customers", "me"]) => get_me(req, env).await,
        (Method::Patch, ["v1", "customers", "me"]) => write_me(req, env, Write::MergePatch).await,
        (Method::Put, ["v1", "customers", "me"]) => write_me(req, env, Write::Replace).await,
        (Method::Options, ["v1", "customers", "me", ..]) => cors::preflight(&req, env).await,
        (_, ["v1", "customers", "me"]) => Err(ApiError::MethodNotAllowed),
        (Method::Get, ["v1", "customers", "me", "schema"]) => get_schema(&req, env).await,
        (Method::Get, ["v1", "tenants", id]) => get_tenant(&req, env, id).await,
        (Method::Put, ["v1", "tenants", id]) => {
            let id = id.to_string();
            put_tenant(req, env, &id).await
        }
        (_, ["v1", "tenants", _]) => Err(ApiError::MethodNotAllowed),
        (Method::Get, ["dev", "token"]) if dev::enabled(env) => dev::token(&req, env).await,
        (Method::Get, ["demo"]) if dev::enabled(env) => dev::demo_page(),
        _ => Err(ApiError::NotFound),
    }
}

fn with_etag(response: Response, etag: &str) -> ApiResult<Response> {
    let headers = response.headers().clone();
    headers.set("ETag", etag)?;
    headers.set("Cache-Control", "no-store")?;
    Ok(response.with_headers(headers))
}

async fn get_me(req: Request, env: &Env) -> ApiResult<Response> {
    let who = auth::customer(&req, env).await?;
    cors::check_tenant_origin(&req, &who)?;
    let profile = customer::read(env, &who).await?;
    let etag = profile.etag();
    if req.headers().get("If-None-Match")?.as_deref() == Some(etag.as_str()) {
        return with_etag(Response::empty()?.with_status(304), &etag);
    }
    with_etag(Response::from_json(&profile)?, &etag)
}

async fn write_me(mut req: Request, env: &Env, how: Write) -> ApiResult<Response> {
    let who = auth::customer(&req, env).await?;
    cors::check_tenant_origin(&req, &who)?;
    let if_match = req
        .headers()
        .get("If-Match")?
        .ok_or(ApiError::PreconditionRequired)?;
    let accepted: &[&str] = match how {
        Write::MergePatch => &["application/merge-patch+json", "application/json"],
        Write::Replace => &["application/json"],
    };
    let body = json_body(&mut req, accepted).await?;
    let profile = customer::write(env, &who, how, if_match, body).await?;
    let etag = profile.etag();
    with_etag(Response::from_json(&profile)?, &etag)
}

async fn get_schema(req: &Request, env: &Env) -> ApiResult<Response> {
    let who = auth::customer(req, env).await?;
    cors::check_tenant_origin(req, &who)?;
    let rules = tenant::compiled_rules(&who.tenant, &who.config.rules)?;
    let accept_language = req.headers().get("Accept-Language")?.unwrap_or_default();
    let language = profile::messages::negotiate(&accept_language);
    let schema = profile::schema::form_schema(&rules, language);
    let response = Response::from_json(&schema)?;
    let headers = response.headers().clone();
    headers.set("Content-Language", language)?;
    headers.set("Vary", "Accept-Language")?;
    Ok(response.with_headers(headers))
}

async fn get_tenant(req: &Request, env: &Env, id: &str) -> ApiResult<Response> {
    auth::operator(req, env)?;
    let config = tenant::load(env, id).await?.ok_or(ApiError::NotFound)?;
    Ok(Response::from_json(&config.redacted())?)
}

async fn put_tenant(mut req: Request, env: &Env, id: &str) -> ApiResult<Response> {
    auth::operator(&req, env)?;
    if !tenant::valid_tenant_id(id) {
        return Err(ApiError::Validation(vec![
            profile::FieldError::new("", profile::Code::InvalidCharacters)
                .with("pattern", "[a-z0-9-]{1,64}"),
        ]));
    }
    let body = json_body(&mut req, &["application/json"]).await?;
    let config: tenant::TenantConfig = serde_json::from_value(body)
        .map_err(|e| ApiError::MalformedBody(format!("Not a tenant configuration: {e}.")))?;
    let mut errors = config.field_errors();
    for (i, x, y) in config.es256_points() {
        if !webcrypto::p256_point_on_curve(&x, &y).await {
            errors.push(
                profile::FieldError::new(format!("/token_keys/{i}/x"), profile::Code::InvalidType)
                    .with("expected", "a point on P-256 (with y)"),
            );
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    tenant::store(env, id, &config).await?;
    Ok(Response::from_json(&config.redacted())?)
}

/// Reads a JSON body of one of the `accepted` media types, at most 64 KiB.
async fn json_body(req: &mut Request, accepted: &[&str]) -> ApiResult<Value> {
    let media_type = req
        .headers()
        .get("Content-Type")?
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !accepted.contains(&media_type.as_str()) {
        return Err(ApiError::UnsupportedMediaType(accepted.join(", ")));
    }
    let bytes = req.bytes().await?;
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge(MAX_BODY_BYTES));
    }
    serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::MalformedBody(format!(
            "The body is not valid JSON: error at line {}, column {}.",
            e.line(),
            e.column()
        ))
    })
}
