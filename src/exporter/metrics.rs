//! Renders /metrics: the state series are built fresh from a store snapshot at every
//! scrape (so a device or interface that leaves the config simply stops appearing),
//! then merged with the persistent poll histogram and error counters.
//!
//! Readings are exported only while fresh: a device that stopped answering shows
//! `lightgate_device_up 0` and failing readiness, not its last light levels frozen in
//! time. Dark optics export `lightgate_optic_no_light 1` and no power sample at all.

use std::fmt::Write as _;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use prometheus::{Encoder, TextEncoder};

use crate::domain::{tx_window, Direction, Level, OpticalPower};
use crate::source::SourceError;
use crate::store::{DeviceCounters, LinkView, PortView, Store, ALWAYS_EXPORTED_TRAPS, TRAP_KINDS};

/// One metric family under construction, written straight into the text exposition
/// format: building prometheus' protobuf structs (a String per label per sample) made
/// /metrics at 100k series take twice its budget (BENCHMARKS.md).
struct Family {
    name: &'static str,
    help: &'static str,
    kind: &'static str,
    body: String,
}

impl Family {
    fn new(name: &'static str, help: &'static str, kind: &'static str) -> Self {
        Family {
            name,
            help,
            kind,
            body: String::new(),
        }
    }

    fn gauge(name: &'static str, help: &'static str) -> Self {
        Self::new(name, help, "gauge")
    }

    fn counter(name: &'static str, help: &'static str) -> Self {
        Self::new(name, help, "counter")
    }

    fn histogram(name: &'static str, help: &'static str) -> Self {
        Self::new(name, help, "histogram")
    }

    /// Adds a sample. Non-finite values are dropped here, the last line of defence:
    /// nothing lightgate exports is ever NaN or infinite.
    fn add(&mut self, labels: &[(&str, &str)], value: f64) {
        self.add_to("", labels, value);
    }

    /// Adds a sample to the family's series `suffix` (a histogram's `_bucket`, `_sum`,
    /// `_count`).
    fn add_to(&mut self, suffix: &str, labels: &[(&str, &str)], value: f64) {
        if !value.is_finite() {
            return;
        }
        let b = &mut self.body;
        b.push_str(self.name);
        b.push_str(suffix);
        for (i, (k, v)) in labels.iter().enumerate() {
            b.push(if i == 0 { '{' } else { ',' });
            b.push_str(k);
            b.push_str("=\"");
            escape_label(b, v);
            b.push('"');
        }
        if !labels.is_empty() {
            b.push('}');
        }
        let _ = writeln!(b, " {value}");
    }

    /// The family's text (HELP, TYPE, samples), or None when it has no sample.
    fn text(self) -> Option<(&'static str, String)> {
        if self.body.is_empty() {
            return None;
        }
        let mut t = String::with_capacity(self.body.len() + 200);
        let _ = write!(t, "# HELP {} ", self.name);
        for c in self.help.chars() {
            match c {
                '\\' => t.push_str("\\\\"),
                '\n' => t.push_str("\\n"),
                c => t.push(c),
            }
        }
        let _ = write!(t, "\n# TYPE {} {}\n", self.name, self.kind);
        t.push_str(&self.body);
        Some((self.name, t))
    }
}

/// A label value as the text format wants it: backslash, double quote and newline
/// escaped.
fn escape_label(out: &mut String, v: &str) {
    if !v.contains(['\\', '"', '\n']) {
        out.push_str(v);
        return;
    }
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

fn bool_value(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

fn unix_seconds(t: SystemTime) -> Option<f64> {
    t.duration_since(UNIX_EPOCH).ok().map(|d| d.as_secs_f64())
}

/// Declares every state family once: the struct, its constructor and the list that is
/// rendered, so a family can never be defined and then forgotten.
macro_rules! families {
    ($($field:ident: $kind:ident($name:literal, $help:literal),)*) => {
        struct Families {
            $($field: Family,)*
            options: crate::config::MetricsOptions,
        }

        impl Families {
            fn new(options: crate::config::MetricsOptions) -> Self {
                Families {
                    $($field: Family::$kind($name, $help),)*
                    options,
                }
            }

            fn into_texts(self) -> Vec<(&'static str, String)> {
                [$(self.$field,)*].into_iter().filter_map(Family::text).collect()
            }
        }
    };
}

families! {
    rx_dbm: gauge("lightgate_optic_rx_power_dbm", "Received optical power in dBm, per module and per lane (lane label, 0-based). Absent when dark: see lightgate_optic_no_light."),
    tx_dbm: gauge("lightgate_optic_tx_power_dbm", "Transmitted optical power in dBm, per module and per lane (lane label, 0-based). Absent when dark."),
    rx_mw: gauge("lightgate_optic_rx_power_milliwatts", "Received optical power in milliwatts, per module and per lane, with [metrics] milliwatts = true. Absent when dark."),
    tx_mw: gauge("lightgate_optic_tx_power_milliwatts", "Transmitted optical power in milliwatts, per module and per lane, with [metrics] milliwatts = true. Absent when dark."),
    no_light: gauge("lightgate_optic_no_light", "1 when the optic reports no light in this direction (module, or lane when labelled), 0 when it measures light."),
    bias: gauge("lightgate_optic_bias_current_amperes", "Laser bias current in amperes, per module or per lane."),
    temperature: gauge("lightgate_optic_temperature_celsius", "Transceiver module temperature in degrees Celsius."),
    voltage: gauge("lightgate_optic_supply_voltage_volts", "Transceiver supply voltage in volts."),
    threshold: gauge("lightgate_optic_threshold_dbm", "The optic's own power thresholds in dBm, by direction (rx/tx) and level (high_alarm, high_warning, low_warning, low_alarm)."),
    admin_up: gauge("lightgate_link_admin_up", "1 when the router interface is administratively up (ifAdminStatus up)."),
    oper_up: gauge("lightgate_link_oper_up", "1 when the router interface is operationally up (ifOperStatus up)."),
    last_change: gauge("lightgate_link_last_change_timestamp_seconds", "Unix time at which the interface entered its current oper state, as the device reports it."),
    flaps: counter("lightgate_link_flaps_total", "Oper-state transitions seen on the link since the agent started (a flap between two polls counts two)."),
    azure_admin: gauge("lightgate_azure_link_admin_enabled", "1 when the Azure-side admin state of the Direct link is Enabled, 0 when Disabled; absent when unknown. Label origin says whether it was declared in the config or observed."),
    link_ready: gauge("lightgate_link_ready", "1 when every readiness check of the link passes."),
    check: gauge("lightgate_readiness_check", "1 when the named readiness check of the link passes, 0 when it fails."),
    port_ready: gauge("lightgate_port_ready", "1 when both links of the Direct port pair are ready for circuit creation."),
    device_up: gauge("lightgate_device_up", "1 when the latest poll of the device succeeded."),
    device_last_success: gauge("lightgate_device_last_success_timestamp_seconds", "Unix time of the latest successful poll of the device."),
    in_errors: counter("lightgate_link_in_errors_total", "Inbound errors on the interface, as the device counts them (ifInErrors; 32-bit, wraps)."),
    out_errors: counter("lightgate_link_out_errors_total", "Outbound errors on the interface, as the device counts them (ifOutErrors; 32-bit, wraps)."),
    azure_rx: gauge("lightgate_azure_rx_light_level_dbm", "Light level Azure's port receives (Azure Monitor RxLightLevel), per link and, where Azure splits it, lane."),
    azure_tx: gauge("lightgate_azure_tx_light_level_dbm", "Light level Azure's port transmits (Azure Monitor TxLightLevel), per link and lane."),
    azure_line: gauge("lightgate_azure_line_protocol_up", "1 when Azure Monitor's LineProtocol for the link is up."),
    azure_info: gauge("lightgate_azure_link_info", "Azure's description of the link (router, interface, patch panel, rack, connector), value 1."),
    azure_up: gauge("lightgate_azure_up", "1 when the latest Azure poll of the port succeeded."),
    circuit_provider: gauge("lightgate_azure_circuit_provider_state", "Service provider provisioning state of each circuit on the port (1 for the current state): NotProvisioned, Provisioning, Provisioned, Deprovisioning."),
    circuit_state: gauge("lightgate_azure_circuit_state", "Circuit provisioning state (1 for the current state): Enabled, Disabled, Enabling, Disabling."),
    circuit_provisioning: gauge("lightgate_azure_circuit_provisioning_state", "ARM provisioning state of each circuit (1 for the current state): Succeeded, Updating, Deleting, Failed."),
    peering_state: gauge("lightgate_azure_peering_state", "State of each peering of each circuit (1 for the current state): Enabled, Disabled."),
    prefixes_state: gauge("lightgate_azure_peering_advertised_prefixes_state", "Advertised public prefixes state of each Microsoft peering and address family (1 for the current state): NotConfigured, Configuring, Configured, ValidationNeeded."),
    tx_window: gauge("lightgate_tx_window_dbm", "The window the link's transmitted light is judged by, in dBm, bound min or max: the port's tx_min_dbm/tx_max_dbm, else the optic's warning thresholds, else its standard's launch power (never the Rx window)."),
    window: gauge("lightgate_healthy_window_dbm", "The port's healthy light window in dBm, bound min or max (default -10 and 0, Microsoft's documented range)."),
    bgp_state: gauge("lightgate_bgp_session_state", "State of each BGP session a peering needs, on the router of its link (1 for the current state): idle, connect, active, opensent, openconfirm, established, and absent when the router has no such neighbour."),
    bgp_established: gauge("lightgate_bgp_established_timestamp_seconds", "Unix time at which the BGP session last became established (from the up time the router reports; moves only when the session restarts)."),
    bgp_received: gauge("lightgate_bgp_prefixes_received", "Prefixes received from Microsoft on the session, in the session's address family, where the router reports them."),
    bgp_accepted: gauge("lightgate_bgp_prefixes_accepted", "Prefixes accepted by the router's import policy on the session, where the router reports them."),
    bgp_advertised: gauge("lightgate_bgp_prefixes_advertised", "Prefixes the router advertises to Microsoft on the session (declared: 1 when taken from the config's advertised_prefix_count)."),
    bgp_limit: gauge("lightgate_bgp_prefix_limit", "Microsoft's documented limit of prefixes advertised to it on the session (4000/10000 IPv4 and 100 IPv6 on private peering, 200 on Microsoft peering)."),
    peering_ready: gauge("lightgate_peering_ready", "1 when enable-traffic would be granted on this peering now: the port's links ready, its circuit on the port, Succeeded, Provisioned and Enabled (when read from Azure), and every peering check passes (both BGP sessions established with AS 12076, stable, prefixes received, headroom under Microsoft's limit, advertised prefixes Configured in every family)."),
    peering_check: gauge("lightgate_peering_check", "1 when the named peering readiness check passes, 0 when it fails."),
    bgp_bfd: gauge("lightgate_bgp_bfd_up", "1 when the router reports the BFD session to the BGP neighbour up, 0 when it reports it in another state (admin down, down, init); absent when it reports no BFD session to the neighbour."),
    bgp_ready: gauge("lightgate_bgp_session_ready", "1 when one BGP session a peering needs passes every check about it alone (established with AS 12076 and read fresh, stable, prefixes received, headroom, and BFD up where the peering requires it): what the agent polling that router can tell, for gates that combine shards through Prometheus."),
    poll_duration: histogram("lightgate_poll_duration_seconds", "Time taken by each poll of a device, successful or not."),
    poll_errors: counter("lightgate_poll_errors_total", "Failed polls of a device, by kind: timeout, transport, decode, auth."),
    snmp_requests: counter("lightgate_snmp_requests_total", "SNMP request PDUs sent to a device, retries included."),
    snmp_varbinds: counter("lightgate_snmp_varbinds_total", "Varbinds received from a device in SNMP responses."),
    snmp_traps: counter("lightgate_snmp_traps_total", "SNMP notifications accepted from a device, by trap (linkDown, linkUp, entConfigChange, bgpEstablished, bgpBackwardTransition, other)."),
    trap_polls_coalesced: counter("lightgate_snmp_trap_polls_coalesced_total", "Link traps that did not start a poll of their own: the device was being polled, or had been a moment ago."),
    span_loss: gauge("lightgate_span_loss_db", "Loss of the link's fibre in dB: direction to_azure is our Tx minus Azure's Rx, from_azure is Azure's Tx minus our Rx."),
}

impl Families {
    /// A device's poll and SNMP counters. Errors by kind and the link traps are
    /// exported at zero from the start, so that `increase()` sees the first one; the
    /// histogram once the device has been polled.
    fn counters(&mut self, device: &str, snmp: bool, c: &DeviceCounters) {
        let one = [("device", device)];
        for (kind, n) in SourceError::KINDS.iter().zip(c.errors) {
            self.poll_errors
                .add(&[("device", device), ("kind", kind)], n as f64);
        }
        if c.polls > 0 {
            for (le, n) in c.cumulative_buckets() {
                self.poll_duration
                    .add_to("_bucket", &[("device", device), ("le", le)], n as f64);
            }
            self.poll_duration.add_to("_sum", &one, c.poll_seconds);
            self.poll_duration.add_to("_count", &one, c.polls as f64);
        }
        if snmp {
            self.snmp_requests.add(&one, c.snmp_requests as f64);
            self.snmp_varbinds.add(&one, c.snmp_varbinds as f64);
            for (i, (kind, n)) in TRAP_KINDS.iter().zip(c.traps).enumerate() {
                if n > 0 || i < ALWAYS_EXPORTED_TRAPS {
                    self.snmp_traps
                        .add(&[("device", device), ("trap", kind.as_str())], n as f64);
                }
            }
        }
        if c.trap_polls_coalesced > 0 {
            self.trap_polls_coalesced
                .add(&one, c.trap_polls_coalesced as f64);
        }
    }

    fn power(&mut self, base: &[(&str, &str)], direction: Direction, power: OpticalPower) {
        let (dbm, mw) = match direction {
            Direction::Rx => (&mut self.rx_dbm, &mut self.rx_mw),
            Direction::Tx => (&mut self.tx_dbm, &mut self.tx_mw),
        };
        if let OpticalPower::Measured(p) = power {
            dbm.add(base, p.dbm());
            if self.options.milliwatts {
                mw.add(base, p.milliwatts());
            }
        }
        if !matches!(
            power,
            OpticalPower::NotSupported | OpticalPower::Inconsistent
        ) {
            let mut labels = base.to_vec();
            labels.push(("direction", direction.as_str()));
            self.no_light.add(&labels, bool_value(power.is_no_light()));
        }
    }

    /// State sets: one series per known state, 1 for the current one (and the current
    /// one even when it is not a known state).
    fn circuits(&mut self, port: &str, circuits: &[crate::domain::AzureCircuit]) {
        fn set(family: &mut Family, labels: &[(&str, &str)], known: &[&str], current: &str) {
            let mut states: Vec<&str> = known.to_vec();
            if !states.contains(&current) {
                states.push(current);
            }
            for s in states {
                let mut l = labels.to_vec();
                l.push(("state", s));
                family.add(&l, bool_value(s == current));
            }
        }
        for c in circuits {
            let base = [("port", port), ("circuit", c.name.as_str())];
            set(
                &mut self.circuit_provider,
                &base,
                &[
                    "NotProvisioned",
                    "Provisioning",
                    "Provisioned",
                    "Deprovisioning",
                ],
                &c.provider_state,
            );
            set(
                &mut self.circuit_state,
                &base,
                &["Enabled", "Disabled", "Enabling", "Disabling"],
                &c.circuit_state,
            );
            set(
                &mut self.circuit_provisioning,
                &base,
                &["Succeeded", "Updating", "Deleting", "Failed"],
                &c.provisioning_state,
            );
            for p in &c.peerings {
                let labels = [
                    ("port", port),
                    ("circuit", c.name.as_str()),
                    ("peering", p.kind.as_str()),
                ];
                set(
                    &mut self.peering_state,
                    &labels,
                    &["Enabled", "Disabled"],
                    &p.state,
                );
                for a in &p.advertised {
                    let mut labels = labels.to_vec();
                    labels.push(("family", a.family));
                    set(
                        &mut self.prefixes_state,
                        &labels,
                        &[
                            "NotConfigured",
                            "Configuring",
                            "Configured",
                            "ValidationNeeded",
                        ],
                        &a.state,
                    );
                }
            }
        }
    }

    /// Each peering's readiness and the BGP sessions it needs.
    fn peerings(
        &mut self,
        port: &PortView,
        established: &std::collections::HashMap<String, crate::store::bgp::EstablishedAt>,
    ) {
        let name = port.config.name.as_str();
        // A port split across shards: each agent exports the sessions of its own
        // router and the checks that do not depend on routers; the verdict is
        // Prometheus's to combine (lightgate gate --prometheus).
        let all_local = port.links.iter().all(|l| !l.remote);
        let local =
            |link: crate::domain::LinkId| port.links.iter().any(|l| l.link == link && !l.remote);
        for p in &port.peerings {
            let base = [
                ("port", name),
                ("circuit", p.circuit.as_str()),
                ("peering", p.peering.as_str()),
            ];
            if all_local {
                self.peering_ready
                    .add(&base, bool_value(port.decide_peering(p).ready()));
            }
            for c in &p.checks {
                if !all_local
                    && c.name != crate::bgp::PeeringCheckName::AdvertisedPrefixesConfigured
                {
                    continue;
                }
                let mut l = base.to_vec();
                l.push(("check", c.name.as_str()));
                self.peering_check.add(&l, bool_value(c.pass));
            }
            for v in &p.sessions {
                let e = &v.expected;
                if !local(e.link) {
                    continue;
                }
                let neighbor = e.microsoft.to_string();
                let family = e.family.to_string();
                let mut l = base.to_vec();
                l.extend([
                    ("link", e.link.as_str()),
                    ("device", v.device.as_str()),
                    ("neighbor", neighbor.as_str()),
                    ("family", family.as_str()),
                ]);
                self.bgp_limit.add(&l, v.limit as f64);
                self.bgp_ready.add(&l, bool_value(v.pass));
                if let Some(n) = v.advertised {
                    let mut a = l.clone();
                    a.push(("declared", if v.advertised_declared { "1" } else { "0" }));
                    self.bgp_advertised.add(&a, n as f64);
                }
                let Some(s) = &v.found else { continue };
                for st in crate::bgp::BgpState::ALL {
                    let mut x = l.clone();
                    x.push(("state", st.as_str()));
                    self.bgp_state.add(&x, bool_value(s.state == st));
                }
                if let Some(b) = &s.bfd {
                    self.bgp_bfd
                        .add(&l, bool_value(b.state == crate::bgp::BfdState::Up));
                }
                if let Some(c) = s.family(&e.family) {
                    if let Some(n) = c.received.or(c.accepted) {
                        self.bgp_received.add(&l, n as f64);
                    }
                    if let Some(n) = c.accepted {
                        self.bgp_accepted.add(&l, n as f64);
                    }
                }
                if let Some(t) = established
                    .get(&v.device)
                    .and_then(|e| e.get(&(s.vrf.clone(), s.peer)))
                {
                    self.bgp_established.add(&l, *t);
                }
            }
        }
    }

    /// Azure's own series of a link: labelled by port and link only (Azure knows
    /// nothing of our device and interface names).
    fn azure_link(&mut self, port: &str, view: &LinkView) {
        let Some(a) = &view.azure else { return };
        let base = [("port", port), ("link", view.link.as_str())];
        if let Some(up) = a.line_protocol_up {
            self.azure_line.add(&base, bool_value(up));
        }
        for (family, levels) in [(&mut self.azure_rx, &a.rx), (&mut self.azure_tx, &a.tx)] {
            for l in levels {
                let mut labels = base.to_vec();
                if let Some(lane) = &l.lane {
                    labels.push(("lane", lane.as_str()));
                }
                family.add(&labels, l.dbm);
            }
        }
        let info = &a.info;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let (router, iface, panel, rack, connector) = (
            text(&info.router_name),
            text(&info.interface_name),
            text(&info.patch_panel_id),
            text(&info.rack_id),
            text(&info.connector_type),
        );
        let mut labels = base.to_vec();
        labels.extend([
            ("router_name", router.as_str()),
            ("interface_name", iface.as_str()),
            ("patch_panel_id", panel.as_str()),
            ("rack_id", rack.as_str()),
            ("connector_type", connector.as_str()),
        ]);
        self.azure_info.add(&labels, 1.0);
    }

    fn link(&mut self, port: &PortView, view: &LinkView) {
        if view.remote {
            // Another agent of the fleet exports this link.
            return;
        }
        let base = [
            ("port", port.config.name.as_str()),
            ("link", view.link.as_str()),
            ("device", view.config.device.as_str()),
            ("interface", view.config.interface.as_str()),
        ];
        let readiness = port.readiness.links()[match view.link {
            crate::domain::LinkId::Link1 => 0,
            crate::domain::LinkId::Link2 => 1,
        }];
        self.link_ready.add(&base, bool_value(readiness.ready()));
        for c in &readiness.checks {
            let mut labels = base.to_vec();
            labels.push(("check", c.name.as_str()));
            self.check.add(&labels, bool_value(c.pass));
        }
        self.flaps.add(&base, view.flaps as f64);
        if let (true, Some(optic)) = (
            view.fresh,
            view.reading.as_ref().and_then(|r| r.optic.as_ref()),
        ) {
            let (w, _) = tx_window(optic, &port.config.policy().windows);
            for (bound, v) in [("min", w.min_dbm), ("max", w.max_dbm)] {
                let mut labels = base.to_vec();
                labels.push(("bound", bound));
                self.tx_window.add(&labels, v);
            }
        }
        if view.azure_admin != crate::domain::AzureAdminState::Unknown {
            let mut labels = base.to_vec();
            labels.push(("origin", view.azure_origin));
            self.azure_admin.add(
                &labels,
                bool_value(view.azure_admin == crate::domain::AzureAdminState::Enabled),
            );
        }
        self.azure_link(&port.config.name, view);
        for (direction, loss) in [
            ("to_azure", view.span_loss_db.0),
            ("from_azure", view.span_loss_db.1),
        ] {
            if let Some(db) = loss {
                let mut labels = base.to_vec();
                labels.push(("direction", direction));
                self.span_loss.add(&labels, db);
            }
        }
        let (Some(reading), true) = (&view.reading, view.fresh) else {
            return;
        };
        self.reading(&base, reading);
    }

    /// The series of one fresh reading: link state, counters and the optic's DOM.
    fn reading(&mut self, base: &[(&str, &str)], reading: &crate::domain::LinkReading) {
        self.admin_up.add(
            base,
            bool_value(reading.admin_status == crate::domain::AdminStatus::Up),
        );
        self.oper_up.add(
            base,
            bool_value(reading.oper_status == crate::domain::OperStatus::Up),
        );
        if let Some(t) = reading.last_change.and_then(unix_seconds) {
            self.last_change.add(base, t);
        }
        if let Some(e) = reading.details.in_errors {
            self.in_errors.add(base, e as f64);
        }
        if let Some(e) = reading.details.out_errors {
            self.out_errors.add(base, e as f64);
        }
        let Some(optic) = &reading.optic else {
            return;
        };
        for d in Direction::BOTH {
            self.power(base, d, optic.power(d));
            for level in Level::ALL {
                if let Some(v) = optic.thresholds(d).get(level) {
                    let mut labels = base.to_vec();
                    labels.push(("direction", d.as_str()));
                    labels.push(("level", level.as_str()));
                    self.threshold.add(&labels, v);
                }
            }
        }
        if let Some(b) = optic.bias_amperes {
            self.bias.add(base, b);
        }
        if let Some(t) = optic.temperature_celsius {
            self.temperature.add(base, t);
        }
        if let Some(v) = optic.voltage_volts {
            self.voltage.add(base, v);
        }
        for lane in &optic.lanes {
            let lane_no = lane.lane.to_string();
            let mut labels = base.to_vec();
            labels.push(("lane", lane_no.as_str()));
            for d in Direction::BOTH {
                self.power(&labels, d, lane.power(d));
            }
            if let Some(b) = lane.bias_amperes {
                self.bias.add(&labels, b);
            }
        }
    }
}

impl Families {
    /// Every series of one port: its verdict (the gate's create-circuit answer), its
    /// window, links, circuits and peerings.
    fn port(
        &mut self,
        port: &PortView,
        established: &std::collections::HashMap<String, crate::store::bgp::EstablishedAt>,
    ) {
        let f = self;
        // A port split across shards has no verdict here: Prometheus combines the
        // link series of both agents (lightgate gate --prometheus).
        if port.links.iter().all(|l| !l.remote) {
            f.port_ready.add(
                &[("port", port.config.name.as_str())],
                bool_value(
                    port.decide(lightgate_core::gate::Action::CreateCircuit, None)
                        .ready(),
                ),
            );
        }
        // The window is drawn beside the link series; a port whose links are all polled
        // by other agents has none here.
        if port.links.iter().any(|l| !l.remote) {
            for (bound, v) in [
                ("min", port.config.window.min_dbm),
                ("max", port.config.window.max_dbm),
            ] {
                f.window
                    .add(&[("port", port.config.name.as_str()), ("bound", bound)], v);
            }
        }
        for view in &port.links {
            f.link(port, view);
        }
        if let Some(a) = &port.azure {
            f.circuits(&port.config.name, &a.circuits);
        }
        f.peerings(port, established);
    }
}

/// The series of one port alone, as /metrics renders them (for the answers' agreement
/// test).
#[cfg(test)]
pub fn render_port(port: &PortView) -> String {
    let mut f = Families::new(Default::default());
    f.port(port, &Default::default());
    f.into_texts().into_iter().map(|(_, text)| text).collect()
}

/// The full /metrics text at `now`.
pub fn render(store: &Store, now: Instant) -> String {
    let mut f = Families::new(store.config().metrics);
    let established = store.bgp_established_at();
    for port in store.ports(now) {
        f.port(&port, &established);
    }
    // Monitored interfaces outside any port: by device and interface only.
    store.for_each_monitored(now, |device, interface, reading| {
        f.reading(&[("device", device), ("interface", interface)], reading);
    });
    for (port, up) in store.azure_up() {
        f.azure_up.add(&[("port", port.as_str())], bool_value(up));
    }
    for d in store.devices() {
        f.device_up.add(
            &[("device", d.name.as_str()), ("source", d.source)],
            bool_value(d.up),
        );
        if let Some(t) = d.last_success_wall.and_then(unix_seconds) {
            f.device_last_success.add(&[("device", d.name.as_str())], t);
        }
        f.counters(&d.name, d.source == "snmp", &d.counters);
    }
    // Families in name order, ours and the poll histogram/counters alike.
    let mut texts: Vec<(String, String)> = f
        .into_texts()
        .into_iter()
        .map(|(name, text)| (name.to_string(), text))
        .collect();
    for mf in store.poll_metrics.gather() {
        if mf.get_metric().is_empty() {
            continue;
        }
        let mut out = Vec::new();
        match TextEncoder::new().encode(std::slice::from_ref(&mf), &mut out) {
            Ok(()) => texts.push((
                mf.name().to_string(),
                String::from_utf8(out).unwrap_or_default(),
            )),
            Err(e) => tracing::error!(error = %e, family = mf.name(), "Failed to encode metrics."),
        }
    }
    texts.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::with_capacity(texts.iter().map(|(_, t)| t.len()).sum());
    for (_, t) in texts {
        out.push_str(&t);
    }
    out
}

#[cfg(test)]
mod text_tests {
    use super::*;

    #[test]
    fn samples_are_written_in_the_text_format_with_escaped_labels() {
        let mut f = Family::gauge("lightgate_x", "Help with a \\ backslash\nand a newline.");
        f.add(&[], 0.0);
        f.add(&[("device", "r\"1\\\n"), ("lane", "0")], -2.5);
        f.add(&[("device", "nan")], f64::NAN);
        let (name, text) = f.text().unwrap();
        assert_eq!(name, "lightgate_x");
        assert_eq!(
            text,
            "# HELP lightgate_x Help with a \\\\ backslash\\nand a newline.\n\
             # TYPE lightgate_x gauge\n\
             lightgate_x 0\n\
             lightgate_x{device=\"r\\\"1\\\\\\n\",lane=\"0\"} -2.5\n"
        );
        assert!(
            Family::counter("c", "h").text().is_none(),
            "no samples, no family"
        );
    }
}
