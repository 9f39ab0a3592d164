//! Release builds: the widget (cargo -> wasm-bindgen -> wasm-opt, into
//! `web/dist/widget`) and the Worker (worker-build, into `worker/build`).

use crate::tools::Tools;
use crate::{Result, cargo, root, run};
use sha2::{Digest, Sha256, Sha384};
use std::io::Write;
use std::path::Path;
use std::process::Command;

/// Where the Worker serves the widget's files from (`[assets]` in wrangler.toml).
pub const WIDGET_DIST: &str = "web/dist/widget";

/// The widget's size budget: its module (JS and CSS) and WASM, gzip. Issue
/// 13 (each consent's policy in the rules the widget reads, and its link
/// beside the consent): 142.4 -> 143.7 KB, so 143 -> 144. Issue 14 (the
/// photo, consents' dates, history, download and deletion panels), which
/// allowed at most 8 KB more: 143.7 -> 152.0 KB, so 144 -> 152. Issue 16
/// (the panel that takes the code of a new e-mail address and sends a new
/// one after a minute; its two calls' futures are most of it, measured by
/// building without it): 152.0 -> 154.4 KB, so 152 -> 155. Issue 17 (the
/// tenant settings the source APIs needed, which the browser applies as the
/// Worker does: read-only fields, the e-mail limit, the default country, an
/// invoice address that may be incomplete; their readers are most of it):
/// 158,106 -> 158,773 bytes, 53 over 155 KB, so 155 -> 156. Issue 18 (the
/// `date_time` custom field the extranet's typed values needed: its check
/// and UTC form, shared with the Worker, and the control that shows and
/// takes it in the browser's zone): -> 160,550 bytes, so 156 -> 157; (the
/// programme's access keys and comments, which the booking platform's API
/// carries: the readers of the two new profile members and their rules,
/// which the browser runs as the Worker does): -> 162,479, so 157 -> 159.
/// Issue 19 (the customer's further companies, the company's id and the
/// shop's id of the customer, which the e-commerce platform's API carries:
/// their readers and the companies' rule, run in the browser as in the
/// Worker): -> 163,144, so 159 -> 160.
pub const WIDGET_BUDGET_BYTES: u64 = 160 * 1024;
/// The Worker's upload as `wrangler deploy --dry-run` reports it (gzip, KiB):
/// a ratchet set when the Worker last shrank; an issue that needs more says so.
/// Issue 11 (labels of every field and help texts in five languages, the
/// problem's messages through `FieldError`): 577.4 -> 581.0. Issue 12 (admin
/// keys and their tenant object, the audit log, customers by id): -> 626.9;
/// (the customers' index kept by alarms, listing, search): -> 641.6; (the
/// tenant's configuration versioned in its object, the rules API): -> 651.9;
/// (the import and its object): -> 682.0. Issue 13 (history, consent ledger,
/// export, erasure and return, idempotency keys, the write limit; eleven
/// routes): -> 713.3, after the customer object's messages went from
/// internally to externally tagged and its replies are read from their text
/// (757.7 before). Issue 14 (the photo: its size read by imagesize, JPEG and
/// WebP metadata stripped with img-parts, six routes, the panels' words in
/// five languages): -> 738.0, after PNG chunks were dropped by hand instead
/// of by img-parts, whose CRC tables alone cost about 16 KiB (757.5 before).
/// Issue 15 (events: the outbox and its delivery from the customer's alarm,
/// signed attempts with a timeout, the tenant's endpoints, delivery log and
/// dead letters, nine routes, the dev receiver and its page): -> 813.2,
/// after the webhook routes became one question to the tenant's object
/// whose answer is passed on unread, and events are read back as JSON,
/// never as `Event`, whose untagged `data` brought serde's buffering
/// deserializer (830.8 before); -> 813.6 when a photo's kept bytes became
/// cleaned once more and compared (a finding of the fuzz target `photo`).
/// Issue 16 (proof of an e-mail address: the pending address and its code,
/// the verify and resend routes, the limits per customer and per address,
/// proven claims and the claim objects' migration, the code's event purged
/// on erasure, the widget's words for it in five languages, the dev fixture
/// route): -> 841.3, after the limits' sort and a u128 division went
/// (843.7 before); most of it is the two routes' futures and the serde
/// readers of the new messages, measured by diffing the wasm name sections;
/// -> 842.3 when a code that expired is no longer retried nor kept and the
/// same pending address after its minute gets a code alone. Issue 17 (the
/// first two source APIs, 004's PATCH and 002's ClientUpdate in JSON and
/// XML): -> 894.9 (896.4 before ClientUpdate stopped reading the profile
/// before its write and the adapters shared their answer and pointer
/// setter). In the wasm's name sections, against the commit before:
/// 97 KB more code, of it quick-xml's reader 27 KB, the adapters 26 KB and
/// their requests' future 11 KB (boxing it only moved it), the serde readers
/// of the new settings 4 KB; the rest is the longer OpenAPI document and
/// the answers' words in five languages. Issue 18 (000's extranet PUT in
/// JSON and XML: its DTO's reader and writer, the photo from base64, the
/// typed custom fields and their aliases, the `date_time` kind; the
/// OpenAPI document's hand-written schemas for it): -> 914.4; (001's
/// booking PUT in JSON and JSV: the JSV reader and writer, the answer with
/// the custom fields' configuration, ServiceStack's errors, access keys and
/// comments in the profile): -> 944.8, after the answers were built member
/// by member instead of with `json!`, a decimal is read by serde_json's
/// number reader instead of `f64`'s, and no object is collected (which
/// sorts) (957.7 before). In the wasm's name sections, against the commit
/// before the issue: 125 KB more code, of it the adapters' requests' future
/// 13 KB, 001's reader and answer 14 KB, 000's 13 KB, the XML and JSV
/// readers and writer 8 KB, serde's readers of the new members 12 KB.
/// Issue 19 (003's UpdateCustomer: its reader of the customer, accounts,
/// companies, addresses, flags and info, its answer and its keyed errors in
/// five languages, the shop id's index in the tenant's object, the acting
/// user in the history and events; the OpenAPI document's schemas for
/// it): -> 973.7.
/// In the wasm's name sections, against the commit before: 63 KB more code,
/// of it 003's reader 12 KB, its request's future 8 KB, its answer 5 KB,
/// serde's readers of the new profile members and messages 12 KB.
pub const WORKER_BUDGET_KIB: f64 = 974.0;

/// The built widget: where its versioned files are, and their sizes.
pub struct Widget {
    /// `/widget/<version>/widget.js`: what a host page loads.
    pub path: String,
    /// Subresource Integrity of that module.
    pub integrity: String,
    /// Module and WASM, gzip.
    pub gzip_bytes: u64,
}

/// Builds the widget: cargo -> wasm-bindgen -> wasm-opt, then one module
/// (widget.js + the WASM's glue + the CSS, minified by esbuild) that checks
/// the WASM's hash when it fetches it. Both go under a folder named after
/// their content, served immutable; `/widget/widget.js` points at it.
pub fn widget(tools: &Tools) -> Result<Widget> {
    run(cargo().args([
        "build",
        "--release",
        "--package",
        "profile-web",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    let stage = root().join("target/widget-stage");
    let _ = std::fs::remove_dir_all(&stage);
    std::fs::create_dir_all(&stage).map_err(|e| format!("creating {}: {e}", stage.display()))?;
    let wasm = root().join("target/wasm32-unknown-unknown/release/profile_web.wasm");
    run(Command::new(tools.bin("wasm-bindgen"))
        .arg(&wasm)
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(&stage))?;
    let module = stage.join("profile_web_bg.wasm");
    // Leptos links server_fn's streams, whose classes wasm-bindgen exports
    // (`IntoUnderlyingSource`...). The glue never makes one, so none of their
    // methods can run: their exports go, and with them the code only they
    // reach. Then -Oz until it shrinks no more, without the producers and
    // target features sections, which no browser reads.
    let glue = stage.join("profile_web.js");
    let glue =
        std::fs::read_to_string(&glue).map_err(|e| format!("reading {}: {e}", glue.display()))?;
    if glue.lines().any(|line| {
        line.contains("IntoUnderlying")
            && (line.contains("__wrap") || line.contains("new IntoUnderlying"))
    }) {
        return Err(
            "the WASM's glue makes a stream object, whose exports the build removes".into(),
        );
    }
    run(Command::new(tools.node("wasm-opt"))
        .arg("-Oz")
        .arg("--converge")
        .args([
            "--remove-exports",
            "--pass-arg=remove-exports@*intounderlying*",
        ])
        .args(["--strip-producers", "--strip-target-features"])
        .arg("--enable-bulk-memory")
        .arg("--enable-nontrapping-float-to-int")
        .arg(&module)
        .arg("-o")
        .arg(&module))?;
    for file in ["widget.js", "element.js"] {
        std::fs::copy(root().join("web/static").join(file), stage.join(file))
            .map_err(|e| format!("copying web/static/{file}: {e}"))?;
    }
    // The styles go in as text: minified first (their comments and spaces are
    // only for their readers).
    run(Command::new(tools.node("esbuild"))
        .arg(root().join("web/static/widget.css"))
        .args(["--minify", "--log-level=warning"])
        .arg(format!("--outfile={}", stage.join("widget.css").display())))?;
    let wasm_bytes = read(&module)?;
    let bundle = stage.join("bundle.js");
    run(Command::new(tools.node("esbuild"))
        .arg(stage.join("widget.js"))
        .args(["--bundle", "--format=esm", "--minify", "--target=es2022"])
        .arg("--loader:.css=text")
        .arg(format!(
            "--define:WASM_INTEGRITY=\"{}\"",
            integrity(&wasm_bytes)
        ))
        .arg(format!("--outfile={}", bundle.display())))?;
    let js_bytes = read(&bundle)?;

    let version = {
        let mut hash = Sha256::new();
        hash.update(&js_bytes);
        hash.update(&wasm_bytes);
        hash.finalize()[..6]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let dist = root().join(WIDGET_DIST);
    let _ = std::fs::remove_dir_all(&dist);
    let versioned = dist.join(&version);
    std::fs::create_dir_all(&versioned).map_err(|e| format!("creating {WIDGET_DIST}: {e}"))?;
    write(&versioned.join("widget.js"), &js_bytes)?;
    write(&versioned.join("profile_web_bg.wasm"), &wasm_bytes)?;
    let path = format!("/widget/{version}/widget.js");
    write(
        &dist.join("widget.js"),
        format!("// The newest widget; pin {path} (immutable) to use Subresource Integrity.\nexport * from \"./{version}/widget.js\";\n").as_bytes(),
    )?;
    let built = Widget {
        integrity: integrity(&js_bytes),
        gzip_bytes: gzip_size(&js_bytes)? + gzip_size(&wasm_bytes)?,
        path,
    };
    write(
        &dist.join("latest.json"),
        serde_json::json!({"path": built.path, "integrity": built.integrity, "gzip_bytes": built.gzip_bytes})
            .to_string()
            .as_bytes(),
    )?;
    // The asset server's header rules live at the root of the assets folder.
    let assets = dist.parent().unwrap_or(&dist);
    std::fs::copy(root().join("web/static/_headers"), assets.join("_headers"))
        .map_err(|e| format!("copying web/static/_headers: {e}"))?;
    report_sizes(&versioned)?;
    println!(
        "    widget total: {:.1} KB gzip (budget {} KB)",
        built.gzip_bytes as f64 / 1024.0,
        WIDGET_BUDGET_BYTES / 1024
    );
    println!(
        "    embed: <script type=\"module\" src=\"https://PROFILE-HOST{}\" integrity=\"{}\" crossorigin=\"anonymous\"></script>",
        built.path, built.integrity
    );
    Ok(built)
}

/// Subresource Integrity of some bytes (`sha384-<base64>`).
pub fn integrity(bytes: &[u8]) -> String {
    use base64::Engine;
    format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha384::digest(bytes))
    )
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| format!("writing {}: {e}", path.display()))
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
