//! Several clients run random reads and conditional writes on a few customers
//! for about 15 seconds; each customer's history (invoke and return times,
//! versions, values) must be linearizable (`e2e::linearizable::check`), with
//! no acknowledged write lost and no version made twice.

use e2e::linearizable::{Event, Op, check};
use e2e::{Caps, base_url, demo_token, http, read_profile, unique_customer};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CUSTOMERS: usize = 3;
const CLIENTS: usize = 8;
const RUN: Duration = Duration::from_secs(15);

/// A name no other write uses: letters only, as a name must be.
fn letters(mut n: u64) -> String {
    let mut text = String::from("Val");
    loop {
        text.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
        if n == 0 {
            return text;
        }
    }
}

fn version_of(etag: &str) -> u64 {
    etag.trim_matches('"')
        .trim_start_matches('v')
        .parse()
        .expect("an ETag \"vN\"")
}

/// Operations are bounded by the run's length; the caps stop a runaway.
const CAPS: Caps = Caps {
    suite: "linearizability",
    cases: 50_000,
    time: Duration::from_secs(90),
};

#[tokio::test]
async fn reads_and_conditional_writes_are_linearizable() {
    CAPS.run(run_and_check()).await;
}

async fn run_and_check() {
    let tokens: Vec<String> = (0..CUSTOMERS)
        .map(|_| demo_token(&unique_customer("linear")))
        .collect();
    let mut initial = Vec::new();
    for token in &tokens {
        let (profile, etag) = read_profile(token).await;
        initial.push((
            version_of(&etag),
            profile["middle_name"].as_str().unwrap_or("").to_owned(),
        ));
    }
    let start = Instant::now();
    let histories: Arc<Vec<Mutex<Vec<Event>>>> =
        Arc::new((0..CUSTOMERS).map(|_| Mutex::new(Vec::new())).collect());
    let mut clients = Vec::new();
    for client in 0..CLIENTS {
        let tokens = tokens.clone();
        let histories = histories.clone();
        clients.push(tokio::spawn(async move {
            // A small xorshift: the choices need only differ between clients.
            let mut seed = 0x9E37_79B9_7F4A_7C15_u64 ^ ((client as u64 + 1) * 0x1000_0001);
            let mut next = move || {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed
            };
            let mut written = 0_u64;
            let mut known: Vec<u64> = vec![0; CUSTOMERS];
            while start.elapsed() < RUN {
                let which = (next() % CUSTOMERS as u64) as usize;
                let url = format!("{}/v1/customers/me", base_url());
                let invoked = start.elapsed().as_nanos();
                if next() % 2 == 0 || known[which] == 0 {
                    let response = http()
                        .get(&url)
                        .bearer_auth(&tokens[which])
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), 200);
                    let version = version_of(response.headers()["etag"].to_str().unwrap());
                    let profile: serde_json::Value = response.json().await.unwrap();
                    let returned = start.elapsed().as_nanos();
                    known[which] = version;
                    let value = profile["middle_name"].as_str().unwrap_or("").to_owned();
                    histories[which].lock().unwrap().push(Event {
                        invoked,
                        returned,
                        op: Op::Read { version, value },
                    });
                } else {
                    written += 1;
                    let value = letters(written * CLIENTS as u64 + client as u64);
                    let if_match = known[which];
                    let response = http()
                        .patch(&url)
                        .bearer_auth(&tokens[which])
                        .header("Content-Type", "application/merge-patch+json")
                        .header("If-Match", format!("\"v{if_match}\""))
                        .body(json!({"middle_name": value}).to_string())
                        .send()
                        .await
                        .unwrap();
                    let status = response.status().as_u16();
                    let made = match status {
                        200 => Some(version_of(response.headers()["etag"].to_str().unwrap())),
                        412 => None,
                        other => panic!("a conditional write got {other}"),
                    };
                    let returned = start.elapsed().as_nanos();
                    if let Some(made) = made {
                        known[which] = made;
                    }
                    histories[which].lock().unwrap().push(Event {
                        invoked,
                        returned,
                        op: Op::Write {
                            if_match,
                            value,
                            made,
                        },
                    });
                }
            }
        }));
    }
    for client in clients {
        client.await.unwrap();
    }
    let (mut reads, mut writes, mut refused) = (0, 0, 0);
    for (i, token) in tokens.iter().enumerate() {
        let history = histories[i].lock().unwrap().clone();
        for event in &history {
            match event.op {
                Op::Read { .. } => reads += 1,
                Op::Write { made: Some(_), .. } => writes += 1,
                Op::Write { made: None, .. } => refused += 1,
            }
        }
        let (profile, etag) = read_profile(token).await;
        let last = (
            version_of(&etag),
            profile["middle_name"].as_str().unwrap_or("").to_owned(),
        );
        let verdict = check((initial[i].0, &initial[i].1), &history, (last.0, &last.1));
        assert_eq!(
            verdict,
            Ok(()),
            "customer {i}: {} operations",
            history.len()
        );
    }
    println!(
        "linearizability: {CUSTOMERS} customers, {CLIENTS} clients, {:.0} s: {reads} reads, {writes} writes acknowledged, {refused} refused as stale; linearizable, none lost, no version made twice ({})",
        start.elapsed().as_secs_f64(),
        CAPS.within(reads + writes + refused),
    );
    assert!(writes > 0 && refused > 0, "the run must contend");
}
