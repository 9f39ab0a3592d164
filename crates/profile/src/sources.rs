//! Where every field of the five source APIs lives in the canonical profile.
//! The compatibility endpoints (the Worker's adapters) translate with this
//! table ([`target`]); a test checks that every target is a real place in the
//! wire shape. A tenant switches each adapter on in its configuration
//! ([`Adapters`]).
//!
//! | source | system |
//! |---|---|
//! | `extranet` | loyalty extranet, `PUT api/v1/extranet/customers/me` (Spanish DNI) |
//! | `booking` | booking platform, `PUT /customers/{Id}` (Swedish) |
//! | `client_update` | loyalty programme, `POST api/client/ClientUpdate` (Russian) |
//! | `storm` | e-commerce platform, `POST CustomerService.svc/rest/UpdateCustomer` (Swedish) |
//! | `utility` | energy utility, `PATCH api/customers/{customerId}` (Norwegian) |

/// Where a source field goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A JSON Pointer into the canonical wire shape (`*` stands for any key).
    Field(&'static str),
    /// Not profile data: it says who calls or how (authentication, routing,
    /// who made the change); the compatibility layer uses it, the profile does not store it.
    Request(&'static str),
}

mod fields;
pub mod storm;

pub use fields::SOURCE_FIELDS;
use serde::{Deserialize, Serialize};

/// Where `source`'s `field` goes, if the table lists it.
pub fn target(source: &str, field: &str) -> Option<Target> {
    SOURCE_FIELDS
        .iter()
        .find(|(s, f, _)| *s == source && *f == field)
        .map(|(_, _, target)| *target)
}

/// The source APIs a tenant has switched on (each off unless set), with
/// what each needs to know.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct Adapters {
    /// The energy utility's `PATCH /api/customers/{customerId}` (004).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub utility: Option<UtilitySettings>,
    /// The loyalty programme's `POST /api/client/ClientUpdate` (002).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_update: Option<ClientUpdateSettings>,
    /// The loyalty extranet's `PUT /api/v1/extranet/customers/me` (000).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extranet: Option<AliasSettings>,
    /// The booking platform's `PUT /customers/{Id}` (001).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub booking: Option<AliasSettings>,
    /// The e-commerce platform's `POST /CustomerService.svc/rest/UpdateCustomer` (003).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storm: Option<StormSettings>,
}

impl Adapters {
    /// What serde cannot check: every alias names one of the tenant's
    /// custom fields, at most once; the booking platform's are integers.
    pub fn errors(&self, at: &str, rules: &crate::TenantRules) -> Vec<crate::FieldError> {
        let mut errors = Vec::new();
        let storm = self.storm.as_ref();
        for (name, aliases, integers) in [
            (
                "extranet",
                self.extranet.as_ref().map(|s| &s.custom_fields),
                false,
            ),
            (
                "booking",
                self.booking.as_ref().map(|s| &s.custom_fields),
                true,
            ),
            ("storm", storm.map(|s| &s.custom_fields), true),
        ] {
            let Some(aliases) = aliases else { continue };
            let mut seen: Vec<&String> = Vec::new();
            for (alias, key) in aliases {
                let pointer = format!(
                    "{at}/{name}/custom_fields/{}",
                    crate::error::pointer_segment(alias)
                );
                if let Some(error) = bad_alias(&pointer, alias, integers) {
                    errors.push(error);
                } else if !rules.custom_fields.iter().any(|def| &def.key == key) {
                    errors.push(
                        crate::FieldError::new(pointer, crate::Code::NotAnOption)
                            .with("options", "the keys of rules.custom_fields"),
                    );
                } else if seen.contains(&key) {
                    errors.push(crate::FieldError::new(pointer, crate::Code::Duplicate));
                }
                seen.push(key);
            }
        }
        for (id, flag) in storm.into_iter().flat_map(|s| &s.flags) {
            let pointer = format!("{at}/storm/flags/{}", crate::error::pointer_segment(id));
            errors.extend(bad_alias(&pointer, id, true));
            errors.extend(crate::text::check_text(
                &pointer,
                flag,
                crate::model::CODE_MAX_CHARS,
                false,
            ));
            if flag.is_empty() {
                errors.push(crate::FieldError::new(pointer, crate::Code::Required));
            }
        }
        errors
    }
}

/// An alias that is not what its API sends: a code of 1 to 50 characters,
/// or (`integers`) a positive integer in its plain form.
fn bad_alias(pointer: &str, alias: &str, integers: bool) -> Option<crate::FieldError> {
    let bad = alias.is_empty()
        || alias.chars().count() > crate::model::CODE_MAX_CHARS as usize
        || (integers
            && !alias
                .parse::<u32>()
                .is_ok_and(|id| id > 0 && id.to_string() == *alias));
    let expected = if integers {
        "a positive integer"
    } else {
        "a code of 1 to 50 characters"
    };
    bad.then(|| {
        crate::FieldError::new(pointer, crate::Code::InvalidType).with("expected", expected)
    })
}

/// The e-commerce platform's adapter: its `Info` ids and `Flags` ids.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StormSettings {
    /// An `Info` id (a positive integer) -> the key in `rules.custom_fields`.
    #[serde(default)]
    pub custom_fields: std::collections::BTreeMap<String, String>,
    /// A `Flags` id (a positive integer) -> the named flag in `loyalty.flags`
    /// it stands for.
    #[serde(default)]
    pub flags: std::collections::BTreeMap<String, String>,
}

impl StormSettings {
    /// The custom field's key that the `Info` id stands for.
    pub fn key_of(&self, id: &str) -> Option<&str> {
        self.custom_fields.get(id).map(String::as_str)
    }

    /// The named flag the `Flags` id stands for.
    pub fn flag_of(&self, id: &str) -> Option<&str> {
        self.flags.get(id).map(String::as_str)
    }
}

/// An adapter whose API names the tenant's custom fields its own way: by
/// each field's code (000) or integer id (001), mapped to a field's key.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AliasSettings {
    /// The API's name of a custom field -> the key in `rules.custom_fields`.
    #[serde(default)]
    pub custom_fields: std::collections::BTreeMap<String, String>,
}

impl AliasSettings {
    /// The custom field's key that the API's `alias` stands for.
    pub fn key_of(&self, alias: &str) -> Option<&str> {
        self.custom_fields.get(alias).map(String::as_str)
    }

    /// The API's name of the custom field `key`, if it has one.
    pub fn alias_of(&self, key: &str) -> Option<&str> {
        self.custom_fields
            .iter()
            .find(|(_, k)| *k == key)
            .map(|(alias, _)| alias.as_str())
    }
}

/// The energy utility's adapter: it needs no setting of its own.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UtilitySettings {}

/// The loyalty programme's adapter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClientUpdateSettings {
    /// The programme's operator number, which every request's `Operator` must be.
    pub operator: i64,
}

#[cfg(test)]
mod tests {
    use super::Target::{Field, Request};
    use super::*;
    use crate::model::*;
    use serde_json::{Value, json};

    /// A profile with every field set, so that every place exists in its JSON.
    fn full_profile() -> Profile {
        let address = Address {
            line1: Some("Storgata 1".into()),
            line2: Some("Bakgården".into()),
            care_of: Some("Hansen".into()),
            house_number: Some("1".into()),
            house_letter: Some("B".into()),
            entrance: Some("A".into()),
            floor: Some("3".into()),
            po_box: Some("10".into()),
            postal_code: Some("0150".into()),
            city: Some("Oslo".into()),
            country: Some("NO".into()),
        };
        let consent = Consent {
            granted: true,
            at: Some("2026-01-01T00:00:00Z".into()),
            source: Some("pos-1".into()),
            policy_version: Some("3".into()),
        };
        Profile {
            id: "p".into(),
            external_id: "c".into(),
            tenant: "t".into(),
            organization_code: Some("o".into()),
            store_code: Some("s".into()),
            card_code: Some("k".into()),
            crm_id: Some("crm".into()),
            shop_id: Some("42".into()),
            username: Some("u".into()),
            active: true,
            created: "2026-01-01T00:00:00Z".into(),
            updated: "2026-01-01T00:00:00Z".into(),
            updated_by: Some("pos-1".into()),
            version: 1,
            first_name: Some("Kari".into()),
            middle_name: Some("Ivanovna".into()),
            last_name: Some("Nordmann".into()),
            birth_date: Some("1990-01-01".into()),
            estimated_birth_date: Some("1990-01-01".into()),
            gender: Some(Gender::Female),
            has_children: Some(true),
            national_id: Some("01010750160".into()),
            national_id_verified: true,
            preferred_language: Some("nb-NO".into()),
            photo: Some("sha256".into()),
            email: Some("kari@example.no".into()),
            email_status: EmailStatus::Verified,
            pending_email: Some("kari.nordmann@example.no".into()),
            mobile_phone: Some("+4791234567".into()),
            other_phone: Some("+4722334455".into()),
            invoice_address: Some(address.clone()),
            delivery_addresses: vec![DeliveryAddress {
                id: "home".into(),
                address,
            }],
            use_invoice_address_for_delivery: true,
            company: Some(Company {
                id: Some(1),
                name: Some("AS".into()),
                organization_number: Some("123".into()),
            }),
            other_companies: vec![Company {
                id: Some(2),
                name: Some("AB".into()),
                organization_number: Some("456".into()),
            }],
            consents: ConsentPurpose::ALL
                .into_iter()
                .map(|p| (p, consent.clone()))
                .collect(),
            loyalty: Loyalty {
                member: true,
                rank: Some("gold".into()),
                has_card: true,
                any_online_purchase: true,
                any_offline_purchase: true,
                price_list_ids: vec!["1".into()],
                flags: vec!["power_customer".into()],
                customer_type: Some("private".into()),
                requires_profile_confirmation: true,
            },
            acquisition: Acquisition {
                source_code: Some("x".into()),
                refer_id: Some("1".into()),
                refer_url: Some("https://example.com".into()),
            },
            notes: Some("n".into()),
            access_keys: vec![AccessKey {
                id: "k".into(),
                type_id: 1,
                value: "1234".into(),
                description: Some("door".into()),
            }],
            comments: vec![Comment {
                id: 1,
                text: "c".into(),
                created: Some("2026-01-01T00:00:00Z".into()),
            }],
            custom_fields: [("any".to_owned(), json!(1))].into(),
        }
    }

    #[test]
    fn every_source_field_has_a_real_place() {
        let wire = serde_json::to_value(full_profile()).unwrap();
        for (source, field, target) in SOURCE_FIELDS {
            match target {
                Field(pointer) => {
                    let pointer = pointer.replace("/*", "/any");
                    assert!(
                        wire.pointer(&pointer).is_some(),
                        "{source}.{field} -> {pointer} is not in the profile"
                    );
                }
                Request(why) => assert!(!why.is_empty(), "{source}.{field}"),
            }
        }
    }

    #[test]
    fn every_top_level_field_has_exactly_one_access_class() {
        let wire = serde_json::to_value(full_profile()).unwrap();
        let keys: Vec<&String> = wire.as_object().unwrap().keys().collect();
        for key in &keys {
            assert!(
                crate::access::field_spec(key).is_some(),
                "{key} has no access class"
            );
        }
        for spec in crate::access::FIELDS {
            assert!(
                keys.contains(&&spec.name.to_owned()),
                "{} is not in the profile",
                spec.name
            );
            let count = crate::access::FIELDS
                .iter()
                .filter(|f| f.name == spec.name)
                .count();
            assert_eq!(count, 1, "{}", spec.name);
        }
    }

    #[test]
    fn no_source_field_is_listed_twice() {
        for (i, (source, field, _)) in SOURCE_FIELDS.iter().enumerate() {
            assert!(
                !SOURCE_FIELDS[..i]
                    .iter()
                    .any(|(s, f, _)| s == source && f == field),
                "{source}.{field} is listed twice"
            );
        }
    }

    #[test]
    fn the_full_profile_round_trips_through_json() {
        let profile = full_profile();
        let back: Profile =
            serde_json::from_value(serde_json::to_value(&profile).unwrap()).unwrap();
        assert_eq!(back, profile);
        let _: Value = serde_json::to_value(back).unwrap();
    }
}
