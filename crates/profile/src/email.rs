//! E-mail addresses. The syntax check is written for this library (no regex:
//! the widget's size budget cannot carry the regex crate's Unicode tables). It
//! accepts what mail providers hand out, including internationalized
//! addresses (RFC 6531), and refuses what cannot be delivered to.

use crate::error::{Code, FieldError};
use crate::model::EMAIL_MAX_CHARS;

/// The stored form: trimmed, NFC, the domain's ASCII letters lower-cased
/// (internationalized domains keep their letters: the Unicode case tables
/// would cost the widget's size budget, and `email_key` folds them anyway).
pub fn clean_email(raw: &str) -> String {
    let cleaned = crate::text::nfc(raw.trim());
    match cleaned.rsplit_once('@') {
        Some((local, domain)) => format!("{local}@{}", domain.to_ascii_lowercase()),
        None => cleaned,
    }
}

/// The form that decides uniqueness: the local part lower-cased (case-sensitive
/// in theory, never in practice) and the domain in its one ASCII form, so that
/// `ana@bücher.example` and `ana@xn--bcher-kva.example` are one address.
pub fn email_key(email: &str) -> String {
    let cleaned = clean_email(email);
    match cleaned.rsplit_once('@') {
        Some((local, domain)) => format!("{}@{}", local.to_lowercase(), ascii_domain(domain)),
        None => cleaned.to_lowercase(),
    }
}

/// The domain as IDNA's ASCII form (UTS 46 mapping, which also folds case).
/// A domain IDNA refuses is only lower-cased: the syntax check decides about it.
#[cfg(feature = "idna")]
fn ascii_domain(domain: &str) -> String {
    idna::domain_to_ascii(domain).unwrap_or_else(|_| domain.to_lowercase())
}

#[cfg(not(feature = "idna"))]
fn ascii_domain(domain: &str) -> String {
    domain.to_lowercase()
}

/// `max`: the tenant's limit in characters, at most [`EMAIL_MAX_CHARS`].
pub fn check_email(pointer: &str, email: &str, max: u64) -> Option<FieldError> {
    let max = max.min(EMAIL_MAX_CHARS);
    if email.chars().count() as u64 > max {
        return Some(FieldError::new(pointer, Code::TooLong).with("max", max));
    }
    (!is_valid_email(email)).then(|| FieldError::new(pointer, Code::InvalidEmail))
}

fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    valid_local_part(local) && valid_domain(domain)
}

/// Dot-atom (RFC 5322) with UTF-8 allowed: no quoted strings or comments,
/// which no provider hands out and many systems cannot store.
fn valid_local_part(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-";
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || SPECIALS.contains(c)
                || c == '.'
                || (!c.is_ascii()
                    && !c.is_control()
                    && !c.is_whitespace()
                    && !crate::text::is_invisible_format(c))
        })
}

/// A host name of at least two labels; letters, digits and hyphens (any
/// script), no label starting or ending with a hyphen, a top-level label that
/// is not all digits. IP-literal domains are refused.
fn valid_domain(domain: &str) -> bool {
    if domain.is_empty() || domain.len() > 253 {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let valid_label = |label: &&str| {
        !label.is_empty()
            && label.chars().count() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .chars()
                .all(|c| crate::chars::is_letter_or_digit(c) || c == '-')
    };
    let tld = labels[labels.len() - 1];
    labels.iter().all(valid_label)
        && !tld.chars().all(|c| c.is_ascii_digit())
        && tld.chars().count() >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        let valid = [
            "ana@example.com",
            "ana.maria+loyalty@mail.example.co.uk",
            "o'brien@example.ie",
            "x@ex-ample.se",
            "用户@例子.广告",
            "андрей@почта.рф",
            "a_b-c!#$%&*=?^`{|}~@example.org",
        ];
        for email in valid {
            assert_eq!(
                check_email("/email", email, EMAIL_MAX_CHARS),
                None,
                "{email}"
            );
        }
        let invalid = [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "ana@@example.com",
            "ana@example..com",
            ".ana@example.com",
            "ana.@example.com",
            "an..a@example.com",
            "ana maria@example.com",
            "ana@exa mple.com",
            "ana@-example.com",
            "ana@example-.com",
            "ana@example.123",
            "ana@[127.0.0.1]",
            "\"ana\"@example.com",
            "ana@example.c",
            "an\u{200B}a@example.com",
        ];
        for email in invalid {
            assert_eq!(
                check_email("/email", email, EMAIL_MAX_CHARS).map(|e| e.code),
                Some(Code::InvalidEmail),
                "{email:?}"
            );
        }
    }

    #[test]
    fn length_limits() {
        let local = "a".repeat(64);
        assert!(check_email("/email", &format!("{local}@example.com"), EMAIL_MAX_CHARS).is_none());
        assert!(check_email("/email", &format!("a{local}@example.com"), EMAIL_MAX_CHARS).is_some());
        let long = format!("{}@{}.com", "a".repeat(60), "b".repeat(200));
        assert_eq!(
            check_email("/email", &long, EMAIL_MAX_CHARS).map(|e| e.code),
            Some(Code::TooLong)
        );
        // A tenant's lower limit, such as a source API's 100 characters.
        let hundred = format!("{}@{}.com", "a".repeat(40), "b".repeat(55));
        assert_eq!(hundred.chars().count(), 100);
        assert!(check_email("/email", &hundred, 100).is_none());
        let over = check_email("/email", &format!("a{hundred}"), 100).unwrap();
        assert_eq!(
            (over.code, over.params["max"].clone()),
            (Code::TooLong, 100.into())
        );
    }

    #[test]
    fn the_domain_is_lower_cased_and_the_key_is_too() {
        assert_eq!(
            clean_email("  Ana.Maria@Example.COM "),
            "Ana.Maria@example.com"
        );
        assert_eq!(email_key("Ana.Maria@Example.COM"), "ana.maria@example.com");
        assert_eq!(
            email_key("Ana@Bücher.Example"),
            email_key("ana@xn--bcher-kva.example"),
            "the Unicode and the ASCII form of one domain are one address"
        );
        assert_eq!(email_key("Ana@Bücher.Example"), "ana@xn--bcher-kva.example");
        assert_eq!(email_key("андрей@почта.рф"), email_key("Андрей@ПОЧТА.РФ"));
    }
}
