//! The Horizontal Pod Autoscaler (`autoscaling/v2`), as kube-controller-manager computes it.
//!
//! Rule by rule from ../shared/hpa-spec.md (§0–§7), split as upstream
//! (`pkg/controller/podautoscaler`):
//! - [`spec`]: the API object; [`validate`]: what the API server rejects;
//! - [`snapshot`]: one reconcile's input (controller flags, cluster snapshot, history);
//! - [`calculator`]: pure per-metric proposals (`replica_calculator.go`, `metrics/utilization.go`);
//! - [`metric`]: metric specs → proposals, and their combination (`horizontal.go`
//!   `computeReplicasForMetric(s)`);
//! - [`behavior`]: pure stabilization and rate limits with the history passed in;
//! - [`reconcile()`]: one `reconcileAutoscaler`, `now` passed in;
//! - [`case`], [`eval`]: the `hpasim hpa eval` input and output.
//!
//! No wall clock anywhere: every function that needs the time takes `now: SimTime`.

pub mod behavior;
pub mod calculator;
pub mod case;
pub mod eval;
pub mod metric;
pub mod reconcile;
pub mod snapshot;
pub mod spec;
pub mod validate;

pub use behavior::Reason;
pub use calculator::{MetricError, Proposal, Tolerances};
pub use eval::{eval_file, eval_str};
pub use metric::MetricOutcome;
pub use reconcile::{reconcile, reconcile_without_event, Reconcile};
pub use snapshot::{
    ClusterSnapshot, ContainerSnapshot, ControllerConfig, FeatureGates, History, KubeVersion,
    PodPhase, PodSnapshot, Recommendation, ScaleEvent,
};
pub use spec::{HorizontalPodAutoscaler, HpaBehavior, HpaSpec};
