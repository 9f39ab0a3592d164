//! Messages for every code in the five languages of the source APIs: English,
//! Spanish, Swedish, Norwegian Bokmål and Russian. A tenant may override any
//! message per field and code; anything missing falls back to English.

use crate::error::{Code, FieldError};
use crate::tenant::{TenantRules, Translations};

/// The languages messages exist in, English first (the fallback).
pub const LANGUAGES: [&str; 5] = ["en", "es", "sv", "nb", "ru"];

/// The supported language for a BCP 47 tag or an `Accept-Language` header:
/// the first (by quality) whose primary subtag we speak; `no` and `nn` mean
/// Bokmål; English when none matches.
pub fn negotiate(header: &str) -> &'static str {
    spoken(header).unwrap_or("en")
}

/// [`negotiate`], with the tenant's default language (if it is one of the
/// five) when the header names none of them.
pub fn negotiate_or(header: &str, default: Option<&str>) -> &'static str {
    spoken(header)
        .or_else(|| LANGUAGES.into_iter().find(|l| Some(*l) == default))
        .unwrap_or("en")
}

fn spoken(header: &str) -> Option<&'static str> {
    // The best quality wins, the earlier range on a tie: one pass, no sort
    // (a sort instance costs the widget's size budget).
    let mut best: Option<(u16, &'static str)> = None;
    for part in header.split(',') {
        let mut pieces = part.trim().split(';');
        let tag = pieces.next().unwrap_or("").trim();
        // A malformed weight counts as none given (1), as before.
        let quality = pieces
            .find_map(|p| p.trim().strip_prefix("q=").and_then(quality))
            .unwrap_or(1000);
        if tag.is_empty() || quality == 0 || best.is_some_and(|(q, _)| q >= quality) {
            continue;
        }
        let primary = tag
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let primary = if primary == "no" || primary == "nn" {
            "nb"
        } else {
            primary.as_str()
        };
        if let Some(language) = LANGUAGES.iter().find(|l| **l == primary) {
            best = Some((quality, language));
        }
    }
    best.map(|(_, language)| language)
}

/// A quality value (RFC 9110: `0`, `0.8`, `1.000`) in thousandths; `None`
/// if it is not one. Read by hand: a float parser would cost the widget.
fn quality(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u16 = match whole {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    (whole + thousandths <= 1000).then_some(whole + thousandths)
}

/// The message for `error` in `language` (one of [`LANGUAGES`]), with the
/// tenant's overrides when given.
pub fn message(error: &FieldError, language: &str, tenant: Option<&TenantRules>) -> String {
    message_from(error, language, tenant, |code| built_in(code, language))
}

/// The same, with the built-in texts of one language given by `built_in`:
/// the widget has them from the form schema ([`built_in_messages`]), so the
/// five languages' tables stay out of its module.
pub fn message_from<'a>(
    error: &FieldError,
    language: &str,
    tenant: Option<&TenantRules>,
    built_in: impl Fn(Code) -> &'a str,
) -> String {
    let template = tenant
        .and_then(|t| override_for(error, language, t))
        .unwrap_or_else(|| built_in(error.code).to_owned());
    fill(&template, error)
}

/// Every code's built-in message template in `language` (`{max}` and the
/// like still to be filled).
pub fn built_in_messages(language: &str) -> std::collections::BTreeMap<Code, String> {
    let mut messages = std::collections::BTreeMap::new();
    for code in Code::ALL {
        messages.insert(code, built_in(code, language).to_owned());
    }
    messages
}

fn pick(translations: &Translations, language: &str) -> Option<String> {
    translations
        .get(language)
        .or_else(|| translations.get("en"))
        .cloned()
}

fn override_for(error: &FieldError, language: &str, tenant: &TenantRules) -> Option<String> {
    if let Some(text) = tenant
        .message_overrides
        .get(&error.pointer)
        .and_then(|by_code| by_code.get(&error.code))
        .and_then(|t| pick(t, language))
    {
        return Some(text);
    }
    let key = error
        .pointer
        .strip_prefix("/custom_fields/")?
        .split('/')
        .next()?;
    let def = tenant.custom_fields.iter().find(|d| d.key == key)?;
    pick(def.error_messages.get(&error.code)?, language)
}

/// Replaces `{name}` with the error's parameter `name`.
fn fill(template: &str, error: &FieldError) -> String {
    let mut text = template.to_owned();
    for (name, value) in &error.params {
        let value = match value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => number_text(n.as_f64().unwrap_or_default()),
            serde_json::Value::Bool(b) => b.to_string(),
            _ => String::new(),
        };
        text = text.replace(&format!("{{{name}}}"), &value);
    }
    text
}

/// A limit as people write it: 20 reads "20", not "20.0"; fractions keep at
/// most six decimals. Integer formatting only: a float formatter would cost
/// the widget's size budget.
fn number_text(number: f64) -> String {
    let scaled = (number * 1e6).round();
    if !scaled.is_finite() || scaled.abs() >= 9e15 {
        return format!("{}", number as i64);
    }
    let scaled = scaled as i64;
    let (whole, fraction) = (scaled.abs() / 1_000_000, scaled.abs() % 1_000_000);
    let sign = if scaled < 0 { "-" } else { "" };
    if fraction == 0 {
        return format!("{sign}{whole}");
    }
    let digits = format!("{fraction:06}");
    format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
}

fn built_in(code: Code, language: &str) -> &'static str {
    let index = LANGUAGES.iter().position(|l| *l == language).unwrap_or(0);
    table(code)[index]
}

/// `[en, es, sv, nb, ru]` for each code.
fn table(code: Code) -> [&'static str; 5] {
    use Code::*;
    match code {
        Required => [
            "This field is required.",
            "Este campo es obligatorio.",
            "Fältet är obligatoriskt.",
            "Feltet er påkrevd.",
            "Это поле обязательно.",
        ],
        TooLong => [
            "Use at most {max} characters.",
            "Usa como máximo {max} caracteres.",
            "Använd högst {max} tecken.",
            "Bruk høyst {max} tegn.",
            "Не более {max} символов.",
        ],
        TooShort => [
            "Use at least {min} characters.",
            "Usa al menos {min} caracteres.",
            "Använd minst {min} tecken.",
            "Bruk minst {min} tegn.",
            "Не менее {min} символов.",
        ],
        InvalidCharacters => [
            "Use letters, spaces, apostrophes, hyphens and periods only.",
            "Usa solo letras, espacios, apóstrofos, guiones y puntos.",
            "Använd bara bokstäver, mellanslag, apostrofer, bindestreck och punkter.",
            "Bruk bare bokstaver, mellomrom, apostrofer, bindestreker og punktum.",
            "Используйте только буквы, пробелы, апострофы, дефисы и точки.",
        ],
        ControlCharacters => [
            "Remove invisible or control characters.",
            "Elimina los caracteres invisibles o de control.",
            "Ta bort osynliga tecken eller kontrolltecken.",
            "Fjern usynlige tegn eller kontrolltegn.",
            "Удалите невидимые или управляющие символы.",
        ],
        InvalidType => [
            "This value has the wrong type.",
            "Este valor tiene un tipo incorrecto.",
            "Värdet har fel typ.",
            "Verdien har feil type.",
            "Неверный тип значения.",
        ],
        UnknownField => [
            "This field does not exist.",
            "Este campo no existe.",
            "Fältet finns inte.",
            "Feltet finnes ikke.",
            "Такого поля нет.",
        ],
        ReadOnly => [
            "This field cannot be changed here.",
            "Este campo no se puede cambiar aquí.",
            "Fältet kan inte ändras här.",
            "Feltet kan ikke endres her.",
            "Это поле нельзя изменить здесь.",
        ],
        InvalidEmail => [
            "Enter an e-mail address such as name@example.com.",
            "Introduce un correo electrónico como nombre@ejemplo.com.",
            "Ange en e-postadress som namn@exempel.se.",
            "Skriv inn en e-postadresse som navn@eksempel.no.",
            "Введите адрес электронной почты, например name@example.com.",
        ],
        EmailTaken => [
            "This e-mail address is already in use.",
            "Este correo electrónico ya está en uso.",
            "E-postadressen används redan.",
            "E-postadressen er allerede i bruk.",
            "Этот адрес электронной почты уже используется.",
        ],
        CodeWrong => [
            "That is not the code we sent. Tries left: {attempts_left}.",
            "Ese no es el código que enviamos. Intentos restantes: {attempts_left}.",
            "Det är inte koden vi skickade. Försök kvar: {attempts_left}.",
            "Det er ikke koden vi sendte. Forsøk igjen: {attempts_left}.",
            "Это не тот код, который мы отправили. Осталось попыток: {attempts_left}.",
        ],
        CodeExpired => [
            "This code can no longer be used. Ask for a new one.",
            "Este código ya no se puede usar. Pide uno nuevo.",
            "Koden kan inte längre användas. Be om en ny.",
            "Koden kan ikke brukes lenger. Be om en ny.",
            "Этот код больше нельзя использовать. Запросите новый.",
        ],
        NothingPending => [
            "There is no new e-mail address waiting for a code.",
            "No hay ningún correo nuevo pendiente de código.",
            "Ingen ny e-postadress väntar på en kod.",
            "Ingen ny e-postadresse venter på en kode.",
            "Нет нового адреса, ожидающего кода.",
        ],
        InvalidPhone => [
            "Enter a phone number: digits, optionally starting with +.",
            "Introduce un número de teléfono: dígitos, opcionalmente con + al inicio.",
            "Ange ett telefonnummer: siffror, gärna med + först.",
            "Skriv inn et telefonnummer: sifre, eventuelt med + først.",
            "Введите номер телефона: цифры, можно начать с +.",
        ],
        PhoneTooLong => [
            "Use at most {max} digits.",
            "Usa como máximo {max} dígitos.",
            "Använd högst {max} siffror.",
            "Bruk høyst {max} sifre.",
            "Не более {max} цифр.",
        ],
        InvalidDate => [
            "Enter a real date.",
            "Introduce una fecha válida.",
            "Ange ett giltigt datum.",
            "Skriv inn en gyldig dato.",
            "Введите существующую дату.",
        ],
        BirthDateInFuture => [
            "The birth date cannot be in the future.",
            "La fecha de nacimiento no puede ser futura.",
            "Födelsedatumet kan inte ligga i framtiden.",
            "Fødselsdatoen kan ikke være i fremtiden.",
            "Дата рождения не может быть в будущем.",
        ],
        TooOld => [
            "Check the year: the age cannot be over {max}.",
            "Revisa el año: la edad no puede superar {max}.",
            "Kontrollera året: åldern kan inte vara över {max}.",
            "Sjekk året: alderen kan ikke være over {max}.",
            "Проверьте год: возраст не может быть больше {max}.",
        ],
        TooYoung => [
            "You must be at least {min} years old.",
            "Debes tener al menos {min} años.",
            "Du måste vara minst {min} år.",
            "Du må være minst {min} år.",
            "Вам должно быть не меньше {min} лет.",
        ],
        InvalidCountry => [
            "Choose a country.",
            "Elige un país.",
            "Välj ett land.",
            "Velg et land.",
            "Выберите страну.",
        ],
        InvalidPostalCode => [
            "This is not a postal code of {country}.",
            "No es un código postal de {country}.",
            "Det är inget postnummer i {country}.",
            "Det er ikke et postnummer i {country}.",
            "Это не почтовый индекс страны {country}.",
        ],
        DeliveryAddressZipMissing => [
            "Enter the delivery address's postal code.",
            "Introduce el código postal de la dirección de entrega.",
            "Ange leveransadressens postnummer.",
            "Skriv inn leveringsadressens postnummer.",
            "Укажите индекс адреса доставки.",
        ],
        DeliveryAddressCityMissing => [
            "Enter the delivery address's city.",
            "Introduce la ciudad de la dirección de entrega.",
            "Ange leveransadressens ort.",
            "Skriv inn leveringsadressens poststed.",
            "Укажите город адреса доставки.",
        ],
        DeliveryAddressCountryMissing => [
            "Choose the delivery address's country.",
            "Elige el país de la dirección de entrega.",
            "Välj leveransadressens land.",
            "Velg leveringsadressens land.",
            "Выберите страну адреса доставки.",
        ],
        InvoiceAddressZipMissing => [
            "Enter the invoice address's postal code.",
            "Introduce el código postal de la dirección de facturación.",
            "Ange fakturaadressens postnummer.",
            "Skriv inn fakturaadressens postnummer.",
            "Укажите индекс платёжного адреса.",
        ],
        InvoiceAddressCityMissing => [
            "Enter the invoice address's city.",
            "Introduce la ciudad de la dirección de facturación.",
            "Ange fakturaadressens ort.",
            "Skriv inn fakturaadressens poststed.",
            "Укажите город платёжного адреса.",
        ],
        InvoiceAddressCountryMissing => [
            "Choose the invoice address's country.",
            "Elige el país de la dirección de facturación.",
            "Välj fakturaadressens land.",
            "Velg fakturaadressens land.",
            "Выберите страну платёжного адреса.",
        ],
        TooMany => [
            "At most {max} are allowed.",
            "Se permiten como máximo {max}.",
            "Högst {max} är tillåtna.",
            "Høyst {max} er tillatt.",
            "Допускается не более {max}.",
        ],
        Duplicate => [
            "This value appears twice.",
            "Este valor aparece dos veces.",
            "Värdet förekommer två gånger.",
            "Verdien forekommer to ganger.",
            "Это значение повторяется.",
        ],
        InvalidNationalId => [
            "This is not a valid national identity number of {country}.",
            "No es un número de identidad válido de {country}.",
            "Det är inget giltigt identitetsnummer i {country}.",
            "Det er ikke et gyldig identitetsnummer i {country}.",
            "Это неверный идентификационный номер страны {country}.",
        ],
        InvalidLanguage => [
            "Choose a language.",
            "Elige un idioma.",
            "Välj ett språk.",
            "Velg et språk.",
            "Выберите язык.",
        ],
        NotAnOption => [
            "Choose one of the options.",
            "Elige una de las opciones.",
            "Välj ett av alternativen.",
            "Velg ett av alternativene.",
            "Выберите один из вариантов.",
        ],
        BelowMinimum => [
            "Enter {min} or more.",
            "Introduce {min} o más.",
            "Ange {min} eller mer.",
            "Skriv inn {min} eller mer.",
            "Введите {min} или больше.",
        ],
        AboveMaximum => [
            "Enter {max} or less.",
            "Introduce {max} o menos.",
            "Ange {max} eller mindre.",
            "Skriv inn {max} eller mindre.",
            "Введите {max} или меньше.",
        ],
        PatternMismatch => [
            "This value does not have the expected format.",
            "Este valor no tiene el formato esperado.",
            "Värdet har inte rätt format.",
            "Verdien har ikke riktig format.",
            "Значение имеет неверный формат.",
        ],
        InvalidPattern => [
            "This is not a valid regular expression.",
            "No es una expresión regular válida.",
            "Det är inget giltigt reguljärt uttryck.",
            "Det er ikke et gyldig regulært uttrykk.",
            "Это неверное регулярное выражение.",
        ],
        ImageType => [
            "Choose a JPEG, PNG or WebP picture.",
            "Elige una imagen JPEG, PNG o WebP.",
            "Välj en JPEG-, PNG- eller WebP-bild.",
            "Velg et JPEG-, PNG- eller WebP-bilde.",
            "Выберите изображение JPEG, PNG или WebP.",
        ],
        ImageTooLarge => [
            "Choose a picture of at most {max} MB.",
            "Elige una imagen de {max} MB como máximo.",
            "Välj en bild på högst {max} MB.",
            "Velg et bilde på høyst {max} MB.",
            "Выберите изображение не больше {max} МБ.",
        ],
        ImageTooManyPixels => [
            "Choose a picture of at most {max} by {max} pixels.",
            "Elige una imagen de {max} por {max} píxeles como máximo.",
            "Välj en bild på högst {max} gånger {max} pixlar.",
            "Velg et bilde på høyst {max} ganger {max} piksler.",
            "Выберите изображение не больше {max} на {max} пикселей.",
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn limits_read_as_people_write_them() {
        assert_eq!(number_text(20.0), "20");
        assert_eq!(number_text(-3.0), "-3");
        assert_eq!(number_text(2.75), "2.75");
        assert_eq!(number_text(-0.5), "-0.5");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
    }

    #[test]
    fn accept_language_is_negotiated() {
        assert_eq!(negotiate("sv-SE,sv;q=0.9,en;q=0.8"), "sv");
        assert_eq!(negotiate("de-DE, es;q=0.5, en;q=0.4"), "es");
        assert_eq!(negotiate("no"), "nb");
        assert_eq!(negotiate("nn-NO"), "nb");
        assert_eq!(negotiate("en;q=0.1, ru;q=0.9"), "ru");
        assert_eq!(negotiate("fr, de"), "en");
        assert_eq!(negotiate(""), "en");
        assert_eq!(negotiate("ru;q=0, sv;q=0.001"), "sv");
        assert_eq!(negotiate("es;q=0.5, nb;q=1.000"), "nb");
        assert_eq!(
            negotiate("es;q=0.5, ru;q=0.50"),
            "es",
            "a tie keeps the first"
        );
        assert_eq!(quality("0.8"), Some(800));
        assert_eq!(quality("1.5"), None);
        assert_eq!(quality("0.1234"), None);
        assert_eq!(negotiate("ru;q=0, es"), "es");
    }

    #[test]
    fn messages_are_filled_in_every_language() {
        let error = FieldError::new("/first_name", Code::TooLong).with("max", 50);
        assert_eq!(message(&error, "en", None), "Use at most 50 characters.");
        assert_eq!(message(&error, "sv", None), "Använd högst 50 tecken.");
        assert_eq!(message(&error, "ru", None), "Не более 50 символов.");
        assert_eq!(message(&error, "xx", None), "Use at most 50 characters.");
    }

    #[test]
    fn every_message_has_every_language_and_no_unfilled_placeholder_names() {
        for code in Code::ALL {
            let texts = table(code);
            let placeholders = |t: &str| t.matches('{').count();
            for text in texts {
                assert!(!text.is_empty(), "{code:?}");
                assert_eq!(
                    placeholders(text),
                    placeholders(texts[0]),
                    "{code:?}: {text}"
                );
            }
        }
    }

    #[test]
    fn tenant_overrides_win_per_field_and_code() {
        let tenant: TenantRules = serde_json::from_value(json!({
            "message_overrides": {"/first_name": {"Required": {"en": "Tell us your first name.", "sv": "Berätta vad du heter."}}},
            "custom_fields": [{"key": "shoe_size", "type": "integer", "max": 50,
                               "error_messages": {"AboveMaximum": {"en": "No shoes above {max}."}}}]
        }))
        .unwrap();
        let required = FieldError::new("/first_name", Code::Required);
        assert_eq!(
            message(&required, "sv", Some(&tenant)),
            "Berätta vad du heter."
        );
        assert_eq!(
            message(&required, "es", Some(&tenant)),
            "Tell us your first name."
        );
        let elsewhere = FieldError::new("/last_name", Code::Required);
        assert_eq!(
            message(&elsewhere, "es", Some(&tenant)),
            "Este campo es obligatorio."
        );
        let shoe = FieldError::new("/custom_fields/shoe_size", Code::AboveMaximum).with("max", 50);
        assert_eq!(message(&shoe, "nb", Some(&tenant)), "No shoes above 50.");
    }
}

#[cfg(test)]
mod number_tests {
    use super::*;

    #[test]
    fn whole_numbers_read_as_whole_numbers() {
        let error = FieldError::new("/x", Code::AboveMaximum).with("max", 20.0);
        assert_eq!(message(&error, "en", None), "Enter 20 or less.");
        let error = FieldError::new("/x", Code::AboveMaximum).with("max", 2.5);
        assert_eq!(message(&error, "en", None), "Enter 2.5 or less.");
    }
}
