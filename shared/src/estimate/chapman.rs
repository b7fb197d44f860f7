//! Two sources: Chapman's estimator (Chapman 1951) with Chao's log-normal 95 % interval
//! (Chao 1987), as domain.md §8 writes them.

/// The normal quantile of a two-sided 95 % interval.
pub const Z95: f64 = 1.96;

/// Chapman's estimate and its interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chapman {
    /// `M = n1 + n2 − m`, the persons seen.
    pub observed: f64,
    /// `N = (n1+1)(n2+1)/(m+1) − 1`.
    pub estimate: f64,
    /// `var = (n1+1)(n2+1)(n1−m)(n2−m) / ((m+1)²(m+2))`.
    pub variance: f64,
    pub lower: f64,
    pub upper: f64,
}

/// `n1`, `n2`: persons seen by each source; `m`: by both (`m ≤ min(n1, n2)`).
pub fn chapman(n1: u64, n2: u64, m: u64) -> Chapman {
    debug_assert!(m <= n1.min(n2));
    let (n1, n2, m) = (n1 as f64, n2 as f64, m as f64);
    let observed = n1 + n2 - m;
    let estimate = (n1 + 1.0) * (n2 + 1.0) / (m + 1.0) - 1.0;
    let variance = (n1 + 1.0) * (n2 + 1.0) * (n1 - m) * (n2 - m) / ((m + 1.0).powi(2) * (m + 2.0));
    // f0 = (n1 − m)(n2 − m)/(m + 1) ≥ 0; computed so, it is exactly 0 when one source holds the other.
    let f0 = (n1 - m) * (n2 - m) / (m + 1.0);
    let (lower, upper) = if f0 > 0.0 {
        let c = (Z95 * (1.0 + variance / (f0 * f0)).ln().sqrt()).exp();
        (observed + f0 / c, observed + f0 * c)
    } else {
        (observed, observed)
    };
    Chapman { observed, estimate, variance, lower, upper }
}
