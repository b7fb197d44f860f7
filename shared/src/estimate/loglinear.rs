//! Log-linear Poisson models for three to six sources (domain.md §8), fitted by maximum
//! likelihood with iteratively reweighted least squares (IRLS; for the canonical log link this is
//! Newton's method).
//!
//! The data are the counts `y_h` of the `2^k − 1` observed histories `h` (empty cells included
//! as 0); history `h` is a bit mask, bit `i` set when source `i` saw the person. The model is
//! `log μ_h = β0 + Σ βi·h_i + Σ_{(i,j)∈S} γij·h_i·h_j`, and the persons no source saw are
//! `f0 = exp(β0)`, the model's value for the unobservable history 0.
//!
//! The bootstrap fits tens of thousands of models per estimate, so the fit works in a reusable
//! [`Fitter`] (no allocation once its buffers have grown) and on the columns that are 1 per row.

/// The interaction pairs of a model, `(i, j)` with `i < j`, sorted.
pub type Interactions = Vec<(usize, usize)>;

/// The design matrix of one model: one row per observed history (mask 1 … 2^k − 1), one column
/// per parameter (intercept, the k main effects, then the interactions in order).
#[derive(Debug, Clone)]
pub struct Design {
    k: usize,
    p: usize,
    /// The columns that are 1, per row, ascending (all other entries are 0).
    active: Vec<Vec<usize>>,
    interactions: Interactions,
}

impl Design {
    pub fn new(k: usize, interactions: &[(usize, usize)]) -> Design {
        let p = 1 + k + interactions.len();
        let bit = |mask: usize, i: usize| mask >> i & 1 == 1;
        let active = (1..(1usize << k))
            .map(|mask| {
                let mut row = vec![0];
                row.extend((0..k).filter(|&i| bit(mask, i)).map(|i| 1 + i));
                row.extend(
                    interactions
                        .iter()
                        .enumerate()
                        .filter(|(_, &(i, j))| bit(mask, i) && bit(mask, j))
                        .map(|(t, _)| 1 + k + t),
                );
                row
            })
            .collect();
        Design { k, p, active, interactions: interactions.to_vec() }
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

    /// Row `r` of the design matrix (history `r + 1`), as 0/1 entries.
    pub fn row(&self, r: usize) -> Vec<f64> {
        let mut row = vec![0.0; self.p];
        for &c in &self.active[r] {
            row[c] = 1.0;
        }
        row
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

/// What the model choice needs of a converged fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub loglik: f64,
    pub unseen: f64,
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

/// [`fit`] starting from the parameters `start` instead of statsmodels' starting values.
pub fn fit_from(design: &Design, y: &[f64], start: Option<&[f64]>) -> Option<ModelFit> {
    let mut fitter = Fitter::default();
    let s = fitter.fit(design, y, start)?;
    Some(ModelFit {
        beta: fitter.beta().to_vec(),
        fitted: fitter.fitted().to_vec(),
        loglik: s.loglik,
        unseen: s.unseen,
        aic: s.aic,
    })
}

/// The buffers of a fit, kept between fits.
#[derive(Debug, Clone, Default)]
pub struct Fitter {
    h: Vec<f64>,
    spare: Vec<f64>,
    g: Vec<f64>,
    mu: Vec<f64>,
    beta: Vec<f64>,
    trial: Vec<f64>,
}

impl Fitter {
    /// The parameters of the last converged fit.
    pub fn beta(&self) -> &[f64] {
        &self.beta
    }

    /// The fitted `μ_h` of the last converged fit.
    pub fn fitted(&self) -> &[f64] {
        &self.mu
    }

    /// Fits `design` to `y` (see [`fit`]), from `start` when given (same length as the
    /// parameters: the bootstrap starts each model from its fit to the original data, the same
    /// maximum found in fewer steps).
    pub fn fit(&mut self, design: &Design, y: &[f64], start: Option<&[f64]>) -> Option<Summary> {
        let (n, p) = (design.cells(), design.p);
        debug_assert_eq!(y.len(), n);
        let total: f64 = y.iter().sum();
        if total <= 0.0 {
            return None;
        }
        for v in [&mut self.h, &mut self.spare] {
            v.clear();
            v.resize(p * p, 0.0);
        }
        for v in [&mut self.g, &mut self.beta, &mut self.trial] {
            v.clear();
            v.resize(p, 0.0);
        }
        self.mu.clear();
        self.mu.resize(n, 0.0);
        let Fitter { h, spare, g, mu, beta, trial } = self;

        match start {
            Some(start) if start.len() == p => beta.copy_from_slice(start),
            _ => {
                // Start as statsmodels does: μ = (y + ȳ)/2, then one weighted least-squares step
                // on the working response z = ln μ + (y − μ)/μ with weights μ.
                let mean = total / n as f64;
                for (m, &v) in mu.iter_mut().zip(y) {
                    *m = (v + mean) / 2.0;
                }
                normal_equations(design, mu, |r, m| m.ln() + (y[r] - m) / m, h, g);
                if !solve(h, spare, g, p) {
                    return None;
                }
                beta.copy_from_slice(g);
            }
        }
        let mut ll = loglik(design, y, beta, mu);
        if !ll.is_finite() {
            return None;
        }
        let mut settled = 0;
        for _ in 0..MAX_ITERATIONS {
            // Newton step: (Xᵀ diag(μ) X) Δ = Xᵀ (y − μ).
            normal_equations(design, mu, |r, m| (y[r] - m) / m, h, g);
            if !solve(h, spare, g, p) {
                return None;
            }
            // Step halving keeps every step uphill.
            let mut t = 1.0;
            let mut new_ll;
            loop {
                for ((b, &old), &d) in trial.iter_mut().zip(beta.iter()).zip(g.iter()) {
                    *b = old + t * d;
                }
                new_ll = loglik(design, y, trial, mu);
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
            std::mem::swap(beta, trial);
            ll = new_ll;
            // Newton converges quadratically: after a step this small the error is far below
            // what the AIC choice or N can tell apart.
            if ll_settled && step <= 1e-7 {
                return summary(design, y, beta, ll);
            }
            if ll_settled {
                settled += 1;
                if settled >= DRIFT_ITERATIONS {
                    // The likelihood no longer changes but some parameters run off. Only an
                    // upward β0 makes the estimate unbounded.
                    return (beta0_step <= 1e-6).then(|| summary(design, y, beta, ll)).flatten();
                }
            } else {
                settled = 0;
            }
        }
        None
    }
}

/// How many times the observed persons the unseen may be before `β0` counts as diverged: a
/// model with an empty overlap can settle (steps below the tolerance) at a `β0` of 40 or more,
/// an estimate of 10^18 that the data do not bound. No real estimate comes near this factor.
const MAX_UNSEEN_PER_OBSERVED: f64 = 1e6;

fn summary(design: &Design, y: &[f64], beta: &[f64], loglik: f64) -> Option<Summary> {
    let unseen = beta[0].exp();
    let observed: f64 = y.iter().sum();
    if !unseen.is_finite() || unseen > MAX_UNSEEN_PER_OBSERVED * (observed + 1.0) {
        return None;
    }
    let aic = 2.0 * design.p as f64 - 2.0 * loglik;
    Some(Summary { loglik, unseen, aic })
}

/// `μ = exp(Xβ)` into `mu`, and the log-likelihood without constant.
fn loglik(design: &Design, y: &[f64], beta: &[f64], mu: &mut [f64]) -> f64 {
    let mut ll = 0.0;
    for ((m, active), &yr) in mu.iter_mut().zip(&design.active).zip(y) {
        let eta: f64 = active.iter().map(|&c| beta[c]).sum();
        *m = eta.exp();
        ll += if yr > 0.0 { yr * eta - *m } else { -*m };
    }
    ll
}

/// `h = Xᵀ diag(w) X` (lower triangle) and `g = Xᵀ diag(w) z` with `z_r = z(r, w_r)`.
fn normal_equations(design: &Design, w: &[f64], z: impl Fn(usize, f64) -> f64, h: &mut [f64], g: &mut [f64]) {
    let p = design.p;
    h.fill(0.0);
    g.fill(0.0);
    for (r, (&wr, active)) in w.iter().zip(&design.active).enumerate() {
        let zr = wr * z(r, wr);
        // `active` is ascending, so `b ≤ a` fills the lower triangle.
        for (ia, &a) in active.iter().enumerate() {
            g[a] += zr;
            let row = &mut h[a * p..a * p + p];
            for &b in &active[..=ia] {
                row[b] += wr;
            }
        }
    }
}

/// Solves `h·v = g` in place (`g` becomes `v`) by Cholesky; `h` holds its lower triangle and
/// `spare` is scratch of the same size. A tiny ridge is tried once when the matrix is
/// numerically singular. `false` when that fails too.
fn solve(h: &mut [f64], spare: &mut [f64], g: &mut [f64], p: usize) -> bool {
    let max_diag = (0..p).fold(0.0f64, |a, i| a.max(h[i * p + i]));
    if !(max_diag > 0.0 && max_diag.is_finite()) {
        return false;
    }
    spare.copy_from_slice(h);
    for ridge in [0.0, 1e-12 * max_diag] {
        h.copy_from_slice(spare);
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn a_warm_start_reaches_the_same_maximum_and_a_fitter_is_reusable() {
        let y = [78.0, 67.0, 62.0, 127.0, 50.0, 39.0, 35.0];
        let design = Design::new(3, &[(0, 1), (1, 2)]);
        let cold = fit(&design, &y).expect("a fit");
        let mut fitter = Fitter::default();
        let other = Design::new(3, &[]);
        let first = fitter.fit(&other, &y, None).expect("a fit");
        let warm = fitter.fit(&design, &y, Some(&cold.beta)).expect("a fit");
        assert!((warm.unseen - cold.unseen).abs() < 1e-8);
        assert!((warm.aic - cold.aic).abs() < 1e-8);
        assert_eq!(fitter.beta().len(), design.parameters());
        assert!(first.aic > cold.aic - 10.0);
        assert_eq!(design.row(6), vec![1.0, 1.0, 1.0, 1.0, 1.0, 1.0]);
        assert_eq!(design.row(0), vec![1.0, 1.0, 0.0, 0.0, 0.0, 0.0]);
    }
}
