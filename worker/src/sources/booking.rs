//! 001, the booking platform: `PUT /customers/{Id}?CompanyId=` in JSON or
//! in JSV (`Content-Type: text/jsv`, `?format=jsv`, `Accept: text/jsv` or
//! the `.jsv` suffix), as ServiceStack serves it. `Id` is the profile's id.
//! A customer token may name only its own profile; an admin key with
//! `customers:write` any of its tenant's, and `CompanyId` (in the query or
//! the body) must be that tenant or left out. Once the customer has an
//! e-mail address (their account's name), only they change it. Member
//! names are matched without regard to case, as ServiceStack does.

mod answer;

use super::Caller;
use super::aspnet::{Refusal, Sent, refusal_of};
use crate::customer::{self, Who, Write};
use crate::error::{ApiError, ApiResult};
use profile::sources::AliasSettings;
use profile::{Code, CustomFieldDef, CustomKind, FieldError, Profile, Rules};
use serde_json::{Map, Value, json};
use worker::{Env, Request, Response};

/// The history's channel of its writes.
const CHANNEL: &str = "booking";

/// The request's members, as the page names them.
const MEMBERS: [&str; 11] = [
    "CompanyId",
    "Id",
    "Firstname",
    "Lastname",
    "Phone",
    "Email",
    "CustomFields",
    "AccessKeys",
    "AccessKeysToDelete",
    "SubscribedToNewsletter",
    "InvoiceAddress",
];
/// The invoice address's members (`InvoiceAddress.X` in the source map).
const INVOICE: [&str; 6] = [
    "CorporateIdentityNumber",
    "InvoiceAddress1",
    "InvoiceAddress2",
    "InvoiceCity",
    "InvoicePostalCode",
    "InvoiceCountryCode",
];
/// The text members.
const TEXTS: [&str; 4] = ["Firstname", "Lastname", "Phone", "Email"];

/// Where the page's `member` goes in the profile.
pub fn place(member: &str) -> &'static str {
    super::place(CHANNEL, member)
}

pub async fn handle(
    mut req: Request,
    env: &Env,
    route: &profile::api::Route,
    id: &str,
) -> ApiResult<Response> {
    let jsv = answers_jsv(&req, id);
    let id = id.strip_suffix(".jsv").unwrap_or(id).to_ascii_lowercase();
    let origin = req.url()?.origin().ascii_serialization();
    let mut tenant = None;
    let outcome = run(&mut req, env, route, &id, &mut tenant).await;
    let language = super::language(&req, tenant.as_deref());
    match (outcome, &tenant) {
        (Ok((profile, customer)), Some(tenant)) => {
            let rules = tenant.compiled_rules()?;
            let settings = tenant.sources.booking.clone().unwrap_or_default();
            let view = answer::Viewer {
                customer,
                rules: &rules,
                settings: &settings,
                language,
                origin: &origin,
            };
            answer::ok(&view.customer(&profile), jsv)
        }
        (Ok(_), None) => Err(ApiError::Internal("a customer without a tenant".into())),
        (Err(refusal), _) => answer::refused(refusal, language, jsv),
    }
}

/// Whether the answer is JSV: asked for by the suffix, the query, the
/// request's media type or `Accept`.
fn answers_jsv(req: &Request, id: &str) -> bool {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .ok()
            .flatten()
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    let query = req.url().ok().is_some_and(|url| {
        url.query_pairs()
            .any(|(name, value)| name == "format" && value.eq_ignore_ascii_case("jsv"))
    });
    id.ends_with(".jsv")
        || query
        || header("Content-Type").starts_with("text/jsv")
        || header("Accept").starts_with("text/jsv")
}

/// The written (or unchanged) profile, and whether a customer wrote it.
async fn run(
    req: &mut Request,
    env: &Env,
    route: &profile::api::Route,
    id: &str,
    tenant: &mut Option<std::rc::Rc<crate::tenant::Tenant>>,
) -> Result<(Profile, bool), Refusal> {
    let caller = Caller::of(req, env, profile::api::Scope::CustomersWrite).await?;
    *tenant = Some(caller.tenant().clone());
    let Some(settings) = caller.tenant().sources.booking.clone() else {
        return Err(Refusal::Off);
    };
    let tenant_id = match &caller {
        Caller::Customer(customer) => customer.tenant.clone(),
        Caller::Admin(admin) => admin.tenant.clone(),
    };
    let company = req
        .url()?
        .query_pairs()
        .find(|(n, _)| n.eq_ignore_ascii_case("CompanyId"))
        .map(|(_, v)| v.into_owned());
    let jsv_body = req
        .headers()
        .get("Content-Type")?
        .unwrap_or_default()
        .to_ascii_lowercase()
        .starts_with("text/jsv");
    let bytes = super::body(req, route).await?;
    let members = members(&bytes, jsv_body)?;
    for (name, pointer) in [("CompanyId", "/tenant"), ("Id", "/id")] {
        if members
            .get(name)
            .is_some_and(|v| !v.is_null() && !v.is_string())
        {
            let error = wrong(pointer, "a GUID");
            return Err(Refusal::Fields(vec![(name.into(), error)], None));
        }
    }
    let companies = [
        company.as_deref(),
        members.get("CompanyId").and_then(Value::as_str),
    ];
    if companies
        .into_iter()
        .flatten()
        .any(|c| !is_none(c) && !c.eq_ignore_ascii_case(&tenant_id))
    {
        return Err(Refusal::Forbidden);
    }
    if let Some(body_id) = members.get("Id").and_then(Value::as_str)
        && !body_id.eq_ignore_ascii_case(id)
    {
        return Err(Refusal::Fields(
            vec![("Id".into(), FieldError::new("/id", Code::ReadOnly))],
            None,
        ));
    }
    let rules = caller.tenant().compiled_rules()?;
    let by = caller.provenance(CHANNEL, None);
    let customer = matches!(caller, Caller::Customer(_));
    let who = match &caller {
        Caller::Customer(customer) => Who::from(customer),
        Caller::Admin(admin) => {
            let subject = crate::admin::subject(env, &admin.tenant, &format!("id:{id}")).await?;
            Who::by_id(&admin.tenant, &subject)
        }
    };
    let mut tries = 0;
    loop {
        let stored = match &caller {
            Caller::Customer(customer) => customer::read(env, customer, by.clone()).await?,
            Caller::Admin(_) => customer::read_as(env, who.clone())
                .await?
                .ok_or(ApiError::NotFound)?,
        };
        if stored.id != id {
            return Err(if customer {
                Refusal::Forbidden
            } else {
                ApiError::NotFound.into()
            });
        }
        let sent = read(&members, &stored, &settings, &rules, customer, &tenant_id)?;
        let mut patch = Value::Object(Map::new());
        for sent in &sent {
            super::put(&mut patch, &sent.pointer, sent.value.clone());
        }
        if sent.is_empty() {
            return Ok((stored, customer));
        }
        let tenant_rules = &caller.tenant().rules;
        let written = customer::write(
            env,
            who.clone(),
            caller.actor(),
            by.clone(),
            tenant_rules,
            Write::MergePatch,
            stored.etag(),
            patch,
        )
        .await;
        match written {
            Ok(profile) => return Ok((profile, customer)),
            // Read, changed and written on one version: the access keys are
            // computed from it, so another write in between starts it again.
            Err(ApiError::PreconditionFailed(_)) if tries < 3 => tries += 1,
            Err(error) => return Err(refusal_of(error, &sent)),
        }
    }
}

/// Whether a GUID names nothing: empty, or .NET's empty GUID.
fn is_none(id: &str) -> bool {
    id.is_empty() || id == super::NO_ID
}

/// The body's members by the page's names; a member it does not list is refused.
fn members(bytes: &[u8], jsv: bool) -> Result<Map<String, Value>, Refusal> {
    let malformed = |detail: String| Refusal::Api(ApiError::MalformedBody(detail));
    let value = if jsv {
        let text =
            std::str::from_utf8(bytes).map_err(|_| malformed("The body is not UTF-8.".into()))?;
        super::jsv::parse(text).map_err(|e| malformed(e.to_string()))?
    } else {
        crate::strict_json::from_slice(bytes)
            .map_err(|e| malformed(format!("The body is not valid JSON: {e}.")))?
    };
    let Value::Object(body) = value else {
        return Err(malformed("The body must be an object.".into()));
    };
    let mut named = Map::new();
    let mut errors = Vec::new();
    for (name, value) in body {
        match MEMBERS.iter().find(|m| m.eq_ignore_ascii_case(&name)) {
            Some(member) if named.contains_key(*member) => {
                errors.push((name, FieldError::new("", Code::Duplicate)))
            }
            Some(member) => {
                named.insert((*member).to_owned(), value);
            }
            None => errors.push((name, FieldError::new("", Code::UnknownField))),
        }
    }
    if errors.is_empty() {
        Ok(named)
    } else {
        Err(Refusal::Fields(errors, None))
    }
}

/// A text member: JSON's string or JSV's text; `""` is none.
fn text(value: &Value) -> Option<Value> {
    match value {
        Value::String(s) if s.is_empty() => Some(Value::Null),
        Value::String(_) | Value::Null => Some(value.clone()),
        _ => None,
    }
}

/// A boolean member: JSON's, or JSV's `True`/`False`.
fn boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// An integer member: JSON's number, or JSV's digits.
fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn wrong(pointer: &str, expected: &str) -> FieldError {
    FieldError::new(pointer, Code::InvalidType).with("expected", expected.to_owned())
}

/// The members on their places in the profile, with their values in its
/// form; or every member that is not what the page says.
fn read(
    members: &Map<String, Value>,
    stored: &Profile,
    settings: &AliasSettings,
    rules: &Rules,
    customer: bool,
    tenant: &str,
) -> Result<Vec<Sent>, Refusal> {
    let mut sent = Vec::new();
    let mut errors = Vec::new();
    let mut put = |property: String, pointer: &str, value: Value| {
        sent.push(Sent {
            property,
            pointer: pointer.to_owned(),
            value,
        })
    };
    for member in TEXTS {
        let pointer = place(member);
        let Some(value) = members.get(member).filter(|v| !v.is_null()) else {
            continue;
        };
        match text(value) {
            Some(value) => put(member.to_owned(), pointer, value),
            None => errors.push((member.to_owned(), wrong(pointer, "a string"))),
        }
    }
    // The account's e-mail is the customer's own once they have one.
    if let Some(email) = members.get("Email").filter(|v| !v.is_null())
        && !customer
        && let Some(stored_email) = &stored.email
        && email.as_str().map(profile::email::clean_email).as_deref() != Some(stored_email.as_str())
    {
        errors.push(("Email".into(), FieldError::new("/email", Code::ReadOnly)));
    }
    if let Some(value) = members
        .get("SubscribedToNewsletter")
        .filter(|v| !v.is_null())
    {
        let pointer = place("SubscribedToNewsletter");
        match boolean(value) {
            Some(b) => put("SubscribedToNewsletter".into(), pointer, json!(b)),
            None => errors.push((
                "SubscribedToNewsletter".into(),
                wrong(pointer, "true or false"),
            )),
        }
    }
    match members.get("InvoiceAddress") {
        None | Some(Value::Null) => {}
        Some(Value::Object(parts)) => {
            for (name, value) in parts.iter().filter(|(_, v)| !v.is_null()) {
                let property = format!("InvoiceAddress.{name}");
                match INVOICE
                    .iter()
                    .find(|member| member.eq_ignore_ascii_case(name))
                    .map(|member| place(&format!("InvoiceAddress.{member}")))
                {
                    Some(pointer) => match text(value) {
                        Some(value) => put(property, pointer, value),
                        None => errors.push((property, wrong(pointer, "a string"))),
                    },
                    None => errors.push((property, FieldError::new("", Code::UnknownField))),
                }
            }
        }
        Some(_) => errors.push((
            "InvoiceAddress".into(),
            wrong("/invoice_address", "an object"),
        )),
    }
    custom_fields(
        members.get("CustomFields"),
        settings,
        rules,
        &mut put,
        &mut errors,
    );
    match access_keys(members, stored, customer, tenant) {
        Ok(Some(keys)) => put("AccessKeys".into(), place("AccessKeys"), keys),
        Ok(None) => {}
        Err(mut more) => errors.append(&mut more),
    }
    if errors.is_empty() {
        Ok(sent)
    } else {
        Err(Refusal::Fields(errors, None))
    }
}

/// `CustomFields [{Id, Value}]`: each id through the tenant's aliases to
/// one of its custom fields, the text made the field's type.
fn custom_fields(
    list: Option<&Value>,
    settings: &AliasSettings,
    rules: &Rules,
    put: &mut impl FnMut(String, &str, Value),
    errors: &mut Vec<(String, FieldError)>,
) {
    let items = match list {
        None | Some(Value::Null) => return,
        Some(Value::Array(items)) => items,
        Some(_) => return errors.push(("CustomFields".into(), wrong("/custom_fields", "a list"))),
    };
    // No tenant has more custom fields: a longer list is refused before its items.
    if items.len() > profile::tenant::MAX_CUSTOM_FIELDS {
        let error = FieldError::new("/custom_fields", Code::TooMany)
            .with("max", profile::tenant::MAX_CUSTOM_FIELDS);
        return errors.push(("CustomFields".into(), error));
    }
    for (i, item) in items.iter().enumerate() {
        let at = |member: &str| format!("CustomFields[{i}].{member}");
        let field = |name: &str| {
            item.as_object()
                .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
                .map(|(_, v)| v)
        };
        let def = field("Id")
            .and_then(integer)
            .and_then(|id| settings.key_of(&id.to_string()))
            .and_then(|key| rules.custom_field(key))
            .map(|(def, _)| def);
        let Some(def) = def else {
            errors.push((at("Id"), FieldError::new("", Code::UnknownField)));
            continue;
        };
        let pointer = format!("/custom_fields/{}", def.key);
        match typed(def, field("Value").unwrap_or(&Value::Null)) {
            Some(value) => put(at("Value"), &pointer, value),
            None => errors.push((at("Value"), wrong(&pointer, answer::data_type(def.kind)))),
        }
    }
}

/// A custom field's text (JSON may send its own types) in the field's form;
/// `""` or null is none.
pub(super) fn typed(def: &CustomFieldDef, value: &Value) -> Option<Value> {
    let text = match value {
        Value::Null => return Some(Value::Null),
        Value::String(s) if s.trim().is_empty() => return Some(Value::Null),
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    Some(match def.kind {
        CustomKind::Text | CustomKind::Multiline | CustomKind::Select => Value::String(text),
        CustomKind::Integer => json!(text.parse::<i64>().ok()?),
        // serde_json's number reader, which the Worker has anyway (`f64`'s
        // own parser would add some 4 KB).
        CustomKind::Decimal => Value::Number(serde_json::from_str(&text.replace(',', ".")).ok()?),
        CustomKind::Date => Value::String(profile::foreign::date_of_date_time(&text)?),
        CustomKind::DateTime => Value::String(profile::dates::format_instant(
            profile::dates::parse_instant(&text, true)?,
        )?),
        CustomKind::Bool => json!(boolean(&Value::String(text))?),
        CustomKind::Multiselect => return None,
    })
}

/// The access keys after `AccessKeys` (added, or updated by `Id`) and
/// `AccessKeysToDelete` (by `Id`; one already gone is no error): `None`
/// when neither names one. Only the programme writes them.
fn access_keys(
    members: &Map<String, Value>,
    stored: &Profile,
    customer: bool,
    tenant: &str,
) -> Result<Option<Value>, Vec<(String, FieldError)>> {
    let list = |name: &str| match members.get(name) {
        Some(Value::Array(items)) => Ok(items.clone()),
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(_) => Err(vec![(name.to_owned(), wrong("/access_keys", "a list"))]),
    };
    let member = |item: &Value, name: &str| {
        item.as_object()
            .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_null())
    };
    let (added, deleted) = (list("AccessKeys")?, list("AccessKeysToDelete")?);
    let deleted: Vec<String> = deleted
        .iter()
        .filter_map(|item| member(item, "Id")?.as_str().map(str::to_ascii_lowercase))
        .filter(|id| !is_none(id))
        .collect();
    if added.is_empty() && deleted.is_empty() {
        return Ok(None);
    }
    if customer {
        return Err(vec![(
            "AccessKeys".into(),
            FieldError::new("/access_keys", Code::ReadOnly),
        )]);
    }
    let mut keys = stored.access_keys.clone();
    keys.retain(|key| !deleted.contains(&key.id));
    let mut errors = Vec::new();
    for (i, item) in added.iter().enumerate() {
        let at = |name: &str| format!("AccessKeys[{i}].{name}");
        let id = member(item, "Id")
            .and_then(|v| v.as_str().map(str::to_ascii_lowercase))
            .filter(|id| !is_none(id));
        for (name, own) in [("CompanyId", tenant), ("CustomerId", stored.id.as_str())] {
            if let Some(other) = member(item, name).and_then(|v| v.as_str().map(str::to_owned))
                && !is_none(&other)
                && !other.eq_ignore_ascii_case(own)
            {
                errors.push((at(name), FieldError::new("/access_keys", Code::ReadOnly)));
            }
        }
        let type_id = member(item, "AccessKeyTypeId")
            .as_ref()
            .and_then(integer)
            .and_then(|t| u32::try_from(t).ok());
        let value = member(item, "Value").and_then(|v| v.as_str().map(str::to_owned));
        let (Some(type_id), Some(value)) = (type_id, value) else {
            errors.push((
                at("AccessKeyTypeId"),
                FieldError::new("/access_keys", Code::Required),
            ));
            continue;
        };
        let description = member(item, "Description")
            .and_then(|v| v.as_str().map(str::to_owned))
            .filter(|d| !d.is_empty());
        let key = profile::AccessKey {
            id: id
                .clone()
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            type_id,
            value,
            description,
        };
        match keys.iter_mut().find(|k| Some(&k.id) == id.as_ref()) {
            Some(existing) => *existing = key,
            None => keys.push(key),
        }
    }
    if errors.is_empty() {
        Ok(Some(serde_json::to_value(keys).unwrap_or_default()))
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The members this adapter writes have their places in the source map.
    #[test]
    fn every_member_written_has_its_place_in_the_map() {
        let invoice = INVOICE.map(|member| format!("InvoiceAddress.{member}"));
        let members = TEXTS
            .iter()
            .map(|m| m.to_string())
            .chain(invoice)
            .chain(["SubscribedToNewsletter".into(), "AccessKeys".into()]);
        for member in members {
            assert!(place(&member).starts_with('/'), "{member}");
        }
    }
}
