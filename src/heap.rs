//! Returning freed heap to the system after bursts of short-lived allocations.
//!
//! A discovery builds and drops a walk of up to 10,000 varbinds (an OID and a value
//! each, in small blocks) while the plans, store entries and poll tasks it makes
//! live on between them. glibc's allocator gives memory back to the system only from
//! the top of its heaps, so the holes the walks leave stay in the resident set: at
//! 10,000 routers about 53 MiB of it (BENCHMARKS.md, "Scale, continued"). glibc's
//! `malloc_trim` releases the free pages inside the heaps too. It walks every arena
//! (1 to 15 ms at 1000 routers x 48 optics), so it is not run per poll but at most once
//! per [`TRIM_EVERY`], and once more after the last poll of a burst. A poll cycle of
//! 1000 routers x 48 optics left 26 MiB of freed heap resident without it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The least time between two trims.
pub const TRIM_EVERY: Duration = Duration::from_secs(1);

/// Schedules trims after short-lived work, at most one per [`TRIM_EVERY`].
pub struct Trimmer {
    scheduled: AtomicBool,
    trim: fn(),
}

impl Trimmer {
    pub const fn new(trim: fn()) -> Self {
        Trimmer {
            scheduled: AtomicBool::new(false),
            trim,
        }
    }

    /// Called when a burst of short-lived allocations has been freed: a trim runs
    /// [`TRIM_EVERY`] from now unless one is already waiting, so work that ends while
    /// one waits is covered by it, and work that ends after it ran schedules another.
    /// Needs a tokio runtime; without one it does nothing.
    pub fn after_transient_work(&'static self) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if self.scheduled.swap(true, Ordering::AcqRel) {
            return;
        }
        runtime.spawn(async move {
            tokio::time::sleep(TRIM_EVERY).await;
            self.scheduled.store(false, Ordering::Release);
            let _ = tokio::task::spawn_blocking(self.trim).await;
        });
    }
}

/// glibc's `malloc_trim(0)`; nothing on other C libraries.
fn trim_system_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes no pointers and only walks glibc's own arenas, under
    // their locks; it is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The agent's trimmer.
pub static HEAP: Trimmer = Trimmer::new(trim_system_heap);

/// Whether the operator tuned glibc's arenas already (`MALLOC_ARENA_MAX`, or
/// `glibc.malloc.arena_max` in `GLIBC_TUNABLES`): then their choice stands.
pub fn arenas_tuned(env: impl Fn(&str) -> Option<String>) -> bool {
    env("MALLOC_ARENA_MAX").is_some()
        || env("GLIBC_TUNABLES").is_some_and(|t| t.contains("glibc.malloc.arena_max"))
}

/// Makes every thread allocate from glibc's main arena, unless the operator tuned
/// the arenas. glibc gives each thread that meets a locked arena one of its own, up to
/// eight per core, and a block freed in one arena cannot serve another: the runtime's
/// workers and blocking threads each kept their own half-empty heaps, 3 to 10 % of the
/// agent's resident set at 1000 and 10,000 routers (BENCHMARKS.md, "Scale, fourth
/// pass"). Each thread's cache of small blocks (tcache) still takes most allocations
/// without the arena's lock. Call it before the runtime starts its threads.
pub fn one_arena() {
    if arenas_tuned(|k| std::env::var(k).ok()) {
        return;
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt takes plain integers and only changes glibc's allocator settings,
    // under its own lock.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn an_operators_arena_setting_is_left_alone() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert!(!arenas_tuned(env(&[])));
        assert!(arenas_tuned(env(&[("MALLOC_ARENA_MAX", "4")])));
        assert!(arenas_tuned(env(&[(
            "GLIBC_TUNABLES",
            "glibc.malloc.tcache_count=0:glibc.malloc.arena_max=2"
        )])));
        assert!(!arenas_tuned(env(&[(
            "GLIBC_TUNABLES",
            "glibc.malloc.tcache_count=0"
        )])));
    }

    static TRIMS: AtomicUsize = AtomicUsize::new(0);

    fn count() {
        TRIMS.fetch_add(1, Ordering::SeqCst);
    }

    static TEST: Trimmer = Trimmer::new(count);

    /// The trims so far, once `n` have run or a moment has passed (the trim runs on a
    /// blocking thread, outside the paused clock).
    async fn trims_once(n: usize) -> usize {
        for _ in 0..100 {
            if TRIMS.load(Ordering::SeqCst) >= n {
                break;
            }
            tokio::task::yield_now().await;
            std::thread::sleep(Duration::from_millis(5));
        }
        TRIMS.load(Ordering::SeqCst)
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_of_work_is_trimmed_once_after_it_and_later_work_again() {
        for _ in 0..1000 {
            TEST.after_transient_work();
        }
        tokio::time::sleep(TRIM_EVERY / 2).await;
        assert_eq!(TRIMS.load(Ordering::SeqCst), 0, "not before the interval");
        TEST.after_transient_work();
        tokio::time::sleep(TRIM_EVERY).await;
        assert_eq!(trims_once(1).await, 1, "one trim for the burst");
        TEST.after_transient_work();
        tokio::time::sleep(TRIM_EVERY * 2).await;
        assert_eq!(trims_once(2).await, 2, "work after it: another");
    }

    #[test]
    fn without_a_runtime_nothing_is_scheduled() {
        static NONE: Trimmer = Trimmer::new(count);
        NONE.after_transient_work();
        assert!(!NONE.scheduled.load(Ordering::SeqCst));
    }
}
