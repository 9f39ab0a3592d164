//! Holding a write in flight: a request that has sent its head (with an
//! `Idempotency-Key`) and half its body, so that the Worker has taken the
//! key and waits for the rest. Another request with the key meanwhile must
//! get 409.

use crate::{base_url, http};
use reqwest::{Method, StatusCode};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A request whose body is half sent.
pub struct Held {
    stream: TcpStream,
    rest: Vec<u8>,
}

/// Sends `method path` with `headers`, the key, and half of `body`.
pub async fn hold(
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    key: &str,
    body: &[u8],
) -> Held {
    let host = base_url().trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&host).await.expect("connecting");
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nIdempotency-Key: {key}\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let (part, rest) = body.split_at(body.len() / 2);
    let mut sent = head.into_bytes();
    sent.extend_from_slice(part);
    stream.write_all(&sent).await.expect("sending the head");
    Held {
        stream,
        rest: rest.to_vec(),
    }
}

impl Held {
    /// Sends the rest of the body: the answer's status line.
    pub async fn finish(mut self) -> String {
        self.stream
            .write_all(&self.rest)
            .await
            .expect("sending the rest");
        let mut answer = String::new();
        tokio::time::timeout(
            Duration::from_secs(20),
            self.stream.read_to_string(&mut answer),
        )
        .await
        .expect("an answer within 20 s")
        .expect("reading the answer");
        answer.lines().next().unwrap_or_default().to_owned()
    }
}

/// What a request with `key` gets while `held` has it: asks until the held
/// request has reached the Worker. Each probe is too large to be read, so a
/// probe that takes the key first frees it at once (413).
pub async fn probe(method: &str, path: &str, bearer: &str, key: &str) -> StatusCode {
    let body = " ".repeat(70 * 1024);
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let status = http()
            .request(
                Method::from_bytes(method.as_bytes()).unwrap(),
                format!("{}{path}", base_url()),
            )
            .bearer_auth(bearer)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", key)
            .body(body.clone())
            .send()
            .await
            .expect("a probe")
            .status();
        if status != StatusCode::PAYLOAD_TOO_LARGE {
            return status;
        }
    }
    StatusCode::PAYLOAD_TOO_LARGE
}
