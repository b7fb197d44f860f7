//! `ethos serve --tls-cert --tls-key`: HTTPS with rustls for a small deployment.

#![allow(clippy::unwrap_used)] // a test: a failed step should stop it loudly

use ethos_server::{Application, Config, TlsFiles};

/// A server on a free port with a fresh self-signed certificate for `localhost`, and a client
/// that trusts it.
struct TlsServer {
    port: u16,
    client: reqwest::Client,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
    _dir: tempfile::TempDir,
}

impl TlsServer {
    async fn start() -> TlsServer {
        let dir = tempfile::tempdir().unwrap();
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
        let cert_pem = cert.cert.pem();
        std::fs::write(dir.path().join("cert.pem"), &cert_pem).unwrap();
        std::fs::write(dir.path().join("key.pem"), cert.key_pair.serialize_pem()).unwrap();
        let config = Config {
            db_path: dir.path().join("ethos.db"),
            bind: "127.0.0.1:0".parse().unwrap(),
            web_dir: dir.path().join("no-web"),
        };
        let tls = TlsFiles { cert: dir.path().join("cert.pem"), key: dir.path().join("key.pem") };
        let app = Application::build_with_tls(config, Some(tls)).await.unwrap();
        let port = app.local_addr().port();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async {
            let _ = stopped.await;
        }));
        let client = reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap())
            .resolve("localhost", ([127, 0, 0, 1], port).into())
            .build()
            .unwrap();
        TlsServer { port, client, stop, server, _dir: dir }
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("https://localhost:{}{path}", self.port)).send().await.unwrap()
    }

    /// Stops the server and checks that it ended without an error.
    async fn stop(self) {
        self.stop.send(()).unwrap();
        self.server.await.unwrap().unwrap();
    }
}

#[tokio::test]
async fn the_server_answers_over_https_with_its_certificate_and_stops_cleanly() {
    let server = TlsServer::start().await;

    let answer = server.get("/healthz").await;
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.json::<serde_json::Value>().await.unwrap()["status"], "ok");
    let plain = reqwest::get(format!("http://127.0.0.1:{}/healthz", server.port)).await;
    assert!(plain.is_err() || !plain.unwrap().status().is_success(), "plain HTTP must not be served");

    server.stop().await;
}

#[tokio::test]
async fn answers_over_https_carry_hsts() {
    let server = TlsServer::start().await;

    let api = server.get("/api/v1/counts").await;
    let page = server.get("/").await;

    for answer in [&api, &page] {
        assert_eq!(answer.headers()["strict-transport-security"], "max-age=31536000", "{}", answer.url());
    }
    assert_eq!(api.status(), 401);
    server.stop().await;
}
