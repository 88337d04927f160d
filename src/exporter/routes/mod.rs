//! The HTTP routes, one file per kind of caller: [`metrics`] for Prometheus, [`api`]
//! for people and pipelines, [`gate`] for the decisions, [`pages`] for the browser,
//! [`ops`] for the agent's operators; [`respond`] holds the answers they share.

pub mod api;
pub mod gate;
pub mod metrics;
pub mod ops;
pub mod pages;
pub mod respond;
