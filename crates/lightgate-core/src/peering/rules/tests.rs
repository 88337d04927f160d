//! One passing and one failing case per rule.

use super::*;

const BASE: &str = r#"[circuit]
name = "ckt-ams-1"
port_encapsulation = "Dot1Q"
premium = false

[[peering]]
type = "private"
vlan = 100
peer_asn = 65010
primary_subnet = "192.168.100.128/30"
secondary_subnet = "192.168.100.132/30"
ipv6_primary_subnet = "fd00:10::/126"
ipv6_secondary_subnet = "fd00:10::4/126"
shared_key = "s3cr3tKey"
"#;

const MICROSOFT: &str = r#"
[[peering]]
type = "microsoft"
vlan = 200
peer_asn = 8075
primary_subnet = "145.1.2.0/30"
secondary_subnet = "145.1.2.4/30"
advertised_prefixes = ["145.1.3.0/24"]
customer_asn = 8074
"#;

fn errors(text: &str) -> Vec<String> {
    let r = check(text);
    r.findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.to_string())
        .collect()
}

fn warnings(text: &str) -> Vec<String> {
    let r = check(text);
    r.findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .map(|f| f.to_string())
        .collect()
}

fn clean(text: &str) {
    let r = check(text);
    assert!(r.findings.is_empty(), "{:#?}", r.findings);
}

#[test]
fn the_documented_example_is_clean_and_prints_both_ends_of_each_link() {
    clean(BASE);
    let r = check(BASE);
    let v4: Vec<_> = r
        .addresses
        .iter()
        .filter(|a| a.subnet.contains('.'))
        .collect();
    assert_eq!(v4[0].subnet, "192.168.100.128/30");
    assert_eq!(
        (v4[0].customer.as_str(), v4[0].microsoft.as_str()),
        ("192.168.100.129", "192.168.100.130")
    );
    assert_eq!(
        (v4[1].customer.as_str(), v4[1].microsoft.as_str()),
        ("192.168.100.133", "192.168.100.134")
    );
    let v6: Vec<_> = r
        .addresses
        .iter()
        .filter(|a| a.subnet.contains(':'))
        .collect();
    assert_eq!(
        (v6[0].customer.as_str(), v6[0].microsoft.as_str()),
        ("fd00:10::1", "fd00:10::2")
    );
    assert_eq!(v6[1].customer, "fd00:10::5");
}

#[test]
fn a_29_is_split_into_two_30s() {
    let text = BASE.replace(
        "primary_subnet = \"192.168.100.128/30\"\nsecondary_subnet = \"192.168.100.132/30\"",
        "subnet = \"192.168.100.128/29\"",
    );
    clean(&text);
    let r = check(&text);
    assert_eq!(r.addresses[0].subnet, "192.168.100.128/30");
    assert_eq!(r.addresses[1].subnet, "192.168.100.132/30");
    let bad = text.replace("/29", "/28");
    assert!(
        errors(&bad)[0].contains("subnet 192.168.100.128/28 must be an IPv4 /29"),
        "{:?}",
        errors(&bad)
    );
}

#[test]
fn ipv4_subnets_must_be_30s_that_do_not_overlap() {
    let e = errors(&BASE.replace("192.168.100.132/30", "192.168.100.132/29"));
    assert!(
        e.iter().any(|m| m
            .contains("secondary_subnet 192.168.100.128/29 is not a network address")
            || m.contains("must be a /30")),
        "{e:?}"
    );
    let e = errors(&BASE.replace("192.168.100.132/30", "192.168.100.128/30"));
    assert!(
        e.iter()
            .any(|m| m
                .contains("primary 192.168.100.128/30 and secondary 192.168.100.128/30 overlap")),
        "{e:?}"
    );
    let e = errors(&BASE.replace("192.168.100.132/30", "192.168.100.133/30"));
    assert!(
        e[0].contains("is not a network address (did you mean 192.168.100.132/30?)"),
        "{e:?}"
    );
    let e = errors(&BASE.replace("192.168.100.132/30", "192.168.300.1/30"));
    assert!(
        e[0].contains(
            "secondary_subnet \"192.168.300.1/30\" is not an IP prefix (line 11, column 20)"
        ),
        "{e:?}"
    );
}

#[test]
fn ipv6_is_optional_and_must_be_two_126s_or_one_125() {
    let no_v6 = BASE.replace(
        "ipv6_primary_subnet = \"fd00:10::/126\"\nipv6_secondary_subnet = \"fd00:10::4/126\"\n",
        "",
    );
    clean(&no_v6);
    clean(&no_v6.replace("shared_key", "ipv6_subnet = \"fd00:20::/125\"\nshared_key"));
    let e = errors(&BASE.replace("fd00:10::4/126", "fd00:10::4/124"));
    assert!(e.iter().any(|m| m.contains("must be a /126")), "{e:?}");
    let e = errors(&BASE.replace("fd00:10::4/126", "192.168.1.0/30"));
    assert!(
        e.iter().any(|m| m.contains("is not an IPv6 prefix")),
        "{e:?}"
    );
}

#[test]
fn peerings_must_not_overlap_each_other() {
    let text = format!(
        "{BASE}{}",
        MICROSOFT.replace("145.1.2.0/30", "192.168.100.128/30")
    );
    let e = errors(&text);
    assert!(
        e.iter().any(|m| m.contains(
            "primary subnet 192.168.100.128/30 overlaps 192.168.100.128/30 of peering 1"
        )),
        "{e:?}"
    );
}

#[test]
fn microsoft_peering_needs_public_addresses_and_prefixes() {
    clean(&format!("{BASE}{MICROSOFT}"));
    for (bad, why) in [
        ("10.1.2.0/30", "private (RFC 1918)"),
        ("100.64.0.0/30", "shared address space (CGNAT"),
        ("127.0.0.0/30", "loopback"),
        ("169.254.1.0/30", "link-local"),
        ("198.51.100.0/30", "documentation"),
        ("224.0.0.0/30", "multicast"),
    ] {
        let e = errors(&format!("{BASE}{}", MICROSOFT.replace("145.1.2.0/30", bad)));
        assert!(e.iter().any(|m| m.contains(why)), "{bad}: {e:?}");
    }
    let e = errors(&format!(
        "{BASE}{}",
        MICROSOFT.replace(
            "\"145.1.3.0/24\"",
            "\"203.0.113.0/24\", \"2001:db8::/32\", \"fd00::/8\""
        )
    ));
    assert_eq!(e.len(), 3, "{e:?}");
    let e = errors(&format!(
        "{BASE}{}",
        MICROSOFT.replace("advertised_prefixes = [\"145.1.3.0/24\"]\n", "")
    ));
    assert!(
        e.iter().any(|m| m.contains("needs advertised_prefixes")),
        "{e:?}"
    );
}

#[test]
fn asns_follow_the_reserved_ranges() {
    for (asn, why) in [
        ("0", "outside 1..4294967294"),
        ("4294967295", "outside 1..4294967294"),
        ("23456", "AS_TRANS"),
        ("65535", "reserved (RFC 7300)"),
        ("12076", "Microsoft's own AS"),
        ("65517", "reserved by Azure"),
        ("64500", "documentation"),
        ("65540", "documentation"),
    ] {
        let e = errors(&BASE.replace("peer_asn = 65010", &format!("peer_asn = {asn}")));
        assert!(e.iter().any(|m| m.contains(why)), "{asn}: {e:?}");
    }
    clean(&BASE.replace("peer_asn = 65010", "peer_asn = 4200000001"));
    clean(&BASE.replace("peer_asn = 65010", "peer_asn = 3356"));
    let w = warnings(&format!(
        "{BASE}{}",
        MICROSOFT.replace("peer_asn = 8075", "peer_asn = 64700")
    ));
    assert!(
        w.iter()
            .any(|m| m.contains("private AS") && m.contains("manual validation")),
        "{w:?}"
    );
    let e = errors(&format!(
        "{BASE}{}",
        MICROSOFT.replace("customer_asn = 8074", "customer_asn = 12076")
    ));
    assert!(e.iter().any(|m| m.contains("customer_asn 12076")), "{e:?}");
}

#[test]
fn vlans_are_valid_and_unique() {
    let e = errors(&BASE.replace("vlan = 100", "vlan = 4095"));
    assert!(e[0].contains("vlan 4095 is outside 1..4094"), "{e:?}");
    let e = errors(&BASE.replace("vlan = 100", "vlan = 0"));
    assert!(e[0].contains("outside 1..4094"));
    let e = errors(&format!(
        "{BASE}{}",
        MICROSOFT.replace("vlan = 200", "vlan = 100")
    ));
    assert!(
        e.iter()
            .any(|m| m.contains("vlan 100 is already used by peering 1")),
        "{e:?}"
    );
    let used = BASE.replace(
        "premium = false",
        "premium = false\nport_vlans_in_use = [100, 300]",
    );
    assert!(errors(&used)
        .iter()
        .any(|m| m.contains("unique across the whole port")));
    clean(&used.replace("Dot1Q", "QinQ"));
}

#[test]
fn md5_keys_are_at_most_25_letters_and_digits() {
    clean(&BASE.replace("s3cr3tKey", "abcdefghijklmnopqrstuvwxy"));
    assert!(
        errors(&BASE.replace("s3cr3tKey", "abcdefghijklmnopqrstuvwxyz"))[0]
            .contains("1 to 25 letters and digits")
    );
    assert!(errors(&BASE.replace("s3cr3tKey", "s3cr3t-Key!"))[0].contains("no special characters"));
    let md5_hex = "0123456789abcdef0123456789abcdef";
    assert!(
        errors(&BASE.replace("s3cr3tKey", md5_hex))[0].contains("it has 32 characters"),
        "an MD5 digest does not fit"
    );
}

#[test]
fn prefix_limits_warn_near_and_over() {
    let over = BASE.replace("shared_key", "advertised_prefix_count = 4200\nshared_key");
    assert!(warnings(&over)[0].contains("4200 IPv4 prefixes planned, over the limit of 4000"));
    clean(&over.replace("premium = false", "premium = true"));
    let near = BASE.replace("shared_key", "advertised_prefix_count = 3700\nshared_key");
    assert!(warnings(&near)[0].contains("near the limit of 4000"));
    assert!(warnings(&BASE.replace(
        "shared_key",
        "ipv6_advertised_prefix_count = 150\nshared_key"
    ))[0]
        .contains("over the limit of 100"));
    let many: Vec<String> = (0..210)
        .map(|i| format!("\"145.{}.{}.0/24\"", 2 + i / 200, i % 200))
        .collect();
    let ms = MICROSOFT.replace("\"145.1.3.0/24\"", &many.join(", "));
    assert!(warnings(&format!("{BASE}{ms}"))
        .iter()
        .any(|m| m.contains("210 prefixes per BGP session planned, over the limit of 200")));
}

#[test]
fn malformed_plans_give_located_errors() {
    let e = errors("[circuit\nname = 1");
    assert!(e[0].contains("(line 1, column"), "{e:?}");
    let e = errors(&BASE.replace("vlan = 100", "vlan = \"one hundred\""));
    assert!(e[0].contains("line 8"), "{e:?}");
    let e = errors(&BASE.replace("type = \"private\"", "type = \"public\""));
    assert!(e[0].contains("type \"public\" must be \"private\" or \"microsoft\""));
    let e = errors(&BASE.replace("Dot1Q", "VXLAN"));
    assert!(e[0].contains("port_encapsulation \"vxlan\""), "{e:?}");
}

#[test]
fn each_link_finding_points_at_its_own_line() {
    let text = format!(
        "{BASE}{}",
        MICROSOFT
            .replace("145.1.2.0/30", "10.1.2.0/30")
            .replace("145.1.2.4/30", "10.1.2.4/30")
    );
    let e = errors(&text);
    let primary = e
        .iter()
        .find(|m| m.contains("primary subnet 10.1.2.0/30"))
        .unwrap();
    let secondary = e
        .iter()
        .find(|m| m.contains("secondary subnet 10.1.2.4/30"))
        .unwrap();
    // The microsoft peering's keys are the second occurrence: search after BASE.
    let ms_line = |key: &str| {
        let start = BASE.len() + text[BASE.len()..].find(&format!("\n{key} =")).unwrap() + 1;
        text[..start].lines().count() + 1
    };
    assert!(
        primary.contains(&format!("(line {},", ms_line("primary_subnet"))),
        "{primary}"
    );
    assert!(
        secondary.contains(&format!("(line {},", ms_line("secondary_subnet"))),
        "{secondary}"
    );
}
