//! `records.csv` (api.md "Records and duplicates"): per stored record the columns of its fields,
//! from the field table (`record::fields`), then what the server adds. Every cell goes through
//! the formula rule of [`crate::csv_cell`]: organisation names and void reasons are typed text.

use crate::api::StoredRecord;
use crate::csv_cell;
use crate::record::fields;

/// The columns after the record's own: what the server knows of the stored record.
const STORED_COLUMNS: [&str; 6] =
    ["device_id", "organisation", "received_at", "void_reason", "void_at", "void_by"];

/// The header of `records.csv`.
pub fn header() -> Vec<&'static str> {
    fields::csv_header().chain(STORED_COLUMNS).collect()
}

/// The cells of one stored record, in the order of [`header`], not yet guarded.
pub fn cells(s: &StoredRecord) -> Vec<String> {
    let void = s.void.as_ref();
    let mut cells = fields::csv_cells(&s.record);
    cells.extend([
        s.device_id.to_string(),
        s.organisation.clone(),
        s.received_at.to_rfc3339(),
        void.map(|v| v.reason.clone()).unwrap_or_default(),
        void.map(|v| v.at.to_rfc3339()).unwrap_or_default(),
        void.map(|v| v.by.clone()).unwrap_or_default(),
    ]);
    cells
}

/// Writes `records.csv` a record at a time.
pub struct Writer {
    csv: csv::Writer<Vec<u8>>,
    rows: usize,
}

impl Writer {
    /// A document with its header line.
    pub fn new() -> Result<Self, csv::Error> {
        let mut csv = csv::Writer::from_writer(Vec::new());
        csv.write_record(header())?;
        Ok(Writer { csv, rows: 0 })
    }

    pub fn push(&mut self, record: &StoredRecord) -> Result<(), csv::Error> {
        let cells = cells(record);
        self.rows += 1;
        self.csv.write_record(cells.iter().map(|cell| csv_cell::guard(cell).into_owned()))
    }

    /// Records written so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The document.
    pub fn finish(self) -> Result<Vec<u8>, String> {
        self.csv.into_inner().map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::VoidInfo;

    fn stored(entry: &str, organisation: &str) -> StoredRecord {
        let record = crate::record::parse_record(&serde_json::json!({
            "id":"0192f0c4-1111-7000-8000-000000000001","revision":1,
            "observed_at":"2026-10-15T22:40:00+02:00","municipality":"GM0935","living_situation":"1.1",
            "origin":{"kind":"abroad"},"dedup_key":null,
            "profile":{"age_band":"23-26","gender":"man","household":"alone","children":0,
                "duration":"1-3m","residence_status":"dutch","income":"benefit",
                "care_needs":["none"],"previous_facility":"none","housing_need":"housing_first"},
            "entry":entry}))
        .unwrap();
        StoredRecord {
            record,
            device_id: uuid::Uuid::from_u128(7),
            organisation: organisation.into(),
            received_at: "2026-10-15T21:00:00Z".parse().unwrap(),
            void: Some(VoidInfo {
                reason: "-1 dubbel".into(),
                at: "2026-10-16T08:00:00Z".parse().unwrap(),
                by: "coord".into(),
            }),
        }
    }

    #[test]
    fn the_document_is_the_header_and_one_guarded_line_per_record() {
        let mut w = Writer::new().unwrap();
        w.push(&stored("desk", "=HYPERLINK(\"x\")")).unwrap();
        assert_eq!(w.rows(), 1);
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "id,revision,observed_at,municipality,living_situation,conceptual_category,origin_kind,\
             origin_code,dedup_key,age_band,gender,household,children,duration,residence_status,income,\
             care_needs,previous_facility,housing_need,training,entry,device_id,organisation,received_at,\
             void_reason,void_at,void_by"
        );
        assert_eq!(
            lines[1],
            "0192f0c4-1111-7000-8000-000000000001,1,2026-10-15T22:40:00+02:00,GM0935,1.1,roofless,abroad,,,\
             23-26,man,alone,0,1-3m,dutch,benefit,none,none,housing_first,false,desk,\
             00000000-0000-0000-0000-000000000007,\"'=HYPERLINK(\"\"x\"\")\",2026-10-15T21:00:00+00:00,\
             '-1 dubbel,2026-10-16T08:00:00+00:00,coord"
        );
    }
}
