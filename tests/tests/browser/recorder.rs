//! A loopback proxy between the browser and the server that keeps every byte the browser sends
//! (requests, headers and bodies), so a test can show that names never left the browser.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A loopback proxy that keeps every byte the browser sends (requests, headers and bodies).
pub struct Recorder {
    pub addr: SocketAddr,
    sent: Arc<Mutex<Vec<u8>>>,
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

    /// Every byte sent through the proxy so far.
    pub fn sent(&self) -> Vec<u8> {
        self.sent.lock().expect("the record").clone()
    }
}
