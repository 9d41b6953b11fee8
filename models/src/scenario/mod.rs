//! Scenarios: the YAML a user writes, its units, loading with precise errors, validation.

pub mod autoscaling;
pub mod capacity;
pub mod cluster;
pub mod database;
mod error;
pub mod expect;
pub mod faults;
pub mod predictive;
pub mod queue;
pub mod scheduled;
pub mod slo;
pub mod spec;
pub mod units;
pub mod vpa;

pub use autoscaling::{Autoscaling, ControllerFlags, MemoryModel};
pub use error::SpecError;
pub use slo::Slo;
pub use spec::*;
pub use units::{parse_duration, parse_quantity, Duration, Quantity};
mod load;
pub mod locate;
pub mod overrides;
mod resolve;
pub mod suggest;
pub mod validate;

pub(crate) use load::yaml_error;
pub use load::{load, load_str, locate_error, Loaded};
pub use locate::locate;
pub use overrides::Override;
pub use resolve::{resolve_pods, ResolvedPods, FROM_DEPLOYMENT};
