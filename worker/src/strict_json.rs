//! JSON as the API reads it: serde_json's grammar, and a member name given
//! twice in one object is an error instead of "the last one wins". Two
//! parsers that read one body differently (a proxy, a log, another service)
//! are a known source of security holes, so no reading is left to chance.

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// Parses `bytes` as one JSON value, refusing duplicate member names.
pub fn from_slice(bytes: &[u8]) -> serde_json::Result<Value> {
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let value = Strict.deserialize(&mut reader)?;
    reader.end()?;
    Ok(value)
}

/// Builds a [`Value`] and checks each object's names as it goes.
struct Strict;

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a number out of range"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Strict)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            if members.contains_key(&name) {
                return Err(de::Error::custom(format_args!(
                    "the member name {name:?} appears twice in one object"
                )));
            }
            let value = map.next_value_seed(Strict)?;
            members.insert(name, value);
        }
        Ok(Value::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_what_serde_json_reads() {
        for text in [
            r#"{"a": [1, -2, 3.5, true, null, "x\u00e9"], "b": {"c": {}}}"#,
            "[]",
            "\"just a string\"",
            "18446744073709551615",
            r#"{"emoji": "👩\u200d👩\u200d👧", "fa": "مهرداد\u200c"}"#,
        ] {
            assert_eq!(
                from_slice(text.as_bytes()).unwrap(),
                serde_json::from_str::<Value>(text).unwrap(),
                "{text}"
            );
        }
    }

    #[test]
    fn a_member_named_twice_is_an_error_at_any_depth() {
        for text in [
            r#"{"first_name": "A", "first_name": "B"}"#,
            r#"{"consents": {"sms": {"granted": true, "granted": false}}}"#,
            r#"{"delivery_addresses": [{"id": "a", "id": "b"}]}"#,
        ] {
            let error = from_slice(text.as_bytes()).unwrap_err();
            assert!(error.to_string().contains("appears twice"), "{error}");
            assert!(error.line() >= 1 && error.column() > 0);
        }
        assert_eq!(
            from_slice(br#"{"a": {"x": 1}, "b": {"x": 1}}"#).unwrap(),
            json!({"a": {"x": 1}, "b": {"x": 1}}),
            "the same name in two objects is fine"
        );
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        let deep = "[".repeat(10_000);
        for bytes in [
            &b"\xef\xbb\xbf{}"[..],
            b"{\"a\": \"\xff\"}",
            br#"{"a": "\ud800"}"#,
            br#"{"a": 1} {"b": 2}"#,
            b"{\"a\": 1",
            deep.as_bytes(),
            b"1e400",
            b"",
        ] {
            assert!(
                from_slice(bytes).is_err(),
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }
}
