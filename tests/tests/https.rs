//! `ethos serve --tls-cert --tls-key`: HTTPS with rustls for a small deployment.

#![allow(clippy::unwrap_used)] // a test: a failed step should stop it loudly

use ethos_server::{Application, Config, TlsFiles};

#[tokio::test]
async fn the_server_answers_over_https_with_its_certificate_and_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert_pem, key_pem) = (cert.cert.pem(), cert.key_pair.serialize_pem());
    std::fs::write(dir.path().join("cert.pem"), &cert_pem).unwrap();
    std::fs::write(dir.path().join("key.pem"), &key_pem).unwrap();
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
    let answer = client.get(format!("https://localhost:{port}/healthz")).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.json::<serde_json::Value>().await.unwrap()["status"], "ok");
    let plain = reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await;
    assert!(plain.is_err() || !plain.unwrap().status().is_success(), "plain HTTP must not be served");

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_missing_key_file_is_a_clear_error_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        db_path: dir.path().join("e.db"),
        bind: "127.0.0.1:0".parse().unwrap(),
        web_dir: dir.path().into(),
    };
    let tls = TlsFiles { cert: dir.path().join("none.pem"), key: dir.path().join("none.key") };
    let error = Application::build_with_tls(config, Some(tls)).await.err().expect("an error");
    assert!(format!("{error:#}").contains("TLS"), "{error:#}");
}
