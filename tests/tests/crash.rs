//! Crash: `wrangler dev` (wrangler and workerd, its whole process group) is
//! killed with SIGKILL while at least 16 writes are in flight, then started
//! again on the same state folder.
//!
//! Each of 24 writers owns one customer and writes it over and over, as the
//! programme's backend (an admin key): every write sets the last name and a
//! new e-mail address the programme has proven, both derived from the
//! write's number, so a profile that holds one write's name and another's
//! address is half-written. A proven address is claimed (an `EmailClaim`
//! object) before the profile is stored and the old one released after, so a
//! crash can leave a claim behind.
//!
//! After the restart: every write answered 200 is there (or the one write that
//! was in flight for that customer, whole); no profile is half-written; every
//! address a profile holds is refused to another customer; every other address
//! ever written is granted to another customer once the claim window has
//! passed (a claim left behind is handed over: repaired); and in the end the
//! claims on disk are exactly one per profile with an address.

use e2e::{Caps, demo_token, unique_customer};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use xtask::server::{Options, Server, create_demo_tenant, free_port};

/// Writers, one customer each.
const WRITERS: usize = 24;
/// Writes in flight at the kill, at least.
const IN_FLIGHT_AT_KILL: usize = 16;
/// Writing goes on this long before the kill is armed...
const WARM_UP: Duration = Duration::from_secs(3);
/// ... and the suite fails if 16 writes are never in flight by then.
const KILL_DEADLINE: Duration = Duration::from_secs(30);
/// `worker/src/email_claim.rs` PENDING_SECONDS, and a margin.
const CLAIM_WINDOW: Duration = Duration::from_secs(22);

/// Write `n` of a customer: its last name (names take no digits) and address.
fn last_name(n: u32) -> String {
    let mut letters = String::from("Crash");
    let mut n = n;
    loop {
        letters.push(char::from(b'a' + (n % 26) as u8));
        n /= 26;
        if n == 0 {
            return letters;
        }
    }
}

fn address(customer: &str, n: u32) -> String {
    format!("{customer}-{n}@example.com")
}

/// What one writer saw.
#[derive(Default)]
struct Writes {
    /// The last write answered 200, and its ETag.
    acknowledged: Option<(u32, String)>,
    acknowledged_count: usize,
    /// A write sent but not answered when the server died.
    unanswered: Option<u32>,
    /// The highest write number sent.
    last_sent: u32,
    /// Answers other than 200 before the kill.
    unexpected: Vec<String>,
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

async fn read(base: &str, token: &str) -> reqwest::Result<reqwest::Response> {
    client()
        .get(format!("{base}/v1/customers/me"))
        .bearer_auth(token)
        .send()
        .await
}

/// A new admin key of the demo tenant that may write customers.
async fn admin_key(base: &str) -> String {
    let issued: Value = client()
        .post(format!("{base}/v1/tenants/demo/keys"))
        .bearer_auth(e2e::admin::operator_key())
        .json(&json!({"name": "crash", "scopes": ["customers:write"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    issued["key"].as_str().unwrap().to_owned()
}

/// Writes `customer`'s profile as the programme, which says it proved the address.
async fn patch(
    base: &str,
    key: &str,
    customer: &str,
    etag: &str,
    body: &Value,
) -> reqwest::Result<reqwest::Response> {
    let mut body = body.clone();
    body["email_status"] = json!("verified");
    client()
        .patch(format!("{base}/v1/customers/{customer}"))
        .bearer_auth(key)
        .header("If-Match", etag)
        .header("Content-Type", "application/merge-patch+json")
        .body(body.to_string())
        .send()
        .await
}

async fn writer(
    base: String,
    key: String,
    customer: String,
    in_flight: Arc<AtomicUsize>,
    killed: Arc<AtomicBool>,
) -> Writes {
    let token = demo_token(&customer);
    let mut writes = Writes::default();
    let response = read(&base, &token).await.expect("reading before the kill");
    let mut etag = response.headers()["etag"].to_str().unwrap().to_owned();
    for n in 1.. {
        if killed.load(Ordering::SeqCst) {
            break;
        }
        let body = json!({"last_name": last_name(n), "email": address(&customer, n)});
        writes.last_sent = n;
        in_flight.fetch_add(1, Ordering::SeqCst);
        let answer = patch(&base, &key, &customer, &etag, &body).await;
        in_flight.fetch_sub(1, Ordering::SeqCst);
        match answer {
            Ok(response) if response.status() == StatusCode::OK => {
                etag = response.headers()["etag"].to_str().unwrap().to_owned();
                writes.acknowledged = Some((n, etag.clone()));
                writes.acknowledged_count += 1;
            }
            Ok(response) if !killed.load(Ordering::SeqCst) => {
                let status = response.status();
                let text = response.text().await.unwrap_or_default();
                writes
                    .unexpected
                    .push(format!("write {n}: {status} {text}"));
                break;
            }
            // Whatever came back after the kill, the write's fate is unknown.
            _ => {
                writes.unanswered = Some(n);
                break;
            }
        }
    }
    writes
}

fn start(tools: &xtask::tools::Tools, state: &Path, log: &str) -> Server {
    Server::start(
        tools,
        Options {
            port: free_port().unwrap(),
            state,
            log: Some(xtask::root().join("target/e2e").join(log)),
            extra: &[],
        },
    )
    .unwrap()
}

/// workerd's SQLite file of each `EmailClaim` object in `state`, opened.
fn claim_objects(state: &Path) -> Vec<rusqlite::Connection> {
    let folder = std::fs::read_dir(state.join("v3/do"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.to_string_lossy().ends_with("-EmailClaim"))
        .expect("workerd's folder of EmailClaim objects");
    let mut objects = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".sqlite") && name != "metadata.sqlite" {
            objects.push(rusqlite::Connection::open(&path).unwrap());
        }
    }
    objects
}

/// The object's holder: `None` if it has no claim table (the kill stopped it
/// before its first write), `Some(None)` if its address was released.
fn holder(object: &rusqlite::Connection) -> Option<Option<String>> {
    let tables: usize = object
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'claim'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    (tables == 1).then(|| {
        object
            .query_row("SELECT holder FROM claim", [], |row| row.get(0))
            .ok()
    })
}

/// The holder of every e-mail claim workerd keeps in `state`, counted.
fn claims_on_disk(state: &Path) -> BTreeMap<String, usize> {
    let mut holders = BTreeMap::new();
    for object in claim_objects(state) {
        if let Some(Some(holder)) = holder(&object) {
            *holders.entry(holder).or_default() += 1;
        }
    }
    holders
}

/// Leaves a claim behind as a crash between claiming an address and storing
/// the profile would: a released address's claim object names `holder` again.
fn plant_claim(state: &Path, holder_name: &str) {
    let object = claim_objects(state)
        .into_iter()
        .find(|object| holder(object) == Some(None))
        .expect("an address that was released");
    object
        .execute(
            "INSERT INTO claim (slot, holder, verified) VALUES (1, ?1, 1)",
            [holder_name],
        )
        .unwrap();
}

/// Sets `email` as the probe customer's address: the status and error code.
async fn probe_claim(
    base: &str,
    key: &str,
    (probe, token): (&str, &str),
    email: &str,
) -> (StatusCode, Value) {
    let response = read(base, token).await.unwrap();
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let answer = patch(base, key, probe, &etag, &json!({"email": email}))
        .await
        .unwrap();
    let status = answer.status();
    let body: Value = answer.json().await.unwrap_or(Value::Null);
    (status, body["errors"][0]["code"].clone())
}

/// Cases: writes sent before the kill.
const CAPS: Caps = Caps {
    suite: "crash",
    cases: 10_000,
    time: Duration::from_secs(240),
};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_and_email_claims_survive_a_sigkill_of_workerd() {
    CAPS.run(crash_and_check()).await;
}

async fn crash_and_check() {
    let tools = xtask::tools::installed().unwrap();
    let state = xtask::root()
        .join("target/e2e")
        .join(unique_customer("crash-state"));
    let (state_dir, tools_ref) = (state.clone(), tools);
    let (first, tools) = tokio::task::spawn_blocking(move || {
        let server = start(&tools_ref, &state_dir, "wrangler-crash-1.log");
        create_demo_tenant(&server.base_url).unwrap();
        (server, tools_ref)
    })
    .await
    .unwrap();
    let mut first = first;
    let base = first.base_url.clone();
    let key = admin_key(&base).await;

    // Write until 16 writes are in flight, then kill.
    let in_flight = Arc::new(AtomicUsize::new(0));
    let killed = Arc::new(AtomicBool::new(false));
    let customers: Vec<String> = (0..WRITERS).map(|_| unique_customer("crash")).collect();
    let tasks: Vec<_> = customers
        .iter()
        .map(|customer| {
            tokio::spawn(writer(
                base.clone(),
                key.clone(),
                customer.clone(),
                in_flight.clone(),
                killed.clone(),
            ))
        })
        .collect();
    let started = Instant::now();
    tokio::time::sleep(WARM_UP).await;
    let at_kill = loop {
        let now = in_flight.load(Ordering::SeqCst);
        if now >= IN_FLIGHT_AT_KILL {
            killed.store(true, Ordering::SeqCst);
            first.kill().unwrap();
            break now;
        }
        assert!(
            started.elapsed() < KILL_DEADLINE,
            "never {IN_FLIGHT_AT_KILL} writes in flight at once in {KILL_DEADLINE:?}"
        );
        tokio::time::sleep(Duration::from_micros(200)).await;
    };
    let killed_at = Instant::now();
    let mut writes = Vec::new();
    for task in tasks {
        writes.push(task.await.unwrap());
    }
    for w in &writes {
        assert!(
            w.unexpected.is_empty(),
            "answers before the kill: {:?}",
            w.unexpected
        );
    }
    let acknowledged: usize = writes.iter().map(|w| w.acknowledged_count).sum();
    let unanswered = writes.iter().filter(|w| w.unanswered.is_some()).count();
    let claims_after_crash = claims_on_disk(&state);
    // A crash may leave no claim behind at all: leave one for sure, so that
    // the repair is always shown.
    plant_claim(&state, &format!("demo:{}", customers[0]));

    // Start again on the same state.
    let (second, state) = tokio::task::spawn_blocking(move || {
        let server = start(&tools, &state, "wrangler-crash-2.log");
        create_demo_tenant(&server.base_url).unwrap();
        (server, state)
    })
    .await
    .unwrap();
    let mut second = second;
    let base = second.base_url.clone();
    let (mut found, mut stored_in_flight, mut held) = (0, 0, BTreeMap::new());
    for (customer, w) in customers.iter().zip(&writes) {
        let response = read(&base, &demo_token(customer)).await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "reading {customer} after the restart"
        );
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        let profile: Value = response.json().await.unwrap();
        let name = profile["last_name"].as_str().map(str::to_owned);
        let email = profile["email"].as_str().map(str::to_owned);
        // The write the profile holds, by its last name; its address must match.
        let n = (1..=w.last_sent).find(|&n| name.as_deref() == Some(last_name(n).as_str()));
        assert_eq!(
            email,
            n.map(|n| address(customer, n)),
            "{customer}'s profile is half-written: last name {name:?}, e-mail {email:?}"
        );
        match (w.acknowledged.as_ref(), n) {
            (Some((acked, acked_etag)), Some(n)) if n == *acked => {
                assert_eq!(
                    &etag, acked_etag,
                    "{customer}: write {n} is there with another version"
                );
                found += 1;
            }
            (_, Some(n)) if Some(n) == w.unanswered => {
                // The write in flight was stored whole; the acknowledged one before it is in it.
                found += usize::from(w.acknowledged.is_some());
                stored_in_flight += 1;
            }
            (None, None) => {}
            (acked, n) => panic!(
                "{customer}: acknowledged write {:?} is lost, the profile holds write {n:?}",
                acked.map(|a| a.0)
            ),
        }
        if let Some(email) = email {
            held.insert(email, format!("demo:{customer}"));
        }
    }
    let with_an_acknowledged_write = writes.iter().filter(|w| w.acknowledged.is_some()).count();
    assert_eq!(found, with_an_acknowledged_write);

    // Claims: each customer holds one per address in its profile; any more
    // were left behind by the crash.
    let left_behind_by_crash: usize = claims_after_crash
        .iter()
        .map(|(holder, count)| count - usize::from(held.values().any(|h| h == holder)))
        .sum();

    // Every address a profile holds is refused to another customer...
    let probe = unique_customer("crash-probe");
    let probe_token = demo_token(&probe);
    for email in held.keys() {
        let (status, code) = probe_claim(&base, &key, (&probe, &probe_token), email).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::CONFLICT, Some("EmailTaken")),
            "{email} is held by a profile"
        );
    }
    // ... and every other address ever written is granted, once the window
    // in which a write may still be storing its claimed address has passed.
    tokio::time::sleep(CLAIM_WINDOW.saturating_sub(killed_at.elapsed())).await;
    let mut granted = 0;
    for (customer, w) in customers.iter().zip(&writes) {
        for n in 1..=w.last_sent {
            let email = address(customer, n);
            if held.contains_key(&email) {
                continue;
            }
            let (status, code) = probe_claim(&base, &key, (&probe, &probe_token), &email).await;
            assert_eq!(
                status,
                StatusCode::OK,
                "{email}, held by no profile, is refused: {code}"
            );
            granted += 1;
        }
    }

    // In the end, on disk: one claim per profile with an address (the probe's included).
    tokio::task::spawn_blocking(move || second.kill())
        .await
        .unwrap()
        .unwrap();
    let claims_at_end = claims_on_disk(&state);
    let mut expected: BTreeMap<String, usize> = held.values().map(|h| (h.clone(), 1)).collect();
    if granted > 0 {
        expected.insert(format!("demo:{probe}"), 1);
    }
    assert_eq!(
        claims_at_end, expected,
        "the claims on disk after the repair"
    );
    let _ = std::fs::remove_dir_all(&state);

    println!(
        "crash: {WRITERS} writers, SIGKILL with {at_kill} writes in flight; {acknowledged} writes acknowledged, \
         the newest of each of {with_an_acknowledged_write} customers found ({found}), {stored_in_flight} of {unanswered} unanswered writes stored whole, \
         0 half-written profiles; e-mail claims on disk after the crash {}, {left_behind_by_crash} left behind (and 1 planted), \
         all repaired: {} held addresses refused to another customer, {granted} others granted, \
         {} claims at the end, one per profile with an address ({})",
        claims_after_crash.values().sum::<usize>(),
        held.len(),
        claims_at_end.values().sum::<usize>(),
        CAPS.within(writes.iter().map(|w| w.last_sent as usize).sum()),
    );
}
