//! Installs what the build and the tests need, once, and idempotently:
//! the wasm target, the npm packages (wrangler, binaryen, axe-core), pinned cargo tools in
//! a cache outside the checkout, Chromium for the browser tests, and
//! `worker/.dev.vars`.

use crate::{Result, cargo, root, run};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const WASM_BINDGEN_VERSION: &str = "0.2.130";
pub const WORKER_BUILD_VERSION: &str = "0.8.7";

/// Where everything installed lives.
pub struct Tools {
    /// Holds `bin/wasm-bindgen`, `bin/wasm-bindgen-test-runner`, `bin/worker-build`.
    pub cargo_root: PathBuf,
    /// `worker/node_modules/.bin`: wrangler, esbuild, wasm-opt.
    pub node_bin: PathBuf,
    pub chromedriver: Option<PathBuf>,
}

impl Tools {
    pub fn bin(&self, name: &str) -> PathBuf {
        self.cargo_root.join("bin").join(name)
    }

    pub fn node(&self, name: &str) -> PathBuf {
        self.node_bin.join(name)
    }
}

/// The tools cache: `$CUSTOMER_PROFILE_TOOLS`, else `~/.cache/customer-profile/tools`.
fn cache_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("CUSTOMER_PROFILE_TOOLS") {
        return Ok(PathBuf::from(dir));
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .ok_or("neither HOME nor XDG_CACHE_HOME is set: set CUSTOMER_PROFILE_TOOLS to a folder for the tools")?;
    Ok(base.join("customer-profile").join("tools"))
}

/// The tools where `ensure` puts them, without installing anything.
pub fn installed() -> Result<Tools> {
    let driver = PathBuf::from("/usr/bin/chromedriver");
    Ok(Tools {
        cargo_root: cache_dir()?,
        node_bin: root().join("worker/node_modules/.bin"),
        chromedriver: driver.exists().then_some(driver),
    })
}

/// Makes sure every tool is there. `browser`: also Chromium and chromedriver.
pub fn ensure(browser: bool) -> Result<Tools> {
    wasm_target()?;
    dev_vars()?;
    let node_bin = npm_packages()?;
    let cargo_root = cache_dir()?;
    cargo_tool(
        &cargo_root,
        "wasm-bindgen-cli",
        WASM_BINDGEN_VERSION,
        "wasm-bindgen",
        false,
    )?;
    cargo_tool(
        &cargo_root,
        "worker-build",
        WORKER_BUILD_VERSION,
        "worker-build",
        true,
    )?;
    let chromedriver = if browser { Some(chromium()?) } else { None };
    Ok(Tools {
        cargo_root,
        node_bin,
        chromedriver,
    })
}

fn wasm_target() -> Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .current_dir(root())
        .output()
        .map_err(|_| "rustup was not found: install Rust with rustup (https://rustup.rs), then run this again")?;
    if String::from_utf8_lossy(&installed.stdout).contains("wasm32-unknown-unknown") {
        return Ok(());
    }
    println!("    adding the Rust target wasm32-unknown-unknown");
    run(Command::new("rustup")
        .args(["target", "add", "wasm32-unknown-unknown"])
        .current_dir(root()))
}

/// Copies `worker/.dev.vars.example` to `worker/.dev.vars` when that is missing.
pub fn dev_vars() -> Result<()> {
    let vars = root().join("worker/.dev.vars");
    if !vars.exists() {
        println!("    creating worker/.dev.vars from worker/.dev.vars.example");
        std::fs::copy(root().join("worker/.dev.vars.example"), &vars)
            .map_err(|e| format!("could not create worker/.dev.vars: {e}"))?;
    }
    Ok(())
}

/// `npm ci` in `worker/` when `node_modules` is missing or older than the lockfile.
fn npm_packages() -> Result<PathBuf> {
    let worker = root().join("worker");
    let node_bin = worker.join("node_modules/.bin");
    let stamp = worker.join("node_modules/.package-lock.json");
    let fresh = modified(&stamp).is_some_and(|installed| {
        modified(&worker.join("package-lock.json")).is_some_and(|lock| installed >= lock)
    });
    if fresh && node_bin.join("wrangler").exists() && node_bin.join("wasm-opt").exists() {
        return Ok(node_bin);
    }
    if Command::new("npm").arg("--version").output().is_err() {
        return Err("Node.js and npm were not found: install Node.js 20 or later (with npm), then run this again".into());
    }
    println!(
        "    installing wrangler, binaryen and axe-core with npm ci (worker/package-lock.json)"
    );
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&worker))?;
    Ok(node_bin)
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// `cargo install` of one pinned version into the tools cache, unless there.
fn cargo_tool(
    cargo_root: &Path,
    krate: &str,
    version: &str,
    bin: &str,
    locked: bool,
) -> Result<()> {
    let path = cargo_root.join("bin").join(bin);
    if let Ok(output) = Command::new(&path).arg("--version").output()
        && String::from_utf8_lossy(&output.stdout).contains(version)
    {
        return Ok(());
    }
    println!(
        "    installing {krate} {version} into {} (once; several minutes)",
        cargo_root.display()
    );
    let mut install = cargo();
    install
        .args(["install", krate, "--version", version, "--force", "--root"])
        .arg(cargo_root);
    // wasm-bindgen-cli's own lockfile names a crate version the registry lacks.
    if locked {
        install.arg("--locked");
    }
    // Install with the stable toolchain pinned in rust-toolchain.toml, but
    // outside the workspace so that its release profile does not apply.
    install.current_dir(cargo_root.parent().unwrap_or(cargo_root));
    install.env("RUSTUP_TOOLCHAIN", toolchain_channel()?);
    run(&mut install)
}

/// The channel in rust-toolchain.toml.
fn toolchain_channel() -> Result<String> {
    let text = std::fs::read_to_string(root().join("rust-toolchain.toml"))
        .map_err(|e| format!("reading rust-toolchain.toml: {e}"))?;
    text.lines()
        .find_map(|line| {
            let value = line
                .trim()
                .strip_prefix("channel")?
                .trim()
                .strip_prefix('=')?;
            Some(value.trim().trim_matches('"').to_owned())
        })
        .ok_or_else(|| "rust-toolchain.toml has no channel".into())
}

/// Chromium and chromedriver for the browser tests; apt-get installs them when missing.
fn chromium() -> Result<PathBuf> {
    let driver = PathBuf::from("/usr/bin/chromedriver");
    if driver.exists() && Path::new("/usr/bin/chromium").exists() {
        return Ok(driver);
    }
    let is_root = unsafe { libc::geteuid() } == 0;
    if !is_root || Command::new("apt-get").arg("--version").output().is_err() {
        return Err("Chromium and ChromeDriver are needed for the browser tests: install the packages chromium and chromium-driver (as root: apt-get install chromium chromium-driver), then run this again".into());
    }
    println!("    installing chromium and chromium-driver with apt-get");
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get")
        .args([
            "install",
            "-y",
            "--no-install-recommends",
            "chromium",
            "chromium-driver",
        ])
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    Ok(driver)
}
