//! # hpasim-models: the simulated world
//!
//! Workload, service pods, load balancing, the Deployment and cost, driven by the
//! `hpasim-sim` kernel.

#![warn(missing_docs)]

pub mod rows;
pub mod scenario;
