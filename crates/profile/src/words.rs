//! [`wire_enum!`](crate::wire_enum): an enum whose wire spellings are written
//! once. From one declaration it gives the enum, `ALL` (every variant, in
//! declaration order), `as_str`, `parse`, serde's writing and reading and the
//! widget's reading ([`crate::wire`]) through those two, so that the Worker,
//! the widget and the documents list the same words. (A struct's members are
//! listed once by `#[derive(Wire)]`, which gives its `KEYS`.)

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

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some($name::ALL.iter().map(|word| word.as_str())))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        impl $crate::wire::Wire for $name {
            fn read(value: &::serde_json::Value, at: $crate::wire::At<'_>) -> $crate::wire::Read<Self> {
                value.as_str().and_then($name::parse).ok_or_else(|| at.error())
            }
        }

        impl $crate::wire::Key for $name {
            fn from_key(key: &str) -> Option<Self> {
                $name::parse(key)
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
}
