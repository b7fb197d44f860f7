// Starts the desk: a bundle of its own, so phones never download it.
import init from "/ethos_desk.js";
init({ module_or_path: "/ethos_desk_bg.wasm" });
