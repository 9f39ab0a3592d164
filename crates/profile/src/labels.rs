//! What the form calls each built-in field, consent and section, in the five
//! languages. Tenants name their own fields in their custom-field definitions.

use crate::messages::LANGUAGES;

pub(crate) fn pick(texts: [&'static str; 5], language: &str) -> &'static str {
    let index = LANGUAGES.iter().position(|l| *l == language).unwrap_or(0);
    texts[index]
}

/// `[en, es, sv, nb, ru]` for a field of the wire shape, `None` for internal ones.
fn field_texts(field: &str) -> Option<[&'static str; 5]> {
    Some(match field {
        "first_name" => ["First name", "Nombre", "Förnamn", "Fornavn", "Имя"],
        "middle_name" => [
            "Middle name",
            "Segundo nombre",
            "Mellannamn",
            "Mellomnavn",
            "Отчество",
        ],
        "last_name" => [
            "Last name",
            "Apellidos",
            "Efternamn",
            "Etternavn",
            "Фамилия",
        ],
        "birth_date" => [
            "Date of birth",
            "Fecha de nacimiento",
            "Födelsedatum",
            "Fødselsdato",
            "Дата рождения",
        ],
        "gender" => ["Gender", "Género", "Kön", "Kjønn", "Пол"],
        "has_children" => [
            "I have children",
            "Tengo hijos",
            "Jag har barn",
            "Jeg har barn",
            "У меня есть дети",
        ],
        "national_id" => [
            "National identity number",
            "Número de identidad",
            "Personnummer",
            "Fødselsnummer",
            "Идентификационный номер",
        ],
        "preferred_language" => [
            "Preferred language",
            "Idioma preferido",
            "Föredraget språk",
            "Foretrukket språk",
            "Предпочитаемый язык",
        ],
        "email" => [
            "E-mail",
            "Correo electrónico",
            "E-post",
            "E-post",
            "Электронная почта",
        ],
        "mobile_phone" => [
            "Mobile phone",
            "Teléfono móvil",
            "Mobiltelefon",
            "Mobiltelefon",
            "Мобильный телефон",
        ],
        "other_phone" => [
            "Other phone",
            "Otro teléfono",
            "Annat telefonnummer",
            "Annet telefonnummer",
            "Другой телефон",
        ],
        "invoice_address" => [
            "Invoice address",
            "Dirección de facturación",
            "Fakturaadress",
            "Fakturaadresse",
            "Платёжный адрес",
        ],
        "delivery_addresses" => [
            "Delivery addresses",
            "Direcciones de entrega",
            "Leveransadresser",
            "Leveringsadresser",
            "Адреса доставки",
        ],
        "use_invoice_address_for_delivery" => [
            "Deliver to my invoice address",
            "Entregar en mi dirección de facturación",
            "Leverera till min fakturaadress",
            "Lever til fakturaadressen min",
            "Доставлять на платёжный адрес",
        ],
        "company" => ["Company", "Empresa", "Företag", "Firma", "Компания"],
        "card_code" => [
            "Card number",
            "Número de tarjeta",
            "Kortnummer",
            "Kortnummer",
            "Номер карты",
        ],
        "loyalty" => [
            "Membership",
            "Membresía",
            "Medlemskap",
            "Medlemskap",
            "Членство",
        ],
        "email_status" => [
            "E-mail status",
            "Estado del correo",
            "E-poststatus",
            "E-poststatus",
            "Статус почты",
        ],
        "pending_email" => [
            "New e-mail, not yet confirmed",
            "Nuevo correo, aún sin confirmar",
            "Ny e-postadress, ännu inte bekräftad",
            "Ny e-postadresse, ikke bekreftet ennå",
            "Новый адрес, ещё не подтверждён",
        ],
        "photo" => ["Photo", "Foto", "Foto", "Bilde", "Фото"],
        "consents" => [
            "Consents",
            "Consentimientos",
            "Samtycken",
            "Samtykker",
            "Согласия",
        ],
        "custom_fields" => [
            "More about you",
            "Más sobre ti",
            "Mer om dig",
            "Mer om deg",
            "Дополнительно",
        ],
        // The record and the programme's own fields: shown beside the form,
        // to the programme's staff, and in exports.
        "id" => [
            "Profile id",
            "Id. del perfil",
            "Profil-id",
            "Profil-ID",
            "Идентификатор профиля",
        ],
        "external_id" => [
            "Customer number",
            "Número de cliente",
            "Kundnummer",
            "Kundenummer",
            "Номер клиента",
        ],
        "tenant" => ["Programme", "Programa", "Program", "Program", "Программа"],
        "organization_code" => [
            "Organization code",
            "Código de organización",
            "Organisationskod",
            "Organisasjonskode",
            "Код организации",
        ],
        "store_code" => [
            "Store code",
            "Código de tienda",
            "Butikskod",
            "Butikkode",
            "Код магазина",
        ],
        "crm_id" => [
            "CRM id",
            "Id. de CRM",
            "CRM-id",
            "CRM-ID",
            "Идентификатор в CRM",
        ],
        "username" => [
            "Username",
            "Nombre de usuario",
            "Användarnamn",
            "Brukernavn",
            "Имя пользователя",
        ],
        "active" => ["Active", "Activo", "Aktiv", "Aktiv", "Активен"],
        "created" => ["Created", "Creado", "Skapad", "Opprettet", "Создан"],
        "updated" => [
            "Last changed",
            "Último cambio",
            "Senast ändrad",
            "Sist endret",
            "Последнее изменение",
        ],
        "updated_by" => [
            "Changed by",
            "Cambiado por",
            "Ändrad av",
            "Endret av",
            "Кем изменён",
        ],
        "version" => ["Version", "Versión", "Version", "Versjon", "Версия"],
        "estimated_birth_date" => [
            "Estimated date of birth",
            "Fecha de nacimiento estimada",
            "Uppskattat födelsedatum",
            "Anslått fødselsdato",
            "Предполагаемая дата рождения",
        ],
        "national_id_verified" => [
            "Identity number verified",
            "Número de identidad verificado",
            "Personnummer verifierat",
            "Fødselsnummer bekreftet",
            "Номер подтверждён",
        ],
        "acquisition" => [
            "How the customer joined",
            "Cómo se unió el cliente",
            "Hur kunden kom till oss",
            "Hvordan kunden kom til oss",
            "Откуда пришёл клиент",
        ],
        "notes" => ["Notes", "Notas", "Anteckningar", "Notater", "Заметки"],
        "access_keys" => [
            "Access keys",
            "Claves de acceso",
            "Åtkomstnycklar",
            "Tilgangsnøkler",
            "Ключи доступа",
        ],
        "shop_id" => [
            "Web shop id",
            "Id en la tienda online",
            "Id i webbutiken",
            "Id i nettbutikken",
            "Id в интернет-магазине",
        ],
        "other_companies" => [
            "Other companies",
            "Otras empresas",
            "Övriga företag",
            "Andre firmaer",
            "Другие компании",
        ],
        "comments" => [
            "Comments",
            "Comentarios",
            "Kommentarer",
            "Kommentarer",
            "Комментарии",
        ],
        _ => return None,
    })
}

/// `[en, es, sv, nb, ru]` help under a field, for the fields that need more
/// than their label.
fn help_texts(field: &str) -> Option<[&'static str; 5]> {
    Some(match field {
        "birth_date" => [
            "We use it to send you a birthday greeting, if you want one.",
            "La usamos para felicitarte en tu cumpleaños, si lo deseas.",
            "Vi använder det för att gratulera dig på födelsedagen, om du vill.",
            "Vi bruker den til å gratulere deg med dagen, hvis du vil.",
            "Мы используем её, чтобы поздравить вас с днём рождения, если вы хотите.",
        ],
        "national_id" => [
            "As on your identity card.",
            "Tal como figura en tu documento de identidad.",
            "Som på din id-handling.",
            "Som på legitimasjonen din.",
            "Как в вашем удостоверении личности.",
        ],
        "mobile_phone" | "other_phone" => [
            "With the country code, for example +46 70 123 45 67.",
            "Con el prefijo del país, por ejemplo +34 612 345 678.",
            "Med landsnummer, till exempel +46 70 123 45 67.",
            "Med landkode, for eksempel +47 412 34 567.",
            "С кодом страны, например +7 912 345-67-89.",
        ],
        "email" => [
            "Receipts and offers you agree to are sent here.",
            "Aquí enviamos los recibos y las ofertas que aceptes.",
            "Hit skickar vi kvitton och erbjudanden du har sagt ja till.",
            "Hit sender vi kvitteringer og tilbud du har sagt ja til.",
            "Сюда мы отправляем чеки и предложения, на которые вы согласились.",
        ],
        _ => return None,
    })
}

/// The help text under a built-in field, if it has one.
pub fn field_help(field: &str, language: &str) -> Option<&'static str> {
    help_texts(field).map(|texts| pick(texts, language))
}

pub fn field_label(field: &str, language: &str) -> Option<&'static str> {
    field_texts(field).map(|texts| pick(texts, language))
}

/// Parts of an address and of a company.
pub fn part_label(part: &str, language: &str) -> Option<&'static str> {
    let texts = match part {
        "line1" => ["Address", "Dirección", "Adress", "Adresse", "Адрес"],
        "line2" => [
            "Address line 2",
            "Dirección (línea 2)",
            "Adressrad 2",
            "Adresselinje 2",
            "Адрес, строка 2",
        ],
        "care_of" => ["c/o", "A la atención de", "c/o", "c/o", "Для (c/o)"],
        "house_number" => [
            "House number",
            "Número",
            "Husnummer",
            "Husnummer",
            "Номер дома",
        ],
        "house_letter" => [
            "House letter",
            "Letra",
            "Husbokstav",
            "Husbokstav",
            "Литера",
        ],
        "entrance" => ["Entrance", "Portal", "Ingång", "Oppgang", "Подъезд"],
        "floor" => ["Floor", "Piso", "Våning", "Etasje", "Этаж"],
        "po_box" => [
            "PO box",
            "Apartado postal",
            "Box",
            "Postboks",
            "Абонентский ящик",
        ],
        "postal_code" => [
            "Postal code",
            "Código postal",
            "Postnummer",
            "Postnummer",
            "Почтовый индекс",
        ],
        "city" => ["City", "Ciudad", "Ort", "Poststed", "Город"],
        "country" => ["Country", "País", "Land", "Land", "Страна"],
        "name" => [
            "Company name",
            "Nombre de la empresa",
            "Företagsnamn",
            "Firmanavn",
            "Название компании",
        ],
        "organization_number" => [
            "Organization number",
            "NIF",
            "Organisationsnummer",
            "Organisasjonsnummer",
            "ИНН",
        ],
        _ => return None,
    };
    Some(pick(texts, language))
}

pub fn consent_label(purpose: crate::ConsentPurpose, language: &str) -> &'static str {
    use crate::ConsentPurpose::*;
    let texts = match purpose {
        MarketingEmail => [
            "Offers by e-mail",
            "Ofertas por correo electrónico",
            "Erbjudanden via e-post",
            "Tilbud på e-post",
            "Предложения по электронной почте",
        ],
        Sms => [
            "Messages by SMS",
            "Mensajes por SMS",
            "Meddelanden via sms",
            "Meldinger på SMS",
            "Сообщения по SMS",
        ],
        PushNotifications => [
            "Push notifications",
            "Notificaciones push",
            "Pushnotiser",
            "Push-varsler",
            "Push-уведомления",
        ],
        Advertising => [
            "Personalized advertising",
            "Publicidad personalizada",
            "Anpassad reklam",
            "Tilpasset reklame",
            "Персональная реклама",
        ],
        DataSharing => [
            "Sharing my data with partners",
            "Compartir mis datos con socios",
            "Dela mina uppgifter med partner",
            "Dele opplysningene mine med partnere",
            "Передача моих данных партнёрам",
        ],
        BirthdayGreetings => [
            "Birthday greetings",
            "Felicitaciones de cumpleaños",
            "Födelsedagshälsningar",
            "Bursdagshilsener",
            "Поздравления с днём рождения",
        ],
        EmailReceipts => [
            "Receipts by e-mail",
            "Recibos por correo electrónico",
            "Kvitton via e-post",
            "Kvitteringer på e-post",
            "Чеки по электронной почте",
        ],
        Newsletter => [
            "Newsletter",
            "Boletín",
            "Nyhetsbrev",
            "Nyhetsbrev",
            "Рассылка новостей",
        ],
        Terms => [
            "I accept the terms and the privacy policy",
            "Acepto las condiciones y la política de privacidad",
            "Jag godkänner villkoren och integritetspolicyn",
            "Jeg godtar vilkårene og personvernerklæringen",
            "Я принимаю условия и политику конфиденциальности",
        ],
    };
    pick(texts, language)
}

pub fn gender_label(gender: crate::Gender, language: &str) -> &'static str {
    use crate::Gender::*;
    let texts = match gender {
        Female => ["Female", "Mujer", "Kvinna", "Kvinne", "Женский"],
        Male => ["Male", "Hombre", "Man", "Mann", "Мужской"],
        Other => ["Other", "Otro", "Annat", "Annet", "Другой"],
        Unspecified => [
            "I'd rather not say",
            "Prefiero no decirlo",
            "Vill inte ange",
            "Vil ikke oppgi",
            "Не указывать",
        ],
    };
    pick(texts, language)
}

/// The form's sections.
pub fn section_label(section: crate::access::Section, language: &str) -> &'static str {
    use crate::access::Section::*;
    let texts = match section {
        Identity => ["Account", "Cuenta", "Konto", "Konto", "Учётная запись"],
        Personal => [
            "Personal",
            "Datos personales",
            "Personuppgifter",
            "Personalia",
            "Личные данные",
        ],
        Contact => ["Contact", "Contacto", "Kontakt", "Kontakt", "Контакты"],
        Addresses => ["Addresses", "Direcciones", "Adresser", "Adresser", "Адреса"],
        Consents => [
            "Preferences and consents",
            "Preferencias y consentimientos",
            "Inställningar och samtycken",
            "Innstillinger og samtykker",
            "Настройки и согласия",
        ],
        Loyalty => [
            "Membership",
            "Membresía",
            "Medlemskap",
            "Medlemskap",
            "Членство",
        ],
        Custom => [
            "More about you",
            "Más sobre ti",
            "Mer om dig",
            "Mer om deg",
            "Дополнительно",
        ],
    };
    pick(texts, language)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every member of the profile (as the struct declares them, so a new
    /// member cannot be missed), and every help text, in all five languages.
    #[test]
    fn every_field_has_a_label_in_every_language() {
        for name in crate::Profile::KEYS {
            let texts = field_texts(name).unwrap_or_else(|| panic!("{name} has no label"));
            for (language, text) in LANGUAGES.iter().zip(texts) {
                assert!(!text.trim().is_empty(), "{name} in {language}");
            }
            if let Some(help) = help_texts(name) {
                for (language, text) in LANGUAGES.iter().zip(help) {
                    assert!(!text.trim().is_empty(), "help of {name} in {language}");
                }
            }
        }
        assert_eq!(LANGUAGES.len(), 5);
        assert_eq!(field_label("first_name", "nb"), Some("Fornavn"));
        assert_eq!(field_label("first_name", "xx"), Some("First name"));
    }
}
