//! The booking platform's answers: the customer in the page's shape, and
//! ServiceStack's `ResponseStatus` for a refused request, in JSON or JSV.

use super::place;
use crate::error::{ApiError, ApiResult};
use crate::sources::aspnet::Refusal;
use crate::sources::object;
use profile::sources::AliasSettings;
use profile::{Code, CustomKind, FieldError, Profile, Rules};
use serde_json::{Map, Value, json};
use worker::Response;

/// Who reads the answer, and what it is made with.
pub struct Viewer<'a> {
    /// A customer sees what the form shows them; the programme everything.
    pub customer: bool,
    pub rules: &'a Rules,
    pub settings: &'a AliasSettings,
    pub language: &'a str,
    /// Where the photo is served from.
    pub origin: &'a str,
}

/// The page's `DataType` of a custom field.
pub fn data_type(kind: CustomKind) -> &'static str {
    match kind {
        CustomKind::Text => "TextBox",
        CustomKind::Multiline => "TextArea",
        CustomKind::Integer | CustomKind::Decimal => "Number",
        CustomKind::Date => "Date",
        CustomKind::DateTime => "DateTime",
        CustomKind::Bool => "CheckBox",
        CustomKind::Select => "DropDown",
        CustomKind::Multiselect => "MultiSelect",
    }
}

impl Viewer<'_> {
    /// The customer as the page's answer shows one.
    pub fn customer(&self, profile: &Profile) -> Value {
        let wire = match self.customer {
            true => Value::Object(profile::customer_view(profile, self.rules)),
            false => serde_json::to_value(profile).unwrap_or_default(),
        };
        let at = |pointer: &str| wire.pointer(pointer).cloned().unwrap_or(Value::Null);
        let photo = profile
            .photo
            .as_ref()
            .filter(|_| wire.get("photo").is_some());
        let sees =
            |field: &str| !self.customer || profile::access::customer_sees(field, self.rules);
        let comments = profile
            .comments
            .iter()
            .filter(|_| sees("comments"))
            .map(|c| {
                object([
                    ("Id", Value::from(c.id)),
                    ("CustomerId", Value::from(profile.id.clone())),
                    ("Comments", Value::from(c.text.clone())),
                    ("Created", Value::from(c.created.clone())),
                    ("Updated", Value::from(c.created.clone())),
                ])
            })
            .collect();
        let keys = profile
            .access_keys
            .iter()
            .filter(|_| sees("access_keys"))
            .map(|k| {
                object([
                    ("Id", Value::from(k.id.clone())),
                    ("AccessKeyTypeId", Value::from(k.type_id)),
                    ("Value", Value::from(k.value.clone())),
                    ("Description", Value::from(k.description.clone())),
                ])
            })
            .collect();
        let (fields, values) = self.custom_fields(profile);
        let image = photo.map(|id| format!("{}/v1/photos/{id}", self.origin));
        let newsletter = at(place("SubscribedToNewsletter"))
            .as_bool()
            .unwrap_or(false);
        let invoice = object([
            (
                "CorporateIdentityNumber",
                at(place("InvoiceAddress.CorporateIdentityNumber")),
            ),
            (
                "InvoiceAddress1",
                at(place("InvoiceAddress.InvoiceAddress1")),
            ),
            (
                "InvoiceAddress2",
                at(place("InvoiceAddress.InvoiceAddress2")),
            ),
            ("InvoiceCity", at(place("InvoiceAddress.InvoiceCity"))),
            (
                "InvoicePostalCode",
                at(place("InvoiceAddress.InvoicePostalCode")),
            ),
            (
                "InvoiceCountryCode",
                at(place("InvoiceAddress.InvoiceCountryCode")),
            ),
        ]);
        // Built member by member: `json!` with this many members costs the
        // Worker several KB of code.
        object([
            ("Id", Value::from(profile.id.clone())),
            ("Firstname", at(place("Firstname"))),
            ("Lastname", at(place("Lastname"))),
            ("Email", at(place("Email"))),
            ("Phone", at(place("Phone"))),
            ("ImageUrl", Value::from(image)),
            ("CustomFields", Value::Array(fields)),
            ("CustomFieldValues", Value::Array(values)),
            ("Comments", Value::Array(comments)),
            ("AccessKeys", Value::Array(keys)),
            ("Updated", Value::from(profile.updated.clone())),
            ("Created", Value::from(profile.created.clone())),
            ("ResponseStatus", Value::Object(Map::new())),
            ("SubscribedToNewsletter", Value::Bool(newsletter)),
            ("InvoiceAddress", invoice),
        ])
    }

    /// The configuration of each custom field with an id, and the values
    /// the customer has of them.
    fn custom_fields(&self, profile: &Profile) -> (Vec<Value>, Vec<Value>) {
        let (mut fields, mut values) = (Vec::new(), Vec::new());
        if self.customer && !profile::access::customer_sees("custom_fields", self.rules) {
            return (fields, values);
        }
        let mut aliases: Vec<(u32, &str)> = self
            .settings
            .custom_fields
            .iter()
            .filter_map(|(id, key)| Some((id.parse().ok()?, key.as_str())))
            .collect();
        aliases.sort_unstable();
        let tenant = self.rules.tenant();
        for (id, key) in aliases {
            let Some((def, _)) = self.rules.custom_field(key) else {
                continue;
            };
            let text = |texts: &profile::tenant::Translations| {
                profile::schema::translated(texts, self.language)
            };
            let message = |code: Code| {
                let error = FieldError::new(format!("/custom_fields/{key}"), code);
                def.error_messages
                    .contains_key(&code)
                    .then(|| error.in_language(self.language, Some(tenant)).message)
            };
            let name = text(&def.label).unwrap_or_else(|| key.to_owned());
            fields.push(object([
                ("Id", Value::from(id)),
                ("Name", Value::from(name.clone())),
                ("Description", Value::from(text(&def.help))),
                ("Width", Value::Null),
                ("DataType", Value::from(data_type(def.kind))),
                (
                    "DefaultValue",
                    Value::from(def.default.as_ref().map(as_text)),
                ),
                ("IsMandatory", Value::Bool(def.required)),
                (
                    "MandatoryErrorMessage",
                    Value::from(message(Code::Required)),
                ),
                ("MaxLength", Value::from(def.max_length.unwrap_or(0))),
                (
                    "MultipleLineText",
                    Value::Bool(def.kind == CustomKind::Multiline),
                ),
                ("RegEx", Value::from(def.pattern.clone())),
                (
                    "RegExErrorMessage",
                    Value::from(message(Code::PatternMismatch)),
                ),
                (
                    "Values",
                    Value::Array(
                        def.options
                            .iter()
                            .map(|o| object([("Value", Value::from(o.value.clone()))]))
                            .collect(),
                    ),
                ),
            ]));
            if let Some(value) = profile.custom_fields.get(key).filter(|v| !v.is_null()) {
                values.push(object([
                    ("Id", Value::from(id)),
                    ("Column", Value::from(key)),
                    ("Name", Value::from(name)),
                    ("Description", Value::from(text(&def.help))),
                    ("Value", Value::from(as_text(value))),
                    ("DataType", Value::from(data_type(def.kind))),
                ]));
            }
        }
        (fields, values)
    }
}

/// A value as the page's text.
fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A 200 answer with `body`, in JSV or JSON.
pub fn ok(body: &Value, jsv: bool) -> ApiResult<Response> {
    written(200, body, jsv, None)
}

fn written(status: u16, body: &Value, jsv: bool, retry: Option<u32>) -> ApiResult<Response> {
    let (content_type, text) = match jsv {
        true => ("text/jsv; charset=utf-8", crate::sources::jsv::write(body)),
        false => ("application/json; charset=utf-8", body.to_string()),
    };
    crate::sources::answer(status, content_type, text, retry)
}

/// ServiceStack's name of a rule's failure: FluentValidation's for the
/// three it has, the profile's code for the others.
fn error_code(code: Code) -> &'static str {
    match code {
        Code::Required => "NotEmpty",
        Code::TooLong => "MaximumLength",
        Code::PatternMismatch => "RegularExpression",
        other => other.as_str(),
    }
}

/// `{"ResponseStatus": {ErrorCode, Message, Errors: [{ErrorCode, FieldName, Message}]}}`
/// with ServiceStack's status codes.
pub fn refused(refusal: Refusal, language: &str, jsv: bool) -> ApiResult<Response> {
    let (status, code, message, retry) = match refusal {
        Refusal::Forbidden => (
            403,
            "Forbidden",
            "This credential may not change this customer or company.".to_owned(),
            None,
        ),
        Refusal::Off => (
            404,
            "NotFound",
            "This API is not switched on for this programme.".to_owned(),
            None,
        ),
        Refusal::Fields(errors, tenant) => {
            let errors: Vec<Value> = errors
                .iter()
                .map(|(field, error)| {
                    let message = error.in_language(language, tenant.as_deref()).message;
                    json!({"ErrorCode": error_code(error.code), "FieldName": field, "Message": message})
                })
                .collect();
            let taken = errors.iter().all(|e| e["ErrorCode"] == "EmailTaken");
            let first = &errors[0];
            let (code, message) = (
                first["ErrorCode"].as_str().unwrap_or_default(),
                first["Message"].as_str().unwrap_or_default().to_owned(),
            );
            let status = if taken { 409 } else { 400 };
            return written(
                status,
                &json!({"ResponseStatus": {"ErrorCode": code, "Message": message, "Errors": errors}}),
                jsv,
                None,
            );
        }
        Refusal::Api(error) => {
            crate::sources::log_internal(&error);
            let retry = crate::sources::retry_after(&error);
            let status = error.status();
            let code = match status {
                400 => "SerializationException",
                401 => "Unauthorized",
                403 => "Forbidden",
                404 => "NotFound",
                413 => "RequestEntityTooLarge",
                415 => "UnsupportedMediaType",
                429 => "TooManyRequests",
                _ => "InternalServerError",
            };
            let message = match &error {
                ApiError::InvalidToken | ApiError::InvalidKey => {
                    "The credential is missing, invalid or expired.".to_owned()
                }
                ApiError::NotFound => "No customer with this id.".to_owned(),
                other => other.detail(),
            };
            (status, code, message, retry)
        }
    };
    let body = json!({"ResponseStatus": {"ErrorCode": code, "Message": message, "Errors": []}});
    written(status, &body, jsv, retry)
}
