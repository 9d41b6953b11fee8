//! Pure per-metric replica proposals from a snapshot of pods and metrics (hpa-spec §2, §3).
//!
//! Upstream functions, rule by rule (no code copied):
//! - [`Tolerances::is_within`]: RC `Tolerances.isWithin` (v1.33+) and the older scalar test
//!   `|1 - r| <= tol` (hpa-spec 3.4, 0.2).
//! - [`resource_metrics`], [`pods_metrics`]: MC `getPodMetrics` / `getContainerMetrics` /
//!   `GetRawMetric` (2.4): a pod's value is the sum over its containers, a container lacking the
//!   resource drops the pod, an empty answer is an error.
//! - [`pod_requests`]: RC `calculateRequests` (2.3).
//! - [`group_pods`]: RC `groupPods` (2.5), including the CPU-only readiness rule.
//! - [`utilization_ratio`]: U `GetResourceUtilizationRatio` (2.1), integer percent.
//! - [`usage_ratio`]: U `GetMetricUsageRatio` (2.2).
//! - [`Calculator::resource_replicas`]: RC `GetResourceReplicas` (3.1, steps 1–9).
//! - [`Calculator::plain_replicas`]: RC `calcPlainMetricReplicas` (3.2), reached from
//!   `GetRawResourceReplicas` and `GetMetricReplicas`.
//! - [`Calculator::value_replicas`]: RC `getUsageRatioReplicaCount` (3.3, Value targets).
//! - [`Calculator::per_pod_replicas`]: RC `GetObjectPerPodMetricReplicas` /
//!   `GetExternalPerPodMetricReplicas` (3.3, AverageValue targets).
//! - [`ready_pods_count`]: RC `getReadyPodsCount` (2.6).
//!
//! Proposals are not clamped to `[minReplicas, maxReplicas]` here (3.1 last paragraph).

use super::snapshot::{ControllerConfig, KubeVersion, PodPhase, PodSnapshot};
use hpasim_sim::{SimDuration, SimTime};
use std::collections::{BTreeMap, BTreeSet};
use thiserror::Error;

/// Why a metric could not produce a proposal (hpa-spec 3.5). The metric is then "invalid".
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum MetricError {
    /// The resource metrics API returned no pod with this resource.
    #[error(
        "unable to get metrics for resource {0}: no metrics returned from resource metrics API"
    )]
    NoResourceMetrics(String),
    /// The custom metrics API returned no pod with this metric.
    #[error("unable to get metric {0}: no metrics returned from custom metrics API")]
    NoPodsMetrics(String),
    /// No Object metric of this name in the snapshot.
    #[error("unable to get metric {0}: no value returned from the custom metrics API for the described object")]
    NoObjectMetric(String),
    /// No External metric series of this name in the snapshot.
    #[error("unable to get external metric {0}: no metrics returned from external metrics API")]
    NoExternalMetric(String),
    /// The selector matched no pod.
    #[error("no pods returned by selector while calculating replica count")]
    NoPods,
    /// Every pod with a metric was ignored or unready.
    #[error("did not receive metrics for targeted pods (pods might be unready)")]
    NoReadyMetrics,
    /// A container of a listed pod has no request for the resource.
    #[error("missing request for {resource} in container {container} of Pod {pod}")]
    MissingRequest {
        /// Resource name.
        resource: String,
        /// Container name.
        container: String,
        /// Pod name.
        pod: String,
    },
    /// The summed request of the pods with metrics is zero.
    #[error("no metrics returned matched known pods")]
    NoMatchingPods,
    /// The metric's `type` is none the controller knows.
    #[error("unknown metric source type \"{0}\"")]
    UnknownSourceType(String),
    /// The metric's source block or target does not fit its type.
    #[error("invalid {0}")]
    InvalidSpec(String),
}

/// The tolerance test of one HPA (hpa-spec 3.4).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerances {
    /// Allowed relative shortfall before scaling down [fraction].
    pub scale_down: f64,
    /// Allowed relative excess before scaling up [fraction].
    pub scale_up: f64,
    /// Pre-1.33 form `|1 - r| <= tol` (with `scale_up == scale_down == tol`).
    pub legacy_form: bool,
}

impl Tolerances {
    /// The cluster tolerance in both directions, in the form of `version`.
    pub fn uniform(tol: f64, version: KubeVersion) -> Tolerances {
        Tolerances {
            scale_down: tol,
            scale_up: tol,
            legacy_form: version < KubeVersion::TOLERANCES,
        }
    }

    /// Whether `ratio` needs no scaling.
    pub fn is_within(&self, ratio: f64) -> bool {
        if self.legacy_form {
            (1.0 - ratio).abs() <= self.scale_up
        } else {
            (1.0 - self.scale_down) <= ratio && ratio <= (1.0 + self.scale_up)
        }
    }
}

/// One pod's sample from a metrics API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PodMetric {
    /// Value [milli-units].
    pub value: i64,
    /// Sample timestamp.
    pub timestamp: SimTime,
    /// Sample window.
    pub window: SimDuration,
}

/// Samples by pod name.
pub type PodMetrics = BTreeMap<String, PodMetric>;

/// The resource metrics API answer for `resource` (optionally one container).
pub fn resource_metrics(
    pods: &[PodSnapshot],
    resource: &str,
    container: Option<&str>,
) -> Result<PodMetrics, MetricError> {
    let mut out = PodMetrics::new();
    for pod in pods {
        let chosen: Vec<_> = pod
            .containers
            .iter()
            .filter(|c| container.is_none_or(|n| c.name == n))
            .collect();
        let values: Option<Vec<i64>> = chosen
            .iter()
            .map(|c| c.usage.get(resource).copied())
            .collect();
        match values {
            Some(v) if !v.is_empty() => {
                out.insert(pod.name.clone(), sample(pod, v.iter().sum()));
            }
            _ => {}
        }
    }
    if out.is_empty() {
        return Err(MetricError::NoResourceMetrics(resource.to_string()));
    }
    Ok(out)
}

/// The custom metrics API answer for Pods metric `name`.
pub fn pods_metrics(pods: &[PodSnapshot], name: &str) -> Result<PodMetrics, MetricError> {
    let out: PodMetrics = pods
        .iter()
        .filter_map(|p| p.metrics.get(name).map(|&v| (p.name.clone(), sample(p, v))))
        .collect();
    if out.is_empty() {
        return Err(MetricError::NoPodsMetrics(name.to_string()));
    }
    Ok(out)
}

fn sample(pod: &PodSnapshot, value: i64) -> PodMetric {
    PodMetric {
        value,
        timestamp: pod.metric_timestamp,
        window: pod.metric_window,
    }
}

/// Listed pods' requests of `resource` [milli-units] (whole pod, or one container).
pub fn pod_requests(
    listed: &[&PodSnapshot],
    resource: &str,
    container: Option<&str>,
) -> Result<BTreeMap<String, i64>, MetricError> {
    let mut out = BTreeMap::new();
    for pod in listed {
        let mut sum = 0i64;
        for c in &pod.containers {
            if container.is_some_and(|n| c.name != n) {
                continue;
            }
            let r = c
                .requests
                .get(resource)
                .ok_or_else(|| MetricError::MissingRequest {
                    resource: resource.into(),
                    container: c.name.clone(),
                    pod: pod.name.clone(),
                })?;
            sum = sum.saturating_add(*r);
        }
        out.insert(pod.name.clone(), sum);
    }
    Ok(out)
}

/// The pods of one metric, sorted into RC `groupPods`' groups.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Groups {
    /// Ready pods with a metric.
    pub ready_count: i64,
    /// Pending pods, and (CPU only) pods not yet counted as ready.
    pub unready: BTreeSet<String>,
    /// Pods without a sample.
    pub missing: BTreeSet<String>,
    /// Deleting or Failed pods: dropped.
    pub ignored: BTreeSet<String>,
}

/// Sorts the listed pods (hpa-spec 2.5); `cpu` enables the CPU readiness rule.
pub fn group_pods(
    listed: &[&PodSnapshot],
    metrics: &PodMetrics,
    cpu: bool,
    cfg: &ControllerConfig,
    now: SimTime,
) -> Groups {
    let mut g = Groups::default();
    for pod in listed {
        let name = pod.name.clone();
        if pod.deleting || pod.phase == PodPhase::Failed {
            g.ignored.insert(name);
            continue;
        }
        if pod.phase == PodPhase::Pending {
            g.unready.insert(name);
            continue;
        }
        let Some(metric) = metrics.get(&pod.name) else {
            g.missing.insert(name);
            continue;
        };
        if cpu && cpu_unready(pod, metric, cfg, now) {
            g.unready.insert(name);
            continue;
        }
        g.ready_count += 1;
    }
    g
}

/// The CPU readiness rule (2.5 step 4).
fn cpu_unready(
    pod: &PodSnapshot,
    metric: &PodMetric,
    cfg: &ControllerConfig,
    now: SimTime,
) -> bool {
    let (Some(ready), Some(start)) = (pod.ready, pod.start_time) else {
        return true;
    };
    if start.saturating_add(cfg.cpu_initialization_period) > now {
        !ready || metric.timestamp < pod.ready_since.saturating_add(metric.window)
    } else {
        !ready && start.saturating_add(cfg.initial_readiness_delay) > pod.ready_since
    }
}

/// `(ratio, utilization %, raw average)` over pods with both a metric and a request (2.1).
pub fn utilization_ratio(
    metrics: &PodMetrics,
    requests: &BTreeMap<String, i64>,
    target_utilization: i32,
) -> Result<(f64, i32, i64), MetricError> {
    let (mut usage, mut request, mut n) = (0i64, 0i64, 0i64);
    for (pod, m) in metrics {
        let Some(r) = requests.get(pod) else { continue };
        usage = usage.saturating_add(m.value);
        request = request.saturating_add(*r);
        n += 1;
    }
    if request == 0 {
        return Err(MetricError::NoMatchingPods);
    }
    let util = (i128::from(usage) * 100 / i128::from(request)) as i32;
    Ok((
        f64::from(util) / f64::from(target_utilization),
        util,
        usage / n,
    ))
}

/// `(ratio, average)` over every sample, listed or not (2.2).
pub fn usage_ratio(metrics: &PodMetrics, target: i64) -> (f64, i64) {
    let total: i64 = metrics.values().map(|m| m.value).sum();
    let avg = total / metrics.len().max(1) as i64;
    (avg as f64 / target as f64, avg)
}

/// Listed pods that are Running and Ready (2.6).
pub fn ready_pods_count(pods: &[PodSnapshot]) -> Result<i64, MetricError> {
    let listed: Vec<_> = pods.iter().filter(|p| p.listed).collect();
    if listed.is_empty() {
        return Err(MetricError::NoPods);
    }
    Ok(listed
        .iter()
        .filter(|p| p.phase == PodPhase::Running && p.ready == Some(true))
        .count() as i64)
}

/// `ceil(x)` as a replica count, saturating at the `i32` range.
pub fn ceil_replicas(x: f64) -> i32 {
    let c = x.ceil();
    if c.is_nan() {
        0
    } else {
        c.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32
    }
}

/// A proposal with what the HPA status would report.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Proposal {
    /// Proposed replicas (not clamped).
    pub replicas: i32,
    /// Utilization [% of request], for Utilization targets.
    pub utilization_pct: Option<i32>,
    /// The metric's current value [milli-units]: the raw average per pod, or the total.
    pub value: i64,
}

/// The calculator of one reconcile: configuration, tolerances and `now`.
#[derive(Clone, Copy, Debug)]
pub struct Calculator<'a> {
    /// Controller configuration (timing rules, version).
    pub cfg: &'a ControllerConfig,
    /// Tolerances of this HPA.
    pub tolerances: Tolerances,
    /// The reconcile instant.
    pub now: SimTime,
}

/// Whether the re-balanced result must fall back to `current` (3.1 steps 7 and 9).
fn keep_current(ratio: f64, new_ratio: f64, within: bool) -> bool {
    within || (ratio < 1.0 && new_ratio > 1.0) || (ratio > 1.0 && new_ratio < 1.0)
}

fn wrong_direction(new_ratio: f64, new_replicas: i32, current: i32) -> bool {
    (new_ratio < 1.0 && new_replicas > current) || (new_ratio > 1.0 && new_replicas < current)
}

impl Calculator<'_> {
    /// Resource / ContainerResource with a Utilization target (3.1).
    pub fn resource_replicas(
        &self,
        current: i32,
        target_utilization: i32,
        resource: &str,
        container: Option<&str>,
        pods: &[PodSnapshot],
    ) -> Result<Proposal, MetricError> {
        let mut metrics = resource_metrics(pods, resource, container)?;
        let listed: Vec<&PodSnapshot> = pods.iter().filter(|p| p.listed).collect();
        if listed.is_empty() {
            return Err(MetricError::NoPods);
        }
        let g = group_pods(&listed, &metrics, resource == "cpu", self.cfg, self.now);
        metrics.retain(|name, _| !g.ignored.contains(name) && !g.unready.contains(name));
        if metrics.is_empty() {
            return Err(MetricError::NoReadyMetrics);
        }
        let requests = pod_requests(&listed, resource, container)?;
        let (ratio, util, raw) = utilization_ratio(&metrics, &requests, target_utilization)?;
        let proposal = |replicas| Proposal {
            replicas,
            utilization_pct: Some(util),
            value: raw,
        };
        let scale_up_with_unready = !g.unready.is_empty() && ratio > 1.0;
        if !scale_up_with_unready && g.missing.is_empty() {
            if self.tolerances.is_within(ratio) {
                return Ok(proposal(current));
            }
            return Ok(proposal(ceil_replicas(ratio * g.ready_count as f64)));
        }
        let fallback_pct = if self.cfg.version >= KubeVersion::MISSING_AT_TARGET {
            i64::from(target_utilization.max(100))
        } else {
            100
        };
        let missing_value = |pod: &str| requests[pod].saturating_mul(fallback_pct) / 100;
        let replicas = self.rebalance(current, ratio, &mut metrics, &g, missing_value, |m| {
            utilization_ratio(m, &requests, target_utilization).map(|(r, _, _)| r)
        })?;
        Ok(proposal(replicas))
    }

    /// Resource AverageValue and Pods AverageValue (3.2) on already fetched `metrics`;
    /// `cpu` enables the CPU readiness rule.
    pub fn plain_replicas(
        &self,
        current: i32,
        target: i64,
        mut metrics: PodMetrics,
        cpu: bool,
        pods: &[PodSnapshot],
    ) -> Result<Proposal, MetricError> {
        let listed: Vec<&PodSnapshot> = pods.iter().filter(|p| p.listed).collect();
        if listed.is_empty() {
            return Err(MetricError::NoPods);
        }
        let g = group_pods(&listed, &metrics, cpu, self.cfg, self.now);
        metrics.retain(|name, _| !g.ignored.contains(name) && !g.unready.contains(name));
        if metrics.is_empty() {
            return Err(MetricError::NoReadyMetrics);
        }
        let (ratio, avg) = usage_ratio(&metrics, target);
        let proposal = |replicas| Proposal {
            replicas,
            utilization_pct: None,
            value: avg,
        };
        let scale_up_with_unready = !g.unready.is_empty() && ratio > 1.0;
        if !scale_up_with_unready && g.missing.is_empty() {
            if self.tolerances.is_within(ratio) {
                return Ok(proposal(current));
            }
            return Ok(proposal(ceil_replicas(ratio * g.ready_count as f64)));
        }
        let replicas = self.rebalance(
            current,
            ratio,
            &mut metrics,
            &g,
            |_| target,
            |m| Ok(usage_ratio(m, target).0),
        )?;
        Ok(proposal(replicas))
    }

    /// Re-balancing with missing and unready pods (3.1 steps 5–9, shared by 3.2): missing pods
    /// count as `missing_value(pod)` on a scale-down and 0 on a scale-up (left out at exactly
    /// 1); on a scale-up with unready pods those count as 0; then the direction-flip and
    /// wrong-direction guards fall back to `current`.
    fn rebalance(
        &self,
        current: i32,
        ratio: f64,
        metrics: &mut PodMetrics,
        g: &Groups,
        missing_value: impl Fn(&str) -> i64,
        new_ratio_of: impl Fn(&PodMetrics) -> Result<f64, MetricError>,
    ) -> Result<i32, MetricError> {
        for pod in &g.missing {
            let value = if ratio < 1.0 {
                missing_value(pod)
            } else if ratio > 1.0 {
                0
            } else {
                continue;
            };
            metrics.insert(pod.clone(), zero_sample(value));
        }
        if !g.unready.is_empty() && ratio > 1.0 {
            for pod in &g.unready {
                metrics.insert(pod.clone(), zero_sample(0));
            }
        }
        let new_ratio = new_ratio_of(metrics)?;
        if keep_current(ratio, new_ratio, self.tolerances.is_within(new_ratio)) {
            return Ok(current);
        }
        let new_replicas = ceil_replicas(new_ratio * metrics.len() as f64);
        if wrong_direction(new_ratio, new_replicas, current) {
            return Ok(current);
        }
        Ok(new_replicas)
    }

    /// Object / External with a Value target, `current` = spec replicas (3.3).
    pub fn value_replicas(
        &self,
        current: i32,
        usage: i64,
        target: i64,
        pods: &[PodSnapshot],
    ) -> Result<Proposal, MetricError> {
        let ratio = usage as f64 / target as f64;
        let replicas = if current != 0 {
            if self.tolerances.is_within(ratio) {
                current
            } else {
                ceil_replicas(ratio * ready_pods_count(pods)? as f64)
            }
        } else {
            ceil_replicas(ratio)
        };
        Ok(Proposal {
            replicas,
            utilization_pct: None,
            value: usage,
        })
    }

    /// Object / External with an AverageValue target, from `status_replicas` (3.3).
    pub fn per_pod_replicas(&self, status_replicas: i32, usage: i64, target: i64) -> Proposal {
        let ratio = usage as f64 / (target as f64 * f64::from(status_replicas));
        let replicas = if self.tolerances.is_within(ratio) {
            status_replicas
        } else {
            ceil_replicas(usage as f64 / target as f64)
        };
        let average = (usage as f64 / f64::from(status_replicas)).ceil();
        Proposal {
            replicas,
            utilization_pct: None,
            value: if average.is_finite() {
                average as i64
            } else {
                usage
            },
        }
    }
}

fn zero_sample(value: i64) -> PodMetric {
    PodMetric {
        value,
        timestamp: SimTime::ZERO,
        window: SimDuration::ZERO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerance_upper_boundary_differs_between_versions() {
        let ratio = 55.0 / 50.0;
        let old = Tolerances::uniform(0.1, KubeVersion::new(1, 32));
        let new = Tolerances::uniform(0.1, KubeVersion::new(1, 33));
        assert!(!old.is_within(ratio));
        assert!(new.is_within(ratio));
        assert!(old.is_within(45.0 / 50.0) && new.is_within(45.0 / 50.0));
    }

    #[test]
    fn utilization_is_a_truncated_integer_percent() {
        let mut m = PodMetrics::new();
        m.insert("a".into(), zero_sample(333));
        let r = BTreeMap::from([("a".to_string(), 1000)]);
        let (ratio, util, raw) = utilization_ratio(&m, &r, 50).unwrap();
        assert_eq!((util, raw), (33, 333));
        assert_eq!(ratio, 33.0 / 50.0);
    }

    #[test]
    fn zero_request_is_an_error() {
        let mut m = PodMetrics::new();
        m.insert("x".into(), zero_sample(5));
        let r = BTreeMap::new();
        assert_eq!(
            utilization_ratio(&m, &r, 50),
            Err(MetricError::NoMatchingPods)
        );
    }

    #[test]
    fn ceil_saturates() {
        assert_eq!(ceil_replicas(f64::INFINITY), i32::MAX);
        assert_eq!(ceil_replicas(2.000001), 3);
        assert_eq!(ceil_replicas(f64::NAN), 0);
    }
}
