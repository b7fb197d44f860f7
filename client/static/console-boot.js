// Starts the coordinator console: a bundle of its own, so phones never download it.
import init from "/ethos_console.js";
init({ module_or_path: "/ethos_console_bg.wasm" });
