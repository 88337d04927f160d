//! The HTTP(S) server's limits, so that slow or hostile clients cannot take the agent
//! down: a cap on open connections (with a log line and a metric when it is reached), a
//! time limit on the TLS handshake and on each request's headers, a time limit on the
//! request body, and a shutdown that stops waiting for open connections after a grace
//! period. Plain HTTP and HTTPS share all of it.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use axum_server::accept::{Accept, DefaultAcceptor};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;

use crate::store::Store;

/// What the server allows one client.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Connections open at once; more are closed at once (and counted).
    pub max_connections: usize,
    /// For a TLS handshake, and for a request's line and headers to arrive.
    pub header_timeout: Duration,
    /// For a request's body to arrive.
    pub body_timeout: Duration,
    /// How long a shutdown waits for open connections before closing them.
    pub shutdown_grace: Duration,
    /// Longest life of one event stream: it then ends, and the page reconnects with
    /// its Last-Event-ID (nothing is lost), its credentials checked again.
    pub stream_lifetime: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 512,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(10),
            stream_lifetime: Duration::from_secs(3600),
        }
    }
}

/// Counts a connection while it lives.
struct Slot {
    open: Arc<AtomicUsize>,
    store: Arc<Store>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.open.fetch_sub(1, Ordering::SeqCst);
        self.store.poll_metrics.http_connections(-1);
    }
}

/// A connection's stream, holding its slot.
pub struct Counted<S> {
    inner: S,
    _slot: Slot,
}

impl<S: AsyncRead + Unpin> AsyncRead for Counted<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counted<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
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
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// An acceptor that refuses connections beyond the cap before any other work (the TLS
/// handshake included), logging at most once every ten seconds.
#[derive(Clone)]
pub struct Capped<A> {
    inner: A,
    open: Arc<AtomicUsize>,
    max: usize,
    store: Arc<Store>,
    last_log: Arc<Mutex<Option<Instant>>>,
}

impl<A> Capped<A> {
    pub fn new(inner: A, limits: &Limits, store: &Arc<Store>) -> Self {
        Capped {
            inner,
            open: Arc::new(AtomicUsize::new(0)),
            max: limits.max_connections.max(1),
            store: store.clone(),
            last_log: Arc::new(Mutex::new(None)),
        }
    }
}

impl<A, I, S> Accept<I, S> for Capped<A>
where
    A: Accept<I, S>,
    A::Future: Send + 'static,
    A::Stream: Send + 'static,
    A::Service: Send + 'static,
    I: Send + 'static,
{
    type Stream = Counted<A::Stream>;
    type Service = A::Service;
    type Future = Pin<Box<dyn Future<Output = io::Result<(Self::Stream, Self::Service)>> + Send>>;

    fn accept(&self, stream: I, service: S) -> Self::Future {
        let now_open = self.open.fetch_add(1, Ordering::SeqCst) + 1;
        if now_open > self.max {
            self.open.fetch_sub(1, Ordering::SeqCst);
            self.store.poll_metrics.http_rejected();
            let mut last = self.last_log.lock().unwrap_or_else(|e| e.into_inner());
            if last.is_none_or(|t| t.elapsed() > Duration::from_secs(10)) {
                *last = Some(Instant::now());
                tracing::warn!(
                    max = self.max,
                    "HTTP connection cap reached: closing new connections until some end (lightgate_http_connections_rejected_total counts them)."
                );
            }
            drop(stream);
            return Box::pin(async { Err(io::Error::other("connection cap reached")) });
        }
        self.store.poll_metrics.http_connections(1);
        let slot = Slot {
            open: self.open.clone(),
            store: self.store.clone(),
        };
        let accepting = self.inner.accept(stream, service);
        Box::pin(async move {
            let (inner, service) = accepting.await?;
            Ok((Counted { inner, _slot: slot }, service))
        })
    }
}

/// Reads the whole request body within the time limit, answering 408 when it does not
/// arrive and 413 when it is larger than `max`.
pub async fn bounded_body(
    axum::extract::State((timeout, max)): axum::extract::State<(Duration, usize)>,
    request: Request,
    next: Next,
) -> Response {
    let announced = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > max as u64) {
        return too_large(max);
    }
    let (parts, body) = request.into_parts();
    match tokio::time::timeout(timeout, axum::body::to_bytes(body, max)).await {
        Err(_) => (
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the request body did not arrive within {}\n",
                crate::domain::format_duration(timeout)
            ),
        )
            .into_response(),
        Ok(Err(e)) if is_length_limit(&e) => too_large(max),
        // A body that is not valid HTTP (a malformed chunk): the client's mistake.
        Ok(Err(e)) => (
            StatusCode::BAD_REQUEST,
            format!("the request body could not be read: {e}\n"),
        )
            .into_response(),
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
    }
}

/// Whether reading a body failed because it was over the limit (http-body-util's
/// LengthLimitError, somewhere in the chain), rather than malformed.
fn is_length_limit(e: &axum::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if c.to_string().contains("length limit exceeded") {
            return true;
        }
        cause = c.source();
    }
    false
}

fn too_large(max: usize) -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the request body is larger than {max} bytes\n"),
    )
        .into_response()
}

/// Serves `routes` on `listener` (HTTPS when `tls` is given) under `limits` until
/// `shutdown` completes, then gives open connections `limits.shutdown_grace`.
pub async fn serve(
    listener: TcpListener,
    routes: Router,
    tls: Option<axum_server::tls_rustls::RustlsConfig>,
    limits: Limits,
    store: Arc<Store>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let handle = axum_server::Handle::new();
    let h = handle.clone();
    let grace = limits.shutdown_grace;
    tokio::spawn(async move {
        shutdown.await;
        h.graceful_shutdown(Some(grace));
    });
    let server = axum_server::from_tcp(listener.into_std()?)?;
    let service = routes.into_make_service();
    match tls {
        None => {
            let mut s = server
                .acceptor(Capped::new(DefaultAcceptor::new(), &limits, &store))
                .handle(handle)
                .first_request_timeout(limits.header_timeout);
            s.http_builder()
                .http1()
                .header_read_timeout(Some(limits.header_timeout));
            s.http1_only().serve(service).await
        }
        Some(config) => {
            // The handle is shared with the web config watcher, which swaps the
            // certificate in place when its files change.
            let rustls = axum_server::tls_rustls::RustlsAcceptor::new(config)
                .handshake_timeout(limits.header_timeout);
            let mut s = server
                .acceptor(Capped::new(rustls, &limits, &store))
                .handle(handle)
                .first_request_timeout(limits.header_timeout);
            s.http_builder()
                .http1()
                .header_read_timeout(Some(limits.header_timeout));
            s.http1_only().serve(service).await
        }
    }
}
