//! Vendor profiles: how each family's DOM is found and read.

pub mod entity;
pub mod juniper;
pub mod sensor;
