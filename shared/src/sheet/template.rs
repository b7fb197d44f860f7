//! The template a desk downloads: headers, drop-down answers and the instructions sheet
//! ("Toelichting"). No personal data: only the column model. The server writes the `.xlsx`
//! from this; the `;`-CSV is written here.

use super::columns::{answers, COLUMNS};

/// The lines of the sheet "Toelichting", in Dutch.
pub const INSTRUCTIONS: &[&str] = &[
    "Spreadsheet voor de ETHOS-telling: één rij per persoon die uw organisatie kent.",
    "",
    "Vul per persoon de antwoorden in; kies waar een lijst is uit de lijst (klik op de cel).",
    "Verplicht: Gemeente geteld en Woonsituatie (ETHOS). Laat een ander antwoord leeg als het onbekend is.",
    "Voornaam (roepnaam): de naam die de persoon gebruikt, of de eerste twee letters; geen initialen.",
    "Geboortedatum: dd-mm-jjjj. Met voornaam, achternaam en geboortedatum bepaalt de browser de leeftijd",
    "en de ontdubbelsleutel. Namen en geboortedatum verlaten uw computer nooit: ze worden niet",
    "verstuurd en niet bewaard.",
    "Leeftijd: alleen invullen als de geboortedatum onbekend is.",
    "Zorgbehoefte: meerdere mogelijk, gescheiden door een komma; 'geen' of 'onbekend' alleen.",
    "Nr.: een eigen volgnummer (mag leeg). Rijen zonder naam en geboortedatum herkent de browser aan",
    "hun antwoorden en Nr.: dezelfde rij opnieuw geeft niets nieuws, een gewijzigde rij telt als een",
    "nieuwe persoon. Geef twee zulke personen met dezelfde antwoorden elk een eigen Nr.",
    "",
    "Upload het bestand op de deskpagina (Spreadsheet). U ziet eerst welke cellen niet kloppen;",
    "pas ze aan op de pagina of in het bestand. Hetzelfde bestand nogmaals uploaden (ook gesorteerd",
    "of met rijen erbij) zet niemand dubbel; een gewijzigde persoon wordt bijgewerkt.",
    "Opslaan als .xlsx of als CSV (puntkomma of komma) kan allebei.",
];

/// The `;`-separated CSV template with a UTF-8 BOM: the header row only.
pub fn csv_template() -> String {
    let headers: Vec<&str> = COLUMNS.iter().map(|c| c.nl).collect();
    format!("\u{FEFF}{}\r\n", headers.join(";"))
}

/// Per column: its Dutch header and its drop-down answers (empty for free columns).
pub fn columns_with_answers() -> Vec<(&'static str, Vec<String>)> {
    COLUMNS.iter().map(|c| (c.nl, answers(c.key))).collect()
}
