//! hpasim's integration tests: one binary, a module per topic.

mod bad_input;
mod balancing;
mod check;
mod cli;
mod compare;
mod database;
mod determinism;
mod hpa_bad_input;
mod hpa_conformance;
mod hpa_e2e;
mod keda_bad_input;
mod keda_conformance;
mod keda_e2e;
mod kernel;
mod lifecycle;
mod manifests;
mod notebook;
mod outputs;
mod queues;
mod quota;
mod report;
mod support;
mod sweep;
mod sweep_spec;
mod theory;
mod workload;
