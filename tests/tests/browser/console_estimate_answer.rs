//! What the console's estimate test reads from the API and how the page writes numbers: the
//! answer of `GET …/estimate` for a count, and whole numbers in Dutch.

use crate::console_page::Office;
use serde_json::Value;

/// A whole number as the console writes it in Dutch: `1.234`.
pub fn nl(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    out
}

/// An estimate figure of the API as a whole number of persons on the page.
pub fn whole(x: f64) -> String {
    nl(x.max(0.0).round() as u64)
}

fn number(v: &Value, field: &str) -> f64 {
    v[field].as_f64().unwrap_or_else(|| panic!("a number {field} in {v}"))
}

/// What the API answered for the count's estimate (coordinator's token).
pub struct Answer {
    pub body: Value,
}

impl Answer {
    pub async fn of(office: &Office, token: &str, count: &str, by: &str, disclosure: &str) -> Answer {
        let path = format!("/counts/{count}/estimate?by={by}&disclosure={disclosure}");
        Answer { body: office.get(&path, token).await }
    }
    pub fn f(&self, field: &str) -> f64 {
        number(&self.body, field)
    }
    /// Source ids in the API's order.
    pub fn source_ids(&self) -> Vec<String> {
        self.body["sources"]
            .as_array()
            .unwrap_or_else(|| panic!("sources in {}", self.body))
            .iter()
            .map(|s| s["id"].as_str().unwrap_or_default().to_string())
            .collect()
    }
    /// The 95 % range of the total as the page writes it: `total_interval`.
    pub fn range(&self) -> String {
        let bound = |b: &str| self.body["total_interval"][b].as_f64();
        match (bound("lower"), bound("upper")) {
            (Some(l), Some(u)) => format!("{} – {}", whole(l), whole(u)),
            (Some(l), None) => format!("{} – onbegrensd", whole(l)),
            _ => "onbepaald".into(),
        }
    }
    pub fn warnings(&self) -> Vec<String> {
        self.body["warnings"]
            .as_array()
            .map(|w| w.iter().filter_map(|c| c.as_str().map(String::from)).collect())
            .unwrap_or_default()
    }
}
