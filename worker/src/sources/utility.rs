//! 004, the energy utility: `PATCH /api/customers/{customerId}` with a
//! `CustomerResponse` in `application/json` or `text/json`. Only
//! `PhoneNumber`, `MobileNumber` and `Email` may change; any other property
//! sent with a value other than the stored one is refused, as the page says.
//! `null` means "not sent", as .NET clients write every property.
//!
//! Answers: 200 with the customer as a `CustomerResponse` (the page shows
//! none; this is what a client that reads the customer back expects), and
//! ASP.NET Web API's error shape, `{"Message", "ModelState"}`.

use super::{Caller, Forbidden};
use crate::customer::{self, Who};
use crate::error::ApiError;
use profile::access::customer_sees_place;
use profile::foreign::{SUPPLY_FLAGS, customer_id_of_integer, date_of_date_time};
use profile::sources::{SOURCE_FIELDS, Target, target};
use profile::{Code, FieldError, Profile, TenantRules};
use serde_json::{Map, Value, json};
use worker::{Env, Request, Response};

const SOURCE: &str = "utility";
/// The history's channel of its writes.
const CHANNEL: &str = "utility";
/// What the page lets change, and the profile's fields they are.
const EDITABLE: [&str; 3] = ["PhoneNumber", "MobileNumber", "Email"];
const EDITABLE_FIELDS: [&str; 3] = ["other_phone", "mobile_phone", "email"];

/// One property of the request, on its place in the profile.
struct Sent {
    /// As the page names it: `MobileNumber`, `Address.City`.
    property: String,
    pointer: &'static str,
    value: Value,
}

/// Why a request is refused.
enum Refusal {
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

pub async fn handle(
    mut req: Request,
    env: &Env,
    route: &profile::api::Route,
    id: &str,
) -> crate::error::ApiResult<Response> {
    let mut tenant = None;
    let outcome = run(&mut req, env, route, id, &mut tenant).await;
    let language = super::language(&req, tenant.as_deref());
    match outcome {
        Ok(response) => Ok(response),
        Err(refusal) => refused(refusal, language),
    }
}

async fn run(
    req: &mut Request,
    env: &Env,
    route: &profile::api::Route,
    id: &str,
    tenant: &mut Option<std::rc::Rc<crate::tenant::Tenant>>,
) -> Result<Response, Refusal> {
    let caller = Caller::of(req, env, profile::api::Scope::CustomersWrite).await?;
    *tenant = Some(caller.tenant().clone());
    if caller.tenant().sources.utility.is_none() {
        return Err(Refusal::Off);
    }
    // `customerId` is an integer: the tenant's customer id.
    let id = id
        .parse::<i64>()
        .ok()
        .and_then(customer_id_of_integer)
        .ok_or(ApiError::NotFound)?;
    let who = caller
        .customer(&id)
        .map_err(|Forbidden| Refusal::Forbidden)?;
    let bytes = super::body(req, route).await?;
    let body = match crate::strict_json::from_slice(&bytes) {
        Ok(Value::Object(members)) => members,
        Ok(_) => return Err(invalid("", FieldError::new("", Code::InvalidType))),
        Err(e) => {
            let message = format!("The body is not valid JSON: {e}.");
            return Err(ApiError::MalformedBody(message).into());
        }
    };
    let sent = read(&body).map_err(|errors| Refusal::Fields(errors, None))?;
    let by = caller.provenance(CHANNEL, None);
    let rules = caller.tenant().compiled_rules()?;
    let stored = match &caller {
        Caller::Customer(customer) => customer::read(env, customer, by.clone()).await?,
        Caller::Admin(_) => customer::read_as(env, who.clone())
            .await?
            .ok_or(ApiError::NotFound)?,
    };
    let customer = matches!(caller, Caller::Customer(_));
    let unchanged = differing(&stored, &sent, &rules, customer);
    if !unchanged.is_empty() {
        return Err(Refusal::Fields(unchanged, None));
    }
    let mut patch = Map::new();
    for sent in sent
        .iter()
        .filter(|s| EDITABLE.contains(&s.property.as_str()))
    {
        patch.insert(sent.pointer[1..].to_owned(), sent.value.clone());
    }
    let profile = if patch.is_empty() {
        stored
    } else {
        write(env, &caller, who, by, Value::Object(patch), &sent).await?
    };
    let answer = response(&profile, &caller, &rules);
    super::answer(
        200,
        "application/json; charset=utf-8",
        answer.to_string(),
        None,
    )
    .map_err(Refusal::Api)
}

async fn write(
    env: &Env,
    caller: &Caller,
    who: Who,
    by: profile::rights::Provenance,
    patch: Value,
    sent: &[Sent],
) -> Result<Profile, Refusal> {
    let only = EDITABLE_FIELDS.map(str::to_owned).to_vec();
    let rules = &caller.tenant().rules;
    let written =
        customer::write_unconditionally(env, who, caller.actor(), by, rules, patch, Some(only))
            .await;
    written.map_err(|error| match error.field_errors() {
        Some((errors, tenant)) => {
            let errors = errors
                .iter()
                .map(|e| (property_of(&e.pointer, sent), e.clone()))
                .collect();
            Refusal::Fields(errors, tenant.cloned().map(Box::new))
        }
        None => Refusal::Api(error),
    })
}

/// The request's properties on their places, with their values in the
/// profile's form; or every property that is not what the page says.
fn read(body: &Map<String, Value>) -> Result<Vec<Sent>, Vec<(String, FieldError)>> {
    let mut properties: Vec<(String, &Value)> = Vec::new();
    let mut errors = Vec::new();
    for (name, value) in body {
        match (name.as_str(), value) {
            ("Address", Value::Object(parts)) => {
                properties.extend(parts.iter().map(|(part, v)| (format!("Address.{part}"), v)));
            }
            ("Address", Value::Null) => {}
            ("Address", _) => errors.push((
                name.clone(),
                FieldError::new("/invoice_address", Code::InvalidType).with("expected", "object"),
            )),
            _ => properties.push((name.clone(), value)),
        }
    }
    let mut sent = Vec::new();
    for (property, value) in properties.into_iter().filter(|(_, v)| !v.is_null()) {
        match target(SOURCE, &property) {
            Some(Target::Field(pointer)) => match value_of(&property, pointer, value) {
                Ok(value) => sent.push(Sent {
                    property,
                    pointer,
                    value,
                }),
                Err(error) => errors.push((property, error)),
            },
            // Read-only by the page (`Address.IsEditable`), or the path's.
            Some(Target::Request(_)) => {}
            None => errors.push((property, FieldError::new("", Code::UnknownField))),
        }
    }
    if errors.is_empty() {
        Ok(sent)
    } else {
        Err(errors)
    }
}

/// A property's value in the profile's form.
fn value_of(property: &str, pointer: &str, value: &Value) -> Result<Value, FieldError> {
    let wrong = |expected: &str| {
        Err(FieldError::new(pointer, Code::InvalidType).with("expected", expected.to_owned()))
    };
    match property {
        "BirthDate" => match value.as_str().map(date_of_date_time) {
            Some(Some(date)) => Ok(Value::String(date)),
            Some(None) => Err(FieldError::new(pointer, Code::InvalidDate)),
            None => wrong("a date"),
        },
        "CustomerId" => match value.as_i64().and_then(customer_id_of_integer) {
            Some(id) => Ok(Value::String(id)),
            None => wrong("a positive integer"),
        },
        "Address.POBox" => match value.as_u64() {
            Some(number) => Ok(Value::String(number.to_string())),
            None => wrong("an integer"),
        },
        _ if pointer == "/loyalty/flags" || property == "RequiresProfileConfirmation" => {
            if value.is_boolean() {
                Ok(value.clone())
            } else {
                wrong("a boolean")
            }
        }
        _ if value.is_string() => Ok(value.clone()),
        _ => wrong("a string"),
    }
}

/// The properties the page does not let change that were sent with another
/// value than the stored one (compared as the profile stores values:
/// cleaned, and an empty text as none), each a `ReadOnly` error. A
/// `customer` may not name what they do not see, whatever its value, so
/// that nobody can test guesses of a hidden value (as in `/v1`).
fn differing(
    stored: &Profile,
    sent: &[Sent],
    rules: &profile::Rules,
    customer: bool,
) -> Vec<(String, FieldError)> {
    let before = serde_json::to_value(stored).unwrap_or_default();
    let mut after = before.clone();
    let fixed = || {
        sent.iter()
            .filter(|s| !EDITABLE.contains(&s.property.as_str()))
    };
    for sent in fixed().filter(|s| s.pointer != "/loyalty/flags") {
        super::put(&mut after, sent.pointer, sent.value.clone());
    }
    let after = serde_json::from_value::<Profile>(after).map(|mut profile| {
        profile::clean::clean(&mut profile, rules);
        serde_json::to_value(profile).unwrap_or_default()
    });
    let none = |v: Option<&Value>| v.is_none_or(|v| v.is_null() || v == "");
    let mut errors = Vec::new();
    for sent in fixed() {
        let hidden = customer && !customer_sees_place(sent.pointer, rules);
        let same = if hidden {
            false
        } else if sent.pointer == "/loyalty/flags" {
            let flag = flag_of(&sent.property);
            Some(
                stored
                    .loyalty
                    .flags
                    .iter()
                    .any(|f| Some(f.as_str()) == flag),
            ) == sent.value.as_bool()
        } else {
            match &after {
                Ok(after) => {
                    let (old, new) = (before.pointer(sent.pointer), after.pointer(sent.pointer));
                    old == new || (none(old) && none(new))
                }
                Err(_) => false,
            }
        };
        if !same {
            let error = FieldError::new(sent.pointer, Code::ReadOnly);
            errors.push((sent.property.clone(), error));
        }
    }
    errors
}

fn flag_of(property: &str) -> Option<&'static str> {
    SUPPLY_FLAGS
        .iter()
        .find(|(name, _)| *name == property)
        .map(|(_, flag)| *flag)
}

/// The property a field error of the write is about.
fn property_of(pointer: &str, sent: &[Sent]) -> String {
    sent.iter()
        .find(|s| pointer == s.pointer || pointer.starts_with(&format!("{}/", s.pointer)))
        .map_or_else(String::new, |s| s.property.clone())
}

/// The customer as a `CustomerResponse`: what the caller may see of it.
fn response(profile: &Profile, caller: &Caller, rules: &profile::Rules) -> Value {
    let customer = matches!(caller, Caller::Customer(_));
    let wire = match customer {
        true => Value::Object(profile::customer_view(profile, rules)),
        false => serde_json::to_value(profile).unwrap_or_default(),
    };
    let mut answer = Map::new();
    let mut address = Map::new();
    for (_, property, place) in SOURCE_FIELDS.iter().filter(|(s, _, _)| *s == SOURCE) {
        let value = match (*property, place) {
            ("Address.IsEditable", _) => json!(false),
            (_, Target::Request(_)) => continue,
            (_, Target::Field(pointer)) if customer && !customer_sees_place(pointer, rules) => {
                Value::Null
            }
            ("BirthDate", Target::Field(pointer)) => match wire.pointer(pointer) {
                Some(Value::String(date)) => json!(format!("{date}T00:00:00")),
                _ => Value::Null,
            },
            ("CustomerId" | "Address.POBox", Target::Field(pointer)) => wire
                .pointer(pointer)
                .and_then(Value::as_str)
                .and_then(|text| text.parse::<i64>().ok())
                .map_or(Value::Null, Value::from),
            (_, Target::Field("/loyalty/flags")) => {
                let flag = flag_of(property);
                json!(
                    profile
                        .loyalty
                        .flags
                        .iter()
                        .any(|f| Some(f.as_str()) == flag)
                )
            }
            ("RequiresProfileConfirmation", _) => {
                json!(profile.loyalty.requires_profile_confirmation)
            }
            (_, Target::Field(pointer)) => wire.pointer(pointer).cloned().unwrap_or(Value::Null),
        };
        match property.strip_prefix("Address.") {
            Some(part) => address.insert(part.to_owned(), value),
            None => answer.insert((*property).to_owned(), value),
        };
    }
    answer.insert("Address".into(), Value::Object(address));
    Value::Object(answer)
}

fn invalid(property: &str, error: FieldError) -> Refusal {
    Refusal::Fields(vec![(property.to_owned(), error)], None)
}

/// ASP.NET Web API's answer to a refused request: `{"Message"}`, with
/// `ModelState` (messages by `customer.Property`) for invalid fields.
fn refused(refusal: Refusal, language: &str) -> crate::error::ApiResult<Response> {
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
            (
                status,
                "The request is invalid.".to_owned(),
                Some((errors, tenant)),
                None,
            )
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
    let mut body = json!({ "Message": message });
    if let Some((errors, tenant)) = fields {
        let mut state: Map<String, Value> = Map::new();
        for (property, error) in errors {
            let key = if property.is_empty() {
                "customer".to_owned()
            } else {
                format!("customer.{property}")
            };
            let message = error.in_language(language, tenant.as_deref()).message;
            match state.entry(key).or_insert_with(|| json!([])) {
                Value::Array(list) => list.push(json!(message)),
                _ => unreachable!("each entry is a list"),
            }
        }
        body["ModelState"] = Value::Object(state);
    }
    let json = "application/json; charset=utf-8";
    super::answer(status, json, body.to_string(), retry)
}
