//! The Unicode character classes the rules ask about: letters (Alphabetic)
//! and digits (Numeric). With the `char-tables` feature (the Worker) the
//! answers come from Rust's own tables; without it (the widget, where those
//! tables cost about 5 KB gzip of its budget) non-ASCII characters are asked
//! of the host, given by [`set_classifier`]: the browser's `\p{Alphabetic}`
//! and `\p{N}`, the same Unicode properties. The server's answer counts.

/// What is asked of a non-ASCII character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Unicode Alphabetic.
    Letter,
    /// Unicode Alphabetic or Numeric.
    LetterOrDigit,
}

/// A letter, in any script.
pub fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    #[cfg(feature = "char-tables")]
    {
        c.is_alphabetic()
    }
    #[cfg(not(feature = "char-tables"))]
    {
        ask(c, Class::Letter)
    }
}

/// A letter or a digit, in any script.
pub fn is_letter_or_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    #[cfg(feature = "char-tables")]
    {
        c.is_alphanumeric()
    }
    #[cfg(not(feature = "char-tables"))]
    {
        ask(c, Class::LetterOrDigit)
    }
}

#[cfg(not(feature = "char-tables"))]
static CLASSIFIER: std::sync::OnceLock<fn(char, Class) -> bool> = std::sync::OnceLock::new();

#[cfg(not(feature = "char-tables"))]
fn ask(c: char, class: Class) -> bool {
    CLASSIFIER.get().is_none_or(|classify| classify(c, class))
}

/// Gives the host's answer for non-ASCII characters. With the `char-tables`
/// feature, Rust's tables answer and this does nothing.
pub fn set_classifier(classify: fn(char, Class) -> bool) {
    #[cfg(not(feature = "char-tables"))]
    let _ = CLASSIFIER.set(classify);
    #[cfg(feature = "char-tables")]
    let _ = classify;
}

#[cfg(all(test, feature = "char-tables"))]
mod tests {
    use super::*;

    #[test]
    fn letters_and_digits_of_any_script() {
        for c in ['a', 'Å', 'ж', 'ñ', '中'] {
            assert!(is_letter(c) && is_letter_or_digit(c), "{c}");
        }
        for c in ['1', '٣'] {
            assert!(!is_letter(c) && is_letter_or_digit(c), "{c}");
        }
        for c in ['-', ' ', '€', '\u{200B}'] {
            assert!(!is_letter_or_digit(c), "{c}");
        }
    }
}
