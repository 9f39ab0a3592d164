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

/// An answer's status, ETag and body.
async fn unpack(response: Response) -> Result<(u16, String, String), Failure> {
    let etag = response.headers().get("ETag").unwrap_or_default();
    let text = response.text().await.map_err(|_| Failure::Network)?;
    Ok((response.status(), etag, text))
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

    /// A call of the customer's own API at `path` (after `/v1/customers/me`):
    /// `make` is gloo's `Request::get`, `put`, `patch` or `delete`. On a 401
    /// it is sent once more with a fresh token. Every request of the widget
    /// goes through here, so its code is in the module once.
    pub async fn call(
        &self,
        make: fn(&str) -> RequestBuilder,
        path: &str,
        body: Option<(&str, wasm_bindgen::JsValue)>,
        if_match: Option<&str>,
    ) -> Result<Response, Failure> {
        let url = self.url(path);
        let mut retried = false;
        loop {
            let cached = self.token.borrow().clone();
            let token = match cached {
                Some(token) => token,
                None => self.fresh_token().await?,
            };
            // The channel the customer's history records for their changes.
            let mut builder = make(&url)
                .header("Authorization", &format!("Bearer {token}"))
                .header("Accept-Language", self.language)
                .header("X-Profile-Source", "widget");
            if let Some(tag) = if_match {
                builder = builder.header("If-Match", tag);
            }
            let request = match &body {
                Some((media_type, body)) => builder.header("Content-Type", media_type).body(body),
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

    /// A call's status, ETag and body.
    pub async fn answer(
        &self,
        make: fn(&str) -> RequestBuilder,
        path: &str,
        body: Option<(&str, wasm_bindgen::JsValue)>,
        if_match: Option<&str>,
    ) -> Result<(u16, String, String), Failure> {
        unpack(self.call(make, path, body, if_match).await?).await
    }

    /// The answer to a read (its body and ETag), unless it was a 401: then
    /// read again.
    async fn read(
        &self,
        path: &str,
        preloaded: Option<Response>,
    ) -> Result<(String, String), Failure> {
        let (status, etag, body) = match preloaded {
            Some(response) if response.status() != 401 => unpack(response).await?,
            _ => self.answer(Request::get, path, None, None).await?,
        };
        if !(200..300).contains(&status) {
            return Err(Failure::Status(status));
        }
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
        let body = crate::json::stringify(patch).into();
        let body = Some(("application/merge-patch+json", body));
        let (status, etag, text) = self.answer(Request::patch, "", body, Some(etag)).await?;
        match status {
            200 => Ok(Loaded {
                profile: parse(&text)?,
                etag,
            }),
            412 => Err(Failure::Conflict),
            409 | 422 => {
                let errors = parse(&text)
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
