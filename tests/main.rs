//! hpasim's integration tests: one binary, a module per topic.

mod bad_input;
mod balancing;
mod cli;
mod determinism;
mod kernel;
mod lifecycle;
mod support;
mod theory;
mod workload;
