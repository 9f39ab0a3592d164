//! Release builds: the widget (cargo -> wasm-bindgen -> wasm-opt, into
//! `web/dist/widget`) and the Worker (worker-build, into `worker/build`).

use crate::tools::Tools;
use crate::{Result, cargo, root, run};
use std::io::Write;
use std::path::Path;
use std::process::Command;

/// Where the Worker serves the widget's files from (`[assets]` in wrangler.toml).
pub const WIDGET_DIST: &str = "web/dist/widget";

pub fn widget(tools: &Tools) -> Result<()> {
    run(cargo().args([
        "build",
        "--release",
        "--package",
        "profile-web",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    let dist = root().join(WIDGET_DIST);
    std::fs::create_dir_all(&dist).map_err(|e| format!("creating {WIDGET_DIST}: {e}"))?;
    let wasm = root().join("target/wasm32-unknown-unknown/release/profile_web.wasm");
    run(Command::new(tools.bin("wasm-bindgen"))
        .arg(&wasm)
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(&dist))?;
    let module = dist.join("profile_web_bg.wasm");
    run(Command::new(tools.node("wasm-opt"))
        .arg("-Oz")
        .arg("--enable-bulk-memory")
        .arg("--enable-nontrapping-float-to-int")
        .arg(&module)
        .arg("-o")
        .arg(&module))?;
    for file in ["widget.js", "widget.css"] {
        std::fs::copy(root().join("web/static").join(file), dist.join(file))
            .map_err(|e| format!("copying web/static/{file}: {e}"))?;
    }
    // The asset server's header rules live at the root of the assets folder.
    let assets = dist.parent().unwrap_or(&dist);
    std::fs::copy(root().join("web/static/_headers"), assets.join("_headers"))
        .map_err(|e| format!("copying web/static/_headers: {e}"))?;
    let total = report_sizes(&dist)?;
    println!("    widget total: {:.1} KB gzip", total as f64 / 1024.0);
    Ok(())
}

pub fn worker(tools: &Tools) -> Result<()> {
    run(Command::new(tools.bin("worker-build"))
        .arg("--release")
        .current_dir(root().join("worker"))
        .env("WASM_BINDGEN_BIN", tools.bin("wasm-bindgen"))
        .env("WASM_OPT_BIN", tools.node("wasm-opt"))
        .env("ESBUILD_BIN", tools.node("esbuild")))
}

/// Prints each file's gzip size and returns their sum in bytes.
pub fn report_sizes(dir: &Path) -> Result<u64> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("reading {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    let mut total = 0;
    for path in entries {
        let bytes = std::fs::read(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
        let size = gzip_size(&bytes)?;
        total += size;
        println!(
            "    {:<24} {:>8.1} KB gzip",
            path.file_name().unwrap_or_default().to_string_lossy(),
            size as f64 / 1024.0
        );
    }
    Ok(total)
}

fn gzip_size(bytes: &[u8]) -> Result<u64> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).map_err(|e| e.to_string())?;
    Ok(encoder.finish().map_err(|e| e.to_string())?.len() as u64)
}
