//! Work on two cores where there are threads (the server), in one piece where there are none
//! (the browser): the report over a million records is sorting and counting, and the server's
//! machine has two cores.

/// `a` and `b`, at the same time where threads can be made (`b` on a thread of its own, `a`
/// on the caller's); their results in that order. A panic in either is a panic of the caller.
pub fn join<A, B: Send>(a: impl FnOnce() -> A, b: impl FnOnce() -> B + Send) -> (A, B) {
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::thread::scope(|scope| {
            let b = scope.spawn(b);
            let a = a();
            // A panic in `b` is a panic here, as it would have been without a thread.
            (a, b.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
        })
    }
    #[cfg(target_arch = "wasm32")]
    {
        (a(), b())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_gives_both_results_in_order() {
        assert_eq!(join(|| 1, || "b"), (1, "b"));
    }

    #[test]
    #[should_panic(expected = "from b")]
    fn a_panic_in_the_second_is_a_panic_of_the_caller() {
        join(|| (), || panic!("from b"));
    }
}
