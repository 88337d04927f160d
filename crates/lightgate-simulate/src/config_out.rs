//! A lightgate config for a simulated fleet, so "run lightgate against it" is one
//! command: every router as an SNMP device, and ExpressRoute ports pairing the same
//! interfaces of routers 1+2, 3+4, ... (link1 on the odd router, link2 on the even; a last router without a partner pairs
//! its own ports).

use std::fmt::Write as _;
use std::net::SocketAddr;

use super::device::SimDevice;

/// How much of each router lightgate is told to watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Monitor {
    /// Ports on the first `n` interfaces of each router (2: the ExpressRoute case).
    First(usize),
    /// Ports on the first two interfaces, and every other optic monitored (read and
    /// exported, outside readiness) with the device's `monitor` list.
    All,
}

/// Options of the written config.
#[derive(Debug, Clone)]
pub struct ConfigOptions {
    pub listen: String,
    pub poll_interval: String,
    pub hold_down: String,
    pub monitor: Monitor,
    pub community: String,
    pub audit_log: String,
    /// The trap listener lightgate should run (where the fleet sends its traps).
    pub traps: Option<(SocketAddr, String)>,
    /// Poll over SNMPv3 as this user, passwords from these environment variables.
    pub v3: Option<ConfigV3>,
}

/// SNMPv3 settings of the written config (passwords by environment variable name only).
#[derive(Debug, Clone)]
pub struct ConfigV3 {
    pub user: String,
    pub auth_protocol: super::usm::AuthProtocol,
    pub auth_password: PasswordFrom,
    pub priv_password: Option<PasswordFrom>,
}

/// Where the written config tells lightgate to read a password: never the password.
#[derive(Debug, Clone)]
pub enum PasswordFrom {
    /// An environment variable's name.
    Env(String),
    /// A file's path.
    File(String),
}

impl PasswordFrom {
    fn toml(&self, key: &str) -> String {
        match self {
            PasswordFrom::Env(v) => format!("{key}_env = {}\n", quote(v)),
            PasswordFrom::File(p) => format!("{key}_file = {}\n", quote(p)),
        }
    }
}

impl ConfigV3 {
    fn toml(&self) -> String {
        let proto = self.auth_protocol.as_str();
        let mut t = format!(
            "version = \"3\"\nuser = {}\nauth_protocol = \"{proto}\"\n{}",
            quote(&self.user),
            self.auth_password.toml("auth_password")
        );
        match &self.priv_password {
            Some(p) => {
                t.push_str("security_level = \"authPriv\"\npriv_protocol = \"aes\"\n");
                t.push_str(&p.toml("priv_password"));
            }
            None => t.push_str("security_level = \"authNoPriv\"\n"),
        }
        t
    }
}

fn quote(s: &str) -> String {
    // TOML basic strings: escape backslashes and quotes.
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The config text.
pub fn lightgate_config(
    devices: &[std::sync::Arc<SimDevice>],
    addresses: &[SocketAddr],
    o: &ConfigOptions,
) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "# Written by `lightgate simulate` for its fleet of {} routers.",
        devices.len()
    );
    let _ = writeln!(t, "listen = {}", quote(&o.listen));
    let _ = writeln!(t, "audit_log = {}", quote(&o.audit_log));
    if let Some((addr, community)) = &o.traps {
        let _ = writeln!(
            t,
            "\n[traps]\nlisten = {}\ncommunity = {}",
            quote(&addr.to_string()),
            quote(community)
        );
    }
    let in_ports = match o.monitor {
        Monitor::First(k) => k,
        Monitor::All => 2,
    };
    for (d, a) in devices.iter().zip(addresses) {
        let monitor = match o.monitor {
            Monitor::All if d.ports.len() > in_ports => {
                let names: Vec<String> =
                    d.ports[in_ports..].iter().map(|p| quote(&p.name)).collect();
                format!("monitor = [{}]\n", names.join(", "))
            }
            _ => String::new(),
        };
        let auth = match &o.v3 {
            Some(v3) => v3.toml(),
            None => format!("version = \"2c\"\ncommunity = {}\n", quote(&o.community)),
        };
        let _ = write!(
            t,
            "\n[[device]]\nname = {}\nsource = \"snmp\"\npoll_interval = {}\n{monitor}[device.snmp]\naddress = {}\n{auth}",
            quote(&d.name),
            quote(&o.poll_interval),
            quote(&a.to_string()),
        );
    }
    let n = devices.len();
    for a in (0..n).step_by(2) {
        let da = &devices[a];
        let wanted = in_ports;
        // Pairs of (device, port index) for link1 and link2.
        let pairs: Vec<((usize, usize), (usize, usize))> = if a + 1 < n {
            let count = wanted.min(da.ports.len()).min(devices[a + 1].ports.len());
            (0..count).map(|k| ((a, k), (a + 1, k))).collect()
        } else {
            // A router left without a partner: pair its own ports, first half with
            // second half (one router port can serve only one link).
            let half = wanted.min(da.ports.len()) / 2;
            (0..half).map(|k| ((a, k), (a, k + half))).collect()
        };
        for ((d1, k1), (d2, k2)) in pairs {
            let (x, y) = (&devices[d1], &devices[d2]);
            let _ = writeln!(
                t,
                "\n[[port]]\nname = \"erd-{}-{}\"\nhold_down = {}\nlink1 = {{ device = {}, interface = {}, azure_admin_state = \"enabled\" }}\nlink2 = {{ device = {}, interface = {}, azure_admin_state = \"enabled\" }}",
                &x.name[4..],
                k1,
                quote(&o.hold_down),
                quote(&x.name),
                quote(&x.ports[k1].name),
                quote(&y.name),
                quote(&y.ports[k2].name),
            );
        }
    }
    t
}
