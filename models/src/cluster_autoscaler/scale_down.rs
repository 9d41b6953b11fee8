//! Scale-down: which nodes are unneeded, since when, and which may go now.
//!
//! Upstream (`kubernetes/autoscaler`, `cluster-autoscaler/`):
//! - utilization (`simulator/utilization/info.go`): per resource, the sum of pod requests
//!   ÷ allocatable, the node's value the max of CPU and memory; with
//!   `--ignore-daemonsets-utilization` DaemonSet requests leave both the sum and the
//!   allocatable;
//! - eligibility (`core/scaledown/eligibility/eligibility.go`): utilization `>=` threshold
//!   is NotUnderutilized, so a node exactly at the threshold stays;
//! - a candidate's non-DaemonSet pods must fit elsewhere (`simulator/cluster.go`
//!   `FindNodesToRemove`; here first fit on the other nodes' free requests, capacity used
//!   by earlier candidates' pods stays used, and unneeded nodes are no destinations);
//! - unneeded time (`core/scaledown/unneeded/nodes.go`): removable once
//!   `since + unneeded_time <= now`;
//! - cooldowns (`static_autoscaler.go`): no removal while `last + delay > now` for
//!   delay-after-add, -failure and -delete; unneeded nodes are still tracked meanwhile;
//! - pool minimum, empty nodes in bulk up to `--max-empty-bulk-delete`, one non-empty node
//!   per loop and none in a loop that removes empty ones (FAQ "How does scale-down work?").

use super::{CaConfig, Resources};
use hpasim_sim::{SimDuration, SimTime};
use std::collections::BTreeMap;

/// A pod running on a node.
#[derive(Clone, Debug, PartialEq)]
pub struct NodePod {
    /// Pod name.
    pub name: String,
    /// Sum of its containers' requests [m, B].
    pub requests: Resources,
    /// True for a DaemonSet pod: it never moves and dies with its node.
    pub daemonset: bool,
}

/// A registered node.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeState {
    /// Node name, unique.
    pub name: String,
    /// Its node group.
    pub pool: String,
    /// Allocatable [m, B].
    pub allocatable: Resources,
    /// Pods bound to it (DaemonSet pods included).
    pub pods: Vec<NodePod>,
}

impl NodeState {
    /// Allocatable minus every pod's requests [m, B].
    pub fn free(&self) -> Resources {
        self.allocatable
            .minus(Resources::sum(self.pods.iter().map(|p| p.requests)))
    }

    /// True when it runs no pod except DaemonSet pods.
    pub fn is_empty(&self) -> bool {
        self.pods.iter().all(|p| p.daemonset)
    }

    /// max(cpu, memory) requested ÷ allocatable [fraction]; 0 when allocatable is zero.
    pub fn utilization(&self, ignore_daemonsets: bool) -> f64 {
        let sum = |ds: bool| {
            Resources::sum(
                self.pods
                    .iter()
                    .filter(|p| p.daemonset == ds)
                    .map(|p| p.requests),
            )
        };
        let (mut used, ds) = (sum(false), sum(true));
        let mut alloc = self.allocatable;
        if ignore_daemonsets {
            alloc = alloc.minus(ds);
        } else {
            used = used.plus(ds);
        }
        let frac = |u: u64, a: u64| if a == 0 { 0.0 } else { u as f64 / a as f64 };
        frac(used.cpu_milli, alloc.cpu_milli).max(frac(used.mem_bytes, alloc.mem_bytes))
    }
}

/// When each node became unneeded: kept by the caller between loops, handed back updated.
pub type UnneededSince = BTreeMap<String, SimTime>;

/// Why a node is not removed (now).
#[derive(Clone, Debug, PartialEq)]
pub enum Unremovable {
    /// Utilization at or above the threshold [fraction].
    NotUnderutilized {
        /// The node's utilization [fraction].
        utilization: f64,
    },
    /// This pod fits on no other node.
    PodsCannotMove {
        /// The first pod that found no room.
        pod: String,
    },
    /// Unneeded, but not for `scale_down_unneeded_time` yet.
    NotUnneededLongEnough {
        /// Time still to wait [s].
        remaining: SimDuration,
    },
    /// Within `scale_down_delay_after_add` of the last scale-up.
    DelayAfterAdd {
        /// Time still to wait [s].
        remaining: SimDuration,
    },
    /// Within `scale_down_delay_after_failure` of the last failed scale-down.
    DelayAfterFailure {
        /// Time still to wait [s].
        remaining: SimDuration,
    },
    /// Within `scale_down_delay_after_delete` of the last node deletion.
    DelayAfterDelete {
        /// Time still to wait [s].
        remaining: SimDuration,
    },
    /// Removing it would take its pool below `min_nodes` [nodes].
    MinSize {
        /// The pool's minimum size [nodes].
        min_nodes: u32,
    },
    /// Its pool is unknown to the CA (not autoscaled).
    NotAutoscaled,
    /// Empty, but `max_empty_bulk_delete` empty nodes already go in this loop.
    EmptyBulkLimit,
    /// Non-empty, and another node already goes in this loop.
    OneNonEmptyPerScan,
}

/// A node kept, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Rejected {
    /// Node name.
    pub node: String,
    /// Why it stays.
    pub reason: Unremovable,
}

/// A node found unneeded in this loop.
#[derive(Clone, Debug, PartialEq)]
pub struct UnneededNode {
    /// Node name.
    pub node: String,
    /// Its pool.
    pub pool: String,
    /// Its utilization [fraction].
    pub utilization: f64,
    /// True when it runs only DaemonSet pods.
    pub empty: bool,
    /// Unneeded since [sim time].
    pub since: SimTime,
}

/// [`unneeded`]'s answer: the candidates, the others with reasons, the updated map.
#[derive(Clone, Debug, PartialEq)]
pub struct UnneededReport {
    /// Unneeded nodes, least utilized first.
    pub unneeded: Vec<UnneededNode>,
    /// Nodes that are needed, with the reason.
    pub rejected: Vec<Rejected>,
    /// The map to pass to the next loop: only the nodes unneeded now.
    pub since: UnneededSince,
}

/// Finds the unneeded nodes at `now` and updates when each became unneeded.
pub fn unneeded(
    now: SimTime,
    nodes: &[NodeState],
    cfg: &CaConfig,
    since: &UnneededSince,
) -> UnneededReport {
    let mut report = UnneededReport {
        unneeded: Vec::new(),
        rejected: Vec::new(),
        since: UnneededSince::new(),
    };
    let mut candidates = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        let u = n.utilization(cfg.ignore_daemonsets_utilization);
        if u < cfg.scale_down_utilization_threshold {
            candidates.push((i, u));
        } else {
            let reason = Unremovable::NotUnderutilized { utilization: u };
            report.rejected.push(rejected(n, reason));
        }
    }
    candidates.sort_by(|a, b| {
        a.1.total_cmp(&b.1)
            .then(nodes[a.0].name.cmp(&nodes[b.0].name))
    });
    let mut free: Vec<Resources> = nodes.iter().map(NodeState::free).collect();
    let mut gone = vec![false; nodes.len()];
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    order.sort_by(|&a, &b| nodes[a].name.cmp(&nodes[b].name));
    for (i, u) in candidates {
        let node = &nodes[i];
        match try_move(i, nodes, &order, &gone, &free) {
            Ok(after) => {
                free = after;
                gone[i] = true;
                let at = since.get(&node.name).copied().unwrap_or(now);
                report.since.insert(node.name.clone(), at);
                report.unneeded.push(UnneededNode {
                    node: node.name.clone(),
                    pool: node.pool.clone(),
                    utilization: u,
                    empty: node.is_empty(),
                    since: at,
                });
            }
            Err(pod) => report
                .rejected
                .push(rejected(node, Unremovable::PodsCannotMove { pod })),
        }
    }
    report
}

fn rejected(n: &NodeState, reason: Unremovable) -> Rejected {
    Rejected {
        node: n.name.clone(),
        reason,
    }
}

/// First fit of node `i`'s movable pods (biggest first) onto the other live nodes in name
/// order: the free capacities afterwards, or the first pod that found no room.
fn try_move(
    i: usize,
    nodes: &[NodeState],
    order: &[usize],
    gone: &[bool],
    free: &[Resources],
) -> Result<Vec<Resources>, String> {
    let mut free = free.to_vec();
    let mut pods: Vec<&NodePod> = nodes[i].pods.iter().filter(|p| !p.daemonset).collect();
    pods.sort_by(|a, b| {
        b.requests
            .cpu_milli
            .cmp(&a.requests.cpu_milli)
            .then(b.requests.mem_bytes.cmp(&a.requests.mem_bytes))
            .then(a.name.cmp(&b.name))
    });
    for pod in pods {
        let dest = order
            .iter()
            .copied()
            .find(|&j| j != i && !gone[j] && pod.requests.fits_in(free[j]));
        match dest {
            Some(j) => free[j] = free[j].minus(pod.requests),
            None => return Err(pod.name.clone()),
        }
    }
    Ok(free)
}

/// A node group's size bounds.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolSize {
    /// Pool name.
    pub name: String,
    /// Target size, including nodes still provisioning [nodes].
    pub target_size: u32,
    /// Minimum size [nodes].
    pub min_nodes: u32,
}

/// The last scale events the cooldowns measure from (all optional: never happened).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ScaleDownHistory {
    /// Last scale-up [sim time].
    pub last_scale_up: Option<SimTime>,
    /// Last node deletion [sim time].
    pub last_delete: Option<SimTime>,
    /// Last failed scale-down [sim time].
    pub last_failure: Option<SimTime>,
}

/// A node to delete now.
#[derive(Clone, Debug, PartialEq)]
pub struct Removal {
    /// Node name.
    pub node: String,
    /// Its pool.
    pub pool: String,
    /// True when it runs only DaemonSet pods (deleted without a drain).
    pub empty: bool,
    /// Its utilization [fraction].
    pub utilization: f64,
}

/// [`plan_scale_down`]'s answer.
#[derive(Clone, Debug, PartialEq)]
pub struct ScaleDownPlan {
    /// Nodes to delete now: empty ones in bulk, or one non-empty one.
    pub remove: Vec<Removal>,
    /// Every other node, with the reason it stays.
    pub rejected: Vec<Rejected>,
    /// The unneeded-since map for the next loop.
    pub since: UnneededSince,
}

fn cooldown(now: SimTime, last: Option<SimTime>, delay: SimDuration) -> Option<SimDuration> {
    let end = last?.saturating_add(delay);
    (end > now).then(|| end - now)
}

/// One scale-down pass at `now`.
pub fn plan_scale_down(
    now: SimTime,
    nodes: &[NodeState],
    pools: &[PoolSize],
    history: &ScaleDownHistory,
    cfg: &CaConfig,
    since: &UnneededSince,
) -> ScaleDownPlan {
    let report = unneeded(now, nodes, cfg, since);
    let mut plan = ScaleDownPlan {
        remove: Vec::new(),
        rejected: report.rejected,
        since: report.since,
    };
    let blocked = cooldown(now, history.last_scale_up, cfg.scale_down_delay_after_add)
        .map(|remaining| Unremovable::DelayAfterAdd { remaining })
        .or_else(|| {
            cooldown(
                now,
                history.last_failure,
                cfg.scale_down_delay_after_failure,
            )
            .map(|remaining| Unremovable::DelayAfterFailure { remaining })
        })
        .or_else(|| {
            cooldown(now, history.last_delete, cfg.scale_down_delay_after_delete)
                .map(|remaining| Unremovable::DelayAfterDelete { remaining })
        });
    let mut order = report.unneeded;
    order.sort_by_key(|n| !n.empty); // stable: empty first, each least utilized first
    let mut removed_in: BTreeMap<&str, u32> = BTreeMap::new();
    let mut empties = 0;
    for n in &order {
        let reason = if let Some(r) = &blocked {
            Some(r.clone())
        } else if let Some(remaining) = cooldown(now, Some(n.since), cfg.scale_down_unneeded_time) {
            Some(Unremovable::NotUnneededLongEnough { remaining })
        } else if let Some(pool) = pools.iter().find(|p| p.name == n.pool) {
            let gone = removed_in.get(pool.name.as_str()).copied().unwrap_or(0);
            if pool.target_size.saturating_sub(gone) <= pool.min_nodes {
                Some(Unremovable::MinSize {
                    min_nodes: pool.min_nodes,
                })
            } else if n.empty && empties >= cfg.max_empty_bulk_delete {
                Some(Unremovable::EmptyBulkLimit)
            } else if !n.empty && !plan.remove.is_empty() {
                Some(Unremovable::OneNonEmptyPerScan)
            } else {
                None
            }
        } else {
            Some(Unremovable::NotAutoscaled)
        };
        match reason {
            Some(reason) => plan.rejected.push(Rejected {
                node: n.node.clone(),
                reason,
            }),
            None => {
                *removed_in.entry(n.pool.as_str()).or_insert(0) += 1;
                empties += u32::from(n.empty);
                plan.remove.push(Removal {
                    node: n.node.clone(),
                    pool: n.pool.clone(),
                    empty: n.empty,
                    utilization: n.utilization,
                });
            }
        }
    }
    plan
}
