// Starts the app. A file of its own (not an inline script) so the Content-Security-Policy can
// forbid inline scripts altogether.
import init from "/ethos_client.js";
init({ module_or_path: "/ethos_client_bg.wasm" });
