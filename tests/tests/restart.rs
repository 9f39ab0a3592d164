//! A restart of `wrangler dev` on the same state folder loses nothing: the
//! profile lives in the customer's SQLite-backed Durable Object on disk.

use e2e::{demo_token, unique_customer};
use serde_json::{Value, json};
use xtask::server::{Options, Server, agent, create_demo_tenant, free_port};

fn start(state: &std::path::Path, log: &str) -> Server {
    let tools = xtask::tools::installed().unwrap();
    let log = xtask::root().join("target/e2e").join(log);
    let port = free_port().unwrap();
    Server::start(
        &tools,
        Options {
            port,
            state,
            log: Some(log),
            extra: &[],
        },
    )
    .unwrap()
}

#[test]
fn a_saved_name_survives_a_restart_of_the_server() {
    let state = xtask::root()
        .join("target/e2e")
        .join(unique_customer("state-restart"));
    let customer = unique_customer("restart");
    let token = demo_token(&customer);

    let mut first = start(&state, "wrangler-restart-1.log");
    create_demo_tenant(&first.base_url).unwrap();
    let url = format!("{}/v1/customers/me", first.base_url);
    let read = agent()
        .get(&url)
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .unwrap();
    let etag = read.headers()["etag"].to_str().unwrap().to_owned();
    let saved = agent()
        .patch(&url)
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "application/merge-patch+json")
        .header("If-Match", &etag)
        .send(json!({"first_name": "Sigrid"}).to_string())
        .unwrap();
    assert_eq!(saved.status(), 200);
    first.stop();

    let second = start(&state, "wrangler-restart-2.log");
    let url = format!("{}/v1/customers/me", second.base_url);
    let mut read = agent()
        .get(&url)
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(read.status(), 200);
    let profile: Value = serde_json::from_str(&read.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(profile["first_name"], "Sigrid");
    assert_eq!(profile["version"], 2);
}
