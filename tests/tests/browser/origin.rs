//! The origin question's type-ahead: what a counter hears ("Mastricht", "Sittard Geleen",
//! "Hoensbroek") finds the municipality, a place shows as "Hoensbroek → Heerlen", and the
//! record stores the municipality's CBS code.

use crate::offline::sync_until_all_confirmed;
use crate::people::{to_origin_question, Act, UNKNOWN};
use crate::phone::Phone;
use crate::site::Site;

/// The `data-testid` and the label of the first answer offered under the search field.
const FIRST_HIT: &str = "const b = document.querySelector('[data-testid=\"origin-results\"] button'); \
     return b ? [b.dataset.testid, b.querySelector('.answer__label').innerText.trim()] : null;";

/// Types `query` into the origin search and waits until `testid` is the first answer offered;
/// returns that answer's label.
async fn first_hit_for(phone: &Phone, query: &str, testid: &str) -> String {
    phone.type_into("origin-search", query).await;
    let condition = format!(
        "(document.querySelector('[data-testid=\"origin-results\"] button') || {{}}).dataset?.testid === '{testid}'"
    );
    phone.wait_until(&format!("{testid} first for '{query}'"), &condition).await;
    let hit = phone.eval(FIRST_HIT).await;
    hit[1].as_str().unwrap_or_else(|| panic!("a label for '{query}': {hit}")).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misspelt_hyphenless_and_village_origins_find_their_municipality_and_store_its_code() {
    // Arrange: an enrolled phone on the origin question.
    let site = Site::start().await;
    let team = site.team().await;
    let phone = Phone::open("origin-search", site.url("")).await;

    phone
        .run(async |phone| {
            phone.enrol(&team.code).await;
            to_origin_question(phone, "branch-street").await;

            // Act + Assert: a typo, a space for a hyphen, a village.
            let maastricht = first_hit_for(phone, "Mastricht", "origin-GM0935").await;
            assert_eq!(maastricht, "Maastricht");
            let sittard = first_hit_for(phone, "Sittard Geleen", "origin-GM1883").await;
            assert_eq!(sittard, "Sittard-Geleen");
            let hoensbroek = first_hit_for(phone, "Hoensbroek", "origin-GM0917").await;
            assert_eq!(hoensbroek, "Hoensbroek → Heerlen", "a place shows its municipality");
            phone.screenshot("origin-01-hoensbroek").await;

            // Choosing the village records Heerlen.
            phone.tap("origin-GM0917").await;
            let after_origin = UNKNOWN.iter().skip_while(|act| !matches!(act, Act::Question("Person")));
            for act in after_origin {
                match *act {
                    Act::Question(step) => phone.wait_for_question(step).await,
                    Act::Tap(testid) => phone.tap(testid).await,
                    other => panic!("the unknown person's answers are taps: {other:?}"),
                }
            }
            phone.wait_for("review").await;
            phone.tap("save-record").await;
            phone.wait_for("new-record").await;
            sync_until_all_confirmed(phone, 1).await;

            let stored = site.records(&team).await;
            assert_eq!(stored.len(), 1, "{stored:#?}");
            assert_eq!(stored[0]["origin"]["code"], "GM0917", "Hoensbroek is in Heerlen: {}", stored[0]);
        })
        .await;
}
