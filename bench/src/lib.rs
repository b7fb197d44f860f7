//! Realistic generated count data for benchmarks, seeded so every run sends the same records.

use chrono::{DateTime, Duration, FixedOffset};
use ethos_shared::ethos::LivingSituation;
use ethos_shared::profile::{Children, Profile};
use ethos_shared::record::questions::questions;
use ethos_shared::record::{DedupKey, Origin, Record};
use ethos_shared::Lang;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

/// Picks from `(weight, value)` pairs.
fn weighted<T: Copy>(rng: &mut StdRng, items: &[(u32, T)]) -> T {
    let total: u32 = items.iter().map(|(w, _)| w).sum();
    let mut pick = rng.gen_range(0..total);
    for (w, v) in items {
        if pick < *w {
            return *v;
        }
        pick -= w;
    }
    items[items.len() - 1].1
}

/// A value of a set, `unknown` about one time in ten (as in the field).
fn answer<T: Copy>(rng: &mut StdRng, all: &[T], unknown: T) -> T {
    if rng.gen_bool(0.1) {
        unknown
    } else {
        *all.choose(rng).unwrap_or(&unknown)
    }
}

/// `n` records of a count whose window starts at `starts_at` and lasts 24 hours: about one
/// record in five is a second sighting of an earlier person (same key), one in seven has no
/// key, Maastricht has most records, the living situations roughly follow the Dutch counts.
pub fn records(n: usize, seed: u64, starts_at: DateTime<FixedOffset>) -> Vec<Record> {
    let mut rng = StdRng::seed_from_u64(seed);
    let region = ["GM0935", "GM1903", "GM1729", "GM0938", "GM0981", "GM0994"];
    let weights = [70, 8, 5, 6, 4, 7];
    let situations: Vec<(u32, LivingSituation)> = LivingSituation::ALL
        .iter()
        .map(|s| {
            let w = match s.code() {
                "1.1" => 24,
                "2.1" => 20,
                "3.1" | "3.2" | "3.3" => 10,
                "8.1" => 40,
                "6.1" | "6.2" | "6.3" => 4,
                "9.1" | "11.2" => 6,
                _ => 2,
            };
            (w, *s)
        })
        .collect();
    let municipalities: Vec<(u32, &str)> = weights.iter().copied().zip(region.iter().copied()).collect();
    let all_gemeenten = ethos_shared::municipality::all();
    let mut keys: Vec<DedupKey> = Vec::new();
    (0..n)
        .map(|i| {
            let dedup_key = if rng.gen_bool(1.0 / 7.0) {
                None
            } else if !keys.is_empty() && rng.gen_bool(0.2) {
                keys.choose(&mut rng).cloned()
            } else {
                let bytes: [u8; 32] = rng.gen();
                let key = DedupKey::try_from(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
                    .expect("64 hex characters");
                keys.push(key.clone());
                Some(key)
            };
            let origin = match rng.gen_range(0..10) {
                0..=5 => Origin::Municipality {
                    code: weighted(&mut rng, &municipalities).to_string().try_into().expect("region code"),
                },
                6 => Origin::Municipality {
                    code: all_gemeenten
                        .choose(&mut rng)
                        .map(|g| g.code.clone())
                        .unwrap_or_default()
                        .try_into()
                        .expect("code"),
                },
                7 => Origin::Abroad,
                _ => Origin::Unknown,
            };
            let children = if rng.gen_bool(0.1) {
                Children::Unknown
            } else {
                Children::Count(weighted(&mut rng, &[(85, 0), (8, 1), (5, 2), (2, 3)]))
            };
            // In this order: every run sends the same records as before the profile came from
            // the field table.
            let id = v7_id(recorded_ms(starts_at, i, n), rng.gen());
            let observed_at = starts_at + Duration::seconds(rng.gen_range(0..24 * 3600) + i as i64 % 7);
            let municipality =
                weighted(&mut rng, &municipalities).to_string().try_into().expect("region code");
            let living_situation = weighted(&mut rng, &situations);
            let profile = profile(&mut rng, children);
            Record {
                id,
                revision: 1,
                observed_at,
                municipality,
                living_situation,
                origin,
                dedup_key,
                profile,
                training: false,
                entry: ethos_shared::record::Entry::Field,
            }
        })
        .collect()
}

/// The moment (Unix ms) the phone recorded the `i`th of `n` records: in the order they are
/// generated, spread over the count's 24 hours.
fn recorded_ms(starts_at: DateTime<FixedOffset>, i: usize, n: usize) -> u64 {
    let day_ms = 24 * 3600 * 1000u64;
    starts_at.timestamp_millis() as u64 + i as u64 * day_ms / n.max(1) as u64
}

/// A UUID v7 as phones make them (`Uuid::now_v7`): the recording time in milliseconds in its
/// first 48 bits, then random bits. Ids of records made one after the other are in order, so
/// they land at the end of the id index, as in a real count.
fn v7_id(ms: u64, random: u128) -> Uuid {
    let mut bits = [0u8; 10];
    bits.copy_from_slice(&random.to_be_bytes()[6..]);
    uuid::Builder::from_unix_timestamp_millis(ms, &bits).into_uuid()
}

/// Gives the records new v7 ids as if recorded in the 24 hours after the count's first day
/// (`starts_at`): a second set of records then comes after the first in the id index, as later
/// records do in a real count.
pub fn recorded_the_next_day(records: &mut [Record], starts_at: DateTime<FixedOffset>, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let next_day = starts_at + Duration::hours(24);
    let n = records.len();
    for (i, r) in records.iter_mut().enumerate() {
        r.id = v7_id(recorded_ms(next_day, i, n), rng.gen());
    }
}

/// Gives every record an id with random bits where the time should be (version 4-like): the
/// worst case for the id index, every new id in another page (`ethos-bench sync --random-ids`).
pub fn with_random_ids(records: &mut [Record], seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    for r in records {
        r.id = uuid::Builder::from_random_bytes(rng.gen::<u128>().to_be_bytes()).into_uuid();
    }
}

/// A generated profile: every field of the field table, `unknown` about one time in ten, with
/// the gender, the children and the care needs as in the field.
fn profile(rng: &mut StdRng, children: Children) -> Profile {
    let mut profile = Profile::unknown();
    for (name, q) in questions() {
        let code = match name {
            "gender" => weighted(rng, &[(70, "man"), (25, "woman"), (2, "other"), (3, "unknown")]),
            "children" => continue,
            "care_needs" => match rng.gen_range(0..6) {
                0 => "none",
                1 => "unknown",
                2 => "psychiatric,addiction",
                3 => "addiction",
                4 => "psychiatric",
                _ => "physical",
            },
            _ => {
                let codes: Vec<&str> = (q.choices)(Lang::Nl).into_iter().map(|(code, _)| code).collect();
                answer(rng, &codes, "unknown")
            }
        };
        (q.set)(&mut profile, code);
    }
    profile.children = children;
    profile
}
