//! How the apps ask a profile field and show its answer, part of the field's row in
//! [`super::fields::FIELDS`]: the field flow's choices, the review screen, the desk's form and
//! spreadsheet, "rest onbekend" and the benchmark's generator go over these instead of naming
//! each field.

use super::fields::FIELDS;
use crate::profile::{CareNeeds, Children, Profile};
use crate::Lang;

const PROFILE_PREFIX: &[u8] = b"profile.";

const fn is_profile_key(key: &str) -> bool {
    let key = key.as_bytes();
    if key.len() <= PROFILE_PREFIX.len() {
        return false;
    }
    let mut i = 0;
    while i < PROFILE_PREFIX.len() {
        if key[i] != PROFILE_PREFIX[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// How many of [`FIELDS`] are fields of the profile.
pub const PROFILE_FIELD_COUNT: usize = {
    let (mut n, mut i) = (0, 0);
    while i < FIELDS.len() {
        if is_profile_key(FIELDS[i].key) {
            n += 1;
        }
        i += 1;
    }
    n
};

/// The names of the profile fields of [`FIELDS`] (their keys without `profile.`), in order.
pub const fn profile_names() -> [&'static str; PROFILE_FIELD_COUNT] {
    let mut names = [""; PROFILE_FIELD_COUNT];
    let (mut n, mut i) = (0, 0);
    while i < FIELDS.len() {
        let key = FIELDS[i].key;
        if is_profile_key(key) {
            names[n] = match std::str::from_utf8(key.as_bytes().split_at(PROFILE_PREFIX.len()).1) {
                Ok(name) => name,
                Err(_) => panic!("a field key is not UTF-8"),
            };
            n += 1;
        }
        i += 1;
    }
    names
}

/// How the apps ask a profile field and show its answer.
#[derive(Clone, Copy)]
pub struct Question {
    /// Its name, Dutch and English: on the review screen and the desk's form.
    pub name: (&'static str, &'static str),
    /// Its header in the desk's spreadsheet, Dutch and English.
    pub header: (&'static str, &'static str),
    /// Its answers as (code, label), in the order of the value set (`unknown` last); empty for
    /// a field not answered by one pick from a list (children, care needs).
    pub choices: fn(Lang) -> Vec<(&'static str, &'static str)>,
    /// The code of a profile's answer (care needs: their codes joined by `,`).
    pub code: fn(&Profile) -> String,
    /// A profile's answer as shown.
    pub shown: fn(&Profile, Lang) -> String,
    /// Sets the answer by its code (as [`Question::code`] gives it); `false`, and nothing
    /// changed, for a code the field does not know. Every field takes `unknown`.
    pub set: fn(&mut Profile, &str) -> bool,
}

impl Question {
    /// Its name in `lang`.
    pub fn name(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Nl => self.name.0,
            Lang::En => self.name.1,
        }
    }

    /// Its spreadsheet header in `lang`.
    pub fn header(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Nl => self.header.0,
            Lang::En => self.header.1,
        }
    }
}

/// The profile fields' questions in wire order, taken from [`FIELDS`] when compiling. The
/// apps read them here and not through `FIELDS`: a reference to that table keeps every one of
/// its functions (SQL, CSV, report packing) in the phone's bundle, some 16 KB of wasm.
const QUESTIONS: [(&str, Question); PROFILE_FIELD_COUNT] = {
    const NAMES: [&str; PROFILE_FIELD_COUNT] = profile_names();
    let mut out: [(&str, Question); PROFILE_FIELD_COUNT] = [("", CHILDREN); PROFILE_FIELD_COUNT];
    let (mut n, mut i) = (0, 0);
    while i < FIELDS.len() {
        if is_profile_key(FIELDS[i].key) {
            out[n] = match FIELDS[i].question {
                Some(q) => (NAMES[n], q),
                None => panic!("a profile field without its question"),
            };
            n += 1;
        }
        i += 1;
    }
    out
};

/// The profile fields with their questions, in wire order: (name, question).
pub fn questions() -> impl Iterator<Item = (&'static str, &'static Question)> {
    static TABLE: [(&str, Question); PROFILE_FIELD_COUNT] = QUESTIONS;
    TABLE.iter().map(|(name, q)| (*name, q))
}

/// The question of the profile field `name` (`housing_need`).
pub fn question(name: &str) -> Option<&'static Question> {
    questions().find(|(n, _)| *n == name).map(|(_, q)| q)
}

fn unknown_label(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => "onbekend",
        Lang::En => "unknown",
    }
}

/// The children: a number 0–20 or unknown, not a pick from a value set.
pub(super) const CHILDREN: Question = Question {
    name: ("Minderjarige kinderen", "Minor children"),
    header: ("Minderjarige kinderen", "Minor children"),
    choices: |_| Vec::new(),
    code: |p| match p.children {
        Children::Count(n) => n.to_string(),
        Children::Unknown => "unknown".into(),
    },
    shown: |p, lang| match p.children {
        Children::Count(n) => n.to_string(),
        Children::Unknown => unknown_label(lang).into(),
    },
    set: |p, code| {
        let children = match code {
            "unknown" => Some(Children::Unknown),
            n => n.parse::<u8>().ok().filter(|n| *n <= Children::MAX).map(Children::Count),
        };
        children.map(|c| p.children = c).is_some()
    },
};

/// Care needs: several needs, or none or unknown alone.
pub(super) const CARE_NEEDS: Question = Question {
    name: ("Zorgbehoefte", "Care needs"),
    header: ("Zorgbehoefte", "Care needs"),
    choices: |_| Vec::new(),
    code: |p| p.care_needs.codes().join(","),
    shown: |p, lang| match &p.care_needs {
        CareNeeds::None => match lang {
            Lang::Nl => "geen".into(),
            Lang::En => "none".into(),
        },
        CareNeeds::Unknown => unknown_label(lang).into(),
        CareNeeds::Needs(needs) => needs.iter().map(|n| n.label(lang)).collect::<Vec<_>>().join(", "),
    },
    set: |p, code| {
        let codes: Vec<&str> = code.split(',').collect();
        CareNeeds::from_codes(&codes).map(|v| p.care_needs = v).is_some()
    },
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::fields::field;

    #[test]
    fn every_profile_field_has_a_question_and_no_other_field_has_one() {
        for f in FIELDS {
            assert_eq!(f.profile_name().is_some(), f.question.is_some(), "{}", f.key);
        }
        let names: Vec<&str> = questions().map(|(name, _)| name).collect();
        assert_eq!(names, profile_names());
        for (name, q) in questions() {
            for text in [q.name(Lang::Nl), q.name(Lang::En), q.header(Lang::Nl), q.header(Lang::En)] {
                assert!(!text.trim().is_empty(), "{name}");
            }
        }
    }

    #[test]
    fn every_answer_of_a_list_is_set_by_its_code_and_reads_back() {
        for (name, q) in questions() {
            let choices = (q.choices)(Lang::Nl);
            if choices.is_empty() {
                continue;
            }
            let values = field(&format!("profile.{name}")).map(|f| (f.values)()).unwrap_or_default();
            let codes: Vec<&str> = choices.iter().map(|(code, _)| *code).collect();
            assert_eq!(codes, values, "{name}: the codes of its value set, in order");
            assert_eq!(codes.last(), Some(&"unknown"), "{name}");
            for (code, label) in choices {
                let mut p = Profile::unknown();
                assert!((q.set)(&mut p, code), "{name} {code}");
                assert_eq!((q.code)(&p), code);
                assert_eq!((q.shown)(&p, Lang::Nl), label);
            }
        }
    }

    #[test]
    fn unknown_is_every_field_s_no_answer_and_a_strange_code_changes_nothing() {
        for (name, q) in questions() {
            let mut p = Profile::unknown();
            assert!((q.set)(&mut p, "unknown"), "{name}");
            assert_eq!(p, Profile::unknown(), "{name}");
            assert_eq!((q.code)(&p), "unknown", "{name}");
            assert_eq!((q.shown)(&p, Lang::En), "unknown", "{name}");
            assert!(!(q.set)(&mut p, "no such answer"), "{name}");
            assert_eq!(p, Profile::unknown(), "{name}");
        }
    }

    #[test]
    fn children_and_care_needs_are_read_as_the_wire_reads_them() {
        let mut p = Profile::unknown();
        assert!((CHILDREN.set)(&mut p, "20"));
        assert_eq!(p.children, Children::Count(20));
        assert!(!(CHILDREN.set)(&mut p, "21"));
        assert!(!(CHILDREN.set)(&mut p, "-1"));
        assert_eq!((CHILDREN.code)(&p), "20");
        assert!((CARE_NEEDS.set)(&mut p, "addiction,psychiatric"));
        assert_eq!((CARE_NEEDS.code)(&p), "psychiatric,addiction");
        assert_eq!((CARE_NEEDS.shown)(&p, Lang::Nl), "psychische problemen, verslaving");
        assert!(!(CARE_NEEDS.set)(&mut p, "none,addiction"));
        assert!((CARE_NEEDS.set)(&mut p, "none"));
        assert_eq!((CARE_NEEDS.shown)(&p, Lang::Nl), "geen");
    }
}
