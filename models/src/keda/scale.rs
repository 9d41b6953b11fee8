//! KEDA's own loop, pure (hpa-spec 8.4–8.6, 8.8a; `scale_handler.go` `checkScalers` /
//! `getScaledObjectState`, `executor/scale_scaledobjects.go` `RequestScale`): at each polling
//! tick the triggers are read, the object's activity decided, and the 0/idle ↔ min boundary
//! crossed when due. `now` is always passed in; the state that lives across cycles is a
//! [`KedaState`] passed `&mut`.

use super::fallback::{in_fallback, metrics_with_fallback, MetricRead};
use super::hpa::KedaConfig;
use super::kafka::KafkaState;
use super::scalers::{read_trigger, Observation, ScalerReading};
use hpasim_sim::{SimTime, NANOS_PER_SEC};
use serde::Serialize;

/// What KEDA remembers about one ScaledObject across cycles.
#[derive(Clone, Debug, PartialEq)]
pub struct KedaState {
    /// `metadata.creationTimestamp` (for `initialCooldownPeriod`).
    pub created_at: SimTime,
    /// `status.lastActiveTime`: the last poll that found the object active.
    pub last_active_time: Option<SimTime>,
    /// Consecutive failures per trigger (`status.health[...].numberOfFailures`).
    pub consecutive_failures: Vec<i32>,
    /// The Kafka scaler's previous offsets, per trigger.
    pub kafka: Vec<KafkaState>,
    /// The last poll's metric per trigger (served to the HPA with `useCachedMetrics`).
    pub cache: Vec<Option<Result<i64, String>>>,
}

impl KedaState {
    /// A fresh state for `cfg`, created at `created_at`, never active.
    pub fn new(cfg: &KedaConfig, created_at: SimTime) -> KedaState {
        let n = cfg.triggers.len();
        KedaState {
            created_at,
            last_active_time: None,
            consecutive_failures: vec![0; n],
            kafka: vec![KafkaState::default(); n],
            cache: vec![None; n],
        }
    }
}

/// What `RequestScale` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScaleAction {
    /// Active at 0 (or below min in idle mode): wrote minReplicaCount, or 1.
    ScaleFromZero,
    /// Inactive past the cooldown, minReplicaCount 0, idle mode off: wrote 0.
    ScaleToZero,
    /// Inactive past the cooldown in idle mode: wrote idleReplicaCount.
    ScaleToIdle,
    /// Inactive below minReplicaCount (idle mode off): wrote minReplicaCount.
    ScaleToMin,
    /// Inactive with a failing trigger and `fallback.replicas != 0`: nothing written, the
    /// fallback works through the HPA's metrics.
    Fallback,
    /// Nothing written.
    None,
}

impl ScaleAction {
    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            ScaleAction::ScaleFromZero => "scale_from_zero",
            ScaleAction::ScaleToZero => "scale_to_zero",
            ScaleAction::ScaleToIdle => "scale_to_idle",
            ScaleAction::ScaleToMin => "scale_to_min",
            ScaleAction::Fallback => "fallback",
            ScaleAction::None => "none",
        }
    }
}

/// The decision of one `RequestScale`.
#[derive(Clone, Debug, PartialEq)]
pub struct ScaleDecision {
    /// What was done.
    pub action: ScaleAction,
    /// The replica count written to the scale subresource, if any.
    pub replicas_written: Option<i32>,
    /// `lastActiveTime` after the cycle.
    pub last_active_time: Option<SimTime>,
    /// Why, in words.
    pub reason: String,
}

fn secs(d: u64) -> f64 {
    d as f64 / NANOS_PER_SEC as f64
}

/// Whether the cooldown before the last step to 0/idle has elapsed (strictly):
/// `lastActiveTime + cooldownPeriod < now`, or, never active,
/// `creationTimestamp + initialCooldownPeriod < now`; and why.
pub fn cooldown_elapsed(cfg: &KedaConfig, state: &KedaState, now: SimTime) -> (bool, String) {
    match state.last_active_time {
        Some(last) => {
            let until = last.saturating_add(cfg.cooldown_period);
            let ok = until < now;
            let detail = format!(
                "lastActiveTime + cooldownPeriod ({}s) is {}s {} now",
                secs(cfg.cooldown_period.0),
                secs(until.0.abs_diff(now.0)),
                if until < now {
                    "before"
                } else if until == now {
                    "="
                } else {
                    "after"
                }
            );
            (ok, detail.replace("is 0s = now", "equals now"))
        }
        None => {
            let until = state.created_at.saturating_add(cfg.initial_cooldown_period);
            let ok = until < now;
            let detail = format!(
                "never active; creationTimestamp + initialCooldownPeriod ({}s) is {}s {} now",
                secs(cfg.initial_cooldown_period.0),
                secs(until.0.abs_diff(now.0)),
                if until < now {
                    "before"
                } else if until == now {
                    "="
                } else {
                    "after"
                }
            );
            (ok, detail.replace("is 0s = now", "equals now"))
        }
    }
}

/// Object activity (8.5): any non-cpu/memory trigger active; with only cpu/memory triggers,
/// always active.
pub fn object_active(cfg: &KedaConfig, trigger_active: &[bool]) -> bool {
    cfg.resource_only()
        || cfg
            .triggers
            .iter()
            .zip(trigger_active)
            .any(|(t, a)| !t.is_resource() && *a)
}

/// `RequestScale` (8.6) for an object that is `active` (or not), with `any_error` when a
/// trigger failed (its error not suppressed by fallback), at `current` replicas. Updates
/// `state.last_active_time`.
///
/// Inactive with an error: with `fallback.replicas != 0` nothing is done (the fallback works
/// through the HPA's metrics); without `fallback` only the Ready condition changes (no scale to
/// zero); with `fallback.replicas: 0` the usual deactivation rules apply.
pub fn request_scale(
    cfg: &KedaConfig,
    current: i32,
    active: bool,
    any_error: bool,
    state: &mut KedaState,
    now: SimTime,
) -> ScaleDecision {
    let min = cfg.min_replica_count;
    let idle_mode = cfg.idle_replica_count.is_some();
    let before = state.last_active_time;
    let decision = move |action, written: Option<i32>, reason: String| ScaleDecision {
        action,
        replicas_written: written,
        last_active_time: before,
        reason,
    };
    if active {
        if current == 0 || (idle_mode && current < min) {
            let to = if min > 0 { min } else { 1 };
            state.last_active_time = Some(now);
            let from = if current == 0 { "0" } else { "idle" };
            return ScaleDecision {
                last_active_time: Some(now),
                ..decision(
                    ScaleAction::ScaleFromZero,
                    Some(to),
                    format!("active at {current} replicas: scale from {from} to {to} (minReplicaCount if > 0, else 1); lastActiveTime = now"),
                )
            };
        }
        if any_error {
            return decision(
                ScaleAction::None,
                None,
                format!("active at {current} replicas but a trigger failed: only the Ready condition changes; lastActiveTime kept"),
            );
        }
        state.last_active_time = Some(now);
        return ScaleDecision {
            last_active_time: Some(now),
            ..decision(
                ScaleAction::None,
                None,
                format!("active at {current} replicas: lastActiveTime = now; the HPA scales between its min and max"),
            )
        };
    }
    if any_error && cfg.fallback.as_ref().is_some_and(|f| f.replicas != 0) {
        return decision(
            ScaleAction::Fallback,
            None,
            "inactive and a trigger failed with fallback.replicas set: nothing written, the fallback works through the HPA's metrics once failureThreshold is exceeded".into(),
        );
    }
    if any_error && cfg.fallback.is_none() {
        return decision(
            ScaleAction::None,
            None,
            format!("inactive at {current} replicas and a trigger failed without fallback: only the Ready condition changes (TriggerError), no scaling"),
        );
    }
    // A failing trigger with `fallback.replicas: 0` falls through to the cases below.
    let error_note = if any_error {
        " (a trigger failed; fallback.replicas is 0)"
    } else {
        ""
    };
    let to_zero_or_idle = match cfg.idle_replica_count {
        Some(idle) => current > idle,
        None => current > 0 && min == 0,
    };
    if to_zero_or_idle {
        let (target, action) = match cfg.idle_replica_count {
            Some(idle) => (idle, ScaleAction::ScaleToIdle),
            None => (min, ScaleAction::ScaleToZero),
        };
        let (elapsed, why) = cooldown_elapsed(cfg, state, now);
        if !elapsed {
            return decision(
                ScaleAction::None,
                None,
                format!("inactive{error_note} at {current} replicas, but the cooldown has not elapsed: {why}"),
            );
        }
        return decision(
            action,
            Some(target),
            format!("inactive{error_note} and the cooldown has elapsed ({why}): scale {current} → {target}"),
        );
    }
    if !idle_mode && current < min {
        return decision(
            ScaleAction::ScaleToMin,
            Some(min),
            format!(
                "inactive{error_note} at {current} replicas, below minReplicaCount: scale to {min}"
            ),
        );
    }
    decision(
        ScaleAction::None,
        None,
        format!("inactive{error_note} at {current} replicas: nothing to do (already at 0/idle/min, or the HPA's range)"),
    )
}

/// One trigger at one poll.
#[derive(Clone, Debug, PartialEq)]
pub struct TriggerPoll {
    /// The scaler's answer, or its error.
    pub reading: Result<ScalerReading, String>,
    /// Whether the trigger counts as active (fallback counts as active).
    pub active: bool,
    /// Whether the trigger is served by fallback (its error suppressed).
    pub fallback: bool,
}

/// One polling cycle.
#[derive(Clone, Debug, PartialEq)]
pub struct PollOutcome {
    /// Per trigger.
    pub triggers: Vec<TriggerPoll>,
    /// The object's activity.
    pub active: bool,
    /// Whether a trigger failed without fallback.
    pub any_error: bool,
    /// What `RequestScale` did.
    pub decision: ScaleDecision,
}

/// One polling cycle from the observations (one per trigger, in order): reads every trigger
/// (updating the Kafka memory and the metric cache), then [`poll_readings`].
pub fn poll(
    cfg: &KedaConfig,
    state: &mut KedaState,
    observations: &[Observation],
    current: i32,
    now: SimTime,
) -> PollOutcome {
    let readings = cfg
        .triggers
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let obs = observations
                .get(i)
                .cloned()
                .unwrap_or(Observation::Error("no observation".into()));
            read_trigger(t, &obs, &mut state.kafka[i])
        })
        .collect();
    poll_readings(cfg, state, readings, current, now)
}

/// One polling cycle from readings already taken: caches them, applies fallback at the
/// triggers' current failure counts (8.8a), decides the activity and calls [`request_scale`].
/// The failure counts are not changed here: they move at the HPA's reads
/// ([`hpa_read`], [`metrics_with_fallback`]).
pub fn poll_readings(
    cfg: &KedaConfig,
    state: &mut KedaState,
    readings: Vec<Result<ScalerReading, String>>,
    current: i32,
    now: SimTime,
) -> PollOutcome {
    let mut triggers = Vec::with_capacity(readings.len());
    for (i, (t, reading)) in cfg.triggers.iter().zip(readings).enumerate() {
        state.cache[i] = match &reading {
            Ok(r) => r.metric_milli.map(Ok),
            Err(e) => Some(Err(e.clone())),
        };
        let (active, fallback) = match &reading {
            Ok(r) => (r.active, false),
            Err(_) if in_fallback(cfg.fallback.as_ref(), t, state.consecutive_failures[i]) => {
                (true, true)
            }
            Err(_) => (false, false),
        };
        triggers.push(TriggerPoll {
            reading,
            active,
            fallback,
        });
    }
    let flags: Vec<bool> = triggers.iter().map(|t| t.active).collect();
    let active = object_active(cfg, &flags);
    let any_error = triggers.iter().any(|t| t.reading.is_err() && !t.fallback);
    let decision = request_scale(cfg, current, active, any_error, state, now);
    PollOutcome {
        triggers,
        active,
        any_error,
        decision,
    }
}

/// One HPA read of trigger `index`'s External metric: the last poll's value when the trigger
/// sets `useCachedMetrics` and a poll has run, else `live()`; then fallback
/// ([`metrics_with_fallback`]), counting the trigger's consecutive failures.
pub fn hpa_read(
    cfg: &KedaConfig,
    state: &mut KedaState,
    index: usize,
    live: impl FnOnce() -> Result<i64, String>,
    current_replicas: i32,
    ready_replicas: i32,
) -> MetricRead {
    let t = &cfg.triggers[index];
    let value = match (&state.cache[index], t.use_cached_metrics) {
        (Some(cached), true) => cached.clone(),
        _ => live(),
    };
    metrics_with_fallback(
        cfg.fallback.as_ref(),
        t,
        value,
        &mut state.consecutive_failures[index],
        current_replicas,
        ready_replicas,
    )
}
