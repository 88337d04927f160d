//! What a name may be.

/// Whether `n` is a valid device, port or circuit name: non-empty, letters, digits,
/// '-', '_' and '.' (names go into URLs and metric labels).
pub fn is_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 256
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}
