//! The page's customer, and its refusals: 400 with the page's key (or the
//! canonical code where the page names none) and a message in the request's
//! language; an unexpected failure is 500 and says no more.

use super::super::aspnet::Refusal;
use super::super::object;
use super::read::ADDRESS;
use crate::error::{ApiError, ApiResult};
use profile::model::Address;
use profile::sources::StormSettings;
use profile::{Company, FieldError, Profile};
use serde_json::{Value, json};
use worker::Response;

const JSON: &str = "application/json; charset=utf-8";

/// An integer the profile keeps as text, or null.
fn integer(text: Option<&str>) -> Value {
    text.and_then(|t| t.parse::<i32>().ok())
        .map_or(Value::Null, |n| json!(n))
}

fn text(value: &Option<String>) -> Value {
    value.as_ref().map_or(Value::Null, |s| json!(s))
}

fn address(address: &Address, id: Value) -> Value {
    let part = |name: &str| match name {
        "care_of" => text(&address.care_of),
        "line1" => text(&address.line1),
        "line2" => text(&address.line2),
        "postal_code" => text(&address.postal_code),
        "city" => text(&address.city),
        _ => text(&address.country),
    };
    let mut members = serde_json::Map::new();
    members.insert("Id".into(), id);
    for (member, name) in ADDRESS {
        members.insert(member.into(), part(name));
    }
    Value::Object(members)
}

fn company(company: &Company) -> Value {
    object([
        ("Id", company.id.map_or(Value::Null, |id| json!(id))),
        ("Name", text(&company.name)),
        ("OrgNo", text(&company.organization_number)),
    ])
}

/// The customer as the page shows it.
pub fn customer(profile: &Profile, settings: &StormSettings) -> Value {
    let account = profile.username.as_ref().map_or(Value::Null, |name| {
        object([
            ("Id", Value::Null),
            ("LoginName", json!(name)),
            ("Password", Value::Null),
        ])
    });
    let companies: Vec<Value> = profile
        .company
        .iter()
        .chain(&profile.other_companies)
        .map(company)
        .collect();
    let deliveries: Vec<Value> = profile
        .delivery_addresses
        .iter()
        .map(|d| address(&d.address, integer(Some(&d.id))))
        .collect();
    let flags: Vec<Value> = settings
        .flags
        .iter()
        .filter(|(_, flag)| profile.loyalty.flags.contains(flag))
        .map(|(id, _)| object([("Id", integer(Some(id)))]))
        .collect();
    let info: Vec<Value> = settings
        .custom_fields
        .iter()
        .filter_map(|(id, key)| {
            let value = profile.custom_fields.get(key)?;
            let value = match value {
                Value::String(s) => json!(s),
                other => json!(other.to_string()),
            };
            Some(object([("Id", integer(Some(id))), ("Value", value)]))
        })
        .collect();
    let price_lists: Vec<Value> = profile
        .loyalty
        .price_list_ids
        .iter()
        .map(|id| integer(Some(id)))
        .collect();
    let invoice = profile
        .invoice_address
        .as_ref()
        .map_or(Value::Null, |a| address(a, Value::Null));
    let mut members = serde_json::Map::new();
    for (name, value) in [
        ("Id", integer(profile.shop_id.as_deref())),
        ("Key", json!(profile.id)),
        ("Code", json!(profile.external_id)),
        ("Email", text(&profile.email)),
        ("SSN", text(&profile.national_id)),
        ("FirstName", text(&profile.first_name)),
        ("LastName", text(&profile.last_name)),
        ("Phone", text(&profile.other_phone)),
        ("CellPhone", text(&profile.mobile_phone)),
        ("ReferId", integer(profile.acquisition.refer_id.as_deref())),
        ("ReferUrl", text(&profile.acquisition.refer_url)),
        ("Account", account),
        ("Companies", Value::Array(companies)),
        ("DeliveryAddresses", Value::Array(deliveries)),
        ("InvoiceAddress", invoice),
        ("Flags", Value::Array(flags)),
        (
            "UseInvoiceAddressAsDeliveryAddress",
            json!(profile.use_invoice_address_for_delivery),
        ),
        ("Info", Value::Array(info)),
        ("PricelistIds", Value::Array(price_lists)),
        ("CrmId", text(&profile.crm_id)),
        ("IsActive", json!(profile.active)),
        ("Created", json!(profile.created)),
        ("Updated", json!(profile.updated)),
    ] {
        members.insert(name.into(), value);
    }
    Value::Object(members)
}

/// One error: the page's key, the member it is about, its message.
fn error(key: &str, field: &str, message: &str) -> Value {
    object([
        ("Key", json!(key)),
        ("Field", json!(field)),
        ("Message", json!(message)),
    ])
}

/// The message of a field error under its key, in `language`.
fn field_error(
    property: &str,
    e: &FieldError,
    language: &str,
    tenant: Option<&profile::TenantRules>,
) -> Value {
    let key = profile::sources::storm::key_of(e).unwrap_or(e.code.as_str());
    let message = match profile::sources::storm::message(key, language) {
        Some(message) => message.to_owned(),
        None => e.in_language(language, tenant).message,
    };
    error(key, property, &message)
}

/// The answer to a refused request: `{"Key", "Message", "Errors": [{"Key",
/// "Field", "Message"}]}`, the first error's key and message on top.
pub fn refused(refusal: Refusal, language: &str) -> ApiResult<Response> {
    let (status, errors, retry) = match refusal {
        Refusal::Fields(errors, tenant) => {
            let errors = errors
                .iter()
                .map(|(property, e)| field_error(property, e, language, tenant.as_deref()))
                .collect();
            (400, errors, None)
        }
        Refusal::Api(ApiError::NotFound) => {
            let key = "CustomerMissing";
            let message = profile::sources::storm::message(key, language).unwrap_or_default();
            (400, vec![error(key, "", message)], None)
        }
        Refusal::Off => {
            let message = "This API is not switched on for this programme.";
            (404, vec![error("NotFound", "", message)], None)
        }
        Refusal::Forbidden => (403, vec![error("Forbidden", "", "Forbidden.")], None),
        Refusal::Api(e) => {
            super::super::log_internal(&e);
            let retry = super::super::retry_after(&e);
            let (key, message) = match &e {
                ApiError::InvalidKey | ApiError::InvalidToken => (
                    "Unauthorized",
                    "Authorization has been denied for this request.".into(),
                ),
                ApiError::Internal(_) => ("InternalError", "An unexpected error occurred.".into()),
                // Written on the version read, and every try overtaken by another write.
                ApiError::PreconditionFailed(_) => {
                    let message = "The customer changed while this change was made; try again.";
                    return answer_of(409, vec![error("Conflict", "", message)], None);
                }
                other => (title_key(other.status()), other.detail()),
            };
            (e.status(), vec![error(key, "", &message)], retry)
        }
    };
    answer_of(status, errors, retry)
}

fn answer_of(status: u16, errors: Vec<Value>, retry: Option<u32>) -> ApiResult<Response> {
    let first = errors.first().cloned().unwrap_or_default();
    let body = object([
        ("Key", first["Key"].clone()),
        ("Message", first["Message"].clone()),
        ("Errors", Value::Array(errors)),
    ]);
    super::super::answer(status, JSON, body.to_string(), retry)
}

/// A key for an answer of `status` that no field error explains.
fn title_key(status: u16) -> &'static str {
    match status {
        400 => "InvalidRequest",
        403 => "Forbidden",
        404 => "NotFound",
        409 => "Conflict",
        413 => "RequestTooLarge",
        415 => "UnsupportedMediaType",
        429 => "TooManyRequests",
        _ => "InternalError",
    }
}
