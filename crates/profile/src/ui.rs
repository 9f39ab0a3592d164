//! The widget's own words: buttons, states, the error summary, conflict
//! choices, in the five languages. The server sends them with the form
//! schema in the customer's language (so the widget does not carry five
//! languages), next to the field labels and messages.

use crate::labels::pick;
use std::collections::BTreeMap;

/// Every text's key.
pub const KEYS: [&str; 55] = [
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
    "photo_title",
    "photo_alt",
    "photo_choose",
    "photo_hint",
    "photo_remove",
    "photo_saving",
    "photo_saved",
    "photo_removed",
    "consent_given",
    "consent_withdrawn",
    "policy_version",
    "history_title",
    "history_more",
    "history_empty",
    "history_created",
    "by_you",
    "by_programme",
    "load_failed",
    "download",
    "downloaded",
    "delete_title",
    "delete_warning",
    "delete_confirm",
    "deleted",
    "email_pending_title",
    "email_code_sent",
    "email_code",
    "email_confirm",
    "email_resend",
    "email_resend_wait",
    "email_confirmed",
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
        "photo_title" => ["Photo", "Foto", "Foto", "Bilde", "Фото"],
        "photo_alt" => [
            "Your photo",
            "Tu foto",
            "Ditt foto",
            "Bildet ditt",
            "Ваше фото",
        ],
        "photo_choose" => [
            "Choose a photo",
            "Elegir una foto",
            "Välj ett foto",
            "Velg et bilde",
            "Выбрать фото",
        ],
        "photo_hint" => [
            "JPEG, PNG or WebP, at most 2 MB and 4096 by 4096 pixels. Where it was taken is removed before it is kept.",
            "JPEG, PNG o WebP, de 2 MB y 4096 por 4096 píxeles como máximo. El lugar donde se tomó se elimina antes de guardarla.",
            "JPEG, PNG eller WebP, högst 2 MB och 4096 gånger 4096 pixlar. Var den togs tas bort innan den sparas.",
            "JPEG, PNG eller WebP, høyst 2 MB og 4096 ganger 4096 piksler. Hvor det ble tatt, fjernes før det lagres.",
            "JPEG, PNG или WebP, не больше 2 МБ и 4096 на 4096 пикселей. Место съёмки удаляется перед сохранением.",
        ],
        "photo_remove" => [
            "Remove photo",
            "Quitar la foto",
            "Ta bort fotot",
            "Fjern bildet",
            "Удалить фото",
        ],
        "photo_saving" => [
            "Sending your photo…",
            "Enviando tu foto…",
            "Skickar ditt foto…",
            "Sender bildet ditt…",
            "Отправляем фото…",
        ],
        "photo_saved" => [
            "Your photo was saved.",
            "Tu foto se ha guardado.",
            "Ditt foto har sparats.",
            "Bildet ditt er lagret.",
            "Фото сохранено.",
        ],
        "photo_removed" => [
            "Your photo was removed.",
            "Tu foto se ha quitado.",
            "Ditt foto har tagits bort.",
            "Bildet ditt er fjernet.",
            "Фото удалено.",
        ],
        "consent_given" => [
            "Given on {date}",
            "Dado el {date}",
            "Givet {date}",
            "Gitt {date}",
            "Дано {date}",
        ],
        "consent_withdrawn" => [
            "Withdrawn on {date}",
            "Retirado el {date}",
            "Återkallat {date}",
            "Trukket tilbake {date}",
            "Отозвано {date}",
        ],
        "policy_version" => [
            "policy version {version}",
            "versión de la política {version}",
            "villkorsversion {version}",
            "vilkårsversjon {version}",
            "версия условий {version}",
        ],
        "history_title" => [
            "Your changes",
            "Tus cambios",
            "Dina ändringar",
            "Endringene dine",
            "Ваши изменения",
        ],
        "history_more" => [
            "Show older changes",
            "Mostrar cambios anteriores",
            "Visa äldre ändringar",
            "Vis eldre endringer",
            "Показать более ранние изменения",
        ],
        "history_empty" => [
            "No changes yet.",
            "Aún no hay cambios.",
            "Inga ändringar än.",
            "Ingen endringer ennå.",
            "Изменений пока нет.",
        ],
        "history_created" => [
            "Profile created",
            "Perfil creado",
            "Profilen skapades",
            "Profilen ble opprettet",
            "Профиль создан",
        ],
        "by_you" => ["by you", "por ti", "av dig", "av deg", "вами"],
        "by_programme" => [
            "by the programme",
            "por el programa",
            "av programmet",
            "av programmet",
            "программой",
        ],
        "load_failed" => [
            "This could not be loaded. Try again later.",
            "No se ha podido cargar. Inténtalo más tarde.",
            "Det gick inte att hämta. Försök igen senare.",
            "Dette kunne ikke hentes. Prøv igjen senere.",
            "Не удалось загрузить. Попробуйте позже.",
        ],
        "download" => [
            "Download my data",
            "Descargar mis datos",
            "Ladda ner mina uppgifter",
            "Last ned dataene mine",
            "Скачать мои данные",
        ],
        "downloaded" => [
            "Your data was downloaded as a file.",
            "Tus datos se han descargado en un archivo.",
            "Dina uppgifter har laddats ner som en fil.",
            "Dataene dine er lastet ned som en fil.",
            "Ваши данные скачаны файлом.",
        ],
        "delete_title" => [
            "Delete my profile",
            "Eliminar mi perfil",
            "Radera min profil",
            "Slett profilen min",
            "Удалить мой профиль",
        ],
        "delete_warning" => [
            "This deletes your name, contact details, addresses, your programme details, your consents and their record, your history of changes and your photo. It cannot be undone.",
            "Esto elimina tu nombre, tus datos de contacto, tus direcciones, tus datos del programa, tus consentimientos y su registro, tu historial de cambios y tu foto. No se puede deshacer.",
            "Det här raderar ditt namn, dina kontaktuppgifter, adresser, dina uppgifter i programmet, dina samtycken och deras historik, dina ändringar och ditt foto. Det går inte att ångra.",
            "Dette sletter navnet ditt, kontaktopplysningene, adressene, opplysningene dine i programmet, samtykkene dine og historikken deres, endringene dine og bildet ditt. Det kan ikke angres.",
            "Будут удалены ваше имя, контакты, адреса, данные в программе, согласия и их история, история изменений и фото. Это нельзя отменить.",
        ],
        "delete_confirm" => [
            "Yes, delete my profile",
            "Sí, eliminar mi perfil",
            "Ja, radera min profil",
            "Ja, slett profilen min",
            "Да, удалить мой профиль",
        ],
        "deleted" => [
            "Your profile has been deleted.",
            "Tu perfil se ha eliminado.",
            "Din profil har raderats.",
            "Profilen din er slettet.",
            "Ваш профиль удалён.",
        ],
        "email_pending_title" => [
            "Confirm your new e-mail address",
            "Confirma tu nuevo correo electrónico",
            "Bekräfta din nya e-postadress",
            "Bekreft den nye e-postadressen din",
            "Подтвердите новый адрес электронной почты",
        ],
        "email_code_sent" => [
            "We sent a code to {email}. Enter it to make this your e-mail address. Until then we keep using the one you had.",
            "Enviamos un código a {email}. Introdúcelo para que sea tu correo. Hasta entonces seguimos usando el que tenías.",
            "Vi har skickat en kod till {email}. Ange den för att göra den till din e-postadress. Till dess använder vi den du hade.",
            "Vi har sendt en kode til {email}. Skriv den inn for å gjøre den til e-postadressen din. Til da bruker vi den du hadde.",
            "Мы отправили код на {email}. Введите его, чтобы сделать этот адрес своим. До тех пор мы используем прежний.",
        ],
        "email_code" => [
            "6-digit code",
            "Código de 6 cifras",
            "Sexsiffrig kod",
            "Sekssifret kode",
            "Код из 6 цифр",
        ],
        "email_confirm" => [
            "Confirm the address",
            "Confirmar el correo",
            "Bekräfta adressen",
            "Bekreft adressen",
            "Подтвердить адрес",
        ],
        "email_resend" => [
            "Send a new code",
            "Enviar un código nuevo",
            "Skicka en ny kod",
            "Send en ny kode",
            "Отправить новый код",
        ],
        "email_resend_wait" => [
            "A new code can be sent one minute after the last one.",
            "Puedes pedir un código nuevo un minuto después del anterior.",
            "En ny kod kan skickas en minut efter den förra.",
            "En ny kode kan sendes ett minutt etter den forrige.",
            "Новый код можно запросить через минуту после предыдущего.",
        ],
        "email_confirmed" => [
            "Your new e-mail address is confirmed.",
            "Tu nuevo correo electrónico está confirmado.",
            "Din nya e-postadress är bekräftad.",
            "Den nye e-postadressen din er bekreftet.",
            "Новый адрес электронной почты подтверждён.",
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
