//! The `cluster:` block: the nodes the pods run on, the scheduler's placement policy, the
//! Kubernetes Cluster Autoscaler, a warm-node buffer (overprovisioning) and node failures.
//!
//! ```yaml
//! cluster:
//!   scheduler: least_allocated          # or first_fit, most_allocated
//!   node_pools:
//!     - {name: general, instance_type: m5.large, allocatable: {cpu: 1930m, memory: 7Gi},
//!        price_per_hour_usd: 0.096, min_nodes: 1, max_nodes: 10}
//!   autoscaler:
//!     scan_interval: 10s
//!     node_provisioning: {dist: uniform, min: 60s, max: 120s}
//!   overprovisioning: {replicas: 2, cpu: 500m, memory: 512Mi}
//!   node_failures: {at: [{at: 600s, pool: general}], rate_per_node_hour: 0.0}
//! ```
//!
//! Without `cluster:` pods never wait for a node (the pre-#8 model): only the scheduler
//! latency `pods.startup.schedule` stands between creation and binding.

use super::spec::Dist;
use super::units::{Duration, Quantity};
use crate::cluster::NodePool;
use serde::{Deserialize, Serialize};

/// Nodes, placement, the cluster autoscaler and node faults.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cluster {
    /// The node pools (at least one), config.
    pub node_pools: Vec<NodePool>,
    /// How the scheduler picks among the nodes that fit, config. Default `least_allocated`
    /// (the kube-scheduler's default scoring).
    #[serde(default)]
    pub scheduler: SchedulerPolicy,
    /// The Kubernetes Cluster Autoscaler, config. Default: none (pools stay at
    /// `initial_nodes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaler: Option<ClusterAutoscaler>,
    /// Low-priority placeholder pods that keep warm capacity (the cluster-proportional
    /// "overprovisioning" pattern), config. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overprovisioning: Option<Overprovisioning>,
    /// Node failures, config. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_failures: Option<NodeFailures>,
}

/// The scheduler's choice among feasible nodes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchedulerPolicy {
    /// `NodeResourcesFit` LeastAllocated (upstream default): spreads pods.
    #[default]
    LeastAllocated,
    /// `NodeResourcesFit` MostAllocated: packs pods.
    MostAllocated,
    /// The first node (in launch order) that fits: a bin-packing baseline.
    FirstFit,
}

/// Cluster Autoscaler flags (upstream defaults) and the cloud's node provisioning time.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterAutoscaler {
    /// `--scan-interval` [s], config. Default 10 s.
    #[serde(default = "d10s")]
    pub scan_interval: Duration,
    /// `--expander`, config: `least_waste` (default) or `price`.
    #[serde(default)]
    pub expander: Expander,
    /// Time from the scale-up request to the node Ready (cloud boot + kubelet registration
    /// and readiness) [s], config. Default uniform 60–120 s.
    #[serde(default = "default_provisioning")]
    pub node_provisioning: Dist,
    /// `--scale-down-enabled`, config. Default true.
    #[serde(default = "yes")]
    pub scale_down_enabled: bool,
    /// `--scale-down-utilization-threshold` [fraction], config. Default 0.5.
    #[serde(default = "half")]
    pub scale_down_utilization_threshold: f64,
    /// `--scale-down-unneeded-time` [s], config. Default 10 min.
    #[serde(default = "d10m")]
    pub scale_down_unneeded_time: Duration,
    /// `--scale-down-delay-after-add` [s], config. Default 10 min.
    #[serde(default = "d10m")]
    pub scale_down_delay_after_add: Duration,
    /// `--scale-down-delay-after-delete` [s], config. Default: the scan interval (10 s).
    #[serde(default = "d10s")]
    pub scale_down_delay_after_delete: Duration,
    /// `--scale-down-delay-after-failure` [s], config. Default 3 min.
    #[serde(default = "d3m")]
    pub scale_down_delay_after_failure: Duration,
    /// `--max-node-provision-time` [s], config. Default 15 min.
    #[serde(default = "d15m")]
    pub max_node_provision_time: Duration,
    /// `--max-pod-eviction-time`: how long a drain keeps retrying evictions a
    /// PodDisruptionBudget refuses before the scale-down fails [s], config. Default 2 min.
    #[serde(default = "d2m")]
    pub max_pod_eviction_time: Duration,
    /// `--max-empty-bulk-delete` [nodes], config. Default 10.
    #[serde(default = "ten")]
    pub max_empty_bulk_delete: u32,
    /// `--max-graceful-termination-sec` [s], config. Default 600.
    #[serde(default = "six_hundred")]
    pub max_graceful_termination_sec: u32,
    /// `--new-pod-scale-up-delay` [s], config. Default 0 s.
    #[serde(default)]
    pub new_pod_scale_up_delay: Duration,
    /// `--ignore-daemonsets-utilization`, config. Default false.
    #[serde(default)]
    pub ignore_daemonsets_utilization: bool,
}

/// `--expander`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expander {
    /// Least wasted CPU and memory on the new nodes.
    #[default]
    LeastWaste,
    /// Lowest price per pod helped.
    Price,
}

/// Placeholder pods at a priority below every real pod: they hold node capacity, the
/// scheduler evicts them the moment a real pod needs the room, and the cluster autoscaler
/// then adds a node for them, ahead of the next real pod.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overprovisioning {
    /// Placeholder pods [pods], config.
    pub replicas: u32,
    /// CPU request of one placeholder [cores; Kubernetes quantity], config.
    pub cpu: Quantity,
    /// Memory request of one placeholder [bytes; Kubernetes quantity], config.
    pub memory: Quantity,
}

/// Node failures: at given instants, or at random.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeFailures {
    /// Failures at given instants, config.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub at: Vec<NodeFailureAt>,
    /// Failures at random: a Poisson rate per Ready node [1/h], config. Default 0.
    #[serde(default)]
    pub rate_per_node_hour: f64,
    /// `--node-monitor-grace-period`: the node controller marks a silent node NotReady (its
    /// pods leave the endpoints) this long after it failed [s], config. Default 40 s. Requests
    /// sent to its pods meanwhile are lost.
    #[serde(default = "d40s")]
    pub detection: Duration,
    /// The `node.kubernetes.io/unreachable` toleration the pods get by default: they are
    /// evicted (and replaced) this long after the node turned NotReady [s], config. Default
    /// 300 s.
    #[serde(default = "d300s")]
    pub pod_eviction: Duration,
}

/// One node failure at a given instant.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeFailureAt {
    /// When [s], config.
    pub at: Duration,
    /// Pool whose node fails, config. Default: any pool. The node is the Ready node holding
    /// the most pods of the workload (the worst case), ties to the oldest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
}

fn d(s: f64) -> Duration {
    Duration::from_secs(s)
}
fn d10s() -> Duration {
    d(10.0)
}
fn d40s() -> Duration {
    d(40.0)
}
fn d2m() -> Duration {
    d(120.0)
}
fn d3m() -> Duration {
    d(180.0)
}
fn d300s() -> Duration {
    d(300.0)
}
fn d10m() -> Duration {
    d(600.0)
}
fn d15m() -> Duration {
    d(900.0)
}
fn yes() -> bool {
    true
}
fn half() -> f64 {
    0.5
}
fn ten() -> u32 {
    10
}
fn six_hundred() -> u32 {
    600
}
fn default_provisioning() -> Dist {
    Dist::Uniform {
        min: d(60.0),
        max: d(120.0),
    }
}

/// Every problem of `s.cluster` (empty without one), located by parameter path. `pod` is the
/// workload's pod requests when they resolve ([`super::resolve_pods`]); a pod that fits no
/// node type is reported naming both.
pub fn validate(s: &super::Scenario) -> Vec<super::SpecError> {
    use super::SpecError;
    let Some(c) = &s.cluster else {
        return Vec::new();
    };
    let mut errors = Vec::new();
    let mut fail = |path: String, message: String, hint: &str| {
        errors.push(SpecError::at_path(path, message).with_hint(hint));
    };
    if c.node_pools.is_empty() {
        fail(
            "cluster.node_pools".into(),
            "needs at least one node pool".into(),
            "add a pool: {name, instance_type, allocatable: {cpu, memory}, price_per_hour_usd, min_nodes, max_nodes}",
        );
    }
    let positive = |v: Duration| v.secs().is_finite() && v.secs() > 0.0;
    let non_negative = |v: Duration| v.secs().is_finite() && v.secs() >= 0.0;
    if let Some(a) = &c.autoscaler {
        let p = "cluster.autoscaler";
        for (field, v, must_be_positive) in [
            ("scan_interval", a.scan_interval, true),
            (
                "scale_down_unneeded_time",
                a.scale_down_unneeded_time,
                false,
            ),
            (
                "scale_down_delay_after_add",
                a.scale_down_delay_after_add,
                false,
            ),
            (
                "scale_down_delay_after_delete",
                a.scale_down_delay_after_delete,
                false,
            ),
            (
                "scale_down_delay_after_failure",
                a.scale_down_delay_after_failure,
                false,
            ),
            ("max_node_provision_time", a.max_node_provision_time, true),
            ("max_pod_eviction_time", a.max_pod_eviction_time, false),
            ("new_pod_scale_up_delay", a.new_pod_scale_up_delay, false),
        ] {
            if must_be_positive && !positive(v) {
                fail(
                    format!("{p}.{field}"),
                    format!("must be longer than zero, got {v}"),
                    "upstream's default is 10s for scan_interval, 15m for max_node_provision_time",
                );
            } else if !non_negative(v) {
                fail(
                    format!("{p}.{field}"),
                    format!("must be zero or positive, got {v}"),
                    "durations are written like 10s, 10m",
                );
            }
        }
        let t = a.scale_down_utilization_threshold;
        if !(t > 0.0 && t <= 1.0) {
            fail(
                format!("{p}.scale_down_utilization_threshold"),
                format!("must be in (0, 1], got {t}"),
                "a fraction of allocatable; upstream's default is 0.5",
            );
        }
        if a.max_empty_bulk_delete == 0 {
            fail(
                format!("{p}.max_empty_bulk_delete"),
                "must be at least 1, got 0".into(),
                "upstream's default is 10; disable scale-down with scale_down_enabled: false",
            );
        }
    }
    if let Some(o) = &c.overprovisioning {
        let p = "cluster.overprovisioning";
        if let Err(e) = crate::cluster::resources::cpu_millis(&o.cpu) {
            fail(format!("{p}.cpu"), e, "a CPU quantity like 500m or 1");
        }
        if let Err(e) = crate::cluster::resources::bytes(&o.memory) {
            fail(
                format!("{p}.memory"),
                e,
                "a memory quantity like 512Mi or 1Gi",
            );
        }
    }
    if let Some(f) = &c.node_failures {
        let p = "cluster.node_failures";
        if !(f.rate_per_node_hour.is_finite() && f.rate_per_node_hour >= 0.0) {
            fail(
                format!("{p}.rate_per_node_hour"),
                format!("must be zero or positive, got {}", f.rate_per_node_hour),
                "failures per Ready node per hour, e.g. 0.001",
            );
        }
        for (field, v) in [("detection", f.detection), ("pod_eviction", f.pod_eviction)] {
            if !non_negative(v) {
                fail(
                    format!("{p}.{field}"),
                    format!("must be zero or positive, got {v}"),
                    "upstream's defaults: detection 40s, pod_eviction 300s",
                );
            }
        }
        for (i, at) in f.at.iter().enumerate() {
            if !non_negative(at.at) || at.at.secs() > s.duration.secs() {
                fail(
                    format!("{p}.at[{i}].at"),
                    format!(
                        "must be within the run (0 to {}), got {}",
                        s.duration, at.at
                    ),
                    "failures after the end of the run would never happen",
                );
            }
            if let Some(pool) = &at.pool {
                if !c.node_pools.iter().any(|q| &q.name == pool) {
                    let names: Vec<&str> = c.node_pools.iter().map(|q| q.name.as_str()).collect();
                    fail(
                        format!("{p}.at[{i}].pool"),
                        format!("no node pool named `{pool}`"),
                        &format!("the pools are: {}", names.join(", ")),
                    );
                }
            }
        }
    }
    errors.extend(crate::cluster::validate_pools(
        &c.node_pools,
        "cluster.node_pools",
    ));
    if errors.is_empty() {
        if let Ok(pods) = super::resolve_pods(s) {
            errors.extend(pod_fits_some_node(s, c, &pods));
        }
    }
    errors
}

/// The pods' requests must fit the largest node of some pool, DaemonSets deducted: a pod no
/// node can hold would stay Pending forever and no autoscaler could help.
fn pod_fits_some_node(
    s: &super::Scenario,
    c: &Cluster,
    pods: &super::ResolvedPods,
) -> Option<super::SpecError> {
    use crate::cluster::resources::{bytes, cpu_millis, format_binary, format_decimal_milli};
    let (Ok(cpu), Ok(mem)) = (cpu_millis(&pods.cpu_request), bytes(&pods.memory_request)) else {
        return None;
    };
    let mut best: Option<(&NodePool, crate::cluster::Resources)> = None;
    for pool in &c.node_pools {
        let Ok(room) = pool.node_capacity() else {
            return None;
        };
        if cpu <= room.cpu_millis && mem <= room.memory_bytes && room.pods >= 1 {
            return None;
        }
        if best.is_none_or(|(_, b)| room.cpu_millis > b.cpu_millis) {
            best = Some((pool, room));
        }
    }
    let (pool, room) = best?;
    let owner = if s.deployment.is_some() {
        format!(
            "the pods of deployment/{}",
            s.deployment
                .as_ref()
                .and_then(|d| d.metadata.name.as_deref())
                .unwrap_or(&s.name)
        )
    } else {
        format!(
            "the pods of `{}` (pods.cpu_request, pods.memory_request)",
            s.name
        )
    };
    Some(
        super::SpecError::at_path(
            "cluster.node_pools",
            format!(
                "{owner} request cpu={} memory={}, more than any node type offers: the largest, {} (pool `{}`), has cpu={} memory={} left after DaemonSets",
                format_decimal_milli(u128::from(cpu)),
                format_binary(u128::from(mem)),
                pool.instance_type,
                pool.name,
                format_decimal_milli(u128::from(room.cpu_millis)),
                format_binary(u128::from(room.memory_bytes)),
            ),
        )
        .with_hint("add a pool with a larger instance type, or lower the pod's requests; such a pod would stay Pending forever"),
    )
}
