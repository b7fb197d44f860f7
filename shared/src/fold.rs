//! Removing diacritics (é → e, ï → i, ĳ → ij, full-width Ａ → A) without carrying Unicode's
//! normalisation tables into the field app: the table is generated at build time from Unicode's
//! decompositions (see `build.rs`) for the Latin, Greek and Cyrillic blocks and common
//! compatibility forms; combining marks typed separately are dropped. Characters outside those
//! blocks are kept as typed.

include!(concat!(env!("OUT_DIR"), "/fold_table.rs"));

/// Whether `c` is a combining mark (a diacritic typed as its own character).
pub fn is_combining_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// `text` with every diacritic removed.
pub fn without_diacritics(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().filter(|&c| !is_combining_mark(c)) {
        match FOLD.binary_search_by_key(&c, |&(k, _)| k) {
            Ok(i) => out.push_str(FOLD[i].1),
            Err(_) => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    /// The reference: Unicode NFKD, combining marks dropped, NFC.
    fn reference(text: &str) -> String {
        text.nfkd().filter(|&c| !unicode_normalization::char::is_combining_mark(c)).nfc().collect()
    }

    #[test]
    fn the_table_is_sorted_for_binary_search() {
        assert!(FOLD.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn every_covered_character_folds_as_unicode_normalisation_does() {
        let covered = (0x00A0..=0x04FF).chain(0x1E00..=0x1FFF).chain(0xFB00..=0xFB4F).chain(0xFF01..=0xFF5E);
        for c in covered.filter_map(char::from_u32) {
            let text = c.to_string();
            assert_eq!(without_diacritics(&text), reference(&text), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn decomposed_and_composed_input_fold_alike() {
        assert_eq!(without_diacritics("Zoe\u{0308}"), "Zoe");
        assert_eq!(without_diacritics("Zoë"), "Zoe");
        assert_eq!(without_diacritics("Ödön ĳsselmeer Ｊａｎ"), "Odon ijsselmeer Jan");
    }
}
