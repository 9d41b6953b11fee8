//! The Kubernetes Cluster Autoscaler (CA): its pure decision logic, without the world.
//!
//! One CA loop runs every `scan_interval`; each pass is split here as upstream splits it
//! (`kubernetes/autoscaler`, `cluster-autoscaler/`):
//! - [`scale_up`]: unschedulable pods → how many template nodes each node group (pool) needs
//!   (`estimator/binpacking_estimator.go`, first-fit-decreasing), then one pool chosen by the
//!   expander (`expander/waste/waste.go`, `expander/price/price.go`);
//! - [`scale_down`]: which nodes are unneeded (`simulator/utilization/info.go`,
//!   `core/scaledown/eligibility/eligibility.go`), for how long, and which may be removed now;
//! - [`drain`]: PodDisruptionBudget arithmetic (`kubernetes/kubernetes`
//!   `pkg/controller/disruption/disruption.go`) and the eviction order of one node.
//!
//! Everything here is a pure function of its inputs: the time is the argument `now`, and
//! state the real CA keeps between loops (when each node became unneeded) is passed in and
//! handed back. Every rejection carries a reason, to land in `events.csv`.
//!
//! Resources are integers: CPU in milli-cores, memory in bytes ([`Resources`]).
//!
//! Deliberate simplifications (each also stated where it applies):
//! - only CPU and memory requests; no GPUs, taints, affinities, topology spread or
//!   volumes: "fits" is both requests ≤ free;
//! - scale-up does not re-simulate the scheduler on existing nodes (upstream
//!   `filterOutSchedulable`): the caller hands in pods the scheduler could not place;
//! - no `balance-similar-node-groups`, no per-pool backoff after a failed scale-up, no
//!   cluster-wide `--max-nodes-total` / `--cores-total` / `--memory-total`;
//! - least-waste divides by the template's allocatable (upstream: node capacity), and ties
//!   go to the cheaper pool, then the name (upstream: random);
//! - scale-down: pods block a node only by not fitting elsewhere; upstream's other blockers
//!   (no controller, kube-system, local storage, `safe-to-evict: false`, a PDB with no
//!   disruption left) are the caller's to add. Cooldowns are global
//!   (`--scale-down-delay-type-local=false`, the default).

pub mod drain;
pub mod scale_down;
pub mod scale_up;

pub use drain::{
    grace_period, may_evict, plan_drain, Blocked, DrainPlan, DrainPod, Eviction, IntOrPercent, Pdb,
    PdbState,
};
pub use scale_down::{
    plan_scale_down, unneeded, NodePod, NodeState, PoolSize, Rejected, Removal, ScaleDownHistory,
    ScaleDownPlan, UnneededNode, UnneededReport, UnneededSince, Unremovable,
};
pub use scale_up::{
    plan_scale_up, NoScaleUp, PendingPod, PoolState, ScaleUpDecision, ScaleUpOption,
    ScaleUpOutcome, UnfitPod,
};

use hpasim_sim::SimDuration;

/// CPU and memory as integers: the unit of every request, allocatable and free capacity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Resources {
    /// CPU [milli-cores] (`500m` = 500).
    pub cpu_milli: u64,
    /// Memory [bytes] (`512Mi` = 536 870 912).
    pub mem_bytes: u64,
}

impl Resources {
    /// Nothing: 0 m CPU, 0 B memory.
    pub const ZERO: Resources = Resources {
        cpu_milli: 0,
        mem_bytes: 0,
    };

    /// `cpu_milli` [m] and `mem_bytes` [B].
    pub const fn new(cpu_milli: u64, mem_bytes: u64) -> Resources {
        Resources {
            cpu_milli,
            mem_bytes,
        }
    }

    /// True when `self` fits into `free` in both dimensions (equality fits).
    pub fn fits_in(self, free: Resources) -> bool {
        self.cpu_milli <= free.cpu_milli && self.mem_bytes <= free.mem_bytes
    }

    /// Component-wise sum, saturating at `u64::MAX`.
    pub fn plus(self, o: Resources) -> Resources {
        Resources::new(
            self.cpu_milli.saturating_add(o.cpu_milli),
            self.mem_bytes.saturating_add(o.mem_bytes),
        )
    }

    /// Component-wise difference, saturating at zero.
    pub fn minus(self, o: Resources) -> Resources {
        Resources::new(
            self.cpu_milli.saturating_sub(o.cpu_milli),
            self.mem_bytes.saturating_sub(o.mem_bytes),
        )
    }

    /// `self` times `n` nodes, saturating.
    pub fn times(self, n: u32) -> Resources {
        Resources::new(
            self.cpu_milli.saturating_mul(u64::from(n)),
            self.mem_bytes.saturating_mul(u64::from(n)),
        )
    }

    /// Sum of many, saturating.
    pub fn sum<I: IntoIterator<Item = Resources>>(items: I) -> Resources {
        items.into_iter().fold(Resources::ZERO, Resources::plus)
    }
}

/// Which node group a scale-up grows when several could (`--expander`). Only the
/// deterministic upstream expanders are modelled: `random` (the upstream default) and
/// `most-pods`/`priority` are not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Expander {
    /// `least-waste`: the smallest sum of the wasted CPU and memory fractions of the new
    /// nodes (`expander/waste/waste.go`). Ties: lower price per node, then pool name
    /// (upstream breaks ties at random).
    #[default]
    LeastWaste,
    /// `price`, simplified: the lowest cost per pod helped (new nodes × price per node ÷ pods
    /// placed). Upstream's `expander/price/price.go` also penalises node sizes far from a
    /// preferred size; that term is not modelled. Ties: least waste, then pool name.
    Price,
}

/// The CA flags that shape its decisions, upstream defaults in [`Default`]
/// (`cluster-autoscaler/config/flags/flags.go`, `config/const.go`, FAQ.md "What are the
/// parameters to CA?").
#[derive(Clone, Debug, PartialEq)]
pub struct CaConfig {
    /// `--scan-interval`: time between two CA loops [s], default 10 s.
    pub scan_interval: SimDuration,
    /// `--scale-down-utilization-threshold`: a node whose max(cpu, memory) requested ÷
    /// allocatable is *strictly below* this [fraction] may be removed; default 0.5
    /// (`eligibility.go`: utilization `>=` threshold is NotUnderutilized).
    pub scale_down_utilization_threshold: f64,
    /// `--scale-down-unneeded-time`: how long a node must stay unneeded before removal [s],
    /// default 10 min.
    pub scale_down_unneeded_time: SimDuration,
    /// `--scale-down-delay-after-add`: no scale-down until this long after the last
    /// scale-up [s], default 10 min.
    pub scale_down_delay_after_add: SimDuration,
    /// `--scale-down-delay-after-delete`: no scale-down until this long after the last node
    /// deletion [s]; the flag's 0 default reads as one scan interval (older `flags.go` help:
    /// "defaults to scanInterval"), so 10 s here.
    pub scale_down_delay_after_delete: SimDuration,
    /// `--scale-down-delay-after-failure`: no scale-down until this long after a failed
    /// scale-down [s], default 3 min.
    pub scale_down_delay_after_failure: SimDuration,
    /// `--max-node-provision-time`: a requested node not registered after this long is
    /// given up [s], default 15 min; it no longer counts as capacity coming.
    pub max_node_provision_time: SimDuration,
    /// `--expander`: how the pool to grow is chosen, default here `least-waste` (upstream's
    /// default `random` is not deterministic).
    pub expander: Expander,
    /// `--max-empty-bulk-delete`: empty nodes removed at once in one loop [nodes], default 10.
    pub max_empty_bulk_delete: u32,
    /// `--max-graceful-termination-sec`: cap on a drained pod's grace period [s], default 600.
    pub max_graceful_termination_sec: u32,
    /// `--new-pod-scale-up-delay`: pending pods younger than this are ignored by scale-up
    /// [s], default 0 s.
    pub new_pod_scale_up_delay: SimDuration,
    /// `--ignore-daemonsets-utilization`: when true, DaemonSet pods' requests leave both the
    /// numerator and the allocatable of a node's utilization (`utilization/info.go`);
    /// default false (they count).
    pub ignore_daemonsets_utilization: bool,
}

impl Default for CaConfig {
    fn default() -> CaConfig {
        const MIN: u64 = 60;
        CaConfig {
            scan_interval: SimDuration::from_secs(10),
            scale_down_utilization_threshold: 0.5,
            scale_down_unneeded_time: SimDuration::from_secs(10 * MIN),
            scale_down_delay_after_add: SimDuration::from_secs(10 * MIN),
            scale_down_delay_after_delete: SimDuration::from_secs(10),
            scale_down_delay_after_failure: SimDuration::from_secs(3 * MIN),
            max_node_provision_time: SimDuration::from_secs(15 * MIN),
            expander: Expander::LeastWaste,
            max_empty_bulk_delete: 10,
            max_graceful_termination_sec: 600,
            new_pod_scale_up_delay: SimDuration::ZERO,
            ignore_daemonsets_utilization: false,
        }
    }
}

/// `Mi` [bytes], for readable tests and fixtures.
pub const MIB: u64 = 1024 * 1024;
/// `Gi` [bytes].
pub const GIB: u64 = 1024 * MIB;

/// `r` as `cpu=…m mem=…Mi`, the form used in reasons.
pub fn describe(r: Resources) -> String {
    format!("cpu={}m mem={}Mi", r.cpu_milli, r.mem_bytes / MIB)
}

#[cfg(test)]
mod tests;
