// Service worker of the ETHOS field app. `cargo xtask build-client` fills in VERSION (a hash
// of every built file) and ASSETS (every file of the app shell): a new build is a new worker,
// which takes over at once (skipWaiting + clients.claim); the page then offers a reload.
// The API is never cached: records live in IndexedDB, not here.
const VERSION = "__VERSION__";
const ASSETS = __ASSETS__;
const CACHE = "ethos-shell-" + VERSION;

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
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("ethos-shell-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
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
  // So is the desk (an organisation's laptop).
  if (url.pathname.startsWith("/desk") || url.pathname.startsWith("/ethos_desk")) return;
  if (req.mode === "navigate") {
    // Every page of the app is the same shell (/, /enroll#code=…).
    event.respondWith(caches.match("/index.html", { cacheName: CACHE }).then((hit) => hit || fetch(req)));
    return;
  }
  event.respondWith(caches.match(req, { cacheName: CACHE, ignoreSearch: true }).then((hit) => hit || fetch(req)));
});
