//! `[device.serial]`: a console on a local serial port or a console server's TCP port.

use std::ops::Range;
use std::time::Duration;

use toml::Spanned;

use super::raw::RawSerial;
use super::snmp::{secret, Report};
use crate::source::serial::session::SessionSettings;
use crate::source::serial::transport::LineSettings;
use crate::source::serial::Dialect;
use crate::source::serial::{ConsoleTarget, SerialSettings};

pub const DEFAULT_STEP_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

pub fn settings(raw: &Spanned<RawSerial>, report: Report<'_>) -> Option<SerialSettings> {
    let s = raw.get_ref();
    let at: Range<usize> = raw.span();
    let dialect = match s.dialect.get_ref().parse::<Dialect>() {
        Ok(d) => d,
        Err(e) => {
            report(s.dialect.span(), e);
            return None;
        }
    };
    let line = LineSettings {
        baud: s.baud.unwrap_or(9600),
        data_bits: match s.data_bits.as_ref().map(|d| (*d.get_ref(), d.span())) {
            None => 8,
            Some((b @ 5..=8, _)) => b,
            Some((b, span)) => {
                report(span, format!("data_bits {b} must be 5, 6, 7 or 8"));
                8
            }
        },
        parity: match s
            .parity
            .as_ref()
            .map(|p| (p.get_ref().to_ascii_lowercase(), p.span()))
        {
            None => 'n',
            Some((p, _)) if p == "none" || p == "n" => 'n',
            Some((p, _)) if p == "even" || p == "e" => 'e',
            Some((p, _)) if p == "odd" || p == "o" => 'o',
            Some((p, span)) => {
                report(span, format!("parity {p:?} must be none, even or odd"));
                'n'
            }
        },
        stop_bits: match s.stop_bits.as_ref().map(|b| (*b.get_ref(), b.span())) {
            None => 1,
            Some((b @ 1..=2, _)) => b,
            Some((b, span)) => {
                report(span, format!("stop_bits {b} must be 1 or 2"));
                1
            }
        },
        flow_control: match s
            .flow_control
            .as_ref()
            .map(|f| (f.get_ref().to_ascii_lowercase(), f.span()))
        {
            None => "none",
            Some((f, _)) if f == "none" => "none",
            Some((f, _)) if f == "software" || f == "xonxoff" => "software",
            Some((f, _)) if f == "hardware" || f == "rtscts" => "hardware",
            Some((f, span)) => {
                report(
                    span,
                    format!("flow_control {f:?} must be none, software or hardware"),
                );
                "none"
            }
        },
    };
    let target = match (&s.path, &s.url) {
        (Some(p), None) => ConsoleTarget::Device {
            path: p.get_ref().clone(),
            line,
        },
        (None, Some(u)) => match u.get_ref().strip_prefix("tcp://") {
            Some(addr) if addr.contains(':') => {
                ConsoleTarget::Tcp(addr.trim_end_matches('/').to_string())
            }
            _ => {
                report(
                    u.span(),
                    format!(
                        "url {:?} must be tcp://host:port (a console server port)",
                        u.get_ref()
                    ),
                );
                return None;
            }
        },
        _ => {
            report(at, "[device.serial] needs exactly one of path (a serial device) and url (tcp://host:port)".to_string());
            return None;
        }
    };
    let password = secret(
        "password",
        &s.password,
        &s.password_file,
        &s.password_env,
        at.clone(),
        report,
    );
    let enable_password = secret(
        "enable_password",
        &s.enable_password,
        &s.enable_password_file,
        &s.enable_password_env,
        at.clone(),
        report,
    );
    // Zero means the default, as it always has.
    let mut timeout =
        |d: &Option<Spanned<super::duration::HumanDuration>>, what: &str, default| match d
            .as_ref()
            .filter(|d| !d.get_ref().0.is_zero())
        {
            Some(d) => super::duration::CONSOLE_TIMEOUT.setting(what, d, report),
            None => default,
        };
    let step_timeout = timeout(&s.step_timeout, "step_timeout", DEFAULT_STEP_TIMEOUT);
    let command_timeout = timeout(
        &s.command_timeout,
        "command_timeout",
        DEFAULT_COMMAND_TIMEOUT,
    );
    Some(SerialSettings {
        target,
        session: SessionSettings {
            dialect,
            username: s.username.clone(),
            password,
            enable_password,
            step_timeout,
            command_timeout,
        },
    })
}
