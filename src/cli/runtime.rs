//! The async runtime a subcommand runs on.

use super::exit;

/// A tokio runtime for a subcommand (`multi_thread` for the long-running ones), or the
/// exit code after saying why there is none.
pub fn build(multi_thread: bool) -> Result<tokio::runtime::Runtime, u8> {
    let mut b = if multi_thread {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    b.enable_all().build().map_err(|e| {
        eprintln!("cannot start the async runtime: {e}");
        exit::SOFTWARE
    })
}
