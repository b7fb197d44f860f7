//! Recording a person the way a counter does: tap by tap through the question flow.

use crate::phone::Phone;

/// One thing a counter does on the record screen.
#[derive(Debug, Clone, Copy)]
pub enum Act {
    /// Wait until this question (`data-step`) is on screen.
    Question(&'static str),
    Tap(&'static str),
    Type(&'static str, &'static str),
    Date(&'static str, &'static str),
    /// Scroll until this element is at the bottom of the screen.
    Reveal(&'static str),
    /// A screenshot named so, when the caller asks for screenshots.
    Screenshot(&'static str),
}

use Act::{Date, Question, Reveal, Screenshot, Tap, Type};

/// A man in a homeless hostel (3.1) in Maastricht, from Heerlen (found by typing), with name
/// and birth date (so an age band and a duplicate key), every profile question answered.
pub const JAN: &[Act] = &[
    Question("LivingSituation"),
    Screenshot("03-question-1"),
    Tap("branch-shelter"),
    Tap("situation-3.1"),
    Question("Municipality"),
    Tap("municipality-GM0935"),
    Question("Origin"),
    Type("origin-search", "heer"),
    Tap("origin-GM0917"),
    Question("Person"),
    Tap("gender-man"),
    Type("first-name", "Jan"),
    Type("family-name", "van der Berg"),
    Date("birth-date", "1980-05-17"),
    Screenshot("04-person"),
    Reveal("person-next"),
    Screenshot("04b-person-derived"),
    Tap("person-next"),
    Question("Household"),
    Tap("answer-alone"), // implies no children: that question is skipped
    Question("Duration"),
    Tap("answer-1-3m"),
    Question("ResidenceStatus"),
    Tap("answer-dutch"),
    Question("Income"),
    Tap("answer-benefit"),
    Question("CareNeeds"),
    Tap("care-addiction"),
    Tap("care-next"),
    Question("PreviousFacility"),
    Tap("answer-none"),
    Question("HousingNeed"),
    Tap("answer-housing_first"),
    Question("Review"),
    Screenshot("05-review"),
    Reveal("save-record"),
    Screenshot("05b-review-save"),
];

/// A woman sleeping outside (1.1) with two children, from "the same municipality", whose
/// further answers are one-tap "onbekend".
pub const ZOE: &[Act] = &[
    Question("LivingSituation"),
    Tap("branch-street"),
    Question("Municipality"),
    Tap("municipality-GM0935"),
    Question("Origin"),
    Tap("origin-same"),
    Question("Person"),
    Tap("gender-woman"),
    Type("first-name", "Zoë"),
    Type("family-name", "de Vries"),
    Date("birth-date", "1999-12-31"),
    Tap("person-next"),
    Question("Household"),
    Tap("answer-with_children"),
    Question("Children"),
    Tap("children-2"),
    Question("Duration"),
    Tap("answer-unknown"),
    Question("ResidenceStatus"),
    Tap("answer-unknown"),
    Question("Income"),
    Tap("answer-unknown"),
    Question("CareNeeds"),
    Tap("care-none"),
    Question("PreviousFacility"),
    Tap("answer-unknown"),
    Question("HousingNeed"),
    Tap("answer-unknown"),
    Question("Review"),
];

/// Someone in the night shelter (2.1) about whom nothing else is known: "onbekend" everywhere,
/// no name (so no duplicate key).
pub const UNKNOWN: &[Act] = &[
    Question("LivingSituation"),
    Tap("branch-night_shelter"),
    Question("Municipality"),
    Tap("municipality-GM0935"),
    Question("Origin"),
    Tap("origin-unknown"),
    Question("Person"),
    Tap("gender-unknown"),
    Tap("person-next"),
    Question("Household"),
    Tap("answer-unknown"),
    Question("Children"),
    Tap("children-unknown"),
    Question("Duration"),
    Tap("answer-unknown"),
    Question("ResidenceStatus"),
    Tap("answer-unknown"),
    Question("Income"),
    Tap("answer-unknown"),
    Question("CareNeeds"),
    Tap("care-unknown"),
    Question("PreviousFacility"),
    Tap("answer-unknown"),
    Question("HousingNeed"),
    Tap("answer-unknown"),
    Question("Review"),
];

/// From the home screen: "+ Nieuwe persoon", the answers in `acts`, "Bewaar", and back home.
/// Screenshots are taken only when `screenshots` is set.
pub async fn record(phone: &Phone, acts: &[Act], screenshots: bool) {
    phone.tap("new-record").await;
    for act in acts {
        match *act {
            Question(step) => phone.wait_for_question(step).await,
            Tap(testid) => phone.tap(testid).await,
            Type(testid, text) => phone.type_into(testid, text).await,
            Date(testid, date) => phone.set_date(testid, date).await,
            Reveal(testid) => phone.reveal(testid).await,
            Screenshot(name) => {
                if screenshots {
                    phone.screenshot(name).await;
                }
            }
        }
    }
    phone.wait_for("review").await;
    phone.tap("save-record").await;
    phone.wait_for("new-record").await;
}

/// From the home screen: "+ Nieuwe persoon", the living-situation branch `branch` (e.g.
/// `branch-street`), counted in Maastricht; waits on the origin question.
pub async fn to_origin_question(phone: &Phone, branch: &str) {
    phone.tap("new-record").await;
    phone.wait_for_question("LivingSituation").await;
    phone.tap(branch).await;
    phone.wait_for_question("Municipality").await;
    phone.tap("municipality-GM0935").await;
    phone.wait_for_question("Origin").await;
}
