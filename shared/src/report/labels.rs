//! Labels of the report's dimensions and their values, in Dutch and English: the column headings
//! and the names beside the codes in the CSV, Word and Excel downloads. One source with the
//! tables themselves (the dimensions' value lists), so a code never lacks its name.

use super::origin::{MUNICIPALITY, PROVINCE};
use super::{care_need_dim, dims};
use crate::municipality;
use crate::Lang;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The name of a dimension, as a column heading ("Telgroep", "Herkomstgemeente", …); the
/// dimension id itself for one this list does not know.
pub fn dimension_label(dimension: &str, lang: Lang) -> String {
    let (nl, en) = match dimension {
        "count_group" => ("Telgroep", "Count group"),
        "visibility" => ("Zichtbaar of verborgen", "Visible or hidden"),
        "conceptual_category" => ("ETHOS-categorie", "ETHOS category"),
        "living_situation" => ("Woonsituatie (ETHOS)", "Living situation (ETHOS)"),
        "municipality" => ("Gemeente waar geteld", "Municipality where counted"),
        "origin" => ("Herkomstgemeente", "Municipality of origin"),
        PROVINCE => ("Provincie van herkomst", "Province of origin"),
        MUNICIPALITY => ("Herkomstgemeente buiten de regio", "Municipality of origin outside the region"),
        "age_band" => ("Leeftijd", "Age"),
        "gender" => ("Gender", "Gender"),
        "household" => ("Huishouden", "Household"),
        "children" => ("Minderjarige kinderen", "Minor children"),
        "duration" => ("Duur dakloosheid", "Duration of homelessness"),
        "residence_status" => ("Verblijfsstatus", "Residence status"),
        "income" => ("Inkomen", "Income"),
        "care_needs" => ("Zorgbehoefte", "Care needs"),
        "previous_facility" => ("Voorafgaande voorziening", "Previous facility"),
        "housing_need" => ("Toekomstperspectief wonen", "Housing need"),
        other => return other.replace('_', " "),
    };
    match lang {
        Lang::Nl => nl.to_string(),
        Lang::En => en.to_string(),
    }
}

/// The label of a value (a wire code) of a dimension: "1. openbare ruimte" for count group `1`,
/// "Heerlen" for origin `GM0917`, "Limburg" for a province. The code itself for a value the
/// dimension does not have.
pub fn value_label(dimension: &str, code: &str, lang: Lang) -> String {
    let found = match dimension {
        MUNICIPALITY => municipality::by_code(code).map(|g| g.name.clone()),
        PROVINCE => Some(code.to_string()),
        _ => table().get(dimension).and_then(|values| values.get(code)).map(|(nl, en)| match lang {
            Lang::Nl => nl.clone(),
            Lang::En => en.clone(),
        }),
    };
    found.unwrap_or_else(|| code.to_string())
}

/// Per dimension, per code: the Dutch and the English label.
type Labels = HashMap<String, HashMap<String, (String, String)>>;

/// Every (dimension, code) of the tables with fixed value lists, built once.
fn table() -> &'static Labels {
    static TABLE: OnceLock<Labels> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut map = Labels::new();
        for d in dims().into_iter().chain([care_need_dim()]) {
            let values = map.entry(d.name.to_string()).or_default();
            for (code, (nl, en)) in d.codes.iter().zip(&d.labels) {
                // Numbered ETHOS codes read with their number, as in the typology.
                let numbered = matches!(d.name, "count_group" | "living_situation")
                    && code.starts_with(|c: char| c.is_ascii_digit());
                let (nl, en) = if numbered {
                    (format!("{code}. {nl}"), format!("{code}. {en}"))
                } else {
                    (nl.clone(), en.clone())
                };
                values.insert(code.clone(), (nl, en));
            }
        }
        map
    })
}
