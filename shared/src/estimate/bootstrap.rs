//! The parametric bootstrap interval of the log-linear estimate (domain.md §8), with the model
//! chosen again in every sample, and the exact samplers it needs. A fixed seed makes it deterministic: the same data give the same interval,
//! on the server and in the browser alike (the generator is plain integer arithmetic, portable
//! and without system entropy).

use super::loglinear::ModelFit;
use super::models::Selector;

/// xoshiro256++ (Blackman and Vigna 2018), seeded through SplitMix64: small, fast also in debug
/// builds, and of ample quality for a bootstrap.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub fn seed_from_u64(seed: u64) -> Rng {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        Rng { s: [next(), next(), next(), next()] }
    }

    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// A uniform number in the open interval (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }
}

/// Bootstrap samples.
pub const SAMPLES: usize = 999;
/// The fixed seed ("ETHOS" in ASCII).
pub const SEED: u64 = 0x45_54_48_4f_53;
/// More than this share of samples left out gives the warning `interval_unstable`.
pub const UNSTABLE_SHARE: f64 = 0.05;

/// The bootstrap interval of `N`, bounds not yet clamped at `M`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// `None` when no sample is left.
    pub lower: Option<f64>,
    /// `None` when unbounded (or no sample is left).
    pub upper: Option<f64>,
    /// Samples in which no model converged, left out of the interval.
    pub left_out: usize,
}

/// The 95 % interval of `N` by the parametric bootstrap (domain.md §8): `round(N)` persons are
/// drawn over all `2^k` histories with the probabilities of `fitted`, the unseen are dropped,
/// the model is chosen again by `selector` (all candidates, or the stepwise search) and its `N`
/// kept. Samples in which no model converges are left out and counted. Of the `n` others the
/// `round(0.025·(n + 1))`-th and `round(0.975·(n + 1))`-th smallest — the 25th and 975th of
/// 999 — are the bounds: the *percentile* interval that §8 prescribes.
///
/// With the model chosen again the bootstrap distribution is a mixture: the AIC adds a spurious
/// pair to an independence model about one time in six per pair (`P(χ²₁ > 2)`), whatever the
/// size and capture rates, and pair-model estimates are more variable and mostly higher. The
/// mixture's 2.5 % and 97.5 % points are set by its wide parts, so with three and four
/// independent sources this interval covered the truth in about 99 % of simulated counts —
/// conservative, above the 93–97 % of §8 — in every design measured but those where four
/// sources each see 60 % of the people (docs/estimate.md "How it is checked").
pub fn interval(selector: &mut Selector, fitted: &ModelFit) -> Interval {
    let estimates = samples(selector, fitted, SAMPLES, SEED);
    percentile(estimates, SAMPLES)
}

/// The percentile interval of the bootstrap estimates of the `drawn` samples, of which those in
/// `estimates` had a converging model: the `round(0.025·(n + 1))`-th and `round(0.975·(n + 1))`-th
/// smallest of the `n` estimates.
pub fn percentile(mut estimates: Vec<f64>, drawn: usize) -> Interval {
    let left_out = drawn.saturating_sub(estimates.len());
    estimates.sort_by(f64::total_cmp);
    let n = estimates.len();
    let at = |q: f64| {
        // No sample left (none converged): no bound, rather than a rank outside 1..=n.
        if n == 0 {
            return None;
        }
        let rank = (q * (n + 1) as f64).round().clamp(1.0, n as f64) as usize;
        estimates.get(rank - 1).copied().filter(|v| v.is_finite())
    };
    match (at(0.025), at(0.975)) {
        // A 975th that is not finite: no upper bound (the warning `interval_unbounded`).
        (Some(low), high) => Interval { lower: Some(low), upper: high, left_out },
        // No sample left, or even the 25th not finite: nothing to bound.
        (None, _) => Interval { lower: None, upper: None, left_out },
    }
}

/// The bootstrap estimates of `N` of the samples in which a model converged, unsorted (for
/// tests and benchmarks).
pub fn samples(selector: &mut Selector, fitted: &ModelFit, samples: usize, seed: u64) -> Vec<f64> {
    let cells = fitted.fitted.len();
    // Probabilities of history 0 (unseen) and 1 … 2^k − 1.
    let mut weights = Vec::with_capacity(cells + 1);
    weights.push(fitted.unseen);
    weights.extend_from_slice(&fitted.fitted);
    let total: f64 = weights.iter().sum();
    let probabilities: Vec<f64> = weights.iter().map(|w| w / total).collect();
    let n = total.round() as u64;

    let mut rng = Rng::seed_from_u64(seed);
    let mut counts = vec![0u64; cells + 1];
    let mut y = vec![0.0; cells];
    let mut estimates = Vec::with_capacity(samples);
    for _ in 0..samples {
        multinomial(&mut rng, n, &probabilities, &mut counts);
        for (v, &c) in y.iter_mut().zip(&counts[1..]) {
            *v = c as f64;
        }
        let observed: f64 = y.iter().sum();
        if let Some(choice) = selector.choose(&y) {
            estimates.push(observed + choice.fit.unseen);
        }
    }
    estimates
}

/// A standard normal number (Box–Muller).
fn normal(rng: &mut Rng) -> f64 {
    let (u, v) = (rng.uniform(), rng.uniform());
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// Gamma(shape, 1) for `shape ≥ 1` (Marsaglia and Tsang 2000, exact rejection).
fn gamma(rng: &mut Rng, shape: f64) -> f64 {
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(rng);
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u = rng.uniform();
        if u < 1.0 - 0.0331 * x * x * x * x || u.ln() < 0.5 * x * x + d * (1.0 - v + v.ln()) {
            return d * v;
        }
    }
}

/// Beta(a, b) for `a, b ≥ 1`.
fn beta(rng: &mut Rng, a: f64, b: f64) -> f64 {
    let x = gamma(rng, a);
    let y = gamma(rng, b);
    x / (x + y)
}

/// Below this many trials a binomial is drawn as a sum of Bernoulli trials.
const SMALL: u64 = 32;

/// Binomial(n, p), exactly: Knuth's order-statistic splitting (TAOCP vol. 2, 3.4.1 F). The
/// a-th smallest of n uniforms is Beta(a, n + 1 − a); the uniforms below p are then among the
/// a − 1 smaller ones (each below p with probability p/V) or are those a plus some of the
/// n − a larger ones.
pub(super) fn binomial(rng: &mut Rng, mut n: u64, mut p: f64) -> u64 {
    let mut k = 0;
    loop {
        if n == 0 || p <= 0.0 {
            return k;
        }
        if p >= 1.0 {
            return k + n;
        }
        if n <= SMALL {
            return k + inversion(rng, n, p);
        }
        let a = 1 + n / 2;
        let b = n + 1 - a;
        let v = beta(rng, a as f64, b as f64);
        if v >= p {
            n = a - 1;
            p /= v;
        } else {
            k += a;
            n = b - 1;
            p = (p - v) / (1.0 - v);
        }
    }
}

/// Binomial(n, p) for small `n` by inversion: one uniform, walked down the probabilities
/// `P(j + 1) = P(j)·(n − j)/(j + 1)·p/(1 − p)` (from the smaller side of `p`).
fn inversion(rng: &mut Rng, n: u64, p: f64) -> u64 {
    let flip = p > 0.5;
    let p = if flip { 1.0 - p } else { p };
    let odds = p / (1.0 - p);
    let mut prob = (1.0 - p).powi(n as i32);
    let mut u = rng.uniform();
    let mut j = 0;
    while u > prob && j < n {
        u -= prob;
        prob *= (n - j) as f64 / (j + 1) as f64 * odds;
        j += 1;
    }
    if flip {
        n - j
    } else {
        j
    }
}

/// Multinomial(n, probabilities) into `counts`, by conditional binomials.
fn multinomial(rng: &mut Rng, n: u64, probabilities: &[f64], counts: &mut [u64]) {
    let mut left = n;
    let mut mass = 1.0;
    let last = probabilities.len() - 1;
    for (i, (&p, c)) in probabilities.iter().zip(counts.iter_mut()).enumerate() {
        *c = if i == last || mass <= p { left } else { binomial(rng, left, (p / mass).clamp(0.0, 1.0)) };
        left -= *c;
        mass -= p;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomial_has_the_right_mean_and_variance() {
        let mut rng = Rng::seed_from_u64(7);
        for &(n, p) in &[(10u64, 0.3), (20, 0.8), (1000, 0.02), (30_000, 0.37), (5_000, 0.999)] {
            let draws: Vec<f64> = (0..20_000).map(|_| binomial(&mut rng, n, p) as f64).collect();
            let mean = draws.iter().sum::<f64>() / draws.len() as f64;
            let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (draws.len() - 1) as f64;
            let (m, v) = (n as f64 * p, n as f64 * p * (1.0 - p));
            // Five standard errors of the mean; 5 % on the variance.
            assert!((mean - m).abs() < 5.0 * (v / draws.len() as f64).sqrt(), "n={n} p={p} mean={mean}");
            assert!((var / v - 1.0).abs() < 0.05, "n={n} p={p} var={var} expected {v}");
        }
    }

    #[test]
    fn estimate_interval_is_the_25th_and_975th_of_the_999_sorted_bootstrap_estimates() {
        // domain.md §8: the percentile interval. The samples are drawn again here with the same
        // seed and the model chosen again in each, and the bounds of the whole estimate must be
        // exactly their 25th and 975th — not, e.g., the basic interval `[2N − q975, 2N − q25]`.
        let table: [(&[&str], u64); 7] = [
            (&["care"], 80),
            (&["police"], 55),
            (&["shelter"], 95),
            (&["care", "police"], 18),
            (&["care", "shelter"], 30),
            (&["police", "shelter"], 14),
            (&["care", "police", "shelter"], 6),
        ];
        let people = table.iter().flat_map(|&(h, n)| (0..n).map(move |_| (true, h.iter().copied())));
        let cap = crate::estimate::Captures::from_people(people);
        let f = crate::estimate::fit(&cap).expect("an estimate");
        let y: Vec<f64> = cap.cells()[1..].iter().map(|&c| c as f64).collect();
        let mut selector = Selector::new(cap.k());
        let (_, chosen) = selector.learn(&y).expect("a model");
        let mut samples = samples(&mut selector, &chosen, SAMPLES, SEED);
        assert_eq!(samples.len(), 999, "every sample has a converging model");
        samples.sort_by(f64::total_cmp);
        let (q25, q975) = (samples[24], samples[974]);
        assert!(q25 > 298.0, "{q25}: above M = 298, so not clamped");
        assert_eq!((f.lower, f.upper), (Some(q25), Some(q975)));
        assert_eq!(samples.iter().filter(|&&s| s < q25).count(), 24, "24 samples below the lower bound");
        assert_eq!(samples.iter().filter(|&&s| s > q975).count(), 24, "and 24 above the upper bound");
        assert!((2.0 * f.estimate - q975 - q25).abs() > 1.0, "not the basic interval");
    }

    #[test]
    fn percentile_takes_the_25th_and_975th_of_999() {
        // 1, 2, …, 999 in a scrambled order: the 25th is 25, the 975th 975.
        let estimates: Vec<f64> = (0..999u32).map(|i| f64::from((i * 38) % 999 + 1)).collect();
        let i = percentile(estimates, SAMPLES);
        assert_eq!((i.lower, i.upper, i.left_out), (Some(25.0), Some(975.0), 0));
    }

    #[test]
    fn percentile_counts_the_left_out_and_ranks_among_the_rest() {
        // 949 of 999 converged: ranks round(0.025·950) = 24 and round(0.975·950) = 926.
        let estimates: Vec<f64> = (1..=949u32).rev().map(f64::from).collect();
        let i = percentile(estimates, SAMPLES);
        assert_eq!((i.lower, i.upper, i.left_out), (Some(24.0), Some(926.0), 50));
        // None left: no bounds at all.
        assert_eq!(percentile(Vec::new(), SAMPLES), Interval { lower: None, upper: None, left_out: 999 });
    }

    #[test]
    fn percentile_without_a_finite_975th_is_unbounded_above() {
        let mut estimates: Vec<f64> = (1..=999u32).map(f64::from).collect();
        for e in estimates.iter_mut().skip(960) {
            *e = f64::INFINITY;
        }
        let i = percentile(estimates, SAMPLES);
        assert_eq!((i.lower, i.upper), (Some(25.0), None), "the lower bound stays, the upper is null");
    }

    #[test]
    fn multinomial_sums_to_n() {
        let mut rng = Rng::seed_from_u64(1);
        let mut counts = vec![0; 4];
        multinomial(&mut rng, 1234, &[0.1, 0.2, 0.3, 0.4], &mut counts);
        assert_eq!(counts.iter().sum::<u64>(), 1234);
    }
}
