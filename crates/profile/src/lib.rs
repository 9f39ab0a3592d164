//! The canonical customer profile, its rules, messages and merge patch: one
//! source of truth that the widget and the Worker both compile, so that the
//! same value gets the same answer in the customer's browser and on the
//! server. Pure: no I/O, and no `worker`, `leptos` or `web-sys` types.
//!
//! - [`model`]: the profile in its wire shape; [`access`]: who may write what.
//! - [`validate()`]: every rule, with [`TenantRules`] (compiled into [`Rules`]).
//! - [`apply_patch`], [`replace`], [`diff`]: writing, RFC 7396 merge patch.
//! - [`messages`]: each error code's message in en, es, sv, nb and ru.
//! - [`customer_view`]: what the customer may read of a profile.
//! - [`sources`]: where each field of the five source APIs lives here.
//! - [`wire_enum!`](crate::wire_enum): each enum's wire spellings written once (the enum, `ALL`,
//!   `as_str`, `parse`, serde's reading and writing and the widget's reading).
//! - [`wire`]: the widget's readers of the wire shape.
//!
//! # Each name once
//!
//! The widget cannot afford serde's derived readers (about 50 KB gzip in
//! WASM), so it reads with [`wire`]'s. Those are not written by hand: a
//! derive macro (`#[derive(Wire)]`, the crate `wire-derive`) generates each
//! struct's reader and its `KEYS` from the very struct and `#[serde]`
//! attributes that serde's derive reads, and refuses to compile on a serde
//! attribute it does not follow. We chose the derive over an `xtask codegen`
//! step that writes reader source: there is no generated file to forget to
//! regenerate or to review, a new member is read by both readers in the same
//! build, and the reader sits next to the struct it reads. The route table
//! ([`api`]) and the OpenAPI document it generates (`cargo xtask codegen`)
//! are the other half: there, a checked-in file is the point, since programme
//! developers read it.

pub mod access;
pub mod api;
pub mod chars;
pub mod clean;
pub mod custom;
pub mod dates;
pub mod email;
pub mod error;
pub mod events;
pub mod foreign;
pub mod imports;
pub mod keys;
pub mod labels;
pub mod listing;
pub mod messages;
pub mod model;
pub mod national_id;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod patch;
pub mod pattern;
pub mod phone;
pub mod photo;
pub mod places;
pub mod rights;
pub mod schema;
pub mod sources;
pub mod tenant;
pub mod text;
pub mod ui;
pub mod validate;
pub mod verification;
pub mod view;
pub mod webhooks;
pub mod wire;
pub mod words;

pub use access::{Access, Actor};
pub use error::{Code, FieldError};
pub use model::{
    AccessKey, Address, Comment, Company, Consent, ConsentPurpose, DeliveryAddress, EmailStatus,
    Gender, Loyalty, Profile,
};
pub use patch::{
    Change, Patched, apply_patch, check_written, diff, merge_diff, merge_patch, replace,
};
pub use tenant::{ConsentPolicy, CustomFieldDef, CustomKind, Rules, TenantRules};
pub use validate::validate;
pub use view::customer_view;

/// A new profile for a customer, with the tenant's custom-field defaults.
pub fn new_profile(
    id: String,
    tenant: String,
    external_id: String,
    now: String,
    rules: &Rules,
) -> Profile {
    let mut profile = Profile::new(id, tenant, external_id, now);
    for (def, _) in rules.custom_fields() {
        if let Some(default) = &def.default {
            profile
                .custom_fields
                .insert(def.key.clone(), default.clone());
        }
    }
    profile
}
