//! The built web client at `/`, and the JSON 404 for unknown API paths.

use crate::error::ApiError;
use axum::response::Html;
use axum::Router;
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};

/// Serves `web_dir` behind every other route; any path that is not a file gets `index.html`,
/// so the app's own routes (`/enroll`, `/console/...`) load the app. Without a built client,
/// a page says how to build it.
pub fn with_static_files(router: Router<crate::AppState>, web_dir: &Path) -> Router<crate::AppState> {
    let index = web_dir.join("index.html");
    if index.exists() {
        router.fallback_service(ServeDir::new(web_dir).fallback(ServeFile::new(index)))
    } else {
        router.fallback(|| async {
            Html(
                "<!doctype html><meta charset=utf-8><title>ETHOS</title>\
                 <p>De webapp is nog niet gebouwd: <code>cargo xtask build-client</code>. \
                 The web client is not built yet.</p>",
            )
        })
    }
}

pub async fn api_not_found() -> ApiError {
    ApiError::NotFound("route")
}
