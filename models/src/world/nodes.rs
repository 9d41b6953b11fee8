//! Nodes in the world: placement of pods, Unschedulable pods, node provisioning, node cost,
//! the warm-node buffer (overprovisioning placeholders) and node faults.
//!
//! ```text
//!  pod created ─schedule latency─▶ scheduler: fits a Ready node? ── yes ─▶ bound: image pull
//!        │                                  │                           (cached on the node,
//!        │                                  │                            else a full pull)
//!        │                                  └─ no: evict placeholders that make room, or
//!        │                                      Pending (Unschedulable) ─▶ retried whenever a
//!        │                                      node turns Ready or a bound pod is deleted
//!  CA scan (cluster_autoscaler.rs) ─▶ nodes Provisioning ─node_provisioning─▶ Ready
//!  spot notice ─▶ cordon, evict (replacements elsewhere) ─notice─▶ node gone, leftovers lost
//!  node failure ─▶ work lost, pods keep receiving (and losing) requests ─detection─▶ NotReady,
//!      out of the endpoints ─pod_eviction─▶ pods deleted and replaced
//! ```
//!
//! Every node bills its pool's price from launch (scale-up request) to termination. Without
//! `cluster:` nothing here runs.

use super::cluster_config::ClusterConfig;
use super::engine::{Outcome, World};
use super::event::Event;
use super::pod::PodPhase;
use super::startup::ready_at;
use crate::cluster::schedule::{place, NodeView, Placement};
use crate::cluster::Resources;
use crate::cluster_autoscaler::{ScaleDownHistory, UnneededSince};
use hpasim_sim::stats::TimeWeighted;
use hpasim_sim::{SimDuration, SimTime, StreamRng, Streams};
use rand::Rng;
use std::collections::VecDeque;

/// `Pod::node` of a pod bound to no node.
pub const NO_NODE: u32 = u32::MAX;

/// Where a node is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeState {
    /// Requested from the cloud, booting; bills, holds nothing.
    Provisioning,
    /// Registered and Ready: the scheduler may bind pods to it.
    Ready,
    /// Cordoned (scale-down drain or spot notice): keeps its pods, takes no new ones.
    Draining,
    /// Failed: its pods are lost; the control plane has not noticed yet, or has.
    Failed,
    /// Terminated: no longer bills.
    Gone,
}

/// Why a node is draining.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DrainCause {
    /// The cluster autoscaler removes it; give up (uncordon) at this instant if pods remain.
    ScaleDown {
        /// End of `max_pod_eviction_time`.
        deadline: SimTime,
    },
    /// The provider reclaims it at this instant.
    Spot {
        /// When the node terminates.
        terminates: SimTime,
    },
}

/// One node.
#[derive(Clone, Debug)]
pub struct Node {
    /// Index of its pool.
    pub pool: usize,
    /// `node/<pool>-<k>`.
    pub name: String,
    /// Life stage.
    pub state: NodeState,
    /// Why it is draining (when `state` is Draining).
    pub drain: Option<DrainCause>,
    /// When it was requested (billing starts).
    pub launched: SimTime,
    /// Requests of the pods bound to it, placeholders included, DaemonSets excluded.
    pub requested: Resources,
    /// Workload pods bound to it.
    pub pods: Vec<u32>,
    /// Placeholder pods bound to it.
    pub placeholders: u32,
    /// When the workload's image is (or will be) on the node; none before the first pull.
    pub image_at: Option<SimTime>,
}

/// Counters and time-weighted totals of the cluster.
#[derive(Debug)]
pub struct ClusterStats {
    /// Nodes Ready or draining.
    pub nodes_up: TimeWeighted,
    /// Cost rate of on-demand nodes [USD/s].
    pub on_demand_rate: TimeWeighted,
    /// Cost rate of spot nodes [USD/s].
    pub spot_rate: TimeWeighted,
    /// Nodes billing (launched, not gone).
    pub billing_nodes: TimeWeighted,
    /// Workload pods Pending as Unschedulable.
    pub unschedulable: TimeWeighted,
    /// Sum of creation → binding waits of bound pods [s].
    pub capacity_wait_sum_s: f64,
    /// Pods bound.
    pub bound: u64,
    /// Longest creation → binding wait [s].
    pub capacity_wait_max_s: f64,
    /// Pools grown by the CA (one per scan and pool).
    pub ca_scale_ups: u64,
    /// Nodes the CA removed.
    pub ca_nodes_removed: u64,
    /// Nodes failed.
    pub node_failures: u64,
    /// Spot nodes reclaimed.
    pub spot_interruptions: u64,
}

/// The cluster during one run.
pub struct ClusterRun {
    /// Every node ever launched, in launch order (index = id).
    pub nodes: Vec<Node>,
    /// Workload pods Pending as Unschedulable, FIFO: (pod, since).
    pub pending: VecDeque<(u32, SimTime)>,
    /// Placeholder pods Pending, FIFO: since.
    pub pending_placeholders: VecDeque<SimTime>,
    /// Nodes launched per pool (names).
    pub launched_per_pool: Vec<u32>,
    /// When each unneeded node became unneeded (the CA's memory).
    pub unneeded_since: UnneededSince,
    /// The CA's scale-up / delete / failure times.
    pub history: ScaleDownHistory,
    /// Last "no scale-up" reason logged (logged again only when it changes).
    pub last_no_scale_up: String,
    /// Provisioning delays (stream "nodes").
    pub rng_nodes: StreamRng,
    /// Spot interruptions and node failures (stream "node_faults").
    pub rng_faults: StreamRng,
    /// Scratch: the scheduler's view of the nodes.
    views: Vec<NodeView>,
    /// Scratch: node id of each view.
    view_ids: Vec<u32>,
    /// Measurements.
    pub stats: ClusterStats,
}

impl ClusterRun {
    /// An empty cluster at time zero.
    pub fn new(cfg: &ClusterConfig, streams: &Streams) -> ClusterRun {
        let z = SimTime::ZERO;
        ClusterRun {
            nodes: Vec::new(),
            pending: VecDeque::new(),
            pending_placeholders: VecDeque::new(),
            launched_per_pool: vec![0; cfg.pools.len()],
            unneeded_since: UnneededSince::new(),
            history: ScaleDownHistory::default(),
            last_no_scale_up: String::new(),
            rng_nodes: streams.get("nodes"),
            rng_faults: streams.get("node_faults"),
            views: Vec::new(),
            view_ids: Vec::new(),
            stats: ClusterStats {
                nodes_up: TimeWeighted::new(z, 0.0),
                on_demand_rate: TimeWeighted::new(z, 0.0),
                spot_rate: TimeWeighted::new(z, 0.0),
                billing_nodes: TimeWeighted::new(z, 0.0),
                unschedulable: TimeWeighted::new(z, 0.0),
                capacity_wait_sum_s: 0.0,
                bound: 0,
                capacity_wait_max_s: 0.0,
                ca_scale_ups: 0,
                ca_nodes_removed: 0,
                node_failures: 0,
                spot_interruptions: 0,
            },
        }
    }

    /// Nodes of `pool` in `states`.
    pub fn count(&self, pool: usize, states: &[NodeState]) -> u32 {
        self.nodes
            .iter()
            .filter(|n| n.pool == pool && states.contains(&n.state))
            .count() as u32
    }
}

fn exp_draw(rng: &mut StreamRng, rate_per_s: f64) -> Option<SimDuration> {
    if rate_per_s <= 0.0 {
        return None;
    }
    let u = ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
    Some(SimDuration::from_secs_f64(-u.ln() / rate_per_s))
}

impl World<'_> {
    fn cluster_cfg(&self) -> &ClusterConfig {
        self.sim.cluster.as_ref().expect("cluster configured")
    }

    fn cluster_mut(&mut self) -> &mut ClusterRun {
        self.cluster.as_mut().expect("cluster configured")
    }

    /// Initial nodes (Ready at time zero, image cached), the CA's first scan, scheduled node
    /// failures. Called before the initial pods are placed.
    pub(super) fn start_cluster(&mut self, now: SimTime) {
        let Some(cfg) = self.sim.cluster.as_ref() else {
            return;
        };
        for (pool, p) in cfg.pools.iter().enumerate() {
            for _ in 0..p.initial_nodes {
                let node = self.launch_node(now, pool);
                self.node_ready(now, node, Some(now), false);
            }
        }
        if let Some(a) = &cfg.autoscaler {
            let t = now + a.ca.scan_interval;
            if t < self.end {
                self.schedule(t, Event::CaScan);
            }
        }
        if let Some(f) = &cfg.failures {
            for (index, &(at, _)) in f.at.iter().enumerate() {
                let t = SimTime::ZERO + at;
                if t < self.end {
                    self.schedule(
                        t,
                        Event::NodeFailAt {
                            index: index as u32,
                        },
                    );
                }
            }
        }
    }

    /// Places the overprovisioning placeholders (after the initial pods: lower priority).
    pub(super) fn start_placeholders(&mut self, now: SimTime) {
        let Some((n, _)) = self.sim.cluster.as_ref().and_then(|c| c.placeholders) else {
            return;
        };
        for _ in 0..n {
            if !self.bind_placeholder() {
                self.cluster_mut().pending_placeholders.push_back(now);
            }
        }
    }

    /// A new node of `pool`, Provisioning and billing from `now`.
    pub(super) fn launch_node(&mut self, now: SimTime, pool: usize) -> u32 {
        let cfg = &self.sim.cluster.as_ref().expect("cluster").pools[pool];
        let (price, spot, pool_name) = (cfg.price_per_second_usd, cfg.spot, cfg.name.clone());
        let c = self.cluster_mut();
        let k = c.launched_per_pool[pool];
        c.launched_per_pool[pool] += 1;
        let id = c.nodes.len() as u32;
        c.nodes.push(Node {
            pool,
            name: format!("node/{pool_name}-{k}"),
            state: NodeState::Provisioning,
            drain: None,
            launched: now,
            requested: Resources::ZERO,
            pods: Vec::new(),
            placeholders: 0,
            image_at: None,
        });
        let billing = c.stats.billing_nodes.value() + 1.0;
        c.stats.billing_nodes.set(now, billing);
        let rate = if spot.is_some() {
            &mut c.stats.spot_rate
        } else {
            &mut c.stats.on_demand_rate
        };
        let v = rate.value() + price;
        rate.set(now, v);
        id
    }

    /// `node` registers Ready at `now`; `image_at`: when the workload's image is on it (initial
    /// nodes have it cached); `retry`: log it and bind the pods waiting for room.
    pub(super) fn node_ready(
        &mut self,
        now: SimTime,
        node: u32,
        image_at: Option<SimTime>,
        retry: bool,
    ) {
        let (rate_spot, rate_fail) = {
            let cfg = self.cluster_cfg();
            let pool = self.cluster.as_ref().expect("cluster").nodes[node as usize].pool;
            (
                cfg.pools[pool].spot.map_or(0.0, |s| s.0),
                cfg.failures.as_ref().map_or(0.0, |f| f.rate_per_node_s),
            )
        };
        let c = self.cluster_mut();
        let n = &mut c.nodes[node as usize];
        if n.state != NodeState::Provisioning {
            return;
        }
        n.state = NodeState::Ready;
        n.image_at = image_at;
        let up = c.stats.nodes_up.value() + 1.0;
        c.stats.nodes_up.set(now, up);
        let spot_at = exp_draw(&mut c.rng_faults, rate_spot);
        let fail_at = exp_draw(&mut c.rng_faults, rate_fail);
        let name = c.nodes[node as usize].name.clone();
        if let Some(d) = spot_at {
            if now + d < self.end {
                self.schedule(now + d, Event::SpotNotice { node });
            }
        }
        if let Some(d) = fail_at {
            if now + d < self.end {
                self.schedule(now + d, Event::NodeFail { node });
            }
        }
        if retry {
            self.event(now, "node_ready", name, String::new());
            self.retry_pending(now);
        }
    }

    /// Stops billing `node` and takes it out of the counts (`state` Gone or Failed).
    fn stop_node(&mut self, now: SimTime, node: u32, to: NodeState) {
        let pool = self.cluster.as_ref().expect("cluster").nodes[node as usize].pool;
        let (price, spot) = {
            let p = &self.cluster_cfg().pools[pool];
            (p.price_per_second_usd, p.spot.is_some())
        };
        let c = self.cluster_mut();
        let n = &mut c.nodes[node as usize];
        let was = n.state;
        if matches!(was, NodeState::Gone) {
            return;
        }
        n.state = to;
        if matches!(was, NodeState::Ready | NodeState::Draining) {
            let up = c.stats.nodes_up.value() - 1.0;
            c.stats.nodes_up.set(now, up.max(0.0));
        }
        if was != NodeState::Failed {
            let billing = c.stats.billing_nodes.value() - 1.0;
            c.stats.billing_nodes.set(now, billing.max(0.0));
            let rate = if spot {
                &mut c.stats.spot_rate
            } else {
                &mut c.stats.on_demand_rate
            };
            let v = rate.value() - price;
            rate.set(now, v.max(0.0));
        }
    }

    // ----- placement ------------------------------------------------------------------------

    /// Fills the scheduler's view of the nodes that exist (Ready, draining, failed).
    fn fill_views(&mut self) {
        let cfg = self.sim.cluster.as_ref().expect("cluster");
        let c = self.cluster.as_mut().expect("cluster");
        c.views.clear();
        c.view_ids.clear();
        for (id, n) in c.nodes.iter().enumerate() {
            if matches!(n.state, NodeState::Provisioning | NodeState::Gone) {
                continue;
            }
            c.views.push(NodeView {
                pool: n.pool,
                allocatable: cfg.pools[n.pool].room,
                requested: n.requested,
                schedulable: n.state == NodeState::Ready,
            });
            c.view_ids.push(id as u32);
        }
    }

    /// The scheduler places workload pod `pod`, evicting placeholders if that makes room;
    /// `Err` carries the FailedScheduling message.
    fn try_bind(&mut self, now: SimTime, pod: u32) -> Result<u32, String> {
        let (req, ph) = {
            let cfg = self.cluster_cfg();
            (
                self.pods[pod as usize].res.scheduling,
                cfg.placeholders.map(|p| p.1),
            )
        };
        self.fill_views();
        let policy = self.cluster_cfg().policy;
        let c = self.cluster.as_ref().expect("cluster");
        let node = match place(&c.views, &req, policy) {
            Placement::Node(i) => c.view_ids[i],
            Placement::Unschedulable(why) => {
                // Preemption: the Ready node where the fewest placeholders make room.
                let victim = ph.and_then(|ph| {
                    c.nodes
                        .iter()
                        .enumerate()
                        .filter(|(_, n)| n.state == NodeState::Ready && n.placeholders > 0)
                        .filter_map(|(id, n)| {
                            let room = self.cluster_cfg().pools[n.pool].room;
                            (1..=n.placeholders)
                                .find(|&k| {
                                    let freed = n.requested.saturating_sub(times(ph, k));
                                    freed
                                        .checked_add(req)
                                        .is_some_and(|after| after.fits_in(room))
                                })
                                .map(|k| (k, id as u32))
                        })
                        .min()
                });
                let Some((k, id)) = victim else {
                    return Err(why.to_string());
                };
                let ph = ph.expect("placeholders configured");
                let c = self.cluster_mut();
                let n = &mut c.nodes[id as usize];
                n.placeholders -= k;
                n.requested = n.requested.saturating_sub(times(ph, k));
                let name = n.name.clone();
                for _ in 0..k {
                    c.pending_placeholders.push_back(now);
                }
                self.event(
                    now,
                    "placeholder_preempted",
                    name,
                    format!("{k} overprovisioning placeholder(s) evicted for a workload pod"),
                );
                id
            }
        };
        let c = self.cluster_mut();
        let n = &mut c.nodes[node as usize];
        n.requested = n.requested.checked_add(req).unwrap_or(n.requested);
        n.pods.push(pod);
        self.pods[pod as usize].node = node;
        let wait = (now - self.pods[pod as usize].created).as_secs_f64();
        let s = &mut self.cluster_mut().stats;
        s.bound += 1;
        s.capacity_wait_sum_s += wait;
        s.capacity_wait_max_s = s.capacity_wait_max_s.max(wait);
        Ok(node)
    }

    /// Binds one placeholder if some Ready node has room (no preemption: lowest priority).
    fn bind_placeholder(&mut self) -> bool {
        let Some((_, ph)) = self.cluster_cfg().placeholders else {
            return false;
        };
        self.fill_views();
        let policy = self.cluster_cfg().policy;
        let c = self.cluster_mut();
        match place(&c.views, &ph, policy) {
            Placement::Node(i) => {
                let id = c.view_ids[i] as usize;
                let n = &mut c.nodes[id];
                n.placeholders += 1;
                n.requested = n.requested.checked_add(ph).unwrap_or(n.requested);
                true
            }
            Placement::Unschedulable(_) => false,
        }
    }

    /// A starting pod reaches the scheduler: bound (its image pull, container start and
    /// readiness planned from the node) → true; no room → Pending (Unschedulable), false.
    pub(super) fn bind_starting_pod(&mut self, now: SimTime, pod: u32) -> bool {
        if self.pods[pod as usize].node == NO_NODE {
            match self.try_bind(now, pod) {
                Ok(_) => {}
                Err(why) => {
                    let c = self.cluster_mut();
                    c.pending.push_back((pod, now));
                    let n = c.pending.len() as f64;
                    c.stats.unschedulable.set(now, n);
                    let name = self.pod_name(pod);
                    self.event(now, "pod_unschedulable", name, why);
                    return false;
                }
            }
        }
        self.plan_after_binding(now, pod);
        true
    }

    /// Image pull on the pod's node (cached if the image is there, joined if a pull is under
    /// way, else a full pull), then container start, app start and the readiness probe.
    fn plan_after_binding(&mut self, now: SimTime, pod: u32) {
        let node = self.pods[pod as usize].node as usize;
        let st = &self.sim.pods.startup;
        let image_at = self.cluster.as_ref().expect("cluster").nodes[node].image_at;
        let rng = &mut self.rng.startup;
        let pulled = match image_at {
            Some(t) if t > now => t,
            Some(_) => now + SimDuration::from_secs_f64(st.image_pull_cached.sample(rng)),
            None => now + SimDuration::from_secs_f64(st.image_pull.sample(rng)),
        };
        let started = pulled + SimDuration::from_secs_f64(st.container_start.sample(rng));
        let app_up = started + SimDuration::from_secs_f64(st.app_start.sample(rng));
        let ready = ready_at(started, app_up, st.probe);
        if image_at.is_none() {
            self.cluster_mut().nodes[node].image_at = Some(pulled);
        }
        self.pods[pod as usize].planned = [now, pulled, started, ready];
    }

    /// Binds what now fits: workload pods first (FIFO), then placeholders.
    pub(super) fn retry_pending(&mut self, now: SimTime) {
        let Some(c) = self.cluster.as_mut() else {
            return;
        };
        if c.pending.is_empty() && c.pending_placeholders.is_empty() {
            return;
        }
        let waiting: Vec<(u32, SimTime)> = c.pending.drain(..).collect();
        let mut still = VecDeque::new();
        for (pod, since) in waiting {
            if self.pods[pod as usize].phase != PodPhase::Pending {
                continue;
            }
            match self.try_bind(now, pod) {
                Ok(_) => {
                    self.on_pod_phase(now, pod, PodPhase::Scheduled);
                }
                Err(_) => still.push_back((pod, since)),
            }
        }
        let c = self.cluster_mut();
        c.pending = still;
        let n = c.pending.len() as f64;
        c.stats.unschedulable.set(now, n);
        let waiting = self.cluster_mut().pending_placeholders.len();
        for _ in 0..waiting {
            if !self.bind_placeholder() {
                break;
            }
            self.cluster_mut().pending_placeholders.pop_front();
        }
    }

    /// A pod is deleted: its node's room is freed (and a draining node may go), or it leaves
    /// the Unschedulable queue.
    pub(super) fn unbind(&mut self, now: SimTime, pod: u32) {
        let Some(c) = self.cluster.as_mut() else {
            return;
        };
        let node = self.pods[pod as usize].node;
        if node == NO_NODE {
            if let Some(k) = c.pending.iter().position(|&(p, _)| p == pod) {
                c.pending.remove(k);
                let n = c.pending.len() as f64;
                c.stats.unschedulable.set(now, n);
            }
            return;
        }
        self.pods[pod as usize].node = NO_NODE;
        let req = self.pods[pod as usize].res.scheduling;
        let n = &mut c.nodes[node as usize];
        n.requested = n.requested.saturating_sub(req);
        if let Some(k) = n.pods.iter().position(|&p| p == pod) {
            n.pods.swap_remove(k);
        }
        let (state, drain, empty) = (n.state, n.drain, n.pods.is_empty());
        if state == NodeState::Draining && empty {
            if let Some(DrainCause::ScaleDown { .. }) = drain {
                self.remove_node(now, node, "drained");
            }
        }
        if state != NodeState::Failed {
            self.retry_pending(now);
        }
    }

    /// Terminates a node (scale-down done or spot reclaimed); nothing of the workload is left
    /// on it.
    pub(super) fn remove_node(&mut self, now: SimTime, node: u32, why: &str) {
        let c = self.cluster_mut();
        let n = &mut c.nodes[node as usize];
        let placeholders = std::mem::take(&mut n.placeholders);
        n.requested = Resources::ZERO;
        let name = n.name.clone();
        for _ in 0..placeholders {
            c.pending_placeholders.push_back(now);
        }
        if why == "drained" {
            c.stats.ca_nodes_removed += 1;
        }
        c.unneeded_since.remove(&name);
        self.stop_node(now, node, NodeState::Gone);
        self.event(now, "node_removed", name, why.to_string());
        self.retry_pending(now);
    }

    /// Drops every request `pod` holds: lost (counted as killed and as fault errors); a
    /// consumer's messages go back to be processed again. Returns the requests lost.
    pub(super) fn lose_work(&mut self, now: SimTime, pod: u32) -> u64 {
        if self.broker.is_some() {
            self.drop_messages(now, pod);
            return 0;
        }
        self.kill_requests(now, pod)
    }

    // ----- faults ---------------------------------------------------------------------------

    /// A scheduled failure: the Ready node (of the pool, if given) holding the most workload
    /// pods fails, ties to the oldest.
    pub(super) fn on_node_fail_at(&mut self, now: SimTime, index: u32) {
        let pool = self.cluster_cfg().failures.as_ref().expect("failures").at[index as usize].1;
        let c = self.cluster.as_ref().expect("cluster");
        let victim = c
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| {
                matches!(n.state, NodeState::Ready | NodeState::Draining)
                    && pool.is_none_or(|p| p == n.pool)
            })
            .max_by_key(|(id, n)| (n.pods.len(), std::cmp::Reverse(*id)))
            .map(|(id, _)| id as u32);
        match victim {
            Some(node) => self.on_node_fail(now, node),
            None => self.event(
                now,
                "node_failure_skipped",
                "cluster".into(),
                "no Ready node to fail".into(),
            ),
        }
    }

    /// `node` fails: the work on its pods is lost; until the node controller notices
    /// (`detection`), its pods stay endpoints and lose every request sent to them.
    pub(super) fn on_node_fail(&mut self, now: SimTime, node: u32) {
        let c = self.cluster.as_ref().expect("cluster");
        if !matches!(
            c.nodes[node as usize].state,
            NodeState::Ready | NodeState::Draining
        ) {
            return;
        }
        let f = self.cluster_cfg().failures.clone().expect("failures");
        self.stop_node(now, node, NodeState::Failed);
        let c = self.cluster_mut();
        c.stats.node_failures += 1;
        let placeholders = std::mem::take(&mut c.nodes[node as usize].placeholders);
        for _ in 0..placeholders {
            c.pending_placeholders.push_back(now);
        }
        let pods = c.nodes[node as usize].pods.clone();
        let name = c.nodes[node as usize].name.clone();
        let mut lost = 0;
        for &pod in &pods {
            lost += self.lose_work(now, pod);
            self.pods[pod as usize].lost = true;
        }
        self.event(
            now,
            "node_failed",
            name,
            format!("{} pods on it, {lost} requests lost", pods.len()),
        );
        self.schedule(now + f.detection, Event::NodeNotReady { node });
    }

    /// The node controller marks the failed node NotReady: its pods leave the endpoints.
    pub(super) fn on_node_not_ready(&mut self, now: SimTime, node: u32) {
        let f = self.cluster_cfg().failures.clone().expect("failures");
        let c = self.cluster.as_ref().expect("cluster");
        let pods = c.nodes[node as usize].pods.clone();
        let name = c.nodes[node as usize].name.clone();
        for &pod in &pods {
            self.leave_endpoints(now, pod);
        }
        self.event(
            now,
            "node_not_ready",
            name,
            format!("{} pods marked not ready", pods.len()),
        );
        self.schedule(now + f.pod_eviction, Event::NodeEvictPods { node });
    }

    /// The unreachable toleration expires: the failed node's pods are deleted and the
    /// ReplicaSet replaces them; the node object goes.
    pub(super) fn on_node_evict_pods(&mut self, now: SimTime, node: u32) {
        let pods = self.cluster.as_ref().expect("cluster").nodes[node as usize]
            .pods
            .clone();
        for pod in pods {
            if self.pods[pod as usize].phase == PodPhase::Deleted {
                continue;
            }
            self.lose_work(now, pod);
            self.delete(now, pod, "evicted: node unreachable");
            if self.pods[pod as usize].phase != PodPhase::Terminating {
                self.replace_pod(now);
            }
        }
        let c = self.cluster_mut();
        c.nodes[node as usize].state = NodeState::Gone;
        c.nodes[node as usize].requested = Resources::ZERO;
        let name = c.nodes[node as usize].name.clone();
        self.event(now, "node_removed", name, "failed".into());
        self.retry_pending(now);
    }

    /// The provider's interruption notice: cordon the node and evict its pods (the
    /// ReplicaSet replaces them elsewhere); the node terminates after the notice.
    pub(super) fn on_spot_notice(&mut self, now: SimTime, node: u32) {
        let c = self.cluster.as_ref().expect("cluster");
        let n = &c.nodes[node as usize];
        if !matches!(n.state, NodeState::Ready | NodeState::Draining) {
            return;
        }
        let notice = self.cluster_cfg().pools[n.pool]
            .spot
            .map_or(SimDuration::ZERO, |s| s.1);
        let terminates = now + notice;
        let c = self.cluster_mut();
        let n = &mut c.nodes[node as usize];
        n.state = NodeState::Draining;
        n.drain = Some(DrainCause::Spot { terminates });
        let name = n.name.clone();
        let pods = n.pods.clone();
        c.stats.spot_interruptions += 1;
        self.event(
            now,
            "spot_interruption",
            name,
            format!(
                "{} pods evicted; node terminates in {:.0} s",
                pods.len(),
                notice.as_secs_f64()
            ),
        );
        for pod in pods {
            self.evict(now, pod);
        }
        self.schedule(terminates, Event::NodeTerminated { node });
    }

    /// A reclaimed spot node goes: whatever still runs on it is lost.
    pub(super) fn on_node_terminated(&mut self, now: SimTime, node: u32) {
        let c = self.cluster.as_ref().expect("cluster");
        if c.nodes[node as usize].state == NodeState::Gone {
            return;
        }
        let pods = c.nodes[node as usize].pods.clone();
        for pod in pods {
            if self.pods[pod as usize].phase == PodPhase::Deleted {
                continue;
            }
            self.lose_work(now, pod);
            self.pods[pod as usize].killing = true;
            self.delete(now, pod, "node terminated");
        }
        self.remove_node(now, node, "spot capacity reclaimed");
    }

    /// Evicts a workload pod: it terminates gracefully and the ReplicaSet creates a
    /// replacement at once (a Terminating pod no longer counts toward the replicas).
    pub(super) fn evict(&mut self, now: SimTime, pod: u32) {
        let phase = self.pods[pod as usize].phase;
        if phase >= PodPhase::Terminating {
            return;
        }
        let name = self.pod_name(pod);
        self.event(now, "pod_evicted", name, String::new());
        self.terminate(now, pod);
        self.replace_pod(now);
    }

    // ----- rows -----------------------------------------------------------------------------

    /// Time-series columns: Ready nodes per pool, nodes provisioning, Unschedulable pods,
    /// node cost so far.
    pub(super) fn cluster_columns(&mut self, now: SimTime) -> Vec<f64> {
        let Some(cfg) = self.sim.cluster.as_ref() else {
            return Vec::new();
        };
        let c = self.cluster.as_mut().expect("cluster");
        let mut out = Vec::with_capacity(cfg.pools.len() + 3);
        for pool in 0..cfg.pools.len() {
            out.push(f64::from(
                c.count(pool, &[NodeState::Ready, NodeState::Draining]),
            ));
        }
        let provisioning = c
            .nodes
            .iter()
            .filter(|n| n.state == NodeState::Provisioning)
            .count();
        out.push(provisioning as f64);
        out.push(c.pending.len() as f64);
        out.push(c.stats.on_demand_rate.integral(now) + c.stats.spot_rate.integral(now));
        out
    }
}

/// Time-series column names of the cluster.
pub fn cluster_column_names(cfg: &ClusterConfig) -> Vec<String> {
    let mut names: Vec<String> = cfg
        .pools
        .iter()
        .map(|p| format!("nodes_{}", p.name))
        .collect();
    names.push("nodes_provisioning".into());
    names.push("pods_unschedulable".into());
    names.push("node_cost_usd".into());
    names
}

fn times(r: Resources, k: u32) -> Resources {
    Resources::new(
        r.cpu_millis.saturating_mul(u64::from(k)),
        r.memory_bytes.saturating_mul(u64::from(k)),
        r.pods.saturating_mul(k),
    )
}

impl World<'_> {
    /// An initial pod at time zero: bound and running if a node has room (true); otherwise
    /// it starts cold, Pending until a node has room (false).
    pub(super) fn bind_warm_pod(&mut self, now: SimTime, pod: u32) -> bool {
        if self.try_bind(now, pod).is_ok() {
            let (name, node) = (self.pod_name(pod), self.node_name_of(pod));
            self.event(now, PodPhase::Scheduled.event_kind(), name, node);
            return true;
        }
        let name = self.pod_name(pod);
        self.event(now, PodPhase::Pending.event_kind(), name, String::new());
        self.on_pod_phase(now, pod, PodPhase::Scheduled);
        false
    }

    /// The name of the node `pod` is bound to (empty when none).
    pub(super) fn node_name_of(&self, pod: u32) -> String {
        let node = self.pods[pod as usize].node;
        match self.cluster.as_ref() {
            Some(c) if node != NO_NODE => c.nodes[node as usize].name.clone(),
            _ => String::new(),
        }
    }

    /// A request sent to a pod whose node failed unnoticed: lost (a fault error).
    pub(super) fn lost_on_failed_node(&mut self, now: SimTime, request: super::request::Request) {
        self.stats.killed.incr();
        self.faults.fault_errors += 1;
        self.emit_request(now, &request, Outcome::Killed);
    }

    /// The cluster's summary columns.
    pub(super) fn fill_cluster_summary(&mut self, end: SimTime, row: &mut crate::rows::SummaryRow) {
        let Some(c) = self.cluster.as_mut() else {
            return;
        };
        let s = &mut c.stats;
        let spot = s.spot_rate.integral(end);
        row.nodes_mean = s.nodes_up.mean(SimTime::ZERO, end);
        row.nodes_max = s.nodes_up.max() as u64;
        row.node_hours = s.billing_nodes.integral(end) / 3600.0;
        row.node_cost_usd = s.on_demand_rate.integral(end) + spot;
        row.node_cost_spot_usd = spot;
        row.pods_unschedulable_max = s.unschedulable.max() as u64;
        row.capacity_wait_mean_s = if s.bound > 0 {
            s.capacity_wait_sum_s / s.bound as f64
        } else {
            0.0
        };
        row.capacity_wait_max_s = s.capacity_wait_max_s;
        row.ca_scale_ups = s.ca_scale_ups;
        row.ca_nodes_removed = s.ca_nodes_removed;
        row.node_failures = s.node_failures;
        row.spot_interruptions = s.spot_interruptions;
    }
}
