//! The widget's calls to the profile API (gloo-net). The token comes from the
//! host page; on a 401 the page is asked once more for a fresh one.

use gloo_net::http::{Request, RequestBuilder, Response};
use profile::FieldError;
use profile::schema::FormSchema;
use serde_json::Value;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Why a call failed.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// No answer: offline, or the service could not be reached.
    Network,
    /// The page gave no token, or the service refused the fresh one too.
    SignIn,
    /// The profile changed since it was read (412).
    Conflict,
    /// Values the rules refused (422, or 409 for a taken e-mail address).
    Invalid(Vec<FieldError>),
    /// Any other answer.
    Status(u16),
    /// An answer that is not what the API sends (not JSON, or not the shape).
    Unreadable,
}

impl Failure {
    /// What a `profile-error` event says of it: `{code, status}`.
    pub fn event(&self) -> serde_json::Value {
        let (code, status) = match self {
            Failure::Network => ("network", None),
            Failure::SignIn => ("unauthorized", None),
            Failure::Status(status) => ("http", Some(*status)),
            Failure::Conflict => ("http", Some(412)),
            Failure::Invalid(_) => ("http", Some(422)),
            Failure::Unreadable => ("http", None),
        };
        serde_json::json!({ "code": code, "status": status })
    }
}

/// Every body is parsed into a `Value`, then read by the library's small
/// derived readers (`profile::wire`): serde's derives would cost the
/// widget's size budget.
fn parse(body: &str) -> Result<Value, Failure> {
    crate::json::parse(body).ok_or(Failure::Unreadable)
}

#[derive(Clone)]
pub struct Client {
    base: String,
    language: &'static str,
    get_token: js_sys::Function,
    token: Rc<RefCell<Option<String>>>,
}

/// A profile as read or saved, with the ETag that the next save sends back.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    pub profile: Value,
    pub etag: String,
}

impl Client {
    pub fn new(base: &str, language: &'static str, get_token: js_sys::Function) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            language,
            get_token,
            token: Rc::default(),
        }
    }

    /// A token the page gave before (to start loading while the WASM compiled).
    pub fn with_token(self, token: Option<String>) -> Self {
        *self.token.borrow_mut() = token;
        self
    }

    async fn fresh_token(&self) -> Result<String, Failure> {
        let promise = self
            .get_token
            .call0(&wasm_bindgen::JsValue::NULL)
            .map_err(|_| Failure::SignIn)?;
        let promise: js_sys::Promise = promise
            .dyn_into()
            .unwrap_or_else(|value| js_sys::Promise::resolve(&value));
        let token = JsFuture::from(promise)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .filter(|t| !t.is_empty())
            .ok_or(Failure::SignIn)?;
        *self.token.borrow_mut() = Some(token.clone());
        Ok(token)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/v1/customers/me{path}", self.base)
    }

    /// Where the photo `id` is served.
    pub fn photo_url(&self, id: &str) -> String {
        format!("{}/v1/photos/{id}", self.base)
    }

    /// A call of the customer's own API at `path` (after `/v1/customers/me`),
    /// as the panels make them: `make` is gloo's `Request::get`, `put` or
    /// `delete`; the answer is its status, its ETag and its body.
    pub async fn call(
        &self,
        make: fn(&str) -> RequestBuilder,
        path: &str,
        body: Option<(String, wasm_bindgen::JsValue)>,
        if_match: Option<String>,
    ) -> Result<(u16, String, String), Failure> {
        let url = self.url(path);
        let build = || {
            let mut builder = make(&url);
            if let Some((media_type, _)) = &body {
                builder = builder.header("Content-Type", media_type);
            }
            if let Some(tag) = &if_match {
                builder = builder.header("If-Match", tag);
            }
            builder
        };
        let response = self.send(build, body.as_ref().map(|(_, b)| b)).await?;
        let etag = response.headers().get("ETag").unwrap_or_default();
        let text = response.text().await.map_err(|_| Failure::Network)?;
        Ok((response.status(), etag, text))
    }

    /// Sends a request made by `build` (with `body`); on a 401, once more
    /// with a fresh token.
    async fn send(
        &self,
        build: impl Fn() -> RequestBuilder,
        body: Option<&wasm_bindgen::JsValue>,
    ) -> Result<Response, Failure> {
        let mut retried = false;
        loop {
            let cached = self.token.borrow().clone();
            let token = match cached {
                Some(token) => token,
                None => self.fresh_token().await?,
            };
            // The channel the customer's history records for their changes.
            let builder = build()
                .header("Authorization", &format!("Bearer {token}"))
                .header("Accept-Language", self.language)
                .header("X-Profile-Source", "widget");
            let request = match body {
                Some(body) => builder.body(body.clone()),
                None => builder.build(),
            }
            .map_err(|_| Failure::Network)?;
            let response = request.send().await.map_err(|_| Failure::Network)?;
            if response.status() != 401 {
                return Ok(response);
            }
            if retried {
                return Err(Failure::SignIn);
            }
            retried = true;
            self.token.borrow_mut().take();
        }
    }

    /// The answer to a read (its body and ETag), unless it was a 401: then
    /// read again.
    async fn read(
        &self,
        path: &str,
        preloaded: Option<Response>,
    ) -> Result<(String, String), Failure> {
        let response = match preloaded {
            Some(response) if response.status() != 401 => response,
            _ => self.send(|| Request::get(&self.url(path)), None).await?,
        };
        if !response.ok() {
            return Err(Failure::Status(response.status()));
        }
        let etag = response.headers().get("ETag").unwrap_or_default();
        let body = response.text().await.map_err(|_| Failure::Network)?;
        Ok((body, etag))
    }

    pub async fn profile(&self, preloaded: Option<Response>) -> Result<Loaded, Failure> {
        let (body, etag) = self.read("", preloaded).await?;
        let profile = parse(&body)?;
        Ok(Loaded { profile, etag })
    }

    pub async fn schema(&self, preloaded: Option<Response>) -> Result<FormSchema, Failure> {
        let body = parse(&self.read("/schema", preloaded).await?.0)?;
        profile::wire::form_schema(&body).map_err(|_| Failure::Unreadable)
    }

    /// Saves a merge patch made against the version `etag`.
    pub async fn save(&self, etag: &str, patch: &Value) -> Result<Loaded, Failure> {
        let body = crate::json::stringify(patch);
        let response = self
            .send(
                || {
                    Request::patch(&self.url(""))
                        .header("Content-Type", "application/merge-patch+json")
                        .header("If-Match", etag)
                },
                Some(&body.into()),
            )
            .await?;
        match response.status() {
            200 => {
                let etag = response.headers().get("ETag").unwrap_or_default();
                let body = response.text().await.map_err(|_| Failure::Network)?;
                Ok(Loaded {
                    profile: parse(&body)?,
                    etag,
                })
            }
            412 => Err(Failure::Conflict),
            status @ (409 | 422) => {
                let body = response.text().await.unwrap_or_default();
                let errors = parse(&body)
                    .ok()
                    .and_then(|problem| profile::wire::field_errors(&problem).ok())
                    .unwrap_or_default();
                if errors.is_empty() {
                    Err(Failure::Status(status))
                } else {
                    Err(Failure::Invalid(errors))
                }
            }
            status => Err(Failure::Status(status)),
        }
    }
}
