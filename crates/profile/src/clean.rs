//! Bringing a profile's values into their stored form: names and text
//! trimmed and NFC, e-mail domains lower-cased, phones without separators,
//! postal codes and countries upper case. Idempotent.

use crate::custom::clean_custom_value;
use crate::email::clean_email;
use crate::model::{Address, Profile};
use crate::national_id::clean_national_id;
use crate::phone::clean_phone;
use crate::places::{clean_country, clean_postal_code};
use crate::tenant::Rules;
use crate::text::{clean_line, clean_multiline};

/// Brings every value into its stored form (idempotent).
pub fn clean(profile: &mut Profile, rules: &Rules) {
    let line = |v: &mut Option<String>| {
        if let Some(s) = v {
            *s = clean_line(s);
        }
    };
    for name in [
        &mut profile.first_name,
        &mut profile.middle_name,
        &mut profile.last_name,
    ] {
        line(name);
    }
    for text in [
        &mut profile.organization_code,
        &mut profile.store_code,
        &mut profile.card_code,
        &mut profile.crm_id,
        &mut profile.shop_id,
        &mut profile.username,
        &mut profile.birth_date,
        &mut profile.estimated_birth_date,
        &mut profile.preferred_language,
        &mut profile.loyalty.rank,
        &mut profile.loyalty.customer_type,
        &mut profile.acquisition.source_code,
        &mut profile.acquisition.refer_id,
        &mut profile.acquisition.refer_url,
    ] {
        line(text);
    }
    if let Some(notes) = &mut profile.notes {
        *notes = clean_multiline(notes);
    }
    for key in &mut profile.access_keys {
        for text in [&mut key.id, &mut key.value] {
            *text = clean_line(text);
        }
        line(&mut key.description);
    }
    for comment in &mut profile.comments {
        comment.text = clean_multiline(&comment.text);
        if let Some(created) = &comment.created {
            comment.created = Some(
                crate::dates::canonical_instant(created.trim())
                    .unwrap_or_else(|| clean_line(created)),
            );
        }
    }
    if let Some(email) = &mut profile.email {
        *email = clean_email(email);
    }
    for phone in [&mut profile.mobile_phone, &mut profile.other_phone]
        .into_iter()
        .flatten()
    {
        *phone = clean_phone(phone);
    }
    if let Some(id) = &mut profile.national_id {
        *id = clean_national_id(id);
    }
    let clean_address = |address: &mut Address| {
        for part in [
            &mut address.line1,
            &mut address.line2,
            &mut address.care_of,
            &mut address.house_number,
            &mut address.house_letter,
            &mut address.entrance,
            &mut address.floor,
            &mut address.po_box,
            &mut address.city,
        ] {
            line(part);
        }
        if let Some(code) = &mut address.postal_code {
            *code = clean_postal_code(code);
        }
        if let Some(country) = &mut address.country {
            *country = clean_country(country);
        }
        // An address that names no country is in the tenant's, if it has one.
        if address.country.is_none() && *address != Address::default() {
            address.country.clone_from(&rules.tenant().default_country);
        }
    };
    if let Some(address) = &mut profile.invoice_address {
        clean_address(address);
    }
    for delivery in &mut profile.delivery_addresses {
        delivery.id = clean_line(&delivery.id);
        clean_address(&mut delivery.address);
    }
    for company in profile
        .company
        .iter_mut()
        .chain(&mut profile.other_companies)
    {
        line(&mut company.name);
        line(&mut company.organization_number);
    }
    for (key, value) in profile.custom_fields.iter_mut() {
        if let Some((def, _)) = rules.custom_field(key) {
            *value = clean_custom_value(def, value);
        }
    }
    // A value that cleans to nothing is no value.
    profile.custom_fields.retain(|_, v| !v.is_null());
}
