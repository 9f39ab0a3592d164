//! Text rules shared by every field: normalization (trim, Unicode NFC, one
//! space between words), refusal of control and invisible formatting
//! characters, length limits, and what a name may contain.

use crate::error::{Code, FieldError};

/// Unicode NFC. The widget may build without the `nfc` feature (its tables
/// are large) and normalize with the browser's `String.prototype.normalize`
/// before calling the library: both implement the same Unicode algorithm.
pub fn nfc(raw: &str) -> String {
    #[cfg(feature = "nfc")]
    {
        use unicode_normalization::UnicodeNormalization;
        raw.nfc().collect()
    }
    #[cfg(not(feature = "nfc"))]
    {
        raw.to_owned()
    }
}

/// A single-line value as stored: NFC, trimmed, runs of white space made one space.
pub fn clean_line(raw: &str) -> String {
    let normalized = nfc(raw);
    let mut out = String::with_capacity(normalized.len());
    for word in normalized.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// A multi-line value as stored: NFC, `\n` line ends, each line's end trimmed,
/// and the whole trimmed.
pub fn clean_multiline(raw: &str) -> String {
    let normalized = nfc(raw).replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = normalized.lines().map(str::trim_end).collect();
    lines.join("\n").trim().to_owned()
}

/// Characters that are invisible or reorder text: bidi controls, zero-width
/// characters, the byte order mark, and other format characters (Unicode Cf).
pub fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{0600}'..='\u{0605}'
        | '\u{061C}'
        | '\u{06DD}'
        | '\u{070F}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}'
        | '\u{E0001}'
        | '\u{E0020}'..='\u{E007F}')
}

/// The zero-width non-joiner and joiner: invisible, yet part of how Persian
/// and the Indic scripts are written (ZWNJ, as in "علی‌رضا") and of emoji
/// sequences (ZWJ, as in "👩‍👧"). Between two visible characters they are
/// data; anywhere else they only hide something.
fn is_joiner(c: char) -> bool {
    matches!(c, '\u{200C}' | '\u{200D}')
}

/// Whether every joiner in `value` stands between two visible characters.
fn joiners_between_visible(value: &str) -> bool {
    let visible = |c: Option<char>| {
        c.is_some_and(|c| !c.is_whitespace() && !c.is_control() && !is_invisible_format(c))
    };
    let chars: Vec<char> = value.chars().collect();
    chars.iter().enumerate().all(|(i, c)| {
        !is_joiner(*c)
            || (visible(i.checked_sub(1).map(|p| chars[p])) && visible(chars.get(i + 1).copied()))
    })
}

/// Checks a cleaned text value: no control or invisible characters (a line
/// break only where `multiline`, a joiner only between visible characters),
/// at most `max` characters.
pub fn check_text(pointer: &str, value: &str, max: u64, multiline: bool) -> Option<FieldError> {
    let bad = |c: char| {
        (c.is_control() && !(multiline && c == '\n')) || (is_invisible_format(c) && !is_joiner(c))
    };
    if value.chars().any(bad) || !joiners_between_visible(value) {
        return Some(FieldError::new(pointer, Code::ControlCharacters));
    }
    if value.chars().count() as u64 > max {
        return Some(FieldError::new(pointer, Code::TooLong).with("max", max));
    }
    None
}

/// Combining marks in the blocks that Latin, Greek and Cyrillic names use;
/// most letters are precomposed after NFC, these remain for the rest.
fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{0483}'..='\u{0489}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// A name: letters and marks, spaces, apostrophes, hyphens and periods,
/// starting with a letter.
pub fn check_name(pointer: &str, value: &str, max: u64) -> Option<FieldError> {
    if let Some(error) = check_text(pointer, value, max, false) {
        return Some(error);
    }
    let allowed = |c: char| {
        crate::chars::is_letter(c)
            || is_combining_mark(c)
            || is_joiner(c)
            || matches!(c, ' ' | '\'' | '’' | '-' | '.')
    };
    let starts_with_letter = value.chars().next().is_some_and(crate::chars::is_letter);
    if !value.chars().all(allowed) || !starts_with_letter {
        return Some(FieldError::new(pointer, Code::InvalidCharacters));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_code(value: &str) -> Option<Code> {
        check_name("/first_name", &clean_line(value), 50).map(|e| e.code)
    }

    #[test]
    fn names() {
        let cases: &[(&str, Option<Code>)] = &[
            ("Ana", None),
            ("María José", None),
            ("O'Brien-Smith", None),
            ("D’Angelo", None),
            ("Ольга", None),
            ("Bjørn Å.", None),
            ("Zoë", None),
            ("Nguyễn", None),
            ("李小龍", None),
            ("Jos\u{0065}\u{0301}", None),
            ("R2D2", Some(Code::InvalidCharacters)),
            ("<script>", Some(Code::InvalidCharacters)),
            ("a&b", Some(Code::InvalidCharacters)),
            ("\"Ana\"", Some(Code::InvalidCharacters)),
            ("{Ana}", Some(Code::InvalidCharacters)),
            ("-Ana", Some(Code::InvalidCharacters)),
            ("علی\u{200C}رضا", None),
            ("मन\u{200D}ष", None),
            ("\u{200C}Ana", Some(Code::ControlCharacters)),
            ("Ana\u{200D}", Some(Code::ControlCharacters)),
            ("An\u{200C}\u{200C}a", Some(Code::ControlCharacters)),
            ("Ana \u{200D}Eva", Some(Code::ControlCharacters)),
            ("Ana\u{202E}", Some(Code::ControlCharacters)),
            ("An\u{200B}a", Some(Code::ControlCharacters)),
            ("An\u{0007}a", Some(Code::ControlCharacters)),
            ("\u{FEFF}Ana", Some(Code::ControlCharacters)),
        ];
        for (value, want) in cases {
            assert_eq!(name_code(value), *want, "{value:?}");
        }
    }

    #[test]
    fn length_is_counted_in_characters_after_normalization() {
        assert_eq!(name_code(&"é".repeat(50)), None);
        assert_eq!(name_code(&"e\u{0301}".repeat(50)), None);
        assert_eq!(name_code(&"é".repeat(51)), Some(Code::TooLong));
    }

    #[test]
    fn cleaning() {
        assert_eq!(clean_line("  Ana \t  María \n"), "Ana María");
        assert_eq!(clean_line("Jose\u{0301}"), "José");
        assert_eq!(clean_multiline(" a \r\nb  \rc\n\n"), "a\nb\nc");
    }

    #[test]
    fn a_joiner_inside_an_emoji_sequence_is_data() {
        let family = "👩\u{200D}👩\u{200D}👧";
        assert!(check_text("/x", &format!("Team {family}"), 100, false).is_none());
        assert_eq!(
            check_text("/x", "\u{200D}👧", 100, false).map(|e| e.code),
            Some(Code::ControlCharacters)
        );
        assert_eq!(
            check_text("/x", "a\u{200D}\n👧", 100, true).map(|e| e.code),
            Some(Code::ControlCharacters)
        );
    }

    #[test]
    fn multiline_text_may_hold_line_breaks_but_single_line_may_not() {
        assert!(check_text("/notes", "a\nb", 100, true).is_none());
        assert_eq!(
            check_text("/x", "a\u{0000}b", 100, true).map(|e| e.code),
            Some(Code::ControlCharacters)
        );
    }
}
