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
        "/usr/share/man/man1/lightgate.1.gz",
        "/usr/share/bash-completion/completions/lightgate",
        "/usr/share/zsh/vendor-completions/_lightgate",
        "/usr/share/fish/vendor_completions.d/lightgate.fish",
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
    let postrm = std::fs::read_to_string(control.join("postrm")).unwrap();
    assert!(postrm.contains("rm -rf /var/lib/lightgate"), "{postrm}");
    assert!(
        !postrm.contains("deluser"),
        "the system user is kept on purge, as Debian's Prometheus packages do: {postrm}"
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
        "SystemCallFilter=@system-service",
        "DevicePolicy=closed",
        "DeviceAllow=char-ttyS rw",
        "DeviceAllow=char-ttyUSB rw",
        "DeviceAllow=char-ttyACM rw",
        "ProtectProc=invisible",
        "UMask=0027",
    ] {
        assert!(unit.lines().any(|l| l == line), "unit lacks {line}");
    }
    assert!(
        !unit.lines().any(|l| l.starts_with("PrivateDevices")),
        "PrivateDevices would hide serial consoles"
    );
    assert!(
        unit.contains("$ARGS $LIGHTGATE_OPTS"),
        "ARGS, and the former LIGHTGATE_OPTS, reach the agent"
    );
    let default = std::fs::read_to_string(root().join("packaging/lightgate.default")).unwrap();
    assert!(default.lines().any(|l| l == "ARGS=\"\""), "{default}");
    assert!(
        have("systemd-analyze"),
        "systemd-analyze is needed: `apt-get install systemd` (./scripts/test.sh does)"
    );
    {
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

/// The exposure score `systemd-analyze security` gave the unit when it was last
/// hardened (it was 3.5 before the system call filter, device policy, ProtectProc and
/// UMask). A change to the unit may lower it, never raise it.
const EXPOSURE_BASELINE: f64 = 1.7;

#[test]
fn the_units_exposure_score_does_not_rise() {
    assert!(
        have("systemd-analyze"),
        "systemd-analyze is needed: `apt-get install systemd` (./scripts/test.sh does)"
    );
    let out = Command::new("systemd-analyze")
        .args(["security", "--offline=true", "--no-pager"])
        .arg(root().join("packaging/systemd/lightgate.service"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let score: f64 = text
        .lines()
        .find_map(|l| {
            l.split("Overall exposure level for lightgate.service:")
                .nth(1)
        })
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| {
            panic!(
                "no exposure score in:\n{text}{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    assert!(
        score <= EXPOSURE_BASELINE,
        "exposure {score} rose above {EXPOSURE_BASELINE}:\n{text}"
    );
}

/// The man page and completion scripts in packaging/ are what the CLI generates now
/// (LIGHTGATE_BLESS=1 rewrites them after a change of the command line).
#[test]
fn the_packaged_man_page_and_completions_match_the_cli() {
    let bless = std::env::var_os("LIGHTGATE_BLESS").is_some();
    for (args, file) in [
        (vec!["man"], "packaging/lightgate.1"),
        (
            vec!["completions", "bash"],
            "packaging/completions/lightgate.bash",
        ),
        (
            vec!["completions", "zsh"],
            "packaging/completions/_lightgate",
        ),
        (
            vec!["completions", "fish"],
            "packaging/completions/lightgate.fish",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_lightgate"))
            .args(&args)
            .output()
            .unwrap();
        assert!(out.status.success(), "lightgate {args:?}");
        let path = root().join(file);
        if bless {
            std::fs::write(&path, &out.stdout).unwrap();
        }
        let packaged = std::fs::read(&path).unwrap_or_default();
        assert!(
            packaged == out.stdout,
            "{file} is not what `lightgate {}` prints: run the packaging tests with LIGHTGATE_BLESS=1",
            args.join(" ")
        );
    }
    let page =
        String::from_utf8(std::fs::read(root().join("packaging/lightgate.1")).unwrap()).unwrap();
    for needle in [
        "LIGHTGATE RUN",
        "web.listen\\-address",
        "LIGHTGATE GATE",
        "LIGHTGATE COMPLETIONS",
    ] {
        assert!(page.contains(needle), "the man page lacks {needle}");
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
