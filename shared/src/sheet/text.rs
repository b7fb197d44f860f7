//! A CSV file into a table of cells: UTF-8 with or without BOM, or Windows-1252 as Dutch Excel
//! saves "CSV (gescheiden door lijstscheidingsteken)"; `,` or `;` between cells.

/// The text of a file: UTF-8 (a BOM dropped) when it is valid UTF-8, else Windows-1252.
/// Returns the text and whether it was read as Windows-1252.
pub fn decode(bytes: &[u8]) -> (String, bool) {
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(bytes);
    match std::str::from_utf8(body) {
        Ok(text) => (text.to_string(), false),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(body);
            (text.into_owned(), true)
        }
    }
}

/// The cell separator: whichever of `;` and `,` occurs more often outside quotes in the first
/// line (`;` on a tie: Dutch Excel's separator).
pub fn separator(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    let (mut quoted, mut semi, mut comma) = (false, 0, 0);
    for c in first.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => semi += 1,
            ',' if !quoted => comma += 1,
            _ => {}
        }
    }
    if comma > semi {
        b','
    } else {
        b';'
    }
}

/// The rows of a CSV text, every row as its cells (rows may differ in length).
pub fn csv_table(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator(text))
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| r.map(|rec| rec.iter().map(str::to_string).collect()).map_err(|e| e.to_string()))
        .collect()
}

/// A CSV file's bytes into its table.
pub fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
    csv_table(&decode(bytes).0)
}
