//! The agent's own observability: log setup, and the agent-wide metrics that persist
//! between scrapes (dropped traps, reloads, HTTP connections, event streams, Azure API
//! errors). Per-device poll and SNMP counters live in the store (`store/counters.rs`).

use prometheus::{IntCounterVec, Opts, Registry};
use tracing_subscriber::EnvFilter;

/// Log format chosen on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Plain,
    Json,
}

/// Installs the global tracing subscriber. `RUST_LOG` overrides `level`. Logs go to
/// stderr so that command output on stdout stays machine-readable.
pub fn init(format: LogFormat, level: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let result = match format {
        LogFormat::Plain => builder.fmt_fields(escaped_fields()).try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    // A second init (tests) keeps the first subscriber; nothing to do.
    drop(result);
}

/// Plain-log field formatting with every control character escaped: a user name, a
/// device's error text or a port name from a URL that holds a newline or an escape
/// sequence cannot forge a log line or move the reader's cursor. (JSON logs escape by
/// themselves.)
pub fn escaped_fields(
) -> impl for<'w> tracing_subscriber::fmt::FormatFields<'w> + Send + Sync + 'static {
    use tracing_subscriber::field::MakeExt;
    tracing_subscriber::fmt::format::debug_fn(|w, field, value| {
        let text = format!("{value:?}");
        let text = crate::text::escape(&text);
        if field.name() == "message" {
            write!(w, "{text}")
        } else {
            write!(w, "{field}={text}")
        }
    })
    .delimited(" ")
}

/// Agent-wide metrics, kept in their own registry and merged into /metrics at scrape
/// time.
#[derive(Debug)]
pub struct PollMetrics {
    registry: Registry,
    traps_dropped: IntCounterVec,
    reload_ok: prometheus::Gauge,
    reload_time: prometheus::Gauge,
    http_open: prometheus::IntGauge,
    http_rejected: prometheus::IntCounter,
    http_evicted: prometheus::IntCounter,
    event_streams: prometheus::IntGauge,
    azure_api_errors: IntCounterVec,
}

impl Default for PollMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl PollMetrics {
    pub fn new() -> Self {
        let traps_dropped = IntCounterVec::new(
            Opts::new(
                "lightgate_snmp_traps_dropped_total",
                "SNMP notifications dropped, by reason (malformed, bad_community, unknown_source, other_shard).",
            ),
            &["reason"],
        )
        .expect("valid counter definition");
        let reload_ok = prometheus::Gauge::new(
            "lightgate_config_last_reload_successful",
            "1 when the last config (re)load succeeded, 0 when it was rejected.",
        )
        .expect("valid gauge definition");
        let reload_time = prometheus::Gauge::new(
            "lightgate_config_last_reload_success_timestamp_seconds",
            "Unix time of the last successful config (re)load.",
        )
        .expect("valid gauge definition");
        reload_ok.set(1.0);
        reload_time.set(unix_now(std::time::SystemTime::now()));
        let http_open = prometheus::IntGauge::new(
            "lightgate_http_connections",
            "HTTP connections open now (TLS handshakes included).",
        )
        .expect("valid gauge definition");
        let http_rejected = prometheus::IntCounter::new(
            "lightgate_http_connections_rejected_total",
            "HTTP connections closed at once: the connection cap (or the client's share) was reached with every connection busy.",
        )
        .expect("valid counter definition");
        let http_evicted = prometheus::IntCounter::new(
            "lightgate_http_connections_evicted_total",
            "HTTP connections without a request in progress closed to make room for a new one (the cap or the client's share was reached).",
        )
        .expect("valid counter definition");
        let event_streams = prometheus::IntGauge::new(
            "lightgate_http_event_streams",
            "Live event streams open now (GET /api/v1/ports/{port}/events: bring-up pages).",
        )
        .expect("valid gauge definition");
        let azure_api_errors = IntCounterVec::new(
            Opts::new(
                "lightgate_azure_api_errors_total",
                "Failed Azure requests, by endpoint (arm: Resource Manager and Azure Monitor; token: sign-in) and HTTP status (or transport when there was no answer), retries included.",
            ),
            &["endpoint", "status"],
        )
        .expect("valid counter definition");
        let registry = Registry::new();
        registry
            .register(Box::new(http_open.clone()))
            .expect("first registration");
        registry
            .register(Box::new(http_rejected.clone()))
            .expect("unique metric");
        registry
            .register(Box::new(http_evicted.clone()))
            .expect("unique metric");
        registry
            .register(Box::new(azure_api_errors.clone()))
            .expect("first registration");
        registry
            .register(Box::new(event_streams.clone()))
            .expect("first registration");
        for g in [&reload_ok, &reload_time] {
            registry
                .register(Box::new(g.clone()))
                .expect("first registration");
        }
        registry
            .register(Box::new(traps_dropped.clone()))
            .expect("first registration");
        let build_info = prometheus::IntGaugeVec::new(
            Opts::new(
                "lightgate_build_info",
                "Always 1: the version, git revision and compiler of this lightgate.",
            ),
            &["version", "revision", "rustc"],
        )
        .expect("valid gauge definition");
        build_info
            .with_label_values(&[
                env!("CARGO_PKG_VERSION"),
                env!("LIGHTGATE_REVISION"),
                env!("LIGHTGATE_RUSTC"),
            ])
            .set(1);
        registry
            .register(Box::new(build_info))
            .expect("first registration");
        // process_cpu_seconds_total, process_resident_memory_bytes, process_open_fds...
        // as every Prometheus exporter has them.
        registry
            .register(Box::new(
                prometheus::process_collector::ProcessCollector::for_self(),
            ))
            .expect("first registration");
        for reason in [
            "malformed",
            "bad_community",
            "unknown_source",
            "other_shard",
        ] {
            traps_dropped.with_label_values(&[reason]);
        }
        PollMetrics {
            registry,
            traps_dropped,
            reload_ok,
            reload_time,
            http_open,
            http_rejected,
            http_evicted,
            event_streams,
            azure_api_errors,
        }
    }

    /// An HTTP connection opened (+1) or closed (-1).
    pub fn http_connections(&self, delta: i64) {
        self.http_open.add(delta);
    }

    /// A failed Azure request.
    pub fn azure_api_error(&self, endpoint: &str, status: &str) {
        self.azure_api_errors
            .with_label_values(&[endpoint, status])
            .inc();
    }

    /// A live event stream opened (+1) or closed (-1).
    pub fn event_streams(&self, delta: i64) {
        self.event_streams.add(delta);
    }

    /// An HTTP connection was refused at the cap.
    pub fn http_rejected(&self) {
        self.http_rejected.inc();
    }

    /// An idle HTTP connection was closed to make room.
    pub fn http_evicted(&self) {
        self.http_evicted.inc();
    }

    /// A reload was rejected: the running config stays.
    pub fn reload_failed(&self) {
        self.reload_ok.set(0.0);
    }

    /// A reload succeeded at `at`.
    pub fn reload_succeeded(&self, at: std::time::SystemTime) {
        self.reload_ok.set(1.0);
        self.reload_time.set(unix_now(at));
    }

    /// Counts a dropped trap.
    pub fn trap_dropped(&self, reason: &str) {
        self.traps_dropped.with_label_values(&[reason]).inc();
    }

    pub fn gather(&self) -> Vec<prometheus::proto::MetricFamily> {
        self.registry.gather()
    }
}

fn unix_now(t: std::time::SystemTime) -> f64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}
