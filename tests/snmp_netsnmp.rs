//! SNMPv3 against net-snmp's own agent (`snmpd`, Debian package snmpd), a second USM
//! implementation beside snmpsim's: authPriv with SHA-256 and AES, authNoPriv with
//! SHA-512, and a wrong password, through `lightgate probe snmp` as an engineer runs it.

mod common;

use std::net::UdpSocket;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const AUTH: &str = "auth-pass-123";
const PRIV: &str = "priv-pass-456";

/// A running snmpd with its own config, state directory and port; killed on drop.
struct Snmpd {
    child: Child,
    address: String,
    _dir: tempfile::TempDir,
}

fn snmpd_path() -> &'static str {
    for p in ["/usr/sbin/snmpd", "/usr/local/sbin/snmpd"] {
        if std::path::Path::new(p).exists() {
            return p;
        }
    }
    panic!("snmpd is needed: install it with `apt-get install snmpd` (./scripts/test.sh does)");
}

impl Snmpd {
    fn start() -> Snmpd {
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("snmpd.conf");
        std::fs::write(
            &conf,
            format!(
                "[snmpd] createUser lgpriv SHA-256 \"{AUTH}\" AES \"{PRIV}\"\n\
                 [snmpd] createUser lgauth SHA-512 \"{AUTH}\"\n\
                 [snmpd] rouser lgpriv priv\n\
                 [snmpd] rouser lgauth auth\n\
                 [snmp] persistentDir {}\n",
                dir.path().join("persist").display()
            ),
        )
        .unwrap();
        let port = UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let address = format!("127.0.0.1:{port}");
        let child = Command::new(snmpd_path())
            // Foreground, log to stdout, only our config, no MIB files needed.
            .args(["-f", "-Lo", "-C", "-c"])
            .arg(&conf)
            .arg(format!("udp:{address}"))
            .env("MIBS", "")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start snmpd");
        let d = Snmpd {
            child,
            address,
            _dir: dir,
        };
        d.wait_ready();
        d
    }

    fn wait_ready(&self) {
        common::require("snmpget", "snmp");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ok = Command::new("snmpget")
                .args([
                    "-v3",
                    "-l",
                    "authNoPriv",
                    "-u",
                    "lgauth",
                    "-a",
                    "SHA-512",
                    "-A",
                    AUTH,
                ])
                .args(["-t", "1", "-r", "0", &self.address, "1.3.6.1.2.1.1.3.0"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if ok {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "snmpd did not answer on {}",
                self.address
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Snmpd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn probe(address: &str, v3: &[&str], auth: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lightgate"))
        .args(["probe", "snmp", "--address", address, "--snmp-version", "3"])
        .args(v3)
        .args([
            "--auth-password-env",
            "LG_T_AUTH",
            "--interface",
            "lo",
            "--json",
        ])
        .env("LG_T_AUTH", auth)
        .env("LG_T_PRIV", PRIV)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

fn loopback(out: &Output) -> serde_json::Value {
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = v.as_array().unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(list.len(), 1, "{v:#}");
    list[0].clone()
}

#[test]
fn v3_auth_priv_and_auth_no_priv_read_net_snmp_and_a_wrong_password_is_named() {
    let d = Snmpd::start();
    let priv_args = [
        "--user",
        "lgpriv",
        "--auth-protocol",
        "sha256",
        "--priv-protocol",
        "aes",
        "--priv-password-env",
        "LG_T_PRIV",
    ];
    // authPriv, SHA-256 + AES-128: the loopback interface, up, without DOM.
    let lo = loopback(&probe(&d.address, &priv_args, AUTH));
    assert_eq!(lo["interface"], "lo");
    assert_eq!(lo["admin_status"], "up");
    assert_eq!(lo["oper_status"], "up");
    assert!(lo["rx_dbm"].is_null() && lo["note"].is_string(), "{lo:#}");

    // authNoPriv, SHA-512.
    let lo = loopback(&probe(
        &d.address,
        &[
            "--user",
            "lgauth",
            "--security-level",
            "authNoPriv",
            "--auth-protocol",
            "sha512",
        ],
        AUTH,
    ));
    assert_eq!(lo["oper_status"], "up");

    // authPriv without a privacy password is a usage error, not a crash.
    let out = probe(
        &d.address,
        &["--user", "lgauth", "--auth-protocol", "sha512"],
        AUTH,
    );
    assert_eq!(out.status.code(), Some(64), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("needs a privacy password"),
        "{out:?}"
    );

    // A wrong authentication password: exit 69, said plainly, no password shown.
    let out = probe(&d.address, &priv_args, "wrong-pass-789");
    assert_eq!(out.status.code(), Some(69), "{out:?}");
    let text =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("authentication failed"), "{text}");
    assert!(text.contains(&d.address), "names the device: {text}");
    assert!(
        !text.contains("wrong-pass-789") && !text.contains(PRIV),
        "{text}"
    );
}
