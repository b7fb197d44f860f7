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
        "gender" => ("Geslacht", "Gender"),
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
                // Numbered ETHOS codes read with their number, as in the typology: "1. openbare
                // ruimte" (count group), "2.1 nachtopvang" (living situation).
                let numbered = code.starts_with(|c: char| c.is_ascii_digit());
                let (nl, en) = match d.name {
                    "count_group" if numbered => (format!("{code}. {nl}"), format!("{code}. {en}")),
                    "living_situation" if numbered => (format!("{code} {nl}"), format!("{code} {en}")),
                    _ => (nl.clone(), en.clone()),
                };
                values.insert(code.clone(), (nl, en));
            }
        }
        map
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_as_their_dutch_and_english_names() {
        assert_eq!(value_label("count_group", "1", Lang::Nl), "1. openbare ruimte");
        assert_eq!(value_label("count_group", "other", Lang::Nl), "overige ETHOS");
        assert_eq!(value_label("municipality", "GM0935", Lang::Nl), "Maastricht");
        assert_eq!(value_label("origin", "elsewhere_nl", Lang::Nl), "elders in Nederland");
        assert_eq!(value_label("living_situation", "2.1", Lang::Nl), "2.1 nachtopvang");
        assert_eq!(value_label("gender", "unknown", Lang::En), "unknown");
        assert_eq!(value_label("gender", "woman", Lang::Nl), "vrouw");
        assert_eq!(value_label("care_needs", "none", Lang::Nl), "geen");
        assert_eq!(value_label("children", "3+", Lang::Nl), "3 of meer");
        assert_eq!(value_label(PROVINCE, "Limburg", Lang::Nl), "Limburg");
        assert_eq!(value_label(MUNICIPALITY, "GM0917", Lang::Nl), "Heerlen");
        assert_eq!(value_label(MUNICIPALITY, "GM9999", Lang::Nl), "GM9999", "unknown: the code");
        assert_eq!(dimension_label(MUNICIPALITY, Lang::Nl), "Herkomstgemeente buiten de regio");
        assert_eq!(dimension_label("age_band", Lang::En), "Age");
    }

    #[test]
    fn every_value_of_every_fixed_dimension_has_a_name() {
        for d in dims().into_iter().chain([care_need_dim()]) {
            for code in &d.codes {
                let known = table().get(d.name).and_then(|values| values.get(code));
                assert!(known.is_some_and(|(nl, en)| !nl.is_empty() && !en.is_empty()), "{} {code}", d.name);
            }
        }
    }
}
