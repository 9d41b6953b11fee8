//! Shared helpers for the integration tests.

#![allow(dead_code)]

pub mod fixtures;
pub mod queueing;

use hpasim_models::rows::{MemorySink, RunKey, SummaryRow};
use hpasim_models::scenario::{load, Loaded};
use hpasim_models::Simulation;
use std::path::Path;
use std::process::{Command, Output};

/// The repository root (where scenarios/ lives).
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs one replication of a loaded scenario, keeping every row in memory.
pub fn run_loaded(loaded: &Loaded, replication: u32) -> (SummaryRow, MemorySink) {
    let sim = Simulation::compile(&loaded.scenario, &loaded.base_dir)
        .map_err(|e| loaded.locate(e))
        .expect("test scenario compiles");
    let key = RunKey {
        scenario: loaded.scenario.name.clone(),
        variant: "base".into(),
        replication,
        seed: loaded.scenario.seed,
    };
    let mut sink = MemorySink::default();
    let summary = sim.run(&key, &mut sink);
    (summary, sink)
}

/// Loads a bundled scenario (path relative to the repo root) with `--set` overrides and runs it.
pub fn run_file(path: &str, sets: &[&str]) -> (SummaryRow, MemorySink) {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let loaded = load(&repo_root().join(path), &sets).unwrap_or_else(|e| panic!("{e}"));
    run_loaded(&loaded, 0)
}

/// Loads a scenario from YAML text (labelled `inline.yaml` in messages) and runs it.
pub fn run_text(yaml: &str, sets: &[&str]) -> (SummaryRow, MemorySink) {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let loaded = hpasim_models::scenario::load_str(yaml, Path::new("inline.yaml"), &sets)
        .unwrap_or_else(|e| panic!("{e}"));
    run_loaded(&loaded, 0)
}

/// Runs `hpasim ARGS` from the repository root, asserting it did not panic.
pub fn hpasim(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_hpasim"))
        .args(args)
        .current_dir(repo_root())
        .output()
        .expect("hpasim starts");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    out
}
