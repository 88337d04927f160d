//! What the crate's corpus tests share.

use std::path::{Path, PathBuf};

/// The shared conformance corpus: `../shared/corpus` beside the checkout, or
/// LIGHTGATE_CORPUS.
pub fn corpus() -> PathBuf {
    let dir = std::env::var_os("LIGHTGATE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"));
    assert!(
        dir.join("MANIFEST.md").exists(),
        "the conformance corpus is not at {} (set LIGHTGATE_CORPUS to its path)",
        dir.display()
    );
    dir
}
