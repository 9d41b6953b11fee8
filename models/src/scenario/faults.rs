//! Pod-level fault injection: chaos kills at given instants and random container crashes with
//! the kubelet's CrashLoopBackOff.
//!
//! ```yaml
//! faults:
//!   pod_kills:
//!     - at: 300s        # kill `count` Ready pods chosen uniformly at random
//!       count: 1
//!   pod_crashes:
//!     mtbf: 2h          # mean time between crashes of one running container (exponential)
//!     backoff_initial: 10s
//!     backoff_max: 300s
//!     backoff_reset: 10m
//! ```
//!
//! - A **pod kill** is chaos-mesh `pod-kill` or `kubectl delete pod --grace-period=0 --force`:
//!   the pod is gone at once, every request it holds (in service or queued) is lost, and its
//!   ReplicaSet creates a cold replacement at the same instant.
//! - A **pod crash** is the container exiting: the pod stays, leaves the endpoints, loses what it
//!   holds and its database connections, and the kubelet restarts the container after the
//!   CrashLoopBackOff delay (Kubernetes docs, *Pod Lifecycle → Container restarts*: 10 s, 20 s,
//!   40 s, … capped at 300 s; reset after the container ran 10 minutes without a crash).
//!
//! The world side is `crate::world` (`world/faults.rs`); it draws from its own random stream
//! `faults`, so a scenario without faults sees the same random numbers as before.

use super::units::Duration;
use super::{Scenario, SpecError};
use serde::{Deserialize, Serialize};

/// Faults injected into the pods, config. Default: none.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Faults {
    /// Chaos kills at given instants (guide 002's "kill a random pod at t"), config. Default none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pod_kills: Vec<PodKill>,
    /// Random container crashes with CrashLoopBackOff restarts, config. Default none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_crashes: Option<PodCrashes>,
}

/// One chaos step: kill `count` Ready pods at `at`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PodKill {
    /// When the pods are killed [s since the start], config. Within the scenario duration.
    pub at: Duration,
    /// How many distinct Ready pods are killed, chosen uniformly at random [pods], config.
    /// Default 1.
    #[serde(default = "one")]
    pub count: u32,
}

fn one() -> u32 {
    1
}

/// Container crashes and the kubelet's restart back-off.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PodCrashes {
    /// Mean time between crashes of one running container [s], config (exponentially
    /// distributed, drawn each time the container starts).
    pub mtbf: Duration,
    /// CrashLoopBackOff: delay before the first restart [s], config. Default 10 s (kubelet).
    #[serde(default = "default_backoff_initial")]
    pub backoff_initial: Duration,
    /// CrashLoopBackOff: the delay doubles per consecutive crash up to this cap [s], config.
    /// Default 300 s (kubelet).
    #[serde(default = "default_backoff_max")]
    pub backoff_max: Duration,
    /// A container that ran this long without crashing starts the back-off over [s], config.
    /// Default 10 min (kubelet).
    #[serde(default = "default_backoff_reset")]
    pub backoff_reset: Duration,
}

fn default_backoff_initial() -> Duration {
    Duration::from_secs(10.0)
}
fn default_backoff_max() -> Duration {
    Duration::from_secs(300.0)
}
fn default_backoff_reset() -> Duration {
    Duration::from_secs(600.0)
}

/// Semantic checks of `faults:` (empty when absent or valid).
pub fn validate(s: &Scenario) -> Vec<SpecError> {
    let Some(f) = &s.faults else {
        return Vec::new();
    };
    let mut errors = Vec::new();
    let positive = |d: Duration| d.secs().is_finite() && d.secs() > 0.0;
    for (i, k) in f.pod_kills.iter().enumerate() {
        let p = format!("faults.pod_kills[{i}]");
        if k.count < 1 {
            errors.push(
                SpecError::at_path(format!("{p}.count"), "must be at least 1, got 0").with_hint(
                    "the number of Ready pods killed at `at`; remove the entry to kill none",
                ),
            );
        }
        if !k.at.secs().is_finite() || k.at.secs() > s.duration.secs() {
            errors.push(
                SpecError::at_path(
                    format!("{p}.at"),
                    format!("{} is after the end of the run ({})", k.at, s.duration),
                )
                .with_hint(format!(
                    "kill within the run (`at` between 0s and {}), or lengthen `duration`",
                    s.duration
                )),
            );
        }
    }
    if let Some(c) = &f.pod_crashes {
        let p = "faults.pod_crashes";
        if !positive(c.mtbf) {
            errors.push(
                SpecError::at_path(format!("{p}.mtbf"), format!("must be longer than zero, got {}", c.mtbf))
                    .with_hint("the mean time between crashes of one running container, e.g. `mtbf: 2h`; remove pod_crashes for none"),
            );
        }
        if !positive(c.backoff_initial) {
            errors.push(
                SpecError::at_path(
                    format!("{p}.backoff_initial"),
                    format!("must be longer than zero, got {}", c.backoff_initial),
                )
                .with_hint("the kubelet waits 10s before the first restart"),
            );
        }
        if !c.backoff_max.secs().is_finite() || c.backoff_max < c.backoff_initial {
            errors.push(
                SpecError::at_path(
                    format!("{p}.backoff_max"),
                    format!(
                        "must be at least `backoff_initial` ({}), got {}",
                        c.backoff_initial, c.backoff_max
                    ),
                )
                .with_hint("the cap of the doubling restart delay; the kubelet's is 300s"),
            );
        }
        if !c.backoff_reset.secs().is_finite() {
            errors.push(SpecError::at_path(
                format!("{p}.backoff_reset"),
                format!("must be finite, got {}", c.backoff_reset),
            ));
        }
    }
    errors
}
