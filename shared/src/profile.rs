//! The profile of a record (domain.md §3). Every field also accepts `unknown`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

value_set!(AgeBand {
    Under18 = "0-17", "0-17 jaar", "0-17 years";
    From18To22 = "18-22", "18-22 jaar", "18-22 years";
    From23To26 = "23-26", "23-26 jaar", "23-26 years";
    From27To29 = "27-29", "27-29 jaar", "27-29 years";
    From30To39 = "30-39", "30-39 jaar", "30-39 years";
    From40To49 = "40-49", "40-49 jaar", "40-49 years";
    From50To64 = "50-64", "50-64 jaar", "50-64 years";
    From65 = "65+", "65 jaar en ouder", "65 and older";
    Unknown = "unknown", "onbekend", "unknown";
});

impl AgeBand {
    /// The band of an age in whole years.
    pub fn from_age(years: u32) -> Self {
        match years {
            0..=17 => AgeBand::Under18,
            18..=22 => AgeBand::From18To22,
            23..=26 => AgeBand::From23To26,
            27..=29 => AgeBand::From27To29,
            30..=39 => AgeBand::From30To39,
            40..=49 => AgeBand::From40To49,
            50..=64 => AgeBand::From50To64,
            _ => AgeBand::From65,
        }
    }

    /// The band on `on` of a person born on `birth`; `Unknown` for a birth date after `on`.
    pub fn on_date(birth: chrono::NaiveDate, on: chrono::NaiveDate) -> Self {
        match on.years_since(birth) {
            Some(years) => AgeBand::from_age(years),
            None => AgeBand::Unknown,
        }
    }

    /// Youth in Dutch homelessness policy: 18 to 26.
    pub fn is_youth(self) -> bool {
        matches!(self, AgeBand::From18To22 | AgeBand::From23To26)
    }
}

value_set!(Gender {
    Man = "man", "man", "man";
    Woman = "woman", "vrouw", "woman";
    Other = "other", "anders", "other";
    Unknown = "unknown", "onbekend", "unknown";
});

value_set!(Household {
    Alone = "alone", "alleen", "alone";
    WithPartner = "with_partner", "met partner", "with partner";
    WithChildren = "with_children", "met kinderen", "with children";
    WithPartnerAndChildren = "with_partner_and_children", "met partner en kinderen", "with partner and children";
    Unknown = "unknown", "onbekend", "unknown";
});

value_set!(Duration {
    UnderOneMonth = "<1m", "korter dan 1 maand", "less than 1 month";
    OneToThreeMonths = "1-3m", "1 tot 3 maanden", "1 to 3 months";
    ThreeToSixMonths = "3-6m", "3 tot 6 maanden", "3 to 6 months";
    SixToTwelveMonths = "6-12m", "6 tot 12 maanden", "6 to 12 months";
    OneToTwoYears = "1-2y", "1 tot 2 jaar", "1 to 2 years";
    TwoToFiveYears = "2-5y", "2 tot 5 jaar", "2 to 5 years";
    OverFiveYears = ">5y", "langer dan 5 jaar", "more than 5 years";
    Unknown = "unknown", "onbekend", "unknown";
});

value_set!(ResidenceStatus {
    Dutch = "dutch", "Nederlands", "Dutch";
    Eu = "eu", "EU-burger", "EU citizen";
    NonEuPermit = "non_eu_permit", "niet-EU, met verblijfsvergunning", "non-EU, with permit";
    Undocumented = "undocumented", "ongedocumenteerd", "undocumented";
    Unknown = "unknown", "onbekend", "unknown";
});

value_set!(Income {
    None = "none", "geen inkomen", "no income";
    Work = "work", "werk", "work";
    Benefit = "benefit", "uitkering", "benefit";
    Other = "other", "ander inkomen", "other income";
    Unknown = "unknown", "onbekend", "unknown";
});

value_set!(PreviousFacility {
    None = "none", "geen", "none";
    Shelter = "shelter", "maatschappelijke opvang (MO)", "homeless shelter";
    ProtectedHousing = "protected_housing", "beschermd wonen (BW)", "protected housing";
    Detention = "detention", "detentie", "detention";
    PsychiatricClinic = "psychiatric_clinic", "psychiatrische kliniek", "psychiatric clinic";
    Hospital = "hospital", "ziekenhuis", "hospital";
    YouthCare = "youth_care", "jeugdzorg", "youth care";
    AsylumReception = "asylum_reception", "asielopvang", "asylum reception";
    Other = "other", "anders", "other";
    Unknown = "unknown", "onbekend", "unknown";
});

value_set!(HousingNeed {
    Independent = "independent", "zelfstandig wonen", "independent";
    IndependentWithSupport = "independent_with_support", "zelfstandig met begeleiding", "independent with support";
    HousingFirst = "housing_first", "Housing First", "Housing First";
    SupportedHousing = "supported_housing", "beschermd of begeleid wonen", "supported housing";
    LongTermCare = "long_term_care", "langdurige zorg (Wlz)", "long-term care";
    Unknown = "unknown", "onbekend", "unknown";
});

value_set!(CareNeed {
    Psychiatric = "psychiatric", "psychische problemen", "psychiatric";
    Addiction = "addiction", "verslaving", "addiction";
    IntellectualDisability = "intellectual_disability", "licht verstandelijke beperking", "intellectual disability";
    Physical = "physical", "lichamelijke problemen", "physical";
});

/// Minor children staying with the person: 0–20 or unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Children {
    Count(u8),
    Unknown,
}

impl Children {
    pub const MAX: u8 = 20;

    /// The number to add to the person count; `unknown` counts 0 (and is reported apart).
    pub fn counted(self) -> u32 {
        match self {
            Children::Count(n) => u32::from(n),
            Children::Unknown => 0,
        }
    }
}

impl Serialize for Children {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Children::Count(n) => s.serialize_u8(*n),
            Children::Unknown => s.serialize_str("unknown"),
        }
    }
}

impl<'de> Deserialize<'de> for Children {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(u64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Number(n) if n <= u64::from(Children::MAX) => Ok(Children::Count(n as u8)),
            Raw::Text(t) if t == "unknown" => Ok(Children::Unknown),
            _ => Err(serde::de::Error::custom("children must be 0-20 or \"unknown\"")),
        }
    }
}

/// Care needs: several needs, or `none` alone, or `unknown` alone. Never empty.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CareNeeds {
    None,
    Unknown,
    /// A non-empty, sorted set without repeats.
    Needs(Vec<CareNeed>),
}

impl CareNeeds {
    /// Builds the value from the wire list, enforcing the rules of api.md.
    pub fn from_codes<S: AsRef<str>>(codes: &[S]) -> Option<Self> {
        match codes {
            [] => None,
            [one] if one.as_ref() == "none" => Some(CareNeeds::None),
            [one] if one.as_ref() == "unknown" => Some(CareNeeds::Unknown),
            many => {
                let mut needs =
                    many.iter().map(|c| CareNeed::from_code(c.as_ref())).collect::<Option<Vec<_>>>()?;
                needs.sort();
                needs.dedup();
                Some(CareNeeds::Needs(needs))
            }
        }
    }

    pub fn codes(&self) -> Vec<&'static str> {
        match self {
            CareNeeds::None => vec!["none"],
            CareNeeds::Unknown => vec!["unknown"],
            CareNeeds::Needs(needs) => needs.iter().map(|n| n.code()).collect(),
        }
    }
}

impl Serialize for CareNeeds {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.codes().serialize(s)
    }
}

impl<'de> Deserialize<'de> for CareNeeds {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let codes = Vec::<String>::deserialize(d)?;
        CareNeeds::from_codes(&codes).ok_or_else(|| {
            serde::de::Error::custom("care_needs: a non-empty list of needs, or none or unknown alone")
        })
    }
}

/// The short profile of a person, as on the wire.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Profile {
    pub age_band: AgeBand,
    pub gender: Gender,
    pub household: Household,
    pub children: Children,
    pub duration: Duration,
    pub residence_status: ResidenceStatus,
    pub income: Income,
    pub care_needs: CareNeeds,
    pub previous_facility: PreviousFacility,
    pub housing_need: HousingNeed,
}

impl Profile {
    /// A profile with every answer `unknown`: the start of a new record in the field app.
    pub fn unknown() -> Self {
        Profile {
            age_band: AgeBand::Unknown,
            gender: Gender::Unknown,
            household: Household::Unknown,
            children: Children::Unknown,
            duration: Duration::Unknown,
            residence_status: ResidenceStatus::Unknown,
            income: Income::Unknown,
            care_needs: CareNeeds::Unknown,
            previous_facility: PreviousFacility::Unknown,
            housing_need: HousingNeed::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn age_bands_have_the_boundaries_of_the_specification() {
        let cases = [
            (0, "0-17"),
            (17, "0-17"),
            (18, "18-22"),
            (22, "18-22"),
            (23, "23-26"),
            (26, "23-26"),
            (27, "27-29"),
            (29, "27-29"),
            (30, "30-39"),
            (39, "30-39"),
            (40, "40-49"),
            (49, "40-49"),
            (50, "50-64"),
            (64, "50-64"),
            (65, "65+"),
            (104, "65+"),
        ];
        for (age, band) in cases {
            assert_eq!(AgeBand::from_age(age).code(), band, "age {age}");
        }
    }

    #[test]
    fn age_band_on_a_date_counts_whole_years_including_the_birthday() {
        let on = NaiveDate::from_ymd_opt(2026, 10, 15).unwrap();
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(AgeBand::on_date(d(2008, 10, 15), on), AgeBand::From18To22);
        assert_eq!(AgeBand::on_date(d(2008, 10, 16), on), AgeBand::Under18);
        assert_eq!(AgeBand::on_date(d(2027, 1, 1), on), AgeBand::Unknown);
    }

    #[test]
    fn youth_is_eighteen_to_twenty_six() {
        let youth: Vec<&str> = AgeBand::ALL.iter().filter(|b| b.is_youth()).map(|b| b.code()).collect();
        assert_eq!(youth, vec!["18-22", "23-26"]);
    }

    #[test]
    fn children_accept_zero_to_twenty_or_unknown_only() {
        let ok = |v: serde_json::Value| serde_json::from_value::<Children>(v).ok();
        assert_eq!(ok(serde_json::json!(0)), Some(Children::Count(0)));
        assert_eq!(ok(serde_json::json!(20)), Some(Children::Count(20)));
        assert_eq!(ok(serde_json::json!("unknown")), Some(Children::Unknown));
        for bad in [
            serde_json::json!(21),
            serde_json::json!(-1),
            serde_json::json!(1.5),
            serde_json::json!("3"),
            serde_json::json!(null),
        ] {
            assert_eq!(ok(bad.clone()), None, "{bad}");
        }
        assert_eq!(serde_json::to_value(Children::Unknown).unwrap(), serde_json::json!("unknown"));
    }

    #[test]
    fn care_needs_allow_none_and_unknown_only_alone() {
        assert_eq!(CareNeeds::from_codes(&["none"]), Some(CareNeeds::None));
        assert_eq!(CareNeeds::from_codes(&["unknown"]), Some(CareNeeds::Unknown));
        assert_eq!(
            CareNeeds::from_codes(&["physical", "addiction", "addiction"]),
            Some(CareNeeds::Needs(vec![CareNeed::Addiction, CareNeed::Physical]))
        );
        assert_eq!(CareNeeds::from_codes::<&str>(&[]), None);
        assert_eq!(CareNeeds::from_codes(&["none", "addiction"]), None);
        assert_eq!(CareNeeds::from_codes(&["unknown", "unknown"]), None);
        assert_eq!(CareNeeds::from_codes(&["sad"]), None);
    }
}
