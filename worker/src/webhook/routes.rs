//! `/v1/tenants/{tenant}/webhooks`: the operator, or an admin key with
//! `webhooks:write`, manages the tenant's endpoints, reads the delivery log,
//! lists and replays dead letters, and sends a test event. The tenant's
//! object does the work (see `crate::tenant_object::webhooks`).

use super::url::endpoint_errors;
use crate::admin::{self, private};
use crate::auth::{self, bearer};
use crate::error::{ApiError, ApiResult};
use crate::tenant_object::webhooks::{Cursor, HookAsk};
use crate::tenant_object::{self, Ask};
use profile::api::{Operation, Route, Scope};
use profile::error::{Code, FieldError};
use profile::webhooks::{
    DEFAULT_OLD_SECRET_SECONDS, MAX_ENDPOINTS, MAX_OLD_SECRET_SECONDS, RotateSecret, WebhookChange,
    WebhookRequest,
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use worker::{Env, Request, Response};

/// Who manages the tenant's webhooks: `operator`, or `key:<id>` for an
/// admin key with `webhooks:write` of this very tenant.
async fn manager(req: &Request, env: &Env, tenant: &str) -> ApiResult<String> {
    let key = bearer(req).ok_or(ApiError::Unauthorized)?;
    if profile::keys::parse(&key).is_some() {
        let admin = admin::admin(req, env, Scope::WebhooksWrite).await?;
        if admin.tenant != tenant {
            return Err(ApiError::NotFound);
        }
        Ok(format!("key:{}", admin.key_id))
    } else {
        auth::operator(req, env)?;
        crate::tenant::load(env, tenant)
            .await?
            .ok_or(ApiError::NotFound)?;
        Ok("operator".into())
    }
}

/// An endpoint's id as the object writes it (16 hex digits); anything else names none.
fn endpoint_id(id: &str) -> ApiResult<String> {
    let valid = id.len() == 16 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    valid.then(|| id.to_owned()).ok_or(ApiError::NotFound)
}

/// One of the webhook routes; `values` are the path's tenant and, if named,
/// endpoint. Each route becomes one question to the tenant's object, whose
/// JSON answer is passed on as it is (`null`: no such endpoint), so that
/// the Worker reads none of these types back: one await for the key, one
/// for the body, one for the object.
pub async fn handle(
    mut req: Request,
    env: &Env,
    route: &Route,
    values: &[&str],
) -> ApiResult<Response> {
    let tenant = values[0];
    let actor = manager(&req, env, tenant).await?;
    let id = match values.get(1) {
        Some(id) => endpoint_id(id)?,
        None => String::new(),
    };
    let body = if route.accepts.is_empty() {
        serde_json::Value::Null
    } else {
        crate::routes::json_body(&mut req, route.accepts).await?
    };
    let url = req.url()?;
    let query = |name: &str| {
        url.query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    };
    let (ask, status) = match route.operation {
        Operation::ListWebhooks => (HookAsk::List, 200),
        Operation::CreateWebhook => {
            let request: WebhookRequest = parse(body)?;
            checked(endpoint_errors(
                Some(&request.url),
                Some(&request.event_types),
            ))?;
            let secret = crate::webhook::new_secret();
            (
                HookAsk::Create {
                    request,
                    secret,
                    actor,
                },
                201,
            )
        }
        Operation::ListDeliveries => {
            let endpoint = query("endpoint")
                .map(|id| endpoint_id(&id))
                .transpose()
                .map_err(|_| ApiError::MalformedBody("endpoint is not an endpoint's id.".into()))?;
            let before = query("before")
                .map(|text| Cursor::parse(&text))
                .map(|cursor| {
                    cursor.ok_or_else(|| {
                        ApiError::MalformedBody(
                            "before is not a cursor of this log (take `next` of a page).".into(),
                        )
                    })
                })
                .transpose()?;
            (HookAsk::Deliveries { endpoint, before }, 200)
        }
        Operation::UpdateWebhook => {
            let change: WebhookChange = parse(body)?;
            checked(endpoint_errors(
                change.url.as_deref(),
                change.event_types.as_deref(),
            ))?;
            (HookAsk::Change { id, change, actor }, 200)
        }
        Operation::DeleteWebhook => (HookAsk::Delete { id, actor }, 204),
        Operation::RotateWebhookSecret => {
            let asked: RotateSecret = parse(body)?;
            let keep_seconds = asked
                .old_secret_seconds
                .unwrap_or(DEFAULT_OLD_SECRET_SECONDS);
            if keep_seconds > MAX_OLD_SECRET_SECONDS {
                return Err(ApiError::Validation(vec![
                    FieldError::new("/old_secret_seconds", Code::AboveMaximum)
                        .with("max", MAX_OLD_SECRET_SECONDS),
                ]));
            }
            let secret = crate::webhook::new_secret();
            let ask = HookAsk::Rotate {
                id,
                secret,
                keep_seconds,
                actor,
            };
            (ask, 200)
        }
        Operation::TestWebhook => {
            let tenant = tenant.to_owned();
            (HookAsk::Test { id, tenant }, 200)
        }
        Operation::ListDeadLetters => {
            let after = query("after")
                .map(|text| text.parse::<i64>())
                .transpose()
                .map_err(|_| {
                    ApiError::MalformedBody(
                        "after is not a cursor of this list (take `next` of a page).".into(),
                    )
                })?;
            (HookAsk::DeadLetters { id, after }, 200)
        }
        Operation::ReplayDeadLetters => (HookAsk::Replay { id, actor }, 202),
        _ => return Err(ApiError::Internal("not a webhook route".into())),
    };
    let answer: Value = tenant_object::ask(env, tenant, &Ask::Hooks(ask)).await?;
    match answer {
        // No such endpoint; for a new one, the tenant has as many as it may.
        Value::Null if status == 201 => Err(ApiError::Validation(vec![
            FieldError::new("", Code::TooMany).with("max", MAX_ENDPOINTS),
        ])),
        Value::Null | Value::Bool(false) => Err(ApiError::NotFound),
        _ if status == 204 => Ok(Response::empty()?.with_status(204)),
        answer => private(Response::from_json(&answer)?.with_status(status)),
    }
}

fn parse<T: DeserializeOwned>(body: Value) -> ApiResult<T> {
    serde_json::from_value(body).map_err(|e| ApiError::MalformedBody(format!("{e}.")))
}

fn checked(errors: Vec<FieldError>) -> ApiResult<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}
