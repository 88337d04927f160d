//! Vendor profiles: how each family's optics are found and read, one file each.
//!
//! - [`cisco`]: CISCO-ENTITY-SENSOR-MIB; [`arista`]: ENTITY-SENSOR-MIB with Arista's
//!   thresholds; [`entity_sensor`]: plain ENTITY-SENSOR-MIB (the fallback);
//!   [`juniper`]: JUNIPER-DOM-MIB and the coherent-optic table; [`huawei`],
//!   [`nokia`], [`mikrotik`], [`aruba_cx`]: vendor DOM tables.
//! - [`entity`] and [`sensors`]: what the entity-sensor profiles share (the ENTITY-MIB
//!   tree, planning from a sensor table), [`targeted`] (reading only the wanted
//!   interfaces' sensors); [`table`]: what the DOM-table profiles share.
//!
//! A new vendor is a file here (its detection and its [`sensors::SensorMib`], or its
//! own discovery like Juniper's), a [`Vendor`] variant with its arm in [`profile`] and
//! [`detect`], its fixtures, and its flavour in the simulator.

pub mod arista;
pub mod aruba_cx;
pub mod cisco;
pub mod entity;
pub mod entity_sensor;
pub mod huawei;
pub mod juniper;
pub mod mikrotik;
pub mod nokia;
pub mod sensors;
pub mod table;
pub mod targeted;

use std::collections::{BTreeMap, BTreeSet};

use crate::client::Counters;
use crate::plan::OpticPlan;
use crate::settings::Vendor;
use crate::transport::Transport;
use crate::types::Oid;
use entity::InterfaceNames;
use lightgate_core::source::SourceError;

/// How a profile discovers optics.
pub enum Profile {
    /// From the entity tree and a sensor table.
    Sensors(&'static sensors::SensorMib),
    /// JUNIPER-DOM-MIB, keyed by ifIndex (and the coherent-optic table).
    Juniper,
    /// A vendor DOM table keyed by interface or entity.
    Table(&'static table::TableMib),
}

/// The profile of a vendor.
pub fn profile(vendor: Vendor) -> Profile {
    match vendor {
        Vendor::Cisco => Profile::Sensors(&cisco::MIB),
        Vendor::Arista => Profile::Sensors(&arista::MIB),
        Vendor::EntitySensor => Profile::Sensors(&entity_sensor::MIB),
        Vendor::Juniper => Profile::Juniper,
        Vendor::Huawei => Profile::Table(&huawei::MIB),
        Vendor::Nokia => Profile::Table(&nokia::MIB),
        Vendor::Mikrotik => Profile::Table(&mikrotik::MIB),
        Vendor::ArubaCx => Profile::Table(&aruba_cx::MIB),
    }
}

/// A profile's test of a sysObjectID.
type Detects = fn(&Oid) -> bool;

/// The vendor profile a sysObjectID suggests: each profile's own test, the plain
/// ENTITY-SENSOR-MIB last.
pub fn detect(sys_object_id: &Oid) -> Vendor {
    let tests: [(Detects, Vendor); 8] = [
        (cisco::detects, Vendor::Cisco),
        (juniper::detects, Vendor::Juniper),
        (arista::detects, Vendor::Arista),
        (huawei::detects, Vendor::Huawei),
        (nokia::detects, Vendor::Nokia),
        (mikrotik::detects, Vendor::Mikrotik),
        (aruba_cx::detects, Vendor::ArubaCx),
        (entity_sensor::detects, Vendor::EntitySensor),
    ];
    tests
        .into_iter()
        .find(|(t, _)| t(sys_object_id))
        .map(|(_, v)| v)
        .unwrap_or(Vendor::EntitySensor)
}

/// Plans the optics of the interfaces `indexes` on a device of `vendor`.
pub async fn discover<T: Transport>(
    vendor: Vendor,
    transport: &mut T,
    indexes: &BTreeSet<u32>,
    names: &InterfaceNames,
    counters: &mut Counters,
) -> Result<BTreeMap<u32, Result<OpticPlan, String>>, SourceError> {
    match profile(vendor) {
        Profile::Juniper => juniper::discover(transport, indexes, names, counters).await,
        Profile::Table(mib) => table::discover(mib, transport, indexes, names, counters).await,
        Profile::Sensors(mib) => Ok(targeted::discover(mib, transport, indexes, names, counters)
            .await?
            .into_iter()
            .map(|(i, p)| (i, Ok(p)))
            .collect()),
    }
}
