//! The workbook and the Word file against the report JSON of their disclosure, and no hidden
//! cell in a public download.

use super::read::{document_xml, docx_tables, texts, xlsx_text};
use super::{bytes, cell_text, counts, dims, report, tables};
use calamine::{Data, Reader, Xlsx};
use ethos_tests::SendExt;
use serde_json::Value;

/// Differences between the workbook and the report JSON (empty when they agree).
fn xlsx_mismatches(book: &[u8], report: &Value, summary: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(book.to_vec())).expect("an xlsx workbook");
    let names = wb.sheet_names();
    for needed in ["Samenvatting", "Toelichting"] {
        if !names.iter().any(|n| n == needed) {
            out.push(format!("no sheet {needed}: {names:?}"));
        }
    }
    let sheets: Vec<(String, calamine::Range<Data>)> =
        names.iter().map(|n| (n.clone(), wb.worksheet_range(n).expect("a sheet"))).collect();
    let first = &sheets.iter().find(|(n, _)| n == "Samenvatting").expect("Samenvatting").1;
    let all_text: Vec<String> = first.rows().flat_map(|r| r.iter().map(|d| xlsx_text(Some(d)))).collect();
    for s in summary["sentences"].as_array().into_iter().flatten() {
        if !all_text.iter().any(|t| Some(t.as_str()) == s.as_str()) {
            out.push(format!("summary sentence {s} not in the sheet"));
        }
    }
    for t in tables(report) {
        let id = t["id"].as_str().unwrap_or_default();
        let Some((_, sheet)) =
            sheets.iter().find(|(_, s)| xlsx_text(s.get_value((1, 0))) == format!("tabel {id}"))
        else {
            out.push(format!("no sheet for {id}"));
            continue;
        };
        let d = dims(t);
        let persons_col = 2 * d.len() as u32;
        for (i, row) in t["rows"].as_array().into_iter().flatten().enumerate() {
            let r = 4 + i as u32;
            for (k, dim) in d.iter().enumerate() {
                let code = xlsx_text(sheet.get_value((r, 2 * k as u32 + 1)));
                if Some(code.as_str()) != row["key"][dim].as_str() {
                    out.push(format!("{id} row {i}: code {code:?}, JSON {}", row["key"][dim]));
                }
                if xlsx_text(sheet.get_value((r, 2 * k as u32))).is_empty() {
                    out.push(format!("{id} row {i}: no label"));
                }
            }
            let want = cell_text(&row["persons"], &row["suppressed"]);
            let got = xlsx_text(sheet.get_value((r, persons_col)));
            if got != want {
                out.push(format!("{id} row {i} {}: persons {got:?}, JSON {want:?}", row["key"]));
            }
        }
        if t["multiple_answers"] != true {
            let r = 4 + t["rows"].as_array().map_or(0, Vec::len) as u32;
            let got = xlsx_text(sheet.get_value((r, persons_col)));
            let want = cell_text(&t["total"], &Value::Null);
            if got != want {
                out.push(format!("{id} total {got:?}, JSON {want:?}"));
            }
        }
    }
    out
}

#[tokio::test]
async fn the_workbook_holds_the_summary_and_every_table_as_the_json_of_its_disclosure() {
    let c = counts().await;
    let mut hidden = 0;
    for disclosure in ["internal", "public"] {
        let report = report(&c, disclosure).await;
        let summary = c
            .app
            .get(&format!("/api/v1/counts/{}/summary?disclosure={disclosure}", c.now))
            .bearer_auth(&c.analyst)
            .reply()
            .await
            .assert_status(200);
        let (status, kind, book) = bytes(
            &c.app,
            &c.analyst,
            &format!("/api/v1/counts/{}/report.xlsx?disclosure={disclosure}", c.now),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(kind, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        let mismatches = xlsx_mismatches(&book, &report, &summary);
        assert!(mismatches.is_empty(), "{disclosure}:\n{}", mismatches.join("\n"));
        hidden += tables(&report)
            .iter()
            .flat_map(|t| t["rows"].as_array().into_iter().flatten())
            .filter(|r| r["persons"].is_null())
            .count();
    }
    assert!(hidden > 10, "the public version hides cells ({hidden}), so the test shows they stay hidden");
}

fn docx_mismatches(docx: &[u8], report: &Value, summary: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let xml = document_xml(docx);
    let text = texts(&xml);
    let first_page = text.split("Tabellen").next().unwrap_or_default();
    let statement = if report["disclosure"] == "public" { "Openbare versie" } else { "Interne versie" };
    if !first_page.contains(statement) {
        out.push(format!("the first page does not state {statement:?}"));
    }
    for s in summary["sentences"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        if !first_page.contains(s) {
            out.push(format!("summary sentence {s:?} not on the first page"));
        }
    }
    let word = docx_tables(&xml);
    // The headline figures first, then the report's tables in order.
    let headline = &word[0];
    if !headline.iter().any(|r| {
        r.first().map(String::as_str) == Some("Getelde personen (zonder meegekomen kinderen)")
            && r.get(1).map(String::as_str)
                == Some(
                    cell_text(&report["persons_total"], &report["headline_suppressed"]["persons_total"])
                        .as_str(),
                )
    }) {
        out.push(format!("headline persons: {headline:?}"));
    }
    for (k, t) in tables(report).iter().enumerate() {
        let id = t["id"].as_str().unwrap_or_default();
        let Some(rows) = word.get(k + 1) else {
            out.push(format!("no Word table for {id}"));
            continue;
        };
        let n = dims(t).len();
        for (i, row) in t["rows"].as_array().into_iter().flatten().enumerate() {
            let want = cell_text(&row["persons"], &row["suppressed"]);
            let got = rows.get(i + 1).and_then(|r| r.get(n)).cloned().unwrap_or_default();
            if got != want {
                out.push(format!("{id} row {i} {}: Word {got:?}, JSON {want:?}", row["key"]));
            }
        }
        if t["multiple_answers"] != true {
            let total = rows.last().and_then(|r| r.get(n)).cloned().unwrap_or_default();
            if total != cell_text(&t["total"], &Value::Null) {
                out.push(format!("{id} total: Word {total:?}, JSON {}", t["total"]));
            }
        }
    }
    out
}

#[tokio::test]
async fn the_word_file_states_its_disclosure_and_holds_every_table_as_the_json() {
    let c = counts().await;
    for disclosure in ["internal", "public"] {
        let report = report(&c, disclosure).await;
        let summary = c
            .app
            .get(&format!("/api/v1/counts/{}/summary?disclosure={disclosure}", c.now))
            .bearer_auth(&c.coordinator)
            .reply()
            .await
            .assert_status(200);
        let (status, kind, docx) = bytes(
            &c.app,
            &c.coordinator,
            &format!("/api/v1/counts/{}/report.docx?disclosure={disclosure}", c.now),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(kind, "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
        let mismatches = docx_mismatches(&docx, &report, &summary);
        assert!(mismatches.is_empty(), "{disclosure}:\n{}", mismatches.join("\n"));
    }
}

#[tokio::test]
async fn no_hidden_cell_of_the_public_report_appears_in_a_public_download() {
    let c = counts().await;
    let internal = report(&c, "internal").await;
    let public = report(&c, "public").await;
    let (_, _, docx) = bytes(&c.app, &c.analyst, &format!("/api/v1/counts/{}/report.docx", c.now)).await;
    let (_, _, book) = bytes(&c.app, &c.analyst, &format!("/api/v1/counts/{}/report.xlsx", c.now)).await;
    let word = docx_tables(&document_xml(&docx));
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(book)).expect("a workbook");
    let mut checked = 0;
    for (k, (t, ti)) in tables(&public).iter().zip(tables(&internal)).enumerate() {
        let id = t["id"].as_str().unwrap_or_default();
        let n = dims(t).len();
        let sheet = wb
            .sheet_names()
            .into_iter()
            .map(|s| wb.worksheet_range(&s).expect("a sheet"))
            .find(|s| xlsx_text(s.get_value((1, 0))) == format!("tabel {id}"))
            .expect("a sheet");
        for (i, (row, row_i)) in t["rows"]
            .as_array()
            .into_iter()
            .flatten()
            .zip(ti["rows"].as_array().into_iter().flatten())
            .enumerate()
        {
            assert_eq!(row["key"], row_i["key"]);
            if !row["persons"].is_null() {
                continue;
            }
            let secret = row_i["persons"].as_u64().expect("internal shows all").to_string();
            let in_word = word[k + 1][i + 1][n].clone();
            let in_book = xlsx_text(sheet.get_value((4 + i as u32, 2 * n as u32)));
            assert!(
                ["<5", "x"].contains(&in_word.as_str()) && in_word != secret,
                "{id} {}: Word {in_word}",
                row["key"]
            );
            assert!(
                ["<5", "x"].contains(&in_book.as_str()) && in_book != secret,
                "{id} {}: Excel {in_book}",
                row["key"]
            );
            checked += 1;
        }
    }
    assert!(checked > 10, "hidden cells checked: {checked}");
    // The file as a whole never names a small origin: Sittard-Geleen's 3 persons are `<5`.
    let places = tables(&public).iter().find(|t| t["id"] == "by_origin_municipality").expect("the table");
    let sittard = places["rows"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["key"]["origin_municipality"] == "GM1883"))
        .expect("a row");
    assert_eq!(sittard["suppressed"], "primary");
}
