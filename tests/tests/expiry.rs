//! Time limits, seen without waiting hours: the session lifetime and the login rate-limit
//! window are settings (`Tuning`), shortened here to seconds. (An expired team code is tested
//! in `api/invites.rs`.) Also which address the rate limit counts behind a reverse proxy.

#![allow(clippy::unwrap_used)] // a test: a failed step should stop it loudly

use chrono::{DateTime, Utc};
use ethos_tests::{spawn_app, spawn_app_tuned, Reply, Role, SendExt, TestApp, Tuning, PASSWORD};
use serde_json::json;
use std::time::Duration;

fn tuning(f: impl FnOnce(&mut Tuning)) -> Tuning {
    let mut t = Tuning::default();
    f(&mut t);
    t
}

async fn login_from(app: &TestApp, username: &str, password: &str, forwarded_for: &str) -> Reply {
    app.post("/api/v1/login")
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({ "username": username, "password": password }))
        .reply()
        .await
}

#[tokio::test]
async fn a_session_lives_twelve_hours_by_default() {
    let app = spawn_app().await;
    app.add_user("coordinator", Role::Coordinator).await;
    let body = app.login("coordinator", PASSWORD).await.assert_status(200);
    let expires_at: DateTime<Utc> = body["expires_at"].as_str().unwrap().parse().unwrap();
    let left = expires_at - Utc::now();
    assert!(left > chrono::Duration::minutes(719) && left <= chrono::Duration::hours(12), "{left}");
}

#[tokio::test]
async fn a_session_token_stops_working_when_it_expires() {
    // Arrange: sessions of two seconds.
    let app = spawn_app_tuned(tuning(|t| t.session_lifetime = chrono::Duration::seconds(2))).await;
    app.add_user("coordinator", Role::Coordinator).await;
    let body = app.login("coordinator", PASSWORD).await.assert_status(200);
    let token = body["token"].as_str().unwrap().to_string();
    let expires_at: DateTime<Utc> = body["expires_at"].as_str().unwrap().parse().unwrap();
    assert!(expires_at - Utc::now() <= chrono::Duration::seconds(2), "expires_at {expires_at}");
    app.get("/api/v1/counts").bearer_auth(&token).reply().await.assert_status(200);

    // Act: wait until just past `expires_at`.
    let left = (expires_at - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(left + Duration::from_millis(100)).await;

    // Assert: the token is refused like an unknown one; a new login works.
    app.get("/api/v1/counts").bearer_auth(&token).reply().await.assert_error(401, "unauthorized");
    let fresh = app.login("coordinator", PASSWORD).await.assert_status(200);
    app.get("/api/v1/counts").bearer_auth(fresh["token"].as_str().unwrap()).reply().await.assert_status(200);
}

#[tokio::test]
async fn the_login_rate_limit_blocks_after_five_failures_and_lets_through_after_the_window() {
    // Arrange: a window of 15 seconds (a failed login costs an Argon2 verification, slow in a
    // debug build, so five of them must fit well inside the window).
    let window = 15;
    let app = spawn_app_tuned(tuning(|t| t.login_window = chrono::Duration::seconds(window))).await;
    app.add_user("coordinator", Role::Coordinator).await;
    let first = Utc::now();
    for _ in 0..5 {
        app.login("coordinator", "wrong password").await.assert_error(401, "unauthorized");
    }
    let fifth = Utc::now();

    // Act: the right password, now blocked.
    let blocked = app.login("coordinator", PASSWORD).await;
    let blocked_at = std::time::Instant::now();
    eprintln!("five failed logins took {} ms", (fifth - first).num_milliseconds());

    // Assert: 429 with Retry-After until the first failure leaves the window.
    let body = blocked.assert_error(429, "too_many_requests");
    let retry_after: i64 = blocked.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert_eq!(body["details"]["retry_after_secs"], retry_after);
    let until_free = (first + chrono::Duration::seconds(window) - Utc::now()).num_milliseconds();
    assert!(
        retry_after >= 1 && retry_after * 1000 >= until_free && retry_after <= window,
        "Retry-After {retry_after} s, window ends in {until_free} ms (five failures took {} ms)",
        (fifth - first).num_milliseconds()
    );
    // Still blocked a second later (if the window is not nearly over).
    if retry_after > 2 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        app.login("coordinator", PASSWORD).await.assert_error(429, "too_many_requests");
    }

    // Waiting exactly Retry-After from the 429 is enough.
    tokio::time::sleep_until((blocked_at + Duration::from_secs(retry_after as u64)).into()).await;
    app.login("coordinator", PASSWORD).await.assert_status(200);
}

#[tokio::test]
async fn without_trust_the_rate_limit_ignores_x_forwarded_for() {
    // Arrange: five failures for five usernames, each claiming another address.
    let app = spawn_app().await;
    for n in 0..5 {
        login_from(&app, &format!("user{n}"), "wrong", &format!("203.0.113.{n}"))
            .await
            .assert_error(401, "unauthorized");
    }

    // Act + Assert: all came from 127.0.0.1, so a sixth username from a sixth claimed address
    // is blocked.
    login_from(&app, "user5", "wrong", "203.0.113.5").await.assert_error(429, "too_many_requests");
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_rate_limit_counts_the_forwarded_address() {
    // Arrange: the server trusts its proxy; five failures for five usernames from one client
    // (the proxy appends the client's address as the last entry).
    let app = spawn_app_tuned(tuning(|t| t.trust_forwarded_for = true)).await;
    for n in 0..5 {
        login_from(&app, &format!("user{n}"), "wrong", "198.51.100.9, 203.0.113.7")
            .await
            .assert_error(401, "unauthorized");
    }

    // Act + Assert: that client is blocked whatever it puts in front; another client is not.
    login_from(&app, "user5", "wrong", "10.1.1.1, 203.0.113.7").await.assert_error(429, "too_many_requests");
    login_from(&app, "user6", "wrong", "203.0.113.8").await.assert_error(401, "unauthorized");
}

/// Rows of a table in the test's database, read from another connection.
async fn rows(app: &TestApp, table: &str) -> i64 {
    use sqlx::{ConnectOptions, Connection};
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(app.db_path())
        .read_only(true)
        .connect()
        .await
        .unwrap();
    let n = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    n
}

#[tokio::test]
async fn failed_attempts_and_expired_sessions_are_forgotten_once_their_window_has_passed_without_new_traffic()
{
    // Arrange: a rate-limit window of 5 s and sessions of 5 s (long enough for the set-up's
    // Argon2 checks on a loaded machine); a failed login and a wrong team code (each stored
    // with the client's address, personal data) and one session.
    let app = spawn_app_tuned(tuning(|t| {
        t.login_window = chrono::Duration::seconds(5);
        t.session_lifetime = chrono::Duration::seconds(5);
    }))
    .await;
    app.add_user("coordinator", Role::Coordinator).await;
    app.login("coordinator", "wrong password").await.assert_error(401, "unauthorized");
    app.post("/api/v1/enroll")
        .json(&json!({ "code": "NOPE-NOPE" }))
        .reply()
        .await
        .assert_error(403, "invite_invalid");
    app.login("coordinator", PASSWORD).await.assert_status(200);
    assert_eq!(
        (
            rows(&app, "login_failures").await,
            rows(&app, "enrol_failures").await,
            rows(&app, "sessions").await
        ),
        (1, 1, 1)
    );

    // Act: nothing more happens; wait for the window and a housekeeping round after it.
    // (Forgetting exactly what the window has passed, and nothing younger, is tested at the
    // storage level in `forget_failures_keeps_what_the_window_still_counts`.)
    let started = std::time::Instant::now();
    let mut left = (1, 1, 1);
    while left != (0, 0, 0) && started.elapsed() < Duration::from_secs(25) {
        tokio::time::sleep(Duration::from_millis(250)).await;
        left = (
            rows(&app, "login_failures").await,
            rows(&app, "enrol_failures").await,
            rows(&app, "sessions").await,
        );
    }

    // Assert: all three are gone, soon after the window (5 s, plus a round every 5 s).
    assert_eq!(left, (0, 0, 0), "failures and sessions left after {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(13), "forgotten after {:?}", started.elapsed());
    app.login("coordinator", PASSWORD).await.assert_status(200); // the account itself is untouched
}

#[tokio::test]
async fn forget_failures_keeps_what_the_window_still_counts() {
    // Arrange: failures one second before, exactly at and one second after the window's start,
    // and sessions expiring one second before, exactly at and one second after now.
    use ethos_server::storage::{Storage, User};
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::open(&dir.path().join("ethos.db")).await.unwrap();
    let now = Utc::now();
    let start = now - chrono::Duration::minutes(15);
    let second = chrono::Duration::seconds(1);
    // (The account first: setting a demo password clears its failed logins.)
    let id = storage.set_demo_user("coordinator", Role::Coordinator, "not a real hash").await.unwrap();
    for at in [start - second, start, start + second] {
        storage.add_login_failure("coordinator", "192.0.2.1", at).await.unwrap();
        storage.add_enrol_failure("192.0.2.1", at).await.unwrap();
    }
    let user = User { id, username: "coordinator".into(), role: Role::Coordinator };
    for (token, expires_at) in [("expired", now - second), ("expiring", now), ("live", now + second)] {
        storage.create_session(token, &user, expires_at).await.unwrap();
    }
    let counted = |storage: Storage| async move {
        let logins = storage.login_failures_since("coordinator", "192.0.2.1", start).await.unwrap().0;
        let codes = storage.enrol_failures_since("192.0.2.1", start).await.unwrap().0;
        (logins, codes)
    };
    assert_eq!(counted(storage.clone()).await, (1, 1), "the window counts only the failure after its start");

    // Act
    let removed = storage.forget_failures_before(start, now).await.unwrap();

    // Assert: what the window no longer counts is gone, the rest stays and counts the same.
    assert_eq!(removed, 2 + 2 + 2);
    assert_eq!(counted(storage.clone()).await, (1, 1));
    assert!(storage.user_by_token("live", now).await.unwrap().is_some(), "a live session stays");
    let later = storage.forget_failures_before(start - second, now).await.unwrap();
    assert_eq!(later, 0, "nothing left to forget");
    storage.close().await;
}
