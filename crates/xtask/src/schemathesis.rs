//! Schemathesis against the OpenAPI document the Worker serves: it generates
//! requests from the document and checks the answers against it. It runs on
//! a `wrangler dev` of its own, with state of its own, never beside the
//! end-to-end tests, because it writes random data; it calls as a customer of
//! a tenant of its own and as the operator.

use crate::server::{Server, agent, customer_token, dev_var};
use crate::tools::Tools;
use crate::{Result, describe, root};
use std::process::Command;

/// The checks it runs, by name.
pub const CHECKS: &str = "not_a_server_error,response_schema_conformance,status_code_conformance";

const TENANT: &str = "schemathesis";
const SECRET: &str = "schemathesis-tenant-secret-0123456789abcdef";

/// How much it tries.
pub struct Budget {
    /// Examples per operation.
    pub examples: u32,
    /// Its phases: `examples,coverage,fuzzing`, and `stateful` in long runs.
    pub phases: &'static str,
    /// A time limit for the whole run, in seconds.
    pub max_seconds: u64,
}

/// The run for `cargo xtask test`: bounded, no stateful phase.
pub const IN_TESTS: Budget = Budget {
    examples: 25,
    phases: "examples,coverage,fuzzing",
    max_seconds: 120,
};

/// Runs schemathesis under `budget`; returns its figures line, or what it found.
pub fn run(tools: &Tools, schemathesis: &std::path::Path, budget: &Budget) -> Result<String> {
    let work = root().join("target/schemathesis");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("creating {}: {e}", work.display()))?;
    let server = Server::start_in(tools, &work, "wrangler", &[])?;
    let operator_key = dev_var("OPERATOR_KEY")?;
    let mut response = agent()
        .put(&format!("{}/v1/tenants/{TENANT}", server.base_url))
        .header("Authorization", &format!("Bearer {operator_key}"))
        .send_json(serde_json::json!({
            "name": "Schemathesis",
            "token_keys": [{"alg": "HS256", "secret": SECRET}]
        }))
        .map_err(|e| format!("creating the tenant {TENANT}: {e}"))?;
    if response.status() != 200 {
        let body = response.body_mut().read_to_string().unwrap_or_default();
        return Err(format!(
            "creating the tenant {TENANT}: {} {body}",
            response.status()
        ));
    }
    // An admin key of the tenant with every scope.
    let mut issued = agent()
        .post(&format!("{}/v1/tenants/{TENANT}/keys", server.base_url))
        .header("Authorization", &format!("Bearer {operator_key}"))
        .send_json(serde_json::json!({
            "name": "Schemathesis",
            "scopes": ["customers:read", "customers:write", "customers:erase", "rules:write", "webhooks:write"]
        }))
        .map_err(|e| format!("issuing an admin key: {e}"))?;
    let issued: serde_json::Value = issued
        .body_mut()
        .read_json()
        .map_err(|e| format!("issuing an admin key: {e}"))?;
    let admin_key = issued["key"]
        .as_str()
        .ok_or_else(|| format!("issuing an admin key: {issued}"))?
        .to_owned();
    // Its credentials, by the names of the document's security schemes.
    let config = work.join("schemathesis.toml");
    std::fs::write(
        &config,
        "[auth.openapi.customer]\nbearer = \"${CUSTOMER_TOKEN}\"\n\n\
         [auth.openapi.operator]\nbearer = \"${OPERATOR_KEY}\"\n\n\
         [auth.openapi.admin]\nbearer = \"${ADMIN_KEY}\"\n",
    )
    .map_err(|e| format!("writing {}: {e}", config.display()))?;
    let mut command = Command::new(schemathesis);
    command
        .arg("--config-file")
        .arg(&config)
        .arg("run")
        .arg(format!("{}/openapi.json", server.base_url))
        .args(["--checks", CHECKS])
        // It has no serializer for NDJSON bodies; the import is tested with
        // real and refused NDJSON in tests/tests/admin_import.rs.
        .args(["--exclude-operation-id", "importCustomers"])
        .arg(format!("--max-examples={}", budget.examples))
        .arg(format!("--phases={}", budget.phases))
        .arg(format!("--max-time={}", budget.max_seconds))
        // One worker: with two threads, Hypothesis parsing its lambdas' source
        // at once crashed on CPython 3.11's shared AST recursion counter
        // ("SystemError: AST constructor recursion depth mismatch", CPython
        // gh-106905), a failure of the tool, not of the API.
        .args(["--workers", "1", "--request-timeout", "20"])
        .arg("--report-dir")
        .arg(work.join("report"))
        .current_dir(&work)
        .env(
            "CUSTOMER_TOKEN",
            customer_token(TENANT, "schemathesis-customer", SECRET)?,
        )
        .env("OPERATOR_KEY", operator_key)
        .env("ADMIN_KEY", admin_key)
        .env("NO_COLOR", "1");
    let output = command
        .output()
        .map_err(|e| format!("could not start {}: {e}", describe(&command)))?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        print!("{text}");
        eprint!("{}", String::from_utf8_lossy(&output.stderr));
        return Err(format!(
            "schemathesis found answers that break the document ({}); its server's log: {}",
            output.status,
            server
                .log
                .as_ref()
                .map_or(String::new(), |l| l.display().to_string())
        ));
    }
    Ok(figures(&text, budget))
}

/// `schemathesis: 9 operations, 2179 test cases, 0 failures (checks ...; 25 examples per operation)`.
fn figures(output: &str, budget: &Budget) -> String {
    // `label: value`, or the label alone with its value on the next line.
    let lines: Vec<&str> = output.lines().map(str::trim).collect();
    let after = |label: &str| {
        let at = lines.iter().position(|line| line.starts_with(label));
        at.and_then(|i| {
            let rest = lines[i][label.len()..].trim();
            if rest.is_empty() {
                lines.get(i + 1).copied()
            } else {
                Some(rest)
            }
        })
        .unwrap_or("?")
        .to_owned()
    };
    let cases = after("Test cases:");
    let operations = after("Tested:");
    format!(
        "schemathesis: {operations} operations, phases {}, {cases} (checks {CHECKS}; {} examples per operation, at most {} s)",
        budget.phases, budget.examples, budget.max_seconds
    )
}

#[cfg(test)]
mod tests {
    use super::{IN_TESTS, figures};

    #[test]
    fn reads_its_summary() {
        let output = "API Operations:\n  Selected: 9/9\n  Tested: 9\nTest cases:\n  2179 generated, 2179 passed, 12 skipped\n";
        let line = figures(output, &IN_TESTS);
        assert!(
            line.starts_with(
                "schemathesis: 9 operations, phases examples,coverage,fuzzing, 2179 generated, 2179 passed, 12 skipped"
            ),
            "{line}"
        );
        let nothing = figures("", &IN_TESTS);
        assert!(nothing.starts_with("schemathesis: ? operations"));
    }
}
