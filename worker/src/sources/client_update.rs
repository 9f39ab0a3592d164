//! 002, the loyalty programme: `POST /api/client/ClientUpdate` with a
//! `SetClientUpdateRequest` in JSON (`application/json`, `text/json`) or in
//! the DataContract XML the page shows (`application/xml`, `text/xml`).
//! Always answered with `{ErrorCode, Message}` in the request's format:
//! 0 for success; [`Outcome`] lists the codes. `Token` is ignored: the
//! credential is in `Authorization`.

use super::Caller;
use super::xml::{self, Node};
use crate::customer::{self, Who};
use crate::error::ApiError;
use profile::foreign::{
    customer_id_of_integer, date_of_date_time, gender_of_code, phone_of_integer,
};
use profile::sources::{Target, target};
use profile::{Code, FieldError};
use serde_json::{Map, Value, json};
use worker::{Env, Request, Response};

const SOURCE: &str = "client_update";
/// The history's channel of its writes.
const CHANNEL: &str = "client-update";
/// The page's namespaces: the request's own, and its base class's.
const MODELS: &str = "http://schemas.datacontract.org/2004/07/LCManagerPartner.Models";
const ABSTRACTIONS: &str =
    "http://schemas.datacontract.org/2004/07/LCManagerPartner.Implementation.Abstractions";

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Integer,
    Boolean,
    Text,
}

/// The request's members as the page lists them: name, type, and whether
/// it belongs to the base class (its XML namespace).
const MEMBERS: [(&str, Kind, bool); 16] = [
    ("Client", Kind::Integer, false),
    ("Name", Kind::Text, false),
    ("Surname", Kind::Text, false),
    ("Patronymic", Kind::Text, false),
    ("AllowSms", Kind::Boolean, false),
    ("AllowEmail", Kind::Boolean, false),
    ("Birthdate", Kind::Text, false),
    ("Phone", Kind::Integer, false),
    ("Email", Kind::Text, false),
    ("Gender", Kind::Integer, false),
    ("PosCode", Kind::Text, false),
    ("AllowEmailOnlineCheque", Kind::Boolean, false),
    ("ContragentId", Kind::Text, false),
    ("Operator", Kind::Integer, true),
    ("Token", Kind::Integer, true),
    ("SiteCode", Kind::Text, true),
];

/// Every answer's `ErrorCode`, with its HTTP status. Business outcomes are
/// 200, as the programme's clients read `ErrorCode`; a credential, a body
/// or a limit that is refused has its HTTP status too.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Outcome {
    Ok = 0,
    Invalid = 1,
    ClientNotFound = 2,
    AccessDenied = 3,
    EmailTaken = 4,
    Malformed = 5,
    TooMany = 6,
    Unauthorized = 7,
    NotSwitchedOn = 8,
    Erased = 9,
    Internal = 99,
}

impl Outcome {
    fn status(self) -> u16 {
        match self {
            Outcome::Ok
            | Outcome::Invalid
            | Outcome::ClientNotFound
            | Outcome::EmailTaken
            | Outcome::Erased => 200,
            Outcome::AccessDenied => 403,
            Outcome::Malformed => 400,
            Outcome::TooMany => 429,
            Outcome::Unauthorized => 401,
            Outcome::NotSwitchedOn => 404,
            Outcome::Internal => 500,
        }
    }

    /// Its message in `language` (`en`, `es`, `sv`, `nb`, `ru`).
    fn message(self, language: &str) -> &'static str {
        let [en, es, sv, nb, ru] = match self {
            Outcome::Ok => [
                "The profile was updated.",
                "Se ha actualizado el perfil.",
                "Profilen har uppdaterats.",
                "Profilen er oppdatert.",
                "Профиль обновлён.",
            ],
            Outcome::Invalid => [
                "Some fields are not valid.",
                "Algunos campos no son válidos.",
                "Några fält är ogiltiga.",
                "Noen felt er ugyldige.",
                "Некоторые поля заполнены неверно.",
            ],
            Outcome::ClientNotFound => [
                "There is no such client.",
                "No existe ese cliente.",
                "Kunden finns inte.",
                "Kunden finnes ikke.",
                "Участник не найден.",
            ],
            Outcome::AccessDenied => [
                "This credential may not change this client or operator.",
                "Esta credencial no puede cambiar este cliente u operador.",
                "Den här behörigheten får inte ändra den här kunden eller operatören.",
                "Denne tilgangen kan ikke endre denne kunden eller operatøren.",
                "С этими учётными данными нельзя изменять этого участника или оператора.",
            ],
            Outcome::EmailTaken => [
                "This e-mail address is already in use.",
                "Esta dirección de correo ya está en uso.",
                "E-postadressen används redan.",
                "E-postadressen er allerede i bruk.",
                "Этот адрес электронной почты уже используется.",
            ],
            Outcome::Malformed => [
                "The request could not be read.",
                "No se pudo leer la solicitud.",
                "Begäran kunde inte läsas.",
                "Forespørselen kunne ikke leses.",
                "Не удалось прочитать запрос.",
            ],
            Outcome::TooMany => [
                "Too many changes; try again later.",
                "Demasiados cambios; inténtelo más tarde.",
                "För många ändringar; försök igen senare.",
                "For mange endringer; prøv igjen senere.",
                "Слишком много изменений; повторите позже.",
            ],
            Outcome::Unauthorized => [
                "The credential is missing, invalid or expired.",
                "Falta la credencial, o no es válida o ha caducado.",
                "Behörigheten saknas, är ogiltig eller har gått ut.",
                "Tilgangen mangler, er ugyldig eller utløpt.",
                "Учётные данные отсутствуют, неверны или устарели.",
            ],
            Outcome::NotSwitchedOn => [
                "This API is not available for this programme.",
                "Esta API no está disponible para este programa.",
                "Detta API är inte tillgängligt för programmet.",
                "Dette API-et er ikke tilgjengelig for programmet.",
                "Этот API недоступен для этой программы.",
            ],
            Outcome::Erased => [
                "This client's profile was erased.",
                "El perfil de este cliente se ha borrado.",
                "Kundens profil har raderats.",
                "Kundens profil er slettet.",
                "Профиль участника удалён.",
            ],
            Outcome::Internal => [
                "Something went wrong on our side; try again later.",
                "Algo ha fallado por nuestra parte; inténtelo más tarde.",
                "Något gick fel hos oss; försök igen senare.",
                "Noe gikk galt hos oss; prøv igjen senere.",
                "Произошла ошибка на нашей стороне; повторите позже.",
            ],
        };
        match language {
            "es" => es,
            "sv" => sv,
            "nb" => nb,
            "ru" => ru,
            _ => en,
        }
    }

    fn of(error: &ApiError) -> Outcome {
        match error {
            ApiError::InvalidToken | ApiError::InvalidKey => Outcome::Unauthorized,
            ApiError::MissingScope(_) => Outcome::AccessDenied,
            ApiError::MalformedBody(_)
            | ApiError::UnsupportedMediaType(_)
            | ApiError::PayloadTooLarge(_) => Outcome::Malformed,
            ApiError::TooManyWrites(_) | ApiError::TooManyCodes(_) => Outcome::TooMany,
            ApiError::NotFound => Outcome::ClientNotFound,
            ApiError::Erased => Outcome::Erased,
            ApiError::EmailTaken(..) => Outcome::EmailTaken,
            ApiError::Validation(_) | ApiError::InvalidProfile(..) => Outcome::Invalid,
            _ => Outcome::Internal,
        }
    }
}

/// An answer that is not success: its code, and what it says beyond the
/// code's message (the fields and their messages).
struct Refusal {
    outcome: Outcome,
    /// The HTTP status, where it is not the outcome's own (413, 415).
    status: Option<u16>,
    detail: Option<String>,
    retry_after: Option<u32>,
}

impl Refusal {
    fn new(outcome: Outcome) -> Refusal {
        Refusal {
            outcome,
            status: None,
            detail: None,
            retry_after: None,
        }
    }

    fn with(mut self, detail: String) -> Refusal {
        self.detail = Some(detail);
        self
    }

    fn of(error: ApiError, language: &str, member_of: &dyn Fn(&str) -> String) -> Refusal {
        super::log_internal(&error);
        let mut refusal = Refusal::new(Outcome::of(&error));
        refusal.retry_after = super::retry_after(&error);
        refusal.status = match &error {
            ApiError::PayloadTooLarge(_) | ApiError::UnsupportedMediaType(_) => {
                Some(error.status())
            }
            _ => None,
        };
        refusal.detail = match error.field_errors() {
            Some((errors, tenant)) => Some(fields(
                errors.iter().map(|e| (member_of(&e.pointer), e.clone())),
                language,
                tenant,
            )),
            None if refusal.outcome == Outcome::Malformed => Some(error.detail()),
            None => None,
        };
        refusal
    }
}

/// `member: message; member: message`.
fn fields(
    errors: impl Iterator<Item = (String, FieldError)>,
    language: &str,
    tenant: Option<&profile::TenantRules>,
) -> String {
    errors
        .map(|(member, e)| format!("{member}: {}", e.in_language(language, tenant).message))
        .collect::<Vec<_>>()
        .join("; ")
}

pub async fn handle(
    mut req: Request,
    env: &Env,
    route: &profile::api::Route,
) -> crate::error::ApiResult<Response> {
    let as_xml = super::is_xml(&req);
    let mut tenant = None;
    let outcome = run(&mut req, env, route, &mut tenant).await;
    let language = super::language(&req, tenant.as_deref());
    let refusal = match outcome {
        Ok(()) => Refusal::new(Outcome::Ok),
        Err(refusal) => refusal,
    };
    answer(refusal, language, as_xml)
}

async fn run(
    req: &mut Request,
    env: &Env,
    route: &profile::api::Route,
    tenant: &mut Option<std::rc::Rc<crate::tenant::Tenant>>,
) -> Result<(), Refusal> {
    let plain = |error: ApiError| Refusal::of(error, "en", &|_| String::new());
    let caller = Caller::of(req, env, profile::api::Scope::CustomersWrite)
        .await
        .map_err(plain)?;
    *tenant = Some(caller.tenant().clone());
    let language = super::language(req, Some(caller.tenant()));
    let Some(settings) = caller.tenant().sources.client_update.clone() else {
        return Err(Refusal::new(Outcome::NotSwitchedOn));
    };
    let bytes = super::body(req, route).await.map_err(plain)?;
    let request = if super::is_xml(req) {
        from_xml(&bytes)?
    } else {
        from_json(&bytes)?
    };
    let request = typed(request, language)?;
    if let Some(operator) = request.get("Operator").and_then(Value::as_i64)
        && operator != settings.operator
    {
        return Err(Refusal::new(Outcome::AccessDenied).with("(Operator)".into()));
    }
    let client = match request.get("Client").and_then(Value::as_i64) {
        Some(client) => {
            customer_id_of_integer(client).ok_or_else(|| Refusal::new(Outcome::ClientNotFound))?
        }
        None => {
            let missing = FieldError::new("", Code::Required);
            let detail = fields(std::iter::once(("Client".into(), missing)), language, None);
            return Err(Refusal::new(Outcome::Invalid).with(detail));
        }
    };
    let who = caller
        .customer(&client)
        .map_err(|_| Refusal::new(Outcome::AccessDenied).with("(Client)".into()))?;
    let (patch, places) = patch(&request, language)?;
    let text = |name: &str| request.get(name).and_then(Value::as_str).map(str::to_owned);
    let point_of_sale = text("PosCode").or_else(|| text("SiteCode").map(|s| format!("site:{s}")));
    let by = caller.provenance(CHANNEL, point_of_sale);
    let by = match profile::rights::valid_point_of_sale(by.point_of_sale.as_deref().unwrap_or("-"))
    {
        true => by,
        false => {
            let error = FieldError::new("", Code::InvalidCharacters)
                .with("pattern", "1 to 64 printable ASCII characters");
            let detail = fields(std::iter::once(("PosCode".into(), error)), language, None);
            return Err(Refusal::new(Outcome::Invalid).with(detail));
        }
    };
    let rules = &caller.tenant().rules;
    let member_of = |pointer: &str| {
        places
            .iter()
            .find(|(_, place)| pointer == *place || pointer.starts_with(&format!("{place}/")))
            .map_or_else(|| "Request".to_owned(), |(member, _)| (*member).to_owned())
    };
    write(env, &caller, who, by, rules, patch)
        .await
        .map_err(|error| Refusal::of(error, language, &member_of))
}

/// The write, merged inside the customer's object; an admin key's write
/// of a customer who has no profile is `NotFound` (code 2).
async fn write(
    env: &Env,
    caller: &Caller,
    who: Who,
    by: profile::rights::Provenance,
    rules: &profile::TenantRules,
    patch: Value,
) -> crate::error::ApiResult<()> {
    customer::write_unconditionally(env, who, caller.actor(), by, rules, patch, None).await?;
    Ok(())
}

fn malformed(detail: String) -> Refusal {
    Refusal::new(Outcome::Malformed).with(detail)
}

/// The JSON request's members.
fn from_json(bytes: &[u8]) -> Result<Map<String, Value>, Refusal> {
    match crate::strict_json::from_slice(bytes) {
        Ok(Value::Object(members)) => Ok(members),
        Ok(_) => Err(malformed("The body must be a JSON object.".into())),
        Err(e) => Err(malformed(format!("The body is not valid JSON: {e}."))),
    }
}

/// The XML request's members, as text (or null for `i:nil`): the root
/// `SetClientUpdateRequest` and each member in the namespace the page puts it in.
fn from_xml(bytes: &[u8]) -> Result<Map<String, Value>, Refusal> {
    let root = xml::parse(bytes).map_err(|e| malformed(e.to_string()))?;
    if root.namespace != MODELS || root.name != "SetClientUpdateRequest" {
        return Err(malformed(format!(
            "The root element must be SetClientUpdateRequest in the namespace {MODELS}."
        )));
    }
    let mut members = Map::new();
    for Node {
        namespace,
        name,
        nil,
        text,
        children,
    } in root.children
    {
        let Some((_, _, base)) = MEMBERS.iter().find(|(n, _, _)| *n == name) else {
            return Err(malformed(format!(
                "{name} is not a member of SetClientUpdateRequest."
            )));
        };
        let wanted = if *base { ABSTRACTIONS } else { MODELS };
        if namespace != wanted {
            return Err(malformed(format!(
                "{name} must be in the namespace {wanted}."
            )));
        }
        if !children.is_empty() {
            return Err(malformed(format!("{name} must hold text, not elements.")));
        }
        if members.contains_key(&name) {
            return Err(malformed(format!("{name} is given twice.")));
        }
        let value = if nil {
            Value::Null
        } else {
            Value::String(text)
        };
        members.insert(name, value);
    }
    Ok(members)
}

/// The members with their types checked (and XML's text made a number or a
/// boolean); every member the page does not list is refused.
fn typed(members: Map<String, Value>, language: &str) -> Result<Map<String, Value>, Refusal> {
    let mut typed = Map::new();
    let mut errors = Vec::new();
    for (name, value) in members {
        let Some((_, kind, _)) = MEMBERS.iter().find(|(n, _, _)| *n == name) else {
            errors.push((name, FieldError::new("", Code::UnknownField)));
            continue;
        };
        let value = match (kind, value) {
            (_, Value::Null) => Value::Null,
            (Kind::Integer, Value::Number(n)) if n.is_i64() => Value::Number(n),
            (Kind::Integer, Value::String(s)) if s.trim().parse::<i64>().is_ok() => {
                json!(s.trim().parse::<i64>().unwrap_or_default())
            }
            (Kind::Boolean, Value::Bool(b)) => Value::Bool(b),
            (Kind::Boolean, Value::String(s))
                if matches!(s.trim(), "true" | "false" | "1" | "0") =>
            {
                Value::Bool(matches!(s.trim(), "true" | "1"))
            }
            (Kind::Text, Value::String(s)) => Value::String(s),
            (kind, _) => {
                let expected = match kind {
                    Kind::Integer => "an integer",
                    Kind::Boolean => "true or false",
                    Kind::Text => "a string",
                };
                let error = FieldError::new("", Code::InvalidType).with("expected", expected);
                errors.push((name, error));
                continue;
            }
        };
        typed.insert(name, value);
    }
    if errors.is_empty() {
        Ok(typed)
    } else {
        let detail = fields(errors.into_iter(), language, None);
        Err(Refusal::new(Outcome::Invalid).with(detail))
    }
}

/// The canonical merge patch of the request's profile members, and where
/// each member went (for the messages of the rules' errors).
#[allow(clippy::type_complexity)]
fn patch(
    request: &Map<String, Value>,
    language: &str,
) -> Result<(Value, Vec<(&'static str, &'static str)>), Refusal> {
    let mut patch = json!({});
    let mut places = Vec::new();
    let mut errors = Vec::new();
    for (member, _, _) in MEMBERS {
        let Some(value) = request.get(member).filter(|v| !v.is_null()) else {
            continue;
        };
        let Some(Target::Field(pointer)) = target(SOURCE, member) else {
            continue; // Client, Operator, Token, PosCode, SiteCode: who and where.
        };
        let value = match member {
            "Birthdate" => match value.as_str().and_then(date_of_date_time) {
                Some(date) => json!(date),
                None => {
                    errors.push((
                        member.to_owned(),
                        FieldError::new(pointer, Code::InvalidDate),
                    ));
                    continue;
                }
            },
            // 0 is .NET's value of a phone never set: not sent.
            "Phone" => match value.as_i64() {
                Some(0) => continue,
                Some(number) => match phone_of_integer(number) {
                    Some(phone) => json!(phone),
                    None => {
                        errors.push((
                            member.to_owned(),
                            FieldError::new(pointer, Code::InvalidPhone),
                        ));
                        continue;
                    }
                },
                None => continue,
            },
            "Gender" => match value.as_i64().and_then(gender_of_code) {
                Some(gender) => json!(gender),
                None => {
                    let error = FieldError::new(pointer, Code::NotAnOption);
                    errors.push((member.to_owned(), error));
                    continue;
                }
            },
            _ => value.clone(),
        };
        places.push((member, pointer));
        super::put(&mut patch, pointer, value);
    }
    if errors.is_empty() {
        Ok((patch, places))
    } else {
        let detail = fields(errors.into_iter(), language, None);
        Err(Refusal::new(Outcome::Invalid).with(detail))
    }
}

/// `{ErrorCode, Message}` as JSON, or as the page's `SetClientUpdateResponse` XML.
fn answer(refusal: Refusal, language: &str, as_xml: bool) -> crate::error::ApiResult<Response> {
    let code = refusal.outcome as i64;
    let mut message = refusal.outcome.message(language).to_owned();
    if let Some(detail) = &refusal.detail {
        message = format!("{message} {detail}");
    }
    let status = refusal.status.unwrap_or(refusal.outcome.status());
    if as_xml {
        let body = format!(
            r#"<SetClientUpdateResponse xmlns:i="{}" xmlns="{MODELS}"><ErrorCode>{code}</ErrorCode><Message>{}</Message></SetClientUpdateResponse>"#,
            xml::INSTANCE,
            xml::escape(&message)
        );
        super::answer(
            status,
            "application/xml; charset=utf-8",
            body,
            refusal.retry_after,
        )
    } else {
        let body = json!({"ErrorCode": code, "Message": message}).to_string();
        let json = "application/json; charset=utf-8";
        super::answer(status, json, body, refusal.retry_after)
    }
}
