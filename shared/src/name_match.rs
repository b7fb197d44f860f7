//! Matching a typed name against a list of names the way a hurried person types: case,
//! diacritics, hyphens, apostrophes, dots and spaces do not count ("sittard geleen" is
//! "Sittard-Geleen", "s hertogenbosch" is "'s-Hertogenbosch"), and a small typo is forgiven
//! (optimal-string-alignment distance: one edit for queries of 4 to 7 letters, two from 8 on,
//! against the whole name, a prefix of it, or a word of it).

/// How well a name matches a query; earlier variants are better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rank {
    /// The same name once case, diacritics and separators are dropped.
    Exact,
    /// The name starts with the query.
    Prefix,
    /// A later word of the name starts with the query ("geleen" in "Sittard-Geleen").
    WordPrefix,
    /// The query occurs elsewhere inside the name.
    Contains,
    /// The name, a prefix of it or a word of it is this many edits (1 or 2) from the query.
    Fuzzy(u8),
}

/// A name prepared for matching: its comparison key and where its words start in that key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    key: String,
    chars: Vec<char>,
    /// Byte offsets in `key` (and char offsets in `chars`) of each word after the first.
    word_starts: Vec<(usize, usize)>,
}

impl Name {
    pub fn new(text: &str) -> Name {
        let mut key = String::with_capacity(text.len());
        let mut chars = Vec::with_capacity(text.len());
        let mut word_starts = Vec::new();
        let mut after_separator = false;
        for c in crate::fold::without_diacritics(text).to_lowercase().chars() {
            if c.is_alphabetic() || c.is_ascii_digit() {
                if after_separator && !key.is_empty() {
                    word_starts.push((key.len(), chars.len()));
                }
                key.push(c);
                chars.push(c);
                after_separator = false;
            } else {
                after_separator = true;
            }
        }
        Name { key, chars, word_starts }
    }

    /// The comparison key: lower case, no diacritics, letters and digits only.
    pub fn key(&self) -> &str {
        &self.key
    }
}

/// What was typed, prepared for matching against many names.
#[derive(Debug, Clone)]
pub struct Query {
    name: Name,
    max_edits: usize,
}

impl Query {
    /// `None` when the text has no letter or digit, or is far longer than any name (pasted
    /// text: matching it against every name would only cost time).
    pub fn new(text: &str) -> Option<Query> {
        if text.len() > MAX_QUERY_BYTES {
            return None;
        }
        let name = Name::new(text);
        let max_edits = match name.chars.len() {
            0 => return None,
            1..=3 => 0,
            4..=7 => 1,
            8..=MAX_FUZZY_QUERY => 2,
            _ => 0,
        };
        Some(Query { name, max_edits })
    }

    /// The rank of `name` without typos: exact, prefix, word prefix or contained.
    pub fn rank_literal(&self, name: &Name) -> Option<Rank> {
        let (q, key) = (self.name.key.as_str(), name.key.as_str());
        if key == q {
            Some(Rank::Exact)
        } else if key.starts_with(q) {
            Some(Rank::Prefix)
        } else if name.word_starts.iter().any(|&(byte, _)| key[byte..].starts_with(q)) {
            Some(Rank::WordPrefix)
        } else if key.contains(q) {
            Some(Rank::Contains)
        } else {
            None
        }
    }

    /// The rank of `name` allowing typos: its fewest edits from the query, if few enough.
    pub fn rank_fuzzy(&self, name: &Name) -> Option<Rank> {
        if self.max_edits == 0 {
            return None;
        }
        let starts = std::iter::once(0).chain(name.word_starts.iter().map(|&(_, c)| c));
        let (query, max) = (&self.name.chars, self.max_edits);
        starts
            .map(|start| &name.chars[start..])
            .filter(|rest| !too_many_missing(query, &rest[..rest.len().min(query.len() + max)], max))
            .filter_map(|rest| prefix_distance(query, rest, max))
            .min()
            .and_then(|d| u8::try_from(d).ok())
            .map(Rank::Fuzzy)
    }

    /// The best rank of `name`, literal first.
    pub fn rank(&self, name: &Name) -> Option<Rank> {
        self.rank_literal(name).or_else(|| self.rank_fuzzy(name))
    }
}

/// Whether more than `max` letters of `query` (counted with repeats) are missing from
/// `window`: then no prefix of `window` is within `max` edits, as each insertion, deletion
/// or substitution supplies at most one missing letter and a swap none. A quick test before
/// the edit-distance table; it only looks at ASCII and lets other text through.
fn too_many_missing(query: &[char], window: &[char], max: usize) -> bool {
    let mut counts = [0u8; 128];
    for &c in window {
        match counts.get_mut(c as usize) {
            Some(n) => *n = n.saturating_add(1),
            None => return false,
        }
    }
    let mut missing = 0;
    for &c in query {
        match counts.get_mut(c as usize) {
            Some(0) => missing += 1,
            Some(n) => *n -= 1,
            None => return false,
        }
    }
    missing > max
}

/// Longer input matches nothing: the longest Dutch municipality or place name has fewer than
/// 40 letters.
const MAX_QUERY_BYTES: usize = 200;

/// Queries longer than this are matched literally only (no one types such a place name).
const MAX_FUZZY_QUERY: usize = 40;

/// The fewest edits (insertion, deletion, substitution, swap of two neighbours) that turn
/// `query` into some prefix of `name` (the whole name included), if at most `max` (≤ 2).
pub fn prefix_distance(query: &[char], name: &[char], max: usize) -> Option<usize> {
    const WIDTH: usize = MAX_FUZZY_QUERY + 3;
    // Stands for any distance above `max`; the table never needs those exactly.
    const FAR: u8 = 100;
    let m = query.len();
    // A prefix longer than the query plus `max` is more than `max` edits away.
    let n = name.len().min(m + max);
    if m > MAX_FUZZY_QUERY || max > 2 || n + max < m {
        return None;
    }
    let max_u8 = u8::try_from(max).ok()?;
    // Three rows of the optimal-string-alignment table (query i-2, i-1, i), filled only in
    // the band |i - j| <= max where a distance of at most `max` can lie.
    let mut before = [FAR; WIDTH];
    let mut previous = [FAR; WIDTH];
    let mut current = [FAR; WIDTH];
    for (j, cell) in previous.iter_mut().enumerate().take(n.min(max) + 1) {
        *cell = u8::try_from(j).unwrap_or(FAR);
    }
    for i in 1..=m {
        current.fill(FAR);
        current[0] = u8::try_from(i).unwrap_or(FAR);
        let mut row_min = current[0];
        for j in i.saturating_sub(max).max(1)..=(i + max).min(n) {
            let cost = u8::from(query[i - 1] != name[j - 1]);
            let mut best = (previous[j] + 1).min(current[j - 1] + 1).min(previous[j - 1] + cost);
            if i > 1 && j > 1 && query[i - 1] == name[j - 2] && query[i - 2] == name[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best.min(FAR);
            row_min = row_min.min(current[j]);
        }
        if row_min > max_u8 {
            return None;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    // `previous` now holds the last row: the distance to each prefix of the name.
    previous[m.saturating_sub(max)..=n].iter().copied().min().filter(|&d| d <= max_u8).map(usize::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn keys_drop_case_diacritics_and_separators() {
        assert_eq!(Name::new("'s-Hertogenbosch").key(), "shertogenbosch");
        assert_eq!(Name::new("Súdwest-Fryslân").key(), "sudwestfryslan");
        assert_eq!(Name::new("Bergen (L.)").key(), "bergenl");
        assert_eq!(Name::new("Nuenen, Gerwen en Nederwetten").key(), "nuenengerwenennederwetten");
    }

    #[test]
    fn ranks_follow_exact_prefix_word_contains() {
        let q = |t: &str| Query::new(t).map(|q| q.rank(&Name::new("Sittard-Geleen")));
        assert_eq!(q("Sittard Geleen"), Some(Some(Rank::Exact)));
        assert_eq!(q("sitt"), Some(Some(Rank::Prefix)));
        assert_eq!(q("gele"), Some(Some(Rank::WordPrefix)));
        assert_eq!(q("ttard"), Some(Some(Rank::Contains)));
        assert_eq!(q("Sitard"), Some(Some(Rank::Fuzzy(1))));
        assert_eq!(q("Geleeen"), Some(Some(Rank::Fuzzy(1))));
        assert_eq!(q("xyz"), Some(None));
        assert!(Query::new(" -'. ").is_none());
        assert!(Query::new(&"Maastricht ".repeat(100)).is_none());
        assert!(Query::new(&"Nuenen, Gerwen en Nederwetten ".repeat(6)).is_some());
    }

    #[test]
    fn distance_counts_edits_to_the_nearest_prefix() {
        let d = |q: &str, n: &str, max| prefix_distance(&chars(q), &chars(n), max);
        assert_eq!(d("mastricht", "maastricht", 2), Some(1));
        assert_eq!(d("maastrihct", "maastricht", 2), Some(1), "a swap is one edit");
        assert_eq!(d("mastr", "maastricht", 1), Some(1), "prefix of the name");
        assert_eq!(d("heerlen", "heerlen", 1), Some(0));
        assert_eq!(d("amsterdam", "rotterdam", 2), None);
        assert_eq!(d("abcd", "ab", 1), None);
        assert_eq!(d("abcd", "abc", 1), Some(1));
    }

    #[test]
    fn the_quick_test_rejects_only_what_the_table_would() {
        let names = ["maastricht", "amsterdam", "mastr", "tsirhctsaam", "ab", "ba", "heerlen", "ééé"];
        let queries = ["mastricht", "maastrihct", "ba", "abc", "heerle", "eee", "amsterdm"];
        for q in queries {
            for n in names {
                for max in 0..=2 {
                    let (q, n) = (chars(q), chars(n));
                    let window = &n[..n.len().min(q.len() + max)];
                    if too_many_missing(&q, window, max) {
                        assert_eq!(prefix_distance(&q, &n, max), None, "{q:?} {n:?} {max}");
                    }
                }
            }
        }
        assert!(too_many_missing(&chars("amsterdam"), &chars("maastricht"), 2));
        assert!(!too_many_missing(&chars("mastricht"), &chars("maastricht"), 1));
    }

    /// The full optimal-string-alignment table, no band, no early stop.
    fn reference_distance(a: &[char], b: &[char]) -> usize {
        let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
                }
            }
        }
        d[a.len()][b.len()]
    }

    proptest::proptest! {
        #[test]
        fn the_banded_table_agrees_with_the_full_one(q in "[abé]{0,7}", n in "[abé]{0,9}", max in 0usize..=2) {
            let (q, n) = (chars(&q), chars(&n));
            let expected = (0..=n.len()).map(|j| reference_distance(&q, &n[..j])).min().filter(|&d| d <= max);
            proptest::prop_assert_eq!(prefix_distance(&q, &n, max), expected);
            if too_many_missing(&q, &n[..n.len().min(q.len() + max)], max) {
                proptest::prop_assert_eq!(expected, None);
            }
        }
    }

    #[test]
    fn short_queries_are_not_fuzzy() {
        let q = Query::new("hrl").map(|q| q.rank(&Name::new("Heerlen")));
        assert_eq!(q, Some(None));
    }
}
