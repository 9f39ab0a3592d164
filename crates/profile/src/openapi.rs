//! The OpenAPI schemas of the wire types, derived by utoipa from the same
//! structs serde and the widget read (feature `openapi`, which only `cargo
//! xtask codegen` turns on), with each profile field's `readOnly` from its
//! access class ([`crate::access::FIELDS`]). The document's paths come from
//! the route table ([`crate::api`]); the xtask writes both into
//! `worker/openapi.json`.

use crate::FieldError;
use crate::access::{Access, FIELDS, consent_part_access};
use crate::model::Profile;
use crate::schema::FormSchema;
use crate::tenant::TenantRules;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;

const REF: &str = "#/components/schemas/";

fn add<T: ToSchema>(all: &mut Vec<(String, RefOr<Schema>)>) {
    all.push((T::name().into_owned(), T::schema()));
    T::schemas(all);
}

/// Every schema of the wire types, by name, as JSON.
pub fn schemas() -> Map<String, Value> {
    let mut all = Vec::new();
    add::<Profile>(&mut all);
    add::<TenantRules>(&mut all);
    add::<FormSchema>(&mut all);
    add::<FieldError>(&mut all);
    add::<crate::keys::KeyRequest>(&mut all);
    add::<crate::keys::IssuedKey>(&mut all);
    add::<crate::keys::KeyList>(&mut all);
    add::<crate::keys::AuditPage>(&mut all);
    add::<crate::listing::CustomerPage>(&mut all);
    add::<crate::listing::Search>(&mut all);
    add::<crate::listing::Found>(&mut all);
    add::<crate::imports::ImportStarted>(&mut all);
    add::<crate::imports::ImportStatus>(&mut all);
    add::<crate::rights::Privacy>(&mut all);
    add::<crate::rights::HistoryPage>(&mut all);
    add::<crate::rights::ConsentRecord>(&mut all);
    add::<crate::rights::Export>(&mut all);
    add::<crate::webhooks::WebhookSettings>(&mut all);
    add::<crate::webhooks::WebhookRequest>(&mut all);
    add::<crate::webhooks::WebhookChange>(&mut all);
    add::<crate::webhooks::WebhookList>(&mut all);
    add::<crate::webhooks::CreatedWebhook>(&mut all);
    add::<crate::webhooks::RotateSecret>(&mut all);
    add::<crate::webhooks::RotatedSecret>(&mut all);
    add::<crate::webhooks::DeliveryPage>(&mut all);
    add::<crate::webhooks::DeadLetterPage>(&mut all);
    add::<crate::webhooks::Replay>(&mut all);
    add::<crate::webhooks::TestDelivery>(&mut all);
    add::<crate::events::Event>(&mut all);
    add::<crate::verification::EmailCode>(&mut all);
    add::<crate::verification::CodeSent>(&mut all);
    add::<crate::verification::VerificationSettings>(&mut all);
    add::<crate::sources::Adapters>(&mut all);
    let mut schemas: Map<String, Value> = all
        .into_iter()
        .map(|(name, schema)| {
            let mut json = serde_json::to_value(schema).expect("a schema serializes");
            tidy(&mut json);
            // `Translations` is an alias of `BTreeMap<String, String>`, which
            // utoipa names by the map's type.
            (name.replace("BTreeMap", "Translations"), json)
        })
        .collect();
    let by_name = schemas.clone();
    for schema in schemas.values_mut() {
        flatten(schema, &by_name);
    }
    // An event's `data` is one of its variants; the empty one is `{}` only,
    // or every other variant would match it too and `oneOf` could never hold.
    if let Some(Value::Array(variants)) = schemas.get_mut("Data").map(|d| &mut d["oneOf"]) {
        for variant in variants
            .iter_mut()
            .filter(|v| v.get("properties").is_none())
        {
            variant["maxProperties"] = Value::from(0);
        }
    }
    for (name, property) in properties(&mut schemas, "Profile") {
        let access = FIELDS.iter().find(|f| f.name == name).map(|f| f.access);
        if access != Some(Access::CustomerEditable) {
            property["readOnly"] = json!(true);
        }
    }
    for (name, property) in properties(&mut schemas, "Consent") {
        if consent_part_access(&name) != Some(Access::CustomerEditable) {
            property["readOnly"] = json!(true);
        }
    }
    schemas
}

fn properties<'a>(
    schemas: &'a mut Map<String, Value>,
    name: &str,
) -> impl Iterator<Item = (String, &'a mut Value)> {
    schemas[name]["properties"]
        .as_object_mut()
        .into_iter()
        .flat_map(|all| all.iter_mut().map(|(key, value)| (key.clone(), value)))
}

/// Drops each `default` (utoipa takes them from `Default`, which is not what
/// a missing member reads as: serde's `#[serde(default = ...)]` may differ)
/// and renames the references to `Translations`.
fn tidy(value: &mut Value) {
    match value {
        Value::Object(members) => {
            members.remove("default");
            if let Some(Value::String(target)) = members.get_mut("$ref") {
                *target = target.replace("BTreeMap", "Translations");
            }
            for (key, member) in members.iter_mut() {
                match (key.as_str(), member) {
                    // Members named by the wire (one is called `default`).
                    ("properties", Value::Object(named)) => named.values_mut().for_each(tidy),
                    (_, member) => tidy(member),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}

/// A `#[serde(flatten)]` member comes out of utoipa as `allOf` of the two
/// objects; with `additionalProperties: false` on the part that no value
/// could pass. It is written as the one object it is on the wire.
fn flatten(schema: &mut Value, by_name: &Map<String, Value>) {
    let Some(parts) = schema.get("allOf").and_then(Value::as_array).cloned() else {
        return;
    };
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut closed = false;
    for part in parts {
        let part = match part["$ref"].as_str() {
            Some(target) => by_name[target.trim_start_matches(REF)].clone(),
            None => part,
        };
        if let Some(members) = part["properties"].as_object() {
            properties.extend(members.clone());
        }
        if let Some(names) = part["required"].as_array() {
            required.extend(names.iter().cloned());
        }
        closed |= part["additionalProperties"] == json!(false);
    }
    let members = schema
        .as_object_mut()
        .expect("a schema with allOf is an object");
    members.remove("allOf");
    members.insert("type".into(), json!("object"));
    members.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        members.insert("required".into(), Value::Array(required));
    }
    if closed {
        members.insert("additionalProperties".into(), json!(false));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schemas_follow_the_types_and_the_access_classes() {
        let schemas = schemas();
        let profile = &schemas["Profile"];
        let names: Vec<&str> = profile["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut keys = Profile::KEYS.to_vec();
        keys.sort_unstable();
        assert_eq!(names, keys);
        assert_eq!(profile["additionalProperties"], false);
        assert_eq!(profile["properties"]["id"]["readOnly"], true);
        assert_eq!(profile["properties"]["loyalty"]["readOnly"], true);
        assert!(
            profile["properties"]["first_name"]
                .get("readOnly")
                .is_none()
        );
        assert_eq!(schemas["Consent"]["properties"]["at"]["readOnly"], true);
        let delivery = &schemas["DeliveryAddress"];
        assert!(delivery["properties"]["id"].is_object());
        assert!(delivery["properties"]["city"].is_object());
        assert_eq!(delivery["additionalProperties"], false);
        let empty = schemas["Data"]["oneOf"].as_array().unwrap().iter();
        let empty: Vec<&Value> = empty.filter(|v| v["maxProperties"] == 0).collect();
        assert_eq!(
            empty.len(),
            1,
            "only the empty variant of an event's data is empty"
        );
        let codes = schemas["Code"]["enum"].as_array().unwrap().len();
        assert_eq!(codes, crate::Code::ALL.len());
        assert!(schemas.contains_key("Translations"));
        assert!(
            !serde_json::to_string(&schemas)
                .unwrap()
                .contains("BTreeMap")
        );
        let custom = &schemas["CustomFieldDef"]["properties"];
        assert!(
            custom["default"].is_object(),
            "a member called `default` stays"
        );
        assert!(custom["required"].get("default").is_none());
    }
}
