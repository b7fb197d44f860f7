//! Chart labels that fit their column. SVG text does not wrap or clip itself, and the markup is
//! made as text before any browser measures it, so the width of a label is estimated from
//! font metrics: per character the wider of Noto Sans (the console's first font) and Arial (its
//! fallback, metric-equal to Liberation Sans on Linux). Kerning only makes real text narrower.

/// Advance widths in thousandths of an em of the printable ASCII characters, from `' '` to `'~'`.
const ASCII: [u16; 95] = [
    278, 278, 411, 673, 572, 889, 706, 221, 333, 333, 552, 584, 278, 333, 278, 372, // ' '…'/'
    572, 572, 572, 572, 572, 572, 572, 572, 572, 572, 278, 278, 584, 584, 584, 556, // '0'…'?'
    1015, 667, 667, 722, 729, 667, 611, 778, 738, 279, 500, 667, 556, 907, 754, 779, // '@'…'O'
    667, 779, 722, 667, 611, 728, 667, 944, 667, 667, 611, 329, 372, 329, 572, 556, // 'P'…'_'
    572, 561, 615, 500, 615, 564, 344, 615, 618, 258, 258, 534, 258, 935, 618, 605, // '`'…'o'
    615, 615, 413, 500, 361, 618, 508, 786, 527, 510, 500, 380, 551, 380, 584, // 'p'…'~'
];

/// The estimated width of one character, in em.
fn char_em(c: char) -> f64 {
    let thousandths = match c {
        ' '..='~' => ASCII[c as usize - ' ' as usize],
        // Accented Latin letters (é, ë, ç…) are about as wide as their base letters; others
        // (æ, œ, ŵ, Cyrillic, …) can be wider: a full em below.
        c if c <= 'ÿ' && c.is_lowercase() => 620,
        c if c <= 'ÿ' && c.is_uppercase() => 780,
        // The ellipsis, dashes, CJK and anything unknown: a full em, on the safe side.
        _ => 1000,
    };
    f64::from(thousandths) / 1000.0
}

/// The estimated rendered width of `text` at `font_px`, in the same units.
pub fn text_width(text: &str, font_px: f64) -> f64 {
    text.chars().map(char_em).sum::<f64>() * font_px
}

/// `text` as it is if it fits in `max`, else cut at the end with "…" so that it does.
pub fn fit(text: &str, max: f64, font_px: f64) -> String {
    if text_width(text, font_px) <= max {
        return text.to_string();
    }
    let room = max - text_width("…", font_px);
    let mut width = 0.0;
    let mut out = String::new();
    for c in text.chars() {
        width += char_em(c) * font_px;
        if width > room {
            break;
        }
        out.push(c);
    }
    format!("{}…", out.trim_end())
}

/// `text` and then `keep` in at most `lines` lines of at most `max` wide each: broken at spaces
/// and after hyphens; when the text is longer, the last line is cut with "…" before `keep`,
/// which always shows whole (e.g. a number after a name).
pub fn wrap(text: &str, keep: &str, max: f64, font_px: f64, lines: usize) -> Vec<String> {
    let full = format!("{text}{keep}");
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    // Where the line being filled starts in `full`.
    let mut start = 0;
    for (at, word) in words(&full) {
        let joined = format!("{line}{word}");
        if line.is_empty() || text_width(joined.trim_end(), font_px) <= max {
            line = joined;
            continue;
        }
        if out.len() + 1 >= lines {
            break;
        }
        // Cut only when one word is wider than a line.
        out.push(fit(line.trim(), max, font_px));
        line = word.trim_start().to_string();
        start = at;
    }
    // The last line takes the rest.
    let rest = full[start..].trim();
    out.push(if text_width(rest, font_px) <= max || start >= text.len() {
        fit(rest, max, font_px)
    } else {
        format!("{}{keep}", fit(text[start..].trim(), max - text_width(keep, font_px), font_px))
    });
    out
}

/// The words of `text` with where each starts, each with the space or hyphen that follows it.
fn words(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c == ' ' || c == '-' {
            out.push((start, &text[start..i + 1]));
            start = i + 1;
        }
    }
    if start < text.len() {
        out.push((start, &text[start..]));
    }
    out
}

/// The organisations of the demo, the longest names a trial sees: a copy of `SOURCES` in
/// server/src/demo.rs (the client cannot depend on the server), to be kept in step with it.
#[cfg(test)]
pub const DEMO_ORGANISATIONS: [&str; 6] = [
    "Nachtopvang Maastricht (voorbeeld)",
    "Vrouwenopvang Zuid-Limburg (voorbeeld)",
    "Straatteam Maastricht-Heuvelland (voorbeeld)",
    "GGZ en verslavingszorg (voorbeeld)",
    "Politie, wijkagenten (voorbeeld)",
    "Wijkteams van de zes gemeenten (voorbeeld)",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_that_fits_stays_whole_and_a_longer_one_is_cut_to_the_width() {
        assert_eq!(fit("Maastricht", 200.0, 14.0), "Maastricht");
        let long = "Straatteam Maastricht-Heuvelland (voorbeeld)";
        let cut = fit(long, 200.0, 14.0);
        assert!(cut.ends_with('…') && cut.len() < long.len(), "{cut}");
        assert!(text_width(&cut, 14.0) <= 200.0);
        // Narrow letters take less room than wide ones.
        assert!(text_width("iiii", 14.0) < text_width("MMMM", 14.0));
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_hyphens_and_cuts_only_the_last_line() {
        let lines = wrap("Straatteam Maastricht-Heuvelland (voorbeeld)", "", 200.0, 14.0, 3);
        assert_eq!(lines, ["Straatteam Maastricht-", "Heuvelland (voorbeeld)"]);
        assert_eq!(wrap("Vaals", "", 200.0, 14.0, 2), ["Vaals"]);
        let two =
            wrap("een twee drie vier vijf zes zeven acht negen tien elf twaalf", " (12)", 100.0, 14.0, 2);
        assert_eq!(two.len(), 2);
        assert!(two[1].ends_with("… (12)"), "the number stays: {two:?}");
        assert!(two.iter().all(|l| text_width(l, 14.0) <= 100.0), "{two:?}");
        assert_eq!(wrap("Gemeente", " (12)", 300.0, 14.0, 1), ["Gemeente (12)"]);
    }
}
