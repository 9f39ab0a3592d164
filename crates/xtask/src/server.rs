//! Runs the Worker in the real workerd through `wrangler dev`, and sets up the
//! demo tenant on it.

use crate::tools::{self, Tools};
use crate::{Result, build, phase, root};
use std::fs::File;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Process groups of running servers, stopped on Ctrl-C.
static RUNNING: Mutex<Vec<i32>> = Mutex::new(Vec::new());

/// Stops every server this process started when Ctrl-C arrives.
pub fn stop_servers_on_ctrl_c() {
    let _ = ctrlc::set_handler(|| {
        eprintln!("\nxtask: stopping");
        for group in RUNNING.lock().map(|g| g.clone()).unwrap_or_default() {
            unsafe { libc::kill(-group, libc::SIGTERM) };
        }
        std::process::exit(130);
    });
}

pub struct Server {
    child: Child,
    pub base_url: String,
    pub log: Option<PathBuf>,
}

pub struct Options<'a> {
    pub port: u16,
    pub state: &'a Path,
    /// Where wrangler's output goes; `None` shows it in the terminal.
    pub log: Option<PathBuf>,
    /// Extra `wrangler dev` arguments.
    pub extra: &'a [String],
}

impl Server {
    pub fn start(tools: &Tools, options: Options) -> Result<Server> {
        let mut command = Command::new(tools.node("wrangler"));
        command
            .current_dir(root().join("worker"))
            .args(["dev", "--local", "--ip", "127.0.0.1", "--port"])
            .arg(options.port.to_string())
            .arg("--inspector-port")
            .arg(free_port()?.to_string())
            .arg("--persist-to")
            .arg(options.state)
            .arg("--show-interactive-dev-session=false")
            .args(options.extra)
            .env("WRANGLER_SEND_METRICS", "false")
            .env("WRANGLER_SEND_ERROR_REPORTS", "false")
            .env("WRANGLER_HIDE_BANNER", "true")
            .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
            .stdin(Stdio::null())
            // Its own process group, so that stopping it stops workerd too.
            .process_group(0);
        if let Some(log) = &options.log {
            let file = File::create(log).map_err(|e| format!("creating {}: {e}", log.display()))?;
            let err = file.try_clone().map_err(|e| e.to_string())?;
            command.stdout(file).stderr(err);
        }
        let child = command
            .spawn()
            .map_err(|e| format!("could not start wrangler: {e}"))?;
        if let Ok(mut running) = RUNNING.lock() {
            running.push(child.id() as i32);
        }
        let mut server = Server {
            child,
            base_url: format!("http://127.0.0.1:{}", options.port),
            log: options.log,
        };
        server.wait_until_ready()?;
        Ok(server)
    }

    /// Starts on a free port, with its state in `work/<name>-state` and its
    /// output in `work/<name>.log`.
    pub fn start_in(tools: &Tools, work: &Path, name: &str, extra: &[String]) -> Result<Server> {
        Server::start(
            tools,
            Options {
                port: free_port()?,
                state: &work.join(format!("{name}-state")),
                log: Some(work.join(format!("{name}.log"))),
                extra,
            },
        )
    }

    /// Polls `/healthz`: wrangler's "Ready" line may be hidden by the log level.
    fn wait_until_ready(&mut self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(120);
        let agent = agent();
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "wrangler dev exited ({status}) before it was ready{}",
                    self.log_hint()
                ));
            }
            if agent
                .get(&format!("{}/healthz", self.base_url))
                .call()
                .is_ok()
            {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        Err(format!(
            "wrangler dev was not ready within 120 s{}",
            self.log_hint()
        ))
    }

    fn log_hint(&self) -> String {
        match &self.log {
            Some(log) => format!(": see {}", log.display()),
            None => String::new(),
        }
    }

    /// Waits until the server ends (Ctrl-C in `cargo xtask dev`).
    pub fn wait(&mut self) -> Result<()> {
        self.child.wait().map_err(|e| e.to_string())?;
        Ok(())
    }

    /// Kills wrangler's whole process group (wrangler and workerd) with
    /// SIGKILL, as a crash or a power cut would: nothing is flushed or shut
    /// down. Returns once no process of the group is left.
    pub fn kill(&mut self) -> Result<()> {
        let group = self.child.id() as i32;
        unsafe { libc::kill(-group, libc::SIGKILL) };
        let _ = self.child.wait();
        let deadline = Instant::now() + Duration::from_secs(10);
        // kill(-group, 0) fails with ESRCH once the group is empty.
        while unsafe { libc::kill(-group, 0) } == 0 {
            if Instant::now() > deadline {
                return Err(format!(
                    "processes of group {group} outlived SIGKILL for 10 s"
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        if let Ok(mut running) = RUNNING.lock() {
            running.retain(|g| *g != group);
        }
        Ok(())
    }

    pub fn stop(&mut self) {
        let group = self.child.id() as i32;
        if let Ok(None) = self.child.try_wait() {
            unsafe { libc::kill(-group, libc::SIGTERM) };
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(100));
            }
            unsafe { libc::kill(-group, libc::SIGKILL) };
            let _ = self.child.wait();
        }
        if let Ok(mut running) = RUNNING.lock() {
            running.retain(|g| *g != group);
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .http_status_as_error(false)
        .build()
        .into()
}

/// A port that was free a moment ago.
pub fn free_port() -> Result<u16> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("finding a free port: {e}"))
}

/// `KEY=VALUE` lines of `worker/.dev.vars`.
pub fn dev_var(name: &str) -> Result<String> {
    let text = std::fs::read_to_string(root().join("worker/.dev.vars"))
        .map_err(|e| format!("reading worker/.dev.vars: {e}"))?;
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .find_map(|l| l.split_once('=').filter(|(k, _)| k.trim() == name))
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
        .ok_or_else(|| {
            format!("worker/.dev.vars has no {name}: compare it with worker/.dev.vars.example")
        })
}

/// A customer token of `tenant` for `customer`, signed with the tenant's
/// HS256 `secret` as its backend would sign it; valid for an hour.
pub fn customer_token(tenant: &str, customer: &str, secret: &str) -> Result<String> {
    use jsonwebtoken::{EncodingKey, Header, encode};
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs();
    let claims = serde_json::json!({"iss": tenant, "sub": customer, "aud": "customer-profile", "iat": now, "exp": now + 3600});
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .map_err(|e| e.to_string())
}

/// Creates (or updates) the demo tenant through the operator API, from
/// `worker/demo-tenant.json`, allowing `base_url` as an origin and signing
/// with `DEMO_TENANT_SECRET`.
pub fn create_demo_tenant(base_url: &str) -> Result<()> {
    let path = root().join("worker/demo-tenant.json");
    let text =
        std::fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let mut config: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("worker/demo-tenant.json: {e}"))?;
    // The page may be opened as 127.0.0.1 or as localhost: both are its origin.
    let localhost = base_url.replacen("127.0.0.1", "localhost", 1);
    config["allowed_origins"] = serde_json::json!([base_url, localhost]);
    config["token_keys"] = serde_json::json!([{"kid": "dev", "alg": "HS256", "secret": dev_var("DEMO_TENANT_SECRET")?}]);
    let mut response = agent()
        .put(&format!("{base_url}/v1/tenants/demo"))
        .header(
            "Authorization",
            &format!("Bearer {}", dev_var("OPERATOR_KEY")?),
        )
        .send_json(&config)
        .map_err(|e| format!("creating the demo tenant: {e}"))?;
    if response.status() != 200 {
        let body = response.body_mut().read_to_string().unwrap_or_default();
        return Err(format!(
            "creating the demo tenant: {} {body}",
            response.status()
        ));
    }
    Ok(())
}

/// Gives the demo tenant a webhook endpoint that the dev Worker serves
/// itself (`/dev/events`, which lists what it received), unless it has one:
/// one on another port is moved to this one.
pub fn ensure_demo_webhook(base_url: &str) -> Result<()> {
    let hooks = format!("{base_url}/v1/tenants/demo/webhooks");
    let bearer = format!("Bearer {}", dev_var("OPERATOR_KEY")?);
    let wanted = format!("{base_url}/dev/events");
    let fail = |e: ureq::Error| format!("giving the demo tenant a webhook endpoint: {e}");
    let listed: serde_json::Value = agent()
        .get(&hooks)
        .header("Authorization", &bearer)
        .call()
        .map_err(fail)?
        .body_mut()
        .read_json()
        .map_err(fail)?;
    let endpoints = listed["webhooks"].as_array().cloned().unwrap_or_default();
    if endpoints.iter().any(|e| e["url"] == wanted.as_str()) {
        return Ok(());
    }
    let moved = endpoints.iter().find(|e| {
        e["url"]
            .as_str()
            .is_some_and(|u| u.ends_with("/dev/events"))
    });
    let body = serde_json::json!({"url": wanted});
    match moved.and_then(|e| e["id"].as_str()) {
        Some(id) => agent()
            .patch(&format!("{hooks}/{id}"))
            .header("Authorization", &bearer)
            .send_json(&body)
            .map_err(fail)?,
        None => agent()
            .post(&hooks)
            .header("Authorization", &bearer)
            .send_json(&body)
            .map_err(fail)?,
    };
    Ok(())
}

/// `cargo xtask dev [--port N]`.
pub fn dev(args: &[String]) -> Result<()> {
    let port = match args {
        [] => 8787,
        [flag, value] if flag == "--port" => value
            .parse()
            .map_err(|_| format!("--port needs a number, not {value:?}"))?,
        _ => return Err("usage: cargo xtask dev [--port N]".into()),
    };
    stop_servers_on_ctrl_c();
    let tools = phase("install what is missing", || tools::ensure(false))?;
    phase("build the widget (release)", || {
        build::widget(&tools).map(drop)
    })?;
    phase("build the Worker (release)", || build::worker(&tools))?;
    let state = root().join(".state");
    let mut server = phase(
        &format!("start wrangler dev on port {port} (state in .state/)"),
        || {
            Server::start(
                &tools,
                Options {
                    port,
                    state: &state,
                    log: None,
                    extra: &[],
                },
            )
        },
    )?;
    phase("create the demo tenant", || {
        create_demo_tenant(&server.base_url)?;
        ensure_demo_webhook(&server.base_url)
    })?;
    println!();
    println!("    Demo page:  {}/demo", server.base_url);
    println!("    Its events: {}/dev/events", server.base_url);
    println!("    API:        {}/v1/customers/me", server.base_url);
    println!("    Stop with Ctrl-C.");
    println!();
    server.wait()
}
