//! The pure domain core: units, readings, thresholds, link history and readiness.
//!
//! Nothing in here does I/O, awaits, logs or knows about Prometheus, SNMP or serial
//! ports. Time comes in as an argument, so every rule is testable to the second.

pub mod azure;
pub mod cross_check;
pub mod power;
pub mod readiness;
pub mod reading;
pub mod standard;
pub mod status;
pub mod thresholds;
pub mod tracker;
pub mod window;

pub use azure::{
    same_resource, span_loss_db, AdvertisedPrefixes, AzureCircuit, AzureLevel, AzureLink,
    AzureLinkInfo, AzurePeering, AzurePort, AzurePrefix, AzureProvisioning, AZURE_METRIC_MAX_AGE,
};
pub use power::{OpticalPower, Power};
pub use readiness::{
    evaluate_link, AzureInput, Check, CheckName, LinkInputs, LinkPolicy, LinkReadiness,
    PortReadiness,
};
pub use reading::{Direction, LaneReading, LinkDetails, LinkReading, OpticReading, ALL_ZERO_NOTE};
pub use standard::Standard;
pub use status::{AdminStatus, AzureAdminState, AzureStateOrigin, LinkId, OperStatus};
pub use thresholds::{Level, Thresholds};
pub use tracker::{format_duration, LinkTracker};
pub use window::{tx_window, HealthyWindow, PowerInputs, Windows};
