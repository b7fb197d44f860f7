//! The ETHOS typology of FEANTSA (domain.md §2): living situations, their operational and
//! conceptual categories, and the count groups of the Dutch and Belgian ETHOS counts.

value_set!(
    /// A living situation on the reference date: the ETHOS code of a record.
    LivingSituation {
        PublicSpace = "1.1", "buiten, openbare ruimte", "public or external space";
        NightShelter = "2.1", "nachtopvang", "night shelter";
        HomelessHostel = "3.1", "daklozenopvang", "homeless hostel";
        TemporaryAccommodation = "3.2", "tijdelijk verblijf", "temporary accommodation";
        TransitionalSupported = "3.3", "begeleid tijdelijk wonen", "transitional supported accommodation";
        WomensShelter = "4.1", "vrouwenopvang", "women's shelter";
        ReceptionCentre = "5.1", "opvang asiel of nieuwkomers", "reception centre";
        MigrantWorkers = "5.2", "arbeidsmigrantenhuisvesting", "migrant workers' accommodation";
        PenalInstitution = "6.1", "detentie", "penal institution";
        MedicalInstitution = "6.2", "zorginstelling", "medical institution";
        ChildrensInstitution = "6.3", "jeugdzorginstelling", "children's institution";
        ResidentialCareOlder = "7.1", "woonvoorziening oudere daklozen", "residential care for older homeless people";
        SupportedFormerlyHomeless = "7.2", "beschermd of begeleid wonen na dakloosheid", "supported accommodation for formerly homeless people";
        FamilyOrFriends = "8.1", "bankslapen bij familie of vrienden", "temporarily with family or friends";
        NoTenancy = "8.2", "zonder huurcontract", "no legal (sub)tenancy";
        IllegalOccupation = "8.3", "kraken, illegale bewoning", "illegal occupation of land";
        EvictionRented = "9.1", "huurwoning, ontruimingsvonnis", "rented: eviction order";
        RepossessionOwned = "9.2", "koopwoning, gedwongen verkoop", "owned: repossession";
        DomesticViolence = "10.1", "huiselijk geweld, politie bekend", "police-recorded domestic violence";
        MobileHome = "11.1", "caravan, woonwagen, recreatiewoning", "mobile home";
        NonConventionalBuilding = "11.2", "niet voor bewoning bedoeld gebouw (schuur, garage, auto)", "non-conventional building";
        TemporaryStructure = "11.3", "tent, hut", "temporary structure";
        UnfitDwelling = "12.1", "onbewoonbaar verklaarde woning", "dwelling unfit for habitation";
        ExtremeOvercrowding = "13.1", "extreme overbewoning", "extreme overcrowding";
    }
);

value_set!(
    /// The four conceptual categories of ETHOS.
    ConceptualCategory {
        Roofless = "roofless", "dakloos (feitelijk)", "roofless";
        Houseless = "houseless", "thuisloos", "houseless";
        Insecure = "insecure", "onzeker wonen", "insecure";
        Inadequate = "inadequate", "ontoereikend wonen", "inadequate";
    }
);

value_set!(
    /// The count groups of the Dutch ETHOS counts (ETHOS Light plus one group), and the rest.
    CountGroup {
        PublicSpace = "1", "openbare ruimte", "public space";
        EmergencyShelter = "2", "noodopvang", "emergency accommodation";
        HomelessAccommodation = "3", "opvang voor thuislozen", "accommodation for the homeless";
        LeavingInstitution = "4", "instellingverlaters (binnen een maand, zonder woonplek)", "leaving an institution (within a month, nowhere to live)";
        NonConventional = "5", "niet-conventionele woonruimte (caravan, auto, garage, kraakpand)", "non-conventional dwelling (caravan, car, garage, squat)";
        FamilyOrFriends = "6", "bij familie of vrienden", "with family or friends";
        ThreatOfEviction = "7", "dreigende uithuiszetting", "threat of eviction";
        Other = "other", "overige ETHOS", "other ETHOS";
    }
);

impl LivingSituation {
    /// The operational category, 1 to 13: the number before the dot of the code.
    pub fn operational_category(self) -> u8 {
        let code = self.code();
        let head = code.split('.').next().unwrap_or(code);
        head.parse().unwrap_or(0)
    }

    /// The conceptual category: 1–2 roofless, 3–7 houseless, 8–10 insecure, 11–13 inadequate.
    pub fn conceptual_category(self) -> ConceptualCategory {
        match self.operational_category() {
            1 | 2 => ConceptualCategory::Roofless,
            3..=7 => ConceptualCategory::Houseless,
            8..=10 => ConceptualCategory::Insecure,
            _ => ConceptualCategory::Inadequate,
        }
    }

    /// The count group of the Dutch ETHOS counts; codes outside groups 1–7 are "other".
    pub fn count_group(self) -> CountGroup {
        use LivingSituation::*;
        match self {
            PublicSpace => CountGroup::PublicSpace,
            NightShelter => CountGroup::EmergencyShelter,
            HomelessHostel | TemporaryAccommodation | TransitionalSupported | WomensShelter => {
                CountGroup::HomelessAccommodation
            }
            PenalInstitution | MedicalInstitution | ChildrensInstitution => CountGroup::LeavingInstitution,
            MobileHome | NonConventionalBuilding | TemporaryStructure | IllegalOccupation => {
                CountGroup::NonConventional
            }
            FamilyOrFriends => CountGroup::FamilyOrFriends,
            EvictionRented | RepossessionOwned => CountGroup::ThreatOfEviction,
            ReceptionCentre
            | MigrantWorkers
            | ResidentialCareOlder
            | SupportedFormerlyHomeless
            | NoTenancy
            | DomesticViolence
            | UnfitDwelling
            | ExtremeOvercrowding => CountGroup::Other,
        }
    }
}

impl CountGroup {
    /// Groups 5–7 are hidden homelessness ("verborgen dak- en thuisloosheid"); 1–4 visible.
    /// `None` for "overige ETHOS", which is neither.
    pub fn is_hidden(self) -> Option<bool> {
        match self {
            CountGroup::Other => None,
            CountGroup::NonConventional | CountGroup::FamilyOrFriends | CountGroup::ThreatOfEviction => {
                Some(true)
            }
            _ => Some(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_twenty_four_living_situations_in_thirteen_operational_categories() {
        assert_eq!(LivingSituation::ALL.len(), 24);
        let mut cats: Vec<u8> = LivingSituation::ALL.iter().map(|s| s.operational_category()).collect();
        cats.dedup();
        assert_eq!(cats, (1..=13).collect::<Vec<u8>>());
    }

    #[test]
    fn conceptual_categories_follow_the_operational_ranges() {
        use ConceptualCategory::*;
        let cases = [
            ("1.1", Roofless),
            ("2.1", Roofless),
            ("3.3", Houseless),
            ("7.2", Houseless),
            ("8.1", Insecure),
            ("10.1", Insecure),
            ("11.3", Inadequate),
            ("13.1", Inadequate),
        ];
        for (code, want) in cases {
            assert_eq!(LivingSituation::from_code(code).unwrap().conceptual_category(), want, "{code}");
        }
    }

    #[test]
    fn count_groups_match_the_table_of_the_dutch_counts() {
        let expected = [
            ("1", vec!["1.1"]),
            ("2", vec!["2.1"]),
            ("3", vec!["3.1", "3.2", "3.3", "4.1"]),
            ("4", vec!["6.1", "6.2", "6.3"]),
            ("5", vec!["8.3", "11.1", "11.2", "11.3"]),
            ("6", vec!["8.1"]),
            ("7", vec!["9.1", "9.2"]),
            ("other", vec!["5.1", "5.2", "7.1", "7.2", "8.2", "10.1", "12.1", "13.1"]),
        ];
        for (group, codes) in expected {
            let mut got: Vec<&str> = LivingSituation::ALL
                .iter()
                .filter(|s| s.count_group().code() == group)
                .map(|s| s.code())
                .collect();
            got.sort();
            let mut want = codes.clone();
            want.sort();
            assert_eq!(got, want, "group {group}");
        }
    }

    #[test]
    fn groups_five_to_seven_are_hidden_homelessness() {
        let hidden: Vec<&str> =
            CountGroup::ALL.iter().filter(|g| g.is_hidden() == Some(true)).map(|g| g.code()).collect();
        assert_eq!(hidden, vec!["5", "6", "7"]);
        assert_eq!(CountGroup::Other.is_hidden(), None);
    }

    #[test]
    fn unknown_codes_are_not_living_situations() {
        for bad in ["", "1", "1.2", "14.1", "unknown", " 1.1"] {
            assert!(LivingSituation::from_code(bad).is_none(), "{bad}");
        }
    }
}
