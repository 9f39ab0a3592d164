//! `cargo xtask dev | test | build`: the project's commands. Each installs what
//! is missing (see `tools`), says what it is doing, and times its phases.

mod test;

use std::process::ExitCode;
use xtask::{build, phase, server, tools};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  dev [--port N]   build, run the product on wrangler dev (default port 8787) and print the demo URL
  test             run every check and test (what CI runs)
  codegen [--check]  write what worker/openapi.json takes from the code (--check: fail if it is stale)
  build            install what is missing and make the release builds of the widget and the Worker
  fuzz [--seconds N] [target ...]  run the fuzz targets, each N seconds (default 60): patch_and_validate,
                   photo, tenant_config, wire_readers (libFuzzer) and api (schemathesis, stateful phase included)
  bench [api|widget]  measure the API against the floor, and the widget against a static page; writes BENCHMARKS.md";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("dev") => server::dev(&args[1..]),
        Some("test") => test::all_checks(),
        Some("build") => build_all(),
        Some("bench") => xtask::bench::run(&args[1..]),
        Some("fuzz") => xtask::fuzz::run_command(&args[1..]),
        Some("codegen") => xtask::codegen::run(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown command\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("xtask: {message}");
            }
            ExitCode::FAILURE
        }
    }
}

fn build_all() -> Result<(), String> {
    let tools = phase("install what is missing", || tools::ensure(false))?;
    phase("build the widget (release)", || {
        build::widget(&tools).map(drop)
    })?;
    phase("build the Worker (release)", || build::worker(&tools))
}
