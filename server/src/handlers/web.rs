//! The built web client at `/`, and the JSON 404 for unknown API paths.

use crate::error::ApiError;
use axum::http::{header, HeaderValue};
use axum::response::Html;
use axum::Router;
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};

/// Serves `web_dir` behind every other route; any path that is not a file gets `index.html`,
/// so the app's own routes (`/enroll`, `/console/...`) load the app; `/desk` is the desk's page.
/// Without a built client, a page says how to build it.
pub fn with_static_files(router: Router<crate::AppState>, web_dir: &Path) -> Router<crate::AppState> {
    let index = web_dir.join("index.html");
    if index.exists() {
        let files = ServeDir::new(web_dir).fallback(ServeFile::new(index));
        // The console is a page (and bundle) of its own.
        let console = || {
            tower::ServiceBuilder::new()
                .map_response(revalidate_shell)
                .service(ServeFile::new(web_dir.join("console.html")))
        };
        // The desk (an organisation's laptop) too.
        let desk = || {
            tower::ServiceBuilder::new()
                .map_response(revalidate_shell)
                .service(ServeFile::new(web_dir.join("desk.html")))
        };
        router
            .route_service("/console", console())
            .route_service("/console/{*rest}", console())
            .route_service("/desk", desk())
            .fallback_service(tower::ServiceBuilder::new().map_response(revalidate_shell).service(files))
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

/// The page and the service worker must be revalidated on every load, or a phone could keep an
/// old app forever; the other files are named in the worker's cache list and replaced with it.
fn revalidate_shell<B>(mut response: axum::http::Response<B>) -> axum::http::Response<B> {
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html") || v.contains("javascript"));
    if is_html {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    response
}

pub async fn api_not_found() -> ApiError {
    ApiError::NotFound("route")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
