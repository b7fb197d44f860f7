// Service worker of the ETHOS field app. `cargo xtask build-client` fills in VERSION (a hash
// of every built file) and ASSETS (every file of the app shell): a new build is a new worker,
// which takes over at once (skipWaiting + clients.claim); the page then offers a reload.
// The API is never cached: records live in IndexedDB, not here.
const VERSION = "__VERSION__";
const ASSETS = __ASSETS__;
const CACHE = "ethos-shell-" + VERSION;
// The desk (an organisation's laptop) is never part of the phones' cache: its files are kept
// only when a desk page asks for it (the message KEEP_DESK), so that a desk opened once still
// opens when the connection is gone. Not versioned with the phones' shell: a change to the desk
// alone must not make every phone install a new worker.
const DESK_ASSETS = __DESK_ASSETS__;
const DESK_CACHE = "ethos-desk";
const KEEP_DESK = "keep-desk";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(ASSETS.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => old(k)).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// A cache of an earlier build of the phones' shell.
function old(key) {
  return key.startsWith("ethos-shell-") && key !== CACHE;
}

self.addEventListener("message", (event) => {
  if (event.data !== KEEP_DESK) return;
  // Renewed at every opening of the desk online: each file revalidated with the server (an
  // unchanged one costs a 304), and the kept set replaced only when all of them came, so that
  // the JavaScript and the wasm kept are always of one build.
  event.waitUntil(
    Promise.all(
      DESK_ASSETS.map((url) =>
        fetch(url, { cache: "no-cache" }).then((res) => {
          if (!res.ok) throw new Error(url + ": " + res.status);
          return [url, res];
        }),
      ),
    )
      .then((got) => caches.open(DESK_CACHE).then((cache) => Promise.all(got.map(([url, res]) => cache.put(url, res)))))
      .catch(() => {}),
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname === "/healthz") return;
  // The console is for laptops online: never from the phone's cache.
  if (url.pathname === "/console" || url.pathname.startsWith("/console/") || url.pathname.startsWith("/ethos_console")) return;
  // The desk: always the server's newest files while it can be reached, the kept ones when not
  // (no connection, or a proxy in front answering 5xx for a server that is down).
  if (url.pathname.startsWith("/desk") || url.pathname.startsWith("/ethos_desk")) {
    const key = req.mode === "navigate" ? "/desk" : url.pathname;
    const kept = () => caches.match(key, { cacheName: DESK_CACHE });
    event.respondWith(
      fetch(req)
        .then((res) => (res.status >= 500 ? kept().then((hit) => hit || res) : res))
        .catch(() => kept().then((hit) => hit || Response.error())),
    );
    return;
  }
  if (req.mode === "navigate") {
    // Every page of the app is the same shell (/, /enroll#code=…).
    event.respondWith(caches.match("/index.html", { cacheName: CACHE }).then((hit) => hit || fetch(req)));
    return;
  }
  event.respondWith(caches.match(req, { cacheName: CACHE, ignoreSearch: true }).then((hit) => hit || fetch(req)));
});
