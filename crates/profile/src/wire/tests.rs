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
