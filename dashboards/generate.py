#!/usr/bin/env python3
"""Writes the Grafana dashboards (Grafana 10+ JSON model, schemaVersion 39) of lightgate.

The JSON files are committed and importable as they are; this script is how they are
made, so a change to a panel is made here and the files regenerated:

    python3 dashboards/generate.py

tests/monitoring.rs checks that the committed files are what this script writes, the
result (ids, grid, datasources, metric names, units), and, against a live Prometheus,
that every query returns data.
"""
import json
import os

DS = {"type": "prometheus", "uid": "${datasource}"}

# Grafana's built-in "dBm" unit takes SI prefixes: -0.2 dBm shows as "-200 mdBm". A
# custom suffix unit is printed as it is.
DBM = "suffix: dBm"


class Layout:
    """Places panels left to right, top to bottom, on Grafana's 24-column grid."""

    def __init__(self):
        self.x, self.y, self.row_h, self.next_id = 0, 0, 0, 1

    def place(self, w, h):
        if self.x + w > 24:
            self.x, self.y, self.row_h = 0, self.y + self.row_h, 0
        pos = {"x": self.x, "y": self.y, "w": w, "h": h}
        self.x += w
        self.row_h = max(self.row_h, h)
        return pos

    def newline(self):
        if self.x:
            self.x, self.y, self.row_h = 0, self.y + self.row_h, 0

    def id(self):
        self.next_id += 1
        return self.next_id - 1


def target(expr, legend, ref, instant=False, fmt="time_series"):
    t = {"datasource": DS, "expr": expr, "legendFormat": legend, "refId": ref, "range": not instant, "instant": instant}
    if fmt != "time_series":
        t["format"] = fmt
    return t


def panel(L, kind, title, description, targets, w, h, unit=None, **extra):
    p = {
        "id": L.id(),
        "type": kind,
        "title": title,
        "description": description,
        "datasource": DS,
        "gridPos": L.place(w, h),
        "targets": [target(*t) if isinstance(t, tuple) else t for t in targets],
        "fieldConfig": {"defaults": {}, "overrides": []},
        "options": {},
    }
    if unit:
        p["fieldConfig"]["defaults"]["unit"] = unit
    for k, v in extra.items():
        if k == "defaults":
            p["fieldConfig"]["defaults"].update(v)
        elif k == "overrides":
            p["fieldConfig"]["overrides"] = v
        else:
            p[k] = v
    return p


def thresholds(*steps):
    return {"mode": "absolute", "steps": [{"color": c, "value": v} for c, v in steps]}


UP_DOWN = [{"type": "value", "options": {"0": {"text": "down", "color": "red"}, "1": {"text": "up", "color": "green"}}}]
WINDOW = thresholds(("red", None), ("green", -10), ("red", 0.0001))


def light_panel(L, direction, word):
    # Rx is judged by the port's healthy window (Microsoft's -10..0 dBm); Tx by the
    # optic's own transmit window (its warning thresholds or its standard's launch
    # power), exported per link as lightgate_tx_window_dbm: no green Rx band on Tx.
    if direction == "rx":
        window = ('lightgate_healthy_window_dbm{port=~"$port"}', "healthy {{bound}}", "C")
        good = ("Good: every line inside the green healthy window (-10 to 0 dBm by default, the dashed 'healthy' lines show the port's own window) "
                "and away from the optic's warning and alarm thresholds (dashed orange and red).")
        defaults = {"thresholds": WINDOW, "custom": {"thresholdsStyle": {"mode": "area"}, "lineWidth": 2}}
    else:
        window = ('lightgate_tx_window_dbm{port=~"$port",link=~"$link"}', "{{link}} window {{bound}}", "C")
        good = ("Good: every line between its link's dashed 'window' lines (the optic's warning thresholds, else its standard's launch power; "
                "a healthy LR4 launches above 0 dBm) and away from the alarm thresholds (dashed orange).")
        defaults = {"custom": {"lineWidth": 2}}
    return panel(
        L, "timeseries", f"{word} power (dBm)",
        f"Light the router's optic {'receives from' if direction == 'rx' else 'sends towards'} Azure, per link and lane. "
        + good + " A gap means the optic reports no light.",
        [
            (f'lightgate_optic_{direction}_power_dbm{{port=~"$port",link=~"$link",lane=~"$lane"}}', "{{link}} {{lane}}", "A"),
            (f'lightgate_optic_threshold_dbm{{port=~"$port",link=~"$link",direction="{direction}"}}', "{{link}} {{level}}", "B"),
            window,
        ],
        12, 8, DBM,
        defaults=defaults,
        overrides=[
            {"matcher": {"id": "byFrameRefID", "options": "B"},
             "properties": [{"id": "custom.lineStyle", "value": {"fill": "dash", "dash": [10, 10]}}, {"id": "color", "value": {"mode": "fixed", "fixedColor": "orange"}}, {"id": "custom.lineWidth", "value": 1}]},
            {"matcher": {"id": "byFrameRefID", "options": "C"},
             "properties": [{"id": "custom.lineStyle", "value": {"fill": "dash", "dash": [4, 4]}}, {"id": "color", "value": {"mode": "fixed", "fixedColor": "green"}}, {"id": "custom.lineWidth", "value": 1}]},
        ],
    )


def overview():
    L = Layout()
    panels = [{"id": L.id(), "type": "row", "title": "Port $port", "repeat": "port", "collapsed": False, "gridPos": L.place(24, 1), "panels": []}]
    L.newline()
    panels.append(panel(
        L, "stat", "Verdict", "Whether the port pair is ready for circuit creation. Good: READY (both links pass every check).",
        [('lightgate_port_ready{port=~"$port"}', "{{port}}", "A")], 4, 6,
        defaults={"mappings": [{"type": "value", "options": {"0": {"text": "NOT READY", "color": "red"}, "1": {"text": "READY", "color": "green"}}}],
                  "thresholds": thresholds(("red", None), ("green", 1)), "color": {"mode": "thresholds"}},
        options={"colorMode": "background", "graphMode": "none", "textMode": "value", "reduceOptions": {"calcs": ["lastNotNull"], "values": False, "fields": ""}},
    ))
    panels.append(panel(
        L, "table", "Failing checks", "Every readiness check that fails now, by link. Good: empty. lightgate status or GET /api/v1/ports/<port> give the sentence for each.",
        [('lightgate_readiness_check{port=~"$port",link=~"$link"} == 0', "", "A", True, "table")], 8, 6,
        transformations=[{"id": "organize", "options": {"excludeByName": {"Time": True, "Value": True, "__name__": True, "port": True, "job": True, "instance": True}, "renameByName": {"check": "failing check"}}}],
    ))
    panels.append(panel(
        L, "stat", "No light", "Links and lanes whose optic reports no light, per direction. Good: 0 everywhere on admin-up links.",
        [('sum by (link, direction) (lightgate_optic_no_light{port=~"$port",link=~"$link"})', "{{link}} {{direction}}", "A")], 6, 6,
        defaults={"thresholds": thresholds(("green", None), ("red", 1)), "color": {"mode": "thresholds"}},
        options={"colorMode": "background", "graphMode": "none", "reduceOptions": {"calcs": ["lastNotNull"], "values": False, "fields": ""}},
    ))
    panels.append(panel(
        L, "stat", "Azure admin state", "The Azure-side admin state of each Direct link (observed from Azure, or declared in the config). Good: Enabled on both links.",
        [('lightgate_azure_link_admin_enabled{port=~"$port",link=~"$link"}', "{{link}} ({{origin}})", "A")], 6, 6,
        defaults={"mappings": [{"type": "value", "options": {"0": {"text": "Disabled", "color": "red"}, "1": {"text": "Enabled", "color": "green"}}}],
                  "thresholds": thresholds(("red", None), ("green", 1)), "color": {"mode": "thresholds"}},
        options={"colorMode": "background", "graphMode": "none", "reduceOptions": {"calcs": ["lastNotNull"], "values": False, "fields": ""}},
    ))
    L.newline()
    panels.append(light_panel(L, "rx", "Rx"))
    panels.append(light_panel(L, "tx", "Tx"))
    panels.append(panel(
        L, "bargauge", "Rx per lane (now)", "Receive power of each lane of multi-lane optics. Good: all lanes green and close to each other; one low lane points at that wavelength.",
        [('lightgate_optic_rx_power_dbm{port=~"$port",link=~"$link",lane!="",lane=~"$lane"}', "{{link}} lane {{lane}}", "A", True)], 8, 8, DBM,
        defaults={"min": -20, "max": 5, "thresholds": WINDOW, "color": {"mode": "thresholds"}},
        options={"orientation": "horizontal", "displayMode": "gradient", "reduceOptions": {"calcs": ["lastNotNull"], "values": False, "fields": ""}},
    ))
    panels.append(panel(
        L, "bargauge", "Tx per lane (now)", "Transmit power of each lane. Good: all lanes inside their link's transmit window (the Tx panel's dashed lines) and close to each other; a low lane is a failing laser at that wavelength.",
        [('lightgate_optic_tx_power_dbm{port=~"$port",link=~"$link",lane!="",lane=~"$lane"}', "{{link}} lane {{lane}}", "A", True)], 8, 8, DBM,
        # No fixed colour band: the transmit window depends on the optic (lightgate_tx_window_dbm).
        defaults={"min": -15, "max": 6, "color": {"mode": "fixed", "fixedColor": "blue"}},
        options={"orientation": "horizontal", "displayMode": "gradient", "reduceOptions": {"calcs": ["lastNotNull"], "values": False, "fields": ""}},
    ))
    panels.append(panel(
        L, "table", "Lanes against the window and the optic's alarms (now)", "Every lane's Rx with the port's healthy window and the optic's alarm thresholds side by side. Good: every Rx between window min and max, and between the low and high alarms.",
        [('lightgate_optic_rx_power_dbm{port=~"$port",link=~"$link",lane!="",lane=~"$lane"}', "", "A", True, "table"),
         ('lightgate_optic_threshold_dbm{port=~"$port",link=~"$link",direction="rx",level=~"low_alarm|high_alarm"}', "", "B", True, "table"),
         ('lightgate_healthy_window_dbm{port=~"$port"}', "", "C", True, "table")], 8, 8, DBM,
        transformations=[{"id": "merge", "options": {}},
                         {"id": "organize", "options": {"excludeByName": {"Time": True, "__name__": True, "job": True, "instance": True}}}],
    ))
    L.newline()
    panels.append(panel(
        L, "state-timeline", "Link state", "Operational and administrative state of each router port. Good: up all the time; red stripes are outages or shutdowns.",
        [('lightgate_link_oper_up{port=~"$port",link=~"$link"}', "{{link}} oper", "A"), ('lightgate_link_admin_up{port=~"$port",link=~"$link"}', "{{link}} admin", "B")], 8, 8,
        defaults={"mappings": UP_DOWN, "thresholds": thresholds(("red", None), ("green", 1)), "color": {"mode": "thresholds"}},
    ))
    panels.append(panel(
        L, "timeseries", "Flaps", "Oper-state transitions per interval. Good: none; any flap restarts the hold-down, and repeated flaps page.",
        [('increase(lightgate_link_flaps_total{port=~"$port",link=~"$link"}[$__rate_interval])', "{{link}}", "A")], 8, 8, "short",
        defaults={"custom": {"drawStyle": "bars", "fillOpacity": 80}},
    ))
    L.newline()
    panels.append(panel(
        L, "timeseries", "Azure light levels (dBm)", "Microsoft's own view of the same fibres (Azure Monitor RxLightLevel and TxLightLevel of the Direct port), per link and lane. Good: inside -10 to 0 dBm.",
        [('lightgate_azure_rx_light_level_dbm{port=~"$port",link=~"$link"}', "{{link}} Azure rx {{lane}}", "A"), ('lightgate_azure_tx_light_level_dbm{port=~"$port",link=~"$link"}', "{{link}} Azure tx {{lane}}", "B")], 8, 8, DBM,
        defaults={"thresholds": WINDOW, "custom": {"thresholdsStyle": {"mode": "area"}}},
    ))
    panels.append(panel(
        L, "timeseries", "Span loss (dB)", "Loss of each fibre: to_azure is our Tx minus Azure's Rx, from_azure is Azure's Tx minus our Rx. Good: a few tenths to about 2 dB; more with both optics healthy points at a dirty patch panel or cross-connect.",
        [('lightgate_span_loss_db{port=~"$port",link=~"$link"}', "{{link}} {{direction}}", "A")], 8, 8, "dB",
        defaults={"thresholds": thresholds(("green", None), ("orange", 2), ("red", 3)), "custom": {"thresholdsStyle": {"mode": "line"}}},
    ))
    panels.append(panel(
        L, "state-timeline", "Azure line protocol", "Azure Monitor's LineProtocol of each link. Good: up.",
        [('lightgate_azure_line_protocol_up{port=~"$port",link=~"$link"}', "{{link}}", "A")], 8, 8,
        defaults={"mappings": UP_DOWN, "thresholds": thresholds(("red", None), ("green", 1)), "color": {"mode": "thresholds"}},
    ))
    L.newline()
    panels.append(panel(
        L, "table", "Direct links in Azure", "Azure's description of each link of the port: Microsoft's router and interface, the patch panel and rack of the cross-connect (as on the LOA), the connector. Check it against the colocation's cross-connect order.",
        [('lightgate_azure_link_info{port=~"$port",link=~"$link"}', "", "A", True, "table")], 12, 6,
        transformations=[{"id": "organize", "options": {"excludeByName": {"Time": True, "Value": True, "__name__": True, "job": True, "instance": True},
                                                         "renameByName": {"router_name": "Microsoft router", "interface_name": "interface", "patch_panel_id": "patch panel", "rack_id": "rack", "connector_type": "connector"}}}],
    ))
    panels.append(panel(
        L, "timeseries", "Interface errors", "Input and output errors per second on each router port (ifInErrors/ifOutErrors). Good: zero; errors with good light point at a dirty or damaged connector, or a speed/FEC mismatch.",
        [('rate(lightgate_link_in_errors_total{port=~"$port",link=~"$link"}[$__rate_interval])', "{{link}} in", "A"),
         ('rate(lightgate_link_out_errors_total{port=~"$port",link=~"$link"}[$__rate_interval])', "{{link}} out", "B")], 12, 6, "pps",
    ))
    L.newline()
    panels.append(panel(
        L, "state-timeline", "Circuit states", "Each circuit on the port: Azure's circuit state, the provider's provisioning state and ARM's provisioning state over time. Good: Enabled, Provisioned, Succeeded.",
        [('lightgate_azure_circuit_state{port=~"$port"} == 1', "{{circuit}} circuit {{state}}", "A"),
         ('lightgate_azure_circuit_provider_state{port=~"$port"} == 1', "{{circuit}} provider {{state}}", "B"),
         ('lightgate_azure_circuit_provisioning_state{port=~"$port"} == 1', "{{circuit}} ARM {{state}}", "C")], 12, 7,
        defaults={"mappings": [{"type": "value", "options": {"1": {"text": "current", "color": "blue"}}}], "color": {"mode": "fixed", "fixedColor": "blue"}},
    ))
    panels.append(panel(
        L, "state-timeline", "Peering states", "Each peering of each circuit, and the advertised public prefixes state of Microsoft peerings over time. Good: Enabled, and Configured for the prefixes.",
        [('lightgate_azure_peering_state{port=~"$port"} == 1', "{{circuit}} {{peering}} {{state}}", "A"),
         ('lightgate_azure_peering_advertised_prefixes_state{port=~"$port"} == 1', "{{circuit}} {{peering}} prefixes {{state}}", "B")], 12, 7,
        defaults={"mappings": [{"type": "value", "options": {"1": {"text": "current", "color": "blue"}}}], "color": {"mode": "fixed", "fixedColor": "blue"}},
    ))
    L.newline()
    panels.append(panel(
        L, "stat", "Peering ready for traffic", "Each peering of the port's circuits: 1 when both BGP sessions to Microsoft are established with AS 12076, stable, receive prefixes, advertise under Microsoft's limit and (Microsoft peering) the advertised prefixes are Configured. The enable-traffic gate decides on the same checks.",
        [('lightgate_peering_ready{port=~"$port"}', "{{circuit}} {{peering}}", "A")], 6, 7,
        defaults={"mappings": [{"type": "value", "options": {"0": {"text": "NOT READY", "color": "red"}, "1": {"text": "READY", "color": "green"}}}],
                  "thresholds": thresholds(("red", None), ("green", 1)), "color": {"mode": "thresholds"}},
        options={"colorMode": "background", "graphMode": "none", "reduceOptions": {"calcs": ["lastNotNull"], "values": False, "fields": ""}},
    ))
    panels.append(panel(
        L, "state-timeline", "BGP sessions to Microsoft", "The state of each BGP session a peering needs, on the router of its link, over time. Good: established on both links.",
        [('lightgate_bgp_session_state{port=~"$port",link=~"$link"} == 1', "{{peering}} {{link}} {{neighbor}} {{state}}", "A")], 18, 7,
        defaults={"mappings": [{"type": "value", "options": {"1": {"text": "current", "color": "blue"}}}], "color": {"mode": "fixed", "fixedColor": "blue"}},
    ))
    L.newline()
    panels.append(panel(
        L, "timeseries", "Prefixes received from Microsoft", "Prefixes each session receives from Microsoft in its address family. Good: steady and above zero (a Microsoft peering receives nothing until a route filter is attached).",
        [('lightgate_bgp_prefixes_received{port=~"$port",link=~"$link"}', "{{peering}} {{link}} {{family}}", "A")], 8, 7, "short",
    ))
    panels.append(panel(
        L, "timeseries", "Advertised prefixes, share of Microsoft's limit", "Prefixes each router advertises to Microsoft as a share of the documented limit (4,000 IPv4 / 100 IPv6 on private peering, 10,000 with Premium, 200 on Microsoft peering); over the limit Microsoft drops the session. Good: under 80 %.",
        [('lightgate_bgp_prefixes_advertised{port=~"$port",link=~"$link"} / ignoring (declared) lightgate_bgp_prefix_limit', "{{peering}} {{link}} {{family}}", "A")], 8, 7, "percentunit",
        defaults={"min": 0, "max": 1, "thresholds": thresholds(("green", None), ("orange", 0.8), ("red", 1)), "color": {"mode": "thresholds"}},
    ))
    panels.append(panel(
        L, "timeseries", "BGP session uptime", "Time since each session last became established. Good: rising steadily; a drop to zero is a session restart.",
        [('time() - lightgate_bgp_established_timestamp_seconds{port=~"$port",link=~"$link"}', "{{peering}} {{link}} {{neighbor}}", "A")], 8, 7, "s",
    ))
    L.newline()
    panels.append(panel(
        L, "timeseries", "Module temperature", "Transceiver temperature. Good: steady, well below the optic's high warning (typically 70 C).",
        [('lightgate_optic_temperature_celsius{port=~"$port",link=~"$link"}', "{{link}}", "A")], 8, 7, "celsius",
    ))
    panels.append(panel(
        L, "timeseries", "Supply voltage", "Transceiver supply voltage. Good: 3.3 V within a few percent.",
        [('lightgate_optic_supply_voltage_volts{port=~"$port",link=~"$link"}', "{{link}}", "A")], 8, 7, "volt",
        defaults={"min": 3.0, "max": 3.6},
    ))
    panels.append(panel(
        L, "timeseries", "Laser bias", "Laser bias current per link and lane. Good: steady; a rising bias at constant Tx power is an ageing laser, zero with no Tx light a failed one.",
        [('lightgate_optic_bias_current_amperes{port=~"$port",link=~"$link"}', "{{link}} {{lane}}", "A")], 8, 7, "amp",
    ))
    return dashboard("lightgate-overview", "lightgate: ExpressRoute Direct ports", panels, [
        {"name": "port", "label": "Port", "type": "query", "datasource": DS, "definition": "label_values(lightgate_port_ready, port)",
         "query": {"query": "label_values(lightgate_port_ready, port)", "refId": "port"}, "refresh": 2, "includeAll": True, "multi": True,
         "current": {"selected": True, "text": ["All"], "value": ["$__all"]}, "sort": 1},
        {"name": "link", "label": "Link", "type": "query", "datasource": DS, "definition": 'label_values(lightgate_link_oper_up{port=~"$port"}, link)',
         "query": {"query": 'label_values(lightgate_link_oper_up{port=~"$port"}, link)', "refId": "link"}, "refresh": 2, "includeAll": True, "multi": True,
         "current": {"selected": True, "text": ["All"], "value": ["$__all"]}, "sort": 1},
        # "All" must also match series without a lane (module values of single-lane optics).
        {"name": "lane", "label": "Lane", "type": "query", "datasource": DS, "definition": 'label_values(lightgate_optic_rx_power_dbm{port=~"$port",link=~"$link"}, lane)',
         "query": {"query": 'label_values(lightgate_optic_rx_power_dbm{port=~"$port",link=~"$link"}, lane)', "refId": "lane"}, "refresh": 2, "includeAll": True, "multi": True,
         "allValue": ".*", "current": {"selected": True, "text": ["All"], "value": ["$__all"]}, "sort": 3},
    ])


def agent():
    L = Layout()
    panels = [
        panel(L, "stat", "Devices up", "Whether the latest poll of each device succeeded. Good: all green.",
              [('lightgate_device_up{device=~"$device"}', "{{device}}", "A")], 12, 6,
              defaults={"mappings": UP_DOWN, "thresholds": thresholds(("red", None), ("green", 1)), "color": {"mode": "thresholds"}},
              options={"colorMode": "background", "graphMode": "none", "reduceOptions": {"calcs": ["lastNotNull"], "values": False, "fields": ""}}),
        panel(L, "timeseries", "Time since last successful poll", "Age of each device's last good reading. Good: below one poll interval; readings older than the port's staleness fail readiness.",
              [('time() - lightgate_device_last_success_timestamp_seconds{device=~"$device"}', "{{device}}", "A")], 12, 6, "s"),
        panel(L, "timeseries", "Poll duration (p95)", "95th percentile of poll durations per device. Good: well under the poll interval and the device timeout.",
              [('histogram_quantile(0.95, sum by (le, device) (rate(lightgate_poll_duration_seconds_bucket{device=~"$device"}[$__rate_interval])))', "{{device}}", "A")], 12, 8, "s"),
        panel(L, "timeseries", "Poll errors by kind", "Failed polls per second, by device and kind (timeout, transport, decode, auth). Good: zero.",
              [('sum by (device, kind) (rate(lightgate_poll_errors_total{device=~"$device"}[$__rate_interval]))', "{{device}} {{kind}}", "A")], 12, 8, "reqps"),
        panel(L, "timeseries", "SNMP requests and varbinds", "SNMP request PDUs sent and varbinds received per second. Good: flat; about one request per poll for two interfaces once discovery is done.",
              [('rate(lightgate_snmp_requests_total{device=~"$device"}[$__rate_interval])', "{{device}} requests", "A"),
               ('rate(lightgate_snmp_varbinds_total{device=~"$device"}[$__rate_interval])', "{{device}} varbinds", "B")], 12, 8, "reqps"),
        panel(L, "timeseries", "SNMP traps", "linkUp/linkDown traps accepted per device and traps dropped by reason. Good: accepted traps match real link events; drops mean a wrong community or an unknown sender.",
              [('increase(lightgate_snmp_traps_total{device=~"$device"}[$__rate_interval])', "{{device}} {{trap}}", "A"),
               ('increase(lightgate_snmp_traps_dropped_total[$__rate_interval])', "dropped {{reason}}", "B")], 12, 8, "short"),
        panel(L, "stat", "Azure API", "Whether the latest Azure poll of each port succeeded. Good: up; down means the admin state is no longer observed.",
              [('lightgate_azure_up', "{{port}}", "A")], 8, 6,
              defaults={"mappings": UP_DOWN, "thresholds": thresholds(("red", None), ("green", 1)), "color": {"mode": "thresholds"}},
              options={"colorMode": "background", "graphMode": "none", "reduceOptions": {"calcs": ["lastNotNull"], "values": False, "fields": ""}}),
        panel(L, "timeseries", "Agent scrape", "Prometheus's scrape of the agent itself: up (1 good), scrape duration. Good: up 1 and a duration far below the scrape interval.",
              [('up{job=~"lightgate.*"}', "{{instance}} up", "A"), ('scrape_duration_seconds{job=~"lightgate.*"}', "{{instance}} scrape seconds", "B")], 8, 6),
        panel(L, "timeseries", "Samples per scrape", "Series the agent exports. Good: steady; it grows with devices, links and lanes.",
              [('scrape_samples_scraped{job=~"lightgate.*"}', "{{instance}}", "A")], 8, 6, "short"),
    ]
    return dashboard("lightgate-agent", "lightgate: agent health", panels, [
        {"name": "device", "label": "Device", "type": "query", "datasource": DS, "definition": "label_values(lightgate_device_up, device)",
         "query": {"query": "label_values(lightgate_device_up, device)", "refId": "device"}, "refresh": 2, "includeAll": True, "multi": True,
         "current": {"selected": True, "text": ["All"], "value": ["$__all"]}, "sort": 1},
    ])


def dashboard(uid, title, panels, variables):
    return {
        "uid": uid,
        "title": title,
        "description": "lightgate: optical light levels, link state and circuit-creation readiness of Azure ExpressRoute Direct ports.",
        "tags": ["lightgate", "expressroute"],
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "graphTooltip": 1,
        "time": {"from": "now-6h", "to": "now"},
        "refresh": "30s",
        "timezone": "",
        "annotations": {"list": []},
        "links": [],
        "templating": {"list": [
            {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus", "refresh": 1, "current": {}, "hide": 0},
        ] + variables},
        "panels": panels,
    }


if __name__ == "__main__":
    import sys
    # An output directory may be given (the tests compare its files with the committed ones).
    here = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for name, board in [("lightgate-overview.json", overview()), ("lightgate-agent.json", agent())]:
        with open(os.path.join(here, name), "w") as f:
            json.dump(board, f, indent=2)
            f.write("\n")
