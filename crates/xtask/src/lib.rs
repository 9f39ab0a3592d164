//! The project's commands as a library: the bootstrap (`tools`), the release
//! builds (`build`) and `wrangler dev` (`server`), shared by `cargo xtask` and
//! the end-to-end tests' harness.

pub mod bench;
pub mod build;
pub mod codegen;
pub mod fuzz;
pub mod openapi_diff;
pub mod schemathesis;
pub mod server;
pub mod tools;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

pub type Result<T, E = String> = std::result::Result<T, E>;

/// The repository's root (this crate lives in `crates/xtask`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/xtask has a grandparent")
        .to_path_buf()
}

/// Runs one named step, printing what it does and how long it took.
pub fn phase<T>(name: &str, step: impl FnOnce() -> Result<T>) -> Result<T> {
    println!("==> {name}");
    let started = Instant::now();
    let result = step();
    let seconds = started.elapsed().as_secs_f64();
    match &result {
        Ok(_) => println!("==> {name}: done in {seconds:.1} s"),
        Err(_) => println!("==> {name}: FAILED after {seconds:.1} s"),
    }
    result
}

/// Runs a command to completion; a non-zero exit is an error naming it.
pub fn run(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .map_err(|e| format!("could not start {}: {e}", describe(command)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} failed ({status})", describe(command)))
    }
}

pub fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// `cargo` as the one running this xtask (it honours rust-toolchain.toml).
pub fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(root());
    command
}
