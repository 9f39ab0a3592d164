//! `cargo xtask bench`: the API's latency and throughput under `wrangler dev`,
//! next to the floor (a minimal JavaScript Durable Object worker reading or
//! writing one JSON value, `tests/floor`) in the same workerd, alternating the
//! two; and the widget's time to show a customer's data in Chromium, next to
//! a static page with the same fields. Writes `target/bench/report.json`,
//! `target/bench/widget.json` and their tables in `BENCHMARKS.md`.

use crate::server::{Server, agent, create_demo_tenant, customer_token, dev_var};
use crate::tools;
use crate::{Result, build, cargo, phase, root};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Makes every write a real change.
static WRITES: AtomicU64 = AtomicU64::new(0);
use std::time::{Duration, Instant};

/// Each measured round is bounded by count and by time.
const ROUND_REQUESTS: usize = 400;
const ROUND_TIME: Duration = Duration::from_secs(3);
const ROUNDS: usize = 5;
const WARM_UP: usize = 200;
const CUSTOMERS_IN_ROTATION: usize = 64;
/// The GET budget: our p50 at most this many times the floor's.
const GET_BUDGET: f64 = 1.5;

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Get,
    Patch,
}

struct Scenario {
    name: &'static str,
    op: Op,
    connections: usize,
    /// Customers in rotation (1: all on one customer).
    customers: usize,
}

const SCENARIOS: [Scenario; 6] = [
    Scenario {
        name: "GET one customer",
        op: Op::Get,
        connections: 1,
        customers: 1,
    },
    Scenario {
        name: "GET one customer",
        op: Op::Get,
        connections: 16,
        customers: 1,
    },
    Scenario {
        name: "GET customers in rotation",
        op: Op::Get,
        connections: 16,
        customers: CUSTOMERS_IN_ROTATION,
    },
    Scenario {
        name: "PATCH one customer",
        op: Op::Patch,
        connections: 1,
        customers: 1,
    },
    Scenario {
        name: "PATCH customers in rotation",
        op: Op::Patch,
        connections: 1,
        customers: CUSTOMERS_IN_ROTATION,
    },
    Scenario {
        name: "PATCH customers in rotation",
        op: Op::Patch,
        connections: 16,
        customers: CUSTOMERS_IN_ROTATION,
    },
];

/// One side of the comparison: our API, or the floor.
#[derive(Clone, Copy, PartialEq)]
enum Target {
    Ours,
    Floor,
}

/// One request; returns its latency. A PATCH carries the customer's last ETag.
fn request(
    agent: &ureq::Agent,
    target: Target,
    base: &str,
    customer: usize,
    op: Op,
    auth: &[String],
    etags: &mut [String],
) -> Result<Duration> {
    let started = Instant::now();
    let (status, etag) = match (target, op) {
        (Target::Ours, Op::Get) => {
            let r = agent
                .get(format!("{base}/v1/customers/me"))
                .header("Authorization", &auth[customer])
                .call()
                .map_err(|e| e.to_string())?;
            (r.status().as_u16(), None)
        }
        (Target::Ours, Op::Patch) => {
            let n = WRITES.fetch_add(1, Ordering::Relaxed);
            let name = if n.is_multiple_of(2) { "Ada" } else { "Grace" };
            let mut r = agent
                .patch(format!("{base}/v1/customers/me"))
                .header("Authorization", &auth[customer])
                .header("Content-Type", "application/merge-patch+json")
                .header("If-Match", &etags[customer])
                .send(json!({"first_name": name, "mobile_phone": format!("+4670{:07}", n % 10_000_000)}).to_string())
                .map_err(|e| e.to_string())?;
            let etag = r
                .headers()
                .get("etag")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let _ = r.body_mut().read_to_string();
            (r.status().as_u16(), etag)
        }
        (Target::Floor, Op::Get) => {
            let r = agent
                .get(format!("{base}/?key=c{customer}"))
                .call()
                .map_err(|e| e.to_string())?;
            (r.status().as_u16(), None)
        }
        (Target::Floor, Op::Patch) => {
            let n = WRITES.fetch_add(1, Ordering::Relaxed);
            let body = json!({"first_name": "Ada", "mobile_phone": format!("+4670{:07}", n % 10_000_000), "version": n});
            let r = agent
                .put(format!("{base}/?key=c{customer}"))
                .send(body.to_string())
                .map_err(|e| e.to_string())?;
            (r.status().as_u16(), None)
        }
    };
    let elapsed = started.elapsed();
    if status != 200 {
        return Err(format!(
            "{} answered {status}",
            if target == Target::Ours {
                "the API"
            } else {
                "the floor"
            }
        ));
    }
    if let Some(etag) = etag {
        etags[customer] = etag;
    }
    Ok(elapsed)
}

/// Runs `requests` requests over `connections` threads; returns latencies and wall time.
fn round(
    target: Target,
    base: &str,
    scenario: &Scenario,
    requests: usize,
    auth: &Arc<Vec<String>>,
    etags: &Arc<Vec<std::sync::Mutex<String>>>,
) -> Result<(Vec<Duration>, Duration)> {
    let started = Instant::now();
    let per_connection = requests.div_ceil(scenario.connections);
    let workers: Vec<_> = (0..scenario.connections)
        .map(|c| {
            let (base, auth, etags) = (base.to_owned(), auth.clone(), etags.clone());
            let (op, customers, connections) =
                (scenario.op, scenario.customers, scenario.connections);
            std::thread::spawn(move || -> Result<Vec<Duration>> {
                let agent = agent();
                let mut latencies = Vec::with_capacity(per_connection);
                // Each connection writes its own customers, so its ETags stay its own.
                let mine: Vec<usize> = if op == Op::Patch && customers > 1 {
                    (0..customers).filter(|i| i % connections == c).collect()
                } else {
                    (0..customers).collect()
                };
                let mut local: Vec<String> = etags
                    .iter()
                    .map(|e| e.lock().map(|e| e.clone()).unwrap_or_default())
                    .collect();
                for i in 0..per_connection {
                    if started.elapsed() > ROUND_TIME {
                        break;
                    }
                    let customer = mine[(i + c) % mine.len()];
                    latencies.push(request(
                        &agent, target, &base, customer, op, &auth, &mut local,
                    )?);
                }
                for (i, etag) in local.into_iter().enumerate() {
                    if mine.contains(&i)
                        && let Ok(mut shared) = etags[i].lock()
                    {
                        *shared = etag;
                    }
                }
                Ok(latencies)
            })
        })
        .collect();
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.join().map_err(|_| "a load thread panicked")??);
    }
    Ok((all, started.elapsed()))
}

#[derive(Default)]
struct Figures {
    latencies: Vec<Duration>,
    wall: Duration,
}

impl Figures {
    fn percentile(&self, p: f64) -> f64 {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted
            .get(index)
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(f64::NAN)
    }

    fn rps(&self) -> f64 {
        self.latencies.len() as f64 / self.wall.as_secs_f64()
    }

    fn json(&self) -> Value {
        json!({"requests": self.latencies.len(), "p50_ms": self.percentile(0.5), "p99_ms": self.percentile(0.99), "rps": self.rps()})
    }
}

/// `cargo xtask bench [api | widget]`: both by default.
pub fn run(args: &[String]) -> Result<()> {
    let (api, widget) = match args.first().map(String::as_str) {
        None => (true, true),
        Some("api") => (true, false),
        Some("widget") => (false, true),
        Some(other) => {
            return Err(format!(
                "usage: cargo xtask bench [api | widget], not {other:?}"
            ));
        }
    };
    crate::server::stop_servers_on_ctrl_c();
    let tools = phase("install what is missing", || tools::ensure(widget))?;
    phase("build the widget (release)", || {
        build::widget(&tools).map(drop)
    })?;
    phase("build the Worker (release)", || build::worker(&tools))?;
    let work = root().join("target/bench");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("creating target/bench: {e}"))?;
    let ours = phase("start the API on wrangler dev (fresh state)", || {
        Server::start_in(&tools, &work, "api", &[])
    })?;
    create_demo_tenant(&ours.base_url)?;
    if widget {
        phase("measure: the widget next to a static page", || {
            widget_bench(&tools, &ours.base_url, &work)
        })?;
    }
    if !api {
        return Ok(());
    }
    let floor_config = root().join("tests/floor/wrangler.toml");
    let floor = phase("start the floor worker", || {
        Server::start_in(
            &tools,
            &work,
            "floor",
            &["--config".into(), floor_config.display().to_string()],
        )
    })?;
    let secret = dev_var("DEMO_TENANT_SECRET")?;
    let auth: Vec<String> = (0..CUSTOMERS_IN_ROTATION)
        .map(|i| {
            customer_token("demo", &format!("bench-{i}"), &secret).map(|t| format!("Bearer {t}"))
        })
        .collect::<Result<_>>()?;
    let auth = Arc::new(auth);
    // Create every profile (first access) and learn its ETag.
    let etags: Arc<Vec<std::sync::Mutex<String>>> = Arc::new(
        (0..CUSTOMERS_IN_ROTATION)
            .map(|i| {
                let r = agent()
                    .get(format!("{}/v1/customers/me", ours.base_url))
                    .header("Authorization", &auth[i])
                    .call()
                    .map_err(|e| e.to_string())?;
                let etag = r
                    .headers()
                    .get("etag")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                Ok(std::sync::Mutex::new(etag))
            })
            .collect::<Result<_>>()?,
    );
    let mut rows = Vec::new();
    let mut report = Vec::new();
    for scenario in &SCENARIOS {
        let title = format!("{}, {} connection(s)", scenario.name, scenario.connections);
        let (mine, floor_figures) = phase(&format!("measure: {title}"), || {
            for target in [
                (Target::Ours, &ours.base_url),
                (Target::Floor, &floor.base_url),
            ] {
                round(target.0, target.1, scenario, WARM_UP, &auth, &etags)?;
            }
            let (mut mine, mut theirs) = (Figures::default(), Figures::default());
            for _ in 0..ROUNDS {
                let (l, w) = round(
                    Target::Ours,
                    &ours.base_url,
                    scenario,
                    ROUND_REQUESTS,
                    &auth,
                    &etags,
                )?;
                mine.latencies.extend(l);
                mine.wall += w;
                let (l, w) = round(
                    Target::Floor,
                    &floor.base_url,
                    scenario,
                    ROUND_REQUESTS,
                    &auth,
                    &etags,
                )?;
                theirs.latencies.extend(l);
                theirs.wall += w;
            }
            Ok((mine, theirs))
        })?;
        let ratio = mine.percentile(0.5) / floor_figures.percentile(0.5);
        println!(
            "    ours p50 {:.2} ms, p99 {:.2} ms, {:.0} req/s | floor p50 {:.2} ms, p99 {:.2} ms, {:.0} req/s | p50 ratio {ratio:.2}",
            mine.percentile(0.5),
            mine.percentile(0.99),
            mine.rps(),
            floor_figures.percentile(0.5),
            floor_figures.percentile(0.99),
            floor_figures.rps()
        );
        rows.push(format!(
            "| {title} | {:.2} | {:.2} | {:.0} | {:.2} | {:.2} | {:.0} | {ratio:.2} |",
            mine.percentile(0.5),
            mine.percentile(0.99),
            mine.rps(),
            floor_figures.percentile(0.5),
            floor_figures.percentile(0.99),
            floor_figures.rps()
        ));
        report.push(json!({"scenario": scenario.name, "connections": scenario.connections, "customers": scenario.customers,
                           "ours": mine.json(), "floor": floor_figures.json(), "p50_ratio": ratio,
                           "budget": (scenario.op == Op::Get).then_some(GET_BUDGET)}));
    }
    let machine = machine();
    let report = json!({"machine": machine, "rounds": ROUNDS, "round_requests": ROUND_REQUESTS, "scenarios": report});
    std::fs::write(
        work.join("report.json"),
        serde_json::to_string_pretty(&report).unwrap_or_default(),
    )
    .map_err(|e| format!("writing target/bench/report.json: {e}"))?;
    let section = format!(
        "## The API under wrangler dev (`cargo xtask bench api`)\n\nMachine: {machine}. {ROUNDS} alternating rounds of at most {ROUND_REQUESTS} requests or {} s each, after {WARM_UP} warm-up requests; times in ms. The floor is `tests/floor`: a JavaScript Durable Object that reads or writes one JSON value. Budget: GET p50 at most {GET_BUDGET}x the floor's.\n\n| scenario | ours p50 | ours p99 | ours req/s | floor p50 | floor p99 | floor req/s | p50 ratio |\n|---|---|---|---|---|---|---|---|\n{}",
        ROUND_TIME.as_secs(),
        rows.join("\n")
    );
    write_benchmarks_md(API_MARKERS, &section)?;
    println!("    wrote target/bench/report.json and BENCHMARKS.md");
    Ok(())
}

/// The widget's budget: ready at most this many times later than the static page.
const WIDGET_BUDGET: f64 = 4.0;

/// Runs `tests/src/bin/widget_bench.rs` in Chromium against `base_url`;
/// writes `target/bench/widget.json` and its section of BENCHMARKS.md.
fn widget_bench(tools: &tools::Tools, base_url: &str, work: &std::path::Path) -> Result<()> {
    let driver = tools
        .chromedriver
        .as_ref()
        .ok_or("chromedriver is missing")?;
    let output = cargo()
        .args([
            "run",
            "--quiet",
            "--release",
            "--package",
            "e2e",
            "--bin",
            "widget_bench",
        ])
        .env("PROFILE_BASE_URL", base_url)
        .env("CHROMEDRIVER", driver)
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("running the widget benchmark: {e}"))?;
    if !output.status.success() {
        return Err("the widget benchmark failed".into());
    }
    let report: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("reading the widget benchmark's report: {e}"))?;
    std::fs::write(
        work.join("widget.json"),
        serde_json::to_string_pretty(&report).unwrap_or_default(),
    )
    .map_err(|e| format!("writing target/bench/widget.json: {e}"))?;
    let number = |key: &str| report[key].as_f64().unwrap_or(f64::NAN);
    let ratio = number("median_ratio");
    println!(
        "    widget median {:.0} ms, static page median {:.0} ms, median ratio {ratio:.2} (budget {WIDGET_BUDGET})",
        number("widget_median_ms"),
        number("static_median_ms")
    );
    let section = format!(
        "## The widget in Chromium (`cargo xtask bench widget`)\n\nMachine: {}. Headless Chromium with its cache disabled loads, in turn, a page with the widget and a static HTML page with the same fields and the customer's values ({} loads each after one warm-up, both pages from one local site, the widget's files and API from `wrangler dev`). Measured: from navigation start until the first name is on screen in its field, ready for typing. Budget: the median ratio at most {WIDGET_BUDGET}x.\n\n| page | median (ms) |\n|---|---|\n| widget (schema and profile fetched while the WASM compiles) | {:.0} |\n| static HTML, same fields | {:.0} |\n| median of the per-round ratios | {ratio:.2}x |",
        machine(),
        report["loads"],
        number("widget_median_ms"),
        number("static_median_ms")
    );
    write_benchmarks_md(WIDGET_MARKERS, &section)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    format!("{cores} cores, {cpu}, wrangler dev (local workerd), loopback")
}

const API_MARKERS: (&str, &str) = ("<!-- api-bench:start -->", "<!-- api-bench:end -->");
const WIDGET_MARKERS: (&str, &str) = ("<!-- widget-bench:start -->", "<!-- widget-bench:end -->");

/// Replaces one section of BENCHMARKS.md (between its markers).
fn write_benchmarks_md((start, end): (&str, &str), section: &str) -> Result<()> {
    let path = root().join("BENCHMARKS.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|_| "# Benchmarks\n".into());
    let section = format!("{start}\n{section}\n{end}");
    let updated = match (text.find(start), text.find(end)) {
        (Some(from), Some(to)) => {
            format!("{}{section}{}", &text[..from], &text[to + end.len()..])
        }
        _ => format!("{}\n\n{section}\n", text.trim_end()),
    };
    std::fs::write(&path, updated).map_err(|e| format!("writing BENCHMARKS.md: {e}"))
}
