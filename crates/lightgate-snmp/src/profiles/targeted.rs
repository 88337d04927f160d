//! Discovery on an entity-sensor device (Cisco, Arista, plain ENTITY-SENSOR-MIB) that
//! reads only what the wanted interfaces' optics need.
//!
//! A full discovery walks every entity's name, description and class and every
//! sensor's scale, precision and thresholds: on a 48-optic Cisco about 10,000 varbinds,
//! for an ExpressRoute config that wants two interfaces. Here the tree's structure
//! comes first (parents, alias mappings, sensor types, and the measured entity of the
//! sensors whose lineage has no mapping: small integers); a sensor that structure maps to an interface nobody asked for is left
//! alone, and the rest (the wanted interfaces' sensors, and every sensor only a name
//! can place) get their names, scales and thresholds by GET. The plan is then made by
//! the same [`sensors::plan`] from those cells, so it is the plan a full walk gives for
//! those interfaces (a test compares the two on every walk of the corpus). When most
//! sensors matter anyway, the remaining columns are walked as before.

use std::collections::{BTreeMap, BTreeSet};

use super::entity::{int_column, EntityTree, InterfaceNames};
use super::sensors::{self, SensorMib};
use crate::client::Counters;
use crate::oids;
use crate::plan::OpticPlan;
use crate::transport::{get_present, Transport};
use crate::types::{Oid, Varbind};
use lightgate_core::source::SourceError;

/// Targeted reads are used while the sensors that matter are at most this share of
/// all sensors (1/4): beyond it, GETs of their cells cost about what walks of whole
/// columns do.
const TARGETED_SHARE: usize = 4;

/// Plans the optics of `wanted` from a sensor MIB.
pub async fn discover<T: Transport>(
    mib: &SensorMib,
    transport: &mut T,
    wanted: &BTreeSet<u32>,
    names: &InterfaceNames,
    counters: &mut Counters,
) -> Result<BTreeMap<u32, OpticPlan>, SourceError> {
    let structure = [
        oids::ent_physical_contained_in(),
        oids::ent_alias_mapping(),
        (mib.kind)(),
    ];
    let mut walk: Vec<Varbind> = transport.walk_columns(&structure, counters).await?;
    let tree = EntityTree::from_walk(&walk);
    let kinds = int_column(&walk, &(mib.kind)());
    // The entity a sensor measures matters only where its own lineage has no alias
    // mapping: asked for those sensors alone.
    if let Some(col) = mib.measured_entity.map(|c| c()) {
        let unmapped: Vec<Oid> = kinds
            .keys()
            .filter(|s| tree.mapped_interface(**s, None, names).is_none())
            .map(|s| col.child(&[*s]))
            .collect();
        walk.extend(get_present(transport, &unmapped, counters).await?);
    }
    let measured = mib
        .measured_entity
        .map(|col| int_column(&walk, &col()))
        .unwrap_or_default();
    let relevant: BTreeSet<u32> = kinds
        .keys()
        .copied()
        .filter(|s| {
            match tree.mapped_interface(*s, sensors::measured_entity(&measured, *s), names) {
                Some(i) => wanted.contains(&i),
                None => true,
            }
        })
        .collect();
    if relevant.len() * TARGETED_SHARE > kinds.len() {
        let mut rest = vec![
            oids::ent_physical_descr(),
            oids::ent_physical_class(),
            oids::ent_physical_name(),
            (mib.scale)(),
            (mib.precision)(),
        ];
        rest.extend((mib.threshold_columns)());
        walk.extend(transport.walk_columns(&rest, counters).await?);
        return Ok(sensors::plan(mib, &walk, wanted, names));
    }

    // Every entity whose labels or class the plan consults for these sensors: their
    // lineage (names, lanes, the optic's standard) and the entities beside the
    // transceiver (a mapped port below it names the interface).
    let mut entities: BTreeSet<u32> = BTreeSet::new();
    for s in &relevant {
        let lineage = tree.lineage(*s);
        if let Some(transceiver) = lineage.get(1) {
            entities.extend(tree.children(*transceiver));
        }
        entities.extend(lineage);
    }
    let mut cells: Vec<Oid> = Vec::new();
    for e in &entities {
        for col in [
            oids::ent_physical_descr(),
            oids::ent_physical_class(),
            oids::ent_physical_name(),
        ] {
            cells.push(col.child(&[*e]));
        }
    }
    for s in &relevant {
        cells.push((mib.scale)().child(&[*s]));
        cells.push((mib.precision)().child(&[*s]));
    }
    let thresholds = (mib.threshold_columns)();
    let power = relevant
        .iter()
        .copied()
        .filter(|s| kinds.get(s).is_some_and(|k| sensors::may_be_power(*k)));
    match thresholds.split_first() {
        Some((first, others)) if mib.threshold_rows => {
            // Each sensor's rows, from its subtree of the first column (the subtrees
            // walked side by side); the other columns' cells of those rows by GET.
            let subtrees: Vec<Oid> = power.map(|s| first.child(&[s])).collect();
            let rows = transport.walk_columns(&subtrees, counters).await?;
            for (o, _) in &rows {
                if let Some(index) = o.suffix(first) {
                    cells.extend(others.iter().map(|c| c.child(index)));
                }
            }
            walk.extend(rows);
        }
        _ => {
            for s in power {
                cells.extend(thresholds.iter().map(|c| c.child(&[s])));
            }
        }
    }
    walk.extend(get_present(transport, &cells, counters).await?);
    Ok(sensors::plan(mib, &walk, wanted, names))
}
