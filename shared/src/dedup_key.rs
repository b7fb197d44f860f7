//! The duplicate key (domain.md §4): a pseudonym that lets the report see that two records are
//! the same person without storing a name. The phone computes it from the first name, family
//! name, birth date and gender; the server only ever sees the key.
//!
//! The key is HMAC-SHA256 (key: the count's `dedup_secret` as UTF-8 bytes), written as 64
//! lowercase hex characters, over the normalised text `AABB|YYYY-MM-DD|G`:
//!
//! - `AA`: the first two letters of the first name; `BB`: the first two letters of the family
//!   name after its leading prefix words ([`PREFIX_WORDS`]) are dropped. A name with only one
//!   letter is padded with `_` (`A` → `A_`). A name without any letter gives no key.
//! - `YYYY-MM-DD`: the birth date; `G`: `M` (man), `V` (vrouw, woman) or `X` (other). An unknown
//!   gender or a missing birth date gives no key.
//!
//! # Normalisation, step by step
//!
//! 1. Words are separated by any white space; leading, trailing and repeated white space does not
//!    matter.
//! 2. Family name only: the first word is dropped while it is a prefix word and at least one more
//!    word follows it. The comparison ignores case and treats every apostrophe alike
//!    ([`is_apostrophe`]), and a trailing apostrophe (`d'`) is ignored. An elided prefix
//!    glued to the name by an apostrophe counts as a word of its own: `d'Ancona` → `Ancona`,
//!    `van't Hof` → `'t Hof` → `Hof`; `O'Neill` stays whole, since `o` is no prefix word.
//!    Hyphens do not separate words: `Jansen-van Dijk` starts with `Jansen-van`.
//! 3. Compatibility decomposition (Unicode NFKD), then every combining mark is dropped (é → e,
//!    ï → i, ö → o), then recomposition (NFC). NFKD rather than NFD so that ligatures and
//!    look-alike forms count as the letters they stand for: the Dutch `ĳ` ligature is `ij`, `ﬁ`
//!    is `fi`, full-width `Ａ` is `A`. This is done by [`crate::fold`], whose table is generated
//!    from Unicode's decompositions for the Latin, Greek and Cyrillic blocks; characters of
//!    other blocks are kept as typed.
//! 4. Letters that carry a stroke or are ligatures, which Unicode does not decompose, are spelt
//!    out the way a Dutch or German clerk would type them without the key: ß/ẞ → `SS`,
//!    æ → `AE`, œ → `OE`, ø → `O`, ł → `L`, đ/ð → `D`, þ → `TH`, ħ → `H`, ŧ → `T`, ı → `I`
//!    (see [`fold_letter`]).
//! 5. Upper case (Unicode full upper-casing).
//! 6. Only letters are kept (Unicode `Alphabetic`, apostrophes excepted): spaces, hyphens,
//!    apostrophes of every kind, dots, digits, other punctuation and symbols are dropped. So
//!    `J.P.` is `JP`, `Anne-Marie` is `ANNEMARIE`, and a name of only digits has no key.
//!    Letters of other scripts (Cyrillic, Greek, Arabic, …) are kept as they are; the key only
//!    has to be the same on every phone, and it is because every phone runs this code.

use crate::profile::Gender;
use crate::record::DedupKey;
use chrono::NaiveDate;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The prefix words ("tussenvoegsels") dropped from the front of a family name, in lower case.
pub const PREFIX_WORDS: [&str; 17] = [
    "van", "de", "der", "den", "te", "ten", "ter", "het", "'t", "in", "op", "la", "le", "du", "d", "von",
    "zu",
];

/// Pads a name of one letter.
const PAD: char = '_';

/// The normalised text `AABB|YYYY-MM-DD|G` the key is computed over, or `None` when the first or
/// family name has no letter left after normalisation or the gender is unknown.
pub fn normalised_text(
    first_name: &str,
    family_name: &str,
    birth_date: NaiveDate,
    gender: Gender,
) -> Option<String> {
    let g = gender_letter(gender)?;
    let aa = first_two(&letters(first_name))?;
    let bb = first_two(&letters(&without_prefix_words(family_name)))?;
    // `NaiveDate` displays as `YYYY-MM-DD`.
    Some(format!("{aa}{bb}|{birth_date}|{g}"))
}

/// The duplicate key of a person, or `None` when any part is missing (see [`normalised_text`];
/// also when there is no birth date).
pub fn dedup_key(
    secret: &str,
    first_name: &str,
    family_name: &str,
    birth_date: Option<NaiveDate>,
    gender: Gender,
) -> Option<DedupKey> {
    let text = normalised_text(first_name, family_name, birth_date?, gender)?;
    key_of_normalised_text(secret, &text)
}

/// HMAC-SHA256 of an already normalised text, hex lowercase. Always `Some` in practice: HMAC
/// accepts a key of any length, and the hex of 32 bytes is a valid [`DedupKey`].
pub fn key_of_normalised_text(secret: &str, text: &str) -> Option<DedupKey> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(text.as_bytes());
    DedupKey::try_from(hex::encode(mac.finalize().into_bytes())).ok()
}

/// The gender letter of the normalised text: `M`, `V` (vrouw) or `X`.
fn gender_letter(gender: Gender) -> Option<char> {
    match gender {
        Gender::Man => Some('M'),
        Gender::Woman => Some('V'),
        Gender::Other => Some('X'),
        Gender::Unknown => None,
    }
}

/// Whether `c` is written as an apostrophe in a name: the typewriter one, the typographic ones
/// (’ ‘ ‛), the grave and acute accents, the prime and the modifier letters that look alike.
pub fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}'
            | '\u{2018}'
            | '\u{201B}'
            | '`'
            | '\u{00B4}'
            | '\u{2032}'
            | '\u{02BC}'
            | '\u{02B9}'
            | '\u{02BB}'
            | '\u{02BD}'
    )
}

/// Whether a word of a family name is a prefix word: case-insensitive, every apostrophe alike,
/// a trailing apostrophe ignored (`d'` as in `d' Ancona`).
fn is_prefix_word(word: &str) -> bool {
    let folded: String =
        word.chars().map(|c| if is_apostrophe(c) { '\'' } else { c }).flat_map(char::to_lowercase).collect();
    let folded = folded.trim_end_matches('\'');
    PREFIX_WORDS.contains(&folded)
}

/// Splits a word that starts with an elided prefix word: `d'Ancona` → (`d`, `'Ancona`),
/// `van't` → (`van`, `'t`). The apostrophe stays with the rest, so `'t` is itself recognised.
fn split_elided_prefix(word: &str) -> Option<(&str, &str)> {
    let (at, apostrophe) = word.char_indices().find(|&(_, c)| is_apostrophe(c))?;
    let (head, tail) = word.split_at(at);
    let rest_after_apostrophe = &tail[apostrophe.len_utf8()..];
    (!head.is_empty() && !rest_after_apostrophe.is_empty() && is_prefix_word(head)).then_some((head, tail))
}

/// The family name without its leading prefix words, words joined by one space.
fn without_prefix_words(family_name: &str) -> String {
    // A stack with the first word on top.
    let mut words: Vec<&str> = family_name.split_whitespace().rev().collect();
    while let Some(&first) = words.last() {
        if words.len() > 1 && is_prefix_word(first) {
            words.pop();
        } else if let Some((head, tail)) = split_elided_prefix(first) {
            words.pop();
            words.push(tail);
            words.push(head);
        } else {
            break;
        }
    }
    words.reverse();
    words.join(" ")
}

/// Letters Unicode does not decompose, spelt out in upper case (step 4 of the module docs).
pub fn fold_letter(c: char) -> Option<&'static str> {
    Some(match c {
        'ß' | 'ẞ' => "SS",
        'æ' | 'Æ' => "AE",
        'œ' | 'Œ' => "OE",
        'ø' | 'Ø' => "O",
        'ł' | 'Ł' => "L",
        'đ' | 'Đ' | 'ð' | 'Ð' => "D",
        'þ' | 'Þ' => "TH",
        'ħ' | 'Ħ' => "H",
        'ŧ' | 'Ŧ' => "T",
        'ı' => "I",
        _ => return None,
    })
}

/// The letters of a name part, upper case, without diacritics (steps 3–6 of the module docs).
fn letters(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in crate::fold::without_diacritics(name).chars() {
        match fold_letter(c) {
            Some(spelt) => out.push_str(spelt),
            None => out.extend(c.to_uppercase()),
        }
    }
    out.retain(|c| c.is_alphabetic() && !is_apostrophe(c));
    out
}

/// The first two letters, a single letter padded with `_`; `None` for no letters.
fn first_two(letters: &str) -> Option<String> {
    let mut chars = letters.chars();
    let first = chars.next()?;
    let second = chars.next().unwrap_or(PAD);
    Some([first, second].iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "test-secret";

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a date")
    }

    /// The vectors of domain.md §4.
    fn vectors() -> Vec<(&'static str, &'static str, NaiveDate, Gender, &'static str, &'static str)> {
        vec![
            (
                "Jan",
                "van der Berg",
                date(1980, 5, 17),
                Gender::Man,
                "JABE|1980-05-17|M",
                "f8108182fceecee89eba6a4c24ef082b45665411e020779334f04f10cc5c167a",
            ),
            (
                "Zoë",
                "de Vries",
                date(1999, 12, 31),
                Gender::Woman,
                "ZOVR|1999-12-31|V",
                "0cc5aad21a15807b55e0406b1fcca38edfde030dd7ddc7458181cbed0aa6ab3c",
            ),
            (
                "Ödön",
                "El-Amrani",
                date(2001, 2, 3),
                Gender::Other,
                "ODEL|2001-02-03|X",
                "d886fada7ea73cc634878de5e92154637c96f3ab3d427010a2f8c39cb3deec72",
            ),
            (
                "Li",
                "O'Neill",
                date(1975, 7, 4),
                Gender::Man,
                "LION|1975-07-04|M",
                "739d565f147f4a7f1388fd6de284fd70c8f345617f09035e5b4b4f0e898116a3",
            ),
            (
                "A",
                "Ng",
                date(1990, 1, 1),
                Gender::Woman,
                "A_NG|1990-01-01|V",
                "f5cfffbf9b7989416984147565c8d9477e2228eec5a317504b63b9cf68b762c7",
            ),
        ]
    }

    /// The `AABB` part for a first and family name.
    fn initials(first: &str, family: &str) -> Option<String> {
        let text = normalised_text(first, family, date(1980, 1, 1), Gender::Man)?;
        Some(text[..text.find('|').expect("a separator")].to_string())
    }

    fn bb(family: &str) -> Option<String> {
        initials("Jan", family).map(|t| t.chars().skip(2).collect())
    }

    #[test]
    fn the_vectors_of_the_specification_give_their_normalised_text() {
        for (first, family, birth, gender, text, _) in vectors() {
            assert_eq!(
                normalised_text(first, family, birth, gender).as_deref(),
                Some(text),
                "{first} {family}"
            );
        }
    }

    #[test]
    fn the_vectors_of_the_specification_give_their_key() {
        for (first, family, birth, gender, _, key) in vectors() {
            let got = dedup_key(SECRET, first, family, Some(birth), gender).expect("a key");
            assert_eq!(got.as_str(), key, "{first} {family}");
        }
    }

    #[test]
    fn the_key_is_sixty_four_lowercase_hex_characters() {
        let key =
            dedup_key("another secret", "Émile", "Zola", Some(date(1840, 4, 2)), Gender::Man).expect("a key");
        assert_eq!(key.as_str().len(), 64);
        assert!(key.as_str().bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    }

    #[test]
    fn another_secret_gives_another_key_for_the_same_person() {
        let a = dedup_key("secret one", "Jan", "Jansen", Some(date(1980, 1, 1)), Gender::Man);
        let b = dedup_key("secret two", "Jan", "Jansen", Some(date(1980, 1, 1)), Gender::Man);
        assert_ne!(a, b);
    }

    #[test]
    fn prefix_words_are_dropped_only_while_more_than_one_word_remains() {
        assert_eq!(bb("De").as_deref(), Some("DE"));
        assert_eq!(bb("van der").as_deref(), Some("DE"), "van dropped, der is the last word");
        assert_eq!(bb("Van").as_deref(), Some("VA"));
        assert_eq!(bb("de Vries").as_deref(), Some("VR"));
        assert_eq!(bb("ten Hag").as_deref(), Some("HA"));
        assert_eq!(bb("von zu Guttenberg").as_deref(), Some("GU"));
        assert_eq!(bb("in het Veld").as_deref(), Some("VE"));
        assert_eq!(bb("du Pont").as_deref(), Some("PO"));
        assert_eq!(bb("la Rivière").as_deref(), Some("RI"));
    }

    #[test]
    fn prefix_words_are_recognised_whatever_their_case() {
        for family in ["van der Berg", "Van Der Berg", "VAN DER BERG", "vAn dEr bErG"] {
            assert_eq!(bb(family).as_deref(), Some("BE"), "{family}");
        }
    }

    #[test]
    fn prefix_words_are_dropped_only_from_the_front() {
        assert_eq!(bb("Berg van der").as_deref(), Some("BE"));
        assert_eq!(bb("Jansen-van der Berg").as_deref(), Some("JA"));
        assert_eq!(bb("Vandenberg").as_deref(), Some("VA"), "a prefix glued without apostrophe stays");
    }

    #[test]
    fn van_t_hof_drops_both_prefix_words_however_the_apostrophe_is_typed() {
        for family in ["van 't Hof", "van ’t Hof", "Van 'T Hof", "van't Hof", "van‘t Hof"] {
            assert_eq!(bb(family).as_deref(), Some("HO"), "{family}");
        }
    }

    #[test]
    fn an_elided_d_before_an_apostrophe_is_a_prefix_word() {
        for family in ["d'Ancona", "D'Ancona", "d’Ancona", "d' Ancona", "d Ancona"] {
            assert_eq!(bb(family).as_deref(), Some("AN"), "{family}");
        }
    }

    #[test]
    fn an_apostrophe_after_a_letter_that_is_no_prefix_is_just_dropped() {
        assert_eq!(bb("O'Neill").as_deref(), Some("ON"));
        assert_eq!(bb("O’Neill").as_deref(), Some("ON"), "typographic apostrophe");
        assert_eq!(bb("Oʼneill").as_deref(), Some("ON"), "modifier letter apostrophe");
    }

    #[test]
    fn case_does_not_matter() {
        assert_eq!(initials("jan", "de vries"), initials("JAN", "DE VRIES"));
        assert_eq!(initials("jAN", "dE vRIES").as_deref(), Some("JAVR"));
    }

    #[test]
    fn diacritics_are_removed() {
        assert_eq!(initials("Éva", "Ïnçe").as_deref(), Some("EVIN"));
        assert_eq!(initials("Zoë", "Çelik"), initials("Zoe", "Celik"));
        let decomposed = "Zoe\u{0308}";
        assert_eq!(initials(decomposed, "Celik"), initials("Zoë", "Celik"));
    }

    #[test]
    fn letters_that_do_not_decompose_are_spelt_out() {
        assert_eq!(initials("Øystein", "Łukasz").as_deref(), Some("OYLU"));
        assert_eq!(initials("ß", "Æbelø").as_deref(), Some("SSAE"));
        assert_eq!(initials("Þór", "Đurić").as_deref(), Some("THDU"));
        assert_eq!(initials("Œdipe", "ıšık").as_deref(), Some("OEIS"));
    }

    #[test]
    fn the_dutch_ij_ligature_counts_as_two_letters() {
        assert_eq!(bb("Ĳzerman"), bb("IJzerman"));
        assert_eq!(bb("ĳzerman").as_deref(), Some("IJ"));
    }

    #[test]
    fn spaces_hyphens_apostrophes_digits_and_punctuation_are_dropped() {
        assert_eq!(initials("J.P.", "El-Amrani").as_deref(), Some("JPEL"));
        assert_eq!(initials("Anne Marie", "Al  Amrani").as_deref(), Some("ANAL"));
        assert_eq!(initials("2Pac", "3-Bakker!").as_deref(), Some("PABA"));
        assert_eq!(initials("A-", "N.").as_deref(), Some("A_N_"));
    }

    #[test]
    fn white_space_around_and_between_names_does_not_matter() {
        assert_eq!(initials("  Jan ", "\tvan   der\u{00A0}Berg  ").as_deref(), Some("JABE"));
    }

    #[test]
    fn a_one_letter_name_is_padded_with_an_underscore() {
        assert_eq!(initials("A", "Ng").as_deref(), Some("A_NG"));
        assert_eq!(initials("Li", "Ö").as_deref(), Some("LIO_"));
        assert_eq!(initials("Li", "van O").as_deref(), Some("LIO_"));
    }

    #[test]
    fn an_empty_or_blank_name_gives_no_key() {
        let born = Some(date(1980, 1, 1));
        for (first, family) in [
            ("", "Jansen"),
            ("Jan", ""),
            ("   ", "Jansen"),
            ("Jan", " \t "),
            ("Jan", "-"),
            ("123", "Jansen"),
            ("Jan", "'"),
        ] {
            assert_eq!(
                normalised_text(first, family, date(1980, 1, 1), Gender::Man),
                None,
                "{first:?} {family:?}"
            );
            assert_eq!(dedup_key(SECRET, first, family, born, Gender::Man), None, "{first:?} {family:?}");
        }
    }

    #[test]
    fn an_unknown_gender_gives_no_key() {
        assert_eq!(normalised_text("Jan", "Jansen", date(1980, 1, 1), Gender::Unknown), None);
        assert_eq!(dedup_key(SECRET, "Jan", "Jansen", Some(date(1980, 1, 1)), Gender::Unknown), None);
    }

    #[test]
    fn a_missing_birth_date_gives_no_key() {
        assert_eq!(dedup_key(SECRET, "Jan", "Jansen", None, Gender::Man), None);
    }

    #[test]
    fn genders_are_written_m_v_and_x() {
        let g = |gender| normalised_text("Jan", "Jansen", date(1980, 1, 1), gender).expect("a text");
        assert!(g(Gender::Man).ends_with("|M"));
        assert!(g(Gender::Woman).ends_with("|V"));
        assert!(g(Gender::Other).ends_with("|X"));
    }

    #[test]
    fn the_birth_date_is_written_with_four_digit_year_and_two_digit_month_and_day() {
        assert_eq!(
            normalised_text("Jan", "Jansen", date(905, 3, 7), Gender::Man).as_deref(),
            Some("JAJA|0905-03-07|M")
        );
    }
}
