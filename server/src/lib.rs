//! The ETHOS server: HTTP API (`routes`, `handlers`), storage on SQLite (`storage`, the only
//! place with SQL) and the command line (`cli`). Domain rules live in `ethos-shared`.

pub mod cli;
pub mod error;
mod extract;
mod handlers;
mod routes;
pub mod secrets;
pub mod storage;

pub use handlers::report::report_of;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
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
    pub web_dir: Arc<PathBuf>,
}

/// A server that is bound and ready to run. `main` and the tests both start it this way.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    tls: Option<axum_server::tls_rustls::RustlsConfig>,
}

impl Application {
    /// Opens and migrates the database and binds the port (plain HTTP).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with_tls(config, None).await
    }

    /// As `build`, serving HTTPS with the given certificate and key when `tls` is set.
    pub async fn build_with_tls(config: Config, tls: Option<TlsFiles>) -> anyhow::Result<Self> {
        let tls = match &tls {
            Some(files) => {
                // One process-wide crypto provider (ring: pure Rust and C, no cmake needed).
                let _ = rustls::crypto::ring::default_provider().install_default();
                let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(&files.cert, &files.key)
                    .await
                    .map_err(|e| anyhow::anyhow!("reading the TLS certificate or key: {e}"))?;
                Some(tls)
            }
            None => None,
        };
        let storage = storage::Storage::open(&config.db_path).await?;
        let listener = TcpListener::bind(config.bind).await?;
        Ok(Application { listener, state: AppState { storage, web_dir: Arc::new(config.web_dir) }, tls })
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
        let app = routes::router(self.state).into_make_service_with_connect_info::<SocketAddr>();
        match self.tls {
            None => axum::serve(self.listener, app).with_graceful_shutdown(shutdown).await?,
            Some(tls) => {
                let handle = axum_server::Handle::new();
                let stopper = handle.clone();
                tokio::spawn(async move {
                    shutdown.await;
                    stopper.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
                });
                axum_server::from_tcp_rustls(self.listener.into_std()?, tls)?
                    .handle(handle)
                    .serve(app)
                    .await?;
            }
        }
        storage.close().await;
        Ok(())
    }
}
