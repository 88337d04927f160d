//! Seeded, stateless noise: the same seed, interface, lane and poll number always give
//! the same value, whatever else was polled before. splitmix64 as the mixer.

/// splitmix64 finaliser (Steele, Lea, Flood 2014).
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a of a name, to key noise by interface.
pub fn hash_name(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A value in [-1, 1) determined by the keys.
pub fn unit(keys: &[u64]) -> f64 {
    let h = keys.iter().fold(0u64, |acc, k| mix(acc ^ mix(*k)));
    // 53 random bits -> [0, 1) -> [-1, 1)
    ((h >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_is_deterministic_bounded_and_key_sensitive() {
        let a = unit(&[7, hash_name("Hu0/0/0"), 3]);
        assert_eq!(a, unit(&[7, hash_name("Hu0/0/0"), 3]));
        assert_ne!(a, unit(&[8, hash_name("Hu0/0/0"), 3]));
        assert_ne!(a, unit(&[7, hash_name("Hu0/0/1"), 3]));
        let samples: Vec<f64> = (0..10_000).map(|i| unit(&[1, i])).collect();
        assert!(samples.iter().all(|v| (-1.0..1.0).contains(v)));
        let mean = samples.iter().sum::<f64>() / samples.len() as f64;
        assert!(mean.abs() < 0.05, "mean {mean}");
    }
}
