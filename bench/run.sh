#!/bin/sh
# The fleet benchmark: lightgate against Prometheus's snmp_exporter on one simulated
# fleet. Installs snmp_exporter (Debian package prometheus-snmp-exporter) when missing,
# then runs bench/fleet.rs; extra arguments go to it (see the top of bench/fleet.rs).
# The report is printed and written to target/bench/fleet.md. Takes about 5 minutes.
set -eu
cd "$(dirname "$0")/.."
if ! command -v prometheus-snmp-exporter >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq prometheus-snmp-exporter >/dev/null
fi
# The Debian package starts a system service on :9116; the benchmark starts its own.
exec cargo bench --bench fleet -- "$@"
