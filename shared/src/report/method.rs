//! The method text of the report ("Werkwijze"): how persons are counted and how the public
//! version hides small numbers. Printed on the report page and in the Word and Excel downloads.

use crate::Lang;

/// The method text, one paragraph per entry.
pub fn method_text(lang: Lang) -> [&'static str; 5] {
    match lang {
    Lang::Nl => [
        "Deze nulmeting volgt de Europese ETHOS-typologie van FEANTSA en de telgroepen van de Nederlandse ETHOS-tellingen (ETHOS Light plus één groep). Organisaties in de regio Maastricht-Heuvelland legden in de teltijd per persoon vast waar die de nacht vóór de peildatum doorbracht, in welke gemeente de persoon werd gezien, en een kort profiel. Namen, adressen en geboortedata zijn niet opgeslagen.",
        "Telregel: elk record is één persoon (een volwassene of een alleenstaande minderjarige). Records met dezelfde dubbeltelsleutel – een versleutelde code uit de eerste twee letters van voor- en achternaam, de geboortedatum en het gender, berekend op de telefoon – tellen als één persoon, tenzij de coördinator besliste dat het verschillende personen zijn. Records zonder sleutel (de persoon gaf die gegevens niet) tellen elk als één persoon; daardoor kan het aantal iets te hoog zijn. Oefenrecords en ongeldig verklaarde records tellen niet mee. De kenmerken van een persoon met meerdere records komen van het primaire record dat de coördinator koos, anders van de laatste waarneming.",
        "Minderjarige kinderen die bij een persoon verblijven krijgen geen eigen record; ze worden apart geteld als meegekomen kinderen. De tabellen tellen geregistreerde personen; de kerncijfers geven personen, kinderen en hun som. Geen antwoord telt als \"onbekend\": er valt geen record weg.",
        "Openbare versie: een cel met 1 tot 4 personen is weggelaten (<5). Als een weggelaten getal dan uit het totaal van een rij of kolom terug te rekenen is, is ook de kleinste andere cel weggelaten (x). Bekende beperking: deze bescherming geldt per tabel met haar randtotalen, niet over tabellen heen (een ETHOS-categorie is de som van haar woonsituaties). Controleer daarom de openbare versie voordat die wordt gepubliceerd.",
        "Een eendaagse telling mist mensen die geen enkele organisatie zag. De aantallen zijn daarom een ondergrens, geen schatting van alle dak- en thuisloze mensen in de regio.",
    ],
    Lang::En => [
        "This baseline follows FEANTSA's European ETHOS typology and the count groups of the Dutch ETHOS counts (ETHOS Light plus one group). Organisations in the Maastricht-Heuvelland region recorded, during the count window, where each person spent the night before the reference date, the municipality where the person was seen, and a short profile. No names, addresses or birth dates are stored.",
        "Counting rule: every record is one person (an adult or an unaccompanied minor). Records with the same duplicate key – a keyed code of the first two letters of the first and family name, the birth date and the gender, computed on the phone – count as one person, unless the coordinator decided they are different people. Records without a key (the person did not give those details) count as one person each, which may overstate the number slightly. Training and voided records are not counted. A person with several records takes the attributes of the primary record the coordinator chose, else of the latest observation.",
        "Minor children staying with a person get no record of their own; they are counted separately as accompanying children. Tables count recorded persons; the key figures give persons, children and their sum. No answer counts as \"unknown\": no record is dropped.",
        "Public version: a cell of 1 to 4 persons is hidden (<5). Where a hidden number could then be derived from a row's or column's total, the smallest other cell is hidden too (x). Known limit: this protects each table with its margins, not sums across tables (an ETHOS category is the sum of its living situations). Review the public version before it is published.",
        "A one-day count misses people no organisation saw. The numbers are therefore a lower bound, not an estimate of all homeless people in the region.",
    ],
    }
}
