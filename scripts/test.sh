#!/usr/bin/env bash
# Runs lightgate's whole test suite: formatting, lints, unit, integration and CLI tests.
# Installs the Debian packages the tests need when they are missing (apt-get; as root,
# or through sudo). Usage: ./scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# "command package" pairs: a test that needs the command gets it from the package.
REQUIRED=(
    "snmpsimd snmpsim"   # SNMP agents serving real device walks (v2c and v3)
    "snmpget snmp"       # net-snmp tools: readiness probe of snmpsimd, snmpset, snmptrap
    "snmpd snmpd"        # net-snmp's agent: SNMPv3 against a second USM implementation
    "promtool prometheus" # promtool for the alert rules, and a real Prometheus server
    "socat socat"        # pseudo-terminal pairs for the serial console tests
    "chromium chromium"  # a real browser for the bring-up page tests
    "chromedriver chromium-driver" # WebDriver for it
    "tidy tidy"          # HTML validity of the pages
    "systemd-analyze systemd" # the unit's verification and exposure score
    "openssl openssl"    # an RSA certificate for the Azure certificate credential test
    "python3 python3"    # dashboards/generate.py, whose output the tests compare
)

# snmpd lives in /usr/sbin, which is not on every user's PATH.
export PATH="$PATH:/usr/sbin:/sbin"
missing=()
for pair in "${REQUIRED[@]}"; do
    cmd=${pair% *}
    pkg=${pair#* }
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing missing test dependencies: ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# cargo-deb builds the Debian package in the packaging test.
command -v cargo-deb >/dev/null 2>&1 || cargo install cargo-deb --locked

# A one-shot run gains nothing from incremental compilation, whose caches were a third
# of the target directory; a developer who wants them sets CARGO_INCREMENTAL=1.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

cargo fmt --all -- --check
cargo clippy --locked --workspace --all-targets -- -D warnings
cargo test --locked --workspace
