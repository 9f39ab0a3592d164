//! What the widget needs to draw and check the form: the tenant's rules as the
//! server validates with them, and for every field the customer may see its
//! control, whether it is editable and required, and its label and help text
//! in one language. The Worker serves it at `GET /v1/customers/me/schema`.

use crate::access::{Access, FIELDS, Section, Sight, customer_sees};
use crate::error::Code;
use crate::labels::{
    consent_label, field_help, field_label, gender_label, part_label, section_label,
};
use crate::model::{ConsentPurpose, Gender};
use crate::tenant::{CustomKind, Rules, TenantRules, Translations};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use wire_derive::Wire;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Wire)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormSchema {
    /// The language of every label here.
    pub language: String,
    /// The tenant's rules, exactly as the server validates with them.
    pub rules: TenantRules,
    /// In the order the form shows them; empty sections are left out.
    pub sections: Vec<SchemaSection>,
    /// Every error code's message template in this language (the tenant's
    /// overrides are in `rules`).
    #[serde(default)]
    pub messages: BTreeMap<Code, String>,
    /// The form's own words in this language (buttons, states), by key
    /// (see [`crate::ui`]).
    #[serde(default)]
    pub texts: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Wire)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SchemaSection {
    pub id: Section,
    pub label: String,
    pub fields: Vec<SchemaField>,
}

crate::wire_enum! {
    /// The control that edits a field.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Control {
        Text = "text",
        Multiline = "multiline",
        Integer = "integer",
        Decimal = "decimal",
        Date = "date",
        DateTime = "date_time",
        Bool = "bool",
        Select = "select",
        Multiselect = "multiselect",
        Email = "email",
        Phone = "phone",
        Address = "address",
        AddressList = "address_list",
        Company = "company",
        Consent = "consent",
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Wire)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SchemaField {
    /// JSON Pointer of the value in the profile.
    pub pointer: String,
    pub control: Control,
    /// False: shown as text, not as an input.
    pub editable: bool,
    pub required: bool,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<SchemaOption>,
    /// The parts an address or a company is edited in, each with its label
    /// (`value` is the part's key).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<SchemaOption>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Wire)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SchemaOption {
    pub value: String,
    pub label: String,
}

pub fn translated(texts: &Translations, language: &str) -> Option<String> {
    texts
        .get(language)
        .or_else(|| texts.get("en"))
        .or_else(|| texts.values().next())
        .cloned()
}

fn builtin_control(field: &str) -> Control {
    match field {
        "birth_date" => Control::Date,
        "gender" => Control::Select,
        "has_children" | "use_invoice_address_for_delivery" => Control::Bool,
        "email" => Control::Email,
        "mobile_phone" | "other_phone" => Control::Phone,
        "invoice_address" => Control::Address,
        "delivery_addresses" => Control::AddressList,
        "company" => Control::Company,
        _ => Control::Text,
    }
}

/// The parts of an address the form edits, in the order it shows them. The
/// finer Nordic parts (house number, entrance...) are kept as stored.
const ADDRESS_PARTS: [&str; 6] = [
    "care_of",
    "line1",
    "line2",
    "postal_code",
    "city",
    "country",
];
const COMPANY_PARTS: [&str; 2] = ["name", "organization_number"];

fn parts(control: Control, language: &str) -> Vec<SchemaOption> {
    let keys: &[&str] = match control {
        Control::Address | Control::AddressList => &ADDRESS_PARTS,
        Control::Company => &COMPANY_PARTS,
        _ => &[],
    };
    keys.iter()
        .map(|key| SchemaOption {
            value: (*key).to_owned(),
            label: part_label(key, language).unwrap_or(key).to_owned(),
        })
        .collect()
}

fn custom_control(kind: CustomKind) -> Control {
    match kind {
        CustomKind::Text => Control::Text,
        CustomKind::Multiline => Control::Multiline,
        CustomKind::Integer => Control::Integer,
        CustomKind::Decimal => Control::Decimal,
        CustomKind::Date => Control::Date,
        CustomKind::DateTime => Control::DateTime,
        CustomKind::Bool => Control::Bool,
        CustomKind::Select => Control::Select,
        CustomKind::Multiselect => Control::Multiselect,
    }
}

/// The form for a tenant's customers, labelled in `language`.
pub fn form_schema(rules: &Rules, language: &str) -> FormSchema {
    let order = [
        Section::Personal,
        Section::Contact,
        Section::Addresses,
        Section::Consents,
        Section::Custom,
        Section::Loyalty,
    ];
    let mut sections: Vec<SchemaSection> = order
        .iter()
        .map(|id| SchemaSection {
            id: *id,
            label: section_label(*id, language).to_owned(),
            fields: Vec::new(),
        })
        .collect();
    let mut add = |section: Section, field: SchemaField| {
        if let Some(s) = sections.iter_mut().find(|s| s.id == section) {
            s.fields.push(field);
        }
    };
    // Consents and custom fields are listed per entry, below.
    for spec in FIELDS.iter().filter(|spec| {
        spec.sight == Sight::Form
            && !matches!(spec.name, "consents" | "custom_fields")
            && customer_sees(spec.name, rules)
    }) {
        let label = field_label(spec.name, language).unwrap_or(spec.name);
        let setting = rules.setting(spec.name);
        let options = if spec.name == "gender" {
            [
                Gender::Female,
                Gender::Male,
                Gender::Other,
                Gender::Unspecified,
            ]
            .into_iter()
            .map(|g| SchemaOption {
                value: serde_json::to_value(g)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                label: gender_label(g, language).to_owned(),
            })
            .collect()
        } else {
            Vec::new()
        };
        let section = if spec.section == Section::Identity {
            Section::Loyalty
        } else {
            spec.section
        };
        let control = builtin_control(spec.name);
        add(
            section,
            SchemaField {
                pointer: format!("/{}", spec.name),
                control,
                editable: spec.access == Access::CustomerEditable && !setting.read_only,
                required: setting.required,
                label: label.to_owned(),
                help: field_help(spec.name, language).map(str::to_owned),
                options,
                parts: parts(control, language),
            },
        );
    }
    for purpose in ConsentPurpose::ALL {
        add(
            Section::Consents,
            SchemaField {
                pointer: format!("/consents/{}/granted", purpose.as_str()),
                control: Control::Consent,
                editable: true,
                required: false,
                label: consent_label(purpose, language).to_owned(),
                help: None,
                options: Vec::new(),
                parts: Vec::new(),
            },
        );
    }
    for (def, _) in rules.custom_fields() {
        add(
            Section::Custom,
            SchemaField {
                pointer: format!("/custom_fields/{}", def.key),
                control: custom_control(def.kind),
                editable: def.editable,
                required: def.required,
                label: translated(&def.label, language).unwrap_or_else(|| def.key.clone()),
                help: translated(&def.help, language),
                options: def
                    .options
                    .iter()
                    .map(|o| SchemaOption {
                        value: o.value.clone(),
                        label: translated(&o.label, language).unwrap_or_else(|| o.value.clone()),
                    })
                    .collect(),
                parts: Vec::new(),
            },
        );
    }
    sections.retain(|s| !s.fields.is_empty());
    FormSchema {
        language: language.to_owned(),
        rules: rules.tenant().clone(),
        sections,
        messages: crate::messages::built_in_messages(language),
        texts: crate::ui::ui_texts(language),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules() -> Rules {
        Rules::new(
            serde_json::from_value(json!({
                "fields": {"last_name": {"required": true}, "middle_name": {"shown": false}},
                "custom_fields": [{"key": "store", "type": "select", "required": true,
                                   "label": {"en": "Home store", "sv": "Hemmabutik"},
                                   "help": {"en": "Where you shop most."},
                                   "options": [{"value": "umea", "label": {"sv": "Umeå"}}]}]
            }))
            .unwrap(),
        )
        .unwrap()
    }

    fn field<'a>(schema: &'a FormSchema, pointer: &str) -> Option<&'a SchemaField> {
        schema
            .sections
            .iter()
            .flat_map(|s| &s.fields)
            .find(|f| f.pointer == pointer)
    }

    #[test]
    fn every_form_field_has_a_label_in_every_language() {
        for spec in FIELDS.iter().filter(|s| s.sight == Sight::Form) {
            if matches!(spec.name, "consents" | "custom_fields") {
                continue;
            }
            for language in crate::messages::LANGUAGES {
                assert!(
                    field_label(spec.name, language).is_some(),
                    "{} in {language}",
                    spec.name
                );
            }
        }
    }

    #[test]
    fn the_schema_follows_the_tenant_and_the_language() {
        let schema = form_schema(&rules(), "sv");
        let ids: Vec<Section> = schema.sections.iter().map(|s| s.id).collect();
        assert_eq!(
            ids,
            [
                Section::Personal,
                Section::Contact,
                Section::Addresses,
                Section::Consents,
                Section::Custom,
                Section::Loyalty
            ]
        );
        let last = field(&schema, "/last_name").unwrap();
        assert_eq!(
            (last.label.as_str(), last.required, last.editable),
            ("Efternamn", true, true)
        );
        assert!(
            field(&schema, "/middle_name").is_none(),
            "hidden by the tenant"
        );
        let store = field(&schema, "/custom_fields/store").unwrap();
        assert_eq!(store.label, "Hemmabutik");
        assert_eq!(
            store.help.as_deref(),
            Some("Where you shop most."),
            "English when the language is missing"
        );
        assert_eq!(store.options[0].label, "Umeå");
        assert_eq!(
            field(&schema, "/consents/sms/granted").unwrap().label,
            "Meddelanden via sms"
        );
        let card = field(&schema, "/card_code").unwrap();
        assert!(!card.editable, "admin-only fields are shown, not edited");
        assert!(field(&schema, "/version").is_none() && field(&schema, "/notes").is_none());
        assert_eq!(schema.rules, *rules().tenant());
        let too_long = crate::FieldError::new("/first_name", Code::TooLong).with("max", 50);
        assert_eq!(
            crate::messages::message_from(&too_long, "sv", None, |c| &schema.messages[&c]),
            crate::messages::message(&too_long, "sv", None),
            "the schema's messages are the library's"
        );
        assert_eq!(schema.messages.len(), Code::ALL.len());
        assert_eq!(schema.texts["save"], "Spara ändringar");
        let invoice = field(&schema, "/invoice_address").unwrap();
        let parts: Vec<(&str, &str)> = invoice
            .parts
            .iter()
            .map(|p| (p.value.as_str(), p.label.as_str()))
            .collect();
        assert_eq!(parts[3], ("postal_code", "Postnummer"));
        assert_eq!(parts.len(), 6);
        assert_eq!(
            field(&schema, "/company").unwrap().parts[0].label,
            "Företagsnamn"
        );
    }
}
