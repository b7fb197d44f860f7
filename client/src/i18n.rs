//! Texts of the app that are not labels of a value set (those live in `shared`).

use chrono::{DateTime, Datelike, Local, NaiveDate, Timelike, Utc};
use ethos_shared::record::{FieldError, FieldErrorCode};
use ethos_shared::Lang;

// Times and dates are written by hand rather than with chrono's `format`: its format-string
// machinery is a sizeable part of the phone's download for these few fixed patterns.

/// A moment as the phone's local clock time, `HH:MM` or `HH:MM:SS`.
pub fn clock(at: DateTime<Utc>, seconds: bool) -> String {
    let t = at.with_timezone(&Local);
    if seconds {
        format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
    } else {
        format!("{:02}:{:02}", t.hour(), t.minute())
    }
}

/// A date the Dutch way, `DD-MM-YYYY`.
pub fn day_month_year(date: NaiveDate) -> String {
    format!("{:02}-{:02}-{:04}", date.day(), date.month(), date.year())
}

/// The local time as `YYYYMMDD-HHMM`, for file names.
pub fn file_stamp(t: DateTime<Local>) -> String {
    format!("{:04}{:02}{:02}-{:02}{:02}", t.year(), t.month(), t.day(), t.hour(), t.minute())
}

/// Picks the Dutch or the English text.
pub fn tr(lang: Lang, nl: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Nl => nl,
        Lang::En => en,
    }
}

/// One closure type for every translated text: the view code for it exists once in the
/// binary instead of once per text (used by the field app and the console alike).
#[cfg(target_arch = "wasm32")]
pub fn text(
    lang: leptos::prelude::RwSignal<Lang>,
    nl: &'static str,
    en: &'static str,
) -> impl Fn() -> &'static str + Copy + Send + Sync {
    use leptos::prelude::Get;
    move || tr(lang.get(), nl, en)
}

/// The name of a record field, as an error message shows it.
pub fn field_label(field: &str, lang: Lang) -> &'static str {
    let (nl, en) = match field.trim_start_matches("profile.") {
        "id" => ("nummer", "id"),
        "revision" => ("versie", "revision"),
        "observed_at" => ("tijdstip", "time"),
        "municipality" => ("gemeente", "municipality"),
        "living_situation" => ("woonsituatie", "living situation"),
        "origin" => ("herkomstgemeente", "municipality of origin"),
        "dedup_key" => ("herkenning dubbeltelling", "duplicate check"),
        "age_band" => ("leeftijd", "age"),
        "first_name" => ("voornaam", "first name"),
        "family_name" => ("achternaam", "family name"),
        "birth_date" => ("geboortedatum", "date of birth"),
        "gender" => ("geslacht", "gender"),
        "household" => ("huishouden", "household"),
        "children" => ("kinderen", "children"),
        "duration" => ("duur dakloosheid", "duration of homelessness"),
        "residence_status" => ("verblijfsstatus", "residence status"),
        "income" => ("inkomen", "income"),
        "care_needs" => ("zorgbehoefte", "care needs"),
        "previous_facility" => ("voorafgaande voorziening", "previous facility"),
        "housing_need" => ("woonbehoefte", "housing need"),
        "training" => ("oefenen", "training"),
        "count" => ("telling", "count"),
        _ => ("record", "record"),
    };
    tr(lang, nl, en)
}

/// "3 min", "2 uur 5 min", for the age of the oldest unsynced record.
pub fn age_text(minutes: i64, lang: Lang) -> String {
    let minutes = minutes.max(0);
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, lang) {
        (0, _) => format!("{m} min"),
        (h, Lang::Nl) => format!("{h} uur {m} min"),
        (h, Lang::En) => format!("{h} h {m} min"),
    }
}

/// The answer of the server to an enrolment, in words.
pub fn enroll_error(code: &str, lang: Lang) -> &'static str {
    match code {
        "invite_invalid" => tr(
            lang,
            "Deze code is onbekend, verlopen of ingetrokken, of de telling is gesloten. Vraag je coördinator om een nieuwe code.",
            "This code is unknown, expired or revoked, or the count is closed. Ask your coordinator for a new code.",
        ),
        "validation_failed" | "invalid_json" => {
            tr(lang, "Vul de code in zoals je die kreeg, bijvoorbeeld K7PQ-2QXM.", "Type the code as you got it, e.g. K7PQ-2QXM.")
        }
        "too_many_requests" => tr(lang, "Te veel pogingen. Wacht even en probeer opnieuw.", "Too many attempts. Wait a moment and try again."),
        "network" => tr(
            lang,
            "Geen verbinding met de server. Aanmelden kan alleen met internet; probeer het zo opnieuw.",
            "No connection to the server. Enrolling needs the internet; try again shortly.",
        ),
        _ => tr(lang, "Aanmelden lukte niet. Probeer het opnieuw.", "Enrolment failed. Please try again."),
    }
}

/// The reasons of an entry that needs attention, in the counter's language.
pub fn attention_reasons(errors: &[FieldError], lang: Lang) -> Vec<String> {
    if errors.is_empty() {
        return vec![match lang {
            Lang::Nl => "de server heeft dit record niet aangenomen".into(),
            Lang::En => "the server did not accept this record".into(),
        }];
    }
    errors
        .iter()
        .map(|e| {
            let what = field_label(&e.field, lang);
            match e.code {
                FieldErrorCode::CountLocked
                | FieldErrorCode::ContentDiffers
                | FieldErrorCode::StaleRevision
                | FieldErrorCode::OtherDevice => e.code.message(lang).to_string(),
                _ => format!("{what}: {}", e.code.message(lang)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_fields_are_named_without_their_prefix() {
        assert_eq!(field_label("profile.gender", Lang::Nl), "geslacht");
        assert_eq!(field_label("living_situation", Lang::En), "living situation");
        assert_eq!(field_label("whatever", Lang::Nl), "record");
    }

    #[test]
    fn ages_read_in_hours_and_minutes() {
        assert_eq!(age_text(5, Lang::Nl), "5 min");
        assert_eq!(age_text(125, Lang::Nl), "2 uur 5 min");
        assert_eq!(age_text(-3, Lang::En), "0 min");
    }
}

#[cfg(test)]
mod time_tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_and_dates_read_as_chrono_formats_them() {
        let at = Utc.with_ymd_and_hms(2026, 1, 7, 3, 4, 5).single().expect("a time");
        let local = at.with_timezone(&Local);
        assert_eq!(clock(at, false), local.format("%H:%M").to_string());
        assert_eq!(clock(at, true), local.format("%H:%M:%S").to_string());
        assert_eq!(file_stamp(local), local.format("%Y%m%d-%H%M").to_string());
        let date = NaiveDate::from_ymd_opt(2026, 3, 9).expect("a date");
        assert_eq!(day_month_year(date), "09-03-2026");
    }
}
