//! [`wire_enum!`](crate::wire_enum): an enum whose wire spellings are written once, and
//! [`wire_struct!`](crate::wire_struct): a struct whose members' names are listed once. From one
//! declaration it gives the enum, `ALL` (every variant, in declaration
//! order), `as_str`, `parse`, and serde's writing and reading through those
//! two, so that the Worker (serde), the widget (`crate::wire`) and the
//! documents list the same words.

/// Declares an enum of unit variants with one wire spelling each: written
/// after the variant (`MarketingEmail = "marketing_email"`), or the variant's
/// own name when none is written (`TooLong`).
#[macro_export]
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident $(= $spelling:literal)? ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$variant_meta])* $variant, )+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: [$name; [$(stringify!($variant)),+].len()] = [$($name::$variant),+];

            /// The wire spelling.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $crate::wire_enum!(@spelling $variant $($spelling)?), )+
                }
            }

            /// The variant of a wire spelling. A search of `ALL`, not a
            /// `match` of strings: smaller in the widget, and fast enough for
            /// a few dozen words.
            pub fn parse(text: &str) -> Option<$name> {
                $name::ALL.into_iter().find(|word| word.as_str() == text)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                $name::parse(&text).ok_or_else(|| {
                    serde::de::Error::unknown_variant(
                        &text,
                        &[$($crate::wire_enum!(@spelling $variant $($spelling)?)),+],
                    )
                })
            }
        }
    };
    (@spelling $variant:ident $spelling:literal) => { $spelling };
    (@spelling $variant:ident) => { stringify!($variant) };
}

/// Declares a struct and `KEYS`, its members' names on the wire, in
/// declaration order: the list of known members a patch is checked against.
/// For structs whose members serde reads by their own names (no `rename`); a
/// test checks each `KEYS` against serde's own field list.
#[macro_export]
macro_rules! wire_struct {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$field_meta:meta])* $field_vis:vis $field:ident : $ty:ty ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $( $(#[$field_meta])* $field_vis $field: $ty, )+
        }

        impl $name {
            /// Its members' names on the wire, in declaration order.
            pub const KEYS: [&'static str; [$(stringify!($field)),+].len()] = [$(stringify!($field)),+];
        }
    };
}

#[cfg(test)]
mod tests {
    wire_enum! {
        #[derive(Clone, Copy, Debug, PartialEq)]
        enum Sample {
            /// Documented.
            FirstOne = "first_one",
            Second,
        }
    }

    #[test]
    fn one_declaration_gives_all_spellings_parsing_and_serde() {
        assert_eq!(Sample::ALL, [Sample::FirstOne, Sample::Second]);
        assert_eq!(Sample::FirstOne.as_str(), "first_one");
        assert_eq!(Sample::Second.as_str(), "Second");
        for word in Sample::ALL {
            assert_eq!(Sample::parse(word.as_str()), Some(word));
            assert_eq!(serde_json::to_value(word).unwrap(), word.as_str());
            let read: Sample = serde_json::from_value(word.as_str().into()).unwrap();
            assert_eq!(read, word);
        }
        assert_eq!(Sample::parse("FirstOne"), None);
        let error = serde_json::from_str::<Sample>("\"third\"").unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown variant `third`, expected `first_one` or `Second`"
        );
        assert!(serde_json::from_str::<Sample>("1").is_err());
        assert!(serde_json::from_str::<Sample>("{\"Second\": null}").is_err());
    }

    /// The field names serde's derived reader of a struct knows: what it
    /// hands to `deserialize_struct`, captured by a deserializer that reads nothing.
    fn serde_fields<T: serde::de::DeserializeOwned>() -> &'static [&'static str] {
        use serde::de::{Error, Visitor, value};
        struct Fields<'a>(&'a mut &'static [&'static str]);
        impl<'de> serde::Deserializer<'de> for Fields<'_> {
            type Error = value::Error;
            fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, value::Error> {
                Err(value::Error::custom("not a struct"))
            }
            fn deserialize_struct<V: Visitor<'de>>(
                self,
                _: &'static str,
                fields: &'static [&'static str],
                _: V,
            ) -> Result<V::Value, value::Error> {
                *self.0 = fields;
                Err(value::Error::custom("captured"))
            }
            serde::forward_to_deserialize_any! {
                bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
                byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
                identifier ignored_any
            }
        }
        let mut fields: &'static [&'static str] = &[];
        let _ = T::deserialize(Fields(&mut fields));
        fields
    }

    #[test]
    fn every_structs_keys_are_the_names_serde_reads() {
        use crate::model::{Acquisition, Address, Company, Loyalty};
        assert_eq!(serde_fields::<Address>(), Address::KEYS);
        assert_eq!(serde_fields::<Company>(), Company::KEYS);
        assert_eq!(serde_fields::<Loyalty>(), Loyalty::KEYS);
        assert_eq!(serde_fields::<Acquisition>(), Acquisition::KEYS);
        assert_eq!(Address::KEYS.len(), 11);
    }
}
