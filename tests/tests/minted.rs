//! Tokens minted by the libraries tenants' backends actually use, when the
//! test runs (tokens expire, so none is checked in): `jose` from npm and
//! `PyJWT` from PyPI, each for HS256, EdDSA and ES256, through the scripts in
//! `tests/mint/`. Each must let its customer in, as that customer; the same
//! library signing with a key the tenant never registered must not.
//! `cargo xtask test` installs both libraries into the tools cache.

use base64::Engine;
use e2e::keys::{ED25519_PRIVATE, ED25519_X, P256_PRIVATE, P256_X, P256_Y};
use e2e::{Caps, base_url, http, now, put_tenant, read_profile, sign, unique_customer};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const TENANT: &str = "minted-tokens";
const SECRET: &str = "minted-tokens-shared-secret-for-hs256-0123456789";
const AUDIENCE: &str = "customer-profile";

#[derive(Clone, Copy, Debug)]
enum Library {
    Jose,
    PyJwt,
}

/// `alg`, its `kid` in the tenant's configuration, and the private key.
fn keys() -> [(&'static str, &'static str, String); 3] {
    [
        ("HS256", "dev", SECRET.to_owned()),
        ("EdDSA", "ed-1", pem(ED25519_PRIVATE)),
        ("ES256", "p256-1", pem(P256_PRIVATE)),
    ]
}

/// A PKCS#8 key as the PEM text a backend keeps it in.
fn pem(der_base64: &str) -> String {
    let der = base64::engine::general_purpose::STANDARD
        .decode(der_base64)
        .unwrap();
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|line| std::str::from_utf8(line).unwrap())
        .collect();
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    )
}

/// Where `cargo xtask test` installed the library, or a clear failure.
fn installed(dir: PathBuf, name: &str) -> PathBuf {
    assert!(
        dir.join("installed").exists(),
        "{name} is not installed in {}: `cargo xtask test` installs it",
        dir.display()
    );
    dir
}

/// A token minted by `library`, for `customer`, signed with `key`.
fn mint(library: Library, alg: &str, kid: &str, key: &str, customer: &str) -> String {
    let dirs = xtask::tools::token_library_dirs().unwrap();
    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("mint");
    let mut command = match library {
        Library::Jose => {
            let script = std::fs::read_to_string(scripts.join("jose.mjs")).unwrap();
            let mut node = Command::new("node");
            node.args(["--input-type=module", "--eval", &script])
                .current_dir(installed(dirs.jose, "jose"));
            node
        }
        Library::PyJwt => {
            let mut python = Command::new("python3");
            python
                .arg(scripts.join("pyjwt.py"))
                .env("PYTHONPATH", installed(dirs.pyjwt, "PyJWT"));
            python
        }
    };
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {library:?}: {e}"));
    let input = json!({"alg": alg, "kid": kid, "key": key, "iss": TENANT, "sub": customer, "aud": AUDIENCE});
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{library:?} could not mint an {alg} token: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Reads the profile with `token` (whose ETag the write must name), then
/// saves `name` as its first name: the status of the first that fails.
async fn save_first_name(token: &str, name: &str) -> u16 {
    let read = http()
        .get(format!("{}/v1/customers/me", base_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    if read.status() != 200 {
        return read.status().as_u16();
    }
    let etag = read.headers()["etag"].to_str().unwrap().to_owned();
    http()
        .patch(format!("{}/v1/customers/me", base_url()))
        .bearer_auth(token)
        .header("If-Match", etag)
        .header("Content-Type", "application/merge-patch+json")
        .body(json!({"first_name": name}).to_string())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

const CAPS: Caps = Caps {
    suite: "tokens of tenants' libraries",
    cases: 12,
    time: Duration::from_secs(120),
};

#[tokio::test]
async fn tokens_minted_by_jose_and_pyjwt_verify_and_other_keys_do_not() {
    CAPS.run(mint_and_verify()).await;
}

async fn mint_and_verify() {
    put_tenant(
        TENANT,
        &json!({
            "name": "Minted tokens",
            "token_keys": [
                {"kid": "dev", "alg": "HS256", "secret": SECRET},
                {"kid": "ed-1", "alg": "EdDSA", "x": ED25519_X},
                {"kid": "p256-1", "alg": "ES256", "x": P256_X, "y": P256_Y}
            ]
        }),
    )
    .await;
    let (mut verified, mut refused, mut tried) = (0, 0, Vec::new());
    for library in [Library::Jose, Library::PyJwt] {
        for (alg, kid, key) in keys() {
            let customer = unique_customer("minted");
            // Names take no digits: "Jose Hs", "Pyjwt Eddsa"...
            let letters: String = alg.chars().filter(char::is_ascii_alphabetic).collect();
            let name = format!("{library:?} {letters}");
            let token = mint(library, alg, kid, &key, &customer);
            assert_eq!(
                save_first_name(&token, &name).await,
                200,
                "{library:?}'s {alg} token is refused"
            );
            // The same customer, read with a token this suite signs itself.
            let ours = sign(
                &json!({"iss": TENANT, "sub": customer, "aud": AUDIENCE, "iat": now(), "exp": now() + 600}),
                SECRET,
            );
            let (profile, _) = read_profile(&ours).await;
            assert_eq!(profile["first_name"], Value::from(name.as_str()));
            verified += 1;

            // The library signing with a key the tenant never registered.
            let other_key = if alg == "HS256" {
                "a-secret-the-tenant-never-registered-0123456789".to_owned()
            } else {
                "generate".to_owned()
            };
            let forged = mint(library, alg, kid, &other_key, &customer);
            assert_eq!(
                save_first_name(&forged, "Forged").await,
                401,
                "{library:?}'s {alg} token signed with another key is accepted"
            );
            refused += 1;
            tried.push(format!("{library:?} {alg}"));
        }
    }
    println!(
        "tokens minted by tenants' libraries: {} minted with the tenant's keys ({}), {verified} verified; {refused} signed with other keys, {refused} refused ({})",
        tried.len(),
        tried.join(", "),
        CAPS.within(verified + refused),
    );
}

/// The first code block of `language` in the README after `heading`.
fn readme_block(after: &str, language: &str) -> String {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .unwrap();
    let from = readme
        .find(after)
        .expect("the README's section on customer tokens");
    let fence = format!("```{language}\n");
    let start = from + readme[from..].find(&fence).expect("its code block") + fence.len();
    let end = start + readme[start..].find("```").unwrap();
    readme[start..end].to_owned()
}

/// The README's examples of minting a token, run as they are written.
#[tokio::test]
async fn the_readmes_token_examples_work_as_written() {
    let dirs = xtask::tools::token_library_dirs().unwrap();
    let secret = e2e::dev_var("DEMO_TENANT_SECRET").unwrap();
    let section = "**Customer tokens.**";
    for language in ["js", "python"] {
        let customer = unique_customer(&format!("readme-{language}"));
        let code = readme_block(section, language);
        let mut command = if language == "js" {
            let mut node = Command::new("node");
            node.args(["--input-type=module", "--eval", &code])
                .current_dir(installed(dirs.jose.clone(), "jose"));
            node
        } else {
            let mut python = Command::new("python3");
            python
                .args(["-c", &code])
                .env("PYTHONPATH", installed(dirs.pyjwt.clone(), "PyJWT"));
            python
        };
        let output = command
            .env("TENANT_SECRET", &secret)
            .env("CUSTOMER_ID", &customer)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "the README's {language} example failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let token = String::from_utf8(output.stdout).unwrap().trim().to_owned();
        let (profile, _) = read_profile(&token).await;
        assert_eq!(profile["external_id"], customer.as_str(), "{language}");
    }
}
