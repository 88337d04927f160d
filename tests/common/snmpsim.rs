//! Starts net-snmp-compatible agents for tests: snmpsim (`snmpsimd`, Debian package
//! snmpsim) serving .snmprec walks on 127.0.0.1. Each test gets its own agent on a
//! free port, stopped when dropped.

#![allow(dead_code)]

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::require;

use lightgate::config::Secret;
use lightgate::source::snmp::settings::{SnmpSettings, SnmpVersion, V3Settings};

/// The shared corpus: $LIGHTGATE_CORPUS, or ../shared/corpus beside the project.
pub fn corpus() -> PathBuf {
    let dir = std::env::var_os("LIGHTGATE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    assert!(
        dir.join("MANIFEST.md").exists(),
        "the conformance corpus is not at {} (set LIGHTGATE_CORPUS to its path)",
        dir.display()
    );
    dir
}

/// Our own SNMP fixtures, kept with the SNMP layer that replays them in its tests.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/lightgate-snmp/tests/fixtures")
        .join(name)
}

pub fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running snmpsimd.
pub struct SnmpSim {
    child: Child,
    pub address: String,
    _dir: tempfile::TempDir,
}

/// v3 user settings for [`SnmpSim::start_v3`].
pub struct V3User {
    pub user: &'static str,
    pub auth_proto: &'static str,
    pub auth_key: &'static str,
    /// None for authNoPriv.
    pub privacy: Option<(&'static str, &'static str)>,
}

impl SnmpSim {
    /// Serves `walk` under `community`.
    pub fn start(walk: &Path, community: &str) -> SnmpSim {
        Self::launch(walk, community, None)
    }

    /// Serves `walk` to an SNMPv3 user (and under `community` for v2c).
    pub fn start_v3(walk: &Path, community: &str, user: &V3User) -> SnmpSim {
        Self::launch(walk, community, Some(user))
    }

    fn launch(walk: &Path, community: &str, v3: Option<&V3User>) -> SnmpSim {
        require("snmpsimd", "snmpsim");
        require("snmpget", "snmp");
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let cache = dir.path().join("cache");
        std::fs::create_dir_all(&data).unwrap();
        std::fs::create_dir_all(&cache).unwrap();
        let text =
            std::fs::read_to_string(walk).unwrap_or_else(|e| panic!("{}: {e}", walk.display()));
        std::fs::write(
            data.join(format!("{community}.snmprec")),
            valid_lines(walk, &text),
        )
        .unwrap();
        // snmpsimd drops privileges to nobody when run as root: let it read and cache.
        for p in [dir.path(), &data, &cache] {
            let _ = Command::new("chmod")
                .args(["a+rwx", p.to_str().unwrap()])
                .status();
        }
        let _ = Command::new("chmod")
            .args(["-R", "a+r", data.to_str().unwrap()])
            .status();
        let port = free_udp_port();
        let address = format!("127.0.0.1:{port}");
        let mut cmd = Command::new("snmpsimd");
        cmd.arg(format!("--data-dir={}", data.display()))
            .arg(format!("--cache-dir={}", cache.display()))
            .arg(format!("--agent-udpv4-endpoint={address}"))
            .arg("--logging-method=null");
        if unsafe_is_root() {
            cmd.args(["--process-user=nobody", "--process-group=nogroup"]);
        }
        if let Some(u) = v3 {
            // snmpsim matches a v3 request's context name to the data file's name.
            cmd.arg(format!("--v3-user={}", u.user))
                .arg(format!("--v3-auth-key={}", u.auth_key))
                .arg(format!("--v3-auth-proto={}", u.auth_proto));
            if let Some((proto, key)) = u.privacy {
                cmd.arg(format!("--v3-priv-key={key}"))
                    .arg(format!("--v3-priv-proto={proto}"));
            }
        }
        let child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start snmpsimd");
        let sim = SnmpSim {
            child,
            address,
            _dir: dir,
        };
        sim.wait_ready(community);
        sim
    }

    fn wait_ready(&self, community: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ok = Command::new("snmpget")
                .args([
                    "-v2c",
                    "-c",
                    community,
                    "-t",
                    "1",
                    "-r",
                    "0",
                    &self.address,
                    "1.3.6.1.2.1.1.3.0",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if ok {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "snmpsimd did not answer on {} within 60 s",
                self.address
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// v2c settings for this agent.
    pub fn settings(&self, community: &str) -> SnmpSettings {
        settings_v2c(&self.address, community)
    }
}

impl Drop for SnmpSim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The walk without the lines that are not valid snmprec (cells sanitised upstream,
/// such as an IpAddress `<private>`): each is skipped and counted, never the walk.
/// snmpsim would otherwise decide for itself what to do with them.
fn valid_lines(walk: &Path, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut skipped = 0;
    for line in text.lines() {
        match lightgate_snmp::transport::snmprec_line(line) {
            Ok(_) => {
                out.push_str(line);
                out.push('\n');
            }
            Err(_) => skipped += 1,
        }
    }
    if skipped > 0 {
        eprintln!(
            "{}: {skipped} lines that are not valid snmprec skipped",
            walk.display()
        );
    }
    out
}

fn unsafe_is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

pub fn settings_v2c(address: &str, community: &str) -> SnmpSettings {
    SnmpSettings {
        address: address.to_string(),
        version: SnmpVersion::V2c,
        community: Some(Secret::new(community)),
        v3: None,
        vendor: None,
        request_timeout: Duration::from_secs(2),
        retries: 1,
        max_repetitions: 25,
        max_varbinds_per_request: 60,
        rediscover_interval: Duration::from_secs(3600),
    }
}

pub fn settings_v3(address: &str, v3: V3Settings) -> SnmpSettings {
    SnmpSettings {
        version: SnmpVersion::V3,
        community: None,
        v3: Some(v3),
        ..settings_v2c(address, "unused")
    }
}
