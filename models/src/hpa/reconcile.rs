//! One reconcile of one HPA (H `reconcileAutoscaler`, hpa-spec 1.3 steps 2–5, §4), pure:
//! the cluster snapshot, the configuration and `now` come in; the decision comes out; the
//! history is updated as the controller updates its in-memory maps.
//!
//! History updates, in upstream order:
//! 1. seed the recommendations with `(currentReplicas, now)` when never reconciled
//!    (`recordInitialRecommendation`), before any branch;
//! 2. store the prenormalized recommendation during normalization (only when metrics were
//!    computed and did not abort);
//! 3. when the count changes, record the scale event (`storeScaleEvent`, behavior path only).
//!    Upstream does this after the scale write succeeds; [`reconcile`] assumes the write
//!    succeeds and records it itself. A caller that models failing writes uses
//!    [`reconcile_without_event`] and calls [`History::record_scale`] on success.
//!
//! Tolerances (H, v1.33+): the cluster tolerance in both directions, replaced per direction by
//! `behavior.scaleUp/scaleDown.tolerance` when `HPAConfigurableTolerance` is on.

use super::behavior::{self, Reason, ScalingRules};
use super::calculator::{Calculator, Tolerances};
use super::metric::{self, MetricOutcome};
use super::snapshot::{ClusterSnapshot, ControllerConfig, History};
use super::spec::HpaSpec;
use hpasim_sim::SimTime;

/// The decision of one reconcile and how it was reached.
#[derive(Clone, Debug, PartialEq)]
pub struct Reconcile {
    /// `scale.spec.replicas` read at the start.
    pub current_replicas: i32,
    /// Per-metric outcomes (empty when the reconcile stopped before computing metrics).
    pub metrics: Vec<MetricOutcome>,
    /// Max over valid proposals before normalization; `None` when no metric is valid or the
    /// reconcile stopped before computing metrics.
    pub proposal: Option<i32>,
    /// `max(0, proposal)` fed to normalization; `None` when normalization did not run.
    pub prenormalized: Option<i32>,
    /// After stabilization; `None` when normalization did not run.
    pub stabilized: Option<i32>,
    /// The stabilization's reason when it changed the count (ScaleUpStabilized /
    /// ScaleDownStabilized).
    pub stabilization_reason: Option<Reason>,
    /// The count the controller wants (equal to current when nothing is written).
    pub desired_replicas: i32,
    /// Why `desired_replicas` has its value.
    pub reason: Reason,
    /// The first invalid metric's error when metrics aborted the reconcile.
    pub error: Option<String>,
    /// Whether the scale subresource is written (`desired != current`).
    pub rescale: bool,
    /// Whether the behavior path (not the legacy path) normalized.
    pub behavior_path: bool,
}

/// The tolerances of `hpa` under `cfg` (hpa-spec 3.4).
pub fn tolerances(hpa: &HpaSpec, cfg: &ControllerConfig) -> Tolerances {
    let mut t = Tolerances::uniform(cfg.tolerance, cfg.version);
    if let (Some(b), true, false) = (
        &hpa.behavior,
        cfg.gates.hpa_configurable_tolerance,
        t.legacy_form,
    ) {
        let q = |r: &Option<super::spec::HpaScalingRules>| {
            r.as_ref()
                .and_then(|r| r.tolerance.as_ref())
                .map(|q| q.value())
        };
        t.scale_up = q(&b.scale_up).unwrap_or(t.scale_up);
        t.scale_down = q(&b.scale_down).unwrap_or(t.scale_down);
    }
    t
}

/// One reconcile; records the scale event when the count changes (see the module docs).
pub fn reconcile(
    hpa: &HpaSpec,
    cfg: &ControllerConfig,
    snap: &ClusterSnapshot,
    history: &mut History,
    now: SimTime,
) -> Reconcile {
    let r = reconcile_without_event(hpa, cfg, snap, history, now);
    if r.rescale {
        history.record_scale(
            hpa.behavior.as_ref(),
            cfg.downscale_stabilization_window,
            r.current_replicas,
            r.desired_replicas,
            now,
        );
    }
    r
}

/// One reconcile without recording the scale event.
pub fn reconcile_without_event(
    hpa: &HpaSpec,
    cfg: &ControllerConfig,
    snap: &ClusterSnapshot,
    history: &mut History,
    now: SimTime,
) -> Reconcile {
    let current = snap.spec_replicas;
    history.record_initial(current, now);
    let min = hpa.min_replicas_or_default();
    let max = hpa.max_replicas;
    let mut out = Reconcile {
        current_replicas: current,
        metrics: Vec::new(),
        proposal: None,
        prenormalized: None,
        stabilized: None,
        stabilization_reason: None,
        desired_replicas: current,
        reason: Reason::DesiredWithinRange,
        error: None,
        rescale: false,
        behavior_path: hpa.behavior.is_some(),
    };
    if current == 0 && min != 0 {
        out.desired_replicas = 0;
        out.reason = Reason::ScalingDisabled;
        return out;
    }
    if current > max || current < min {
        (out.desired_replicas, out.reason) = if current > max {
            (max, Reason::CurrentAboveMaxReplicas)
        } else {
            (min, Reason::CurrentBelowMinReplicas)
        };
        out.rescale = out.desired_replicas != current;
        return out;
    }
    let calc = Calculator {
        cfg,
        tolerances: tolerances(hpa, cfg),
        now,
    };
    out.metrics = hpa
        .effective_metrics()
        .iter()
        .map(|m| MetricOutcome {
            name: m.display_name(),
            source_type: m.type_.clone(),
            result: metric::evaluate(&calc, m, snap),
        })
        .collect();
    let combined = metric::combine(&out.metrics, current);
    out.proposal = combined.proposal;
    if let Some(err) = combined.abort {
        out.reason = Reason::InvalidMetrics;
        out.error = Some(err);
        return out;
    }
    let pre = combined.proposal.unwrap_or(0).max(0);
    out.prenormalized = Some(pre);
    let ((stabilized, s_reason), (desired, reason)) = match &hpa.behavior {
        None => {
            let s =
                behavior::stabilize_legacy(history, pre, cfg.downscale_stabilization_window, now);
            let l = behavior::limit_legacy(
                current,
                s.0,
                min,
                max,
                cfg.scale_up_limit_factor,
                cfg.scale_up_limit_minimum,
            );
            (s, l)
        }
        Some(b) => {
            let up = ScalingRules::up(b);
            let down = ScalingRules::down(b, cfg.downscale_stabilization_window);
            let s = behavior::stabilize_with_behavior(history, current, pre, &up, &down, now);
            let l = behavior::limit_with_behavior(history, current, s.0, min, max, &up, &down, now);
            (s, l)
        }
    };
    out.stabilized = Some(stabilized);
    out.stabilization_reason = (s_reason != Reason::DesiredWithinRange).then_some(s_reason);
    out.desired_replicas = desired;
    out.reason = match (reason, out.stabilization_reason) {
        (Reason::DesiredWithinRange, Some(s)) => s,
        (r, _) => r,
    };
    out.rescale = desired != current;
    out
}
