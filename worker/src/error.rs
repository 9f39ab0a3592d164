//! The Worker's one error type and its one mapping to RFC 9457
//! `application/problem+json`. A 500 never shows internals.

use profile::FieldError;
use serde_json::json;
use worker::{Headers, Response};

/// At most this many field errors in one answer: a body full of mistakes must
/// not turn into an answer many times its size. `errors_omitted` counts the rest.
pub const MAX_LISTED_ERRORS: usize = 50;

#[derive(Debug)]
pub enum ApiError {
    /// No route matches the path (or a dev-only route while dev endpoints are off).
    NotFound,
    /// The route exists but not for this method; carries the methods it takes.
    MethodNotAllowed(String),
    /// The customer token is missing, malformed, badly signed or expired.
    InvalidToken,
    /// The request's `Origin` is not one the tenant allows.
    OriginNotAllowed,
    /// The operator key is missing or wrong.
    Unauthorized,
    /// The admin key is missing, unknown, expired or revoked.
    InvalidKey,
    /// The admin key works, but lacks the scope the route needs.
    MissingScope(profile::api::Scope),
    /// The body is not JSON, or JSON of the wrong shape; `detail` says where.
    MalformedBody(String),
    /// The body is not of an accepted media type; carries the accepted ones.
    UnsupportedMediaType(String),
    /// The body is larger than the limit, in bytes.
    PayloadTooLarge(usize),
    /// A conditional write came without `If-Match`.
    PreconditionRequired,
    /// `If-Match` does not name the current version; carries the current ETag.
    PreconditionFailed(String),
    /// `If-Match` does not name the tenant configuration's current version
    /// (its current ETag, if it exists).
    ConfigChanged(Option<String>),
    /// One or more fields failed their rules.
    Validation(Vec<FieldError>),
    /// Fields of a profile failed their rules; the tenant's rules may override messages.
    InvalidProfile(Vec<FieldError>, Box<profile::TenantRules>),
    /// Another customer of the tenant holds the e-mail address.
    EmailTaken(Vec<FieldError>, Box<profile::TenantRules>),
    /// A header (or the token claim that stands for it) is not well formed; `detail` says which.
    InvalidHeader(String),
    /// The profile took its writes for this minute: try again after this many seconds.
    TooManyWrites(u32),
    /// No code to prove an address may go out now: try again after this many seconds.
    TooManyCodes(u32),
    /// The customer's profile was erased, and the tenant suppresses their return.
    Erased,
    /// This `Idempotency-Key` came before with another request.
    IdempotencyKeyReused,
    /// The request that first came with this `Idempotency-Key` is still running.
    IdempotencyKeyInFlight,
    /// Something on our side failed; the cause is logged without personal data.
    Internal(String),
}

impl From<worker::Error> for ApiError {
    fn from(error: worker::Error) -> Self {
        ApiError::Internal(error.to_string())
    }
}

impl ApiError {
    fn status_and_title(&self) -> (u16, &'static str, &'static str) {
        match self {
            ApiError::NotFound => (404, "not-found", "Not found"),
            ApiError::MethodNotAllowed(_) => (405, "method-not-allowed", "Method not allowed"),
            ApiError::InvalidToken => (401, "invalid-token", "Invalid token"),
            ApiError::Unauthorized => (401, "unauthorized", "Unauthorized"),
            ApiError::InvalidKey => (401, "invalid-key", "Invalid admin key"),
            ApiError::MissingScope(_) => (403, "missing-scope", "The key lacks a scope"),
            ApiError::OriginNotAllowed => (403, "origin-not-allowed", "Origin not allowed"),
            ApiError::MalformedBody(_) => (400, "malformed-body", "Malformed request body"),
            ApiError::UnsupportedMediaType(_) => {
                (415, "unsupported-media-type", "Unsupported media type")
            }
            ApiError::PayloadTooLarge(_) => (413, "payload-too-large", "Request body too large"),
            ApiError::PreconditionRequired => {
                (428, "precondition-required", "Precondition required")
            }
            ApiError::PreconditionFailed(_) => {
                (412, "precondition-failed", "The profile has changed")
            }
            ApiError::ConfigChanged(_) => {
                (412, "precondition-failed", "The configuration has changed")
            }
            ApiError::Validation(_) | ApiError::InvalidProfile(..) => {
                (422, "validation-failed", "Some fields are not valid")
            }
            ApiError::EmailTaken(..) => (409, "email-taken", "E-mail address in use"),
            ApiError::InvalidHeader(_) => (400, "invalid-header", "Invalid header"),
            ApiError::TooManyWrites(_) => (429, "too-many-writes", "Too many changes"),
            ApiError::TooManyCodes(_) => (429, "too-many-codes", "Too many codes"),
            ApiError::Erased => (410, "erased", "Profile erased"),
            ApiError::IdempotencyKeyReused => (
                422,
                "idempotency-key-reused",
                "Idempotency key used for another request",
            ),
            ApiError::IdempotencyKeyInFlight => (
                409,
                "idempotency-key-in-flight",
                "The first request with this key is still running",
            ),
            ApiError::Internal(_) => (500, "internal", "Internal error"),
        }
    }

    /// The HTTP status it answers with.
    pub fn status(&self) -> u16 {
        self.status_and_title().0
    }

    /// The field errors it carries, with the tenant's rules for their
    /// messages where it has them.
    pub fn field_errors(&self) -> Option<(&[FieldError], Option<&profile::TenantRules>)> {
        match self {
            ApiError::Validation(errors) => Some((errors, None)),
            ApiError::InvalidProfile(errors, tenant) | ApiError::EmailTaken(errors, tenant) => {
                Some((errors, Some(tenant.as_ref())))
            }
            _ => None,
        }
    }

    /// What it says to a person, in English.
    pub fn detail(&self) -> String {
        match self {
            ApiError::NotFound => "There is nothing at this address.".into(),
            ApiError::MethodNotAllowed(allowed) => {
                format!("This address does not accept this method. It takes: {allowed}.")
            }
            ApiError::InvalidToken => {
                "The customer token is missing, invalid or expired. Ask the site for a new one."
                    .into()
            }
            ApiError::Unauthorized => "A valid operator key is required.".into(),
            ApiError::InvalidKey => {
                "The admin key is missing, unknown, expired or revoked. Ask the operator for a key."
                    .into()
            }
            ApiError::MissingScope(scope) => format!(
                "This key may not do this: it needs the scope {}. Ask the operator for a key that has it.",
                scope.as_str()
            ),
            ApiError::OriginNotAllowed => {
                "This site is not allowed to use the profile API. Add its origin to the tenant's allowed origins."
                    .into()
            }
            ApiError::MalformedBody(why) => why.clone(),
            ApiError::UnsupportedMediaType(accepted) => {
                format!("Send the body as one of: {accepted}.")
            }
            ApiError::PayloadTooLarge(max) => format!("The body may be at most {max} bytes."),
            ApiError::PreconditionRequired => {
                "Send If-Match with the ETag of the profile you changed.".into()
            }
            ApiError::PreconditionFailed(_) => {
                "The profile was changed elsewhere since you read it. Read it again and retry."
                    .into()
            }
            ApiError::ConfigChanged(_) => {
                "The tenant's configuration was changed since you read it (or does not exist). Read it again and retry."
                    .into()
            }
            ApiError::Validation(errors) | ApiError::InvalidProfile(errors, _)
                if errors.len() > MAX_LISTED_ERRORS =>
            {
                format!(
                    "{} field(s) failed validation; the first {MAX_LISTED_ERRORS} are listed.",
                    errors.len()
                )
            }
            ApiError::Validation(errors) | ApiError::InvalidProfile(errors, _) => {
                format!("{} field(s) failed validation.", errors.len())
            }
            ApiError::EmailTaken(..) => {
                "Another customer already holds this e-mail address, proven.".into()
            }
            ApiError::InvalidHeader(why) => why.clone(),
            ApiError::TooManyWrites(seconds) => format!(
                "This profile was changed too often in the last minute. Try again in {seconds} second(s)."
            ),
            ApiError::TooManyCodes(seconds) => format!(
                "No more codes may go to this address or from this profile for now. Try again in {seconds} second(s)."
            ),
            ApiError::Erased => {
                "This profile was erased, and the programme does not start a new one. Ask the programme if you want to return."
                    .into()
            }
            ApiError::IdempotencyKeyReused => {
                "This Idempotency-Key came before with another request. Use a new key for a new request."
                    .into()
            }
            ApiError::IdempotencyKeyInFlight => {
                "The first request with this Idempotency-Key has not finished. Retry when it has.".into()
            }
            ApiError::Internal(_) => "Something went wrong on our side. Try again later.".into(),
        }
    }

    /// The problem document, with field messages in `language` (one of
    /// `profile::messages::LANGUAGES`); `instance` names this request, as the
    /// `X-Request-Id` header and the log line do.
    pub fn into_response(self, language: &str, request_id: &str) -> worker::Result<Response> {
        let (status, slug, title) = self.status_and_title();
        if let ApiError::Internal(cause) = &self {
            worker::console_error!("internal error: {cause} (request {request_id})");
        }
        let mut body = json!({
            "type": format!("urn:customer-profile:problem:{slug}"),
            "title": title,
            "status": status,
            "detail": self.detail(),
            "instance": format!("urn:uuid:{request_id}"),
        });
        if let Some((errors, tenant)) = self.field_errors() {
            if errors.len() > MAX_LISTED_ERRORS {
                body["errors_omitted"] = json!(errors.len() - MAX_LISTED_ERRORS);
            }
            body["errors"] = errors
                .iter()
                .take(MAX_LISTED_ERRORS)
                .map(|e| json!(e.in_language(language, tenant)))
                .collect();
        }
        let headers = Headers::new();
        headers.set("Content-Type", "application/problem+json")?;
        // An error is about one request: no cache may answer another with it.
        headers.set("Cache-Control", "no-store")?;
        match &self {
            ApiError::MethodNotAllowed(allowed) => headers.set("Allow", allowed)?,
            ApiError::InvalidToken => {
                headers.set("WWW-Authenticate", r#"Bearer error="invalid_token""#)?
            }
            ApiError::PreconditionFailed(etag) | ApiError::ConfigChanged(Some(etag)) => {
                headers.set("ETag", etag)?
            }
            ApiError::TooManyWrites(seconds) | ApiError::TooManyCodes(seconds) => {
                headers.set("Retry-After", &seconds.to_string())?
            }
            _ => {}
        }
        Ok(Response::ok(body.to_string())?
            .with_status(status)
            .with_headers(headers))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
