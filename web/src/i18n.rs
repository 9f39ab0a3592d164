//! The few words the widget says before the form schema (which brings
//! every other text in the customer's language) has loaded.

use profile::messages::LANGUAGES;

/// One of the widget's own texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Text {
    Loading,
    LoadFailed,
    SignInAgain,
    TryAgain,
}

/// The text in `language` (one of [`LANGUAGES`]; anything else is English).
pub fn text(text: Text, language: &str) -> &'static str {
    use Text::*;
    let [en, es, sv, nb, ru] = match text {
        Loading => [
            "Loading your profile…",
            "Cargando tu perfil…",
            "Hämtar din profil…",
            "Henter profilen din…",
            "Загружаем ваш профиль…",
        ],
        LoadFailed => [
            "Your profile could not be loaded.",
            "No se ha podido cargar tu perfil.",
            "Det gick inte att hämta din profil.",
            "Profilen din kunne ikke hentes.",
            "Не удалось загрузить ваш профиль.",
        ],
        SignInAgain => [
            "Your session has ended. Sign in again to see your profile.",
            "Tu sesión ha caducado. Vuelve a iniciar sesión para ver tu perfil.",
            "Din session har gått ut. Logga in igen för att se din profil.",
            "Økten din er utløpt. Logg inn igjen for å se profilen din.",
            "Сеанс завершён. Войдите снова, чтобы увидеть профиль.",
        ],
        TryAgain => [
            "Try again",
            "Reintentar",
            "Försök igen",
            "Prøv igjen",
            "Повторить",
        ],
    };
    match LANGUAGES.iter().position(|l| *l == language) {
        Some(1) => es,
        Some(2) => sv,
        Some(3) => nb,
        Some(4) => ru,
        _ => en,
    }
}
