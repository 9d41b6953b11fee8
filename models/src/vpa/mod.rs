//! The Vertical Pod Autoscaler's recommender and the updater's eviction rule, as pure
//! functions of the samples they are given (issue #9, groundwork: not wired into the world).
//!
//! Reproduced from the semantics of upstream `kubernetes/autoscaler`
//! `vertical-pod-autoscaler/pkg/recommender/` (`util/histogram*.go`,
//! `util/decaying_histogram.go`, `model/aggregations_config.go`,
//! `model/aggregate_container_state.go`, `model/container.go`, `logic/estimator.go`,
//! `logic/recommender.go`), `pkg/utils/vpa/capping.go` and
//! `pkg/updater/priority/` (the eviction rule). Time is always an argument ([`SimTime`]).
//!
//! - [`histogram`]: exponential buckets, percentiles, exponential decay of sample weights.
//! - [`state`]: per-container usage aggregation: CPU samples weighted by the request, memory
//!   as one peak per aggregation interval.
//! - [`recommender`]: target / lower bound / upper bound, the confidence multipliers, the
//!   per-pod minimum, the `minAllowed`/`maxAllowed` clamps (each with its reason) and
//!   [`should_evict`].
//! - [`manifest`]: the `autoscaling.k8s.io/v1` `VerticalPodAutoscaler` manifest.
//!
//! Not modelled here: OOM bump-ups (`RecordOOM`), aggregate expiry after the 8-day memory
//! window, checkpoints, LimitRange capping, limits scaling (`controlledValues` is parsed
//! only), the updater's "change ≥ 10 % on a pod running ≥ 12 h" and "quick OOM" eviction
//! paths, eviction rate limits and PodDisruptionBudgets.
//!
//! [`SimTime`]: hpasim_sim::SimTime

pub mod histogram;
pub mod manifest;
pub mod recommender;
pub mod state;

#[cfg(test)]
mod tests;

pub use histogram::{DecayingHistogram, Histogram, HistogramOptions};
pub use manifest::{
    parse_vertical_pod_autoscaler, ContainerResourcePolicy, ContainerScalingMode, ControlledValues,
    CrossVersionObjectReference, PodResourcePolicy, PodUpdatePolicy, UpdateMode,
    VerticalPodAutoscaler, VerticalPodAutoscalerSpec,
};
pub use recommender::{
    apply_container_policy, confidence, should_evict, Bound, CappedRecommendation, Clamp,
    ClampReason, ContainerBounds, CurrentRequests, EvictionReason, RecommendedContainerResources,
    Recommender, RecommenderConfig, Resource, Resources,
};
pub use state::{AggregateContainerState, ContainerState};

use hpasim_sim::{SimDuration, NANOS_PER_SEC};

/// `HistogramBucketSizeGrowth`: each bucket is 5 % wider than the previous one.
pub const HISTOGRAM_BUCKET_SIZE_GROWTH: f64 = 0.05;
/// `minSampleWeight`: the least base weight of a CPU sample.
pub const MIN_SAMPLE_WEIGHT: f64 = 0.1;
/// `epsilon` = 0.001 × `minSampleWeight`: the least weight of a non-empty bucket.
pub const HISTOGRAM_EPSILON: f64 = 0.001 * MIN_SAMPLE_WEIGHT;
/// The CPU histogram's largest bucket start [cores].
pub const CPU_HISTOGRAM_MAX_CORES: f64 = 1000.0;
/// The CPU histogram's first bucket width [cores]. Upstream's code passes 0.001 (its
/// comment says 0.01).
pub const CPU_HISTOGRAM_FIRST_BUCKET_CORES: f64 = 0.001;
/// The memory histogram's largest bucket start [bytes] (1 TB).
pub const MEMORY_HISTOGRAM_MAX_BYTES: f64 = 1e12;
/// The memory histogram's first bucket width [bytes] (10 MB).
pub const MEMORY_HISTOGRAM_FIRST_BUCKET_BYTES: f64 = 1e7;

const DAY: SimDuration = SimDuration(24 * 3600 * NANOS_PER_SEC);

/// Default CPU and memory histogram half-life (24 h).
pub const DEFAULT_HALF_LIFE: SimDuration = DAY;
/// Default memory aggregation interval (24 h): one peak per container per interval.
pub const DEFAULT_MEMORY_AGGREGATION_INTERVAL: SimDuration = DAY;
