//! Another process writing to the database while the server serves (as `ethos backup`,
//! `ethos import` or `ethos user add` do) must make a sync wait, never fail.

#![allow(clippy::unwrap_used)] // a test: a failed step should stop it loudly

use ethos_tests::{record, spawn_app};
use std::time::Duration;

#[tokio::test]
async fn a_sync_waits_for_another_process_holding_the_write_lock_and_then_stores() {
    let app = spawn_app().await;
    let field = app.field("live").await;

    // The other writer takes the lock, the phone syncs meanwhile, the other commits later: a
    // deferred transaction would have read first and then failed to upgrade (SQLITE_BUSY).
    let other = app.hold_write_lock().await;
    let phone = {
        let (client, url, token) = (app.client.clone(), app.url("/api/v1/sync"), field.device.token.clone());
        tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&serde_json::json!({ "records": [record()] }))
                .send()
                .await
                .unwrap()
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    other.release().await;

    let answer = phone.await.unwrap();
    assert_eq!(answer.status(), 200);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["results"][0]["status"], "stored", "{body}");
    assert_eq!(app.records(&field.coordinator, &field.count_id).await.len(), 1);
}
