//! `ethos report` as a script uses it: the real binary on a demo database. The JSON is the
//! API's report; a table as CSV has the same persons (and total) as that table in the JSON, and ends with
//! one line break (a second one is an empty row in a spreadsheet).

#![allow(clippy::unwrap_used)] // a test: a failed step should stop it loudly

use serde_json::Value;
use std::process::Command;

fn ethos(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_ethos")).args(args).output().unwrap();
    assert!(out.status.success(), "ethos {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_table_as_csv_has_the_persons_of_the_json_report_and_no_empty_last_row() {
    // Arrange: the first of the demo's locked example counts (named after last year).
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ethos.db");
    let db = db.to_str().unwrap();
    let demo = ethos(&["demo", "--db", db]);
    let line = demo.lines().find(|l| l.contains("Example count")).expect("an example count");
    let count = line.split(['(', ')']).find(|part| uuid::Uuid::parse_str(part).is_ok()).expect("its id");

    // Act
    let json: Value = serde_json::from_str(&ethos(&["report", "--db", db, "--count", count])).unwrap();
    let csv =
        ethos(&["report", "--db", db, "--count", count, "--format", "csv", "--table", "by_count_group"]);

    // Assert
    assert_eq!(json["disclosure"], "public");
    assert!(csv.ends_with('\n') && !csv.ends_with("\n\n"), "{csv:?}");
    let table = json["tables"].as_array().unwrap().iter().find(|t| t["id"] == "by_count_group").unwrap();
    // The CSV closes with the table's total row.
    let from_json: Vec<String> = table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["persons"])
        .chain([&table["total"]])
        .map(|n| n.as_u64().map_or_else(String::new, |n| n.to_string()))
        .collect();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let persons = reader.headers().unwrap().iter().position(|h| h == "persons").expect("a persons column");
    let from_csv: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[persons].to_string())
        .map(|p| if p.parse::<u64>().is_ok() { p } else { String::new() })
        .collect();
    assert_eq!(from_csv, from_json);
    assert!(json["persons_total"].as_u64().unwrap() > 100, "the example count has hundreds of persons");
}
