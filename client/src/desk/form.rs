//! The desk's one-page form as plain data: the answers typed at a desk and how they become a
//! record (`entry: desk`, `observed_at` = the count's reference night, domain.md §3). The name
//! and birth date only pass through [`Identity::derive`]: the record keeps the age band and the
//! duplicate key, never the name or the date.

use crate::field::flow::{children_implied, parse_birth_date, Draft, Identity};
use chrono::{DateTime, FixedOffset, NaiveDate};
use ethos_shared::api::Count;
use ethos_shared::count::CountStatus;
use ethos_shared::municipality;
use ethos_shared::profile::{Children, Gender, Profile};
use ethos_shared::record::questions::{question, questions};
use ethos_shared::record::{Entry, FieldError, FieldErrorCode, Origin, Record, RegionCode};
use ethos_shared::Lang;
use uuid::Uuid;

/// The team code of a desk link: `/desk#code=K7PQ-2QXM` (in the fragment, never in a log).
pub fn desk_code_from(hash: &str) -> Option<String> {
    crate::field::flow::enrol_code_from("/enroll", hash)
}

/// A birth date as typed at a desk: `17-05-1980`, `17/5/1980`, `17.05.1980`, `17051980` or
/// `1980-05-17`; not in the future and not before 1900. Two-digit years are not guessed.
pub fn parse_typed_date(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    let text = text.trim();
    let parts: Vec<&str> = text.split(['-', '/', '.', ' ']).filter(|p| !p.is_empty()).collect();
    let (day, month, year) = match parts.as_slice() {
        [y, m, d] if y.len() == 4 => (*d, *m, *y),
        [d, m, y] if y.len() == 4 => (*d, *m, *y),
        [digits] if digits.len() == 8 => (digits.get(0..2)?, digits.get(2..4)?, digits.get(4..8)?),
        _ => return None,
    };
    fn number(p: &str) -> Option<&str> {
        (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())).then_some(p)
    }
    let iso = format!("{}-{:0>2}-{:0>2}", number(year)?, number(month)?, number(day)?);
    parse_birth_date(&iso, today)
}

/// The answers of the form (codes, never labels). Profile questions start as `unknown`.
#[derive(Debug, Clone, PartialEq)]
pub struct Answers {
    pub municipality: Option<RegionCode>,
    pub living_situation: Option<ethos_shared::ethos::LivingSituation>,
    pub origin: Origin,
    pub profile: Profile,
}

impl Answers {
    /// An empty form; the municipality of the last saved person stays chosen.
    pub fn new(municipality: Option<RegionCode>) -> Self {
        Answers { municipality, living_situation: None, origin: Origin::Unknown, profile: Profile::unknown() }
    }

    /// The answers of a record entered earlier, to correct it.
    pub fn of_record(r: &Record) -> Self {
        Answers {
            municipality: Some(r.municipality.clone()),
            living_situation: Some(r.living_situation),
            origin: r.origin.clone(),
            profile: r.profile.clone(),
        }
    }

    /// The correction of `original`: these answers under its id (the outbox raises the
    /// revision). Names and birth date are never kept, so when they are not typed again the
    /// duplicate key stays the original's; typed again, they give it anew. The key holds the
    /// gender too: a changed gender without them is refused (`missing` names and birth date),
    /// or the key would go on saying the old one; a gender corrected to unknown drops the key
    /// (none can be made without one).
    pub fn correction_of(
        &self,
        original: &Record,
        identity: &Identity,
        count: &Count,
        secret: &str,
    ) -> Result<Record, Vec<FieldError>> {
        let mut record = self.to_record(identity, count, secret, original.id)?;
        // An unknown gender gives no key at all, as when the person was first entered.
        if record.dedup_key.is_none() && record.profile.gender != Gender::Unknown {
            if original.dedup_key.is_some() && record.profile.gender != original.profile.gender {
                let needed = ["first_name", "family_name", "birth_date"];
                return Err(needed.map(|f| FieldError::new(f, FieldErrorCode::Missing)).to_vec());
            }
            record.dedup_key = original.dedup_key.clone();
        }
        record.observed_at = original.observed_at;
        record.training = original.training;
        Ok(record)
    }

    /// "Rest onbekend": every profile question from `from` on (see [`profile_order`]) is
    /// answered `unknown`.
    pub fn rest_unknown(&mut self, from: ProfileQuestion) {
        let order = profile_order();
        let start = order.iter().position(|q| *q == from).unwrap_or(0);
        for q in &order[start..] {
            self.set_code(q, "unknown");
        }
    }

    /// The record of these answers for the count of `count`, checked with exactly the server's
    /// validation: `observed_at` is the reference night (`starts_at`), however many days later
    /// it is entered; a birth date gives the age band (else the estimate stands); the name,
    /// birth date and gender give the duplicate key with the count's secret.
    pub fn to_record(
        &self,
        identity: &Identity,
        count: &Count,
        secret: &str,
        id: Uuid,
    ) -> Result<Record, Vec<FieldError>> {
        let derived = identity.derive(self.profile.gender, count.reference_date, secret);
        let mut profile = self.profile.clone();
        if let Some(band) = derived.age_band {
            profile.age_band = band;
        }
        if let Some(children) = children_implied(profile.household) {
            profile.children = children;
        }
        let draft = Draft {
            id: None,
            living_situation: self.living_situation,
            municipality: self.municipality.clone(),
            origin: Some(self.origin.clone()),
            dedup_key: derived.dedup_key,
            profile,
            observed_at: Some(count.starts_at),
            training: count.status == CountStatus::Training,
        };
        let reference: DateTime<FixedOffset> = count.starts_at;
        let mut record = draft.to_record(id, reference)?;
        record.entry = Entry::Desk;
        Ok(record)
    }
}

/// A profile question of the form, by its field's name (`household`; see `record::questions`).
pub type ProfileQuestion = &'static str;

/// The profile questions in their order on the page: gender and age with the name and the
/// birth date (they make the duplicate key and the age band), then the others in the order of
/// the field table.
pub fn profile_order() -> Vec<ProfileQuestion> {
    let mut order = vec!["gender", "age_band"];
    let rest: Vec<ProfileQuestion> =
        questions().map(|(name, _)| name).filter(|n| !order.contains(n)).collect();
    order.extend(rest);
    order
}

/// The options of a select whose answers are picked by one key: `unknown` first as `0`, then
/// the answers numbered `1`… in the order of the value set (a select finds an option by the
/// first characters typed). Returns (code, label shown).
pub fn numbered(
    options: &[(&'static str, &'static str)],
    unknown: &'static str,
) -> Vec<(&'static str, String)> {
    let mut out = vec![("unknown", format!("0 {unknown}"))];
    out.extend(
        options
            .iter()
            .filter(|(code, _)| *code != "unknown")
            .enumerate()
            .map(|(i, (code, label))| (*code, format!("{} {label}", i + 1))),
    );
    out
}

/// One answer of the origin field: a municipality found by the type-ahead (also by a village
/// or district, with typos forgiven), abroad or unknown.
#[derive(Debug, Clone, PartialEq)]
pub struct OriginOption {
    pub origin: Origin,
    pub label: String,
}

/// The origin answers for what was typed: "buitenland"/"onbekend" when the text starts them,
/// then up to `limit` municipalities of [`municipality::search_origin`]. Empty text: none
/// (the origin stays unknown).
pub fn origin_options(query: &str, lang: Lang, limit: usize) -> Vec<OriginOption> {
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let specials = [
        (Origin::Abroad, ["buitenland", "abroad"], crate::i18n::tr(lang, "Buitenland", "Abroad")),
        (Origin::Unknown, ["onbekend", "unknown"], crate::i18n::tr(lang, "Onbekend", "Unknown")),
    ];
    for (origin, words, label) in specials {
        if words.iter().any(|w| w.starts_with(&q)) {
            out.push(OriginOption { origin, label: label.to_string() });
        }
    }
    for hit in municipality::search_origin(query, limit) {
        if let Ok(code) = hit.gemeente.code.clone().try_into() {
            let label = format!("{} ({})", hit.label(), hit.gemeente.province);
            out.push(OriginOption { origin: Origin::Municipality { code }, label });
        }
    }
    out
}

/// The (value, text) options of a profile question's select: numbered with `0 onbekend`
/// first (see [`numbered`]); the children question lists `onbekend`, then 0 to 20. Care needs
/// are boxes, not a select: none here.
pub fn profile_options(q: ProfileQuestion, lang: Lang) -> Vec<(String, String)> {
    let unknown = crate::i18n::tr(lang, "onbekend", "unknown");
    if q == "children" {
        return std::iter::once(("unknown".to_string(), unknown.to_string()))
            .chain((0..=Children::MAX).map(|n| (n.to_string(), n.to_string())))
            .collect();
    }
    let list = question(q).map_or_else(Vec::new, |q| (q.choices)(lang));
    if list.is_empty() {
        return Vec::new();
    }
    numbered(&list, unknown).into_iter().map(|(code, text)| (code.to_string(), text)).collect()
}

impl Answers {
    /// The wire code of a profile question's answer (the select's value).
    pub fn code_of(&self, q: ProfileQuestion) -> String {
        question(q).map(|q| (q.code)(&self.profile)).unwrap_or_default()
    }

    /// Sets a profile question's answer by its code; `false` for a code it does not know.
    pub fn set_code(&mut self, q: ProfileQuestion, code: &str) -> bool {
        question(q).is_some_and(|q| (q.set)(&mut self.profile, code))
    }
}

#[cfg(test)]
#[path = "form_tests.rs"]
mod tests;
