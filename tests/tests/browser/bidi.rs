//! Just enough WebDriver BiDi for a phone-sized Firefox: `browsingContext.setViewport` on the
//! session's window. Headless Firefox windows are at least 500 px wide, and classic WebDriver
//! has no viewport command. Spoken over a plain WebSocket (RFC 6455, text frames), so that no
//! WebSocket crate is needed for two commands.

use serde_json::{json, Value};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sets the viewport of the session's top-level window to `width`×`height` CSS pixels;
/// `ws_url` is the session's `webSocketUrl` capability (`ws://127.0.0.1:PORT/session/ID`).
pub async fn set_viewport(ws_url: &str, width: u32, height: u32) {
    let mut socket = Socket::connect(ws_url).await;
    let tree = socket.command(1, "browsingContext.getTree", json!({ "maxDepth": 0 })).await;
    let context =
        tree["contexts"][0]["context"].as_str().unwrap_or_else(|| panic!("a browsing context in {tree}"));
    let viewport = json!({ "context": context, "viewport": { "width": width, "height": height } });
    socket.command(2, "browsingContext.setViewport", viewport).await;
}

struct Socket(TcpStream);

impl Socket {
    async fn connect(url: &str) -> Socket {
        let rest = url.strip_prefix("ws://").unwrap_or_else(|| panic!("a ws:// address, not {url}"));
        let (host, path) =
            rest.split_once('/').map_or((rest, String::from("/")), |(h, p)| (h, format!("/{p}")));
        let mut stream = TcpStream::connect(host).await.unwrap_or_else(|e| panic!("BiDi at {url}: {e}"));
        // The key is fixed: the answer's accept value is not checked, only the 101.
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.expect("the WebSocket handshake is sent");
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let byte = stream.read_u8().await.expect("the WebSocket handshake's answer");
            head.push(byte);
        }
        let head = String::from_utf8_lossy(&head);
        assert!(head.starts_with("HTTP/1.1 101"), "no WebSocket at {url}: {head}");
        Socket(stream)
    }

    /// Sends one command and returns its `result`, skipping any event in between.
    async fn command(&mut self, id: u64, method: &str, params: Value) -> Value {
        let message = json!({ "id": id, "method": method, "params": params }).to_string();
        self.send(&message).await;
        tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                let answer: Value = serde_json::from_str(&self.receive().await).expect("BiDi sends JSON");
                if answer["id"] == id {
                    assert_ne!(answer["type"], "error", "{method} failed: {answer}");
                    return answer["result"].clone();
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("no answer to {method} within 10 s"))
    }

    /// One text frame, masked as a client must.
    async fn send(&mut self, text: &str) {
        let payload = text.as_bytes();
        let mask = [0x5a, 0x17, 0xc3, 0x08];
        let mut frame = vec![0x81];
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n if n <= usize::from(u16::MAX) => {
                frame.push(0x80 | 126);
                frame.extend((n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend((n as u64).to_be_bytes());
            }
        }
        frame.extend(mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.0.write_all(&frame).await.expect("a BiDi command is sent");
    }

    /// The next whole text message (fragments joined; pings and pongs skipped).
    async fn receive(&mut self) -> String {
        let mut message = Vec::new();
        loop {
            let head = [self.byte().await, self.byte().await];
            let (fin, opcode, masked) = (head[0] & 0x80 != 0, head[0] & 0x0f, head[1] & 0x80 != 0);
            let len = match head[1] & 0x7f {
                126 => u64::from(self.0.read_u16().await.expect("a frame length")),
                127 => self.0.read_u64().await.expect("a frame length"),
                n => u64::from(n),
            };
            let mut mask = [0; 4];
            if masked {
                self.0.read_exact(&mut mask).await.expect("a frame mask");
            }
            let mut payload = vec![0; usize::try_from(len).expect("a frame that fits in memory")];
            self.0.read_exact(&mut payload).await.expect("a frame's payload");
            if masked {
                payload.iter_mut().enumerate().for_each(|(i, b)| *b ^= mask[i % 4]);
            }
            match opcode {
                0x8 => panic!("the BiDi connection was closed"),
                0x9 | 0xa => continue,
                _ => message.extend(payload),
            }
            if fin {
                return String::from_utf8(message).expect("a text message");
            }
        }
    }

    async fn byte(&mut self) -> u8 {
        self.0.read_u8().await.expect("a WebSocket frame")
    }
}
