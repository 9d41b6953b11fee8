//! hpasim's integration tests: one binary, a module per topic.

mod balancing;
mod lifecycle;
mod support;
mod theory;
mod workload;
