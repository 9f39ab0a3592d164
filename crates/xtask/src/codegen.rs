//! `cargo xtask codegen [--check]`: writes what `worker/openapi.json` takes
//! from the code. From the route table (`profile::api::ROUTES`): the set of
//! paths and methods, each operation's `operationId`, who may call it
//! (`security`), the media types of its body and the statuses it answers with.
//! From the library's types (`profile::openapi::schemas`, utoipa's derive):
//! the schema of every wire type, its members, their types, what is required,
//! the enums (the error codes among them) and which members are read-only.
//!
//! What the code cannot say stays as written in the file and is kept: the
//! prose (summaries, descriptions), examples, and the members' limits
//! (`maxLength`, `pattern`, `format`...; end-to-end tests compare those with
//! the rules), and the Worker's own schemas (`Problem`, `TenantConfig`).
//! The file is written with its keys in order. `--check` (run by `cargo xtask
//! test`) fails when the file is not what codegen would write.

use crate::{Result, root};
use profile::api::{Caller, ROUTES, Route};
use serde::Serialize;
use serde_json::{Map, Value, json};

pub fn run(args: &[String]) -> Result<()> {
    let check = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => return Err("usage: cargo xtask codegen [--check]".into()),
    };
    let path = root().join("worker/openapi.json");
    let text =
        std::fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let document: Value =
        serde_json::from_str(&text).map_err(|e| format!("worker/openapi.json: {e}"))?;
    let generated = pretty(&generate(document));
    if generated == text {
        println!("    worker/openapi.json is up to date");
        return Ok(());
    }
    if check {
        return Err(
            "worker/openapi.json is stale: run `cargo xtask codegen` and commit the file".into(),
        );
    }
    std::fs::write(&path, &generated).map_err(|e| format!("writing {}: {e}", path.display()))?;
    println!("    wrote worker/openapi.json");
    if let Some(before) = crate::openapi_diff::committed(&root()) {
        let now: Value = serde_json::from_str(&generated).expect("codegen writes JSON");
        for change in crate::openapi_diff::breaking_changes(&before, &now) {
            println!("    breaking since the last commit: {change}");
        }
    }
    Ok(())
}

/// One space of indent per level, a newline at the end.
fn pretty(value: &Value) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b" ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    value
        .serialize(&mut serializer)
        .expect("a JSON value serializes");
    String::from_utf8(out).expect("serde_json writes UTF-8") + "\n"
}

/// The document with everything the code decides written from the code.
pub fn generate(mut document: Value) -> Value {
    let old_paths = document["paths"].as_object().cloned().unwrap_or_default();
    let mut paths = Map::new();
    for route in ROUTES.iter().filter(|r| r.caller != Caller::Dev) {
        let old_item = old_paths.get(route.path);
        let item = paths.entry(route.path).or_insert_with(|| {
            // A path's own members (its `parameters`) are kept.
            let mut item = old_item.cloned().unwrap_or_else(|| json!({}));
            if let Some(members) = item.as_object_mut() {
                members.retain(|key, _| !is_method(key));
            }
            item["parameters"] = parameters(route, &item["parameters"]);
            item
        });
        let method = route.method.to_ascii_lowercase();
        let old = old_item.and_then(|item| item.get(&method)).cloned();
        item[method.as_str()] = operation(route, old);
    }
    document["paths"] = Value::Object(paths);
    let old_schemas = document["components"]["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (name, schema) in profile::openapi::schemas() {
        let merged = annotated(schema, old_schemas.get(&name));
        document["components"]["schemas"][name.as_str()] = merged;
    }
    document
}

/// What a schema may say that the types do not: kept from the file.
const WRITTEN: [&str; 13] = [
    "title",
    "description",
    "example",
    "examples",
    "default",
    "format",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
];

/// A generated schema with what the file's copy of it wrote beyond the
/// types, for itself and for each of its members that is still there.
fn annotated(mut schema: Value, written: Option<&Value>) -> Value {
    let Some(written) = written else {
        return schema;
    };
    if let (Some(members), Some(old)) = (schema.as_object_mut(), written.as_object()) {
        for key in WRITTEN {
            if let Some(value) = old.get(key) {
                members.insert(key.to_owned(), value.clone());
            }
        }
    }
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, property) in properties.iter_mut() {
            let old = written["properties"].get(name);
            *property = annotated(property.take(), old);
        }
    }
    schema
}

/// The path's parameters, one per `{name}` segment, as the file describes
/// them if it does, and the query parameters the file describes.
fn parameters(route: &Route, written: &Value) -> Value {
    let written = written.as_array().cloned().unwrap_or_default();
    let query = written.iter().filter(|p| p["in"] == "query").cloned();
    let all = route.parameters().map(|name| {
        written
            .iter()
            .find(|p| p["name"] == name && p["in"] == "path")
            .cloned()
            .unwrap_or_else(|| {
                json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}})
            })
    });
    Value::Array(all.chain(query).collect())
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn is_method(key: &str) -> bool {
    matches!(
        key,
        "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace"
    )
}

/// One operation: what the table says, over what the file says of it.
fn operation(route: &Route, old: Option<Value>) -> Value {
    let mut op = old.unwrap_or_else(|| json!({"summary": route.operation.as_str()}));
    op["operationId"] = json!(route.operation.as_str());
    let members = op.as_object_mut().expect("an operation is an object");
    let security: Vec<Value> = route
        .caller
        .security()
        .into_iter()
        .map(|(scheme, role)| {
            let roles: Vec<&str> = role.iter().map(|scope| scope.as_str()).collect();
            json!({ scheme: roles })
        })
        .collect();
    if security.is_empty() {
        members.remove("security");
    } else {
        members.insert("security".into(), Value::Array(security));
    }
    if route.accepts.is_empty() {
        members.remove("requestBody");
    } else {
        let old_content = members
            .get("requestBody")
            .and_then(|body| body["content"].as_object())
            .cloned()
            .unwrap_or_default();
        // A new media type takes the schema of the ones already written.
        let schema = old_content
            .values()
            .next()
            .cloned()
            .unwrap_or_else(|| json!({}));
        let mut content = Map::new();
        for media_type in route.accepts {
            let mut entry = old_content
                .get(*media_type)
                .cloned()
                .unwrap_or_else(|| schema.clone());
            if let Some(name) = route.takes {
                entry["schema"] = schema_ref(name);
            }
            content.insert((*media_type).to_owned(), entry);
        }
        let body = members
            .entry("requestBody")
            .or_insert_with(|| json!({"required": true}));
        body["content"] = Value::Object(content);
    }
    let old_responses = members
        .get("responses")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut responses = Map::new();
    for status in route.statuses {
        let key = status.to_string();
        let entry = old_responses.get(&key).cloned().unwrap_or_else(|| {
            if *status >= 400 {
                json!({"$ref": "#/components/responses/Problem"})
            } else {
                json!({"description": "Success"})
            }
        });
        responses.insert(key, entry);
    }
    if let Some(name) = route.answers {
        let success = &mut responses[&route.statuses[0].to_string()];
        success["content"]["application/json"]["schema"] = schema_ref(name);
    }
    members.insert("responses".into(), Value::Object(responses));
    headers(route, members);
    op
}

/// The header parameters the table decides (`components/parameters`):
/// `Idempotency-Key` on every write, `X-Profile-Source` and
/// `X-Profile-Point-Of-Sale` where changes are recorded; the others the
/// file writes are kept.
fn headers(route: &Route, members: &mut Map<String, Value>) {
    let decided = [
        ("IdempotencyKey", route.takes_idempotency_key()),
        ("ProfileSource", route.records),
        ("PointOfSale", route.records),
    ];
    let mut parameters: Vec<Value> = members
        .get("parameters")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    parameters.retain(|p| {
        !decided
            .iter()
            .any(|(name, _)| p["$ref"] == format!("#/components/parameters/{name}"))
    });
    for (name, wanted) in decided {
        if wanted {
            parameters.push(json!({"$ref": format!("#/components/parameters/{name}")}));
        }
    }
    if parameters.is_empty() {
        members.remove("parameters");
    } else {
        members.insert("parameters".into(), Value::Array(parameters));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use profile::Code;

    #[test]
    fn a_route_of_the_table_is_written_into_a_document_that_lacks_it() {
        let document = json!({"paths": {"/old": {"get": {"summary": "gone"}}}, "components": {"schemas": {"FieldError": {}}}});
        let generated = generate(document);
        let paths = generated["paths"].as_object().unwrap();
        assert!(
            !paths.contains_key("/old"),
            "a route the table lacks is dropped"
        );
        let put = &generated["paths"]["/v1/tenants/{tenant}"]["put"];
        assert_eq!(put["operationId"], "putTenant");
        assert_eq!(put["security"], json!([{"operator": []}]));
        assert!(put["requestBody"]["content"]["application/json"].is_object());
        assert_eq!(
            put["responses"]["422"]["$ref"],
            "#/components/responses/Problem"
        );
        assert!(
            generated["paths"]["/dev/token"].is_null(),
            "development routes are not documented"
        );
        let codes = generated["components"]["schemas"]["Code"]["enum"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(codes, Code::ALL.len());
        let profile = &generated["components"]["schemas"]["Profile"]["properties"];
        assert_eq!(profile["id"]["readOnly"], true, "from the access classes");
    }

    #[test]
    fn what_the_file_writes_beyond_the_types_is_kept_for_members_still_there() {
        let document = json!({"paths": {}, "components": {"schemas": {
            "Address": {"description": "A postal address", "properties": {
                "city": {"type": "integer", "maxLength": 100, "description": "The town"},
                "gone": {"type": "string"}
            }},
            "Problem": {"type": "object"}
        }}});
        let generated = generate(document);
        let schemas = &generated["components"]["schemas"];
        assert_eq!(schemas["Address"]["description"], "A postal address");
        let city = &schemas["Address"]["properties"]["city"];
        assert_eq!(city["maxLength"], 100);
        assert_eq!(city["description"], "The town");
        assert_eq!(
            city["type"],
            json!(["string", "null"]),
            "the type is the code's"
        );
        assert!(schemas["Address"]["properties"]["gone"].is_null());
        assert_eq!(schemas["Problem"], json!({"type": "object"}));
    }

    #[test]
    fn every_body_and_answer_the_table_names_has_its_schema() {
        let document = std::fs::read_to_string(crate::root().join("worker/openapi.json")).unwrap();
        let generated = generate(serde_json::from_str(&document).unwrap());
        let schemas = &generated["components"]["schemas"];
        for route in ROUTES.iter() {
            for name in route.takes.into_iter().chain(route.answers) {
                assert!(
                    schemas[name].is_object(),
                    "{:?}: no schema {name}",
                    route.operation
                );
            }
        }
        let issue = &generated["paths"]["/v1/tenants/{tenant}/keys"]["post"];
        assert_eq!(
            issue["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/KeyRequest"
        );
        assert_eq!(
            issue["responses"]["201"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/IssuedKey"
        );
    }

    #[test]
    fn what_the_file_says_beyond_the_table_is_kept() {
        let document = json!({"paths": {"/v1/customers/me": {
            "get": {"summary": "The profile", "security": [{"customer": []}], "responses": {
                "200": {"description": "The profile", "content": {"application/json": {}}},
                "500": {"description": "not in the table"}
            }}
        }}});
        let generated = generate(document);
        let get = &generated["paths"]["/v1/customers/me"]["get"];
        assert_eq!(get["summary"], "The profile");
        assert_eq!(get["responses"]["200"]["description"], "The profile");
        assert!(
            get["responses"]["500"].is_null(),
            "statuses come from the table"
        );
        assert!(get["responses"]["304"].is_object());
    }
}
