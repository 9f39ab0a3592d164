//! The widget's readers of the wire shape, from a parsed `serde_json::Value`.
//! The Worker reads with serde's derives; the widget reads with these,
//! because in WASM each derived `Deserialize` brings its own visitor code and
//! serde's error formatting (measured: reading `Profile` and the form schema
//! through their derives cost the widget about 50 KB gzip, these a few KB).
//!
//! Each struct's reader is derived (`#[derive(Wire)]`, crate `wire-derive`)
//! from the same members and `#[serde]` attributes that serde's derive reads,
//! so a new member is read by both; each enum's by [`crate::wire_enum!`]. This
//! module has the readers of the leaves (text, numbers, lists, maps).
//!
//! Unknown members, and map keys that are not one of an enum's words, are
//! skipped (the widget reads what a server of its own version or a newer one
//! wrote); `null` reads as a missing member; a member of the wrong type is an
//! error naming its JSON Pointer.

use crate::error::FieldError;
use crate::model::Profile;
use crate::schema::FormSchema;
use crate::tenant::TenantRules;
use serde_json::{Map, Value};
use std::cell::Cell;
use std::collections::BTreeMap;

/// The JSON Pointer of a value of the wrong type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireError(pub String);

pub type Read<T> = Result<T, WireError>;

/// Where a value being read is: a chain of steps from the document's root,
/// written out as a JSON Pointer only for an error.
#[derive(Clone, Copy)]
pub struct At<'a> {
    up: Option<&'a At<'a>>,
    step: Step<'a>,
}

#[derive(Clone, Copy)]
enum Step<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl<'a> At<'a> {
    pub const ROOT: At<'static> = At {
        up: None,
        step: Step::Root,
    };

    pub fn key(&'a self, key: &'a str) -> At<'a> {
        At {
            up: Some(self),
            step: Step::Key(key),
        }
    }

    pub fn index(&'a self, index: usize) -> At<'a> {
        At {
            up: Some(self),
            step: Step::Index(index),
        }
    }

    /// The error "a value of the wrong type is here".
    pub fn error(&self) -> WireError {
        let mut steps = Vec::new();
        let mut at = Some(self);
        while let Some(here) = at {
            steps.push(here.step);
            at = here.up;
        }
        let mut pointer = String::new();
        for step in steps.into_iter().rev() {
            match step {
                Step::Root => {}
                Step::Key(key) => {
                    pointer.push('/');
                    pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                }
                Step::Index(i) => pointer.push_str(&format!("/{i}")),
            }
        }
        WireError(pointer)
    }
}

/// A value read from the wire.
pub trait Wire: Sized {
    /// Reads a value that is there and not `null`.
    fn read(value: &Value, at: At<'_>) -> Read<Self>;

    /// The value of a member that is missing or `null`: an error unless the
    /// type has an empty value (or its member a `#[serde(default)]`).
    fn absent(at: At<'_>) -> Read<Self> {
        Err(at.error())
    }
}

/// A struct read from the members of one JSON object (a `#[serde(flatten)]`
/// member reads the same object as its parent).
pub trait Members: Sized {
    fn read_members(o: &Object<'_>) -> Read<Self>;
}

/// A map key: any text, or one of an enum's words.
pub trait Key: Sized {
    fn from_key(key: &str) -> Option<Self>;
}

/// One JSON object being read.
pub struct Object<'a> {
    map: &'a Map<String, Value>,
    at: At<'a>,
    /// The first error of a member read with [`Object::fill`].
    error: Cell<Option<WireError>>,
}

impl<'a> Object<'a> {
    pub fn new(value: &'a Value, at: At<'a>) -> Read<Self> {
        match value {
            Value::Object(map) => Ok(Object {
                map,
                at,
                error: Cell::new(None),
            }),
            _ => Err(at.error()),
        }
    }

    pub fn at(&self) -> &At<'a> {
        &self.at
    }

    /// The member, unless it is missing or `null`.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// The member read, or `None` when it is missing or `null`.
    pub fn present<T: Wire>(&self, key: &str) -> Read<Option<T>> {
        match self.get(key) {
            Some(value) => T::read(value, self.at.key(key)).map(Some),
            None => Ok(None),
        }
    }

    /// Reads the member into `slot`, if it is there and not `null`; whether
    /// it was. An error is kept for [`Object::finish`].
    // Not inlined: one copy per type instead of one per member (the widget's size).
    #[inline(never)]
    pub fn fill<T: Wire>(&self, key: &str, slot: &mut T) -> bool {
        let Some(value) = self.get(key) else {
            return false;
        };
        match T::read(value, self.at.key(key)) {
            Ok(read) => *slot = read,
            Err(error) => self.fail(error),
        }
        true
    }

    /// Puts the type's [`Wire::absent`] for a missing member into `slot`.
    #[inline(never)]
    pub fn fill_absent<T: Wire>(&self, key: &str, slot: &mut T) {
        match T::absent(self.at.key(key)) {
            Ok(read) => *slot = read,
            Err(error) => self.fail(error),
        }
    }

    /// Reads a `#[serde(flatten)]` member from this same object into `slot`.
    pub fn flattened<T: Members>(&self, slot: &mut T) {
        match T::read_members(self) {
            Ok(read) => *slot = read,
            Err(error) => self.fail(error),
        }
    }

    /// Keeps the first error.
    fn fail(&self, error: WireError) {
        let first = self.error.take().unwrap_or(error);
        self.error.set(Some(first));
    }

    /// The value read, unless a member of it was wrong.
    pub fn finish<T>(&self, read: T) -> Read<T> {
        match self.error.take() {
            Some(error) => Err(error),
            None => Ok(read),
        }
    }

    /// The member read, or the type's [`Wire::absent`].
    pub fn member<T: Wire>(&self, key: &str) -> Read<T> {
        match self.get(key) {
            Some(value) => T::read(value, self.at.key(key)),
            None => T::absent(self.at.key(key)),
        }
    }
}

impl Wire for String {
    fn read(value: &Value, at: At<'_>) -> Read<Self> {
        value.as_str().map(str::to_owned).ok_or_else(|| at.error())
    }
    fn absent(_: At<'_>) -> Read<Self> {
        Ok(String::new())
    }
}

impl Key for String {
    fn from_key(key: &str) -> Option<Self> {
        Some(key.to_owned())
    }
}

impl Wire for bool {
    fn read(value: &Value, at: At<'_>) -> Read<Self> {
        value.as_bool().ok_or_else(|| at.error())
    }
    fn absent(_: At<'_>) -> Read<Self> {
        Ok(false)
    }
}

impl Wire for u64 {
    fn read(value: &Value, at: At<'_>) -> Read<Self> {
        value.as_u64().ok_or_else(|| at.error())
    }
    fn absent(_: At<'_>) -> Read<Self> {
        Ok(0)
    }
}

impl Wire for u32 {
    fn read(value: &Value, at: At<'_>) -> Read<Self> {
        u32::try_from(u64::read(value, at)?).map_err(|_| at.error())
    }
}

impl Wire for u8 {
    fn read(value: &Value, at: At<'_>) -> Read<Self> {
        u8::try_from(u64::read(value, at)?).map_err(|_| at.error())
    }
}

impl Wire for f64 {
    fn read(value: &Value, at: At<'_>) -> Read<Self> {
        value.as_f64().ok_or_else(|| at.error())
    }
}

/// Any JSON value, kept as it is.
impl Wire for Value {
    fn read(value: &Value, _: At<'_>) -> Read<Self> {
        Ok(value.clone())
    }
}

impl Wire for Map<String, Value> {
    fn read(value: &Value, at: At<'_>) -> Read<Self> {
        value.as_object().cloned().ok_or_else(|| at.error())
    }
    fn absent(_: At<'_>) -> Read<Self> {
        Ok(Map::new())
    }
}

impl<T: Wire> Wire for Option<T> {
    fn read(value: &Value, at: At<'_>) -> Read<Self> {
        T::read(value, at).map(Some)
    }
    fn absent(_: At<'_>) -> Read<Self> {
        Ok(None)
    }
}

impl<T: Wire> Wire for Vec<T> {
    fn read(value: &Value, at: At<'_>) -> Read<Self> {
        let items = value.as_array().ok_or_else(|| at.error())?;
        let mut read = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            read.push(T::read(item, at.index(i))?);
        }
        Ok(read)
    }
    fn absent(_: At<'_>) -> Read<Self> {
        Ok(Vec::new())
    }
}

// Filled by `insert`, not collected: collecting sorts, and every sort
// instance costs the widget's size budget.
impl<K: Key + Ord, V: Wire> Wire for BTreeMap<K, V> {
    fn read(value: &Value, at: At<'_>) -> Read<Self> {
        let o = Object::new(value, at)?;
        let mut read = BTreeMap::new();
        for (name, member) in o.map {
            let Some(key) = K::from_key(name) else {
                continue;
            };
            match V::read(member, o.at.key(name)) {
                Ok(value) => {
                    read.insert(key, value);
                }
                // A `null` entry is a missing one, unless the value may be `null`.
                Err(_) if member.is_null() => {}
                Err(error) => return Err(error),
            }
        }
        Ok(read)
    }
    fn absent(_: At<'_>) -> Read<Self> {
        Ok(BTreeMap::new())
    }
}

/// Reads a whole document.
pub fn read<T: Wire>(value: &Value) -> Read<T> {
    T::read(value, At::ROOT)
}

/// A profile in its wire shape.
pub fn profile(value: &Value) -> Read<Profile> {
    read(value)
}

/// A tenant's rules in their wire shape (as in the form schema).
pub fn tenant_rules(value: &Value) -> Read<TenantRules> {
    read(value)
}

/// The form schema (`GET /v1/customers/me/schema`).
pub fn form_schema(value: &Value) -> Read<FormSchema> {
    read(value)
}

/// The field errors of a problem document (`errors`), as the server sent them.
pub fn field_errors(problem: &Value) -> Read<Vec<FieldError>> {
    let o = Object::new(problem, At::ROOT)?;
    o.member("errors")
}

#[cfg(test)]
pub(crate) mod tests;
