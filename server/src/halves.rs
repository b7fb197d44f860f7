//! A batch's per-record work on both cores: the sync of one phone is otherwise one thread's
//! work from its body to the writer (parsing 500 records, hashing and packing them).

/// Below this many items the work stays on the calling thread (a thread costs tens of µs).
const SPLIT_FROM: usize = 100;

/// `f` of every item, in order; a large batch's second half on a scoped thread of its own.
pub(crate) fn map_halves<T: Send, U: Send>(mut items: Vec<T>, f: impl Fn(T) -> U + Sync) -> Vec<U> {
    if items.len() < SPLIT_FROM {
        return items.into_iter().map(f).collect();
    }
    let second = items.split_off(items.len() / 2);
    let f = &f;
    // A panic in `f` is a bug: it goes on as the panic of this thread, as it would have.
    let (mut done, rest) = ethos_shared::parallel::join(
        || items.into_iter().map(f).collect::<Vec<U>>(),
        move || second.into_iter().map(f).collect::<Vec<U>>(),
    );
    done.extend(rest);
    done
}

#[cfg(test)]
mod tests {
    use super::map_halves;

    #[test]
    fn every_item_is_mapped_once_and_the_order_is_kept_on_both_sides_of_the_split() {
        for n in [0, 1, 99, 100, 101, 501] {
            let items: Vec<usize> = (0..n).collect();
            assert_eq!(map_halves(items, |i| i * 2), (0..n).map(|i| i * 2).collect::<Vec<_>>(), "{n}");
        }
    }
}
