//! `cargo xtask fuzz`: the fuzz targets of `crates/profile/fuzz` under
//! libFuzzer, each for a given time. cargo-fuzz builds them with the pinned
//! stable toolchain and no sanitizer (`-s none`): coverage instrumentation is
//! stable, address sanitizing is not, and safe Rust needs it little. A crash
//! stops the run and names the input that caused it.

use crate::tools::{self, Tools};
use crate::{Result, describe, phase, root, run};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// Every libFuzzer target, in the order they run.
pub const TARGETS: [&str; 6] = [
    "patch_and_validate",
    "photo",
    "tenant_config",
    "wire_readers",
    "xml_reader",
    "jsv_reader",
];

/// The API under schemathesis (see `crate::schemathesis`), stateful phase
/// included: the long run that `cargo xtask test` leaves out.
const API: &str = "api";

/// How long each target runs when no time is given.
const DEFAULT_SECONDS: u64 = 60;

pub fn run_command(args: &[String]) -> Result<()> {
    let usage = "usage: cargo xtask fuzz [--seconds N] [target ...]";
    let mut seconds = DEFAULT_SECONDS;
    let mut targets = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => {
                seconds = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n > 0)
                    .ok_or(format!("--seconds takes a whole number above 0\n{usage}"))?;
            }
            name if TARGETS.contains(&name) || name == API => targets.push(name),
            other => {
                return Err(format!(
                    "unknown target {other:?}: the targets are {}, {API}\n{usage}",
                    TARGETS.join(", ")
                ));
            }
        }
    }
    if targets.is_empty() {
        targets = TARGETS.to_vec();
        targets.push(API);
    }
    let api = targets.contains(&API);
    targets.retain(|t| *t != API);
    crate::server::stop_servers_on_ctrl_c();
    let (tools, schemathesis) = phase("install what is missing", || {
        let tools = tools::ensure(false)?;
        tools::fuzzer(&tools)?;
        let schemathesis = if api {
            Some(tools::schemathesis()?)
        } else {
            None
        };
        Ok((tools, schemathesis))
    })?;
    let mut figures = if targets.is_empty() {
        Vec::new()
    } else {
        all(&tools, &targets, Duration::from_secs(seconds))?
    };
    if let Some(schemathesis) = schemathesis {
        phase("build the widget and the Worker (release)", || {
            crate::build::widget(&tools)?;
            crate::build::worker(&tools)
        })?;
        let budget = crate::schemathesis::Budget {
            examples: 500,
            phases: "examples,coverage,fuzzing,stateful",
            max_seconds: seconds,
        };
        figures.push(phase(
            &format!("schemathesis for at most {seconds} s"),
            || crate::schemathesis::run(&tools, &schemathesis, &budget),
        )?);
    }
    for line in figures {
        println!("{line}");
    }
    Ok(())
}

/// Builds the targets, then runs each for `time`. Returns one line of figures
/// per target; a crash, or a target that could not run, is an error.
pub fn all(tools: &Tools, targets: &[&str], time: Duration) -> Result<Vec<String>> {
    phase("build the fuzz targets", || run(&mut fuzz(tools, "build")))?;
    let mut figures = Vec::new();
    for target in targets {
        let line = phase(&format!("fuzz {target} for {} s", time.as_secs()), || {
            one(tools, target, time)
        })?;
        figures.push(line);
    }
    Ok(figures)
}

fn fuzz(tools: &Tools, verb: &str) -> Command {
    let mut command = Command::new(tools.bin("cargo-fuzz"));
    command
        .args(["fuzz", verb, "--sanitizer", "none"])
        .current_dir(root().join("crates/profile"));
    command
}

/// One target for `time`: its corpus grows in `target/fuzz/<target>`, from
/// the checked-in seeds.
fn one(tools: &Tools, target: &str, time: Duration) -> Result<String> {
    let corpus = root().join("target/fuzz").join(target);
    std::fs::create_dir_all(&corpus).map_err(|e| format!("creating {}: {e}", corpus.display()))?;
    let seeds: PathBuf = root().join("crates/profile/fuzz/seeds").join(target);
    let mut command = fuzz(tools, "run");
    command
        .arg(target)
        .arg(&corpus)
        .arg(&seeds)
        .arg("--")
        .arg(format!("-max_total_time={}", time.as_secs()))
        // A single input that takes over 10 s is a finding too.
        .arg("-timeout=10")
        .arg("-print_final_stats=1");
    let output = command
        .output()
        .map_err(|e| format!("could not start {}: {e}", describe(&command)))?;
    let log = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        // From the panic to the file libFuzzer wrote; cargo-fuzz's own
        // backtrace after it says nothing about the target.
        let lines: Vec<&str> = log.lines().collect();
        let start = lines
            .iter()
            .position(|line| line.contains("panicked at") || line.contains("ERROR:"))
            .unwrap_or(lines.len().saturating_sub(40));
        let end = lines
            .iter()
            .position(|line| line.contains("Test unit written to"))
            .map_or(lines.len(), |at| at + 1)
            .max(start);
        for line in &lines[start..end] {
            eprintln!("{line}");
        }
        return Err(format!(
            "fuzz target {target} failed ({}): the input that caused it is in crates/profile/fuzz/artifacts/{target}/; \
             replay it with: cd crates/profile && cargo fuzz run -s none {target} <that file>",
            output.status
        ));
    }
    Ok(summary(target, time, &log))
}

/// `fuzz wire_readers: 1411705 runs in 20 s, coverage 5122, corpus 1535, 0 crashes`.
fn summary(target: &str, time: Duration, log: &str) -> String {
    let stat = |name: &str| {
        log.lines()
            .find_map(|line| line.strip_prefix(name)?.trim().strip_prefix(':'))
            .map_or("?", str::trim)
            .to_owned()
    };
    let done = log.lines().rev().find(|line| line.contains("DONE"));
    let field = |name: &str| {
        done.and_then(|line| {
            let mut words = line.split_whitespace();
            words.find(|w| *w == name)?;
            words.next().map(str::to_owned)
        })
        .unwrap_or_else(|| "?".into())
    };
    format!(
        "fuzz {target}: {} runs in {} s, coverage {}, corpus {}, 0 crashes",
        stat("stat::number_of_executed_units"),
        time.as_secs(),
        field("cov:"),
        field("corp:").split('/').next().unwrap_or("?"),
    )
}

#[cfg(test)]
mod tests {
    use super::summary;
    use std::time::Duration;

    #[test]
    fn reads_libfuzzers_final_figures() {
        let log = "#1411705\tDONE   cov: 5122 ft: 9734 corp: 1535/60Kb lim: 4013 exec/s: 67224 rss: 55Mb\n\
                   stat::number_of_executed_units: 1411705\nstat::average_exec_per_sec:     67224\n";
        assert_eq!(
            summary("wire_readers", Duration::from_secs(20), log),
            "fuzz wire_readers: 1411705 runs in 20 s, coverage 5122, corpus 1535, 0 crashes"
        );
        assert_eq!(
            summary("x", Duration::from_secs(1), "nothing"),
            "fuzz x: ? runs in 1 s, coverage ?, corpus ?, 0 crashes"
        );
    }
}
