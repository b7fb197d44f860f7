//! The model space of domain.md §8 and the choice in it: for `k = 3` and `4` every set of
//! two-way interactions (8 and 64 models), for `k = 5` and `6` a stepwise search over the same
//! space. The smallest AIC wins; ties (within 1e-9, relative) go to fewer parameters, then to the
//! smaller sorted list of pairs. A model whose fit does not converge or whose `β0` diverges
//! takes no part.
//!
//! A model is a bit set over the `k(k−1)/2` pairs `(i, j)`, `i < j`, numbered in lexicographic
//! order, so comparing two sets' ascending pair numbers compares their sorted pair lists.
//! [`Selector`] keeps the designs, the fit buffers and — once [`Selector::learn`] has run on the
//! original data — each model's parameters as the starting point of its bootstrap refits.

use super::loglinear::{Design, Fitter, Interactions, ModelFit, Summary};
use std::cmp::Ordering;
use std::collections::HashMap;

/// A set of interaction pairs: bit `t` is pair number `t` of [`pairs`].
pub type ModelSet = u32;

/// Up to this many sources every model is fitted; above it the stepwise search.
pub const EXHAUSTIVE_UP_TO: usize = 4;

/// The pairs `(i, j)`, `i < j < k`, in lexicographic order.
pub fn pairs(k: usize) -> Vec<(usize, usize)> {
    (0..k).flat_map(|i| (i + 1..k).map(move |j| (i, j))).collect()
}

/// The interactions of `set`, sorted.
pub fn interactions(k: usize, set: ModelSet) -> Interactions {
    pairs(k).into_iter().enumerate().filter(|(t, _)| set >> t & 1 == 1).map(|(_, p)| p).collect()
}

/// The set of `interactions` (each a pair of [`pairs`]`(k)`); `None` for a pair out of range.
pub fn set_of(k: usize, interactions: &[(usize, usize)]) -> Option<ModelSet> {
    let all = pairs(k);
    interactions.iter().try_fold(0, |set, p| all.iter().position(|q| q == p).map(|t| set | 1 << t))
}

/// The tie order of §8: fewer parameters, then the smaller sorted list of pairs.
pub fn tie_order(a: ModelSet, b: ModelSet) -> Ordering {
    a.count_ones().cmp(&b.count_ones()).then_with(|| {
        // Same number of pairs: the first pair in which the sorted lists differ decides, and the
        // list holding the lower-numbered one is the smaller.
        let differ = a ^ b;
        if differ == 0 {
            Ordering::Equal
        } else if a & (differ & differ.wrapping_neg()) != 0 {
            Ordering::Less
        } else {
            Ordering::Greater
        }
    })
}

/// Whether model `a` with AIC `aic_a` is preferred to `b` with `aic_b`.
pub fn better(a: ModelSet, aic_a: f64, b: ModelSet, aic_b: f64) -> bool {
    let both_finite = aic_a.is_finite() && aic_b.is_finite();
    if both_finite && (aic_a - aic_b).abs() <= 1e-9 * (1.0 + aic_a.abs().max(aic_b.abs())) {
        tie_order(a, b) == Ordering::Less
    } else {
        aic_a < aic_b
    }
}

/// The chosen model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Choice {
    pub set: ModelSet,
    pub fit: Summary,
}

#[derive(Debug, Clone)]
struct Model {
    design: Design,
    /// The parameters fitted to the original data: the bootstrap's starting point.
    start: Option<Vec<f64>>,
}

/// Chooses models for one number of sources, reusing designs and buffers between data sets.
#[derive(Debug, Clone)]
pub struct Selector {
    k: usize,
    models: HashMap<ModelSet, Model>,
    fitter: Fitter,
    /// Whether fits keep their parameters as starting points ([`Selector::learn`]).
    learning: bool,
    /// The fits of the current data (the stepwise search meets models again).
    seen: Vec<(ModelSet, Option<Summary>)>,
}

impl Selector {
    /// A selector for `k` sources (3 to 6).
    pub fn new(k: usize) -> Selector {
        Selector { k, models: HashMap::new(), fitter: Fitter::default(), learning: false, seen: Vec::new() }
    }

    pub fn sources(&self) -> usize {
        self.k
    }

    /// The model choice for the counts `y` of histories 1 … 2^k − 1; `None` when no model
    /// converges.
    pub fn choose(&mut self, y: &[f64]) -> Option<Choice> {
        self.seen.clear();
        if self.k <= EXHAUSTIVE_UP_TO {
            let mut best: Option<Choice> = None;
            for set in 0..(1 << (self.k * (self.k - 1) / 2)) {
                if let Some(fit) = self.fit(set, y) {
                    if best.is_none_or(|b| better(set, fit.aic, b.set, b.fit.aic)) {
                        best = Some(Choice { set, fit });
                    }
                }
            }
            best
        } else {
            self.stepwise(y)
        }
    }

    /// [`Selector::choose`] on the original data, keeping every converged model's parameters
    /// as the starting point of its later fits (the bootstrap's); returns the choice with the
    /// chosen model's full fit.
    pub fn learn(&mut self, y: &[f64]) -> Option<(Choice, ModelFit)> {
        self.learning = true;
        let choice = self.choose(y);
        self.learning = false;
        let choice = choice?;
        let model = self.models.get(&choice.set)?;
        // The same computation as during the choice (from statsmodels' start), so the same fit.
        let full = super::loglinear::fit(&model.design, y)?;
        Some((choice, full))
    }

    /// The design of `set` (built on first use).
    pub fn design(&mut self, set: ModelSet) -> &Design {
        &self.model(set).design
    }

    fn model(&mut self, set: ModelSet) -> &mut Model {
        let k = self.k;
        self.models
            .entry(set)
            .or_insert_with(|| Model { design: Design::new(k, &interactions(k, set)), start: None })
    }

    /// The fit of one model to `y`, remembered for the current data.
    fn fit(&mut self, set: ModelSet, y: &[f64]) -> Option<Summary> {
        let stepwise = self.k > EXHAUSTIVE_UP_TO;
        if stepwise {
            if let Some(&(_, known)) = self.seen.iter().find(|(s, _)| *s == set) {
                return known;
            }
        }
        let learning = self.learning;
        self.model(set);
        let Selector { models, fitter, .. } = self;
        let model = models.get_mut(&set)?;
        let start = if learning { None } else { model.start.as_deref() };
        let mut fit = fitter.fit(&model.design, y, start);
        if fit.is_none() && start.is_some() {
            // A start on the boundary (parameters that ran off in the original data) can fail
            // where statsmodels' start does not.
            fit = fitter.fit(&model.design, y, None);
        }
        if learning && fit.is_some() {
            model.start = Some(fitter.beta().to_vec());
        }
        if stepwise {
            self.seen.push((set, fit));
        }
        fit
    }

    /// From independence, take among adding and removing one pair the change that lowers the
    /// AIC most (ties as in [`better`]); stop when none lowers it. Where independence itself
    /// does not converge, the first converging neighbour counts as a lowering.
    fn stepwise(&mut self, y: &[f64]) -> Option<Choice> {
        let pairs = self.k * (self.k - 1) / 2;
        let mut current: ModelSet = 0;
        let mut current_fit = self.fit(0, y);
        // Each step lowers the AIC, so no model comes back; the bound only guards the loop.
        for _ in 0..4 * pairs {
            let mut best: Option<Choice> = None;
            for t in 0..pairs {
                let set = current ^ (1 << t);
                if let Some(fit) = self.fit(set, y) {
                    if best.is_none_or(|b| better(set, fit.aic, b.set, b.fit.aic)) {
                        best = Some(Choice { set, fit });
                    }
                }
            }
            let Some(step) = best else { break };
            let lowers = match current_fit {
                None => true,
                Some(c) => step.fit.aic < c.aic - 1e-9 * (1.0 + c.aic.abs()),
            };
            if !lowers {
                break;
            }
            current = step.set;
            current_fit = Some(step.fit);
        }
        current_fit.map(|fit| Choice { set: current, fit })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_numbered_lexicographically_and_sets_round_trip() {
        assert_eq!(pairs(4), vec![(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]);
        assert_eq!(interactions(4, 0b100101), vec![(0, 1), (0, 3), (2, 3)]);
        assert_eq!(set_of(4, &[(0, 1), (0, 3), (2, 3)]), Some(0b100101));
        assert_eq!(set_of(3, &[(0, 3)]), None);
    }

    #[test]
    fn ties_go_to_fewer_pairs_then_to_the_smaller_sorted_list() {
        // {(0,1)} before {(0,1),(0,2)}: fewer parameters.
        assert_eq!(tie_order(0b001, 0b011), Ordering::Less);
        // {(0,1),(2,3)} = pairs 0 and 5 against {(0,2),(0,3)} = pairs 1 and 2: (0,1) < (0,2).
        assert_eq!(tie_order(0b100001, 0b000110), Ordering::Less);
        assert_eq!(tie_order(0b000110, 0b100001), Ordering::Greater);
        // {(0,2),(1,2)} against {(0,2),(0,3)}: the second pair decides, (0,3) < (1,2).
        assert_eq!(tie_order(0b001010, 0b000110), Ordering::Greater);
        assert_eq!(tie_order(0b1010, 0b1010), Ordering::Equal);
        assert!(!better(0b1, 100.0, 0b0, 100.0 + 1e-12), "a tie goes to independence");
        assert!(better(0b1, 100.0, 0b0, f64::INFINITY));
        assert!(better(0b1, 99.0, 0b0, 100.0));
    }

    #[test]
    fn three_sources_choose_among_all_eight_models() {
        // A table with a strong (0,1) and (1,2) dependence: the chosen model has both pairs,
        // which the old set (independence, one pair, all pairs) did not hold.
        let y = [78.0, 67.0, 62.0, 127.0, 50.0, 39.0, 35.0];
        let mut selector = Selector::new(3);
        let (choice, full) = selector.learn(&y).expect("a model");
        let mut fits = Vec::new();
        for set in 0..8 {
            if let Some(f) = super::super::loglinear::fit(&Design::new(3, &interactions(3, set)), &y) {
                fits.push((set, f.aic));
            }
        }
        assert_eq!(fits.len(), 8);
        let (best, aic) =
            fits.iter().copied().fold(
                (0, f64::INFINITY),
                |b, (s, a)| {
                    if better(s, a, b.0, b.1) {
                        (s, a)
                    } else {
                        b
                    }
                },
            );
        assert_eq!(choice.set, best);
        assert!((choice.fit.aic - aic).abs() < 1e-8);
        assert!((full.unseen - choice.fit.unseen).abs() < 1e-8);
        // A refit from the learnt starting points chooses the same.
        assert_eq!(selector.choose(&y).map(|c| c.set), Some(best));
    }
}
