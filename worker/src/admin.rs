//! The programme's side: admin keys (issued, listed and revoked by the
//! operator), the tenant's audit log, and the customers an admin key reaches.
//!
//! A key is checked by its tenant's `TenantObject`, and each Worker isolate
//! keeps the answer for at most `KEY_CHECK_SECONDS` (60 by default; set
//! lower in `wrangler.toml`'s `[vars]` to shorten it). So a revoked key is
//! refused at once by the isolate that revoked it (which forgets its answer),
//! and by every other isolate within that time. Workers KV is not involved:
//! it may take 60 s or more to agree everywhere, and is not read here.

use crate::auth::{self, bearer};
use crate::cache::BoundedCache;
use crate::clock::{now_ms, now_rfc3339};
use crate::customer::{self, Who, Write};
use crate::error::{ApiError, ApiResult};
use crate::routes::with_etag;
use crate::tenant::{self, Tenant};
use crate::tenant_object::{self, Ask, Change, Configured, Versioned};
use crate::webcrypto;
use base64::Engine;
use profile::api::Scope;
use profile::email::{check_email, clean_email, email_key};
use profile::keys::{self, AuditEntry, AuditPage, IssuedKey, KeyInfo, KeyList};
use profile::listing::{CustomerEntry, CustomerPage, Found};
use profile::{Actor, Profile};
use serde_json::Value;
use std::cell::RefCell;
use std::rc::Rc;
use worker::{Env, Request, Response};

/// The longest time an isolate keeps a key's answer: the revocation time.
const KEY_CHECK_SECONDS: u32 = 60;
/// Answers kept per isolate (each is a key's hash and its record).
const KEY_CACHE_ENTRIES: usize = 1000;

thread_local! {
    static CHECKED: RefCell<BoundedCache<Option<KeyInfo>>> =
        RefCell::new(BoundedCache::new(KEY_CACHE_ENTRIES));
}

/// A tenant's backend, as proven by a working admin key.
pub struct Admin {
    pub tenant: String,
    /// The key's id: how the audit log names who did something.
    pub key_id: String,
    pub config: Rc<Tenant>,
}

/// How long answers are kept: `KEY_CHECK_SECONDS` from the environment, at
/// most the default.
fn check_ms(env: &Env) -> f64 {
    let seconds = env
        .var("KEY_CHECK_SECONDS")
        .ok()
        .and_then(|v| v.to_string().parse::<u32>().ok())
        .map_or(KEY_CHECK_SECONDS, |s| s.min(KEY_CHECK_SECONDS));
    f64::from(seconds) * 1000.0
}

/// The admin key of the request, if it works and has `scope`.
pub async fn admin(req: &Request, env: &Env, scope: Scope) -> ApiResult<Admin> {
    let key = bearer(req).ok_or(ApiError::InvalidKey)?;
    let parts = keys::parse(&key).ok_or(ApiError::InvalidKey)?;
    let config = tenant::load(env, parts.tenant)
        .await?
        .ok_or(ApiError::InvalidKey)?;
    let hash = webcrypto::sha256_hex(key.as_bytes())
        .await
        .map_err(|_| ApiError::Internal("hashing a key failed".into()))?;
    let now = now_rfc3339();
    let cached = CHECKED.with(|checked| checked.borrow().get(&hash, now_ms()));
    let answer = match cached {
        Some(answer) => answer,
        None => {
            let ask = Ask::Check {
                id: parts.id.to_owned(),
                hash: hash.clone(),
                at: now.clone(),
            };
            let answer: Option<KeyInfo> = tenant_object::ask(env, parts.tenant, &ask).await?;
            CHECKED.with(|checked| {
                checked
                    .borrow_mut()
                    .insert(&hash, answer.clone(), check_ms(env), now_ms())
            });
            answer
        }
    };
    let key = answer
        .filter(|info| info.usable(&now))
        .ok_or(ApiError::InvalidKey)?;
    if !key.allows(scope) {
        return Err(ApiError::MissingScope(scope));
    }
    Ok(Admin {
        tenant: parts.tenant.to_owned(),
        key_id: key.id,
        config,
    })
}

/// The operator's check, and the tenant, which must exist.
async fn operator_on(req: &Request, env: &Env, tenant: &str) -> ApiResult<Rc<Tenant>> {
    auth::operator(req, env)?;
    tenant::load(env, tenant).await?.ok_or(ApiError::NotFound)
}

/// `POST /v1/tenants/{tenant}/keys`: a new key, shown this once.
pub async fn issue_key(
    mut req: Request,
    env: &Env,
    tenant: &str,
    accepts: &[&str],
) -> ApiResult<Response> {
    operator_on(&req, env, tenant).await?;
    let body = crate::routes::json_body(&mut req, accepts).await?;
    let now = now_rfc3339();
    let asked = keys::key_request(&body, &now).map_err(ApiError::Validation)?;
    let id = hex(&uuid::Uuid::new_v4().as_bytes()[..keys::ID_CHARS / 2]);
    let mut secret = [0u8; 32];
    secret[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    secret[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret);
    let key = format!("{}{tenant}_{id}_{secret}", keys::PREFIX);
    let hash = webcrypto::sha256_hex(key.as_bytes())
        .await
        .map_err(|_| ApiError::Internal("hashing a key failed".into()))?;
    let info = KeyInfo {
        id,
        name: asked.name,
        scopes: asked.scopes,
        created: now,
        expires: asked.expires,
        last_used: None,
        revoked: None,
    };
    let info: KeyInfo = tenant_object::ask(env, tenant, &Ask::Issue { info, hash }).await?;
    private(Response::from_json(&IssuedKey { info, key })?.with_status(201))
}

/// `GET /v1/tenants/{tenant}/keys`: every key, never a secret.
pub async fn list_keys(req: &Request, env: &Env, tenant: &str) -> ApiResult<Response> {
    operator_on(req, env, tenant).await?;
    let keys: Vec<KeyInfo> = tenant_object::ask(env, tenant, &Ask::List).await?;
    private(Response::from_json(&KeyList { keys })?)
}

/// `DELETE /v1/tenants/{tenant}/keys/{key_id}`.
pub async fn revoke_key(req: &Request, env: &Env, tenant: &str, id: &str) -> ApiResult<Response> {
    operator_on(req, env, tenant).await?;
    if !keys::is_key_id(id) {
        return Err(ApiError::NotFound);
    }
    let ask = Ask::Revoke {
        id: id.to_owned(),
        at: now_rfc3339(),
    };
    let hash: Option<String> = tenant_object::ask(env, tenant, &ask).await?;
    let hash = hash.ok_or(ApiError::NotFound)?;
    CHECKED.with(|checked| checked.borrow_mut().remove(&hash));
    Ok(Response::empty()?.with_status(204))
}

/// `GET /v1/tenants/{tenant}/audit[?before=N]`: newest first, a page at a time.
pub async fn audit(req: &Request, env: &Env, tenant: &str) -> ApiResult<Response> {
    operator_on(req, env, tenant).await?;
    let url = req.url()?;
    let before = match url.query_pairs().find(|(name, _)| name == "before") {
        None => None,
        Some((_, value)) => Some(value.parse::<i64>().map_err(|_| {
            ApiError::MalformedBody("`before` is the `next` of an earlier page.".into())
        })?),
    };
    let page: AuditPage = tenant_object::ask(env, tenant, &Ask::Audit { before }).await?;
    private(Response::from_json(&page)?)
}

/// Records a change in the tenant's audit log.
pub async fn record(
    env: &Env,
    tenant: &str,
    actor: &str,
    action: &str,
    detail: Value,
) -> ApiResult<()> {
    let entry = AuditEntry {
        at: now_rfc3339(),
        actor: actor.to_owned(),
        action: action.to_owned(),
        detail,
    };
    let _: bool = tenant_object::ask(env, tenant, &Ask::Record { entry }).await?;
    Ok(())
}

/// The customer a path's `{id}` names (percent-decoded): the tenant's own
/// id for them (the token's `sub`), or `id:<profile id>`, found in the
/// tenant's index. What no token could name is no one.
pub async fn subject(env: &Env, tenant: &str, id: &str) -> ApiResult<String> {
    let decoded = percent_encoding::percent_decode_str(id)
        .decode_utf8()
        .map_err(|_| ApiError::NotFound)?;
    if let Some(profile_id) = decoded.strip_prefix("id:") {
        let ask = Ask::Find {
            profile_id: profile_id.to_owned(),
        };
        let found: Option<CustomerEntry> = tenant_object::ask(env, tenant, &ask).await?;
        return found.map(|entry| entry.id).ok_or(ApiError::NotFound);
    }
    if crate::token::valid_subject(&decoded) {
        Ok(decoded.into_owned())
    } else {
        Err(ApiError::NotFound)
    }
}

/// `GET /v1/customers[?cursor=]`: the tenant's customers, a page at a time,
/// ordered by id. The cursor is opaque (the last id, base64url).
pub async fn list_customers(req: &Request, env: &Env) -> ApiResult<Response> {
    let admin = admin(req, env, Scope::CustomersRead).await?;
    let url = req.url()?;
    let after = match url.query_pairs().find(|(name, _)| name == "cursor") {
        None => None,
        Some((_, cursor)) => Some(
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(cursor.as_bytes())
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or_else(|| {
                    ApiError::MalformedBody("`cursor` is the `next` of an earlier page.".into())
                })?,
        ),
    };
    let ask = Ask::Customers { after };
    let mut page: CustomerPage = tenant_object::ask(env, &admin.tenant, &ask).await?;
    page.next = page
        .next
        .map(|id| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id));
    private(Response::from_json(&page)?)
}

/// `POST /v1/customers/search` with `{"email": ...}`: the customer who holds
/// the address, from the tenant's e-mail claims (a POST, so that the address
/// stays out of URLs and logs).
pub async fn search_customers(
    mut req: Request,
    env: &Env,
    accepts: &[&str],
) -> ApiResult<Response> {
    let admin = admin(&req, env, Scope::CustomersRead).await?;
    let body = crate::routes::json_body(&mut req, accepts).await?;
    let field = |code| ApiError::Validation(vec![profile::FieldError::new("/email", code)]);
    let members = body.as_object().ok_or_else(|| {
        ApiError::Validation(vec![profile::FieldError::new(
            "",
            profile::Code::InvalidType,
        )])
    })?;
    if let Some(unknown) = members.keys().find(|k| *k != "email") {
        let pointer = format!("/{}", profile::error::pointer_segment(unknown));
        return Err(ApiError::Validation(vec![profile::FieldError::new(
            pointer,
            profile::Code::UnknownField,
        )]));
    }
    let email = match members.get("email") {
        Some(Value::String(email)) => clean_email(email),
        None | Some(Value::Null) => return Err(field(profile::Code::Required)),
        Some(_) => return Err(field(profile::Code::InvalidType)),
    };
    if let Some(error) = check_email("/email", &email, profile::model::EMAIL_MAX_CHARS) {
        return Err(ApiError::Validation(vec![error]));
    }
    let key = email_key(&email);
    let mut customers = Vec::new();
    let holder = crate::email_claim::holder(env, &admin.tenant, &key).await?;
    let prefix = format!("{}:", admin.tenant);
    if let Some(id) = holder.as_deref().and_then(|h| h.strip_prefix(&prefix)) {
        let who = Who::by_id(&admin.tenant, id);
        // A claim may outlive its use: only a profile that has the address counts.
        if let Some(profile) = customer::read_as(env, who).await?
            && profile.email.as_deref().map(email_key).as_deref() == Some(key.as_str())
        {
            customers.push(CustomerEntry {
                id: profile.external_id,
                profile_id: profile.id,
                updated: profile.updated,
                version: profile.version,
            });
        }
    }
    private(Response::from_json(&Found { customers })?)
}

/// The admin key of the request, if it has `rules:write` for `tenant`
/// (another tenant's key finds nothing there).
async fn rules_writer(req: &Request, env: &Env, tenant: &str) -> ApiResult<Admin> {
    let admin = admin(req, env, Scope::RulesWrite).await?;
    if admin.tenant != tenant {
        return Err(ApiError::NotFound);
    }
    Ok(admin)
}

/// `GET /v1/tenants/{tenant}/rules`: the tenant's rules, with the
/// configuration's version as the ETag.
pub async fn get_rules(req: &Request, env: &Env, tenant: &str) -> ApiResult<Response> {
    rules_writer(req, env, tenant).await?;
    let ask = Ask::Config {
        tenant: tenant.into(),
    };
    let versioned: Option<Versioned> = tenant_object::ask(env, tenant, &ask).await?;
    let versioned = versioned.ok_or(ApiError::NotFound)?;
    with_etag(
        Response::from_json(&versioned.config.rules)?,
        &versioned.etag(),
    )
}

/// `PUT /v1/tenants/{tenant}/rules` with `If-Match`: the custom fields,
/// shown and required fields and message overrides. Token keys and origins
/// stay the operator's.
pub async fn put_rules(
    mut req: Request,
    env: &Env,
    tenant: &str,
    accepts: &[&str],
) -> ApiResult<Response> {
    let admin = rules_writer(&req, env, tenant).await?;
    let if_match = req
        .headers()
        .get("If-Match")?
        .ok_or(ApiError::PreconditionRequired)?;
    let body = crate::routes::json_body(&mut req, accepts).await?;
    let rules: profile::TenantRules = serde_json::from_value(body)
        .map_err(|e| ApiError::MalformedBody(format!("Not a tenant's rules: {e}.")))?;
    profile::Rules::checked(rules.clone()).map_err(ApiError::Validation)?;
    let ask = Ask::Configure {
        tenant: tenant.into(),
        change: Change::Rules(Box::new(rules)),
        if_match: Some(if_match),
        actor: format!("key:{}", admin.key_id),
    };
    match tenant_object::ask(env, tenant, &ask).await? {
        Configured::Stored(versioned) => with_etag(
            Response::from_json(&versioned.config.rules)?,
            &versioned.etag(),
        ),
        Configured::Stale(etag) => Err(ApiError::ConfigChanged(etag)),
    }
}

/// `GET /v1/customers/{id}`: the whole profile, with its ETag.
pub async fn get_customer(req: &Request, env: &Env, id: &str) -> ApiResult<Response> {
    let admin = admin(req, env, Scope::CustomersRead).await?;
    let id = subject(env, &admin.tenant, id).await?;
    let profile = customer::read_as(env, Who::by_id(&admin.tenant, &id))
        .await?
        .ok_or(ApiError::NotFound)?;
    let etag = profile.etag();
    let has_it = req.headers().get("If-None-Match")?;
    if has_it.is_some_and(|tags| crate::conditional::if_none_match(&tags, &etag)) {
        return with_etag(Response::empty()?.with_status(304), &etag);
    }
    answer(&profile)
}

/// `PATCH` and `PUT /v1/customers/{id}`: an admin's write, with `If-Match`.
pub async fn write_customer(
    mut req: Request,
    env: &Env,
    id: &str,
    how: Write,
    accepts: &[&str],
) -> ApiResult<Response> {
    let admin = admin(&req, env, Scope::CustomersWrite).await?;
    let if_match = req
        .headers()
        .get("If-Match")?
        .ok_or(ApiError::PreconditionRequired)?;
    let id = subject(env, &admin.tenant, id).await?;
    let body = crate::routes::json_body(&mut req, accepts).await?;
    let who = Who::by_id(&admin.tenant, &id);
    let rules = &admin.config.rules;
    let by = crate::rights::of_admin(&req, &admin)?;
    let profile = customer::write(env, who, Actor::Admin, by, rules, how, if_match, body).await?;
    answer(&profile)
}

fn answer(profile: &Profile) -> ApiResult<Response> {
    with_etag(Response::from_json(profile)?, &profile.etag())
}

/// No cache may keep it: keys, their lists, the audit log, webhook secrets and logs.
pub(crate) fn private(response: Response) -> ApiResult<Response> {
    let headers = response.headers().clone();
    headers.set("Cache-Control", "no-store")?;
    Ok(response.with_headers(headers))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
