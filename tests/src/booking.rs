//! The booking platform's suites' helpers (001): its programme's adapter and
//! rules, a customer, and its PUT.

use crate::sources::{Programme, send};
use crate::{base_url, http};
use serde_json::{Value, json};

pub fn url(id: &str, query: &str) -> String {
    format!("{}/customers/{id}{query}", base_url())
}

pub fn adapter() -> Value {
    json!({"booking": {"custom_fields": {"1": "shoe_size", "2": "nickname", "3": "newsletter_paper",
        "4": "first_visit", "5": "last_visit", "6": "member_card"}}})
}

pub fn rules() -> Value {
    json!({"custom_fields": [
        {"key": "shoe_size", "type": "integer", "min": 30, "max": 50, "label": {"en": "Shoe size"}},
        {"key": "nickname", "type": "text", "max_length": 20},
        {"key": "newsletter_paper", "type": "bool"},
        {"key": "first_visit", "type": "date"},
        {"key": "last_visit", "type": "date_time"},
        {"key": "member_card", "type": "text", "required": true, "pattern": "[0-9]{6}",
            "default": "000000",
            "error_messages": {
                "Required": {"en": "Enter your member card number.", "sv": "Ange ditt medlemskortsnummer."},
                "PatternMismatch": {"en": "A member card number has six digits.", "sv": "Ett medlemskortsnummer har sex siffror."}}}]})
}

/// A customer of `p` (with the required custom field set): the profile's id
/// and the customer's id at the programme.
pub async fn customer(p: &Programme, label: &str, values: Value) -> (String, String) {
    let id = crate::unique_customer(label);
    let mut all = json!({"custom_fields": {"member_card": "123456"}});
    for (name, value) in values.as_object().unwrap() {
        all[name] = value.clone();
    }
    let stored = p.customer(&id, all).await;
    (stored["id"].as_str().unwrap().to_owned(), id)
}

pub async fn put(
    bearer: &str,
    id: &str,
    query: &str,
    media_type: &str,
    body: String,
) -> (u16, String, String) {
    let (status, headers, text) = send(http().put(url(id, query)), bearer, media_type, body).await;
    let content_type = headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, content_type, text)
}

pub async fn put_json(bearer: &str, id: &str, body: Value) -> (u16, Value) {
    let (status, _, text) = put(bearer, id, "", "application/json", body.to_string()).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}
