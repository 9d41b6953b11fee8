//! Recommendations (upstream `logic/recommender.go`, `logic/estimator.go`), the VPA's
//! `minAllowed`/`maxAllowed` clamps (`pkg/utils/vpa/capping.go`) and the updater's
//! "outside the recommended range" eviction rule (`pkg/updater/priority/`).
//!
//! Each estimate is computed in upstream's order, on integer amounts (milli-cores, bytes;
//! every float → amount conversion truncates, negatives give 0, above 1e14 gives 1e14):
//!
//! 1. the percentile of the histogram (CPU: target 0.9, lower 0.5, upper 0.95 of the CPU
//!    samples; memory: the same percentiles of the memory peaks);
//! 2. plus the safety margin: `base + ⌊base × 0.15⌋`;
//! 3. bounds only, the confidence multiplier `(1 + m / confidence)^e`, where confidence is
//!    `min(days between the first and last CPU sample, CPU samples / 1440)`: the upper bound
//!    with `m = 1, e = 1` (×2 after one day, unbounded with no history), the lower bound
//!    with `m = 0.001, e = −2` (0 with no history, ×0.95 after one hour);
//! 4. at least the pod minimum split evenly across the pod's containers (25 milli-cores and
//!    250 MiB per pod).
//!
//! Then the container policy: `mode: Off` drops the recommendation; each of target, lower
//! and upper bound is raised to `minAllowed` and then lowered to `maxAllowed` (so
//! `maxAllowed` wins when they conflict), every change reported as a [`Clamp`].

use super::manifest::{ContainerResourcePolicy, ContainerScalingMode};
use super::state::AggregateContainerState;
use crate::cluster::resources::{bytes, cpu_millis};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Upstream `MaxResourceAmount`: the largest amount [milli-cores or bytes].
pub const MAX_RESOURCE_AMOUNT: u64 = 100_000_000_000_000;

/// A resource the VPA recommends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Resource {
    /// `cpu` [milli-cores].
    Cpu,
    /// `memory` [bytes].
    Memory,
}

impl Resource {
    /// The Kubernetes resource name.
    pub fn name(self) -> &'static str {
        match self {
            Resource::Cpu => "cpu",
            Resource::Memory => "memory",
        }
    }

    /// An amount written as a quantity: `250m` for CPU, bytes for memory.
    pub fn format(self, amount: u64) -> String {
        match self {
            Resource::Cpu => format!("{amount}m"),
            Resource::Memory => amount.to_string(),
        }
    }
}

/// An amount of each resource.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Resources {
    /// CPU [milli-cores].
    pub cpu_millis: u64,
    /// Memory [bytes].
    pub memory_bytes: u64,
}

impl Resources {
    /// The amount of `r`.
    pub fn get(&self, r: Resource) -> u64 {
        match r {
            Resource::Cpu => self.cpu_millis,
            Resource::Memory => self.memory_bytes,
        }
    }

    fn get_mut(&mut self, r: Resource) -> &mut u64 {
        match r {
            Resource::Cpu => &mut self.cpu_millis,
            Resource::Memory => &mut self.memory_bytes,
        }
    }
}

/// A recommendation for one container.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecommendedContainerResources {
    /// The recommended request.
    pub target: Resources,
    /// Below this the updater evicts (the request is too small).
    pub lower_bound: Resources,
    /// Above this the updater evicts (the request is too large).
    pub upper_bound: Resources,
}

/// The recommender's parameters (upstream flag defaults in [`Default`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RecommenderConfig {
    /// `--recommendation-margin-fraction` (0.15).
    pub safety_margin_fraction: f64,
    /// `--pod-recommendation-min-cpu-millicores` (25).
    pub pod_min_cpu_millicores: f64,
    /// `--pod-recommendation-min-memory-mb` (250, in MiB: upstream multiplies by 1024²).
    pub pod_min_memory_mb: f64,
    /// `--target-cpu-percentile` (0.9).
    pub target_cpu_percentile: f64,
    /// `--recommendation-lower-bound-cpu-percentile` (0.5).
    pub lower_bound_cpu_percentile: f64,
    /// `--recommendation-upper-bound-cpu-percentile` (0.95).
    pub upper_bound_cpu_percentile: f64,
    /// `--target-memory-percentile` (0.9).
    pub target_memory_percentile: f64,
    /// `--recommendation-lower-bound-memory-percentile` (0.5).
    pub lower_bound_memory_percentile: f64,
    /// `--recommendation-upper-bound-memory-percentile` (0.95).
    pub upper_bound_memory_percentile: f64,
    /// Upper-bound confidence multiplier and exponent (1, 1).
    pub upper_confidence: (f64, f64),
    /// Lower-bound confidence multiplier and exponent (0.001, −2).
    pub lower_confidence: (f64, f64),
}

impl Default for RecommenderConfig {
    fn default() -> Self {
        RecommenderConfig {
            safety_margin_fraction: 0.15,
            pod_min_cpu_millicores: 25.0,
            pod_min_memory_mb: 250.0,
            target_cpu_percentile: 0.9,
            lower_bound_cpu_percentile: 0.5,
            upper_bound_cpu_percentile: 0.95,
            target_memory_percentile: 0.9,
            lower_bound_memory_percentile: 0.5,
            upper_bound_memory_percentile: 0.95,
            upper_confidence: (1.0, 1.0),
            lower_confidence: (0.001, -2.0),
        }
    }
}

/// Upstream `resourceAmountFromFloat`: truncated, negatives (and NaN) → 0, capped at
/// [`MAX_RESOURCE_AMOUNT`].
pub fn amount_from_float(x: f64) -> u64 {
    if x.is_nan() || x < 0.0 {
        0
    } else if x > MAX_RESOURCE_AMOUNT as f64 {
        MAX_RESOURCE_AMOUNT
    } else {
        x as u64
    }
}

fn scale(amount: u64, factor: f64) -> u64 {
    amount_from_float(amount as f64 * factor)
}

/// How much history the state holds, in days of one-sample-a-minute history:
/// `min(days between the first and last CPU sample, CPU samples / 1440)`; 0 without samples.
pub fn confidence(state: &AggregateContainerState) -> f64 {
    let (Some(first), Some(last)) = (state.first_sample_start, state.last_sample_start) else {
        return 0.0;
    };
    let days = last.saturating_since(first).0 as f64 / super::DAY.0 as f64;
    let samples = state.total_samples_count as f64 / (60.0 * 24.0);
    days.min(samples)
}

/// The recommender.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Recommender {
    /// Its parameters.
    pub config: RecommenderConfig,
}

impl Recommender {
    /// The recommendation for a container from its aggregated usage, the pod having
    /// `containers_per_pod` (≥ 1) containers.
    pub fn recommend(
        &self,
        state: &AggregateContainerState,
        containers_per_pod: usize,
    ) -> RecommendedContainerResources {
        let c = &self.config;
        let fraction = 1.0 / containers_per_pod.max(1) as f64;
        let min_cpu = scale(
            amount_from_float(c.pod_min_cpu_millicores * 0.001 * 1000.0),
            fraction,
        );
        let min_mem = scale(
            amount_from_float(c.pod_min_memory_mb * 1024.0 * 1024.0),
            fraction,
        );
        let conf = confidence(state);
        let margin = |base: u64| base + scale(base, c.safety_margin_fraction);
        let confident = |base: u64, (m, e): (f64, f64)| scale(base, (1.0 + m / conf).powf(e));
        let cpu = |p: f64| margin(amount_from_float(state.cpu.percentile(p) * 1000.0));
        let mem = |p: f64| margin(amount_from_float(state.memory_peaks.percentile(p)));
        RecommendedContainerResources {
            target: Resources {
                cpu_millis: cpu(c.target_cpu_percentile).max(min_cpu),
                memory_bytes: mem(c.target_memory_percentile).max(min_mem),
            },
            lower_bound: Resources {
                cpu_millis: confident(cpu(c.lower_bound_cpu_percentile), c.lower_confidence)
                    .max(min_cpu),
                memory_bytes: confident(mem(c.lower_bound_memory_percentile), c.lower_confidence)
                    .max(min_mem),
            },
            upper_bound: Resources {
                cpu_millis: confident(cpu(c.upper_bound_cpu_percentile), c.upper_confidence)
                    .max(min_cpu),
                memory_bytes: confident(mem(c.upper_bound_memory_percentile), c.upper_confidence)
                    .max(min_mem),
            },
        }
    }
}

/// Which of a recommendation's three values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// `target`.
    Target,
    /// `lowerBound`.
    LowerBound,
    /// `upperBound`.
    UpperBound,
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Bound::Target => "target",
            Bound::LowerBound => "lowerBound",
            Bound::UpperBound => "upperBound",
        })
    }
}

/// Why a value was clamped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClampReason {
    /// Raised to the container policy's `minAllowed`.
    MinAllowed,
    /// Lowered to the container policy's `maxAllowed`.
    MaxAllowed,
}

/// One clamp of one value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clamp {
    /// Which value.
    pub bound: Bound,
    /// Of which resource.
    pub resource: Resource,
    /// The value before [milli-cores or bytes].
    pub from: u64,
    /// The value after.
    pub to: u64,
    /// Why.
    pub reason: ClampReason,
}

impl fmt::Display for Clamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (verb, field) = match self.reason {
            ClampReason::MinAllowed => ("raised", "minAllowed"),
            ClampReason::MaxAllowed => ("lowered", "maxAllowed"),
        };
        write!(
            f,
            "{} {} {verb} from {} to {field} {}",
            self.bound,
            self.resource.name(),
            self.resource.format(self.from),
            self.resource.format(self.to)
        )
    }
}

/// A recommendation after the container policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CappedRecommendation {
    /// The clamped target and bounds (only [`Self::controlled`] resources are meaningful).
    pub bounds: RecommendedContainerResources,
    /// The target before the clamps (upstream `uncappedTarget`).
    pub uncapped_target: Resources,
    /// The resources the VPA controls (`controlledResources`, default cpu and memory).
    pub controlled: Vec<Resource>,
    /// Every clamp applied, in order (target, lower, upper; cpu, memory; min before max).
    pub clamps: Vec<Clamp>,
}

/// The bounds [`should_evict`] checks a pod against: [`CappedRecommendation`] or any
/// recommendation with the resources it controls.
pub trait ContainerBounds {
    /// The recommendation.
    fn recommendation(&self) -> &RecommendedContainerResources;
    /// The resources checked.
    fn controlled(&self) -> &[Resource];
}

impl ContainerBounds for CappedRecommendation {
    fn recommendation(&self) -> &RecommendedContainerResources {
        &self.bounds
    }
    fn controlled(&self) -> &[Resource] {
        &self.controlled
    }
}

impl ContainerBounds for RecommendedContainerResources {
    fn recommendation(&self) -> &RecommendedContainerResources {
        self
    }
    fn controlled(&self) -> &[Resource] {
        &[Resource::Cpu, Resource::Memory]
    }
}

/// Applies a container policy to a recommendation: `None` when the policy's `mode` is
/// `Off`; an error when a `minAllowed`/`maxAllowed` quantity does not convert.
/// Keys other than `cpu` and `memory` are ignored.
pub fn apply_container_policy(
    rec: &RecommendedContainerResources,
    policy: Option<&ContainerResourcePolicy>,
) -> Result<Option<CappedRecommendation>, String> {
    let mut out = CappedRecommendation {
        bounds: *rec,
        uncapped_target: rec.target,
        controlled: vec![Resource::Cpu, Resource::Memory],
        clamps: Vec::new(),
    };
    let Some(policy) = policy else {
        return Ok(Some(out));
    };
    if policy.mode == Some(ContainerScalingMode::Off) {
        return Ok(None);
    }
    if let Some(c) = &policy.controlled_resources {
        out.controlled = c.clone();
    }
    let limit = |map: &std::collections::BTreeMap<String, crate::scenario::Quantity>,
                 r: Resource|
     -> Result<Option<u64>, String> {
        map.get(r.name())
            .map(|q| match r {
                Resource::Cpu => cpu_millis(q),
                Resource::Memory => bytes(q),
            })
            .transpose()
    };
    let controlled = out.controlled.clone();
    for (bound, values) in [
        (Bound::Target, &mut out.bounds.target),
        (Bound::LowerBound, &mut out.bounds.lower_bound),
        (Bound::UpperBound, &mut out.bounds.upper_bound),
    ] {
        for &resource in &controlled {
            let v = values.get_mut(resource);
            if let Some(min) = limit(&policy.min_allowed, resource)? {
                if *v < min {
                    out.clamps.push(Clamp {
                        bound,
                        resource,
                        from: *v,
                        to: min,
                        reason: ClampReason::MinAllowed,
                    });
                    *v = min;
                }
            }
            if let Some(max) = limit(&policy.max_allowed, resource)? {
                if *v > max {
                    out.clamps.push(Clamp {
                        bound,
                        resource,
                        from: *v,
                        to: max,
                        reason: ClampReason::MaxAllowed,
                    });
                    *v = max;
                }
            }
        }
    }
    Ok(Some(out))
}

/// A container's current requests; `None` where the container requests nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CurrentRequests {
    /// CPU [milli-cores].
    pub cpu_millis: Option<u64>,
    /// Memory [bytes].
    pub memory_bytes: Option<u64>,
}

impl CurrentRequests {
    /// Both requests set.
    pub fn new(cpu_millis: u64, memory_bytes: u64) -> Self {
        CurrentRequests {
            cpu_millis: Some(cpu_millis),
            memory_bytes: Some(memory_bytes),
        }
    }

    /// The request of `r`.
    pub fn get(&self, r: Resource) -> Option<u64> {
        match r {
            Resource::Cpu => self.cpu_millis,
            Resource::Memory => self.memory_bytes,
        }
    }
}

/// Why the updater evicts a pod.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvictionReason {
    /// The request is below the lower bound.
    BelowLowerBound {
        /// Which resource.
        resource: Resource,
        /// The request.
        request: u64,
        /// The lower bound.
        lower_bound: u64,
    },
    /// The request is above the upper bound.
    AboveUpperBound {
        /// Which resource.
        resource: Resource,
        /// The request.
        request: u64,
        /// The upper bound.
        upper_bound: u64,
    },
    /// The container requests nothing of a controlled resource.
    NoRequest {
        /// Which resource.
        resource: Resource,
    },
}

impl fmt::Display for EvictionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            EvictionReason::BelowLowerBound {
                resource,
                request,
                lower_bound,
            } => write!(
                f,
                "{} request {} is below the lower bound {}",
                resource.name(),
                resource.format(request),
                resource.format(lower_bound)
            ),
            EvictionReason::AboveUpperBound {
                resource,
                request,
                upper_bound,
            } => write!(
                f,
                "{} request {} is above the upper bound {}",
                resource.name(),
                resource.format(request),
                resource.format(upper_bound)
            ),
            EvictionReason::NoRequest { resource } => {
                write!(f, "no {} request", resource.name())
            }
        }
    }
}

/// The updater's "outside the recommended range" rule for one container: the first
/// controlled resource (cpu before memory) whose request is missing, below the lower bound or
/// above the upper bound; `None` inside `[lower, upper]` (both ends inclusive). Whether the
/// VPA's mode evicts at all is [`super::UpdateMode::evicts`].
pub fn should_evict(
    current_request: &CurrentRequests,
    bounds: &impl ContainerBounds,
) -> Option<EvictionReason> {
    let rec = bounds.recommendation();
    for &resource in bounds.controlled() {
        let Some(request) = current_request.get(resource) else {
            return Some(EvictionReason::NoRequest { resource });
        };
        let lower_bound = rec.lower_bound.get(resource);
        let upper_bound = rec.upper_bound.get(resource);
        if request < lower_bound {
            return Some(EvictionReason::BelowLowerBound {
                resource,
                request,
                lower_bound,
            });
        }
        if request > upper_bound {
            return Some(EvictionReason::AboveUpperBound {
                resource,
                request,
                upper_bound,
            });
        }
    }
    None
}
