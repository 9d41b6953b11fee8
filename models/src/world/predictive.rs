//! Predictive scaling in the world: a controller beside the HPA that forecasts the HPA's
//! scaling metric from its own history and keeps `minReplicas` at the replicas the forecast
//! needs, early enough for new pods to be Ready; the HPA then acts on max(its own
//! recommendation, the floor), as managed predictive autoscalers combine the two.
//!
//! ```text
//!  HpaSync ── snapshot ──▶ total of the metric over the pods (cores, bytes, req/s, …) ─┐
//!                                                                                      │ mean per step
//!  PredictiveStep (every step) ◀──────────────────────────────────────────────────────┘
//!     ├─▶ forecaster.observe(mean)           (one-step error scored: forecast_mae/rmse)
//!     ├─▶ f = max(forecast(1..=H)) where H = ceil((lead + step) ÷ step)
//!     └─▶ floor = min(ceil(f ÷ target per pod), maxReplicas) ─▶ minReplicas patch
//!  HpaSync ── reconcile(reactive spec) on a copy of the history ─▶ reactive desired
//!          └─ reconcile(patched spec) ─▶ desired ≥ reactive; the difference is "added"
//! ```
//!
//! A floor set at a step boundary `T` holds until `T + step`; pods it asks for are Ready
//! `lead` later, so it must cover the load up to `T + step + lead`, and, because a lower floor
//! lets the HPA scale down at once, the load from `T` on: hence the maximum over the steps
//! `1..=H`.

use super::autoscaler::HpaState;
use super::config::PodConfig;
use super::engine::World;
use super::event::Event;
use super::hpa_config::HpaConfig;
use crate::forecast::{horizon_steps, replicas_for, Forecaster};
use crate::hpa::spec::{MetricSpec, MetricTarget, MetricTargetType};
use crate::hpa::{self, ClusterSnapshot};
use crate::scenario::predictive::ForecasterKind;
use crate::scenario::{Scenario, SpecError};
use hpasim_sim::{SimDuration, SimTime};

/// Where the total of the forecast metric is read at each HPA sync.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadSource {
    /// Σ of the pods' CPU usage (metrics-server) [cores].
    Cpu,
    /// Σ of the pods' working sets (metrics-server) [bytes].
    Memory,
    /// Σ of a Pods metric over the pods [metric units].
    Pods(String),
    /// An External metric's value (the sum of its series) [metric units].
    External(String),
}

/// The compiled controller.
#[derive(Clone, Debug)]
pub struct PredictiveConfig {
    /// The model in its initial (empty) state; every run starts from a clone.
    pub forecaster: Forecaster,
    /// The model's name.
    pub kind: ForecasterKind,
    /// History step.
    pub step: SimDuration,
    /// How far ahead capacity is requested.
    pub lead: SimDuration,
    /// Steps the floor covers: `ceil((lead + step) ÷ step)`.
    pub horizon: usize,
    /// The HPA metric forecast (the name events show).
    pub metric: String,
    /// Where its total is read.
    pub source: LoadSource,
    /// What one pod holds at the HPA's target [metric units per pod].
    pub target_per_pod: f64,
    /// The unit of the load, for column names and events (`cores`, `bytes`, the metric name).
    pub unit: String,
    /// The HPA's maxReplicas.
    pub max_replicas: u32,
}

/// Compiles `s.predictive_scaling` against the compiled HPA and pods; errors are located.
pub fn compile(
    s: &Scenario,
    hpa: Option<&HpaConfig>,
    pods: &PodConfig,
) -> Result<Option<PredictiveConfig>, SpecError> {
    let Some(b) = &s.predictive_scaling else {
        return Ok(None);
    };
    let p = "predictive_scaling";
    let Some(hpa) = hpa else {
        return Err(
            SpecError::at_path(p, "predictive scaling needs the scenario's HPA")
                .with_hint("add an autoscaling/v2 HorizontalPodAutoscaler"),
        );
    };
    let season = b
        .season_steps()
        .map_err(|e| SpecError::at_path(format!("{p}.season"), e))?;
    let forecaster = match b.forecaster {
        ForecasterKind::SeasonalNaive => Forecaster::seasonal_naive(season),
        ForecasterKind::HoltWinters => Forecaster::holt_winters(b.holt_winters_params(season)),
    }
    .map_err(|e| SpecError::at_path(p, e))?;
    let metrics = hpa.spec.effective_metrics();
    let names: Vec<String> = metrics.iter().map(|m| m.display_name()).collect();
    let chosen = match &b.metric {
        None => 0,
        Some(want) => names.iter().position(|n| n == want).ok_or_else(|| {
            SpecError::at_path(
                format!("{p}.metric"),
                format!("the HPA has no metric `{want}`"),
            )
            .with_hint(format!("the HPA's metrics: {}", names.join(", ")))
        })?,
    };
    let (source, target_per_pod, unit) = load_source(&metrics[chosen], pods)
        .map_err(|e| {
            SpecError::at_path(format!("{p}.metric"), e).with_hint(
                "forecast a metric with a per-pod target: Resource cpu/memory (Utilization or AverageValue), a Pods metric, or an External metric with AverageValue",
            )
        })?;
    let step = b.step.sim();
    let lead = b.lead.map_or_else(
        || default_lead(pods, hpa.controller.sync_period),
        |d| d.sim(),
    );
    let horizon = horizon_steps(SimDuration(lead.0.saturating_add(step.0)), step)
        .map_err(|e| SpecError::at_path(format!("{p}.step"), e))?;
    Ok(Some(PredictiveConfig {
        forecaster,
        kind: b.forecaster,
        step,
        lead,
        horizon,
        metric: names[chosen].clone(),
        source,
        target_per_pod,
        unit,
        max_replicas: u32::try_from(hpa.spec.max_replicas.max(0)).unwrap_or(0),
    }))
}

/// The total the forecast follows and what one pod holds at the target.
fn load_source(m: &MetricSpec, pods: &PodConfig) -> Result<(LoadSource, f64, String), String> {
    let average = |t: &MetricTarget| -> Result<f64, String> {
        match (t.type_, t.average_value.as_ref()) {
            (MetricTargetType::AverageValue, Some(q)) => {
                Ok(hpa::spec::milli_value(q) as f64 / 1000.0)
            }
            _ => Err(format!(
                "metric `{}` has a {:?} target: the forecast needs a per-pod target (AverageValue)",
                m.display_name(),
                t.type_
            )),
        }
    };
    if let Some(r) = &m.resource {
        let (source, request, unit) = match r.name.as_str() {
            "cpu" => (LoadSource::Cpu, pods.cpu_request, "cores"),
            "memory" => (LoadSource::Memory, pods.memory_request_bytes, "bytes"),
            other => return Err(format!("resource `{other}` is not simulated")),
        };
        let per_pod = match (r.target.type_, r.target.average_utilization) {
            (MetricTargetType::Utilization, Some(pct)) => f64::from(pct) / 100.0 * request,
            _ => average(&r.target)?,
        };
        return Ok((source, per_pod, unit.into()));
    }
    if let Some(pm) = &m.pods {
        let name = pm.metric.name.clone();
        return Ok((LoadSource::Pods(name.clone()), average(&pm.target)?, name));
    }
    if let Some(e) = &m.external {
        let name = e.metric.name.clone();
        return Ok((
            LoadSource::External(name.clone()),
            average(&e.target)?,
            name,
        ));
    }
    Err(format!(
        "metric `{}` ({}) cannot be summed over the pods",
        m.display_name(),
        m.type_
    ))
}

/// The pods' mean start-up until Ready plus one HPA sync period (the floor acts at the next
/// sync), rounded up to whole seconds.
fn default_lead(pods: &PodConfig, sync_period: SimDuration) -> SimDuration {
    let st = &pods.startup;
    let p = st.image_cached_probability;
    let pull = p * st.image_pull_cached.mean() + (1.0 - p) * st.image_pull.mean();
    let probe_delay = st.probe.initial_delay.as_nanos() as f64 * 1e-9;
    let probe_period = st.probe.period.as_nanos() as f64 * 1e-9;
    let ready = st.schedule.mean()
        + pull
        + st.container_start.mean()
        + st.app_start.mean().max(probe_delay)
        + 0.5 * probe_period;
    SimDuration(
        SimDuration::from_secs(ready.ceil() as u64)
            .0
            .saturating_add(sync_period.0),
    )
}

/// Per-run state of the controller.
#[derive(Clone, Debug)]
pub struct PredictiveState {
    forecaster: Forecaster,
    /// Σ of the totals seen at the syncs of the current step.
    sum: f64,
    /// Syncs seen in the current step.
    samples: u32,
    /// The last step's mean total [metric units] (NaN before the first step).
    last_load: f64,
    /// The forecast for the current step, made at its start [metric units] (NaN until warm).
    forecast_now: f64,
    /// The floor in force [replicas].
    floor: Option<u32>,
    /// Replicas the floor added at the last sync (desired − reactive desired).
    added_last: i32,
    /// Σ over syncs of (desired − reactive desired) × sync period [replica-seconds].
    added_replica_s: f64,
    /// Syncs at which the floor raised the HPA's answer.
    raised_syncs: u64,
    /// Scratch copy of the HPA's history for the reactive counterfactual (reused).
    pub scratch: hpa::History,
}

impl PredictiveState {
    /// Fresh state for a run of `cfg`.
    pub fn new(cfg: &PredictiveConfig) -> PredictiveState {
        PredictiveState {
            forecaster: cfg.forecaster.clone(),
            sum: 0.0,
            samples: 0,
            last_load: f64::NAN,
            forecast_now: f64::NAN,
            floor: None,
            added_last: 0,
            added_replica_s: 0.0,
            raised_syncs: 0,
            scratch: hpa::History::default(),
        }
    }
}

/// The total of the forecast metric over the pods the HPA sees [metric units].
fn total_load(source: &LoadSource, snap: &ClusterSnapshot) -> f64 {
    let milli: i64 = match source {
        LoadSource::Cpu | LoadSource::Memory => {
            let key = if *source == LoadSource::Cpu {
                "cpu"
            } else {
                "memory"
            };
            snap.pods
                .iter()
                .flat_map(|p| p.containers.iter())
                .filter_map(|c| c.usage.get(key))
                .sum()
        }
        LoadSource::Pods(name) => snap.pods.iter().filter_map(|p| p.metrics.get(name)).sum(),
        LoadSource::External(name) => snap
            .external_metrics
            .get(name)
            .map_or(0, |v| v.iter().sum()),
    };
    // Memory usage is bytes × 1000 (milli-bytes), like every other metric here.
    milli as f64 / 1000.0
}

/// Time-series column names of the controller.
pub fn predictive_column_names(cfg: &PredictiveConfig) -> Vec<String> {
    let unit = sanitize(&cfg.unit);
    vec![
        format!("load_observed_{unit}"),
        format!("load_forecast_{unit}"),
        "predictive_floor_replicas".into(),
        "predictive_added_replicas".into(),
    ]
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

impl World<'_> {
    /// The first step boundary of a run with a predictive controller.
    pub(super) fn start_predictive(&mut self) {
        if let Some(cfg) = self.sim.predictive.as_ref() {
            let at = SimTime::ZERO + cfg.step;
            if at < self.end {
                self.schedule(at, Event::PredictiveStep);
            }
        }
    }

    /// At an HPA sync: adds the metric's total to the current step.
    pub(super) fn predictive_sample(&mut self, snap: &ClusterSnapshot) {
        let (Some(cfg), Some(st)) = (self.sim.predictive.as_ref(), self.predictive.as_mut()) else {
            return;
        };
        st.sum += total_load(&cfg.source, snap);
        st.samples += 1;
    }

    /// At an HPA sync: the reactive HPA's answer on a copy of its history (the counterfactual
    /// without the predictive floor); `None` without a predictive controller, or while the
    /// predictive floor raises nothing (the reconcile itself is then the reactive answer).
    pub(super) fn reactive_desired(&mut self, snap: &ClusterSnapshot, now: SimTime) -> Option<i32> {
        let (Some(cfg), Some(hpa_state), Some(st)) = (
            self.sim.hpa.as_ref(),
            self.hpa.as_ref(),
            self.predictive.as_mut(),
        ) else {
            return None;
        };
        if hpa_state.patched_spec == hpa_state.reactive_spec {
            return None;
        }
        let spec = hpa_state.reactive_spec.as_ref().unwrap_or(&cfg.spec);
        st.scratch.clone_from(&hpa_state.history);
        let r = hpa::reconcile_without_event(spec, &cfg.controller, snap, &mut st.scratch, now);
        Some(r.desired_replicas)
    }

    /// At an HPA sync, after the reconcile: books what the floor added.
    pub(super) fn predictive_account(&mut self, desired: i32, reactive: i32) {
        let (Some(cfg), Some(st)) = (self.sim.hpa.as_ref(), self.predictive.as_mut()) else {
            return;
        };
        let added = desired - reactive;
        st.added_last = added;
        if added > 0 {
            st.raised_syncs += 1;
            st.added_replica_s +=
                f64::from(added) * cfg.controller.sync_period.as_nanos() as f64 * 1e-9;
        }
    }

    /// A step boundary: the step's mean joins the history, the floor follows the forecast.
    pub(super) fn on_predictive_step(&mut self, now: SimTime) {
        let (Some(cfg), Some(hpa)) = (self.sim.predictive.as_ref(), self.sim.hpa.as_ref()) else {
            return;
        };
        let st = self
            .predictive
            .as_mut()
            .expect("predictive state with its config");
        let mean = if st.samples > 0 {
            st.sum / f64::from(st.samples)
        } else if st.last_load.is_finite() {
            st.last_load
        } else {
            0.0
        };
        st.sum = 0.0;
        st.samples = 0;
        st.last_load = mean;
        let was_warm = st.forecaster.is_warm();
        st.forecaster.observe(mean);
        let next = st.forecaster.forecast(1);
        st.forecast_now = next.unwrap_or(f64::NAN);
        // Warm forecasters answer every horizon: the peak over steps 1..=H.
        let peak = (2..=cfg.horizon)
            .filter_map(|h| st.forecaster.forecast(h))
            .fold(next, |acc, f| acc.map(|a| a.max(f)));
        let mut detail = None;
        let floor = match peak {
            None => None,
            Some(f) => {
                let f = f.max(0.0);
                let wanted = replicas_for(f, cfg.target_per_pod).unwrap_or(u32::MAX);
                let capped = wanted.min(cfg.max_replicas);
                let cap = if capped < wanted {
                    format!(", capped at maxReplicas {}", cfg.max_replicas)
                } else {
                    String::new()
                };
                detail = Some(format!(
                    "forecast {f:.4} {} (max over the next {} steps of {} s, {}) / {:.4} per pod -> {wanted} replicas{cap}",
                    cfg.unit,
                    cfg.horizon,
                    cfg.step.as_nanos() / 1_000_000_000,
                    cfg.kind.name(),
                    cfg.target_per_pod
                ));
                (capped > 0).then_some(capped)
            }
        };
        let newly_warm = !was_warm && st.forecaster.is_warm();
        let changed = floor != st.floor;
        st.floor = floor;
        let object = format!("hpa/{}", hpa.name);
        if newly_warm {
            let n = st.forecaster.observed();
            self.event(
                now,
                "predictive_warm",
                object.clone(),
                format!("{} has {n} samples: forecasting starts", cfg.kind.name()),
            );
        }
        if changed {
            let state: &mut HpaState = self.hpa.as_mut().expect("HPA state with an HPA config");
            state.floors.predictive = floor;
            let (before, after) = state.apply_floors(&hpa.spec);
            let detail = detail.unwrap_or_else(|| "no forecast".into());
            self.event(
                now,
                "predictive_min_replicas",
                object,
                format!("minReplicas {before} -> {after}; {detail}"),
            );
        }
        let next = now + cfg.step;
        if next < self.end {
            self.schedule(next, Event::PredictiveStep);
        }
    }

    /// The time-series values of the controller.
    pub(super) fn predictive_columns(&self) -> Vec<f64> {
        let Some(st) = self.predictive.as_ref() else {
            return Vec::new();
        };
        vec![
            st.last_load,
            st.forecast_now,
            st.floor.map_or(0.0, f64::from),
            f64::from(st.added_last),
        ]
    }

    /// The controller's summary figures.
    pub(super) fn fill_predictive_summary(&self, row: &mut crate::rows::SummaryRow) {
        let Some(st) = self.predictive.as_ref() else {
            return;
        };
        row.forecast_mae = st.forecaster.mae().unwrap_or(0.0);
        row.forecast_rmse = st.forecaster.rmse().unwrap_or(0.0);
        row.forecast_bias = st.forecaster.errors().bias().unwrap_or(0.0);
        row.predictive_added_pod_seconds = st.added_replica_s;
        row.predictive_raised_syncs = st.raised_syncs;
    }
}
