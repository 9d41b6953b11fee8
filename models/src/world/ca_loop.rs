//! The Cluster Autoscaler's loop in the world: every `scan_interval` it reads the
//! Unschedulable pods and the nodes, asks the pure planners ([`crate::cluster_autoscaler`])
//! what to do, and does it.
//!
//! ```text
//!  CaScan ─▶ pending pods + pools ─plan_scale_up─▶ launch nodes (Provisioning) ─node_provisioning─▶ NodeReady
//!        └─ (no scale-up this loop) nodes ─plan_scale_down─▶ unneeded since … ─▶ drain:
//!              cordon; evict each pod the PodDisruptionBudget allows (the ReplicaSet replaces
//!              it elsewhere); retry the refused ones every 10 s; all gone → node removed;
//!              `max_pod_eviction_time` passed → uncordon, scale-down failed
//! ```
//! As upstream (`core/static_autoscaler.go` `RunOnce`), a loop that scaled up does not scale
//! down. Upstream's drain retries refused evictions every `EvictionRetryTime` (10 s) until
//! `--max-pod-eviction-time`.

use super::cluster_config::ca_resources;
use super::engine::World;
use super::event::Event;
use super::nodes::{DrainCause, NodeState};
use super::pod::PodPhase;
use crate::cluster_autoscaler::{
    self as ca, plan_scale_down, plan_scale_up, NoScaleUp, NodePod, PendingPod, PoolSize,
    PoolState, ScaleUpOutcome,
};
use hpasim_sim::{SimDuration, SimTime};

/// Between two eviction attempts of a drain (upstream `EvictionRetryTime`).
const EVICTION_RETRY: SimDuration = SimDuration::from_secs(10);

impl World<'_> {
    /// One CA loop.
    pub(super) fn on_ca_scan(&mut self, now: SimTime) {
        let Some(cfg) = self.sim.cluster.as_ref() else {
            return;
        };
        let a = cfg.autoscaler.as_ref().expect("autoscaler configured");
        let next = now + a.ca.scan_interval;
        if next < self.end {
            self.schedule(next, Event::CaScan);
        }
        let scaled_up = self.ca_scale_up(now);
        if !scaled_up && a.scale_down_enabled {
            self.ca_scale_down(now);
        }
    }

    fn ca_scale_up(&mut self, now: SimTime) -> bool {
        let cfg = self.sim.cluster.as_ref().expect("cluster");
        let a = cfg.autoscaler.as_ref().expect("autoscaler");
        let c = self.cluster.as_ref().expect("cluster");
        let mut pending: Vec<PendingPod> = c
            .pending
            .iter()
            .map(|&(pod, since)| PendingPod {
                name: self.pod_name(pod),
                requests: ca_resources(self.pods[pod as usize].res.scheduling),
                pending_since: since,
            })
            .collect();
        if let Some((_, ph)) = cfg.placeholders {
            for (k, &since) in c.pending_placeholders.iter().enumerate() {
                pending.push(PendingPod {
                    name: format!("pod/overprovisioning-{k}"),
                    requests: ca_resources(ph),
                    pending_since: since,
                });
            }
        }
        let pools: Vec<PoolState> = cfg
            .pools
            .iter()
            .enumerate()
            .map(|(i, p)| PoolState {
                name: p.name.clone(),
                allocatable: p.ca_allocatable(),
                daemonset_overhead: ca_resources(p.overhead),
                target_size: c.count(
                    i,
                    &[
                        NodeState::Provisioning,
                        NodeState::Ready,
                        NodeState::Draining,
                    ],
                ),
                provisioning_since: c
                    .nodes
                    .iter()
                    .filter(|n| n.pool == i && n.state == NodeState::Provisioning)
                    .map(|n| n.launched)
                    .collect(),
                max_nodes: p.max_nodes,
                price_per_node_hour: p.price_per_second_usd * 3600.0,
            })
            .collect();
        let decision = plan_scale_up(now, &pending, &pools, &a.ca);
        for unfit in &decision.unfit {
            let line = unfit.reason.clone();
            if self.cluster.as_ref().expect("cluster").last_no_scale_up != line {
                self.event(now, "ca_pod_unfit", unfit.pod.clone(), line.clone());
                self.cluster.as_mut().expect("cluster").last_no_scale_up = line;
            }
        }
        match decision.outcome {
            ScaleUpOutcome::ScaleUp {
                pool,
                add_nodes,
                pods,
                reason,
            } => {
                let idx = cfg
                    .pools
                    .iter()
                    .position(|p| p.name == pool)
                    .expect("the planner names a configured pool");
                let sim = self.sim;
                let provisioning = &sim.cluster.as_ref().expect("cluster").autoscaler;
                let provisioning = &provisioning.as_ref().expect("autoscaler").provisioning;
                for _ in 0..add_nodes {
                    let node = self.launch_node(now, idx);
                    let c = self.cluster.as_mut().expect("cluster");
                    let delay = provisioning.sample(&mut c.rng_nodes);
                    let at = now + SimDuration::from_secs_f64(delay);
                    self.schedule(at, Event::NodeReady { node });
                }
                let c = self.cluster.as_mut().expect("cluster");
                c.history.last_scale_up = Some(now);
                c.stats.ca_scale_ups += 1;
                c.last_no_scale_up.clear();
                self.event(
                    now,
                    "ca_scale_up",
                    format!("nodegroup/{pool}"),
                    format!(
                        "+{add_nodes} nodes for {} pending pods ({reason})",
                        pods.len()
                    ),
                );
                true
            }
            ScaleUpOutcome::NoScaleUp(why) => {
                let line = match &why {
                    NoScaleUp::NoPendingPods => String::new(),
                    NoScaleUp::PodsTooYoung => {
                        "pending pods younger than new_pod_scale_up_delay".into()
                    }
                    NoScaleUp::CoveredByUpcomingNodes => format!(
                        "{} pending pods fit on nodes already provisioning",
                        decision.awaiting.len()
                    ),
                    NoScaleUp::NothingFits => "no pending pod fits any pool's node".into(),
                    NoScaleUp::MaxSizeReached(pools) => {
                        format!("max_nodes reached in {}", pools.join(", "))
                    }
                };
                let c = self.cluster.as_mut().expect("cluster");
                if !line.is_empty() && c.last_no_scale_up != line {
                    c.last_no_scale_up = line.clone();
                    self.event(now, "ca_no_scale_up", "cluster-autoscaler".into(), line);
                }
                false
            }
        }
    }

    fn ca_scale_down(&mut self, now: SimTime) {
        let cfg = self.sim.cluster.as_ref().expect("cluster");
        let a = cfg.autoscaler.as_ref().expect("autoscaler");
        let c = self.cluster.as_ref().expect("cluster");
        let mut ids = Vec::new();
        let mut states = Vec::new();
        for (id, n) in c.nodes.iter().enumerate() {
            if n.state != NodeState::Ready {
                continue;
            }
            let pool = &cfg.pools[n.pool];
            let mut pods: Vec<NodePod> = Vec::with_capacity(n.pods.len() + 2);
            if pool.overhead != crate::cluster::Resources::ZERO {
                pods.push(NodePod {
                    name: "daemonsets".into(),
                    requests: ca_resources(pool.overhead),
                    daemonset: true,
                });
            }
            for &pod in &n.pods {
                pods.push(NodePod {
                    name: self.pod_name(pod),
                    requests: ca_resources(self.pods[pod as usize].res.scheduling),
                    daemonset: false,
                });
            }
            if let Some((_, ph)) = cfg.placeholders {
                for k in 0..n.placeholders {
                    pods.push(NodePod {
                        name: format!("pod/overprovisioning-{id}-{k}"),
                        requests: ca_resources(ph),
                        daemonset: false,
                    });
                }
            }
            ids.push(id as u32);
            states.push(ca::NodeState {
                name: n.name.clone(),
                pool: pool.name.clone(),
                allocatable: pool.ca_allocatable(),
                pods,
            });
        }
        let sizes: Vec<PoolSize> = cfg
            .pools
            .iter()
            .enumerate()
            .map(|(i, p)| PoolSize {
                name: p.name.clone(),
                target_size: c.count(
                    i,
                    &[
                        NodeState::Provisioning,
                        NodeState::Ready,
                        NodeState::Draining,
                    ],
                ),
                min_nodes: p.min_nodes,
            })
            .collect();
        let plan = plan_scale_down(now, &states, &sizes, &c.history, &a.ca, &c.unneeded_since);
        let newly: Vec<(String, f64)> = states
            .iter()
            .filter(|s| plan.since.contains_key(&s.name) && !c.unneeded_since.contains_key(&s.name))
            .map(|s| {
                (
                    s.name.clone(),
                    s.utilization(a.ca.ignore_daemonsets_utilization),
                )
            })
            .collect();
        let max_eviction = a.max_pod_eviction_time;
        self.cluster.as_mut().expect("cluster").unneeded_since = plan.since;
        for (name, u) in newly {
            self.event(
                now,
                "ca_node_unneeded",
                name,
                format!("utilization {:.3} below the threshold", u),
            );
        }
        for r in &plan.remove {
            let k = states
                .iter()
                .position(|s| s.name == r.node)
                .expect("the planner names a node it was given");
            let node = ids[k];
            self.cluster.as_mut().expect("cluster").history.last_delete = Some(now);
            self.event(
                now,
                "ca_scale_down",
                r.node.clone(),
                format!(
                    "{} node of {}, utilization {:.3}: unneeded for the whole scale_down_unneeded_time",
                    if r.empty { "empty" } else { "underutilized" },
                    r.pool,
                    r.utilization
                ),
            );
            self.start_drain(now, node, now + max_eviction);
        }
    }

    /// Cordons `node` and starts evicting its pods; an empty node goes at once.
    fn start_drain(&mut self, now: SimTime, node: u32, deadline: SimTime) {
        let c = self.cluster.as_mut().expect("cluster");
        let n = &mut c.nodes[node as usize];
        n.state = NodeState::Draining;
        n.drain = Some(DrainCause::ScaleDown { deadline });
        let placeholders = std::mem::take(&mut n.placeholders);
        if let Some((_, ph)) = self.sim.cluster.as_ref().and_then(|c| c.placeholders) {
            for _ in 0..placeholders {
                n.requested = n.requested.saturating_sub(ph);
            }
        }
        for _ in 0..placeholders {
            c.pending_placeholders.push_back(now);
        }
        self.drain_step(now, node);
    }

    /// Evicts what the budget allows; removes the node once empty; gives up at the deadline.
    pub(super) fn drain_step(&mut self, now: SimTime, node: u32) {
        let c = self.cluster.as_ref().expect("cluster");
        let n = &c.nodes[node as usize];
        let Some(DrainCause::ScaleDown { deadline }) = n.drain else {
            return;
        };
        if n.state != NodeState::Draining {
            return;
        }
        if n.pods.is_empty() {
            self.remove_node(now, node, "drained");
            return;
        }
        let pods = n.pods.clone();
        let name = n.name.clone();
        let pdb = self.sim.cluster.as_ref().and_then(|c| c.pdb);
        let mut refused = None;
        for pod in pods {
            if self.pods[pod as usize].phase >= PodPhase::Terminating {
                continue;
            }
            if let Some(pdb) = &pdb {
                let healthy = self.endpoints.len() as u32;
                let ready = self.pods[pod as usize].phase == PodPhase::Ready;
                // An unhealthy pod may always go (it does not lower the healthy count).
                if ready {
                    if let Err(blocked) = ca::may_evict(pdb, healthy, self.desired) {
                        refused = Some((self.pod_name(pod), blocked));
                        continue;
                    }
                }
            }
            self.evict(now, pod);
        }
        let still_here = {
            let c = self.cluster.as_ref().expect("cluster");
            let n = &c.nodes[node as usize];
            n.state == NodeState::Draining && !n.pods.is_empty()
        };
        if let Some((pod, blocked)) = refused {
            if now >= deadline {
                self.drain_failed(now, node, format!("{pod}: {blocked}"));
                return;
            }
            self.event(
                now,
                "eviction_blocked",
                pod,
                format!("{blocked}; retry in 10 s (draining {name})"),
            );
            if still_here {
                self.schedule(now + EVICTION_RETRY, Event::DrainRetry { node });
            }
        }
    }

    /// A drain ran out of time: the node is uncordoned and the CA backs off.
    fn drain_failed(&mut self, now: SimTime, node: u32, why: String) {
        let c = self.cluster.as_mut().expect("cluster");
        let n = &mut c.nodes[node as usize];
        n.state = NodeState::Ready;
        n.drain = None;
        let name = n.name.clone();
        c.history.last_failure = Some(now);
        c.unneeded_since.remove(&name);
        self.event(
            now,
            "ca_scale_down_failed",
            name,
            format!("pods not evicted within max_pod_eviction_time ({why}); node uncordoned"),
        );
        self.retry_pending(now);
    }
}
