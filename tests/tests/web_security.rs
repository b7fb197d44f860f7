//! Security headers on every answer, and no secrets or personal data in the server's logs.

#![allow(clippy::unwrap_used)] // a test: a failed step should stop it loudly

use ethos_tests::{record_with_key, spawn_app};
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn answers_carry_a_strict_content_security_policy_and_the_logs_hold_no_secrets() {
    // Everything the server logs, down to debug level, in one buffer.
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_env_filter("debug")
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let app = spawn_app().await;
    let field = app.field("live").await;
    let key = ethos_tests::key(42);
    app.sync(&field.device.token, &[record_with_key(&key)]).await;
    let wrong = app.login("coordinator", "a-wrong-password-123").await;
    assert_eq!(wrong.status, 401u16);

    for path in ["/", "/healthz", "/api/v1/counts", "/enroll"] {
        let answer = app.client.get(app.url(path)).bearer_auth(&field.coordinator).send().await.unwrap();
        let h = answer.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        let sources: Vec<&str> = csp.split([' ', ';']).collect();
        assert!(
            !sources.contains(&"'unsafe-inline'") && !sources.contains(&"'unsafe-eval'"),
            "{path}: {csp}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
    }

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("login"), "the capture works: {logs}");
    for secret in [
        field.coordinator.as_str(),
        field.device.token.as_str(),
        field.device.dedup_secret.as_str(),
        key.as_str(),
        "a-wrong-password-123",
        ethos_tests::PASSWORD,
    ] {
        assert!(!logs.contains(secret), "the logs contain a secret: {secret}");
    }
}

#[tokio::test]
async fn api_answers_say_no_store_so_no_browser_or_proxy_keeps_records_or_tokens() {
    // Arrange
    let app = spawn_app().await;
    app.add_user("marieke", ethos_tests::Role::Coordinator).await;

    // Act: a login, a list, an error, the health check and a page of the web app.
    let login = app.client.post(app.url("/api/v1/login")).json(&serde_json::json!({
        "username": "marieke", "password": ethos_tests::PASSWORD
    }));
    let token = {
        let reply = login.send().await.unwrap();
        assert_eq!(reply.headers()["cache-control"], "no-store");
        reply.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_string()
    };
    let answers = [
        app.get("/api/v1/counts").bearer_auth(&token).send().await.unwrap(),
        app.get("/api/v1/counts").send().await.unwrap(),
        app.get("/api/v1/no-such-thing").send().await.unwrap(),
        app.get("/healthz").send().await.unwrap(),
    ];

    // Assert
    for answer in &answers {
        assert_eq!(answer.headers()["cache-control"], "no-store", "{}", answer.url());
    }
    let page = app.get("/").send().await.unwrap();
    assert_ne!(page.headers().get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"));
    assert!(app.get("/healthz").send().await.unwrap().headers().get("strict-transport-security").is_none());
}
