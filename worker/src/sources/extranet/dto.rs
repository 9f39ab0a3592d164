//! The extranet's `CustomerDto` on the wire: its members, read from JSON
//! (camelCase) and from DataContract XML into one map by the page's
//! (PascalCase) names, and written back in either.

use super::super::xml::{self, Node};
use crate::error::ApiError;
use crate::sources::aspnet::Refusal;
use profile::foreign::{EXTRANET_EMAIL_STATUSES, EXTRANET_GENDERS, enum_of};
use profile::sources::{AliasSettings, SOURCE_FIELDS, Target};
use profile::{CustomFieldDef, CustomKind, EmailStatus, Gender, Profile, Rules};
use serde_json::{Map, Value, json};

/// The DTO's namespace, and that of its dictionary's entries.
const DTOS: &str = "http://schemas.datacontract.org/2004/07/Domain.Dtos";
const ARRAYS: &str = "http://schemas.microsoft.com/2003/10/Serialization/Arrays";
/// The dictionary entry's element, as DataContract names it.
const ENTRY: &str = "KeyValueOfstringCustomerFieldValueDtouOHOlRpi";

/// What a member holds.
#[derive(Clone, Copy, PartialEq)]
pub enum Kind {
    Text,
    Bool,
    /// A calendar date, sent as a date-time.
    Date,
    /// A moment (`GdprDate`).
    Moment,
    Guid,
    Gender,
    EmailStatus,
    /// `UrlPhoto` and `PhotoBase64`.
    Photo,
    CustomFields,
}

/// The members of `CustomerDto` in the order DataContract writes them (by name).
pub const MEMBERS: [(&str, Kind); 38] = [
    ("Address", Kind::Text),
    ("AllowsCommunications", Kind::Bool),
    ("AllowsNotifications", Kind::Bool),
    ("Annotations", Kind::Text),
    ("AnyOfflinePurchase", Kind::Bool),
    ("AnyOnlinePurchase", Kind::Bool),
    ("BirthDate", Kind::Date),
    ("CardCode", Kind::Text),
    ("CustomFields", Kind::CustomFields),
    ("Dni", Kind::Text),
    ("DniValidated", Kind::Bool),
    ("Email", Kind::Text),
    ("EmailStatus", Kind::EmailStatus),
    ("EstimatedDateOfBirth", Kind::Date),
    ("ExtraPhone", Kind::Text),
    ("FirstName", Kind::Text),
    ("GdprDate", Kind::Moment),
    ("Gender", Kind::Gender),
    ("HasAcceptedAdvertising", Kind::Bool),
    ("HasAcceptedBirthdayGreeting", Kind::Bool),
    ("HasAcceptedDataCession", Kind::Bool),
    ("HasCard", Kind::Bool),
    ("HasEnabledNotifications", Kind::Bool),
    ("HasProgeny", Kind::Bool),
    ("Id", Kind::Guid),
    ("IsGdprAccepted", Kind::Bool),
    ("IsMember", Kind::Bool),
    ("LastName", Kind::Text),
    ("MobilePhone", Kind::Text),
    ("OrganizationCode", Kind::Text),
    ("PhotoBase64", Kind::Photo),
    ("PreferredLanguageCode", Kind::Text),
    ("Rank", Kind::Text),
    ("SourceCode", Kind::Text),
    ("StoreCode", Kind::Text),
    ("UrlPhoto", Kind::Photo),
    ("UserName", Kind::Text),
    ("ZipCode", Kind::Text),
];

/// The members of a `CustomerFieldValueDto`, in the same order.
const FIELD_MEMBERS: [&str; 10] = [
    "BoolValue",
    "Code",
    "CustomerFieldId",
    "CustomerId",
    "DateTimeValue",
    "Id",
    "IntValue",
    "Name",
    "StringValue",
    "Type",
];

/// `firstName` for `FirstName`: Json.NET's camelCase.
fn camel(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|first| first.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

fn malformed(detail: String) -> Refusal {
    Refusal::Api(ApiError::MalformedBody(detail))
}

/// The JSON body's members by the page's names (a camelCase name the DTO
/// does not have stays as sent, and is refused as unknown).
pub fn from_json(bytes: &[u8]) -> Result<Map<String, Value>, Refusal> {
    let members = match crate::strict_json::from_slice(bytes) {
        Ok(Value::Object(members)) => members,
        Ok(_) => return Err(malformed("The body must be a JSON object.".into())),
        Err(e) => return Err(malformed(format!("The body is not valid JSON: {e}."))),
    };
    let named = |name: String| {
        MEMBERS
            .iter()
            .find(|(member, _)| camel(member) == name)
            .map_or(name, |(member, _)| (*member).to_owned())
    };
    Ok(members
        .into_iter()
        .map(|(name, value)| (named(name), value))
        .collect())
}

/// The XML body's members by name, as text (or null for `i:nil`), with
/// `CustomFields` as an object of entries, each an object of its members.
pub fn from_xml(bytes: &[u8]) -> Result<Map<String, Value>, Refusal> {
    let root = xml::parse(bytes).map_err(|e| malformed(e.to_string()))?;
    if root.namespace != DTOS || root.name != "CustomerDto" {
        return Err(malformed(format!(
            "The root element must be CustomerDto in the namespace {DTOS}."
        )));
    }
    let mut members = Map::new();
    for node in root.children {
        if node.namespace != DTOS {
            return Err(malformed(format!(
                "{} must be in the namespace {DTOS}.",
                node.name
            )));
        }
        if members.contains_key(&node.name) {
            return Err(malformed(format!("{} is given twice.", node.name)));
        }
        let name = node.name.clone();
        let value = if name == "CustomFields" && !node.nil {
            entries(node.children)?
        } else {
            text(node)?
        };
        members.insert(name, value);
    }
    Ok(members)
}

/// An element's text, or null for `i:nil`; an element with elements in it
/// is refused.
fn text(node: Node) -> Result<Value, Refusal> {
    if !node.children.is_empty() {
        return Err(malformed(format!(
            "{} must hold text, not elements.",
            node.name
        )));
    }
    Ok(if node.nil {
        Value::Null
    } else {
        Value::String(node.text)
    })
}

/// The dictionary's entries: `{key: {camelCase member: text}}`, as its JSON writes it.
fn entries(nodes: Vec<Node>) -> Result<Value, Refusal> {
    let mut entries = Map::new();
    for entry in nodes {
        if entry.namespace != ARRAYS || entry.name != ENTRY {
            return Err(malformed(format!(
                "CustomFields holds only {ENTRY} elements in the namespace {ARRAYS}."
            )));
        }
        let (mut key, mut value) = (None, None);
        for part in entry.children {
            match (part.namespace == ARRAYS, part.name.as_str()) {
                (true, "Key") => key = text(part)?.as_str().map(str::to_owned),
                (true, "Value") => value = Some(part),
                _ => return Err(malformed(format!("{ENTRY} holds a Key and a Value."))),
            }
        }
        let (Some(key), Some(value)) = (key, value) else {
            return Err(malformed(format!("{ENTRY} holds a Key and a Value.")));
        };
        let mut members = Map::new();
        for member in value.children {
            if member.namespace != DTOS || !FIELD_MEMBERS.contains(&member.name.as_str()) {
                return Err(malformed(format!(
                    "{} is not a member of CustomerFieldValueDto.",
                    member.name
                )));
            }
            let name = camel(&member.name);
            members.insert(name, text(member)?);
        }
        entries.insert(key, Value::Object(members));
    }
    Ok(Value::Object(entries))
}

/// A custom field's value from its entry: the member its `type` names
/// (else the one its kind uses), in the field's form. `Err`: what was expected.
pub fn custom_value(def: &CustomFieldDef, entry: &Value) -> Result<Value, String> {
    let Some(wanted) = super::type_of(def.kind) else {
        return Err("a custom field this API can carry (not a multiselect)".into());
    };
    if let Some(kind) = entry.get("type").and_then(Value::as_str)
        && !kind.eq_ignore_ascii_case(wanted)
    {
        return Err(format!("type {wanted}"));
    }
    let member = match wanted {
        "String" => "stringValue",
        "DateTime" => "dateTimeValue",
        "Int" => "intValue",
        _ => "boolValue",
    };
    let value = entry.get(member).unwrap_or(&Value::Null);
    let text = value.as_str().map(str::trim);
    let expected = || format!("{member} as type {wanted}");
    match (def.kind, value) {
        (_, Value::Null) => Ok(Value::Null),
        (CustomKind::Date, _) => text
            .and_then(profile::foreign::date_of_date_time)
            .map(Value::String)
            .ok_or_else(expected),
        (CustomKind::DateTime, _) => text
            .and_then(|t| profile::dates::parse_instant(t, true))
            .and_then(profile::dates::format_instant)
            .map(Value::String)
            .ok_or_else(expected),
        (CustomKind::Integer | CustomKind::Decimal, Value::Number(_)) => Ok(value.clone()),
        (CustomKind::Integer | CustomKind::Decimal, _) => text
            .and_then(|t| t.parse::<i64>().ok())
            .map(Value::from)
            .ok_or_else(expected),
        (CustomKind::Bool, Value::Bool(_)) => Ok(value.clone()),
        (CustomKind::Bool, _) => match text {
            Some("true") => Ok(Value::Bool(true)),
            Some("false") => Ok(Value::Bool(false)),
            _ => Err(expected()),
        },
        (_, Value::String(_)) => Ok(value.clone()),
        _ => Err(expected()),
    }
}

/// The customer as a `CustomerDto` (camelCase, as its JSON): what they
/// see of the profile; the programme's internals as `null`, or `false` for
/// the booleans that .NET cannot leave empty.
pub fn answer(
    profile: &Profile,
    rules: &Rules,
    settings: &AliasSettings,
    language: &str,
    origin: &str,
) -> Map<String, Value> {
    let wire = Value::Object(profile::customer_view(profile, rules));
    let mut answer = Map::new();
    for (name, kind) in MEMBERS {
        let pointer = SOURCE_FIELDS.iter().find_map(|(s, f, t)| match t {
            Target::Field(pointer) if *s == super::SOURCE && *f == name => Some(*pointer),
            _ => None,
        });
        let stored = pointer
            .and_then(|p| wire.pointer(p))
            .filter(|v| !v.is_null());
        let value = match (kind, stored) {
            (Kind::CustomFields, _) => custom_fields(profile, rules, settings, language),
            (Kind::Bool, None) => json!(false),
            (_, None) => Value::Null,
            (Kind::Date, Some(Value::String(date))) => json!(format!("{date}T00:00:00")),
            (Kind::Gender, Some(gender)) => Gender::parse(gender.as_str().unwrap_or_default())
                .and_then(|g| enum_of(&EXTRANET_GENDERS, &g))
                .map_or(Value::Null, |(_, number)| json!(number)),
            (Kind::EmailStatus, Some(status)) => {
                EmailStatus::parse(status.as_str().unwrap_or_default())
                    .and_then(|s| enum_of(&EXTRANET_EMAIL_STATUSES, &s))
                    .map_or(Value::Null, |(_, number)| json!(number))
            }
            (Kind::Photo, Some(Value::String(id))) if name == "UrlPhoto" => {
                json!(format!("{origin}{}", super::photo_path(id)))
            }
            (Kind::Photo, _) => Value::Null,
            (_, Some(value)) => value.clone(),
        };
        answer.insert(camel(name), value);
    }
    answer
}

/// The custom fields the customer sees that have a code, by code.
fn custom_fields(
    profile: &Profile,
    rules: &Rules,
    settings: &AliasSettings,
    language: &str,
) -> Value {
    let mut fields = Map::new();
    if !profile::access::customer_sees("custom_fields", rules) {
        return Value::Object(fields);
    }
    for (code, key) in &settings.custom_fields {
        let Some((def, _)) = rules.custom_field(key) else {
            continue;
        };
        let Some(kind) = super::type_of(def.kind) else {
            continue;
        };
        let value = profile
            .custom_fields
            .get(key)
            .cloned()
            .unwrap_or(Value::Null);
        let of = |wanted: &str| {
            if kind == wanted {
                value.clone()
            } else {
                Value::Null
            }
        };
        let date_time = match (def.kind, &value) {
            (CustomKind::Date, Value::String(date)) => json!(format!("{date}T00:00:00")),
            _ => of("DateTime"),
        };
        let name = profile::schema::translated(&def.label, language).unwrap_or_else(|| key.clone());
        let entry = crate::sources::object([
            ("id", Value::Null),
            ("code", Value::from(code.clone())),
            ("name", Value::from(name)),
            ("stringValue", of("String")),
            ("dateTimeValue", date_time),
            ("intValue", of("Int")),
            ("boolValue", of("Bool")),
            ("type", Value::from(kind)),
            ("customerId", Value::from(profile.id.clone())),
            ("customerFieldId", Value::Null),
        ]);
        fields.insert(code.clone(), entry);
    }
    Value::Object(fields)
}

/// The answer as DataContract XML: members by name, `i:nil` for null, the
/// codes by name, the custom fields as the dictionary's entries.
pub fn to_xml(answer: &Map<String, Value>) -> String {
    let mut out = format!(
        r#"<CustomerDto xmlns:i="{}" xmlns="{DTOS}">"#,
        xml::INSTANCE
    );
    for (name, kind) in MEMBERS {
        let value = &answer[&camel(name)];
        let value = match (kind, value) {
            (Kind::Gender, Value::Number(n)) => EXTRANET_GENDERS
                .iter()
                .find(|(_, number, _)| n.as_i64() == Some(*number))
                .map_or(Value::Null, |(name, _, _)| json!(name)),
            (Kind::EmailStatus, Value::Number(n)) => EXTRANET_EMAIL_STATUSES
                .iter()
                .find(|(_, number, _)| n.as_i64() == Some(*number))
                .map_or(Value::Null, |(name, _, _)| json!(name)),
            _ => value.clone(),
        };
        if let (Kind::CustomFields, Value::Object(entries)) = (kind, &value) {
            out.push_str(&format!(r#"<CustomFields xmlns:d2p1="{ARRAYS}">"#));
            for (key, entry) in entries {
                out.push_str(&format!(
                    "<d2p1:{ENTRY}><d2p1:Key>{}</d2p1:Key><d2p1:Value>",
                    xml::escape(key)
                ));
                for member in FIELD_MEMBERS {
                    element(&mut out, member, &entry[camel(member)]);
                }
                out.push_str(&format!("</d2p1:Value></d2p1:{ENTRY}>"));
            }
            out.push_str("</CustomFields>");
        } else {
            element(&mut out, name, &value);
        }
    }
    out.push_str("</CustomerDto>");
    out
}

fn element(out: &mut String, name: &str, value: &Value) {
    match value {
        Value::Null => out.push_str(&format!(r#"<{name} i:nil="true"/>"#)),
        Value::String(text) => out.push_str(&format!("<{name}>{}</{name}>", xml::escape(text))),
        other => out.push_str(&format!("<{name}>{other}</{name}>")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_go_between_the_two_cases() {
        assert_eq!(camel("UrlPhoto"), "urlPhoto");
        let mut sorted = MEMBERS.map(|(name, _)| name);
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            MEMBERS.map(|(name, _)| name),
            "DataContract's order"
        );
    }

    const XML: &str = include_str!("../../../../tests/sources/000-customer.xml");
    const JSON: &str = include_str!("../../../../tests/sources/000-customer.json");

    /// The page's two samples give the same members, XML's as text.
    #[test]
    fn the_xml_sample_reads_as_the_json_one() {
        let (Ok(xml), Ok(json)) = (from_xml(XML.as_bytes()), from_json(JSON.as_bytes())) else {
            panic!("a sample is refused");
        };
        assert_eq!(xml.len(), MEMBERS.len());
        assert_eq!(
            xml.keys().collect::<Vec<_>>(),
            json.keys().collect::<Vec<_>>()
        );
        let as_text = |v: &Value| match v {
            Value::String(s) => Value::String(s.clone()),
            Value::Null => Value::Null,
            other => Value::String(other.to_string()),
        };
        for (name, value) in &json {
            match value {
                Value::Object(entries) => {
                    for (key, entry) in entries {
                        for (member, v) in entry.as_object().unwrap() {
                            assert_eq!(xml[name][key][member], as_text(v), "{key}.{member}");
                        }
                    }
                }
                // Gender and EmailStatus: a number in JSON, a name in XML.
                Value::Number(_) => assert!(xml[name].is_string(), "{name}"),
                value => assert_eq!(xml[name], as_text(value), "{name}"),
            }
        }
    }

    #[test]
    fn xml_outside_the_page_is_refused() {
        let refused = |xml: String| from_xml(xml.as_bytes()).is_err();
        assert!(refused(XML.replace("Domain.Dtos", "Other")));
        assert!(refused(XML.replace("<Dni>12345678Z", "<Dni><b/>")));
        assert!(refused(XML.replace("<d2p1:Key>SHOE</d2p1:Key>", "")));
        assert!(refused(
            XML.replace("<Code>SHOE</Code>", "<Colour>red</Colour>")
        ));
        assert!(refused(XML.replace(
            "<Rank>gold</Rank>",
            "<Rank>gold</Rank><Rank>x</Rank>"
        )));
    }

    #[test]
    fn the_answer_in_xml_is_what_the_reader_takes() {
        let Ok(read) = from_json(JSON.as_bytes()) else {
            panic!("the sample is refused");
        };
        let answer = read.into_iter().map(|(k, v)| (camel(&k), v)).collect();
        let Ok(back) = from_xml(to_xml(&answer).as_bytes()) else {
            panic!("the answer is refused");
        };
        assert_eq!(back["Gender"], "Female");
        assert_eq!(back["EmailStatus"], "Checked");
        assert_eq!(back["UrlPhoto"], Value::Null);
        assert_eq!(back["CustomFields"]["VISIT"]["type"], "DateTime");
        assert_eq!(back["FirstName"], "Lucía");
    }
}
