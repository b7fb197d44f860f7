//! The last estimates made, by what they were made of.
//!
//! An estimate with its bootstrap takes about a second over five sources, and it is a pure
//! function of the capture histories, the source definition and the disclosure (the bootstrap
//! has a fixed seed). Once a count is closed its histories no longer change, while the report
//! page, its exports and the estimate page are opened again and again: each of those asks for
//! the same estimate. So the last few are kept with their whole input and given again when the
//! input is equal; any other input is estimated anew. Nothing is kept that the input does not
//! determine, so a kept answer is never stale.

use ethos_shared::estimate::{estimate, Captures, Estimate, NoEstimate, SourceBy};
use ethos_shared::report::Disclosure;
use std::sync::{Mutex, PoisonError};

/// How many answers are kept: a few counts, each with both disclosures and source definitions.
const KEPT: usize = 8;

type Input = (Captures, SourceBy, Disclosure);
type Answer = Result<Estimate, NoEstimate>;

/// The kept answers, the latest last.
static KEPT_ANSWERS: Mutex<Vec<(Input, Answer)>> = Mutex::new(Vec::new());

/// [`estimate`] of the input, given again where the same input was estimated lately.
pub(crate) fn estimate_memo(captures: Captures, by: SourceBy, disclosure: Disclosure) -> Answer {
    let input = (captures, by, disclosure);
    if let Some(answer) = kept(&input) {
        return answer;
    }
    // Estimated without holding the lock: other estimates go on meanwhile.
    let answer = estimate(&input.0, by, disclosure);
    let mut answers = KEPT_ANSWERS.lock().unwrap_or_else(PoisonError::into_inner);
    answers.retain(|(kept, _)| *kept != input);
    // Room for the new one: the oldest go.
    let over = (answers.len() + 1).saturating_sub(KEPT);
    answers.drain(..over);
    answers.push((input, answer.clone()));
    answer
}

fn kept(input: &Input) -> Option<Answer> {
    let answers = KEPT_ANSWERS.lock().unwrap_or_else(PoisonError::into_inner);
    answers.iter().rev().find(|(kept, _)| kept == input).map(|(_, answer)| answer.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tests below look at the kept answers, which all tests share: one at a time.
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

    /// Histories of three sources with enough persons for an estimate, shifted by `more`.
    fn captures(more: u64) -> Captures {
        Captures {
            sources: vec!["care".into(), "outreach".into(), "shelter".into()],
            histories: vec![
                (vec![0], 60 + more),
                (vec![1], 50),
                (vec![2], 40),
                (vec![0, 1], 20),
                (vec![0, 2], 15),
                (vec![1, 2], 12),
                (vec![0, 1, 2], 5),
            ],
            ..Captures::default()
        }
    }

    /// A kept answer is the answer the estimate gives; a changed history, source definition or
    /// disclosure is estimated anew, never answered with a kept one.
    #[test]
    fn the_answer_is_that_of_the_estimate_for_every_input() {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
        let by = SourceBy::OrganisationType;
        for disclosure in [Disclosure::Internal, Disclosure::Public] {
            for more in [0, 1, 40] {
                let c = captures(more);
                let want = estimate(&c, by, disclosure);
                assert_eq!(estimate_memo(c.clone(), by, disclosure), want, "first");
                assert_eq!(estimate_memo(c.clone(), by, disclosure), want, "again");
                assert!(kept(&(c, by, disclosure)).is_some(), "kept");
            }
        }
        let a = estimate(&captures(0), by, Disclosure::Internal).expect("an estimate");
        let b = estimate(&captures(40), by, Disclosure::Internal).expect("an estimate");
        assert_ne!(a, b, "the inputs above give different estimates");
        assert_eq!(estimate_memo(captures(0), by, Disclosure::Internal), Ok(a));
    }

    /// No more than `KEPT` answers are kept; the oldest goes first.
    #[test]
    fn only_the_latest_answers_are_kept() {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
        let by = SourceBy::Organisation;
        for more in 100..100 + KEPT as u64 + 2 {
            let _ = estimate_memo(captures(more), by, Disclosure::Internal);
        }
        let is_kept = |more: u64| kept(&(captures(more), by, Disclosure::Internal)).is_some();
        assert_eq!(KEPT_ANSWERS.lock().unwrap_or_else(PoisonError::into_inner).len(), KEPT);
        assert!(!is_kept(100) && !is_kept(101), "the two oldest went");
        assert!((102..102 + KEPT as u64).all(is_kept), "the latest stay");
    }
}
