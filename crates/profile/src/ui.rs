//! The widget's own words: buttons, states, the error summary, conflict
//! choices, in the five languages. The server sends them with the form
//! schema in the customer's language (so the widget does not carry five
//! languages), next to the field labels and messages.

use crate::labels::pick;
use std::collections::BTreeMap;

/// Every text's key.
pub const KEYS: [&str; 24] = [
    "save",
    "saving",
    "saved",
    "no_changes",
    "summary_title",
    "network_failed",
    "conflict",
    "changed_elsewhere",
    "your_value",
    "keep_mine",
    "use_theirs",
    "not_given",
    "yes",
    "no",
    "choose",
    "required",
    "add_address",
    "remove_address",
    "delivery_address",
    "save_failed",
    "verified",
    "unverified",
    "bounced",
    "policy",
];

fn texts(key: &str) -> Option<[&'static str; 5]> {
    Some(match key {
        "save" => [
            "Save changes",
            "Guardar cambios",
            "Spara ändringar",
            "Lagre endringer",
            "Сохранить изменения",
        ],
        "saving" => ["Saving…", "Guardando…", "Sparar…", "Lagrer…", "Сохраняем…"],
        // Beside a consent: its policy (opens in a new tab).
        "policy" => [
            "Read the policy",
            "Leer la política",
            "Läs villkoren",
            "Les vilkårene",
            "Прочитать условия",
        ],
        "saved" => [
            "Your changes were saved.",
            "Tus cambios se han guardado.",
            "Dina ändringar har sparats.",
            "Endringene dine er lagret.",
            "Изменения сохранены.",
        ],
        "no_changes" => [
            "There are no changes to save.",
            "No hay cambios que guardar.",
            "Det finns inga ändringar att spara.",
            "Det er ingen endringer å lagre.",
            "Нет изменений для сохранения.",
        ],
        "summary_title" => [
            "Please correct the following:",
            "Corrige lo siguiente:",
            "Rätta följande:",
            "Rett opp følgende:",
            "Исправьте следующее:",
        ],
        "network_failed" => [
            "Your changes could not be sent. Check your connection and try again; your edits are kept.",
            "No se han podido enviar tus cambios. Comprueba tu conexión y vuelve a intentarlo; tus cambios se conservan.",
            "Dina ändringar kunde inte skickas. Kontrollera anslutningen och försök igen; det du ändrat finns kvar.",
            "Endringene dine kunne ikke sendes. Sjekk tilkoblingen og prøv igjen; endringene dine er tatt vare på.",
            "Не удалось отправить изменения. Проверьте подключение и повторите; ваши правки сохранены.",
        ],
        "conflict" => [
            "Your profile was changed elsewhere. We loaded the new version and kept your edits. Check the fields marked below, then save again.",
            "Tu perfil se ha modificado en otro lugar. Hemos cargado la nueva versión y conservado tus cambios. Revisa los campos marcados y vuelve a guardar.",
            "Din profil har ändrats någon annanstans. Vi har hämtat den nya versionen och behållit dina ändringar. Kontrollera de markerade fälten och spara igen.",
            "Profilen din er endret et annet sted. Vi har hentet den nye versjonen og beholdt endringene dine. Sjekk de merkede feltene og lagre igjen.",
            "Профиль был изменён в другом месте. Мы загрузили новую версию и сохранили ваши правки. Проверьте отмеченные поля и сохраните снова.",
        ],
        "changed_elsewhere" => [
            "Changed elsewhere to:",
            "Cambiado en otro lugar a:",
            "Ändrat någon annanstans till:",
            "Endret et annet sted til:",
            "Изменено в другом месте на:",
        ],
        "your_value" => [
            "Your value:",
            "Tu valor:",
            "Ditt värde:",
            "Din verdi:",
            "Ваше значение:",
        ],
        "keep_mine" => [
            "Keep mine",
            "Mantener el mío",
            "Behåll mitt",
            "Behold min",
            "Оставить моё",
        ],
        "use_theirs" => [
            "Use the new value",
            "Usar el nuevo valor",
            "Använd det nya värdet",
            "Bruk den nye verdien",
            "Взять новое значение",
        ],
        "not_given" => [
            "Not given",
            "Sin indicar",
            "Inte angivet",
            "Ikke oppgitt",
            "Не указано",
        ],
        "yes" => ["Yes", "Sí", "Ja", "Ja", "Да"],
        "no" => ["No", "No", "Nej", "Nei", "Нет"],
        "choose" => ["Choose…", "Elige…", "Välj…", "Velg…", "Выберите…"],
        "required" => [
            "required",
            "obligatorio",
            "obligatoriskt",
            "påkrevd",
            "обязательно",
        ],
        "add_address" => [
            "Add a delivery address",
            "Añadir una dirección de entrega",
            "Lägg till en leveransadress",
            "Legg til en leveringsadresse",
            "Добавить адрес доставки",
        ],
        "remove_address" => [
            "Remove this address",
            "Quitar esta dirección",
            "Ta bort adressen",
            "Fjern adressen",
            "Удалить этот адрес",
        ],
        "delivery_address" => [
            "Delivery address",
            "Dirección de entrega",
            "Leveransadress",
            "Leveringsadresse",
            "Адрес доставки",
        ],
        "save_failed" => [
            "Your changes could not be saved. Please try again later; your edits are kept.",
            "No se han podido guardar tus cambios. Inténtalo más tarde; tus cambios se conservan.",
            "Dina ändringar kunde inte sparas. Försök igen senare; det du ändrat finns kvar.",
            "Endringene dine kunne ikke lagres. Prøv igjen senere; endringene dine er tatt vare på.",
            "Не удалось сохранить изменения. Попробуйте позже; ваши правки сохранены.",
        ],
        "verified" => [
            "Verified",
            "Verificado",
            "Verifierad",
            "Bekreftet",
            "Подтверждён",
        ],
        "unverified" => [
            "Not verified yet",
            "Aún sin verificar",
            "Inte verifierad än",
            "Ikke bekreftet ennå",
            "Ещё не подтверждён",
        ],
        "bounced" => [
            "Messages to this address bounce",
            "Los mensajes a esta dirección se devuelven",
            "Meddelanden till adressen studsar",
            "Meldinger til adressen kommer i retur",
            "Письма на этот адрес не доходят",
        ],
        _ => return None,
    })
}

/// The text `key` in `language` (English when the language is not one of the five).
pub fn ui_text(key: &str, language: &str) -> Option<&'static str> {
    texts(key).map(|texts| pick(texts, language))
}

/// Every text in `language`, by key: what the form schema carries.
pub fn ui_texts(language: &str) -> BTreeMap<String, String> {
    let mut all = BTreeMap::new();
    for key in KEYS {
        if let Some(text) = ui_text(key, language) {
            all.insert(key.to_owned(), text.to_owned());
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_is_in_five_languages() {
        for language in crate::messages::LANGUAGES {
            assert_eq!(ui_texts(language).len(), KEYS.len(), "{language}");
        }
        assert_eq!(ui_text("save", "sv"), Some("Spara ändringar"));
    }
}
