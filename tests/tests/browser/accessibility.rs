//! Every screen a test takes a screenshot of is checked for accessibility: axe-core (from npm,
//! `client/node_modules`, test-only) runs its WCAG 2.x A/AA rules on the page, and any
//! violation fails the test with the rule, its help text and the elements.

use crate::phone::Phone;
use serde_json::Value;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

/// The WCAG rule sets axe-core checks: WCAG 2.0, 2.1 and 2.2, levels A and AA (what Dutch
/// public bodies must meet, EN 301 549).
const WCAG_TAGS: &str = "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']";

/// axe-core's script, read once (`npm ci` in `client/` installs it with the CSS packages).
fn axe_source() -> &'static str {
    static AXE: OnceLock<String> = OnceLock::new();
    AXE.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../client/node_modules/axe-core/axe.min.js");
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "axe-core is not installed ({}: {e}). Run `cargo xtask build-client --release` \
                 (its `npm ci` installs it) or `npm ci` in client/.",
                path.display()
            )
        })
    })
}

impl Phone {
    /// Runs axe-core's WCAG A/AA rules on the page as it is now; fails with every violation.
    pub async fn assert_accessible(&self, what: &str) {
        if self.eval("return typeof window.axe === 'undefined';").await == Value::Bool(true) {
            self.eval(&format!("{}\nreturn true;", axe_source())).await;
        }
        // WebDriver waits for a returned promise. One line per violation, then its elements.
        let script = format!(
            r#"return axe.run(document, {{ runOnly: {{ type: 'tag', values: {WCAG_TAGS} }}, resultTypes: ['violations'] }})
                .then(r => r.violations.map(v => `${{v.id}} (${{v.impact}}): ${{v.help}}` + v.nodes.slice(0, 5)
                    .map(n => '\n    ' + n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\s+/g, ' '))
                    .join('')));"#
        );
        // A page that re-renders while axe walks it (the dashboard refreshes every 15 s) can
        // make the run fail: try once more on a settled page before calling it a failure.
        let violations = match self.driver.execute(&script, Vec::new()).await {
            Ok(answer) => answer.json().clone(),
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(500)).await;
                self.eval(&script).await
            }
        };
        let list: Vec<&str> =
            violations.as_array().map_or(Vec::new(), |a| a.iter().filter_map(Value::as_str).collect());
        if !list.is_empty() {
            self.fail(&format!(
                "{what}: {} accessibility violation(s):\n  {}",
                list.len(),
                list.join("\n  ")
            ))
            .await;
        }
    }
}
