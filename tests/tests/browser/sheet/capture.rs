//! What the server logs, kept to search for names afterwards (what the browser sends: `recorder`).

use std::io::Write;
use std::sync::{Arc, Mutex};

/// The server's log lines (its own crate, HTTP layer and SQL at debug), kept in memory.
#[derive(Clone)]
struct LogSink(Arc<Mutex<Vec<u8>>>);

impl Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("the log").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the log capture for this test binary; `None` when another subscriber was first.
pub fn capture_server_log() -> Option<Arc<Mutex<Vec<u8>>>> {
    let buf = Arc::new(Mutex::new(Vec::new()));
    let sink = LogSink(buf.clone());
    tracing_subscriber::fmt()
        .with_env_filter("warn,ethos_server=trace,tower_http=trace,sqlx=debug")
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .try_init()
        .ok()
        .map(|_| buf)
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
