//! Conditional requests as RFC 9110 (section 13.1) defines them: `If-Match`
//! and `If-None-Match` hold `*` or a comma-separated list of entity tags,
//! compared strongly for `If-Match` and weakly for `If-None-Match`.

/// One entity tag of a list: its opaque part (quotes included) and whether it is weak.
struct Tag<'a> {
    weak: bool,
    opaque: &'a str,
}

/// The tags of a header, or `None` for `*` ... or for a header that is not a
/// well-formed list (which then matches nothing).
enum Condition<'a> {
    Any,
    Tags(Vec<Tag<'a>>),
}

fn parse(header: &str) -> Condition<'_> {
    if header.trim() == "*" {
        return Condition::Any;
    }
    let mut tags = Vec::new();
    let mut rest = header;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return Condition::Tags(tags);
        }
        let weak = rest.starts_with("W/");
        if weak {
            rest = &rest[2..];
        }
        // An opaque tag is a quoted string without quotes inside; it may hold commas.
        let Some(after_quote) = rest.strip_prefix('"') else {
            return Condition::Tags(Vec::new());
        };
        let Some(end) = after_quote.find('"') else {
            return Condition::Tags(Vec::new());
        };
        let length = end + 2; // both quotes, which are one byte each
        tags.push(Tag {
            weak,
            opaque: &rest[..length],
        });
        rest = &rest[length..];
    }
}

/// `If-Match`: whether a write may go ahead on the current version `etag`
/// (a strong tag such as `"v3"`). A weak tag never matches.
pub fn if_match(header: &str, etag: &str) -> bool {
    match parse(header) {
        Condition::Any => true,
        Condition::Tags(tags) => tags.iter().any(|t| !t.weak && t.opaque == etag),
    }
}

/// `If-None-Match`: whether the client already has the current version, so a
/// `GET` answers 304. Weak comparison: `W/"v3"` matches `"v3"`.
pub fn if_none_match(header: &str, etag: &str) -> bool {
    match parse(header) {
        Condition::Any => true,
        Condition::Tags(tags) => tags.iter().any(|t| t.opaque == etag),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_takes_a_star_or_a_list_compared_strongly() {
        assert!(if_match("*", "\"v3\""));
        assert!(if_match("\"v3\"", "\"v3\""));
        assert!(if_match("\"v1\", \"v3\"", "\"v3\""));
        assert!(if_match("\"v1\",\"v3\"", "\"v3\""));
        assert!(!if_match("\"v1\", \"v2\"", "\"v3\""));
        assert!(!if_match("W/\"v3\"", "\"v3\""), "weak tags never match");
        assert!(!if_match("v3", "\"v3\""), "unquoted");
        assert!(!if_match("\"v3", "\"v3\""), "unterminated");
        assert!(!if_match("", "\"v3\""));
        assert!(!if_match("\"a,b\"", "\"a\""), "a comma inside a tag");
        assert!(if_match("\"a,b\", \"v3\"", "\"v3\""));
    }

    #[test]
    fn if_none_match_takes_a_star_or_a_list_compared_weakly() {
        assert!(if_none_match("*", "\"v3\""));
        assert!(if_none_match("W/\"v3\"", "\"v3\""));
        assert!(if_none_match("\"v2\", W/\"v3\"", "\"v3\""));
        assert!(!if_none_match("\"v2\"", "\"v3\""));
        assert!(!if_none_match("é\"v3\"", "\"v3\""));
        assert!(!if_none_match("W/", "\"v3\""));
    }
}
