//! Node pool specs: a group of identical nodes (one instance type) the cluster autoscaler
//! grows and shrinks between `min_nodes` and `max_nodes`, as a managed node group (EKS), a node
//! pool (GKE, AKS) or a Karpenter NodePool restricted to one instance type.
//!
//! Written in scenario YAML (snake_case, unknown fields denied):
//!
//! ```yaml
//! name: general
//! instance_type: m5.xlarge
//! allocatable: {cpu: 3920m, memory: 14Gi, pods: 58}
//! price_per_hour_usd: 0.192
//! capacity_type: spot
//! spot: {interruption_rate_per_hour: 0.01, notice: 2m}
//! min_nodes: 1
//! max_nodes: 10
//! initial_nodes: 3
//! daemonset_overhead: {cpu: 200m, memory: 300Mi}
//! ```

use super::resources::{bytes, cpu_millis, Resources};
use crate::scenario::{Duration, Quantity, SpecError};
use serde::{Deserialize, Serialize};

/// One node pool: identical nodes of one instance type, priced per node-hour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodePool {
    /// Pool name, unique in the cluster; names the pool in events and rows.
    pub name: String,
    /// Cloud instance type (`m5.xlarge`, `e2-standard-4`) [label only, not interpreted].
    pub instance_type: String,
    /// What one node offers to pods: the node's `status.allocatable` (capacity minus the
    /// kubelet's system and kube reservations and the eviction threshold).
    pub allocatable: Allocatable,
    /// Price of one node [USD per hour], at the pool's capacity type.
    pub price_per_hour_usd: f64,
    /// On-demand or spot (preemptible) capacity. Default `on_demand`.
    #[serde(default)]
    pub capacity_type: CapacityType,
    /// Spot interruptions; only with `capacity_type: spot`, where it is required.
    pub spot: Option<Spot>,
    /// Fewest nodes the autoscaler keeps [count].
    pub min_nodes: u32,
    /// Most nodes the autoscaler creates [count].
    pub max_nodes: u32,
    /// Nodes at the start of the run [count]. Default `min_nodes`.
    pub initial_nodes: Option<u32>,
    /// Requests of the DaemonSet pods every node runs (CNI, kube-proxy, log and metrics
    /// agents), subtracted from `allocatable` before any pod of the workload is placed.
    /// Default none.
    #[serde(default)]
    pub daemonset_overhead: Overhead,
}

/// A node's `status.allocatable`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allocatable {
    /// CPU [cores; Kubernetes quantity, `3920m`].
    pub cpu: Quantity,
    /// Memory [bytes; Kubernetes quantity, `14Gi`].
    pub memory: Quantity,
    /// Most pods on one node [count], DaemonSet pods included. Default 110, the kubelet's
    /// `maxPods` default.
    #[serde(default = "default_max_pods")]
    pub pods: u32,
}

fn default_max_pods() -> u32 {
    110
}

/// Resources taken by DaemonSet pods on every node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overhead {
    /// CPU requests [cores; Kubernetes quantity]. Default 0.
    #[serde(default = "zero")]
    pub cpu: Quantity,
    /// Memory requests [bytes; Kubernetes quantity]. Default 0.
    #[serde(default = "zero")]
    pub memory: Quantity,
    /// DaemonSet pods per node [count], taking pod slots. Default 0.
    #[serde(default)]
    pub pods: u32,
}

fn zero() -> Quantity {
    Quantity::from_value(0.0)
}

impl Default for Overhead {
    fn default() -> Overhead {
        Overhead {
            cpu: zero(),
            memory: zero(),
            pods: 0,
        }
    }
}

/// How the cloud sells the pool's nodes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapacityType {
    /// Regular capacity, never reclaimed by the provider.
    #[default]
    OnDemand,
    /// Spare capacity at a discount, reclaimed after a notice (AWS Spot, GCP Spot VMs,
    /// Azure Spot).
    Spot,
}

/// Spot interruptions of one pool.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spot {
    /// Mean interruptions per node per hour [1/h], a Poisson rate (0.05 ≈ one node in 20
    /// interrupted each hour).
    pub interruption_rate_per_hour: f64,
    /// Warning between the interruption notice and the node's termination [s]. Default 2m
    /// (AWS; GCP gives 30s).
    #[serde(default = "default_notice")]
    pub notice: Duration,
}

fn default_notice() -> Duration {
    Duration::from_secs(120.0)
}

impl NodePool {
    /// Nodes at the start of the run [count]: `initial_nodes`, default `min_nodes`.
    pub fn initial_nodes(&self) -> u32 {
        self.initial_nodes.unwrap_or(self.min_nodes)
    }

    /// What one node offers: `allocatable` [milli-cores, bytes, pod slots].
    pub fn allocatable(&self) -> Result<Resources, String> {
        let a = &self.allocatable;
        Ok(Resources::new(
            cpu_millis(&a.cpu)?,
            bytes(&a.memory)?,
            a.pods,
        ))
    }

    /// What the DaemonSets take from every node [milli-cores, bytes, pod slots].
    pub fn overhead(&self) -> Result<Resources, String> {
        let o = &self.daemonset_overhead;
        Ok(Resources::new(
            cpu_millis(&o.cpu)?,
            bytes(&o.memory)?,
            o.pods,
        ))
    }

    /// What the workload's pods can use on one empty node: allocatable minus the DaemonSet
    /// overhead [milli-cores, bytes, pod slots]; `Err` when the overhead does not fit.
    pub fn node_capacity(&self) -> Result<Resources, String> {
        let (a, o) = (self.allocatable()?, self.overhead()?);
        a.checked_sub(o).ok_or_else(|| {
            format!(
                "the DaemonSet overhead of pool `{}` does not fit in its allocatable",
                self.name
            )
        })
    }

    /// Every problem of the pool written at `path` (`node_pools[0]`), empty when valid.
    pub fn validate(&self, path: &str) -> Vec<SpecError> {
        let mut errors = Vec::new();
        let mut fail = |field: &str, message: String, hint: &str| {
            errors.push(SpecError::at_path(format!("{path}.{field}"), message).with_hint(hint));
        };
        if self.name.trim().is_empty() {
            fail(
                "name",
                "must not be empty".into(),
                "name the pool (`general`, `spot-burst`): events and rows use it",
            );
        }
        if self.max_nodes == 0 {
            fail(
                "max_nodes",
                "must be at least 1, got 0".into(),
                "a pool that can never have a node places no pod: remove it or raise max_nodes",
            );
        }
        if self.min_nodes > self.max_nodes {
            fail(
                "min_nodes",
                format!(
                    "min_nodes > max_nodes: min_nodes is {}, max_nodes is {}",
                    self.min_nodes, self.max_nodes
                ),
                "the autoscaler keeps the pool between min_nodes and max_nodes: lower min_nodes or raise max_nodes",
            );
        }
        let initial = self.initial_nodes();
        if initial < self.min_nodes || initial > self.max_nodes {
            fail(
                "initial_nodes",
                format!(
                    "must be between min_nodes ({}) and max_nodes ({}), got {initial}",
                    self.min_nodes, self.max_nodes
                ),
                "omit initial_nodes to start at min_nodes",
            );
        }
        let price = self.price_per_hour_usd;
        if !price.is_finite() || price < 0.0 {
            fail(
                "price_per_hour_usd",
                format!("must be zero or positive, got {price}"),
                "the on-demand or spot price of one node per hour, e.g. 0.192 for m5.xlarge on demand",
            );
        }
        let per_node = |which: &str, conv: Result<u64, String>| match conv {
            Ok(0) => Err(format!("allocatable {which} must be positive")),
            other => other,
        };
        let a = &self.allocatable;
        let o = &self.daemonset_overhead;
        let pairs = [
            (
                "cpu",
                per_node("cpu", cpu_millis(&a.cpu)),
                cpu_millis(&o.cpu),
                &a.cpu,
                &o.cpu,
            ),
            (
                "memory",
                per_node("memory", bytes(&a.memory)),
                bytes(&o.memory),
                &a.memory,
                &o.memory,
            ),
        ];
        for (which, alloc, over, alloc_q, over_q) in pairs {
            match (alloc, over) {
                (Err(e), _) => fail(
                    &format!("allocatable.{which}"),
                    e,
                    "the node's `kubectl get node -o jsonpath='{.status.allocatable}'`",
                ),
                (_, Err(e)) => fail(
                    &format!("daemonset_overhead.{which}"),
                    e,
                    "the sum of the DaemonSet pods' requests on one node",
                ),
                (Ok(alloc), Ok(over)) if over >= alloc => fail(
                    &format!("daemonset_overhead.{which}"),
                    format!("must be less than allocatable {which} ({alloc_q}), got {over_q}"),
                    "DaemonSets taking a whole node leave no room for pods: check the units (`200m`, `300Mi`)",
                ),
                _ => {}
            }
        }
        if a.pods == 0 {
            fail(
                "allocatable.pods",
                "must be at least 1, got 0".into(),
                "the kubelet's maxPods; omit it for the default 110",
            );
        } else if o.pods >= a.pods {
            fail(
                "daemonset_overhead.pods",
                format!(
                    "must be less than allocatable pods ({}), got {}",
                    a.pods, o.pods
                ),
                "DaemonSet pods use pod slots of the node too",
            );
        }
        match (self.capacity_type, &self.spot) {
            (CapacityType::OnDemand, Some(_)) => fail(
                "spot",
                "only allowed with `capacity_type: spot`".into(),
                "add `capacity_type: spot`, or remove `spot` for on-demand nodes",
            ),
            (CapacityType::Spot, None) => fail(
                "spot",
                "required with `capacity_type: spot`".into(),
                "add `spot: {interruption_rate_per_hour: 0.05, notice: 2m}`",
            ),
            (CapacityType::Spot, Some(s)) => {
                let r = s.interruption_rate_per_hour;
                if !r.is_finite() || r < 0.0 {
                    fail(
                        "spot.interruption_rate_per_hour",
                        format!("must be zero or positive, got {r}"),
                        "mean interruptions per node per hour, e.g. 0.05",
                    );
                }
            }
            (CapacityType::OnDemand, None) => {}
        }
        errors
    }
}

/// Every problem of the pools written at `path` (`node_pools`): each pool's own (at
/// `node_pools[i]`), and names used twice. Empty when valid.
pub fn validate_pools(pools: &[NodePool], path: &str) -> Vec<SpecError> {
    let mut errors = Vec::new();
    for (i, pool) in pools.iter().enumerate() {
        let here = format!("{path}[{i}]");
        if let Some(first) = pools[..i].iter().position(|p| p.name == pool.name) {
            errors.push(
                SpecError::at_path(
                    format!("{here}.name"),
                    format!("duplicate pool name `{}` (also {path}[{first}])", pool.name),
                )
                .with_hint("pool names identify pools in events and rows: make them unique"),
            );
        }
        errors.extend(pool.validate(&here));
    }
    errors
}

#[cfg(test)]
#[path = "pool_tests.rs"]
mod tests;
