//! Scale-up: unschedulable pods → one node group grown by n template nodes.
//!
//! Upstream (`kubernetes/autoscaler`, `cluster-autoscaler/core/scaleup/orchestrator`,
//! `estimator/binpacking_estimator.go`, `expander/waste/waste.go`):
//! 1. pods younger than `--new-pod-scale-up-delay` wait;
//! 2. nodes already requested but not yet registered ("upcoming") are added to the cluster
//!    snapshot as template nodes, so pods they can hold trigger nothing (FAQ "How does
//!    scale-up work?"); here, a requested node older than `--max-node-provision-time` is
//!    given up and no longer counts;
//! 3. per node group, the pods that fit one template node (allocatable minus DaemonSet
//!    overhead) are packed first-fit-decreasing into new template nodes, capped by
//!    `max_nodes - target size`;
//! 4. the expander picks one option.

use super::{describe, CaConfig, Expander, Resources};
use hpasim_sim::SimTime;
use std::cmp::Ordering;

/// A pod the scheduler could not place.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingPod {
    /// Pod name, unique among the pending pods.
    pub name: String,
    /// Sum of its containers' requests [m, B].
    pub requests: Resources,
    /// When it became unschedulable [sim time], for `new_pod_scale_up_delay`.
    pub pending_since: SimTime,
}

/// One node group (pool) as the CA sees it at the start of a loop.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolState {
    /// Node group name, unique; the final tie-breaker.
    pub name: String,
    /// Allocatable of one new node from the template [m, B].
    pub allocatable: Resources,
    /// Requests of the DaemonSet pods every new node runs [m, B].
    pub daemonset_overhead: Resources,
    /// Target size: registered nodes plus those requested and not yet registered [nodes].
    pub target_size: u32,
    /// Request times of the nodes not registered yet [sim time], included in `target_size`.
    pub provisioning_since: Vec<SimTime>,
    /// Node group maximum size [nodes].
    pub max_nodes: u32,
    /// Price of one node [currency/h], for the `price` expander and tie-breaks.
    pub price_per_node_hour: f64,
}

impl PoolState {
    /// What one new node offers to ordinary pods: allocatable minus DaemonSet requests.
    pub fn template_free(&self) -> Resources {
        self.allocatable.minus(self.daemonset_overhead)
    }

    fn upcoming(&self, now: SimTime, cfg: &CaConfig) -> u32 {
        let live = self
            .provisioning_since
            .iter()
            .filter(|&&t| now.saturating_since(t) < cfg.max_node_provision_time)
            .count();
        u32::try_from(live).unwrap_or(u32::MAX)
    }
}

/// A pod no node group's template can ever hold, with the reason.
#[derive(Clone, Debug, PartialEq)]
pub struct UnfitPod {
    /// Pod name.
    pub pod: String,
    /// "pod X does not fit any node group: requests …, largest allocatable cpu=… (pool …)",
    /// the largest by CPU of the templates' allocatable minus DaemonSet overhead.
    pub reason: String,
}

/// What growing one pool would do (the upstream `expander.Option`).
#[derive(Clone, Debug, PartialEq)]
pub struct ScaleUpOption {
    /// Pool name.
    pub pool: String,
    /// New nodes [nodes], at most `max_nodes - target_size`.
    pub add_nodes: u32,
    /// Pods placed on the new nodes, in packing order.
    pub pods: Vec<String>,
    /// Least-waste score: wasted CPU fraction + wasted memory fraction of the new nodes'
    /// allocatable [0, 2] (DaemonSet overhead counts as waste, as upstream, whose
    /// denominator is the node capacity).
    pub waste: f64,
    /// `add_nodes × price_per_node_hour ÷ pods.len()` [currency/h per pod].
    pub cost_per_pod: f64,
}

/// Why nothing is added this loop.
#[derive(Clone, Debug, PartialEq)]
pub enum NoScaleUp {
    /// No pending pod.
    NoPendingPods,
    /// Every pending pod is younger than `new_pod_scale_up_delay`.
    PodsTooYoung,
    /// Every eligible pod fits on nodes already being provisioned.
    CoveredByUpcomingNodes,
    /// No eligible pod fits any pool's template (see [`ScaleUpDecision::unfit`]).
    NothingFits,
    /// Pods fit some template, but every such pool is at `max_nodes` (pool names).
    MaxSizeReached(Vec<String>),
}

/// The decision of one loop.
#[derive(Clone, Debug, PartialEq)]
pub enum ScaleUpOutcome {
    /// Grow `pool` by `add_nodes` for `pods`; `reason` names the expander's grounds.
    ScaleUp {
        /// Pool name.
        pool: String,
        /// Nodes to add [nodes].
        add_nodes: u32,
        /// Pods the new nodes are for.
        pods: Vec<String>,
        /// Human-readable grounds for the choice.
        reason: String,
    },
    /// No change, and why.
    NoScaleUp(NoScaleUp),
}

/// [`plan_scale_up`]'s answer, with everything an event log needs.
#[derive(Clone, Debug, PartialEq)]
pub struct ScaleUpDecision {
    /// The decision.
    pub outcome: ScaleUpOutcome,
    /// Every option the expander compared, in pool-name order.
    pub options: Vec<ScaleUpOption>,
    /// Pods no template can hold.
    pub unfit: Vec<UnfitPod>,
    /// Pods expected on nodes already provisioning: (pod, pool).
    pub awaiting: Vec<(String, String)>,
    /// Pods younger than `new_pod_scale_up_delay`.
    pub too_young: Vec<String>,
}

/// Biggest first: CPU, then memory, then name (deterministic first-fit-decreasing order).
fn decreasing(a: &&PendingPod, b: &&PendingPod) -> Ordering {
    b.requests
        .cpu_milli
        .cmp(&a.requests.cpu_milli)
        .then(b.requests.mem_bytes.cmp(&a.requests.mem_bytes))
        .then(a.name.cmp(&b.name))
}

/// First-fit-decreasing of `pods` (already in decreasing order) into new nodes of `free`
/// each, at most `max_nodes` of them: the pods placed and the nodes opened.
fn first_fit<'a>(
    pods: &[&'a PendingPod],
    free: Resources,
    max_nodes: u32,
) -> (Vec<&'a PendingPod>, u32) {
    let mut bins: Vec<Resources> = Vec::new();
    let mut placed = Vec::new();
    for &pod in pods {
        if let Some(bin) = bins.iter_mut().find(|b| pod.requests.fits_in(**b)) {
            *bin = bin.minus(pod.requests);
            placed.push(pod);
        } else if (bins.len() as u64) < u64::from(max_nodes) && pod.requests.fits_in(free) {
            bins.push(free.minus(pod.requests));
            placed.push(pod);
        }
    }
    (placed, u32::try_from(bins.len()).unwrap_or(u32::MAX))
}

fn fraction_wasted(avail: u64, used: u64) -> f64 {
    if avail == 0 {
        return 0.0;
    }
    avail.saturating_sub(used) as f64 / avail as f64
}

fn option_for(pool: &PoolState, pods: &[&PendingPod], room: u32) -> Option<ScaleUpOption> {
    let fitting: Vec<&PendingPod> = pods
        .iter()
        .copied()
        .filter(|p| p.requests.fits_in(pool.template_free()))
        .collect();
    let (placed, nodes) = first_fit(&fitting, pool.template_free(), room);
    if nodes == 0 {
        return None;
    }
    let avail = pool.allocatable.times(nodes);
    let used = Resources::sum(placed.iter().map(|p| p.requests));
    let waste = fraction_wasted(avail.cpu_milli, used.cpu_milli)
        + fraction_wasted(avail.mem_bytes, used.mem_bytes);
    Some(ScaleUpOption {
        pool: pool.name.clone(),
        add_nodes: nodes,
        pods: placed.iter().map(|p| p.name.clone()).collect(),
        waste,
        cost_per_pod: f64::from(nodes) * pool.price_per_node_hour / placed.len() as f64,
    })
}

fn unfit_reason(pod: &PendingPod, pools: &[PoolState]) -> String {
    let largest = pools
        .iter()
        .max_by(|a, b| {
            let (fa, fb) = (a.template_free(), b.template_free());
            fa.cpu_milli
                .cmp(&fb.cpu_milli)
                .then(fa.mem_bytes.cmp(&fb.mem_bytes))
                .then(b.name.cmp(&a.name))
        })
        .map_or("no node group".to_string(), |p| {
            format!(
                "largest allocatable {} (pool {})",
                describe(p.template_free()),
                p.name
            )
        });
    format!(
        "pod {} does not fit any node group: requests {}, {}",
        pod.name,
        describe(pod.requests),
        largest
    )
}

fn price_of(pools: &[PoolState], name: &str) -> f64 {
    pools
        .iter()
        .find(|p| p.name == name)
        .map_or(f64::INFINITY, |p| p.price_per_node_hour)
}

/// The expander: the best option and the grounds, or `None` without options.
fn choose<'a>(
    options: &'a [ScaleUpOption],
    pools: &[PoolState],
    expander: Expander,
) -> Option<(&'a ScaleUpOption, String)> {
    let by_waste = |a: &ScaleUpOption, b: &ScaleUpOption| a.waste.total_cmp(&b.waste);
    let by_price = |a: &ScaleUpOption, b: &ScaleUpOption| {
        price_of(pools, &a.pool).total_cmp(&price_of(pools, &b.pool))
    };
    let by_cost = |a: &ScaleUpOption, b: &ScaleUpOption| a.cost_per_pod.total_cmp(&b.cost_per_pod);
    let best = options.iter().min_by(|a, b| {
        match expander {
            Expander::LeastWaste => by_waste(a, b).then(by_price(a, b)),
            Expander::Price => by_cost(a, b).then(by_waste(a, b)),
        }
        .then(a.pool.cmp(&b.pool))
    })?;
    let grounds = match expander {
        Expander::LeastWaste => format!(
            "least-waste: pool {} wastes {:.4} (cpu + memory fractions) for {} pods on {} nodes",
            best.pool,
            best.waste,
            best.pods.len(),
            best.add_nodes
        ),
        Expander::Price => format!(
            "price: pool {} costs {:.4}/h per pod for {} pods on {} nodes",
            best.pool,
            best.cost_per_pod,
            best.pods.len(),
            best.add_nodes
        ),
    };
    Some((best, format!("{grounds}; {} options", options.len())))
}

/// One scale-up pass at `now`: which pool grows, by how many nodes, for which pods.
pub fn plan_scale_up(
    now: SimTime,
    pending: &[PendingPod],
    pools: &[PoolState],
    cfg: &CaConfig,
) -> ScaleUpDecision {
    let mut decision = ScaleUpDecision {
        outcome: ScaleUpOutcome::NoScaleUp(NoScaleUp::NoPendingPods),
        options: Vec::new(),
        unfit: Vec::new(),
        awaiting: Vec::new(),
        too_young: Vec::new(),
    };
    if pending.is_empty() {
        return decision;
    }
    let (eligible, young): (Vec<&PendingPod>, Vec<&PendingPod>) = pending
        .iter()
        .partition(|p| now.saturating_since(p.pending_since) >= cfg.new_pod_scale_up_delay);
    decision.too_young = young.iter().map(|p| p.name.clone()).collect();
    if eligible.is_empty() {
        decision.outcome = ScaleUpOutcome::NoScaleUp(NoScaleUp::PodsTooYoung);
        return decision;
    }
    let mut pools_sorted: Vec<&PoolState> = pools.iter().collect();
    pools_sorted.sort_by(|a, b| a.name.cmp(&b.name));

    // Upcoming nodes first: empty template nodes, pool by pool in name order.
    let mut sorted = eligible;
    sorted.sort_by(decreasing);
    let mut bins = Vec::new();
    let mut owner = Vec::new();
    for pool in &pools_sorted {
        for _ in 0..pool.upcoming(now, cfg) {
            bins.push(pool.template_free());
            owner.push(pool.name.clone());
        }
    }
    let mut remaining = Vec::new();
    for pod in sorted {
        match bins.iter().position(|f| pod.requests.fits_in(*f)) {
            Some(i) => {
                bins[i] = bins[i].minus(pod.requests);
                decision.awaiting.push((pod.name.clone(), owner[i].clone()));
            }
            None => remaining.push(pod),
        }
    }
    if remaining.is_empty() {
        decision.outcome = ScaleUpOutcome::NoScaleUp(NoScaleUp::CoveredByUpcomingNodes);
        return decision;
    }

    let (fits, unfit): (Vec<&PendingPod>, Vec<&PendingPod>) = remaining
        .into_iter()
        .partition(|p| pools.iter().any(|g| p.requests.fits_in(g.template_free())));
    decision.unfit = unfit
        .iter()
        .map(|p| UnfitPod {
            pod: p.name.clone(),
            reason: unfit_reason(p, pools),
        })
        .collect();
    if fits.is_empty() {
        decision.outcome = ScaleUpOutcome::NoScaleUp(NoScaleUp::NothingFits);
        return decision;
    }
    let mut at_max = Vec::new();
    for pool in &pools_sorted {
        let useful = fits
            .iter()
            .any(|p| p.requests.fits_in(pool.template_free()));
        let room = pool.max_nodes.saturating_sub(pool.target_size);
        if useful && room == 0 {
            at_max.push(pool.name.clone());
        }
        if let Some(o) = option_for(pool, &fits, room) {
            decision.options.push(o);
        }
    }
    decision.outcome = match choose(&decision.options, pools, cfg.expander) {
        Some((best, reason)) => ScaleUpOutcome::ScaleUp {
            pool: best.pool.clone(),
            add_nodes: best.add_nodes,
            pods: best.pods.clone(),
            reason,
        },
        None => ScaleUpOutcome::NoScaleUp(NoScaleUp::MaxSizeReached(at_max)),
    };
    decision
}
