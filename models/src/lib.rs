//! # hpasim-models: the simulated world
//!
//! Workload, service pods, load balancing, the Deployment and cost, driven by the
//! `hpasim-sim` kernel.

#![warn(missing_docs)]

pub mod cluster;
pub mod cluster_autoscaler;
mod csv_input;
pub mod dist;
pub mod forecast;
pub mod hpa;
pub mod keda;
pub mod manifest;
pub mod metrics;
pub mod rows;
pub mod scenario;
pub mod scheduled;
pub mod sweep;
pub mod vpa;
pub mod workload;
pub mod world;

pub use dist::Sampler;
pub use rows::{RowSink, RunKey, SummaryRow};
pub use workload::{ArrivalProcess, ClassMix};
pub use world::Simulation;
