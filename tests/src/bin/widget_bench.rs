//! `cargo xtask bench` runs this against its `wrangler dev`: how long the
//! widget takes to show a customer's data, ready for typing, next to a
//! static HTML page with the same fields, in the same headless Chromium with
//! its cache disabled. The two pages alternate; prints a JSON report.

use e2e::site::{HostSite, Page};
use e2e::{Browser, Cdp, base_url, demo_token, http, unique_customer};
use serde_json::{Value, json};
use std::time::Duration;

/// Loads of each page (after one warm-up of each).
const LOADS: usize = 21;

/// Waits for `window.readyAt` (ms after navigation start) to be set.
async fn ready_at(browser: &Browser) -> f64 {
    for _ in 0..600 {
        let at = browser
            .client
            .execute("return window.readyAt || null;", vec![])
            .await
            .expect("reading readyAt");
        if let Some(at) = at.as_f64() {
            return at;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the page never became ready");
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[tokio::main]
async fn main() {
    let api = base_url();
    let customer = unique_customer("bench-widget");
    let token = demo_token(&customer);
    // The customer's data and the form's fields, as the static page shows them.
    let profile: Value = http()
        .get(format!("{api}/v1/customers/me"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("reading the profile")
        .json()
        .await
        .expect("a profile");
    let schema: Value = http()
        .get(format!("{api}/v1/customers/me/schema"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("reading the schema")
        .json()
        .await
        .expect("a schema");
    let mut fields = String::new();
    for section in schema["sections"].as_array().into_iter().flatten() {
        fields.push_str(&format!(
            "<h2>{}</h2>",
            escape(section["label"].as_str().unwrap_or(""))
        ));
        for field in section["fields"].as_array().into_iter().flatten() {
            let pointer = field["pointer"].as_str().unwrap_or("");
            let id = pointer.replace('/', "-");
            let value = profile
                .pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or("");
            let label = escape(field["label"].as_str().unwrap_or(""));
            fields.push_str(&format!(
                "<div><label for=\"{id}\">{label}</label><input id=\"{id}\" value=\"{}\"></div>",
                escape(value)
            ));
        }
    }
    let first_name = profile["first_name"].as_str().unwrap_or("").to_owned();
    let latest: Value = http()
        .get(format!("{api}/widget/latest.json"))
        .send()
        .await
        .expect("latest.json")
        .json()
        .await
        .expect("latest.json");
    let module = format!("{api}{}", latest["path"].as_str().unwrap_or(""));
    // Both pages mark the moment the first name is on screen and typable.
    let static_page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Static</title></head><body>
         <form>{fields}</form>
         <script>requestAnimationFrame(() => {{ window.readyAt = performance.now(); }});</script>
         </body></html>"
    );
    let widget_page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Widget</title>
         <script type=\"module\" src=\"{module}\"></script>
         <script>
           window.token = () => Promise.resolve('{token}');
           (function wait() {{
             const el = document.querySelector('customer-profile');
             const input = el && el.shadowRoot && el.shadowRoot.querySelector('#cp-first_name');
             if (input && input.value === {first}) {{ window.readyAt = performance.now(); return; }}
             requestAnimationFrame(wait);
           }})();
         </script></head><body>
         <customer-profile api=\"{api}\" lang=\"en\" token-provider=\"token\"></customer-profile>
         </body></html>",
        first = json!(first_name)
    );
    // Both pages come from one site of their own (the same server, the same
    // distance); the demo tenant is told to allow its origin.
    let site = HostSite::start().await;
    site.serve(
        vec![
            Page {
                path: "/static".into(),
                content_type: "text/html; charset=utf-8",
                body: static_page,
            },
            Page {
                path: "/widget".into(),
                content_type: "text/html; charset=utf-8",
                body: widget_page,
            },
        ],
        Vec::new(),
    );
    allow_origin(&site.origin).await;

    let browser = Browser::start().await;
    browser
        .client
        .issue_cmd(Cdp("Network.enable", json!({})))
        .await
        .expect("CDP Network.enable");
    browser
        .client
        .issue_cmd(Cdp(
            "Network.setCacheDisabled",
            json!({"cacheDisabled": true}),
        ))
        .await
        .expect("CDP Network.setCacheDisabled");
    let (mut widget, mut plain) = (Vec::new(), Vec::new());
    for round in 0..=LOADS {
        for (path, times) in [("/static", &mut plain), ("/widget", &mut widget)] {
            browser
                .client
                .goto(&format!("{}{path}?round={round}", site.origin))
                .await
                .expect("loading a page");
            let at = ready_at(&browser).await;
            if round > 0 {
                times.push(at);
            }
        }
    }
    browser.close().await;
    let (widget_median, static_median) = (median(&mut widget.clone()), median(&mut plain.clone()));
    let ratios: Vec<f64> = widget.iter().zip(&plain).map(|(w, s)| w / s).collect();
    let report = json!({
        "loads": LOADS,
        "widget_ms": widget,
        "static_ms": plain,
        "widget_median_ms": widget_median,
        "static_median_ms": static_median,
        "median_ratio": median(&mut ratios.clone()),
        "budget_ratio": 4.0,
    });
    println!("{report}");
}

/// Adds the bench site's origin to the demo tenant (the widget's API calls
/// come from it).
async fn allow_origin(origin: &str) {
    let api = base_url();
    let operator = e2e::dev_var("OPERATOR_KEY").expect("worker/.dev.vars");
    let mut config: Value = http()
        .get(format!("{api}/v1/tenants/demo"))
        .bearer_auth(&operator)
        .send()
        .await
        .expect("reading the demo tenant")
        .json()
        .await
        .expect("a tenant");
    config["allowed_origins"]
        .as_array_mut()
        .expect("allowed origins")
        .push(json!(origin));
    config["token_keys"] = json!([{"kid": "dev", "alg": "HS256",
        "secret": e2e::dev_var("DEMO_TENANT_SECRET").expect("worker/.dev.vars")}]);
    let saved = http()
        .put(format!("{api}/v1/tenants/demo"))
        .bearer_auth(&operator)
        .json(&config)
        .send()
        .await
        .expect("saving the demo tenant");
    assert_eq!(saved.status(), 200, "saving the demo tenant");
}
