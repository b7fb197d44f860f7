//! Rules for what coordinators and phones type outside a record: text fields, a new count, the
//! population figures, a void reason and team codes. The server applies them to every request;
//! the console and the field app use the same functions, so both sides agree.

use crate::api::{NewCount, NewInvite, Population};
use crate::record::{FieldError, FieldErrorCode};

/// The longest count name, organisation name and void reason, in characters.
pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_REASON_CHARS: usize = 500;
/// The longest device label kept; a longer one is shortened, not refused.
pub const MAX_LABEL_CHARS: usize = 100;
/// The largest population figure of one municipality (well above the largest Dutch city).
pub const MAX_POPULATION: u64 = 10_000_000;

fn invalid(field: impl Into<String>) -> FieldError {
    FieldError::new(field, FieldErrorCode::InvalidValue)
}

/// Trims a required text field and checks its length; typed text holds no control characters
/// and no invisible marks that reorder it.
pub fn required_text(value: &str, field: &str, max_chars: usize) -> Result<String, FieldError> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.chars().count() > max_chars || trimmed.chars().any(is_control_or_bidi) {
        return Err(invalid(field));
    }
    Ok(trimmed.to_string())
}

/// Control characters (C0, DEL, C1) and the invisible marks that reorder text (bidi embeddings,
/// overrides and isolates, e.g. U+202E): typed text may hold none of them.
pub fn is_control_or_bidi(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A new count: a name, and a window that ends after it starts. Gives the count with its name
/// trimmed.
pub fn new_count(mut new: NewCount) -> Result<NewCount, FieldError> {
    new.name = required_text(&new.name, "name", MAX_NAME_CHARS)?;
    if new.ends_at <= new.starts_at {
        return Err(invalid("ends_at"));
    }
    Ok(new)
}

/// A new team code's organisation, trimmed; an expiry, if any, must lie after `now`.
pub fn new_invite(mut new: NewInvite, now: chrono::DateTime<chrono::Utc>) -> Result<NewInvite, FieldError> {
    new.organisation = required_text(&new.organisation, "organisation", MAX_NAME_CHARS)?;
    if new.expires_at.is_some_and(|t| t <= now) {
        return Err(invalid("expires_at"));
    }
    Ok(new)
}

/// The population figures of a count: each municipality of the region at most once, each
/// figure above 0 and at most [`MAX_POPULATION`]. The error names the item.
pub fn population(items: &[Population]) -> Result<Vec<(String, u64)>, FieldError> {
    let mut seen = std::collections::HashSet::new();
    for (i, p) in items.iter().enumerate() {
        let in_region = crate::municipality::by_code(&p.municipality).is_some_and(|g| g.in_region);
        if !in_region || !seen.insert(p.municipality.as_str()) {
            return Err(invalid(format!("items[{i}].municipality")));
        }
        if p.population == 0 || p.population > MAX_POPULATION {
            return Err(invalid(format!("items[{i}].population")));
        }
    }
    Ok(items.iter().map(|p| (p.municipality.clone(), p.population)).collect())
}

/// Why a record is declared void: required typed text of at most [`MAX_REASON_CHARS`].
pub fn void_reason(typed: &str) -> Result<String, FieldError> {
    required_text(typed, "reason", MAX_REASON_CHARS)
}

/// A device's label: optional; longer than [`MAX_LABEL_CHARS`] it is shortened; control
/// characters are refused as in other text.
pub fn device_label(typed: Option<&str>) -> Result<Option<String>, FieldError> {
    match typed.map(str::trim).filter(|l| !l.is_empty()) {
        Some(l) => {
            let short: String = l.chars().take(MAX_LABEL_CHARS).collect();
            required_text(&short, "device_label", MAX_LABEL_CHARS).map(Some)
        }
        None => Ok(None),
    }
}

/// A team code as stored and compared: its letters and digits, upper case (people type
/// `k7pq 2qxm`, `K7PQ-2QXM` or `k7pq2qxm` for the same code).
pub fn normalise_team_code(typed: &str) -> String {
    typed.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

/// The display form of a normalised code: a dash after four characters (`K7PQ-2QXM`).
pub fn display_team_code(normalised: &str) -> String {
    if normalised.len() == 8 {
        format!("{}-{}", &normalised[..4], &normalised[4..])
    } else {
        normalised.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, NaiveDate};

    fn count(name: &str, starts: &str, ends: &str) -> NewCount {
        NewCount {
            name: name.into(),
            reference_date: NaiveDate::from_ymd_opt(2026, 10, 15).expect("a date"),
            starts_at: DateTime::parse_from_rfc3339(starts).expect("a time"),
            ends_at: DateTime::parse_from_rfc3339(ends).expect("a time"),
        }
    }

    #[test]
    fn a_new_count_needs_a_name_and_a_window_that_ends_after_it_starts() {
        let ok =
            new_count(count("  Telling 2026 ", "2026-10-15T20:00:00+02:00", "2026-10-16T20:00:00+02:00"));
        assert_eq!(ok.map(|c| c.name), Ok("Telling 2026".to_string()));
        let field = |r: Result<NewCount, FieldError>| r.err().map(|e| e.field);
        let t = ("2026-10-15T20:00:00+02:00", "2026-10-16T20:00:00+02:00");
        assert_eq!(field(new_count(count(" ", t.0, t.1))), Some("name".into()));
        assert_eq!(field(new_count(count("a\u{202e}b", t.0, t.1))), Some("name".into()));
        assert_eq!(field(new_count(count(&"x".repeat(201), t.0, t.1))), Some("name".into()));
        assert_eq!(field(new_count(count("T", t.1, t.1))), Some("ends_at".into()));
        assert_eq!(field(new_count(count("T", t.1, t.0))), Some("ends_at".into()));
    }

    #[test]
    fn population_figures_are_region_municipalities_once_each_and_above_zero() {
        let p = |m: &str, n| Population { municipality: m.into(), population: n };
        assert_eq!(population(&[p("GM0935", 120_000)]), Ok(vec![("GM0935".to_string(), 120_000)]));
        let field = |items: &[Population]| population(items).err().map(|e| e.field);
        assert_eq!(field(&[p("GM0935", 1), p("GM0935", 2)]), Some("items[1].municipality".into()));
        assert_eq!(field(&[p("GM0363", 1)]), Some("items[0].municipality".into()), "not in the region");
        assert_eq!(field(&[p("GM0935", 0)]), Some("items[0].population".into()));
        assert_eq!(field(&[p("GM0935", MAX_POPULATION + 1)]), Some("items[0].population".into()));
    }

    #[test]
    fn a_void_reason_is_required_text_and_a_long_device_label_is_shortened() {
        assert_eq!(void_reason("  dubbel ingevoerd "), Ok("dubbel ingevoerd".to_string()));
        assert!(void_reason("   ").is_err());
        assert!(void_reason(&"x".repeat(501)).is_err());
        assert_eq!(device_label(Some("  ")), Ok(None));
        assert_eq!(device_label(Some(&"a".repeat(150))).map(|l| l.map(|l| l.len())), Ok(Some(100)));
        assert!(device_label(Some("bel\u{7}")).is_err());
    }

    #[test]
    fn team_codes_normalise_from_how_people_type_them() {
        for typed in ["k7pq 2qxm", "K7PQ-2QXM", " k7pq2qxm\n"] {
            assert_eq!(normalise_team_code(typed), "K7PQ2QXM");
        }
        assert_eq!(display_team_code("K7PQ2QXM"), "K7PQ-2QXM");
        assert_eq!(display_team_code("AB12"), "AB12");
    }
}
