//! What discovery learned about a device, as a plan for every later poll: which cells
//! to GET and how to turn each into a reading. Building the plan is the vendor
//! decoders' job; applying it to a poll's answers is [`Plan::decode`], pure.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use std::sync::Arc;

use super::intern::{hash_of, Interner};
use super::oids;
use super::types::{Oid, Value, Varbind};
use lightgate_core::domain::{
    AdminStatus, LaneReading, LinkReading, OperStatus, OpticReading, OpticalPower, Standard,
    Thresholds,
};
use lightgate_core::source::{InterfaceResult, PollResult};

/// Why an optic whose every Rx and Tx sensor reads exactly 0 has no reading (the
/// raw value: 0 dBm and 0 mW alike).
pub const ALL_ZERO: &str = lightgate_core::domain::ALL_ZERO_NOTE;

/// The ENTITY-SENSOR/CISCO value meaning "below range" and "above range".
pub const UNDERFLOW: i64 = -1_000_000_000;
pub const OVERFLOW: i64 = 1_000_000_000;

/// What a sensor measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quantity {
    Rx,
    Tx,
    Bias,
    Temperature,
    Voltage,
}

/// The unit of a scaled sensor value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    Dbm,
    Milliwatts,
    Amperes,
    Celsius,
    Volts,
}

/// How a sensor's cell holds its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Encoding {
    /// An integer (ENTITY-SENSOR, JUNIPER-DOM, most vendor tables).
    #[default]
    Integer,
    /// A decimal number written as text, "0.5537" (AOS-CX): `exp10` applies to the
    /// number as written.
    Decimal,
    /// Item `n` (from 0) of a comma-separated list of decimal numbers written as text,
    /// one per lane, "114,32,-90,-228" (Huawei). "-Inf" is no light.
    DecimalList(u16),
}

/// How one kind of sensor is read: its columns and how to scale its number. Every
/// sensor of the same kind (the Rx power of lane 2 of each of 48 optics, on every
/// router of the same model) shares one, so a plan holds a reference and an index per
/// sensor, not an OID: the full OIDs per sensor were most of the agent's memory at
/// 48,000 optics.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SensorKind {
    /// The value cell's OID without the sensor's index (see [`SensorPlan::at`]).
    pub value: Oid,
    /// The status column, same index: a status cell that must read ok(1) for the value
    /// to count.
    pub status: Option<Oid>,
    pub quantity: Quantity,
    pub lane: Option<u16>,
    /// The value is `raw * 10^exp10` in `unit`. Powers of ten are applied by exact
    /// division or multiplication, so -3698 at 0.01 dBm is -36.98, not
    /// -36.980000000000004.
    pub exp10: i32,
    pub unit: Unit,
    /// Whether +-1000000000 are range sentinels (ENTITY-SENSOR style).
    pub sentinels: bool,
    pub encoding: Encoding,
    /// A raw value the MIB uses for "no reading" (Huawei's -1).
    pub absent: Option<i64>,
}

/// The most index sub-identifiers a sensor holds inline; longer indexes keep their
/// leading part in the kind's columns. Two hold every table read today whole (an
/// entity index; an ifIndex and a lane), and keep a sensor at 16 bytes.
const INDEX_INLINE: usize = 2;

/// What a sensor points to: its kind, and how many of its index's sub-identifiers it
/// holds inline (the same for every sensor of a column, so kept once, here).
#[derive(Debug, PartialEq, Eq, Hash)]
struct Shape {
    kind: SensorKind,
    index_len: u8,
}

/// One sensor cell to read: its kind and its index in the kind's columns. 16 bytes:
/// 672,000 of them plan every optic of 1000 routers.
#[derive(Debug, Clone, PartialEq)]
pub struct SensorPlan {
    shape: Arc<Shape>,
    index: [u32; INDEX_INLINE],
}

impl std::ops::Deref for SensorPlan {
    type Target = SensorKind;
    fn deref(&self) -> &SensorKind {
        &self.shape.kind
    }
}

impl SensorPlan {
    /// The sensor at `index` in `kind`'s columns (`kind.value` and `kind.status` name
    /// the columns here). An index longer than two sub-identifiers moves its leading
    /// part into the columns.
    pub fn at(mut kind: SensorKind, index: &[u32]) -> SensorPlan {
        let (head, tail) = index.split_at(index.len().saturating_sub(INDEX_INLINE));
        if !head.is_empty() {
            kind.value = kind.value.child(head);
            kind.status = kind.status.map(|s| s.child(head));
        }
        let mut inline = [0; INDEX_INLINE];
        inline[..tail.len()].copy_from_slice(tail);
        SensorPlan {
            shape: intern(Shape {
                kind,
                index_len: tail.len() as u8,
            }),
            index: inline,
        }
    }

    /// The sensor's index in its kind's columns.
    pub fn index(&self) -> &[u32] {
        &self.index[..usize::from(self.shape.index_len)]
    }

    /// The value cell's OID.
    pub fn value_oid(&self) -> Oid {
        self.shape.kind.value.child(self.index())
    }

    /// The status cell's OID, where the sensor has one.
    pub fn status_oid(&self) -> Option<Oid> {
        self.shape
            .kind
            .status
            .as_ref()
            .map(|s| s.child(self.index()))
    }

    /// Moves the sensor to another lane (renumbered, or a single lane folded into the
    /// optic's own), which is another kind.
    pub fn set_lane(&mut self, lane: Option<u16>) {
        if self.shape.kind.lane != lane {
            let mut kind = self.shape.kind.clone();
            kind.lane = lane;
            self.shape = intern(Shape {
                kind,
                index_len: self.shape.index_len,
            });
        }
    }
}

/// The one shared copy of `kind`. Every sensor of a kind, on every device, holds the
/// same one: a kind is 80 bytes with its reference counts, and one per sensor was
/// 54 MB at 1000 routers x 48 optics (672,000 sensors, a few dozen kinds).
fn intern(shape: Shape) -> Arc<Shape> {
    static KINDS: Interner<Shape> = Interner::new(hash_of, Shape::eq);
    KINDS.share(shape)
}

/// Shared thresholds: the same four numbers for every optic of a model (SFF-8472 and
/// 8636 modules carry their vendor's), held once by every plan and reading that has
/// them. A copy per optic in the plan and another in each reading was 256 bytes per
/// optic, 12 MB at 1000 routers x 48 optics.
static THRESHOLDS: Interner<Thresholds> = Interner::new(thresholds_hash, same_thresholds);

/// The thresholds as bits: only identical numbers share a copy (0.0 and -0.0 do not).
fn threshold_bits(t: &Thresholds) -> [Option<u64>; 4] {
    [t.high_alarm, t.high_warning, t.low_warning, t.low_alarm].map(|v| v.map(f64::to_bits))
}

fn thresholds_hash(t: &Thresholds) -> u64 {
    hash_of(&threshold_bits(t))
}

fn same_thresholds(a: &Thresholds, b: &Thresholds) -> bool {
    threshold_bits(a) == threshold_bits(b)
}

/// The one shared copy of `thresholds`.
pub fn shared_thresholds(thresholds: Thresholds) -> Arc<Thresholds> {
    THRESHOLDS.share(thresholds)
}

/// The optic of one interface.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OpticPlan {
    pub sensors: Vec<SensorPlan>,
    /// Shared with every optic and reading that has the same (see [`shared_thresholds`]).
    pub rx_thresholds: Arc<Thresholds>,
    pub tx_thresholds: Arc<Thresholds>,
    /// JUNIPER-DOM-MIB: a row of zeros means "no DOM", not 0 dBm.
    pub zero_row_means_absent: bool,
    /// The optic's standard, when the device's entity names it.
    pub standard: Option<Standard>,
}

impl OpticPlan {
    /// Swaps the optic's thresholds for the shared copies of the same numbers; done
    /// once its discovery has settled them.
    pub fn share_thresholds(&mut self) {
        self.rx_thresholds = shared_thresholds(*self.rx_thresholds);
        self.tx_thresholds = shared_thresholds(*self.tx_thresholds);
    }
}

/// One configured interface, as found on the device.
#[derive(Debug, Clone, PartialEq)]
pub struct InterfacePlan {
    pub if_index: u32,
    pub alias: Option<String>,
    pub speed_mbps: Option<u64>,
    pub optic: Option<OpticPlan>,
    /// Why there is no optic plan (copper, empty cage, no DOM support).
    pub no_dom: Option<String>,
    /// Whether the device gave the interface's ifAdminStatus and ifOperStatus at
    /// discovery. Some agents have no IF-MIB status columns (an IOS-XE walk with ifName
    /// only): the optic is read all the same and the link state is unknown. When they
    /// were there and vanish, the plan is out of date.
    pub link_state: bool,
}

/// One interface's plan, or why it was not found.
pub type InterfaceEntry = Result<Box<InterfacePlan>, String>;

/// The plans of a device's configured interfaces, sorted by name, each name once.
///
/// A sorted vector rather than a map: a B-tree map allocates a node of eleven entries
/// even for the two interfaces of an ExpressRoute router, 5 MB over 10,000 routers
/// (heaptrack), and a plan is built once and then only read in order. (The plans
/// themselves are boxed for the same reason: an entry is a name and a pointer.)
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InterfacePlans(Vec<(String, InterfaceEntry)>);

impl InterfacePlans {
    /// Every interface and its plan, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &InterfaceEntry)> {
        self.into_iter()
    }

    /// Every interface's plan, in name order.
    pub fn values(&self) -> impl Iterator<Item = &InterfaceEntry> {
        self.0.iter().map(|(_, entry)| entry)
    }

    /// The plan of `name`.
    pub fn get(&self, name: &str) -> Option<&InterfaceEntry> {
        self.0
            .binary_search_by(|(n, _)| n.as_str().cmp(name))
            .ok()
            .map(|i| &self.0[i].1)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Sorted by name; of two entries with one name the later one stands, as a map's
/// insert would have it.
impl FromIterator<(String, InterfaceEntry)> for InterfacePlans {
    fn from_iter<I: IntoIterator<Item = (String, InterfaceEntry)>>(entries: I) -> Self {
        let mut entries: Vec<(String, InterfaceEntry)> = entries.into_iter().collect();
        // Stable: among equal names the later entry stays last, and is the one kept.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut kept: Vec<(String, InterfaceEntry)> = Vec::with_capacity(entries.len());
        for entry in entries {
            match kept.last_mut() {
                Some(last) if last.0 == entry.0 => *last = entry,
                _ => kept.push(entry),
            }
        }
        kept.shrink_to_fit();
        InterfacePlans(kept)
    }
}

impl<'a> IntoIterator for &'a InterfacePlans {
    type Item = (&'a String, &'a InterfaceEntry);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, InterfaceEntry)>,
        fn(&'a (String, InterfaceEntry)) -> (&'a String, &'a InterfaceEntry),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(name, entry)| (name, entry))
    }
}

impl std::ops::Index<&str> for InterfacePlans {
    type Output = InterfaceEntry;
    /// Panics when `name` has no entry, as a map's index does.
    fn index(&self, name: &str) -> &InterfaceEntry {
        self.get(name)
            .unwrap_or_else(|| panic!("no interface {name:?} in the plan"))
    }
}

impl std::ops::Index<&String> for InterfacePlans {
    type Output = InterfaceEntry;
    fn index(&self, name: &String) -> &InterfaceEntry {
        &self[name.as_str()]
    }
}

/// Everything discovery found, and the change markers that invalidate it.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub vendor: super::settings::Vendor,
    /// Per configured interface name: its plan, or why it was not found.
    pub interfaces: InterfacePlans,
    /// Wall-clock time of the agent's sysUpTime zero (None: the agent has no sysUpTime).
    pub boot_wall: Option<SystemTime>,
    pub uptime_ticks: Option<u32>,
    pub if_table_last_change: Option<i64>,
    pub ent_last_change: Option<i64>,
}

/// The outcome of applying a plan to a poll's answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub results: PollResult,
    /// Set when the answers show the plan is out of date (reboot, table change,
    /// vanished row): the next poll rediscovers.
    pub rediscover: Option<String>,
}

fn cell(col: Oid, index: &[u32]) -> Oid {
    col.child(index)
}

/// A poll's answers by OID, looked up by a column and an index without building the
/// cell's OID (a poll of 48 optics looks up about 700 cells).
struct Answers<'a> {
    map: super::types::OidMap<&'a [u32], &'a Value>,
    key: std::cell::RefCell<Vec<u32>>,
}

impl<'a> Answers<'a> {
    fn new(answers: &'a [Varbind]) -> Self {
        Answers {
            map: answers.iter().map(|(o, v)| (&o.0[..], v)).collect(),
            key: Default::default(),
        }
    }

    /// The value at `column` + `index`, unless the agent has none there.
    fn get(&self, column: &[u32], index: &[u32]) -> Option<&'a Value> {
        let mut key = self.key.borrow_mut();
        key.clear();
        key.extend_from_slice(column);
        key.extend_from_slice(index);
        self.map.get(&key[..]).copied().filter(|v| !v.is_absent())
    }
}

impl Plan {
    /// The cells one poll reads, in a stable order.
    pub fn poll_oids(&self) -> Vec<Oid> {
        let mut oids = vec![oids::sys_uptime(), oids::if_table_last_change()];
        if self.ent_last_change.is_some() {
            oids.push(oids::ent_last_change());
        }
        for plan in self.interfaces.values().flatten() {
            let i = [plan.if_index];
            for col in [
                oids::if_admin_status(),
                oids::if_oper_status(),
                oids::if_last_change(),
                oids::if_in_errors(),
                oids::if_out_errors(),
            ] {
                oids.push(cell(col, &i));
            }
            for s in plan.optic.iter().flat_map(|o| &o.sensors) {
                oids.push(s.value_oid());
                oids.extend(s.status_oid());
            }
        }
        // Lanes listed in one cell (Huawei) share it: ask once.
        let mut seen = std::collections::HashSet::with_capacity(oids.len());
        oids.retain(|o| seen.insert(o.clone()));
        oids
    }

    /// Turns a poll's answers into readings. Never fails: what cannot be read becomes
    /// an interface error or a "not reported" value, with a reason.
    pub fn decode(&self, answers: &[Varbind]) -> Decoded {
        let answers = Answers::new(answers);
        let get = |o: &Oid| answers.get(&o.0, &[]);
        let mut rediscover = None;
        match get(&oids::sys_uptime()).and_then(Value::as_i64) {
            Some(up) if self.uptime_ticks.is_some_and(|known| up < i64::from(known)) => {
                rediscover = Some("the device restarted (sysUpTime went back)".to_string());
            }
            _ => {}
        }
        let changed = |o: Oid, known: Option<i64>| {
            get(&o)
                .and_then(Value::as_i64)
                .is_some_and(|v| Some(v) != known)
        };
        if changed(oids::if_table_last_change(), self.if_table_last_change) {
            rediscover = Some("the interface table changed".to_string());
        }
        if self.ent_last_change.is_some() && changed(oids::ent_last_change(), self.ent_last_change)
        {
            rediscover =
                Some("the entity table changed (an optic inserted or removed?)".to_string());
        }
        let mut results = BTreeMap::new();
        for (name, plan) in &self.interfaces {
            let result: InterfaceResult = match plan {
                Err(e) => Err(e.clone()),
                Ok(p) => match self.read_interface(p, &answers) {
                    Ok(r) => Ok(r),
                    Err(e) => {
                        rediscover.get_or_insert_with(|| format!("{name}: {e}"));
                        Err(e)
                    }
                },
            };
            results.insert(name.clone(), result);
        }
        Decoded {
            results,
            rediscover,
        }
    }

    fn read_interface(&self, p: &InterfacePlan, get: &Answers) -> Result<LinkReading, String> {
        let i = [p.if_index];
        let int = |col: Oid| get.get(&col.0, &i).and_then(Value::as_i64);
        let (admin, oper) = if p.link_state {
            let admin = int(oids::if_admin_status())
                .and_then(AdminStatus::from_if_mib)
                .ok_or_else(|| {
                    format!("ifIndex {} has no valid ifAdminStatus any more", p.if_index)
                })?;
            let oper = int(oids::if_oper_status())
                .and_then(OperStatus::from_if_mib)
                .ok_or_else(|| {
                    format!("ifIndex {} has no valid ifOperStatus any more", p.if_index)
                })?;
            (admin, oper)
        } else {
            (AdminStatus::Unknown, OperStatus::Unknown)
        };
        // TimeTicks are 32-bit; anything else is garbage, not a time to add (which
        // overflowed and panicked on a crafted answer).
        let last_change = int(oids::if_last_change())
            .and_then(|t| u32::try_from(t).ok())
            .filter(|t| *t > 0)
            .and_then(|t| {
                self.boot_wall?
                    .checked_add(Duration::from_millis(u64::from(t) * 10))
            });
        let (optic, note) = match &p.optic {
            None => (None, p.no_dom.clone()),
            Some(plan) => read_optic(plan, get),
        };
        Ok(LinkReading {
            admin_status: admin,
            oper_status: oper,
            last_change,
            optic,
            note,
            details: lightgate_core::domain::LinkDetails {
                alias: p.alias.clone(),
                speed_mbps: p.speed_mbps,
                in_errors: int(oids::if_in_errors()).and_then(|v| u64::try_from(v).ok()),
                out_errors: int(oids::if_out_errors()).and_then(|v| u64::try_from(v).ok()),
            },
        })
    }
}

/// The value of one sensor, scaled, or why not.
enum Sample {
    Power(OpticalPower),
    Number(f64),
    Absent,
}

fn sample(s: &SensorPlan, get: &Answers) -> (Sample, Option<i64>) {
    // A status that reads other than ok(1) voids the value; an agent that does not
    // implement the status column at all (NoSuchObject) is taken at its value.
    if let Some(st) = &s.status {
        if get
            .get(&st.0, s.index())
            .and_then(Value::as_i64)
            .is_some_and(|v| v != 1)
        {
            return (Sample::Absent, None);
        }
    }
    let power = matches!(s.unit, Unit::Dbm | Unit::Milliwatts);
    let (raw, digits) = match get
        .get(&s.value.0, s.index())
        .map(|v| number(v, s.encoding))
    {
        Some(Number::Exact(raw, digits)) => (raw, digits),
        Some(Number::MinusInfinity) if power => {
            return (Sample::Power(OpticalPower::NoLight), None)
        }
        _ => return (Sample::Absent, None),
    };
    if s.absent == Some(raw) && digits == 0 {
        return (Sample::Absent, Some(raw));
    }
    if s.sentinels && (raw == UNDERFLOW || raw == OVERFLOW) {
        let v = match (power, raw == UNDERFLOW) {
            // Below the measurable range: no light. Above it: no number to give.
            (true, true) => Sample::Power(OpticalPower::NoLight),
            _ => Sample::Absent,
        };
        return (v, Some(raw));
    }
    let value = scaled(raw, s.exp10 - digits);
    if !value.is_finite() {
        return (Sample::Absent, Some(raw));
    }
    let v = match s.unit {
        Unit::Dbm => {
            Sample::Power(OpticalPower::from_dbm(value).unwrap_or(OpticalPower::NotSupported))
        }
        Unit::Milliwatts => Sample::Power(
            OpticalPower::from_milliwatts(value).unwrap_or(OpticalPower::NotSupported),
        ),
        _ => Sample::Number(value),
    };
    (v, Some(raw))
}

/// A number as a device wrote it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// `raw * 10^-digits`, exactly.
    Exact(i64, i32),
    /// "-Inf": the logarithm of no light.
    MinusInfinity,
    /// Empty, "n/a", garbage or a missing list item: no reading.
    None,
}

fn number(v: &Value, encoding: Encoding) -> Number {
    match encoding {
        Encoding::Integer => v.as_i64().map_or(Number::None, |n| Number::Exact(n, 0)),
        Encoding::Decimal => v.as_text().map_or(Number::None, |t| decimal(&t)),
        Encoding::DecimalList(n) => v.as_text().map_or(Number::None, |t| {
            t.split(',')
                .nth(usize::from(n))
                .map_or(Number::None, decimal)
        }),
    }
}

/// Parses "-270.19" into (-27019, 2) exactly; "-Inf" is minus infinity; anything else
/// (empty, "n/a", "--", exponents, more than 15 digits) is no number.
pub fn decimal(text: &str) -> Number {
    let t = text.trim();
    if t.eq_ignore_ascii_case("-inf") {
        return Number::MinusInfinity;
    }
    let (negative, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() && frac.is_empty()
        || !all_digits(int)
        || !all_digits(frac)
        || int.len() + frac.len() > 15
    {
        return Number::None;
    }
    let Ok(mantissa) = format!("{int}{frac}").parse::<i64>() else {
        return Number::None;
    };
    let digits = frac.len() as i32;
    Number::Exact(if negative { -mantissa } else { mantissa }, digits)
}

/// One poll by `plan`: a GET of just the cells it names, decoded.
pub async fn read<T: super::transport::Transport>(
    transport: &mut T,
    plan: &Plan,
    counters: &mut super::client::Counters,
) -> Result<Decoded, lightgate_core::source::SourceError> {
    let answers = transport.get(&plan.poll_oids(), counters).await?;
    Ok(plan.decode(&answers))
}

fn read_optic(plan: &OpticPlan, get: &Answers) -> (Option<OpticReading>, Option<String>) {
    let mut optic = OpticReading {
        rx: OpticalPower::NotSupported,
        tx: OpticalPower::NotSupported,
        lanes: Vec::new(),
        bias_amperes: None,
        temperature_celsius: None,
        voltage_volts: None,
        rx_thresholds: plan.rx_thresholds.clone(),
        tx_thresholds: plan.tx_thresholds.clone(),
        lane_count: None,
        standard: plan.standard,
    };
    // Every lane discovery planned is part of the reading, read or not: a lane whose
    // cells stop answering shows as "not reported", never as a lane fewer.
    let mut lanes: BTreeMap<u16, LaneReading> = plan
        .sensors
        .iter()
        .filter_map(|s| s.lane)
        .map(|l| {
            let lane = LaneReading {
                lane: l,
                rx: OpticalPower::NotSupported,
                tx: OpticalPower::NotSupported,
                bias_amperes: None,
            };
            (l, lane)
        })
        .collect();
    optic.lane_count = lanes.keys().max().map(|m| m + 1);
    let mut module_raw: Vec<i64> = Vec::new();
    // The raw values of the power sensors that answered with a number: Rx, Tx.
    let mut power_raw: [Vec<i64>; 2] = [Vec::new(), Vec::new()];
    // Whether the module's Rx, Tx answered exactly raw 0.
    let mut module_zero = [false, false];
    let mut any = false;
    for s in &plan.sensors {
        let (v, raw) = sample(s, get);
        if s.lane.is_none() {
            if let Some(r) = raw {
                module_raw.push(r);
            }
            if let (Some(0), Quantity::Rx | Quantity::Tx) = (raw, s.quantity) {
                module_zero[usize::from(s.quantity == Quantity::Tx)] = true;
            }
        }
        if let (Some(r), Quantity::Rx | Quantity::Tx) = (raw, s.quantity) {
            power_raw[usize::from(s.quantity == Quantity::Tx)].push(r);
        }
        if matches!(v, Sample::Absent) {
            continue;
        }
        any = true;
        match s.lane {
            Some(l) => {
                let Some(lane) = lanes.get_mut(&l) else {
                    continue;
                };
                match (s.quantity, v) {
                    (Quantity::Rx, Sample::Power(p)) => lane.rx = p,
                    (Quantity::Tx, Sample::Power(p)) => lane.tx = p,
                    (Quantity::Bias, Sample::Number(n)) => lane.bias_amperes = Some(n),
                    _ => {}
                }
            }
            None => match (s.quantity, v) {
                (Quantity::Rx, Sample::Power(p)) => optic.rx = p,
                (Quantity::Tx, Sample::Power(p)) => optic.tx = p,
                (Quantity::Bias, Sample::Number(n)) => optic.bias_amperes = Some(n),
                (Quantity::Temperature, Sample::Number(n)) => optic.temperature_celsius = Some(n),
                (Quantity::Voltage, Sample::Number(n)) => optic.voltage_volts = Some(n),
                _ => {}
            },
        }
    }
    if plan.zero_row_means_absent && !module_raw.is_empty() && module_raw.iter().all(|r| *r == 0) {
        return (
            None,
            Some("no DOM: the device reports an all-zero DOM row (no optic, or an optic without DOM)".to_string()),
        );
    }
    if power_raw.iter().all(|r| !r.is_empty()) && power_raw.iter().flatten().all(|r| *r == 0) {
        return (None, Some(ALL_ZERO.to_string()));
    }
    if !any {
        return (
            None,
            Some("no DOM: the optic's sensors give no reading".to_string()),
        );
    }
    // A module power of exactly raw 0 beside lanes of the same direction that read
    // light (Nokia QSFPs fill their lane table and leave the module row at 0/0) is a
    // row the device does not fill, not a dark module: no reading there.
    for rx in [true, false] {
        let module_zero = module_zero[usize::from(!rx)];
        let lit_lane = lanes
            .values()
            .any(|l| matches!(if rx { l.rx } else { l.tx }, OpticalPower::Measured(_)));
        let module = if rx { &mut optic.rx } else { &mut optic.tx };
        if module_zero && lit_lane && module.is_no_light() {
            *module = OpticalPower::NotSupported;
        }
    }
    optic.lanes = lanes.into_values().collect();
    let disagree = lightgate_core::domain::cross_check::module_against_lanes(&mut optic);
    let note = (!disagree.is_empty()).then(|| format!("inconsistent: {}", disagree.join("; ")));
    (Some(optic), note)
}

/// A sensor's power of ten from ENTITY-SENSOR scale and precision: 3(scale-9) for the
/// SI prefix, minus the precision when it is 1..9 (fixed-point digits). Zero and
/// negative precisions mean an unshifted integer; out-of-range values (Cisco has been
/// seen sending 1615384784) are treated as 0.
pub fn scale_exponent(scale: i64, precision: i64) -> i32 {
    let scale = if (1..=17).contains(&scale) { scale } else { 9 };
    let digits = if (1..=9).contains(&precision) {
        precision as i32
    } else {
        0
    };
    3 * (scale as i32 - 9) - digits
}

/// `raw * 10^exp10`, exactly rounded.
pub fn scaled(raw: i64, exp10: i32) -> f64 {
    if exp10 < 0 {
        raw as f64 / 10f64.powi(-exp10)
    } else {
        raw as f64 * 10f64.powi(exp10)
    }
}

/// When every lane sensor of an optic is lane 0 and there are no module-level power
/// sensors, the optic is single-lane: its lane-0 values are the module's.
pub fn fold_single_lane(sensors: &mut [SensorPlan]) {
    let has_module_power = sensors
        .iter()
        .any(|s| s.lane.is_none() && matches!(s.quantity, Quantity::Rx | Quantity::Tx));
    let lanes: std::collections::BTreeSet<u16> = sensors.iter().filter_map(|s| s.lane).collect();
    if !has_module_power && lanes.len() == 1 && lanes.contains(&0) {
        for s in sensors.iter_mut() {
            s.set_lane(None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interface_plans_are_sorted_by_name_and_a_later_entry_wins() {
        let entry = |why: &str| {
            (
                why.to_string(),
                Err::<Box<InterfacePlan>, _>(why.to_string()),
            )
        };
        let plans: InterfacePlans = [
            ("et-0/0/2".to_string(), Err("first".to_string())),
            entry("et-0/0/10"),
            entry("ae0"),
            ("et-0/0/2".to_string(), Err("second".to_string())),
        ]
        .into_iter()
        .collect();
        let names: Vec<&String> = plans.iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["ae0", "et-0/0/10", "et-0/0/2"]);
        assert_eq!(plans.len(), 3);
        assert_eq!(plans.get("et-0/0/2"), Some(&Err("second".to_string())));
        assert_eq!(plans["ae0"], Err("ae0".to_string()));
        assert_eq!(plans.get("et-0/0/3"), None);
        assert_eq!(plans.values().count(), 3);
        assert!(InterfacePlans::default().is_empty());
    }

    #[test]
    fn scale_and_precision_combine_as_rfc_3433_says() {
        assert_eq!(scale_exponent(9, 1), -1); // Cisco dBm x10
        assert_eq!(scale_exponent(8, 4), -7); // Arista watts/milli/4 -> W
        assert_eq!(scale_exponent(8, 1), -4); // Cisco bias mA/1
        assert_eq!(scale_exponent(9, 0), 0);
        assert_eq!(
            scale_exponent(9, -2),
            0,
            "negative precision does not shift"
        );
        assert_eq!(
            scale_exponent(9, 1_615_384_784),
            0,
            "garbage precision ignored"
        );
        assert_eq!(scale_exponent(7, 0), -6); // micro
    }

    #[test]
    fn decimal_text_is_read_exactly_or_not_at_all() {
        assert_eq!(decimal("-270.19"), Number::Exact(-27019, 2));
        assert_eq!(decimal("0.5537"), Number::Exact(5537, 4));
        assert_eq!(decimal(" 3 "), Number::Exact(3, 0));
        assert_eq!(decimal("-Inf"), Number::MinusInfinity);
        for junk in [
            "",
            "n/a",
            "N/A",
            "--",
            "1e5",
            "-",
            ".",
            "1.2.3",
            "0x10",
            "9999999999999999",
        ] {
            assert_eq!(decimal(junk), Number::None, "{junk:?}");
        }
        assert_eq!(scaled(-27019, -2), -270.19);
    }

    fn kind(column: &str, lane: Option<u16>) -> SensorKind {
        SensorKind {
            value: crate::types::oid(column),
            status: Some(crate::types::oid("1.3.6.1.4.1.9.9.91.1.1.1.1.5")),
            quantity: Quantity::Rx,
            lane,
            exp10: -1,
            unit: Unit::Dbm,
            sentinels: true,
            encoding: Encoding::Integer,
            absent: None,
        }
    }

    #[test]
    fn sensors_of_one_kind_share_it_across_devices_and_a_new_lane_is_another_kind() {
        let col = "1.3.6.1.4.1.9.9.91.1.1.1.1.4.77";
        // Two devices' discoveries build their own (equal) kinds.
        let a = SensorPlan::at(kind(col, Some(1)), &[1005]);
        let b = SensorPlan::at(kind(col, Some(1)), &[2005]);
        assert!(
            std::sync::Arc::ptr_eq(&a.shape, &b.shape),
            "one shared kind"
        );
        let other = SensorPlan::at(kind(col, Some(2)), &[1005]);
        assert!(!std::sync::Arc::ptr_eq(&a.shape, &other.shape));
        assert_eq!(other.lane, Some(2));
        // Renumbering a lane moves the sensor to that lane's shared kind, and leaves
        // the others where they were.
        let mut renumbered = a.clone();
        renumbered.set_lane(Some(2));
        assert!(std::sync::Arc::ptr_eq(&renumbered.shape, &other.shape));
        assert_eq!(renumbered.index(), &[1005]);
        assert_eq!(b.lane, Some(1));
        // A kind no plan holds any more is not kept alive by the sharing.
        let weak = std::sync::Arc::downgrade(&SensorPlan::at(kind(col, Some(9)), &[1]).shape);
        assert!(weak.upgrade().is_none());
    }

    #[test]
    fn equal_thresholds_are_one_shared_copy_and_only_identical_numbers_share() {
        let th = |high: f64| Thresholds {
            high_alarm: Some(high),
            high_warning: Some(2.0),
            low_warning: Some(-11.0),
            low_alarm: None,
        };
        let optic = |rx: Thresholds| {
            let mut o = OpticPlan {
                rx_thresholds: Arc::new(rx),
                tx_thresholds: Arc::new(th(5.0)),
                ..Default::default()
            };
            o.share_thresholds();
            o
        };
        let (a, b) = (optic(th(4.0)), optic(th(4.0)));
        assert!(Arc::ptr_eq(&a.rx_thresholds, &b.rx_thresholds));
        assert!(Arc::ptr_eq(&a.tx_thresholds, &b.tx_thresholds));
        assert_eq!(*a.rx_thresholds, th(4.0), "the numbers are unchanged");
        assert!(!Arc::ptr_eq(
            &a.rx_thresholds,
            &optic(th(4.5)).rx_thresholds
        ));
        // 0.0 and -0.0 compare equal as numbers; they are not the same threshold.
        let (zero, minus_zero) = (optic(th(0.0)), optic(th(-0.0)));
        assert!(!Arc::ptr_eq(&zero.rx_thresholds, &minus_zero.rx_thresholds));
        assert!(minus_zero
            .rx_thresholds
            .high_alarm
            .unwrap()
            .is_sign_negative());
        // A reading made from the plan holds the plan's copy.
        let plan_with = |o: OpticPlan| Plan {
            vendor: crate::settings::Vendor::Juniper,
            interfaces: [(
                "et-0/0/1".to_string(),
                Ok(Box::new(InterfacePlan {
                    if_index: 1,
                    alias: None,
                    speed_mbps: None,
                    optic: Some(o),
                    no_dom: None,
                    link_state: false,
                })),
            )]
            .into_iter()
            .collect(),
            boot_wall: None,
            uptime_ticks: None,
            if_table_last_change: None,
            ent_last_change: None,
        };
        let mut read = a.clone();
        read.sensors = vec![SensorPlan::at(
            kind("1.3.6.1.4.1.9.9.91.1.1.1.1.4", None),
            &[7],
        )];
        let answers = [
            (
                crate::types::oid("1.3.6.1.4.1.9.9.91.1.1.1.1.4.7"),
                Value::Integer(-30),
            ),
            (
                crate::types::oid("1.3.6.1.4.1.9.9.91.1.1.1.1.5.7"),
                Value::Integer(1),
            ),
        ];
        let decoded = plan_with(read).decode(&answers);
        let optic = decoded.results["et-0/0/1"]
            .as_ref()
            .unwrap()
            .optic
            .as_ref()
            .expect("the optic is read");
        assert_eq!(optic.rx.dbm(), Some(-3.0));
        assert!(Arc::ptr_eq(&optic.rx_thresholds, &a.rx_thresholds));
        assert!(Arc::ptr_eq(&optic.tx_thresholds, &a.tx_thresholds));
    }

    #[test]
    fn a_sensor_names_its_cells_by_column_and_index_however_long_the_index() {
        let short = SensorPlan::at(kind("1.3.6.1.4.1.9.9.91.1.1.1.1.4", None), &[1005]);
        assert_eq!(
            short.value_oid().to_string(),
            "1.3.6.1.4.1.9.9.91.1.1.1.1.4.1005"
        );
        assert_eq!(
            short.status_oid().unwrap().to_string(),
            "1.3.6.1.4.1.9.9.91.1.1.1.1.5.1005"
        );
        // Five sub-identifiers: the first three join the columns, the status keeps the
        // same index.
        let long = SensorPlan::at(
            kind("1.3.6.1.4.1.6527.3.1.2.2.4.66.1.5", None),
            &[1, 2, 3, 4, 5],
        );
        assert_eq!(long.index(), &[4, 5]);
        // One column, indexes of one and two sub-identifiers: each names its own cell.
        let column = "1.3.6.1.4.1.2636.3.60.1.2.1.1.6";
        let one = SensorPlan::at(kind(column, None), &[7]);
        let two = SensorPlan::at(kind(column, None), &[7, 1]);
        assert_eq!(one.value_oid().to_string(), format!("{column}.7"));
        assert_eq!(two.value_oid().to_string(), format!("{column}.7.1"));
        assert_eq!((one.index(), two.index()), (&[7][..], &[7, 1][..]));
        // A sensor is a pointer and its index: 16 bytes.
        assert_eq!(std::mem::size_of::<SensorPlan>(), 16);
        assert_eq!(
            long.value_oid().to_string(),
            "1.3.6.1.4.1.6527.3.1.2.2.4.66.1.5.1.2.3.4.5"
        );
        assert_eq!(
            long.status_oid().unwrap().to_string(),
            "1.3.6.1.4.1.9.9.91.1.1.1.1.5.1.2.3.4.5"
        );
    }

    #[test]
    fn sensors_of_one_kind_share_it_and_different_kinds_stay_apart() {
        let column = "1.3.6.1.4.1.2636.3.60.1.2.1.1.6";
        let optic = |if_index: u32| OpticPlan {
            sensors: (0..4)
                .map(|lane| SensorPlan::at(kind(column, Some(lane)), &[if_index, u32::from(lane)]))
                .collect(),
            ..Default::default()
        };
        let interface = |if_index| {
            Box::new(InterfacePlan {
                if_index,
                alias: None,
                speed_mbps: None,
                optic: Some(optic(if_index)),
                no_dom: None,
                link_state: true,
            })
        };
        let plan = Plan {
            vendor: crate::settings::Vendor::Juniper,
            interfaces: (1..=48)
                .map(|i| (format!("et-0/0/{i}"), Ok(interface(i))))
                .collect(),
            boot_wall: None,
            uptime_ticks: None,
            if_table_last_change: None,
            ent_last_change: None,
        };
        let sensors: Vec<&SensorPlan> = plan
            .interfaces
            .values()
            .flatten()
            .flat_map(|p| &p.optic.as_ref().unwrap().sensors)
            .collect();
        let distinct: std::collections::HashSet<*const Shape> = sensors
            .iter()
            .map(|s| std::sync::Arc::as_ptr(&s.shape))
            .collect();
        assert_eq!(sensors.len(), 48 * 4);
        assert_eq!(distinct.len(), 4, "one kind per lane, shared by 48 optics");
    }

    #[test]
    fn scaling_is_exact_in_decimal() {
        assert_eq!(scaled(-3698, -2), -36.98);
        assert_eq!(scaled(-47, -1), -4.7);
        assert_eq!(scaled(6322, -4), 0.6322);
        assert_eq!(scaled(3, 3), 3000.0);
    }
}
