//! How the console readers' cost grows with their input: `cargo bench --bench parsers`.
//!
//! The BGP summary reader is timed on summaries of 10,000 to 80,000 rows (IOS form,
//! two address families); a reader that is linear in its input shows the same cost per
//! row at every size, a quadratic one a cost per row that doubles with the rows. It
//! prints a Markdown table; not part of the test suite: it measures, it does not judge.

use std::fmt::Write as _;
use std::time::Instant;

use lightgate::source::serial::parse::bgp::parse_bgp_summary;

/// `peers` rows of an IOS-style summary, repeated for a second family.
fn summary(peers: u32) -> String {
    let mut text = String::new();
    for family in ["IPv4 Unicast", "VPNv4 Unicast"] {
        let _ = writeln!(text, "For address family: {family}");
        text.push_str(
            "Neighbor        V    AS MsgRcvd MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd\n",
        );
        for k in 0..peers {
            let addr = std::net::Ipv4Addr::from(0x0A00_0000 + k);
            let _ = writeln!(
                text,
                "{addr:<15} 4 65001     100     100       10    0    0 01:00:00 {k}"
            );
        }
    }
    text
}

fn main() {
    println!("| rows | bytes | parse ms (best of 3) | µs per row |");
    println!("|---:|---:|---:|---:|");
    for peers in [5_000u32, 10_000, 20_000, 40_000] {
        let text = summary(peers);
        let mut best = f64::MAX;
        for _ in 0..3 {
            let t = Instant::now();
            let s = parse_bgp_summary(&text, None);
            let ms = t.elapsed().as_secs_f64() * 1e3;
            assert_eq!(s.sessions.len(), peers as usize, "every peer read");
            best = best.min(ms);
        }
        let rows = 2 * peers;
        println!(
            "| {rows} | {} | {best:.1} | {:.2} |",
            text.len(),
            best * 1e3 / f64::from(rows)
        );
    }
}
