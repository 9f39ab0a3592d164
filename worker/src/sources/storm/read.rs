//! The request's members on their places in the profile: each as the page
//! types it, null or left out keeps the stored value, `""` clears a text,
//! and a list replaces the stored one.

use super::super::aspnet::{Refusal, Sent};
use super::place;
use profile::model::Address;
use profile::sources::StormSettings;
use profile::{Code, FieldError, Profile, Rules};
use serde_json::{Map, Value, json};

/// The text members.
const TEXTS: [&str; 8] = [
    "Email",
    "SSN",
    "FirstName",
    "LastName",
    "Phone",
    "CellPhone",
    "ReferUrl",
    "CrmId",
];
/// At most this many `Flags` are read; a longer list is refused whole.
const MAX_FLAGS: usize = 100;
/// An address's members and their parts in the profile's address.
pub const ADDRESS: [(&str, &str); 6] = [
    ("CareOf", "care_of"),
    ("Line1", "line1"),
    ("Line2", "line2"),
    ("Zip", "postal_code"),
    ("City", "city"),
    ("Country", "country"),
];

pub fn wrong(pointer: &str, expected: &str) -> FieldError {
    FieldError::new(pointer, Code::InvalidType).with("expected", expected.to_owned())
}

type Errors = Vec<(String, FieldError)>;

/// What the members write, or every member that is not what the page says.
pub fn read(
    members: &Map<String, Value>,
    stored: &Profile,
    settings: &StormSettings,
    rules: &Rules,
) -> Result<Vec<Sent>, Refusal> {
    let mut sent = Vec::new();
    let mut errors: Errors = Vec::new();
    let given = |name: &str| members.get(name).filter(|v| !v.is_null());
    let mut put = |property: &str, pointer: &str, value: Value| {
        sent.push(Sent {
            property: property.to_owned(),
            pointer: pointer.to_owned(),
            value,
        })
    };
    for member in TEXTS {
        match given(member) {
            None => {}
            Some(Value::String(s)) if s.is_empty() => put(member, place(member), Value::Null),
            Some(text @ Value::String(_)) => put(member, place(member), text.clone()),
            Some(_) => errors.push((member.into(), wrong(place(member), "a string"))),
        }
    }
    if let Some(value) = given("ReferId") {
        match value.as_i64().and_then(|id| i32::try_from(id).ok()) {
            Some(id) => put("ReferId", place("ReferId"), json!(id.to_string())),
            None => errors.push(("ReferId".into(), wrong(place("ReferId"), "an integer"))),
        }
    }
    for member in ["IsActive", "UseInvoiceAddressAsDeliveryAddress"] {
        match given(member) {
            None => {}
            Some(Value::Bool(b)) => put(member, place(member), json!(b)),
            Some(_) => errors.push((member.into(), wrong(place(member), "true or false"))),
        }
    }
    identity(members, stored, &mut put, &mut errors);
    account(given("Account"), stored, &mut put, &mut errors);
    companies(given("Companies"), stored, &mut put, &mut errors);
    addresses(members, stored, &mut put, &mut errors);
    flags(given("Flags"), stored, settings, &mut put, &mut errors);
    info(given("Info"), settings, rules, &mut put, &mut errors);
    // `PricelistIds`, `Created` and `Updated` are the platform's own: ignored.
    if errors.is_empty() {
        Ok(sent)
    } else {
        Err(Refusal::Fields(errors, None))
    }
}

type Put<'a> = dyn FnMut(&str, &str, Value) + 'a;

/// `Key` and `Code` must be the customer's own; `Id` is kept as the shop's
/// id the first time it is given, and must be it afterwards.
fn identity(members: &Map<String, Value>, stored: &Profile, put: &mut Put, errors: &mut Errors) {
    let text = |name: &str| {
        members
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    if let Some(key) = text("Key")
        && key != super::super::NO_ID
        && !key.eq_ignore_ascii_case(&stored.id)
    {
        errors.push(("Key".into(), FieldError::new("/id", Code::ReadOnly)));
    }
    if let Some(code) = text("Code")
        && code != stored.external_id
    {
        errors.push((
            "Code".into(),
            FieldError::new("/external_id", Code::ReadOnly),
        ));
    }
    let id = members.get("Id").filter(|v| !v.is_null());
    let positive = |i: i64| i32::try_from(i).ok().filter(|i| *i > 0);
    match (id.and_then(Value::as_i64).and_then(positive), id) {
        (_, None) => {}
        (None, Some(_)) => errors.push(("Id".into(), wrong("/shop_id", "a positive integer"))),
        (Some(id), _) => match &stored.shop_id {
            None => put("Id", "/shop_id", json!(id.to_string())),
            Some(own) if *own == id.to_string() => {}
            Some(_) => errors.push(("Id".into(), FieldError::new("/shop_id", Code::ReadOnly))),
        },
    }
}

/// An object's members of `known`, or an error for each other member.
fn object<'a>(
    value: &'a Value,
    property: &str,
    pointer: &str,
    known: &[&str],
    errors: &mut Errors,
) -> Option<&'a Map<String, Value>> {
    let Value::Object(members) = value else {
        errors.push((property.into(), wrong(pointer, "an object")));
        return None;
    };
    let before = errors.len();
    for name in members.keys().filter(|n| !known.contains(&n.as_str())) {
        let error = FieldError::new(pointer, Code::UnknownField);
        errors.push((format!("{property}.{name}"), error));
    }
    (errors.len() == before).then_some(members)
}

/// A list of at most `max` items, or an error (a longer list is refused
/// before its items are looked at).
fn list<'a>(
    value: &'a Value,
    property: &str,
    pointer: &str,
    max: usize,
    errors: &mut Errors,
) -> &'a [Value] {
    match value {
        Value::Array(items) if items.len() > max => {
            let error = FieldError::new(pointer, Code::TooMany).with("max", max);
            errors.push((property.into(), error));
            &[]
        }
        Value::Array(items) => items,
        _ => {
            errors.push((property.into(), wrong(pointer, "a list")));
            &[]
        }
    }
}

/// A text member of an object: `None` when left out, null or `""`.
fn text_of(
    members: &Map<String, Value>,
    name: &str,
    property: &str,
    pointer: &str,
    errors: &mut Errors,
) -> Option<String> {
    match members.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()).filter(|s| !s.is_empty()),
        Some(_) => {
            errors.push((format!("{property}.{name}"), wrong(pointer, "a string")));
            None
        }
    }
}

/// An integer id member of an object, if it has one.
fn id_of(members: &Map<String, Value>, property: &str, errors: &mut Errors) -> Option<u32> {
    match members.get("Id") {
        None | Some(Value::Null) => None,
        Some(value) => match value.as_u64().and_then(|id| u32::try_from(id).ok()) {
            Some(id) if i32::try_from(id).is_ok() => Some(id),
            _ => {
                let error = wrong("", "a positive integer");
                errors.push((format!("{property}.Id"), error));
                None
            }
        },
    }
}

/// `Account {Id, LoginName, Password}`: its user name becomes the
/// customer's; one they have already is kept (another is
/// `AccountAlreadyExists`). No password is kept, so none may be sent.
fn account(value: Option<&Value>, stored: &Profile, put: &mut Put, errors: &mut Errors) {
    let Some(value) = value else { return };
    let known = ["Id", "LoginName", "Password"];
    let Some(members) = object(value, "Account", "/username", &known, errors) else {
        return;
    };
    id_of(members, "Account", errors);
    if text_of(members, "Password", "Account", "/username", errors).is_some() {
        let error = FieldError::new("/password", Code::ReadOnly);
        errors.push(("Account.Password".into(), error));
    }
    let Some(name) = text_of(members, "LoginName", "Account", "/username", errors) else {
        let error = FieldError::new("/username", Code::Required);
        return errors.push(("Account.LoginName".into(), error));
    };
    match &stored.username {
        None => put("Account.LoginName", "/username", json!(name)),
        Some(own) if own.trim() == name.trim() => {}
        Some(_) => {
            let error = FieldError::new("/username", Code::ReadOnly);
            errors.push(("Account.LoginName".into(), error));
        }
    }
}

/// `Companies [{Id, Name, OrgNo}]`: the customer's companies, the first the
/// default (`company`), the rest `other_companies`. One with an `Id` keeps
/// it; one without is new, with the next free id, and must not repeat a
/// company the customer has under an id, nor one before it in the list
/// (`CompanyAlreadyExists`). One the customer has without an id (their own,
/// written through `/v1` or another API, answered with a null `Id`) is that
/// company, and gets its id now.
fn companies(value: Option<&Value>, stored: &Profile, put: &mut Put, errors: &mut Errors) {
    let Some(value) = value else { return };
    let max = profile::model::MAX_OTHER_COMPANIES + 1;
    let items = list(value, "Companies", "/other_companies", max, errors);
    let have: Vec<&profile::Company> = stored
        .company
        .iter()
        .chain(&stored.other_companies)
        .collect();
    let mut next = Ids::after(have.iter().map(|c| c.id).chain(sent_ids(items)));
    let mut companies: Vec<profile::Company> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let property = format!("Companies[{i}]");
        let pointer = company_pointer(i);
        let known = ["Id", "Name", "OrgNo"];
        let Some(members) = object(item, &property, &pointer, &known, errors) else {
            continue;
        };
        let name = text_of(members, "Name", &property, &pointer, errors);
        let number = text_of(members, "OrgNo", &property, &pointer, errors);
        let id = match id_of(members, &property, errors) {
            Some(id) => id,
            None => {
                let same = |c: &&profile::Company| {
                    c.name.as_deref().map(str::trim) == name.as_deref().map(str::trim)
                        && c.organization_number.as_deref().map(str::trim)
                            == number.as_deref().map(str::trim)
                };
                let held = have.iter().filter(|c| c.id.is_some()).any(same);
                if name.is_some() && (held || companies.iter().any(|c| same(&c))) {
                    let error = FieldError::new(&pointer, Code::Duplicate);
                    errors.push((property.clone(), error));
                }
                next.take()
            }
        };
        if name.is_none() {
            let error = FieldError::new(format!("{pointer}/name"), Code::Required);
            errors.push((format!("{property}.Name"), error));
        }
        companies.push(profile::Company {
            id: Some(id),
            name,
            organization_number: number,
        });
    }
    let mut companies = companies.into_iter();
    let first = companies.next();
    let json = |v| serde_json::to_value(v).unwrap_or_default();
    put("Companies", "/company", first.map_or(Value::Null, json));
    let rest: Vec<Value> = companies.map(json).collect();
    put("Companies", "/other_companies", Value::Array(rest));
}

/// The ids the items of a list name.
fn sent_ids(items: &[Value]) -> impl Iterator<Item = Option<u32>> + '_ {
    items
        .iter()
        .map(|item| item.get("Id")?.as_u64()?.try_into().ok())
}

/// The next free integer id of a list: after every id stored or sent (an
/// id past int32 counts as none), and never past int32 (a list at the end
/// of it gets a duplicate, which the profile's rules refuse).
struct Ids(u32);

impl Ids {
    fn after(ids: impl Iterator<Item = Option<u32>>) -> Ids {
        let top = i32::MAX as u32;
        Ids(ids.flatten().filter(|id| *id <= top).max().unwrap_or(0))
    }

    fn take(&mut self) -> u32 {
        self.0 = (self.0 + 1).min(i32::MAX as u32);
        self.0
    }
}

/// Where the `i`th company of the list lives in the profile.
pub fn company_pointer(i: usize) -> String {
    match i {
        0 => "/company".to_owned(),
        i => format!("/other_companies/{}", i - 1),
    }
}

/// One address of the request as the profile's, every part named (those it
/// leaves out as null, so that it replaces the stored one whole); its `Id`.
fn address(
    value: &Value,
    property: &str,
    pointer: &str,
    errors: &mut Errors,
) -> Option<(Map<String, Value>, Option<u32>)> {
    let mut known: Vec<&str> = ADDRESS.iter().map(|(member, _)| *member).collect();
    known.push("Id");
    let members = object(value, property, pointer, &known, errors)?;
    // Inserted one by one: collecting would sort them first, and bring a sort's code.
    let mut parts = Map::new();
    for part in Address::KEYS {
        parts.insert(part.to_owned(), Value::Null);
    }
    for (member, part) in ADDRESS {
        let at = format!("{pointer}/{part}");
        if let Some(text) = text_of(members, member, property, &at, errors) {
            parts.insert(part.to_owned(), json!(text));
        }
    }
    Some((parts, id_of(members, property, errors)))
}

/// `InvoiceAddress`, `DeliveryAddresses` and the rule between them: with
/// `UseInvoiceAddressAsDeliveryAddress` true, the delivery addresses are
/// ignored and an invoice address is needed; with false, both are. An
/// invoice address sent needs its zip code, city and country.
fn addresses(members: &Map<String, Value>, stored: &Profile, put: &mut Put, errors: &mut Errors) {
    let given = |name: &str| members.get(name).filter(|v| !v.is_null());
    let use_invoice = given("UseInvoiceAddressAsDeliveryAddress").and_then(Value::as_bool);
    let mut invoice_after = stored.invoice_address.is_some();
    if let Some(value) = given("InvoiceAddress")
        && let Some((parts, _)) = address(value, "InvoiceAddress", "/invoice_address", errors)
    {
        missing_parts(&parts, "InvoiceAddress", "/invoice_address", errors);
        invoice_after = true;
        put("InvoiceAddress", "/invoice_address", Value::Object(parts));
    }
    let mut delivery_after = !stored.delivery_addresses.is_empty();
    if let Some(value) = given("DeliveryAddresses")
        && use_invoice != Some(true)
    {
        let max = profile::model::MAX_DELIVERY_ADDRESSES;
        let items = list(
            value,
            "DeliveryAddresses",
            "/delivery_addresses",
            max,
            errors,
        );
        let stored_ids = stored.delivery_addresses.iter().map(|d| d.id.parse().ok());
        let mut next = Ids::after(stored_ids.chain(sent_ids(items)));
        let mut list = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let property = format!("DeliveryAddresses[{i}]");
            let pointer = format!("/delivery_addresses/{i}");
            let Some((mut parts, id)) = address(item, &property, &pointer, errors) else {
                continue;
            };
            let id = id.unwrap_or_else(|| next.take());
            parts.insert("id".into(), json!(id.to_string()));
            list.push(Value::Object(parts));
        }
        delivery_after = !list.is_empty();
        put(
            "DeliveryAddresses",
            "/delivery_addresses",
            Value::Array(list),
        );
    }
    let (invoice_needed, delivery_needed) = match use_invoice {
        Some(true) => (true, false),
        Some(false) => (true, true),
        None => (false, false),
    };
    let none = Map::new();
    if invoice_needed && !invoice_after {
        missing_parts(&none, "InvoiceAddress", "/invoice_address", errors);
    }
    if delivery_needed && !delivery_after {
        let pointer = "/delivery_addresses/0";
        missing_parts(&none, "DeliveryAddresses[0]", pointer, errors);
    }
}

/// The page's `...ZipMissing`, `...CityMissing` and `...CountryMissing` of
/// an address at `pointer` that lacks them.
fn missing_parts(parts: &Map<String, Value>, property: &str, pointer: &str, errors: &mut Errors) {
    let invoice = pointer == "/invoice_address";
    let codes = if invoice {
        [
            Code::InvoiceAddressZipMissing,
            Code::InvoiceAddressCityMissing,
            Code::InvoiceAddressCountryMissing,
        ]
    } else {
        [
            Code::DeliveryAddressZipMissing,
            Code::DeliveryAddressCityMissing,
            Code::DeliveryAddressCountryMissing,
        ]
    };
    for ((member, part), code) in [ADDRESS[3], ADDRESS[4], ADDRESS[5]].into_iter().zip(codes) {
        if parts.get(part).is_none_or(Value::is_null) {
            let error = FieldError::new(format!("{pointer}/{part}"), code);
            errors.push((format!("{property}.{member}"), error));
        }
    }
}

/// `Flags [{Id}]`: the named flags the tenant maps the ids to. The list
/// replaces the mapped flags the customer holds; flags no id maps to (the
/// programme's others) stay.
fn flags(
    value: Option<&Value>,
    stored: &Profile,
    settings: &StormSettings,
    put: &mut Put,
    errors: &mut Errors,
) {
    let Some(value) = value else { return };
    let mapped = |flag: &String| settings.flags.values().any(|f| f == flag);
    let mut flags: Vec<String> = stored
        .loyalty
        .flags
        .iter()
        .filter(|f| !mapped(f))
        .cloned()
        .collect();
    let items = list(value, "Flags", "/loyalty/flags", MAX_FLAGS, errors);
    for (i, item) in items.iter().enumerate() {
        let property = format!("Flags[{i}]");
        let Some(members) = object(item, &property, "/loyalty/flags", &["Id"], errors) else {
            continue;
        };
        let flag =
            id_of(members, &property, errors).and_then(|id| settings.flag_of(&id.to_string()));
        match flag {
            Some(flag) if !flags.iter().any(|f| f == flag) => flags.push(flag.to_owned()),
            Some(_) => {}
            None => {
                let error = FieldError::new("/loyalty/flags", Code::UnknownField);
                errors.push((format!("{property}.Id"), error));
            }
        }
    }
    put("Flags", "/loyalty/flags", json!(flags));
}

/// `Info [{Id, Value}]`: each id through the tenant's aliases to one of its
/// custom fields, the value made the field's type.
fn info(
    value: Option<&Value>,
    settings: &StormSettings,
    rules: &Rules,
    put: &mut Put,
    errors: &mut Errors,
) {
    let Some(value) = value else { return };
    // No tenant has more custom fields.
    let max = profile::tenant::MAX_CUSTOM_FIELDS;
    let items = list(value, "Info", "/custom_fields", max, errors);
    for (i, item) in items.iter().enumerate() {
        let property = format!("Info[{i}]");
        let Some(members) = object(item, &property, "/custom_fields", &["Id", "Value"], errors)
        else {
            continue;
        };
        let def = id_of(members, &property, errors)
            .and_then(|id| settings.key_of(&id.to_string()))
            .and_then(|key| rules.custom_field(key))
            .map(|(def, _)| def);
        let Some(def) = def else {
            let error = FieldError::new("/custom_fields", Code::UnknownField);
            errors.push((format!("{property}.Id"), error));
            continue;
        };
        let pointer = format!("/custom_fields/{}", def.key);
        let value = members.get("Value").unwrap_or(&Value::Null);
        match super::super::booking::typed(def, value) {
            Some(value) => put(&format!("{property}.Value"), &pointer, value),
            None => {
                let error = wrong(&pointer, "a value of the field's type");
                errors.push((format!("{property}.Value"), error));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_follow_every_id_and_stay_within_int32() {
        let mut ids = Ids::after([Some(3), None, Some(9)].into_iter());
        assert_eq!((ids.take(), ids.take()), (10, 11));
        // An id past int32 counts as none; at the end, ids stop growing.
        let mut ids = Ids::after([Some(u32::MAX), Some(i32::MAX as u32 - 1)].into_iter());
        assert_eq!(ids.take(), i32::MAX as u32);
        assert_eq!(ids.take(), i32::MAX as u32);
        let items = [json!({"Id": 5}), json!({"Id": -1}), json!({}), json!("x")];
        let sent: Vec<Option<u32>> = sent_ids(&items).collect();
        assert_eq!(sent, vec![Some(5), None, None, None]);
    }
}
