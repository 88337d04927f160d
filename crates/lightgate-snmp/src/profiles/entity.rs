//! The ENTITY-MIB containment tree, and finding which interface a sensor measures.
//!
//! Hierarchies differ by platform (librenms#20264): sensor -> transceiver -> port with
//! an alias mapping (IOS), the transceiver itself mapped (C9200L), interface ->
//! transceiver (Nexus), or no mapping at all with the port named in the sensor's
//! description (Arista), or the mapping on a port entity beside the sensors under the
//! transceiver (C8500). [`EntityTree::interface_of`] tries, in order: an alias
//! mapping on the sensor or any ancestor, the measured entity's mapping, the one
//! mapped port below the sensor's transceiver, an ancestor whose name is an interface
//! name, then the interface named in the sensor's own name or description.

use std::collections::{HashMap, HashSet};

use crate::oids;
use crate::types::{Oid, Value, Varbind};

/// The rows of a walked table column, by index.
pub fn column<'a>(
    walk: &'a [Varbind],
    col: &'a Oid,
) -> impl Iterator<Item = (&'a [u32], &'a Value)> + 'a {
    walk.iter()
        .filter_map(move |(o, v)| o.suffix(col).map(|idx| (idx, v)))
}

/// The integer rows of a column keyed by a single-arc index.
pub fn int_column(walk: &[Varbind], col: &Oid) -> HashMap<u32, i64> {
    column(walk, col)
        .filter_map(|(idx, v)| match (idx, v.as_i64()) {
            ([i], Some(n)) => Some((*i, n)),
            _ => None,
        })
        .collect()
}

/// The text rows of a column keyed by a single-arc index.
pub fn text_column(walk: &[Varbind], col: &Oid) -> HashMap<u32, String> {
    column(walk, col)
        .filter_map(|(idx, v)| match (idx, v.as_text()) {
            ([i], Some(t)) => Some((*i, t)),
            _ => None,
        })
        .collect()
}

/// Interface names as the device knows them, lower-cased, to ifIndex; and the
/// ifIndexes that have a name.
#[derive(Debug, Clone, Default)]
pub struct InterfaceNames {
    by_name: HashMap<String, u32>,
    indexes: HashSet<u32>,
}

impl InterfaceNames {
    pub fn new(pairs: impl IntoIterator<Item = (String, u32)>) -> Self {
        let by_name: HashMap<String, u32> = pairs
            .into_iter()
            .map(|(n, i)| (n.to_ascii_lowercase(), i))
            .collect();
        let indexes = by_name.values().copied().collect();
        InterfaceNames { by_name, indexes }
    }

    pub fn find(&self, name: &str) -> Option<u32> {
        self.by_name.get(&name.trim().to_ascii_lowercase()).copied()
    }

    /// Whether the device lists an interface with this ifIndex.
    pub fn has_index(&self, if_index: u32) -> bool {
        self.indexes.contains(&if_index)
    }

    /// The interface lane `lane` of a broken-out port became: IOS-XR names the lanes
    /// of HundredGigE0/0/0/28 in 4x25G breakout TwentyFiveGigE0/0/0/28/0 to /3 (4x10G:
    /// TenGigE...), and the port's own name is no interface any more. Matched on the
    /// slot path and lane ("0/0/0/28/2") whatever the speed prefix, and only when
    /// exactly one interface has that path (the optics controllers IOS-XR lists beside
    /// the ports, Optics0/0/0/28/2, are not interfaces that carry traffic).
    pub fn breakout(&self, port: &str, lane: u16) -> Option<u32> {
        let path = slot_path(port)?;
        let want = format!("{path}/{lane}");
        let controller = |n: &str| n.starts_with("optics") || n.starts_with("coherentdsp");
        let mut found = self
            .by_name
            .iter()
            .filter(|(n, _)| !controller(n) && slot_path(n) == Some(want.as_str()))
            .map(|(_, i)| *i);
        let first = found.next()?;
        found.all(|i| i == first).then_some(first)
    }
}

/// "0/0/0/28" of "HundredGigE0/0/0/28": the name after its letters, when what follows
/// is digits and slashes only.
fn slot_path(name: &str) -> Option<&str> {
    let path = name.trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '-');
    (path.len() < name.len()
        && !path.is_empty()
        && path.bytes().all(|b| b.is_ascii_digit() || b == b'/'))
    .then_some(path)
}

/// ENTITY-MIB physical entities.
#[derive(Debug, Clone, Default)]
pub struct EntityTree {
    parent: HashMap<u32, i64>,
    pub class: HashMap<u32, i64>,
    pub name: HashMap<u32, String>,
    pub descr: HashMap<u32, String>,
    alias_if: HashMap<u32, u32>,
}

/// entPhysicalClass port(10).
pub const CLASS_PORT: i64 = 10;

impl EntityTree {
    /// Builds the tree from walks of entPhysicalContainedIn, Class, Name, Descr and
    /// entAliasMappingIdentifier.
    pub fn from_walk(walk: &[Varbind]) -> Self {
        let alias_if = column(walk, &oids::ent_alias_mapping())
            .filter_map(|(idx, v)| {
                let ent = *idx.first()?;
                match v {
                    Value::ObjectId(target) => {
                        let if_index = target.suffix(&oids::if_index())?;
                        match if_index {
                            [i] => Some((ent, *i)),
                            _ => None,
                        }
                    }
                    _ => None,
                }
            })
            .collect();
        EntityTree {
            parent: int_column(walk, &oids::ent_physical_contained_in()),
            class: int_column(walk, &oids::ent_physical_class()),
            name: text_column(walk, &oids::ent_physical_name()),
            descr: text_column(walk, &oids::ent_physical_descr()),
            alias_if,
        }
    }

    /// (entity, ifIndex) of every alias mapping, by entity index.
    pub fn alias_mappings(&self) -> Vec<(u32, u32)> {
        let mut v: Vec<(u32, u32)> = self.alias_if.iter().map(|(e, i)| (*e, *i)).collect();
        v.sort_unstable();
        v
    }

    /// The entity and its ancestors, nearest first (cycle-safe).
    pub fn lineage(&self, ent: u32) -> Vec<u32> {
        let mut out = vec![ent];
        let mut cur = ent;
        while let Some(p) = self.parent.get(&cur).and_then(|p| u32::try_from(*p).ok()) {
            if p == 0 || out.contains(&p) || out.len() > 32 {
                break;
            }
            out.push(p);
            cur = p;
        }
        out
    }

    /// The name and description of an entity, for matching.
    pub fn labels(&self, ent: u32) -> impl Iterator<Item = &str> {
        [self.name.get(&ent), self.descr.get(&ent)]
            .into_iter()
            .flatten()
            .map(|s| s.as_str())
            .filter(|s| !s.is_empty())
    }

    /// The ifIndex of the interface a sensor measures.
    pub fn interface_of(
        &self,
        sensor: u32,
        measured: Option<u32>,
        names: &InterfaceNames,
    ) -> Option<u32> {
        self.link_of(sensor, measured, names).map(|(i, _)| i)
    }

    /// The ifIndex of the interface a sensor measures and the link of the chain that
    /// tied them (what `probe --explain` shows).
    pub fn link_of(
        &self,
        sensor: u32,
        measured: Option<u32>,
        names: &InterfaceNames,
    ) -> Option<(u32, Link)> {
        // The chain that exists, in order: an alias mapping (to an interface the
        // device lists), a mapped port beside the sensors, an entity named as an
        // interface (the sensor's ancestors, then the entity it measures and its
        // ancestors), the sensor's own label.
        if let Some(i) = self.mapped_interface(sensor, measured, names) {
            return Some((i, Link::AliasMapping));
        }
        let lineage = self.lineage(sensor);
        // IOS-XE on C8500: sensor -> transceiver (no mapping) -> a port entity beside
        // the sensors, named like the interface and mapped. Only a transceiver with
        // exactly one mapped port below it says which interface it is.
        if let Some(i) = lineage
            .get(1)
            .and_then(|t| self.only_mapped_port_below(*t, names))
        {
            return Some((i, Link::MappedPortBeside));
        }
        let measured_lineage = measured.map(|m| self.lineage(m)).unwrap_or_default();
        for e in lineage[1..].iter().chain(&measured_lineage) {
            if let Some(i) = self.labels(*e).find_map(|l| names.find(l)) {
                return Some((i, Link::EntityName(*e)));
            }
        }
        self.labels(sensor)
            .find_map(|l| named_interface(l, names))
            .map(|i| (i, Link::OwnLabel))
    }

    /// The interface a sensor measures by the tree's structure alone (parents and
    /// alias mappings, no names): an alias mapping in its lineage, else in the lineage
    /// of the entity it says it measures. The first steps of [`Self::interface_of`],
    /// which targeted discovery uses to skip the sensors of interfaces nobody asked
    /// for before reading any name.
    /// An alias to an ifIndex the device does not list (a stale or foreign mapping) is
    /// no link: the name steps after it decide.
    pub fn mapped_interface(
        &self,
        sensor: u32,
        measured: Option<u32>,
        names: &InterfaceNames,
    ) -> Option<u32> {
        let mapped = |ent: u32| self.lineage(ent).iter().find_map(|e| self.alias(*e, names));
        mapped(sensor).or_else(|| measured.and_then(mapped))
    }

    /// The ifIndex `ent`'s alias mapping names, when the device lists that interface.
    fn alias(&self, ent: u32, names: &InterfaceNames) -> Option<u32> {
        self.alias_if
            .get(&ent)
            .copied()
            .filter(|i| names.has_index(*i))
    }

    /// The entities directly inside `ent`.
    pub fn children(&self, ent: u32) -> impl Iterator<Item = u32> + '_ {
        self.parent
            .iter()
            .filter(move |(_, p)| **p == i64::from(ent))
            .map(|(c, _)| *c)
    }

    /// The ifIndex of the one port entity directly below `ent` that has an alias
    /// mapping, when there is exactly one.
    /// Every mapped port counts (two ports, one of them unlisted, still leave the
    /// transceiver's interface unknown); the one must be an interface the device lists.
    fn only_mapped_port_below(&self, ent: u32, names: &InterfaceNames) -> Option<u32> {
        let mut found = self.parent.iter().filter_map(|(child, p)| {
            (*p == i64::from(ent) && self.class.get(child) == Some(&CLASS_PORT))
                .then(|| self.alias_if.get(child).copied())
                .flatten()
        });
        let first = found.next()?;
        (found.next().is_none() && names.has_index(first)).then_some(first)
    }

    /// For a lane sensor of a broken-out port (no interface has the port's name any
    /// more), the lane's own interface: the port named by the sensor's module or the
    /// first word of its label.
    pub fn breakout_interface(
        &self,
        sensor: u32,
        lane: u16,
        names: &InterfaceNames,
    ) -> Option<u32> {
        self.lineage(sensor)
            .into_iter()
            .take(3)
            .flat_map(|e| self.labels(e).filter_map(|l| l.split_whitespace().next()))
            .find_map(|port| names.breakout(port, lane))
    }

    /// A lane number written in the sensor's or a near ancestor's name ("Lane 2").
    pub fn lane_of(&self, sensor: u32) -> Option<u16> {
        self.lineage(sensor)
            .into_iter()
            .take(3)
            .find_map(|e| self.labels(e).find_map(lane_in))
    }
}

/// Which link of the chain tied a sensor to its interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// entAliasMappingIdentifier on the sensor, an ancestor or the measured entity.
    AliasMapping,
    /// The one mapped port entity beside the sensors under their transceiver.
    MappedPortBeside,
    /// This entity's name or description equals an interface name.
    EntityName(u32),
    /// The sensor's own name or description names the interface.
    OwnLabel,
}

impl Link {
    pub fn describe(&self) -> String {
        match self {
            Link::AliasMapping => "ENTITY-MIB entAliasMapping".to_string(),
            Link::MappedPortBeside => {
                "the one alias-mapped port beside the sensors under their transceiver".to_string()
            }
            Link::EntityName(e) => format!("the name of entity {e} (entPhysicalName/Descr)"),
            Link::OwnLabel => "the sensor's own name or description".to_string(),
        }
    }
}

/// The interface a sensor's own label names: "Gi1/0/52 Receive Power Sensor" (first
/// word), "DOM RX Power Sensor for Ethernet1" (after the last "for").
pub fn named_interface(label: &str, names: &InterfaceNames) -> Option<u32> {
    if let Some(pos) = label.rfind(" for ") {
        if let Some(i) = names.find(&label[pos + 5..]) {
            return Some(i);
        }
    }
    label.split_whitespace().next().and_then(|w| names.find(w))
}

/// "Lane 3" anywhere in a label, case-insensitive.
pub fn lane_in(label: &str) -> Option<u16> {
    let lower = label.to_ascii_lowercase();
    let pos = lower.find("lane")?;
    lower[pos + 4..]
        .trim_start()
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|d| d.parse().ok())
}

/// What a sensor measures, from its name: power direction, bias, temperature, voltage.
pub fn quantity_in(label: &str) -> Option<crate::plan::Quantity> {
    use crate::plan::Quantity;
    let l = label.to_ascii_lowercase();
    // The lane in between: IOS-XR "HundredGigE0/0/0/28-Rx Lane 2 Power", IOS-XE and
    // NX-OS "Hu1/0/1 Rx Lane 2 Power Sensor": "<dir> lane <n> power", whatever follows.
    let lane_power = |dir: &str| {
        let key = format!("{dir} lane");
        l.find(&key).is_some_and(|i| {
            l[i + key.len()..]
                .trim_start()
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .trim_start()
                .starts_with("power")
        })
    };
    if l.contains("receive power")
        || l.contains("rx power")
        || l.contains("rx optical power")
        || lane_power("rx")
    {
        Some(Quantity::Rx)
    } else if l.contains("transmit power")
        || l.contains("tx power")
        || l.contains("tx optical power")
        || lane_power("tx")
    {
        Some(Quantity::Tx)
    } else if l.contains("bias") {
        Some(Quantity::Bias)
    } else if l.contains("temperature") || l.ends_with(" module") {
        Some(Quantity::Temperature)
    } else if l.contains("voltage") {
        Some(Quantity::Voltage)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_and_quantities_come_from_names() {
        use crate::plan::Quantity;
        assert_eq!(
            lane_in("Ethernet1/19 Lane 1 Transceiver Receive Power Sensor"),
            Some(1)
        );
        assert_eq!(lane_in("Lane 0 for Xcvr for Ethernet1"), Some(0));
        assert_eq!(lane_in("Gi1/0/52 Receive Power Sensor"), None);
        assert_eq!(
            quantity_in("Gi1/0/52 Receive Power Sensor"),
            Some(Quantity::Rx)
        );
        assert_eq!(
            quantity_in("DOM TX Power Sensor for Ethernet1"),
            Some(Quantity::Tx)
        );
        assert_eq!(
            quantity_in("DOM TX Bias Sensor for Ethernet1"),
            Some(Quantity::Bias)
        );
        assert_eq!(
            quantity_in("GigabitEthernet1/0/52 Supply Voltage Sensor"),
            Some(Quantity::Voltage)
        );
        // Lane rows named "<dir> Lane N Power Sensor" beside the module's own sensors.
        assert_eq!(
            quantity_in("HundredGigE1/0/1 Rx Lane 2 Power Sensor"),
            Some(Quantity::Rx)
        );
        assert_eq!(
            quantity_in("HundredGigE1/0/1 Tx Lane 4 Power Sensor"),
            Some(Quantity::Tx)
        );
        assert_eq!(lane_in("HundredGigE1/0/1 Tx Lane 4 Power Sensor"), Some(4));
        assert_eq!(
            quantity_in("HundredGigE1/0/1 Lane 3 Bias Current Sensor"),
            Some(Quantity::Bias)
        );
        assert_eq!(quantity_in("Rx Lane 2 Loss of Signal"), None);
        assert_eq!(quantity_in("Fan 1"), None);
        assert_eq!(
            quantity_in("HundredGigE0/0/0/28-Rx Lane 2 Power"),
            Some(Quantity::Rx)
        );
        assert_eq!(
            quantity_in("HundredGigE0/0/0/28-Tx Lane 0 Power"),
            Some(Quantity::Tx)
        );
        assert_eq!(
            quantity_in("HundredGigE0/0/0/28-Tx Lane 0 Bias"),
            Some(Quantity::Bias)
        );
    }

    #[test]
    fn sensor_labels_name_their_interface() {
        let names = InterfaceNames::new([
            ("Ethernet1".to_string(), 1),
            ("Gi1/0/52".to_string(), 10152),
        ]);
        assert_eq!(
            named_interface("DOM RX Power Sensor for Ethernet1", &names),
            Some(1)
        );
        assert_eq!(
            named_interface("Gi1/0/52 Receive Power Sensor", &names),
            Some(10152)
        );
        assert_eq!(named_interface("Power Supply 1", &names), None);
    }

    #[test]
    fn a_broken_out_lane_is_its_own_interface() {
        let names = InterfaceNames::new([
            ("TwentyFiveGigE0/0/0/28/0".to_string(), 81),
            ("TwentyFiveGigE0/0/0/28/1".to_string(), 84),
            ("Optics0/0/0/28".to_string(), 90),
            ("Optics0/0/0/28/1".to_string(), 74),
            ("TenGigE0/0/0/3".to_string(), 5),
        ]);
        assert_eq!(names.breakout("HundredGigE0/0/0/28", 1), Some(84));
        assert_eq!(names.breakout("HundredGigE0/0/0/28", 2), None);
        assert_eq!(names.breakout("HundredGigE0/0/0/3", 0), None);
        assert_eq!(names.breakout("Power", 0), None);
    }
}
