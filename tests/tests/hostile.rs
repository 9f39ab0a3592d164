//! Hostile input, case by case from the files in `tests/hostile/`: each case
//! states its request and what must come of it, refused with a status and a
//! code, or accepted and stored as stated. For every case: no 5xx, and
//! nothing changes that the case did not mean to change (the whole `GET`
//! body and the `ETag` compare equal, but for what it names).

use base64::Engine;
use e2e::{Caps, base_url, demo_token, dev_var, http, read_profile, unique_customer};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// Cases run at once; the server is one local workerd.
const AT_ONCE: usize = 8;

#[derive(Deserialize)]
#[allow(dead_code)] // `about` documents the file.
struct CaseFile {
    category: String,
    about: String,
    cases: Vec<Case>,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// `patch` (the customer's PATCH), `put` (the customer's PUT),
    /// `tenant` (the operator's PUT of a new tenant), or a source API's
    /// route as the customer calls it: `client_update` (002, whose code is
    /// its `ErrorCode`), `utility` (004), `extranet` (000, the customer's own)
    /// or `booking` (001, JSV unless said, on the customer's profile id); or
    /// `storm` (003, as the demo tenant's backend with an admin key; the
    /// customer's id stands where `{customer}` is in the body, and the
    /// code is the answer's `Key`).
    #[serde(default = "patch")]
    route: String,
    /// The media type sent; the route's own when absent, none when `null`.
    #[serde(default, deserialize_with = "present")]
    content_type: Option<Option<String>>,
    /// The body as JSON text, as raw bytes (base64), or as JSON text with
    /// `fill` characters where `{fill}` stands.
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    body_base64: Option<String>,
    #[serde(default)]
    fill: Option<Fill>,
    /// Patched first (and required to succeed), so the case starts from it.
    #[serde(default)]
    before: Option<Value>,
    expect: Expect,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fill {
    text: String,
    times: usize,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    status: u16,
    /// The problem's type (`malformed-body`...) for a refusal without field
    /// errors; else the first field error's code.
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    pointer: Option<String>,
    /// For an accepted write: the stored values by JSON Pointer (`null`: absent).
    #[serde(default)]
    stored: BTreeMap<String, Value>,
}

fn patch() -> String {
    "patch".into()
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// What one case found: `None` when it went as stated.
struct Outcome {
    category: String,
    route: String,
    server_error: bool,
    unintended_change: bool,
    wrong: Option<String>,
}

fn body_bytes(case: &Case) -> Vec<u8> {
    if let Some(encoded) = &case.body_base64 {
        return base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .expect("body_base64 is base64");
    }
    let text = case.body.clone().unwrap_or_default();
    match &case.fill {
        Some(fill) => text.replace("{fill}", &fill.text.repeat(fill.times)),
        None => text,
    }
    .into_bytes()
}

/// Removes what the case names, and what any accepted write changes by
/// itself: the version, when, and a named consent's stamps (when, where).
fn without_stamps(mut profile: Value, named: &BTreeMap<String, Value>) -> Value {
    for pointer in named
        .keys()
        .map(String::as_str)
        .chain(["/version", "/updated"])
    {
        let segments: Vec<&str> = pointer.splitn(4, '/').collect();
        match segments.as_slice() {
            ["", "consents", purpose, ..] => remove(&mut profile, &format!("/consents/{purpose}")),
            _ => remove(&mut profile, pointer),
        }
    }
    profile
}

fn remove(value: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return;
    };
    if let Some(Value::Object(members)) = value.pointer_mut(parent) {
        members.remove(&last.replace("~1", "/").replace("~0", "~"));
    }
}

async fn run(case: Case, category: String) -> Outcome {
    let mut outcome = Outcome {
        category,
        route: case.route.clone(),
        server_error: false,
        unintended_change: false,
        wrong: None,
    };
    let operator = dev_var("OPERATOR_KEY").unwrap();
    // The source APIs name customers by integers.
    let source_route = matches!(
        case.route.as_str(),
        "client_update" | "utility" | "extranet"
    );
    let customer = match source_route {
        // Nine, then the nanoseconds' last 14 digits: never a leading zero.
        true => {
            let digits: String = unique_customer("")
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            format!("9{}", &digits[digits.len() - 14..])
        }
        false => unique_customer("hostile"),
    };
    let token = demo_token(&customer);
    let tenant_id = unique_customer("hostile").to_ascii_lowercase();
    let tenant_id: String = tenant_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    if let Some(before) = &case.before {
        let (_, etag) = read_profile(&token).await;
        let response = http()
            .patch(format!("{}/v1/customers/me", base_url()))
            .bearer_auth(&token)
            .header("Content-Type", "application/merge-patch+json")
            .header("If-Match", etag)
            .body(before.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{}: its `before` patch",
            case.name
        );
    }
    let profile_id = match case.route.as_str() {
        "booking" => read_profile(&token).await.0["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        _ => String::new(),
    };
    let (method, url, default_type) = match case.route.as_str() {
        "patch" => (
            Method::PATCH,
            format!("{}/v1/customers/me", base_url()),
            "application/merge-patch+json",
        ),
        "put" => (
            Method::PUT,
            format!("{}/v1/customers/me", base_url()),
            "application/json",
        ),
        "tenant" => (
            Method::PUT,
            format!("{}/v1/tenants/{tenant_id}", base_url()),
            "application/json",
        ),
        "client_update" => (
            Method::POST,
            format!("{}/api/client/ClientUpdate", base_url()),
            "application/xml",
        ),
        "utility" => (
            Method::PATCH,
            format!("{}/api/customers/{customer}", base_url()),
            "application/json",
        ),
        "extranet" => (
            Method::PUT,
            format!("{}/api/v1/extranet/customers/me", base_url()),
            "application/xml",
        ),
        "booking" => (
            Method::PUT,
            format!("{}/customers/{profile_id}", base_url()),
            "text/jsv",
        ),
        "storm" => (
            Method::POST,
            format!(
                "{}/CustomerService.svc/rest/UpdateCustomer?updatedBy=1",
                base_url()
            ),
            "application/json",
        ),
        other => panic!("{}: unknown route {other}", case.name),
    };
    let customer_route = case.route != "tenant";
    let before = if customer_route {
        Some(read_profile(&token).await)
    } else {
        None
    };
    let mut request = http().request(method, &url);
    request = if case.route == "storm" {
        let (key, _) = e2e::admin::key("demo", &["customers:write"]).await;
        request.bearer_auth(key)
    } else if source_route {
        request.bearer_auth(&token)
    } else if customer_route {
        request
            .bearer_auth(&token)
            .header("If-Match", &before.as_ref().unwrap().1)
    } else {
        request.bearer_auth(&operator)
    };
    let content_type = match &case.content_type {
        None => Some(default_type.to_owned()),
        Some(given) => given.clone(),
    };
    if let Some(content_type) = content_type {
        request = request.header("Content-Type", content_type);
    }
    let body = match String::from_utf8(body_bytes(&case)) {
        Ok(text) => text.replace("{customer}", &customer).into_bytes(),
        Err(not_text) => not_text.into_bytes(),
    };
    let response = request.body(body).send().await.unwrap();
    let status = response.status().as_u16();
    outcome.server_error = status >= 500;
    let text = response.text().await.unwrap_or_default();
    let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    // 002 answers `{ErrorCode, Message}`, in XML to XML.
    let error_code = match (&answer["ErrorCode"], &answer["Key"]) {
        (Value::Number(code), _) => Some(code.to_string()),
        // 003 answers `{Key, Message, Errors}`.
        (_, Value::String(key)) => Some(key.clone()),
        _ => text
            .split_once("<ErrorCode>")
            .and_then(|(_, rest)| rest.split_once("</ErrorCode>"))
            .map(|(code, _)| code.to_owned()),
    };
    let mut wrong = Vec::new();
    if status != case.expect.status {
        wrong.push(format!("status {status}, not {}", case.expect.status));
    }
    let (code, pointer) = match (answer["errors"].get(0), &error_code) {
        (_, Some(code)) => (Some(code.as_str()), None),
        (Some(first), None) => (first["code"].as_str(), first["pointer"].as_str()),
        (None, None) => (
            answer["type"].as_str().and_then(|t| t.rsplit(':').next()),
            None,
        ),
    };
    if let Some(expected) = &case.expect.code
        && code != Some(expected.as_str())
    {
        wrong.push(format!("code {code:?}, not {expected}"));
    }
    if let Some(expected) = &case.expect.pointer
        && pointer != Some(expected.as_str())
    {
        wrong.push(format!("pointer {pointer:?}, not {expected}"));
    }
    if let Some((before, etag)) = before {
        let after = read_profile(&token).await;
        if status >= 300 {
            outcome.unintended_change = after != (before, etag);
        } else {
            for (pointer, value) in &case.expect.stored {
                let stored = after.0.pointer(pointer).unwrap_or(&Value::Null);
                if stored != value {
                    wrong.push(format!("{pointer} stored as {stored}, not {value}"));
                }
            }
            outcome.unintended_change = without_stamps(before, &case.expect.stored)
                != without_stamps(after.0, &case.expect.stored);
        }
    } else if status >= 300 {
        // A refused tenant was not created.
        let created = http()
            .get(&url)
            .bearer_auth(&operator)
            .send()
            .await
            .unwrap()
            .status();
        outcome.unintended_change = created != StatusCode::NOT_FOUND;
    }
    if outcome.unintended_change {
        wrong.push("it changed what it did not mean to".into());
    }
    if !wrong.is_empty() {
        outcome.wrong = Some(format!("{}: {} ({text})", case.name, wrong.join("; ")));
    }
    outcome
}

fn tally(counts: &BTreeMap<String, usize>) -> String {
    counts
        .iter()
        .map(|(name, n)| format!("{name} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

const CAPS: Caps = Caps {
    suite: "hostile input",
    cases: 1000,
    time: Duration::from_secs(180),
};

#[tokio::test]
async fn every_hostile_case_is_refused_or_stored_as_it_states() {
    CAPS.run(all_cases()).await;
}

async fn all_cases() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("hostile");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let parsed: CaseFile =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        cases.extend(
            parsed
                .cases
                .into_iter()
                .map(|c| (c, parsed.category.clone())),
        );
    }
    let total = cases.len();
    let limit = Arc::new(tokio::sync::Semaphore::new(AT_ONCE));
    let handles: Vec<_> = cases
        .into_iter()
        .map(|(case, category)| {
            let limit = limit.clone();
            tokio::spawn(async move {
                let _turn = limit.acquire().await.unwrap();
                run(case, category).await
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for handle in handles {
        outcomes.push(handle.await.unwrap());
    }
    let mut per_category = BTreeMap::new();
    let mut per_route = BTreeMap::new();
    for outcome in &outcomes {
        *per_category.entry(outcome.category.clone()).or_insert(0) += 1;
        *per_route.entry(outcome.route.clone()).or_insert(0) += 1;
    }
    let wrong: Vec<&String> = outcomes.iter().filter_map(|o| o.wrong.as_ref()).collect();
    let server_errors = outcomes.iter().filter(|o| o.server_error).count();
    let changes = outcomes.iter().filter(|o| o.unintended_change).count();
    println!(
        "hostile input: {total} cases ({}; routes: {}), {} as expected, {server_errors} server errors, {changes} unintended changes ({})",
        tally(&per_category),
        tally(&per_route),
        total - wrong.len(),
        CAPS.within(total),
    );
    for line in &wrong {
        println!("    not as stated: {line}");
    }
    assert!(total >= 300, "only {total} cases");
    assert!(
        wrong.is_empty(),
        "{} of {total} cases were not as stated",
        wrong.len()
    );
}
