//! Reading the downloads back: cells of a workbook, tables and text of a Word file.

use calamine::Data;
use std::io::Read;

pub fn xlsx_text(d: Option<&Data>) -> String {
    match d {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => format!("{f}"),
        Some(Data::Int(i)) => i.to_string(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => format!("{other:?}"),
    }
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The text of every `<w:t>` in a piece of document.xml, joined.
pub fn texts(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(start) = rest.find("<w:t") {
        let after = &rest[start + 4..];
        // `<w:t>` or `<w:t xml:space="preserve">`, not `<w:tbl>`, `<w:tc>`, `<w:tr>`…
        if !(after.starts_with('>') || after.starts_with(' ')) {
            rest = after;
            continue;
        }
        let Some(open_end) = after.find('>') else { break };
        let body = &after[open_end + 1..];
        let Some(close) = body.find("</w:t>") else { break };
        out.push_str(&unescape(&body[..close]));
        rest = &body[close..];
    }
    out
}

/// The pieces of `xml` between `open` and `close` (not nested).
pub fn between<'a>(xml: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(open) {
        let Some(end) = rest[start..].find(close) else { break };
        out.push(&rest[start..start + end]);
        rest = &rest[start + end + close.len()..];
    }
    out
}

/// Every table of the Word file: rows of cell texts.
pub fn docx_tables(xml: &str) -> Vec<Vec<Vec<String>>> {
    between(xml, "<w:tbl>", "</w:tbl>")
        .into_iter()
        .map(|t| {
            between(t, "<w:tr", "</w:tr>")
                .into_iter()
                .map(|r| between(r, "<w:tc>", "</w:tc>").into_iter().map(texts).collect())
                .collect()
        })
        .collect()
}

pub fn document_xml(docx: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx.to_vec())).expect("a docx is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml").expect("word/document.xml").read_to_string(&mut xml).expect("UTF-8");
    xml
}
