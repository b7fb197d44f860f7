//! The accept loop, for HTTP and HTTPS alike: how long a client may take, how many connections
//! are open at once, and what happens when the process runs out of file descriptors.
//!
//! - A request's head must arrive within `header_timeout`, counted from when the server is
//!   ready for it: right after the connection opens, and after each answer on a kept-alive
//!   connection. So idle connections and slowloris heads are closed after that time (hyper's
//!   header read timeout); a TLS handshake has the same time.
//! - A request's body must arrive whole within `body_timeout` (`body_deadline`): 408.
//! - At most `max_connections` are open. When a new client comes and all are taken, the
//!   connection that has waited longest without a request in progress (idle, or still sending
//!   its head) is closed to make room, as nginx reuses idle keep-alive connections: a flood of
//!   idle connections cannot lock phones out.
//! - An error from `accept` (`EMFILE`: out of file descriptors) is logged once a second at
//!   most and followed by a pause that doubles up to one second, instead of a hot loop.

use crate::error::ApiError;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tower::ServiceExt;

/// How long slow clients may take, and how many connections may be open.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub max_connections: usize,
}

/// A connection that has answered a request and been idle only this briefly is not closed to
/// make room: its answer may still be on its way out. (One that never sent a request has
/// nothing on its way and may go at once; the oldest goes first, so a new client's request is
/// read long before its connection is the oldest.)
const MIN_IDLE_TO_EVICT: Duration = Duration::from_millis(200);
/// How long connections in progress may finish after shutdown begins.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// One open connection, as the accept loop sees it.
struct Slot {
    /// Requests handed to the app whose answer has not been written out yet.
    in_flight: AtomicUsize,
    /// Since when nothing is in flight (or since the connection opened).
    idle_since: Mutex<Instant>,
    /// Asked to close to make room.
    evict: Notify,
    evicting: AtomicBool,
    /// Has had a request.
    served: AtomicBool,
}

impl Slot {
    fn idle_for(&self) -> Option<Duration> {
        if self.in_flight.load(Ordering::SeqCst) > 0 || self.evicting.load(Ordering::SeqCst) {
            return None;
        }
        self.idle_since.lock().ok().map(|since| since.elapsed())
    }
}

/// The open connections.
#[derive(Default)]
struct Registry {
    slots: Mutex<HashMap<u64, Arc<Slot>>>,
    next_id: AtomicU64,
    /// Signalled whenever a connection closes.
    freed: Notify,
}

impl Registry {
    fn len(&self) -> usize {
        self.slots.lock().map(|s| s.len()).unwrap_or(0)
    }

    fn open(self: &Arc<Self>) -> (SlotGuard, Arc<Slot>) {
        let slot = Arc::new(Slot {
            in_flight: AtomicUsize::new(0),
            idle_since: Mutex::new(Instant::now()),
            evict: Notify::new(),
            evicting: AtomicBool::new(false),
            served: AtomicBool::new(false),
        });
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut slots) = self.slots.lock() {
            slots.insert(id, slot.clone());
        }
        (SlotGuard { registry: self.clone(), id }, slot)
    }

    /// Asks the connection idle for longest (see `MIN_IDLE_TO_EVICT`) to close. False when
    /// every connection is busy.
    fn evict_one(&self) -> bool {
        let Ok(slots) = self.slots.lock() else { return false };
        let oldest = slots
            .values()
            .filter_map(|slot| slot.idle_for().map(|idle| (idle, slot)))
            .filter(|(idle, slot)| *idle >= MIN_IDLE_TO_EVICT || !slot.served.load(Ordering::SeqCst))
            .max_by_key(|(idle, _)| *idle);
        match oldest {
            Some((_, slot)) => {
                slot.evicting.store(true, Ordering::SeqCst);
                slot.evict.notify_one();
                true
            }
            None => false,
        }
    }
}

/// Removes the connection from the registry when its task ends, however it ends.
struct SlotGuard {
    registry: Arc<Registry>,
    id: u64,
}

impl Drop for SlotGuard {
    fn drop(&mut self) {
        if let Ok(mut slots) = self.registry.slots.lock() {
            slots.remove(&self.id);
        }
        self.registry.freed.notify_waiters();
    }
}

/// Counts a request as in flight until its answer's body has been written out (dropped).
struct InFlight(Arc<Slot>);

impl InFlight {
    fn new(slot: Arc<Slot>) -> Self {
        slot.in_flight.fetch_add(1, Ordering::SeqCst);
        slot.served.store(true, Ordering::SeqCst);
        InFlight(slot)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Ok(mut since) = self.0.idle_since.lock() {
            *since = Instant::now();
        }
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// An answer's body that keeps its request counted as in flight while it is written.
struct TrackedBody {
    inner: Body,
    _in_flight: InFlight,
}

impl http_body::Body for TrackedBody {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// Raises the soft limit of open files to the hard limit (systemd gives services 1024 soft,
/// far more hard), so that thousands of phones' connections fit. Returns the soft limit now
/// in force.
pub fn raise_open_files_limit() -> Option<u64> {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current != limit.maximum {
        let raised = Rlimit { current: limit.maximum, maximum: limit.maximum };
        match setrlimit(Resource::Nofile, raised) {
            Ok(()) => return limit.maximum,
            Err(e) => tracing::warn!(error = %e, "could not raise the open-files limit"),
        }
    }
    limit.current
}

/// File descriptors kept free for the database (each SQLite connection holds the database,
/// its `-wal` and `-shm`), static files, logs and the runtime itself.
const RESERVED_FDS: u64 = 64;

/// The connection cap in force: `wanted`, but no more than the open-files limit leaves room
/// for.
pub fn connection_cap(wanted: usize, open_files_limit: Option<u64>) -> usize {
    match open_files_limit {
        Some(limit) => wanted.min(limit.saturating_sub(RESERVED_FDS).max(16) as usize),
        None => wanted,
    }
}

/// Serves `app` on `listener` until `shutdown` completes; then lets connections in progress
/// finish (at most `SHUTDOWN_GRACE`).
pub async fn serve<F>(
    listener: TcpListener,
    app: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    limits: Limits,
    shutdown: F,
) -> anyhow::Result<()>
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let cap = connection_cap(limits.max_connections, rustix_soft_limit());
    tracing::info!(max_connections = cap, header_timeout = ?limits.header_timeout, body_timeout = ?limits.body_timeout, "serving");
    let registry = Arc::new(Registry::default());
    let (stop, stopping) = watch::channel(Stop::Running);
    let mut shutdown = std::pin::pin!(shutdown);
    let mut pause = Duration::from_millis(10);
    let mut last_warning: Option<Instant> = None;
    loop {
        // Room for one more: close the longest-idle connection if all are taken, or wait for
        // one to close.
        while registry.len() >= cap {
            let freed = registry.freed.notified();
            if !registry.evict_one() {
                tokio::select! {
                    () = freed => {}
                    () = tokio::time::sleep(Duration::from_millis(50)) => {}
                    () = &mut shutdown => return finish(registry, stop).await,
                }
                continue;
            }
            tokio::select! {
                () = freed => {}
                () = tokio::time::sleep(Duration::from_millis(50)) => {}
            }
        }
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => return finish(registry, stop).await,
        };
        match accepted {
            Ok((stream, peer)) => {
                pause = Duration::from_millis(10);
                let _ = stream.set_nodelay(true);
                let (guard, slot) = registry.open();
                let connection = Connection { app: app.clone(), tls: tls.clone(), limits, peer, slot };
                let stopping = stopping.clone();
                tokio::spawn(async move {
                    connection.run(stream, stopping).await;
                    drop(guard);
                });
            }
            Err(e) if is_connection_error(&e) => {}
            Err(e) => {
                // Out of file descriptors (or another resource): make room, and pause instead of
                // spinning on an error that will repeat at once.
                if last_warning.is_none_or(|at| at.elapsed() >= Duration::from_secs(1)) {
                    tracing::warn!(error = %e, open = registry.len(), "accepting a connection failed; pausing");
                    last_warning = Some(Instant::now());
                }
                registry.evict_one();
                tokio::select! {
                    () = tokio::time::sleep(pause) => {}
                    () = &mut shutdown => return finish(registry, stop).await,
                }
                pause = (pause * 2).min(Duration::from_secs(1));
            }
        }
    }
}

fn rustix_soft_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

/// Errors of one connection that arrived and went (not a reason to pause).
fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(e.kind(), ConnectionRefused | ConnectionAborted | ConnectionReset)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Running,
    /// Finish the request in progress, take no new one.
    Graceful,
    /// The grace period is over: close now.
    Now,
}

/// Stops taking new requests, waits for connections in progress (at most `SHUTDOWN_GRACE`),
/// then closes the rest.
async fn finish(registry: Arc<Registry>, stop: watch::Sender<Stop>) -> anyhow::Result<()> {
    let _ = stop.send(Stop::Graceful);
    let deadline = tokio::time::Instant::now() + SHUTDOWN_GRACE;
    while registry.len() > 0 {
        let freed = registry.freed.notified();
        if registry.len() == 0 {
            break;
        }
        if tokio::time::timeout_at(deadline, freed).await.is_err() {
            break;
        }
    }
    let _ = stop.send(Stop::Now);
    // Let the connection tasks see it and close.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    while registry.len() > 0 && tokio::time::Instant::now() < deadline {
        let _ = tokio::time::timeout(Duration::from_millis(20), registry.freed.notified()).await;
    }
    Ok(())
}

/// One accepted connection and what it needs.
struct Connection {
    app: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    limits: Limits,
    peer: SocketAddr,
    slot: Arc<Slot>,
}

impl Connection {
    async fn run(self, stream: TcpStream, stopping: watch::Receiver<Stop>) {
        match self.tls.clone() {
            None => self.serve_io(stream, stopping).await,
            Some(acceptor) => {
                let handshake = tokio::select! {
                    done = tokio::time::timeout(self.limits.header_timeout, acceptor.accept(stream)) => done,
                    () = self.slot.evict.notified() => return,
                };
                match handshake {
                    Ok(Ok(tls_stream)) => self.serve_io(tls_stream, stopping).await,
                    Ok(Err(e)) => tracing::debug!(peer = %self.peer, error = %e, "TLS handshake failed"),
                    Err(_) => tracing::debug!(peer = %self.peer, "TLS handshake timed out"),
                }
            }
        }
    }

    async fn serve_io<I>(self, io: I, mut stopping: watch::Receiver<Stop>)
    where
        I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let (app, peer, slot) = (self.app, self.peer, self.slot.clone());
        let service = hyper::service::service_fn(move |mut request: Request<hyper::body::Incoming>| {
            let in_flight = InFlight::new(slot.clone());
            request.extensions_mut().insert(ConnectInfo(peer));
            let app = app.clone();
            async move {
                let response = app.oneshot(request.map(Body::new)).await;
                response.map(|r| r.map(|body| TrackedBody { inner: body, _in_flight: in_flight }))
            }
        });
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new()).header_read_timeout(self.limits.header_timeout).keep_alive(true);
        let connection = http.serve_connection(TokioIo::new(io), service);
        let mut connection = std::pin::pin!(connection);
        let mut graceful = false;
        loop {
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!(peer = %peer, error = %e, "connection ended");
                    }
                    return;
                }
                () = self.slot.evict.notified() => {
                    if self.slot.in_flight.load(Ordering::SeqCst) == 0 {
                        tracing::debug!(peer = %peer, "idle connection closed to make room");
                        return;
                    }
                    self.slot.evicting.store(false, Ordering::SeqCst);
                }
                changed = stopping.changed() => {
                    let now = *stopping.borrow_and_update();
                    if changed.is_err() || now == Stop::Now {
                        return;
                    }
                    if now == Stop::Graceful && !graceful {
                        graceful = true;
                        connection.as_mut().graceful_shutdown();
                    }
                }
            }
        }
    }
}

/// Reads a request's whole body within `limit`, before the handler sees it: a client that
/// sends its body slowly gets 408 `request_timeout` and the connection is closed. A body over
/// the size limit is 413 as before. Requests without a body pass straight through.
pub async fn body_deadline(limit: Duration, max_bytes: usize, request: Request, next: Next) -> Response {
    use http_body::Body as _;
    if request.body().size_hint().exact() == Some(0) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    match tokio::time::timeout(limit, axum::body::to_bytes(body, max_bytes)).await {
        Ok(Ok(bytes)) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Ok(Err(e)) => {
            let too_large = std::error::Error::source(&e)
                .is_some_and(|cause| cause.is::<http_body_util::LengthLimitError>());
            if too_large {
                ApiError::PayloadTooLarge("the body is larger than 1 MiB".into()).into_response()
            } else {
                ApiError::InvalidJson("the body could not be read".into()).into_response()
            }
        }
        Err(_) => {
            let mut response = ApiError::RequestTimeout.into_response();
            response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connection_cap_leaves_room_for_the_database_under_a_low_open_files_limit() {
        assert_eq!(connection_cap(10_000, Some(256)), 192);
        assert_eq!(connection_cap(10_000, Some(1_048_576)), 10_000);
        assert_eq!(connection_cap(10_000, None), 10_000);
        assert_eq!(connection_cap(10_000, Some(10)), 16, "never nothing at all");
    }
}
