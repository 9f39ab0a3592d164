//! The webhook routes' part of the statuses: the operator, an admin key
//! with `webhooks:write`, one without, none, and a tenant that does not exist.

use super::{Try, tried};
use e2e::admin::operator_key;
use e2e::{base_url, http};
use profile::api::Operation::*;
use serde_json::{Value, json};

/// An endpoint of `tenant` that nothing listens on: its id.
pub async fn endpoint(tenant: &str) -> String {
    let created: Value = http()
        .post(format!("{}/v1/tenants/{tenant}/webhooks", base_url()))
        .bearer_auth(operator_key())
        .json(&json!({"url": "http://127.0.0.1:9/nobody"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    created["id"].as_str().unwrap().to_owned()
}

/// The tries; `hooks`: a key with `webhooks:write`, `reader`: one without.
pub async fn tries(t: &str, hooks: &str, reader: &str, big: &str) -> Vec<Try> {
    let (op, wk, ro) = (Some(operator_key()), Some(hooks), Some(reader));
    let op = op.as_deref();
    let (kept, deleted) = (endpoint(t).await, endpoint(t).await);
    let list = format!("/v1/tenants/{t}/webhooks");
    let nobody = "/v1/tenants/admin-statuses-nobody/webhooks";
    let one = format!("{list}/{kept}");
    let unknown = format!("{list}/0123456789abcdef");
    let url = json!({"url": "https://crm.example.com/hooks"});
    let mut tries = vec![
        tried(ListWebhooks, &list, op, 200),
        tried(ListWebhooks, &list, None, 401),
        tried(ListWebhooks, &list, ro, 403),
        tried(ListWebhooks, nobody, op, 404),
        tried(CreateWebhook, &list, wk, 201).json(url.clone()),
        tried(CreateWebhook, &list, op, 400).body("application/json", "{bad"),
        tried(CreateWebhook, &list, None, 401).json(url.clone()),
        tried(CreateWebhook, &list, ro, 403).json(url.clone()),
        tried(CreateWebhook, nobody, op, 404).json(url.clone()),
        tried(CreateWebhook, &list, op, 413).body("application/json", big),
        tried(CreateWebhook, &list, op, 415).body("text/plain", "{}"),
        tried(CreateWebhook, &list, op, 422).json(json!({"url": "http://crm.example.com/"})),
        tried(ListDeliveries, &format!("{list}/deliveries"), wk, 200),
        tried(
            ListDeliveries,
            &format!("{list}/deliveries?before=x"),
            op,
            400,
        ),
        tried(ListDeliveries, &format!("{list}/deliveries"), None, 401),
        tried(ListDeliveries, &format!("{list}/deliveries"), ro, 403),
        tried(ListDeliveries, &format!("{nobody}/deliveries"), op, 404),
        tried(TestWebhook, &format!("{one}/test"), op, 200),
        tried(TestWebhook, &format!("{one}/test"), None, 401),
        tried(TestWebhook, &format!("{one}/test"), ro, 403),
        tried(TestWebhook, &format!("{unknown}/test"), op, 404),
        tried(ListDeadLetters, &format!("{one}/dead-letters"), op, 200),
        tried(
            ListDeadLetters,
            &format!("{one}/dead-letters?after=x"),
            op,
            400,
        ),
        tried(ListDeadLetters, &format!("{one}/dead-letters"), None, 401),
        tried(ListDeadLetters, &format!("{one}/dead-letters"), ro, 403),
        tried(ListDeadLetters, &format!("{unknown}/dead-letters"), op, 404),
        tried(
            ReplayDeadLetters,
            &format!("{one}/dead-letters/replay"),
            wk,
            202,
        ),
        tried(
            ReplayDeadLetters,
            &format!("{one}/dead-letters/replay"),
            None,
            401,
        ),
        tried(
            ReplayDeadLetters,
            &format!("{one}/dead-letters/replay"),
            ro,
            403,
        ),
        tried(
            ReplayDeadLetters,
            &format!("{unknown}/dead-letters/replay"),
            op,
            404,
        ),
    ];
    for (status, key, path, body) in [
        (
            200,
            op,
            &one,
            json!({"event_types": ["customer.updated.v1"]}),
        ),
        (401, None, &one, json!({})),
        (403, ro, &one, json!({})),
        (404, op, &unknown, json!({})),
        (422, op, &one, json!({"url": "ftp://x"})),
    ] {
        tries.push(tried(UpdateWebhook, path, key, status).json(body));
    }
    for (status, key, path, body) in [
        (200, op, &one, json!({"old_secret_seconds": 60})),
        (401, None, &one, json!({})),
        (403, ro, &one, json!({})),
        (404, op, &unknown, json!({})),
        (422, op, &one, json!({"old_secret_seconds": 99_999_999})),
    ] {
        tries.push(tried(RotateWebhookSecret, &format!("{path}/secret"), key, status).json(body));
    }
    for operation in [UpdateWebhook, RotateWebhookSecret] {
        let path = if operation == UpdateWebhook {
            one.clone()
        } else {
            format!("{one}/secret")
        };
        tries.push(tried(operation, &path, op, 400).body("application/json", "{bad"));
        tries.push(tried(operation, &path, op, 413).body("application/json", big));
        tries.push(tried(operation, &path, op, 415).body("text/plain", "{}"));
    }
    let gone = format!("{list}/{deleted}");
    tries.push(tried(DeleteWebhook, &gone, None, 401));
    tries.push(tried(DeleteWebhook, &gone, ro, 403));
    tries.push(tried(DeleteWebhook, &gone, wk, 204));
    tries.push(tried(DeleteWebhook, &gone, op, 404));
    tries
}
