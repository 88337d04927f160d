//! Sharding a large site over several agents that share one config: each polls only
//! the devices whose name hashes to its shard. The hash is FNV-1a of the name, stable
//! across processes, versions and hosts.

use std::fmt;
use std::str::FromStr;

/// Shard `index` of `count` (1-based, as written on the command line: `--shard 1/2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Shard {
    /// Whether this shard polls `device`.
    pub fn owns(&self, device: &str) -> bool {
        fnv1a(device) % u64::from(self.count) == u64::from(self.index - 1)
    }
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("shard {s:?} must be I/N with 1 <= I <= N, e.g. 1/2");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count): (u32, u32) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if count == 0 || index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_devices() {
        let names: Vec<String> = (0..200).map(|i| format!("edge-{i}")).collect();
        let shards: Vec<Shard> = (1..=3).map(|i| format!("{i}/3").parse().unwrap()).collect();
        for n in &names {
            assert_eq!(
                shards.iter().filter(|s| s.owns(n)).count(),
                1,
                "{n} is in exactly one shard"
            );
        }
        for s in &shards {
            let mine = names.iter().filter(|n| s.owns(n)).count();
            assert!((40..=95).contains(&mine), "shard {s} has {mine} of 200");
        }
        assert!("1/1".parse::<Shard>().unwrap().owns("anything"));
        for bad in ["0/2", "3/2", "1/0", "1", "a/b", "1/2/3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
