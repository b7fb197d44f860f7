//! The spreadsheet template of desk entry (`GET /api/v1/desk/template.xlsx` and
//! `…/template.csv`, an addition to api.md): the Dutch column headers, a drop-down list for
//! every answer column and a sheet "Toelichting" with instructions. It holds no personal data
//! and nothing of any count, so it needs no login.

use crate::error::{ApiError, ApiResult};
use axum::http::header;
use axum::response::IntoResponse;
use ethos_shared::sheet::columns::{ColumnKey, COLUMNS};
use ethos_shared::sheet::template::{columns_with_answers, csv_template, INSTRUCTIONS};
use rust_xlsxwriter::{
    ColNum, DataValidation, DataValidationErrorStyle, Format, Formula, Workbook, XlsxError,
};

/// Rows of the person sheet that carry the drop-down lists.
const ROWS: u32 = 5000;

/// Excel's column letters of a zero-based column (A … Z, AA …).
fn column_letters(mut col: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The template workbook: sheet "Personen" (headers, drop-downs), the hidden sheet "Lijsten"
/// (the answers the drop-downs offer) and "Toelichting".
pub fn workbook() -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let lists = columns_with_answers();
    {
        let ws = wb.add_worksheet();
        ws.set_name("Personen")?;
        for (i, c) in COLUMNS.iter().enumerate() {
            let col = i as ColNum;
            ws.write_string_with_format(0, col, c.nl, &bold)?;
            ws.set_column_width(col, (c.nl.chars().count() + 4).max(14) as f64)?;
            if c.key == ColumnKey::BirthDate {
                ws.set_column_format(col, &Format::new().set_num_format("dd-mm-yyyy"))?;
            }
        }
        for (i, (header, answers)) in lists.iter().enumerate() {
            if answers.is_empty() {
                continue;
            }
            let letters = column_letters(i as u32);
            let range = format!("=Lijsten!${letters}$2:${letters}${}", answers.len() + 1);
            let key = COLUMNS[i].key;
            // Several care needs, or a village instead of a municipality, are typed by hand.
            let style = if matches!(key, ColumnKey::CareNeeds | ColumnKey::Origin) {
                DataValidationErrorStyle::Warning
            } else {
                DataValidationErrorStyle::Stop
            };
            let validation = DataValidation::new()
                .allow_list_formula(Formula::new(range))
                .set_error_style(style)
                .set_error_title(*header)?
                .set_error_message(
                    "Kies een antwoord uit de lijst (of laat de cel leeg als het onbekend is).",
                )?;
            ws.add_data_validation(1, i as ColNum, ROWS, i as ColNum, &validation)?;
        }
        ws.set_freeze_panes(1, 0)?;
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("Lijsten")?;
        for (i, (header, answers)) in lists.iter().enumerate() {
            ws.write_string_with_format(0, i as ColNum, *header, &bold)?;
            for (r, a) in answers.iter().enumerate() {
                ws.write_string(r as u32 + 1, i as ColNum, a)?;
            }
        }
        ws.set_hidden(true);
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("Toelichting")?;
        for (r, line) in INSTRUCTIONS.iter().enumerate() {
            if r == 0 {
                ws.write_string_with_format(0, 0, *line, &bold)?;
            } else {
                ws.write_string(r as u32, 0, *line)?;
            }
        }
        ws.set_column_width(0, 110)?;
    }
    wb.save_to_buffer()
}

/// `GET /api/v1/desk/template.xlsx`.
pub async fn xlsx() -> ApiResult<impl IntoResponse> {
    let bytes = workbook().map_err(|e| ApiError::Internal(anyhow::anyhow!("template: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"ethos-sjabloon.xlsx\""),
        ],
        bytes,
    ))
}

/// `GET /api/v1/desk/template.csv`: the headers, `;`-separated with a BOM (Dutch Excel).
pub async fn csv() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"ethos-sjabloon.csv\""),
        ],
        csv_template(),
    )
}

#[cfg(test)]
mod tests {
    use super::{column_letters, workbook};

    #[test]
    fn the_template_workbook_is_written() {
        let bytes = workbook().expect("the template");
        assert!(bytes.starts_with(b"PK"), "an xlsx is a zip file");
    }

    #[test]
    fn column_letters_run_from_a_to_z_and_on_to_aa() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(16), "Q");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
    }
}
