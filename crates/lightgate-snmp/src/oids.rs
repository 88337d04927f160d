//! Every OID lightgate reads, numeric (no MIB files at run time), with the MIB object
//! each one is. Facts from ../shared/reference/optics-mibs.md (IF-MIB RFC 2863,
//! ENTITY-MIB RFC 6933, ENTITY-SENSOR-MIB RFC 3433, CISCO-ENTITY-SENSOR-MIB,
//! JUNIPER-DOM-MIB rev 201403200000Z, ARISTA-ENTITY-SENSOR-MIB).

use super::types::{oid, Oid};

// Parsed once each; a call is a reference count (polls ask for these per interface).
macro_rules! oids {
    ($($(#[$m:meta])* $name:ident = $value:literal;)*) => {
        $( $(#[$m])* pub fn $name() -> Oid {
            static PARSED: std::sync::LazyLock<Oid> = std::sync::LazyLock::new(|| oid($value));
            PARSED.clone()
        } )*
    };
}

oids! {
    /// SNMPv2-MIB sysObjectID.0
    sys_object_id = "1.3.6.1.2.1.1.2.0";
    /// SNMPv2-MIB sysUpTime.0 (TimeTicks)
    sys_uptime = "1.3.6.1.2.1.1.3.0";
    /// IF-MIB ifTableLastChange.0
    if_table_last_change = "1.3.6.1.2.1.31.1.5.0";
    /// ENTITY-MIB entLastChangeTime.0
    ent_last_change = "1.3.6.1.2.1.47.1.4.1.0";

    /// IF-MIB ifDescr
    if_descr = "1.3.6.1.2.1.2.2.1.2";
    /// IF-MIB ifAdminStatus: up(1) down(2) testing(3)
    if_admin_status = "1.3.6.1.2.1.2.2.1.7";
    /// IF-MIB ifOperStatus
    if_oper_status = "1.3.6.1.2.1.2.2.1.8";
    /// IF-MIB ifLastChange (TimeTicks, sysUpTime at the last oper change)
    if_last_change = "1.3.6.1.2.1.2.2.1.9";
    /// IF-MIB ifInErrors (Counter32)
    if_in_errors = "1.3.6.1.2.1.2.2.1.14";
    /// IF-MIB ifOutErrors (Counter32)
    if_out_errors = "1.3.6.1.2.1.2.2.1.20";
    /// IF-MIB ifName
    if_name = "1.3.6.1.2.1.31.1.1.1.1";
    /// IF-MIB ifHighSpeed (Mbit/s)
    if_high_speed = "1.3.6.1.2.1.31.1.1.1.15";
    /// IF-MIB ifAlias
    if_alias = "1.3.6.1.2.1.31.1.1.1.18";

    /// ENTITY-MIB entPhysicalDescr
    ent_physical_descr = "1.3.6.1.2.1.47.1.1.1.1.2";
    /// ENTITY-MIB entPhysicalContainedIn
    ent_physical_contained_in = "1.3.6.1.2.1.47.1.1.1.1.4";
    /// ENTITY-MIB entPhysicalClass: port(10), module(9), sensor(8), container(5)
    ent_physical_class = "1.3.6.1.2.1.47.1.1.1.1.5";
    /// ENTITY-MIB entPhysicalName
    ent_physical_name = "1.3.6.1.2.1.47.1.1.1.1.7";
    /// ENTITY-MIB entAliasMappingIdentifier (.<entPhysicalIndex>.<logical> = ifIndex.N)
    ent_alias_mapping = "1.3.6.1.2.1.47.1.3.2.1.2";

    /// ENTITY-SENSOR-MIB entPhySensorType
    ent_phy_sensor_type = "1.3.6.1.2.1.99.1.1.1.1";
    /// ENTITY-SENSOR-MIB entPhySensorScale
    ent_phy_sensor_scale = "1.3.6.1.2.1.99.1.1.1.2";
    /// ENTITY-SENSOR-MIB entPhySensorPrecision
    ent_phy_sensor_precision = "1.3.6.1.2.1.99.1.1.1.3";
    /// ENTITY-SENSOR-MIB entPhySensorValue
    ent_phy_sensor_value = "1.3.6.1.2.1.99.1.1.1.4";
    /// ENTITY-SENSOR-MIB entPhySensorOperStatus: ok(1)
    ent_phy_sensor_status = "1.3.6.1.2.1.99.1.1.1.5";

    /// ARISTA-ENTITY-SENSOR-MIB aristaEntSensorThresholdLowWarning
    arista_low_warning = "1.3.6.1.4.1.30065.3.12.1.1.1.1";
    /// aristaEntSensorThresholdLowCritical
    arista_low_critical = "1.3.6.1.4.1.30065.3.12.1.1.1.2";
    /// aristaEntSensorThresholdHighWarning
    arista_high_warning = "1.3.6.1.4.1.30065.3.12.1.1.1.3";
    /// aristaEntSensorThresholdHighCritical
    arista_high_critical = "1.3.6.1.4.1.30065.3.12.1.1.1.4";

    /// CISCO-ENTITY-SENSOR-MIB entSensorType (adds dBm(14))
    cisco_sensor_type = "1.3.6.1.4.1.9.9.91.1.1.1.1.1";
    /// entSensorScale
    cisco_sensor_scale = "1.3.6.1.4.1.9.9.91.1.1.1.1.2";
    /// entSensorPrecision
    cisco_sensor_precision = "1.3.6.1.4.1.9.9.91.1.1.1.1.3";
    /// entSensorValue
    cisco_sensor_value = "1.3.6.1.4.1.9.9.91.1.1.1.1.4";
    /// entSensorStatus: ok(1) unavailable(2) nonoperational(3)
    cisco_sensor_status = "1.3.6.1.4.1.9.9.91.1.1.1.1.5";
    /// entSensorMeasuredEntity
    cisco_sensor_measured_entity = "1.3.6.1.4.1.9.9.91.1.1.1.1.8";
    /// entSensorThresholdSeverity: other(1) minor(10) major(20) critical(30)
    cisco_threshold_severity = "1.3.6.1.4.1.9.9.91.1.2.1.1.2";
    /// entSensorThresholdRelation: lessThan(1) lessOrEqual(2) greaterThan(3) greaterOrEqual(4)
    cisco_threshold_relation = "1.3.6.1.4.1.9.9.91.1.2.1.1.3";
    /// entSensorThresholdValue
    cisco_threshold_value = "1.3.6.1.4.1.9.9.91.1.2.1.1.4";

    /// JUNIPER-DOM-MIB jnxDomCurrentEntry (INDEX ifIndex); columns appended
    jnx_dom_current = "1.3.6.1.4.1.2636.3.60.1.1.1.1";
    /// JUNIPER-DOM-MIB jnxDomModuleLaneEntry (INDEX ifIndex, jnxDomLaneIndex)
    jnx_dom_lane = "1.3.6.1.4.1.2636.3.60.1.2.1.1";

    /// IF-MIB linkDown notification
    link_down = "1.3.6.1.6.3.1.1.5.3";
    /// IF-MIB linkUp notification
    link_up = "1.3.6.1.6.3.1.1.5.4";
    /// ENTITY-MIB entConfigChange notification
    ent_config_change = "1.3.6.1.2.1.47.2.0.1";
    /// SNMPv2-MIB snmpTrapOID.0
    snmp_trap_oid = "1.3.6.1.6.3.1.1.4.1.0";
    /// IF-MIB ifIndex (trap varbind ifIndex.N)
    if_index = "1.3.6.1.2.1.2.2.1.1";
}

/// JUNIPER-DOM-MIB jnxDomCurrentTable columns.
pub mod jnx {
    pub const RX_POWER: u32 = 5; // 0.01 dBm
    pub const BIAS: u32 = 6; // 0.001 mA
    pub const TX_POWER: u32 = 7; // 0.01 dBm
    pub const TEMPERATURE: u32 = 8; // Celsius
    pub const RX_HIGH_ALARM: u32 = 9;
    pub const RX_LOW_ALARM: u32 = 10;
    pub const RX_HIGH_WARNING: u32 = 11;
    pub const RX_LOW_WARNING: u32 = 12;
    pub const TX_HIGH_ALARM: u32 = 17;
    pub const TX_LOW_ALARM: u32 = 18;
    pub const TX_HIGH_WARNING: u32 = 19;
    pub const TX_LOW_WARNING: u32 = 20;
    pub const VOLTAGE: u32 = 25; // 0.001 V
    pub const LANE_COUNT: u32 = 30;
    /// jnxDomModuleLaneTable columns.
    pub const LANE_INDEX: u32 = 1;
    pub const LANE_RX_POWER: u32 = 6;
    pub const LANE_BIAS: u32 = 7;
    pub const LANE_TX_POWER: u32 = 8;
}
