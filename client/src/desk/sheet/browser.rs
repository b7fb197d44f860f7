//! The few browser calls of the spreadsheet panel: the chosen file's name and bytes, a clock,
//! and random bytes for the desk's secret. Nothing here stores, sends or logs a cell.

use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

fn get(target: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(target, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

/// The name and bytes of the file chosen in a file input (the event's target).
pub async fn chosen_file(input: &JsValue) -> Option<(String, Vec<u8>)> {
    let files = get(input, "files")?;
    let file =
        Reflect::get(&files, &JsValue::from(0u32)).ok().filter(|v| !v.is_undefined() && !v.is_null())?;
    let name = get(&file, "name")?.as_string()?;
    let read: Function = get(&file, "arrayBuffer")?.dyn_into().ok()?;
    let promise: Promise = read.call0(&file).ok()?.dyn_into().ok()?;
    let buffer = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    Some((name, Uint8Array::new(&buffer).to_vec()))
}

/// Empties a file input, so choosing the same (corrected) file again reads it again.
pub fn clear_input(input: &JsValue) {
    let _ = Reflect::set(input, &JsValue::from_str("value"), &JsValue::from_str(""));
}

/// Milliseconds from a monotonic clock (`performance.now()`).
pub fn now_ms() -> f64 {
    let performance = get(&js_sys::global(), "performance");
    let now = performance.as_ref().and_then(|p| get(p, "now")).and_then(|f| f.dyn_into::<Function>().ok());
    match (performance, now) {
        (Some(p), Some(f)) => f.call0(&p).ok().and_then(|v| v.as_f64()).unwrap_or_else(js_sys::Date::now),
        _ => js_sys::Date::now(),
    }
}

/// 32 random bytes from `crypto.getRandomValues`, as hex.
pub fn random_hex() -> Option<String> {
    let crypto = get(&js_sys::global(), "crypto")?;
    let fill: Function = get(&crypto, "getRandomValues")?.dyn_into().ok()?;
    let bytes = Uint8Array::new_with_length(32);
    fill.call1(&crypto, &bytes).ok()?;
    Some(bytes.to_vec().iter().map(|b| format!("{b:02x}")).collect())
}
