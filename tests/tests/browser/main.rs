//! End-to-end tests of the field app in a real browser: the built app (`client/dist`, made by
//! `cargo xtask build-client --release`) in headless Chromium at 360×740, driven through
//! WebDriver (`thirtyfour` and Debian's chromedriver), against a real server started in this
//! process with a database of its own.
//!
//! - `site`: the server; "offline" is stopping it and starting it again on the same address.
//! - `proxy`: a loopback TCP proxy that can lose the answer to a sync request; `recorder`: one
//!   that keeps every byte the browser sends.
//! - `phone`: one browser with a fresh profile per test; waits, taps, typing, screenshots;
//!   `accessibility`: axe-core's WCAG A/AA check of every screenshotted screen.
//! - `engine`, `bidi`: the browser engines (Chromium; Firefox ESR and WebKitGTK for
//!   `engines`) and the drivers and X server they run on.
//! - `engines`: the offline count in Chromium, Firefox and WebKit (an engine missing on a
//!   developer's machine is skipped with a line saying how to get it; never on CI).
//! - `people`: recording a person tap by tap through the question flow.
//! - `field_app`: the count-day flow — a correction while the phone syncs, a draft kept over a
//!   reload, Back and "Stoppen", records of a revoked team code kept and never sent with the
//!   next code (screenshots `field-*.png`).
//! - `origin`: the origin type-ahead forgives typos, hyphens and village names ("Hoensbroek →
//!   Heerlen") and stores the municipality's code (screenshot `origin-01-hoensbroek.png`).
//! - `storage_full`: the server's database full during a sync; the phone keeps the record,
//!   waits as long as the server asks, and sends it once there is room.
//! - `console`, `console_page`: the coordinator console on a laptop (1280×900), end to end:
//!   login, a count and a team code, records arriving on the dashboard, a duplicate decided,
//!   the report (screenshots `console-*.png`).
//! - `console_compare`: population figures and rates, the comparison with an earlier count,
//!   locking, what an analyst sees (`console-compare-*.png`).
//! - `console_review`: the duplicate review of the demo's example (differences first, one
//!   decision for the rest), a count in training rehearsed, the `;` CSV's BOM, 360 px.
//! - `console_estimate`: the report's section on the people nobody saw, as the API estimates
//!   it, per type and per organisation, public and internal (`console-estimate-*.png`).
//! - `console_summary`: the summary page (sentences as the API gives them, copied as text) and
//!   the report with the comparison printed to A4 and read back (`pdfinfo`, `pdftotext`).
//! - `desk`, `sheet`: the desk on a laptop, by keyboard and from a spreadsheet; `desk_offline`:
//!   a desk opened once works without the server in Chromium, Firefox and WebKit.
//!
//! Screenshots of the main screens go to `tests/artifacts/` (ignored by git); a failed wait
//! leaves `FAIL-<test>.png` there. Without a built client, Chromium or chromedriver the tests
//! fail and say what to install or run. `ETHOS_CHROMIUM` and `ETHOS_CHROMEDRIVER` override
//! Debian's paths; `ETHOS_BROWSER_LOG=1` prints the browser's console (with `--nocapture`).

mod accessibility;
mod bidi;
mod console;
mod console_compare;
mod console_estimate;
mod console_estimate_answer;
mod console_page;
mod console_review;
mod console_summary;
mod desk;
mod desk_correct;
mod desk_offline;
mod engine;
mod engines;
mod enrolment;
mod field_app;
mod lost_answer;
mod offline;
mod origin;
mod people;
mod phone;
mod proxy;
mod recorder;
mod sheet;
mod site;
mod storage_full;
