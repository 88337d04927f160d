//! The Debian package: built with cargo-deb from Cargo.toml's metadata, then inspected
//! with dpkg-deb (contents, modes, conffiles, maintainer scripts); the systemd unit is
//! checked with systemd-analyze where it is available.

use std::path::Path;
use std::process::{Command, Stdio};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn have(cmd: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {cmd}")])
        .stdout(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

#[test]
fn the_debian_package_holds_the_service_config_dashboards_and_user_setup() {
    assert!(
        have("cargo-deb"),
        "cargo-deb is needed: `cargo install cargo-deb --locked` (./scripts/test.sh does)"
    );
    assert!(
        have("dpkg-deb"),
        "dpkg-deb is needed: `apt-get install dpkg`"
    );
    let dir = tempfile::tempdir().unwrap();
    let deb = dir.path().join("lightgate.deb");
    run(Command::new("cargo")
        .current_dir(root())
        .args(["deb", "--locked", "--quiet", "-o"])
        .arg(&deb));

    let listing = run(Command::new("dpkg-deb").arg("-c").arg(&deb));
    let entry = |path: &str| {
        listing
            .lines()
            .find(|l| l.ends_with(&format!(".{path}")))
            .unwrap_or_else(|| panic!("{path} is not in the package:\n{listing}"))
            .to_string()
    };
    assert!(entry("/usr/bin/lightgate").starts_with("-rwxr-xr-x"));
    assert!(
        entry("/etc/default/lightgate").starts_with("-rw-------"),
        "secrets file is mode 600"
    );
    for path in [
        "/etc/lightgate/lightgate.toml",
        "/usr/lib/systemd/system/lightgate.service",
        "/usr/share/lightgate/dashboards/lightgate-overview.json",
        "/usr/share/lightgate/dashboards/lightgate-agent.json",
        "/usr/share/lightgate/alerts.yml",
        "/usr/share/doc/lightgate/README.md",
    ] {
        entry(path);
    }

    let control = dir.path().join("control");
    run(Command::new("dpkg-deb").arg("-e").arg(&deb).arg(&control));
    let conffiles = std::fs::read_to_string(control.join("conffiles")).unwrap();
    for f in ["/etc/lightgate/lightgate.toml", "/etc/default/lightgate"] {
        assert!(
            conffiles.lines().any(|l| l == f),
            "{f} is not a conffile:\n{conffiles}"
        );
    }
    let postinst = std::fs::read_to_string(control.join("postinst")).unwrap();
    assert!(
        postinst.contains("adduser --system --group --home /var/lib/lightgate"),
        "{postinst}"
    );
    assert!(postinst.contains("adduser lightgate dialout"));
    assert!(
        postinst.contains("deb-systemd-helper enable lightgate.service"),
        "the unit is enabled on install"
    );
    let fields = run(Command::new("dpkg-deb")
        .arg("-f")
        .arg(&deb)
        .args(["Package", "Depends"]));
    assert!(
        fields.contains("Package: lightgate") && fields.contains("adduser"),
        "{fields}"
    );
}

#[test]
fn the_systemd_unit_is_hardened_and_valid() {
    let unit = std::fs::read_to_string(root().join("packaging/systemd/lightgate.service")).unwrap();
    for line in [
        "User=lightgate",
        "SupplementaryGroups=dialout",
        "ExecStartPre=/usr/bin/lightgate check-config /etc/lightgate/lightgate.toml",
        "ExecReload=/bin/kill -HUP $MAINPID",
        "Restart=on-failure",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "StateDirectory=lightgate",
        "CapabilityBoundingSet=",
        "LimitNOFILE=65536",
    ] {
        assert!(unit.lines().any(|l| l == line), "unit lacks {line}");
    }
    assert!(
        !unit.lines().any(|l| l.starts_with("PrivateDevices")),
        "PrivateDevices would hide serial consoles"
    );
    if have("systemd-analyze") {
        // verify checks that the binaries exist: point the unit at the one just built.
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("lightgate.service");
        std::fs::write(
            &copy,
            unit.replace("/usr/bin/lightgate", env!("CARGO_BIN_EXE_lightgate")),
        )
        .unwrap();
        let out = Command::new("systemd-analyze")
            .arg("verify")
            .arg(&copy)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && !err.contains("lightgate.service:"),
            "systemd-analyze verify: {err}"
        );
    }
}

#[test]
fn the_packaged_default_config_is_valid() {
    let out = Command::new(env!("CARGO_BIN_EXE_lightgate"))
        .arg("check-config")
        .arg(root().join("packaging/lightgate.toml"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
