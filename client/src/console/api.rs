//! Requests to the API with the session's token, answers decoded with serde into the
//! `shared` wire types, and downloads that keep the server's bytes.

use super::model::*;
use super::state::*;
use crate::i18n::tr;
use crate::platform;
use ethos_shared::api::ErrorBody;
use ethos_shared::Lang;
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;

// ---------------------------------------------------------------- API

/// Why a console request failed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fail {
    pub status: u16,
    pub code: String,
    pub retry_after: Option<u64>,
}

impl Fail {
    fn new(status: u16, code: &str) -> Self {
        Fail { status, code: code.into(), retry_after: None }
    }
    pub fn text(&self, lang: Lang) -> String {
        let words = error_text(&self.code, lang);
        if self.status == 0 {
            words.into()
        } else {
            format!("{words} ({})", self.status)
        }
    }
}

/// One request to the API with the session's token. A 401 ends the session.
pub(crate) async fn call(c: Con, method: &str, path: &str, body: Option<String>) -> Result<String, Fail> {
    let token = c.session.with_untracked(|s| s.as_ref().map(|s| s.token.clone()));
    let Some(answer) = platform::api(method, path, token.as_deref(), body).await else {
        return Err(Fail::new(0, "network"));
    };
    if (200..300).contains(&answer.status) {
        return Ok(answer.body);
    }
    Err(failed(c, answer.status, &answer.body, token.is_some()))
}

/// The failure of an error answer; a 401 to a request with a token ends the session.
fn failed(c: Con, status: u16, body: &str, with_token: bool) -> Fail {
    let error = platform::error_body(body);
    let retry_after = error.as_ref().and_then(ErrorBody::retry_after_secs);
    let code = error.map(|e| e.code).unwrap_or_default();
    if status == 401 && with_token {
        let lang = c.lang.get_untracked();
        end_session(
            c,
            Some(tr(
                lang,
                "Uw sessie is verlopen. Log opnieuw in.",
                "Your session has expired. Log in again.",
            )),
        );
    }
    Fail { status, code, retry_after }
}

pub(crate) async fn get<T: DeserializeOwned>(c: Con, path: &str) -> Result<T, Fail> {
    fetch(c, "GET", path).await
}

/// A request without a body whose answer is JSON (GET, DELETE).
pub(crate) async fn fetch<T: DeserializeOwned>(c: Con, method: &str, path: &str) -> Result<T, Fail> {
    let body = call(c, method, path, None).await?;
    platform::from_json(&body).map_err(|_| Fail::new(200, "internal"))
}

pub(crate) async fn send<T: DeserializeOwned>(
    c: Con,
    method: &str,
    path: &str,
    body: &impl Serialize,
) -> Result<T, Fail> {
    let body = serde_json::to_string(body).map_err(|_| Fail::new(0, "internal"))?;
    let answer = call(c, method, path, Some(body)).await?;
    platform::from_json(&answer).map_err(|_| Fail::new(200, "internal"))
}

/// Fetches a CSV export with the token and offers it as a download, byte for byte as the server
/// sent it (the `;` variant's byte-order mark included).
pub(crate) async fn download_csv(c: Con, path: &str, filename: &str) -> Result<(), Fail> {
    let token = c.session.with_untracked(|s| s.as_ref().map(|s| s.token.clone()));
    let Some(answer) = platform::download_api(path, token.as_deref(), filename).await else {
        return Err(Fail::new(0, "network"));
    };
    if (200..300).contains(&answer.status) {
        return Ok(());
    }
    Err(failed(c, answer.status, &answer.body, token.is_some()))
}
