//! The only module that touches browser APIs: IndexedDB, fetch, timers, `navigator`, the
//! service worker, the address bar and downloads. It turns them into plain Rust calls; the
//! rest of the app never sees a `JsValue`.

pub use crate::field::engine::from_json;
use crate::field::engine::{error_code, failure_of, sync_answer, UNREADABLE};
use crate::field::outbox::{Entry, Failure};
use ethos_shared::api::{Count, EnrollRequest, EnrollResponse, ErrorBody, SyncResponse};
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/platform.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = idbPut)]
    async fn idb_put(store: &str, pairs: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = idbDelete)]
    async fn idb_delete(store: &str, keys: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = idbGetAll)]
    async fn idb_get_all(store: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = idbGet)]
    async fn idb_get(store: &str, key: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = httpJson)]
    async fn http_json(
        method: &str,
        url: &str,
        token: Option<String>,
        body: Option<String>,
        timeout_ms: u32,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = onOnline)]
    fn on_online_js(cb: &Closure<dyn FnMut()>);
    #[wasm_bindgen(js_name = onVisible)]
    fn on_visible_js(cb: &Closure<dyn FnMut()>);
    #[wasm_bindgen(js_name = every)]
    fn every_js(ms: u32, cb: &Closure<dyn FnMut()>) -> i32;
    #[wasm_bindgen(js_name = after)]
    fn after_js(ms: u32, cb: &Closure<dyn FnMut()>) -> i32;
    #[wasm_bindgen(js_name = persistStorage)]
    async fn persist_storage_js() -> JsValue;
    #[wasm_bindgen(js_name = registerServiceWorker)]
    fn register_service_worker_js(on_update: &Closure<dyn FnMut()>, keep: Option<String>);
    #[wasm_bindgen(js_name = download)]
    fn download_js(filename: &str, text: &str, mime: &str);
    #[wasm_bindgen(catch, js_name = downloadFrom)]
    async fn download_from_js(
        url: &str,
        token: Option<String>,
        filename: &str,
        timeout_ms: u32,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = locationPath)]
    pub fn location_path() -> String;
    #[wasm_bindgen(js_name = locationHash)]
    pub fn location_hash() -> String;
    #[wasm_bindgen(js_name = replaceUrl)]
    pub fn replace_url(path: &str);
    #[wasm_bindgen(js_name = reloadPage)]
    pub fn reload_page();
    #[wasm_bindgen(js_name = isIosBrowser)]
    pub fn is_ios_browser() -> bool;
    #[wasm_bindgen(js_name = setDocumentLang)]
    pub fn set_document_lang(lang: &str);
    #[wasm_bindgen(js_name = scrollTop)]
    pub fn scroll_top();
    #[wasm_bindgen(js_name = focusById)]
    pub fn focus_by_id(id: &str);
    #[wasm_bindgen(js_name = claimTab)]
    fn claim_tab_js(on_other_tab: &Closure<dyn FnMut()>);
    #[wasm_bindgen(js_name = sessionGet)]
    pub fn session_get(key: &str) -> Option<String>;
    #[wasm_bindgen(js_name = sessionSet)]
    pub fn session_set(key: &str, value: &str);
    #[wasm_bindgen(js_name = sessionRemove)]
    pub fn session_remove(key: &str);
    #[wasm_bindgen(js_name = pushUrl)]
    pub fn push_url(path: &str);
    #[wasm_bindgen(js_name = onPopState)]
    fn on_pop_state_js(cb: &Closure<dyn FnMut()>);
    #[wasm_bindgen(js_name = locationOrigin)]
    pub fn location_origin() -> String;
    #[wasm_bindgen(js_name = printPage)]
    pub fn print_page();
    #[wasm_bindgen(js_name = setTitle)]
    pub fn set_title(title: &str);
    #[wasm_bindgen(js_name = copyText)]
    async fn copy_text_js(text: &str) -> JsValue;
    #[wasm_bindgen(js_name = actionOf)]
    fn action_of_js(ev: &JsValue) -> Option<String>;
    /// Keeps this page's outbox in an IndexedDB database (and tab channel) of the given name
    /// instead of the field app's; call before anything is stored.
    #[wasm_bindgen(js_name = useStore)]
    pub fn use_store(name: &str);
}

const API: &str = "/api/v1";
/// A sync request that has had no answer after this long is treated as lost.
const REQUEST_TIMEOUT_MS: u32 = 20_000;

const OUTBOX: &str = "outbox";
const META: &str = "meta";

/// Console requests may take longer (a report over a million records, a CSV export).
const CONSOLE_TIMEOUT_MS: u32 = 120_000;

fn js_error(e: JsValue) -> String {
    e.as_string().or_else(|| js_sys_message(&e)).unwrap_or_else(|| "browser storage error".into())
}

fn js_sys_message(e: &JsValue) -> Option<String> {
    js_sys::Reflect::get(e, &JsValue::from_str("message")).ok()?.as_string()
}

// ---- storage ----

/// Every entry of the outbox, as stored.
pub async fn load_entries() -> Result<Vec<Entry>, String> {
    let text = idb_get_all(OUTBOX).await.map_err(js_error)?.as_string().unwrap_or_default();
    let values: Vec<String> = from_json(&text)?;
    // An entry this version cannot read is kept in storage (not lost) but not shown.
    Ok(values.iter().filter_map(|v| from_json(v).ok()).collect())
}

/// Writes entries in one durable transaction; resolves when they are on disk.
pub async fn save_entries(entries: &[Entry]) -> Result<(), String> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut pairs = Vec::with_capacity(entries.len());
    for e in entries {
        pairs.push((e.record.id.to_string(), serde_json::to_string(e).map_err(|e| e.to_string())?));
    }
    let pairs = serde_json::to_string(&pairs).map_err(|e| e.to_string())?;
    idb_put(OUTBOX, &pairs).await.map(|_| ()).map_err(js_error)
}

pub async fn delete_entries(ids: &[Uuid]) -> Result<(), String> {
    if ids.is_empty() {
        return Ok(());
    }
    let keys: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    let keys = serde_json::to_string(&keys).map_err(|e| e.to_string())?;
    idb_delete(OUTBOX, &keys).await.map(|_| ()).map_err(js_error)
}

pub async fn load_meta<T: DeserializeOwned>(key: &str) -> Option<T> {
    let v = idb_get(META, key).await.ok()?.as_string()?;
    from_json(&v).ok()
}

pub async fn save_meta<T: Serialize>(key: &str, value: &T) -> Result<(), String> {
    let text = serde_json::to_string(value).map_err(|e| e.to_string())?;
    let pairs = serde_json::to_string(&[(key, text)]).map_err(|e| e.to_string())?;
    idb_put(META, &pairs).await.map(|_| ()).map_err(js_error)
}

// ---- HTTP ----

struct Answer {
    status: u16,
    body: String,
}

async fn request(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<String>,
) -> Result<Answer, Failure> {
    request_within(method, path, token, body, REQUEST_TIMEOUT_MS).await
}

async fn request_within(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<String>,
    timeout_ms: u32,
) -> Result<Answer, Failure> {
    let url = format!("{API}{path}");
    let res = http_json(method, &url, token.map(str::to_string), body, timeout_ms)
        .await
        .map_err(|_| Failure::Network)?;
    let status = js_sys::Reflect::get(&res, &JsValue::from_str("status"))
        .ok()
        .and_then(|v| v.as_f64())
        .map_or(0, |n| n as u16);
    let body = js_sys::Reflect::get(&res, &JsValue::from_str("body"))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    Ok(Answer { status, body })
}

/// `POST /api/v1/enroll`. The error is the server's stable code, or `network`.
pub async fn enroll(code: &str) -> Result<EnrollResponse, String> {
    let body = serde_json::to_string(&EnrollRequest { code: code.to_string(), device_label: None })
        .map_err(|e| e.to_string())?;
    let answer = request("POST", "/enroll", None, Some(body)).await.map_err(|_| "network".to_string())?;
    if answer.status == 201 || answer.status == 200 {
        from_json(&answer.body).map_err(|_| "internal".to_string())
    } else {
        Err(error_code(&answer.body))
    }
}

/// `POST /api/v1/sync` with a body made by `Batch::sync_body`.
pub async fn sync(token: &str, body: String) -> Result<SyncResponse, Failure> {
    let answer = request("POST", "/sync", Some(token), Some(body)).await?;
    sync_answer(answer.status, &answer.body)
}

/// `GET /api/v1/device/count`: the count's current status.
pub async fn device_count(token: &str) -> Result<Count, Failure> {
    let answer = request("GET", "/device/count", Some(token), None).await?;
    if answer.status == 200 {
        from_json(&answer.body).map_err(|_| UNREADABLE)
    } else {
        Err(failure_of(answer.status, &answer.body))
    }
}

/// An answer of the API to the console: its status and body text.
pub struct ApiAnswer {
    pub status: u16,
    pub body: String,
}

/// Any request of the console to `/api/v1{path}`; `None` when there was no answer at all.
pub async fn api(method: &str, path: &str, token: Option<&str>, body: Option<String>) -> Option<ApiAnswer> {
    let answer = request_within(method, path, token, body, CONSOLE_TIMEOUT_MS).await.ok()?;
    Some(ApiAnswer { status: answer.status, body: answer.body })
}

/// Fetches `/api/v1{path}` with the token and offers the answer's bytes, unchanged, as the
/// download `filename` (the console's CSV exports: the `;` variant keeps its byte-order mark).
/// The answer's status, and its body when it is an error; `None` without an answer.
pub async fn download_api(path: &str, token: Option<&str>, filename: &str) -> Option<ApiAnswer> {
    let url = format!("{API}{path}");
    let res = download_from_js(&url, token.map(str::to_string), filename, CONSOLE_TIMEOUT_MS).await.ok()?;
    let field = |name: &str| js_sys::Reflect::get(&res, &JsValue::from_str(name)).ok();
    let status = field("status").and_then(|v| v.as_f64()).map_or(0, |n| n as u16);
    let body = field("body").and_then(|v| v.as_string()).unwrap_or_default();
    Some(ApiAnswer { status, body })
}

/// The stable code and `details` of an error answer.
pub fn error_body(body: &str) -> Option<ErrorBody> {
    from_json::<ErrorBody>(body).ok()
}

/// The `data-action` and `data-arg` of the element an event came from (or its nearest
/// ancestor that has them): how a page's one listener serves the buttons in its markup.
pub fn action_of(ev: &impl AsRef<JsValue>) -> Option<(String, String)> {
    let text = action_of_js(ev.as_ref())?;
    let (action, arg) = text.split_once('\u{1}')?;
    Some((action.to_string(), arg.to_string()))
}

/// Calls `f` when the user goes back or forward in the browser's history.
pub fn on_pop_state(f: impl FnMut() + 'static) {
    let cb = Closure::<dyn FnMut()>::new(f);
    on_pop_state_js(&cb);
    cb.forget();
}

// ---- events, timers, browser features ----

/// Calls `f` on every `online` event and whenever the app comes back to the foreground.
pub fn on_online(f: impl FnMut() + Clone + 'static) {
    let online = Closure::<dyn FnMut()>::new(f.clone());
    on_online_js(&online);
    online.forget();
    let visible = Closure::<dyn FnMut()>::new(f);
    on_visible_js(&visible);
    visible.forget();
}

/// Calls `f` every `ms` milliseconds for the life of the page.
pub fn every(ms: u32, f: impl FnMut() + 'static) {
    let cb = Closure::<dyn FnMut()>::new(f);
    every_js(ms, &cb);
    cb.forget();
}

/// Calls `f` once after `ms` milliseconds.
pub fn after(ms: u32, f: impl FnOnce() + 'static) {
    let mut f = Some(f);
    let cb = Closure::<dyn FnMut()>::new(move || {
        if let Some(f) = f.take() {
            f();
        }
    });
    after_js(ms, &cb);
    cb.forget();
}

/// Asks the browser to keep our data ("granted", "denied" or "unsupported").
pub async fn request_persistent_storage() -> String {
    persist_storage_js().await.as_string().unwrap_or_else(|| "unsupported".into())
}

/// Registers the service worker; `on_update` runs when a new version took over.
pub fn register_service_worker(on_update: impl FnMut() + 'static) {
    let cb = Closure::<dyn FnMut()>::new(on_update);
    register_service_worker_js(&cb, None);
    cb.forget();
}

/// Registers the service worker and asks it to keep the desk's files (they are not in the
/// phones' app shell), so that a desk opened once opens again without a connection.
#[cfg(feature = "desk")]
pub fn keep_desk_offline() {
    let cb = Closure::<dyn FnMut()>::new(|| {});
    register_service_worker_js(&cb, Some(KEEP_DESK.to_string()));
    cb.forget();
}

/// The message of `sw.js` that asks it to keep the desk's files.
#[cfg(feature = "desk")]
const KEEP_DESK: &str = "keep-desk";

/// Makes this tab the active one; `on_other_tab` runs when the app is opened in another tab
/// (or the installed app), which then takes over.
pub fn claim_tab(on_other_tab: impl FnMut() + 'static) {
    let cb = Closure::<dyn FnMut()>::new(on_other_tab);
    claim_tab_js(&cb);
    cb.forget();
}

/// Puts `text` on the clipboard as plain text; whether the browser allowed it.
pub async fn copy_text(text: &str) -> bool {
    copy_text_js(text).await.as_bool().unwrap_or(false)
}

/// Offers `text` as a file download.
pub fn download(filename: &str, text: &str) {
    download_js(filename, text, "application/json");
}

/// Offers `text` as a file download of the given type (e.g. `text/csv;charset=utf-8`).
pub fn download_as(filename: &str, text: &str, mime: &str) {
    download_js(filename, text, mime);
}
