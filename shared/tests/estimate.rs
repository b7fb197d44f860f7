//! The estimate of the hidden population (domain.md §8) against an independent implementation
//! (statsmodels' GLM Poisson, fixtures/estimate/loglinear.json made by make_fixtures.py beside
//! it) and against simulated populations of known size.
//!
//! Run with `cargo test -p ethos-shared estimate -- --nocapture` to see the figures.

use ethos_shared::estimate::bootstrap::Rng;
use ethos_shared::estimate::loglinear::{choose, fit_candidates};
use ethos_shared::estimate::{fit, Captures, Fitted, Method};
use serde_json::Value;

const NAMES: [&str; 6] = ["a", "b", "c", "d", "e", "f"];

/// Captures from cell counts by history mask (index 0, the unseen, is ignored); source `i` is
/// named `NAMES[i]`, so the sorted order is the bit order.
fn captures_of_cells(k: usize, cells: &[u64]) -> Captures {
    let people = (1..1usize << k).flat_map(|mask| {
        let names: Vec<&str> = (0..k).filter(|i| mask >> i & 1 == 1).map(|i| NAMES[i]).collect();
        (0..cells[mask]).map(move |_| (true, names.clone()))
    });
    Captures::from_people(people)
}

fn fixtures() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/estimate/loglinear.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("the fixture")).expect("JSON")
}

#[test]
fn estimate_agrees_with_statsmodels_glm_poisson() {
    let fixtures = fixtures();
    let mut worst: f64 = 0.0;
    let tables = fixtures["tables"].as_array().expect("tables");
    assert_eq!(tables.len(), 3);
    for table in tables {
        let name = table["name"].as_str().expect("name");
        let k = table["k"].as_u64().expect("k") as usize;
        let y: Vec<f64> =
            table["cells"].as_array().expect("cells").iter().map(|c| c.as_f64().expect("n")).collect();
        let candidates = fit_candidates(k, &y);
        let models = table["models"].as_array().expect("models");
        assert_eq!(candidates.len(), models.len(), "{name}");
        for (c, m) in candidates.iter().zip(models) {
            let expected: Vec<(usize, usize)> = m["interactions"]
                .as_array()
                .expect("pairs")
                .iter()
                .map(|p| (p[0].as_u64().expect("i") as usize, p[1].as_u64().expect("j") as usize))
                .collect();
            assert_eq!(c.design.interactions(), expected.as_slice(), "{name}");
            assert_eq!(c.design.parameters() as u64, m["parameters"].as_u64().expect("p"));
            let fit = c.fit.as_ref().unwrap_or_else(|| panic!("{name} {expected:?} has a fit"));
            for (ours, key) in [
                (fit.aic, "aic"),
                (fit.loglik, "loglik"),
                (fit.unseen, "unseen"),
                (y.iter().sum::<f64>() + fit.unseen, "estimate"),
            ] {
                let theirs = m[key].as_f64().expect(key);
                let diff = (ours - theirs).abs();
                worst = worst.max(diff);
                assert!(diff <= 1e-6, "{name} {expected:?} {key}: ours {ours}, statsmodels {theirs}");
            }
        }
        let chosen = table["chosen"].as_u64().expect("chosen") as usize;
        assert_eq!(choose(&candidates), Some(chosen), "{name}: the AIC choice");

        // The whole estimate: same model, same N.
        let mut cells = vec![0u64];
        cells.extend(y.iter().map(|&v| v as u64));
        let f = fit(&captures_of_cells(k, &cells)).expect("an estimate");
        assert_eq!(f.method, Method::Loglinear);
        assert_eq!(f.interactions, candidates[chosen].design.interactions());
        let n = table["estimate"].as_f64().expect("N");
        assert!((f.estimate - n).abs() <= 1e-6, "{name}: N {} vs {n}", f.estimate);
        let (lower, upper) = (f.lower.expect("bounded"), f.upper.expect("bounded"));
        assert!(lower < f.estimate && f.estimate < upper, "{name}: {lower} {} {upper}", f.estimate);
        println!(
            "{name}: N = {:.6} (statsmodels {n:.6}), 95 % interval [{lower:.1}, {upper:.1}]",
            f.estimate
        );
    }
    println!("largest difference from statsmodels over all models (AIC, logL, f0, N): {worst:.2e}");
}

// --- simulation with known truth -----------------------------------------------------------

/// A population of `size` persons, each seen by source `i` with probability `p[i]`
/// independently (or with the probabilities of its group, for heterogeneous populations):
/// the cell counts by history mask.
fn simulate(rng: &mut Rng, groups: &[(u64, &[f64])]) -> Vec<u64> {
    let k = groups[0].1.len();
    let mut cells = vec![0u64; 1 << k];
    for &(size, p) in groups {
        for _ in 0..size {
            let mask = (0..k).filter(|&i| rng.uniform() < p[i]).map(|i| 1usize << i).sum::<usize>();
            cells[mask] += 1;
        }
    }
    cells
}

struct Summary {
    replications: usize,
    covered: usize,
    mean: f64,
    /// Per chosen model (by its number of interaction pairs): (replications, covered).
    by_model: std::collections::BTreeMap<usize, (usize, usize)>,
}

impl Summary {
    fn coverage(&self) -> f64 {
        self.covered as f64 / self.replications as f64
    }

    /// The binomial standard error of the coverage.
    fn standard_error(&self) -> f64 {
        let c = self.coverage();
        (c * (1.0 - c) / self.replications as f64).sqrt()
    }
}

fn replicate(seed: u64, replications: usize, groups: &[(u64, &[f64])]) -> Summary {
    let truth: u64 = groups.iter().map(|g| g.0).sum();
    let mut rng = Rng::seed_from_u64(seed);
    let mut covered = 0;
    let mut sum = 0.0;
    let mut by_model = std::collections::BTreeMap::new();
    for _ in 0..replications {
        let cells = simulate(&mut rng, groups);
        let k = groups[0].1.len();
        let f: Fitted = fit(&captures_of_cells(k, &cells)).expect("an estimate");
        let truth = truth as f64;
        let hit = f.lower.is_none_or(|l| l <= truth) && f.upper.is_none_or(|u| truth <= u);
        covered += usize::from(hit);
        let entry: &mut (usize, usize) = by_model.entry(f.interactions.len()).or_default();
        entry.0 += 1;
        entry.1 += usize::from(hit);
        sum += f.estimate;
    }
    Summary { replications, covered, mean: sum / replications as f64, by_model }
}

/// Replications per simulation: 200 in CI, more with `ETHOS_ESTIMATE_REPLICATIONS=2000`.
fn replications() -> usize {
    std::env::var("ETHOS_ESTIMATE_REPLICATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(200)
}

fn report(label: &str, p: &[f64], s: &Summary, truth: f64) {
    println!(
        "{label} p={p:?}: coverage {:.1} % ({}/{}, binomial SE {:.1} points), mean estimate {:.1} (bias {:+.2} %)",
        100.0 * s.coverage(),
        s.covered,
        s.replications,
        100.0 * s.standard_error(),
        s.mean,
        100.0 * (s.mean / truth - 1.0)
    );
    for (pairs, (n, hit)) in &s.by_model {
        println!(
            "    chosen model with {pairs} pair(s): {n} replications, coverage {:.1} %",
            100.0 * *hit as f64 / *n as f64
        );
    }
}

/// 400 persons seen by independent sources, seeded replications: the 95 % interval covers the
/// truth in a share of them that must lie in `wanted`, and the mean estimate is within 5 % of 400.
fn independent_sources(seed: u64, p: &[f64], wanted: std::ops::RangeInclusive<f64>) {
    let s = replicate(seed, replications(), &[(400, p)]);
    report(&format!("{} independent sources", p.len()), p, &s, 400.0);
    let bias = s.mean / 400.0 - 1.0;
    assert!(wanted.contains(&s.coverage()), "coverage {}", s.coverage());
    assert!(bias.abs() <= 0.05, "mean {}", s.mean);
}

#[test]
fn estimate_simulation_two_independent_sources() {
    independent_sources(1000, &[0.3, 0.4], 0.90..=0.99);
}

/// A known shortfall, measured and kept visible rather than hidden behind a lucky seed: with
/// three independent sources the AIC picks a pair model for about a third of the samples, and
/// the bootstrap of domain.md §8 refits the chosen model without a new choice, so it leaves the
/// uncertainty of that choice out. The true coverage is about 90 %, not 95 %: 90.1 % over
/// 8,000 replications (`estimate_simulation_coverage_long_run`), 89.0 % over 2,000 with this
/// seed (`ETHOS_ESTIMATE_REPLICATIONS=2000`). With 200 replications the binomial standard
/// error is about 2 points, so asserting 90 % here would fail about every other seed; the
/// bound is 85 % (more than 2 standard errors below), and below it is a regression, not noise.
#[test]
fn estimate_simulation_three_independent_sources() {
    independent_sources(1001, &[0.3, 0.25, 0.35], 0.85..=0.99);
}

#[test]
fn estimate_simulation_four_independent_sources() {
    independent_sources(1002, &[0.3, 0.25, 0.2, 0.35], 0.90..=0.99);
}

/// The long form behind the figures in docs/estimate.md (about two minutes in release):
/// `cargo test --release -p ethos-shared --test estimate -- --ignored --nocapture`.
/// Four independent seeds of `ETHOS_ESTIMATE_REPLICATIONS` (default 2,000) replications each
/// for three and four sources, with the coverage by the chosen model. It asserts what holds
/// for the method as specified (measured: 90.1 % and 91.6 % over 8,000 each): with three
/// sources at least 85 %, with four at least 90 % — the pooled coverage has a standard error
/// of about 0.3 points, so either bound failing is a change in the method, not chance.
#[test]
#[ignore = "long: 16,000 simulated counts"]
fn estimate_simulation_coverage_long_run() {
    let n = std::env::var("ETHOS_ESTIMATE_REPLICATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    for (p, low, high) in [(&[0.3, 0.25, 0.35][..], 0.85, 0.99), (&[0.3, 0.25, 0.2, 0.35][..], 0.90, 0.99)] {
        let mut covered = 0;
        let mut total = 0;
        for seed in [11, 12, 13, 14] {
            let s = replicate(seed, n, &[(400, p)]);
            report(&format!("{} independent sources, seed {seed}", p.len()), p, &s, 400.0);
            covered += s.covered;
            total += s.replications;
        }
        let c = covered as f64 / total as f64;
        let se = (c * (1.0 - c) / total as f64).sqrt();
        println!(
            "{} sources, all seeds: coverage {:.1} % ({covered}/{total}), 95 % CI [{:.1}, {:.1}] %",
            p.len(),
            100.0 * c,
            100.0 * (c - 1.96 * se),
            100.0 * (c + 1.96 * se)
        );
        assert!(low <= c && c <= high, "{} sources: coverage {c}", p.len());
    }
}

/// Not a property to keep but a limit to document (docs/estimate.md): when two sources tend to
/// see the same people — here half of the 400 are easy to see for both (p = 0.6) and half hard
/// for both (p = 0.1) — the sources are positively dependent and Chapman's estimate is far too
/// low, and its interval rarely covers the truth.
#[test]
fn estimate_simulation_positively_dependent_sources_underestimate() {
    let s = replicate(2000, 200, &[(200, &[0.6, 0.6]), (200, &[0.1, 0.1])]);
    let coverage = s.coverage();
    let bias = s.mean / 400.0 - 1.0;
    println!(
        "2 positively dependent sources: coverage {:.1} %, mean estimate {:.1} (bias {:+.1} %)",
        100.0 * coverage,
        s.mean,
        100.0 * bias
    );
    assert!(bias < -0.2, "the known underestimate: mean {}", s.mean);
    assert!(coverage < 0.5, "coverage {coverage}");
}
