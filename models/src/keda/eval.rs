//! `hpasim keda eval CASE.yaml`: one KEDA polling cycle and the HPA reconcile it feeds, for
//! "why did (or didn't) KEDA scale my workload?". The input is [`super::case::KedaCase`]; the
//! output one JSON object.
//!
//! The cycle, in order:
//! 1. each trigger's scaler reads its observation ([`super::scalers::read_trigger`]);
//! 2. the HPA's read of each External metric this cycle ([`super::fallback`]): a success resets
//!    the trigger's consecutive failures, a failure adds one (so `consecutiveFailures` counts the
//!    failures *before* the cycle) and, once the count exceeds `failureThreshold`, serves the
//!    fallback's synthetic value;
//! 3. KEDA's poll ([`super::scale::poll_readings`]): activity (a trigger in fallback counts as
//!    active), `RequestScale`;
//! 4. one HPA reconcile of the generated HPA at `currentReplicas` with this cycle's External
//!    values and the case's `pods` (without `pods`: `currentReplicas` Running, Ready pods
//!    started 10 minutes ago, which is what Value targets count). KEDA's write of this cycle takes effect at the next sync, so at 0 replicas the HPA
//!    reports `ScalingDisabled`.
//!
//! Errors: anything that stops the case from parsing or validating is a [`SpecError`] located at
//! `file:line:column` (exit 2); once it parses, every outcome is part of the JSON (exit 0).

use super::case::{Failures, KedaCase, TriggerInput};
use super::fallback::{metrics_with_fallback, MetricRead};
use super::hpa::KedaConfig;
use super::scale::{poll_readings, KedaState, PollOutcome};
use super::scalers::{read_trigger, ScalerReading};
use super::spec::{API_VERSION, KIND};
use super::triggers::ScalerMetadata;
use super::validate::unsupported_api_version;
use crate::hpa::case::{RelTime, EVAL_NOW};
use crate::hpa::eval::yaml_error;
use crate::hpa::reconcile::{reconcile, Reconcile};
use crate::hpa::snapshot::{ClusterSnapshot, History, KubeVersion, PodSnapshot};
use crate::hpa::spec::milli_value;
use crate::scenario::{locate_error, SpecError};
use hpasim_sim::{SimTime, NANOS_PER_SEC};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// Reads and evaluates a case file.
pub fn eval_file(path: &Path) -> Result<Value, SpecError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let reason = e.to_string();
        let reason = reason.split(" (os error").next().unwrap_or_default();
        SpecError::at_path(
            path.display().to_string(),
            format!("cannot read KEDA case `{}`: {reason}", path.display()),
        )
        .with_hint("check the path: it is relative to the current directory")
    })?;
    eval_str(&text, path)
}

fn located(label: &Path, text: &str, e: SpecError) -> SpecError {
    locate_error(label, text, &[], e, 0)
}

/// Parses a case: probe `scaledObject.apiVersion`/`kind`, then the whole document.
pub fn parse(text: &str, label: &Path) -> Result<KedaCase, SpecError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Probe {
        #[serde(default)]
        scaled_object: Option<ProbeObject>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct ProbeObject {
        #[serde(default)]
        api_version: Option<String>,
        #[serde(default)]
        kind: Option<String>,
    }
    let probe: Probe = serde_saphyr::from_str(text).map_err(|e| yaml_error(&e, text, label))?;
    if let Some(o) = probe.scaled_object {
        if let Some(v) = o.api_version.filter(|v| v != API_VERSION) {
            let e = SpecError::at_path("scaledObject.apiVersion", unsupported_api_version(&v))
                .with_hint("write `apiVersion: keda.sh/v1alpha1`");
            return Err(located(label, text, e));
        }
        if let Some(k) = o.kind.filter(|k| k != KIND) {
            let e = SpecError::at_path(
                "scaledObject.kind",
                format!("kind must be `{KIND}`, got `{k}`"),
            );
            return Err(located(label, text, e));
        }
    }
    serde_saphyr::from_str(text).map_err(|e| yaml_error(&e, text, label))
}

/// Evaluates a case from text; `label` names the file in error locations.
pub fn eval_str(text: &str, label: &Path) -> Result<Value, SpecError> {
    let case = parse(text, label)?;
    let cfg = KedaConfig::compile(&case.scaled_object, "scaledObject")
        .map_err(|errs| located(label, text, errs.into_iter().next().expect("an error")))?;
    let prepared = prepare(&case, &cfg).map_err(|e| located(label, text, e))?;
    Ok(run(&case, &cfg, prepared))
}

/// What the case checks produce.
struct Prepared {
    version: KubeVersion,
    wall: Option<chrono::DateTime<chrono::Utc>>,
    observations: Vec<super::scalers::Observation>,
    failures: Vec<i32>,
}

fn prepare(case: &KedaCase, cfg: &KedaConfig) -> Result<Prepared, SpecError> {
    let version = match &case.kubernetes_version {
        None => KubeVersion::NEWEST,
        Some(v) => KubeVersion::parse(v).map_err(|m| SpecError::at_path("kubernetesVersion", m))?,
    };
    if case.current_replicas < 0 {
        return Err(SpecError::at_path(
            "currentReplicas",
            "must be zero or more",
        ));
    }
    let wall = match &case.now {
        None => None,
        Some(t) => Some(
            chrono::DateTime::parse_from_rfc3339(t.trim())
                .map_err(|e| {
                    SpecError::at_path("now", format!("invalid wall clock `{t}`: {e}"))
                        .with_hint("write an RFC 3339 time such as \"2026-01-05T09:30:00Z\"")
                })?
                .with_timezone(&chrono::Utc),
        ),
    };
    let n = cfg.triggers.len();
    if case.triggers.len() != n {
        return Err(SpecError::at_path(
            "triggers",
            format!(
                "{} entries for {n} spec triggers: give one per trigger, in the same order",
                case.triggers.len()
            ),
        )
        .with_hint("e.g. `- kafka: {partitions: [{latest: 100, committed: 80}]}`, `- redis: {listLength: 12}`, `- error: \"connection refused\"`"));
    }
    let mut observations = Vec::with_capacity(n);
    for (i, (t, input)) in cfg.triggers.iter().zip(&case.triggers).enumerate() {
        let fits = matches!(input, TriggerInput::Error(_)) || input.kind() == t.type_;
        if !fits {
            return Err(SpecError::at_path(
                format!("triggers[{i}]"),
                format!(
                    "spec trigger {i} is `{}`, but this entry is `{}`",
                    t.type_,
                    input.kind()
                ),
            )
            .with_hint(format!(
                "write `- {}: ...` or `- error: \"message\"` here",
                t.type_
            )));
        }
        let topic = match &t.scaler {
            ScalerMetadata::Kafka(k) => k.topic.clone().unwrap_or_default(),
            _ => String::new(),
        };
        let obs = input.observation(&topic, wall).map_err(|m| {
            let field = match input {
                TriggerInput::Prometheus(_) => format!("triggers[{i}].prometheus.value"),
                TriggerInput::Cron(_) => "now".to_string(),
                _ => format!("triggers[{i}]"),
            };
            SpecError::at_path(field, m)
        })?;
        observations.push(obs);
    }
    let failures = match &case.consecutive_failures {
        None => vec![0; n],
        Some(Failures::All(k)) => vec![*k; n],
        Some(Failures::Each(list)) if list.len() == n => list.clone(),
        Some(Failures::Each(list)) => {
            return Err(SpecError::at_path(
                "consecutiveFailures",
                format!("{} counts for {n} triggers", list.len()),
            )
            .with_hint("give one number for all triggers, or one per trigger"))
        }
    };
    if failures.iter().any(|f| *f < 0) {
        return Err(SpecError::at_path(
            "consecutiveFailures",
            "must be zero or more",
        ));
    }
    Ok(Prepared {
        version,
        wall,
        observations,
        failures,
    })
}

fn plain(milli: i64) -> f64 {
    milli as f64 / 1000.0
}

fn rel_secs(at: SimTime) -> f64 {
    (i128::from(at.0) - i128::from(EVAL_NOW.0)) as f64 / NANOS_PER_SEC as f64
}

fn run(case: &KedaCase, cfg: &KedaConfig, p: Prepared) -> Value {
    let current = case.current_replicas;
    let created = case.created_at.unwrap_or(RelTime::from_secs(-3600.0)).at();
    let mut state = KedaState::new(cfg, created);
    state.last_active_time = case.last_active_time.map(RelTime::at);
    state.consecutive_failures = p.failures.clone();
    for (i, input) in case.triggers.iter().enumerate() {
        if let (TriggerInput::Kafka(k), super::scalers::Observation::Kafka(parts)) =
            (input, &p.observations[i])
        {
            for (pi, po) in k.partitions.iter().zip(parts) {
                if let Some(prev) = pi.previous_committed {
                    state.kafka[i]
                        .previous
                        .insert((po.topic.clone(), po.id), prev);
                }
            }
        }
    }
    // 1. The scalers.
    let readings: Vec<Result<ScalerReading, String>> = cfg
        .triggers
        .iter()
        .enumerate()
        .map(|(i, t)| read_trigger(t, &p.observations[i], &mut state.kafka[i]))
        .collect();
    // 2. The HPA's reads of the External metrics this cycle (failure counts, fallback).
    let reads: Vec<Option<MetricRead>> = cfg
        .triggers
        .iter()
        .enumerate()
        .map(|(i, t)| {
            (!t.is_resource()).then(|| {
                let value = readings[i]
                    .as_ref()
                    .map(|r| r.metric_milli.unwrap_or(0))
                    .map_err(Clone::clone);
                metrics_with_fallback(
                    cfg.fallback.as_ref(),
                    t,
                    value,
                    &mut state.consecutive_failures[i],
                    current,
                    current,
                )
            })
        })
        .collect();
    // 3. KEDA's poll.
    let poll = poll_readings(cfg, &mut state, readings, current, EVAL_NOW);
    // 4. The HPA.
    let mut external_metrics = BTreeMap::new();
    for (t, r) in cfg.triggers.iter().zip(&reads) {
        if let Some(MetricRead { value: Ok(v), .. }) = r {
            external_metrics.insert(t.metric_name.clone(), vec![*v]);
        }
    }
    let snap = ClusterSnapshot {
        spec_replicas: current,
        status_replicas: current,
        pods: if case.pods.is_empty() {
            (0..current)
                .map(|i| PodSnapshot::running(&format!("pod-{i}"), EVAL_NOW))
                .collect()
        } else {
            case.pods.iter().map(|pod| pod.snapshot()).collect()
        },
        object_metrics: BTreeMap::new(),
        external_metrics,
    };
    let hpa_cfg = case.controller.config(p.version);
    let mut history = case
        .hpa_history
        .as_ref()
        .map_or_else(History::default, |h| h.history());
    let r = reconcile(&cfg.hpa, &hpa_cfg, &snap, &mut history, EVAL_NOW);
    output(case, cfg, &p, &reads, &poll, &r)
}

fn target_json(t: &crate::hpa::spec::MetricTarget) -> Value {
    use crate::hpa::spec::MetricTargetType::*;
    match t.type_ {
        Utilization => json!({"type": "Utilization", "average_utilization": t.average_utilization}),
        AverageValue => {
            json!({"type": "AverageValue", "average_value": t.average_value.as_ref().map(|q| plain(milli_value(q)))})
        }
        Value => {
            json!({"type": "Value", "value": t.value.as_ref().map(|q| plain(milli_value(q)))})
        }
    }
}

fn output(
    case: &KedaCase,
    cfg: &KedaConfig,
    p: &Prepared,
    reads: &[Option<MetricRead>],
    poll: &PollOutcome,
    r: &Reconcile,
) -> Value {
    let triggers: Vec<Value> = cfg
        .triggers
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let tp = &poll.triggers[i];
            let read = reads[i].as_ref();
            let (metric_value, error) = match &tp.reading {
                Ok(r) => (r.metric_milli.map(plain), None),
                Err(e) => (None, Some(e.clone())),
            };
            let mut v = json!({
                "index": i,
                "type": t.type_,
                "name": t.name,
                "metric_name": t.metric_name,
                "target_type": t.target_type.name(),
                "target": if t.is_resource() { None } else { Some(plain(t.target_milli)) },
                "use_cached_metrics": t.use_cached_metrics,
                "metric_value": metric_value,
                "active": tp.active,
                "error": error,
                "fallback": tp.fallback,
                "fallback_replicas": read.and_then(|r| r.fallback_replicas),
                "consecutive_failures_before": p.failures[i],
                "consecutive_failures_after": read.map_or(p.failures[i], |r| r.failures),
                "hpa_value": read.and_then(|r| r.value.as_ref().ok().map(|v| plain(*v))),
            });
            if let Ok(ScalerReading { kafka: Some(k), .. }) = &tp.reading {
                v["kafka"] = json!({
                    "total_lag": k.total_lag,
                    "total_lag_with_persistent": k.total_lag_with_persistent,
                    "partitions": k.partitions,
                    "partitions_with_lag": k.partitions_with_lag,
                    "even_factor": k.even_factor,
                    "capped_at": k.capped_at,
                    "metric": k.metric,
                    "per_partition": k.per_partition,
                });
            }
            v
        })
        .collect();
    let metrics: Vec<Value> = cfg
        .hpa
        .metrics
        .iter()
        .map(|m| {
            let target = m
                .external
                .as_ref()
                .map(|e| &e.target)
                .or(m.resource.as_ref().map(|s| &s.target))
                .or(m.container_resource.as_ref().map(|s| &s.target));
            json!({"name": m.display_name(), "type": m.type_, "target": target.map(target_json)})
        })
        .collect();
    let outcomes: Vec<Value> = r
        .metrics
        .iter()
        .map(|m| match &m.result {
            Ok(pr) => json!({"name": m.name, "proposal": pr.replicas, "error": null}),
            Err(e) => json!({"name": m.name, "proposal": null, "error": e.to_string()}),
        })
        .collect();
    let d = &poll.decision;
    json!({
        "scaled_object": case.scaled_object.metadata.name,
        "kubernetes_version": p.version.to_string(),
        "now": p.wall.map(|w| w.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        "current_replicas": case.current_replicas,
        "triggers": triggers,
        "active": poll.active,
        "action": d.action.name(),
        "replicas_written": d.replicas_written,
        "reason": d.reason,
        "last_active_time_s": d.last_active_time.map(rel_secs),
        "defaults": {
            "polling_interval_s": cfg.polling_interval.as_secs_f64(),
            "cooldown_period_s": cfg.cooldown_period.as_secs_f64(),
            "initial_cooldown_period_s": cfg.initial_cooldown_period.as_secs_f64(),
            "min_replica_count": cfg.min_replica_count,
            "max_replica_count": cfg.max_replica_count,
            "idle_replica_count": cfg.idle_replica_count,
        },
        "hpa": {
            "name": cfg.hpa_name,
            "min": cfg.hpa.min_replicas_or_default(),
            "max": cfg.hpa.max_replicas,
            "path": if cfg.hpa.behavior.is_some() { "behavior" } else { "legacy" },
            "metrics": metrics,
            "current_replicas": r.current_replicas,
            "desired_replicas": r.desired_replicas,
            "proposal": r.proposal,
            "reason": r.reason.to_string(),
            "error": r.error,
            "metric_outcomes": outcomes,
        },
    })
}
