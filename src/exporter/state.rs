//! What the HTTP handlers share: the store, the gate, the live hub and the agent's
//! hooks.

use std::sync::Arc;

use axum::extract::FromRef;

use super::live;
use crate::store::Store;

/// Re-reads the config: Ok with a summary, or Err with every problem.
pub type ReloadHook = Arc<dyn Fn() -> Result<String, String> + Send + Sync>;

/// Wakes the pollers: of one device (Some(name)) or all; returns how many woke.
pub type PollHook = Arc<dyn Fn(Option<&str>) -> usize + Send + Sync>;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<Store>,
    pub gate: Arc<crate::gate::Gate>,
    pub reload: Option<ReloadHook>,
    pub poll: Option<PollHook>,
    /// The ports' live event feeds (the bring-up page).
    pub live: Arc<live::LiveHub>,
}

impl AppState {
    /// The state for `store`, with its gate and no reload or poll hooks.
    pub fn new(store: Arc<Store>) -> Self {
        AppState {
            gate: Arc::new(crate::gate::Gate::new(store.clone())),
            live: Arc::new(live::LiveHub::new(store.clone())),
            store,
            reload: None,
            poll: None,
        }
    }
}

impl FromRef<AppState> for Arc<Store> {
    fn from_ref(app: &AppState) -> Arc<Store> {
        app.store.clone()
    }
}
