//! `cargo xtask demo`: build everything, fill a database with the demo (`ethos demo`), serve it.
//! With `--check` the demo is set up in a temporary folder on a free port, its health and app
//! page are asked for, and the task ends: the README's first command, walked by CI.

use crate::{cargo, client::build_client, root, run, target_dir};
use anyhow::{bail, Context, Result};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn demo(serve_args: &[String]) -> Result<()> {
    // `ethos demo` gives the demo accounts new passwords: if a demo already serves on this
    // address, going on would change its passwords under it and then fail to bind. Say so
    // before minutes of building.
    let bind = demo_bind(serve_args);
    if let Err(e) = TcpListener::bind(&bind) {
        bail!(
            "cannot listen on {bind} ({e}). Is the demo already running? Stop it (Ctrl-C), or give \
             another address: cargo xtask demo --bind 127.0.0.1:8081"
        );
    }
    let ethos = build_all()?;
    // `ethos demo` prints the links, so it needs the address `serve` will listen on.
    run(Command::new(&ethos).args(["demo", "--db", "ethos.db", "--bind", &bind]).current_dir(root()))?;
    let mut serve = Command::new(&ethos);
    serve.args(["serve", "--db", "ethos.db"]).args(serve_args).current_dir(root());
    exec(serve)
}

/// The client (release) and the server (release); returns the `ethos` binary.
fn build_all() -> Result<PathBuf> {
    build_client(true, false)?;
    eprintln!("xtask: building the server (release)");
    run(cargo().args(["build", "--release", "-p", "ethos-server"]))?;
    Ok(target_dir().join("release").join("ethos"))
}

/// Builds as `demo` does, sets the demo up in a temporary folder on a free port, serves it,
/// and checks that `/healthz` says ok and the app page answers; then stops the server.
pub fn check() -> Result<()> {
    let ethos = build_all()?;
    let dir = TempDir::new()?;
    let db = dir.0.join("ethos.db");
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let bind = format!("127.0.0.1:{port}");
    let db_arg = db.to_string_lossy().into_owned();
    run(Command::new(&ethos).args(["demo", "--db", &db_arg, "--bind", &bind]).current_dir(root()))?;
    let server = Server(
        Command::new(&ethos)
            .args(["serve", "--db", &db_arg, "--bind", &bind])
            .current_dir(root())
            .stdout(Stdio::null())
            .spawn()
            .context("could not start ethos serve")?,
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let health = loop {
        match http_get(port, "/healthz") {
            Ok(answer) => break answer,
            Err(e) if Instant::now() > deadline => bail!("the demo server did not answer within 30 s: {e:#}"),
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    };
    if health.0 != 200 || !health.1.contains("\"ok\"") {
        bail!("GET /healthz answered {} {}", health.0, health.1);
    }
    for page in ["/", "/enroll", "/console", "/desk"] {
        let (status, body) = http_get(port, page)?;
        if status != 200 || !body.contains("<html") {
            bail!(
                "GET {page} answered {status}, not the app page: {}",
                body.chars().take(200).collect::<String>()
            );
        }
    }
    drop(server);
    println!(
        "demo check passed: the demo was set up and served on {bind}; /healthz ok, the app pages answer"
    );
    Ok(())
}

/// A plain HTTP/1.1 GET to 127.0.0.1: status and body.
fn http_get(port: u16, path: &str) -> Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n")?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let text = String::from_utf8_lossy(&answer);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("no HTTP status in {:?}", text.chars().take(80).collect::<String>()))?;
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_string();
    Ok((status, body))
}

/// The server of the check, stopped however the check ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A folder of our own under the system's temporary folder, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir> {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let path = std::env::temp_dir().join(format!("ethos-demo-check-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The address `ethos serve` will listen on: `--bind ADDR` or `--bind=ADDR` among the serve
/// arguments, else `ETHOS_BIND`, else its default.
fn demo_bind(serve_args: &[String]) -> String {
    let mut args = serve_args.iter();
    while let Some(arg) = args.next() {
        if arg == "--bind" {
            if let Some(addr) = args.next() {
                return addr.clone();
            }
        } else if let Some(addr) = arg.strip_prefix("--bind=") {
            return addr.to_string();
        }
    }
    std::env::var("ETHOS_BIND").unwrap_or_else(|_| "127.0.0.1:8080".to_string())
}

#[cfg(unix)]
fn exec(mut cmd: Command) -> Result<()> {
    use std::os::unix::process::CommandExt;
    Err(cmd.exec()).context("could not start ethos serve")
}

#[cfg(not(unix))]
fn exec(mut cmd: Command) -> Result<()> {
    run(&mut cmd)
}

#[cfg(test)]
mod tests {
    use super::demo_bind;

    #[test]
    fn the_demo_listens_where_serve_will() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(demo_bind(&args(&["--bind", "0.0.0.0:9000"])), "0.0.0.0:9000");
        assert_eq!(demo_bind(&args(&["--tls-cert", "c.pem", "--bind=127.0.0.1:8443"])), "127.0.0.1:8443");
    }
}
