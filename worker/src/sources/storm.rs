//! 003, the e-commerce platform: `POST /CustomerService.svc/rest/UpdateCustomer
//! ?updatedBy=&cultureCode=` in JSON, for the shop's backend with an admin
//! key (`customers:write`). The customer is named by `Key` (the profile's
//! id), else `Code` (the tenant's customer id), else `Id` (the shop's own
//! integer id, kept as `shop_id`); none of them found is `CustomerMissing`.
//! `updatedBy` is the acting user of the history and `updated_by`;
//! `cultureCode` the language of the messages (else the tenant's). What the
//! request leaves out or sends as null is kept; lists it sends replace the
//! stored ones. Errors carry the page's keys.

mod answer;
mod read;

use super::aspnet::{Refusal, Sent, refusal_of};
use crate::customer::{self, Who, Write};
use crate::error::{ApiError, ApiResult};
use crate::tenant_object::{self, Ask};
use profile::listing::CustomerEntry;
use profile::{Code, FieldError, Profile};
use serde_json::{Map, Value};
use worker::{Env, Request, Response};

/// The history's channel of its writes.
const CHANNEL: &str = "storm";

/// The request's members, as the page names them.
const MEMBERS: [&str; 23] = [
    "Id",
    "Key",
    "Code",
    "Email",
    "SSN",
    "FirstName",
    "LastName",
    "Phone",
    "CellPhone",
    "ReferId",
    "ReferUrl",
    "Account",
    "Companies",
    "DeliveryAddresses",
    "InvoiceAddress",
    "Flags",
    "UseInvoiceAddressAsDeliveryAddress",
    "Info",
    "PricelistIds",
    "CrmId",
    "IsActive",
    "Created",
    "Updated",
];

/// Where the page's `member` goes in the profile.
pub fn place(member: &str) -> &'static str {
    super::place(CHANNEL, member)
}

pub async fn handle(
    mut req: Request,
    env: &Env,
    route: &profile::api::Route,
) -> ApiResult<Response> {
    let mut tenant = None;
    let outcome = run(&mut req, env, route, &mut tenant).await;
    let culture = req
        .url()?
        .query_pairs()
        .find(|(name, _)| name == "cultureCode")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    let default = tenant
        .as_deref()
        .and_then(|t: &crate::tenant::Tenant| t.rules.default_language.as_deref());
    let language = profile::messages::negotiate_or(&culture, default);
    match (outcome, &tenant) {
        (Ok(profile), Some(tenant)) => {
            let settings = tenant.sources.storm.clone().unwrap_or_default();
            let body = answer::customer(&profile, &settings).to_string();
            super::answer(200, "application/json; charset=utf-8", body, None)
        }
        (Ok(_), None) => Err(ApiError::Internal("a customer without a tenant".into())),
        (Err(refusal), _) => answer::refused(refusal, language),
    }
}

/// The written (or unchanged) profile.
async fn run(
    req: &mut Request,
    env: &Env,
    route: &profile::api::Route,
    tenant: &mut Option<std::rc::Rc<crate::tenant::Tenant>>,
) -> Result<Profile, Refusal> {
    let admin = crate::admin::admin(req, env, profile::api::Scope::CustomersWrite).await?;
    *tenant = Some(admin.config.clone());
    let Some(settings) = admin.config.sources.storm.clone() else {
        return Err(Refusal::Off);
    };
    let updated_by = req
        .url()?
        .query_pairs()
        .find(|(name, _)| name == "updatedBy")
        .map(|(_, value)| value.into_owned());
    let acting_user = match updated_by.as_deref().map(str::parse::<i32>) {
        Some(Ok(user)) => user.to_string(),
        None => return Err(invalid("updatedBy", FieldError::new("", Code::Required))),
        Some(Err(_)) => {
            let error = read::wrong("", "an integer");
            return Err(invalid("updatedBy", error));
        }
    };
    let bytes = super::body(req, route).await?;
    let members = members(&bytes)?;
    let subject = find(env, &admin.tenant, &members).await?;
    let who = Who::by_id(&admin.tenant, &subject);
    let by = profile::rights::Provenance {
        actor: format!("key:{}", admin.key_id),
        channel: CHANNEL.into(),
        point_of_sale: None,
        acting_user: Some(acting_user),
    };
    let rules = admin.config.compiled_rules()?;
    let mut tries = 0;
    loop {
        let stored = customer::read_as(env, who.clone())
            .await?
            .ok_or(ApiError::NotFound)?;
        let sent = read::read(&members, &stored, &settings, &rules)?;
        if let Some(shop_id) = sent.iter().find(|s| s.pointer == "/shop_id") {
            held_elsewhere(env, &admin.tenant, &stored, shop_id).await?;
        }
        if sent.is_empty() {
            return Ok(stored);
        }
        let mut patch = Value::Object(Map::new());
        for sent in &sent {
            super::put(&mut patch, &sent.pointer, sent.value.clone());
        }
        let written = customer::write(
            env,
            who.clone(),
            profile::Actor::Admin,
            by.clone(),
            &admin.config.rules,
            Write::MergePatch,
            stored.etag(),
            patch,
        )
        .await;
        match written {
            Ok(profile) => return Ok(profile),
            // The lists' new ids are computed from the version read: another
            // write in between starts it again.
            Err(ApiError::PreconditionFailed(_)) if tries < 3 => tries += 1,
            Err(error) => return Err(refusal_of(error, &sent)),
        }
    }
}

fn invalid(property: &str, error: FieldError) -> Refusal {
    Refusal::Fields(vec![(property.to_owned(), error)], None)
}

/// The body's members; one the page does not list is refused, and so is a
/// body that is not a JSON object.
fn members(bytes: &[u8]) -> Result<Map<String, Value>, Refusal> {
    let malformed = |detail: String| Refusal::Api(ApiError::MalformedBody(detail));
    let value: Value = crate::strict_json::from_slice(bytes)
        .map_err(|e| malformed(format!("The body is not valid JSON: {e}.")))?;
    let Value::Object(body) = value else {
        return Err(malformed("The body must be an object.".into()));
    };
    let unknown: Vec<(String, FieldError)> = body
        .keys()
        .filter(|name| !MEMBERS.contains(&name.as_str()))
        .map(|name| (name.clone(), FieldError::new("", Code::UnknownField)))
        .collect();
    if unknown.is_empty() {
        Ok(body)
    } else {
        Err(Refusal::Fields(unknown, None))
    }
}

/// The tenant's customer id of the customer the body names: by `Key`, else
/// `Code`, else `Id`. `NotFound` (the page's `CustomerMissing`) if none does.
async fn find(env: &Env, tenant: &str, members: &Map<String, Value>) -> Result<String, Refusal> {
    let given = |name: &str| members.get(name).filter(|v| !v.is_null());
    if let Some(key) = given("Key") {
        let Some(key) = key.as_str() else {
            return Err(invalid("Key", read::wrong("/id", "a GUID")));
        };
        if !key.is_empty() && key != super::NO_ID {
            let id = format!("id:{}", key.to_ascii_lowercase());
            return Ok(crate::admin::subject(env, tenant, &id).await?);
        }
    }
    if let Some(code) = given("Code") {
        let Some(code) = code.as_str() else {
            return Err(invalid("Code", read::wrong("/external_id", "a string")));
        };
        if !code.is_empty() {
            return if crate::token::valid_subject(code) {
                Ok(code.to_owned())
            } else {
                Err(ApiError::NotFound.into())
            };
        }
    }
    if let Some(id) = given("Id") {
        let positive = |id: i64| i32::try_from(id).ok().filter(|id| *id > 0);
        let Some(id) = id.as_i64().and_then(positive) else {
            return Err(invalid("Id", read::wrong("/shop_id", "a positive integer")));
        };
        let ask = Ask::FindShop {
            shop_id: id.to_string(),
        };
        let found: Option<CustomerEntry> = tenant_object::ask(env, tenant, &ask).await?;
        return found.map(|entry| entry.id).ok_or(ApiError::NotFound.into());
    }
    Err(ApiError::NotFound.into())
}

/// Refuses to give the customer a shop id another customer of the tenant has.
async fn held_elsewhere(
    env: &Env,
    tenant: &str,
    stored: &Profile,
    shop_id: &Sent,
) -> Result<(), Refusal> {
    let ask = Ask::FindShop {
        shop_id: shop_id.value.as_str().unwrap_or_default().to_owned(),
    };
    let found: Option<CustomerEntry> = tenant_object::ask(env, tenant, &ask).await?;
    match found {
        Some(entry) if entry.profile_id != stored.id => {
            Err(invalid("Id", FieldError::new("/shop_id", Code::Duplicate)))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every member of the request has its place in the source map.
    #[test]
    fn every_member_has_its_place_in_the_map() {
        for member in MEMBERS {
            assert!(place(member).starts_with('/'), "{member}");
        }
    }
}
