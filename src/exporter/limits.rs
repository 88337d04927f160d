//! What the HTTP(S) server allows its clients: the connection cap and its shares, the
//! time limits of a request, the shutdown grace and an event stream's lifetime. Read by
//! the server and by the connection table.

use std::time::Duration;

/// What the server allows its clients.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Connections open at once; when reached, the longest-waiting connection without a
    /// request in progress is closed for a new one, or the new one is (and counted).
    pub max_connections: usize,
    /// Connections one client address may hold (a quarter of the cap by default).
    pub connections_per_client: usize,
    /// Event streams (bring-up pages) open at once, so that they never hold the slots
    /// of scrapes, health checks and gate calls (half the cap by default); more are
    /// answered 503 with Retry-After.
    pub max_event_streams: usize,
    /// Event streams one client address may hold (a sixteenth of the cap by default).
    pub event_streams_per_client: usize,
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

impl Limits {
    /// The default limits for a cap of `max` connections, the shares derived from it.
    pub fn for_connections(max: usize) -> Limits {
        let max = max.max(1);
        Limits {
            max_connections: max,
            connections_per_client: (max / 4).max(1),
            max_event_streams: (max / 2).max(1),
            event_streams_per_client: (max / 16).max(1),
            ..Limits::default()
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 512,
            connections_per_client: 128,
            max_event_streams: 256,
            event_streams_per_client: 32,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(10),
            stream_lifetime: Duration::from_secs(3600),
        }
    }
}
