//! `cargo xtask test`: every check and test, in the order that fails fastest,
//! ending with one line `N passed, N failed`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use xtask::server::{Server, create_demo_tenant};
use xtask::tools::{self, Tools};
use xtask::{Result, build, cargo, describe, phase, root, run};

/// The longest the whole run may take, a cold one included (CI stops at 90).
const RUN_LIMIT: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// How long each fuzz target runs in a test run.
const FUZZ_TIME: std::time::Duration = std::time::Duration::from_secs(20);

/// Tests counted from the runners' `test result:` lines.
#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
}

pub fn all_checks() -> Result<()> {
    xtask::server::stop_servers_on_ctrl_c();
    let mut tally = Tally::default();
    let started = std::time::Instant::now();
    let mut result = all(&mut tally);
    let took = started.elapsed();
    println!(
        "==> the whole run took {} min {} s (its limit: {} min)",
        took.as_secs() / 60,
        took.as_secs() % 60,
        RUN_LIMIT.as_secs() / 60
    );
    if result.is_ok() && took > RUN_LIMIT {
        result = Err(format!(
            "the run took over its limit of {} minutes: look at the phases' times above",
            RUN_LIMIT.as_secs() / 60
        ));
    }
    if result.is_err() && tally.failed == 0 {
        // A check that is not a test (format, lint, build) failed: count it.
        tally.failed = 1;
    }
    // The summary is the last line: say what failed before it.
    if let Err(message) = &result {
        eprintln!("xtask: {message}");
    }
    println!("{} passed, {} failed", tally.passed, tally.failed);
    result.map_err(|_| String::new())
}

fn all(tally: &mut Tally) -> Result<()> {
    let tools = phase("install what is missing", || {
        let tools = tools::ensure(true)?;
        tools::fuzzer(&tools)?;
        tools::token_libraries()?;
        let schemathesis = tools::schemathesis()?;
        Ok((tools, schemathesis))
    })?;
    let (tools, schemathesis) = tools;
    phase("cargo fmt --check", || {
        run(cargo().args(["fmt", "--all", "--", "--check"]))
    })?;
    phase(
        "generated files are up to date (cargo xtask codegen --check)",
        || xtask::codegen::run(&["--check".to_owned()]),
    )?;
    phase(
        "the OpenAPI document's breaking changes since the last commit",
        || {
            let path = root().join("worker/openapi.json");
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("reading {}: {e}", path.display()))?;
            let now: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| format!("worker/openapi.json: {e}"))?;
            match xtask::openapi_diff::committed(&root()) {
                None => println!("    no committed copy to compare with"),
                Some(before) => {
                    let changes = xtask::openapi_diff::breaking_changes(&before, &now);
                    println!(
                        "    {} breaking changes since the last commit",
                        changes.len()
                    );
                    for change in changes {
                        println!("    breaking: {change}");
                    }
                }
            }
            Ok(())
        },
    )?;
    phase("clippy (native, every crate)", || {
        run(cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    phase("clippy (wasm32: crates/profile, worker, web)", || {
        // The libraries as they ship, and the widget's browser tests.
        run(cargo().args([
            "clippy",
            "--package",
            "profile",
            "--package",
            "profile-worker",
            "--package",
            "profile-web",
            "--target",
            "wasm32-unknown-unknown",
            "--lib",
            "--",
            "-D",
            "warnings",
        ]))?;
        run(cargo().args([
            "clippy",
            "--package",
            "profile-web",
            "--target",
            "wasm32-unknown-unknown",
            "--tests",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    phase("unit tests (native)", || {
        counted(
            cargo().args(["test", "--workspace", "--exclude", "e2e"]),
            tally,
        )
    })?;
    phase("fuzzing (each target for a fixed time)", || {
        let figures = xtask::fuzz::all(&tools, &xtask::fuzz::TARGETS, FUZZ_TIME)?;
        for line in figures {
            println!("    {line}");
        }
        tally.passed += xtask::fuzz::TARGETS.len() as u64;
        Ok(())
    })?;
    phase(
        "component tests (wasm-bindgen-test, headless Chromium)",
        || component_tests(&tools, tally),
    )?;
    let widget = phase("build the widget (release)", || build::widget(&tools))?;
    // Sizes are deterministic: the budget is a test.
    phase("widget size budget", || {
        let (size, budget) = (widget.gzip_bytes, build::WIDGET_BUDGET_BYTES);
        println!(
            "    widget: {:.1} KB gzip of {} KB ({})",
            size as f64 / 1024.0,
            budget / 1024,
            widget.path
        );
        if size > budget {
            tally.failed += 1;
            return Err(format!(
                "the widget is {size} bytes gzip, over its budget of {budget}"
            ));
        }
        tally.passed += 1;
        Ok(())
    })?;
    phase("build the Worker (release)", || build::worker(&tools))?;
    phase(
        "wrangler deploy --dry-run and the Worker's size budget",
        || {
            let output = Command::new(tools.node("wrangler"))
                .current_dir(root().join("worker"))
                .args(["deploy", "--dry-run", "--outdir"])
                .arg(root().join("target/deploy-dry-run"))
                .env("WRANGLER_SEND_METRICS", "false")
                .output()
                .map_err(|e| format!("could not start wrangler: {e}"))?;
            let text = String::from_utf8_lossy(&output.stdout);
            print!("{text}");
            if !output.status.success() {
                eprint!("{}", String::from_utf8_lossy(&output.stderr));
                return Err(format!(
                    "wrangler deploy --dry-run failed ({})",
                    output.status
                ));
            }
            let size = upload_gzip_kib(&text)
                .ok_or("wrangler deploy --dry-run printed no \"Total Upload\" line")?;
            let budget = build::WORKER_BUDGET_KIB;
            println!("    Worker: {size:.1} KiB gzip of {budget:.0} KiB");
            if size > budget {
                tally.failed += 1;
                return Err(format!(
                    "the Worker upload is {size:.1} KiB gzip, over its budget of {budget:.0} KiB"
                ));
            }
            tally.passed += 1;
            Ok(())
        },
    )?;
    phase("end-to-end tests against wrangler dev", || {
        end_to_end(&tools, tally)
    })?;
    phase("schemathesis against its own wrangler dev", || {
        let line = xtask::schemathesis::run(&tools, &schemathesis, &xtask::schemathesis::IN_TESTS)
            .inspect_err(|_| tally.failed += 1)?;
        println!("    {line}");
        tally.passed += 1;
        Ok(())
    })
}

fn component_tests(tools: &Tools, tally: &mut Tally) -> Result<()> {
    let driver = tools
        .chromedriver
        .as_ref()
        .ok_or("chromedriver is missing")?;
    counted(
        cargo()
            .args([
                "test",
                "--package",
                "profile-web",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                tools.bin("wasm-bindgen-test-runner"),
            )
            .env("CHROMEDRIVER", driver),
        tally,
    )
}

fn end_to_end(tools: &Tools, tally: &mut Tally) -> Result<()> {
    let work = root().join("target/e2e");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("creating target/e2e: {e}"))?;
    // Admin keys are checked again after 2 s instead of 60, so that a test
    // can see it happen (tests/tests/admin.rs).
    let short_checks = ["--var".into(), "KEY_CHECK_SECONDS:2".into()];
    let server = Server::start_in(tools, &work, "wrangler", &short_checks)?;
    create_demo_tenant(&server.base_url)?;
    // The same build without DEV_ENDPOINTS, as it is deployed: an env file
    // given to wrangler replaces worker/.dev.vars.
    let no_dev_vars = work.join("no-dev.vars");
    write_vars_without(&no_dev_vars, "DEV_ENDPOINTS")?;
    let deployed = Server::start_in(
        tools,
        &work,
        "wrangler-no-dev",
        &["--env-file".into(), no_dev_vars.display().to_string()],
    )?;
    let driver = tools
        .chromedriver
        .as_ref()
        .ok_or("chromedriver is missing")?;
    let result = counted(
        cargo()
            // --show-output: the suites print what they tried and found.
            .args([
                "test",
                "--package",
                "e2e",
                "--",
                "--test-threads",
                "2",
                "--show-output",
            ])
            .env("PROFILE_BASE_URL", &server.base_url)
            .env("PROFILE_NO_DEV_BASE_URL", &deployed.base_url)
            .env(
                "PROFILE_SERVER_LOG",
                server.log.as_deref().unwrap_or(Path::new("")),
            )
            .env("CHROMEDRIVER", driver),
        tally,
    );
    if result.is_err() {
        for log in [&server.log, &deployed.log].into_iter().flatten() {
            print_tail(log, 40);
        }
    }
    // Both servers stop here, when they are dropped, also after a failure.
    result
}

fn print_tail(path: &Path, lines: usize) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    println!("--- last lines of {} ---", path.display());
    for line in &all[all.len().saturating_sub(lines)..] {
        println!("{line}");
    }
}

/// Writes `worker/.dev.vars` to `path`, less the variable `name`.
fn write_vars_without(path: &Path, name: &str) -> Result<()> {
    let vars = std::fs::read_to_string(root().join("worker/.dev.vars"))
        .map_err(|e| format!("reading worker/.dev.vars: {e}"))?;
    let kept: Vec<&str> = vars
        .lines()
        .filter(|line| line.split('=').next().map(str::trim) != Some(name))
        .collect();
    std::fs::write(path, kept.join("\n") + "\n")
        .map_err(|e| format!("writing {}: {e}", path.display()))
}

/// Runs a test command, streaming its output and adding up its results.
fn counted(command: &mut Command, tally: &mut Tally) -> Result<()> {
    let name = describe(command);
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start {name}: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    for line in BufReader::new(stdout)
        .lines()
        .map_while(std::result::Result::ok)
    {
        println!("{line}");
        if let Some((passed, failed)) = parse_result(&line) {
            tally.passed += passed;
            tally.failed += failed;
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{name} failed ({status})"))
    }
}

/// `Total Upload: 2011.46 KiB / gzip: 766.97 KiB` -> 766.97.
fn upload_gzip_kib(output: &str) -> Option<f64> {
    let line = output.lines().find(|l| l.contains("Total Upload:"))?;
    let gzip = line.split("gzip:").nth(1)?.trim();
    gzip.strip_suffix("KiB")?.trim().parse().ok()
}

/// `test result: ok. 5 passed; 0 failed; ...` -> (5, 0).
fn parse_result(line: &str) -> Option<(u64, u64)> {
    let rest = line.trim().strip_prefix("test result: ")?;
    let number_before = |word: &str| -> Option<u64> {
        let end = rest.find(word)?;
        rest[..end]
            .trim_end()
            .rsplit([' ', '.'])
            .next()?
            .parse()
            .ok()
    };
    Some((number_before(" passed")?, number_before(" failed")?))
}

#[cfg(test)]
mod tests {
    use super::{parse_result, upload_gzip_kib};

    #[test]
    fn reads_the_upload_size_wrangler_prints() {
        let output = "Your Worker has access to the following bindings:\nTotal Upload: 2011.46 KiB / gzip: 766.97 KiB\n--dry-run: exiting now.";
        assert_eq!(upload_gzip_kib(output), Some(766.97));
        assert_eq!(
            upload_gzip_kib("Total Upload: 1.2 MiB / gzip: 0.9 MiB"),
            None
        );
        assert_eq!(upload_gzip_kib("nothing"), None);
    }

    #[test]
    fn reads_the_counts_of_a_test_result_line() {
        let line = "test result: FAILED. 12 passed; 3 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s";
        assert_eq!(parse_result(line), Some((12, 3)));
        assert_eq!(
            parse_result("test result: ok. 0 passed; 0 failed; 0 ignored"),
            Some((0, 0))
        );
        assert_eq!(parse_result("running 3 tests"), None);
    }
}
