//! The invented people of an example count: who they are, where they slept, which of the
//! made-up organisations saw them, and the records those organisations send — all from a seeded
//! generator, so the demo is the same every time.

use super::{Example, CARE, NIGHT_SHELTER, POLICE, SOURCES, STREET_TEAM, WIJKTEAM, WOMENS_SHELTER};
use chrono::{DateTime, Duration, FixedOffset};
use ethos_shared::api::Decision;
use ethos_shared::ethos::LivingSituation::{self, *};
use ethos_shared::profile::{
    AgeBand, Duration as Spell, Gender, Household, HousingNeed, Income, PreviousFacility, ResidenceStatus,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use uuid::Uuid;

/// What to send and decide for one example count.
pub(super) struct Plan {
    /// The records (wire form) of each source, by the index in `SOURCES`.
    pub records: Vec<Vec<Value>>,
    pub void: Vec<(Uuid, &'static str)>,
    pub decisions: Vec<(String, Decision, Option<Uuid>)>,
}

/// An invented person: what every organisation that meets them would record (give or take).
struct Person {
    situation: LivingSituation,
    municipality: &'static str,
    origin: Value,
    key: Option<String>,
    profile: Value,
    woman: bool,
    care_needs: bool,
    /// How visible to organisations (rough sleepers avoid help, others do not): a factor on
    /// every chance to be seen, so the sources are not quite independent — as in life.
    visibility: f64,
}

const REGION: [(&str, u32); 6] =
    [("GM0935", 700), ("GM1903", 50), ("GM1729", 40), ("GM0938", 75), ("GM0981", 55), ("GM0994", 80)];

/// Origins elsewhere in the Netherlands, mostly from nearby.
const ELSEWHERE: [(&str, u32); 12] = [
    ("GM0917", 20),
    ("GM0928", 15),
    ("GM1883", 15),
    ("GM0888", 6),
    ("GM0971", 6),
    ("GM0965", 4),
    ("GM0986", 4),
    ("GM0957", 6),
    ("GM0983", 6),
    ("GM0772", 6),
    ("GM0363", 6),
    ("GM0599", 6),
];

const CARE_NEEDS: [(&[&str], u32); 9] = [
    (&["none"], 28),
    (&["unknown"], 16),
    (&["psychiatric"], 15),
    (&["addiction"], 14),
    (&["addiction", "psychiatric"], 14),
    (&["intellectual_disability"], 5),
    (&["physical"], 4),
    (&["physical", "psychiatric"], 2),
    (&["addiction", "intellectual_disability"], 2),
];

/// One of `options`, with probability proportional to its weight.
fn pick<T: Copy>(rng: &mut StdRng, options: &[(T, u32)]) -> T {
    let total: u32 = options.iter().map(|o| o.1).sum();
    let mut n = rng.gen_range(0..total.max(1));
    for &(value, weight) in options {
        if n < weight {
            return value;
        }
        n -= weight;
    }
    options[options.len() - 1].0
}

impl Person {
    fn invent(rng: &mut StdRng, family_weight: u32) -> Person {
        let situation = pick(
            rng,
            &[
                (PublicSpace, 110),
                (NightShelter, 120),
                (HomelessHostel, 120),
                (TemporaryAccommodation, 45),
                (TransitionalSupported, 55),
                (WomensShelter, 30),
                (ReceptionCentre, 10),
                (MigrantWorkers, 20),
                (PenalInstitution, 25),
                (MedicalInstitution, 45),
                (ChildrensInstitution, 12),
                (ResidentialCareOlder, 8),
                (SupportedFormerlyHomeless, 40),
                (FamilyOrFriends, family_weight),
                (NoTenancy, 30),
                (IllegalOccupation, 8),
                (EvictionRented, 35),
                (RepossessionOwned, 5),
                (DomesticViolence, 10),
                (MobileHome, 18),
                (NonConventionalBuilding, 14),
                (TemporaryStructure, 8),
                (UnfitDwelling, 4),
                (ExtremeOvercrowding, 5),
            ],
        );
        // The shelters, the prison and the clinics are in Maastricht.
        let in_town = matches!(
            situation,
            NightShelter | HomelessHostel | WomensShelter | PenalInstitution | MedicalInstitution
        );
        let municipality = if in_town && rng.gen_bool(0.9) { "GM0935" } else { pick(rng, &REGION) };
        let gender = match situation {
            WomensShelter | DomesticViolence => Gender::Woman,
            _ => {
                pick(rng, &[(Gender::Man, 72), (Gender::Woman, 24), (Gender::Other, 1), (Gender::Unknown, 3)])
            }
        };
        let age = match situation {
            ChildrensInstitution => pick(rng, &[(AgeBand::Under18, 3), (AgeBand::From18To22, 9)]),
            _ => pick(
                rng,
                &[
                    (AgeBand::Under18, 4),
                    (AgeBand::From18To22, 80),
                    (AgeBand::From23To26, 80),
                    (AgeBand::From27To29, 60),
                    (AgeBand::From30To39, 200),
                    (AgeBand::From40To49, 200),
                    (AgeBand::From50To64, 220),
                    (AgeBand::From65, 55),
                    (AgeBand::Unknown, 40),
                ],
            ),
        };
        let families =
            matches!(situation, FamilyOrFriends | EvictionRented | WomensShelter | DomesticViolence);
        let household = if age == AgeBand::Under18 {
            Household::Alone
        } else if families {
            pick(
                rng,
                &[
                    (Household::Alone, 55),
                    (Household::WithPartner, 12),
                    (Household::WithChildren, 25),
                    (Household::WithPartnerAndChildren, 8),
                ],
            )
        } else {
            pick(
                rng,
                &[
                    (Household::Alone, 78),
                    (Household::WithPartner, 8),
                    (Household::WithChildren, 6),
                    (Household::WithPartnerAndChildren, 3),
                    (Household::Unknown, 5),
                ],
            )
        };
        let children = match household {
            Household::WithChildren | Household::WithPartnerAndChildren => {
                json!(pick(rng, &[(1, 50), (2, 35), (3, 15)]))
            }
            Household::Unknown => json!("unknown"),
            _ => json!(0),
        };
        let residence = match situation {
            MigrantWorkers => ResidenceStatus::Eu,
            ReceptionCentre => ResidenceStatus::NonEuPermit,
            _ => pick(
                rng,
                &[
                    (ResidenceStatus::Dutch, 70),
                    (ResidenceStatus::Eu, 12),
                    (ResidenceStatus::NonEuPermit, 7),
                    (ResidenceStatus::Undocumented, 5),
                    (ResidenceStatus::Unknown, 6),
                ],
            ),
        };
        let origin = match (residence, rng.gen_range(0..100)) {
            (ResidenceStatus::Eu | ResidenceStatus::Undocumented, 0..=59) => json!({ "kind": "abroad" }),
            (_, 0..=44) => json!({ "kind": "municipality", "code": municipality }),
            (_, 45..=59) => json!({ "kind": "municipality", "code": pick(rng, &REGION) }),
            (_, 60..=81) => json!({ "kind": "municipality", "code": pick(rng, &ELSEWHERE) }),
            (_, 82..=89) => json!({ "kind": "abroad" }),
            _ => json!({ "kind": "unknown" }),
        };
        let income = match situation {
            MigrantWorkers => Income::Work,
            _ => pick(
                rng,
                &[
                    (Income::Benefit, 45),
                    (Income::None, 25),
                    (Income::Work, 10),
                    (Income::Other, 5),
                    (Income::Unknown, 15),
                ],
            ),
        };
        let previous = match situation {
            PenalInstitution => PreviousFacility::Detention,
            MedicalInstitution => {
                pick(rng, &[(PreviousFacility::PsychiatricClinic, 3), (PreviousFacility::Hospital, 1)])
            }
            ChildrensInstitution => PreviousFacility::YouthCare,
            ReceptionCentre => PreviousFacility::AsylumReception,
            _ => pick(
                rng,
                &[
                    (PreviousFacility::None, 35),
                    (PreviousFacility::Shelter, 15),
                    (PreviousFacility::ProtectedHousing, 7),
                    (PreviousFacility::Detention, 6),
                    (PreviousFacility::PsychiatricClinic, 7),
                    (PreviousFacility::Hospital, 3),
                    (PreviousFacility::YouthCare, 5),
                    (PreviousFacility::AsylumReception, 3),
                    (PreviousFacility::Other, 4),
                    (PreviousFacility::Unknown, 15),
                ],
            ),
        };
        let care = pick(rng, &CARE_NEEDS);
        let duration = pick(
            rng,
            &[
                (Spell::UnderOneMonth, 8),
                (Spell::OneToThreeMonths, 14),
                (Spell::ThreeToSixMonths, 15),
                (Spell::SixToTwelveMonths, 18),
                (Spell::OneToTwoYears, 17),
                (Spell::TwoToFiveYears, 14),
                (Spell::OverFiveYears, 8),
                (Spell::Unknown, 6),
            ],
        );
        let housing = pick(
            rng,
            &[
                (HousingNeed::Independent, 20),
                (HousingNeed::IndependentWithSupport, 30),
                (HousingNeed::HousingFirst, 15),
                (HousingNeed::SupportedHousing, 15),
                (HousingNeed::LongTermCare, 5),
                (HousingNeed::Unknown, 15),
            ],
        );
        // The key needs the birth date and gender; some people give no details at all.
        let known = gender != Gender::Unknown && age != AgeBand::Unknown;
        let key = (known && rng.gen_bool(0.88)).then(|| hex::encode(rng.gen::<[u8; 32]>()));
        Person {
            situation,
            municipality,
            origin,
            key,
            profile: json!({
                "age_band": age.code(),
                "gender": gender.code(),
                "household": household.code(),
                "children": children,
                "duration": duration.code(),
                "residence_status": residence.code(),
                "income": income.code(),
                "care_needs": care,
                "previous_facility": previous.code(),
                "housing_need": housing.code(),
            }),
            woman: gender == Gender::Woman,
            care_needs: !matches!(care, ["none"] | ["unknown"]),
            visibility: rng.gen_range(0.7..1.3),
        }
    }

    /// The chance that each source records this person during the count.
    fn reach(&self) -> [f64; 6] {
        // Night shelter, women's shelter, street team, care, police, wijkteams.
        let mut p: [f64; 6] = match self.situation {
            PublicSpace | NonConventionalBuilding | TemporaryStructure | IllegalOccupation => {
                [0.30, 0.0, 0.45, 0.20, 0.30, 0.10]
            }
            NightShelter => [0.85, 0.0, 0.30, 0.25, 0.10, 0.10],
            HomelessHostel | TemporaryAccommodation | TransitionalSupported => {
                [0.70, 0.0, 0.10, 0.30, 0.05, 0.25]
            }
            WomensShelter | DomesticViolence => [0.05, 0.85, 0.0, 0.20, 0.35, 0.30],
            ReceptionCentre | MigrantWorkers => [0.05, 0.0, 0.15, 0.05, 0.05, 0.35],
            PenalInstitution => [0.10, 0.0, 0.05, 0.20, 0.55, 0.25],
            MedicalInstitution | ChildrensInstitution => [0.05, 0.0, 0.0, 0.70, 0.05, 0.30],
            ResidentialCareOlder | SupportedFormerlyHomeless => [0.25, 0.0, 0.05, 0.50, 0.0, 0.30],
            MobileHome | UnfitDwelling | ExtremeOvercrowding => [0.0, 0.0, 0.15, 0.10, 0.10, 0.35],
            FamilyOrFriends | NoTenancy | EvictionRented | RepossessionOwned => {
                [0.05, 0.0, 0.05, 0.15, 0.05, 0.35]
            }
        };
        if !self.woman {
            p[WOMENS_SHELTER] = 0.0;
        }
        if self.care_needs {
            p[CARE] *= 1.5;
        }
        p.map(|x| (x * self.visibility).clamp(0.0, 0.95))
    }

    /// The record one organisation makes of this person.
    fn record(&self, rng: &mut StdRng, source: usize, start: DateTime<FixedOffset>) -> (Uuid, Value) {
        let id = uuid::Builder::from_random_bytes(rng.gen()).into_uuid();
        let (from, to) = SOURCES[source].hours;
        let at = start
            + Duration::minutes(i64::from(rng.gen_range(from * 60..to * 60)))
            + Duration::seconds(rng.gen_range(0..60));
        let record = json!({
            "id": id,
            "revision": 1,
            "observed_at": at.to_rfc3339(),
            "municipality": self.municipality,
            "living_situation": self.situation.code(),
            "origin": self.origin,
            "dedup_key": self.key,
            "profile": self.profile,
            "training": false,
        });
        (id, record)
    }
}

/// A second organisation's record of the same person differs a little: a field it did not know,
/// now and then a neighbouring living situation (the report counts such disagreements).
fn vary(rng: &mut StdRng, record: &mut Value) {
    if rng.gen_bool(0.3) {
        // Not gender or age: the duplicate key is made from them.
        let field = ["duration", "residence_status", "income", "previous_facility", "housing_need"]
            [rng.gen_range(0..5)];
        record["profile"][field] = json!("unknown");
    }
    if rng.gen_bool(0.1) {
        let other = match LivingSituation::from_code(record["living_situation"].as_str().unwrap_or_default())
        {
            Some(PublicSpace) => Some(FamilyOrFriends),
            Some(FamilyOrFriends) => Some(PublicSpace),
            Some(NightShelter) => Some(HomelessHostel),
            Some(HomelessHostel) => Some(NightShelter),
            _ => None,
        };
        if let Some(other) = other {
            record["living_situation"] = json!(other.code());
        }
    }
}

/// The invented count: the same `example` and `start` give the same records, byte for byte.
pub(super) fn plan(example: &Example, start: DateTime<FixedOffset>) -> Plan {
    let mut rng = StdRng::seed_from_u64(example.seed);
    let mut plan = Plan { records: vec![Vec::new(); SOURCES.len()], void: Vec::new(), decisions: Vec::new() };
    for _ in 0..example.people {
        let person = Person::invent(&mut rng, example.family_weight);
        let reach = person.reach();
        let mut seen: Vec<usize> = (0..SOURCES.len()).filter(|&s| rng.gen_bool(reach[s])).collect();
        if person.key.is_none() && seen.len() > 1 {
            // Without a key nobody can link the records: keep one, so the invented data do not
            // count such a person twice (a real count would, and the report says how many).
            seen = vec![seen[rng.gen_range(0..seen.len())]];
        }
        let mut ids = Vec::new();
        for (n, &source) in seen.iter().enumerate() {
            let (id, mut record) = person.record(&mut rng, source, start);
            if n > 0 {
                vary(&mut rng, &mut record);
            }
            ids.push((source, id));
            plan.records[source].push(record);
        }
        // The coordinator checked one group of three and chose the care organisation's record.
        if let (Some(key), true, true) = (&person.key, ids.len() >= 3, plan.decisions.is_empty()) {
            let primary = ids.iter().find(|(s, _)| *s == CARE).unwrap_or(&ids[0]).1;
            plan.decisions.push((key.clone(), Decision::SamePerson, Some(primary)));
        }
    }
    // Twin brothers with the same initials: one key, two people; the coordinator split them.
    let twin = Person::invent(&mut rng, example.family_weight);
    let key = hex::encode(rng.gen::<[u8; 32]>());
    for (situation, municipality, source) in
        [(PublicSpace, "GM0935", STREET_TEAM), (FamilyOrFriends, "GM0938", WIJKTEAM)]
    {
        let mut profile = twin.profile.clone();
        profile["gender"] = json!(Gender::Man.code());
        profile["age_band"] = json!(AgeBand::From30To39.code());
        let brother = Person {
            situation,
            municipality,
            key: Some(key.clone()),
            profile,
            origin: twin.origin.clone(),
            woman: false,
            care_needs: false,
            visibility: 1.0,
        };
        let (_, record) = brother.record(&mut rng, source, start);
        plan.records[source].push(record);
    }
    plan.decisions.push((key, Decision::DifferentPeople, None));
    // Three records the coordinator voided.
    let test = Person::invent(&mut rng, example.family_weight);
    let (id, mut record) = test.record(&mut rng, STREET_TEAM, start);
    record["dedup_key"] = Value::Null;
    record["observed_at"] = json!((start + Duration::minutes(62)).to_rfc3339());
    plan.records[STREET_TEAM].push(record);
    plan.void.push((id, "Testinvoer bij de start van de telling, geen echte persoon"));
    if let Some(first) = plan.records[NIGHT_SHELTER].first().cloned() {
        let mut again = first;
        let id = uuid::Builder::from_random_bytes(rng.gen()).into_uuid();
        again["id"] = json!(id);
        plan.records[NIGHT_SHELTER].push(again);
        plan.void.push((id, "Twee keer ingevoerd op hetzelfde toestel"));
    }
    let housed = Person::invent(&mut rng, example.family_weight);
    let (id, record) = housed.record(&mut rng, POLICE, start);
    plan.records[POLICE].push(record);
    plan.void.push((id, "Woont sinds een week weer zelfstandig: valt buiten de telling"));
    plan
}

#[cfg(test)]
mod tests {
    use super::super::EXAMPLES;
    use super::*;

    fn start() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2025-11-25T20:00:00+01:00").unwrap()
    }

    #[test]
    fn the_same_seed_gives_the_same_records_and_every_record_is_valid() {
        for example in &EXAMPLES {
            let (a, b) = (plan(example, start()), plan(example, start()));
            assert_eq!(a.records, b.records);
            for record in a.records.iter().flatten() {
                let parsed = ethos_shared::record::parse_record(record).expect("a valid record");
                let offset = parsed.observed_at - start();
                assert!(offset >= Duration::zero() && offset < Duration::hours(24), "{record}");
            }
        }
    }

    #[test]
    fn the_invented_count_has_overlaps_keyless_records_voids_and_decisions() {
        let plan = plan(&EXAMPLES[0], start());
        let all: Vec<&Value> = plan.records.iter().flatten().collect();
        assert!((250..600).contains(&all.len()), "{} records", all.len());
        let keyless = all.iter().filter(|r| r["dedup_key"].is_null()).count();
        assert!(keyless > 10, "{keyless} without key");
        let mut per_key: std::collections::HashMap<&str, usize> = Default::default();
        for r in &all {
            if let Some(k) = r["dedup_key"].as_str() {
                *per_key.entry(k).or_default() += 1;
            }
        }
        assert!(per_key.values().filter(|n| **n >= 2).count() >= 40);
        assert_eq!(plan.void.len(), 3);
        assert_eq!(plan.decisions.len(), 2);
    }
}
