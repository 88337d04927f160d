//! Discovery: the walks and GETs that build a [`Plan`]. Run once, then only when the
//! device says something changed (sysUpTime went back, ifTableLastChange or
//! entLastChangeTime moved, a planned cell vanished), on a slow timer, or on a trap.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime};

use super::client::Counters;
use super::oids;
use super::plan::{InterfacePlan, Plan};
use super::profiles::{
    self,
    entity::{text_column, InterfaceNames},
};
use super::settings::Vendor;
use super::transport::Transport;
use super::types::{Oid, Value, Varbind};
use lightgate_core::source::SourceError;

/// Which interfaces to plan.
#[derive(Debug, Clone, PartialEq)]
pub enum Wanted {
    /// These names (matched against ifName, then ifDescr, case-insensitively).
    Names(Vec<String>),
    /// Every interface that has an optic (for `lightgate probe`).
    AllOptics,
}

fn value<'a>(vbs: &'a [Varbind], o: &Oid) -> Option<&'a Value> {
    vbs.iter()
        .find(|(k, _)| k == o)
        .map(|(_, v)| v)
        .filter(|v| !v.is_absent())
}

/// ifIndex to name from the ENTITY-MIB: each entity with an alias mapping to an
/// ifIndex, by its entPhysicalName (the lowest entity index wins when several map to
/// one interface).
async fn entity_interface_names<T: Transport>(
    client: &mut T,
    counters: &mut Counters,
) -> Result<std::collections::HashMap<u32, String>, SourceError> {
    let mut walk = client.walk(&oids::ent_alias_mapping(), counters).await?;
    if walk.is_empty() {
        return Ok(Default::default());
    }
    walk.extend(client.walk(&oids::ent_physical_name(), counters).await?);
    let tree = profiles::entity::EntityTree::from_walk(&walk);
    let mut out = std::collections::HashMap::new();
    for (ent, if_index) in tree.alias_mappings() {
        if let Some(name) = tree.name.get(&ent).filter(|n| !n.trim().is_empty()) {
            out.entry(if_index)
                .or_insert_with(|| name.trim().to_string());
        }
    }
    Ok(out)
}

/// Discovers a device.
pub async fn discover<T: Transport>(
    client: &mut T,
    vendor_override: Option<Vendor>,
    wanted: &Wanted,
    counters: &mut Counters,
) -> Result<Plan, SourceError> {
    let head = client
        .get(
            &[
                oids::sys_object_id(),
                oids::sys_uptime(),
                oids::if_table_last_change(),
                oids::ent_last_change(),
            ],
            counters,
        )
        .await?;
    // Some agents (and walks taken without the system group) have no sysUpTime: the
    // device is read all the same, without restart detection or ifLastChange times.
    let uptime_ticks = value(&head, &oids::sys_uptime())
        .and_then(Value::as_i64)
        .map(|t| u32::try_from(t).unwrap_or(u32::MAX));
    let vendor = vendor_override.unwrap_or_else(|| match value(&head, &oids::sys_object_id()) {
        Some(Value::ObjectId(o)) => crate::profiles::detect(o),
        _ => Vendor::EntitySensor,
    });
    let boot_wall = uptime_ticks.map(|t| {
        SystemTime::now()
            .checked_sub(Duration::from_millis(u64::from(t) * 10))
            .unwrap_or(SystemTime::UNIX_EPOCH)
    });

    let mut if_names = text_column(
        &client.walk(&oids::if_name(), counters).await?,
        &oids::if_name(),
    );
    if if_names.is_empty() {
        // No ifName at all (ifXTable not implemented, as in a vMX walk): ifDescr names
        // the interfaces.
        if_names = text_column(
            &client.walk(&oids::if_descr(), counters).await?,
            &oids::if_descr(),
        );
    }
    if if_names.is_empty() {
        // No IF-MIB names at all (an IOS-XE agent without the IF-MIB): the interfaces
        // the entity tree maps, by their entity names, so their optics are still read.
        if_names = entity_interface_names(client, counters).await?;
    }
    let mut by_name = InterfaceNames::new(if_names.iter().map(|(i, n)| (n.clone(), *i)));
    let mut descrs = Default::default();
    let need_descr = match wanted {
        Wanted::Names(names) => names.iter().any(|n| by_name.find(n).is_none()),
        Wanted::AllOptics => true,
    };
    if need_descr {
        descrs = text_column(
            &client.walk(&oids::if_descr(), counters).await?,
            &oids::if_descr(),
        );
        // Sensor names use either form, so both resolve.
        by_name = InterfaceNames::new(
            if_names
                .iter()
                .chain(descrs.iter())
                .map(|(i, n)| (n.clone(), *i)),
        );
    }
    let targets: BTreeMap<String, Result<u32, String>> = match wanted {
        Wanted::Names(names) => names
            .iter()
            .map(|n| {
                let found = by_name.find(n).ok_or_else(|| {
                    format!("no interface named {n:?} on the device (matched against ifName and ifDescr)")
                });
                (n.clone(), found)
            })
            .collect(),
        Wanted::AllOptics => if_names.iter().map(|(i, n)| (n.clone(), Ok(*i))).collect(),
    };
    let indexes: BTreeSet<u32> = targets
        .values()
        .filter_map(|r| r.as_ref().ok().copied())
        .collect();

    // Static interface facts, one GET for all.
    let statics: Vec<Oid> = indexes
        .iter()
        .flat_map(|i| {
            [
                oids::if_alias().child(&[*i]),
                oids::if_high_speed().child(&[*i]),
                oids::if_admin_status().child(&[*i]),
                oids::if_oper_status().child(&[*i]),
            ]
        })
        .collect();
    let statics = client.get(&statics, counters).await?;

    let mut optics = profiles::discover(vendor, client, &indexes, &by_name, counters).await?;

    let mut interfaces = Vec::with_capacity(targets.len());
    for (name, target) in targets {
        let entry = match target {
            Err(e) => Err(e),
            Ok(i) => {
                let (optic, no_dom) = match optics.remove(&i) {
                    Some(Ok(mut p)) => {
                        p.share_thresholds();
                        (Some(p), None)
                    }
                    Some(Err(why)) => (None, Some(why)),
                    None => (None, Some("no DOM: no transceiver sensors for this interface (copper port, empty cage, or DOM not exported over SNMP)".to_string())),
                };
                // An optic the device names but whose values could not be established
                // (an inconsistent unit) stays, with its reason: "every optic" never
                // drops one. An interface without DOM is no optic.
                let refused_optic = no_dom.as_deref().is_some_and(|w| !w.starts_with("no DOM"));
                if *wanted == Wanted::AllOptics && optic.is_none() && !refused_optic {
                    continue;
                }
                Ok(Box::new(InterfacePlan {
                    if_index: i,
                    alias: value(&statics, &oids::if_alias().child(&[i]))
                        .and_then(Value::as_text)
                        .filter(|a| !a.is_empty()),
                    speed_mbps: value(&statics, &oids::if_high_speed().child(&[i]))
                        .and_then(Value::as_u64)
                        .filter(|s| *s > 0),
                    optic,
                    no_dom,
                    link_state: [oids::if_admin_status(), oids::if_oper_status()]
                        .iter()
                        .all(|col| value(&statics, &col.child(&[i])).is_some()),
                }))
            }
        };
        interfaces.push((name, entry));
    }
    let _ = descrs;
    let plan = Plan {
        vendor,
        interfaces: interfaces.into_iter().collect(),
        boot_wall,
        uptime_ticks,
        if_table_last_change: value(&head, &oids::if_table_last_change()).and_then(Value::as_i64),
        ent_last_change: value(&head, &oids::ent_last_change()).and_then(Value::as_i64),
    };
    Ok(plan)
}
