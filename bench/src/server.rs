//! A real `ethos` server for the benchmarks: on loopback, on a tokio runtime and threads of its
//! own (so the benchmark's client, on the main thread, can tell its own CPU time apart), with a
//! live count, a team code and as many enrolled devices as asked.

use anyhow::Context;
use ethos_server::{Application, Config};
use ethos_shared::api::{EnrollResponse, Invite, LoginResponse, Role};
use std::path::Path;
use std::sync::mpsc;

pub struct BenchServer {
    pub base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<anyhow::Result<()>>>,
}

impl BenchServer {
    /// Starts a server on a fresh database `db` with `workers` runtime threads.
    pub fn start(db: &Path, workers: usize) -> anyhow::Result<Self> {
        let db = db.to_path_buf();
        let (addr_tx, addr_rx) = mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || -> anyhow::Result<()> {
            let runtime =
                tokio::runtime::Builder::new_multi_thread().worker_threads(workers).enable_all().build()?;
            runtime.block_on(async move {
                let dir = db.parent().map(Path::to_path_buf).unwrap_or_default();
                ethos_server::cli::add_user(&db, "bench", Role::Coordinator, "bench-password").await?;
                let config = Config { db_path: db, bind: "127.0.0.1:0".parse()?, web_dir: dir.join("none") };
                let app = Application::build(config).await?;
                let _ = addr_tx.send(app.local_addr());
                app.run_until(async {
                    let _ = stopped.await;
                })
                .await
            })
        });
        let addr = addr_rx.recv().context("the benchmark server did not start")?;
        Ok(BenchServer { base: format!("http://{addr}/api/v1"), stop: Some(stop), thread: Some(thread) })
    }

    pub fn stop(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            thread.join().map_err(|_| anyhow::anyhow!("the benchmark server panicked"))??;
        }
        Ok(())
    }
}

/// A live count whose window started at `starts_at` and lasts 24 hours, and `devices` phones
/// enrolled with one team code; returns their device tokens.
pub async fn live_count(
    http: &reqwest::Client,
    base: &str,
    starts_at: chrono::DateTime<chrono::FixedOffset>,
    devices: usize,
) -> anyhow::Result<Vec<String>> {
    let login: LoginResponse = http
        .post(format!("{base}/login"))
        .json(&serde_json::json!({"username":"bench","password":"bench-password"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let count: serde_json::Value = http
        .post(format!("{base}/counts"))
        .bearer_auth(&login.token)
        .json(&serde_json::json!({"name": "Bench", "reference_date": starts_at.date_naive(),
            "starts_at": starts_at, "ends_at": starts_at + chrono::Duration::hours(24)}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let count_id = count["id"].as_str().context("count id")?.to_string();
    http.post(format!("{base}/counts/{count_id}/status"))
        .bearer_auth(&login.token)
        .json(&serde_json::json!({"status":"live"}))
        .send()
        .await?
        .error_for_status()?;
    let invite: Invite = http
        .post(format!("{base}/counts/{count_id}/invites"))
        .bearer_auth(&login.token)
        .json(&serde_json::json!({"organisation":"Bench"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let mut tokens = Vec::with_capacity(devices);
    // Enrol a few dozen at a time: each is a write of its own.
    for chunk in (0..devices).collect::<Vec<_>>().chunks(50) {
        let enrolments = chunk.iter().map(|_| async {
            let device: EnrollResponse = http
                .post(format!("{base}/enroll"))
                .json(&serde_json::json!({"code": invite.code}))
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            anyhow::Ok(device.device_token)
        });
        for token in futures_util::future::join_all(enrolments).await {
            tokens.push(token?);
        }
    }
    Ok(tokens)
}

/// The `p`-th percentile (0–100) of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p / 100.0 * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// CPU seconds (user + system) the calling thread has used so far (Linux: `/proc/thread-self`).
pub fn thread_cpu_secs() -> Option<f64> {
    proc_cpu_secs("/proc/thread-self/stat")
}

/// CPU seconds (user + system) this whole process has used so far.
pub fn process_cpu_secs() -> Option<f64> {
    proc_cpu_secs("/proc/self/stat")
}

fn proc_cpu_secs(path: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(path).ok()?;
    // Fields after the command name (which may hold spaces) in parentheses; utime and stime are
    // the 14th and 15th fields of the line, in clock ticks of 1/100 s on Linux.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split(' ').collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
