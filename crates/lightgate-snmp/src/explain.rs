//! Why a probe found what it found, for `lightgate probe --explain`: the profile and
//! the sysObjectID that chose it, every table discovery asked for and how many rows it
//! answered, which interfaces have DOM and which do not (with the reason), and for an
//! empty result the likely cause and the next step. A [`Recorder`] wraps the transport
//! and notes each walk, so discovery itself is unchanged.

use std::fmt::Write as _;

use crate::client::Counters;
use crate::discovery::{discover, Wanted};
use crate::plan::Plan;
use crate::settings::Vendor;
use crate::transport::Transport;
use crate::types::{oid, Oid, Varbind};
use lightgate_core::source::{PollResult, SourceError};

/// A transport that notes every walk's root and row count, and keeps the rows of the
/// interface names and the entity tree (to say which link tied each optic).
pub struct Recorder<'a, T> {
    inner: &'a mut T,
    pub walks: Vec<(Oid, usize)>,
    pub sys_object_id: Option<Oid>,
    pub mapping_rows: Vec<Varbind>,
}

impl<'a, T: Transport> Recorder<'a, T> {
    pub fn new(inner: &'a mut T) -> Self {
        Recorder {
            inner,
            walks: Vec::new(),
            sys_object_id: None,
            mapping_rows: Vec::new(),
        }
    }

    fn keep(&mut self, rows: &[Varbind]) {
        let wanted = [
            crate::oids::if_name(),
            crate::oids::if_descr(),
            oid("1.3.6.1.2.1.47.1"),
            crate::oids::cisco_sensor_measured_entity(),
        ];
        self.mapping_rows.extend(
            rows.iter()
                .filter(|(o, _)| wanted.iter().any(|w| o.starts_with(w)))
                .cloned(),
        );
    }
}

impl<T: Transport> Transport for Recorder<'_, T> {
    async fn get(
        &mut self,
        oids: &[Oid],
        counters: &mut Counters,
    ) -> Result<Vec<Varbind>, SourceError> {
        let answers = self.inner.get(oids, counters).await?;
        self.keep(&answers);
        if self.sys_object_id.is_none() {
            self.sys_object_id = answers
                .iter()
                .find(|(o, _)| *o == crate::oids::sys_object_id())
                .and_then(|(_, v)| match v {
                    crate::types::Value::ObjectId(o) => Some(o.clone()),
                    _ => None,
                });
        }
        Ok(answers)
    }

    async fn walk(
        &mut self,
        root: &Oid,
        counters: &mut Counters,
    ) -> Result<Vec<Varbind>, SourceError> {
        let rows = self.inner.walk(root, counters).await?;
        self.walks.push((root.clone(), rows.len()));
        self.keep(&rows);
        Ok(rows)
    }

    async fn walk_columns(
        &mut self,
        roots: &[Oid],
        counters: &mut Counters,
    ) -> Result<Vec<Varbind>, SourceError> {
        let rows = self.inner.walk_columns(roots, counters).await?;
        for root in roots {
            let n = rows.iter().filter(|(o, _)| o.starts_with(root)).count();
            self.walks.push((root.clone(), n));
        }
        self.keep(&rows);
        Ok(rows)
    }
}

/// Names of the subtrees discovery walks, longest prefix first.
const NAMES: &[(&str, &str)] = &[
    ("1.3.6.1.2.1.31.1.1.1.1", "IF-MIB ifName"),
    ("1.3.6.1.2.1.2.2.1.2", "IF-MIB ifDescr"),
    ("1.3.6.1.2.1.47.1.1.1.1.2", "ENTITY-MIB entPhysicalDescr"),
    (
        "1.3.6.1.2.1.47.1.1.1.1.4",
        "ENTITY-MIB entPhysicalContainedIn",
    ),
    ("1.3.6.1.2.1.47.1.1.1.1.5", "ENTITY-MIB entPhysicalClass"),
    ("1.3.6.1.2.1.47.1.1.1.1.7", "ENTITY-MIB entPhysicalName"),
    (
        "1.3.6.1.2.1.47.1.3.2.1.2",
        "ENTITY-MIB entAliasMappingIdentifier",
    ),
    (
        "1.3.6.1.4.1.9.9.91.1.1.1.1.1",
        "CISCO-ENTITY-SENSOR-MIB entSensorType",
    ),
    (
        "1.3.6.1.4.1.9.9.91.1.1.1.1.2",
        "CISCO-ENTITY-SENSOR-MIB entSensorScale",
    ),
    (
        "1.3.6.1.4.1.9.9.91.1.1.1.1.3",
        "CISCO-ENTITY-SENSOR-MIB entSensorPrecision",
    ),
    (
        "1.3.6.1.4.1.9.9.91.1.1.1.1.8",
        "CISCO-ENTITY-SENSOR-MIB entSensorMeasuredEntity",
    ),
    (
        "1.3.6.1.4.1.9.9.91.1.2.1.1",
        "CISCO-ENTITY-SENSOR-MIB entSensorThresholdTable",
    ),
    (
        "1.3.6.1.2.1.99.1.1.1.1",
        "ENTITY-SENSOR-MIB entPhySensorType",
    ),
    (
        "1.3.6.1.2.1.99.1.1.1.2",
        "ENTITY-SENSOR-MIB entPhySensorScale",
    ),
    (
        "1.3.6.1.2.1.99.1.1.1.3",
        "ENTITY-SENSOR-MIB entPhySensorPrecision",
    ),
    (
        "1.3.6.1.4.1.30065.3.12.1.1.1",
        "ARISTA-ENTITY-SENSOR-MIB thresholds",
    ),
    (
        "1.3.6.1.4.1.2636.3.60.1.2.1.1",
        "JUNIPER-DOM-MIB lane table",
    ),
    (
        "1.3.6.1.4.1.2636.3.71.1.2.1.1",
        "Juniper OTN performance table (coherent)",
    ),
    (
        "1.3.6.1.4.1.2011.5.25.31.1.1.3.1",
        "HUAWEI-ENTITY-EXTENT-MIB hwOpticalModuleInfoTable",
    ),
    (
        "1.3.6.1.4.1.6527.3.1.2.2.4.31.1",
        "TIMETRA-PORT-MIB tmnxDigitalDiagMonitorTable",
    ),
    (
        "1.3.6.1.4.1.6527.3.1.2.2.4.66.1",
        "TIMETRA-PORT-MIB tmnxDDMLaneTable",
    ),
    (
        "1.3.6.1.4.1.14988.1.1.19.1.1",
        "MIKROTIK-MIB mtxrOpticalTable",
    ),
    (
        "1.3.6.1.4.1.47196.4.1.1.3.27.1.2.2.1",
        "ARUBAWIRED-PM-MIB lane table",
    ),
    (
        "1.3.6.1.4.1.47196.4.1.1.3.27.1.2.1.1",
        "ARUBAWIRED-PM-MIB module table",
    ),
];

/// What a walked subtree is, by its longest known prefix.
pub fn describe(root: &Oid) -> String {
    let best = NAMES
        .iter()
        .map(|(prefix, name)| (oid(prefix), *name))
        .filter(|(prefix, _)| root.starts_with(prefix))
        .max_by_key(|(prefix, _)| prefix.0.len());
    match best {
        Some((prefix, name)) => match root.suffix(&prefix) {
            Some(rest) if !rest.is_empty() => {
                let rest: Vec<String> = rest.iter().map(u32::to_string).collect();
                format!("{name} .{}", rest.join("."))
            }
            _ => name.to_string(),
        },
        None => root.to_string(),
    }
}

/// Why `vendor` was chosen.
pub fn why_profile(sys_object_id: Option<&Oid>, chosen: Vendor, overridden: bool) -> String {
    if overridden {
        return format!("profile {chosen}: set by `vendor` (detection not used)");
    }
    let Some(o) = sys_object_id else {
        return format!("profile {chosen}: the device gives no sysObjectID, so the standard ENTITY-SENSOR-MIB profile is used");
    };
    let enterprise =
        o.0.get(6)
            .filter(|_| o.0.starts_with(&[1, 3, 6, 1, 4, 1]))
            .map(|e| format!(" (enterprise {e})"))
            .unwrap_or_default();
    match chosen {
        Vendor::EntitySensor => format!(
            "profile entity-sensor: sysObjectID {o}{enterprise} is no vendor lightgate has a profile for, so the standard ENTITY-SENSOR-MIB (RFC 3433) is read"
        ),
        v => format!("profile {v}: sysObjectID {o}{enterprise} is {v}'s"),
    }
}

/// The likely reason a probe found no optic, and the next step.
pub fn advice(vendor: Vendor, plan: &Plan, walks: &[(Oid, usize)]) -> Option<String> {
    let with_dom = plan
        .interfaces
        .values()
        .filter(|r| r.as_ref().is_ok_and(|p| p.optic.is_some()))
        .count();
    if with_dom > 0 {
        return None;
    }
    let names_answered = walks
        .iter()
        .any(|(root, n)| *n > 0 && describe(root).starts_with("IF-MIB"));
    let dom_rows: usize = walks
        .iter()
        .filter(|(root, _)| {
            let d = describe(root);
            !d.starts_with("IF-MIB") && !d.starts_with("ENTITY-MIB")
        })
        .map(|(_, n)| n)
        .sum();
    Some(if !names_answered && plan.interfaces.is_empty() {
        "The agent answered no interface names (IF-MIB ifName/ifDescr, or ENTITY-MIB aliases): \
         check that the SNMP view of this community or user includes IF-MIB (1.3.6.1.2.1.2 and \
         1.3.6.1.2.1.31)."
            .to_string()
    } else if dom_rows == 0 {
        format!(
            "The {vendor} DOM tables answered no rows. Either the SNMP view excludes them (add \
             the MIB's subtree to the view), or this platform exposes DOM only over the CLI: \
             then read it with `source = \"serial\"` (lightgate parse shows what the CLI gives). \
             On Cisco IOS/IOS-XE, transceiver sensors appear in CISCO-ENTITY-SENSOR-MIB only \
             while the optic supports DOM."
        )
    } else {
        "The DOM tables answered, but no sensor could be tied to an interface that has an \
         optic: the optics present may have no DOM (copper, passive cables), or the entity \
         tree maps them in a way lightgate does not know yet (the rows counted above show \
         what the device holds)."
            .to_string()
    })
}

/// Which link tied an interface's optic to it: for the profiles whose sensors are
/// ENTITY-MIB entities, the link of the chain [`EntityTree::link_of`] took (computed
/// again from the recorded rows, so plans keep no bytes for it); for the others, the
/// DOM table's own ifIndex.
fn link(vendor: Vendor, p: &crate::plan::InterfacePlan, rows: &[Varbind]) -> String {
    use crate::profiles::entity::{text_column, EntityTree, InterfaceNames};
    if !matches!(
        vendor,
        Vendor::Cisco | Vendor::Arista | Vendor::EntitySensor | Vendor::Huawei
    ) {
        return "the DOM table's ifIndex".to_string();
    }
    let Some(ent) = p
        .optic
        .as_ref()
        .and_then(|o| o.sensors.first())
        .and_then(|s| s.index().last().copied())
    else {
        return "unknown".to_string();
    };
    let tree = EntityTree::from_walk(rows);
    let mut listed: Vec<(String, u32)> = text_column(rows, &crate::oids::if_name())
        .into_iter()
        .chain(text_column(rows, &crate::oids::if_descr()))
        .map(|(i, n)| (n, i))
        .collect();
    if listed.is_empty() {
        // No IF-MIB names: discovery named the interfaces by their mapped entities.
        listed = tree
            .alias_mappings()
            .into_iter()
            .filter_map(|(e, i)| Some((tree.name.get(&e)?.trim().to_string(), i)))
            .collect();
    }
    let names = InterfaceNames::new(listed);
    let measured = rows
        .iter()
        .find(|(o, _)| *o == crate::oids::cisco_sensor_measured_entity().child(&[ent]))
        .and_then(|(_, v)| v.as_i64())
        .and_then(|m| u32::try_from(m).ok());
    match tree.link_of(ent, measured, &names) {
        Some((i, link)) if i == p.if_index => format!("{} (entity {ent})", link.describe()),
        _ => format!("entity {ent} (the chain cannot be traced again from the rows walked)"),
    }
}

/// Discovers and reads a device once, and explains it: the text `probe --explain`
/// prints before the readings.
pub async fn probe_explained<T: Transport>(
    transport: &mut T,
    vendor_override: Option<Vendor>,
    wanted: &Wanted,
) -> Result<(PollResult, String), SourceError> {
    let mut counters = Counters::default();
    let mut rec = Recorder::new(transport);
    let plan = discover(&mut rec, vendor_override, wanted, &mut counters).await?;
    let walks = std::mem::take(&mut rec.walks);
    let mapping_rows = std::mem::take(&mut rec.mapping_rows);
    let sys_object_id = rec.sys_object_id.clone();
    let results = crate::plan::read(&mut rec, &plan, &mut counters)
        .await?
        .results;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        why_profile(
            sys_object_id.as_ref(),
            plan.vendor,
            vendor_override.is_some()
        )
    );
    if plan.uptime_ticks.is_none() {
        let _ = writeln!(
            out,
            "the device gives no sysUpTime: read without restart detection"
        );
    }
    let _ = writeln!(out, "tables discovery walked (rows answered):");
    for (root, rows) in &walks {
        let _ = writeln!(out, "  {:>6}  {}", rows, describe(root));
    }
    let (with, without): (Vec<_>, Vec<_>) = plan
        .interfaces
        .iter()
        .partition(|(_, r)| r.as_ref().is_ok_and(|p| p.optic.is_some()));
    let _ = writeln!(out, "interfaces with DOM: {}", with.len());
    for (name, r) in &with {
        if let Ok(p) = r {
            let sensors = p.optic.as_ref().map_or(0, |o| o.sensors.len());
            let lanes: std::collections::BTreeSet<u16> = p
                .optic
                .iter()
                .flat_map(|o| o.sensors.iter().filter_map(|s| s.lane))
                .collect();
            let _ = writeln!(
                out,
                "  {name} (ifIndex {}): {sensors} cells{}, tied by {}",
                p.if_index,
                if lanes.is_empty() {
                    String::new()
                } else {
                    format!(", {} lanes", lanes.len())
                },
                link(plan.vendor, p, &mapping_rows)
            );
        }
    }
    if !without.is_empty() {
        let _ = writeln!(out, "interfaces without DOM: {}", without.len());
        for (name, r) in without.iter().take(50) {
            let why = match r {
                Ok(p) => p.no_dom.clone().unwrap_or_default(),
                Err(e) => e.clone(),
            };
            let _ = writeln!(out, "  {name}: {why}");
        }
        if without.len() > 50 {
            let _ = writeln!(out, "  ... and {} more", without.len() - 50);
        }
    }
    if let Some(a) = advice(plan.vendor, &plan, &walks) {
        let _ = writeln!(out, "next step: {a}");
    }
    Ok((results, out))
}
