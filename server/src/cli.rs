//! The `ethos` command line (api.md "Command line").

use crate::secrets::hash_password;
use crate::storage::{Actor, Conflict, Storage, StoreError, User};
use crate::usecase;
use crate::{Application, Config};
use clap::{Parser, Subcommand, ValueEnum};
use ethos_shared::api::{NewCount, NewInvite, Role};
use ethos_shared::codes::AuditAction;
use ethos_shared::count::OrganisationType;
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(name = "ethos", version, about = "ETHOS count Maastricht-Heuvelland: server and tools")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the API and the web app (creates and migrates the database if needed).
    Serve {
        #[arg(long, env = "ETHOS_DB", default_value = "./ethos.db")]
        db: PathBuf,
        #[arg(long, env = "ETHOS_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        /// The built web client.
        #[arg(long, env = "ETHOS_WEB_DIR", default_value = "client/dist")]
        web_dir: PathBuf,
        /// Serve HTTPS: the certificate chain (PEM). Needs --tls-key too.
        #[arg(long, env = "ETHOS_TLS_CERT", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// Serve HTTPS: the private key (PEM).
        #[arg(long, env = "ETHOS_TLS_KEY", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        #[command(flatten)]
        tuning: TuningArgs,
    },
    /// Manage coordinator and analyst accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Load a phone's exported queue ("Exporteer wachtrij") as if the phone had synced it.
    Import {
        #[arg(long, env = "ETHOS_DB", default_value = "./ethos.db")]
        db: PathBuf,
        /// The exported file (`{"device_id":…,"records":[…]}`).
        file: PathBuf,
    },
    /// Write a consistent copy of the database to FILE, also while `serve` runs. Restore by
    /// stopping the server and putting the copy in place of the database file.
    Backup {
        #[arg(long, env = "ETHOS_DB", default_value = "./ethos.db")]
        db: PathBuf,
        /// A new file for the copy.
        file: PathBuf,
    },
    /// Print the baseline report of a count (JSON, or one table as CSV) for scripts.
    Report {
        #[arg(long, env = "ETHOS_DB", default_value = "./ethos.db")]
        db: PathBuf,
        /// The count's id.
        #[arg(long)]
        count: uuid::Uuid,
        #[arg(long, value_enum, default_value = "json")]
        format: ReportFormat,
        #[arg(long, default_value = "public")]
        disclosure: String,
        /// With `--format csv`: the table id (e.g. `by_municipality`).
        #[arg(long)]
        table: Option<String>,
        /// With `--format csv`: `;`-separated with a byte-order mark, for Dutch Excel.
        #[arg(long)]
        semicolon: bool,
    },
    /// Create a demo: a coordinator and an analyst, a count in training and a team code, and two
    /// locked example counts of earlier years with invented records.
    Demo {
        #[arg(long, env = "ETHOS_DB", default_value = "./ethos.db")]
        db: PathBuf,
        /// The address `serve` will listen on, for the printed links.
        #[arg(long, env = "ETHOS_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
    },
}

/// `ethos serve` settings beyond the basics (README "Configuration"; defaults as in api.md).
#[derive(clap::Args)]
pub struct TuningArgs {
    /// How long a login session lives, in minutes.
    #[arg(long, env = "ETHOS_SESSION_MINUTES", default_value_t = 720, value_parser = clap::value_parser!(u32).range(1..))]
    session_minutes: u32,
    /// The window of the rate limits, in minutes: 5 failed logins per username or address, 30
    /// wrong team codes per address.
    #[arg(long, env = "ETHOS_LOGIN_WINDOW_MINUTES", default_value_t = 15, value_parser = clap::value_parser!(u32).range(1..))]
    login_window_minutes: u32,
    /// How long a write waits for another process's lock on the database before the request
    /// gets 503 `storage_busy`, in milliseconds.
    #[arg(long, env = "ETHOS_BUSY_TIMEOUT_MS", default_value_t = 10_000)]
    busy_timeout_ms: u64,
    /// The largest the database may grow, in MiB; beyond it writes get 503 `storage_full`
    /// (default: only the disk limits it).
    #[arg(long, env = "ETHOS_MAX_DB_MIB", value_parser = clap::value_parser!(u64).range(1..))]
    max_db_mib: Option<u64>,
    /// Count failed logins and team codes per address in the last X-Forwarded-For entry. Only
    /// when nothing but your own reverse proxy can reach the server.
    #[arg(long, env = "ETHOS_TRUST_FORWARDED_FOR")]
    trust_forwarded_for: bool,
    /// Seconds a client has for a request's head (also for an idle kept-alive connection and a
    /// TLS handshake) before the connection is closed.
    #[arg(long, env = "ETHOS_HEADER_TIMEOUT_SECS", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..))]
    header_timeout_secs: u64,
    /// Seconds a client has to send a request's whole body (then 408 `request_timeout`).
    #[arg(long, env = "ETHOS_BODY_TIMEOUT_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    body_timeout_secs: u64,
    /// The most connections open at once (at most what the open-files limit allows); when all
    /// are taken, the longest-idle one is closed for a new client.
    #[arg(long, env = "ETHOS_MAX_CONNECTIONS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(16..))]
    max_connections: u64,
}

impl From<TuningArgs> for crate::Tuning {
    fn from(a: TuningArgs) -> Self {
        crate::Tuning {
            session_lifetime: chrono::Duration::minutes(a.session_minutes.into()),
            login_window: chrono::Duration::minutes(a.login_window_minutes.into()),
            busy_timeout: std::time::Duration::from_millis(a.busy_timeout_ms),
            max_db_bytes: a.max_db_mib.map(|m| m.saturating_mul(1024 * 1024)),
            trust_forwarded_for: a.trust_forwarded_for,
            header_timeout: std::time::Duration::from_secs(a.header_timeout_secs),
            body_timeout: std::time::Duration::from_secs(a.body_timeout_secs),
            max_connections: usize::try_from(a.max_connections).unwrap_or(usize::MAX),
        }
    }
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add an account; the password is one line on standard input.
    Add {
        #[arg(long, env = "ETHOS_DB", default_value = "./ethos.db")]
        db: PathBuf,
        #[arg(long)]
        username: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    Json,
    Csv,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Coordinator,
    Analyst,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Coordinator => Role::Coordinator,
            RoleArg::Analyst => Role::Analyst,
        }
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { db, bind, web_dir, tls_cert, tls_key, tuning } => {
            let tls = tls_cert.zip(tls_key).map(|(cert, key)| crate::TlsFiles { cert, key });
            serve(db, bind, web_dir, tls, tuning.into()).await
        }
        Command::User { command: UserCommand::Add { db, username, role, password_stdin: _ } } => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            let password = line.trim_end_matches(['\n', '\r']);
            add_user(&db, &username, role.into(), password).await?;
            println!("user {username} added");
            Ok(())
        }
        Command::Demo { db, bind } => demo(&db, bind).await,
        Command::Import { db, file } => import(&db, &file).await,
        Command::Backup { db, file } => {
            anyhow::ensure!(db.exists(), "no database at {}", db.display());
            let storage = Storage::open(&db).await?;
            storage.backup_to(&file).await?;
            storage
                .audit_alone(
                    &Actor::Cli,
                    AuditAction::Backup,
                    None,
                    serde_json::json!({ "file": file.display().to_string() }),
                )
                .await?;
            storage.close().await;
            println!("backup of {} written to {}", db.display(), file.display());
            Ok(())
        }
        Command::Report { db, count, format, disclosure, table, semicolon } => {
            report(&db, count, format, &disclosure, table.as_deref(), semicolon).await
        }
    }
}

async fn serve(
    db: PathBuf,
    bind: SocketAddr,
    web_dir: PathBuf,
    tls: Option<crate::TlsFiles>,
    tuning: crate::Tuning,
) -> anyhow::Result<()> {
    let scheme = if tls.is_some() { "https" } else { "http" };
    let config = Config { db_path: db.clone(), bind, web_dir: web_dir.clone() };
    let app = Application::build_tuned(config, tls, tuning).await?;
    let addr = app.local_addr();
    if !web_dir.join("index.html").exists() {
        tracing::warn!(web_dir = %web_dir.display(), "web client not built: run `cargo xtask build-client`");
    }
    tracing::info!(%addr, db = %db.display(), "serving");
    println!("ETHOS serves on {scheme}://{addr}/ (database {})", db.display());
    app.run_until(shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

/// Creates an account. Fails with a clear message if the name exists or the input is bad.
pub async fn add_user(db: &Path, username: &str, role: Role, password: &str) -> anyhow::Result<()> {
    let username = username.trim();
    anyhow::ensure!(
        !username.is_empty() && username.len() <= 100,
        "the username must be 1 to 100 characters"
    );
    anyhow::ensure!(password.chars().count() >= 8, "the password must be at least 8 characters");
    let storage = Storage::open(db).await?;
    let hash = hash_password(password)?;
    let result = storage.add_user(username, role, &hash).await;
    storage.close().await;
    match result {
        Ok(_) => Ok(()),
        Err(StoreError::Conflict(Conflict::Exists)) => {
            anyhow::bail!("a user named {username:?} already exists")
        }
        Err(e) => Err(e.into()),
    }
}

const DEMO_COUNT: &str = "Demo-telling Maastricht-Heuvelland";

/// Sets up (or refreshes) a demo and prints how to use it. Running it again gives the demo
/// accounts new passwords and reuses the count, its team code and the example counts.
async fn demo(db: &Path, bind: SocketAddr) -> anyhow::Result<()> {
    let storage = Storage::open(db).await?;
    let mut passwords = Vec::new();
    let mut coordinator = None;
    for (name, role) in [("coordinator", Role::Coordinator), ("analist", Role::Analyst)] {
        let password = crate::secrets::new_token()[..16].to_string();
        let hash = hash_password(&password)?;
        let id = storage.set_demo_user(name, role, &hash).await?;
        if role == Role::Coordinator {
            coordinator = Some(User { id, username: name.to_string(), role });
        }
        passwords.push((name, role, password));
    }
    let coordinator = coordinator.ok_or_else(|| anyhow::anyhow!("no coordinator"))?;
    let count = match storage.list_counts().await?.into_iter().find(|c| c.name == DEMO_COUNT) {
        Some(count) => count,
        None => {
            let now = chrono::Local::now().fixed_offset();
            let start = now - chrono::Duration::hours(2);
            let new = NewCount {
                name: DEMO_COUNT.into(),
                reference_date: now.date_naive(),
                starts_at: start,
                ends_at: start + chrono::Duration::hours(24),
            };
            usecase::counts::create(&storage, new, &coordinator).await?
        }
    };
    let invites = storage.list_invites(count.id).await?;
    let invite = match invites.into_iter().find(|i| i.revoked_at.is_none() && i.expires_at.is_none()) {
        Some(invite) => invite,
        None => {
            let new = NewInvite {
                organisation: "Demo straatteam".into(),
                organisation_type: OrganisationType::Outreach,
                expires_at: None,
            };
            usecase::counts::create_invite(&storage, count.id, new, &coordinator, chrono::Utc::now()).await?
        }
    };
    let today = chrono::Local::now().date_naive();
    let examples = crate::demo::example_counts(&storage, &coordinator, today).await?;
    storage.close().await;
    let base = format!("http://{bind}");
    println!(
        "Demo ready in {} — count \"{}\" ({}), status {}.",
        db.display(),
        count.name,
        count.id,
        count.status
    );
    println!();
    println!("  Open            {base}/");
    for (name, role, password) in &passwords {
        println!("  Log in as       {name} / {password}   ({})", role.code());
    }
    println!("  Team code       {}   (field app: {base}/enroll#code={})", invite.code, invite.code);
    println!(
        "  Desk            {base}/desk#code={}   (an organisation entering the people it knows)",
        invite.code
    );
    for e in &examples {
        println!(
            "  Example count   \"{}\" ({}), status {}, {} records ({} void): invented data",
            e.count.name, e.count.id, e.count.status, e.records, e.void
        );
    }
    println!();
    println!("These passwords change each time the demo is set up again.");
    Ok(())
}

/// Why `ethos report` printed nothing.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("--disclosure is internal or public, not {0:?}")]
    Disclosure(String),
    #[error("--format csv needs --table, one of: {}", .0.join(", "))]
    NoTable(Vec<String>),
    #[error("no table {table:?}; tables: {}", tables.join(", "))]
    UnknownTable { table: String, tables: Vec<String> },
    #[error(transparent)]
    UseCase(#[from] usecase::Error),
}

/// `ethos report`: the same report as the API, written to standard output; audited as an export.
async fn report(
    db: &Path,
    count: uuid::Uuid,
    format: ReportFormat,
    disclosure: &str,
    table: Option<&str>,
    semicolon: bool,
) -> anyhow::Result<()> {
    anyhow::ensure!(db.exists(), "no database at {}", db.display());
    let storage = Storage::open(db).await?;
    let out = report_output(&storage, count, format, disclosure, table, semicolon).await;
    storage.close().await;
    let out = out?;
    // CSV ends with its own line break; one more would be an empty row in a spreadsheet.
    if out.ends_with('\n') {
        print!("{out}");
    } else {
        println!("{out}");
    }
    Ok(())
}

/// What `ethos report` prints: the report with its estimate as JSON, or one table as CSV.
pub async fn report_output(
    storage: &Storage,
    count: uuid::Uuid,
    format: ReportFormat,
    disclosure: &str,
    table: Option<&str>,
    semicolon: bool,
) -> Result<String, ReportError> {
    use ethos_shared::report::{table_csv, Disclosure};
    let disclosure =
        Disclosure::from_code(disclosure).ok_or_else(|| ReportError::Disclosure(disclosure.to_string()))?;
    let out = match format {
        // The API's answer, with the estimate of the hidden population.
        ReportFormat::Json => {
            let report = usecase::report::report_with_estimate_of(storage, count, disclosure).await?;
            serde_json::to_string_pretty(&report)
                .map_err(|e| usecase::Error::from(StoreError::Other(e.into())))?
        }
        ReportFormat::Csv => {
            let report = usecase::report::report_of(storage, count, disclosure).await?;
            let ids = || report.tables.iter().map(|t| t.id.clone()).collect::<Vec<_>>();
            let id = table.ok_or_else(|| ReportError::NoTable(ids()))?;
            let t = report
                .table(id)
                .ok_or_else(|| ReportError::UnknownTable { table: id.to_string(), tables: ids() })?;
            table_csv(t, semicolon)
        }
    };
    storage
        .audit_alone(
            &Actor::Cli,
            AuditAction::ReportExport,
            Some(count),
            serde_json::json!({ "disclosure": disclosure.code(), "table": table }),
        )
        .await
        .map_err(usecase::Error::from)?;
    Ok(out)
}

/// `ethos import FILE` (see `usecase::import`); prints what happened to each record.
async fn import(db: &Path, file: &Path) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).map_err(|e| anyhow::anyhow!("reading {}: {e}", file.display()))?;
    // Each record stays raw JSON here, parsed on its own later, so one bad record is rejected
    // alone as in a sync.
    let export: ethos_shared::api::QueueExport<serde_json::Value> =
        serde_json::from_str(&text).map_err(|e| {
            anyhow::anyhow!("not an export of the field app's queue (device_id and records): {e}")
        })?;
    let device_id = export.device_id;
    anyhow::ensure!(db.exists(), "no database at {}", db.display());
    let storage = Storage::open(db).await?;
    let imported = usecase::import::import(&storage, export, &file.display().to_string()).await;
    storage.close().await;
    let imported = match imported {
        Err(usecase::Error::NotFound("device")) => {
            anyhow::bail!("device {device_id} is not enrolled in this database")
        }
        other => other?,
    };
    for r in &imported.problems {
        let id = r.id.map(|i| i.to_string()).unwrap_or_else(|| "(no id)".into());
        println!("{id}: {:?} {}", r.status, serde_json::to_string(&r.errors)?);
    }
    println!(
        "imported {} records from device {device_id} ({}): {:?}",
        imported.records, imported.organisation, imported.tally
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tuning_of(args: &[&str]) -> crate::Tuning {
        let cli = Cli::try_parse_from([&["ethos", "serve"], args].concat()).expect("valid arguments");
        match cli.command {
            Command::Serve { tuning, .. } => tuning.into(),
            _ => unreachable!("serve"),
        }
    }

    #[test]
    fn serve_defaults_are_the_contracts_and_every_setting_reaches_the_server() {
        let d = tuning_of(&[]);
        assert_eq!(d.session_lifetime, chrono::Duration::hours(12));
        assert_eq!(d.login_window, chrono::Duration::minutes(15));
        assert_eq!(d.busy_timeout, std::time::Duration::from_secs(10));
        assert_eq!((d.max_db_bytes, d.trust_forwarded_for), (None, false));
        let t = tuning_of(&[
            "--session-minutes=30",
            "--login-window-minutes=2",
            "--busy-timeout-ms=250",
            "--max-db-mib=64",
            "--trust-forwarded-for",
        ]);
        assert_eq!(t.session_lifetime, chrono::Duration::minutes(30));
        assert_eq!(t.login_window, chrono::Duration::minutes(2));
        assert_eq!(t.busy_timeout, std::time::Duration::from_millis(250));
        assert_eq!((t.max_db_bytes, t.trust_forwarded_for), (Some(64 << 20), true));
        assert!(Cli::try_parse_from(["ethos", "serve", "--session-minutes=0"]).is_err());
    }
}
