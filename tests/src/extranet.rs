//! The loyalty extranet's suites' helpers (000): its programme's adapter and
//! rules, a customer as before the page's sample, the sample as JSON with
//! changes, and its PUT.

use crate::sources::{Programme, sample, send};
use crate::{base_url, http};
use serde_json::{Value, json};

pub const JPEG: &[u8] = include_bytes!("../fixtures/gps.jpg");
/// The page's sample's id, which the tests replace with the customer's own.
pub const SAMPLE_ID: &str = "70db96d2-fe7b-4701-96e3-28a9a96c5692";

pub fn url(query: &str) -> String {
    format!("{}/api/v1/extranet/customers/me{query}", base_url())
}

pub fn adapter() -> Value {
    json!({"extranet": {"custom_fields": {"SHOE": "shoe_size", "VISIT": "last_visit",
        "NICK": "nickname", "VIP": "vip"}}})
}

pub fn rules(complete_invoice_address: bool) -> Value {
    json!({"national_id_country": "ES", "default_country": "ES",
        "complete_invoice_address": complete_invoice_address,
        "custom_fields": [
            {"key": "shoe_size", "type": "integer", "min": 30, "max": 50},
            {"key": "last_visit", "type": "date_time"},
            {"key": "nickname", "type": "text", "max_length": 10},
            {"key": "vip", "type": "bool", "editable": false}]})
}

/// What the programme stored before the sample: the values the sample
/// sends back for the members the customer may not change (with an
/// address of the customer's own: one holder per proven address).
pub fn as_before_the_sample(id: &str) -> Value {
    json!({"card_code": "CARD-8", "email": email(id), "email_status": "verified",
        "loyalty": {"member": true, "rank": "gold", "has_card": true}})
}

pub fn email(id: &str) -> String {
    format!("{}@example.es", id.to_ascii_lowercase())
}

/// The sample `file` for the customer: their profile id and address.
pub fn sample_for(file: &str, profile_id: &str, id: &str) -> String {
    sample(file)
        .replace(SAMPLE_ID, profile_id)
        .replace("lucia@example.es", &email(id))
}

/// A customer of `p` as before the sample: their profile's id, their id
/// at the programme, and their token.
pub async fn customer(p: &Programme, label: &str) -> (String, String, String) {
    let id = crate::unique_customer(label);
    let stored = p.customer(&id, as_before_the_sample(&id)).await;
    let token = p.token(&id);
    (stored["id"].as_str().unwrap().to_owned(), id, token)
}

pub async fn put(
    token: &str,
    query: &str,
    media_type: &str,
    body: String,
) -> (u16, String, String) {
    let (status, headers, text) = send(http().put(url(query)), token, media_type, body).await;
    let content_type = headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, content_type, text)
}

/// The sample as JSON for the customer, with `changes` over it.
pub fn dto(profile_id: &str, id: &str, changes: Value) -> Value {
    let mut dto: Value =
        serde_json::from_str(&sample_for("000-customer.json", profile_id, id)).unwrap();
    for (name, value) in changes.as_object().unwrap() {
        dto[name] = value.clone();
    }
    dto
}

pub async fn put_json(token: &str, body: &Value) -> (u16, Value) {
    let (status, _, text) = put(token, "", "application/json", body.to_string()).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}
