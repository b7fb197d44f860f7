//! The baseline report (`GET /api/v1/counts/{id}/report` and `…/report.csv`, api.md "Report",
//! domain.md §5–§6), checked against a reference computed in this file.
//!
//! The reference is a deliberately simple recount — plain loops and maps — over the records the
//! test itself generated (seeded RNG) and sent through the real sync API from several devices
//! and organisations: duplicates across devices, refusals (`dedup_key: null`), void records,
//! training records (sent while the count was in training, and `"training": true` on the live
//! count) and the coordinator's duplicate decisions. Nothing here calls the report code of
//! `shared/` or `server/`: the expected numbers come only from the written rules.
//!
//! A failing assertion lists every disagreement as `table {key}: expected N, got M` so the
//! discrepancy with the specification can be read straight from the test output.

use chrono::{DateTime, Duration, FixedOffset};
use ethos_tests::{field_errors, hours_from_now, id_of, spawn_app, Device, Reply, SendExt, TestApp};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

// --- the codes of domain.md ---------------------------------------------------------------------

/// §1: the six municipalities of the region.
const REGION: [&str; 6] = ["GM0935", "GM1903", "GM1729", "GM0938", "GM0981", "GM0994"];
/// Dutch municipalities outside the region (Amsterdam, Heerlen, Rotterdam): origin `elsewhere_nl`.
const ELSEWHERE: [&str; 3] = ["GM0363", "GM0917", "GM0599"];
/// §2: every living situation.
const LIVING_SITUATIONS: [&str; 24] = [
    "1.1", "2.1", "3.1", "3.2", "3.3", "4.1", "5.1", "5.2", "6.1", "6.2", "6.3", "7.1", "7.2", "8.1", "8.2",
    "8.3", "9.1", "9.2", "10.1", "11.1", "11.2", "11.3", "12.1", "13.1",
];
/// Drawn more often, so that public tables have cells of 5 and more next to small ones.
const COMMON_SITUATIONS: [&str; 5] = ["1.1", "2.1", "3.1", "8.1", "11.1"];
const AGE_BANDS: [&str; 9] = ["0-17", "18-22", "23-26", "27-29", "30-39", "40-49", "50-64", "65+", "unknown"];
const GENDERS: [&str; 4] = ["man", "woman", "other", "unknown"];
const HOUSEHOLDS: [&str; 5] =
    ["alone", "with_partner", "with_children", "with_partner_and_children", "unknown"];
const DURATIONS: [&str; 8] = ["<1m", "1-3m", "3-6m", "6-12m", "1-2y", "2-5y", ">5y", "unknown"];
const RESIDENCE: [&str; 5] = ["dutch", "eu", "non_eu_permit", "undocumented", "unknown"];
const INCOMES: [&str; 5] = ["none", "work", "benefit", "other", "unknown"];
const PREVIOUS: [&str; 10] = [
    "none",
    "shelter",
    "protected_housing",
    "detention",
    "psychiatric_clinic",
    "hospital",
    "youth_care",
    "asylum_reception",
    "other",
    "unknown",
];
const HOUSING_NEEDS: [&str; 6] = [
    "independent",
    "independent_with_support",
    "housing_first",
    "supported_housing",
    "long_term_care",
    "unknown",
];

/// The tables of api.md checked here, with their dimensions.
const TABLES: [(&str, &[&str]); 9] = [
    ("by_count_group", &["count_group"]),
    ("by_conceptual_category", &["conceptual_category"]),
    ("by_living_situation", &["living_situation"]),
    ("by_municipality", &["municipality"]),
    ("by_origin", &["origin"]),
    ("by_age_band", &["age_band"]),
    ("by_gender", &["gender"]),
    ("by_category_and_municipality", &["conceptual_category", "municipality"]),
    ("by_category_and_age_band", &["conceptual_category", "age_band"]),
];

/// Two-dimensional tables and the one-dimensional tables whose cells are their margins (§6).
const CROSS_TABLES: [(&str, &str, &str); 2] = [
    ("by_category_and_municipality", "by_conceptual_category", "by_municipality"),
    ("by_category_and_age_band", "by_conceptual_category", "by_age_band"),
];

/// The headline figures of api.md.
const HEADLINE: [&str; 9] = [
    "persons_total",
    "accompanying_children",
    "persons_including_children",
    "records_total",
    "records_counted",
    "records_void",
    "records_training",
    "records_without_key",
    "duplicate_records_merged",
];

/// The headline figures that are persons (domain.md §6.1): 1–4 becomes `null` in public.
const HEADLINE_PERSONS: [&str; 3] = ["persons_total", "accompanying_children", "persons_including_children"];

/// §2: the count group of the Dutch ETHOS counts.
fn count_group(living_situation: &str) -> &'static str {
    match living_situation {
        "1.1" => "1",
        "2.1" => "2",
        "3.1" | "3.2" | "3.3" | "4.1" => "3",
        "6.1" | "6.2" | "6.3" => "4",
        "11.1" | "11.2" | "11.3" | "8.3" => "5",
        "8.1" => "6",
        "9.1" | "9.2" => "7",
        _ => "other",
    }
}

/// §2: the conceptual category, from the operational category (the number before the dot).
fn conceptual_category(living_situation: &str) -> &'static str {
    let operational: u32 =
        living_situation.split('.').next().and_then(|s| s.parse().ok()).expect("a living situation code");
    match operational {
        1 | 2 => "roofless",
        3..=7 => "houseless",
        8..=10 => "insecure",
        _ => "inadequate",
    }
}

// --- the generated records -------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq)]
enum Origin {
    Municipality(&'static str),
    Abroad,
    Unknown,
}

impl Origin {
    /// api.md: the `by_origin` value — a region code, `elsewhere_nl`, `abroad` or `unknown`.
    fn group(self) -> String {
        match self {
            Origin::Municipality(code) if REGION.contains(&code) => code.to_string(),
            Origin::Municipality(_) => "elsewhere_nl".into(),
            Origin::Abroad => "abroad".into(),
            Origin::Unknown => "unknown".into(),
        }
    }

    fn wire(self) -> Value {
        match self {
            Origin::Municipality(code) => json!({ "kind": "municipality", "code": code }),
            Origin::Abroad => json!({ "kind": "abroad" }),
            Origin::Unknown => json!({ "kind": "unknown" }),
        }
    }
}

/// One record as the test sent it, and what the test did to it since.
#[derive(Debug, Clone)]
struct Rec {
    id: String,
    /// Index of the device that sent it.
    device: usize,
    observed_at: DateTime<FixedOffset>,
    municipality: &'static str,
    living_situation: &'static str,
    origin: Origin,
    key: Option<String>,
    age_band: &'static str,
    gender: &'static str,
    /// `None` is `"unknown"`.
    children: Option<u8>,
    /// The rest of the profile: sent and valid, not needed by the tables checked here.
    rest: Value,
    /// Sent with `"training": true` (a practice record after the count went live).
    says_training: bool,
    /// Stored as training: sent while the count was in training, or `says_training`.
    training: bool,
    void: bool,
}

impl Rec {
    fn wire(&self) -> Value {
        let mut profile = self.rest.clone();
        profile["age_band"] = json!(self.age_band);
        profile["gender"] = json!(self.gender);
        profile["children"] = match self.children {
            Some(n) => json!(n),
            None => json!("unknown"),
        };
        json!({
            "id": self.id,
            "revision": 1,
            "observed_at": self.observed_at.to_rfc3339(),
            "municipality": self.municipality,
            "living_situation": self.living_situation,
            "origin": self.origin.wire(),
            "dedup_key": self.key,
            "profile": profile,
            "training": self.says_training,
        })
    }
}

fn pick<T: Copy>(rng: &mut StdRng, values: &[T]) -> T {
    *values.choose(rng).expect("a non-empty list")
}

fn new_key(rng: &mut StdRng) -> String {
    format!("{:032x}{:032x}", rng.gen::<u128>(), rng.gen::<u128>())
}

fn random_rec(
    rng: &mut StdRng,
    device: usize,
    key: Option<String>,
    observed_at: DateTime<FixedOffset>,
) -> Rec {
    let living_situation =
        if rng.gen_bool(0.6) { pick(rng, &COMMON_SITUATIONS) } else { pick(rng, &LIVING_SITUATIONS) };
    let municipality = if rng.gen_bool(0.5) { "GM0935" } else { pick(rng, &REGION) };
    let origin = match rng.gen_range(0..10) {
        0..=3 => Origin::Municipality(pick(rng, &REGION)),
        4 | 5 => Origin::Municipality(pick(rng, &ELSEWHERE)),
        6 | 7 => Origin::Abroad,
        _ => Origin::Unknown,
    };
    let children = if rng.gen_bool(0.1) {
        None
    } else if rng.gen_bool(0.7) {
        Some(0)
    } else {
        Some(rng.gen_range(1..=4))
    };
    let care_needs: &[&str] = pick(
        rng,
        &[&["psychiatric"][..], &["addiction"], &["psychiatric", "addiction"], &["none"], &["unknown"]],
    );
    let rest = json!({
        "household": pick(rng, &HOUSEHOLDS),
        "duration": pick(rng, &DURATIONS),
        "residence_status": pick(rng, &RESIDENCE),
        "income": pick(rng, &INCOMES),
        "care_needs": care_needs,
        "previous_facility": pick(rng, &PREVIOUS),
        "housing_need": pick(rng, &HOUSING_NEEDS),
    });
    Rec {
        id: Uuid::now_v7().to_string(),
        device,
        observed_at,
        municipality,
        living_situation,
        origin,
        key,
        age_band: pick(rng, &AGE_BANDS),
        gender: pick(rng, &GENDERS),
        children,
        rest,
        says_training: false,
        training: false,
        void: false,
    }
}

/// The same person seen by another counter: the same key, another device and time, and often
/// answers that differ (another living situation, municipality, age band or children).
fn copy_of(rng: &mut StdRng, original: &Rec, device: usize, observed_at: DateTime<FixedOffset>) -> Rec {
    let mut r = original.clone();
    r.id = Uuid::now_v7().to_string();
    r.device = device;
    r.observed_at = observed_at;
    if rng.gen_bool(0.5) {
        r.living_situation = pick(rng, &LIVING_SITUATIONS);
    }
    if rng.gen_bool(0.3) {
        r.municipality = pick(rng, &REGION);
    }
    if rng.gen_bool(0.3) {
        r.age_band = pick(rng, &AGE_BANDS);
    }
    if rng.gen_bool(0.3) {
        r.children = Some(rng.gen_range(0..=3));
    }
    if rng.gen_bool(0.2) {
        r.origin = Origin::Unknown;
    }
    r
}

// --- the reference: a simple recount ----------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Decision {
    /// `same_person`, with the chosen primary record if any.
    SamePerson(Option<String>),
    DifferentPeople,
}

/// A row key: dimension name → value.
type Key = BTreeMap<String, String>;

/// What the report must say, computed from the records the test sent.
#[derive(Debug, Clone, PartialEq)]
struct Expected {
    headline: BTreeMap<&'static str, u64>,
    tables: BTreeMap<&'static str, BTreeMap<Key, u64>>,
    /// Accompanying children per count group.
    children: BTreeMap<String, u64>,
}

fn key_of(pairs: &[(&str, &str)]) -> Key {
    pairs.iter().map(|(d, v)| (d.to_string(), v.to_string())).collect()
}

fn show(key: &Key) -> String {
    let parts: Vec<String> = key.iter().map(|(d, v)| format!("{d}={v}")).collect();
    format!("{{{}}}", parts.join(", "))
}

/// §5: the latest `observed_at`, ties to the smallest id.
fn latest<'a>(members: &[&'a Rec]) -> &'a Rec {
    let mut best = members[0];
    for r in &members[1..] {
        if r.observed_at > best.observed_at || (r.observed_at == best.observed_at && r.id < best.id) {
            best = r;
        }
    }
    best
}

/// domain.md §5 and api.md "Report", as plainly as possible.
fn expected(recs: &[Rec], decisions: &HashMap<String, Decision>) -> Expected {
    // Counted: not training and not void.
    let counted: Vec<&Rec> = recs.iter().filter(|r| !r.training && !r.void).collect();

    // Persons: one per key unless resolved `different_people`; one per record without a key.
    let mut persons: Vec<&Rec> = Vec::new();
    let mut groups: BTreeMap<&str, Vec<&Rec>> = BTreeMap::new();
    for r in &counted {
        match &r.key {
            None => persons.push(r),
            Some(k) if decisions.get(k) == Some(&Decision::DifferentPeople) => persons.push(r),
            Some(k) => groups.entry(k.as_str()).or_default().push(r),
        }
    }
    for (k, members) in &groups {
        let chosen = match decisions.get(*k) {
            Some(Decision::SamePerson(Some(id))) => members.iter().find(|r| &r.id == id).copied(),
            _ => None,
        };
        persons.push(chosen.unwrap_or_else(|| latest(members)));
    }

    let mut tables: BTreeMap<&'static str, BTreeMap<Key, u64>> =
        TABLES.iter().map(|(id, _)| (*id, BTreeMap::new())).collect();
    let mut children: BTreeMap<String, u64> = BTreeMap::new();
    let mut children_total = 0u64;
    for p in &persons {
        let group = count_group(p.living_situation);
        let category = conceptual_category(p.living_situation);
        let origin = p.origin.group();
        let cells = [
            ("by_count_group", key_of(&[("count_group", group)])),
            ("by_conceptual_category", key_of(&[("conceptual_category", category)])),
            ("by_living_situation", key_of(&[("living_situation", p.living_situation)])),
            ("by_municipality", key_of(&[("municipality", p.municipality)])),
            ("by_origin", key_of(&[("origin", &origin)])),
            ("by_age_band", key_of(&[("age_band", p.age_band)])),
            ("by_gender", key_of(&[("gender", p.gender)])),
            (
                "by_category_and_municipality",
                key_of(&[("conceptual_category", category), ("municipality", p.municipality)]),
            ),
            (
                "by_category_and_age_band",
                key_of(&[("conceptual_category", category), ("age_band", p.age_band)]),
            ),
        ];
        for (table, key) in cells {
            *tables.get_mut(table).expect("a table").entry(key).or_insert(0) += 1;
        }
        // `"unknown"` children count 0.
        let n = u64::from(p.children.unwrap_or(0));
        *children.entry(group.to_string()).or_insert(0) += n;
        children_total += n;
    }

    let persons_total = persons.len() as u64;
    let records_counted = counted.len() as u64;
    let headline = BTreeMap::from([
        ("persons_total", persons_total),
        ("accompanying_children", children_total),
        ("persons_including_children", persons_total + children_total),
        ("records_total", recs.len() as u64),
        ("records_training", recs.iter().filter(|r| r.training).count() as u64),
        ("records_void", recs.iter().filter(|r| r.void && !r.training).count() as u64),
        ("records_counted", records_counted),
        ("records_without_key", counted.iter().filter(|r| r.key.is_none()).count() as u64),
        ("duplicate_records_merged", records_counted - persons_total),
    ]);
    Expected { headline, tables, children }
}

// --- a generated count, sent through the API ---------------------------------------------------

struct Scenario {
    coordinator: String,
    count_id: String,
    devices: Vec<Device>,
    recs: Vec<Rec>,
    decisions: HashMap<String, Decision>,
    /// Three counted records; the earliest (`same_primary`) differs in every table from the
    /// latest and is the primary the coordinator chooses. A practice record with this key is
    /// later still.
    same_key: String,
    same_primary: String,
    /// Two counted records with other answers: split by `different_people`.
    different_key: String,
    /// Two counted records observed at the same second, with other answers.
    tie_key: String,
    /// A counted record without a key (if the generated people have one).
    keyless: Option<String>,
    /// The latest record of a generated (undecided) group of two or more counted records.
    group_latest: Option<String>,
}

impl Scenario {
    fn expected(&self) -> Expected {
        expected(&self.recs, &self.decisions)
    }

    fn rec_mut(&mut self, id: &str) -> &mut Rec {
        self.recs.iter_mut().find(|r| r.id == id).expect("a generated record")
    }
}

async fn invite(app: &TestApp, coordinator: &str, count_id: &str, organisation: &str, kind: &str) -> String {
    let body = app
        .post(&format!("/api/v1/counts/{count_id}/invites"))
        .bearer_auth(coordinator)
        .json(&json!({ "organisation": organisation, "organisation_type": kind }))
        .reply()
        .await
        .assert_status(201);
    body["code"].as_str().expect("a code").to_string()
}

/// Sends `recs` from their devices, asserting that each is `stored`.
async fn send(app: &TestApp, devices: &[Device], recs: &[Rec]) {
    for (d, device) in devices.iter().enumerate() {
        let batch: Vec<Value> = recs.iter().filter(|r| r.device == d).map(Rec::wire).collect();
        if batch.is_empty() {
            continue;
        }
        let results = app.sync(&device.token, &batch).await;
        for (result, sent) in results.iter().zip(&batch) {
            assert_eq!(result["status"], "stored", "record {}: {result}", sent["id"]);
        }
    }
}

async fn void(app: &TestApp, coordinator: &str, id: &str) {
    app.post(&format!("/api/v1/records/{id}/void"))
        .bearer_auth(coordinator)
        .json(&json!({ "reason": "dubbel ingevoerd" }))
        .reply()
        .await
        .assert_status(200);
}

async fn unvoid(app: &TestApp, coordinator: &str, id: &str) {
    app.delete(&format!("/api/v1/records/{id}/void"))
        .bearer_auth(coordinator)
        .reply()
        .await
        .assert_status(200);
}

/// A count with four phones of three organisations, with about 150 live records of about 110
/// people (a fifth refused the key, many seen by two or three phones with differing answers),
/// training records from before go-live and `"training": true` practice records after it, and
/// about one record in twelve voided.
async fn scenario(app: &TestApp, coordinator: &str, seed: u64) -> Scenario {
    scenario_of(app, coordinator, seed, 110).await
}

/// A generated count of about `people` people besides the decided keys (see `scenario`).
async fn scenario_of(app: &TestApp, coordinator: &str, seed: u64, people: usize) -> Scenario {
    let mut rng = StdRng::seed_from_u64(seed);
    let count_id = id_of(&app.create_count(coordinator).await);
    let mut devices = Vec::new();
    for (organisation, kind, phones) in [
        ("Straatteam Maastricht", "outreach", 2),
        ("Leger des Heils", "shelter", 1),
        ("Mondriaan", "care", 1),
    ] {
        let code = invite(app, coordinator, &count_id, organisation, kind).await;
        for _ in 0..phones {
            devices.push(app.enroll(&code).await);
        }
    }
    let phones = devices.len();
    // Observed between 11 and 1 hours ago: inside the window of `new_count`.
    let base = hours_from_now(-1);
    let at = |seconds: i64| base - Duration::seconds(seconds);

    // Live records of generated people.
    let mut live: Vec<Rec> = Vec::new();
    let mut live_keys: Vec<String> = Vec::new();
    for _ in 0..people {
        if rng.gen_bool(0.2) {
            let (device, seconds) = (rng.gen_range(0..phones), rng.gen_range(0..36_000));
            live.push(random_rec(&mut rng, device, None, at(seconds)));
            continue;
        }
        let key = new_key(&mut rng);
        let copies = match rng.gen_range(0..10) {
            0..=5 => 1,
            6..=8 => 2,
            _ => 3,
        };
        let mut order: Vec<usize> = (0..phones).collect();
        order.shuffle(&mut rng);
        let seconds = rng.gen_range(0..36_000);
        let first = random_rec(&mut rng, order[0], Some(key.clone()), at(seconds));
        for &device in &order[1..copies] {
            let seconds = rng.gen_range(0..36_000);
            live.push(copy_of(&mut rng, &first, device, at(seconds)));
        }
        live.push(first);
        live_keys.push(key);
    }

    // The key the coordinator resolves `same_person` with the earliest record as primary.
    let same_key = new_key(&mut rng);
    let mut early = random_rec(&mut rng, 0, Some(same_key.clone()), at(32_000));
    (early.living_situation, early.municipality, early.age_band, early.gender, early.children) =
        ("9.1", "GM0981", "65+", "woman", Some(3));
    early.origin = Origin::Abroad;
    let mut middle = random_rec(&mut rng, 1, Some(same_key.clone()), at(18_000));
    (middle.living_situation, middle.municipality, middle.age_band, middle.gender, middle.children) =
        ("1.1", "GM0935", "30-39", "man", Some(0));
    let mut late = random_rec(&mut rng, 2, Some(same_key.clone()), at(3_600));
    (late.living_situation, late.municipality, late.age_band, late.gender, late.children) =
        ("2.1", "GM0938", "23-26", "man", Some(0));
    late.origin = Origin::Municipality("GM0917");
    let same_primary = early.id.clone();
    live.extend([early, middle, late]);

    // The key the coordinator splits with `different_people`.
    let different_key = new_key(&mut rng);
    let mut one = random_rec(&mut rng, 0, Some(different_key.clone()), at(20_000));
    (one.living_situation, one.municipality, one.age_band, one.children) =
        ("3.1", "GM1903", "18-22", Some(0));
    let mut other = random_rec(&mut rng, 3, Some(different_key.clone()), at(10_000));
    (other.living_situation, other.municipality, other.age_band, other.children) =
        ("11.2", "GM1729", "50-64", Some(2));
    live.extend([one, other]);

    // Two records of one key observed at the same second: the smaller id wins.
    let tie_key = new_key(&mut rng);
    let mut tie_a = random_rec(&mut rng, 1, Some(tie_key.clone()), at(7_000));
    (tie_a.living_situation, tie_a.municipality) = ("6.2", "GM0994");
    let mut tie_b = random_rec(&mut rng, 2, Some(tie_key.clone()), at(7_000));
    (tie_b.living_situation, tie_b.municipality) = ("8.3", "GM1903");
    live.extend([tie_a, tie_b]);

    // Practice after go-live (`"training": true`): some carry the key of a live person and are
    // later than every live record of it, so counting one would change that person.
    let mut practice: Vec<Rec> = Vec::new();
    for i in 0..8 {
        let key = match i {
            0 => Some(same_key.clone()),
            1..=3 => live_keys.choose(&mut rng).cloned(),
            4 => Some(new_key(&mut rng)),
            _ => None,
        };
        let device = rng.gen_range(0..phones);
        let mut r = random_rec(&mut rng, device, key, base + Duration::minutes(20));
        (r.says_training, r.training) = (true, true);
        practice.push(r);
    }

    // Training before go-live: stored as training, however they read.
    let mut training: Vec<Rec> = Vec::new();
    for i in 0..8 {
        let key = match i {
            0..=3 => live_keys.choose(&mut rng).cloned(),
            4 | 5 => Some(new_key(&mut rng)),
            _ => None,
        };
        let device = rng.gen_range(0..phones);
        let mut r = random_rec(&mut rng, device, key, base + Duration::minutes(30));
        r.training = true;
        training.push(r);
    }

    // Send: training first, then go live and send the rest.
    send(app, &devices, &training).await;
    app.set_status(coordinator, &count_id, "live").await;
    let mut sent_live = live.clone();
    sent_live.extend(practice.iter().cloned());
    sent_live.shuffle(&mut rng);
    send(app, &devices, &sent_live).await;

    let mut recs = training;
    recs.extend(live);
    recs.extend(practice);
    let special = [&same_key, &different_key, &tie_key];
    let is_special = |r: &Rec| r.key.as_ref().is_some_and(|k| special.contains(&k));

    // Void about one live record in twelve (not of the decided keys), and one practice record
    // (training stays training: it is not `records_void`). One more is voided and unvoided.
    let mut voided: Vec<String> = Vec::new();
    for r in recs.iter().filter(|r| !r.training && !is_special(r)) {
        if rng.gen_bool(0.08) {
            voided.push(r.id.clone());
        }
    }
    if let Some(r) = recs.iter().find(|r| r.says_training) {
        voided.push(r.id.clone());
    }
    for id in &voided {
        void(app, coordinator, id).await;
    }
    for r in recs.iter_mut().filter(|r| voided.contains(&r.id)) {
        r.void = true;
    }
    if let Some(back) = recs.iter().find(|r| !r.void && !r.training && !is_special(r)) {
        void(app, coordinator, &back.id).await;
        unvoid(app, coordinator, &back.id).await;
    }

    let keyless = recs.iter().find(|r| !r.void && !r.training && r.key.is_none()).map(|r| r.id.clone());
    let group_latest = {
        let mut groups: BTreeMap<&str, Vec<&Rec>> = BTreeMap::new();
        for r in recs.iter().filter(|r| !r.void && !r.training && !is_special(r)) {
            if let Some(k) = &r.key {
                groups.entry(k).or_default().push(r);
            }
        }
        groups.values().find(|m| m.len() >= 2).map(|members| latest(members).id.clone())
    };

    Scenario {
        coordinator: coordinator.to_string(),
        count_id,
        devices,
        recs,
        decisions: HashMap::new(),
        same_key,
        same_primary,
        different_key,
        tie_key,
        keyless,
        group_latest,
    }
}

async fn resolve(app: &TestApp, sc: &mut Scenario, key: &str, decision: Decision) {
    let body = match &decision {
        Decision::SamePerson(Some(id)) => json!({ "decision": "same_person", "primary_record_id": id }),
        Decision::SamePerson(None) => json!({ "decision": "same_person" }),
        Decision::DifferentPeople => json!({ "decision": "different_people" }),
    };
    app.post(&format!("/api/v1/counts/{}/duplicates/{key}/resolve", sc.count_id))
        .bearer_auth(&sc.coordinator)
        .json(&body)
        .reply()
        .await
        .assert_status(200);
    sc.decisions.insert(key.to_string(), decision);
}

// --- reading the report ------------------------------------------------------------------------

async fn report(app: &TestApp, token: &str, count_id: &str, disclosure: &str) -> Value {
    app.get(&format!("/api/v1/counts/{count_id}/report?disclosure={disclosure}"))
        .bearer_auth(token)
        .reply()
        .await
        .assert_status(200)
}

async fn report_csv(app: &TestApp, token: &str, count_id: &str, query: &str) -> Reply {
    app.get(&format!("/api/v1/counts/{count_id}/report.csv?{query}")).bearer_auth(token).reply().await
}

fn table_of<'a>(report: &'a Value, id: &str) -> Option<&'a Value> {
    report["tables"].as_array()?.iter().find(|t| t["id"] == id)
}

/// A table's rows by key; malformed keys and repeated rows are reported in `out`.
fn rows_of<'a>(table: &'a Value, out: &mut Vec<String>) -> BTreeMap<Key, &'a Value> {
    let id = table["id"].as_str().unwrap_or("?");
    let dims: Vec<&str> = table["dimensions"]
        .as_array()
        .map(|d| d.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut rows = BTreeMap::new();
    for row in table["rows"].as_array().map(Vec::as_slice).unwrap_or_default() {
        let Some(object) = row["key"].as_object() else {
            out.push(format!("table {id}: a row without a key object: {row}"));
            continue;
        };
        let mut key = Key::new();
        for (d, v) in object {
            match v.as_str() {
                Some(v) => {
                    key.insert(d.clone(), v.to_string());
                }
                None => out.push(format!("table {id}: key value {d}={v} is not a string (api.md)")),
            }
        }
        let names: Vec<&str> = key.keys().map(String::as_str).collect();
        let mut want: Vec<&str> = dims.clone();
        want.sort_unstable();
        if names != want {
            out.push(format!(
                "table {id}: row key {} does not map exactly the dimensions {dims:?}",
                show(&key)
            ));
        }
        if rows.insert(key.clone(), row).is_some() {
            out.push(format!("table {id}: two rows with key {}", show(&key)));
        }
    }
    rows
}

/// Every internal number against the reference; internal suppresses nothing.
fn internal_mismatches(report: &Value, exp: &Expected) -> Vec<String> {
    let mut out = Vec::new();
    if report["disclosure"] != "internal" {
        out.push(format!("disclosure: expected \"internal\", got {}", report["disclosure"]));
    }
    for (name, want) in &exp.headline {
        if report[*name] != json!(want) {
            out.push(format!("headline {name}: expected {want}, got {}", report[*name]));
        }
    }
    // domain.md §6.3: youth is 18 to 26 — the two age bands 18-22 and 23-26.
    let ages = &exp.tables["by_age_band"];
    let youth: u64 = ["18-22", "23-26"].iter().filter_map(|b| ages.get(&key_of(&[("age_band", b)]))).sum();
    if report["youth_18_26"] != json!(youth) {
        out.push(format!("youth_18_26: expected {youth}, got {}", report["youth_18_26"]));
    }
    for table in report["tables"].as_array().map(Vec::as_slice).unwrap_or_default() {
        let id = &table["id"];
        if table["total"].is_null() {
            out.push(format!("table {id}: internal total is null"));
        }
        for row in table["rows"].as_array().map(Vec::as_slice).unwrap_or_default() {
            if !row["suppressed"].is_null() || !row["persons"].is_u64() {
                out.push(format!("table {id}: internal row suppressed: {row}"));
            }
        }
    }
    for (id, dims) in TABLES {
        let Some(table) = table_of(report, id) else {
            out.push(format!("table {id}: missing"));
            continue;
        };
        if table["dimensions"] != json!(dims) {
            out.push(format!("table {id}: dimensions expected {dims:?}, got {}", table["dimensions"]));
        }
        let persons_total = exp.headline["persons_total"];
        if table["total"] != json!(persons_total) {
            out.push(format!("table {id} total: expected {persons_total}, got {}", table["total"]));
        }
        let rows = rows_of(table, &mut out);
        let want = &exp.tables[id];
        let keys: BTreeSet<&Key> = rows.keys().chain(want.keys()).collect();
        for key in keys {
            let got = rows.get(key).map_or(json!(0), |r| r["persons"].clone());
            let w = want.get(key).copied().unwrap_or(0);
            if got != json!(w) {
                out.push(format!("table {id} {}: expected {w}, got {got}", show(key)));
            }
        }
        if id == "by_count_group" {
            for (key, row) in &rows {
                let group = key.get("count_group").cloned().unwrap_or_default();
                let w = exp.children.get(&group).copied().unwrap_or(0);
                if row["children"] != json!(w) {
                    out.push(format!(
                        "table {id} {} children: expected {w}, got {}",
                        show(key),
                        row["children"]
                    ));
                }
            }
            for (group, w) in &exp.children {
                if *w > 0 && !rows.contains_key(&key_of(&[("count_group", group)])) {
                    out.push(format!(
                        "table {id} {{count_group={group}}} children: expected {w}, row missing"
                    ));
                }
            }
        }
    }
    out.extend(share_mismatches(report, exp));
    out
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Cell {
    Shown(u64),
    Hidden,
}

fn cell(value: &Value) -> Cell {
    value.as_u64().map_or(Cell::Hidden, Cell::Shown)
}

/// A table's cells by key (rows left out are 0).
fn cells_of(table: &Value) -> BTreeMap<Key, Cell> {
    let mut ignore = Vec::new();
    rows_of(table, &mut ignore).into_iter().map(|(k, row)| (k, cell(&row["persons"]))).collect()
}

/// §6: a line with exactly one suppressed value gives it away by subtraction.
fn check_line(what: &str, line: &[(String, Cell)], out: &mut Vec<String>) {
    let hidden: Vec<&String> = line.iter().filter(|(_, c)| *c == Cell::Hidden).map(|(n, _)| n).collect();
    if hidden.len() == 1 {
        let shown: Vec<String> = line.iter().map(|(n, c)| format!("{n}: {c:?}")).collect();
        out.push(format!(
            "{what}: exactly one suppressed value ({}), derivable from the others [{}] (§6 secondary suppression)",
            hidden[0],
            shown.join("; ")
        ));
    }
}

/// The checks of a public report: no 1–4 shown; shown numbers true; suppression marked and only
/// where §6 allows; no line with exactly one suppressed value.
fn public_mismatches(report: &Value, exp: &Expected) -> Vec<String> {
    let mut out = Vec::new();
    if report["disclosure"] != "public" {
        out.push(format!("disclosure: expected \"public\", got {}", report["disclosure"]));
    }
    let small = |n: u64| (1..=4).contains(&n);
    for name in HEADLINE_PERSONS {
        let w = exp.headline[name];
        let want = if small(w) { Value::Null } else { json!(w) };
        if report[name] != want {
            out.push(format!(
                "headline {name} (persons {w}): expected {want}, got {} (api.md: 1–4 → null)",
                report[name]
            ));
        }
    }
    for name in HEADLINE {
        let w = exp.headline[name];
        if !report[name].is_null() && report[name] != json!(w) {
            out.push(format!("headline {name}: expected {w} (or null), got {}", report[name]));
        }
    }

    // Every table of the report: no 1–4, suppression marked.
    for table in report["tables"].as_array().map(Vec::as_slice).unwrap_or_default() {
        let id = &table["id"];
        if table["total"].as_u64().is_some_and(small) {
            out.push(format!("table {id}: total {} shown (1–4)", table["total"]));
        }
        for row in table["rows"].as_array().map(Vec::as_slice).unwrap_or_default() {
            let (persons, suppressed) = (&row["persons"], &row["suppressed"]);
            if persons.as_u64().is_some_and(small) {
                out.push(format!("table {id}: row shows 1–4 persons: {row}"));
            }
            if row["children"].as_u64().is_some_and(small) {
                out.push(format!("table {id}: row shows 1–4 children: {row}"));
            }
            let consistent = match suppressed.as_str() {
                Some("primary" | "secondary") => persons.is_null(),
                Some(_) => false,
                None => suppressed.is_null() && persons.is_u64(),
            };
            if !consistent {
                out.push(format!(
                    "table {id}: persons and suppressed disagree (null with primary|secondary, else a number with null): {row}"
                ));
            }
        }
    }

    // The tables with a reference: shown numbers true, suppression where §6 puts it.
    let persons_total = exp.headline["persons_total"];
    for (id, _) in TABLES {
        let Some(table) = table_of(report, id) else {
            out.push(format!("table {id}: missing"));
            continue;
        };
        let want_total = if small(persons_total) { Value::Null } else { json!(persons_total) };
        if table["total"] != want_total {
            out.push(format!(
                "table {id} total: expected {want_total}, got {} (§6: totals stay)",
                table["total"]
            ));
        }
        let rows = rows_of(table, &mut out);
        let want = &exp.tables[id];
        let keys: BTreeSet<&Key> = rows.keys().chain(want.keys()).collect();
        for key in keys {
            let w = want.get(key).copied().unwrap_or(0);
            let Some(row) = rows.get(key) else {
                if w > 0 {
                    let hint = if small(w) {
                        " (a 1–4 cell must be shown as suppressed, not left out)"
                    } else {
                        ""
                    };
                    out.push(format!("table {id} {}: expected {w}, row missing{hint}", show(key)));
                }
                continue;
            };
            match (row["persons"].as_u64(), row["suppressed"].as_str()) {
                (Some(n), _) if n != w => {
                    out.push(format!("table {id} {}: expected {w}, got {n}", show(key)))
                }
                (Some(_), _) => {}
                (None, _) if w == 0 => {
                    out.push(format!("table {id} {}: 0 persons suppressed (§6: zero stays 0)", show(key)));
                }
                (None, Some("primary")) if !small(w) => out.push(format!(
                    "table {id} {}: {w} persons marked primary (§6: primary is 1–4)",
                    show(key)
                )),
                (None, Some("secondary")) if small(w) => out.push(format!(
                    "table {id} {}: {w} persons marked secondary (§6: 1–4 is primary)",
                    show(key)
                )),
                (None, _) => {}
            }
        }
        if id == "by_count_group" {
            for (key, row) in &rows {
                let group = key.get("count_group").cloned().unwrap_or_default();
                let w = exp.children.get(&group).copied().unwrap_or(0);
                match row["children"].as_u64() {
                    Some(n) if n != w => {
                        out.push(format!("table {id} {} children: expected {w}, got {n}", show(key)));
                    }
                    None if w == 0 => {
                        out.push(format!(
                            "table {id} {} children: 0 suppressed (§6: zero stays 0)",
                            show(key)
                        ));
                    }
                    _ => {}
                }
            }
        }
    }

    // Lines (§6): one-dimensional tables with the total; rows and columns of the cross tables
    // with the matching one-dimensional cells as margins; children per count group with the
    // headline's accompanying children.
    for (id, _) in TABLES {
        let Some(table) = table_of(report, id) else { continue };
        if table["dimensions"].as_array().map_or(0, Vec::len) != 1 {
            continue;
        }
        let mut line: Vec<(String, Cell)> = cells_of(table).into_iter().map(|(k, c)| (show(&k), c)).collect();
        line.push(("total".into(), cell(&table["total"])));
        check_line(&format!("table {id}, line of its cells and total"), &line, &mut out);
    }
    for (id, margin_a, margin_b) in CROSS_TABLES {
        let (Some(table), Some(ta), Some(tb)) =
            (table_of(report, id), table_of(report, margin_a), table_of(report, margin_b))
        else {
            continue;
        };
        let dims: Vec<String> = table["dimensions"]
            .as_array()
            .map(|d| d.iter().filter_map(|v| v.as_str().map(String::from)).collect())
            .unwrap_or_default();
        let [a, b] = dims.as_slice() else { continue };
        let (cells, cells_a, cells_b) = (cells_of(table), cells_of(ta), cells_of(tb));
        let values = |dim: &str, margin: &BTreeMap<Key, Cell>| -> BTreeSet<String> {
            cells.keys().chain(margin.keys()).filter_map(|k| k.get(dim).cloned()).collect()
        };
        let (values_a, values_b) = (values(a, &cells_a), values(b, &cells_b));
        let at = |map: &BTreeMap<Key, Cell>, key: Key| map.get(&key).copied().unwrap_or(Cell::Shown(0));
        for va in &values_a {
            let mut line: Vec<(String, Cell)> = values_b
                .iter()
                .map(|vb| (format!("{b}={vb}"), at(&cells, key_of(&[(a, va), (b, vb)]))))
                .collect();
            line.push((format!("margin {margin_a} {a}={va}"), at(&cells_a, key_of(&[(a, va)]))));
            check_line(&format!("table {id}, row {a}={va}"), &line, &mut out);
        }
        for vb in &values_b {
            let mut line: Vec<(String, Cell)> = values_a
                .iter()
                .map(|va| (format!("{a}={va}"), at(&cells, key_of(&[(a, va), (b, vb)]))))
                .collect();
            line.push((format!("margin {margin_b} {b}={vb}"), at(&cells_b, key_of(&[(b, vb)]))));
            check_line(&format!("table {id}, column {b}={vb}"), &line, &mut out);
        }
    }
    if let Some(table) = table_of(report, "by_count_group") {
        let mut ignore = Vec::new();
        let mut line: Vec<(String, Cell)> = rows_of(table, &mut ignore)
            .into_iter()
            .map(|(k, row)| (format!("children {}", show(&k)), cell(&row["children"])))
            .collect();
        line.push(("headline accompanying_children".into(), cell(&report["accompanying_children"])));
        check_line("table by_count_group, line of children per count group", &line, &mut out);
    }
    // Keyless persons (records without key) and linkable persons sum to persons_total: a line.
    let keyless = exp.headline["records_without_key"];
    let linkable = exp.headline["persons_total"] - keyless;
    if (small(keyless) || small(linkable)) && !report["records_without_key"].is_null() {
        out.push(format!(
            "headline records_without_key {keyless} shown with {linkable} keyed persons: one of them is 1–4, and persons_total gives it back"
        ));
    }
    out.extend(share_mismatches(report, exp));
    out
}

/// The fields whose one-dimensional table the reference computes, with their table.
const SHARE_FIELDS: [(&str, &str); 3] =
    [("age_band", "by_age_band"), ("gender", "by_gender"), ("origin", "by_origin")];

/// `quality.unknown_share` (api.md): the reference's `unknown` persons of the field over
/// persons_total; in public `null` where the report's own table hides the `unknown` row (the
/// rows are checked against the reference above), since the share times persons_total would
/// give the hidden number back.
fn share_mismatches(report: &Value, exp: &Expected) -> Vec<String> {
    let mut out = Vec::new();
    let public = report["disclosure"] == "public";
    let persons_total = exp.headline["persons_total"].max(1) as f64;
    for (field, id) in SHARE_FIELDS {
        let unknown = exp.tables[id].get(&key_of(&[(field, "unknown")])).copied().unwrap_or(0);
        let hidden = public
            && table_of(report, id).is_some_and(|t| {
                let mut ignore = Vec::new();
                rows_of(t, &mut ignore)
                    .get(&key_of(&[(field, "unknown")]))
                    .is_some_and(|r| r["persons"].is_null())
            });
        let want = if hidden { Value::Null } else { json!(unknown as f64 / persons_total) };
        let got = &report["quality"]["unknown_share"][field];
        let same = match (got.as_f64(), want.as_f64()) {
            (Some(g), Some(w)) => (g - w).abs() < 1e-12,
            _ => got.is_null() && want.is_null(),
        };
        if !same {
            out.push(format!("quality unknown_share {field}: expected {want}, got {got}"));
        }
    }
    out
}

#[track_caller]
fn assert_none(what: &str, mismatches: &[String]) {
    assert!(
        mismatches.is_empty(),
        "{what}: {} discrepancies:\n  {}",
        mismatches.len(),
        mismatches.join("\n  ")
    );
}

/// The report without `generated_at`, to compare two reads.
fn without_time(report: &Value) -> Value {
    let mut r = report.clone();
    if let Some(o) = r.as_object_mut() {
        o.remove("generated_at");
    }
    r
}

// --- the numbers against the reference ---------------------------------------------------------

#[tokio::test]
async fn every_internal_number_equals_a_simple_recount_of_the_records_sent() {
    // Arrange: three counts of generated records in one database
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let mut scenarios = Vec::new();
    for seed in [11, 12, 13] {
        scenarios.push(scenario(&app, &coordinator, seed).await);
    }

    let mut mismatches = Vec::new();
    for (sc, seed) in scenarios.iter().zip([11, 12, 13]) {
        // Act
        let first = report(&app, &coordinator, &sc.count_id, "internal").await;
        let again = report(&app, &coordinator, &sc.count_id, "internal").await;

        // Assert
        let exp = sc.expected();
        assert!(exp.headline["duplicate_records_merged"] > 0, "the generated data has duplicates: {exp:?}");
        assert!(exp.headline["records_without_key"] > 0 && exp.headline["records_void"] > 0, "{exp:?}");
        assert_eq!(first["count"]["id"], json!(sc.count_id));
        mismatches.extend(internal_mismatches(&first, &exp).into_iter().map(|m| format!("seed {seed}: {m}")));
        if without_time(&first) != without_time(&again) {
            mismatches.push(format!("seed {seed}: the same data gave another report (§5)"));
        }
    }
    assert_none("internal report against the reference", &mismatches);
}

#[tokio::test]
async fn the_report_follows_each_duplicate_decision_at_once() {
    // Arrange
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let mut sc = scenario(&app, &coordinator, 21).await;
    let mut mismatches = Vec::new();
    let undecided = sc.expected();
    let got = report(&app, &coordinator, &sc.count_id, "internal").await;
    mismatches.extend(internal_mismatches(&got, &undecided).into_iter().map(|m| format!("undecided: {m}")));

    // Act 1: same person, the early record (unlike the latest) as primary
    let (key, primary) = (sc.same_key.clone(), sc.same_primary.clone());
    resolve(&app, &mut sc, &key, Decision::SamePerson(Some(primary))).await;
    let same = sc.expected();
    assert_ne!(same.tables, undecided.tables, "the chosen primary changes the tables");
    assert_eq!(same.headline["persons_total"], undecided.headline["persons_total"], "still one person");
    assert_ne!(same.headline["accompanying_children"], undecided.headline["accompanying_children"]);
    let got = report(&app, &coordinator, &sc.count_id, "internal").await;
    mismatches.extend(
        internal_mismatches(&got, &same).into_iter().map(|m| {
            format!("after same_person with the earliest record as primary (§5 chosen primary): {m}")
        }),
    );

    // Act 2: different people split a key
    let key = sc.different_key.clone();
    resolve(&app, &mut sc, &key, Decision::DifferentPeople).await;
    let split = sc.expected();
    assert_eq!(split.headline["persons_total"], same.headline["persons_total"] + 1);
    let got = report(&app, &coordinator, &sc.count_id, "internal").await;
    mismatches.extend(
        internal_mismatches(&got, &split)
            .into_iter()
            .map(|m| format!("after different_people (§5: each record a person): {m}")),
    );

    // Act 3: same person without a chosen primary: the latest, ties to the smallest id
    let key = sc.tie_key.clone();
    resolve(&app, &mut sc, &key, Decision::SamePerson(None)).await;
    let tie = sc.expected();
    let got = report(&app, &coordinator, &sc.count_id, "internal").await;
    mismatches.extend(
        internal_mismatches(&got, &tie)
            .into_iter()
            .map(|m| format!("after same_person without primary on a tie (§5 latest, smallest id): {m}")),
    );

    // Act 4: records arriving after the decisions, later than every other of their key
    let mut rng = StdRng::seed_from_u64(22);
    let later_same = random_rec(&mut rng, 3, Some(sc.same_key.clone()), hours_from_now(-1));
    let later_split = random_rec(&mut rng, 1, Some(sc.different_key.clone()), hours_from_now(-1));
    send(&app, &sc.devices, &[later_same.clone(), later_split.clone()]).await;
    sc.recs.extend([later_same, later_split]);
    let later = sc.expected();
    assert_eq!(later.headline["persons_total"], tie.headline["persons_total"] + 1);
    let got = report(&app, &coordinator, &sc.count_id, "internal").await;
    mismatches.extend(internal_mismatches(&got, &later).into_iter().map(|m| {
        format!(
            "after new records of decided keys (api.md: a decision holds for records that arrive later): {m}"
        )
    }));

    // Assert
    assert_none("report after duplicate decisions", &mismatches);
}

#[tokio::test]
async fn voiding_and_unvoiding_a_record_changes_the_report_at_once() {
    // Arrange
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let mut sc = scenario(&app, &coordinator, 31).await;
    let before = sc.expected();
    let mut mismatches = Vec::new();

    // Act 1: void a record without a key: one person fewer
    let keyless = sc.keyless.clone().expect("a keyless record");
    void(&app, &coordinator, &keyless).await;
    sc.rec_mut(&keyless).void = true;
    let exp = sc.expected();
    assert_eq!(exp.headline["persons_total"], before.headline["persons_total"] - 1);
    let got = report(&app, &coordinator, &sc.count_id, "internal").await;
    mismatches.extend(
        internal_mismatches(&got, &exp).into_iter().map(|m| format!("after voiding a keyless record: {m}")),
    );

    // Act 2: void the latest record of a duplicate group: the next latest speaks for the person
    let latest = sc.group_latest.clone().expect("a generated duplicate group");
    void(&app, &coordinator, &latest).await;
    sc.rec_mut(&latest).void = true;
    let exp = sc.expected();
    let got = report(&app, &coordinator, &sc.count_id, "internal").await;
    mismatches.extend(
        internal_mismatches(&got, &exp)
            .into_iter()
            .map(|m| format!("after voiding the latest record of a group (§5 latest counted record): {m}")),
    );

    // Act 3: undo both
    unvoid(&app, &coordinator, &keyless).await;
    unvoid(&app, &coordinator, &latest).await;
    sc.rec_mut(&keyless).void = false;
    sc.rec_mut(&latest).void = false;
    assert_eq!(sc.expected(), before);
    let got = report(&app, &coordinator, &sc.count_id, "internal").await;
    mismatches
        .extend(internal_mismatches(&got, &before).into_iter().map(|m| format!("after unvoiding both: {m}")));

    // Act 4: void the coordinator's chosen primary: no report counts it, the latest speaks
    let (key, primary) = (sc.same_key.clone(), sc.same_primary.clone());
    resolve(&app, &mut sc, &key, Decision::SamePerson(Some(primary.clone()))).await;
    void(&app, &coordinator, &primary).await;
    sc.rec_mut(&primary).void = true;
    let exp = sc.expected();
    let got = report(&app, &coordinator, &sc.count_id, "internal").await;
    mismatches.extend(internal_mismatches(&got, &exp).into_iter().map(|m| {
        format!(
            "after voiding the chosen primary (api.md: no report counts a void record; §5 else latest): {m}"
        )
    }));

    // Act 5: lock the count; the review goes on and the report follows it
    app.set_status(&coordinator, &sc.count_id, "locked").await;
    void(&app, &coordinator, &keyless).await;
    sc.rec_mut(&keyless).void = true;
    let exp = sc.expected();
    let got = report(&app, &coordinator, &sc.count_id, "internal").await;
    mismatches.extend(internal_mismatches(&got, &exp).into_iter().map(|m| {
        format!(
            "after voiding on a locked count (api.md: the report always reflects the current review): {m}"
        )
    }));

    // Assert
    assert_none("report after void and unvoid", &mismatches);
}

// --- disclosure ---------------------------------------------------------------------------------

#[tokio::test]
async fn the_public_report_hides_1_to_4_persons_and_leaves_no_line_with_one_suppressed_value() {
    // Arrange: three generated counts, large to small, with decisions taken
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let mut mismatches = Vec::new();
    let mut suppressed = 0;
    for (seed, people) in [(41, 110), (42, 60), (43, 12)] {
        let mut sc = scenario_of(&app, &coordinator, seed, people).await;
        let (key, primary) = (sc.same_key.clone(), sc.same_primary.clone());
        resolve(&app, &mut sc, &key, Decision::SamePerson(Some(primary))).await;
        let key = sc.different_key.clone();
        resolve(&app, &mut sc, &key, Decision::DifferentPeople).await;
        let exp = sc.expected();

        // Act
        let public = report(&app, &coordinator, &sc.count_id, "public").await;
        let internal = report(&app, &coordinator, &sc.count_id, "internal").await;

        // Assert
        mismatches
            .extend(public_mismatches(&public, &exp).into_iter().map(|m| format!("seed {seed} public: {m}")));
        mismatches.extend(
            internal_mismatches(&internal, &exp).into_iter().map(|m| format!("seed {seed} internal: {m}")),
        );
        let no_param = app
            .get(&format!("/api/v1/counts/{}/report", sc.count_id))
            .bearer_auth(&coordinator)
            .reply()
            .await
            .assert_status(200);
        if no_param["disclosure"] != "public" || without_time(&no_param) != without_time(&public) {
            mismatches
                .push(format!("seed {seed}: the report without `disclosure` is not the public one (api.md)"));
        }
        for (id, _) in TABLES {
            if let Some(t) = table_of(&public, id) {
                suppressed +=
                    t["rows"].as_array().map_or(0, |r| r.iter().filter(|r| r["persons"].is_null()).count());
            }
        }
    }
    assert!(suppressed > 0, "the generated data has small cells to suppress");
    assert_none("public disclosure", &mismatches);
}

/// A live count with three persons (four records, two sharing a key) and two children.
async fn small_count(app: &TestApp, coordinator: &str) -> (String, Vec<Rec>) {
    let mut rng = StdRng::seed_from_u64(7);
    let count_id = id_of(&app.create_count(coordinator).await);
    let code = invite(app, coordinator, &count_id, "Leger des Heils", "shelter").await;
    let device = app.enroll(&code).await;
    app.set_status(coordinator, &count_id, "live").await;
    let key = new_key(&mut rng);
    let mut recs = vec![
        random_rec(&mut rng, 0, Some(key.clone()), hours_from_now(-3)),
        random_rec(&mut rng, 0, Some(key), hours_from_now(-2)),
        random_rec(&mut rng, 0, None, hours_from_now(-2)),
        random_rec(&mut rng, 0, None, hours_from_now(-2)),
    ];
    for (r, children) in recs.iter_mut().zip([Some(0), Some(1), Some(1), None]) {
        r.children = children;
    }
    send(app, std::slice::from_ref(&device), &recs).await;
    (count_id, recs)
}

#[tokio::test]
async fn a_public_headline_of_1_to_4_persons_is_null_and_internal_shows_it() {
    // Arrange
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let (count_id, recs) = small_count(&app, &coordinator).await;
    let exp = expected(&recs, &HashMap::new());
    assert_eq!(
        (
            exp.headline["persons_total"],
            exp.headline["accompanying_children"],
            exp.headline["persons_including_children"]
        ),
        (3, 2, 5)
    );

    // Act
    let public = report(&app, &coordinator, &count_id, "public").await;
    let internal = report(&app, &coordinator, &count_id, "internal").await;

    // Assert
    let mut mismatches = public_mismatches(&public, &exp);
    mismatches.extend(internal_mismatches(&internal, &exp).into_iter().map(|m| format!("internal: {m}")));
    assert_none("small count", &mismatches);
}

#[tokio::test]
async fn no_public_headline_figure_shows_1_to_4_or_can_be_recovered_from_the_others() {
    // Arrange: four records (all counted) of three persons (one merged duplicate), two children
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let (count_id, recs) = small_count(&app, &coordinator).await;
    let exp = expected(&recs, &HashMap::new());

    // Act
    let public = report(&app, &coordinator, &count_id, "public").await;

    // Assert: api.md "the headline figures follow the same rule as cells: 1–4 becomes null"
    let mut mismatches = Vec::new();
    for name in HEADLINE {
        if public[name].as_u64().is_some_and(|n| (1..=4).contains(&n)) {
            mismatches.push(format!("headline {name} shows {} (api.md: 1–4 becomes null)", public[name]));
        }
    }
    // … and the identities api.md defines are lines: none may leave exactly one value unknown.
    let figure = |name: &str| (name.to_string(), cell(&public[name]));
    check_line(
        "headline persons_total + accompanying_children = persons_including_children",
        &[figure("persons_total"), figure("accompanying_children"), figure("persons_including_children")],
        &mut mismatches,
    );
    check_line(
        "headline persons_total + duplicate_records_merged = records_counted (api.md)",
        &[figure("persons_total"), figure("duplicate_records_merged"), figure("records_counted")],
        &mut mismatches,
    );
    check_line(
        "headline records_counted + records_training + records_void = records_total (api.md)",
        &[
            figure("records_counted"),
            figure("records_training"),
            figure("records_void"),
            figure("records_total"),
        ],
        &mut mismatches,
    );
    let shown: Vec<String> =
        HEADLINE.iter().map(|n| format!("{n}={} (internal {})", public[*n], exp.headline[n])).collect();
    assert_none(&format!("public headline [{}]", shown.join(", ")), &mismatches);
}

// --- CSV ----------------------------------------------------------------------------------------

/// How a cell reads in CSV: the number, `<5` (primary) or `x` (secondary).
fn csv_cell(persons: &Value, suppressed: &Value) -> String {
    match (persons.as_u64(), suppressed.as_str()) {
        (Some(n), _) => n.to_string(),
        (None, Some("secondary")) => "x".into(),
        (None, _) => "<5".into(),
    }
}

/// The records of a CSV text (quoted cells unquoted: a Dutch name may hold the separator).
fn csv_records(text: &str, sep: char) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sep as u8)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| r.map(|r| r.iter().map(|c| c.trim().to_string()).collect()).unwrap_or_default())
        .filter(|r: &Vec<String>| r.iter().any(|c| !c.is_empty()))
        .collect()
}

/// The CSV of one table against its JSON rows. `children` is the reference (to tell a primary
/// from a secondary suppressed child cell, which the JSON does not mark in api.md).
fn csv_mismatches(
    what: &str,
    text: &str,
    sep: char,
    table: &Value,
    children: &BTreeMap<String, u64>,
) -> Vec<String> {
    let mut out = Vec::new();
    let dims: Vec<String> = table["dimensions"]
        .as_array()
        .map(|d| d.iter().filter_map(|v| v.as_str().map(String::from)).collect())
        .unwrap_or_default();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let all = csv_records(text, sep);
    // The `<dimension>_naam` columns (Dutch names beside the codes) are checked in
    // report_exports.rs; here the codes and figures.
    let names: Vec<bool> =
        all.first().map(|h| h.iter().map(|c| c.ends_with("_naam")).collect()).unwrap_or_default();
    let mut lines = all.into_iter().map(|line| {
        line.into_iter()
            .enumerate()
            .filter(|(i, _)| !names.get(*i).copied().unwrap_or(false))
            .map(|(_, c)| c)
            .collect::<Vec<String>>()
    });
    let Some(header) = lines.next() else {
        out.push(format!("{what}: empty CSV"));
        return out;
    };
    let mut ignore = Vec::new();
    let rows = rows_of(table, &mut ignore);
    let has_children = rows.values().any(|r| r.get("children").is_some());
    let mut want_header = dims.clone();
    want_header.push("persons".into());
    if has_children {
        want_header.push("children".into());
    }
    if header != want_header {
        out.push(format!("{what}: header {header:?}, expected {want_header:?}"));
        return out;
    }
    let n = dims.len();
    let mut seen = BTreeSet::new();
    for line in lines {
        if line.len() != want_header.len() {
            out.push(format!(
                "{what}: line {line:?} has {} fields, the header {}",
                line.len(),
                want_header.len()
            ));
            continue;
        }
        if line[0] == "total" {
            if line[n] != csv_cell(&table["total"], &Value::Null) {
                out.push(format!("{what}: total line {line:?}, JSON total {}", table["total"]));
            }
            continue;
        }
        let key: Key = dims.iter().cloned().zip(line.iter().cloned()).collect();
        let Some(row) = rows.get(&key) else {
            out.push(format!("{what}: CSV line {line:?} has no JSON row"));
            continue;
        };
        if !seen.insert(key.clone()) {
            out.push(format!("{what}: CSV repeats {}", show(&key)));
        }
        let persons = csv_cell(&row["persons"], &row["suppressed"]);
        if line[n] != persons {
            out.push(format!("{what} {}: CSV persons {:?}, JSON reads {persons:?}", show(&key), line[n]));
        }
        if has_children {
            let want = match row["children"].as_u64() {
                Some(c) => c.to_string(),
                None => {
                    let group = key.get("count_group").cloned().unwrap_or_default();
                    let c = children.get(&group).copied().unwrap_or(0);
                    if (1..=4).contains(&c) { "<5" } else { "x" }.to_string()
                }
            };
            if line[n + 1] != want {
                out.push(format!("{what} {}: CSV children {:?}, expected {want:?}", show(&key), line[n + 1]));
            }
        }
    }
    for key in rows.keys().filter(|k| !seen.contains(*k)) {
        out.push(format!("{what}: JSON row {} missing from the CSV", show(key)));
    }
    out
}

#[tokio::test]
async fn each_table_as_csv_matches_its_json_rows_internal_and_public() {
    // Arrange
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let mut sc = scenario(&app, &coordinator, 51).await;
    let (key, primary) = (sc.same_key.clone(), sc.same_primary.clone());
    resolve(&app, &mut sc, &key, Decision::SamePerson(Some(primary))).await;
    let exp = sc.expected();
    let mut mismatches = Vec::new();
    let mut marks = BTreeSet::new();

    for disclosure in ["internal", "public"] {
        let json_report = report(&app, &coordinator, &sc.count_id, disclosure).await;
        for (id, _) in TABLES {
            // Act
            let reply =
                report_csv(&app, &coordinator, &sc.count_id, &format!("table={id}&disclosure={disclosure}"))
                    .await;

            // Assert
            let text = reply.assert_status(200);
            let content_type =
                reply.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
            if !content_type.starts_with("text/csv") {
                mismatches.push(format!("{id} {disclosure}: content type {content_type:?}"));
            }
            let text = text.as_str().unwrap_or_default();
            for mark in ["<5", "x"] {
                if text.lines().any(|l| l.split(',').any(|c| c == mark)) {
                    marks.insert((disclosure, mark));
                }
            }
            let table = table_of(&json_report, id).expect("the table in JSON");
            mismatches.extend(csv_mismatches(&format!("{id} {disclosure}"), text, ',', table, &exp.children));
        }
    }
    assert!(!marks.iter().any(|(d, _)| *d == "internal"), "internal CSV hides nothing: {marks:?}");
    assert!(marks.contains(&("public", "<5")) && marks.contains(&("public", "x")), "public marks: {marks:?}");
    assert_none("CSV against JSON", &mismatches);
}

#[tokio::test]
async fn the_semicolon_csv_starts_with_a_utf8_bom_and_separates_with_semicolons() {
    // Arrange
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let sc = scenario(&app, &coordinator, 61).await;
    let exp = sc.expected();
    let json_report = report(&app, &coordinator, &sc.count_id, "public").await;

    for id in ["by_count_group", "by_category_and_municipality"] {
        // Act: the raw bytes (a client's text decoding could drop the BOM)
        let response = app
            .get(&format!(
                "/api/v1/counts/{}/report.csv?table={id}&disclosure=public&sep=semicolon",
                sc.count_id
            ))
            .bearer_auth(&coordinator)
            .send()
            .await
            .expect("an answer");
        assert_eq!(response.status().as_u16(), 200);
        let bytes = response.bytes().await.expect("a body");

        // Assert
        assert!(
            bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
            "UTF-8 BOM first: {:?}",
            &bytes[..bytes.len().min(8)]
        );
        let text = std::str::from_utf8(&bytes[3..]).expect("UTF-8");
        let header = text.lines().next().unwrap_or_default();
        assert!(header.contains(';') && !header.contains(','), "{header:?}");
        let table = table_of(&json_report, id).expect("the table");
        assert_none(id, &csv_mismatches(id, text, ';', table, &exp.children));
        let comma =
            report_csv(&app, &coordinator, &sc.count_id, &format!("table={id}&disclosure=public")).await;
        let comma = comma.assert_status(200);
        let comma = comma.as_str().unwrap_or_default();
        assert!(!comma.contains(';'), "the comma variant: {comma:?}");
        assert_eq!(
            csv_records(comma.trim_start_matches('\u{feff}'), ','),
            csv_records(text, ';'),
            "same cells, other separator"
        );
    }
}

#[tokio::test]
async fn a_csv_of_an_unknown_table_is_a_validation_error() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    app.sync(&field.device.token, &[ethos_tests::record()]).await;

    let reply = report_csv(
        &app,
        &field.coordinator,
        &field.count_id,
        "table=by_favourite_colour&disclosure=internal",
    )
    .await;

    let body = reply.assert_error(422, "validation_failed");
    let errors = field_errors(&body["details"]["errors"]);
    assert!(errors.iter().any(|(f, _)| f == "table"), "{body}");
}

#[tokio::test]
async fn a_csv_export_is_in_the_audit_log_with_who_and_which_table() {
    // Arrange
    let app = spawn_app().await;
    let field = app.field("live").await;
    let analyst = app.analyst().await;
    app.sync(&field.device.token, &[ethos_tests::record()]).await;
    let audit = |app: &TestApp| {
        let (coordinator, count_id) = (field.coordinator.clone(), field.count_id.clone());
        let request = app.get(&format!("/api/v1/counts/{count_id}/audit")).bearer_auth(coordinator);
        async move { request.reply().await.assert_status(200)["items"].as_array().cloned().expect("items") }
    };
    let before = audit(&app).await;

    // Act
    report_csv(&app, &analyst, &field.count_id, "table=by_municipality&disclosure=internal")
        .await
        .assert_status(200);

    // Assert
    let after = audit(&app).await;
    let new: Vec<&Value> = after.iter().filter(|e| !before.contains(e)).collect();
    let export = new.iter().find(|e| e["action"].as_str().is_some_and(|a| a.contains("export")));
    let export = export.unwrap_or_else(|| panic!("an export entry among the new audit entries {new:?}"));
    assert!(export["actor"].as_str().is_some_and(|a| a.contains("analyst")), "who: {export}");
    assert!(export.to_string().contains("by_municipality"), "what: {export}");
    export["at"].as_str().expect("when").parse::<DateTime<FixedOffset>>().expect("RFC 3339");
}

// --- access -------------------------------------------------------------------------------------

#[tokio::test]
async fn coordinator_and_analyst_read_the_report_and_its_csv_internal_too() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let analyst = app.analyst().await;
    app.sync(&field.device.token, &[ethos_tests::record()]).await;

    for token in [&field.coordinator, &analyst] {
        for disclosure in ["internal", "public"] {
            let body = report(&app, token, &field.count_id, disclosure).await;
            assert_eq!(body["disclosure"], disclosure);
            let csv =
                report_csv(&app, token, &field.count_id, &format!("table=by_gender&disclosure={disclosure}"))
                    .await;
            let text = csv.assert_status(200);
            assert!(text.as_str().is_some_and(|t| t.contains("gender")), "{text}");
        }
        let internal = report(&app, token, &field.count_id, "internal").await;
        assert_eq!(internal["persons_total"], 1);
    }
}

#[tokio::test]
async fn a_device_may_not_read_the_report_and_nobody_without_a_token() {
    let app = spawn_app().await;
    let field = app.field("live").await;
    let json_path = format!("/api/v1/counts/{}/report?disclosure=internal", field.count_id);
    let csv_path =
        format!("/api/v1/counts/{}/report.csv?table=by_gender&disclosure=internal", field.count_id);

    for path in [&json_path, &csv_path] {
        app.get(path).bearer_auth(&field.device.token).reply().await.assert_error(403, "forbidden");
        app.get(path).reply().await.assert_error(401, "unauthorized");
    }
}

#[tokio::test]
async fn the_report_of_an_unknown_count_is_not_found() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let unknown = Uuid::now_v7();

    for path in [
        format!("/api/v1/counts/{unknown}/report?disclosure=internal"),
        format!("/api/v1/counts/{unknown}/report.csv?table=by_gender&disclosure=internal"),
    ] {
        app.get(&path).bearer_auth(&coordinator).reply().await.assert_error(404, "not_found");
    }
}

#[tokio::test]
async fn an_invalid_disclosure_is_a_validation_error() {
    let app = spawn_app().await;
    let field = app.field("live").await;

    for path in [
        format!("/api/v1/counts/{}/report?disclosure=everything", field.count_id),
        format!("/api/v1/counts/{}/report.csv?table=by_gender&disclosure=everything", field.count_id),
    ] {
        let body = app
            .get(&path)
            .bearer_auth(&field.coordinator)
            .reply()
            .await
            .assert_error(422, "validation_failed");
        let errors = field_errors(&body["details"]["errors"]);
        assert!(errors.iter().any(|(f, _)| f == "disclosure"), "{body}");
    }
}

// --- the checks themselves ----------------------------------------------------------------------

/// The public checks above are code too: they must catch a shown 1–4, an unmarked null, a
/// suppressed zero and a line with a single suppressed value.
#[test]
fn the_public_checks_catch_small_cells_unmarked_nulls_and_lone_suppressed_values() {
    let mut exp = expected(&[], &HashMap::new());
    let gender = exp.tables.get_mut("by_gender").expect("by_gender");
    for (g, n) in [("man", 10), ("woman", 3), ("other", 7), ("unknown", 0)] {
        gender.insert(key_of(&[("gender", g)]), n);
    }
    exp.headline.insert("persons_total", 20);
    exp.headline.insert("persons_including_children", 20);
    let row = |g: &str, persons: Value, suppressed: Value| json!({ "key": { "gender": g }, "persons": persons, "suppressed": suppressed });
    let report_with = |rows: Vec<Value>| {
        json!({
            "disclosure": "public", "persons_total": 20, "accompanying_children": 0,
            "persons_including_children": 20,
            "tables": [{ "id": "by_gender", "dimensions": ["gender"], "total": 20, "rows": rows }]
        })
    };
    let only_gender =
        |m: &Vec<String>| m.iter().filter(|m| m.contains("by_gender")).cloned().collect::<Vec<_>>();

    // A lone primary suppression: derivable as 20 − 10 − 7.
    let lone = report_with(vec![
        row("man", json!(10), Value::Null),
        row("woman", Value::Null, json!("primary")),
        row("other", json!(7), Value::Null),
    ]);
    let m = only_gender(&public_mismatches(&lone, &exp));
    assert!(m.iter().any(|m| m.contains("exactly one suppressed")), "{m:?}");

    // Properly protected: the smallest other non-zero cell is secondary.
    let good = report_with(vec![
        row("man", json!(10), Value::Null),
        row("woman", Value::Null, json!("primary")),
        row("other", Value::Null, json!("secondary")),
    ]);
    assert_eq!(only_gender(&public_mismatches(&good, &exp)), Vec::<String>::new());

    // 1–4 shown, a null without a mark, a suppressed zero.
    let bad = report_with(vec![
        row("man", Value::Null, Value::Null),
        row("woman", json!(3), Value::Null),
        row("other", json!(7), Value::Null),
        row("unknown", Value::Null, json!("primary")),
    ]);
    let m = only_gender(&public_mismatches(&bad, &exp)).join("\n");
    assert!(m.contains("shows 1–4 persons"), "{m}");
    assert!(m.contains("persons and suppressed disagree"), "{m}");
    assert!(m.contains("zero stays 0"), "{m}");
}
