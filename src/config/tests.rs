//! The config contract: the documented example parses, and every kind of mistake is
//! reported with the line and column where it was made.

use std::time::Duration;

use super::*;
use crate::source::sim::{OpticModel, Scenario};

/// The example from the README's config reference (and issue #2), verbatim.
const EXAMPLE: &str = r#"listen = "127.0.0.1:9750"

[[device]]
name = "edge-a"
source = "sim"                 # later also "snmp", "serial"
poll_interval = "10s"
[device.sim]
seed = 7
interfaces = { "HundredGigE0/0/0" = "healthy", "HundredGigE0/0/1" = "dirty-connector" }

[[device]]
name = "edge-b"
source = "sim"
poll_interval = "10s"
[device.sim]
seed = 8
interfaces = { "HundredGigE0/0/0" = "healthy" }

[[port]]
name = "erd-ams-1"
hold_down = "5m"
healthy_min_dbm = -10.0
healthy_max_dbm = 0.0
link1 = { device = "edge-a", interface = "HundredGigE0/0/0", azure_admin_state = "enabled" }
link2 = { device = "edge-b", interface = "HundredGigE0/0/0", azure_admin_state = "enabled" }
"#;

fn problems(text: &str) -> Vec<String> {
    Config::parse(text, "t.toml")
        .expect_err("config should be rejected")
        .report()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn the_documented_example_parses_with_defaults_applied() {
    let c = Config::parse(EXAMPLE, "example").unwrap();
    assert_eq!(c.listen.to_string(), "127.0.0.1:9750");
    assert_eq!(c.devices.len(), 2);
    let a = c.device("edge-a").unwrap();
    assert_eq!(a.poll_interval, Duration::from_secs(10));
    assert_eq!(a.timeout, Duration::from_secs(10));
    let SourceConfig::Sim(sim) = &a.source else {
        panic!("sim")
    };
    assert_eq!(sim.seed, 7);
    assert_eq!(
        sim.interfaces["HundredGigE0/0/1"].scenario,
        Scenario::DirtyConnector
    );
    assert_eq!(
        sim.interfaces["HundredGigE0/0/1"].optic,
        OpticModel::HundredGigLr4
    );
    let p = c.port("erd-ams-1").unwrap();
    assert_eq!(p.hold_down, Duration::from_secs(300));
    assert_eq!(p.staleness, Duration::from_secs(30), "3 poll intervals");
    assert_eq!(
        p.window,
        HealthyWindow {
            min_dbm: -10.0,
            max_dbm: 0.0
        }
    );
    assert_eq!(p.link2.device, "edge-b");
    assert_eq!(p.link1.azure_admin_state, AzureAdminState::Enabled);
    assert_eq!(
        c.interfaces_of("edge-a"),
        vec!["HundredGigE0/0/0".to_string()]
    );
}

#[test]
fn the_embedded_demo_is_valid() {
    let c = Config::demo();
    assert_eq!(c.ports.len(), 1);
    assert_eq!(c.ports[0].name, "demo");
}

#[test]
fn interface_tables_set_scenario_options() {
    let text = EXAMPLE.replace(
        r#"interfaces = { "HundredGigE0/0/0" = "healthy" }"#,
        r#"interfaces = { "HundredGigE0/0/0" = { scenario = "flapping", flap_period = "20s", optic = "10g-lr" } }"#,
    );
    let c = Config::parse(&text, "t").unwrap();
    let SourceConfig::Sim(sim) = &c.device("edge-b").unwrap().source else {
        panic!("sim")
    };
    let i = &sim.interfaces["HundredGigE0/0/0"];
    assert_eq!(
        (i.scenario, i.optic, i.flap_period),
        (
            Scenario::Flapping,
            OpticModel::TenGigLr,
            Duration::from_secs(20)
        )
    );
}

#[test]
fn integer_dbm_values_are_accepted() {
    let text = EXAMPLE.replace("healthy_min_dbm = -10.0", "healthy_min_dbm = -12");
    let c = Config::parse(&text, "t").unwrap();
    assert_eq!(c.ports[0].window.min_dbm, -12.0);
}

#[test]
fn unknown_keys_are_rejected_with_their_position() {
    let text = EXAMPLE.replace(
        "hold_down = \"5m\"",
        "hold_down = \"5m\"\nhold_dwon = \"1m\"",
    );
    let p = problems(&text);
    assert_eq!(p.len(), 1);
    assert!(
        p[0].starts_with("t.toml:22:1: unknown field `hold_dwon`"),
        "{p:?}"
    );
}

#[test]
fn a_bad_duration_is_located() {
    let text = EXAMPLE.replace("hold_down = \"5m\"", "hold_down = \"five minutes\"");
    let p = problems(&text);
    assert!(
        p[0].starts_with("t.toml:21:13: invalid duration \"five minutes\""),
        "{p:?}"
    );
}

#[test]
fn syntax_errors_are_located() {
    let p = problems("listen = \"127.0.0.1:9750\"\n[[device]\n");
    assert!(p[0].starts_with("t.toml:2:"), "{p:?}");
}

#[test]
fn every_semantic_problem_is_reported_at_once() {
    let text = r#"
[[device]]
name = "edge-a"
source = "sim"
[device.sim]
interfaces = { "Hu0" = "healthy", "Hu1" = "healthy" }

[[device]]
name = "edge-a"
source = "sim"
[device.sim]
interfaces = { "Hu0" = "healthy" }

[[port]]
name = "p1"
healthy_min_dbm = 1.0
healthy_max_dbm = -1.0
link1 = { device = "edge-a", interface = "Hu0" }
link2 = { device = "edge-z", interface = "Hu0" }

[[port]]
name = "p2"
link1 = { device = "edge-a", interface = "Hu1" }
link2 = { device = "edge-a", interface = "Hu1" }

[[port]]
name = "p2"
link1 = { device = "edge-a", interface = "Hu9" }
link2 = { device = "edge-a", interface = "Hu0", azure_admin_state = "on" }
"#;
    let p = problems(text);
    let expect = [
        "t.toml:9:8: duplicate device name \"edge-a\" (first defined on line 3)",
        "t.toml:16:19: port \"p1\": inverted healthy window: healthy_min_dbm 1 is above healthy_max_dbm -1",
        "t.toml:19:20: port \"p1\" link2: unknown device \"edge-z\"",
        "t.toml:24:9: port \"p2\": link1 and link2 are both edge-a Hu1; they must be two different ports",
        "t.toml:27:8: duplicate port name \"p2\" (first defined on line 22)",
    ];
    for e in expect {
        assert!(p.iter().any(|l| l == e), "missing {e:?} in {p:#?}");
    }
    assert_eq!(p.len(), expect.len(), "{p:#?}");
}

#[test]
fn one_router_port_serves_one_link_only() {
    let text = format!(
        "{EXAMPLE}\n[[port]]\nname = \"erd-ams-2\"\nlink1 = {{ device = \"edge-a\", interface = \"HundredGigE0/0/0\" }}\nlink2 = {{ device = \"edge-a\", interface = \"HundredGigE0/0/1\" }}\n"
    );
    let p = problems(&text);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].contains("edge-a HundredGigE0/0/0 is already link1 of port \"erd-ams-1\""),
        "{p:?}"
    );
}

#[test]
fn sim_links_must_name_a_simulated_interface() {
    let text = EXAMPLE.replace(
        r#"link2 = { device = "edge-b", interface = "HundredGigE0/0/0""#,
        r#"link2 = { device = "edge-b", interface = "HundredGigE0/0/7""#,
    );
    let p = problems(&text);
    assert!(p[0].contains("simulated device \"edge-b\" has no interface \"HundredGigE0/0/7\" (it has: HundredGigE0/0/0)"), "{p:?}");
}

#[test]
fn unknown_scenarios_and_sources_are_named() {
    let text = EXAMPLE.replace("\"dirty-connector\"", "\"dirty\"");
    assert!(problems(&text)[0]
        .contains("unknown scenario \"dirty\", expected one of: healthy, dirty-connector"));
    let sim_line = "source = \"sim\"                 # later also \"snmp\", \"serial\"";
    let p = problems(&EXAMPLE.replacen(sim_line, "source = \"carrier-pigeon\"", 1));
    assert!(
        p[0].contains("source kind \"carrier-pigeon\" is not supported"),
        "{p:?}"
    );
    let p = problems(&EXAMPLE.replacen(sim_line, "source = \"snmp\"", 1));
    assert!(
        p[0].contains("has source = \"snmp\" but no [device.snmp] table"),
        "{p:?}"
    );
}

#[test]
fn zero_durations_and_bad_listen_addresses_are_rejected() {
    let text = EXAMPLE
        .replace("poll_interval = \"10s\"", "poll_interval = \"0s\"")
        .replace("127.0.0.1:9750", "localhost");
    let p = problems(&text);
    assert!(
        p.iter()
            .any(|l| l.contains("listen \"localhost\" is not an address:port")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|l| l.contains("poll_interval 0s is out of range: 10ms to 1day")),
        "{p:?}"
    );
}

#[test]
fn absurd_durations_are_errors_not_overflows() {
    for (from, to, expected) in [
        (
            "poll_interval = \"10s\"",
            "poll_interval = \"18446744073709551615s\"",
            "poll_interval 18446744073709551615s is out of range: 10ms to 1day",
        ),
        (
            "poll_interval = \"10s\"",
            "poll_interval = \"1ns\"",
            "poll_interval 1ns is out of range",
        ),
        (
            "hold_down = \"5m\"",
            "hold_down = \"999999999999h\"",
            "hold_down 3599999999996400s is out of range: 100ms to 7days",
        ),
        (
            "poll_interval = \"10s\"",
            "poll_interval = \"10s\"\ntimeout = \"1m\"",
            "timeout 1m is longer than poll_interval 10s",
        ),
    ] {
        assert!(EXAMPLE.contains(from), "{from}");
        let p = problems(&EXAMPLE.replacen(from, to, 1));
        assert!(p.iter().any(|l| l.contains(expected)), "{to}: {p:?}");
    }
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let e = Config::load(std::path::Path::new("/nonexistent/lightgate.toml")).unwrap_err();
    assert!(
        e.report()
            .starts_with("/nonexistent/lightgate.toml: cannot read the file:"),
        "{}",
        e.report()
    );
}

const SNMP_DEVICES: &str = r#"
[[device]]
name = "edge-b"
source = "snmp"
poll_interval = "30s"
[device.snmp]
address = "192.0.2.11:161"
version = "2c"
community = "s3cr3t-community"

[[device]]
name = "edge-c"
source = "snmp"
[device.snmp]
address = "192.0.2.12:161"
version = "3"
user = "lightgate"
security_level = "authPriv"
auth_protocol = "sha256"
auth_password = "auth-pass-123"
priv_protocol = "aes"
priv_password_env = "LIGHTGATE_TEST_PRIV"
vendor = "juniper"

[[port]]
name = "p"
link1 = { device = "edge-b", interface = "Hu0/0/0/0" }
link2 = { device = "edge-c", interface = "et-0/0/0" }
"#;

#[test]
fn snmp_devices_parse_and_secrets_never_print() {
    use crate::source::snmp::settings::{
        AuthProtocol, PrivProtocol, SecurityLevel, SnmpVersion, Vendor,
    };
    std::env::set_var("LIGHTGATE_TEST_PRIV", "priv-pass-456");
    let c = Config::parse(SNMP_DEVICES, "t").unwrap_or_else(|e| panic!("{}", e.report()));
    let SourceConfig::Snmp(b) = &c.device("edge-b").unwrap().source else {
        panic!("snmp")
    };
    assert_eq!(b.version, SnmpVersion::V2c);
    assert_eq!(b.community.as_ref().unwrap().expose(), "s3cr3t-community");
    assert_eq!(
        c.device("edge-b").unwrap().timeout,
        Duration::from_secs(30),
        "SNMP may use its interval"
    );
    let SourceConfig::Snmp(cc) = &c.device("edge-c").unwrap().source else {
        panic!("snmp")
    };
    let v3 = cc.v3.as_ref().unwrap();
    assert_eq!(
        (v3.level, v3.auth_protocol, v3.priv_protocol),
        (
            SecurityLevel::AuthPriv,
            AuthProtocol::Sha256,
            PrivProtocol::Aes128
        )
    );
    assert_eq!(v3.priv_password.as_ref().unwrap().expose(), "priv-pass-456");
    assert_eq!(cc.vendor, Some(Vendor::Juniper));
    let printed = format!("{c:?}");
    for secret in ["s3cr3t-community", "auth-pass-123", "priv-pass-456"] {
        assert!(
            !printed.contains(secret),
            "{secret} leaked into Debug output"
        );
    }
}

#[test]
fn snmp_secrets_come_from_files_and_missing_ones_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("community");
    std::fs::write(&file, "from-a-file\n").unwrap();
    let text = SNMP_DEVICES.replace(
        "community = \"s3cr3t-community\"",
        &format!("community_file = {:?}", file.display().to_string()),
    );
    std::env::set_var("LIGHTGATE_TEST_PRIV", "priv-pass-456");
    let c = Config::parse(&text, "t").unwrap();
    let SourceConfig::Snmp(b) = &c.device("edge-b").unwrap().source else {
        panic!("snmp")
    };
    assert_eq!(b.community.as_ref().unwrap().expose(), "from-a-file");

    let text = SNMP_DEVICES
        .replace("community = \"s3cr3t-community\"", "")
        .replace(
            "priv_password_env = \"LIGHTGATE_TEST_PRIV\"",
            "priv_password_env = \"LIGHTGATE_TEST_UNSET_VARIABLE\"",
        )
        .replace(
            "auth_password = \"auth-pass-123\"",
            "auth_password = \"short\"",
        );
    let p = problems(&text);
    assert!(
        p.iter()
            .any(|l| l.contains("SNMP v1/v2c needs community, community_file or community_env")),
        "{p:#?}"
    );
    assert!(p.iter().any(|l| l.contains("priv_password_env: the environment variable \"LIGHTGATE_TEST_UNSET_VARIABLE\" is not set")), "{p:#?}");
    assert!(
        p.iter()
            .any(|l| l.contains("auth_password (or _file/_env) of at least 8 characters")),
        "{p:#?}"
    );
    assert!(
        !p.iter().any(|l| l.contains("short")),
        "a rejected secret is not echoed: {p:#?}"
    );
    let text = SNMP_DEVICES
        .replace("version = \"2c\"", "version = \"2\"")
        .replace("vendor = \"juniper\"", "vendor = \"extreme\"");
    let p = problems(&text);
    assert!(
        p.iter()
            .any(|l| l.contains("version \"2\" must be one of: 1, 2c, 3")),
        "{p:#?}"
    );
    assert!(
        p.iter()
            .any(|l| l.contains("vendor \"extreme\" must be one of")),
        "{p:#?}"
    );
}

#[test]
fn workflow_dates_are_checked_and_located() {
    let good = EXAMPLE.replace(
        "hold_down = \"5m\"",
        "hold_down = \"5m\"\nloa_issued = \"2026-11-02\"\ncross_connects_completed = \"2026-11-20\"",
    );
    let c = Config::parse(&good, "t.toml").unwrap();
    assert_eq!(c.ports[0].loa_issued.as_deref(), Some("2026-11-02"));
    assert_eq!(
        c.ports[0].cross_connects_completed.as_deref(),
        Some("2026-11-20")
    );
    for bad in ["2026-13-02", "02/11/2026", "2026-11-2", "yesterday"] {
        let p = problems(&good.replace("2026-11-02", bad));
        assert!(
            p[0].starts_with("t.toml:22:")
                && p[0].contains(&format!("loa_issued \"{bad}\" must be a date, YYYY-MM-DD")),
            "{bad}: {p:?}"
        );
    }
}

#[test]
fn monitor_lists_are_read_checked_and_polled() {
    let text = EXAMPLE.replacen(
        "poll_interval = \"10s\"\n[device.sim]\nseed = 7",
        "poll_interval = \"10s\"\nmonitor = [\"HundredGigE0/0/1\"]\n[device.sim]\nseed = 7",
        1,
    );
    let c = Config::parse(&text, "test").unwrap_or_else(|e| panic!("{}", e.report()));
    assert_eq!(c.devices[0].monitor, vec!["HundredGigE0/0/1".to_string()]);
    assert_eq!(
        c.interfaces_of("edge-a"),
        vec![
            "HundredGigE0/0/0".to_string(),
            "HundredGigE0/0/1".to_string()
        ]
    );
    let p = problems(&text.replace(
        "monitor = [\"HundredGigE0/0/1\"]",
        "monitor = [\"HundredGigE0/0/1\", \"HundredGigE0/0/1\", \"Hu9\", \"\"]",
    ));
    assert!(
        p.iter()
            .any(|x| x.contains("\"HundredGigE0/0/1\" is listed twice")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|x| x.contains("simulated device \"edge-a\" has no interface \"Hu9\"")),
        "{p:?}"
    );
    assert!(p.iter().any(|x| x.contains("must not be empty")), "{p:?}");
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn cases() -> u32 {
        std::env::var("LIGHTGATE_FUZZ_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(512)
    }

    /// Values an operator might type where a value goes.
    fn token() -> impl Strategy<Value = String> {
        prop_oneof![
            "[0-9]{1,25}".prop_map(|s| s),
            "\"[0-9]{1,22}[a-z]{0,3}\"".prop_map(|s| s),
            "\"-?[0-9.e]{1,12}(ns|ms|s|m|h|d|y)\"".prop_map(|s| s),
            "-?[0-9]{1,4}\\.[0-9]{0,4}(e[0-9]{1,3})?".prop_map(|s| s),
            Just("nan".to_string()),
            Just("inf".to_string()),
            Just("-inf".to_string()),
            Just("[]".to_string()),
            Just("{}".to_string()),
            Just("true".to_string()),
            Just("\"\"".to_string()),
            ".{0,12}".prop_map(|s| format!("{s:?}")),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(cases()))]

        /// Whatever the file holds, loading it gives a config or located problems.
        #[test]
        fn any_text_loads_or_is_refused_without_panicking(text in ".{0,400}") {
            let _ = Config::parse(&text, "fuzz.toml");
            let _ = crate::exporter::web::WebConfig::parse(&text, std::path::Path::new("web.yml"));
        }

        /// The example config with one value swapped for something absurd.
        #[test]
        fn absurd_values_are_refused_without_panicking(which in any::<prop::sample::Index>(), value in token()) {
            let lines: Vec<&str> = EXAMPLE.lines().collect();
            let candidates: Vec<usize> = lines.iter().enumerate().filter(|(_, l)| l.contains(" = ")).map(|(i, _)| i).collect();
            let i = candidates[which.index(candidates.len())];
            let key = lines[i].split(" = ").next().unwrap_or("");
            let mut text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            text[i] = format!("{key} = {value}");
            let _ = Config::parse(&text.join("\n"), "fuzz.toml");
        }

        /// The example config cut short or with text inserted anywhere.
        #[test]
        fn damaged_configs_are_refused_without_panicking(cut in any::<prop::sample::Index>(), insert in "[\\[\\]{}=\"., a-z0-9\\n]{0,20}", at in any::<prop::sample::Index>()) {
            let chars: Vec<char> = EXAMPLE.chars().collect();
            let mut text: String = chars[..cut.index(chars.len() + 1)].iter().collect();
            let pos = text.char_indices().map(|(i, _)| i).nth(at.index(text.chars().count() + 1)).unwrap_or(text.len());
            text.insert_str(pos, &insert);
            let _ = Config::parse(&text, "fuzz.toml");
        }
    }
}

#[test]
fn an_snmp_address_without_a_port_means_161() {
    let text = SNMP_DEVICES
        .replace("\"192.0.2.11:161\"", "\"192.0.2.11\"")
        .replace("\"192.0.2.12:161\"", "\"2001:db8::12\"");
    std::env::set_var("LIGHTGATE_TEST_PRIV", "priv-pass-456");
    let c = Config::parse(&text, "t").unwrap_or_else(|e| panic!("{}", e.report()));
    let address = |name: &str| match &c.device(name).unwrap().source {
        SourceConfig::Snmp(s) => s.address.clone(),
        _ => panic!("snmp"),
    };
    assert_eq!(address("edge-b"), "192.0.2.11:161");
    assert_eq!(address("edge-c"), "[2001:db8::12]:161");
}

#[test]
fn azure_credentials_and_clouds_resolve_or_say_what_is_missing() {
    use crate::source::azure::{AzureAuth, Cloud};
    let azure = |lines: &str| {
        format!("[azure]\n{lines}\n\n[[port]]\nname = \"p\"\nlink1 = {{ device = \"d\", interface = \"a\" }}\nlink2 = {{ device = \"d\", interface = \"b\" }}\n\n[[device]]\nname = \"d\"\nsource = \"sim\"\n[device.sim]\ninterfaces = {{ a = \"healthy\", b = \"healthy\" }}\n")
    };
    let c = Config::parse(
        &azure("credential = \"managed-identity\"\ncloud = \"usgov\""),
        "t",
    )
    .unwrap_or_else(|e| panic!("{}", e.report()));
    let a = c.azure.as_ref().unwrap();
    assert_eq!(a.cloud, Cloud::UsGov);
    assert_eq!(a.arm_endpoint, "https://management.usgovcloudapi.net");
    assert_eq!(a.login_endpoint, "https://login.microsoftonline.us");
    assert_eq!(a.cloud.audience(), "https://management.usgovcloudapi.net/");
    assert_eq!(a.auth, AzureAuth::ManagedIdentity { client_id: None });
    let c = Config::parse(&azure("credential = \"azure-cli\"\ncloud = \"china\""), "t").unwrap();
    assert_eq!(
        c.azure.as_ref().unwrap().arm_endpoint,
        "https://management.chinacloudapi.cn"
    );
    let c = Config::parse(
        &azure("credential = \"default\"\nazure_cli_command = \"/opt/az/bin/az\""),
        "t",
    )
    .unwrap();
    match &c.azure.as_ref().unwrap().auth {
        AzureAuth::Chain(chain) => {
            let kinds: Vec<&str> = chain.iter().map(AzureAuth::kind).collect();
            assert_eq!(kinds.last(), Some(&"azure-cli"), "{kinds:?}");
            assert!(kinds.contains(&"managed-identity"), "{kinds:?}");
        }
        other => panic!("{other:?}"),
    }
    for (lines, says) in [
        (
            "credential = \"certificate\"\ntenant_id = \"t\"\nclient_id = \"c\"",
            "client_certificate_path",
        ),
        (
            "credential = \"workload-identity\"\ntenant_id = \"t\"",
            "federated_token_file",
        ),
        (
            "credential = \"kerberos\"",
            "is not one of default, client-secret",
        ),
        (
            "credential = \"azure-cli\"\nmanaged_identity = true",
            "contradict",
        ),
        (
            "credential = \"azure-cli\"\ncloud = \"mars\"",
            "cloud \"mars\" is not one of public, usgov, china",
        ),
    ] {
        let found = problems(&azure(lines));
        assert!(
            found.iter().any(|p| p.contains(says)),
            "{lines}: {found:#?}"
        );
    }
}

#[test]
fn peerings_are_read_and_their_mistakes_located() {
    let ok = format!(
        "{EXAMPLE}\n[[port.peering]]\ncircuit = \"ckt-1\"\ntype = \"private\"\nprimary_subnet = \"192.168.100.128/30\"\nsecondary_subnet = \"192.168.100.132/30\"\nipv6_primary_subnet = \"fd00:10::/126\"\nvrf = \"AZURE\"\nhold_down = \"2m\"\nprefixes_max = 100\nadvertised_prefix_count = 40\n"
    );
    let c = Config::parse(&ok, "t.toml").unwrap();
    let p = &c.ports[0].peerings[0];
    assert_eq!(p.kind, crate::bgp::PeeringKind::Private);
    assert_eq!(p.primary.unwrap().to_string(), "192.168.100.128/30");
    assert_eq!(p.vrf.as_deref(), Some("AZURE"));
    assert_eq!(p.hold_down, Duration::from_secs(120));
    assert_eq!((p.prefixes_min, p.prefixes_max), (1, Some(100)));
    assert_eq!(p.advertised, (Some(40), None));

    let bad = format!(
        "{EXAMPLE}\n[[port.peering]]\ncircuit = \"ckt-1\"\ntype = \"public-ish\"\n\n[[port.peering]]\ncircuit = \"ckt-1\"\ntype = \"private\"\nprimary_subnet = \"192.168.100.128/29\"\nsecondary_subnet = \"192.168.100.133/30\"\nipv6_primary_subnet = \"192.168.1.0/30\"\nvrf = \"A; reload\"\nprefixes_min = 10\nprefixes_max = 5\n"
    );
    let p = problems(&bad);
    let joined = p.join("\n");
    for (line, needle) in [
        (
            29,
            "peering type \"public-ish\" is not private or microsoft",
        ),
        (34, "each link's subnet is a /30"),
        (
            35,
            "is not a network address (did you mean 192.168.100.132/30?)",
        ),
        (36, "is not an IPv6 subnet"),
        (37, "vrf \"A; reload\" must be one word"),
        (39, "prefixes_max 5 is below prefixes_min 10"),
    ] {
        assert!(
            p.iter()
                .any(|x| x.contains(&format!("t.toml:{line}:")) && x.contains(needle)),
            "line {line}: {needle}\n{joined}"
        );
    }
    let typo =
        format!("{EXAMPLE}\n[[port.peering]]\ncircuit = \"c\"\ntype = \"private\"\nvfr = \"X\"\n");
    assert!(
        problems(&typo).join("\n").contains("vfr"),
        "{:?}",
        problems(&typo)
    );
}

/// Issue 30, 11: every SNMP number is bounded where it is written: `retries` of
/// 4294967295 passed check-config and overflowed a Duration at the first poll.
#[test]
fn snmp_numbers_out_of_their_bounds_are_refused_with_their_line() {
    std::env::set_var("LIGHTGATE_TEST_PRIV", "priv-pass-456");
    let base = SNMP_DEVICES.replace(
        "community = \"s3cr3t-community\"\n",
        "community = \"s3cr3t-community\"\nKEY\n",
    );
    for (key, expected) in [
        (
            "retries = 4294967295",
            "retries must be between 0 and 10 (got 4294967295)",
        ),
        ("retries = 11", "retries must be between 0 and 10"),
        (
            "max_repetitions = 0",
            "max_repetitions must be between 1 and 1000",
        ),
        (
            "max_repetitions = 100000",
            "max_repetitions must be between 1 and 1000",
        ),
        (
            "max_varbinds_per_request = 5000",
            "max_varbinds_per_request must be between 1 and 1000",
        ),
    ] {
        let p = problems(&base.replace("KEY", key));
        assert!(
            p.iter()
                .any(|l| l.contains(expected) && l.starts_with("t.toml:10:")),
            "{key}: {p:#?}"
        );
    }
    for ok in ["retries = 0", "retries = 10", "max_repetitions = 1000"] {
        Config::parse(&base.replace("KEY", ok), "t.toml")
            .unwrap_or_else(|e| panic!("{ok}: {}", e.report()));
    }
}
