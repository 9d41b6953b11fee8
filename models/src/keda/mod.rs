//! KEDA (`keda.sh/v1alpha1` ScaledObject), as the KEDA operator and the HPA it generates
//! decide replica counts: ../shared/hpa-spec.md §8, rule by rule, pure functions with `now`
//! passed in.
//!
//! # Two loops
//!
//! ```text
//!   every pollingInterval (KEDA operator)            every 15 s (kube-controller-manager)
//!   ─────────────────────────────────────            ────────────────────────────────────
//!   observations ──▶ scalers::read_trigger           HPA asks KEDA's metrics API for each
//!        (offsets, list length, query, clock)         External metric `s{i}-...`
//!            │  (metric, isActive) | error                    │
//!            ▼                                                ▼
//!   scale::poll / poll_readings                      scale::hpa_read
//!     cache ← metric (useCachedMetrics)  ──cache──▶   live read, or the cached value
//!     activity: any trigger active                    fallback::metrics_with_fallback
//!       (fallback counts as active,                     success → failures = 0
//!        only cpu/memory → always)                      error → failures += 1; once
//!            │                                            failures > failureThreshold:
//!            ▼                                            replicas × target (synthetic)
//!   scale::request_scale                                        │
//!     0/idle → min (scale_from_zero)                            ▼
//!     inactive past cooldown → 0/idle                 hpa::reconcile(generated HPA)
//!     below min → min                                   min = max(minReplicaCount, 1)
//!     writes replicas ───────────▶  Deployment  ◀─────  writes replicas (1..max)
//! ```
//!
//! KEDA only moves the workload across the 0/idle ↔ min boundary; between min and max the
//! generated HPA ([`hpa::generated_hpa`]) scales on the External metrics KEDA serves.
//!
//! # Using it from a simulator
//!
//! 1. Compile a validated ScaledObject: [`KedaConfig::compile`]`(&so, "scaled_object")` gives
//!    the defaults (`polling_interval`, `cooldown_period`, ...), the compiled
//!    [`TriggerConfig`]s (metric name, target, typed metadata) and the generated HPA
//!    (`cfg.hpa`, an [`crate::hpa::HpaSpec`] for [`crate::hpa::reconcile`]).
//! 2. Keep one [`KedaState`]`::new(&cfg, created_at)` per ScaledObject.
//! 3. At each polling tick: [`poll`]`(&cfg, &mut state, &observations, current, now)` — one
//!    [`Observation`] per trigger — returns the per-trigger readings, the object's activity and
//!    the [`ScaleDecision`] (`action`, `replicas_written`, `last_active_time`, `reason`).
//! 4. At each HPA sync, for each External trigger `i`:
//!    [`hpa_read`]`(&cfg, &mut state, i, || live_value, current, ready)` gives the value to put
//!    in [`crate::hpa::ClusterSnapshot::external_metrics`] under
//!    `cfg.triggers[i].metric_name` (or the error: leave the metric out), with fallback applied.
//!    `live_value` comes from [`read_trigger`] on a fresh observation (Kafka memory:
//!    `state.kafka[i]`).
//!
//! # Modules
//!
//! - [`spec`]: the API object; [`triggers`]: typed trigger metadata, metric names and targets;
//!   [`validate`]: what KEDA's webhook rejects; [`hpa`]: defaults, [`KedaConfig`], the generated
//!   HPA;
//! - [`kafka`], [`scalers`]: the scalers; [`fallback`]: fallback and failure counting;
//!   [`scale`]: `RequestScale`, polling, HPA reads, [`KedaState`];
//! - [`case`], [`eval`]: `hpasim keda eval`.

pub mod case;
pub mod eval;
pub mod fallback;
pub mod hpa;
pub mod kafka;
pub mod scale;
pub mod scalers;
pub mod spec;
pub mod triggers;
pub mod validate;

pub use eval::{eval_file, eval_str};
pub use fallback::{metrics_with_fallback, MetricRead};
pub use hpa::{generated_hpa, KedaConfig};
pub use kafka::{KafkaReading, KafkaState, PartitionOffsets};
pub use scale::{
    hpa_read, poll, poll_readings, request_scale, KedaState, PollOutcome, ScaleAction,
    ScaleDecision,
};
pub use scalers::{read_trigger, Observation, ScalerReading};
pub use spec::ScaledObject;
pub use triggers::{TargetType, TriggerConfig};
