//! Installs what the build and the tests need, once, and idempotently:
//! the wasm target, the npm packages (wrangler, binaryen, axe-core), pinned cargo tools in
//! a cache outside the checkout (cargo-fuzz, and the token libraries jose and PyJWT, only for
//! the tests), Chromium for the browser tests, and
//! `worker/.dev.vars`.

use crate::{Result, root, run};
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

/// The tools cache: `$CUSTOMER_PROFILE_TOOLS`, else `$XDG_CACHE_HOME/customer-profile/tools`,
/// else `~/.cache/customer-profile/tools`. None of these folders need exist yet.
fn cache_dir() -> Result<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
    if let Some(dir) = var("CUSTOMER_PROFILE_TOOLS") {
        // A relative folder would move with the working directory of each step.
        return std::path::absolute(&dir)
            .map_err(|e| format!("CUSTOMER_PROFILE_TOOLS ({}): {e}", dir.to_string_lossy()));
    }
    // The XDG specification says to ignore a relative XDG_CACHE_HOME.
    let base = var("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .or_else(|| var("HOME").map(|home| PathBuf::from(home).join(".cache")))
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
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    for tool in CARGO_TOOLS {
        cargo_tool(Path::new(&cargo), &cargo_root, tool)?;
    }
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
    // npm's download cache goes in the tools cache, next to everything else installed.
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--cache"])
        .arg(cache_dir()?.join("npm-cache"))
        .current_dir(&worker))?;
    Ok(node_bin)
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// A pinned cargo tool: its crate, version, the binary that answers `--version`,
/// and whether its own lockfile can be used.
struct CargoTool {
    krate: &'static str,
    version: &'static str,
    bin: &'static str,
    locked: bool,
}

const CARGO_TOOLS: &[CargoTool] = &[
    CargoTool {
        krate: "wasm-bindgen-cli",
        version: WASM_BINDGEN_VERSION,
        bin: "wasm-bindgen",
        // Its own lockfile names a crate version the registry lacks.
        locked: false,
    },
    CargoTool {
        krate: "worker-build",
        version: WORKER_BUILD_VERSION,
        bin: "worker-build",
        locked: true,
    },
];

/// The token libraries tenants' backends use, for the test that their tokens
/// verify: `jose` from npm and `PyJWT` (with `cryptography`) from PyPI.
pub const JOSE_VERSION: &str = "6.2.18";
pub const PYJWT_VERSION: &str = "2.15.1";
const CRYPTOGRAPHY_VERSION: &str = "50.0.2";
/// The Standard Webhooks reference implementation, with which the tests'
/// webhook receiver checks signatures (tests/receiver.py).
pub const STANDARDWEBHOOKS_VERSION: &str = "1.1.0";

/// Where those libraries are: `jose/node_modules/jose`, and `pyjwt` and
/// `webhooks` (standardwebhooks) for PYTHONPATH.
pub struct TokenLibraries {
    pub jose: PathBuf,
    pub pyjwt: PathBuf,
    pub webhooks: PathBuf,
}

/// Their folders in the tools cache, installed or not (named by version, so
/// that a new version is a new folder).
pub fn token_library_dirs() -> Result<TokenLibraries> {
    let cache = cache_dir()?;
    Ok(TokenLibraries {
        jose: cache.join(format!("jose-{JOSE_VERSION}")),
        pyjwt: cache.join(format!("pyjwt-{PYJWT_VERSION}")),
        webhooks: cache.join(format!("standardwebhooks-{STANDARDWEBHOOKS_VERSION}")),
    })
}

/// Installs jose and PyJWT into the tools cache unless they are there, with
/// npm's and pip's download caches in the tools cache too. A folder counts as
/// installed only once its install finished (it then holds `installed`).
pub fn token_libraries() -> Result<TokenLibraries> {
    let dirs = token_library_dirs()?;
    let cache = cache_dir()?;
    let jose_spec = format!("jose@{JOSE_VERSION}");
    let npm_cache = cache.join("npm-cache");
    install_once(&dirs.jose, &jose_spec, |dir| {
        run(Command::new("npm")
            .args([
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
            ])
            .arg(dir)
            .arg("--cache")
            .arg(&npm_cache)
            .arg(&jose_spec))
    })?;
    let pyjwt_spec = format!("PyJWT {PYJWT_VERSION} with cryptography {CRYPTOGRAPHY_VERSION}");
    install_once(&dirs.pyjwt, &pyjwt_spec, |dir| {
        run(pip_install(Path::new("python3"))?
            .arg("--target")
            .arg(dir)
            .arg(format!("PyJWT[crypto]=={PYJWT_VERSION}"))
            .arg(format!("cryptography=={CRYPTOGRAPHY_VERSION}")))
        .map_err(|e| format!("{e}: PyJWT needs Python 3 with pip (python3 -m pip)"))
    })?;
    let webhooks_spec = format!("standardwebhooks {STANDARDWEBHOOKS_VERSION}");
    install_once(&dirs.webhooks, &webhooks_spec, |dir| {
        run(pip_install(Path::new("python3"))?
            .arg("--target")
            .arg(dir)
            .arg(format!("standardwebhooks=={STANDARDWEBHOOKS_VERSION}")))
        .map_err(|e| format!("{e}: standardwebhooks needs Python 3 with pip (python3 -m pip)"))
    })?;
    Ok(dirs)
}

/// Schemathesis, which tests the API against its OpenAPI document.
pub const SCHEMATHESIS_VERSION: &str = "4.32.5";

/// Installs schemathesis into a virtual environment in the tools cache unless
/// it is there; returns its command.
pub fn schemathesis() -> Result<PathBuf> {
    let cache = cache_dir()?;
    let venv = cache.join(format!("schemathesis-{SCHEMATHESIS_VERSION}"));
    let spec = format!("schemathesis {SCHEMATHESIS_VERSION}");
    install_once(&venv, &spec, |dir| {
        run(Command::new("python3").args(["-m", "venv"]).arg(dir))
            .map_err(|e| format!("{e}: schemathesis needs Python 3 with its venv module"))?;
        run(pip_install(&dir.join("bin/python"))?
            .arg(format!("schemathesis=={SCHEMATHESIS_VERSION}")))
    })?;
    Ok(venv.join("bin/schemathesis"))
}

/// `python -m pip install`, quiet, with its download cache in the tools cache.
fn pip_install(python: &Path) -> Result<Command> {
    let mut command = Command::new(python);
    command
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--root-user-action=ignore",
            "--cache-dir",
        ])
        .arg(cache_dir()?.join("pip-cache"));
    Ok(command)
}

fn install_once(dir: &Path, what: &str, install: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let stamp = dir.join("installed");
    if stamp.exists() {
        return Ok(());
    }
    println!("    installing {what} into {} (once)", dir.display());
    // What an interrupted install left is not to be trusted.
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    install(dir)?;
    std::fs::write(&stamp, what).map_err(|e| format!("writing {}: {e}", stamp.display()))
}

/// cargo-fuzz, for `cargo xtask fuzz` and the test run's fuzzing phase.
const CARGO_FUZZ: CargoTool = CargoTool {
    krate: "cargo-fuzz",
    version: "0.13.2",
    bin: "cargo-fuzz",
    locked: true,
};

/// Installs cargo-fuzz into the tools cache when it is not there.
pub fn fuzzer(tools: &Tools) -> Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    cargo_tool(Path::new(&cargo), &tools.cargo_root, &CARGO_FUZZ)
}

/// `cargo install` of one pinned version into the tools cache, unless there.
/// The cache folder is created first: on a new machine not even `~/.cache` exists.
fn cargo_tool(cargo: &Path, cargo_root: &Path, tool: &CargoTool) -> Result<()> {
    let path = cargo_root.join("bin").join(tool.bin);
    if let Ok(output) = Command::new(&path).arg("--version").output()
        && String::from_utf8_lossy(&output.stdout).contains(tool.version)
    {
        return Ok(());
    }
    std::fs::create_dir_all(cargo_root)
        .map_err(|e| format!("creating the tools cache {}: {e}", cargo_root.display()))?;
    println!(
        "    installing {} {} into {} (once; several minutes)",
        tool.krate,
        tool.version,
        cargo_root.display()
    );
    let mut install = Command::new(cargo);
    install
        .args(["install", tool.krate, "--version", tool.version, "--force"])
        .arg("--root")
        .arg(cargo_root);
    if tool.locked {
        install.arg("--locked");
    }
    // Install with the stable toolchain pinned in rust-toolchain.toml, but
    // outside the workspace, so that its release profile does not apply.
    install.current_dir(cargo_root);
    install.env("RUSTUP_TOOLCHAIN", toolchain_channel()?);
    run(&mut install)?;
    // A cargo that exits 0 without the binary would loop on every run.
    if !path.exists() {
        return Err(format!(
            "cargo install {} ended without {}",
            tool.krate,
            path.display()
        ));
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A new machine has no `~/.cache`: the install must create the nested
    /// tools folder before it runs anything there. A stand-in for cargo
    /// records where it ran and "installs" the binary, so no real build is needed.
    #[test]
    fn installs_into_a_nested_tools_folder_that_does_not_exist_yet() {
        let scratch = std::env::temp_dir().join(format!("xtask-tools-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(&scratch).unwrap();
        let fake_cargo = scratch.join("cargo");
        std::fs::write(
            &fake_cargo,
            "#!/bin/sh\n\
             # args: install KRATE --version V --force --root DIR\n\
             root=$7\n\
             pwd > \"$root/ran-in\"\n\
             mkdir -p \"$root/bin\"\n\
             printf '#!/bin/sh\\necho tool %s\\n' \"$4\" > \"$root/bin/tool\"\n\
             chmod +x \"$root/bin/tool\"\n",
        )
        .unwrap();
        std::fs::set_permissions(&fake_cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
        let cargo_root = scratch.join("home/.cache/customer-profile/tools");
        assert!(!cargo_root.parent().unwrap().exists());
        let tool = CargoTool {
            krate: "some-tool",
            version: "1.2.3",
            bin: "tool",
            locked: true,
        };

        cargo_tool(&fake_cargo, &cargo_root, &tool).expect("the install runs");

        let ran_in = std::fs::read_to_string(cargo_root.join("ran-in")).unwrap();
        assert_eq!(Path::new(ran_in.trim()), cargo_root.canonicalize().unwrap());
        // Installed once: a second call finds the version and runs nothing.
        std::fs::remove_file(cargo_root.join("ran-in")).unwrap();
        cargo_tool(&fake_cargo, &cargo_root, &tool).unwrap();
        assert!(!cargo_root.join("ran-in").exists());
        std::fs::remove_dir_all(&scratch).unwrap();
    }
}
