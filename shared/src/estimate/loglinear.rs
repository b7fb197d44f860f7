//! Log-linear Poisson models for three to six sources (domain.md §8), fitted by maximum
//! likelihood with iteratively reweighted least squares (IRLS; for the canonical log link this is
//! Newton's method).
//!
//! The data are the counts `y_h` of the `2^k − 1` observed histories `h` (empty cells included
//! as 0); history `h` is a bit mask, bit `i` set when source `i` saw the person. The model is
//! `log μ_h = β0 + Σ βi·h_i + Σ_{(i,j)∈S} γij·h_i·h_j`, and the persons no source saw are
//! `f0 = exp(β0)`, the model's value for the unobservable history 0.

/// The interaction pairs of a model, `(i, j)` with `i < j`, in candidate order.
pub type Interactions = Vec<(usize, usize)>;

/// The design matrix of one model: one row per observed history (mask 1 … 2^k − 1), one column
/// per parameter (intercept, the k main effects, then the interactions in order).
#[derive(Debug, Clone)]
pub struct Design {
    k: usize,
    p: usize,
    /// Row-major, entries 0 or 1.
    x: Vec<f64>,
    /// The columns that are 1, per row (the fit works on these only).
    active: Vec<Vec<usize>>,
    interactions: Interactions,
}

impl Design {
    pub fn new(k: usize, interactions: &[(usize, usize)]) -> Design {
        let p = 1 + k + interactions.len();
        let rows = (1usize << k) - 1;
        let mut x = Vec::with_capacity(rows * p);
        let bit = |mask: usize, i: usize| mask >> i & 1 == 1;
        for mask in 1..(1usize << k) {
            x.push(1.0);
            x.extend((0..k).map(|i| f64::from(u8::from(bit(mask, i)))));
            x.extend(interactions.iter().map(|&(i, j)| f64::from(u8::from(bit(mask, i) && bit(mask, j)))));
        }
        let active = x.chunks(p).map(|row| (0..p).filter(|&c| row[c] != 0.0).collect()).collect();
        Design { k, p, x, active, interactions: interactions.to_vec() }
    }

    /// Number of sources.
    pub fn sources(&self) -> usize {
        self.k
    }

    /// Number of parameters `p` (what AIC counts).
    pub fn parameters(&self) -> usize {
        self.p
    }

    /// Number of observed histories, `2^k − 1`.
    pub fn cells(&self) -> usize {
        (1usize << self.k) - 1
    }

    pub fn interactions(&self) -> &[(usize, usize)] {
        &self.interactions
    }

    /// Row `r` of the design matrix (history `r + 1`).
    pub fn row(&self, r: usize) -> &[f64] {
        &self.x[r * self.p..(r + 1) * self.p]
    }
}

/// A converged fit.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelFit {
    /// `β0`, the main effects, then the interactions.
    pub beta: Vec<f64>,
    /// Fitted `μ_h` of the observed histories (mask 1 … 2^k − 1).
    pub fitted: Vec<f64>,
    /// Poisson log-likelihood without the constant `−Σ ln y!`: `Σ (y·ln μ − μ)`.
    pub loglik: f64,
    /// Persons no source saw, `exp(β0)`.
    pub unseen: f64,
    /// `2p − 2·loglik`.
    pub aic: f64,
}

const MAX_ITERATIONS: usize = 100;
/// After this many iterations with a settled likelihood, parameters still moving are taken to
/// drift off to infinity (an estimate on the boundary, e.g. an empty overlap).
const DRIFT_ITERATIONS: usize = 30;

/// Fits the model to the counts `y` of the observed histories (`y.len() == design.cells()`).
///
/// `None` when the fit does not converge or `β0` diverges upwards (the unseen cell is not
/// bounded by the data, e.g. a source that overlaps no other under this model). A `β0` that
/// drifts downwards is the boundary estimate `f0 → 0` and is kept.
pub fn fit(design: &Design, y: &[f64]) -> Option<ModelFit> {
    fit_from(design, y, None)
}

/// [`fit`] starting from the parameters `start` instead of statsmodels' starting values (the
/// bootstrap refits start from the original fit: the same maximum, found in fewer steps).
pub fn fit_from(design: &Design, y: &[f64], start: Option<&[f64]>) -> Option<ModelFit> {
    let (n, p) = (design.cells(), design.p);
    debug_assert_eq!(y.len(), n);
    let total: f64 = y.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let mut h = vec![0.0; p * p];
    let mut g = vec![0.0; p];
    let mut mu = vec![0.0; n];

    let mut beta = match start {
        Some(start) => start.to_vec(),
        None => {
            // Start as statsmodels does: μ = (y + ȳ)/2, then one weighted least-squares step
            // on the working response z = ln μ + (y − μ)/μ with weights μ.
            let mean = total / n as f64;
            for (m, &v) in mu.iter_mut().zip(y) {
                *m = (v + mean) / 2.0;
            }
            normal_equations(design, &mu, |r, m| m.ln() + (y[r] - m) / m, &mut h, &mut g);
            if !solve(&mut h, &mut g, p) {
                return None;
            }
            g.clone()
        }
    };
    let mut ll = loglik(design, y, &beta, &mut mu);
    if !ll.is_finite() {
        return None;
    }
    let mut trial = vec![0.0; p];
    let mut settled = 0;
    for _ in 0..MAX_ITERATIONS {
        // Newton step: (Xᵀ diag(μ) X) Δ = Xᵀ (y − μ).
        normal_equations(design, &mu, |r, m| (y[r] - m) / m, &mut h, &mut g);
        if !solve(&mut h, &mut g, p) {
            return None;
        }
        // Step halving keeps every step uphill.
        let mut t = 1.0;
        let mut new_ll;
        loop {
            for ((b, &old), &d) in trial.iter_mut().zip(&beta).zip(&g) {
                *b = old + t * d;
            }
            new_ll = loglik(design, y, &trial, &mut mu);
            if (new_ll.is_finite() && new_ll >= ll - 1e-12 * (1.0 + ll.abs())) || t < 1e-8 {
                break;
            }
            t /= 2.0;
        }
        if !new_ll.is_finite() {
            return None;
        }
        let step = g.iter().fold(0.0f64, |a, d| a.max((t * d).abs()));
        let beta0_step = t * g[0];
        let ll_settled = (new_ll - ll).abs() <= 1e-12 * (1.0 + new_ll.abs());
        std::mem::swap(&mut beta, &mut trial);
        ll = new_ll;
        if ll_settled && step <= 1e-9 {
            return finish(design, beta, mu, ll);
        }
        if ll_settled {
            settled += 1;
            if settled >= DRIFT_ITERATIONS {
                // The likelihood no longer changes but some parameters run off. Only an
                // upward β0 makes the estimate unbounded.
                return (beta0_step <= 1e-6).then(|| finish(design, beta, mu, ll)).flatten();
            }
        } else {
            settled = 0;
        }
    }
    None
}

fn finish(design: &Design, beta: Vec<f64>, fitted: Vec<f64>, loglik: f64) -> Option<ModelFit> {
    let unseen = beta[0].exp();
    if !unseen.is_finite() {
        return None;
    }
    let aic = 2.0 * design.p as f64 - 2.0 * loglik;
    Some(ModelFit { beta, fitted, loglik, unseen, aic })
}

/// `μ = exp(Xβ)` into `mu`, and the log-likelihood without constant.
fn loglik(design: &Design, y: &[f64], beta: &[f64], mu: &mut [f64]) -> f64 {
    let mut ll = 0.0;
    for ((m, active), &yr) in mu.iter_mut().zip(&design.active).zip(y) {
        let mut eta = 0.0;
        for &c in active {
            eta += beta[c];
        }
        *m = eta.exp();
        ll += if yr > 0.0 { yr * eta - *m } else { -*m };
    }
    ll
}

/// `h = Xᵀ diag(w) X` and `g = Xᵀ diag(w) z` with `z_r = z(r, w_r)`.
fn normal_equations(design: &Design, w: &[f64], z: impl Fn(usize, f64) -> f64, h: &mut [f64], g: &mut [f64]) {
    let p = design.p;
    h.fill(0.0);
    g.fill(0.0);
    for (r, (&wr, active)) in w.iter().zip(&design.active).enumerate() {
        let zr = wr * z(r, wr);
        // `active` is ascending, so `b ≤ a` fills the lower triangle.
        for (ia, &a) in active.iter().enumerate() {
            g[a] += zr;
            for &b in &active[..=ia] {
                h[a * p + b] += wr;
            }
        }
    }
}

/// Solves `h·v = g` in place (`g` becomes `v`) by Cholesky; `h` holds its lower triangle. A tiny
/// ridge is tried once when the matrix is numerically singular. `false` when that fails too.
fn solve(h: &mut [f64], g: &mut [f64], p: usize) -> bool {
    let max_diag = (0..p).fold(0.0f64, |a, i| a.max(h[i * p + i]));
    if !(max_diag > 0.0 && max_diag.is_finite()) {
        return false;
    }
    let original: Vec<f64> = h.to_vec();
    for ridge in [0.0, 1e-12 * max_diag] {
        h.copy_from_slice(&original);
        for i in 0..p {
            h[i * p + i] += ridge;
        }
        if cholesky(h, p) {
            // Forward then backward substitution with L (lower triangle of h).
            for i in 0..p {
                let s: f64 = (0..i).map(|j| h[i * p + j] * g[j]).sum();
                g[i] = (g[i] - s) / h[i * p + i];
            }
            for i in (0..p).rev() {
                let s: f64 = (i + 1..p).map(|j| h[j * p + i] * g[j]).sum();
                g[i] = (g[i] - s) / h[i * p + i];
            }
            return g.iter().all(|v| v.is_finite());
        }
    }
    false
}

/// In-place Cholesky factorisation `h = L·Lᵀ` of the lower triangle.
fn cholesky(h: &mut [f64], p: usize) -> bool {
    for j in 0..p {
        let d = h[j * p + j] - (0..j).map(|k| h[j * p + k] * h[j * p + k]).sum::<f64>();
        if d.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            return false;
        }
        let d = d.sqrt();
        h[j * p + j] = d;
        for i in j + 1..p {
            let s = h[i * p + j] - (0..j).map(|k| h[i * p + k] * h[j * p + k]).sum::<f64>();
            h[i * p + j] = s / d;
        }
    }
    true
}

/// The candidate models for `k` sources, in order: independence, each single pair `(i, j)`
/// (lexicographic), all pairs.
pub fn candidates(k: usize) -> Vec<Interactions> {
    let pairs: Interactions = (0..k).flat_map(|i| (i + 1..k).map(move |j| (i, j))).collect();
    let mut models = vec![Vec::new()];
    models.extend(pairs.iter().map(|&pair| vec![pair]));
    models.push(pairs);
    models
}

/// One candidate and its fit (`None`: takes no part in the choice).
#[derive(Debug, Clone)]
pub struct Candidate {
    pub design: Design,
    pub fit: Option<ModelFit>,
}

/// Fits every candidate model to `y` (the counts of histories 1 … 2^k − 1).
pub fn fit_candidates(k: usize, y: &[f64]) -> Vec<Candidate> {
    candidates(k)
        .into_iter()
        .map(|s| {
            let design = Design::new(k, &s);
            let fit = fit(&design, y);
            Candidate { design, fit }
        })
        .collect()
}

/// The index of the candidate with the smallest AIC; ties (within 1e-9) go to fewer
/// parameters, then to the earlier candidate. `None` when no candidate has a fit.
pub fn choose(candidates: &[Candidate]) -> Option<usize> {
    let mut best: Option<(usize, f64, usize)> = None;
    for (i, c) in candidates.iter().enumerate() {
        let Some(fit) = &c.fit else { continue };
        let p = c.design.parameters();
        let better = match best {
            None => true,
            Some((_, aic, bp)) => {
                let tie = (fit.aic - aic).abs() <= 1e-9 * (1.0 + aic.abs());
                if tie {
                    p < bp
                } else {
                    fit.aic < aic
                }
            }
        };
        if better {
            best = Some((i, fit.aic, p));
        }
    }
    best.map(|(i, _, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_for_three_and_five_sources() {
        let c = candidates(3);
        assert_eq!(c.len(), 5);
        assert_eq!(c[0], vec![]);
        assert_eq!(c[1], vec![(0, 1)]);
        assert_eq!(c[4], vec![(0, 1), (0, 2), (1, 2)]);
        assert_eq!(candidates(5).len(), 1 + 10 + 1);
    }

    #[test]
    fn independence_fit_of_an_exactly_independent_table_recovers_the_unseen() {
        // N = 1000, p = (0.5, 0.4, 0.2): expected cell counts, a perfect independence table.
        let p = [0.5, 0.4, 0.2];
        let cell = |mask: usize| {
            1000.0 * (0..3).map(|i| if mask >> i & 1 == 1 { p[i] } else { 1.0 - p[i] }).product::<f64>()
        };
        let y: Vec<f64> = (1..8).map(cell).collect();
        let fit = fit(&Design::new(3, &[]), &y).expect("a fit");
        assert!((fit.unseen - cell(0)).abs() < 1e-8, "{}", fit.unseen);
    }

    #[test]
    fn a_source_overlapping_no_other_makes_the_pair_model_unbounded() {
        // Source 0 overlaps nobody; 1 and 2 overlap. Under a model with a (1,2) interaction the
        // overlap of source 0 carries all the information, and it is empty: β0 → +∞.
        let mut y = vec![0.0; 7];
        y[0b001 - 1] = 30.0;
        y[0b010 - 1] = 40.0;
        y[0b100 - 1] = 35.0;
        y[0b110 - 1] = 12.0;
        assert!(fit(&Design::new(3, &[(1, 2)]), &y).is_none());
        // Independence still has a finite answer (sources 1 and 2 carry it).
        assert!(fit(&Design::new(3, &[]), &y).is_some());
    }
}
