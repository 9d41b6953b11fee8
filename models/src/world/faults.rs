//! Pod faults in the world: chaos kills and container crashes with CrashLoopBackOff
//! (scenario block `faults:`, [`crate::scenario::faults`]).
//!
//! ```text
//!  PodKill{index} ─▶ `count` Ready pods, uniform ─▶ requests held are lost (killed) ─▶ pod_killed
//!        ─▶ pod_deleted "killed by fault injection" ─▶ ReplicaSet: cold replacement at once
//!  container starts ─▶ next crash at now + Exp(mtbf) ─PodCrash{pod, gen}─▶ requests held lost,
//!        pool connections and metrics lost, out of the endpoints ─▶ CrashLoopBackOff
//!        ─PodRestart after min(initial·2^(k−1), max)─▶ Pulled ─PodRestart after container
//!        start─▶ Started ─app start + probe─▶ Ready (k = consecutive restarts, reset when it
//!        ran ≥ backoff_reset)
//! ```
//!
//! Semantics, with their upstream references:
//! - **Kill** = chaos-mesh `pod-kill` / `kubectl delete pod --grace-period=0 --force`: no grace
//!   period, no draining; the ReplicaSet controller notices the missing replica and creates a
//!   new pod (a cold start) at the same instant.
//! - **Crash** = the container exits; `restartPolicy: Always` (a Deployment's only policy) makes
//!   the kubelet restart it in place after an exponential back-off (Kubernetes docs, *Pod
//!   Lifecycle → Container restarts*: 10 s, 20 s, 40 s, … capped at 300 s; the back-off resets
//!   after the container ran 10 minutes without a problem). The pod keeps its name and node
//!   (no new pod, no new image pull); while in back-off it is not an endpoint, has no metrics
//!   and holds no database connections.
//! - A crash while Terminating ends the termination: the pod is deleted, nothing restarts.
//!   A pod deleted during its back-off never comes back (the restart is stale).
//! - Queue consumers (`queue:`): a kill or crash of a consumer pod follows the consumer-crash
//!   path (`ConsumerCrash`): messages go back to the broker (Redis) or are re-read from the
//!   last commit (Kafka), so they are redelivered, not lost (no `killed`, no `fault_errors`);
//!   the pod is deleted and the ReplicaSet replaces it (no in-place restart).
//!
//! Every draw (victims, crash times, restart start-up times) comes from the random stream
//! `faults`; a scenario without `faults:` draws nothing from it, so its other streams, and
//! hence its outputs, are unchanged.

use super::engine::{Outcome, World};
use super::event::Event;
use super::pod::PodPhase;
use super::request::Stage;
use super::startup::ready_at;
use crate::scenario::faults::Faults;
use hpasim_sim::{SimDuration, SimTime};
use rand::RngExt;

/// `faults:` compiled for running.
#[derive(Clone, Debug)]
pub struct FaultsConfig {
    /// Chaos kills: (when, how many pods), in file order.
    pub kills: Vec<(SimDuration, u32)>,
    /// Container crashes, if configured.
    pub crashes: Option<CrashConfig>,
}

/// Container crashes and the restart back-off, compiled.
#[derive(Clone, Copy, Debug)]
pub struct CrashConfig {
    /// Mean time between crashes of one running container [s].
    pub mtbf_s: f64,
    /// First restart delay.
    pub backoff_initial: SimDuration,
    /// Cap of the restart delay.
    pub backoff_max: SimDuration,
    /// Running this long without a crash resets the back-off.
    pub backoff_reset: SimDuration,
}

impl FaultsConfig {
    /// Compiles a validated `faults:` block.
    pub fn compile(f: &Faults) -> FaultsConfig {
        FaultsConfig {
            kills: f.pod_kills.iter().map(|k| (k.at.sim(), k.count)).collect(),
            crashes: f.pod_crashes.as_ref().map(|c| CrashConfig {
                mtbf_s: c.mtbf.secs(),
                backoff_initial: c.backoff_initial.sim(),
                backoff_max: c.backoff_max.sim(),
                backoff_reset: c.backoff_reset.sim(),
            }),
        }
    }
}

/// CrashLoopBackOff delay before restart number `restarts` (1 = the first restart after a
/// crash): `min(initial · 2^(restarts−1), max)`; zero for `restarts == 0`.
pub fn crash_loop_delay(restarts: u32, initial: SimDuration, max: SimDuration) -> SimDuration {
    if restarts == 0 {
        return SimDuration::ZERO;
    }
    let cap = max.as_nanos();
    let mut d = initial.as_nanos();
    for _ in 1..restarts {
        if d >= cap {
            break;
        }
        d = d.saturating_mul(2);
    }
    SimDuration(d.min(cap))
}

/// The consecutive-restart count after a crash: the previous count plus one, or 1 when the
/// container had run at least `reset` since its last start (the kubelet forgets the back-off).
pub fn consecutive_restarts(previous: u32, ran: SimDuration, reset: SimDuration) -> u32 {
    if ran >= reset {
        1
    } else {
        previous.saturating_add(1)
    }
}

/// Fault bookkeeping of one pod.
#[derive(Clone, Copy, Debug, Default)]
struct PodFaults {
    /// Bumped at each crash: pending crash and restart events of an older generation are stale.
    gen: u32,
    /// Consecutive restarts (CrashLoopBackOff exponent).
    restarts: u32,
    /// When its container last started.
    started: SimTime,
}

/// Fault state and counters of one run.
#[derive(Debug, Default)]
pub(super) struct FaultState {
    pods: Vec<PodFaults>,
    /// Containers that crashed.
    pub(super) pod_crashes: u64,
    /// Pods killed by chaos steps.
    pub(super) pod_kills: u64,
    /// Requests lost to kills, crashes, failed and reclaimed nodes.
    pub(super) fault_errors: u64,
    /// `fault_errors` when the current sample interval began.
    pub(super) fault_errors_at_interval_start: u64,
}

impl World<'_> {
    /// The `fault_errors` time-series column: requests lost to faults in the interval.
    pub(super) fn fault_columns(&mut self) -> Option<f64> {
        if !self.sim.has_faults() {
            return None;
        }
        let f = &mut self.faults;
        let n = f.fault_errors - f.fault_errors_at_interval_start;
        f.fault_errors_at_interval_start = f.fault_errors;
        Some(n as f64)
    }
}

impl FaultState {
    fn pod(&mut self, pod: u32) -> &mut PodFaults {
        let i = pod as usize;
        if self.pods.len() <= i {
            self.pods.resize(i + 1, PodFaults::default());
        }
        &mut self.pods[i]
    }
}

impl World<'_> {
    fn crash_config(&self) -> Option<CrashConfig> {
        self.sim.faults.as_ref().and_then(|f| f.crashes)
    }

    /// Run start: schedules the chaos kills.
    pub(super) fn start_faults(&mut self) {
        let sim = self.sim;
        let Some(f) = sim.faults.as_ref() else {
            return;
        };
        for (i, &(at, _)) in f.kills.iter().enumerate() {
            let t = SimTime::ZERO + at;
            if t < self.end {
                self.schedule(t, Event::PodKill { index: i as u32 });
            }
        }
    }

    /// A container started (first start or a restart): remember when, draw its next crash.
    pub(super) fn arm_crash(&mut self, now: SimTime, pod: u32) {
        let Some(c) = self.crash_config() else {
            return;
        };
        let st = self.faults.pod(pod);
        st.started = now;
        let gen = st.gen;
        let u: f64 = self.rng.faults.random();
        let at = now + SimDuration::from_secs_f64(-c.mtbf_s * (1.0 - u).ln());
        if at < self.end {
            self.schedule(at, Event::PodCrash { pod, gen });
        }
    }

    /// With faults, a Ready event planned before a crash is stale: the pod must be in its
    /// current start (phase Started, planned Ready now).
    pub(super) fn stale_ready(&self, now: SimTime, pod: u32) -> bool {
        if self.sim.faults.is_none() {
            return false;
        }
        let p = &self.pods[pod as usize];
        p.phase != PodPhase::Started || p.planned[3] != now
    }

    /// Chaos step `index`: kill `count` distinct Ready pods chosen uniformly at random.
    pub(super) fn on_pod_kill(&mut self, now: SimTime, index: u32) {
        let sim = self.sim;
        let count = sim.faults.as_ref().expect("kills only with faults").kills[index as usize].1;
        let mut ready = self.endpoints.clone();
        ready.sort_unstable();
        let n = (count as usize).min(ready.len());
        // Partial Fisher–Yates: the first n are a uniform random subset.
        for i in 0..n {
            let j = self.rng.faults.random_range(i..ready.len());
            ready.swap(i, j);
        }
        if n == 0 {
            let object = format!("deployment/{}", sim.name);
            let detail = format!("no Ready pod to kill (count {count})");
            self.event(now, "pod_kill_skipped", object, detail);
            return;
        }
        let shortfall = if n < count as usize {
            format!("; {count} requested, only {n} Ready")
        } else {
            String::new()
        };
        for &pod in &ready[..n] {
            self.faults.pod_kills += 1;
            let st = self.faults.pod(pod);
            st.gen = st.gen.wrapping_add(1);
            let lost = if self.broker.is_some() {
                self.consumer_lost(now, pod);
                0
            } else {
                self.leave_endpoints(now, pod);
                self.kill_requests(now, pod)
            };
            let name = self.pod_name(pod);
            let detail = format!("{lost} requests lost{shortfall}");
            self.event(now, "pod_killed", name, detail);
            self.delete(now, pod, "killed by fault injection");
            self.replace_pod(now);
        }
    }

    /// A running container crashes (if `gen` is still the pod's).
    pub(super) fn on_pod_crash(&mut self, now: SimTime, pod: u32, gen: u32) {
        let phase = self.pods[pod as usize].phase;
        let Some(c) = self.crash_config() else {
            return;
        };
        if self.faults.pod(pod).gen != gen
            || !(PodPhase::Started..=PodPhase::Terminating).contains(&phase)
            || self.pods[pod as usize].lost
        {
            return;
        }
        self.faults.pod_crashes += 1;
        let st = self.faults.pod(pod);
        st.gen = st.gen.wrapping_add(1);
        let (gen, ran, previous) = (st.gen, now - st.started, st.restarts);
        let name = self.pod_name(pod);
        if self.broker.is_some() {
            self.consumer_lost(now, pod);
            let detail = "consumer pod: messages redelivered, pod replaced".to_string();
            self.event(now, "pod_crashed", name, detail);
            self.delete(now, pod, "crashed");
            if phase != PodPhase::Terminating {
                self.replace_pod(now);
            }
            return;
        }
        let lost = self.kill_requests(now, pod);
        if phase == PodPhase::Terminating {
            let detail = format!("crashed while terminating: {lost} requests lost");
            self.event(now, "pod_crashed", name, detail);
            self.delete(now, pod, "crashed while terminating");
            return;
        }
        self.leave_endpoints(now, pod);
        let restarts = consecutive_restarts(previous, ran, c.backoff_reset);
        let delay = crash_loop_delay(restarts, c.backoff_initial, c.backoff_max);
        self.faults.pod(pod).restarts = restarts;
        self.pods[pod as usize].phase = PodPhase::CrashLoopBackOff;
        let request = self.pods[pod as usize].res.cpu_cores;
        let cores = self.stats.running_request_cores.value() - request;
        self.stats.running_request_cores.set(now, cores.max(0.0));
        self.forget_pod_metrics(pod);
        self.db_pod_deleted(now, pod);
        let detail = format!(
            "restart {restarts}, back-off {} s, {lost} requests lost",
            delay.as_secs_f64()
        );
        self.event(now, "pod_crashed", name, detail);
        if now + delay < self.end {
            self.schedule(now + delay, Event::PodRestart { pod, gen });
        }
    }

    /// The restart of a crashed container, in two steps (both `PodRestart` with the crash's
    /// generation): the back-off is over, the kubelet creates the container again (phase
    /// `Pulled`; container start and app start drawn from the `faults` stream); then the
    /// container runs (phase `Started`, readiness probe as at a first start). The database
    /// pool opens its `minimumIdle` connections again and keeps its one `maxLifetime` timer.
    pub(super) fn on_pod_restart(&mut self, now: SimTime, pod: u32, gen: u32) {
        if self.faults.pod(pod).gen != gen || self.pods[pod as usize].lost {
            return;
        }
        match self.pods[pod as usize].phase {
            PodPhase::CrashLoopBackOff => {
                let st = &self.sim.pods.startup;
                let rng = &mut self.rng.faults;
                let started = now + SimDuration::from_secs_f64(st.container_start.sample(rng));
                let app_up = started + SimDuration::from_secs_f64(st.app_start.sample(rng));
                let ready = ready_at(started, app_up, st.probe);
                let p = &mut self.pods[pod as usize];
                p.phase = PodPhase::Pulled;
                p.planned[2] = started;
                p.planned[3] = ready;
                let restarts = self.faults.pod(pod).restarts;
                let name = self.pod_name(pod);
                self.event(now, "pod_restarted", name, format!("restart {restarts}"));
                self.schedule(started, Event::PodRestart { pod, gen });
            }
            PodPhase::Pulled => {
                self.enter_running(now, pod);
                let idle = self.sim.db.as_ref().map_or(0, |c| c.min_idle);
                for _ in 0..idle {
                    self.open_connection(now, pod);
                }
                self.arm_crash(now, pod);
                self.pods[pod as usize].phase = PodPhase::Started;
                let name = self.pod_name(pod);
                self.event(now, PodPhase::Started.event_kind(), name, String::new());
                let ready = self.pods[pod as usize].planned[3];
                self.schedule(
                    ready,
                    Event::PodPhase {
                        pod,
                        to: PodPhase::Ready,
                    },
                );
            }
            _ => {}
        }
    }

    /// Every request `pod` holds (in service or in its local queue) is lost: counted as
    /// killed and as a fault error. Returns how many.
    pub(super) fn kill_requests(&mut self, now: SimTime, pod: u32) -> u64 {
        // `killing` stops the pod from pulling queued work while its requests are removed.
        let was_killing = self.pods[pod as usize].killing;
        self.pods[pod as usize].killing = true;
        let mut lost = 0u64;
        for slot in 0..self.requests.slot_count() as u32 {
            let r = *self.requests.get(slot);
            if r.stage != Stage::Free && r.pod == pod {
                lost += 1;
                self.stats.killed.incr();
                self.emit_request(now, &r, Outcome::Killed);
                self.abandon(now, slot);
            }
        }
        let p = &mut self.pods[pod as usize];
        p.killing = was_killing;
        p.queue.clear();
        self.faults.fault_errors += lost;
        lost
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: u64) -> SimDuration {
        SimDuration::from_secs(x)
    }

    #[test]
    fn crash_loop_backoff_delays_double_from_10_s_up_to_the_300_s_cap() {
        let delays: Vec<u64> = (1..=7)
            .map(|k| crash_loop_delay(k, s(10), s(300)).as_nanos() / 1_000_000_000)
            .collect();
        assert_eq!(delays, [10, 20, 40, 80, 160, 300, 300]);
        assert_eq!(crash_loop_delay(0, s(10), s(300)), SimDuration::ZERO);
        // No overflow however long the loop.
        assert_eq!(crash_loop_delay(u32::MAX, s(10), s(300)), s(300));
    }

    #[test]
    fn crash_loop_backoff_resets_after_10_min_of_running() {
        let reset = s(600);
        // Crashing again soon: the count goes on.
        assert_eq!(consecutive_restarts(3, s(30), reset), 4);
        assert_eq!(consecutive_restarts(0, s(1), reset), 1);
        // Ran 10 minutes or more: back to the first delay.
        assert_eq!(consecutive_restarts(5, s(600), reset), 1);
        assert_eq!(consecutive_restarts(5, s(3600), reset), 1);
        let k = consecutive_restarts(5, s(599), reset);
        assert_eq!(crash_loop_delay(k, s(10), s(300)), s(300));
        let k = consecutive_restarts(5, s(600), reset);
        assert_eq!(crash_loop_delay(k, s(10), s(300)), s(10));
    }
}
