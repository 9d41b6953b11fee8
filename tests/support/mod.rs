//! Shared helpers for the integration tests.

#![allow(dead_code)]

pub mod queueing;

use hpasim_models::rows::{MemorySink, RunKey, SummaryRow};
use hpasim_models::scenario::Scenario;
use hpasim_models::Simulation;
use std::path::Path;

/// Parses a scenario from YAML text (no file), compiles it and runs one replication.
pub fn run_yaml(yaml: &str, seed: u64) -> (SummaryRow, MemorySink) {
    let scenario: Scenario = serde_saphyr::from_str(yaml).expect("test scenario parses");
    let sim = Simulation::compile(&scenario, Path::new(".")).expect("test scenario compiles");
    let key = RunKey {
        scenario: scenario.name.clone(),
        variant: "base".into(),
        replication: 0,
        seed,
    };
    let mut sink = MemorySink::default();
    let summary = sim.run(&key, &mut sink);
    (summary, sink)
}
