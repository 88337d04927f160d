//! The HTTP(S) server's limits, so that slow or hostile clients cannot take the agent
//! down: a cap on open connections shared fairly (see [`super::connections`]), a time
//! limit on the TLS handshake and on each request's headers, a time limit on the request
//! body, and a shutdown that stops waiting for open connections after a grace period.
//! Plain HTTP and HTTPS share all of it.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use axum_server::accept::{Accept, DefaultAcceptor};
use tokio::net::{TcpListener, TcpStream};

use super::connections::{Connections, Tracked};
pub use super::limits::Limits;

/// An acceptor that admits a connection into the connection table (see
/// [`super::connections`]) before any other work, the TLS handshake included: the
/// handshake reads through the tracked stream, so an evicted half-open handshake ends
/// too.
#[derive(Clone)]
pub struct Capped<A> {
    inner: A,
    connections: Arc<Connections>,
}

impl<A> Capped<A> {
    pub fn new(inner: A, connections: &Arc<Connections>) -> Self {
        Capped {
            inner,
            connections: connections.clone(),
        }
    }
}

impl<A, S> Accept<TcpStream, S> for Capped<A>
where
    A: Accept<Tracked<TcpStream>, S>,
    A::Future: Send + 'static,
    A::Stream: Send + 'static,
    A::Service: Send + 'static,
{
    type Stream = A::Stream;
    type Service = A::Service;
    type Future = Pin<Box<dyn Future<Output = io::Result<(Self::Stream, Self::Service)>> + Send>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let admitted = stream
            .peer_addr()
            .map_err(io::Error::other)
            .and_then(|peer| {
                Tracked::admit(&self.connections, stream, peer)
                    .map_err(|why| io::Error::other(format!("connection refused: {why:?}")))
            });
        match admitted {
            Ok(tracked) => Box::pin(self.inner.accept(tracked, service)),
            Err(e) => Box::pin(async { Err(e) }),
        }
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
    connections: Arc<Connections>,
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
    let routes = routes.layer(axum::middleware::from_fn_with_state(
        connections.clone(),
        super::connections::track,
    ));
    let service = routes.into_make_service_with_connect_info::<std::net::SocketAddr>();
    match tls {
        None => {
            let mut s = server
                .acceptor(Capped::new(DefaultAcceptor::new(), &connections))
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
                .acceptor(Capped::new(rustls, &connections))
                .handle(handle)
                .first_request_timeout(limits.header_timeout);
            s.http_builder()
                .http1()
                .header_read_timeout(Some(limits.header_timeout));
            s.http1_only().serve(service).await
        }
    }
}
