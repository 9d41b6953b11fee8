//! The `cluster:` block compiled: integer resources, rates per second, samplers built.

use crate::cluster::pool::CapacityType;
use crate::cluster::resources::{bytes, cpu_millis};
use crate::cluster::{Policy, Resources};
use crate::cluster_autoscaler::{CaConfig, Expander, Pdb};
use crate::dist::Sampler;
use crate::scenario::cluster::{Cluster, SchedulerPolicy};
use crate::scenario::{ResolvedPods, SpecError};
use hpasim_sim::SimDuration;
use std::path::Path;

/// One node pool, compiled.
#[derive(Clone, Debug)]
pub struct PoolConfig {
    /// Pool name.
    pub name: String,
    /// Instance type (label).
    pub instance_type: String,
    /// A node's allocatable [m, B, pods], DaemonSets included.
    pub allocatable: Resources,
    /// DaemonSet requests on every node [m, B, pods].
    pub overhead: Resources,
    /// What the workload may use on one node: allocatable − overhead.
    pub room: Resources,
    /// Price of one node [USD/s].
    pub price_per_second_usd: f64,
    /// Spot: (interruptions per node per second [1/s], notice), or on-demand.
    pub spot: Option<(f64, SimDuration)>,
    /// Fewest and most nodes [count].
    pub min_nodes: u32,
    /// Most nodes [count].
    pub max_nodes: u32,
    /// Nodes at time zero [count].
    pub initial_nodes: u32,
}

/// The cluster autoscaler, compiled.
#[derive(Clone, Debug)]
pub struct AutoscalerConfig {
    /// The pure CA's flags.
    pub ca: CaConfig,
    /// Scale-up request → node Ready [s].
    pub provisioning: Sampler,
    /// `--scale-down-enabled`.
    pub scale_down_enabled: bool,
    /// `--max-pod-eviction-time`.
    pub max_pod_eviction_time: SimDuration,
}

/// Node failures, compiled.
#[derive(Clone, Debug)]
pub struct FailureConfig {
    /// Failures at given instants: (when, pool index or any).
    pub at: Vec<(SimDuration, Option<usize>)>,
    /// Failures per Ready node per second [1/s].
    pub rate_per_node_s: f64,
    /// Failure → NotReady.
    pub detection: SimDuration,
    /// NotReady → pods evicted and replaced.
    pub pod_eviction: SimDuration,
}

/// Everything the world needs to run the cluster.
#[derive(Clone, Debug)]
pub struct ClusterConfig {
    /// The pools, in scenario order.
    pub pools: Vec<PoolConfig>,
    /// The scheduler's scoring.
    pub policy: Policy,
    /// The cluster autoscaler, if any.
    pub autoscaler: Option<AutoscalerConfig>,
    /// One workload pod's requests [m, B, 1 pod].
    pub pod_request: Resources,
    /// Overprovisioning placeholders: (count, one's requests).
    pub placeholders: Option<(u32, Resources)>,
    /// Node failures, if any.
    pub failures: Option<FailureConfig>,
    /// The PodDisruptionBudget covering the workload's pods, if any.
    pub pdb: Option<Pdb>,
}

/// Compiles `c` for pods with requests `pods`; errors carry the parameter path.
pub fn compile_cluster(
    c: &Cluster,
    pods: &ResolvedPods,
    base_dir: &Path,
) -> Result<ClusterConfig, SpecError> {
    let at = |path: String| move |e: String| SpecError::at_path(path.clone(), e);
    let mut pools = Vec::with_capacity(c.node_pools.len());
    for (i, p) in c.node_pools.iter().enumerate() {
        let here = format!("cluster.node_pools[{i}]");
        let allocatable = p.allocatable().map_err(at(format!("{here}.allocatable")))?;
        let overhead = p
            .overhead()
            .map_err(at(format!("{here}.daemonset_overhead")))?;
        let room = p.node_capacity().map_err(at(here.clone()))?;
        pools.push(PoolConfig {
            name: p.name.clone(),
            instance_type: p.instance_type.clone(),
            allocatable,
            overhead,
            room,
            price_per_second_usd: p.price_per_hour_usd / 3600.0,
            spot: match (p.capacity_type, &p.spot) {
                (CapacityType::Spot, Some(s)) => {
                    Some((s.interruption_rate_per_hour / 3600.0, s.notice.sim()))
                }
                (CapacityType::Spot, None) => Some((0.0, SimDuration::ZERO)),
                (CapacityType::OnDemand, _) => None,
            },
            min_nodes: p.min_nodes,
            max_nodes: p.max_nodes,
            initial_nodes: p.initial_nodes(),
        });
    }
    let cpu = cpu_millis(&pods.cpu_request).map_err(at("pods.cpu_request".into()))?;
    let mem = bytes(&pods.memory_request).map_err(at("pods.memory_request".into()))?;
    let autoscaler = match &c.autoscaler {
        None => None,
        Some(a) => Some(AutoscalerConfig {
            ca: CaConfig {
                scan_interval: a.scan_interval.sim(),
                scale_down_utilization_threshold: a.scale_down_utilization_threshold,
                scale_down_unneeded_time: a.scale_down_unneeded_time.sim(),
                scale_down_delay_after_add: a.scale_down_delay_after_add.sim(),
                scale_down_delay_after_delete: a.scale_down_delay_after_delete.sim(),
                scale_down_delay_after_failure: a.scale_down_delay_after_failure.sim(),
                max_node_provision_time: a.max_node_provision_time.sim(),
                expander: match a.expander {
                    crate::scenario::cluster::Expander::LeastWaste => Expander::LeastWaste,
                    crate::scenario::cluster::Expander::Price => Expander::Price,
                },
                max_empty_bulk_delete: a.max_empty_bulk_delete,
                max_graceful_termination_sec: a.max_graceful_termination_sec,
                new_pod_scale_up_delay: a.new_pod_scale_up_delay.sim(),
                ignore_daemonsets_utilization: a.ignore_daemonsets_utilization,
            },
            provisioning: Sampler::compile(
                &a.node_provisioning,
                base_dir,
                "cluster.autoscaler.node_provisioning",
            )?,
            scale_down_enabled: a.scale_down_enabled,
            max_pod_eviction_time: a.max_pod_eviction_time.sim(),
        }),
    };
    let placeholders = match &c.overprovisioning {
        None => None,
        Some(o) => {
            let p = "cluster.overprovisioning";
            let cpu = cpu_millis(&o.cpu).map_err(at(format!("{p}.cpu")))?;
            let mem = bytes(&o.memory).map_err(at(format!("{p}.memory")))?;
            Some((o.replicas, Resources::pod(cpu, mem)))
        }
    };
    let failures = c.node_failures.as_ref().map(|f| FailureConfig {
        at: f
            .at
            .iter()
            .map(|a| {
                let pool = a
                    .pool
                    .as_ref()
                    .and_then(|name| c.node_pools.iter().position(|p| &p.name == name));
                (a.at.sim(), pool)
            })
            .collect(),
        rate_per_node_s: f.rate_per_node_hour / 3600.0,
        detection: f.detection.sim(),
        pod_eviction: f.pod_eviction.sim(),
    });
    Ok(ClusterConfig {
        pools,
        policy: match c.scheduler {
            SchedulerPolicy::LeastAllocated => Policy::LeastAllocated,
            SchedulerPolicy::MostAllocated => Policy::MostAllocated,
            SchedulerPolicy::FirstFit => Policy::FirstFit,
        },
        autoscaler,
        pod_request: Resources::pod(cpu, mem),
        placeholders,
        failures,
        pdb: None,
    })
}

impl PoolConfig {
    /// The CA's view of a node's resources (allocatable, DaemonSets included).
    pub fn ca_allocatable(&self) -> crate::cluster_autoscaler::Resources {
        ca_resources(self.allocatable)
    }
}

/// `r` in the cluster autoscaler's units.
pub fn ca_resources(r: Resources) -> crate::cluster_autoscaler::Resources {
    crate::cluster_autoscaler::Resources::new(r.cpu_millis, r.memory_bytes)
}
