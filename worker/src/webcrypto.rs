//! Signatures by the platform's Web Crypto (`crypto.subtle`), which workerd
//! implements natively for HMAC-SHA256, Ed25519 and ECDSA P-256: the Worker
//! carries no cryptography of its own. Only in the Worker (wasm32); the claim
//! checks around it are `crate::token`, pure and tested natively.

use crate::tenant::TokenKey;
use crate::token::Alg;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CryptoKey, SubtleCrypto};
use worker::js_sys::{Array, ArrayBuffer, Object, Reflect, Uint8Array};
use worker::wasm_bindgen_futures::JsFuture;

fn subtle() -> Result<SubtleCrypto, JsValue> {
    let crypto = Reflect::get(&worker::js_sys::global(), &JsValue::from_str("crypto"))?;
    Ok(crypto.unchecked_into::<web_sys::Crypto>().subtle())
}

/// A Web Crypto algorithm dictionary, e.g. `{name: "HMAC", hash: "SHA-256"}`.
fn algorithm(members: &[(&str, &str)]) -> Result<Object, JsValue> {
    let object = Object::new();
    for (name, value) in members {
        Reflect::set(&object, &JsValue::from_str(name), &JsValue::from_str(value))?;
    }
    Ok(object)
}

/// Imports a key in the `raw` format for one `usage` (`verify` or `sign`).
/// The bytes are copied into JavaScript first.
async fn import_raw(bytes: &[u8], algorithm: &Object, usage: &str) -> Result<CryptoKey, JsValue> {
    let usages = Array::of1(&JsValue::from_str(usage));
    let data = Uint8Array::from(bytes);
    let promise = subtle()?.import_key_with_object("raw", &data, algorithm, false, &usages)?;
    Ok(JsFuture::from(promise).await?.unchecked_into())
}

/// The import and verify algorithms of `alg`, and the key's raw bytes.
fn raw_key(alg: Alg, key: &TokenKey) -> Result<(Object, Object, Vec<u8>), JsValue> {
    let missing = || JsValue::from_str("the key lacks its material");
    Ok(match alg {
        Alg::Hs256 => (
            algorithm(&[("name", "HMAC"), ("hash", "SHA-256")])?,
            algorithm(&[("name", "HMAC")])?,
            key.secret
                .as_deref()
                .ok_or_else(missing)?
                .as_bytes()
                .to_vec(),
        ),
        Alg::EdDsa => (
            algorithm(&[("name", "Ed25519")])?,
            algorithm(&[("name", "Ed25519")])?,
            crate::tenant::coordinate(key.x.as_deref())
                .ok_or_else(missing)?
                .to_vec(),
        ),
        Alg::Es256 => {
            let x = crate::tenant::coordinate(key.x.as_deref()).ok_or_else(missing)?;
            let y = crate::tenant::coordinate(key.y.as_deref()).ok_or_else(missing)?;
            (
                algorithm(&[("name", "ECDSA"), ("namedCurve", "P-256")])?,
                algorithm(&[("name", "ECDSA"), ("hash", "SHA-256")])?,
                uncompressed_point(&x, &y),
            )
        }
    })
}

/// Imported keys, by algorithm and key bytes: importing costs a round trip
/// through the platform on every request otherwise. Only the tenants' own
/// keys get here (a token cannot bring one), and the map is bounded all the same.
const KEY_CACHE_ENTRIES: usize = 256;

thread_local! {
    static KEYS: std::cell::RefCell<std::collections::HashMap<(&'static str, Vec<u8>), CryptoKey>> =
        std::cell::RefCell::default();
}

async fn verifying_key(alg: Alg, raw: &[u8], import: &Object) -> Result<CryptoKey, JsValue> {
    let name = alg.name();
    let cached = KEYS.with(|keys| keys.borrow().get(&(name, raw.to_vec())).cloned());
    if let Some(key) = cached {
        return Ok(key);
    }
    let key = import_raw(raw, import, "verify").await?;
    KEYS.with(|keys| {
        let mut keys = keys.borrow_mut();
        if keys.len() >= KEY_CACHE_ENTRIES {
            keys.clear();
        }
        keys.insert((name, raw.to_vec()), key.clone());
    });
    Ok(key)
}

/// The SEC 1 uncompressed encoding of a P-256 point: 0x04, x, y.
fn uncompressed_point(x: &[u8; 32], y: &[u8; 32]) -> Vec<u8> {
    let mut point = Vec::with_capacity(65);
    point.push(0x04);
    point.extend_from_slice(x);
    point.extend_from_slice(y);
    point
}

/// Whether `signature` over `data` verifies under the tenant's `key` (of
/// algorithm `alg`). ES256 signatures are r || s, as JWS and Web Crypto both
/// have them. Any failure of the platform counts as "does not verify".
pub async fn verify(alg: Alg, key: &TokenKey, data: &[u8], signature: &[u8]) -> bool {
    async fn run(alg: Alg, key: &TokenKey, data: &[u8], signature: &[u8]) -> Result<bool, JsValue> {
        let (import, verify, raw) = raw_key(alg, key)?;
        let crypto_key = verifying_key(alg, &raw, &import).await?;
        let promise = subtle()?.verify_with_object_and_js_u8_array_and_js_u8_array(
            &verify,
            &crypto_key,
            &Uint8Array::from(signature),
            &Uint8Array::from(data),
        )?;
        Ok(JsFuture::from(promise).await?.as_bool() == Some(true))
    }
    match run(alg, key, data, signature).await {
        Ok(valid) => valid,
        Err(_) => {
            // A stored key the platform refuses: say which, never the key itself.
            worker::console_warn!(
                "a {} token key (kid {:?}) could not be used",
                alg.name(),
                key.kid
            );
            false
        }
    }
}

/// Whether (x, y) is a point of P-256: Web Crypto refuses to import any other.
pub async fn p256_point_on_curve(x: &[u8; 32], y: &[u8; 32]) -> bool {
    let Ok(import) = algorithm(&[("name", "ECDSA"), ("namedCurve", "P-256")]) else {
        return false;
    };
    import_raw(&uncompressed_point(x, y), &import, "verify")
        .await
        .is_ok()
}

/// HMAC-SHA256 of `data` under `secret` (the dev-only token minter signs with it).
pub async fn hmac_sha256(secret: &[u8], data: &[u8]) -> Result<Vec<u8>, JsValue> {
    let import = algorithm(&[("name", "HMAC"), ("hash", "SHA-256")])?;
    let key = import_raw(secret, &import, "sign").await?;
    let promise = subtle()?.sign_with_object_and_js_u8_array(
        &algorithm(&[("name", "HMAC")])?,
        &key,
        &Uint8Array::from(data),
    )?;
    let signature: ArrayBuffer = JsFuture::from(promise).await?.unchecked_into();
    Ok(Uint8Array::new(&signature).to_vec())
}

/// SHA-256 of `data`, in lowercase hex (how admin keys are kept).
pub async fn sha256_hex(data: &[u8]) -> Result<String, JsValue> {
    let promise = subtle()?.digest_with_str_and_js_u8_array("SHA-256", &Uint8Array::from(data))?;
    let digest: ArrayBuffer = JsFuture::from(promise).await?.unchecked_into();
    let bytes = Uint8Array::new(&digest).to_vec();
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
