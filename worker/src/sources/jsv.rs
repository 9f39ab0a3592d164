//! JSV, ServiceStack's own text format, which the booking platform's page
//! uses: JSON's structure without its quotes (`{Name:Kari,Tags:[a,b]}`), a
//! value quoted only when it holds `,` `{` `}` `[` `]` `"` or starts or
//! ends with a space, `"` doubled inside quotes. Every scalar is text: the
//! adapter gives it its type. Written here because no maintained Rust crate
//! reads or writes it; whitespace between tokens is accepted, as the page's
//! samples have it.

use serde_json::{Map, Value};

/// At most this many levels of maps and lists.
const MAX_DEPTH: usize = 16;

/// Why a text is not JSV this reader takes.
#[derive(Debug, PartialEq)]
pub struct JsvError(pub String);

impl std::fmt::Display for JsvError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "The body is not valid JSV: {}.", self.0)
    }
}

/// The value `text` holds: maps, lists, and text (an empty unquoted value is null).
pub fn parse(text: &str) -> Result<Value, JsvError> {
    let mut reader = Reader { text, at: 0 };
    reader.skip_space();
    let value = reader.value(0, b"")?;
    reader.skip_space();
    if reader.at < text.len() {
        return Err(reader.error("there is more after the value"));
    }
    Ok(value)
}

struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl Reader<'_> {
    fn error(&self, why: &str) -> JsvError {
        JsvError(format!("{why} (at byte {})", self.at))
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.at += 1;
        }
    }

    /// A value, whose unquoted text ends before one of `stops`.
    fn value(&mut self, depth: usize, stops: &[u8]) -> Result<Value, JsvError> {
        if depth > MAX_DEPTH {
            return Err(self.error(&format!("it is nested more than {MAX_DEPTH} levels deep")));
        }
        match self.peek() {
            Some(b'{') => self.map(depth + 1),
            Some(b'[') => self.list(depth + 1),
            Some(b'"') => self.quoted().map(Value::String),
            _ => {
                let text = self.unquoted(stops);
                Ok(if text.is_empty() {
                    Value::Null
                } else {
                    Value::String(text.to_owned())
                })
            }
        }
    }

    fn map(&mut self, depth: usize) -> Result<Value, JsvError> {
        self.at += 1;
        let mut map = Map::new();
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(Value::Object(map));
        }
        loop {
            let key = match self.peek() {
                Some(b'"') => self.quoted()?,
                _ => self.unquoted(b":,{}[]").to_owned(),
            };
            self.skip_space();
            if key.is_empty() || self.peek() != Some(b':') {
                return Err(self.error("a map's member is `Name:value`"));
            }
            self.at += 1;
            self.skip_space();
            let value = self.value(depth, b",}")?;
            if map.insert(key.clone(), value).is_some() {
                return Err(self.error(&format!("{key} is given twice")));
            }
            if self.end_of(b'}')? {
                return Ok(Value::Object(map));
            }
        }
    }

    fn list(&mut self, depth: usize) -> Result<Value, JsvError> {
        self.at += 1;
        let mut items = Vec::new();
        self.skip_space();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth, b",]")?);
            if self.end_of(b']')? {
                return Ok(Value::Array(items));
            }
        }
    }

    /// After an item: `,` (more follow) or `close` (the end).
    fn end_of(&mut self, close: u8) -> Result<bool, JsvError> {
        self.skip_space();
        match self.peek() {
            Some(b',') => {
                self.at += 1;
                self.skip_space();
                Ok(false)
            }
            Some(b) if b == close => {
                self.at += 1;
                Ok(true)
            }
            _ => Err(self.error(&format!("`,` or `{}` was expected", close as char))),
        }
    }

    /// `"..."`, with `""` for a quote.
    fn quoted(&mut self) -> Result<String, JsvError> {
        let start = self.at;
        self.at += 1;
        let mut text = String::new();
        loop {
            let rest = &self.text[self.at..];
            let Some(quote) = rest.find('"') else {
                self.at = start;
                return Err(self.error("a quoted value is not closed"));
            };
            text.push_str(&rest[..quote]);
            self.at += quote + 1;
            if self.peek() == Some(b'"') {
                text.push('"');
                self.at += 1;
            } else {
                return Ok(text);
            }
        }
    }

    /// Text up to one of `stops` (or the end), without its outer spaces.
    fn unquoted(&mut self, stops: &[u8]) -> &str {
        let rest = &self.text[self.at..];
        let end = rest
            .bytes()
            .position(|b| stops.contains(&b))
            .unwrap_or(rest.len());
        self.at += end;
        // The same spaces as between tokens: with `str::trim`'s wider set, a
        // list of a vertical tab would read as `[null]` and be written as `[]`
        // (a finding of the fuzz target `jsv_reader`).
        rest[..end].trim_matches(|c: char| c.is_ascii_whitespace())
    }
}

/// `value` as JSV: members that are null left out, booleans as .NET writes
/// them (`True`, `False`).
pub fn write(value: &Value) -> String {
    let mut out = String::new();
    write_into(&mut out, value);
    out
}

fn write_into(out: &mut String, value: &Value) {
    match value {
        Value::Null => {}
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(text) => {
            let plain = !text.is_empty()
                && text.trim() == text
                && !text.contains([',', '{', '}', '[', ']', '"', ':']);
            if plain {
                out.push_str(text);
            } else {
                out.push('"');
                out.push_str(&text.replace('"', "\"\""));
                out.push('"');
            }
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_into(out, item);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            let mut first = true;
            for (name, value) in members.iter().filter(|(_, v)| !v.is_null()) {
                if !first {
                    out.push(',');
                }
                first = false;
                out.push_str(name);
                out.push(':');
                write_into(out, value);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_pages_sample_reads() {
        let text = "{\nCompanyId: 00000000-0000-0000-0000-000000000000,\nFirstname: String,\n\
            CustomFields:\n[\n{\nId: 0,\nValue: String\n}\n],\nAccessKeysToDelete:\n[\n{\n}\n],\n\
            SubscribedToNewsletter: False,\nInvoiceAddress:\n{\nInvoiceCity: String\n}\n}";
        assert_eq!(
            parse(text),
            Ok(
                json!({"CompanyId": "00000000-0000-0000-0000-000000000000", "Firstname": "String",
                "CustomFields": [{"Id": "0", "Value": "String"}], "AccessKeysToDelete": [{}],
                "SubscribedToNewsletter": "False", "InvoiceAddress": {"InvoiceCity": "String"}})
            )
        );
    }

    #[test]
    fn values_round_trip_through_the_writer() {
        let value = json!({"Name": "Kari Nordmann", "Quote": "say \"hi\", then {go}",
            "Empty": "", "Spaced": " x ", "Time": "2026-06-04T19:00:05Z", "Yes": true,
            "Count": 3, "List": ["a", "b,c", []], "Map": {"Inner": "[1]"}, "None": null});
        let written = write(&value);
        let mut back = parse(&written).unwrap();
        assert_eq!(back["Quote"], value["Quote"]);
        assert_eq!(back["Spaced"], value["Spaced"]);
        assert_eq!(back["Empty"], "");
        assert_eq!(back["Yes"], "True");
        assert_eq!(back["Count"], "3");
        assert_eq!(back["List"], json!(["a", "b,c", []]));
        assert_eq!(back["Map"], json!({"Inner": "[1]"}));
        assert!(back.as_object_mut().unwrap().remove("None").is_none());
    }

    #[test]
    fn spaces_are_the_same_between_tokens_and_around_values() {
        let list = parse("[\u{b}\u{b}]").unwrap();
        assert_eq!(list, json!(["\u{b}\u{b}"]));
        assert_eq!(parse(&write(&list)).unwrap(), list);
        assert_eq!(parse("[ a ,\tb\n]").unwrap(), json!(["a", "b"]));
    }

    #[test]
    fn what_is_not_jsv_is_refused() {
        for bad in [
            "{Name:Kari",
            "{Name Kari}",
            "{:x}",
            "{Name:\"Kari}",
            "{Name:a,Name:b}",
            "[a,b",
            "{A:{}} extra",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let deep = "[".repeat(100_000);
        assert!(parse(&deep).is_err());
    }
}
