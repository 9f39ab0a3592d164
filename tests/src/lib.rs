//! The end-to-end tests' harness: where the server is, customer tokens signed
//! like a tenant's backend signs them, and a real headless Chromium.
//!
//! `cargo xtask test` starts `wrangler dev` and sets `PROFILE_BASE_URL` (and
//! `PROFILE_NO_DEV_BASE_URL`, the same build without dev endpoints).

use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::{Value, json};
use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::process::{Child, Command};

pub mod admin;
pub mod booking;
pub mod email;
pub mod extranet;
pub mod in_flight;
pub mod keys;
pub mod linearizable;
pub mod receiver;
pub mod site;
pub mod sources;
pub mod storm;

pub use xtask::server::dev_var;

fn required_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the end-to-end tests with `cargo xtask test`, which starts the server")
    })
}

/// The running Worker, e.g. `http://127.0.0.1:8787`.
pub fn base_url() -> String {
    required_env("PROFILE_BASE_URL")
}

/// The same build running without `DEV_ENDPOINTS`, as it is deployed.
pub fn no_dev_base_url() -> String {
    required_env("PROFILE_NO_DEV_BASE_URL")
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

/// A customer id no other test (or earlier run on the same state) uses.
pub fn unique_customer(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos();
    format!(
        "{prefix}-{nanos}-{}",
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Signs `claims` with the demo tenant's secret from `worker/.dev.vars`.
pub fn sign(claims: &Value, secret: &str) -> String {
    let header = Header {
        kid: Some("dev".into()),
        ..Header::default()
    };
    encode(
        &header,
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("signing")
}

/// A valid demo-tenant token for `customer`, as the tenant's backend mints it.
pub fn demo_token(customer: &str) -> String {
    let secret = dev_var("DEMO_TENANT_SECRET").expect("worker/.dev.vars");
    sign(
        &json!({"iss": "demo", "sub": customer, "aud": "customer-profile", "iat": now(), "exp": now() + 600}),
        &secret,
    )
}

/// The JSON Pointers of a problem document's field errors, sorted.
pub fn error_pointers(problem: &Value) -> Vec<&str> {
    let mut pointers: Vec<&str> = problem["errors"]
        .as_array()
        .expect("a problem document with field errors")
        .iter()
        .map(|e| e["pointer"].as_str().expect("each error has a pointer"))
        .collect();
    pointers.sort();
    pointers
}

/// The demo customer's stored profile, read over the API.
pub async fn stored_profile(customer: &str) -> Value {
    http()
        .get(format!("{}/v1/customers/me", base_url()))
        .bearer_auth(demo_token(customer))
        .send()
        .await
        .expect("reading the profile")
        .json()
        .await
        .expect("a profile")
}

/// Saves `patch` for the demo customer over the API (as another session of
/// theirs would), against the version it reads first.
pub async fn patch_over_api(customer: &str, patch: &Value) {
    let url = format!("{}/v1/customers/me", base_url());
    let token = demo_token(customer);
    let read = http()
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .expect("reading");
    let etag = read.headers()["etag"].to_str().expect("an ETag").to_owned();
    let saved = http()
        .patch(&url)
        .bearer_auth(&token)
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", etag)
        .body(patch.to_string())
        .send()
        .await
        .expect("saving");
    assert_eq!(saved.status(), 200, "saving {patch} over the API");
}

/// Creates or replaces a tenant with the operator's key; it must succeed.
pub async fn put_tenant(id: &str, config: &Value) {
    let response = http()
        .put(format!("{}/v1/tenants/{id}", base_url()))
        .bearer_auth(dev_var("OPERATOR_KEY").expect("worker/.dev.vars"))
        .json(config)
        .send()
        .await
        .expect("saving a tenant");
    let status = response.status();
    assert_eq!(
        status,
        200,
        "saving tenant {id}: {}",
        response.text().await.unwrap_or_default()
    );
}

/// A customer's profile as they read it, and its ETag.
pub async fn read_profile(token: &str) -> (Value, String) {
    let response = http()
        .get(format!("{}/v1/customers/me", base_url()))
        .bearer_auth(token)
        .send()
        .await
        .expect("reading the profile");
    assert_eq!(response.status(), 200, "reading the profile");
    let etag = response.headers()["etag"]
        .to_str()
        .expect("an ETag")
        .to_owned();
    (response.json().await.expect("a profile"), etag)
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("HTTP client")
}

/// A Chrome DevTools command sent through chromedriver, e.g.
/// `Cdp("Network.setCacheDisabled", json!({"cacheDisabled": true}))`.
#[derive(Debug)]
pub struct Cdp(pub &'static str, pub Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({"cmd": self.0, "params": self.1}).to_string()),
        )
    }
}

/// A headless Chromium driven over WebDriver; chromedriver stops with it.
pub struct Browser {
    pub client: Client,
    driver: Child,
}

impl Browser {
    pub async fn start() -> Browser {
        Browser::start_with(&[]).await
    }

    /// A browser with more command-line switches, e.g. `--lang=nb`.
    pub async fn start_with(switches: &[&str]) -> Browser {
        let driver_path =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = xtask::server::free_port().expect("free port");
        let driver = Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("starting chromedriver");
        let profile_dir = std::env::temp_dir().join(unique_customer("chromium-profile"));
        let mut args: Vec<String> = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
        ]
        .iter()
        .chain(switches)
        .map(|s| s.to_string())
        .collect();
        args.push(format!("--user-data-dir={}", profile_dir.display()));
        let capabilities = json!({
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args}
        });
        let capabilities = match capabilities {
            Value::Object(map) => map,
            _ => unreachable!(),
        };
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = String::new();
        for _ in 0..50 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => return Browser { client, driver },
                Err(e) => last_error = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("could not start Chromium through chromedriver: {last_error}");
    }

    /// Waits (up to 20 s) for `selector` inside the shadow root of the first
    /// `<customer-profile>` on the page.
    pub async fn widget_element(&self, selector: &str) -> Element {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(host) = self.client.find(Locator::Css("customer-profile")).await
                && let Ok(root) = host.shadow_root().await
                && let Ok(element) = root.find(Locator::Css(selector)).await
            {
                return element;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{selector} did not appear in the widget within 20 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits (up to 20 s) until the DOM property `prop` (`value`,
    /// `textContent`...) of the widget's `selector` is `expected`.
    pub async fn wait_for_widget_prop(&self, selector: &str, prop: &str, expected: &str) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let element = self.widget_element(selector).await;
            let now = element.prop(prop).await.ok().flatten().unwrap_or_default();
            if now == expected {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{selector}.{prop} is {now:?}, not {expected:?}, after 20 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Runs `body` (JavaScript, with `root` the first widget's shadow root, or
    /// null before the page has one) and answers what it returns.
    pub async fn in_widget(&self, body: &str) -> Value {
        let script = format!(
            "const host = document.querySelector('customer-profile'); const root = host && host.shadowRoot; {body}"
        );
        self.client.execute(&script, vec![]).await.unwrap()
    }

    /// Waits (at most 20 s) until `check` (JavaScript over `root`) is true;
    /// fails with `what`.
    pub async fn wait_until(&self, check: &str, what: &str) {
        let started = std::time::Instant::now();
        // Until the page has its widget, `root` is null and the check throws.
        let guarded = format!("try {{ return !!({check}); }} catch (e) {{ return false; }}");
        while self.in_widget(&guarded).await != serde_json::json!(true) {
            assert!(started.elapsed() < Duration::from_secs(20), "{what}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A browser on the demo page as `customer`, once the form shows.
    pub async fn open_demo(customer: &str) -> Browser {
        let browser = Browser::start().await;
        browser.goto_demo(customer).await;
        browser.widget_element("#cp-last_name").await;
        browser
    }

    /// Opens the demo page as `customer` in this browser, set up as a test
    /// needs it first (a time zone, a language).
    pub async fn goto_demo(&self, customer: &str) {
        self.client
            .goto(&format!("{}/demo?customer={customer}", base_url()))
            .await
            .expect("opening the demo page");
    }

    /// Clicks into a field of the widget and replaces its text by typing
    /// (Control+A, Backspace, then `text`).
    pub async fn type_into(&self, selector: &str, text: &str) {
        let field = self.widget_element(selector).await;
        field.click().await.expect("clicking the field");
        field
            .send_keys(&format!("\u{E009}a\u{E000}\u{E003}{text}"))
            .await
            .expect("typing");
    }

    /// Clicks the widget's Save button.
    pub async fn save(&self) {
        self.widget_element("button[type=submit]")
            .await
            .click()
            .await
            .expect("clicking Save");
    }

    /// axe-core's violations on the page (the widget's open shadow root
    /// included), with axe-core as the project installs it.
    pub async fn axe_violations(&self) -> Vec<Value> {
        let path = xtask::root().join("worker/node_modules/axe-core/axe.min.js");
        let source =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        self.client.execute(&source, vec![]).await.unwrap();
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document.querySelector('customer-profile'), {resultTypes: ['violations']})
                    .then(r => done(r.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target)}))));",
                vec![],
            )
            .await
            .unwrap();
        result.as_array().cloned().unwrap_or_default()
    }

    /// Clicks Save and waits until the form says the changes were saved.
    pub async fn save_and_wait(&self) {
        self.save().await;
        self.wait_for_widget_prop(
            ".cp-form > [role=status]",
            "textContent",
            "Your changes were saved.",
        )
        .await;
    }

    /// Closes the browser; call at the end of each test.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill().await;
    }
}

/// A suite's hard caps: at most `cases` cases and `time` of wall time. The
/// suite is stopped at its time cap and fails, and fails if it grows past its
/// case cap, so that no suite can quietly make `cargo xtask test` slow.
pub struct Caps {
    pub suite: &'static str,
    pub cases: usize,
    pub time: Duration,
}

impl Caps {
    /// Runs the suite's body, failing it if it runs past the time cap.
    pub async fn run<F: std::future::Future>(&self, body: F) -> F::Output {
        match tokio::time::timeout(self.time, body).await {
            Ok(output) => output,
            Err(_) => panic!(
                "{}: stopped at its cap of {} s",
                self.suite,
                self.time.as_secs()
            ),
        }
    }

    /// Fails if `cases` is over the case cap; otherwise says the caps, for the figures line.
    pub fn within(&self, cases: usize) -> String {
        assert!(
            cases <= self.cases,
            "{}: {cases} cases, over its cap of {}",
            self.suite,
            self.cases
        );
        format!("caps {} cases, {} s", self.cases, self.time.as_secs())
    }
}
