//! The summary's sentences for a fixed set of persons, word for word, and that a public summary
//! says only what the public report shows.

use super::*;
use crate::api::Count;
use crate::count::{CountStatus, OrganisationType};
use crate::counting::{CountedRecord, KeyDecisions};
use crate::dedup_key::key_of_normalised_text;
use crate::ethos::LivingSituation;
use crate::profile::*;
use crate::record::{MunicipalityCode, Origin};
use crate::report::{build, ReportInput, ReportRecord};
use uuid::Uuid;

struct Kind {
    persons: u128,
    municipality: &'static str,
    situation: LivingSituation,
    origin: &'static str,
    gender: Gender,
    age: AgeBand,
    children: u8,
}

/// 53 persons with 18 accompanying children: Maastricht 42, Vaals 8, Meerssen 3; from Heerlen
/// 12 and Sittard-Geleen 3.
fn records() -> Vec<ReportRecord> {
    let kinds = [
        Kind {
            persons: 30,
            municipality: "GM0935",
            situation: LivingSituation::PublicSpace,
            origin: "GM0935",
            gender: Gender::Man,
            age: AgeBand::From30To39,
            children: 0,
        },
        Kind {
            persons: 12,
            municipality: "GM0935",
            situation: LivingSituation::FamilyOrFriends,
            origin: "GM0917",
            gender: Gender::Woman,
            age: AgeBand::From18To22,
            children: 1,
        },
        Kind {
            persons: 8,
            municipality: "GM0981",
            situation: LivingSituation::NightShelter,
            origin: "abroad",
            gender: Gender::Man,
            age: AgeBand::From23To26,
            children: 0,
        },
        Kind {
            persons: 3,
            municipality: "GM0938",
            situation: LivingSituation::PublicSpace,
            origin: "GM1883",
            gender: Gender::Woman,
            age: AgeBand::From40To49,
            children: 2,
        },
    ];
    let mut out = Vec::new();
    let mut n = 0u128;
    for k in &kinds {
        for _ in 0..k.persons {
            n += 1;
            let origin = match k.origin {
                "abroad" => Origin::Abroad,
                code => Origin::Municipality {
                    code: MunicipalityCode::try_from(code.to_string()).expect("a code"),
                },
            };
            let record = CountedRecord {
                id: Uuid::from_u128(n),
                observed_at: chrono::DateTime::parse_from_rfc3339("2026-10-15T22:00:00+02:00")
                    .expect("a time"),
                dedup_key: Some(key_of_normalised_text("test-secret", &format!("p{n}")).expect("a key")),
                training: false,
                void: false,
                municipality: k.municipality.to_string().try_into().expect("a region code"),
                living_situation: k.situation,
                origin,
                profile: Profile {
                    gender: k.gender,
                    age_band: k.age,
                    children: Children::Count(k.children),
                    ..Profile::unknown()
                },
                organisation: 0,
            };
            out.push(ReportRecord::from_counted(&record).expect("a report record"));
        }
    }
    out
}

fn report(disclosure: Disclosure) -> Report {
    let at = chrono::DateTime::parse_from_rfc3339("2026-10-15T20:00:00+02:00").expect("a time");
    build(ReportInput {
        count: Count {
            id: Uuid::from_u128(1),
            name: "test".into(),
            reference_date: at.date_naive(),
            starts_at: at,
            ends_at: at,
            status: CountStatus::Locked,
        },
        records: &records(),
        decisions: &KeyDecisions::new(),
        organisations: &[("Straatteam".into(), OrganisationType::Outreach)],
        disclosure,
        generated_at: chrono::Utc::now(),
        population: &[],
    })
}

fn estimate() -> EstimateMember {
    EstimateMember::Given { estimate: 50.0, lower: Some(45.0), upper: Some(70.0), total_estimate: 60.0 }
}

#[test]
fn the_internal_summary_reads_word_for_word() {
    let s = summary(&report(Disclosure::Internal), &estimate(), Lang::Nl);
    assert_eq!(
        s.sentences,
        [
            "Op de peildatum (15 oktober 2026) waren in Maastricht-Heuvelland 71 mensen dak- of thuisloos, \
             van wie 18 kinderen die met hun ouder meekwamen (53 personen zonder die kinderen).",
            "Met de mensen die geen enkele organisatie zag, beide zonder kinderen: geteld 53 personen zonder \
             kinderen; geschat 60 (95 %-marge 55–80).",
            "De grootste groep is telgroep 1 (openbare ruimte): 33 personen, 62 procent van alle getelde \
             personen.",
            "De meeste personen zijn geteld in Maastricht: 42, 79 procent van alle getelde personen.",
            "72 procent van de getelde personen is man (38 van 53).",
            "20 personen zijn jongeren van 18 tot en met 26 jaar (38 procent van alle getelde personen).",
            "15 personen kwamen van elders in Nederland; de grootste herkomstgemeente buiten de regio is \
             Heerlen (12).",
        ]
    );
    let en = summary(&report(Disclosure::Internal), &estimate(), Lang::En);
    assert_eq!(
        en.sentences[..2],
        [
            "On the reference date (15 October 2026), 71 people were homeless in Maastricht-Heuvelland, of \
             whom 18 children who came with their parent (53 persons without those children).",
            "With the people no organisation saw, both without children: counted 53 persons without \
             children; estimated 60 (95% interval 55–80).",
        ]
    );
    assert_eq!(en.sentences.len(), 7);
}

#[test]
fn the_public_summary_leaves_out_what_the_public_report_hides() {
    let public = report(Disclosure::Public);
    // Meerssen (3) is hidden, and Vaals with it; Sittard-Geleen (3) and so Heerlen; 40–49 (3)
    // and so 23–26, which makes youth 18–26 hidden. Through the cross tables the men (the
    // roofless women are 3) and `elsewhere_nl` go too.
    assert_eq!(public.youth_18_26, None);
    let heerlen =
        public.table("by_origin_municipality").and_then(|t| row(t, "origin_municipality", "GM0917"));
    assert_eq!(heerlen, None);
    let s = summary(&public, &EstimateMember::NotPossible("withheld_small_count".into()), Lang::Nl);
    assert_eq!(
        s.sentences[1..],
        [
            "Een schatting van het aantal mensen dat geen enkele organisatie zag, staat niet in deze versie.",
            "De grootste groep is telgroep 1 (openbare ruimte): 33 personen, 62 procent van alle getelde \
             personen.",
            "De meeste personen zijn geteld in Maastricht: 42, 79 procent van alle getelde personen.",
        ]
    );
    let gender = public.table("by_gender").expect("by_gender");
    assert_eq!((row(gender, "gender", "man"), s.figures.men.clone()), (None, None));
    let origin = public.table("by_origin").expect("by_origin");
    assert_eq!((row(origin, "origin", "elsewhere_nl"), s.figures.origin_elsewhere_nl), (None, None));
    assert_eq!(s.figures.youth_18_26, None);
    assert_eq!(s.figures.largest_origin_outside_region, None);
    assert_eq!(s.figures.estimate, None);
}

#[test]
fn no_public_sentence_holds_a_number_the_public_report_does_not_show() {
    let public = report(Disclosure::Public);
    let mut shown: Vec<u64> = [
        public.persons_total,
        public.accompanying_children,
        public.persons_including_children,
        public.youth_18_26,
    ]
    .into_iter()
    .flatten()
    .collect();
    for t in &public.tables {
        shown.extend(t.total);
        shown.extend(t.rows.iter().filter_map(|r| r.persons));
    }
    let s = summary(&public, &EstimateMember::Absent, Lang::Nl);
    for sentence in &s.sentences {
        let words = sentence.split(|c: char| !c.is_ascii_digit());
        for n in words.filter(|w| !w.is_empty()).filter_map(|w| w.parse::<u64>().ok()) {
            // Percentages of shown figures and the date are the only other numbers.
            let percent = sentence.contains(&format!("{n} procent"));
            let group = sentence.contains(&format!("telgroep {n} ("));
            assert!(shown.contains(&n) || percent || group || [15, 2026].contains(&n), "{n} in {sentence:?}");
        }
    }
}

#[test]
fn shares_round_half_up_and_need_both_parts() {
    assert_eq!(Share::of(Some(1), Some(8)).map(|s| s.percent), Some(13));
    assert_eq!(Share::of(Some(1), Some(3)).map(|s| s.percent), Some(33));
    assert_eq!(Share::of(None, Some(8)), None);
    assert_eq!(Share::of(Some(1), None), None);
    assert_eq!(Share::of(Some(0), Some(0)), None);
    assert_eq!(number(1234567, Lang::Nl), "1.234.567");
    assert_eq!(number(1234, Lang::En), "1,234");
    assert_eq!(number(999, Lang::Nl), "999");
}

#[test]
fn the_estimate_member_is_read_from_its_json_whatever_else_it_holds() {
    let given = serde_json::json!({"estimate": 410, "interval": {"level": 0.95, "lower": 380, "upper": 450},
        "total_estimate": 470, "model": {"new": "member"}});
    assert_eq!(
        EstimateMember::of_json(Some(&given)),
        EstimateMember::Given {
            estimate: 410.0,
            lower: Some(380.0),
            upper: Some(450.0),
            total_estimate: 470.0
        }
    );
    let not = serde_json::json!({"by": "organisation_type", "not_possible": "withheld_small_histories"});
    assert_eq!(
        EstimateMember::of_json(Some(&not)),
        EstimateMember::NotPossible("withheld_small_histories".into())
    );
    assert_eq!(EstimateMember::of_json(None), EstimateMember::Absent);
}
