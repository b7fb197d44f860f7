//! The horizontal bar chart of the dashboard and the report, as SVG text. Labels stand right
//! aligned in a column left of the bars; a long one wraps to up to three lines, its row grows
//! with it, and only what still does not fit is cut (the whole label is the row's `<title>`).

use super::kit::Html;
use super::label::wrap;
use crate::console::model::bar_len;

const W: u32 = 600;
/// Where the bars start: the label column is this wide.
const LABEL: u32 = 260;
/// The longest bar; the value stands after it (room for "12.345" before `W`).
const BAR: u32 = 270;
/// Space between a label and its bar, and left of the longest label line.
const GAP: u32 = 8;
const MARGIN: u32 = 4;
/// The height of a row of one line, and of each line of a label (`.chart__label`: 14px).
const ROW: u32 = 26;
const LINE: u32 = 17;
const FONT_PX: f64 = 14.0;
const MAX_LINES: usize = 3;
const BAR_HEIGHT: u32 = 18;

/// The width a line of a label may take.
pub fn label_room() -> f64 {
    f64::from(LABEL - GAP - MARGIN)
}

/// A label as the lines it is drawn in.
pub fn label_lines(label: &str) -> Vec<String> {
    wrap(label, "", label_room(), FONT_PX, MAX_LINES)
}

/// A horizontal SVG bar chart of (label, value, value as shown); a hidden value draws no bar.
pub fn bar_chart(title: &str, items: &[(String, Option<u64>, String)], testid: &str) -> String {
    let mut h = Html::new();
    h.open("figure", &[("class", "chart"), ("data-testid", testid)]);
    h.el("figcaption", &[("class", "chart__title")], title);
    if items.is_empty() {
        h.el("p", &[("class", "utrecht-paragraph muted")], "–").close("figure");
        return h.finish();
    }
    let max = items.iter().filter_map(|i| i.1).max().unwrap_or(0);
    let lines: Vec<Vec<String>> = items.iter().map(|(label, _, _)| label_lines(label)).collect();
    let row_height = |n: usize| ROW.max(LINE * n as u32 + 9);
    let height: u32 = lines.iter().map(|l| row_height(l.len())).sum();
    let summary = items.iter().map(|(l, _, v)| format!("{l} {v}")).collect::<Vec<_>>().join("; ");
    h.chart_svg(&W.to_string(), &height.to_string(), &format!("{title}: {summary}"));
    let mut top = 0;
    for ((label, value, shown), lines) in items.iter().zip(&lines) {
        let row = row_height(lines.len());
        let len = bar_len(value.unwrap_or(0), max, BAR);
        // The label's lines and the bar are centred in the row; 13 is the baseline in a line.
        let first = top + (row - LINE * lines.len() as u32) / 2 + 13;
        let bar_top = top + (row - BAR_HEIGHT) / 2;
        let x = (LABEL - GAP).to_string();
        h.open("g", &[]).el("title", &[], label);
        h.open(
            "text",
            &[("x", &x), ("y", &first.to_string()), ("text-anchor", "end"), ("class", "chart__label")],
        );
        if let [only] = lines.as_slice() {
            h.text(only);
        } else {
            for (i, line) in lines.iter().enumerate() {
                h.el("tspan", &[("x", &x), ("y", &(first + LINE * i as u32).to_string())], line);
            }
        }
        h.close("text");
        h.open(
            "rect",
            &[
                ("x", &LABEL.to_string()),
                ("y", &bar_top.to_string()),
                ("width", &len.to_string()),
                ("height", &BAR_HEIGHT.to_string()),
                ("class", "chart__bar"),
            ],
        )
        .close("rect");
        h.el(
            "text",
            &[
                ("x", &(LABEL + len + 6).to_string()),
                ("y", &(bar_top + 14).to_string()),
                ("class", "chart__value"),
            ],
            shown,
        );
        h.close("g");
        top += row;
    }
    h.close("svg").close("figure");
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::super::label::{text_width, DEMO_ORGANISATIONS};
    use super::*;
    use ethos_shared::count::OrganisationType;
    use ethos_shared::Lang;

    #[test]
    fn bar_charts_scale_to_the_largest_value_and_draw_no_bar_for_a_hidden_one() {
        let items =
            vec![("a".to_string(), Some(10), "10".to_string()), ("b".to_string(), None, "<5".to_string())];
        let svg = bar_chart("Titel", &items, "chart");
        assert!(svg.contains(&format!("width=\"{BAR}\" height=\"18\"")), "{svg}");
        assert!(svg.contains("width=\"0\""));
        assert!(svg.contains("&lt;5"));
        assert!(svg.contains("aria-label=\"Titel: a 10; b &lt;5\""));
    }

    /// The dashboard's organisation chart labels "name (type)": every demo organisation with
    /// every type, in both languages, is drawn whole within the label column.
    #[test]
    fn the_demo_organisations_fit_the_label_column_whole() {
        for name in DEMO_ORGANISATIONS {
            for kind in OrganisationType::ALL {
                for lang in [Lang::Nl, Lang::En] {
                    let label = format!("{name} ({})", kind.label(lang));
                    let lines = label_lines(&label);
                    let letters = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
                    assert_eq!(letters(&lines.concat()), letters(&label), "not cut: {lines:?}");
                    for line in &lines {
                        assert!(text_width(line, FONT_PX) <= label_room(), "{line:?} is too wide");
                    }
                }
            }
        }
    }

    #[test]
    fn a_wrapped_label_makes_its_row_taller_and_keeps_the_whole_label_as_title() {
        let label = "Straatteam Maastricht-Heuvelland (voorbeeld) (straat- en veldwerk)".to_string();
        let items =
            vec![(label.clone(), Some(84), "84".to_string()), ("Vaals".into(), Some(22), "22".into())];
        let svg = bar_chart("Records per organisatie", &items, "chart");
        assert!(svg.contains(&format!("<title>{label}</title>")), "{svg}");
        let lines = label_lines(&label).len();
        assert!(lines > 1 && svg.matches("<tspan").count() == lines, "{svg}");
        let height = LINE * lines as u32 + 9 + ROW;
        assert!(svg.contains(&format!("height=\"{height}\" viewBox")), "{svg}");
        assert!(!svg.contains('…'), "{svg}");
    }
}
