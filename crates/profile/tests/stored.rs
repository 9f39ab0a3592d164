//! Profiles as earlier releases stored them in the customer's Durable Object
//! (`tests/stored/<release>.json`, one file per release, never edited) must
//! keep loading: every later release reads them, and loses none of their values.

use profile::Profile;
use serde_json::Value;

/// Every JSON Pointer of a leaf value in `value`, with the value.
fn leaves(value: &Value, at: String, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(members) if !members.is_empty() => {
            for (key, member) in members {
                leaves(member, format!("{at}/{key}"), out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, item) in items.iter().enumerate() {
                leaves(item, format!("{at}/{i}"), out);
            }
        }
        leaf => out.push((at, leaf.clone())),
    }
}

#[test]
fn profiles_stored_by_earlier_releases_still_load_with_every_value() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/stored");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    for file in files {
        let fixture: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        for stored in fixture["profiles"].as_array().unwrap() {
            // As the Durable Object reads its row: from the stored text.
            let profile: Profile = serde_json::from_str(&stored.to_string())
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let now = serde_json::to_value(&profile).unwrap();
            let mut kept = Vec::new();
            leaves(stored, String::new(), &mut kept);
            for (pointer, value) in kept {
                assert_eq!(
                    now.pointer(&pointer),
                    Some(&value),
                    "{}: {pointer} of profile {}",
                    file.display(),
                    stored["id"]
                );
            }
        }
    }
}
