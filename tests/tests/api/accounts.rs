//! Accounts and sessions: login, logout, the rate limit, `ethos user add`.

use chrono::{DateTime, Duration, Utc};
use ethos_tests::{spawn_app, Role, SendExt, PASSWORD};
use serde_json::json;

#[tokio::test]
async fn a_coordinator_logs_in_and_gets_a_token_its_role_and_an_expiry_twelve_hours_ahead() {
    // Arrange
    let app = spawn_app().await;
    app.add_user("marieke", Role::Coordinator).await;

    // Act
    let before = Utc::now();
    let body = app.login("marieke", PASSWORD).await.assert_status(200);

    // Assert
    let obj = body.as_object().expect("an object");
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["expires_at", "role", "token"]);
    assert_eq!(body["role"], "coordinator");
    assert!(body["token"].as_str().is_some_and(|t| t.len() >= 20), "a long random token: {body}");
    let expires: DateTime<Utc> = body["expires_at"].as_str().expect("expires_at").parse().expect("RFC 3339");
    let twelve_hours = before + Duration::hours(12);
    assert!(
        expires >= twelve_hours - Duration::minutes(1) && expires <= twelve_hours + Duration::minutes(1),
        "expires_at {expires} is about 12 hours after {before}"
    );
}

#[tokio::test]
async fn an_analyst_logs_in_with_the_analyst_role() {
    let app = spawn_app().await;
    app.add_user("ans", Role::Analyst).await;

    let body = app.login("ans", PASSWORD).await.assert_status(200);

    assert_eq!(body["role"], "analyst");
}

#[tokio::test]
async fn the_token_of_a_login_opens_the_api() {
    let app = spawn_app().await;
    let token = app.coordinator().await;

    let reply = app.get("/api/v1/counts").bearer_auth(&token).reply().await;

    assert_eq!(reply.assert_status(200), json!({ "items": [] }));
}

#[tokio::test]
async fn a_wrong_password_is_unauthorized() {
    let app = spawn_app().await;
    app.add_user("marieke", Role::Coordinator).await;

    let reply = app.login("marieke", "not the password").await;

    reply.assert_error(401, "unauthorized");
}

#[tokio::test]
async fn an_unknown_username_is_unauthorized_like_a_wrong_password() {
    let app = spawn_app().await;

    let reply = app.login("nobody", PASSWORD).await;

    reply.assert_error(401, "unauthorized");
}

#[tokio::test]
async fn a_login_without_a_password_is_validation_failed() {
    let app = spawn_app().await;

    let reply = app.post("/api/v1/login").json(&json!({ "username": "marieke" })).reply().await;

    reply.assert_validation(&[("password", "missing")]);
}

#[tokio::test]
async fn after_five_failed_logins_for_one_username_even_the_right_password_is_too_many_requests() {
    // Arrange
    let app = spawn_app().await;
    app.add_user("marieke", Role::Coordinator).await;
    for attempt in 1..=5 {
        let reply = app.login("marieke", &format!("wrong {attempt}")).await;
        reply.assert_error(401, "unauthorized");
    }

    // Act
    let reply = app.login("marieke", PASSWORD).await;

    // Assert
    reply.assert_error(429, "too_many_requests");
}

#[tokio::test]
async fn after_five_failed_logins_from_one_address_other_usernames_are_too_many_requests() {
    // Arrange: every test client is 127.0.0.1
    let app = spawn_app().await;
    app.add_user("marieke", Role::Coordinator).await;
    for attempt in 1..=5 {
        app.login(&format!("guess{attempt}"), "wrong").await.assert_error(401, "unauthorized");
    }

    // Act
    let reply = app.login("marieke", PASSWORD).await;

    // Assert
    reply.assert_error(429, "too_many_requests");
}

#[tokio::test]
async fn four_failed_logins_do_not_yet_block_the_right_password() {
    let app = spawn_app().await;
    app.add_user("marieke", Role::Coordinator).await;
    for _ in 0..4 {
        app.login("marieke", "wrong").await.assert_error(401, "unauthorized");
    }

    let reply = app.login("marieke", PASSWORD).await;

    reply.assert_status(200);
}

#[tokio::test]
async fn logout_answers_204_and_the_token_no_longer_works() {
    // Arrange
    let app = spawn_app().await;
    let token = app.coordinator().await;

    // Act
    let reply = app.post("/api/v1/logout").bearer_auth(&token).reply().await;

    // Assert
    assert_eq!(reply.status.as_u16(), 204, "{}", reply.text);
    assert!(reply.text.is_empty(), "204 has no body: {:?}", reply.text);
    app.get("/api/v1/counts").bearer_auth(&token).reply().await.assert_error(401, "unauthorized");
    app.post("/api/v1/logout").bearer_auth(&token).reply().await.assert_error(401, "unauthorized");
}

#[tokio::test]
async fn logout_ends_only_its_own_session() {
    let app = spawn_app().await;
    let first = app.coordinator().await;
    let second = app.login("coordinator", PASSWORD).await.assert_status(200)["token"]
        .as_str()
        .expect("token")
        .to_string();

    app.post("/api/v1/logout").bearer_auth(&first).reply().await.assert_status(204);

    app.get("/api/v1/counts").bearer_auth(&second).reply().await.assert_status(200);
}

#[tokio::test]
async fn a_token_that_was_never_issued_is_unauthorized() {
    let app = spawn_app().await;

    let reply = app.get("/api/v1/counts").bearer_auth("made-up-token").reply().await;

    reply.assert_error(401, "unauthorized");
}

#[tokio::test]
async fn adding_a_user_whose_name_exists_fails_with_a_clear_message() {
    // Arrange
    let app = spawn_app().await;
    app.add_user("marieke", Role::Coordinator).await;

    // Act
    let result =
        ethos_server::cli::add_user(&app.db_path(), "marieke", Role::Analyst, "another password").await;

    // Assert
    let message = format!("{:#}", result.expect_err("a duplicate name is refused"));
    assert!(message.contains("already exists"), "clear message: {message}");
    assert!(message.contains("marieke"), "names the user: {message}");
    let body = app.login("marieke", PASSWORD).await.assert_status(200);
    assert_eq!(body["role"], "coordinator", "the first account is unchanged");
}

#[tokio::test]
async fn a_user_added_while_the_server_runs_can_log_in_at_once() {
    let app = spawn_app().await;

    app.add_user("late", Role::Analyst).await;

    app.login("late", PASSWORD).await.assert_status(200);
}

/// A read-only look into the test server's database.
async fn db_text(app: &ethos_tests::TestApp, sql: &str) -> Vec<String> {
    use sqlx::{ConnectOptions, Connection};
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(app.db_path())
        .read_only(true)
        .connect()
        .await
        .expect("the test database opens");
    let rows: Vec<String> = sqlx::query_scalar(sql).fetch_all(&mut conn).await.expect("the query runs");
    conn.close().await.expect("the connection closes");
    rows
}

#[tokio::test]
async fn sixty_four_wrong_passwords_at_once_get_at_most_five_password_checks_and_the_rest_429() {
    // Arrange
    let app = spawn_app().await;
    app.add_user("marieke", Role::Coordinator).await;

    // Act: 64 wrong logins sent at the same moment.
    let attempts = (0..64).map(|i| {
        let request = app
            .post("/api/v1/login")
            .json(&json!({ "username": "marieke", "password": format!("wrong {i}") }));
        async move { request.reply().await }
    });
    let replies = futures_join_all(attempts).await;

    // Assert: each checked password leaves one `login.failed` entry; only 5 were checked.
    let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    let unauthorized = statuses.iter().filter(|s| **s == 401).count();
    let too_many = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((unauthorized, too_many), (5, 59), "{statuses:?}");
    for reply in replies.iter().filter(|r| r.status == 429) {
        reply.assert_error(429, "too_many_requests");
    }
    let checks = db_text(&app, "SELECT action FROM audit_log WHERE action = 'login.failed'").await;
    assert_eq!(checks.len(), 5, "password checks");
    app.login("marieke", PASSWORD).await.assert_error(429, "too_many_requests");
}

/// Runs the futures at once and collects their results in order.
async fn futures_join_all<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.expect("the request task ends"));
    }
    out
}

#[tokio::test]
async fn a_right_password_takes_back_its_counted_attempt_so_five_failures_still_give_429() {
    // Arrange: four failures, then the right password (counted before its check, taken back
    // after it).
    let app = spawn_app().await;
    app.add_user("marieke", Role::Coordinator).await;
    for _ in 0..4 {
        app.login("marieke", "wrong").await.assert_error(401, "unauthorized");
    }
    app.login("marieke", PASSWORD).await.assert_status(200);

    // Act: a fifth failure is still a 401, and only then the limit holds.
    app.login("marieke", "wrong").await.assert_error(401, "unauthorized");
    let reply = app.login("marieke", PASSWORD).await;

    // Assert
    reply.assert_error(429, "too_many_requests");
}

#[tokio::test]
async fn a_one_megabyte_username_is_refused_with_422_and_adds_nothing_to_the_database() {
    // Arrange
    let app = spawn_app().await;
    app.add_user("marieke", Role::Coordinator).await;
    let size = |app: &ethos_tests::TestApp| {
        ["", "-wal"]
            .iter()
            .map(|s| {
                std::fs::metadata(format!("{}{s}", app.db_path().display())).map(|m| m.len()).unwrap_or(0)
            })
            .sum::<u64>()
    };
    let audit_before = db_text(&app, "SELECT action FROM audit_log").await.len();
    let before = size(&app);
    let huge = "u".repeat(1_000_000);

    // Act
    let replies = futures_join_all(
        (0..8).map(|_| app.post("/api/v1/login").json(&json!({ "username": huge, "password": "x" })).reply()),
    )
    .await;

    // Assert: refused before any write; the right password still works (nothing was counted).
    for reply in &replies {
        reply.assert_validation(&[("username", "invalid_value")]);
    }
    assert_eq!(db_text(&app, "SELECT username FROM login_failures").await, Vec::<String>::new());
    assert_eq!(db_text(&app, "SELECT action FROM audit_log").await.len(), audit_before);
    assert_eq!(size(&app), before, "the database and its WAL did not grow");
    app.login("marieke", PASSWORD).await.assert_status(200);
}

#[tokio::test]
async fn a_failed_login_keeps_neither_the_typed_username_nor_a_password_typed_into_it() {
    // Arrange: a password typed one field too early, and a long unknown name.
    let app = spawn_app().await;
    app.add_user("marieke", Role::Coordinator).await;
    let typed = ["S3cret-typed-as-name", &"x".repeat(256)];

    // Act
    for name in typed {
        app.login(name, "whatever").await.assert_error(401, "unauthorized");
    }
    app.login("marieke", "wrong").await.assert_error(401, "unauthorized");

    // Assert: the failure table holds keyed hashes, the audit log no typed text (only the
    // existing account's own name).
    let kept = db_text(&app, "SELECT username FROM login_failures").await;
    assert_eq!(kept.len(), 3);
    for k in &kept {
        assert!(k.len() == 64 && k.bytes().all(|b| b.is_ascii_hexdigit()), "a keyed hash: {k}");
    }
    let audit = db_text(
        &app,
        "SELECT actor || ' ' || COALESCE(details, '') FROM audit_log WHERE action = 'login.failed'",
    )
    .await;
    assert_eq!(audit.len(), 3, "{audit:?}");
    for entry in &audit {
        for name in typed {
            assert!(!entry.contains(name), "typed text in the audit log: {entry}");
        }
    }
    assert!(audit.iter().any(|e| e.starts_with("user:marieke ")), "{audit:?}");
}
