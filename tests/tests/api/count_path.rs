//! Every route of an existing count (`/counts/{id}/…`) answers alike: without a session 401,
//! with the wrong role 403, and only then, for a count that does not exist, 404 `not_found`.

use ethos_tests::{spawn_app, SendExt};
use uuid::Uuid;

/// Routes a coordinator may read, by the path after `/api/v1/counts/{id}`.
const COORDINATOR_READS: &[&str] = &["/records", "/records.csv"];
/// Routes the coordinator and the analyst may read.
const ANY_USER_READS: &[&str] =
    &["/summary?disclosure=internal", "/report.docx?disclosure=internal", "/report.xlsx?disclosure=internal"];

#[tokio::test]
async fn a_missing_count_is_not_found_only_after_the_session_and_the_role() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let analyst = app.analyst().await;
    let missing = Uuid::now_v7();

    for suffix in COORDINATOR_READS.iter().chain(ANY_USER_READS) {
        let path = format!("/api/v1/counts/{missing}{suffix}");
        app.get(&path).reply().await.assert_error(401, "unauthorized");
        app.get(&path).bearer_auth(&coordinator).reply().await.assert_error(404, "not_found");
        app.get(&format!("/api/v1/counts/not-a-uuid{suffix}"))
            .bearer_auth(&coordinator)
            .reply()
            .await
            .assert_error(404, "not_found");
    }
    for suffix in COORDINATOR_READS {
        let path = format!("/api/v1/counts/{missing}{suffix}");
        app.get(&path).bearer_auth(&analyst).reply().await.assert_error(403, "forbidden");
    }
    for suffix in ANY_USER_READS {
        let path = format!("/api/v1/counts/{missing}{suffix}");
        app.get(&path).bearer_auth(&analyst).reply().await.assert_error(404, "not_found");
    }
}

#[tokio::test]
async fn an_existing_count_is_served_on_every_route() {
    let app = spawn_app().await;
    let coordinator = app.coordinator().await;
    let id = app.create_count(&coordinator).await["id"].as_str().expect("id").to_string();

    for suffix in COORDINATOR_READS.iter().chain(ANY_USER_READS) {
        app.get(&format!("/api/v1/counts/{id}{suffix}"))
            .bearer_auth(&coordinator)
            .reply()
            .await
            .assert_status(200);
    }
}
