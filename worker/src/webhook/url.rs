//! An endpoint's URL and event types, as the API takes them.

use profile::error::{Code, FieldError};
use profile::events::EventType;
use profile::webhooks::URL_MAX;

/// Whether `url` may receive events: `https`, or `http` on loopback
/// (`localhost`, `127.0.0.1`, `[::1]`) for development, as for origins;
/// no user name or password, no fragment, no spaces.
pub fn check_url(pointer: &str, url: &str) -> Option<FieldError> {
    let refuse = || {
        Some(FieldError::new(pointer, Code::InvalidType).with(
            "expected",
            "an https URL such as https://crm.example.com/hooks (http only for localhost and 127.0.0.1)",
        ))
    };
    if url.chars().count() > URL_MAX {
        return Some(FieldError::new(pointer, Code::TooLong).with("max", URL_MAX));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) || url.contains('#') {
        return refuse();
    }
    let (secure, rest) = if let Some(rest) = url.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = url.strip_prefix("http://") {
        (false, rest)
    } else {
        return refuse();
    };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    if authority.contains('@') || authority.contains('\\') {
        return refuse();
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((address, port)) if port.is_empty() || port.starts_with(':') => {
                (address, port.strip_prefix(':'))
            }
            _ => return refuse(),
        },
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    let (name, port) = host;
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.parse::<u16>().is_ok());
    let name_ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    let loopback = matches!(
        name.to_ascii_lowercase().as_str(),
        "localhost" | "127.0.0.1" | "::1"
    );
    if !port_ok || !name_ok || !(secure || loopback) {
        return refuse();
    }
    None
}

/// Every problem of an endpoint's URL and types.
pub fn endpoint_errors(url: Option<&str>, types: Option<&[EventType]>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    errors.extend(url.and_then(|url| check_url("/url", url)));
    if let Some(types) = types {
        if types.is_empty() {
            errors.push(FieldError::new("/event_types", Code::Required));
        }
        for (i, kind) in types.iter().enumerate() {
            if types[..i].contains(kind) {
                errors.push(FieldError::new(
                    format!("/event_types/{i}"),
                    Code::Duplicate,
                ));
            }
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_https_or_loopback_http() {
        for url in [
            "https://crm.example.com/hooks",
            "https://crm.example.com:8443/hooks?tenant=a",
            "http://127.0.0.1:8787/dev/events",
            "http://localhost/x",
            "http://[::1]:9000/",
            "https://[2001:db8::1]/in",
        ] {
            assert_eq!(check_url("/url", url), None, "{url}");
        }
        for url in [
            "",
            "ftp://example.com/",
            "http://crm.example.com/hooks",
            "https://user:pw@example.com/",
            "https://example.com/a b",
            "https://example.com/#frag",
            "https:///path",
            "https://example.com:99999/",
            "https://example.com:/",
            "http://127.0.0.1.example.com/",
            "https://exa\u{0}mple.com/",
            "https://[::1/",
        ] {
            let error = check_url("/url", url).expect(url);
            assert_eq!(error.pointer, "/url");
            assert_eq!(error.code, Code::InvalidType, "{url}");
        }
        let long = format!("https://example.com/{}", "a".repeat(URL_MAX));
        assert_eq!(check_url("/url", &long).unwrap().code, Code::TooLong);
    }

    #[test]
    fn an_endpoints_types_are_not_empty_nor_given_twice() {
        let errors = endpoint_errors(
            Some("https://crm.example.com/in"),
            Some(&[EventType::CustomerUpdated, EventType::CustomerUpdated]),
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].pointer, "/event_types/1");
        assert_eq!(endpoint_errors(None, Some(&[]))[0].code, Code::Required);
    }
}
