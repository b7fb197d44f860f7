//! Builds the tables, their lines and values; the report applies disclosure to them.

use super::dims::{title, Dim};
use super::{Row, Table};
use crate::disclosure::Line;
use std::collections::BTreeMap;

/// Builds the tables, their lines and values, then applies disclosure.
pub(super) struct Builder {
    pub(super) values: Vec<u64>,
    pub(super) lines: Vec<Line>,
    pub(super) tables: Vec<(Table, Vec<usize>, usize)>, // table, cell index per row, total cell
}

impl Builder {
    pub(super) fn cell(&mut self, v: u64) -> usize {
        self.values.push(v);
        self.values.len() - 1
    }

    /// A one-dimensional table; returns its cell indices.
    pub(super) fn one(
        &mut self,
        d: &Dim,
        counts: &[u64],
        total: usize,
        id: Option<String>,
        multiple: bool,
    ) -> Vec<usize> {
        let cells: Vec<usize> = counts.iter().map(|&c| self.cell(c)).collect();
        if !multiple {
            self.lines.push(Line { cells: cells.clone(), total });
        }
        let (title, title_en) = title(&[d]);
        let rows = d
            .codes
            .iter()
            .map(|c| Row {
                key: BTreeMap::from([(d.name.to_string(), c.clone())]),
                persons: None,
                suppressed: None,
                children: None,
                children_suppressed: None,
            })
            .collect();
        let table = Table {
            id: id.unwrap_or_else(|| format!("by_{}", d.name)),
            title,
            title_en,
            dimensions: vec![d.name.to_string()],
            total: None,
            rows,
            multiple_answers: multiple,
        };
        self.tables.push((table, cells.clone(), total));
        cells
    }

    /// A two-dimensional table `a × b` whose margins are the cells of `a`'s and `b`'s tables.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn two(
        &mut self,
        id: String,
        a: &Dim,
        b: &Dim,
        counts: &[Vec<u64>],
        margin_a: &[usize],
        margin_b: &[usize],
        total: usize,
        b_multiple: bool,
    ) {
        let mut cells = Vec::new();
        let mut rows = Vec::new();
        for (i, ca) in a.codes.iter().enumerate() {
            let row_cells: Vec<usize> = counts[i].iter().map(|&c| self.cell(c)).collect();
            if !b_multiple {
                self.lines.push(Line { cells: row_cells.clone(), total: margin_a[i] });
            }
            for cb in &b.codes {
                rows.push(Row {
                    key: BTreeMap::from([(a.name.to_string(), ca.clone()), (b.name.to_string(), cb.clone())]),
                    persons: None,
                    suppressed: None,
                    children: None,
                    children_suppressed: None,
                });
            }
            cells.extend(row_cells);
        }
        let nb = b.codes.len();
        for (j, &m) in margin_b.iter().enumerate() {
            self.lines
                .push(Line { cells: (0..a.codes.len()).map(|i| cells[i * nb + j]).collect(), total: m });
        }
        let (title, title_en) = title(&[a, b]);
        let table = Table {
            id,
            title,
            title_en,
            dimensions: vec![a.name.to_string(), b.name.to_string()],
            total: None,
            rows,
            multiple_answers: b_multiple,
        };
        self.tables.push((table, cells, total));
    }
}
