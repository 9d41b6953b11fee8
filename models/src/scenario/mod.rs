//! Scenarios: the YAML a user writes, its units, loading with precise errors, validation.

mod error;
pub mod spec;
pub mod units;

pub use error::SpecError;
pub use spec::*;
pub use units::{parse_duration, parse_quantity, Duration, Quantity};
