//! From the raw file to a [`Config`] the agent can trust: defaults applied in one
//! place, every semantic problem collected (not just the first), each with its line.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use toml::Spanned;

use super::names::is_name;
use super::raw::{RawConfig, RawDevice, RawLink, RawPort, RawSim};
use super::Problem;
use super::{
    defaults, duration, raw, Config, ConfigError, DeviceConfig, LinkConfig, PeeringConfig,
    PortConfig, SourceConfig,
};
use crate::domain::{AzureAdminState, HealthyWindow, LinkId};
use crate::source::sim::{OpticModel, Scenario, SimInterface, SimSettings};

struct Checker<'a> {
    source: &'a str,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn problem(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.problems
            .push(Problem::new(self.source, Some(span), message));
    }

    fn name(&mut self, what: &str, name: &Spanned<String>) {
        let n = name.get_ref();
        if !is_name(n) {
            self.problem(
                name.span(),
                format!("{what} name {n:?} must be non-empty and use only letters, digits, '-', '_' and '.'"),
            );
        }
    }

    /// A duration setting within its bounds (reported and clamped when outside).
    fn duration(
        &mut self,
        what: &str,
        d: &Spanned<super::duration::HumanDuration>,
        bounds: super::duration::Bounds,
    ) -> Duration {
        let source = self.source;
        let problems = &mut self.problems;
        bounds.setting(what, d, &mut |span, m| {
            problems.push(Problem::new(source, Some(span), m))
        })
    }
}

/// Resolves and validates. `source` is the file's text, for line numbers.
pub fn resolve(raw: RawConfig, source: &str) -> Result<Config, Vec<Problem>> {
    let mut c = Checker {
        source,
        problems: Vec::new(),
    };
    let listen = match &raw.listen {
        None => defaults::LISTEN
            .parse()
            .expect("default listen address parses"),
        Some(l) => l.get_ref().parse::<SocketAddr>().unwrap_or_else(|e| {
            c.problem(
                l.span(),
                format!("listen {:?} is not an address:port ({e})", l.get_ref()),
            );
            defaults::LISTEN
                .parse()
                .expect("default listen address parses")
        }),
    };

    let azure = raw.azure.as_ref().and_then(|a| {
        let problems = &mut c.problems;
        let mut report =
            |span: Range<usize>, m: String| problems.push(Problem::new(source, Some(span), m));
        super::azure::resolve(a, &mut report)
    });
    let traps = raw.traps.as_ref().and_then(|t| {
        let problems = &mut c.problems;
        let mut report =
            |span: Range<usize>, m: String| problems.push(Problem::new(source, Some(span), m));
        super::snmp::traps(t, &mut report)
    });
    let mut devices = Vec::new();
    // Names to where they were first defined; the line is worked out only for a
    // duplicate (counting lines for every name made a 20,000-device check quadratic).
    let line_of = |span: Range<usize>| {
        Problem::new(source, Some(span), "")
            .at
            .map(|a| a.0)
            .unwrap_or(0)
    };
    let mut seen_devices: HashMap<&str, Range<usize>> = HashMap::new();
    for d in &raw.device {
        c.name("device", &d.name);
        if let Some(first) = seen_devices.insert(d.name.get_ref(), d.name.span()) {
            let first = line_of(first);
            c.problem(
                d.name.span(),
                format!(
                    "duplicate device name {:?} (first defined on line {first})",
                    d.name.get_ref()
                ),
            );
            continue;
        }
        if let Some(dev) = device(&mut c, d) {
            devices.push(dev);
        }
    }

    let mut ports = Vec::new();
    let mut seen_ports: HashMap<&str, Range<usize>> = HashMap::new();
    let mut used: HashMap<(String, String), String> = HashMap::new();
    let known = Known {
        raw: raw
            .device
            .iter()
            .map(|d| d.name.get_ref().as_str())
            .collect(),
        devices: devices
            .iter()
            .map(|d: &DeviceConfig| (d.name.as_str(), d))
            .collect(),
    };
    for p in &raw.port {
        c.name("port", &p.name);
        if let Some(first) = seen_ports.insert(p.name.get_ref(), p.name.span()) {
            let first = line_of(first);
            c.problem(
                p.name.span(),
                format!(
                    "duplicate port name {:?} (first defined on line {first})",
                    p.name.get_ref()
                ),
            );
            continue;
        }
        if let Some(id) = &p.azure_port_id {
            if raw.azure.is_none() {
                c.problem(
                    id.span(),
                    "azure_port_id needs an [azure] table (credentials and endpoints)",
                );
            } else if let Some(why) = super::azure::port_id_problem(id.get_ref()) {
                c.problem(id.span(), why);
            }
        }
        if let Some(port) = port(&mut c, p, &known, &mut used) {
            ports.push(port);
        }
    }

    if c.problems.is_empty() {
        let audit_log = raw
            .audit_log
            .as_ref()
            .map(|p| std::path::PathBuf::from(p.get_ref()))
            .unwrap_or_else(defaults::audit_log);
        let mut config = Config::new(listen, azure, audit_log, traps, devices, ports);
        config.metrics.milliwatts = raw
            .metrics
            .as_ref()
            .and_then(|m| m.milliwatts)
            .unwrap_or(false);
        Ok(config)
    } else {
        Err(c.problems)
    }
}

fn device(c: &mut Checker<'_>, d: &RawDevice) -> Option<DeviceConfig> {
    let poll_interval = d
        .poll_interval
        .as_ref()
        .map(|p| c.duration("poll_interval", p, duration::POLL_INTERVAL))
        .unwrap_or(defaults::POLL_INTERVAL);
    // SNMP discovery walks tables and may take longer than a 10 s cap on a big box;
    // an SNMP poll may use its whole interval by default.
    let default_timeout = if matches!(d.source.get_ref().as_str(), "snmp" | "serial") {
        poll_interval
    } else {
        poll_interval.min(defaults::MAX_DEFAULT_TIMEOUT)
    };
    let timeout = d
        .timeout
        .as_ref()
        .map(|t| c.duration("timeout", t, duration::POLL_TIMEOUT))
        .unwrap_or(default_timeout);
    if let Some(t) = d.timeout.as_ref().filter(|_| timeout > poll_interval) {
        c.problem(
            t.span(),
            format!(
                "device {:?}: timeout {} is longer than poll_interval {}: a poll would still run when the next one is due",
                d.name.get_ref(),
                crate::domain::format_duration(timeout),
                crate::domain::format_duration(poll_interval)
            ),
        );
    }
    let source = match d.source.get_ref().as_str() {
        "sim" => match &d.sim {
            Some(sim) => SourceConfig::Sim(sim_settings(c, sim)),
            None => {
                c.problem(
                    d.source.span(),
                    format!(
                        "device {:?} has source = \"sim\" but no [device.sim] table",
                        d.name.get_ref()
                    ),
                );
                return None;
            }
        },
        "snmp" => match &d.snmp {
            Some(snmp) => {
                let source = c.source;
                let problems = &mut c.problems;
                let mut report = |span: Range<usize>, m: String| {
                    problems.push(Problem::new(source, Some(span), m))
                };
                SourceConfig::Snmp(super::snmp::settings(snmp, &mut report))
            }
            None => {
                c.problem(
                    d.source.span(),
                    format!(
                        "device {:?} has source = \"snmp\" but no [device.snmp] table",
                        d.name.get_ref()
                    ),
                );
                return None;
            }
        },
        "serial" => match &d.serial {
            Some(serial) => {
                let source = c.source;
                let problems = &mut c.problems;
                let mut report = |span: Range<usize>, m: String| {
                    problems.push(Problem::new(source, Some(span), m))
                };
                SourceConfig::Serial(super::serial::settings(serial, &mut report)?)
            }
            None => {
                c.problem(
                    d.source.span(),
                    format!(
                        "device {:?} has source = \"serial\" but no [device.serial] table",
                        d.name.get_ref()
                    ),
                );
                return None;
            }
        },
        other => {
            c.problem(
                d.source.span(),
                format!("source kind {other:?} is not supported by this version of lightgate (supported: \"sim\", \"snmp\", \"serial\")"),
            );
            return None;
        }
    };
    let stray = [
        ("sim", d.sim.as_ref().map(|s| s.span())),
        ("snmp", d.snmp.as_ref().map(|s| s.span())),
        ("serial", d.serial.as_ref().map(|s| s.span())),
    ];
    for (kind, span) in stray {
        if let Some(span) = span {
            if kind != d.source.get_ref() {
                c.problem(
                    span,
                    format!(
                        "[device.{kind}] does not apply to a device with source = {:?}",
                        d.source.get_ref()
                    ),
                );
            }
        }
    }
    let mut monitor: Vec<String> = Vec::new();
    for m in d.monitor.iter().flatten() {
        let name = m.get_ref();
        if name.trim().is_empty() {
            c.problem(
                m.span(),
                "monitor: an interface name must not be empty".to_string(),
            );
        } else if monitor.contains(name) {
            c.problem(m.span(), format!("monitor: {name:?} is listed twice"));
        } else if let SourceConfig::Sim(sim) = &source {
            if !sim.interfaces.contains_key(name) {
                c.problem(
                    m.span(),
                    format!(
                        "monitor: simulated device {:?} has no interface {name:?}",
                        d.name.get_ref()
                    ),
                );
            }
            monitor.push(name.clone());
        } else {
            monitor.push(name.clone());
        }
    }
    Some(DeviceConfig {
        name: d.name.get_ref().clone(),
        poll_interval,
        timeout,
        monitor,
        source,
    })
}

fn sim_settings(c: &mut Checker<'_>, sim: &Spanned<RawSim>) -> SimSettings {
    let raw = sim.get_ref();
    if let Some(Err(e)) = raw
        .response_delay
        .map(|d| duration::SIM_DELAY.check("response_delay", d.0))
    {
        c.problem(sim.span(), e);
    }
    let mut interfaces = BTreeMap::new();
    if raw.interfaces.is_empty() {
        c.problem(
            sim.span(),
            "a simulated device needs at least one interface",
        );
    }
    for (name, spec) in &raw.interfaces {
        let s = spec.get_ref();
        let scenario = match s.scenario.parse::<Scenario>() {
            Ok(sc) => sc,
            Err(e) => {
                c.problem(spec.span(), format!("interface {name:?}: {e}"));
                continue;
            }
        };
        let mut iface = SimInterface::new(name, scenario);
        if let Some(optic) = &s.optic {
            match optic.parse::<OpticModel>() {
                Ok(m) => iface.optic = m,
                Err(e) => c.problem(spec.span(), format!("interface {name:?}: {e}")),
            }
        }
        if let Some(p) = s.flap_period {
            if let Err(e) = duration::FLAP_PERIOD.check("flap_period", p.0) {
                c.problem(spec.span(), format!("interface {name:?}: {e}"));
            }
            iface.flap_period = duration::FLAP_PERIOD.clamp(p.0);
        }
        if let Some(rate) = s.degrade_db_per_minute {
            if !rate.is_finite() || rate < 0.0 {
                c.problem(
                    spec.span(),
                    format!("interface {name:?}: degrade_db_per_minute must be a positive number"),
                );
            }
            iface.degrade_db_per_minute = rate;
        }
        interfaces.insert(name.clone(), iface);
    }
    SimSettings {
        seed: raw.seed,
        response_delay: raw
            .response_delay
            .map(|d| duration::SIM_DELAY.clamp(d.0))
            .unwrap_or_default(),
        unreachable: raw.unreachable,
        fail_every: raw.fail_every.filter(|n| *n > 0),
        interfaces,
    }
}

/// The devices a port may name: every one in the file, and those that resolved.
struct Known<'a> {
    raw: std::collections::HashSet<&'a str>,
    devices: HashMap<&'a str, &'a DeviceConfig>,
}

fn port(
    c: &mut Checker<'_>,
    p: &RawPort,
    known: &Known<'_>,
    used: &mut HashMap<(String, String), String>,
) -> Option<PortConfig> {
    let port_name = p.name.get_ref().clone();
    let hold_down = p
        .hold_down
        .as_ref()
        .map(|h| c.duration("hold_down", h, duration::HOLD_DOWN))
        .unwrap_or(defaults::HOLD_DOWN);
    let window = HealthyWindow {
        min_dbm: p
            .healthy_min_dbm
            .as_ref()
            .map(|v| *v.get_ref())
            .unwrap_or(defaults::HEALTHY_MIN_DBM),
        max_dbm: p
            .healthy_max_dbm
            .as_ref()
            .map(|v| *v.get_ref())
            .unwrap_or(defaults::HEALTHY_MAX_DBM),
    };
    for v in [&p.healthy_min_dbm, &p.healthy_max_dbm]
        .into_iter()
        .flatten()
    {
        if !v.get_ref().is_finite() {
            c.problem(
                v.span(),
                "healthy window bounds must be finite numbers of dBm",
            );
        }
    }
    if window.min_dbm > window.max_dbm {
        let span = p
            .healthy_min_dbm
            .as_ref()
            .or(p.healthy_max_dbm.as_ref())
            .map(|s| s.span())
            .unwrap_or(p.name.span());
        c.problem(
            span,
            format!("port {port_name:?}: inverted healthy window: healthy_min_dbm {} is above healthy_max_dbm {}", window.min_dbm, window.max_dbm),
        );
    }
    let tx_window = tx_window(c, &port_name, p);
    let link1 = link(c, &port_name, LinkId::Link1, &p.link1, known, used);
    let link2 = link(c, &port_name, LinkId::Link2, &p.link2, known, used);
    let (link1, link2) = (link1?, link2?);
    if link1.device == link2.device && link1.interface == link2.interface {
        c.problem(
            p.link2.span(),
            format!("port {port_name:?}: link1 and link2 are both {} {}; they must be two different ports", link1.device, link1.interface),
        );
    }
    let slowest_poll = [&link1, &link2]
        .iter()
        .filter_map(|l| known.devices.get(l.device.as_str()))
        .map(|d| d.poll_interval)
        .max()
        .unwrap_or(defaults::POLL_INTERVAL);
    let staleness = p
        .staleness
        .as_ref()
        .map(|s| c.duration("staleness", s, duration::STALENESS))
        .unwrap_or(slowest_poll * defaults::STALE_AFTER_POLLS);
    let peerings = p
        .peering
        .iter()
        .filter_map(|x| peering(c, &port_name, x))
        .collect();
    Some(PortConfig {
        name: port_name,
        azure_port_id: p.azure_port_id.as_ref().map(|i| i.get_ref().clone()),
        loa_issued: date(c, "loa_issued", &p.loa_issued),
        cross_connects_completed: date(c, "cross_connects_completed", &p.cross_connects_completed),
        hold_down,
        staleness,
        window,
        tx_window,
        link1,
        link2,
        peerings,
    })
}

/// One `[[port.peering]]`.
fn peering(
    c: &mut Checker<'_>,
    port_name: &str,
    p: &Spanned<super::raw::RawPeering>,
) -> Option<PeeringConfig> {
    use crate::bgp::PeeringKind;
    let r = p.get_ref();
    let kind = match PeeringKind::parse(r.kind.get_ref()) {
        Some(k) => k,
        None => {
            c.problem(
                r.kind.span(),
                format!(
                    "port {port_name:?}: peering type {:?} is not private or microsoft",
                    r.kind.get_ref()
                ),
            );
            return None;
        }
    };
    let mut subnet = |field: &str, s: &Option<Spanned<String>>, v6: bool| -> Option<ipnet::IpNet> {
        let s = s.as_ref()?;
        let want = if v6 { 126 } else { 30 };
        match s.get_ref().trim().parse::<ipnet::IpNet>() {
            Ok(n) if n.addr().is_ipv6() != v6 => {
                c.problem(
                    s.span(),
                    format!(
                        "{field} {:?} is not an {} subnet",
                        s.get_ref(),
                        if v6 { "IPv6" } else { "IPv4" }
                    ),
                );
                None
            }
            Ok(n) if n.prefix_len() != want => {
                c.problem(s.span(), format!("{field} {:?}: each link's subnet is a /{want} (Microsoft takes its second address)", s.get_ref()));
                None
            }
            Ok(n) if n.trunc() != n => {
                c.problem(
                    s.span(),
                    format!(
                        "{field} {:?} is not a network address (did you mean {}?)",
                        s.get_ref(),
                        n.trunc()
                    ),
                );
                None
            }
            Ok(n) => Some(n),
            Err(e) => {
                c.problem(s.span(), format!("{field} {:?}: {e}", s.get_ref()));
                None
            }
        }
    };
    let primary = subnet("primary_subnet", &r.primary_subnet, false);
    let secondary = subnet("secondary_subnet", &r.secondary_subnet, false);
    let ipv6_primary = subnet("ipv6_primary_subnet", &r.ipv6_primary_subnet, true);
    let ipv6_secondary = subnet("ipv6_secondary_subnet", &r.ipv6_secondary_subnet, true);
    let hold_down = r
        .hold_down
        .as_ref()
        .map(|h| c.duration("hold_down", h, duration::HOLD_DOWN))
        .unwrap_or(Duration::from_secs(60));
    if let Some(v) = &r.vrf {
        // It goes into show commands on a console: one word, nothing a shell or CLI
        // would read as more.
        let ok = !v.get_ref().is_empty()
            && v.get_ref().len() <= 64
            && v.get_ref()
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.' | ':'));
        if !ok {
            c.problem(
                v.span(),
                format!(
                    "vrf {:?} must be one word of letters, digits, '-', '_', '.' and ':'",
                    v.get_ref()
                ),
            );
        }
    }
    let prefixes_min = r.prefixes_min.as_ref().map(|v| *v.get_ref()).unwrap_or(1);
    let prefixes_max = r.prefixes_max.as_ref().map(|v| *v.get_ref());
    if let (Some(max), Some(m)) = (prefixes_max, &r.prefixes_max) {
        if max < prefixes_min {
            c.problem(
                m.span(),
                format!("prefixes_max {max} is below prefixes_min {prefixes_min}"),
            );
        }
    }
    Some(PeeringConfig {
        circuit: r.circuit.get_ref().clone(),
        kind,
        primary,
        secondary,
        ipv6_primary,
        ipv6_secondary,
        vrf: r
            .vrf
            .as_ref()
            .map(|v| v.get_ref().clone())
            .filter(|v| !v.is_empty()),
        premium: r.premium.as_ref().map(|v| *v.get_ref()),
        hold_down,
        prefixes_min,
        prefixes_max,
        advertised: (
            r.advertised_prefix_count.as_ref().map(|v| *v.get_ref()),
            r.ipv6_advertised_prefix_count
                .as_ref()
                .map(|v| *v.get_ref()),
        ),
        advertised_prefixes_state: r
            .advertised_prefixes_state
            .as_ref()
            .map(|v| v.get_ref().clone()),
        bfd_required: r.bfd_required.as_ref().is_some_and(|v| *v.get_ref()),
    })
}

/// `tx_min_dbm` and `tx_max_dbm`: both or neither, finite, in order.
fn tx_window(c: &mut Checker<'_>, port_name: &str, p: &RawPort) -> Option<HealthyWindow> {
    match (&p.tx_min_dbm, &p.tx_max_dbm) {
        (None, None) => None,
        (Some(lo), Some(hi)) => {
            let (min_dbm, max_dbm) = (*lo.get_ref(), *hi.get_ref());
            if !min_dbm.is_finite() || !max_dbm.is_finite() {
                c.problem(lo.span(), "tx window bounds must be finite numbers of dBm");
                return None;
            }
            if min_dbm > max_dbm {
                c.problem(
                    lo.span(),
                    format!("port {port_name:?}: inverted tx window: tx_min_dbm {min_dbm} is above tx_max_dbm {max_dbm}"),
                );
                return None;
            }
            Some(HealthyWindow { min_dbm, max_dbm })
        }
        (Some(one), None) | (None, Some(one)) => {
            c.problem(
                one.span(),
                format!("port {port_name:?}: set both tx_min_dbm and tx_max_dbm, or neither"),
            );
            None
        }
    }
}

/// A YYYY-MM-DD date, checked.
fn date(c: &mut Checker<'_>, field: &str, raw: &Option<Spanned<String>>) -> Option<String> {
    let d = raw.as_ref()?;
    let text = d.get_ref().trim();
    if humantime::parse_rfc3339_weak(&format!("{text}T00:00:00Z")).is_err() || text.len() != 10 {
        c.problem(
            d.span(),
            format!("{field} {text:?} must be a date, YYYY-MM-DD"),
        );
        return None;
    }
    Some(text.to_string())
}

fn link(
    c: &mut Checker<'_>,
    port: &str,
    id: LinkId,
    raw: &Spanned<RawLink>,
    known: &Known<'_>,
    used: &mut HashMap<(String, String), String>,
) -> Option<LinkConfig> {
    let l = raw.get_ref();
    let device_name = l.device.get_ref();
    let interface = l.interface.get_ref();
    let azure_admin_state = match &l.azure_admin_state {
        None => AzureAdminState::Unknown,
        Some(s) => match s.get_ref().to_ascii_lowercase().as_str() {
            "enabled" => AzureAdminState::Enabled,
            "disabled" => AzureAdminState::Disabled,
            "unknown" => AzureAdminState::Unknown,
            other => {
                c.problem(s.span(), format!("azure_admin_state {other:?} must be \"enabled\", \"disabled\" or \"unknown\""));
                AzureAdminState::Unknown
            }
        },
    };
    if interface.is_empty() {
        c.problem(
            l.interface.span(),
            format!("port {port:?} {id}: interface must not be empty"),
        );
    }
    if !known.raw.contains(device_name.as_str()) {
        c.problem(
            l.device.span(),
            format!("port {port:?} {id}: unknown device {device_name:?}"),
        );
        return None;
    }
    if let Some(SourceConfig::Sim(sim)) = known.devices.get(device_name.as_str()).map(|d| &d.source)
    {
        if !sim.interfaces.contains_key(interface) {
            let known: Vec<&str> = sim.interfaces.keys().map(|k| k.as_str()).collect();
            c.problem(
                l.interface.span(),
                format!("port {port:?} {id}: simulated device {device_name:?} has no interface {interface:?} (it has: {})", known.join(", ")),
            );
        }
    }
    let key = (device_name.clone(), interface.clone());
    let here = format!("{id} of port {port:?}");
    if let Some(other) = used.get(&key) {
        if !other.ends_with(&format!("port {port:?}")) {
            c.problem(raw.span(), format!("{device_name} {interface} is already {other}; one router port can serve only one link"));
        }
    } else {
        used.insert(key, here);
    }
    Some(LinkConfig {
        device: device_name.clone(),
        interface: interface.clone(),
        azure_admin_state,
    })
}

impl Config {
    /// Parses and validates config text. `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let fail = |problems| ConfigError {
            origin: origin.to_string(),
            problems,
        };
        let raw: raw::RawConfig = toml::from_str(text).map_err(|e| {
            fail(vec![Problem::new(
                text,
                e.span(),
                e.message().trim().to_string(),
            )])
        })?;
        resolve(raw, text).map_err(fail)
    }

    /// Reads, parses and validates a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            origin: origin.clone(),
            problems: vec![Problem {
                at: None,
                message: format!("cannot read the file: {e}"),
            }],
        })?;
        Config::parse(&text, &origin)
    }
}
