//! Writes of a Durable Object's SQLite that happen together or not at all:
//! the storage's `transactionSync`, which the `worker` crate does not wrap.
//! A change, its history entry and its consent ledger entries are stored by
//! one call, so no entry can exist without its change, nor a change without
//! its entries, even when a statement fails halfway.

use worker::js_sys::{Function, Reflect};
use worker::wasm_bindgen::closure::Closure;
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::worker_sys::DurableObjectState;
use worker::{SqlStorageValue, State};

/// One SQL statement and its values.
pub type Statement = (&'static str, Vec<SqlStorageValue>);

/// Another handle on the same object's state (the type has no `Clone`).
pub fn copy(object: &DurableObjectState) -> DurableObjectState {
    let value: &JsValue = object.as_ref();
    value.clone().unchecked_into()
}

/// Runs `statements` in one transaction: if one fails, none is kept.
pub fn all_or_nothing(
    object: &DurableObjectState,
    statements: Vec<Statement>,
) -> worker::Result<()> {
    let storage = Reflect::get(object, &JsValue::from_str("storage"))?;
    let sync: Function = Reflect::get(&storage, &JsValue::from_str("transactionSync"))?
        .dyn_into()
        .map_err(|_| worker::Error::RustError("the storage has no transactionSync".into()))?;
    let state = copy(object);
    let work = Closure::once(move || -> Result<(), JsValue> {
        let sql = State::from(state).storage().sql();
        for (query, values) in statements {
            // Throwing makes transactionSync roll back what ran before.
            sql.exec(query, values)
                .map_err(|e| JsValue::from_str(&e.to_string()))?;
        }
        Ok(())
    });
    sync.call1(&storage, work.as_ref().unchecked_ref())?;
    Ok(())
}
