//! A tiny TCP proxy on loopback between the browser and the server that can lose the answer
//! to one sync request: the server receives the request and commits, the phone gets the
//! status line and headers and then the connection closes, so the body never arrives (as when
//! the mobile connection drops halfway). Sending the headers matters: Chromium silently
//! resends a request whose reused keep-alive connection closed before any answer, and then the
//! app would never see the loss.
//!
//! It reads just enough HTTP/1.1 to know which answer belongs to a sync request: browsers do
//! not pipeline, so on one connection the answer after a request line is that request's.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

pub struct LossyProxy {
    /// Where the browser connects: the app's origin.
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

struct Shared {
    upstream: SocketAddr,
    lose_next: AtomicBool,
    lost: AtomicUsize,
    sync_requests: AtomicUsize,
    /// The bytes of every sync answer that did reach the phone.
    delivered: Mutex<Vec<u8>>,
}

/// One phone-to-server connection.
#[derive(Default)]
struct Conn {
    /// The request in progress is a sync request.
    sync: AtomicBool,
    /// Its answer is to be lost.
    lose: AtomicBool,
}

const SYNC_REQUEST: &[u8] = b"POST /api/v1/sync ";

impl LossyProxy {
    /// Listens on a free loopback port and forwards every connection to `upstream`. While
    /// the upstream server is down, the phone's connections just close: it is offline.
    pub async fn start(upstream: SocketAddr) -> LossyProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("the proxy binds");
        let addr = listener.local_addr().expect("the proxy's address");
        let shared = Arc::new(Shared {
            upstream,
            lose_next: AtomicBool::new(false),
            lost: AtomicUsize::new(0),
            sync_requests: AtomicUsize::new(0),
            delivered: Mutex::new(Vec::new()),
        });
        let accepting = shared.clone();
        let accept = tokio::spawn(async move {
            while let Ok((phone, _)) = listener.accept().await {
                tokio::spawn(forward(phone, accepting.clone()));
            }
        });
        LossyProxy { addr, shared, accept }
    }

    /// The answer to the next sync request will not reach the phone.
    pub fn lose_next_sync_answer(&self) {
        self.shared.lose_next.store(true, Ordering::SeqCst);
    }

    /// How many sync answers were lost so far.
    pub fn answers_lost(&self) -> usize {
        self.shared.lost.load(Ordering::SeqCst)
    }

    /// How many sync requests passed through.
    pub fn sync_requests(&self) -> usize {
        self.shared.sync_requests.load(Ordering::SeqCst)
    }

    /// The sync answers that reached the phone (status lines, headers and JSON bodies).
    pub fn delivered_sync_answers(&self) -> String {
        let bytes = self.shared.delivered.lock().expect("the proxy's log").clone();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Drop for LossyProxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

async fn forward(phone: TcpStream, shared: Arc<Shared>) {
    let Ok(server) = TcpStream::connect(shared.upstream).await else {
        return; // the server is down: dropping the phone's connection closes it
    };
    let conn = Arc::new(Conn::default());
    let (mut phone_rx, mut phone_tx) = phone.into_split();
    let (mut server_rx, mut server_tx) = server.into_split();

    let up = {
        let (conn, shared) = (conn.clone(), shared.clone());
        async move {
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = match phone_rx.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                let chunk = &buf[..n];
                if let Some(line) = request_line(chunk) {
                    let sync = line.starts_with(SYNC_REQUEST);
                    conn.sync.store(sync, Ordering::SeqCst);
                    if sync {
                        shared.sync_requests.fetch_add(1, Ordering::SeqCst);
                        if shared.lose_next.swap(false, Ordering::SeqCst) {
                            conn.lose.store(true, Ordering::SeqCst);
                        }
                    }
                }
                if server_tx.write_all(chunk).await.is_err() {
                    break;
                }
            }
            let _ = server_tx.shutdown().await;
        }
    };

    let down = async move {
        let mut buf = vec![0u8; 64 * 1024];
        let mut head = Vec::new();
        loop {
            let n = match server_rx.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let chunk = &buf[..n];
            if conn.lose.load(Ordering::SeqCst) {
                // The server has committed (it answers only after its transaction): pass on the
                // status line and headers, then hang up before the body.
                head.extend_from_slice(chunk);
                if let Some(end) = find(&head, b"\r\n\r\n") {
                    let _ = phone_tx.write_all(&head[..end + 4]).await;
                    let _ = phone_tx.flush().await;
                    shared.lost.fetch_add(1, Ordering::SeqCst);
                    break;
                }
                continue;
            }
            if conn.sync.load(Ordering::SeqCst) {
                shared.delivered.lock().expect("the proxy's log").extend_from_slice(chunk);
            }
            if phone_tx.write_all(chunk).await.is_err() {
                break;
            }
        }
        let _ = phone_tx.shutdown().await;
    };

    tokio::join!(up, down);
}

/// The request line when `chunk` starts a request (`GET /x HTTP/1.1`).
fn request_line(chunk: &[u8]) -> Option<&[u8]> {
    let end = find(chunk, b"\r\n")?;
    let line = &chunk[..end];
    line.ends_with(b" HTTP/1.1").then_some(line)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
