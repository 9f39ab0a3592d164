//! 004, the energy utility: `PATCH /api/customers/{customerId}` with a
//! `CustomerResponse` in `application/json` or `text/json`. Only
//! `PhoneNumber`, `MobileNumber` and `Email` may change; any other property
//! sent with a value other than the stored one is refused, as the page says.
//! `null` means "not sent", as .NET clients write every property.
//!
//! Answers: 200 with the customer as a `CustomerResponse` (the page shows
//! none; this is what a client that reads the customer back expects), and
//! ASP.NET Web API's error shape, `{"Message", "ModelState"}`.

use super::aspnet::{Refusal, Sent, differing, flag_of, invalid, refused, write};
use super::{Caller, Forbidden};
use crate::customer;
use crate::error::ApiError;
use profile::access::customer_sees_place;
use profile::foreign::{customer_id_of_integer, date_of_date_time};
use profile::sources::{SOURCE_FIELDS, Target, target};
use profile::{Code, FieldError, Profile};
use serde_json::{Map, Value, json};
use worker::{Env, Request, Response};

const SOURCE: &str = "utility";
/// The history's channel of its writes.
const CHANNEL: &str = "utility";
/// What the page lets change, and the profile's fields they are.
const EDITABLE: [&str; 3] = ["PhoneNumber", "MobileNumber", "Email"];
const EDITABLE_FIELDS: [&str; 3] = ["other_phone", "mobile_phone", "email"];

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
        Err(refusal) => refused(refusal, language, false),
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
    let fixed: Vec<&Sent> = sent
        .iter()
        .filter(|s| !EDITABLE.contains(&s.property.as_str()))
        .collect();
    let unchanged = differing(&stored, &fixed, &rules, customer);
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
        let only = EDITABLE_FIELDS.map(str::to_owned).to_vec();
        write(
            env,
            &caller,
            who,
            by,
            Value::Object(patch),
            &sent,
            Some(only),
        )
        .await?
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
                    pointer: pointer.to_owned(),
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
