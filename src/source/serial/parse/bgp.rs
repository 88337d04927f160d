//! `show bgp summary` and its per-platform forms, read by structure rather than by
//! platform: the header row names the columns (`Neighbor`/`Peer`, `AS`/`ASN`, the
//! counters, `Up/Down`, then `State/PfxRcd` in one column or `State`, `PfxRcd`,
//! `PfxAcc` in several; AOS-CX's `Remote-AS`, `Up/Down Time`, `State` and
//! `AdminStatus`, with no prefix counts), section headers give the VRF and address
//! family, and a row
//! the console wrapped (a long IPv6 neighbour alone on its line, a 4-byte AS pushing
//! the counters down) is joined back before it is read. Junos' table, whose per-RIB
//! counts follow each peer on indented lines, has its own reader below.
//!
//! Never panics: a row that cannot be read is skipped with a note naming its line.

use std::collections::hash_map::{Entry, HashMap};
use std::net::IpAddr;

use lightgate_core::bgp::{parse_uptime, Asn, BgpSession, BgpState, Family, PrefixCounts};

/// What a summary gave.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BgpSummary {
    pub sessions: Vec<BgpSession>,
    /// Rows that could not be read, one line each ("line N: why").
    pub notes: Vec<String>,
}

/// How the columns after Up/Down are laid out.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Tail {
    /// `State/PfxRcd` or `St/PfxRcd`: a count when established, else a state word.
    Combined,
    /// `State` then `PfxRcd` / `PrefRcv`, and `PfxAcc` when `accepted`.
    Separate { accepted: bool },
    /// NX-OS `show bgp sessions`: `St` letters after `LastUpDn|LastRead|LastWrit`.
    Letters,
}

#[derive(Debug, Clone)]
struct Header {
    /// Byte offset of the neighbour column (descriptions come before it on EOS).
    neighbor_at: usize,
    /// Columns between the neighbour and Up/Down.
    between: usize,
    /// Position of the AS among them.
    as_at: usize,
    tail: Tail,
}

fn header(line: &str) -> Option<Header> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let n = words
        .iter()
        .position(|w| *w == "Neighbor" || *w == "Peer")?;
    let as_pos = words
        .iter()
        .position(|w| matches!(*w, "AS" | "ASN" | "Remote-AS"))?;
    let up = words
        .iter()
        .position(|w| w.starts_with("Up/Down") || w.starts_with("LastUpDn"))?;
    if !(n < as_pos && as_pos < up) {
        return None;
    }
    // AOS-CX spells the column "Up/Down Time": two words, one column.
    let rest = match words.get(up + 1) {
        Some(&"Time") => &words[up + 2..],
        _ => &words[up + 1..],
    };
    let tail = if words[up].starts_with("LastUpDn") {
        Tail::Letters
    } else if rest.iter().any(|w| w.contains('/')) {
        Tail::Combined
    } else if rest.first().is_some_and(|w| *w == "State") {
        Tail::Separate {
            accepted: rest.contains(&"PfxAcc"),
        }
    } else {
        return None;
    };
    Some(Header {
        neighbor_at: line.find(words[n])?,
        between: up - n - 1,
        as_at: as_pos - n - 1,
        tail,
    })
}

/// A neighbour token: an address, possibly with `%interface` (link-local).
fn neighbor(token: &str) -> Option<IpAddr> {
    token.split('%').next()?.parse().ok()
}

/// An address family section header's family: `IPv4 Unicast`, `VPNv4 Unicast`,
/// `L2VPN EVPN`, ...
fn family_words(afi: &str, safi: &str) -> Family {
    let a = afi.to_ascii_lowercase();
    let s = safi.to_ascii_lowercase();
    match a.as_str() {
        "vpnv4" => Family::new("ipv4", "vpn"),
        "vpnv6" => Family::new("ipv6", "vpn"),
        _ => Family::new(&a, &s),
    }
}

/// The VRF and family a section header sets, if the line is one.
fn section(line: &str, vrf: &mut Option<String>, family: &mut Option<Family>) -> bool {
    let t = line.trim();
    // NX-OS / EOS: "BGP summary information for VRF X, address family Y Z"
    if let Some(rest) = t.strip_prefix("BGP summary information for VRF ") {
        let (name, af) = match rest.split_once(", address family ") {
            Some((n, af)) => (n, Some(af)),
            None => (rest, None),
        };
        *vrf = vrf_name(name.trim());
        *family = af.and_then(|af| {
            let mut w = af.split_whitespace();
            Some(family_words(w.next()?, w.next().unwrap_or("unicast")))
        });
        return true;
    }
    // IOS / IOS-XE: "For address family: VPNv4 Unicast"; XR: "Address Family: ..."
    for p in ["For address family: ", "Address Family: "] {
        if let Some(af) = t.strip_prefix(p) {
            let mut w = af.split_whitespace();
            if let Some(a) = w.next() {
                *family = Some(family_words(a, w.next().unwrap_or("unicast")));
            }
            return true;
        }
    }
    // XR: "VRF: NAME" (names may hold colons: CBA:7777); AOS-CX: "VRF : NAME"
    if let Some(name) = t.strip_prefix("VRF: ").or_else(|| t.strip_prefix("VRF : ")) {
        *vrf = vrf_name(name.trim());
        return true;
    }
    // NX-OS sessions: "VRF default, local ASN 1"
    if let Some(rest) = t.strip_prefix("VRF ") {
        if let Some((name, _)) = rest.split_once(',') {
            if !name.contains(' ') {
                *vrf = vrf_name(name);
                return true;
            }
        }
    }
    false
}

fn vrf_name(name: &str) -> Option<String> {
    (!name.is_empty() && !matches!(name, "default" | "global" | "Default"))
        .then(|| name.to_string())
}

/// Reads a summary. The VRF given is the one the command asked for (e.g. `show bgp
/// vpnv4 unicast vrf X summary`), used when the output does not name one.
pub fn parse_bgp_summary(text: &str, vrf: Option<&str>) -> BgpSummary {
    if text.lines().any(|l| l.contains("State|#Active/Received")) {
        return junos(text);
    }
    let mut out = Summary::default();
    let mut cur_vrf: Option<String> = vrf.and_then(vrf_name);
    let mut family: Option<Family> = None;
    let mut head: Option<Header> = None;
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_end_matches('\r');
        i += 1;
        if line.trim().is_empty() {
            continue;
        }
        if section(line, &mut cur_vrf, &mut family) {
            head = None;
            continue;
        }
        let first = line.split_whitespace().next().unwrap_or("");
        if first == "Neighbor" || first == "Peer" || line.contains(" Neighbor ") {
            // A second table after the peers (NX-OS EVPN "Neighbor T AS PfxRcd
            // Type-2 ...") has no Up/Down: it is not a peer table.
            head = header(line);
            continue;
        }
        let Some(h) = head.clone() else { continue };
        // The neighbour: the token at the header's column, else the first address.
        let Some((at, addr)) = address_in(line, h.neighbor_at) else {
            continue;
        };
        let mut tokens: Vec<String> = line[at..]
            .split_whitespace()
            .skip(1)
            .map(str::to_string)
            .collect();
        let need = h.between + 2;
        let mut joined = 0;
        while tokens.len() < need && joined < 2 && i < lines.len() {
            let next = lines[i].trim_end_matches('\r');
            let nf = next.split_whitespace().next().unwrap_or("");
            if next.trim().is_empty() || neighbor(nf).is_some() || header(next).is_some() {
                break;
            }
            tokens.extend(next.split_whitespace().map(str::to_string));
            i += 1;
            joined += 1;
        }
        match row(&h, addr, &tokens, family.as_ref()) {
            Ok(s) => out.add(s, cur_vrf.clone()),
            Err(e) => out.notes.push(format!("line {i}: {e}: {}", line.trim())),
        }
    }
    out.finish()
}

fn address_in(line: &str, at: usize) -> Option<(usize, IpAddr)> {
    let mut offsets = Vec::new();
    let mut start = None;
    for (k, c) in line.char_indices() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(k),
            (true, Some(s)) => {
                offsets.push((s, &line[s..k]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        offsets.push((s, &line[s..]));
    }
    offsets
        .iter()
        .find(|(o, t)| o.abs_diff(at) <= 2 && neighbor(t).is_some())
        .or_else(|| offsets.iter().find(|(_, t)| neighbor(t).is_some()))
        .and_then(|(o, t)| Some((*o, neighbor(t)?)))
}

fn count(token: Option<&String>) -> Option<u64> {
    token.and_then(|t| t.trim_end_matches('!').parse().ok())
}

fn row(
    h: &Header,
    addr: IpAddr,
    t: &[String],
    family: Option<&Family>,
) -> Result<BgpSession, String> {
    if t.len() < h.between + 2 {
        return Err("the row ends early".to_string());
    }
    let asn: Asn = t[h.as_at].parse()?;
    let up = &t[h.between];
    let tail = &t[h.between + 1..];
    let family = family.cloned().unwrap_or_else(|| Family::unicast_of(&addr));
    let (state, received, accepted) = match h.tail {
        Tail::Combined => {
            let first = &tail[0];
            if first
                .trim_end_matches('!')
                .bytes()
                .all(|b| b.is_ascii_digit())
            {
                // "0 (No Cap)": up, but the family was not negotiated.
                let no_cap = tail.get(1).is_some_and(|w| w.starts_with("(No"));
                (
                    BgpState::Established,
                    if no_cap { None } else { count(Some(first)) },
                    None,
                )
            } else {
                let word = tail.join(" ");
                let s = BgpState::from_word(&word).ok_or(format!("unknown state {word:?}"))?;
                (s, None, None)
            }
        }
        Tail::Separate { accepted } => {
            let word = &tail[0];
            let s = BgpState::from_word(word).ok_or(format!("unknown state {word:?}"))?;
            let rcv = count(tail.get(1));
            let acc = if accepted { count(tail.get(2)) } else { None };
            (s, rcv, acc)
        }
        Tail::Letters => {
            let s = match tail[0].as_str() {
                "E" => BgpState::Established,
                "A" => BgpState::Active,
                "O" => BgpState::OpenSent,
                "I" | "S" | "C" => BgpState::Idle,
                other => return Err(format!("unknown state letter {other:?}")),
            };
            (s, None, None)
        }
    };
    let up = match h.tail {
        Tail::Letters => up.split('|').next().unwrap_or(""),
        _ => up.as_str(),
    };
    let mut s = BgpSession::new(addr, state);
    s.remote_as = Some(asn);
    if state == BgpState::Established {
        s.established_seconds = parse_uptime(up);
        if received.is_some() || accepted.is_some() {
            s.prefixes.push(PrefixCounts {
                family,
                received,
                accepted,
                advertised: None,
            });
        }
    }
    if let Some(q) = tail.iter().find(|w| w.starts_with('(')) {
        s.admin = Some(tail[tail.iter().position(|w| w == q).unwrap_or(0)..].join(" "));
    }
    Ok(s)
}

/// Rows gathered into one session per (VRF, neighbour): the first row gives the
/// state and AS, later rows (other address families) add their counters. The index
/// keeps that a lookup per row: a summary of 80,000 peers is within the console's
/// output limit, and a scan per row made it quadratic (seconds per poll).
#[derive(Default)]
struct Summary {
    sessions: Vec<BgpSession>,
    notes: Vec<String>,
    index: HashMap<(IpAddr, Option<String>), usize>,
}

impl Summary {
    fn add(&mut self, mut s: BgpSession, vrf: Option<String>) {
        s.vrf = vrf;
        match self.index.entry((s.peer, s.vrf.clone())) {
            Entry::Occupied(at) => {
                let x = &mut self.sessions[*at.get()];
                for p in s.prefixes {
                    x.merge_prefixes(p);
                }
            }
            Entry::Vacant(slot) => {
                slot.insert(self.sessions.len());
                self.sessions.push(s);
            }
        }
    }

    fn finish(self) -> BgpSummary {
        BgpSummary {
            sessions: self.sessions,
            notes: self.notes,
        }
    }
}

/// A Junos RIB name's VRF and family: `inet.0` (global IPv4), `inet6.0`,
/// `VRF.inet.0`, `bgp.l3vpn.0`.
fn rib(name: &str) -> (Option<String>, Family) {
    let parts: Vec<&str> = name.split('.').collect();
    let (instance, table, number) = match parts.as_slice() {
        [t, n] => (None, *t, *n),
        [i, t, n] if *i != "bgp" => (Some(i.to_string()), *t, *n),
        [_, t, n] => (None, *t, *n),
        _ => (None, name, "0"),
    };
    if number != "0" {
        // inet.3 (MPLS next hops) and the like: not a unicast table.
        return (instance, Family::new(table, &format!("table{number}")));
    }
    let family = match table {
        "inet" => Family::ipv4_unicast(),
        "inet6" => Family::ipv6_unicast(),
        "l3vpn" => Family::new("ipv4", "vpn"),
        "l3vpn-inet6" => Family::new("ipv6", "vpn"),
        "evpn" => Family::new("l2vpn", "evpn"),
        other => Family::new(other, "unicast"),
    };
    (instance, family)
}

/// Where the counts of `a/r/acc/d` are, from the header's `State|#Active/Received/
/// Accepted/Damped...` (older Junos prints `State|#Active/Received/Damped...`, with no
/// accepted count).
#[derive(Debug, Clone, Copy)]
struct JunosCounts {
    received: usize,
    accepted: Option<usize>,
}

impl JunosCounts {
    fn from_header(line: &str) -> JunosCounts {
        let names: Vec<&str> = line
            .split_once("State|#")
            .map(|(_, r)| r.trim().trim_end_matches('.').split('/').collect())
            .unwrap_or_default();
        let at = |n: &str| names.iter().position(|x| x.eq_ignore_ascii_case(n));
        JunosCounts {
            received: at("Received").unwrap_or(1),
            accepted: at("Accepted"),
        }
    }

    /// (received, accepted) from "23/224/224/0"; None when it is not such a group.
    fn read(&self, text: &str) -> Option<(u64, Option<u64>)> {
        let n: Vec<u64> = text
            .split('/')
            .map(|x| x.trim().parse().ok())
            .collect::<Option<_>>()?;
        if n.len() < 3 {
            return None;
        }
        Some((
            *n.get(self.received)?,
            self.accepted.and_then(|i| n.get(i).copied()),
        ))
    }
}

/// Junos `show bgp summary`: `Peer AS InPkt OutPkt OutQ Flaps Last Up/Dwn State|...`,
/// the up/down one or two tokens (`9w2d 5:23:37`), then a state word, or the counts
/// inline (`0/0/0/0`), which means established; `  RIB: a/r/acc/d` lines follow.
fn junos(text: &str) -> BgpSummary {
    let mut out = Summary::default();
    // The header's indentation (genie's captures indent everything): RIB lines are
    // indented further than the peers.
    let mut indent: Option<usize> = None;
    let mut counts = JunosCounts {
        received: 1,
        accepted: Some(2),
    };
    let mut last: Option<usize> = None;
    let lead = |l: &str| l.len() - l.trim_start().len();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim_start().starts_with("Peer ") && line.contains("InPkt") {
            indent = Some(lead(line));
            counts = JunosCounts::from_header(line);
            continue;
        }
        let Some(base) = indent else { continue };
        if line.trim().is_empty() {
            continue;
        }
        let t: Vec<&str> = line.split_whitespace().collect();
        if lead(line) > base {
            // "  VRF.inet.0: 23/224/224/0"
            if let (Some(k), Some((name, group))) = (last, line.trim().split_once(": ")) {
                let (vrf, family) = rib(name.trim());
                if let Some((r, a)) = counts.read(group) {
                    let s = &mut out.sessions[k];
                    if s.vrf.is_none() {
                        s.vrf = vrf;
                    }
                    if s.state == BgpState::Established {
                        s.merge_prefixes(PrefixCounts {
                            family,
                            received: Some(r),
                            accepted: a,
                            advertised: None,
                        });
                    }
                }
            }
            continue;
        }
        let Some(addr) = t.first().and_then(|x| neighbor(x)) else {
            continue;
        };
        if t.len() < 8 {
            out.notes.push(format!(
                "line {}: the row ends early: {}",
                n + 1,
                line.trim()
            ));
            continue;
        }
        let asn: Asn = match t[1].parse() {
            Ok(a) => a,
            Err(e) => {
                out.notes.push(format!("line {}: {e}", n + 1));
                continue;
            }
        };
        let rest = &t[6..];
        let (state, up, inline) = match rest.iter().position(|w| counts.read(w).is_some()) {
            Some(k) => (BgpState::Established, rest[..k].join(" "), Some(rest[k])),
            None => match rest.last().and_then(|w| BgpState::from_word(w)) {
                Some(s) => (s, rest[..rest.len() - 1].join(" "), None),
                None => {
                    out.notes
                        .push(format!("line {}: no state: {}", n + 1, line.trim()));
                    continue;
                }
            },
        };
        let mut s = BgpSession::new(addr, state);
        s.remote_as = Some(asn);
        if state == BgpState::Established {
            s.established_seconds = parse_uptime(&up);
            if let Some((r, a)) = inline.and_then(|g| counts.read(g)) {
                s.prefixes.push(PrefixCounts {
                    family: Family::unicast_of(&addr),
                    received: Some(r),
                    accepted: a,
                    advertised: None,
                });
            }
        }
        out.sessions.push(s);
        last = Some(out.sessions.len() - 1);
    }
    out.finish()
}

#[cfg(test)]
mod tests;
