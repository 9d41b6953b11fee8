//! Draining a node: PodDisruptionBudget arithmetic and the eviction order.
//!
//! The budget (`kubernetes/kubernetes`, `pkg/controller/disruption/disruption.go`,
//! `getExpectedPodCount` and `updatePdbStatus`):
//! - `maxUnavailable`: desired healthy = expected − scaled(maxUnavailable), floored at 0;
//! - `minAvailable`: an integer is the desired healthy count itself; a percentage is
//!   scaled on the expected count;
//! - both percentages scale with `intstr.GetScaledValueFromIntOrPercent(…, roundUp=true)`:
//!   `ceil(percent × expected / 100)`;
//! - disruptions allowed = healthy − desired healthy, 0 when negative or when nothing is
//!   expected; the eviction API refuses an eviction when it is 0 (HTTP 429).
//!
//! The drain (`cluster-autoscaler/core/scaledown/actuation/drain.go`): every movable pod is
//! evicted with grace period min(its `terminationGracePeriodSeconds`, default 30 s,
//! `--max-graceful-termination-sec`). Upstream retries a refused eviction for up to
//! `--max-pod-eviction-time`; here a refused pod waits for the next loop. DaemonSet pods are
//! not evicted: they end with the node.

use super::CaConfig;
use hpasim_sim::SimDuration;
use std::fmt;

/// Kubernetes' default `terminationGracePeriodSeconds` [s].
pub const DEFAULT_TERMINATION_GRACE_PERIOD_S: u32 = 30;

/// An `IntOrString` budget value: a count of pods, or a percentage of the expected pods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntOrPercent {
    /// A count [pods].
    Int(u32),
    /// A percentage of the expected pods [%], `"50%"` = 50.
    Percent(u32),
}

impl IntOrPercent {
    /// The value in pods for `expected` pods; percentages round up.
    pub fn scaled(self, expected: u32) -> u32 {
        match self {
            IntOrPercent::Int(n) => n,
            IntOrPercent::Percent(p) => {
                let v = (u64::from(p) * u64::from(expected)).div_ceil(100);
                u32::try_from(v).unwrap_or(u32::MAX)
            }
        }
    }
}

/// A PodDisruptionBudget spec: exactly one of the two fields, as the API requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pdb {
    /// `spec.minAvailable`.
    MinAvailable(IntOrPercent),
    /// `spec.maxUnavailable`.
    MaxUnavailable(IntOrPercent),
}

impl Pdb {
    /// `status.desiredHealthy` for `expected` pods (the controllers' desired scale).
    pub fn desired_healthy(self, expected: u32) -> u32 {
        match self {
            Pdb::MinAvailable(v) => v.scaled(expected),
            Pdb::MaxUnavailable(v) => expected.saturating_sub(v.scaled(expected)),
        }
    }

    /// `status.disruptionsAllowed` with `healthy` ready pods of `expected` [pods].
    pub fn disruptions_allowed(self, healthy: u32, expected: u32) -> u32 {
        if expected == 0 {
            return 0;
        }
        healthy.saturating_sub(self.desired_healthy(expected))
    }
}

/// An eviction the budget refuses now, with the numbers behind it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Blocked {
    /// Ready pods covered by the budget [pods].
    pub healthy: u32,
    /// Pods the budget wants ready [pods].
    pub desired_healthy: u32,
    /// Pods expected (the controllers' desired replicas) [pods].
    pub expected: u32,
}

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "disruption budget allows no eviction: {} healthy, {} desired healthy of {} expected",
            self.healthy, self.desired_healthy, self.expected
        )
    }
}

/// May one more pod covered by `pdb` be evicted, with `healthy` ready pods and `desired`
/// expected pods? (For an integer `minAvailable` upstream's expected count is the number of
/// matching pods; it only matters through the "nothing expected" guard.)
pub fn may_evict(pdb: &Pdb, healthy: u32, desired: u32) -> Result<(), Blocked> {
    if pdb.disruptions_allowed(healthy, desired) > 0 {
        Ok(())
    } else {
        Err(Blocked {
            healthy,
            desired_healthy: pdb.desired_healthy(desired),
            expected: desired,
        })
    }
}

/// A budget and the current state of the pods it covers.
#[derive(Clone, Debug, PartialEq)]
pub struct PdbState {
    /// Budget name, referenced by [`DrainPod::pdb`].
    pub name: String,
    /// The spec.
    pub pdb: Pdb,
    /// Ready pods covered [pods].
    pub healthy: u32,
    /// Expected pods (desired replicas of their controllers) [pods].
    pub expected: u32,
}

/// A pod on the node being drained.
#[derive(Clone, Debug, PartialEq)]
pub struct DrainPod {
    /// Pod name.
    pub name: String,
    /// The budget covering it, if any (by [`PdbState::name`]).
    pub pdb: Option<String>,
    /// `spec.terminationGracePeriodSeconds` [s]; `None` is the API default, 30 s.
    pub termination_grace_period_s: Option<u32>,
    /// True for a DaemonSet pod (not evicted).
    pub daemonset: bool,
    /// True when the pod is Ready (counted in its budget's `healthy`).
    pub ready: bool,
}

/// One eviction to issue now.
#[derive(Clone, Debug, PartialEq)]
pub struct Eviction {
    /// Pod name.
    pub pod: String,
    /// Grace period granted [s]: min(its own, `max_graceful_termination_sec`).
    pub grace: SimDuration,
}

/// [`plan_drain`]'s answer for one loop.
#[derive(Clone, Debug, PartialEq)]
pub struct DrainPlan {
    /// Evictions the budgets allow now, in the pods' order.
    pub evict_now: Vec<Eviction>,
    /// Pods to retry next loop, with the refusal.
    pub retry: Vec<(String, Blocked)>,
    /// DaemonSet pods left to end with the node.
    pub daemonset: Vec<String>,
}

/// Grace period of a drained pod: min(its own or 30 s, the CA's cap) [s].
pub fn grace_period(pod: &DrainPod, cfg: &CaConfig) -> SimDuration {
    let own = pod
        .termination_grace_period_s
        .unwrap_or(DEFAULT_TERMINATION_GRACE_PERIOD_S);
    SimDuration::from_secs(u64::from(own.min(cfg.max_graceful_termination_sec)))
}

/// The evictions of one loop on one node, pods in the given order; each eviction a budget
/// allows consumes one of its disruptions. An unready pod follows the default
/// `unhealthyPodEvictionPolicy: IfHealthyBudget` (`kubernetes/kubernetes`
/// `pkg/registry/core/pod/storage/eviction.go`): it goes without consuming anything when
/// healthy ≥ desired healthy > 0, otherwise through the ordinary check. A budget name not in
/// `budgets` does not restrict.
pub fn plan_drain(pods: &[DrainPod], budgets: &[PdbState], cfg: &CaConfig) -> DrainPlan {
    let mut healthy: Vec<u32> = budgets.iter().map(|b| b.healthy).collect();
    let mut plan = DrainPlan {
        evict_now: Vec::new(),
        retry: Vec::new(),
        daemonset: Vec::new(),
    };
    for pod in pods {
        if pod.daemonset {
            plan.daemonset.push(pod.name.clone());
            continue;
        }
        let budget = pod
            .pdb
            .as_deref()
            .and_then(|name| budgets.iter().position(|b| b.name == name));
        if let Some(i) = budget {
            let b = &budgets[i];
            let want = b.pdb.desired_healthy(b.expected);
            let unready_pass = !pod.ready && healthy[i] >= want && want > 0;
            if !unready_pass {
                if let Err(blocked) = may_evict(&b.pdb, healthy[i], b.expected) {
                    plan.retry.push((pod.name.clone(), blocked));
                    continue;
                }
                healthy[i] -= 1;
            }
        }
        plan.evict_now.push(Eviction {
            pod: pod.name.clone(),
            grace: grace_period(pod, cfg),
        });
    }
    plan
}
