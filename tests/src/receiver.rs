//! A programme's webhook receiver on loopback (tests/receiver.py): it
//! checks signatures with the `standardwebhooks` package from PyPI, the
//! reference implementation, so that no code of ours judges our signatures.

use crate::http;
use serde_json::{Value, json};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub struct Receiver {
    pub port: u16,
    child: Child,
}

/// The URL an endpoint on `port` is created with.
pub fn url(port: u16) -> String {
    format!("http://127.0.0.1:{port}/hooks")
}

/// A new endpoint of `tenant` for `event_types` (made with the operator's
/// key) and its receiver: the receiver, and the endpoint's id.
pub async fn subscribe(tenant: &str, event_types: &[&str]) -> (Receiver, String) {
    let port = xtask::server::free_port().unwrap();
    let created: Value = http()
        .post(format!(
            "{}/v1/tenants/{tenant}/webhooks",
            crate::base_url()
        ))
        .bearer_auth(crate::admin::operator_key())
        .json(&json!({"url": url(port), "event_types": event_types}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let receiver = Receiver::start(port, &[created["secret"].as_str().unwrap()]).await;
    (receiver, created["id"].as_str().unwrap().to_owned())
}

impl Receiver {
    /// Starts a receiver on `port` that verifies with `secrets`; returns once it listens.
    pub async fn start(port: u16, secrets: &[&str]) -> Receiver {
        let library = xtask::tools::token_library_dirs().unwrap().webhooks;
        assert!(
            library.join("installed").exists(),
            "standardwebhooks is not installed in {}: `cargo xtask test` installs it",
            library.display()
        );
        let script = xtask::root().join("tests/receiver.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .args(secrets)
            .env("PYTHONPATH", library)
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("starting python3 tests/receiver.py");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(Duration::from_secs(20), lines.next_line()).await;
        assert!(
            matches!(&ready, Ok(Ok(Some(line))) if line == "ready"),
            "the receiver did not start: {ready:?}"
        );
        Receiver { port, child }
    }

    async fn state(&self) -> Value {
        http()
            .get(format!("http://127.0.0.1:{}/_received", self.port))
            .send()
            .await
            .expect("asking the receiver")
            .json()
            .await
            .expect("the receiver's JSON")
    }

    /// Every delivery so far: `webhook_id`, `event`, `verified_by` (the
    /// indexes of the secrets that verified it), `status` (what it answered).
    pub async fn received(&self) -> Vec<Value> {
        self.state().await["received"].as_array().unwrap().clone()
    }

    /// Deliveries it holds unanswered now.
    pub async fn open(&self) -> u64 {
        self.state().await["open"].as_u64().unwrap()
    }

    /// Changes how it answers: `fail` (the next N answered 500), `hang`, `secrets`.
    pub async fn control(&self, change: Value) {
        let answer = http()
            .post(format!("http://127.0.0.1:{}/_control", self.port))
            .json(&change)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 204);
    }

    /// Waits until `done` holds of what it received, at most `limit`; fails with `what`.
    pub async fn wait_for(
        &self,
        what: &str,
        limit: Duration,
        done: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        let start = Instant::now();
        loop {
            let received = self.received().await;
            if done(&received) {
                return received;
            }
            assert!(
                start.elapsed() < limit,
                "{what}: not within {limit:?}; received {}",
                json!(received)
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// The deliveries of events of `kind` (e.g. `customer.updated.v1`).
pub fn of_type<'a>(received: &'a [Value], kind: &str) -> Vec<&'a Value> {
    received
        .iter()
        .filter(|d| d["event"]["type"] == kind)
        .collect()
}
