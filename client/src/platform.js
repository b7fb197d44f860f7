// Browser glue for `platform.rs`, the one Rust module that touches browser APIs. Everything
// here is small and boring on purpose: storage, HTTP, timers, events, the service worker.

let DB_NAME = "ethos-field";
const DB_VERSION = 1;
let dbPromise = null;
let TAB_CHANNEL = "ethos-field-tab";

// The desk keeps its outbox apart from a field app opened in the same browser: its own
// database and its own one-tab-at-a-time channel. Called before anything is stored.
export function useStore(name) {
  if (!dbPromise) {
    DB_NAME = name;
    TAB_CHANNEL = name + "-tab";
  }
}

function db() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = () => {
        const d = req.result;
        if (!d.objectStoreNames.contains("outbox")) d.createObjectStore("outbox");
        if (!d.objectStoreNames.contains("meta")) d.createObjectStore("meta");
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => {
        dbPromise = null;
        reject(req.error);
      };
    });
  }
  return dbPromise;
}

function txDone(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("transaction aborted"));
  });
}

// pairs: JSON text of [[key, value], ...]; values are strings. Resolves once durable.
export async function idbPut(store, pairs) {
  const d = await db();
  const tx = d.transaction(store, "readwrite", { durability: "strict" });
  const os = tx.objectStore(store);
  for (const [k, v] of JSON.parse(pairs)) os.put(v, k);
  return txDone(tx);
}

// keys: JSON text of [key, ...]
export async function idbDelete(store, keys) {
  const d = await db();
  const tx = d.transaction(store, "readwrite", { durability: "strict" });
  const os = tx.objectStore(store);
  for (const k of JSON.parse(keys)) os.delete(k);
  return txDone(tx);
}

// Resolves to the JSON text of [value, ...].
export async function idbGetAll(store) {
  const d = await db();
  const tx = d.transaction(store, "readonly");
  const req = tx.objectStore(store).getAll();
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(JSON.stringify(req.result));
    req.onerror = () => reject(req.error);
  });
}

// Resolves to the stored string or null.
export async function idbGet(store, key) {
  const d = await db();
  const tx = d.transaction(store, "readonly");
  const req = tx.objectStore(store).get(key);
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result === undefined ? null : req.result);
    req.onerror = () => reject(req.error);
  });
}

// Resolves to {status, body} for any HTTP answer; rejects when there was no answer
// (offline, server down, timeout).
export async function httpJson(method, url, token, body, timeoutMs) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = "Bearer " + token;
  if (body !== null && body !== undefined) headers["Content-Type"] = "application/json";
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  try {
    const res = await fetch(url, { method, headers, body, cache: "no-store", signal: ctrl.signal });
    const text = await res.text();
    return { status: res.status, body: text };
  } finally {
    clearTimeout(timer);
  }
}

export function onOnline(cb) {
  window.addEventListener("online", () => cb());
}

export function onVisible(cb) {
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") cb();
  });
}

export function every(ms, cb) {
  return setInterval(() => cb(), ms);
}

export function after(ms, cb) {
  return setTimeout(() => cb(), ms);
}

// "granted" when the browser promises not to evict our data, "denied" or "unsupported".
export async function persistStorage() {
  try {
    if (!navigator.storage || !navigator.storage.persist) return "unsupported";
    if (await navigator.storage.persisted()) return "granted";
    return (await navigator.storage.persist()) ? "granted" : "denied";
  } catch (e) {
    return "unsupported";
  }
}

// Registers /sw.js; calls onUpdate when a new version has taken over this page. With `keep`
// (a message the worker knows, e.g. "keep-desk"), asks the worker, once it runs, to keep the
// files of a page that is not part of the phones' app shell.
export function registerServiceWorker(onUpdate, keep) {
  if (!("serviceWorker" in navigator)) return;
  let hadController = !!navigator.serviceWorker.controller;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (hadController) onUpdate();
    hadController = true;
  });
  navigator.serviceWorker.register("/sw.js").then(
    (reg) => {
      if (keep) navigator.serviceWorker.ready.then((ready) => ready.active && ready.active.postMessage(keep));
      // Look for a new version whenever the app comes back to the foreground.
      document.addEventListener("visibilitychange", () => {
        if (document.visibilityState === "visible") reg.update().catch(() => {});
      });
    },
    (err) => console.warn("service worker not registered", err),
  );
}

export function download(filename, text, mime) {
  const blob = new Blob([text], { type: mime || "application/json" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function locationPath() {
  return location.pathname;
}

export function locationHash() {
  return location.hash;
}

export function replaceUrl(path) {
  history.replaceState(null, "", path);
}

export function reloadPage() {
  location.reload();
}

export function setDocumentLang(lang) {
  document.documentElement.lang = lang;
}

export function scrollTop() {
  window.scrollTo(0, 0);
}

export function focusById(id) {
  const el = document.getElementById(id);
  if (el) el.focus();
}

// One tab at a time: two tabs with their own copy of the outbox could overwrite each other's
// changes in IndexedDB. The newest tab announces itself; an older one steps back.
let tabChannel = null;
export function claimTab(onOtherTab) {
  if (typeof BroadcastChannel === "undefined") return;
  tabChannel = new BroadcastChannel(TAB_CHANNEL);
  tabChannel.onmessage = (e) => {
    if (e.data === "active") onOtherTab();
  };
  tabChannel.postMessage("active");
}

// ---- coordinator console ----

// The console's session lives in this tab only (gone when the tab closes).
export function sessionGet(key) {
  try {
    return sessionStorage.getItem(key);
  } catch (e) {
    return null;
  }
}

export function sessionSet(key, value) {
  try {
    sessionStorage.setItem(key, value);
  } catch (e) {
    /* private mode without storage: the session lasts until the page reloads */
  }
}

export function sessionRemove(key) {
  try {
    sessionStorage.removeItem(key);
  } catch (e) {
    /* nothing stored */
  }
}

export function pushUrl(path) {
  history.pushState(null, "", path);
}

export function onPopState(cb) {
  window.addEventListener("popstate", () => cb());
}

export function locationOrigin() {
  return location.origin;
}

export function printPage() {
  window.print();
}

// Puts `text` on the clipboard; resolves to whether that worked. The asynchronous clipboard
// needs a secure context and may be refused; the older copy command still works then.
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (_) {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    let done = false;
    try {
      done = document.execCommand("copy");
    } catch (_) {
      done = false;
    }
    area.remove();
    return done;
  }
}

export function setTitle(title) {
  document.title = title;
}

// The nearest element with data-action at or above the event's target, as
// "action\u0001arg" (one listener per page handles every button and link in its markup).
export function actionOf(ev) {
  const t = ev.target;
  const el = t && t.closest ? t.closest("[data-action]") : null;
  if (!el) return null;
  return el.getAttribute("data-action") + "\u0001" + (el.getAttribute("data-arg") || "");
}

// An iPhone or iPad in the browser (not the app on the home screen, which has storage of its
// own). iPadOS reports itself as a Mac with a touch screen.
export function isIosBrowser() {
  const ua = navigator.userAgent || "";
  const ios = /iPhone|iPad|iPod/.test(ua) || (/Macintosh/.test(ua) && navigator.maxTouchPoints > 1);
  const standalone = navigator.standalone === true ||
    (window.matchMedia && window.matchMedia("(display-mode: standalone)").matches);
  return ios && !standalone;
}

// Fetches `url` with the token and offers the answer's bytes, unchanged, as the download
// `filename` (a `;` CSV keeps its byte-order mark: no text decoding on the way). Resolves to
// `{status, body}`; `body` is the answer's text only when it is not a success.
export async function downloadFrom(url, token, filename, timeoutMs) {
  const headers = {};
  if (token) headers.Authorization = "Bearer " + token;
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  try {
    const res = await fetch(url, { headers, cache: "no-store", signal: ctrl.signal });
    if (!res.ok) return { status: res.status, body: await res.text() };
    const blob = await res.blob();
    const href = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = href;
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(href), 10000);
    return { status: res.status, body: "" };
  } finally {
    clearTimeout(timer);
  }
}
