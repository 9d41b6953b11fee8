//! The kube-scheduler's placement of one pod, as a pure function of the nodes and the pod's
//! requests. Upstream names below are in `pkg/scheduler/`.
//!
//! Filter, per node, in the default plugin order, stopping at the first plugin that rejects:
//! - `NodeUnschedulable` (`framework/plugins/nodeunschedulable`): a cordoned or draining node
//!   rejects with "node(s) were unschedulable".
//! - `NodeResourcesFit` (`framework/plugins/noderesources/fit.go`, `fitsRequest`): every
//!   shortfall is a reason: "Too many pods" when the node's pods + 1 exceed its pod slots,
//!   "Insufficient cpu" / "Insufficient memory" when a non-zero request exceeds allocatable
//!   minus requested.
//!
//! Score, among the nodes that pass ([`Policy`]): `NodeResourcesFit` with the
//! `LeastAllocated` (default) or `MostAllocated` strategy over cpu and memory, weight 1 each.
//!
//! When no node passes, [`Unschedulable`]'s `Display` is `FitError.Error()`
//! (`framework/types.go`): "0/N nodes are available: " then each reason with the number of
//! nodes that gave it, sorted as strings and joined with ", ", then ".".
//!
//! Deliberate differences, for determinism and because the world does not model them: ties
//! go to the lowest index (upstream picks uniformly at random among the best); every node is
//! scored (no `percentageOfNodesToScore`); the other score plugins (BalancedAllocation,
//! TaintToleration, ImageLocality, spreading) and the non-zero scoring defaults for pods without
//! requests (100m, 200Mi) are not applied; the preemption suffix upstream adds ("preemption:
//! 0/N nodes are available: N No preemption victims found for incoming pod.") is left out, as
//! all the simulated pods share one priority.

use super::resources::Resources;
use std::fmt;

/// Upstream `framework.MaxNodeScore`: the best score of one plugin.
pub const MAX_NODE_SCORE: u64 = 100;

/// One node as the scheduler sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeView {
    /// Index of the node's pool [index into the cluster's pools].
    pub pool: usize,
    /// What the workload's pods may use: `status.allocatable` minus the DaemonSet pods'
    /// requests [milli-cores, bytes, pod slots].
    pub allocatable: Resources,
    /// Sum of the requests of the pods bound to it, DaemonSets excluded [milli-cores, bytes,
    /// pods].
    pub requested: Resources,
    /// False when cordoned (`spec.unschedulable`) or draining.
    pub schedulable: bool,
}

/// How the scheduler chooses among the nodes that fit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Policy {
    /// The lowest-index node that fits (a bin-packing baseline, not an upstream strategy).
    FirstFit,
    /// `NodeResourcesFit` `LeastAllocated` (upstream default): the emptiest node after placing
    /// the pod (`noderesources/least_allocated.go`, `leastResourceScorer`).
    #[default]
    LeastAllocated,
    /// `NodeResourcesFit` `MostAllocated`: the fullest node after placing the pod
    /// (`noderesources/most_allocated.go`, `mostResourceScorer`).
    MostAllocated,
}

/// Where the pod goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Bound to the node at this index of the slice given to [`place`].
    Node(usize),
    /// No node passes the filters: the pod stays Pending (`PodScheduled=False`, reason
    /// `Unschedulable`), which is what the cluster autoscaler reacts to.
    Unschedulable(Unschedulable),
}

/// Why a pod fits no node: how many nodes gave each filter reason (a node short of both cpu
/// and memory counts in both).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Unschedulable {
    /// Nodes considered [count].
    pub nodes: usize,
    /// Cordoned or draining nodes: "node(s) were unschedulable" [count].
    pub not_schedulable: usize,
    /// Nodes with no free pod slot: "Too many pods" [count].
    pub too_many_pods: usize,
    /// Nodes with too little free CPU: "Insufficient cpu" [count].
    pub insufficient_cpu: usize,
    /// Nodes with too little free memory: "Insufficient memory" [count].
    pub insufficient_memory: usize,
}

impl fmt::Display for Unschedulable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut reasons: Vec<String> = [
            (self.not_schedulable, "node(s) were unschedulable"),
            (self.too_many_pods, "Too many pods"),
            (self.insufficient_cpu, "Insufficient cpu"),
            (self.insufficient_memory, "Insufficient memory"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, r)| format!("{n} {r}"))
        .collect();
        reasons.sort();
        write!(f, "0/{} nodes are available", self.nodes)?;
        if !reasons.is_empty() {
            write!(f, ": {}", reasons.join(", "))?;
        }
        f.write_str(".")
    }
}

/// The filter reasons of one node for `pod`; all false when the pod fits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rejection {
    /// Cordoned or draining (then no other reason is checked).
    pub not_schedulable: bool,
    /// No free pod slot.
    pub too_many_pods: bool,
    /// Requested CPU above free CPU.
    pub insufficient_cpu: bool,
    /// Requested memory above free memory.
    pub insufficient_memory: bool,
}

impl Rejection {
    /// Whether the node passes every filter.
    pub fn fits(self) -> bool {
        self == Rejection::default()
    }
}

/// Runs the filters of one node for a pod requesting `pod` [milli-cores, bytes; `pod.pods`
/// is ignored: a pod takes one slot] (`NodeUnschedulable`, then `fitsRequest`).
pub fn filter(node: &NodeView, pod: &Resources) -> Rejection {
    if !node.schedulable {
        return Rejection {
            not_schedulable: true,
            ..Rejection::default()
        };
    }
    let free = node.allocatable.saturating_sub(node.requested);
    Rejection {
        not_schedulable: false,
        too_many_pods: u64::from(node.requested.pods) + 1 > u64::from(node.allocatable.pods),
        insufficient_cpu: pod.cpu_millis > 0 && pod.cpu_millis > free.cpu_millis,
        insufficient_memory: pod.memory_bytes > 0 && pod.memory_bytes > free.memory_bytes,
    }
}

/// Upstream `leastRequestedScore`: `(capacity − requested) × 100 / capacity` in integers, 0 when
/// the capacity is 0 or the request exceeds it; `requested` includes the incoming pod.
pub fn least_requested_score(requested: u64, capacity: u64) -> u64 {
    if capacity == 0 || requested > capacity {
        return 0;
    }
    let score =
        u128::from(capacity - requested) * u128::from(MAX_NODE_SCORE) / u128::from(capacity);
    score as u64 // ≤ 100
}

/// Upstream `mostRequestedScore`: `requested × 100 / capacity` in integers, the request capped
/// at the capacity, 0 when the capacity is 0; `requested` includes the incoming pod.
pub fn most_requested_score(requested: u64, capacity: u64) -> u64 {
    if capacity == 0 {
        return 0;
    }
    let score =
        u128::from(requested.min(capacity)) * u128::from(MAX_NODE_SCORE) / u128::from(capacity);
    score as u64 // ≤ 100
}

/// The `NodeResourcesFit` score [0, 100] of `node` for `pod` under `policy` (upstream
/// `resourceAllocationScorer.score`: per-resource scores over cpu and memory, weight 1 each,
/// summed and divided by the weight sum in integers). `FirstFit` scores every node 0.
pub fn score(node: &NodeView, pod: &Resources, policy: Policy) -> u64 {
    let scorer: fn(u64, u64) -> u64 = match policy {
        Policy::FirstFit => return 0,
        Policy::LeastAllocated => least_requested_score,
        Policy::MostAllocated => most_requested_score,
    };
    let cpu = node.requested.cpu_millis.saturating_add(pod.cpu_millis);
    let memory = node.requested.memory_bytes.saturating_add(pod.memory_bytes);
    (scorer(cpu, node.allocatable.cpu_millis) + scorer(memory, node.allocatable.memory_bytes)) / 2
}

/// Places a pod requesting `pod` [milli-cores, bytes] on one of `nodes` under `policy`: the
/// best-scoring node that passes the filters, the lowest index among equals.
pub fn place(nodes: &[NodeView], pod: &Resources, policy: Policy) -> Placement {
    let mut why = Unschedulable {
        nodes: nodes.len(),
        ..Unschedulable::default()
    };
    let mut best: Option<(usize, u64)> = None;
    for (i, node) in nodes.iter().enumerate() {
        let r = filter(node, pod);
        if !r.fits() {
            why.not_schedulable += usize::from(r.not_schedulable);
            why.too_many_pods += usize::from(r.too_many_pods);
            why.insufficient_cpu += usize::from(r.insufficient_cpu);
            why.insufficient_memory += usize::from(r.insufficient_memory);
            continue;
        }
        if policy == Policy::FirstFit {
            return Placement::Node(i);
        }
        let s = score(node, pod, policy);
        if best.is_none_or(|(_, b)| s > b) {
            best = Some((i, s));
        }
    }
    match best {
        Some((i, _)) => Placement::Node(i),
        None => Placement::Unschedulable(why),
    }
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
