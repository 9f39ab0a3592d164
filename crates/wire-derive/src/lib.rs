//! `#[derive(Wire)]`: the widget's reader of a struct, and its `KEYS`, from
//! the struct's own members and the `#[serde(...)]` attributes that serde's
//! derive reads. See the `profile` library's top comment for why the widget
//! has readers of its own and why they are derived.
//!
//! The serde attributes it follows: on the struct, `default` (a missing
//! member takes its value from the struct's `Default`) and
//! `deny_unknown_fields` (nothing to read); on a member, `default`,
//! `default = "path"`, `rename = "name"`, `flatten` and
//! `skip_serializing_if` (nothing to read). Any other serde attribute is a
//! compile error, so that the two readers cannot quietly differ.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::{Data, DeriveInput, Fields, LitStr, Path, parse_macro_input};

/// Implements `crate::wire::Wire` and `crate::wire::Members` for a struct
/// with named members, and `KEYS` (its members' names on the wire, in
/// declaration order) unless a member is flattened.
#[proc_macro_derive(Wire)]
pub fn derive_wire(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Whether the struct's `#[derive(...)]` lists `name`.
fn derives(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .any(|a| {
            a.parse_args_with(syn::punctuated::Punctuated::<Path, syn::Token![,]>::parse_terminated)
                .is_ok_and(|paths| paths.iter().any(|p| p.is_ident(name)))
        })
}

/// How a missing (or `null`) member is read.
enum Missing {
    /// As the member type's own `Wire::absent`.
    Absent,
    /// `#[serde(default)]`: the type's `Default`.
    Default,
    /// `#[serde(default = "path")]`.
    Call(Path),
}

struct Member {
    ident: syn::Ident,
    ty: syn::Type,
    name: String,
    missing: Missing,
    flatten: bool,
}

fn serde_attrs(
    attrs: &[syn::Attribute],
    mut each: impl FnMut(syn::meta::ParseNestedMeta) -> syn::Result<()>,
) -> syn::Result<()> {
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(&mut each)?;
    }
    Ok(())
}

fn member(field: &syn::Field) -> syn::Result<Member> {
    let ident = field.ident.clone().expect("named member");
    let mut member = Member {
        name: ident.to_string(),
        ident,
        ty: field.ty.clone(),
        missing: Missing::Absent,
        flatten: false,
    };
    serde_attrs(&field.attrs, |meta| {
        if meta.path.is_ident("default") {
            member.missing = if meta.input.peek(syn::Token![=]) {
                Missing::Call(meta.value()?.parse::<LitStr>()?.parse()?)
            } else {
                Missing::Default
            };
        } else if meta.path.is_ident("rename") {
            member.name = meta.value()?.parse::<LitStr>()?.value();
        } else if meta.path.is_ident("flatten") {
            member.flatten = true;
        } else if meta.path.is_ident("skip_serializing_if") {
            meta.value()?.parse::<LitStr>()?;
        } else {
            return Err(meta.error("derive(Wire) does not follow this serde attribute"));
        }
        Ok(())
    })?;
    Ok(member)
}

fn expand(input: &DeriveInput) -> syn::Result<Tokens> {
    let name = &input.ident;
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(name, "derive(Wire) is for structs"));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new_spanned(
            name,
            "derive(Wire) is for structs with named members",
        ));
    };
    let mut container_default = false;
    serde_attrs(&input.attrs, |meta| {
        if meta.path.is_ident("default") && !meta.input.peek(syn::Token![=]) {
            container_default = true;
        } else if !meta.path.is_ident("deny_unknown_fields") {
            return Err(meta.error("derive(Wire) does not follow this serde attribute"));
        }
        Ok(())
    })?;
    let members = fields
        .named
        .iter()
        .map(member)
        .collect::<syn::Result<Vec<_>>>()?;

    // A struct with a `Default` is read into its default value member by
    // member, and the first error is kept in the object being read: no
    // member's read ends the function early, so there is no drop code per
    // member (that cost the widget about 2 KB).
    let has_default = container_default || derives(&input.attrs, "Default");
    let body = if has_default {
        let derived = derives(&input.attrs, "Default");
        let assigns = members.iter().map(|m| {
            let Member {
                ident, ty, name, ..
            } = m;
            if m.flatten {
                return quote! { o.flattened::<#ty>(&mut read.#ident); };
            }
            let fill = quote! { o.fill::<#ty>(#name, &mut read.#ident) };
            match &m.missing {
                Missing::Call(path) => quote! { if !#fill { read.#ident = #path(); } },
                // A derived `Default` starts each member at its type's default.
                Missing::Default if derived => quote! { #fill; },
                Missing::Default => quote! {
                    if !#fill { read.#ident = ::core::default::Default::default(); }
                },
                Missing::Absent if container_default => quote! { #fill; },
                Missing::Absent => quote! {
                    if !#fill { o.fill_absent::<#ty>(#name, &mut read.#ident); }
                },
            }
        });
        quote! {
            let mut read = <#name as ::core::default::Default>::default();
            #(#assigns)*
            o.finish(read)
        }
    } else {
        let reads = members.iter().map(|m| {
            let Member {
                ident, ty, name, ..
            } = m;
            if m.flatten {
                return quote! { #ident: <#ty as crate::wire::Members>::read_members(o)? };
            }
            match &m.missing {
                Missing::Call(path) => {
                    quote! { #ident: o.present::<#ty>(#name)?.unwrap_or_else(#path) }
                }
                Missing::Default => {
                    quote! { #ident: o.present::<#ty>(#name)?.unwrap_or_default() }
                }
                Missing::Absent => quote! { #ident: o.member::<#ty>(#name)? },
            }
        });
        quote! { Ok(#name { #(#reads),* }) }
    };
    let absent = container_default.then(|| {
        quote! {
            fn absent(_: crate::wire::At<'_>) -> crate::wire::Read<Self> {
                Ok(<#name as ::core::default::Default>::default())
            }
        }
    });
    let keys = (!members.iter().any(|m| m.flatten)).then(|| {
        let names = members.iter().map(|m| &m.name);
        let count = members.len();
        quote! {
            impl #name {
                /// Its members' names on the wire, in declaration order.
                pub const KEYS: [&'static str; #count] = [#(#names),*];
            }
        }
    });
    Ok(quote! {
        impl crate::wire::Members for #name {
            fn read_members(o: &crate::wire::Object<'_>) -> crate::wire::Read<Self> {
                #body
            }
        }

        impl crate::wire::Wire for #name {
            fn read(value: &::serde_json::Value, at: crate::wire::At<'_>) -> crate::wire::Read<Self> {
                <#name as crate::wire::Members>::read_members(&crate::wire::Object::new(value, at)?)
            }
            #absent
        }

        #keys
    })
}
