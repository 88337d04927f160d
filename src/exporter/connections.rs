//! Who holds the server's connection slots, so that no client and no kind of request
//! can take them all:
//! - each client address may hold at most its share of the connections;
//! - event streams (bring-up pages) may hold at most their own share, in total and per
//!   client, so scrapes, health checks and gate calls always find slots;
//! - when the cap (or a client's share) is reached, the connection that has waited
//!   longest without a request in progress (a half-open one first, then an idle
//!   keep-alive one) is closed to make room, as nginx does with idle keep-alive
//!   connections; only when every connection is busy is the new one refused.
//!
//! The acceptor registers a connection under its peer address; a middleware marks its
//! requests (found through `ConnectInfo`) until their bodies end.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::task::AtomicWaker;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::limits::Limits;
use crate::store::Store;

/// Closes one connection from outside: its reads end and its writes fail.
#[derive(Default)]
struct Closer {
    closed: AtomicBool,
    reader: AtomicWaker,
}

impl Closer {
    fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.reader.wake();
    }
}

struct Conn {
    id: u64,
    opened: Instant,
    /// Since when no request has been in progress (None while one is).
    idle_since: Option<Instant>,
    /// Whether a request ever arrived on it.
    served: bool,
    in_flight: usize,
    closer: Arc<Closer>,
}

impl Conn {
    /// Its place in the eviction order, when it may be evicted: half-open ones first
    /// (oldest opened first), then idle keep-alive ones (longest idle first).
    fn eviction_rank(&self) -> Option<(bool, Instant)> {
        let idle = self.idle_since?;
        Some(if self.served {
            (true, idle)
        } else {
            (false, self.opened)
        })
    }
}

#[derive(Default)]
struct Table {
    next_id: u64,
    open: HashMap<SocketAddr, Conn>,
    per_client: HashMap<IpAddr, usize>,
    streams: usize,
    streams_per_client: HashMap<IpAddr, usize>,
    last_log: Option<Instant>,
}

impl Table {
    /// The connection to close to make room: among all, or among one client's.
    fn victim(&self, client: Option<IpAddr>) -> Option<SocketAddr> {
        self.open
            .iter()
            .filter(|(addr, _)| client.is_none_or(|ip| addr.ip() == ip))
            .filter_map(|(addr, c)| Some((c.eviction_rank()?, *addr)))
            .min()
            .map(|(_, addr)| addr)
    }

    fn remove(&mut self, addr: &SocketAddr) -> Option<Conn> {
        let c = self.open.remove(addr)?;
        if let Some(n) = self.per_client.get_mut(&addr.ip()) {
            *n -= 1;
            if *n == 0 {
                self.per_client.remove(&addr.ip());
            }
        }
        Some(c)
    }

    fn evict(&mut self, addr: SocketAddr) {
        if let Some(c) = self.remove(&addr) {
            c.closer.close();
        }
    }
}

/// Why a new connection was refused.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Refused {
    /// Every connection is in the middle of a request.
    Cap,
    /// This client's share is taken by its own busy connections.
    ClientShare,
}

/// The connection table shared by the acceptor and the request middleware.
pub struct Connections {
    table: Mutex<Table>,
    limits: Limits,
    store: Arc<Store>,
}

impl Connections {
    pub fn new(limits: Limits, store: Arc<Store>) -> Arc<Connections> {
        Arc::new(Connections {
            table: Mutex::new(Table::default()),
            limits,
            store,
        })
    }

    fn table(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a new connection from `peer`, making room when needed, or says why
    /// there is none.
    fn admit(self: &Arc<Self>, peer: SocketAddr) -> Result<Admitted, Refused> {
        let mut t = self.table();
        // A reused address (the previous connection's slot not yet released) is the
        // newest connection's: the old entry is forgotten, its slot release ignored.
        if let Some(old) = t.remove(&peer) {
            old.closer.close();
        }
        let ip = peer.ip();
        let share = self.limits.connections_per_client.max(1);
        if t.per_client.get(&ip).copied().unwrap_or(0) >= share {
            let Some(v) = t.victim(Some(ip)) else {
                return Err(self.refuse(&mut t, Refused::ClientShare, ip));
            };
            t.evict(v);
            self.store.poll_metrics.http_evicted();
        }
        if t.open.len() >= self.limits.max_connections.max(1) {
            let Some(v) = t.victim(None) else {
                return Err(self.refuse(&mut t, Refused::Cap, ip));
            };
            t.evict(v);
            self.store.poll_metrics.http_evicted();
        }
        t.next_id += 1;
        let id = t.next_id;
        let closer = Arc::new(Closer::default());
        let now = Instant::now();
        t.open.insert(
            peer,
            Conn {
                id,
                opened: now,
                idle_since: Some(now),
                served: false,
                in_flight: 0,
                closer: closer.clone(),
            },
        );
        *t.per_client.entry(ip).or_default() += 1;
        self.store.poll_metrics.http_connections(1);
        Ok(Admitted {
            closer,
            release: Release {
                connections: self.clone(),
                peer,
                id,
            },
        })
    }

    fn refuse(&self, t: &mut Table, why: Refused, ip: IpAddr) -> Refused {
        self.store.poll_metrics.http_rejected();
        if t.last_log
            .is_none_or(|at| at.elapsed() > Duration::from_secs(10))
        {
            t.last_log = Some(Instant::now());
            match why {
                Refused::Cap => tracing::warn!(
                    max = self.limits.max_connections,
                    "HTTP connection cap reached with every connection busy: closing new connections until some end (lightgate_http_connections_rejected_total counts them)."
                ),
                Refused::ClientShare => tracing::warn!(
                    client = %ip,
                    share = self.limits.connections_per_client,
                    "A client holds its whole share of HTTP connections, all busy: closing its new ones (lightgate_http_connections_rejected_total counts them)."
                ),
            }
        }
        why
    }

    /// A request began on the connection from `peer`; it is busy until the guard drops.
    fn begin(self: &Arc<Self>, peer: SocketAddr) -> Option<Busy> {
        let mut t = self.table();
        let c = t.open.get_mut(&peer)?;
        c.in_flight += 1;
        c.served = true;
        c.idle_since = None;
        Some(Busy {
            connections: self.clone(),
            peer,
            id: c.id,
        })
    }

    /// An event stream slot for `client`, or None when streams hold their share.
    fn stream_slot(self: &Arc<Self>, client: IpAddr) -> Option<StreamSlot> {
        let mut t = self.table();
        let mine = t.streams_per_client.get(&client).copied().unwrap_or(0);
        if t.streams >= self.limits.max_event_streams.max(1)
            || mine >= self.limits.event_streams_per_client.max(1)
        {
            return None;
        }
        t.streams += 1;
        *t.streams_per_client.entry(client).or_default() += 1;
        Some(StreamSlot {
            connections: self.clone(),
            client,
        })
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.table().open.len()
    }
}

/// What an admitted connection holds: its closer and, dropped with it, its slot.
struct Admitted {
    closer: Arc<Closer>,
    release: Release,
}

/// Frees a connection's slot when the connection ends.
struct Release {
    connections: Arc<Connections>,
    peer: SocketAddr,
    id: u64,
}

impl Drop for Release {
    fn drop(&mut self) {
        let mut t = self.connections.table();
        if t.open.get(&self.peer).is_some_and(|c| c.id == self.id) {
            t.remove(&self.peer);
        }
        self.connections.store.poll_metrics.http_connections(-1);
    }
}

/// A request in progress on a connection.
struct Busy {
    connections: Arc<Connections>,
    peer: SocketAddr,
    id: u64,
}

impl Drop for Busy {
    fn drop(&mut self) {
        let mut t = self.connections.table();
        if let Some(c) = t.open.get_mut(&self.peer).filter(|c| c.id == self.id) {
            c.in_flight = c.in_flight.saturating_sub(1);
            if c.in_flight == 0 {
                c.idle_since = Some(Instant::now());
            }
        }
    }
}

/// An open event stream's place in its share.
struct StreamSlot {
    connections: Arc<Connections>,
    client: IpAddr,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut t = self.connections.table();
        t.streams = t.streams.saturating_sub(1);
        if let Some(n) = t.streams_per_client.get_mut(&self.client) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                t.streams_per_client.remove(&self.client);
            }
        }
    }
}

/// The middleware: marks the connection busy while a request is in progress (until its
/// answer's body ends: an event stream's whole life), and answers 503 to an event
/// stream beyond the streams' share.
pub async fn track(
    State(connections): State<Arc<Connections>>,
    request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let Some(peer) = peer else {
        return next.run(request).await;
    };
    let busy = connections.begin(peer);
    let response = next.run(request).await;
    let is_stream = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/event-stream"));
    let stream = if is_stream {
        match connections.stream_slot(peer.ip()) {
            Some(slot) => Some(slot),
            None => {
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(header::RETRY_AFTER, "10")],
                    "too many live event streams are open; the page retries\n",
                )
                    .into_response()
            }
        }
    } else {
        None
    };
    let (parts, body) = response.into_parts();
    Response::from_parts(
        parts,
        Body::new(Held {
            body,
            _held: (busy, stream),
        }),
    )
}

/// A body that holds its connection's busy mark (and stream slot) until it ends.
struct Held {
    body: Body,
    _held: (Option<Busy>, Option<StreamSlot>),
}

impl http_body::Body for Held {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// A connection's byte stream while it holds its slot: closed from outside when it is
/// evicted (reads end, writes fail), its slot freed when it is dropped.
pub struct Tracked<S> {
    inner: S,
    closer: Arc<Closer>,
    _release: Release,
}

impl<S> Tracked<S> {
    /// Admits `inner` from `peer`, or says why not.
    pub fn admit(
        connections: &Arc<Connections>,
        inner: S,
        peer: SocketAddr,
    ) -> Result<Tracked<S>, Refused> {
        let a = connections.admit(peer)?;
        Ok(Tracked {
            inner,
            closer: a.closer,
            _release: a.release,
        })
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Tracked<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.closer.reader.register(cx.waker());
        if self.closer.closed.load(Ordering::SeqCst) {
            // End of stream: hyper (or the TLS handshake) closes the connection.
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

fn evicted() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionAborted,
        "closed to make room for another connection",
    )
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tracked<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.closer.closed.load(Ordering::SeqCst) {
            return Poll::Ready(Err(evicted()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.closer.closed.load(Ordering::SeqCst) {
            return Poll::Ready(Err(evicted()));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table_with(limits: Limits) -> Arc<Connections> {
        let config = crate::config::Config::parse(crate::config::DEMO_TOML, "demo").unwrap();
        Connections::new(limits, Arc::new(Store::new(config)))
    }

    fn peer(ip: [u8; 4], port: u16) -> SocketAddr {
        SocketAddr::from((ip, port))
    }

    fn limits(max: usize, per_client: usize) -> Limits {
        Limits {
            max_connections: max,
            connections_per_client: per_client,
            max_event_streams: 2,
            event_streams_per_client: 1,
            ..Limits::default()
        }
    }

    #[test]
    fn the_oldest_half_open_connection_makes_room_before_a_busy_one() {
        let c = table_with(limits(3, 3));
        let a = c.admit(peer([10, 0, 0, 1], 1)).unwrap();
        let b = c.admit(peer([10, 0, 0, 2], 1)).unwrap();
        let busy = c.begin(peer([10, 0, 0, 2], 1)).unwrap();
        let d = c.admit(peer([10, 0, 0, 3], 1)).unwrap();
        // Full: the half-open `a` is the oldest connection without a request.
        let _e = c.admit(peer([10, 0, 0, 4], 1)).unwrap();
        assert!(a.closer.closed.load(Ordering::SeqCst));
        assert!(!b.closer.closed.load(Ordering::SeqCst));
        assert_eq!(c.open(), 3);
        // Then `d`; `b` is busy and stays.
        let _f = c.admit(peer([10, 0, 0, 5], 1)).unwrap();
        assert!(d.closer.closed.load(Ordering::SeqCst));
        assert!(!b.closer.closed.load(Ordering::SeqCst));
        drop(busy);
    }

    #[test]
    fn every_connection_busy_refuses_the_new_one() {
        let c = table_with(limits(1, 1));
        let _a = c.admit(peer([10, 0, 0, 1], 1)).unwrap();
        let _busy = c.begin(peer([10, 0, 0, 1], 1)).unwrap();
        assert_eq!(c.admit(peer([10, 0, 0, 2], 1)).err(), Some(Refused::Cap));
    }

    #[test]
    fn a_client_past_its_share_loses_its_own_idle_connection_not_anothers() {
        let c = table_with(limits(10, 2));
        let other = c.admit(peer([10, 0, 0, 9], 1)).unwrap();
        let first = c.admit(peer([10, 0, 0, 1], 1)).unwrap();
        let _second = c.admit(peer([10, 0, 0, 1], 2)).unwrap();
        let _third = c.admit(peer([10, 0, 0, 1], 3)).unwrap();
        assert!(first.closer.closed.load(Ordering::SeqCst));
        assert!(!other.closer.closed.load(Ordering::SeqCst));
        let _b2 = c.begin(peer([10, 0, 0, 1], 2)).unwrap();
        let _b3 = c.begin(peer([10, 0, 0, 1], 3)).unwrap();
        assert_eq!(
            c.admit(peer([10, 0, 0, 1], 4)).err(),
            Some(Refused::ClientShare)
        );
    }

    #[test]
    fn event_streams_keep_to_their_share() {
        let c = table_with(limits(10, 10));
        let one = c.stream_slot([10, 0, 0, 1].into()).unwrap();
        assert!(c.stream_slot([10, 0, 0, 1].into()).is_none(), "per client");
        let _two = c.stream_slot([10, 0, 0, 2].into()).unwrap();
        assert!(c.stream_slot([10, 0, 0, 3].into()).is_none(), "in total");
        drop(one);
        assert!(c.stream_slot([10, 0, 0, 3].into()).is_some());
    }

    #[test]
    fn a_released_slot_is_counted_once() {
        let c = table_with(limits(2, 2));
        let a = c.admit(peer([10, 0, 0, 1], 1)).unwrap();
        let _b = c.admit(peer([10, 0, 0, 2], 1)).unwrap();
        let _c = c.admit(peer([10, 0, 0, 3], 1)).unwrap(); // evicts a
        assert_eq!(c.open(), 2);
        drop(a); // its release must not remove anything else
        assert_eq!(c.open(), 2);
    }
}
