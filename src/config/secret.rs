//! A string that must never be shown: SNMP communities, v3 passphrases, console
//! passwords. Its `Debug` prints `<secret>`, it has no `Display`, and it does not
//! serialize, so it cannot leak through logs, errors, metrics or JSON by accident.

use serde::{Deserialize, Deserializer};

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value, for the one place that needs it (the wire). Grep for `expose`.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<secret>")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            community: Secret,
        }
        let h = Holder {
            community: Secret::new("s3cr3t-community"),
        };
        let printed = format!("{h:?} {h:#?}");
        assert!(!printed.contains("s3cr3t"), "{printed}");
        assert!(printed.contains("<secret>"));
        assert_eq!(h.community.expose(), "s3cr3t-community");
    }

    #[test]
    fn deserializes_from_a_plain_string() {
        #[derive(Deserialize, Debug)]
        struct T {
            password: Secret,
        }
        let t: T = toml::from_str("password = \"hunter2\"").unwrap();
        assert_eq!(t.password.expose(), "hunter2");
        assert!(!format!("{t:?}").contains("hunter2"));
    }
}
