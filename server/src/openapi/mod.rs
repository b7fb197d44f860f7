//! The HTTP contract (`../shared/spec/api.md`) as an OpenAPI 3.1 document, served at
//! `GET /api/v1/openapi.json` without a token. The schemas come from the `shared` wire types
//! (their `utoipa::ToSchema` derives, feature `openapi`); the endpoints from `paths`; the error
//! answers every endpoint of a kind can give are added here, so that no endpoint forgets one.
//! `tests/tests/api/openapi.rs` holds the document against api.md and real answers against it.

mod paths;

use axum::http::header;
use axum::response::IntoResponse;
use std::sync::OnceLock;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, RefOr, Response, ResponseBuilder};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

/// The `id` of the path: a count, an invite or a record.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
struct UuidParam {
    /// The id (a UUID) of the count, team code or record.
    #[allow(dead_code)]
    id: uuid::Uuid,
}

/// The `table` of a CSV export.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct TableIdParam {
    /// The table's id, e.g. `by_count_group`.
    #[allow(dead_code)]
    table: ethos_shared::codes::TableId,
}

/// The `sep` of a CSV export: `comma` (default) or `semicolon` (with a BOM, for Excel).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
enum Separator {
    Comma,
    Semicolon,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "ETHOS-telling Maastricht-Heuvelland",
        version = "1",
        description = "The HTTP contract of api.md, version 1. Errors: `{\"code\", \"message\", \"details\"?}` \
            with a stable snake_case `code`. Coordinators and analysts send the token of `POST /api/v1/login` \
            (scheme `session`), field devices the token of `POST /api/v1/enroll` (scheme `device`)."
    ),
    paths(
        paths::login, paths::logout, paths::create_count, paths::list_counts, paths::get_count,
        paths::set_status, paths::device_count, paths::create_invite, paths::list_invites,
        paths::revoke_invite, paths::enroll, paths::sync, paths::list_records, paths::records_csv,
        paths::void_record, paths::unvoid_record, paths::list_duplicates, paths::resolve_duplicate,
        paths::resolve_consistent, paths::report, paths::report_csv, paths::report_docx,
        paths::report_xlsx, paths::summary, paths::comparison, paths::comparison_csv, paths::estimate,
        paths::audit, paths::dashboard, paths::population, paths::set_population, paths::devices,
        paths::openapi_json, paths::healthz, paths::desk_template_xlsx, paths::desk_template_csv,
    ),
    components(schemas(ethos_shared::api::ErrorBody, ethos_shared::codes::TableId, Separator)),
    modifiers(&SecuritySchemes, &CommonErrors, &TextFields)
)]
struct Contract;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer = |description: &str| {
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some(description)).build(),
            )
        };
        components.add_security_scheme(
            "session",
            bearer(
                "A coordinator's or analyst's token from `POST /api/v1/login` (lives 12 hours). \
                An analyst reads reports and aggregate exports only; elsewhere 403 `forbidden`.",
            ),
        );
        components.add_security_scheme(
            "device",
            bearer("A field device's token from `POST /api/v1/enroll`; 401 `device_revoked` once its code is revoked."),
        );
    }
}

/// The error answers that follow from what an endpoint takes, added to every endpoint that
/// does not describe that status itself.
struct CommonErrors;

fn error(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new().schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody"))).build(),
        )
        .build()
        .into()
}

fn add_common_errors(operation: &mut Operation) {
    let responses = &mut operation.responses.responses;
    let mut add = |status: &str, description: &str| {
        responses.entry(status.to_string()).or_insert_with(|| error(description));
    };
    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let params = operation.parameters.as_deref().unwrap_or_default();
    let has_path = params.iter().any(|p| p.parameter_in == ParameterIn::Path);
    let has_query = params.iter().any(|p| p.parameter_in == ParameterIn::Query);
    if secured {
        add("401", "`unauthorized`: no, unknown or expired token.");
        add("403", "`forbidden`: a valid token of the wrong role (or a device token where a user's is needed, or the other way round).");
    }
    if has_path {
        add("404", "`not_found`: no such count, team code, record or group.");
    }
    if operation.request_body.is_some() {
        add("400", "`invalid_json`: the body is not JSON.");
        add("408", "`request_timeout`: the body did not arrive within the body timeout.");
        add("413", "`payload_too_large`: body over 1 MiB (or, in sync, more than 500 records).");
        add("415", "`unsupported_media_type`: the body is not sent as `application/json`.");
    }
    if operation.request_body.is_some() || has_query {
        add("422", "`validation_failed`: `details.errors` lists `{field, code}`.");
    }
    add("500", "`internal`: a fault of the server, without internals in the message.");
    add("503", "`storage_busy`, `storage_full` or `storage_read_only`: nothing was stored; `Retry-After`.");
}

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.options,
                &mut item.head,
                &mut item.patch,
                &mut item.trace,
            ]
            .into_iter()
            .flatten()
            {
                add_common_errors(operation);
            }
        }
    }
}

/// The free-text fields the server checks (`handlers::required_text`): not blank, at most so
/// many characters, no control or bidirectional-override characters.
struct TextFields;

/// Control characters (C0, DEL, C1) and the bidirectional marks and overrides.
const NOT_TEXT: &str = "\\x00-\\x1f\\x7f-\\x9f\u{200e}\u{200f}\u{061c}\u{202a}-\u{202e}\u{2066}-\u{2069}";

impl Modify for TextFields {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let fields = [
            ("NewCount", "name", 200),
            ("NewInvite", "organisation", 200),
            ("VoidRequest", "reason", 500),
            ("EnrollRequest", "device_label", 100),
        ];
        let Some(components) = openapi.components.as_mut() else { return };
        for (schema, field, max_chars) in fields {
            let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(schema) else { continue };
            let Some(RefOr::T(Schema::Object(text))) = object.properties.get_mut(field) else { continue };
            text.min_length = Some(1);
            text.max_length = Some(max_chars);
            text.pattern = Some(format!("^[^{NOT_TEXT}]*[^\\s{NOT_TEXT}][^{NOT_TEXT}]*$"));
        }
    }
}

/// The document, as JSON text (built once).
pub fn document() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| Contract::openapi().to_pretty_json().unwrap_or_default())
}

/// `GET /api/v1/openapi.json` (no token).
pub async fn openapi_json() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], document())
}
