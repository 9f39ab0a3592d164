//! Every status the route table documents for the operator's and the
//! programme's routes, each provoked by a request a backend could send: a
//! status in the table that no request here provokes, or one that a request
//! answers but the table lacks, fails the test.

use e2e::admin::*;
use e2e::{base_url, http, now, put_tenant, read_profile, sign};
use profile::api::{Caller, Operation, ROUTES};
use reqwest::Method;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

const PNG: &[u8] = include_bytes!("../fixtures/meta.png");

#[path = "admin_statuses/webhooks.rs"]
mod webhooks;

/// One request and the status it must get.
struct Try {
    operation: Operation,
    method: Method,
    path: String,
    key: Option<String>,
    headers: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    expect: u16,
}

fn tried(operation: Operation, path: &str, key: Option<&str>, expect: u16) -> Try {
    let route = ROUTES.iter().find(|r| r.operation == operation).unwrap();
    Try {
        operation,
        method: Method::from_bytes(route.method.as_bytes()).unwrap(),
        path: path.to_owned(),
        key: key.map(str::to_owned),
        headers: Vec::new(),
        body: None,
        expect,
    }
}

impl Try {
    fn header(mut self, name: &'static str, value: &str) -> Try {
        self.headers.push((name, value.to_owned()));
        self
    }

    fn body(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Try {
        self.headers.push(("Content-Type", content_type.to_owned()));
        self.body = Some(body.into());
        self
    }

    fn json(self, body: serde_json::Value) -> Try {
        self.body("application/json", body.to_string())
    }
}

async fn etag_of(key: &str, id: &str) -> String {
    let read = get_customer(key, id).await;
    read.headers()["etag"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_operator_and_admin_route_answers_each_status_of_the_table() {
    use Operation::*;
    // A tenant of this run: the test creates its customers anew each time.
    let tenant_id = format!("admin-statuses-{}", now());
    let t = tenant_id.as_str();
    // Few writes a minute, so that one customer's 429 is quick to provoke.
    let tenant_config = json!({"name": t, "token_keys": [{"kid": "dev", "alg": "HS256", "secret": SECRET}],
        "privacy": {"writes_per_minute": 12}});
    put_tenant(t, &tenant_config).await;
    tenant("admin-statuses-b").await;
    let all = [
        "customers:read",
        "customers:write",
        "customers:erase",
        "rules:write",
    ];
    let (full, _) = key(t, &all).await;
    let (rules_only, _) = key(t, &["rules:write"]).await;
    let (read_only, _) = key(t, &["customers:read"]).await;
    let (other, _) = key("admin-statuses-b", &all).await;
    let (revocable, revocable_id) = key(t, &["customers:read"]).await;
    drop(revocable);
    let operator = operator_key();
    let run = now();
    for (id, email) in [
        ("s-1", format!("s1-{run}@example.com")),
        ("s-2", format!("s2-{run}@example.com")),
    ] {
        let token = sign(
            // Proven by the programme: only a proven holder makes another's claim a 409.
            &json!({"iss": t, "sub": id, "aud": "customer-profile", "iat": now(), "exp": now() + 600,
                    "email": email, "email_verified": true}),
            SECRET,
        );
        read_profile(&token).await;
    }
    for id in ["s-put", "s-erase", "s-busy", "s-photo"] {
        read_profile(&customer_token(t, id)).await;
    }
    let s2_email = format!("s2-{run}@example.com");
    let started: serde_json::Value = http()
        .post(format!("{}/v1/customers/import", base_url()))
        .bearer_auth(&full)
        .header("Content-Type", "application/x-ndjson")
        .body(json!({"external_id": "s-import"}).to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let import_id = started["id"].as_str().unwrap().to_owned();
    let big = "x".repeat(70 * 1024);
    let huge = "\n".repeat(4 * 1024 * 1024 + 1);
    let keys = format!("/v1/tenants/{t}/keys");
    let photo = "/v1/customers/s-photo/photo";
    let audit = format!("/v1/tenants/{t}/audit");
    let rules = format!("/v1/tenants/{t}/rules");
    let (k, op, ro, rw, ot) = (
        Some(full.as_str()),
        Some(operator.as_str()),
        Some(read_only.as_str()),
        Some(rules_only.as_str()),
        Some(other.as_str()),
    );
    let e1 = etag_of(&full, "s-1").await;
    let ebusy = etag_of(&full, "s-busy").await;
    // s-busy takes the minute's writes, so that the next is refused.
    for i in 0..12 {
        let name = if i % 2 == 0 { "Ann" } else { "Bo" };
        let etag = etag_of(&full, "s-busy").await;
        let written = patch_customer(&full, "s-busy", &etag, json!({"first_name": name})).await;
        assert_eq!(written.status(), 200);
    }
    let eput = etag_of(&full, "s-put").await;
    let rules_etag = http()
        .get(format!("{}{rules}", base_url()))
        .bearer_auth(&full)
        .send()
        .await
        .unwrap()
        .headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();

    let (hooks_key, _) = key(t, &["webhooks:write"]).await;
    let hook_tries = webhooks::tries(t, &hooks_key, &read_only, &big).await;
    let looped = webhooks::endpoint(t).await;
    let tries = vec![
        tried(GetTenant, &format!("/v1/tenants/{t}"), op, 200),
        tried(GetTenant, &format!("/v1/tenants/{t}"), None, 401),
        tried(GetTenant, "/v1/tenants/admin-statuses-nobody", op, 404),
        tried(PutTenant, &format!("/v1/tenants/{t}"), op, 200)
            .header("If-Match", "*")
            .json(tenant_config.clone()),
        tried(PutTenant, &format!("/v1/tenants/{t}"), op, 400).body("application/json", "{bad"),
        tried(PutTenant, &format!("/v1/tenants/{t}"), k, 401).json(tenant_config.clone()),
        tried(PutTenant, &format!("/v1/tenants/{t}"), op, 412)
            .header("If-Match", "\"c0\"")
            .json(tenant_config.clone()),
        tried(PutTenant, &format!("/v1/tenants/{t}"), op, 413)
            .body("application/json", big.clone()),
        tried(PutTenant, &format!("/v1/tenants/{t}"), op, 415).body("text/plain", "{}"),
        tried(PutTenant, &format!("/v1/tenants/{t}"), op, 422)
            .json(json!({"name": "", "token_keys": []})),
        tried(IssueKey, &keys, op, 201).json(json!({"name": "x", "scopes": ["customers:read"]})),
        tried(IssueKey, &keys, op, 400).body("application/json", "{bad"),
        tried(IssueKey, &keys, k, 401).json(json!({"name": "x", "scopes": ["customers:read"]})),
        tried(IssueKey, "/v1/tenants/admin-statuses-nobody/keys", op, 404).json(json!({})),
        tried(IssueKey, &keys, op, 413).body("application/json", big.clone()),
        tried(IssueKey, &keys, op, 415).body("text/plain", "{}"),
        tried(IssueKey, &keys, op, 422).json(json!({"name": "x", "scopes": []})),
        tried(ListKeys, &keys, op, 200),
        tried(ListKeys, &keys, None, 401),
        tried(ListKeys, "/v1/tenants/admin-statuses-nobody/keys", op, 404),
        tried(RevokeKey, &format!("{keys}/{revocable_id}"), op, 204),
        tried(RevokeKey, &format!("{keys}/{revocable_id}"), k, 401),
        tried(RevokeKey, &format!("{keys}/0123456789ab"), op, 404),
        tried(GetAudit, &audit, op, 200),
        tried(GetAudit, &format!("{audit}?before=x"), op, 400),
        tried(GetAudit, &audit, k, 401),
        tried(GetAudit, "/v1/tenants/admin-statuses-nobody/audit", op, 404),
        tried(GetCustomer, "/v1/customers/s-1", k, 200),
        tried(GetCustomer, "/v1/customers/s-1", k, 304).header("If-None-Match", &e1),
        tried(GetCustomer, "/v1/customers/s-1", None, 401),
        tried(GetCustomer, "/v1/customers/s-1", rw, 403),
        tried(GetCustomer, "/v1/customers/s-1", ot, 404),
        tried(PatchCustomer, "/v1/customers/s-1", k, 400)
            .header("If-Match", &e1)
            .body("application/merge-patch+json", "{bad"),
        tried(PatchCustomer, "/v1/customers/s-1", None, 401)
            .header("If-Match", &e1)
            .json(json!({})),
        tried(PatchCustomer, "/v1/customers/s-1", ro, 403)
            .header("If-Match", &e1)
            .json(json!({})),
        tried(PatchCustomer, "/v1/customers/nobody", k, 404)
            .header("If-Match", &e1)
            .json(json!({})),
        tried(PatchCustomer, "/v1/customers/s-1", k, 409)
            .header("If-Match", &e1)
            .json(json!({"email": s2_email})),
        tried(PatchCustomer, "/v1/customers/s-1", k, 412)
            .header("If-Match", "\"v999\"")
            .json(json!({})),
        tried(PatchCustomer, "/v1/customers/s-1", k, 413)
            .header("If-Match", &e1)
            .body("application/json", big.clone()),
        tried(PatchCustomer, "/v1/customers/s-1", k, 415)
            .header("If-Match", &e1)
            .body("text/plain", "{}"),
        tried(PatchCustomer, "/v1/customers/s-1", k, 422)
            .header("If-Match", &e1)
            .json(json!({"email": "not an address"})),
        tried(PatchCustomer, "/v1/customers/s-1", k, 428).json(json!({})),
        tried(PatchCustomer, "/v1/customers/s-1", k, 200)
            .header("If-Match", &e1)
            .json(json!({"notes": "VIP"})),
        tried(ReplaceCustomer, "/v1/customers/s-put", k, 400)
            .header("If-Match", &eput)
            .body("application/json", "{bad"),
        tried(ReplaceCustomer, "/v1/customers/s-put", None, 401)
            .header("If-Match", &eput)
            .json(json!({})),
        tried(ReplaceCustomer, "/v1/customers/s-put", ro, 403)
            .header("If-Match", &eput)
            .json(json!({})),
        tried(ReplaceCustomer, "/v1/customers/nobody", k, 404)
            .header("If-Match", &eput)
            .json(json!({})),
        tried(ReplaceCustomer, "/v1/customers/s-put", k, 409)
            .header("If-Match", &eput)
            .json(json!({"email": s2_email})),
        tried(ReplaceCustomer, "/v1/customers/s-put", k, 412)
            .header("If-Match", "\"v999\"")
            .json(json!({})),
        tried(ReplaceCustomer, "/v1/customers/s-put", k, 413)
            .header("If-Match", &eput)
            .body("application/json", big.clone()),
        tried(ReplaceCustomer, "/v1/customers/s-put", k, 415)
            .header("If-Match", &eput)
            .body("text/plain", "{}"),
        tried(ReplaceCustomer, "/v1/customers/s-put", k, 422)
            .header("If-Match", &eput)
            .json(json!({"first_name": 7})),
        tried(ReplaceCustomer, "/v1/customers/s-put", k, 428).json(json!({})),
        tried(ReplaceCustomer, "/v1/customers/s-put", k, 200)
            .header("If-Match", &eput)
            .json(json!({"first_name": "Pia"})),
        tried(EraseCustomer, "/v1/customers/s-erase", k, 204),
        tried(EraseCustomer, "/v1/customers/s-erase", None, 401),
        tried(EraseCustomer, "/v1/customers/s-erase", ro, 403),
        tried(EraseCustomer, "/v1/customers/s-erase", k, 404),
        tried(EraseCustomer, "/v1/customers/s-1", k, 400).header("X-Profile-Source", "Not one"),
        tried(EraseCustomer, "/v1/customers/s-1", k, 412).header("If-Match", "\"v999\""),
        tried(EraseCustomer, "/v1/customers/s-busy", k, 429),
        tried(PutCustomerPhoto, photo, k, 200).body("image/png", PNG),
        tried(PutCustomerPhoto, photo, k, 400)
            .header("X-Profile-Source", "Not one")
            .body("image/png", PNG),
        tried(PutCustomerPhoto, photo, None, 401).body("image/png", PNG),
        tried(PutCustomerPhoto, photo, ro, 403).body("image/png", PNG),
        tried(PutCustomerPhoto, "/v1/customers/nobody/photo", k, 404).body("image/png", PNG),
        tried(PutCustomerPhoto, photo, k, 412)
            .header("If-Match", "\"v999\"")
            .body("image/png", PNG),
        tried(PutCustomerPhoto, photo, k, 413).body("image/png", vec![0; 2 * 1024 * 1024 + 1]),
        tried(PutCustomerPhoto, photo, k, 415).body("image/gif", &b"GIF89a"[..]),
        tried(PutCustomerPhoto, photo, k, 422).body("image/jpeg", PNG),
        tried(PutCustomerPhoto, "/v1/customers/s-busy/photo", k, 429).body("image/png", PNG),
        tried(DeleteCustomerPhoto, photo, k, 412).header("If-Match", "\"v999\""),
        tried(DeleteCustomerPhoto, photo, k, 200),
        tried(DeleteCustomerPhoto, photo, k, 400).header("X-Profile-Source", "Not one"),
        tried(DeleteCustomerPhoto, photo, None, 401),
        tried(DeleteCustomerPhoto, photo, ro, 403),
        tried(DeleteCustomerPhoto, "/v1/customers/nobody/photo", k, 404),
        tried(DeleteCustomerPhoto, "/v1/customers/s-busy/photo", k, 429),
        tried(PatchCustomer, "/v1/customers/s-busy", k, 429)
            .header("If-Match", &ebusy)
            .json(json!({"first_name": "Cai"})),
        tried(ReplaceCustomer, "/v1/customers/s-busy", k, 429)
            .header("If-Match", &ebusy)
            .json(json!({"first_name": "Cai"})),
        tried(GetCustomerHistory, "/v1/customers/s-1/history", k, 200),
        tried(
            GetCustomerHistory,
            "/v1/customers/s-1/history?cursor=x",
            k,
            400,
        ),
        tried(GetCustomerHistory, "/v1/customers/s-1/history", None, 401),
        tried(GetCustomerHistory, "/v1/customers/s-1/history", rw, 403),
        tried(GetCustomerHistory, "/v1/customers/s-1/history", ot, 404),
        tried(GetCustomerConsents, "/v1/customers/s-1/consents", k, 200),
        tried(GetCustomerConsents, "/v1/customers/s-1/consents", None, 401),
        tried(GetCustomerConsents, "/v1/customers/s-1/consents", rw, 403),
        tried(GetCustomerConsents, "/v1/customers/s-1/consents", ot, 404),
        tried(ExportCustomer, "/v1/customers/s-1/export", k, 200),
        tried(ExportCustomer, "/v1/customers/s-1/export", None, 401),
        tried(ExportCustomer, "/v1/customers/s-1/export", rw, 403),
        tried(ExportCustomer, "/v1/customers/nobody/export", k, 404),
        tried(LiftSuppression, "/v1/customers/s-erase/suppression", k, 204),
        tried(
            LiftSuppression,
            "/v1/customers/s-erase/suppression",
            None,
            401,
        ),
        tried(
            LiftSuppression,
            "/v1/customers/s-erase/suppression",
            ro,
            403,
        ),
        tried(LiftSuppression, "/v1/customers/s-1/suppression", k, 404),
        tried(ListCustomers, "/v1/customers", k, 200),
        tried(ListCustomers, "/v1/customers?cursor=%%%", k, 400),
        tried(ListCustomers, "/v1/customers", None, 401),
        tried(ListCustomers, "/v1/customers", rw, 403),
        tried(SearchCustomers, "/v1/customers/search", k, 200).json(json!({"email": s2_email})),
        tried(SearchCustomers, "/v1/customers/search", k, 400).body("application/json", "{bad"),
        tried(SearchCustomers, "/v1/customers/search", None, 401).json(json!({})),
        tried(SearchCustomers, "/v1/customers/search", rw, 403).json(json!({})),
        tried(SearchCustomers, "/v1/customers/search", k, 413)
            .body("application/json", big.clone()),
        tried(SearchCustomers, "/v1/customers/search", k, 415).body("text/plain", "{}"),
        tried(SearchCustomers, "/v1/customers/search", k, 422).json(json!({"email": "nope"})),
        tried(GetRules, &rules, k, 200),
        tried(GetRules, &rules, None, 401),
        tried(GetRules, &rules, ro, 403),
        tried(GetRules, &rules, ot, 404),
        tried(PutRules, &rules, k, 400)
            .header("If-Match", &rules_etag)
            .json(json!({"token_keys": []})),
        tried(PutRules, &rules, None, 401)
            .header("If-Match", &rules_etag)
            .json(json!({})),
        tried(PutRules, &rules, ro, 403)
            .header("If-Match", &rules_etag)
            .json(json!({})),
        tried(PutRules, &rules, ot, 404)
            .header("If-Match", &rules_etag)
            .json(json!({})),
        tried(PutRules, &rules, k, 412)
            .header("If-Match", "\"c0\"")
            .json(json!({})),
        tried(PutRules, &rules, k, 413)
            .header("If-Match", &rules_etag)
            .body("application/json", big.clone()),
        tried(PutRules, &rules, k, 415)
            .header("If-Match", &rules_etag)
            .body("text/plain", "{}"),
        tried(PutRules, &rules, k, 422)
            .header("If-Match", &rules_etag)
            .json(json!({"custom_fields": [{"key": "a", "type": "text", "pattern": "("}]})),
        tried(PutRules, &rules, k, 428).json(json!({})),
        // `*`: whatever the version is now (the tenant's PUT above changed it).
        tried(PutRules, &rules, k, 200)
            .header("If-Match", "*")
            .json(json!({})),
        tried(ImportCustomers, "/v1/customers/import", k, 202).body(
            "application/x-ndjson",
            json!({"external_id": "s-import-2"}).to_string(),
        ),
        tried(ImportCustomers, "/v1/customers/import", None, 401)
            .body("application/x-ndjson", "{}"),
        tried(ImportCustomers, "/v1/customers/import", ro, 403).body("application/x-ndjson", "{}"),
        tried(ImportCustomers, "/v1/customers/import", k, 413).body("application/x-ndjson", huge),
        tried(ImportCustomers, "/v1/customers/import", k, 415).body("application/json", "{}"),
        tried(ImportCustomers, "/v1/customers/import", k, 422).body("application/x-ndjson", "\n"),
        tried(
            GetImport,
            &format!("/v1/customers/import/{import_id}"),
            k,
            200,
        ),
        tried(
            GetImport,
            &format!("/v1/customers/import/{import_id}"),
            None,
            401,
        ),
        tried(
            GetImport,
            &format!("/v1/customers/import/{import_id}"),
            ro,
            403,
        ),
        tried(
            GetImport,
            &format!("/v1/customers/import/{import_id}"),
            ot,
            404,
        ),
    ];
    let mut seen: BTreeMap<String, BTreeSet<u16>> = BTreeMap::new();
    for t in tries.into_iter().chain(hook_tries) {
        let mut request = http().request(t.method.clone(), format!("{}{}", base_url(), t.path));
        if let Some(key) = &t.key {
            request = request.bearer_auth(key);
        }
        for (name, value) in &t.headers {
            request = request.header(*name, value);
        }
        if let Some(body) = t.body {
            request = request.body(body);
        }
        let status = request.send().await.unwrap().status().as_u16();
        assert_eq!(
            status, t.expect,
            "{:?} {} {}",
            t.operation, t.method, t.path
        );
        seen.entry(t.operation.as_str().to_owned())
            .or_default()
            .insert(status);
    }
    // The import's 400: a body that is not UTF-8.
    let not_utf8 = http()
        .post(format!("{}/v1/customers/import", base_url()))
        .bearer_auth(&full)
        .header("Content-Type", "application/x-ndjson")
        .body(vec![0xff, 0xfe, b'\n'])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(not_utf8, 400);
    seen.get_mut("importCustomers").unwrap().insert(400);
    // Every write takes an Idempotency-Key: a malformed one is a 400, one
    // reused with another request a 422, and one still in flight a 409.
    for route in ROUTES.iter().filter(|r| {
        matches!(
            r.caller,
            Caller::Operator | Caller::Admin(_) | Caller::Manager(_)
        ) && r.takes_idempotency_key()
    }) {
        let path = route
            .path
            .replace("{tenant}", t)
            .replace("{key_id}", "0123456789ab")
            .replace("{id}", "s-flight")
            .replace("{webhook_id}", &looped);
        let bearer = match route.caller {
            Caller::Operator | Caller::Manager(_) => operator.as_str(),
            _ => full.as_str(),
        };
        let mut statuses = Vec::new();
        let send = |key: String, body: &'static str| {
            http()
                .request(
                    Method::from_bytes(route.method.as_bytes()).unwrap(),
                    format!("{}{path}", base_url()),
                )
                .bearer_auth(bearer)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .body(body)
                .send()
        };
        let malformed = send("k".repeat(256), "{}").await.unwrap().status().as_u16();
        statuses.push(malformed);
        let reused = format!("reused-{run}-{}", route.operation.as_str());
        send(reused.clone(), "{}").await.unwrap();
        statuses.push(send(reused, "[]").await.unwrap().status().as_u16());
        let flight = format!("flight-{run}-{}", route.operation.as_str());
        let authorization = format!("Bearer {bearer}");
        let headers = [
            ("Authorization", authorization.as_str()),
            ("Content-Type", "application/json"),
        ];
        let held = e2e::in_flight::hold(route.method, &path, &headers, &flight, b"{}").await;
        statuses.push(
            e2e::in_flight::probe(route.method, &path, bearer, &flight)
                .await
                .as_u16(),
        );
        held.finish().await;
        assert_eq!(statuses, [400, 422, 409], "{:?}", route.operation);
        seen.entry(route.operation.as_str().to_owned())
            .or_default()
            .extend(statuses);
    }
    let mut routes = 0;
    for route in ROUTES.iter().filter(|r| {
        matches!(
            r.caller,
            Caller::Operator | Caller::Admin(_) | Caller::Manager(_)
        )
    }) {
        let documented: BTreeSet<u16> = route.statuses.iter().copied().collect();
        assert_eq!(
            seen.get(route.operation.as_str()),
            Some(&documented),
            "{:?}: the statuses provoked and the table's",
            route.operation
        );
        routes += 1;
    }
    println!("operator and admin routes: {routes}, every documented status provoked");
}
