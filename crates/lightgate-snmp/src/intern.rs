//! One shared copy of values that many plans hold alike: the kind of a sensor (its
//! columns, scale and unit) and an optic's thresholds are the same for every optic of a
//! model, on every router, while a plan per optic holding its own copy was most of the
//! agent's memory at 48,000 optics (BENCHMARKS.md, "Scale").
//!
//! Copies are held weakly: a value lives as long as a plan (or a reading) uses it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

/// A table of shared values, by hash.
pub struct Interner<T> {
    table: Mutex<Option<Table<T>>>,
    hash: fn(&T) -> u64,
    same: fn(&T, &T) -> bool,
}

struct Table<T> {
    by_hash: HashMap<u64, Vec<Weak<T>>>,
    /// Entries held, dead ones included, and the count at which the dead are dropped.
    entries: usize,
    purge_at: usize,
}

impl<T> Interner<T> {
    /// An empty table; `same` decides which values may share one copy, and must agree
    /// with `hash` (equal under `same`, equal hashes).
    pub const fn new(hash: fn(&T) -> u64, same: fn(&T, &T) -> bool) -> Self {
        Interner {
            table: Mutex::new(None),
            hash,
            same,
        }
    }

    /// The one shared copy of `value`.
    pub fn share(&self, value: T) -> Arc<T> {
        let hash = (self.hash)(&value);
        let mut guard = self.table.lock().unwrap_or_else(|e| e.into_inner());
        let table = guard.get_or_insert_with(|| Table {
            by_hash: HashMap::new(),
            entries: 0,
            purge_at: 0,
        });
        let same = table.by_hash.get(&hash).and_then(|bucket| {
            bucket
                .iter()
                .filter_map(Weak::upgrade)
                .find(|k| (self.same)(k, &value))
        });
        if let Some(shared) = same {
            return shared;
        }
        let shared = Arc::new(value);
        table
            .by_hash
            .entry(hash)
            .or_default()
            .push(Arc::downgrade(&shared));
        table.entries += 1;
        if table.entries >= table.purge_at {
            table.by_hash.retain(|_, bucket| {
                bucket.retain(|k| k.strong_count() > 0);
                !bucket.is_empty()
            });
            table.entries = table.by_hash.values().map(Vec::len).sum();
            table.purge_at = (table.entries * 2).max(1024);
        }
        shared
    }
}

/// A value's hash with the standard hasher.
pub fn hash_of<T: std::hash::Hash>(value: &T) -> u64 {
    use std::hash::Hasher;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}
