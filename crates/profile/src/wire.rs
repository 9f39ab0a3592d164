//! Reading the wire shape from a parsed `serde_json::Value`, written out by
//! hand. The Worker reads with serde's derives; the widget reads with these,
//! because in WASM each derived `Deserialize` brings its own visitor code and
//! serde's error formatting (measured: reading `Profile` and the form schema
//! through their derives cost the widget about 50 KB gzip, these a few KB).
//! Tests check that both readers agree.
//!
//! Unknown members are skipped (the widget reads what the server wrote); a
//! member of the wrong type is an error naming its pointer.

use crate::access::Section;
use crate::error::{Code, FieldError};
use crate::model::{
    Acquisition, Address, Company, Consent, ConsentPurpose, DeliveryAddress, EmailStatus, Gender,
    Loyalty, Profile,
};
use crate::schema::{Control, FormSchema, SchemaField, SchemaOption, SchemaSection};
use crate::tenant::{
    CustomFieldDef, CustomKind, CustomOption, FieldSetting, TenantRules, Translations,
};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Where a value of the wrong type was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireError(pub String);

type Read<T> = Result<T, WireError>;

/// One JSON object being read, with its pointer for errors.
struct Object<'a> {
    map: &'a Map<String, Value>,
    at: String,
}

fn object<'a>(value: &'a Value, at: &str) -> Read<Object<'a>> {
    match value {
        Value::Object(map) => Ok(Object {
            map,
            at: at.to_owned(),
        }),
        _ => Err(WireError(at.to_owned())),
    }
}

impl<'a> Object<'a> {
    fn place(&self, key: &str) -> String {
        format!("{}/{key}", self.at)
    }

    /// The member, unless it is missing or `null`.
    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn text(&self, key: &str) -> Read<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(WireError(self.place(key))),
        }
    }

    fn string(&self, key: &str) -> Read<String> {
        Ok(self.text(key)?.unwrap_or_default())
    }

    fn flag(&self, key: &str) -> Read<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(WireError(self.place(key))),
        }
    }

    fn boolean(&self, key: &str) -> Read<bool> {
        Ok(self.flag(key)?.unwrap_or_default())
    }

    fn number(&self, key: &str) -> Read<Option<f64>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v.as_f64().map(Some).ok_or(WireError(self.place(key))),
        }
    }

    fn unsigned(&self, key: &str) -> Read<Option<u64>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or(WireError(self.place(key))),
        }
    }

    fn small(&self, key: &str) -> Read<Option<u8>> {
        match self.unsigned(key)? {
            None => Ok(None),
            Some(n) => u8::try_from(n)
                .map(Some)
                .map_err(|_| WireError(self.place(key))),
        }
    }

    fn child(&self, key: &str) -> Read<Option<Object<'a>>> {
        self.get(key)
            .map(|v| object(v, &self.place(key)))
            .transpose()
    }

    fn list(&self, key: &str) -> Read<&'a [Value]> {
        match self.get(key) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(_) => Err(WireError(self.place(key))),
        }
    }

    fn texts(&self, key: &str) -> Read<Vec<String>> {
        self.list(key)?
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or(WireError(self.place(key)))
            })
            .collect()
    }

    /// A member that is one of a fixed set of words (a [`crate::wire_enum!`]).
    fn word<T>(&self, key: &str, parse: fn(&str) -> Option<T>) -> Read<Option<T>> {
        match self.text(key)? {
            None => Ok(None),
            Some(s) => parse(&s).map(Some).ok_or(WireError(self.place(key))),
        }
    }

    // Maps are filled by `insert`, not collected: collecting sorts, and every
    // sort instance costs the widget's size budget.
    fn translations(&self, key: &str) -> Read<Translations> {
        let mut translations = Translations::new();
        if let Some(texts) = self.child(key)? {
            for language in texts.map.keys() {
                translations.insert(language.clone(), texts.string(language)?);
            }
        }
        Ok(translations)
    }

    /// Messages by error code, each in several languages.
    fn messages(&self, key: &str) -> Read<BTreeMap<Code, Translations>> {
        let mut messages = BTreeMap::new();
        if let Some(by_code) = self.child(key)? {
            for name in by_code.map.keys() {
                let code = Code::parse(name).ok_or(WireError(by_code.place(name)))?;
                messages.insert(code, by_code.translations(name)?);
            }
        }
        Ok(messages)
    }
}

fn address(o: &Object) -> Read<Address> {
    Ok(Address {
        line1: o.text("line1")?,
        line2: o.text("line2")?,
        care_of: o.text("care_of")?,
        house_number: o.text("house_number")?,
        house_letter: o.text("house_letter")?,
        entrance: o.text("entrance")?,
        floor: o.text("floor")?,
        po_box: o.text("po_box")?,
        postal_code: o.text("postal_code")?,
        city: o.text("city")?,
        country: o.text("country")?,
    })
}

/// A profile in its wire shape.
pub fn profile(value: &Value) -> Read<Profile> {
    let o = object(value, "")?;
    let mut delivery_addresses = Vec::new();
    for (i, item) in o.list("delivery_addresses")?.iter().enumerate() {
        let item = object(item, &format!("/delivery_addresses/{i}"))?;
        delivery_addresses.push(DeliveryAddress {
            id: item.string("id")?,
            address: address(&item)?,
        });
    }
    let mut consents = BTreeMap::new();
    if let Some(all) = o.child("consents")? {
        for key in all.map.keys() {
            let purpose = ConsentPurpose::parse(key).ok_or(WireError(all.place(key)))?;
            let Some(c) = all.child(key)? else { continue };
            consents.insert(
                purpose,
                Consent {
                    granted: c.boolean("granted")?,
                    at: c.text("at")?,
                    source: c.text("source")?,
                    policy_version: c.text("policy_version")?,
                },
            );
        }
    }
    let loyalty = match o.child("loyalty")? {
        Some(l) => Loyalty {
            member: l.boolean("member")?,
            rank: l.text("rank")?,
            has_card: l.boolean("has_card")?,
            any_online_purchase: l.boolean("any_online_purchase")?,
            any_offline_purchase: l.boolean("any_offline_purchase")?,
            price_list_ids: l.texts("price_list_ids")?,
            flags: l.texts("flags")?,
            customer_type: l.text("customer_type")?,
            requires_profile_confirmation: l.boolean("requires_profile_confirmation")?,
        },
        None => Loyalty::default(),
    };
    let acquisition = match o.child("acquisition")? {
        Some(a) => Acquisition {
            source_code: a.text("source_code")?,
            refer_id: a.text("refer_id")?,
            refer_url: a.text("refer_url")?,
        },
        None => Acquisition::default(),
    };
    let mut custom_fields = BTreeMap::new();
    match o.get("custom_fields") {
        None => {}
        Some(Value::Object(map)) => {
            for (key, value) in map {
                custom_fields.insert(key.clone(), value.clone());
            }
        }
        Some(_) => return Err(WireError("/custom_fields".into())),
    }
    let company = match o.child("company")? {
        Some(c) => Some(Company {
            name: c.text("name")?,
            organization_number: c.text("organization_number")?,
        }),
        None => None,
    };
    Ok(Profile {
        id: o.string("id")?,
        external_id: o.string("external_id")?,
        tenant: o.string("tenant")?,
        organization_code: o.text("organization_code")?,
        store_code: o.text("store_code")?,
        card_code: o.text("card_code")?,
        crm_id: o.text("crm_id")?,
        username: o.text("username")?,
        active: o.flag("active")?.unwrap_or(true),
        created: o.string("created")?,
        updated: o.string("updated")?,
        updated_by: o.text("updated_by")?,
        version: o.unsigned("version")?.unwrap_or_default(),
        first_name: o.text("first_name")?,
        middle_name: o.text("middle_name")?,
        last_name: o.text("last_name")?,
        birth_date: o.text("birth_date")?,
        estimated_birth_date: o.text("estimated_birth_date")?,
        gender: o.word("gender", Gender::parse)?,
        has_children: o.flag("has_children")?,
        national_id: o.text("national_id")?,
        national_id_verified: o.boolean("national_id_verified")?,
        preferred_language: o.text("preferred_language")?,
        photo: o.text("photo")?,
        email: o.text("email")?,
        email_status: o
            .word("email_status", EmailStatus::parse)?
            .unwrap_or_default(),
        mobile_phone: o.text("mobile_phone")?,
        other_phone: o.text("other_phone")?,
        invoice_address: o
            .child("invoice_address")?
            .map(|a| address(&a))
            .transpose()?,
        delivery_addresses,
        use_invoice_address_for_delivery: o.boolean("use_invoice_address_for_delivery")?,
        company,
        consents,
        loyalty,
        acquisition,
        notes: o.text("notes")?,
        custom_fields,
    })
}

/// A tenant's rules in their wire shape (as in the form schema).
pub fn tenant_rules(value: &Value) -> Read<TenantRules> {
    let o = object(value, "")?;
    let defaults = TenantRules::default();
    let mut fields = BTreeMap::new();
    if let Some(all) = o.child("fields")? {
        for name in all.map.keys() {
            let Some(f) = all.child(name)? else { continue };
            let setting = FieldSetting {
                shown: f.flag("shown")?.unwrap_or(true),
                required: f.boolean("required")?,
            };
            fields.insert(name.clone(), setting);
        }
    }
    let mut custom_fields = Vec::new();
    for (i, item) in o.list("custom_fields")?.iter().enumerate() {
        let d = object(item, &format!("/custom_fields/{i}"))?;
        let mut options = Vec::new();
        for (j, option) in d.list("options")?.iter().enumerate() {
            let choice = object(option, &format!("{}/{j}", d.place("options")))?;
            options.push(CustomOption {
                value: choice.string("value")?,
                label: choice.translations("label")?,
            });
        }
        custom_fields.push(CustomFieldDef {
            key: d.string("key")?,
            kind: d
                .word("type", CustomKind::parse)?
                .ok_or(WireError(d.place("type")))?,
            required: d.boolean("required")?,
            editable: d.flag("editable")?.unwrap_or(true),
            max_length: d
                .unsigned("max_length")?
                .map(|n| u32::try_from(n).map_err(|_| WireError(d.place("max_length"))))
                .transpose()?,
            min: d.number("min")?,
            max: d.number("max")?,
            pattern: d.text("pattern")?,
            options,
            default: d.get("default").cloned(),
            label: d.translations("label")?,
            help: d.translations("help")?,
            error_messages: d.messages("error_messages")?,
        });
    }
    let mut message_overrides = BTreeMap::new();
    if let Some(all) = o.child("message_overrides")? {
        for pointer in all.map.keys() {
            message_overrides.insert(pointer.clone(), all.messages(pointer)?);
        }
    }
    Ok(TenantRules {
        fields,
        minimum_age: o.small("minimum_age")?.unwrap_or(defaults.minimum_age),
        phone_max_digits: o
            .small("phone_max_digits")?
            .unwrap_or(defaults.phone_max_digits),
        national_id_country: o.text("national_id_country")?,
        custom_fields,
        message_overrides,
    })
}

/// The field errors of a problem document (`errors`), as the server sent them.
pub fn field_errors(problem: &Value) -> Read<Vec<FieldError>> {
    let o = object(problem, "")?;
    o.list("errors")?
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let e = object(item, &format!("/errors/{i}"))?;
            Ok(FieldError {
                pointer: e.string("pointer")?,
                code: e
                    .text("code")?
                    .and_then(|name| Code::parse(&name))
                    .ok_or(WireError(e.place("code")))?,
                params: match e.get("params") {
                    Some(Value::Object(params)) => params.clone(),
                    _ => Map::new(),
                },
            })
        })
        .collect()
}

fn choices(o: &Object, key: &str) -> Read<Vec<SchemaOption>> {
    o.list(key)?
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let choice = object(item, &format!("{}/{i}", o.place(key)))?;
            Ok(SchemaOption {
                value: choice.string("value")?,
                label: choice.string("label")?,
            })
        })
        .collect()
}

/// The form schema (`GET /v1/customers/me/schema`).
pub fn form_schema(value: &Value) -> Read<FormSchema> {
    let o = object(value, "")?;
    let mut sections = Vec::new();
    for (i, item) in o.list("sections")?.iter().enumerate() {
        let s = object(item, &format!("/sections/{i}"))?;
        let mut fields = Vec::new();
        for (j, field) in s.list("fields")?.iter().enumerate() {
            let f = object(field, &format!("{}/{j}", s.place("fields")))?;
            fields.push(SchemaField {
                pointer: f.string("pointer")?,
                control: f
                    .word("control", Control::parse)?
                    .ok_or(WireError(f.place("control")))?,
                editable: f.boolean("editable")?,
                required: f.boolean("required")?,
                label: f.string("label")?,
                help: f.text("help")?,
                options: choices(&f, "options")?,
                parts: choices(&f, "parts")?,
            });
        }
        sections.push(SchemaSection {
            id: s
                .word("id", Section::parse)?
                .ok_or(WireError(s.place("id")))?,
            label: s.string("label")?,
            fields,
        });
    }
    let mut messages = BTreeMap::new();
    if let Some(all) = o.child("messages")? {
        for name in all.map.keys() {
            if let Some(code) = Code::parse(name) {
                messages.insert(code, all.string(name)?);
            }
        }
    }
    let mut texts = BTreeMap::new();
    if let Some(all) = o.child("texts")? {
        for key in all.map.keys() {
            texts.insert(key.clone(), all.string(key)?);
        }
    }
    Ok(FormSchema {
        messages,
        texts,
        language: o.string("language")?,
        rules: tenant_rules(o.get("rules").unwrap_or(&Value::Null)).or_else(|e| {
            if o.get("rules").is_none() {
                Ok(TenantRules::default())
            } else {
                Err(WireError(format!("/rules{}", e.0)))
            }
        })?,
        sections,
    })
}

#[cfg(test)]
pub(crate) mod tests;
