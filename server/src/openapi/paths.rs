//! One `#[utoipa::path]` per endpoint: method, path, parameters, request body, the answers of
//! success and the errors particular to the endpoint. The errors every endpoint of a kind can
//! give (a missing token, a malformed body, a full disk…) are added in `super::errors`.
//! The functions are never called: they only carry the description.

#![allow(dead_code)]

use super::{Separator, TableIdParam, UuidParam};
use ethos_shared::api::{AuditEntry, Dashboard, Device, ErrorBody, Health};
use ethos_shared::api::{
    Count, DuplicateGroup, EnrollRequest, EnrollResponse, Invite, Items, LoginRequest, LoginResponse,
    NewCount, NewInvite, Population, RecordPage, ResolveRequest, StatusChange, StoredRecord, SyncRequest,
    SyncResponse, VoidRequest,
};
use ethos_shared::comparison::Comparison;
use ethos_shared::estimate::{Estimate, ReportWithEstimate, SourceBy};
use ethos_shared::record::DedupKey;
use ethos_shared::report::Disclosure;
use ethos_shared::review::{BulkResolved, DuplicatePage, Rehearsal, ReviewFilter};
use ethos_shared::summary::Summary;
use ethos_shared::Lang;

#[utoipa::path(post, path = "/api/v1/login", tag = "accounts", request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in; the token lives until `expires_at`.", body = LoginResponse),
        (status = 401, description = "`unauthorized`: wrong username or password.", body = ErrorBody),
        (status = 429, description = "`too_many_requests`: 5 failures for this username or address in the window; `Retry-After`.", body = ErrorBody),
    ))]
fn login() {}

#[utoipa::path(post, path = "/api/v1/logout", tag = "accounts", security(("session" = [])),
    responses((status = 204, description = "The token no longer works.")))]
fn logout() {}

#[utoipa::path(post, path = "/api/v1/counts", tag = "counts", security(("session" = [])),
    description = "Coordinator.", request_body = NewCount,
    responses((status = 201, description = "The new count, in training.", body = Count)))]
fn create_count() {}

#[utoipa::path(get, path = "/api/v1/counts", tag = "counts", security(("session" = [])),
    responses((status = 200, description = "Every count.", body = Items<Count>)))]
fn list_counts() {}

#[utoipa::path(get, path = "/api/v1/counts/{id}", tag = "counts", security(("session" = [])),
    params(UuidParam), responses((status = 200, description = "The count.", body = Count)))]
fn get_count() {}

#[utoipa::path(post, path = "/api/v1/counts/{id}/status", tag = "counts", security(("session" = [])),
    description = "Coordinator. training → live, live → locked, training → locked.",
    params(UuidParam), request_body = StatusChange,
    responses(
        (status = 200, description = "The updated count.", body = Count),
        (status = 409, description = "`invalid_transition`: the lifecycle does not allow this change.", body = ErrorBody),
    ))]
fn set_status() {}

#[utoipa::path(get, path = "/api/v1/device/count", tag = "devices", security(("device" = [])),
    responses((status = 200, description = "The device's own count.", body = Count)))]
fn device_count() {}

#[utoipa::path(post, path = "/api/v1/counts/{id}/invites", tag = "invites", security(("session" = [])),
    description = "Coordinator.", params(UuidParam), request_body = NewInvite,
    responses(
        (status = 201, description = "The new team code.", body = Invite),
        (status = 409, description = "`count_locked`: the count is locked.", body = ErrorBody),
    ))]
fn create_invite() {}

#[utoipa::path(get, path = "/api/v1/counts/{id}/invites", tag = "invites", security(("session" = [])),
    description = "Coordinator.", params(UuidParam),
    responses((status = 200, description = "The count's team codes, revoked ones too.", body = Items<Invite>)))]
fn list_invites() {}

#[utoipa::path(delete, path = "/api/v1/invites/{id}", tag = "invites", security(("session" = [])),
    description = "Coordinator. Revokes the code and every device enrolled with it (their next sync gets 401 `device_revoked`).",
    params(UuidParam), responses((status = 204, description = "Revoked.")))]
fn revoke_invite() {}

#[utoipa::path(post, path = "/api/v1/enroll", tag = "devices", request_body = EnrollRequest,
    responses(
        (status = 201, description = "Enrolled: the device token and the count's duplicate-key secret.", body = EnrollResponse),
        (status = 403, description = "`invite_invalid`: unknown, expired or revoked code, or its count is locked.", body = ErrorBody),
        (status = 429, description = "`too_many_requests`: too many wrong codes from this address; `Retry-After`.", body = ErrorBody),
    ))]
fn enroll() {}

#[utoipa::path(post, path = "/api/v1/sync", tag = "devices", security(("device" = [])),
    description = "At most 500 records and 1 MiB. Each record is handled on its own: one result per record, in order.",
    request_body = SyncRequest,
    responses(
        (status = 200, description = "One result per record.", body = SyncResponse),
        (status = 401, description = "`unauthorized` (no or unknown token) or `device_revoked` (the team code was revoked).", body = ErrorBody),
    ))]
fn sync() {}

#[utoipa::path(get, path = "/api/v1/counts/{id}/records", tag = "records", security(("session" = [])),
    description = "Coordinator. Keyset pages.",
    params(UuidParam,
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "Records per page (at most 1000)."),
        ("after" = Option<String>, Query, description = "`next_after` of the previous page."),
    ),
    responses((status = 200, description = "A page of stored records.", body = RecordPage)))]
fn list_records() {}

#[utoipa::path(get, path = "/api/v1/counts/{id}/records.csv", tag = "records", security(("session" = [])),
    description = "Coordinator. Every record of the count as CSV.", params(UuidParam),
    responses((status = 200, description = "CSV, one line per record.", body = String, content_type = "text/csv")))]
fn records_csv() {}

#[utoipa::path(post, path = "/api/v1/records/{id}/void", tag = "records", security(("session" = [])),
    description = "Coordinator. The record stays, audited, and no report counts it; voiding twice is harmless.",
    params(UuidParam), request_body = VoidRequest,
    responses((status = 200, description = "The stored record.", body = StoredRecord)))]
fn void_record() {}

#[utoipa::path(delete, path = "/api/v1/records/{id}/void", tag = "records", security(("session" = [])),
    description = "Coordinator. Undoes a void.", params(UuidParam),
    responses((status = 200, description = "The stored record.", body = StoredRecord)))]
fn unvoid_record() {}

#[utoipa::path(get, path = "/api/v1/counts/{id}/duplicates", tag = "duplicates", security(("session" = [])),
    description = "Coordinator. Every key shared by two or more counted records; with `limit`, a page.",
    params(UuidParam,
        ("filter" = Option<ReviewFilter>, Query, description = "Which groups (default `all`)."),
        ("offset" = Option<u64>, Query, description = "Groups to skip."),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 500, description = "Groups per page (at most 500)."),
    ),
    responses((status = 200, description = "The duplicate groups.", body = DuplicatePage)))]
fn list_duplicates() {}

#[utoipa::path(post, path = "/api/v1/counts/{id}/duplicates/{key}/resolve", tag = "duplicates",
    security(("session" = [])), description = "Coordinator. The decision holds for the key, also for records that arrive later.",
    params(UuidParam, ("key" = DedupKey, Path, description = "The duplicate key of the group.")),
    request_body = ResolveRequest,
    responses((status = 200, description = "The group.", body = DuplicateGroup)))]
fn resolve_duplicate() {}

#[utoipa::path(post, path = "/api/v1/counts/{id}/duplicates/resolve-consistent", tag = "duplicates",
    security(("session" = [])), description = "Coordinator. Every undecided group whose records agree is decided `same_person`.",
    params(UuidParam), responses((status = 200, description = "The keys decided.", body = BulkResolved)))]
fn resolve_consistent() {}

#[utoipa::path(get, path = "/api/v1/counts/{id}/report", tag = "report", security(("session" = [])),
    params(UuidParam, ("disclosure" = Option<Disclosure>, Query, description = "Default `public`.")),
    responses((status = 200, description = "The baseline report with its estimate.", body = Rehearsal<ReportWithEstimate>)))]
fn report() {}

#[utoipa::path(get, path = "/api/v1/counts/{id}/report.csv", tag = "report", security(("session" = [])),
    params(UuidParam, TableIdParam,
        ("disclosure" = Option<Disclosure>, Query, description = "Default `public`."),
        ("sep" = Option<Separator>, Query, description = "`semicolon`: `;` and a BOM, for Excel."),
    ),
    responses((status = 200, description = "One table as CSV; a primary-suppressed cell reads `<5`, a secondary one `x`.", body = String, content_type = "text/csv")))]
fn report_csv() {}

#[utoipa::path(get, path = "/api/v1/counts/{id}/report.docx", tag = "report", security(("session" = [])),
    params(UuidParam,
        ("disclosure" = Option<Disclosure>, Query, description = "Default `public`."),
        ("with" = Option<uuid::Uuid>, Query, description = "An earlier count to compare with."),
    ),
    responses((status = 200, description = "The whole report as a Word file.", body = Vec<u8>,
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
fn report_docx() {}

#[utoipa::path(get, path = "/api/v1/counts/{id}/report.xlsx", tag = "report", security(("session" = [])),
    params(UuidParam,
        ("disclosure" = Option<Disclosure>, Query, description = "Default `public`."),
        ("with" = Option<uuid::Uuid>, Query, description = "An earlier count to compare with."),
    ),
    responses((status = 200, description = "The whole report as an Excel file.", body = Vec<u8>,
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
fn report_xlsx() {}

#[utoipa::path(get, path = "/api/v1/counts/{id}/summary", tag = "report", security(("session" = [])),
    params(UuidParam,
        ("disclosure" = Option<Disclosure>, Query, description = "Default `public`."),
        ("lang" = Option<Lang>, Query, description = "Default `nl`."),
    ),
    responses((status = 200, description = "The headline and the largest findings as sentences.", body = Summary)))]
fn summary() {}

#[utoipa::path(get, path = "/api/v1/counts/{id}/comparison", tag = "report", security(("session" = [])),
    params(UuidParam,
        ("with" = uuid::Uuid, Query, description = "The earlier count."),
        ("disclosure" = Option<Disclosure>, Query, description = "Default `public`."),
    ),
    responses((status = 200, description = "Every headline figure and table cell then and now.", body = Comparison)))]
fn comparison() {}

#[utoipa::path(get, path = "/api/v1/counts/{id}/comparison.csv", tag = "report", security(("session" = [])),
    params(UuidParam, TableIdParam,
        ("with" = uuid::Uuid, Query, description = "The earlier count."),
        ("disclosure" = Option<Disclosure>, Query, description = "Default `public`."),
        ("sep" = Option<Separator>, Query, description = "`semicolon`: `;` and a BOM, for Excel."),
    ),
    responses((status = 200, description = "One table compared, as CSV.", body = String, content_type = "text/csv")))]
fn comparison_csv() {}

#[utoipa::path(get, path = "/api/v1/counts/{id}/estimate", tag = "report", security(("session" = [])),
    params(UuidParam,
        ("by" = Option<SourceBy>, Query, description = "Default `organisation_type`."),
        ("disclosure" = Option<Disclosure>, Query, description = "Default `public`."),
    ),
    responses(
        (status = 200, description = "The estimate of the hidden population.", body = Estimate),
        (status = 422, description = "`estimate_not_possible` with `details.reason`, or `validation_failed` for a bad parameter.", body = ErrorBody),
    ))]
fn estimate() {}

#[utoipa::path(get, path = "/api/v1/counts/{id}/audit", tag = "counts", security(("session" = [])),
    description = "Coordinator.", params(UuidParam),
    responses((status = 200, description = "The count's audit log.", body = Items<AuditEntry>)))]
fn audit() {}

#[utoipa::path(get, path = "/api/v1/counts/{id}/dashboard", tag = "counts", security(("session" = [])),
    params(UuidParam), responses((status = 200, description = "The live figures.", body = Dashboard)))]
fn dashboard() {}

#[utoipa::path(get, path = "/api/v1/counts/{id}/population", tag = "counts", security(("session" = [])),
    params(UuidParam), responses((status = 200, description = "The inhabitants entered per municipality.", body = Items<Population>)))]
fn population() {}

#[utoipa::path(put, path = "/api/v1/counts/{id}/population", tag = "counts", security(("session" = [])),
    description = "Coordinator.", params(UuidParam), request_body = Items<Population>,
    responses((status = 200, description = "The inhabitants now stored.", body = Items<Population>)))]
fn set_population() {}

#[utoipa::path(get, path = "/api/v1/counts/{id}/devices", tag = "devices", security(("session" = [])),
    description = "Coordinator.", params(UuidParam),
    responses((status = 200, description = "The count's phones.", body = Items<Device>)))]
fn devices() {}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "contract",
    responses((status = 200, description = "This document.", body = Object)))]
fn openapi_json() {}

#[utoipa::path(get, path = "/healthz", tag = "contract",
    responses(
        (status = 200, description = "The database answers and can be written.", body = Health),
        (status = 503, description = "The database does not answer, or cannot be written.", body = ErrorBody),
    ))]
fn healthz() {}

#[utoipa::path(get, path = "/api/v1/desk/template.xlsx", tag = "desk",
    responses((status = 200, description = "The spreadsheet template for entering people at a desk: \
        Dutch headers, a drop-down list for every answer, a sheet \"Toelichting\". No personal data, \
        no token.", body = Vec<u8>,
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
fn desk_template_xlsx() {}

#[utoipa::path(get, path = "/api/v1/desk/template.csv", tag = "desk",
    responses((status = 200, description = "The template's headers as a `;`-separated CSV with a BOM \
        (Dutch Excel). No personal data, no token.", body = String, content_type = "text/csv")))]
fn desk_template_csv() {}
