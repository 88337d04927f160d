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
    /// A string; anything else is an error that does not quote the value (serde's own
    /// "invalid type: integer `98765432`" would print the community someone typed
    /// without quotes).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        fn not_a_string<E: serde::de::Error>() -> E {
            E::custom("a secret must be a quoted string (the value is not shown)")
        }
        impl serde::de::Visitor<'_> for V {
            type Value = Secret;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a quoted string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Secret, E> {
                Ok(Secret(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Secret, E> {
                Ok(Secret(v))
            }
            fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Secret, E> {
                Err(not_a_string())
            }
            fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Secret, E> {
                Err(not_a_string())
            }
            fn visit_i128<E: serde::de::Error>(self, _: i128) -> Result<Secret, E> {
                Err(not_a_string())
            }
            fn visit_u128<E: serde::de::Error>(self, _: u128) -> Result<Secret, E> {
                Err(not_a_string())
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Secret, E> {
                Err(not_a_string())
            }
            fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Secret, E> {
                Err(not_a_string())
            }
            fn visit_bytes<E: serde::de::Error>(self, _: &[u8]) -> Result<Secret, E> {
                Err(not_a_string())
            }
            fn visit_char<E: serde::de::Error>(self, _: char) -> Result<Secret, E> {
                Err(not_a_string())
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_that_is_not_a_string_is_refused_without_its_value() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct S {
            community: Secret,
        }
        for text in [
            "community = 98765432",
            "community = 9876.5432",
            "community = true",
            "community = 1979-05-27",
        ] {
            let e = toml::from_str::<S>(text).unwrap_err().message().to_string();
            assert!(e.contains("quoted string"), "{text}: {e}");
            for digits in ["98765432", "9876.5432", "1979"] {
                assert!(!e.contains(digits), "{text}: {e}");
            }
        }
        assert_eq!(
            toml::from_str::<S>("community = \"x\"")
                .unwrap()
                .community
                .expose(),
            "x"
        );
    }

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
