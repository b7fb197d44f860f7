//! The comparison in both downloads, audit and access, the Dutch names in the CSVs, and
//! LibreOffice opening the files.

use super::read::{document_xml, docx_tables, texts, xlsx_text};
use super::{bytes, counts};
use calamine::{Reader, Xlsx};
use ethos_tests::SendExt;
use serde_json::Value;

// --- the comparison, audit and access ------------------------------------------------------

#[tokio::test]
async fn with_an_earlier_count_both_downloads_hold_the_comparison_and_each_download_is_audited() {
    let c = counts().await;
    let comparison = c
        .app
        .get(&format!("/api/v1/counts/{}/comparison?with={}&disclosure=internal", c.now, c.earlier))
        .bearer_auth(&c.coordinator)
        .reply()
        .await
        .assert_status(200);
    let q = format!("disclosure=internal&with={}", c.earlier);
    let (status, _, book) =
        bytes(&c.app, &c.coordinator, &format!("/api/v1/counts/{}/report.xlsx?{q}", c.now)).await;
    assert_eq!(status, 200);
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(book)).expect("a workbook");
    let sheet = wb.worksheet_range("Vergelijking").expect("a sheet Vergelijking");
    let places = comparison["tables"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["id"] == "by_origin_municipality"))
        .expect("origin per municipality in the comparison");
    let heerlen = places["rows"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["key"]["origin_municipality"] == "GM0917"))
        .expect("Heerlen");
    assert_eq!(
        (heerlen["earlier"].as_u64(), heerlen["now"].as_u64(), heerlen["change"].as_i64()),
        (Some(6), Some(12), Some(6))
    );
    let line = sheet
        .rows()
        .find(|r| xlsx_text(r.first()) == "by_origin_municipality" && xlsx_text(r.get(2)) == "GM0917")
        .expect("Heerlen in the sheet");
    assert_eq!(xlsx_text(line.get(1)), "Heerlen");
    assert_eq!([5, 6, 7].map(|i| xlsx_text(line.get(i))), ["6", "12", "6"]);

    let (status, _, docx) =
        bytes(&c.app, &c.coordinator, &format!("/api/v1/counts/{}/report.docx?{q}", c.now)).await;
    assert_eq!(status, 200);
    let text = texts(&document_xml(&docx));
    assert!(text.contains("Vergelijking met Telling 2025"), "the comparison's heading");
    let word = docx_tables(&document_xml(&docx));
    assert!(
        word.iter()
            .flatten()
            .any(|r| r.first().map(String::as_str) == Some("Heerlen") && r[1..] == ["6", "12", "6", "100,0"]),
        "Heerlen compared in Word"
    );

    let log = c
        .app
        .get(&format!("/api/v1/counts/{}/audit", c.now))
        .bearer_auth(&c.coordinator)
        .reply()
        .await
        .assert_status(200);
    let exports: Vec<&Value> =
        log["items"].as_array().into_iter().flatten().filter(|e| e["action"] == "report.export").collect();
    // The details are stored as a JSON text.
    let details = |e: &Value| -> Value {
        e["details"]
            .as_str()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_else(|| e["details"].clone())
    };
    let formats: Vec<String> =
        exports.iter().filter_map(|e| details(e)["format"].as_str().map(String::from)).collect();
    assert!(formats.contains(&"docx".to_string()) && formats.contains(&"xlsx".to_string()), "{exports:?}");
    assert!(
        exports
            .iter()
            .all(|e| details(e)["comparison_with"] == c.earlier.as_str()
                && details(e)["disclosure"] == "internal"),
        "{exports:?}"
    );

    // Bad input: a later count as the earlier one, an unknown count, no login, a bad disclosure.
    let later = format!("/api/v1/counts/{}/report.xlsx?with={}", c.earlier, c.now);
    c.app
        .get(&later)
        .bearer_auth(&c.coordinator)
        .reply()
        .await
        .assert_validation(&[("with", "invalid_value")]);
    let unknown = format!("/api/v1/counts/{}/report.docx", uuid::Uuid::now_v7());
    c.app.get(&unknown).bearer_auth(&c.coordinator).reply().await.assert_error(404, "not_found");
    let path = format!("/api/v1/counts/{}/report.docx", c.now);
    assert_eq!(c.app.get(&path).reply().await.status, 401);
    let bad = format!("/api/v1/counts/{}/report.xlsx?disclosure=everything", c.now);
    c.app
        .get(&bad)
        .bearer_auth(&c.analyst)
        .reply()
        .await
        .assert_validation(&[("disclosure", "invalid_value")]);
}

#[tokio::test]
async fn csv_tables_carry_the_dutch_names_beside_the_codes() {
    let c = counts().await;
    let path =
        format!("/api/v1/counts/{}/report.csv?table=by_origin_municipality&disclosure=internal", c.now);
    let csv = c.app.get(&path).bearer_auth(&c.analyst).reply().await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(lines[0], "origin_municipality,origin_municipality_naam,persons");
    assert!(lines.contains(&"GM0917,Heerlen,12"), "{lines:?}");
    assert!(lines.contains(&"GM1883,Sittard-Geleen,3"), "{lines:?}");
    assert_eq!(lines.last(), Some(&"total,totaal,15"));
    let path = format!(
        "/api/v1/counts/{}/report.csv?table=by_category_and_municipality&disclosure=internal&sep=semicolon",
        c.now
    );
    let csv = c.app.get(&path).bearer_auth(&c.analyst).reply().await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert!(
        csv.text.starts_with(
            "\u{feff}conceptual_category;conceptual_category_naam;municipality;municipality_naam;persons"
        ),
        "{}",
        csv.text
    );
    assert!(csv.text.contains("\nroofless;dakloos (feitelijk);GM0935;Maastricht;30\n"), "{}", csv.text);
}

// --- the files open ------------------------------------------------------------------------

/// LibreOffice (Debian's `libreoffice-writer-nogui` and `libreoffice-calc-nogui`) converts both
/// downloads to PDF: they are valid Office files. Skipped with a message where `soffice` is
/// missing, but required in CI.
#[tokio::test]
async fn libreoffice_converts_both_downloads_to_pdf() {
    let soffice =
        ["/usr/bin/soffice", "/usr/bin/libreoffice"].into_iter().find(|p| std::path::Path::new(p).exists());
    let Some(soffice) = soffice else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI needs soffice: apt-get install -y libreoffice-writer-nogui libreoffice-calc-nogui"
        );
        eprintln!(
            "skipped: no soffice here (apt-get install -y libreoffice-writer-nogui libreoffice-calc-nogui)"
        );
        return;
    };
    let c = counts().await;
    let dir = tempfile::tempdir().expect("a temp dir");
    let q = format!("disclosure=public&with={}", c.earlier);
    for ext in ["docx", "xlsx"] {
        let (status, _, body) =
            bytes(&c.app, &c.analyst, &format!("/api/v1/counts/{}/report.{ext}?{q}", c.now)).await;
        assert_eq!(status, 200);
        let file = dir.path().join(format!("rapport.{ext}"));
        std::fs::write(&file, body).expect("written");
        let profile = format!("-env:UserInstallation=file://{}/profile-{ext}", dir.path().display());
        let out = tokio::process::Command::new(soffice)
            .args([profile.as_str(), "--headless", "--convert-to", "pdf", "--outdir"])
            .arg(dir.path())
            .arg(&file)
            .output();
        let out = tokio::time::timeout(std::time::Duration::from_secs(180), out)
            .await
            .expect("soffice within 3 minutes")
            .expect("soffice runs");
        let pdf = dir.path().join("rapport.pdf");
        let size = std::fs::metadata(&pdf).map(|m| m.len()).unwrap_or(0);
        assert!(
            size > 1000,
            "{ext} → PDF ({size} bytes): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let head = std::fs::read(&pdf).expect("the PDF");
        assert!(head.starts_with(b"%PDF"), "{ext}: not a PDF");
        std::fs::remove_file(&pdf).expect("removed");
    }
}

// --- the charts of the Word file -------------------------------------------------------------

/// After the report's tables, the Word file holds the charts of the page (count groups, ETHOS
/// categories, municipalities) as tables of label, bar image and figure: the figures equal the
/// report JSON of the same disclosure, a hidden one stays `<5` or `x` without a bar, and every
/// shown non-zero figure has one PNG bar.
#[tokio::test]
async fn the_word_file_draws_the_charts_as_images_with_the_figures_of_the_json() {
    let c = counts().await;
    for disclosure in ["internal", "public"] {
        let report = super::report(&c, disclosure).await;
        let (status, _, docx) = bytes(
            &c.app,
            &c.coordinator,
            &format!("/api/v1/counts/{}/report.docx?disclosure={disclosure}", c.now),
        )
        .await;
        assert_eq!(status, 200);
        let xml = document_xml(&docx);
        let word = docx_tables(&xml);
        let first_chart = super::tables(&report).len() + 1;
        let mut bars = 0;
        for (k, id) in ["by_count_group", "by_conceptual_category", "by_municipality"].into_iter().enumerate()
        {
            let table = super::tables(&report).iter().find(|t| t["id"] == id).expect("the table");
            let chart = &word[first_chart + k];
            let rows = table["rows"].as_array().expect("rows");
            assert_eq!(chart.len(), rows.len(), "{disclosure} {id}: one chart row per table row");
            for (line, row) in chart.iter().zip(rows) {
                let want = super::cell_text(&row["persons"], &row["suppressed"]);
                assert_eq!(line.get(2), Some(&want), "{disclosure} {id} {}", row["key"]);
                bars += usize::from(row["persons"].as_u64().is_some_and(|n| n > 0));
            }
        }
        assert!(bars >= 4, "{disclosure}: the counts have bars to draw ({bars})");
        assert_eq!(xml.matches("<pic:pic").count(), bars, "{disclosure}: one image per shown bar");
        // Every image the document embeds is a PNG in the file (equal bars share one).
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx.clone())).expect("a zip");
        let mut rels = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("word/_rels/document.xml.rels").expect("rels"),
            &mut rels,
        )
        .expect("UTF-8");
        let embeds: std::collections::BTreeSet<&str> =
            xml.split("r:embed=\"").skip(1).filter_map(|s| s.split('"').next()).collect();
        assert!(!embeds.is_empty() && embeds.len() <= bars, "{disclosure}: {embeds:?}");
        for id in embeds {
            let rel = rels
                .split("<Relationship ")
                .find(|r| r.contains(&format!("Id=\"{id}\"")))
                .expect("a relationship");
            let target = rel.split("Target=\"").nth(1).and_then(|t| t.split('"').next()).expect("a target");
            let mut png = Vec::new();
            std::io::Read::read_to_end(
                &mut zip.by_name(&format!("word/{target}")).expect("the image"),
                &mut png,
            )
            .expect("bytes");
            assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{target} is a PNG");
        }
    }
}
