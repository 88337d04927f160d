//! linkDown/linkUp notifications (IF-MIB, RFC 2863) as SNMPv2c traps.

use super::ber;
use lightgate_snmp::oids;
use lightgate_snmp::types::Value;

/// Encodes a v2c linkDown (`up == false`) or linkUp trap for `if_index`.
pub fn link_trap(
    community: &str,
    request_id: i64,
    uptime_ticks: u32,
    if_index: u32,
    admin_up: bool,
    up: bool,
) -> Vec<u8> {
    let kind = if up {
        oids::link_up()
    } else {
        oids::link_down()
    };
    let mut vbs = Vec::with_capacity(128);
    ber::varbind(
        &mut vbs,
        &oids::if_index().child(&[if_index]),
        &Value::Integer(i64::from(if_index)),
    );
    ber::varbind(
        &mut vbs,
        &oids::if_admin_status().child(&[if_index]),
        &Value::Integer(if admin_up { 1 } else { 2 }),
    );
    ber::varbind(
        &mut vbs,
        &oids::if_oper_status().child(&[if_index]),
        &Value::Integer(if up { 1 } else { 2 }),
    );
    notification(community, request_id, uptime_ticks, kind, &vbs)
}

/// A v2c notification: sysUpTime and snmpTrapOID first (RFC 3416 4.2.6), then
/// `varbinds` (already encoded).
pub fn notification(
    community: &str,
    request_id: i64,
    uptime_ticks: u32,
    trap_oid: lightgate_snmp::types::Oid,
    varbinds: &[u8],
) -> Vec<u8> {
    let mut vbs = Vec::with_capacity(64 + varbinds.len());
    ber::varbind(
        &mut vbs,
        &oids::sys_uptime(),
        &Value::TimeTicks(uptime_ticks),
    );
    ber::varbind(&mut vbs, &oids::snmp_trap_oid(), &Value::ObjectId(trap_oid));
    vbs.extend_from_slice(varbinds);
    ber::message(
        1,
        community.as_bytes(),
        ber::TRAP_V2,
        request_id,
        0,
        0,
        &vbs,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lightgate_reads_our_link_down_trap() {
        let bytes = link_trap("public", 7, 12345, 501, true, false);
        let t = lightgate_snmp::trap::parse(&bytes).expect("lightgate's trap parser reads it");
        assert_eq!(t.kind, lightgate_snmp::trap::TrapKind::LinkDown);
        assert_eq!(t.if_index, Some(501));
        assert_eq!(t.community, b"public");
    }
}
