//! Replications of one scenario on every core: what `check` and `compare` measure.
//!
//! Replication r of any scenario draws from the same named random streams (master seed,
//! replication, source), so replication r of two variants is a paired observation under
//! common random numbers. Results come back in replication order whatever the thread count.

use hpasim_models::rows::{EventRow, RequestRow, RowSink, RunKey, SummaryRow, TimeseriesRow};
use hpasim_models::scenario::{Loaded, Scenario};
use hpasim_models::Simulation;
use rayon::prelude::*;

/// One finished replication.
#[derive(Clone, Debug)]
pub struct Replication {
    /// Scenario, variant, replication and seed.
    pub key: RunKey,
    /// Its summary.csv row.
    pub summary: SummaryRow,
}

/// A sink that keeps nothing: replications report their summary only.
struct Discard;

impl RowSink for Discard {
    fn timeseries(&mut self, _: &RunKey, _: &TimeseriesRow) {}
    fn event(&mut self, _: &RunKey, _: &EventRow) {}
    fn request(&mut self, _: &RunKey, _: &RequestRow) {}
}

/// Runs replications 0..`replications` of `scenario` (named `variant` in the rows) on the
/// current rayon pool. An error names the variant and replication.
pub fn replicate(
    loaded: &Loaded,
    scenario: &Scenario,
    variant: &str,
    replications: u32,
) -> Result<Vec<Replication>, String> {
    let simulation = Simulation::compile(scenario, &loaded.base_dir)
        .map_err(|e| format!("variant `{variant}`: {}", loaded.locate(e)))?;
    (0..replications)
        .into_par_iter()
        .map(|r| {
            let key = RunKey {
                scenario: scenario.name.clone(),
                variant: variant.to_string(),
                replication: r,
                seed: scenario.seed,
            };
            let summary = simulation
                .run_checked(&key, &mut Discard)
                .map_err(|stop| format!("variant `{variant}`, replication {r}: {stop}"))?;
            Ok(Replication { key, summary })
        })
        .collect()
}

/// The rayon pool for `--threads` (0 or `None`: one thread per core).
pub fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool, String> {
    if threads == Some(0) {
        return Err("--threads 0: must be at least 1".to_string());
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replications_come_back_in_order_and_differ() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/theory");
        let loaded =
            hpasim_models::scenario::load(&dir.join("mm1.yaml"), &["duration=20m".to_string()])
                .expect("mm1 loads");
        let runs = pool(Some(2))
            .unwrap()
            .install(|| replicate(&loaded, &loaded.scenario, "base", 3))
            .expect("runs");
        let reps: Vec<u32> = runs.iter().map(|r| r.key.replication).collect();
        assert_eq!(reps, [0, 1, 2]);
        assert_ne!(runs[0].summary, runs[1].summary);
    }
}
