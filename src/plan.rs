//! Turning arguments into a validated plan before anything runs (and before any file is
//! written): load, override, validate, compile.

use crate::cli::{RunArgs, ScenarioArgs};
use hpasim_models::rows::RunKey;
use hpasim_models::scenario::{load, parse_duration, Loaded, SpecError};
use hpasim_models::Simulation;
use std::path::PathBuf;

/// A scenario ready to run.
pub struct Plan {
    /// The loaded scenario (text kept for error locations).
    pub loaded: Loaded,
    /// The compiled simulation.
    pub simulation: Simulation,
}

/// Loads, overrides, validates and compiles; every error is located in the file or `--set`.
pub fn build(args: &ScenarioArgs, extra_sets: &[String]) -> Result<Plan, SpecError> {
    let mut sets = args.sets.clone();
    sets.extend_from_slice(extra_sets);
    let loaded = load(&args.scenario, &sets)?;
    let simulation =
        Simulation::compile(&loaded.scenario, &loaded.base_dir).map_err(|e| loaded.locate(e))?;
    Ok(Plan { loaded, simulation })
}

/// A run plan: the scenario, where its outputs go and the run key.
pub struct RunPlan {
    /// Scenario and simulation.
    pub plan: Plan,
    /// Output directory.
    pub out: PathBuf,
    /// Scenario, variant, replication and seed of the run.
    pub key: RunKey,
}

/// Builds the plan of `hpasim run`: `--duration` and `--seed` act as overrides.
pub fn build_run(args: &RunArgs) -> Result<RunPlan, SpecError> {
    let mut extra = Vec::new();
    if let Some(d) = &args.duration {
        parse_duration(d).map_err(|message| {
            SpecError::at_path(format!("--duration {d}"), message)
                .with_hint("write e.g. `--duration 30m` or `--duration 1h30m`")
        })?;
        extra.push(format!("duration={d}"));
    }
    if let Some(seed) = args.seed {
        extra.push(format!("seed={seed}"));
    }
    let plan = build(&args.scenario, &extra)?;
    let scenario = &plan.loaded.scenario;
    let out = match (&args.out, &scenario.outputs.dir) {
        (Some(dir), _) => dir.clone(),
        (None, Some(dir)) => PathBuf::from(dir),
        (None, None) => PathBuf::from("out").join(&scenario.name),
    };
    let key = RunKey {
        scenario: scenario.name.clone(),
        variant: "base".to_string(),
        replication: 0,
        seed: scenario.seed,
    };
    Ok(RunPlan { plan, out, key })
}
