//! The bring-up console: `/` (every port with its verdict) and `/ports/{port}` (both
//! links side by side, lane by lane), for the engineer at the patch panel.
//!
//! The pages are complete HTML as served (they read without JavaScript, as of the
//! moment they were loaded); one small embedded script ([`SCRIPT`]) then keeps them
//! live from the port's event stream (see [`super::live`]) and draws the bars and
//! sparklines. Nothing is fetched from anywhere but this agent: no CDN, no fonts.

use std::fmt::Write;

use crate::api::{CheckJson, LinkJson, PortJson, PowerShown, ReadingJson};
use crate::exporter::live::DecisionSummary;

/// The page script, embedded in the binary.
pub const SCRIPT: &str = include_str!("assets/live.js");
/// The page style, embedded in the binary.
pub const STYLE: &str = include_str!("assets/live.css");

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<link rel=\"icon\" href=\"data:,\">\n<link rel=\"stylesheet\" href=\"/assets/live.css\">\n</head>\n",
        escape(title)
    )
}

/// The verdict badge: text and icon, never colour alone.
fn badge(ready: bool) -> &'static str {
    if ready {
        "<span class=\"badge ready\" data-verdict=\"ready\">&#10004; READY</span>"
    } else {
        "<span class=\"badge not-ready\" data-verdict=\"not-ready\">&#10008; NOT READY</span>"
    }
}

/// `/`: the ports, each with its verdict and first failing reason.
pub fn index(ports: &[PortJson]) -> String {
    let mut rows = String::new();
    for p in ports {
        let reason = p.failing.first().map(String::as_str).unwrap_or("");
        let _ = writeln!(
            rows,
            "<tr data-port=\"{name}\"><td><a href=\"/ports/{seg}\">{name}</a></td>\
             <td class=\"verdict\">{badge}</td><td class=\"reason\">{reason}</td></tr>",
            name = escape(&p.port),
            seg = lightgate_core::text::encode(&p.port),
            badge = badge(p.ready),
            reason = escape(reason),
        );
    }
    if ports.is_empty() {
        rows.push_str("<tr><td colspan=\"3\">No port is configured.</td></tr>\n");
    }
    format!(
        "{head}<body data-page=\"index\">\n<header><h1>lightgate</h1>\
         <span class=\"conn\" id=\"conn\" role=\"status\"></span></header>\n<main>\n\
         <p>ExpressRoute Direct port pairs and whether each is ready for its circuit.</p>\n\
         <table class=\"ports\">\n<thead><tr><th scope=\"col\">Port</th><th scope=\"col\">Verdict</th>\
         <th scope=\"col\">First reason</th></tr></thead>\n<tbody id=\"ports\">\n{rows}</tbody>\n</table>\n\
         <h2>Endpoints</h2>\n<ul>\n\
         <li><a href=\"/metrics\">/metrics</a>: Prometheus metrics</li>\n\
         <li><a href=\"/api/v1/ports\">/api/v1/ports</a>: readiness of every port (JSON)</li>\n\
         <li><a href=\"/api/v1/devices\">/api/v1/devices</a>: the polled devices (JSON)</li>\n\
         <li><a href=\"/-/healthy\">/-/healthy</a>: liveness</li>\n</ul>\n</main>\n\
         <script src=\"/assets/live.js\"></script>\n</body>\n</html>\n",
        head = head("lightgate"),
    )
}

fn dbm(p: PowerShown) -> String {
    match p {
        PowerShown::NoLight => "<span class=\"state dark\">&#9680; NO LIGHT</span>".to_string(),
        PowerShown::Inconsistent => {
            "<span class=\"state unknown\">&ne; INCONSISTENT</span>".to_string()
        }
        PowerShown::Dbm(v) => format!(
            "{v:.2} dBm <small>({} mW)</small>",
            milliwatts(10f64.powf(v / 10.0))
        ),
        PowerShown::NotReported => {
            "<span class=\"state unknown\">? not reported</span>".to_string()
        }
    }
}

/// Four significant digits, as a meter shows them.
fn milliwatts(mw: f64) -> String {
    let digits = if mw >= 1000.0 {
        0
    } else {
        (3 - mw.log10().floor() as i32).clamp(0, 8) as usize
    };
    format!("{mw:.digits$}")
}

fn lanes_table(r: &ReadingJson) -> String {
    let mut rows = String::new();
    if r.lanes.is_empty() {
        let _ = writeln!(
            rows,
            "<tr><th scope=\"row\">&ndash;</th><td>{}</td><td>{}</td></tr>",
            dbm(r.rx()),
            dbm(r.tx())
        );
    }
    for l in &r.lanes {
        let _ = writeln!(
            rows,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td></tr>",
            l.lane,
            dbm(l.rx()),
            dbm(l.tx())
        );
    }
    format!(
        "<table class=\"lanes\"><thead><tr><th scope=\"col\">Lane</th><th scope=\"col\">Rx</th>\
         <th scope=\"col\">Tx</th></tr></thead><tbody>\n{rows}</tbody></table>"
    )
}

fn checks_list(checks: &[CheckJson]) -> String {
    let mut items = String::new();
    for c in checks {
        let (class, icon, word) = if c.pass {
            ("pass", "&#10004;", "pass")
        } else {
            ("fail", "&#10008;", "FAIL")
        };
        let _ = writeln!(
            items,
            "<li class=\"{class}\" data-check=\"{name}\">{icon} <b>{name}</b> <span class=\"word\">{word}</span>: {detail}</li>",
            name = escape(&c.check),
            detail = escape(&c.detail),
        );
    }
    format!("<ul class=\"checks\">\n{items}</ul>")
}

fn link_section(l: &LinkJson) -> String {
    let id = escape(&l.link);
    let reading = match &l.reading {
        Some(r) => format!(
            "<p class=\"status\">oper {oper} &middot; admin {admin}{stale}</p>\n{lanes}",
            oper = escape(&r.oper_status),
            admin = escape(&r.admin_status),
            stale = if l.fresh {
                ""
            } else {
                " &middot; <span class=\"state stale\">&#9719; STALE</span>"
            },
            lanes = lanes_table(r),
        ),
        None => "<p class=\"state unknown\">? never read</p>".to_string(),
    };
    let line = match l.azure.as_ref().and_then(|a| a.line_protocol_up) {
        Some(true) => "up",
        Some(false) => "down",
        None => "not observed",
    };
    format!(
        "<section class=\"link\" id=\"{id}\" aria-labelledby=\"{id}-title\">\n\
         <h2 id=\"{id}-title\">{id} <small>{device} {interface}</small></h2>\n\
         <p class=\"azure\">Azure admin state <b class=\"azure-admin\">{admin}</b> ({origin}) &middot; \
         line protocol <b class=\"azure-line\">{line}</b></p>\n\
         <p class=\"hold\">Hold-down: <span class=\"countdown\">{hold}</span></p>\n\
         <div class=\"reading\">{reading}</div>\n{checks}\n</section>\n",
        device = escape(&l.device),
        interface = escape(&l.interface),
        admin = escape(&l.azure_admin_state),
        origin = escape(&l.azure_admin_state_origin),
        hold = if l.checks.iter().any(|c| c.check == "stable" && c.pass) {
            "complete".to_string()
        } else {
            "running".to_string()
        },
        checks = checks_list(&l.checks),
    )
}

fn decisions_list(decisions: &[DecisionSummary]) -> String {
    let mut items = String::new();
    for d in decisions.iter().rev() {
        let _ = writeln!(items, "<li>{}</li>", decision_text(d));
    }
    if decisions.is_empty() {
        items.push_str("<li class=\"none\">No gate decision recorded for this port.</li>\n");
    }
    format!("<ol class=\"decisions\" id=\"decisions\">\n{items}</ol>")
}

fn decision_text(d: &DecisionSummary) -> String {
    let icon = if d.verdict == "ready" {
        "&#10004;"
    } else {
        "&#10008;"
    };
    let what = match &d.circuit {
        Some(c) => format!("{} {}", d.action, c),
        None => d.action.clone(),
    };
    let reason = d
        .reason
        .as_deref()
        .map(|r| format!(": {}", escape(r)))
        .unwrap_or_default();
    format!(
        "<time>{}</time> {icon} {} <b>{}</b> by {}@{}{reason}",
        escape(&d.time),
        escape(&what),
        escape(&d.verdict),
        escape(&d.user),
        escape(&d.host),
    )
}

/// A duration as people write it ("20s", "3h").
fn seconds(s: f64) -> String {
    humantime::format_duration(std::time::Duration::from_secs_f64(s.max(0.0))).to_string()
}

/// `/ports/{port}`: the port as it is now, made live by the script.
/// The port's peerings: each one's verdict for traffic, its two BGP sessions (or
/// four, with IPv6) and its checks. Rebuilt by the script on every event.
fn peerings_section(peerings: &[crate::api::PeeringReadyJson]) -> String {
    let mut body = String::new();
    if peerings.is_empty() {
        body.push_str(
            "<p class=\"none\">No peering is known for this port: lightgate reads them from \
             Azure (azure_port_id) or from [[port.peering]] in the config.</p>\n",
        );
    }
    for p in peerings {
        let mut rows = String::new();
        for s in &p.sessions {
            let n = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_else(|| "&ndash;".into());
            let _ = writeln!(
                rows,
                "<tr><th scope=\"row\">{link}</th><td>{device}</td><td>{neighbor} <small>{family}</small></td>\
                 <td>{state}</td><td>{asn}</td><td>{up}</td><td>{rcvd}</td><td>{adv} / {limit}</td></tr>",
                link = escape(&s.link),
                device = escape(&s.device),
                neighbor = escape(&s.neighbor),
                family = escape(&s.family),
                state = escape(&(match (&s.state, &s.last_error) {
                    (Some(st), Some(e)) if st != "established" => format!("{st} (last error: {e})"),
                    (Some(st), _) => st.clone(),
                    (None, _) => "no such neighbour".to_string(),
                } + &s.bfd.as_ref().map(|b| format!(", BFD {b}{}", s.bfd_diagnostic.as_ref().map(|d| format!(" ({d})")).unwrap_or_default())).unwrap_or_default())),
                asn = s.remote_as.map(|a| a.to_string()).unwrap_or_else(|| "&ndash;".into()),
                up = s.established_seconds.map(|t| seconds(t as f64)).unwrap_or_else(|| "&ndash;".into())
                    + &s.flaps_seen.filter(|n| *n > 0).map(|n| format!(" ({n} flaps seen)")).unwrap_or_default(),
                rcvd = match s.prefixes_accepted {
                    Some(a) => format!("{} ({a} accepted)", n(s.prefixes_received)),
                    None => n(s.prefixes_received),
                },
                adv = n(s.prefixes_advertised),
                limit = s.prefix_limit,
            );
        }
        let _ = writeln!(
            body,
            "<div class=\"peering\" data-peering=\"{circuit}/{peering}\">\n<h3>{circuit} {peering} {badge}</h3>\n\
             <table class=\"sessions\"><thead><tr><th scope=\"col\">Link</th><th scope=\"col\">Router</th>\
             <th scope=\"col\">Microsoft</th><th scope=\"col\">State</th><th scope=\"col\">AS</th>\
             <th scope=\"col\">Up</th><th scope=\"col\">Received</th><th scope=\"col\">Advertised / limit</th>\
             </tr></thead><tbody>\n{rows}</tbody></table>\n{checks}\n</div>",
            circuit = escape(&p.circuit),
            peering = escape(&p.peering),
            badge = badge(p.ready),
            checks = checks_list(&p.checks),
        );
    }
    format!("<section class=\"peerings\" id=\"peerings\"><h2>Peerings: ready for traffic?</h2>\n{body}</section>\n")
}

pub fn port(p: &PortJson, decisions: &[DecisionSummary]) -> String {
    let reason = p.failing.first().map(String::as_str).unwrap_or("");
    format!(
        "{head}<body data-page=\"port\" data-port=\"{name}\" data-port-path=\"{seg}\">\n\
         <header><a href=\"/\">lightgate</a> <h1>{name}</h1> <span id=\"verdict\" role=\"status\">{badge}</span>\n\
         <span class=\"conn\" id=\"conn\"></span>\n\
         <button type=\"button\" id=\"poll\">Poll now</button> <span id=\"poll-result\" role=\"status\"></span></header>\n\
         <main>\n<p id=\"reason\" class=\"reason\">{reason}</p>\n\
         <p class=\"meta\">Healthy window <span id=\"window\">{min:.2} to {max:.2} dBm</span> &middot; \
         hold-down {hold} &middot; a reading is stale after {stale}</p>\n\
         <p class=\"meta legend\">Bars: shaded band = the healthy window (Rx); solid red lines = \
         the optic's alarm thresholds, dashed amber = its warning thresholds; dark mark = the \
         latest value. Sparklines: the last 10 minutes.</p>\n\
         <div class=\"links\">\n{l1}{l2}</div>\n\
         {peerings}\
         <section class=\"gate\"><h2>Gate decisions</h2>\n{decisions}\n</section>\n\
         <noscript><p>Without JavaScript this page shows the state when it was loaded; \
         reload it, or read <a href=\"/api/v1/ports/{seg}\">the JSON</a>.</p></noscript>\n\
         </main>\n<script src=\"/assets/live.js\"></script>\n</body>\n</html>\n",
        head = head(&format!("{} - lightgate", p.port)),
        name = escape(&p.port),
        seg = lightgate_core::text::encode(&p.port),
        badge = badge(p.ready),
        reason = escape(reason),
        min = p.healthy_min_dbm,
        max = p.healthy_max_dbm,
        hold = seconds(p.hold_down_seconds),
        stale = seconds(p.staleness_seconds),
        l1 = link_section(&p.links.link1),
        l2 = link_section(&p.links.link2),
        peerings = peerings_section(&p.peerings),
        decisions = decisions_list(decisions),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_the_config_or_a_gate_request_cannot_become_markup() {
        assert_eq!(
            escape("<script>\"x\" & 'y'"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;"
        );
        assert_eq!(
            lightgate_core::text::encode("erd-ams-1 b/c"),
            "erd-ams-1%20b%2Fc"
        );
    }

    #[test]
    fn milliwatts_keep_four_significant_digits() {
        assert_eq!(milliwatts(10f64.powf(-0.2 / 10.0)), "0.9550");
        assert_eq!(milliwatts(10f64.powf(-14.2 / 10.0)), "0.03802");
        assert_eq!(milliwatts(1.0), "1.000");
        assert_eq!(milliwatts(12.59), "12.59");
    }

    #[test]
    fn no_light_and_not_reported_are_states_not_numbers() {
        assert!(dbm(PowerShown::NoLight).contains("NO LIGHT"));
        assert!(dbm(PowerShown::Inconsistent).contains("INCONSISTENT"));
        assert!(dbm(PowerShown::NotReported).contains("not reported"));
        assert!(dbm(PowerShown::Dbm(0.0)).starts_with("0.00 dBm"));
    }
}
