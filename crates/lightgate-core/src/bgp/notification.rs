//! The last BGP NOTIFICATION of a session as a person reads it: error code and subcode
//! (RFC 4271 section 4.5, OPEN subcodes of RFC 5492, Cease subcodes of RFC 4486), as
//! BGP4-MIB's bgpPeerLastError gives them (two octets).

/// "Cease: administrative shutdown" for (6, 2); None for (0, 0), "no error".
pub fn notification_text(code: u8, subcode: u8) -> Option<String> {
    let (name, subs): (&str, &[&str]) = match code {
        0 => return None,
        1 => (
            "message header error",
            &[
                "",
                "connection not synchronized",
                "bad message length",
                "bad message type",
            ],
        ),
        2 => (
            "OPEN message error",
            &[
                "",
                "unsupported version number",
                "bad peer AS",
                "bad BGP identifier",
                "unsupported optional parameter",
                "",
                "unacceptable hold time",
                "unsupported capability",
            ],
        ),
        3 => (
            "UPDATE message error",
            &[
                "",
                "malformed attribute list",
                "unrecognized well-known attribute",
                "missing well-known attribute",
                "attribute flags error",
                "attribute length error",
                "invalid ORIGIN attribute",
                "",
                "invalid NEXT_HOP attribute",
                "optional attribute error",
                "invalid network field",
                "malformed AS_PATH",
            ],
        ),
        4 => ("hold timer expired", &[]),
        5 => ("finite state machine error", &[]),
        6 => (
            "Cease",
            &[
                "",
                "maximum number of prefixes reached",
                "administrative shutdown",
                "peer de-configured",
                "administrative reset",
                "connection rejected",
                "other configuration change",
                "connection collision resolution",
                "out of resources",
            ],
        ),
        other => return Some(format!("error code {other}, subcode {subcode}")),
    };
    Some(
        match subs.get(usize::from(subcode)).filter(|s| !s.is_empty()) {
            Some(sub) => format!("{name}: {sub}"),
            None if subcode == 0 => name.to_string(),
            None => format!("{name} (subcode {subcode})"),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_subcodes_are_named() {
        assert_eq!(notification_text(0, 0), None);
        assert_eq!(
            notification_text(6, 2).as_deref(),
            Some("Cease: administrative shutdown")
        );
        assert_eq!(
            notification_text(2, 2).as_deref(),
            Some("OPEN message error: bad peer AS")
        );
        assert_eq!(
            notification_text(4, 0).as_deref(),
            Some("hold timer expired")
        );
        assert_eq!(
            notification_text(6, 99).as_deref(),
            Some("Cease (subcode 99)")
        );
        assert_eq!(
            notification_text(42, 1).as_deref(),
            Some("error code 42, subcode 1")
        );
    }
}
