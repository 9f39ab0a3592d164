//! What the two ASP.NET Web API adapters share (004's utility, 000's
//! extranet): the request's properties on their places in the profile, the
//! check of those the caller may not change, the write, and ASP.NET's
//! answer to a refused request, `{"Message", "ModelState"}`, in JSON or XML.

use super::Caller;
use crate::customer::{self, Who};
use crate::error::ApiError;
use profile::access::customer_sees_place;
use profile::foreign::SUPPLY_FLAGS;
use profile::rights::Provenance;
use profile::{Code, FieldError, Profile, TenantRules};
use serde_json::{Map, Value, json};
use worker::{Env, Response};

/// One property of the request, on its place in the profile.
pub struct Sent {
    /// As the page names it: `MobileNumber`, `Address.City`.
    pub property: String,
    pub pointer: String,
    pub value: Value,
}

/// Why a request is refused.
pub enum Refusal {
    Api(ApiError),
    /// Field errors, each with the property it is about.
    Fields(Vec<(String, FieldError)>, Option<Box<TenantRules>>),
    Forbidden,
    /// The tenant has not switched this API on.
    Off,
}

impl From<ApiError> for Refusal {
    fn from(error: ApiError) -> Self {
        Refusal::Api(error)
    }
}

/// One invalid property.
pub fn invalid(property: &str, error: FieldError) -> Refusal {
    Refusal::Fields(vec![(property.to_owned(), error)], None)
}

/// Writes `patch` without `If-Match` as `caller`, changing at most `only`;
/// the rules' errors name the properties they are about.
pub async fn write(
    env: &Env,
    caller: &Caller,
    who: Who,
    by: Provenance,
    patch: Value,
    sent: &[Sent],
    only: Option<Vec<String>>,
) -> Result<Profile, Refusal> {
    let rules = &caller.tenant().rules;
    let written =
        customer::write_unconditionally(env, who, caller.actor(), by, rules, patch, only).await;
    written.map_err(|error| refusal_of(error, sent))
}

/// A refused write: the rules' errors, each with the property it is about.
pub fn refusal_of(error: ApiError, sent: &[Sent]) -> Refusal {
    match error.field_errors() {
        Some((errors, tenant)) => {
            let errors = errors
                .iter()
                .map(|e| (property_of(&e.pointer, sent), e.clone()))
                .collect();
            Refusal::Fields(errors, tenant.cloned().map(Box::new))
        }
        None => Refusal::Api(error),
    }
}

/// The properties of `fixed` (those the caller may not change) sent with
/// another value than the stored one, compared as the profile stores values
/// (cleaned, an empty text as none, moments by their second), each a
/// `ReadOnly` error. A `customer` may not name what they do not see,
/// whatever its value, so that nobody can test guesses of a hidden value.
pub fn differing(
    stored: &Profile,
    fixed: &[&Sent],
    rules: &profile::Rules,
    customer: bool,
) -> Vec<(String, FieldError)> {
    let before = serde_json::to_value(stored).unwrap_or_default();
    let mut after = before.clone();
    for sent in fixed.iter().filter(|s| s.pointer != "/loyalty/flags") {
        super::put(&mut after, &sent.pointer, sent.value.clone());
    }
    let after = serde_json::from_value::<Profile>(after).map(|mut profile| {
        profile::clean::clean(&mut profile, rules);
        serde_json::to_value(profile).unwrap_or_default()
    });
    let mut errors = Vec::new();
    for sent in fixed {
        let hidden = customer && !customer_sees_place(&sent.pointer, rules);
        let same = if hidden {
            false
        } else if sent.pointer == "/loyalty/flags" {
            let flag = flag_of(&sent.property);
            let held = stored
                .loyalty
                .flags
                .iter()
                .any(|f| Some(f.as_str()) == flag);
            Some(held) == sent.value.as_bool()
        } else {
            match &after {
                Ok(after) => same(before.pointer(&sent.pointer), after.pointer(&sent.pointer)),
                Err(_) => false,
            }
        };
        if !same {
            let error = FieldError::new(&sent.pointer, Code::ReadOnly);
            errors.push((sent.property.clone(), error));
        }
    }
    errors
}

/// Whether two stored values are the same: equal, both none (or empty), or
/// the same moment written two ways.
fn same(old: Option<&Value>, new: Option<&Value>) -> bool {
    let none = |v: Option<&Value>| v.is_none_or(|v| v.is_null() || v == "");
    let moment = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .and_then(|s| profile::dates::parse_instant(s, true))
    };
    old == new || (none(old) && none(new)) || moment(old).is_some_and(|m| Some(m) == moment(new))
}

pub fn flag_of(property: &str) -> Option<&'static str> {
    SUPPLY_FLAGS
        .iter()
        .find(|(name, _)| *name == property)
        .map(|(_, flag)| *flag)
}

/// The property a field error of the write is about.
pub fn property_of(pointer: &str, sent: &[Sent]) -> String {
    sent.iter()
        .find(|s| pointer == s.pointer || pointer.starts_with(&format!("{}/", s.pointer)))
        .map_or_else(String::new, |s| s.property.clone())
}

/// ASP.NET Web API's answer to a refused request: `{"Message"}`, with
/// `ModelState` (messages by `customer.Property`) for invalid fields; as
/// `<Error>` with the same members when the request was XML.
pub fn refused(
    refusal: Refusal,
    language: &str,
    as_xml: bool,
) -> crate::error::ApiResult<Response> {
    let (status, message, fields, retry) = match refusal {
        Refusal::Forbidden => (
            403,
            "This token may change only its own customer.".to_owned(),
            None,
            None,
        ),
        Refusal::Off => (
            404,
            "This API is not switched on for this programme.".to_owned(),
            None,
            None,
        ),
        Refusal::Fields(errors, tenant) => {
            let taken = errors.iter().all(|(_, e)| e.code == Code::EmailTaken);
            let status = if taken { 409 } else { 400 };
            let message = "The request is invalid.".to_owned();
            (status, message, Some((errors, tenant)), None)
        }
        Refusal::Api(error) => {
            super::log_internal(&error);
            let retry = super::retry_after(&error);
            let message = match &error {
                ApiError::InvalidToken | ApiError::InvalidKey => {
                    "Authorization has been denied for this request.".to_owned()
                }
                ApiError::NotFound => "No customer with this id.".to_owned(),
                other => other.detail(),
            };
            (error.status(), message, None, retry)
        }
    };
    let mut state: Map<String, Value> = Map::new();
    if let Some((errors, tenant)) = &fields {
        for (property, error) in errors {
            // A property the request named itself (a custom field's code)
            // may be anything; XML's element names take only a name of the page's.
            let plain = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '_';
            let key = match property.as_str() {
                "" => "customer".to_owned(),
                property if as_xml && !property.chars().all(plain) => "customer".to_owned(),
                property => format!("customer.{property}"),
            };
            let message = error.in_language(language, tenant.as_deref()).message;
            if let Value::Array(list) = state.entry(key).or_insert_with(|| json!([])) {
                list.push(json!(message));
            }
        }
    }
    if as_xml {
        let mut body = format!("<Error><Message>{}</Message>", super::xml::escape(&message));
        if fields.is_some() {
            body.push_str("<ModelState>");
            for (key, messages) in &state {
                for message in messages.as_array().into_iter().flatten() {
                    let text = super::xml::escape(message.as_str().unwrap_or_default());
                    // A property is a name of the page's: letters, digits and dots.
                    body.push_str(&format!("<{key}>{text}</{key}>"));
                }
            }
            body.push_str("</ModelState>");
        }
        body.push_str("</Error>");
        return super::answer(status, "application/xml; charset=utf-8", body, retry);
    }
    let mut body = json!({ "Message": message });
    if fields.is_some() {
        body["ModelState"] = Value::Object(state);
    }
    let json = "application/json; charset=utf-8";
    super::answer(status, json, body.to_string(), retry)
}
