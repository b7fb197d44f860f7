//! Every route of the server, in one place (api.md).

use crate::handlers::{
    accounts, comparison, counts, dashboard, devices, duplicates, export, health, invites, records, report,
    sync, web,
};
use crate::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::routing::{delete, get, post};
use axum::Router;
use ethos_shared::api::MAX_BODY_BYTES;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// No inline script or style, nothing from other origins; wasm may be compiled.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/login", post(accounts::login))
        .route("/logout", post(accounts::logout))
        .route("/counts", post(counts::create).get(counts::list))
        .route("/counts/{id}", get(counts::get))
        .route("/counts/{id}/status", post(counts::set_status))
        .route("/counts/{id}/invites", post(invites::create).get(invites::list))
        .route("/invites/{id}", delete(invites::revoke))
        .route("/enroll", post(devices::enroll))
        .route("/device/count", get(devices::own_count))
        .route("/sync", post(sync::sync))
        .route("/desk/template.xlsx", get(crate::handlers::desk_template::xlsx))
        .route("/desk/template.csv", get(crate::handlers::desk_template::csv))
        .route("/counts/{id}/records", get(records::list))
        .route("/counts/{id}/records.csv", get(records::csv))
        .route("/records/{id}/void", post(records::void).delete(records::unvoid))
        .route("/counts/{id}/duplicates", get(duplicates::list))
        .route("/counts/{id}/duplicates/{key}/resolve", post(duplicates::resolve))
        .route("/counts/{id}/duplicates/resolve-consistent", post(duplicates::resolve_consistent))
        .route("/counts/{id}/report", get(report::json))
        .route("/counts/{id}/report.csv", get(report::csv))
        .route("/counts/{id}/report.docx", get(export::report_docx))
        .route("/counts/{id}/report.xlsx", get(export::report_xlsx))
        .route("/counts/{id}/summary", get(export::summary_json))
        .route("/counts/{id}/comparison", get(comparison::json))
        .route("/counts/{id}/comparison.csv", get(comparison::csv))
        .route("/counts/{id}/estimate", get(crate::handlers::estimate::json))
        .route("/counts/{id}/audit", get(counts::audit_log))
        .route("/counts/{id}/dashboard", get(dashboard::dashboard))
        .route("/counts/{id}/population", get(counts::population).put(counts::set_population))
        .route("/counts/{id}/devices", get(dashboard::devices))
        .route("/openapi.json", get(crate::openapi::openapi_json))
        .fallback(web::api_not_found)
        .method_not_allowed_fallback(web::method_not_allowed);

    let routes = Router::new().nest("/api/v1", api).route("/healthz", get(health::healthz));
    web::with_static_files(routes, &state.web_dir)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
