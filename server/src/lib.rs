//! The ETHOS server: HTTP API (`routes`, `handlers`), the use cases both the API and the
//! command line (`cli`) call (`usecase`), and storage on SQLite (`storage`, the only place
//! with SQL). Domain rules live in `ethos-shared`.

pub mod cli;
pub mod demo;
pub mod error;
mod extract;
mod handlers;
pub mod openapi;
mod routes;
pub mod secrets;
pub mod serve;
pub mod storage;
pub mod usecase;

pub use usecase::report::{report_of, report_with_estimate_of};

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// The SQLite file; created and migrated if needed.
    pub db_path: PathBuf,
    /// Where to listen; port 0 picks a free port (tests).
    pub bind: SocketAddr,
    /// The built web client (`client/dist`), served at `/`.
    pub web_dir: PathBuf,
}

/// What an operator may tune besides `Config` (README "Configuration"). The defaults are the
/// contract's (api.md); the tests shorten the times so that expiry can be seen without waiting.
#[derive(Debug, Clone)]
pub struct Tuning {
    /// How long a login session lives (api.md: 12 hours).
    pub session_lifetime: chrono::Duration,
    /// The window of the login rate limit (api.md: 5 failures within 15 minutes).
    pub login_window: chrono::Duration,
    /// How long a write waits for another process's write lock (`ethos backup`, `ethos import`)
    /// before the request is answered 503 `storage_busy`.
    pub busy_timeout: std::time::Duration,
    /// The largest the database may grow to; a write beyond it is answered 503 `storage_full`,
    /// as when the disk is full. `None`: only the disk limits it.
    pub max_db_bytes: Option<u64>,
    /// Count failed logins per address in the last `X-Forwarded-For` entry (set by our own
    /// reverse proxy) instead of per connecting address. Only safe when nothing but that proxy
    /// can reach the server: otherwise a client chooses its own address.
    pub trust_forwarded_for: bool,
    /// How long a client has for a request's head, counted from when the server is ready for
    /// it (a new connection, or the end of the previous answer): idle and slowloris
    /// connections are closed after it. Also the time for a TLS handshake.
    pub header_timeout: Duration,
    /// How long a client has to send a request's whole body (408 `request_timeout` after it).
    pub body_timeout: Duration,
    /// The most connections open at once (lowered to what the open-files limit allows). When
    /// all are taken, the longest-idle connection is closed for a new one.
    pub max_connections: usize,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            session_lifetime: chrono::Duration::hours(12),
            login_window: chrono::Duration::minutes(15),
            busy_timeout: std::time::Duration::from_secs(10),
            max_db_bytes: None,
            trust_forwarded_for: false,
            header_timeout: Duration::from_secs(15),
            body_timeout: Duration::from_secs(60),
            // 3,000 phones syncing every few seconds keep about one connection each; room for
            // twice that, the console and browsers' spare connections.
            max_connections: 10_000,
        }
    }
}

/// PEM files for HTTPS.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Shared by all handlers.
#[derive(Clone)]
pub struct AppState {
    pub storage: storage::Storage,
    /// Expensive dashboards, kept a while (`usecase::dashboard_cache`).
    pub dashboards: usecase::dashboard_cache::DashboardCache,
    pub web_dir: Arc<PathBuf>,
    pub tuning: Arc<Tuning>,
}

/// A server that is bound and ready to run. `main` and the tests both start it this way.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    tls: Option<tokio_rustls::TlsAcceptor>,
}

impl Application {
    /// Opens and migrates the database and binds the port (plain HTTP).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with_tls(config, None).await
    }

    /// As `build`, serving HTTPS with the given certificate and key when `tls` is set.
    pub async fn build_with_tls(config: Config, tls: Option<TlsFiles>) -> anyhow::Result<Self> {
        Self::build_tuned(config, tls, Tuning::default()).await
    }

    /// As `build_with_tls`, with the given `Tuning` instead of the defaults.
    pub async fn build_tuned(config: Config, tls: Option<TlsFiles>, tuning: Tuning) -> anyhow::Result<Self> {
        let tls = match &tls {
            Some(files) => {
                // One process-wide crypto provider (ring: pure Rust and C, no cmake needed).
                let _ = rustls::crypto::ring::default_provider().install_default();
                let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(&files.cert, &files.key)
                    .await
                    .map_err(|e| anyhow::anyhow!("reading the TLS certificate or key: {e}"))?;
                // HTTP/1.1 only: the accept loop speaks HTTP/1.1 (its timeouts are hyper's HTTP/1).
                let mut config = (*tls.get_inner()).clone();
                config.alpn_protocols = vec![b"http/1.1".to_vec()];
                Some(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
            }
            None => None,
        };
        let storage =
            storage::Storage::open_tuned(&config.db_path, tuning.busy_timeout, tuning.max_db_bytes).await?;
        let listener = TcpListener::bind(config.bind).await?;
        let state = AppState {
            storage,
            dashboards: Default::default(),
            web_dir: Arc::new(config.web_dir),
            tuning: Arc::new(tuning),
        };
        Ok(Application { listener, state, tls })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight and closes the
    /// database cleanly.
    pub async fn run_until<F>(self, shutdown: F) -> anyhow::Result<()>
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let storage = self.state.storage.clone();
        // Aborted when this function returns by any path (or its future is dropped).
        let mut housekeeping =
            AbortOnDrop(tokio::spawn(housekeeping(storage.clone(), self.state.tuning.login_window)));
        let tuning = self.state.tuning.clone();
        let app = with_answer_headers(routes::router(self.state), &tuning, self.tls.is_some());
        let limits = serve::Limits {
            header_timeout: tuning.header_timeout,
            body_timeout: tuning.body_timeout,
            max_connections: tuning.max_connections,
        };
        serve::serve(self.listener, app, self.tls, limits, shutdown).await?;
        // Let a round in progress end before the database closes (no spurious warning).
        housekeeping.0.abort();
        let _ = (&mut housekeeping.0).await;
        storage.close().await;
        Ok(())
    }
}

/// What every answer gets besides the routes' own headers: API answers are never stored by
/// browsers or proxies (they hold records and tokens), HTTPS answers tell browsers to use
/// HTTPS only (HSTS), and a request body must arrive within `body_timeout`.
fn with_answer_headers(app: axum::Router, tuning: &Tuning, tls: bool) -> axum::Router {
    use axum::http::{header, HeaderValue};
    let (limit, max_bytes) = (tuning.body_timeout, ethos_shared::api::MAX_BODY_BYTES);
    let app = app.layer(axum::middleware::from_fn(no_store_for_api)).layer(axum::middleware::from_fn(
        move |request, next| serve::body_deadline(limit, max_bytes, request, next),
    ));
    if tls {
        app.layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ))
    } else {
        app
    }
}

/// `Cache-Control: no-store` on every answer under `/api/` (and `/healthz`) that does not set
/// its own.
async fn no_store_for_api(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = request.uri().path();
    let api = path.starts_with("/api/") || path == "/healthz";
    let mut response = next.run(request).await;
    if api {
        response
            .headers_mut()
            .entry(axum::http::header::CACHE_CONTROL)
            .or_insert(axum::http::HeaderValue::from_static("no-store"));
    }
    response
}

/// A background task that ends with its owner.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Forgets what is kept only for a while: the rate limits' failed logins and wrong team codes
/// (with client addresses, personal data; the audit log keeps its own `login.failed` entry) once the rate limits' window has passed them, and expired
/// sessions. Runs once per window, at least every minute, while the server runs; a failure
/// (the database busy, say) is logged and tried again the next time.
async fn housekeeping(storage: storage::Storage, window: chrono::Duration) {
    let every = window.to_std().unwrap_or_default().clamp(Duration::from_secs(1), Duration::from_secs(60));
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let now = chrono::Utc::now();
        match storage.forget_failures_before(now - window, now).await {
            Ok(0) => {}
            Ok(removed) => tracing::debug!(removed, "housekeeping: expired failures and sessions forgotten"),
            Err(e) => tracing::warn!(error = %e, "housekeeping failed; trying again later"),
        }
    }
}
