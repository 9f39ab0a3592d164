//! Calling a Durable Object: one JSON request, one JSON answer.

use serde::Serialize;
use serde::de::DeserializeOwned;
use worker::{Env, Headers, Method, Request, RequestInit};

/// Asks the object named `name` of the namespace `binding`.
pub async fn ask<T: DeserializeOwned>(
    env: &Env,
    binding: &str,
    name: &str,
    question: &impl Serialize,
) -> worker::Result<T> {
    let stub = env
        .durable_object(binding)?
        .id_from_name(name)?
        .get_stub()?;
    let headers = Headers::new();
    headers.set("Content-Type", "application/json")?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(serde_json::to_string(question)?.into()));
    // The URL only satisfies the Request type: the stub decides where it goes.
    let request = Request::new_with_init("https://durable-object/", &init)?;
    stub.fetch_with_request(request).await?.json().await
}
