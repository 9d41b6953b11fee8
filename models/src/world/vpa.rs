//! The Vertical Pod Autoscaler in the world: the recommender's loop, the admission
//! controller and the updater's loop around the pure [`crate::vpa`] library.
//!
//! ```text
//!  VpaRecommend (t = 0, then every recommender interval)
//!     each running pod: CPU used since its last sample ÷ elapsed ─▶ CPU sample (weight = its
//!        request), working set (pods.memory) ─▶ memory peak of the aggregation window
//!     ─▶ Recommender::recommend ─▶ apply_container_policy (min/maxAllowed, with reasons)
//!     ─▶ `vpa_recommendation` row when the target changes; timeseries vpa_* columns
//!  pod creation (Initial, Recreate, Auto) ─▶ the new pod's requests = the target; the CPU limit
//!     keeps its ratio to the request (controlledValues RequestsAndLimits)
//!  VpaUpdate (every updater interval; Recreate and Auto only)
//!     live pods < min_replicas ─▶ nothing; else pods whose requests are outside
//!     [lowerBound, upperBound] (should_evict), largest relative difference first, while the
//!     eviction tolerance and the PodDisruptionBudget allow ─▶ `vpa_evict` ─▶ normal
//!     termination (grace period) ─▶ the ReplicaSet's replacement gets the target
//! ```
//!
//! Samples: the first tick after a container starts (or restarts) only records the CPU counter;
//! each later tick adds one CPU sample per pod: its mean usage since the previous tick (upstream
//! reads metrics-server's rate over its last two scrapes, a shorter window, once a minute).
//! Memory is sampled only with a memory model (`pods.memory`); without one the VPA does not
//! control memory (there is nothing to recommend from).

use super::engine::World;
use super::event::Event;
use super::pod::{PodPhase, PodResources};
use crate::metrics::working_set;
use crate::rows::SummaryRow;
use crate::scenario::vpa::VpaConfig;
use crate::scenario::{Scenario, SpecError};
use crate::vpa::{
    apply_container_policy, should_evict, AggregateContainerState, CappedRecommendation,
    ContainerState, CurrentRequests, Recommender, Resource,
};
use hpasim_sim::SimTime;
use std::fmt::Write as _;

/// Time-series columns of a run with a VPA.
pub const VPA_COLUMNS: [&str; 7] = [
    "vpa_target_cpu_m",
    "vpa_lower_cpu_m",
    "vpa_upper_cpu_m",
    "vpa_target_memory_mib",
    "vpa_lower_memory_mib",
    "vpa_upper_memory_mib",
    "vpa_evictions",
];

const MIB: f64 = 1024.0 * 1024.0;

/// The VPA compiled for the world.
#[derive(Clone, Debug)]
pub struct VpaSim {
    /// The scenario's VPA.
    pub cfg: VpaConfig,
    /// The pods' memory model (base, per request in service) [bytes], if any.
    pub memory: Option<(f64, f64)>,
    /// The resources the VPA acts on: `controlledResources`, without memory when the
    /// scenario has no memory model.
    pub controlled: Vec<Resource>,
    /// The PodDisruptionBudget covering the pods, if the scenario has one.
    pub pdb: Option<crate::cluster_autoscaler::Pdb>,
}

/// Compiles the scenario's VPA; the first error, located by parameter path.
pub fn compile_vpa(s: &Scenario) -> Result<Option<VpaSim>, SpecError> {
    let Some(cfg) = crate::scenario::vpa::compile(s).map_err(|mut e| e.remove(0))? else {
        return Ok(None);
    };
    let memory = s
        .pods
        .memory
        .as_ref()
        .map(|m| (m.base.value(), m.per_request.value()));
    let controlled = cfg
        .controlled
        .iter()
        .copied()
        .filter(|&r| r == Resource::Cpu || memory.is_some())
        .collect();
    Ok(Some(VpaSim {
        cfg,
        memory,
        controlled,
        pdb: s.pod_disruption_budget.as_ref().map(|p| p.pdb()),
    }))
}

/// One pod's sampling state.
#[derive(Clone, Debug, Default)]
struct PodSamples {
    /// Memory window bookkeeping (created at the pod's first sample).
    container: Option<ContainerState>,
    /// (when, CPU used by then [core-ns]) at the previous tick, if the container ran then.
    last_cpu: Option<(SimTime, f64)>,
}

/// Per-run state of the VPA.
#[derive(Debug, Default)]
pub struct VpaRun {
    agg: Option<AggregateContainerState>,
    pods: Vec<PodSamples>,
    /// The latest recommendation (none before the first sample, or with the container's
    /// policy `mode: Off`).
    recommendation: Option<CappedRecommendation>,
    /// Pods the updater evicted.
    evictions: u64,
    /// `evictions` when the current sample interval began.
    evictions_at_interval_start: u64,
}

impl World<'_> {
    /// Run start: the first recommender tick at 0, the first updater loop one interval in.
    pub(super) fn start_vpa(&mut self) {
        let Some(v) = self.sim.vpa.as_ref() else {
            return;
        };
        if SimTime::ZERO < self.end {
            self.schedule(SimTime::ZERO, Event::VpaRecommend);
        }
        let first = SimTime::ZERO + v.cfg.updater_interval;
        if v.cfg.mode.evicts() && first < self.end {
            self.schedule(first, Event::VpaUpdate);
        }
    }

    /// A pod stopped running (deleted or crashed): its CPU counter is no baseline any more.
    pub(super) fn vpa_forget(&mut self, pod: u32) {
        if let Some(s) = self.vpa.as_mut().and_then(|v| v.pods.get_mut(pod as usize)) {
            s.last_cpu = None;
        }
    }

    /// The requests and CPU limit of a pod created now: the Deployment's, or, when the VPA
    /// applies at creation and has a recommendation, its target for each controlled resource.
    pub(super) fn admission_resources(&self, _now: SimTime) -> PodResources {
        let cfg = &self.sim.pods;
        let template = PodResources {
            cpu_cores: cfg.cpu_request,
            memory_bytes: cfg.memory_request_bytes,
            cpu_limit: cfg.cpu_limit,
            cost_per_second_usd: cfg.cost_per_second_usd,
            scheduling: self
                .sim
                .cluster
                .as_ref()
                .map_or(crate::cluster::Resources::ZERO, |c| c.pod_request),
        };
        let (Some(v), Some(run)) = (self.sim.vpa.as_ref(), self.vpa.as_ref()) else {
            return template;
        };
        let Some(rec) = run.recommendation.as_ref() else {
            return template;
        };
        if !v.cfg.mode.applies_at_creation() {
            return template;
        }
        let mut res = template;
        let target = rec.bounds.target;
        if v.controlled.contains(&Resource::Cpu) {
            res.cpu_cores = target.cpu_millis as f64 / 1000.0;
            if v.cfg.scale_limits && cfg.cpu_limit.is_finite() && cfg.cpu_request > 0.0 {
                res.cpu_limit = cfg.cpu_limit * res.cpu_cores / cfg.cpu_request;
            }
        }
        if v.controlled.contains(&Resource::Memory) {
            res.memory_bytes = target.memory_bytes as f64;
        }
        res.cost_per_second_usd = super::config::pod_cost_per_second_usd(
            res.cpu_cores,
            res.memory_bytes,
            v.cfg.prices_per_hour,
        );
        if self.sim.cluster.is_some() {
            res.scheduling = crate::cluster::Resources::pod(
                (res.cpu_cores * 1000.0).round() as u64,
                res.memory_bytes.round() as u64,
            );
        }
        res
    }

    /// `pod_created` detail: the requests the VPA admission controller set, if it changed the
    /// Deployment's (empty otherwise, as without a VPA).
    pub(super) fn vpa_admission_detail(&self, pod: u32) -> String {
        let res = self.pods[pod as usize].res;
        let cfg = &self.sim.pods;
        if self.sim.vpa.is_none()
            || (res.cpu_cores == cfg.cpu_request && res.memory_bytes == cfg.memory_request_bytes)
        {
            return String::new();
        }
        let limit = if res.cpu_limit.is_finite() {
            format!(", cpu limit {:.0}m", res.cpu_limit * 1000.0)
        } else {
            String::new()
        };
        format!(
            "requests set by the VPA: cpu {:.0}m, memory {:.1}Mi{limit}",
            res.cpu_cores * 1000.0,
            res.memory_bytes / MIB
        )
    }

    /// The recommender's loop: samples every running pod, then recomputes.
    pub(super) fn on_vpa_recommend(&mut self, now: SimTime) {
        let sim = self.sim;
        let v = sim.vpa.as_ref().expect("VPA events only with a VPA");
        let next = now + v.cfg.recommender_interval;
        if next < self.end {
            self.schedule(next, Event::VpaRecommend);
        }
        let mut run = self.vpa.take().expect("VPA state with a VPA");
        let agg = run.agg.get_or_insert_with(|| {
            AggregateContainerState::new(v.cfg.cpu_half_life, v.cfg.memory_half_life)
        });
        if run.pods.len() < self.pods.len() {
            run.pods.resize(self.pods.len(), PodSamples::default());
        }
        for (i, p) in self.pods.iter_mut().enumerate() {
            let running = (PodPhase::Started..PodPhase::Deleted).contains(&p.phase);
            if !running || p.lost {
                continue;
            }
            let used = p.cpu.advance(now);
            self.stats.record_cpu(used);
            let busy = p.cpu.busy_core_ns();
            let s = &mut run.pods[i];
            let container = s
                .container
                .get_or_insert_with(|| ContainerState::new(v.cfg.memory_aggregation_interval));
            if let Some((t0, b0)) = s.last_cpu {
                let span = now.saturating_since(t0).as_nanos() as f64;
                if span > 0.0 {
                    let usage = (busy - b0) / span;
                    container.add_cpu_sample(agg, t0, usage.max(0.0), p.res.cpu_cores);
                }
            }
            s.last_cpu = Some((now, busy));
            if let Some((base, per)) = v.memory {
                let ws = working_set(base, per, p.busy);
                container.add_memory_sample(agg, now, ws.max(0.0).round() as u64);
            }
        }
        if agg.total_samples_count > 0 {
            let rec = Recommender {
                config: v.cfg.recommender,
            }
            .recommend(agg, 1);
            let capped = apply_container_policy(&rec, v.cfg.policy.as_ref())
                .ok()
                .flatten()
                .map(|mut c| {
                    c.controlled.clone_from(&v.controlled);
                    c
                });
            let changed = match (&run.recommendation, &capped) {
                (Some(old), Some(new)) => old.bounds.target != new.bounds.target,
                (None, Some(_)) => true,
                _ => false,
            };
            if changed {
                let detail = recommendation_detail(capped.as_ref().expect("changed"), v);
                self.event(now, "vpa_recommendation", v.cfg.object.clone(), detail);
            }
            run.recommendation = capped;
        }
        self.vpa = Some(run);
    }

    /// The updater's loop (Recreate, Auto): evicts pods whose requests are outside the bounds,
    /// within upstream's guards.
    pub(super) fn on_vpa_update(&mut self, now: SimTime) {
        let sim = self.sim;
        let v = sim.vpa.as_ref().expect("VPA events only with a VPA");
        let next = now + v.cfg.updater_interval;
        if next < self.end {
            self.schedule(next, Event::VpaUpdate);
        }
        let Some(rec) = self.vpa.as_ref().and_then(|r| r.recommendation.clone()) else {
            return;
        };
        // Live pods: not terminating, not gone (upstream: the controller's pods, not deleted).
        let live: Vec<u32> = (0..self.pods.len() as u32)
            .filter(|&i| self.pods[i as usize].phase < PodPhase::Terminating)
            .collect();
        let mut outside: Vec<(f64, u32, String)> = Vec::new();
        for &pod in &live {
            let res = self.pods[pod as usize].res;
            let current = CurrentRequests::new(
                (res.cpu_cores * 1000.0).round() as u64,
                res.memory_bytes.round() as u64,
            );
            if let Some(reason) = should_evict(&current, &rec) {
                outside.push((priority(&current, &rec), pod, reason.to_string()));
            }
        }
        if outside.is_empty() {
            return;
        }
        let object = v.cfg.object.clone();
        let actual = live.len() as u32;
        if actual < v.cfg.min_replicas {
            let detail = format!(
                "too few replicas: {actual} live pods, min_replicas {}; {} pods outside the bounds not evicted",
                v.cfg.min_replicas,
                outside.len()
            );
            self.event(now, "vpa_eviction_skipped", object, detail);
            return;
        }
        // Upstream's eviction restriction: the Deployment's replicas, how many may go per loop.
        let configured = self.desired;
        let tolerance = (f64::from(configured) * v.cfg.eviction_tolerance).floor() as u32;
        let should_be_alive = configured.saturating_sub(tolerance);
        let running = live
            .iter()
            .filter(|&&p| self.pods[p as usize].phase >= PodPhase::Started)
            .count() as u32;
        outside.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let pdb = v.pdb;
        let mut evicted = 0u32;
        let mut blocked = None;
        for (_, pod, reason) in outside {
            let phase = self.pods[pod as usize].phase;
            let pending = phase < PodPhase::Started;
            let tolerated = pending
                || running.saturating_sub(evicted) > should_be_alive
                || (running == configured && tolerance == 0 && evicted == 0);
            if !tolerated {
                blocked.get_or_insert_with(|| {
                    format!(
                        "eviction tolerance: {running} running of {configured} replicas, {evicted} evicted this loop, at least {should_be_alive} must stay"
                    )
                });
                continue;
            }
            if let (Some(pdb), PodPhase::Ready) = (&pdb, phase) {
                let healthy = self.endpoints.len() as u32;
                if let Err(b) = crate::cluster_autoscaler::may_evict(pdb, healthy, self.desired) {
                    blocked.get_or_insert_with(|| format!("{b}"));
                    continue;
                }
            }
            if !pending {
                evicted += 1;
            }
            if let Some(run) = self.vpa.as_mut() {
                run.evictions += 1;
            }
            let name = self.pod_name(pod);
            self.event(now, "vpa_evict", name, reason);
            self.terminate(now, pod);
            self.replace_pod(now);
        }
        if let Some(why) = blocked {
            self.event(now, "vpa_eviction_blocked", object, why);
        }
    }

    /// The `vpa_*` time-series values (empty without a VPA; NaN before a recommendation).
    pub(super) fn vpa_columns(&mut self) -> Vec<f64> {
        let Some(run) = self.vpa.as_mut() else {
            return Vec::new();
        };
        let evictions = run.evictions - run.evictions_at_interval_start;
        run.evictions_at_interval_start = run.evictions;
        let mut out = vec![f64::NAN; VPA_COLUMNS.len()];
        if let Some(r) = &run.recommendation {
            let b = &r.bounds;
            out[0] = b.target.cpu_millis as f64;
            out[1] = b.lower_bound.cpu_millis as f64;
            out[2] = b.upper_bound.cpu_millis as f64;
            out[3] = b.target.memory_bytes as f64 / MIB;
            out[4] = b.lower_bound.memory_bytes as f64 / MIB;
            out[5] = b.upper_bound.memory_bytes as f64 / MIB;
        }
        out[6] = evictions as f64;
        out
    }

    /// summary.csv: evictions and the final target (0 without a VPA or a recommendation).
    pub(super) fn fill_vpa_summary(&self, row: &mut SummaryRow) {
        let Some(run) = self.vpa.as_ref() else {
            return;
        };
        row.vpa_evictions = run.evictions;
        if let Some(r) = &run.recommendation {
            row.vpa_final_target_cpu_m = r.bounds.target.cpu_millis as f64;
            row.vpa_final_target_memory_mib = r.bounds.target.memory_bytes as f64 / MIB;
        }
    }
}

/// The updater's priority (upstream `pkg/updater/priority`): the summed relative difference
/// between the requests and the target, over the controlled resources.
fn priority(current: &CurrentRequests, rec: &CappedRecommendation) -> f64 {
    rec.controlled
        .iter()
        .map(|&r| {
            let request = current.get(r).unwrap_or(0) as f64;
            let target = rec.bounds.target.get(r) as f64;
            if request > 0.0 {
                (target - request).abs() / request
            } else {
                f64::INFINITY
            }
        })
        .sum()
}

/// events.csv detail of a new recommendation: target, bounds, uncapped target, clamps.
fn recommendation_detail(r: &CappedRecommendation, v: &VpaSim) -> String {
    let mut s = String::new();
    let b = &r.bounds;
    for &res in &v.controlled {
        let show = |x: u64| match res {
            Resource::Cpu => format!("{x}m"),
            Resource::Memory => format!("{:.1}Mi", x as f64 / MIB),
        };
        let _ = write!(
            s,
            "{}: target={} lowerBound={} upperBound={} uncappedTarget={}; ",
            res.name(),
            show(b.target.get(res)),
            show(b.lower_bound.get(res)),
            show(b.upper_bound.get(res)),
            show(r.uncapped_target.get(res)),
        );
    }
    let clamps: Vec<String> = r
        .clamps
        .iter()
        .filter(|c| v.controlled.contains(&c.resource))
        .map(|c| c.to_string())
        .collect();
    if clamps.is_empty() {
        s.push_str("no clamp");
    } else {
        let _ = write!(s, "clamps: {}", clamps.join(", "));
    }
    s
}
