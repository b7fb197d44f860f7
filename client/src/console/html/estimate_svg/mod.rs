//! The pictures of the estimate section as SVG text: the count beside the estimated total, the
//! sources as (approximately) area-proportional circles for 2–3 sources, an UpSet chart for
//! 4–6. Every text passes through the escaping builder of `console_html`.

use super::kit::Html;
use super::kit::{listing, persons};
use super::label::{fit, wrap};
use crate::console::model::{bar_len, num};
use crate::i18n::tr;
use ethos_shared::estimate::History;
use ethos_shared::Lang;
use std::f64::consts::PI;

/// The font size of `.chart__label` in app.css, for fitting the names.
const LABEL_PX: f64 = 14.0;

/// A coordinate in SVG text: one decimal.
fn px(x: f64) -> String {
    format!("{:.1}", x)
}

// ---------------------------------------------------------------- pictures

/// Two bars on one scale: the count, and the estimated total (the counted part and the unseen
/// part) with its 95 % range as a whisker.
pub fn count_and_estimate_svg(
    counted: f64,
    total: f64,
    lower: Option<f64>,
    upper: Option<f64>,
    lang: Lang,
) -> String {
    const W: f64 = 760.0;
    const LABEL: f64 = 170.0;
    const BAR: f64 = 380.0;
    const ROW: f64 = 34.0;
    let top = upper.unwrap_or(total * 1.25).max(total).max(counted).max(1.0);
    let x = |v: f64| LABEL + BAR * (v.max(0.0) / top);
    let height = 2.0 * ROW + 24.0;
    let label_count = tr(lang, "Geteld", "Counted");
    let label_total = tr(lang, "Geschat totaal", "Estimated total");
    let range_text = match (lower, upper) {
        (Some(l), Some(u)) => format!("{} – {}", persons(l, lang), persons(u, lang)),
        (Some(l), None) => format!("{} – {}", persons(l, lang), tr(lang, "onbegrensd", "unbounded")),
        _ => "–".into(),
    };
    let mut h = Html::new();
    h.open("figure", &[("class", "chart estimate__chart"), ("data-testid", "estimate-bars")]);
    h.el("figcaption", &[("class", "chart__title")], tr(lang, "Telling en schatting", "Count and estimate"));
    h.chart_svg(
        &px(W),
        &px(height),
        &format!(
            "{label_count} {}; {label_total} {} (95 %: {range_text})",
            persons(counted, lang),
            persons(total, lang)
        ),
    );
    let text = |h: &mut Html, x: f64, y: f64, anchor: &str, class: &str, s: &str| {
        h.el("text", &[("x", &px(x)), ("y", &px(y)), ("text-anchor", anchor), ("class", class)], s);
    };
    // Row 1: the count.
    text(&mut h, LABEL - 8.0, 22.0, "end", "chart__label", label_count);
    h.empty(
        "rect",
        &[
            ("x", &px(LABEL)),
            ("y", "8"),
            ("width", &px(x(counted) - LABEL)),
            ("height", "20"),
            ("class", "chart__bar"),
        ],
    );
    text(&mut h, x(counted) + 6.0, 22.0, "start", "chart__value", &persons(counted, lang));
    // Row 2: the estimate: counted part, unseen part, range.
    let y = ROW + 8.0;
    text(&mut h, LABEL - 8.0, y + 14.0, "end", "chart__label", label_total);
    h.empty(
        "rect",
        &[
            ("x", &px(LABEL)),
            ("y", &px(y)),
            ("width", &px(x(counted.min(total)) - LABEL)),
            ("height", "20"),
            ("class", "estimate__seen"),
        ],
    );
    h.empty(
        "rect",
        &[
            ("x", &px(x(counted.min(total)))),
            ("y", &px(y)),
            ("width", &px((x(total) - x(counted.min(total))).max(0.0))),
            ("height", "20"),
            ("class", "estimate__unseen"),
        ],
    );
    if let Some(l) = lower {
        let (x0, x1) = (x(l), upper.map_or(LABEL + BAR + 30.0, x));
        let mid = px(y + 10.0);
        h.empty(
            "line",
            &[("x1", &px(x0)), ("y1", &mid), ("x2", &px(x1)), ("y2", &mid), ("class", "estimate__whisker")],
        );
        // An end cap at `at`; an unbounded upper end has none (the whisker runs off).
        let cap = |h: &mut Html, at: f64| {
            let (x, top, bottom) = (px(at), px(y + 2.0), px(y + 18.0));
            h.empty(
                "line",
                &[("x1", &x), ("y1", &top), ("x2", &x), ("y2", &bottom), ("class", "estimate__whisker")],
            );
        };
        cap(&mut h, x0);
        if upper.is_some() {
            cap(&mut h, x1);
        }
    }
    let value_x = upper.map_or(LABEL + BAR + 36.0, |u| x(u) + 6.0).max(x(total) + 6.0);
    text(
        &mut h,
        value_x,
        y + 14.0,
        "start",
        "chart__value",
        &format!("{} (95 %: {range_text})", persons(total, lang)),
    );
    text(
        &mut h,
        LABEL,
        height - 4.0,
        "start",
        "estimate__note",
        &format!(
            "{} · {} · {}",
            tr(lang, "donker: geteld", "dark: counted"),
            tr(lang, "licht: geschat niet gezien", "light: estimated unseen"),
            tr(lang, "lijn: 95 %-marge", "line: 95 % range")
        ),
    );
    h.close("svg").close("figure");
    h.finish()
}

/// The area of the intersection of two circles with radii `r1`, `r2` whose centres are `d` apart.
pub fn lens_area(r1: f64, r2: f64, d: f64) -> f64 {
    if d >= r1 + r2 {
        return 0.0;
    }
    if d <= (r1 - r2).abs() {
        let r = r1.min(r2);
        return PI * r * r;
    }
    let a1 = ((d * d + r1 * r1 - r2 * r2) / (2.0 * d * r1)).clamp(-1.0, 1.0).acos();
    let a2 = ((d * d + r2 * r2 - r1 * r1) / (2.0 * d * r2)).clamp(-1.0, 1.0).acos();
    let k = ((-d + r1 + r2) * (d + r1 - r2) * (d - r1 + r2) * (d + r1 + r2)).max(0.0).sqrt();
    r1 * r1 * a1 + r2 * r2 * a2 - 0.5 * k
}

/// The distance between the centres of two circles at which they overlap by `area` (bisection;
/// the area falls as the distance grows).
pub fn distance_for_overlap(r1: f64, r2: f64, area: f64) -> f64 {
    let (mut lo, mut hi) = ((r1 - r2).abs(), r1 + r2);
    if area <= 0.0 {
        return hi;
    }
    if area >= PI * r1.min(r2).powi(2) {
        return lo;
    }
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if lens_area(r1, r2, mid) > area {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Circles for 2 or 3 sources, each with the area of its persons; centres so that each pair
/// overlaps by (about) the persons the two share. With three sources the three pairwise
/// distances fix the picture and the triple overlap follows: approximate, as the caption says.
/// Returns (centre x, centre y, radius) in units where a person has area 1.
pub fn venn_layout(sizes: &[f64], pair_overlap: impl Fn(usize, usize) -> f64) -> Vec<(f64, f64, f64)> {
    let r: Vec<f64> = sizes.iter().map(|&n| (n.max(0.0) / PI).sqrt()).collect();
    let d = |i: usize, j: usize| distance_for_overlap(r[i], r[j], pair_overlap(i, j));
    match r.len() {
        0 => Vec::new(),
        1 => vec![(0.0, 0.0, r[0])],
        2 => vec![(0.0, 0.0, r[0]), (d(0, 1), 0.0, r[1])],
        _ => {
            let (ab, ac, bc) = (d(0, 1), d(0, 2), d(1, 2));
            // C from its distances to A (at 0,0) and B (at ab,0); if the three distances make no
            // triangle, C goes on the line, as close as it can.
            let cx = if ab > 1e-9 { (ac * ac - bc * bc + ab * ab) / (2.0 * ab) } else { ac };
            let cy = (ac * ac - cx * cx).max(0.0).sqrt();
            vec![(0.0, 0.0, r[0]), (ab, 0.0, r[1]), (cx, cy, r[2])]
        }
    }
}

/// The persons of each history, by bit mask over `ids` (bit `i`: `ids[i]`).
fn by_mask(histories: &[History], ids: &[String]) -> Vec<u64> {
    let mut cells = vec![0u64; 1 << ids.len().min(6)];
    for hist in histories {
        let mask: usize =
            hist.sources.iter().filter_map(|s| ids.iter().position(|i| i == s)).map(|i| 1usize << i).sum();
        if mask < cells.len() {
            cells[mask] += hist.persons;
        }
    }
    cells
}

/// The proportional-circles picture for 2 or 3 sources.
pub fn venn_svg(names: &[String], histories: &[History], ids: &[String], lang: Lang) -> String {
    const W: f64 = 760.0;
    const H: f64 = 340.0;
    const PAD: f64 = 16.0;
    // Wide enough for a long organisation name ("zorg, GGZ, verslavingszorg, ziekenhuis").
    const LEGEND: f64 = 350.0;
    let k = ids.len();
    let cells = by_mask(histories, ids);
    let size =
        |i: usize| cells.iter().enumerate().filter(|(m, _)| m >> i & 1 == 1).map(|(_, n)| *n).sum::<u64>();
    let both = |i: usize, j: usize| {
        cells
            .iter()
            .enumerate()
            .filter(|(m, _)| m >> i & 1 == 1 && m >> j & 1 == 1)
            .map(|(_, n)| *n as f64)
            .sum()
    };
    let sizes: Vec<f64> = (0..k).map(|i| size(i) as f64).collect();
    let circles = venn_layout(&sizes, both);
    // Fit the circles into the drawing area left of the legend.
    let (min_x, max_x, min_y, max_y) =
        circles.iter().fold((f64::MAX, f64::MIN, f64::MAX, f64::MIN), |(a, b, c, d), &(x, y, r)| {
            (a.min(x - r), b.max(x + r), c.min(y - r), d.max(y + r))
        });
    let scale = ((W - LEGEND - 2.0 * PAD) / (max_x - min_x).max(1e-9))
        .min((H - 2.0 * PAD) / (max_y - min_y).max(1e-9));
    let off_x = PAD + ((W - LEGEND - 2.0 * PAD) - scale * (max_x - min_x)) / 2.0;
    let off_y = PAD + ((H - 2.0 * PAD) - scale * (max_y - min_y)) / 2.0;
    let place = |x: f64, y: f64| (off_x + scale * (x - min_x), off_y + scale * (y - min_y));

    let region_words: Vec<String> = (1..cells.len())
        .filter(|&m| cells[m] > 0)
        .map(|m| {
            let who: Vec<String> = (0..k).filter(|i| m >> i & 1 == 1).map(|i| names[i].clone()).collect();
            format!("{}: {}", listing(&who, lang), num(cells[m], lang))
        })
        .collect();
    let mut h = Html::new();
    h.open("figure", &[("class", "chart estimate__chart"), ("data-testid", "estimate-venn")]);
    h.el(
        "figcaption",
        &[("class", "chart__title")],
        tr(lang, "Wie zag wie: overlap tussen de bronnen", "Who saw whom: overlap between the sources"),
    );
    h.chart_svg(&px(W), &px(H), &region_words.join("; "));
    for (i, &(x, y, r)) in circles.iter().enumerate() {
        let (cx, cy) = place(x, y);
        h.open(
            "circle",
            &[
                ("cx", &px(cx)),
                ("cy", &px(cy)),
                ("r", &px(scale * r)),
                ("class", &format!("venn__c venn__c{i}")),
            ],
        );
        h.el("title", &[], &format!("{}: {}", names[i], num(size(i), lang)));
        h.close("circle");
    }
    // The persons of each region, written where the region is (its centre of mass on a grid).
    let grid = 120;
    let mut sums = vec![(0.0f64, 0.0f64, 0u32); cells.len()];
    for gx in 0..grid {
        for gy in 0..grid {
            let x = min_x + (max_x - min_x) * (gx as f64 + 0.5) / grid as f64;
            let y = min_y + (max_y - min_y) * (gy as f64 + 0.5) / grid as f64;
            let mask: usize = circles
                .iter()
                .enumerate()
                .filter(|(_, &(cx, cy, r))| (x - cx).powi(2) + (y - cy).powi(2) <= r * r)
                .map(|(i, _)| 1usize << i)
                .sum();
            let s = &mut sums[mask];
            *s = (s.0 + x, s.1 + y, s.2 + 1);
        }
    }
    for (m, &(sx, sy, n)) in sums.iter().enumerate().skip(1) {
        if n >= 12 && cells[m] > 0 {
            let (cx, cy) = place(sx / n as f64, sy / n as f64);
            h.el(
                "text",
                &[("x", &px(cx)), ("y", &px(cy + 5.0)), ("text-anchor", "middle"), ("class", "venn__n")],
                &num(cells[m], lang),
            );
        }
    }
    // Legend: colour, name, persons.
    let lx = W - LEGEND + 10.0;
    for (i, name) in names.iter().enumerate() {
        let y = PAD + 10.0 + 44.0 * i as f64;
        h.empty(
            "rect",
            &[
                ("x", &px(lx)),
                ("y", &px(y)),
                ("width", "16"),
                ("height", "16"),
                ("class", &format!("venn__c venn__c{i}")),
            ],
        );
        let short = fit(name, W - lx - 24.0 - 4.0, LABEL_PX);
        h.open("text", &[("x", &px(lx + 24.0)), ("y", &px(y + 13.0)), ("class", "chart__label")]);
        h.el("title", &[], name);
        h.text(&short).close("text");
        h.el(
            "text",
            &[("x", &px(lx + 24.0)), ("y", &px(y + 31.0)), ("class", "estimate__note")],
            &format!("{} {}", num(size(i), lang), tr(lang, "personen", "persons")),
        );
    }
    h.close("svg");
    h.el(
        "p",
        &[("class", "utrecht-paragraph muted estimate__caption")],
        tr(
            lang,
            "Elke cirkel is een bron; de oppervlakte is ongeveer het aantal personen dat die bron zag, de overlap ongeveer het aantal dat ze delen (bij drie bronnen een benadering). De getallen zijn exact.",
            "Each circle is a source; its area is about the persons that source saw, each overlap about the persons two sources share (with three sources an approximation). The numbers are exact.",
        ),
    );
    h.close("figure");
    h.finish()
}

/// Where the UpSet chart's columns start, and the room its names have left of them (right
/// aligned 10 before the columns, 4 clear of the edge).
const UPSET_LABEL: f64 = 220.0;
const UPSET_ROOM: f64 = UPSET_LABEL - 10.0 - 4.0;

/// A source's name and its persons beside the UpSet chart's dots, in one or two lines: a long
/// name is cut before the number, which always shows.
fn upset_label(name: &str, persons: u64, lang: Lang) -> Vec<String> {
    wrap(name, &format!(" ({})", num(persons, lang)), UPSET_ROOM, LABEL_PX, 2)
}

/// The UpSet chart for 4 to 6 sources: one column per history (largest first) with a bar of its
/// persons, and below it a dot per source, filled where the source saw those persons.
pub fn upset_svg(names: &[String], histories: &[History], ids: &[String], lang: Lang) -> String {
    const LABEL: f64 = UPSET_LABEL;
    const TOP: f64 = 150.0;
    const LINE: f64 = 16.0;
    let mut cols: Vec<(usize, u64)> =
        by_mask(histories, ids).into_iter().enumerate().skip(1).filter(|&(_, n)| n > 0).collect();
    cols.sort_by(|a, b| {
        b.1.cmp(&a.1).then_with(|| a.0.count_ones().cmp(&b.0.count_ones())).then(a.0.cmp(&b.0))
    });
    let col_w = if cols.len() > 24 { 18.0 } else { 30.0 };
    let w = LABEL + col_w * cols.len().max(1) as f64 + 16.0;
    let max = cols.iter().map(|c| c.1).max().unwrap_or(0);
    let per_source: Vec<u64> =
        (0..ids.len()).map(|i| cols.iter().filter(|(m, _)| m >> i & 1 == 1).map(|(_, n)| n).sum()).collect();
    let labels: Vec<Vec<String>> =
        names.iter().zip(&per_source).map(|(name, &n)| upset_label(name, n, lang)).collect();
    // Rows of dots as high as two lines when a name needs two.
    let dot_row = if labels.iter().any(|l| l.len() > 1) { 2.0 * LINE + 4.0 } else { 24.0 };
    let dot_y = |i: usize| TOP + 12.0 + dot_row * i as f64 + dot_row / 2.0;
    let h_total = TOP + 12.0 + dot_row * ids.len() as f64 + 8.0;
    let words: Vec<String> = cols
        .iter()
        .map(|&(m, n)| {
            let who: Vec<String> =
                (0..ids.len()).filter(|i| m >> i & 1 == 1).map(|i| names[i].clone()).collect();
            format!("{}: {}", listing(&who, lang), num(n, lang))
        })
        .collect();
    let mut h = Html::new();
    h.open("figure", &[("class", "chart estimate__chart"), ("data-testid", "estimate-upset")]);
    h.el(
        "figcaption",
        &[("class", "chart__title")],
        tr(
            lang,
            "Wie zag wie: personen per combinatie van bronnen",
            "Who saw whom: persons per combination of sources",
        ),
    );
    h.chart_svg(&px(w), &px(h_total), &words.join("; "));
    for (c, &(mask, n)) in cols.iter().enumerate() {
        let x = LABEL + col_w * c as f64;
        let len = bar_len(n, max, (TOP - 24.0) as u32) as f64;
        h.open("g", &[]).el("title", &[], &words[c]);
        h.empty(
            "rect",
            &[
                ("x", &px(x + 4.0)),
                ("y", &px(TOP - len)),
                ("width", &px(col_w - 8.0)),
                ("height", &px(len)),
                ("class", "chart__bar"),
            ],
        );
        h.el(
            "text",
            &[
                ("x", &px(x + col_w / 2.0)),
                ("y", &px(TOP - len - 4.0)),
                ("text-anchor", "middle"),
                ("class", "upset__n"),
            ],
            &num(n, lang),
        );
        let rows: Vec<usize> = (0..ids.len()).filter(|i| mask >> i & 1 == 1).collect();
        if let (Some(&first), Some(&last)) = (rows.first(), rows.last()) {
            h.empty(
                "line",
                &[
                    ("x1", &px(x + col_w / 2.0)),
                    ("y1", &px(dot_y(first))),
                    ("x2", &px(x + col_w / 2.0)),
                    ("y2", &px(dot_y(last))),
                    ("class", "upset__link"),
                ],
            );
        }
        for i in 0..ids.len() {
            let y = dot_y(i);
            let class = if mask >> i & 1 == 1 { "upset__dot upset__dot--on" } else { "upset__dot" };
            h.empty("circle", &[("cx", &px(x + col_w / 2.0)), ("cy", &px(y)), ("r", "6"), ("class", class)]);
        }
        h.close("g");
    }
    for (i, lines) in labels.iter().enumerate() {
        // The lines centred on the row of dots; one line stands 5 below the centre.
        let first = dot_y(i) + 5.0 - LINE * (lines.len() - 1) as f64 / 2.0;
        h.open(
            "text",
            &[("x", &px(LABEL - 10.0)), ("y", &px(first)), ("text-anchor", "end"), ("class", "chart__label")],
        );
        h.el("title", &[], &format!("{} ({})", names[i], num(per_source[i], lang)));
        for (k, line) in lines.iter().enumerate() {
            let y = px(first + LINE * k as f64);
            h.el("tspan", &[("x", &px(LABEL - 10.0)), ("y", &y)], line);
        }
        h.close("text");
    }
    h.close("svg");
    h.el(
        "p",
        &[("class", "utrecht-paragraph muted estimate__caption")],
        tr(
            lang,
            "Elke kolom is een groep personen die door precies de bronnen met een gevulde stip gezien is; de balk is het aantal personen.",
            "Each column is a group of persons seen by exactly the sources with a filled dot; the bar is the number of persons.",
        ),
    );
    h.close("figure");
    h.finish()
}

#[cfg(test)]
mod tests;
