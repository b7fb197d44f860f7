//! What the browser sends and what the server logs, kept to search for names afterwards.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A loopback proxy that keeps every byte the browser sends (requests, headers and bodies).
pub struct Recorder {
    pub addr: SocketAddr,
    pub sent: Arc<Mutex<Vec<u8>>>,
}

impl Recorder {
    pub async fn start(upstream: SocketAddr) -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("the proxy binds");
        let addr = listener.local_addr().expect("the proxy's address");
        let sent = Arc::new(Mutex::new(Vec::new()));
        let keep = sent.clone();
        tokio::spawn(async move {
            while let Ok((browser, _)) = listener.accept().await {
                let keep = keep.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(upstream).await else { return };
                    let (mut from_browser, mut to_browser) = browser.into_split();
                    let (mut from_server, mut to_server) = server.into_split();
                    let up = async move {
                        let mut buf = vec![0u8; 64 * 1024];
                        while let Ok(n) = from_browser.read(&mut buf).await {
                            if n == 0 {
                                break;
                            }
                            keep.lock().expect("the record").extend_from_slice(&buf[..n]);
                            if to_server.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                        }
                        let _ = to_server.shutdown().await;
                    };
                    let down = async move {
                        let _ = tokio::io::copy(&mut from_server, &mut to_browser).await;
                        let _ = to_browser.shutdown().await;
                    };
                    tokio::join!(up, down);
                });
            }
        });
        Recorder { addr, sent }
    }
}

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
