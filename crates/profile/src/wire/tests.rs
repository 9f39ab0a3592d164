//! The widget's readers against serde on generated values: every `Profile`
//! that proptest makes (its strategy derived from the structs themselves) is
//! written by serde and must be read back, equal, by the hand-written reader.
//! Unlike arbitrary JSON, every generated value is a profile, so no case is
//! skipped.

use crate::model::Profile;
use proptest::prelude::*;
use serde_json::Value;
use std::collections::BTreeMap;

/// Values of custom fields as the Worker stores them: never `null` (a `null`
/// in a patch removes the value).
pub(crate) fn custom_values() -> impl Strategy<Value = BTreeMap<String, Value>> {
    let value = prop_oneof![
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e9_f64..1e9).prop_map(Value::from),
        ".*".prop_map(Value::from),
        prop::collection::vec(".*".prop_map(Value::from), 0..3).prop_map(Value::Array),
    ];
    prop::collection::btree_map(".*", value, 0..4)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_profile_serde_writes_the_widgets_reader_reads_back(profile in any::<Profile>()) {
        let written = serde_json::to_value(&profile).unwrap();
        prop_assert_eq!(&super::profile(&written).unwrap(), &profile);
        // And serde itself reads back what it wrote.
        prop_assert_eq!(&serde_json::from_value::<Profile>(written).unwrap(), &profile);
    }
}

/// The field names serde's derived reader of a struct knows: what it hands
/// to `deserialize_struct`, captured by a deserializer that reads nothing.
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
    use crate::model::{Acquisition, Address, Company, Consent, Loyalty};
    use crate::schema::{SchemaField, SchemaOption, SchemaSection};
    use crate::tenant::{CustomFieldDef, CustomOption, FieldSetting, TenantRules};
    use crate::{FieldError, schema::FormSchema};
    let derived: [(&[&str], &[&str]); 15] = [
        (&Profile::KEYS, serde_fields::<Profile>()),
        (&Address::KEYS, serde_fields::<Address>()),
        (&Company::KEYS, serde_fields::<Company>()),
        (&Consent::KEYS, serde_fields::<Consent>()),
        (&Loyalty::KEYS, serde_fields::<Loyalty>()),
        (&Acquisition::KEYS, serde_fields::<Acquisition>()),
        (&TenantRules::KEYS, serde_fields::<TenantRules>()),
        (&FieldSetting::KEYS, serde_fields::<FieldSetting>()),
        (&CustomFieldDef::KEYS, serde_fields::<CustomFieldDef>()),
        (&CustomOption::KEYS, serde_fields::<CustomOption>()),
        (&FormSchema::KEYS, serde_fields::<FormSchema>()),
        (&SchemaSection::KEYS, serde_fields::<SchemaSection>()),
        (&SchemaField::KEYS, serde_fields::<SchemaField>()),
        (&SchemaOption::KEYS, serde_fields::<SchemaOption>()),
        (&FieldError::KEYS, serde_fields::<FieldError>()),
    ];
    for (keys, by_serde) in derived {
        assert_eq!(keys, by_serde);
    }
    assert_eq!(Address::KEYS.len(), 11);
    assert!(CustomFieldDef::KEYS.contains(&"type"), "a renamed member");
}

#[test]
fn the_first_wrong_member_is_named_and_later_ones_are_still_checked() {
    use serde_json::json;
    let wrong = json!({"first_name": 1, "invoice_address": {"city": true}, "notes": 7});
    assert_eq!(
        super::profile(&wrong),
        Err(super::WireError("/first_name".into()))
    );
    let nested = json!({"delivery_addresses": [{"id": "a"}, {"id": "b", "a/b~c": 1, "city": []}]});
    assert_eq!(
        super::profile(&nested),
        Err(super::WireError("/delivery_addresses/1/city".into()))
    );
    let key = json!({"custom_fields": {}, "consents": {"sms": {"granted": "yes"}}});
    assert_eq!(
        super::profile(&key),
        Err(super::WireError("/consents/sms/granted".into()))
    );
}

#[test]
fn unknown_words_as_keys_and_null_members_are_skipped() {
    use crate::{Code, ConsentPurpose};
    use serde_json::json;
    let read = super::profile(&json!({
        "consents": {"sms": {"granted": true}, "pigeon_post": {"granted": true}, "terms": null},
        "first_name": null, "active": null, "custom_fields": {"kept": null}
    }))
    .unwrap();
    assert_eq!(
        read.consents.keys().collect::<Vec<_>>(),
        [&ConsentPurpose::Sms]
    );
    assert_eq!(read.first_name, None);
    assert!(
        read.active,
        "`null` is missing: the member's default (true)"
    );
    assert_eq!(
        read.custom_fields["kept"],
        Value::Null,
        "a value may be null"
    );
    let schema = json!({"language": "en", "sections": [],
        "messages": {"TooLong": "Too long", "from_a_newer_server": "?"}});
    let form = super::form_schema(&schema).unwrap();
    assert_eq!(form.messages.keys().collect::<Vec<_>>(), [&Code::TooLong]);
    assert_eq!(form.rules, crate::TenantRules::default());
}
