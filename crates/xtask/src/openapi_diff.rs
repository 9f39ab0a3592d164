//! The breaking changes between two versions of the OpenAPI document: what a
//! client written against the old one could trip on. `cargo xtask test`
//! prints those of `worker/openapi.json` since the last commit.
//!
//! Breaking: a route (path and method) removed; a schema or one of its
//! properties removed; a property's type narrowed (a JSON type or an enum
//! value no longer allowed, a length, item count or number range tightened, a
//! pattern added or changed); a property newly required in a request body; a
//! status a route answered with removed.

use serde_json::{Map, Value};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every breaking change from `old` to `new`, one line each.
pub fn breaking_changes(old: &Value, new: &Value) -> Vec<String> {
    let mut changes = Vec::new();
    let paths = |doc: &'_ Value| doc["paths"].as_object().cloned().unwrap_or_default();
    let (old_paths, new_paths) = (paths(old), paths(new));
    for (path, old_item) in &old_paths {
        for method in METHODS {
            let Some(old_op) = old_item.get(method) else {
                continue;
            };
            let Some(new_op) = new_paths.get(path).and_then(|item| item.get(method)) else {
                changes.push(format!("route removed: {} {path}", method.to_uppercase()));
                continue;
            };
            let statuses = |op: &Value| -> Vec<String> {
                op["responses"]
                    .as_object()
                    .map(|r| r.keys().cloned().collect())
                    .unwrap_or_default()
            };
            let kept = statuses(new_op);
            for status in statuses(old_op) {
                if !kept.contains(&status) {
                    changes.push(format!(
                        "status removed: {} {path} no longer answers {status}",
                        method.to_uppercase()
                    ));
                }
            }
        }
    }
    let schemas = |doc: &Value| doc["components"]["schemas"].as_object().cloned();
    let (old_schemas, new_schemas) = (
        schemas(old).unwrap_or_default(),
        schemas(new).unwrap_or_default(),
    );
    for (name, old_schema) in &old_schemas {
        match new_schemas.get(name) {
            None => changes.push(format!("schema removed: {name}")),
            Some(new_schema) => {
                let docs = Docs {
                    old: &old_schemas,
                    new: &new_schemas,
                };
                compare(name, old_schema, new_schema, docs, &mut changes)
            }
        }
    }
    changes
}

/// The two documents' schemas, by name.
#[derive(Clone, Copy)]
struct Docs<'a> {
    old: &'a Map<String, Value>,
    new: &'a Map<String, Value>,
}

/// A member's schema as its own: a `$ref` to a named schema followed (the
/// named schemas are compared by name), and `oneOf` a schema or `null` read
/// as that schema with `null` among its types.
fn resolve(schema: &Value, named: &Map<String, Value>) -> Value {
    if let Some(target) = schema["$ref"].as_str() {
        let name = target.trim_start_matches("#/components/schemas/");
        return named.get(name).cloned().unwrap_or(Value::Null);
    }
    if let Some(choices) = schema["oneOf"].as_array() {
        let (nulls, others): (Vec<&Value>, Vec<&Value>) =
            choices.iter().partition(|choice| choice["type"] == "null");
        if let ([_], [only]) = (nulls.as_slice(), others.as_slice()) {
            let mut resolved = resolve(only, named);
            let types = match resolved["type"].take() {
                Value::String(t) => vec![Value::String(t), "null".into()],
                Value::Array(mut ts) => {
                    ts.push("null".into());
                    ts
                }
                _ => return resolved,
            };
            resolved["type"] = Value::Array(types);
            return resolved;
        }
    }
    schema.clone()
}

/// The narrowings of one schema, and of its properties and items, recursively.
fn compare(at: &str, old: &Value, new: &Value, docs: Docs, changes: &mut Vec<String>) {
    // The same named schema on both sides is compared once, by its name.
    if old["$ref"].is_string() && old["$ref"] == new["$ref"] {
        return;
    }
    let (old, new) = (&resolve(old, docs.old), &resolve(new, docs.new));
    let empty = Map::new();
    let types = |schema: &Value| -> Option<Vec<String>> {
        match &schema["type"] {
            Value::String(t) => Some(vec![t.clone()]),
            Value::Array(ts) => Some(
                ts.iter()
                    .filter_map(|t| t.as_str().map(str::to_owned))
                    .collect(),
            ),
            _ => None,
        }
    };
    if let (Some(before), Some(after)) = (types(old), types(new)) {
        for t in before.iter().filter(|t| !after.contains(t)) {
            // An integer is still a number.
            if !(t == "integer" && after.iter().any(|a| a == "number")) {
                changes.push(format!("type narrowed: {at} no longer takes {t}"));
            }
        }
    }
    if let Some(after) = new["enum"].as_array() {
        for value in old["enum"].as_array().into_iter().flatten() {
            if !after.contains(value) {
                changes.push(format!("type narrowed: {at} no longer takes {value}"));
            }
        }
        if old["enum"].is_null() {
            changes.push(format!("type narrowed: {at} became an enum"));
        }
    }
    for (bound, tighter) in [
        ("maxLength", Tighter::Lower),
        ("maxItems", Tighter::Lower),
        ("maximum", Tighter::Lower),
        ("minLength", Tighter::Higher),
        ("minItems", Tighter::Higher),
        ("minimum", Tighter::Higher),
    ] {
        let (before, after) = (old[bound].as_f64(), new[bound].as_f64());
        let narrowed = match (before, after, tighter) {
            (None, Some(_), _) => true,
            (Some(b), Some(a), Tighter::Lower) => a < b,
            (Some(b), Some(a), Tighter::Higher) => a > b,
            _ => false,
        };
        if narrowed {
            changes.push(format!(
                "type narrowed: {at} {bound} {} -> {}",
                before.map_or("none".into(), |b| b.to_string()),
                after.map_or("none".into(), |a| a.to_string())
            ));
        }
    }
    if !new["pattern"].is_null() && new["pattern"] != old["pattern"] {
        changes.push(format!(
            "type narrowed: {at} pattern {} -> {}",
            old["pattern"], new["pattern"]
        ));
    }
    let old_required: Vec<&Value> = old["required"].as_array().into_iter().flatten().collect();
    for field in new["required"].as_array().into_iter().flatten() {
        if !old_required.contains(&field) {
            changes.push(format!(
                "newly required: {at}/{}",
                field.as_str().unwrap_or("?")
            ));
        }
    }
    let old_properties = old["properties"].as_object().unwrap_or(&empty);
    let new_properties = new["properties"].as_object().unwrap_or(&empty);
    for (name, old_property) in old_properties {
        match new_properties.get(name) {
            None => changes.push(format!("field removed: {at}/{name}")),
            Some(new_property) => compare(
                &format!("{at}/{name}"),
                old_property,
                new_property,
                docs,
                changes,
            ),
        }
    }
    if old["items"].is_object() && new["items"].is_object() {
        compare(
            &format!("{at}[]"),
            &old["items"],
            &new["items"],
            docs,
            changes,
        );
    }
}

#[derive(Clone, Copy)]
enum Tighter {
    Lower,
    Higher,
}

/// `worker/openapi.json` as of the last commit, if git and a commit are there.
pub fn committed(root: &std::path::Path) -> Option<Value> {
    let output = std::process::Command::new("git")
        .args(["show", "HEAD:worker/openapi.json"])
        .current_dir(root)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| serde_json::from_slice(&output.stdout).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::breaking_changes;
    use serde_json::json;

    fn doc() -> serde_json::Value {
        json!({
            "paths": {"/v1/customers/me": {
                "get": {"responses": {"200": {}, "401": {}}},
                "patch": {"responses": {"200": {}, "422": {}}}
            }},
            "components": {"schemas": {
                "Profile": {"type": "object", "required": ["id"], "properties": {
                    "id": {"type": "string"},
                    "first_name": {"type": ["string", "null"], "maxLength": 50},
                    "gender": {"type": "string", "enum": ["female", "male", "other"]},
                    "tags": {"type": "array", "items": {"type": "string", "maxLength": 20}}
                }},
                "Address": {"type": "object", "properties": {"city": {"type": "string"}}}
            }}
        })
    }

    #[test]
    fn a_member_moved_into_a_named_schema_is_followed_through_its_ref() {
        let old = json!({"components": {"schemas": {"Form": {"properties": {
            "sections": {"items": {"properties": {"id": {}, "label": {}}}},
            "rules": {"properties": {"age": {"type": "integer"}}}
        }}}}});
        let same = json!({"components": {"schemas": {
            "Form": {"properties": {
                "sections": {"items": {"$ref": "#/components/schemas/Section"}},
                "rules": {"oneOf": [{"$ref": "#/components/schemas/Rules"}, {"type": "null"}]}
            }},
            "Section": {"properties": {"id": {}, "label": {}}},
            "Rules": {"properties": {"age": {"type": ["integer", "null"]}}}
        }}});
        assert_eq!(breaking_changes(&old, &same), Vec::<String>::new());
        let mut narrower = same.clone();
        narrower["components"]["schemas"]["Section"]["properties"]
            .as_object_mut()
            .unwrap()
            .remove("label");
        narrower["components"]["schemas"]["Rules"]["properties"]["age"]["type"] = json!("string");
        assert_eq!(
            breaking_changes(&old, &narrower),
            [
                "type narrowed: Form/rules/age no longer takes integer",
                "field removed: Form/sections[]/label",
            ]
        );
    }

    #[test]
    fn the_same_document_or_a_wider_one_breaks_nothing() {
        assert_eq!(breaking_changes(&doc(), &doc()), Vec::<String>::new());
        let mut wider = doc();
        wider["paths"]["/v1/customers/me"]["put"] = json!({"responses": {"200": {}}});
        wider["components"]["schemas"]["Profile"]["properties"]["first_name"]["maxLength"] =
            json!(100);
        wider["components"]["schemas"]["Profile"]["properties"]["gender"]["enum"] =
            json!(["female", "male", "other", "unspecified"]);
        wider["components"]["schemas"]["Profile"]["properties"]["nickname"] =
            json!({"type": "string"});
        assert_eq!(breaking_changes(&doc(), &wider), Vec::<String>::new());
    }

    #[test]
    fn removals_and_narrowings_are_each_reported() {
        let mut new = doc();
        let me = &mut new["paths"]["/v1/customers/me"];
        me.as_object_mut().unwrap().remove("patch");
        me["get"]["responses"]
            .as_object_mut()
            .unwrap()
            .remove("401");
        let profile = &mut new["components"]["schemas"]["Profile"];
        profile["required"] = json!(["id", "first_name"]);
        let properties = profile["properties"].as_object_mut().unwrap();
        properties["first_name"] = json!({"type": "string", "maxLength": 40});
        properties["gender"]["enum"] = json!(["female", "male"]);
        properties["tags"]["items"]["pattern"] = json!("^[a-z]+$");
        properties.remove("id");
        new["components"]["schemas"]
            .as_object_mut()
            .unwrap()
            .remove("Address");
        assert_eq!(
            breaking_changes(&doc(), &new),
            [
                "status removed: GET /v1/customers/me no longer answers 401",
                "route removed: PATCH /v1/customers/me",
                "schema removed: Address",
                "newly required: Profile/first_name",
                "type narrowed: Profile/first_name no longer takes null",
                "type narrowed: Profile/first_name maxLength 50 -> 40",
                "type narrowed: Profile/gender no longer takes \"other\"",
                "field removed: Profile/id",
                "type narrowed: Profile/tags[] pattern null -> \"^[a-z]+$\"",
            ]
        );
    }
}
