//! ResourceQuota admission of the ReplicaSet's pod creations.
//!
//! Every pod the ReplicaSet creates (the initial pods at t = 0, scale-ups, replacements) passes
//! [`Quota::admit`] with the usage of the pods the quota counts: every pod not yet Deleted
//! (Terminating pods count until they are gone, as upstream counts a pod until it is terminal
//! or past its grace period), each with the Deployment's requests and limits. Usage is freed the
//! moment a pod is deleted (upstream's quota controller replenishes it on the pod's deletion).
//!
//! A sync of the ReplicaSet creates its missing pods as upstream's `slowStartBatch` does:
//! batches of 1, 2, 4, … creations; the first batch with a refused creation ends the sync (its
//! other creations still happen), the rest are skipped. Each refused creation is one attempt:
//! one `pod_create_failed` event (the ReplicaSet's `FailedCreate` warning, "Error creating:
//! pods "web-" is forbidden: exceeded quota: …") and one count in `pods_quota_denied`.
//!
//! Upstream retries a short ReplicaSet through the controller's rate-limited requeue (5 ms
//! doubling to 1000 s) and on every pod event; hpasim retries when quota frees (a pod is
//! deleted) or the desired count changes, so `pods_quota_denied` counts the attempts at those
//! moments, not the requeue's many retries in between.

use super::engine::World;
use super::pod::PodPhase;
use crate::cluster::quota::{PodRequests, Quota, Usage};
use crate::scenario::{ResolvedPods, Scenario, SpecError};
use hpasim_sim::SimTime;

/// A ResourceQuota compiled for a run.
#[derive(Clone, Debug)]
pub struct QuotaConfig {
    /// The quota.
    pub quota: Quota,
    /// One pod of the Deployment as admission sees it.
    pub pod: PodRequests,
}

/// The scenario's quota, if it has one; `pods` are its resolved pods.
pub fn compile_quota(s: &Scenario, pods: &ResolvedPods) -> Result<Option<QuotaConfig>, SpecError> {
    let Some(rq) = &s.resource_quota else {
        return Ok(None);
    };
    let (quota, _warnings) = Quota::from_manifest(rq).map_err(|e| SpecError {
        location: format!("resource_quota.{}", e.location),
        ..e
    })?;
    let pod = pods
        .quota_requests()
        .map_err(|e| SpecError::at_path("pods", e))?;
    Ok(Some(QuotaConfig { quota, pod }))
}

/// `n` pods of usage `pod`, saturating.
fn times(pod: &Usage, n: u64) -> Usage {
    Usage {
        requests_cpu_millis: pod.requests_cpu_millis.saturating_mul(n),
        requests_memory_bytes: pod.requests_memory_bytes.saturating_mul(n),
        limits_cpu_millis: pod.limits_cpu_millis.saturating_mul(n),
        limits_memory_bytes: pod.limits_memory_bytes.saturating_mul(n),
        pods: n,
    }
}

impl World<'_> {
    /// How many of `want` pod creations the quota admits now (all without a quota), in
    /// `slowStartBatch` order; each refusal is an event and a count.
    pub(super) fn quota_admitted(&mut self, now: SimTime, want: u32) -> u32 {
        let Some(cfg) = &self.sim.quota else {
            return want;
        };
        let counted = self.pods.iter().filter(|p| p.phase != PodPhase::Deleted);
        let one = Usage::of_pod(&cfg.pod);
        let mut used = times(&one, counted.count() as u64);
        let (mut admitted, mut remaining) = (0, want);
        let mut batch = remaining.min(1);
        let mut denials = Vec::new();
        while batch > 0 {
            for _ in 0..batch {
                match cfg.quota.admit(&used, &cfg.pod) {
                    Ok(()) => {
                        used = used.checked_add(&one).unwrap_or(used);
                        admitted += 1;
                    }
                    Err(denied) => denials.push(denied.to_string()),
                }
            }
            if !denials.is_empty() {
                break;
            }
            remaining -= batch;
            batch = (2 * batch).min(remaining);
        }
        let object = format!("deployment/{}", self.sim.name);
        for denied in denials {
            self.stats.quota_denied += 1;
            let detail = format!(
                "Error creating: pods \"{}-\" is forbidden: {denied}",
                self.sim.name
            );
            self.event(now, "pod_create_failed", object.clone(), detail);
        }
        admitted
    }

    /// The ReplicaSet's sync: creates the missing pods (desired − pods not terminating), through
    /// the quota.
    pub(super) fn sync_replicas(&mut self, now: SimTime) {
        let live = self
            .pods
            .iter()
            .filter(|p| p.phase < PodPhase::Terminating)
            .count() as u32;
        let missing = self.desired.saturating_sub(live);
        for _ in 0..self.quota_admitted(now, missing) {
            self.create_cold_pod(now);
        }
    }

    /// A pod was deleted: with a quota, its usage is free, so the ReplicaSet retries its missing
    /// pods.
    pub(super) fn quota_freed(&mut self, now: SimTime) {
        if self.sim.quota.is_some() {
            self.sync_replicas(now);
        }
    }
}
