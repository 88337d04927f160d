//! The simulated physics: a reading of one interface at a point in time. Pure, so the
//! scenarios can be tested without a clock.

use std::time::{Duration, SystemTime};

use super::noise::{hash_name, unit};
use super::scenario::{OpticModel, Scenario};
use super::SimInterface;
use crate::domain::{
    AdminStatus, LaneReading, LinkReading, OperStatus, OpticReading, OpticalPower,
};

/// Noise amplitude on light levels, in dB.
const NOISE_DB: f64 = 0.05;
/// How long before the simulation started the steady interfaces came up.
const UP_BEFORE_START: Duration = Duration::from_secs(86_400);
/// The lane that goes dark in the lane-fault scenario.
pub const FAULTY_LANE: u16 = 2;

/// Where in time a reading is taken: seconds since the simulator started, the wall
/// clock at that start, and the poll number (which keys the noise).
#[derive(Debug, Clone, Copy)]
pub struct SimClock {
    pub elapsed: Duration,
    pub started_wall: SystemTime,
    pub poll: u64,
}

fn power(dbm: f64) -> OpticalPower {
    OpticalPower::from_dbm(dbm).unwrap_or(OpticalPower::NotSupported)
}

/// Reads one simulated interface.
pub fn read(seed: u64, name: &str, iface: &SimInterface, clock: SimClock) -> LinkReading {
    let model = if iface.scenario == Scenario::LaneFault {
        OpticModel::HundredGigLr4
    } else {
        iface.optic
    };
    let profile = model.profile();
    let key = hash_name(name);
    let t = clock.elapsed.as_secs_f64();
    let noise =
        |what: u64, lane: u16| NOISE_DB * unit(&[seed, key, clock.poll, what, u64::from(lane)]);
    // Each interface sits at its own fixed spot near the nominal level.
    let mut rx_base = profile.rx_dbm + unit(&[seed, key, 1]);
    let tx_base = profile.tx_dbm + 0.5 * unit(&[seed, key, 2]);

    let mut admin = AdminStatus::Up;
    let mut oper = OperStatus::Up;
    let mut last_change = clock.started_wall.checked_sub(UP_BEFORE_START);
    let mut rx_dark = false;
    let mut tx_dark = false;
    let mut dark_lane = None;
    match iface.scenario {
        Scenario::Healthy => {}
        Scenario::DirtyConnector => rx_base = -14.0 + 0.3 * unit(&[seed, key, 3]),
        Scenario::Unplugged => {
            rx_dark = true;
            oper = OperStatus::Down;
        }
        Scenario::AdminDown => {
            admin = AdminStatus::Down;
            oper = OperStatus::Down;
            tx_dark = true;
        }
        Scenario::Flapping => {
            let period = iface.flap_period.as_secs_f64().max(0.001);
            let cycle = (t / period).floor();
            if cycle as u64 % 2 == 1 {
                oper = OperStatus::Down;
            }
            last_change = Some(clock.started_wall + Duration::from_secs_f64(cycle * period));
        }
        Scenario::Degrading => {
            let floor = profile.rx.low_alarm.unwrap_or(-20.0) - 4.0;
            rx_base = (rx_base - iface.degrade_db_per_minute * t / 60.0).max(floor);
        }
        Scenario::LaneFault => {
            dark_lane = Some(FAULTY_LANE);
            oper = OperStatus::Down;
        }
        Scenario::TxFault => {
            tx_dark = true;
            oper = OperStatus::Down;
        }
    }
    if oper != OperStatus::Up && iface.scenario != Scenario::Flapping {
        last_change = Some(clock.started_wall);
    }

    let lanes: Vec<LaneReading> = (0..profile.lanes)
        .map(|lane| {
            // Lanes of one optic differ by a few tenths of a dB.
            let spread = |what: u64| 0.3 * unit(&[seed, key, 10 + what, u64::from(lane)]);
            let rx = if rx_dark || dark_lane == Some(lane) {
                OpticalPower::NoLight
            } else {
                power(rx_base + spread(0) + noise(100, lane))
            };
            let tx = if tx_dark {
                OpticalPower::NoLight
            } else {
                power(tx_base + spread(1) + noise(200, lane))
            };
            let bias = if tx_dark {
                0.0
            } else {
                profile.bias_amperes * (1.0 + 0.05 * unit(&[seed, key, 20, u64::from(lane)]))
            };
            LaneReading {
                lane,
                rx,
                tx,
                bias_amperes: Some(bias),
            }
        })
        .collect();

    // Like most multi-lane optics' CLIs and MIBs (NX-OS, EOS, Junos lane tables), a
    // simulated LR4 reports per-lane power only: a module "total" above 0 dBm next to
    // a -10..0 dBm window would only confuse.
    let single = profile.lanes == 1;
    let optic = OpticReading {
        rx: if single {
            lanes[0].rx
        } else {
            OpticalPower::NotSupported
        },
        tx: if single {
            lanes[0].tx
        } else {
            OpticalPower::NotSupported
        },
        bias_amperes: if single { lanes[0].bias_amperes } else { None },
        lanes: if single { Vec::new() } else { lanes },
        temperature_celsius: Some(34.0 + 3.0 * unit(&[seed, key, 4]) + 10.0 * noise(300, 0)),
        voltage_volts: Some(3.30 + 0.02 * unit(&[seed, key, 5]) + 0.1 * noise(400, 0)),
        rx_thresholds: profile.rx.into(),
        tx_thresholds: profile.tx.into(),
        lane_count: Some(profile.lanes),
        standard: Some(model.standard()),
    };
    LinkReading {
        admin_status: admin,
        oper_status: oper,
        last_change,
        optic: Some(optic),
        note: None,
        details: crate::domain::LinkDetails {
            alias: None,
            speed_mbps: Some(if single { 10_000 } else { 100_000 }),
            in_errors: Some(0),
            out_errors: Some(0),
        },
    }
}

#[cfg(test)]
mod tests;
