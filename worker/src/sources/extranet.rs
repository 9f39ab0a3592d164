//! 000, the loyalty extranet: `PUT /api/v1/extranet/customers/me?updateImage=`
//! with the whole `CustomerDto`, in JSON (camelCase) or in the page's
//! DataContract XML, by the customer with their own token.
//!
//! Every member is sent, read-only ones too: those the customer may change
//! are merged into the stored profile (a member left out or `null` keeps
//! its value); any other must be as stored, else it is refused; members
//! the customer does not see (the programme's internals) are ignored, since
//! the DTO's booleans cannot be left out. `PhotoBase64` sets the photo unless
//! `updateImage=false`. The answer is the updated `CustomerDto`, in the
//! request's format; errors are ASP.NET Web API's.

mod dto;

use super::Caller;
use super::aspnet::{Refusal, Sent, differing, invalid, refused, write};
use crate::customer::{self, Who};
use crate::error::ApiError;
use dto::{Kind, MEMBERS};
use profile::access::{customer_sees_place, customer_writes_place};
use profile::foreign::{EXTRANET_EMAIL_STATUSES, EXTRANET_GENDERS, date_of_date_time, of_enum};
use profile::sources::{AliasSettings, Target, target};
use profile::{Actor, Code, CustomKind, FieldError, Profile, Rules};
use serde_json::{Map, Value};
use worker::{Env, Request, Response};

const SOURCE: &str = "extranet";
/// The history's channel of its writes.
const CHANNEL: &str = "extranet";

pub async fn handle(
    mut req: Request,
    env: &Env,
    route: &profile::api::Route,
) -> crate::error::ApiResult<Response> {
    let as_xml = super::is_xml(&req);
    let mut tenant = None;
    let outcome = run(&mut req, env, route, &mut tenant, as_xml).await;
    let language = super::language(&req, tenant.as_deref());
    match outcome {
        Ok(response) => Ok(response),
        Err(refusal) => refused(refusal, language, as_xml),
    }
}

/// What the request asks for: the members on their places, and the photo.
struct Request000 {
    sent: Vec<Sent>,
    /// `PhotoBase64`: `Some("")` removes the photo.
    photo: Option<String>,
    /// `UrlPhoto`, which must be the photo's own address (or empty).
    url_photo: Option<String>,
}

async fn run(
    req: &mut Request,
    env: &Env,
    route: &profile::api::Route,
    tenant: &mut Option<std::rc::Rc<crate::tenant::Tenant>>,
    as_xml: bool,
) -> Result<Response, Refusal> {
    let customer = crate::auth::customer(req, env).await?;
    *tenant = Some(customer.config.clone());
    let Some(settings) = customer.config.sources.extranet.clone() else {
        return Err(Refusal::Off);
    };
    let update_image = update_image(req)?;
    let origin = req.url()?.origin().ascii_serialization();
    let bytes = super::body(req, route).await?;
    let members = if as_xml {
        dto::from_xml(&bytes)?
    } else {
        dto::from_json(&bytes)?
    };
    let rules = customer.config.compiled_rules()?;
    let asked = read(&members, &settings, &rules)?;
    let caller = Caller::Customer(customer);
    let Caller::Customer(who) = &caller else {
        unreachable!("made above")
    };
    let by = caller.provenance(CHANNEL, None);
    let stored = customer::read(env, who, by.clone()).await?;
    let who = Who::from(who);
    let sent = one_per_place(asked.sent, &stored);
    let (editable, fixed): (Vec<&Sent>, Vec<&Sent>) = sent
        .iter()
        .filter(|s| customer_sees_place(&s.pointer, &rules))
        .partition(|s| customer_writes_place(&s.pointer, &rules));
    let mut errors = differing(&stored, &fixed, &rules, true);
    if let Some(url) = &asked.url_photo
        && !url.is_empty()
        && stored
            .photo
            .as_ref()
            .is_none_or(|id| !url.ends_with(&photo_path(id)))
    {
        errors.push(("UrlPhoto".into(), FieldError::new("/photo", Code::ReadOnly)));
    }
    let picture = asked
        .photo
        .filter(|_| update_image)
        .map(|base64| picture(&base64).map_err(|e| errors.push(e)));
    if !errors.is_empty() {
        return Err(Refusal::Fields(errors, None));
    }
    let mut patch = Value::Object(Map::new());
    for sent in &editable {
        super::put(&mut patch, &sent.pointer, sent.value.clone());
    }
    let mut profile = if patch.as_object().is_some_and(|p| p.is_empty()) {
        stored
    } else {
        write(env, &caller, who.clone(), by.clone(), patch, &sent, None).await?
    };
    if let Some(Ok(picture)) = picture {
        profile = crate::photo::set(env, who, Actor::Customer, by, None, picture).await?;
    }
    let language = super::language(req, Some(caller.tenant()));
    let answer = dto::answer(&profile, &rules, &settings, language, &origin);
    let (content_type, body) = if as_xml {
        ("application/xml; charset=utf-8", dto::to_xml(&answer))
    } else {
        (
            "application/json; charset=utf-8",
            Value::Object(answer).to_string(),
        )
    };
    super::answer(200, content_type, body, None).map_err(Refusal::Api)
}

/// `updateImage`: true unless the query says `false`.
fn update_image(req: &Request) -> Result<bool, Refusal> {
    let url = req.url()?;
    let value = url
        .query_pairs()
        .find(|(name, _)| name.eq_ignore_ascii_case("updateImage"))
        .map(|(_, value)| value.to_ascii_lowercase());
    match value.as_deref() {
        None | Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(_) => Err(invalid(
            "updateImage",
            FieldError::new("", Code::InvalidType).with("expected", "true or false"),
        )),
    }
}

/// Where the photo `id` is served.
fn photo_path(id: &str) -> String {
    format!("/v1/photos/{id}")
}

/// The picture `PhotoBase64` carries, checked and stripped of its metadata
/// as an upload is; `None` for an empty text, which removes the photo.
fn picture(base64: &str) -> Result<Option<Vec<u8>>, (String, FieldError)> {
    use base64::Engine;
    let property = || "PhotoBase64".to_owned();
    if base64.trim().is_empty() {
        return Ok(None);
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64.trim())
        .map_err(|_| {
            let error = FieldError::new(profile::photo::POINTER, Code::InvalidType);
            (property(), error.with("expected", "base64"))
        })?;
    let Some(media_type) = profile::photo::sniff(&bytes) else {
        let error = FieldError::new(profile::photo::POINTER, Code::ImageType);
        return Err((property(), error));
    };
    crate::photo::clean(media_type, &bytes)
        .map(Some)
        .map_err(|error| (property(), error))
}

/// Two members on one place (`HasEnabledNotifications` and
/// `AllowsNotifications`, one consent) that disagree: the one that changes
/// the stored value is the change.
fn one_per_place(sent: Vec<Sent>, stored: &Profile) -> Vec<Sent> {
    let wire = serde_json::to_value(stored).unwrap_or_default();
    let mut kept: Vec<Sent> = Vec::new();
    for sent in sent {
        match kept.iter_mut().find(|k| k.pointer == sent.pointer) {
            Some(first) if first.value != sent.value => {
                let stored = wire
                    .pointer(&sent.pointer)
                    .cloned()
                    .unwrap_or(Value::Bool(false));
                if first.value == stored {
                    *first = sent;
                }
            }
            Some(_) => {}
            None => kept.push(sent),
        }
    }
    kept
}

/// The request's members on their places, with their values in the
/// profile's form; or every member that is not what the page says.
fn read(
    members: &Map<String, Value>,
    settings: &AliasSettings,
    rules: &Rules,
) -> Result<Request000, Refusal> {
    let mut asked = Request000 {
        sent: Vec::new(),
        photo: None,
        url_photo: None,
    };
    let mut errors = Vec::new();
    for (name, value) in members.iter().filter(|(_, v)| !v.is_null()) {
        let Some((name, kind)) = MEMBERS.iter().find(|(n, _)| n == name) else {
            errors.push((name.clone(), FieldError::new("", Code::UnknownField)));
            continue;
        };
        let pointer = match target(SOURCE, name) {
            Some(Target::Field(pointer)) => pointer,
            _ => continue,
        };
        let text = || value.as_str().map(str::to_owned);
        let outcome = match kind {
            Kind::Photo if *name == "UrlPhoto" => text().map(|url| asked.url_photo = Some(url)),
            Kind::Photo => text().map(|photo| asked.photo = Some(photo)),
            Kind::CustomFields => {
                custom_fields(value, settings, rules, &mut asked.sent, &mut errors);
                Some(())
            }
            kind => match value_of(*kind, value, pointer) {
                Ok(value) => {
                    asked.sent.push(Sent {
                        property: (*name).to_owned(),
                        pointer: pointer.to_owned(),
                        value,
                    });
                    Some(())
                }
                Err(error) => {
                    errors.push(((*name).to_owned(), error));
                    Some(())
                }
            },
        };
        if outcome.is_none() {
            let error = FieldError::new(pointer, Code::InvalidType).with("expected", "a string");
            errors.push(((*name).to_owned(), error));
        }
    }
    if errors.is_empty() {
        Ok(asked)
    } else {
        Err(Refusal::Fields(errors, None))
    }
}

/// A member's value in the profile's form. XML's values arrive as text.
fn value_of(kind: Kind, value: &Value, pointer: &str) -> Result<Value, FieldError> {
    let wrong = |expected: &str| {
        FieldError::new(pointer, Code::InvalidType).with("expected", expected.to_owned())
    };
    let text = value.as_str().map(str::trim);
    match kind {
        // An empty text is none: it clears what the customer may change.
        Kind::Text => match text {
            Some("") => Ok(Value::Null),
            Some(_) => Ok(value.clone()),
            None => Err(wrong("a string")),
        },
        Kind::Bool => match (value, text) {
            (Value::Bool(_), _) => Ok(value.clone()),
            (_, Some("true")) => Ok(Value::Bool(true)),
            (_, Some("false")) => Ok(Value::Bool(false)),
            _ => Err(wrong("true or false")),
        },
        Kind::Date => match text.map(date_of_date_time) {
            Some(Some(date)) => Ok(Value::String(date)),
            Some(None) => Err(FieldError::new(pointer, Code::InvalidDate)),
            None => Err(wrong("a date")),
        },
        Kind::Moment => match text {
            Some(moment) if profile::dates::parse_instant(moment, true).is_some() => {
                Ok(Value::String(moment.to_owned()))
            }
            Some(_) => Err(FieldError::new(pointer, Code::InvalidDate)),
            None => Err(wrong("a date-time")),
        },
        Kind::Guid => text
            .map(|id| Value::String(id.to_ascii_lowercase()))
            .ok_or_else(|| wrong("a GUID")),
        Kind::Gender => of_enum(&EXTRANET_GENDERS, value)
            .map(|gender| Value::String(gender.as_str().to_owned()))
            .ok_or_else(|| {
                FieldError::new(pointer, Code::NotAnOption)
                    .with("options", "0 Male, 1 Female, 2 Other, 3 Unspecified")
            }),
        Kind::EmailStatus => of_enum(&EXTRANET_EMAIL_STATUSES, value)
            .map(|status| Value::String(status.as_str().to_owned()))
            .ok_or_else(|| {
                FieldError::new(pointer, Code::NotAnOption)
                    .with("options", "0 Checked, 1 Unchecked, 2 Bounced")
            }),
        Kind::Photo | Kind::CustomFields => Err(wrong("a string")),
    }
}

/// `customFields`: each entry (by its `code`, else its key) on the custom
/// field its alias names, its value taken from the member its `type` names
/// (else the one the field's kind uses).
fn custom_fields(
    value: &Value,
    settings: &AliasSettings,
    rules: &Rules,
    sent: &mut Vec<Sent>,
    errors: &mut Vec<(String, FieldError)>,
) {
    let Value::Object(entries) = value else {
        let error =
            FieldError::new("/custom_fields", Code::InvalidType).with("expected", "an object");
        errors.push(("CustomFields".into(), error));
        return;
    };
    // No tenant has more custom fields: a longer dictionary is refused before its entries.
    if entries.len() > profile::tenant::MAX_CUSTOM_FIELDS {
        let error = FieldError::new("/custom_fields", Code::TooMany)
            .with("max", profile::tenant::MAX_CUSTOM_FIELDS);
        return errors.push(("CustomFields".into(), error));
    }
    // An entry that is `null` is not sent, as a member that is.
    for (key, entry) in entries.iter().filter(|(_, entry)| !entry.is_null()) {
        let code = entry.get("code").and_then(Value::as_str).unwrap_or(key);
        let property = format!("CustomFields.{code}");
        let def = settings
            .key_of(code)
            .and_then(|key| rules.custom_field(key))
            .map(|(def, _)| def);
        let Some(def) = def else {
            errors.push((property, FieldError::new("", Code::UnknownField)));
            continue;
        };
        let pointer = format!("/custom_fields/{}", def.key);
        match dto::custom_value(def, entry) {
            Ok(value) => sent.push(Sent {
                property,
                pointer,
                value,
            }),
            Err(expected) => {
                let error = FieldError::new(pointer, Code::InvalidType).with("expected", expected);
                errors.push((property, error));
            }
        }
    }
}

/// The kinds of custom field this API carries, and the `type` of each.
pub fn type_of(kind: CustomKind) -> Option<&'static str> {
    match kind {
        CustomKind::Text | CustomKind::Multiline | CustomKind::Select => Some("String"),
        CustomKind::Date | CustomKind::DateTime => Some("DateTime"),
        CustomKind::Integer | CustomKind::Decimal => Some("Int"),
        CustomKind::Bool => Some("Bool"),
        CustomKind::Multiselect => None,
    }
}

/// An API error as a refusal (for the photo's write).
impl From<worker::Error> for Refusal {
    fn from(error: worker::Error) -> Self {
        Refusal::Api(ApiError::from(error))
    }
}
