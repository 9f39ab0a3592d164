//! The platform's clock, in the two forms the Worker uses.

/// Milliseconds since 1970.
pub fn now_ms() -> f64 {
    worker::js_sys::Date::now()
}

/// RFC 3339 in UTC, with milliseconds (`2026-12-02T10:00:00.000Z`).
pub fn now_rfc3339() -> String {
    String::from(worker::js_sys::Date::new_0().to_iso_string())
}

/// RFC 3339 in UTC of a time in milliseconds since 1970.
pub fn rfc3339(ms: f64) -> String {
    let date = worker::js_sys::Date::new(&worker::wasm_bindgen::JsValue::from_f64(ms));
    String::from(date.to_iso_string())
}
