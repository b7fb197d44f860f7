//! The guided record flow as plain data: the plain-language questions that lead to an ETHOS
//! living situation, the draft a counter fills in, and how it becomes a validated record.
//! The initials and the birth date only pass through [`Identity::derive`]: the draft keeps
//! the age band and the duplicate key, never the name or the date.

use chrono::{DateTime, FixedOffset, NaiveDate};
use ethos_shared::dedup_key::dedup_key;
use ethos_shared::ethos::LivingSituation;
use ethos_shared::input::{display_team_code, normalise_team_code};
use ethos_shared::profile::{AgeBand, Children, Gender, Household, Profile};
use ethos_shared::record::questions::{question, Question};
use ethos_shared::record::{parse_record, DedupKey, FieldError, FieldErrorCode, Origin, Record, RegionCode};
use ethos_shared::Lang;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One answer to "Waar sliep deze persoon vannacht?": a single living situation, or a group
/// that asks one more question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Branch {
    pub id: &'static str,
    pub nl: &'static str,
    pub en: &'static str,
    pub situations: &'static [LivingSituation],
}

impl Branch {
    pub fn label(&self, lang: Lang) -> &'static str {
        crate::i18n::tr(lang, self.nl, self.en)
    }
}

use LivingSituation as L;

/// The first question of the flow. Every living situation is in exactly one branch.
pub const SLEPT_WHERE: &[Branch] = &[
    Branch { id: "street", nl: "Buiten: op straat, in een portiek, park of station", en: "Outside: on the street, in a doorway, park or station", situations: &[L::PublicSpace] },
    Branch { id: "night_shelter", nl: "In de nachtopvang", en: "In a night shelter", situations: &[L::NightShelter] },
    Branch { id: "family_friends", nl: "Bij familie of vrienden (bankslapen)", en: "With family or friends (sofa surfing)", situations: &[L::FamilyOrFriends] },
    Branch {
        id: "vehicle_shed_tent",
        nl: "In een auto, schuur, garage, tent, caravan of kraakpand",
        en: "In a car, shed, garage, tent, caravan or squat",
        situations: &[L::NonConventionalBuilding, L::TemporaryStructure, L::MobileHome, L::IllegalOccupation],
    },
    Branch {
        id: "shelter",
        nl: "In een opvang of tijdelijke woonvoorziening",
        en: "In a shelter or temporary accommodation",
        situations: &[
            L::HomelessHostel,
            L::TemporaryAccommodation,
            L::TransitionalSupported,
            L::WomensShelter,
            L::ReceptionCentre,
            L::MigrantWorkers,
            L::ResidentialCareOlder,
            L::SupportedFormerlyHomeless,
        ],
    },
    Branch {
        id: "institution",
        nl: "In een instelling (detentie, kliniek, jeugdzorg) en moet daar binnen een maand weg zonder woonplek",
        en: "In an institution (prison, clinic, youth care), leaving within a month with nowhere to live",
        situations: &[L::PenalInstitution, L::MedicalInstitution, L::ChildrensInstitution],
    },
    Branch {
        id: "insecure_home",
        nl: "In een woning, maar onzeker: zonder huurcontract, dreigende uitzetting of huiselijk geweld",
        en: "In a home, but insecure: no contract, facing eviction, or domestic violence",
        situations: &[L::NoTenancy, L::EvictionRented, L::RepossessionOwned, L::DomesticViolence],
    },
    Branch {
        id: "inadequate_home",
        nl: "In een onbewoonbare of extreem overbewoonde woning",
        en: "In a dwelling unfit to live in or extremely overcrowded",
        situations: &[L::UnfitDwelling, L::ExtremeOvercrowding],
    },
];

/// Households without children staying with them have no children to ask about.
pub fn children_implied(household: Household) -> Option<Children> {
    match household {
        Household::Alone | Household::WithPartner => Some(Children::Count(0)),
        _ => None,
    }
}

/// What the counter typed once to identify a person: never stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    pub first_name: String,
    pub family_name: String,
    pub birth_date: Option<NaiveDate>,
}

/// What the phone derives from the identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived {
    /// `None` when no birth date was given (the counter then estimates the band).
    pub age_band: Option<AgeBand>,
    pub dedup_key: Option<DedupKey>,
}

impl Identity {
    /// The age band on the count's reference date and the duplicate key (HMAC with the
    /// count's secret, computed by the `shared` code the server trusts).
    pub fn derive(&self, gender: Gender, reference_date: NaiveDate, secret: &str) -> Derived {
        let age_band = self.birth_date.map(|b| AgeBand::on_date(b, reference_date));
        let key = dedup_key(secret, &self.first_name, &self.family_name, self.birth_date, gender);
        Derived { age_band, dedup_key: key }
    }
}

/// The team code of an enrol link: `/enroll#code=K7PQ-2QXM` (in the fragment, so it never
/// reaches a server log).
pub fn enrol_code_from(path: &str, hash: &str) -> Option<String> {
    if !path.starts_with("/enroll") {
        return None;
    }
    hash.trim_start_matches('#')
        .split('&')
        .find_map(|kv| kv.strip_prefix("code="))
        .map(|c| display_team_code(&normalise_team_code(c)))
        .filter(|c| !c.is_empty())
}

/// A birth date as typed into `<input type="date">` (`YYYY-MM-DD`): not in the future and
/// not before 1900.
pub fn parse_birth_date(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    let mut parts = text.trim().splitn(3, '-');
    let mut number = || parts.next().filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let (year, month, day) = (number()?.parse().ok()?, number()?.parse().ok()?, number()?.parse().ok()?);
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let earliest = NaiveDate::from_ymd_opt(1900, 1, 1)?;
    (date <= today && date >= earliest).then_some(date)
}

/// The answers so far. Required fields are `Option` until answered; profile fields start as
/// `unknown` but are marked answered only when the counter chose (the review shows which).
/// Kept in IndexedDB at every answer (never a name or birth date: those are not in it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// Set when correcting an existing record.
    pub id: Option<Uuid>,
    pub living_situation: Option<LivingSituation>,
    pub municipality: Option<RegionCode>,
    pub origin: Option<Origin>,
    pub dedup_key: Option<DedupKey>,
    pub profile: Profile,
    pub observed_at: Option<DateTime<FixedOffset>>,
    pub training: bool,
}

impl Draft {
    pub fn new(municipality: Option<RegionCode>, training: bool) -> Self {
        Draft {
            id: None,
            living_situation: None,
            municipality,
            origin: None,
            dedup_key: None,
            profile: Profile::unknown(),
            observed_at: None,
            training,
        }
    }

    /// Whether the counter has answered anything yet (or is correcting a record): then
    /// leaving asks first, and the draft is kept for after a reload.
    pub fn is_started(&self) -> bool {
        self.id.is_some()
            || self.living_situation.is_some()
            || self.origin.is_some()
            || self.dedup_key.is_some()
            || self.profile != Profile::unknown()
    }

    /// "Alleen waargenomen / rest onbekend": every profile question from `step` on is
    /// answered `unknown` (for a person only observed, or who does not want to answer).
    pub fn rest_unknown(&mut self, step: Step) {
        for s in Step::ALL.iter().copied().filter(|s| s.number() >= step.number()) {
            if s == Step::Person {
                self.dedup_key = None;
            }
            for name in s.fields() {
                if let Some(q) = question(name) {
                    (q.set)(&mut self.profile, "unknown");
                }
            }
        }
    }

    /// A draft to correct a saved record.
    pub fn from_record(r: &Record) -> Self {
        Draft {
            id: Some(r.id),
            living_situation: Some(r.living_situation),
            municipality: Some(r.municipality.clone()),
            origin: Some(r.origin.clone()),
            dedup_key: r.dedup_key.clone(),
            profile: r.profile.clone(),
            observed_at: Some(r.observed_at),
            training: r.training,
        }
    }

    /// The record, checked with exactly the validation of the server (`shared`), or every
    /// field still missing. A new record gets a fresh id and `observed_at = now`; a corrected
    /// one keeps both (the outbox raises its revision).
    pub fn to_record(&self, new_id: Uuid, now: DateTime<FixedOffset>) -> Result<Record, Vec<FieldError>> {
        let mut missing = Vec::new();
        if self.living_situation.is_none() {
            missing.push(FieldError::new("living_situation", FieldErrorCode::Missing));
        }
        if self.municipality.is_none() {
            missing.push(FieldError::new("municipality", FieldErrorCode::Missing));
        }
        let (Some(living_situation), Some(municipality)) = (self.living_situation, self.municipality.clone())
        else {
            return Err(missing);
        };
        let record = Record {
            id: self.id.unwrap_or(new_id),
            revision: 1,
            observed_at: self.observed_at.unwrap_or(now),
            municipality,
            living_situation,
            origin: self.origin.clone().unwrap_or(Origin::Unknown),
            dedup_key: self.dedup_key.clone(),
            profile: self.profile.clone(),
            training: self.training,
            entry: ethos_shared::record::Entry::Field,
        };
        // Through the JSON text, as the server sees it (and one serializer in the binary).
        let value: serde_json::Value = serde_json::to_string(&record)
            .and_then(|text| serde_json::from_str(&text))
            .map_err(|_| vec![FieldError::new("record", FieldErrorCode::InvalidValue)])?;
        parse_record(&value)
    }
}

/// An unfinished draft and the question the counter was on, as kept in IndexedDB.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedDraft {
    pub draft: Draft,
    pub step: Step,
}

/// The profile questions after the identity step, in the order of the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    LivingSituation,
    Municipality,
    Origin,
    Person,
    Household,
    Children,
    Duration,
    ResidenceStatus,
    Income,
    CareNeeds,
    PreviousFacility,
    HousingNeed,
    Review,
}

impl Step {
    pub const ALL: [Step; 13] = [
        Step::LivingSituation,
        Step::Municipality,
        Step::Origin,
        Step::Person,
        Step::Household,
        Step::Children,
        Step::Duration,
        Step::ResidenceStatus,
        Step::Income,
        Step::CareNeeds,
        Step::PreviousFacility,
        Step::HousingNeed,
        Step::Review,
    ];

    /// The step after this one, skipping the children question where the household implies
    /// the answer.
    pub fn next(self, draft: &Draft) -> Step {
        let i = Step::ALL.iter().position(|s| *s == self).unwrap_or(0);
        let next = Step::ALL.get(i + 1).copied().unwrap_or(Step::Review);
        if next == Step::Children && children_implied(draft.profile.household).is_some() {
            return next.next(draft);
        }
        next
    }

    /// The profile fields the step asks, by name (see `record::questions`).
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Step::Person => &["gender", "age_band"],
            Step::Household => &["household"],
            Step::Children => &["children"],
            Step::Duration => &["duration"],
            Step::ResidenceStatus => &["residence_status"],
            Step::Income => &["income"],
            Step::CareNeeds => &["care_needs"],
            Step::PreviousFacility => &["previous_facility"],
            Step::HousingNeed => &["housing_need"],
            Step::LivingSituation | Step::Municipality | Step::Origin | Step::Review => &[],
        }
    }

    /// The question of a step that asks one profile field by one pick from its list.
    fn pick(self) -> Option<&'static Question> {
        match self.fields() {
            [name] => question(name).filter(|q| !(q.choices)(Lang::Nl).is_empty()),
            _ => None,
        }
    }

    /// Whether the step asks a profile question ("rest onbekend" is offered from here on).
    pub fn is_profile(self) -> bool {
        !matches!(self, Step::LivingSituation | Step::Municipality | Step::Origin | Step::Review)
    }

    pub fn prev(self, draft: &Draft) -> Option<Step> {
        let i = Step::ALL.iter().position(|s| *s == self)?;
        let prev = *Step::ALL.get(i.checked_sub(1)?)?;
        if prev == Step::Children && children_implied(draft.profile.household).is_some() {
            return prev.prev(draft);
        }
        Some(prev)
    }

    /// "Vraag 3 van 12".
    pub fn number(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).map_or(1, |i| i + 1)
    }

    pub fn question(self, lang: Lang) -> &'static str {
        let (nl, en) = match self {
            Step::LivingSituation => {
                ("Waar sliep deze persoon vannacht?", "Where did this person sleep last night?")
            }
            Step::Municipality => (
                "In welke gemeente tel je deze persoon?",
                "In which municipality are you counting this person?",
            ),
            Step::Origin => (
                "Uit welke gemeente komt deze persoon? (laatst gewoond of ingeschreven)",
                "Which municipality does this person come from? (last lived or registered)",
            ),
            Step::Person => {
                ("Wie is het? (voor leeftijd en dubbeltelling)", "Who is it? (for age and duplicates)")
            }
            Step::Household => ("Met wie is deze persoon?", "Who is this person with?"),
            Step::Children => (
                "Hoeveel minderjarige kinderen verblijven bij deze persoon?",
                "How many minor children stay with this person?",
            ),
            Step::Duration => {
                ("Hoe lang is deze persoon al dak- of thuisloos?", "How long has this person been homeless?")
            }
            Step::ResidenceStatus => ("Wat is de verblijfsstatus?", "What is the residence status?"),
            Step::Income => {
                ("Wat is de belangrijkste bron van inkomen?", "What is the main source of income?")
            }
            Step::CareNeeds => {
                ("Is er een zorgbehoefte? (meer keuzes mogelijk)", "Any care needs? (choose all that apply)")
            }
            Step::PreviousFacility => {
                ("Waar verbleef deze persoon hiervoor?", "Where did this person stay before?")
            }
            Step::HousingNeed => {
                ("Welke woonvorm past straks het best?", "Which kind of housing would fit best?")
            }
            Step::Review => ("Controleer en bewaar", "Check and save"),
        };
        crate::i18n::tr(lang, nl, en)
    }
}

/// Sets a simple profile answer by its wire code; `false` for a code the step does not know.
/// The household also sets the children where it implies them.
pub fn set_answer(draft: &mut Draft, step: Step, code: &str) -> bool {
    let p = &mut draft.profile;
    let question = match step {
        Step::CareNeeds => question("care_needs"),
        other => other.pick(),
    };
    if !question.is_some_and(|q| (q.set)(p, code)) {
        return false;
    }
    if step == Step::Household {
        if let Some(c) = children_implied(p.household) {
            p.children = c;
        } else if p.children == Children::Count(0) {
            p.children = Children::Unknown;
        }
    }
    true
}

/// The codes and labels of a simple profile question, `unknown` last.
pub fn choices(step: Step, lang: Lang) -> Vec<(&'static str, &'static str)> {
    step.pick().map_or_else(Vec::new, |q| (q.choices)(lang))
}

/// The current answer's code of a simple profile question.
pub fn current_code(draft: &Draft, step: Step) -> Option<&'static str> {
    let q = step.pick()?;
    let code = (q.code)(&draft.profile);
    (q.choices)(Lang::Nl).into_iter().map(|(c, _)| c).find(|c| *c == code)
}

#[cfg(test)]
#[path = "flow_tests.rs"]
mod tests;
