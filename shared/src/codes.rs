//! The closed sets of codes the server writes and the console names: error codes (api.md
//! "Errors"), audit actions (the `action` of an audit entry) and report table ids. Each code has
//! a Dutch and an English text, so a code the console cannot name does not compile or fails the
//! tests (`ALL` lists every value).

value_set!(
    /// The `code` of an error answer.
    ErrorCode {
        InvalidJson = "invalid_json", "Het verzoek is geen geldige JSON.", "The request is not valid JSON.";
        UnsupportedMediaType = "unsupported_media_type", "Het verzoek is niet als JSON verstuurd.", "The request was not sent as JSON.";
        PayloadTooLarge = "payload_too_large", "Het verzoek is te groot.", "The request is too large.";
        ValidationFailed = "validation_failed", "Controleer de ingevulde velden.", "Check the fields.";
        Unauthorized = "unauthorized", "De sessie is verlopen: log opnieuw in.", "The session has expired: log in again.";
        Forbidden = "forbidden", "Dit mag uw rol niet.", "Your role may not do this.";
        NotFound = "not_found", "Niet gevonden (of nog niet beschikbaar op deze server).", "Not found (or not available on this server yet).";
        MethodNotAllowed = "method_not_allowed", "Deze handeling bestaat hier niet.", "This action does not exist here.";
        InvalidTransition = "invalid_transition", "Deze statuswijziging kan niet (meer).", "This status change is not (or no longer) possible.";
        AlreadyExists = "already_exists", "Dit bestaat al.", "This already exists.";
        CountLocked = "count_locked", "De telling is gesloten.", "The count is closed.";
        InviteInvalid = "invite_invalid", "Deze teamcode is niet (meer) geldig.", "This team code is not (or no longer) valid.";
        DeviceRevoked = "device_revoked", "Deze telefoon is afgemeld door de coördinator.", "This phone was revoked by the coordinator.";
        EstimateNotPossible = "estimate_not_possible", "Geen schatting mogelijk met deze gegevens.", "No estimate is possible with these data.";
        TooManyRequests = "too_many_requests", "Te veel verzoeken; wacht even.", "Too many requests; wait a moment.";
        StorageBusy = "storage_busy", "De server is even bezet; er is niets opgeslagen. Probeer het zo opnieuw.", "The server is busy; nothing was stored. Try again shortly.";
        StorageFull = "storage_full", "De opslag van de server is vol; er is niets opgeslagen.", "The server's storage is full; nothing was stored.";
        StorageReadOnly = "storage_read_only", "De server kan nu niets opslaan; er is niets opgeslagen. Probeer het later opnieuw.", "The server cannot store anything now; nothing was stored. Try again later.";
        RequestTimeout = "request_timeout", "Het verzoek kwam niet op tijd aan. Probeer het opnieuw.", "The request did not arrive in time. Please try again.";
        Internal = "internal", "Er ging iets mis op de server. Probeer het opnieuw.", "Something went wrong on the server. Please try again.";
    }
);

value_set!(
    /// The `action` of an audit entry: what was done.
    AuditAction {
        CountCreate = "count.create", "Telling aangemaakt", "Count created";
        CountStatus = "count.status", "Status van de telling gewijzigd", "Count status changed";
        CountPopulation = "count.population", "Inwonertallen opgeslagen", "Population figures saved";
        InviteCreate = "invite.create", "Teamcode gemaakt", "Team code created";
        InviteRevoke = "invite.revoke", "Teamcode ingetrokken", "Team code revoked";
        DeviceEnroll = "device.enroll", "Telefoon aangemeld", "Phone enrolled";
        Sync = "sync", "Records ontvangen van een telefoon", "Records received from a phone";
        RecordUpdate = "record.update", "Record gewijzigd op de telefoon", "Record changed on the phone";
        RecordVoid = "record.void", "Record ongeldig verklaard", "Record voided";
        RecordUnvoid = "record.unvoid", "Ongeldig verklaren teruggedraaid", "Void undone";
        DuplicateResolve = "duplicate.resolve", "Besluit over mogelijke dubbeling", "Decision on a possible duplicate";
        RecordsExport = "records.export", "Records gedownload", "Records downloaded";
        RecordsImport = "records.import", "Records ingelezen uit een bestand", "Records imported from a file";
        ReportExport = "report.export", "Rapporttabel gedownload", "Report table downloaded";
        DemoExample = "demo.example", "Voorbeeldtelling gevuld", "Example count filled";
        UserAdd = "user.add", "Gebruiker toegevoegd", "User added";
        UserDemo = "user.demo", "Demogebruiker ingesteld", "Demo user set up";
        Login = "login", "Ingelogd", "Logged in";
        Logout = "logout", "Uitgelogd", "Logged out";
        LoginFailed = "login.failed", "Inloggen mislukt", "Login failed";
        Backup = "backup", "Back-up gemaakt", "Backup made";
    }
);

value_set!(
    /// The `id` of a report table (api.md "Report"): what the table counts persons by.
    TableId {
        ByCountGroup = "by_count_group", "Naar telgroep", "By count group";
        ByVisibility = "by_visibility", "Naar zichtbaarheid", "By visibility";
        ByConceptualCategory = "by_conceptual_category", "Naar ETHOS-categorie", "By ETHOS category";
        ByLivingSituation = "by_living_situation", "Naar woonsituatie", "By living situation";
        ByMunicipality = "by_municipality", "Naar gemeente", "By municipality";
        ByOrigin = "by_origin", "Naar herkomst", "By origin";
        ByAgeBand = "by_age_band", "Naar leeftijd", "By age";
        ByGender = "by_gender", "Naar geslacht", "By gender";
        ByHousehold = "by_household", "Naar huishouden", "By household";
        ByChildren = "by_children", "Naar kinderen", "By children";
        ByDuration = "by_duration", "Naar duur", "By duration";
        ByResidenceStatus = "by_residence_status", "Naar verblijfsstatus", "By residence status";
        ByIncome = "by_income", "Naar inkomen", "By income";
        ByPreviousFacility = "by_previous_facility", "Naar vorige voorziening", "By previous facility";
        ByHousingNeed = "by_housing_need", "Naar woonbehoefte", "By housing need";
        ByCareNeeds = "by_care_needs", "Naar zorgbehoefte", "By care needs";
        ByOriginProvince = "by_origin_province", "Herkomst elders in Nederland, naar provincie", "Origin elsewhere in the Netherlands, by province";
        ByOriginMunicipality = "by_origin_municipality", "Herkomst elders in Nederland, naar gemeente", "Origin elsewhere in the Netherlands, by municipality";
        ByCategoryAndMunicipality = "by_category_and_municipality", "Categorie en gemeente", "Category and municipality";
        ByCategoryAndAgeBand = "by_category_and_age_band", "Categorie en leeftijd", "Category and age";
        ByCategoryAndGender = "by_category_and_gender", "Categorie en geslacht", "Category and gender";
        ByCategoryAndHousehold = "by_category_and_household", "Categorie en huishouden", "Category and household";
        ByCategoryAndChildren = "by_category_and_children", "Categorie en kinderen", "Category and children";
        ByCategoryAndDuration = "by_category_and_duration", "Categorie en duur", "Category and duration";
        ByCategoryAndResidenceStatus = "by_category_and_residence_status", "Categorie en verblijfsstatus", "Category and residence status";
        ByCategoryAndIncome = "by_category_and_income", "Categorie en inkomen", "Category and income";
        ByCategoryAndPreviousFacility = "by_category_and_previous_facility", "Categorie en vorige voorziening", "Category and previous facility";
        ByCategoryAndHousingNeed = "by_category_and_housing_need", "Categorie en woonbehoefte", "Category and housing need";
        ByCategoryAndCareNeeds = "by_category_and_care_needs", "Categorie en zorgbehoefte", "Category and care needs";
        ByMunicipalityAndOrigin = "by_municipality_and_origin", "Gemeente en herkomst", "Municipality and origin";
    }
);

macro_rules! as_str {
    ($($name:ident),+) => {$(
        impl $name {
            /// The wire string, as the server writes it.
            pub fn as_str(self) -> &'static str {
                self.code()
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownCode;
            fn from_str(s: &str) -> Result<Self, UnknownCode> {
                Self::from_code(s).ok_or_else(|| UnknownCode(s.to_string()))
            }
        }
    )+};
}

as_str!(ErrorCode, AuditAction, TableId);

/// A code outside the set (a newer server, or a bug).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCode(pub String);

impl std::fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown code {:?}", self.0)
    }
}

impl std::error::Error for UnknownCode {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;
    use std::collections::HashSet;

    fn check<T: Copy + std::fmt::Debug>(
        all: &[T],
        code: fn(T) -> &'static str,
        label: fn(T, Lang) -> &'static str,
    ) {
        let mut seen = HashSet::new();
        for &v in all {
            assert!(seen.insert(code(v)), "{v:?}: code twice");
            for lang in [Lang::Nl, Lang::En] {
                assert!(!label(v, lang).trim().is_empty(), "{v:?} has no text in {lang:?}");
            }
            assert_ne!(label(v, Lang::Nl), code(v), "{v:?}: the Dutch text is the bare code");
        }
    }

    #[test]
    fn every_code_has_dutch_and_english_text() {
        check(ErrorCode::ALL, ErrorCode::as_str, ErrorCode::label);
        check(AuditAction::ALL, AuditAction::as_str, AuditAction::label);
        check(TableId::ALL, TableId::as_str, TableId::label);
    }

    #[test]
    fn codes_are_the_wire_strings() {
        assert_eq!(ErrorCode::ValidationFailed.as_str(), "validation_failed");
        assert_eq!("duplicate.resolve".parse::<AuditAction>(), Ok(AuditAction::DuplicateResolve));
        assert_eq!(serde_json::to_string(&TableId::ByCountGroup).ok().as_deref(), Some("\"by_count_group\""));
        assert_eq!("by_nothing".parse::<TableId>(), Err(UnknownCode("by_nothing".into())));
    }
}
