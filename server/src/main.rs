use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let filter = EnvFilter::try_from_env("ETHOS_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let subscriber = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if std::env::var("ETHOS_LOG_FORMAT").as_deref() == Ok("json") {
        subscriber.json().init();
    } else {
        subscriber.init();
    }
    // Thousands of phones' connections need more than the usual 1024 open files.
    let open_files = ethos_server::serve::raise_open_files_limit();
    tracing::debug!(?open_files, "open-files limit");
    match ethos_server::cli::run(ethos_server::cli::Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ethos: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
