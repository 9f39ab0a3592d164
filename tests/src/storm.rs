//! The e-commerce platform's suites' helpers (003): its programme's adapter
//! and rules, and its POST.

use crate::sources::{Programme, send};
use crate::{base_url, http};
use serde_json::{Value, json};

pub const PATH: &str = "/CustomerService.svc/rest/UpdateCustomer";

pub fn adapter() -> Value {
    json!({"storm": {"custom_fields": {"11": "nickname", "12": "cups", "13": "first_order"},
        "flags": {"7": "b2b", "8": "staff"}}})
}

pub fn rules() -> Value {
    json!({"national_id_country": "SE", "default_language": "sv",
        "custom_fields": [
            {"key": "nickname", "type": "text", "max_length": 20},
            {"key": "cups", "type": "integer", "min": 0, "max": 20},
            {"key": "first_order", "type": "date"}]})
}

/// `UpdateCustomer` with `query` (after `?`), as `bearer` (none when
/// empty): the status and the answer.
pub async fn update_as(bearer: &str, query: &str, media_type: &str, body: String) -> (u16, Value) {
    let url = format!("{}{PATH}?{query}", base_url());
    let (status, _, text) = send(http().post(url), bearer, media_type, body).await;
    let answer = serde_json::from_str(&text).unwrap_or_else(|_| json!({"text": text}));
    (status, answer)
}

/// `UpdateCustomer` by the programme's backend, as user 5.
pub async fn update(p: &Programme, body: Value) -> (u16, Value) {
    update_as(&p.key, "updatedBy=5", "application/json", body.to_string()).await
}

/// A customer of `p` with `values`: the profile's id and the customer's id.
pub async fn customer(p: &Programme, label: &str, values: Value) -> (String, String) {
    let id = crate::unique_customer(label);
    let stored = p.customer(&id, values).await;
    (stored["id"].as_str().unwrap().to_owned(), id)
}

/// The refusal's top key, and its message.
pub fn refusal(answer: &Value) -> (&str, &str) {
    (
        answer["Key"].as_str().unwrap_or_default(),
        answer["Message"].as_str().unwrap_or_default(),
    )
}
