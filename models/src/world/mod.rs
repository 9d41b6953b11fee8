//! The simulated world of one service: requests, pods, the load balancer, the Deployment.
//!
//! [`Simulation`] is a scenario compiled once (samplers built, files read); [`Simulation::run`]
//! plays one replication with its own seed and streams rows to a [`RowSink`].
//!
//! What each component reads and emits:
//!
//! ```text
//!  ArrivalProcess ──Arrival──▶ Balancer ──▶ Pod: slots │ local queue │ CpuShare (PS)
//!   (stream "arrivals")         (stream "balancer")     │             └──CpuDone──▶ I/O ──IoDone──▶ done
//!  ClassMix + Samplers: class and demand drawn at arrival (streams "classes", "service")
//!  Deployment: set_replicas ──▶ pods Pending ─PodPhase…─▶ Ready (stream "startup") ─▶ endpoints
//!  RunStats ──Sample──▶ TimeseriesRow ──▶ RowSink      End ──▶ SummaryRow
//! ```

pub mod assign;
mod autoscaler;
mod balancer;
pub mod broker;
mod ca_loop;
pub mod cluster_config;
mod config;
mod consumers;
pub mod cpu;
mod database;
pub mod db_config;
pub mod deployment;
mod engine;
mod event;
pub mod faults;
pub mod hpa_config;
pub mod keda;
pub mod nodes;
pub mod pod;
pub mod predictive;
pub mod queue_config;
pub mod quota;
mod request;
mod scheduled;
pub mod startup;
mod stats;
mod vpa;

pub use config::{PodConfig, Simulation, StartupConfig};
pub use consumers::QUEUE_COLUMNS;
pub use engine::{RunStopped, World};
pub use event::Event;

use crate::rows::{RowSink, RunKey, SummaryRow};

impl Simulation {
    /// Plays one run (seed and replication from `key`) and returns its summary; time-series,
    /// event and request rows go to `sink` as they close.
    pub fn run(&self, key: &RunKey, sink: &mut dyn RowSink) -> SummaryRow {
        World::new(self, key, sink).run()
    }

    /// Like [`Simulation::run`], but a run stopped by the guard (`max_in_system`) is an error.
    pub fn run_checked(
        &self,
        key: &RunKey,
        sink: &mut dyn RowSink,
    ) -> Result<SummaryRow, RunStopped> {
        World::new(self, key, sink).run_checked()
    }

    /// Whether the scenario injects faults that lose requests: `faults:`, node failures or
    /// spot pools.
    pub fn has_faults(&self) -> bool {
        self.faults.is_some()
            || self
                .cluster
                .as_ref()
                .is_some_and(|c| c.failures.is_some() || c.pools.iter().any(|p| p.spot.is_some()))
    }

    /// Names of the scenario-specific time-series columns ([`crate::rows::TimeseriesRow::extra`]).
    pub fn timeseries_extra_columns(&self) -> Vec<String> {
        let mut columns = self
            .hpa
            .as_ref()
            .map_or_else(Vec::new, |h| h.columns.clone());
        if self.db.is_some() {
            columns.extend(database::DB_COLUMNS.iter().map(|c| c.to_string()));
        }
        if self.queue.is_some() {
            columns.extend(consumers::QUEUE_COLUMNS.iter().map(|c| c.to_string()));
        }
        if let Some(k) = &self.keda {
            columns.extend(keda::keda_column_names(k));
        }
        if let Some(c) = &self.cluster {
            columns.extend(nodes::cluster_column_names(c));
        }
        if self.has_faults() {
            columns.push("fault_errors".into());
        }
        if let Some(p) = &self.predictive {
            columns.extend(predictive::predictive_column_names(p));
        }
        if self.vpa.is_some() {
            columns.extend(vpa::VPA_COLUMNS.iter().map(|c| c.to_string()));
        }
        columns
    }
}
