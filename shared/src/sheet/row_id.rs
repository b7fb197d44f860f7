//! The stable id of a spreadsheet row, so that the same file uploaded again (sorted, or with
//! rows appended) maps every person to the same record id: identical content is then nothing
//! new, changed answers a new revision of the same record.
//!
//! The id is HMAC-SHA256 with the desk's own secret (made at enrolment and kept in the browser;
//! the server never sees it) over the normalised person fields, cut to a UUID (version 8). The
//! server so cannot test guessed names against an id, and ids from two desks never meet.
//! A row without first name, family name and birth date has no person to follow: its id is taken
//! over the row's answers and its "Nr." (if the file has that column).

use crate::dedup_key::{fold_letter, is_apostrophe};
use chrono::NaiveDate;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

/// The letters of a name, upper case, without diacritics, spaces, hyphens or apostrophes.
pub fn name_letters(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in crate::fold::without_diacritics(name).chars() {
        match fold_letter(c) {
            Some(spelt) => out.push_str(spelt),
            None => out.extend(c.to_uppercase()),
        }
    }
    out.retain(|c| c.is_alphabetic() && !is_apostrophe(c));
    out
}

fn uuid_of(desk_secret: &str, text: &str) -> Uuid {
    let digest = match <Hmac<Sha256> as Mac>::new_from_slice(desk_secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(text.as_bytes());
            mac.finalize().into_bytes()
        }
        // HMAC takes a key of any length; this arm is never taken.
        Err(_) => Default::default(),
    };
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// The id of a person row: the same for the same first name, family name and birth date
/// whatever their spelling in case, accents, spaces or hyphens, and wherever the row stands.
pub fn person_row_id(desk_secret: &str, first_name: &str, family_name: &str, birth_date: NaiveDate) -> Uuid {
    let text =
        format!("sheet-person|{}|{}|{birth_date}", name_letters(first_name), name_letters(family_name));
    uuid_of(desk_secret, &text)
}

/// The id of a row without the person fields: over its `Nr.` (empty without one) and its
/// content (the record it makes, without id, in canonical form, plus any partial name).
pub fn content_row_id(desk_secret: &str, nr: &str, content: &str) -> Uuid {
    uuid_of(desk_secret, &format!("sheet-row|{}|{content}", nr.trim()))
}
