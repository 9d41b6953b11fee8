//! A pod: lifecycle phase, worker slots, local queue and CPU.
//!
//! ```text
//!  Pending ─schedule─▶ Scheduled ─image pull─▶ Pulled ─container start─▶ Started
//!     ─app start + readiness probe─▶ Ready ─(scale down)─▶ Terminating ─drain/grace─▶ Deleted
//!  Started/Ready ─container crash─▶ CrashLoopBackOff ─back-off, container start─▶ Started
//! ```
//! Only Ready pods are endpoints. A Terminating pod finishes what it holds (queue included)
//! for up to its grace period; whatever remains then is killed.

use super::cpu::CpuShare;
use hpasim_sim::SimTime;
use std::collections::VecDeque;

/// Lifecycle phase of a pod.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PodPhase {
    /// Created, waiting for a node.
    Pending,
    /// Bound to a node, pulling its image.
    Scheduled,
    /// Image present, container being created.
    Pulled,
    /// Its container crashed: waiting out the CrashLoopBackOff delay, then restarting
    /// (`faults.pod_crashes`). Not running, not an endpoint.
    CrashLoopBackOff,
    /// Container running, app starting, readiness probe not yet passed.
    Started,
    /// Passed its readiness probe: an endpoint.
    Ready,
    /// Removed from endpoints, draining.
    Terminating,
    /// Gone.
    Deleted,
}

impl PodPhase {
    /// The name used in events.csv.
    pub fn event_kind(self) -> &'static str {
        match self {
            PodPhase::Pending => "pod_created",
            PodPhase::Scheduled => "pod_scheduled",
            PodPhase::Pulled => "pod_image_pulled",
            PodPhase::CrashLoopBackOff => "pod_crashed",
            PodPhase::Started => "pod_container_started",
            PodPhase::Ready => "pod_ready",
            PodPhase::Terminating => "pod_terminating",
            PodPhase::Deleted => "pod_deleted",
        }
    }

    /// Counted in `pods_starting`: scheduled or on its way, not yet Ready.
    pub fn is_starting(self) -> bool {
        self < PodPhase::Ready
    }
}

/// One pod.
#[derive(Debug)]
pub struct Pod {
    /// Ordinal, used in its name.
    pub ordinal: u32,
    /// Current phase.
    pub phase: PodPhase,
    /// Creation time.
    pub created: SimTime,
    /// When it was bound to a node (cost starts), if it was.
    pub scheduled: Option<SimTime>,
    /// When it became Ready, if it did.
    pub ready: Option<SimTime>,
    /// Planned instants of start-up, drawn at creation: scheduled, image pulled, container
    /// started, Ready (from the probe schedule).
    pub planned: [SimTime; 4],
    /// Worker slots in use.
    pub busy: u32,
    /// Local FIFO queue of request slots (may hold stale entries; see `queued`).
    pub queue: VecDeque<(u32, u64)>,
    /// Live requests in the local queue.
    pub queued: u32,
    /// The pod's CPU.
    pub cpu: CpuShare,
    /// In the free-worker list of the shared queue.
    pub in_free_list: bool,
    /// Its grace period expired: remaining work is being killed.
    pub killing: bool,
    /// Node it is bound to ([`super::nodes::NO_NODE`] when none or without `cluster:`).
    pub node: u32,
    /// Its node failed: it still looks alive to the endpoints but answers nothing.
    pub lost: bool,
    /// Its requests, CPU limit and price: the Deployment's, or what the VPA set at admission.
    pub res: PodResources,
}

/// A pod's requests and CPU limit, fixed at its creation (the Deployment's template, or the
/// VPA admission controller's recommendation), and what they cost.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PodResources {
    /// CPU request [cores].
    pub cpu_cores: f64,
    /// Memory request [bytes].
    pub memory_bytes: f64,
    /// CPU limit [cores] (infinite = none).
    pub cpu_limit: f64,
    /// Price of the pod [USD/s].
    pub cost_per_second_usd: f64,
    /// The requests as the scheduler sees them [m, B, 1 pod] (zero without `cluster:`).
    pub scheduling: crate::cluster::Resources,
}

impl Pod {
    /// Requests held: in service plus queued (what least-connections compares).
    #[inline]
    pub fn in_flight(&self) -> u32 {
        self.busy + self.queued
    }

    /// True while the pod bills (bound to a node and not yet deleted).
    pub fn is_billed(&self) -> bool {
        self.scheduled.is_some() && self.phase != PodPhase::Deleted
    }
}
