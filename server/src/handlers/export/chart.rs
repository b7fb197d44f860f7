//! The bar charts of the Word file as images: per chart a table of rows with the label as text,
//! a bar drawn as a PNG whose length is the row's share of the largest shown value, and the
//! figure. The labels and figures stay text (readable aloud and searchable), so the images need
//! no font; the PNG is written here (stored deflate blocks — the Word file's archive compresses
//! them), with no image library.

use super::content::{self, Cell};
use docx_rs::{AlignmentType, Paragraph, Pic, Run, Table, TableCell, TableRow, WidthType};
use ethos_shared::report::Report;

/// The tables drawn as charts, as on the report page: count groups, ETHOS categories and
/// municipalities where counted.
pub const CHARTS: [&str; 3] = ["by_count_group", "by_conceptual_category", "by_municipality"];

/// The longest bar, in pixels, and the bars' height.
const WIDTH: u32 = 360;
const HEIGHT: u32 = 18;
/// The bars' colour (the report page's blue).
const BLUE: [u8; 3] = [0x01, 0x68, 0x9b];

/// The chart of table `id` of `report`: `None` for a table the report lacks. A hidden figure
/// (`<5`, `x`) and a zero get no bar, only their text.
pub fn chart(report: &Report, id: &str) -> Option<Table> {
    let table = report.table(id)?;
    let rows: Vec<(String, Cell)> = table
        .rows
        .iter()
        .map(|row| {
            let label = content::labels_and_codes(&table.dimensions, &row.key)
                .into_iter()
                .map(|(l, _)| l)
                .collect::<Vec<_>>()
                .join(" · ");
            (label, Cell::of(row.persons, row.suppressed))
        })
        .collect();
    let largest =
        rows.iter().filter_map(|(_, c)| if let Cell::Number(n) = c { Some(*n) } else { None }).max();
    let lines = rows
        .into_iter()
        .map(|(label, cell)| {
            let bar = match (cell, largest) {
                (Cell::Number(n), Some(max)) if n > 0 => {
                    let width = ((n as f64 / max as f64) * f64::from(WIDTH)).round().max(1.0) as u32;
                    Run::new().add_image(Pic::new_with_dimensions(bar_png(width, HEIGHT), width, HEIGHT))
                }
                _ => Run::new(),
            };
            TableRow::new(vec![
                TableCell::new().add_paragraph(Paragraph::new().add_run(Run::new().add_text(label))),
                TableCell::new().add_paragraph(Paragraph::new().add_run(bar)),
                TableCell::new().add_paragraph(
                    Paragraph::new().add_run(Run::new().add_text(cell.text())).align(AlignmentType::Right),
                ),
            ])
        })
        .collect();
    Some(Table::new(lines).width(5000, WidthType::Pct))
}

/// A `width` × `height` PNG filled with the bars' colour (8-bit RGB).
pub fn bar_png(width: u32, height: u32) -> Vec<u8> {
    // Each row: the filter byte (0, none), then the pixels.
    let mut row = vec![0u8];
    for _ in 0..width {
        row.extend_from_slice(&BLUE);
    }
    let raw = row.repeat(height as usize);
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8 bits, RGB, deflate, no filter, no interlace
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &zlib_stored(&raw));
    chunk(&mut png, b"IEND", &[]);
    png
}

fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = png.len();
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let crc = crc32(&png[start..]);
    png.extend_from_slice(&crc.to_be_bytes());
}

/// A zlib stream of stored (uncompressed) deflate blocks (RFC 1950, 1951 §3.2.4).
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = if data.is_empty() { vec![&[][..]] } else { data.chunks(65_535).collect() };
    let last = blocks.len() - 1;
    for (i, block) in blocks.iter().enumerate() {
        out.push(u8::from(i == last));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

/// CRC-32 (ISO 3309, as PNG uses it), bit by bit: the images are small.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_and_adler_match_known_values() {
        // The CRC of "IEND" is the constant every PNG ends with.
        assert_eq!(crc32(b"IEND"), 0xae42_6082);
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        // Adler-32 of "Wikipedia" (RFC 1950's example word).
        let z = zlib_stored(b"Wikipedia");
        assert_eq!(z[z.len() - 4..], 0x11e6_0398u32.to_be_bytes());
    }

    #[test]
    fn bar_png_has_the_asked_size_and_a_valid_structure() {
        let png = bar_png(5, 2);
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&png[16..24], [0, 0, 0, 5, 0, 0, 0, 2]);
        assert!(png.ends_with(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xae, 0x42, 0x60, 0x82]));
        // Two rows of a filter byte and five RGB pixels, stored.
        let idat = 8 + 25;
        let len = u32::from_be_bytes([png[idat], png[idat + 1], png[idat + 2], png[idat + 3]]) as usize;
        assert_eq!(len, 2 + 5 + 2 * (1 + 15) + 4);
    }
}
