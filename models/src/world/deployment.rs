//! Which pods a Deployment deletes first when it scales down (the ReplicaSet's ranking).
//!
//! Upstream (`controller.ActivePods` ordering, `pkg/controller/controller_utils.go`): pods not
//! yet bound to a node before bound ones; pending before running; not ready before ready;
//! ready for less time before ready for longer; newer before older.

use super::pod::{Pod, PodPhase};
use hpasim_sim::SimTime;

/// The deletion rank of a live pod: lower is deleted first.
pub fn deletion_rank(
    pod: &Pod,
) -> (
    u8,
    u8,
    u8,
    std::cmp::Reverse<SimTime>,
    std::cmp::Reverse<SimTime>,
) {
    let unbound = u8::from(pod.scheduled.is_some());
    let running = u8::from(pod.phase >= PodPhase::Started);
    let ready = u8::from(pod.phase == PodPhase::Ready);
    let ready_since = std::cmp::Reverse(pod.ready.unwrap_or(SimTime::MAX));
    let created = std::cmp::Reverse(pod.created);
    (unbound, running, ready, ready_since, created)
}

/// Picks `count` pods to delete among `live` (indices into `pods`), in deletion order.
pub fn pick_victims(pods: &[Pod], live: &[u32], count: usize) -> Vec<u32> {
    let mut ranked: Vec<u32> = live.to_vec();
    ranked.sort_by_key(|&i| (deletion_rank(&pods[i as usize]), std::cmp::Reverse(i)));
    ranked.truncate(count);
    ranked
}
