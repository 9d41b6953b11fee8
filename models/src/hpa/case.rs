//! The `hpasim hpa eval` input: one reconcile's snapshot in YAML (issue #3 item 5), and its
//! conversion into [`ControllerConfig`], [`ClusterSnapshot`] and [`History`].
//!
//! All times are relative to the reconcile instant (`-10m` = ten minutes before it, `0s` = at
//! it); they are placed on the simulated clock at [`EVAL_NOW`]. Quantities may be strings or
//! numbers. Defaults are those listed in the issue and in the field docs below.

use super::snapshot::{
    ClusterSnapshot, ContainerSnapshot, ControllerConfig, FeatureGates, History, KubeVersion,
    PodPhase, PodSnapshot, Recommendation, ScaleEvent,
};
use super::spec::{milli_value, HorizontalPodAutoscaler};
use crate::scenario::{parse_duration, Duration, Quantity};
use hpasim_sim::{SimDuration, SimTime, NANOS_PER_SEC};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The reconcile instant of `hpa eval` on the simulated clock (10⁹ s after zero, so that any
/// realistic past offset stays positive).
pub const EVAL_NOW: SimTime = SimTime(1_000_000_000 * NANOS_PER_SEC);

/// A signed offset from now: `-10m`, `30s`, `-1h30m`, `0`, or a number of seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RelTime {
    /// Offset [ns], negative = past.
    pub nanos: i128,
}

impl RelTime {
    /// `secs` seconds from now.
    pub fn from_secs(secs: f64) -> RelTime {
        RelTime {
            nanos: (secs * NANOS_PER_SEC as f64).round() as i128,
        }
    }

    /// The instant on the clock where now is [`EVAL_NOW`] (saturating at the clock's ends).
    pub fn at(self) -> SimTime {
        let t = i128::from(EVAL_NOW.0) + self.nanos;
        SimTime(t.clamp(0, i128::from(u64::MAX)) as u64)
    }
}

/// Parses a signed duration: an optional `-` or `+`, then a duration (`5m`, `1h30m`, `12`).
pub fn parse_signed_duration(text: &str) -> Result<RelTime, String> {
    let t = text.trim();
    let (sign, rest) = match t.strip_prefix('-') {
        Some(r) => (-1.0, r),
        None => (1.0, t.strip_prefix('+').unwrap_or(t)),
    };
    let d = parse_duration(rest).map_err(|e| {
        format!("{e} (times are relative to now: `-10m` is ten minutes ago, `0s` is now)")
    })?;
    Ok(RelTime::from_secs(sign * d.secs()))
}

impl fmt::Display for RelTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}s", self.nanos as f64 / NANOS_PER_SEC as f64)
    }
}

impl Serialize for RelTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for RelTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RelTime;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a time relative to now such as `-10m`, `-30s` or `0s`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RelTime, E> {
                parse_signed_duration(v).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RelTime, E> {
                Ok(RelTime::from_secs(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RelTime, E> {
                Ok(RelTime::from_secs(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RelTime, E> {
                Ok(RelTime::from_secs(v as f64))
            }
        }
        d.deserialize_any(V)
    }
}

/// A whole `hpa eval` case.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EvalCase {
    /// Kubernetes release whose rules apply, `"1.35"` [newest].
    #[serde(default)]
    pub kubernetes_version: Option<String>,
    /// kube-controller-manager flags [upstream defaults].
    #[serde(default)]
    pub controller: ControllerInput,
    /// The HPA manifest.
    pub hpa: HorizontalPodAutoscaler,
    /// `scale.spec.replicas`.
    pub spec_replicas: i32,
    /// `scale.status.replicas` [specReplicas].
    #[serde(default)]
    pub status_replicas: Option<i32>,
    /// The pods.
    #[serde(default)]
    pub pods: Vec<PodInput>,
    /// Object metrics by HPA metric name.
    #[serde(default)]
    pub object_metrics: BTreeMap<String, Quantity>,
    /// External metrics by HPA metric name: the series, summed.
    #[serde(default)]
    pub external_metrics: BTreeMap<String, Vec<Quantity>>,
    /// The controller's memory; absent = first reconcile (seeded with specReplicas).
    #[serde(default)]
    pub history: Option<HistoryInput>,
}

/// Controller flags; each absent field keeps the upstream default.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ControllerInput {
    /// [0.1]
    pub tolerance: Option<f64>,
    /// [5m]
    pub cpu_initialization_period: Option<Duration>,
    /// [30s]
    pub initial_readiness_delay: Option<Duration>,
    /// [5m]
    pub downscale_stabilization_window: Option<Duration>,
    /// [2]
    pub scale_up_limit_factor: Option<f64>,
    /// [4]
    pub scale_up_limit_minimum: Option<f64>,
    /// [15s]
    pub sync_period: Option<Duration>,
    /// [as the version has them]
    #[serde(default)]
    pub feature_gates: FeatureGatesInput,
}

/// Feature gates, by their Kubernetes names.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureGatesInput {
    /// `HPAScaleToZero`.
    #[serde(rename = "HPAScaleToZero")]
    pub hpa_scale_to_zero: Option<bool>,
    /// `HPAConfigurableTolerance`.
    #[serde(rename = "HPAConfigurableTolerance")]
    pub hpa_configurable_tolerance: Option<bool>,
}

/// Pod phase as written.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
pub enum PhaseInput {
    /// Pending.
    Pending,
    /// Running.
    #[default]
    Running,
    /// Succeeded.
    Succeeded,
    /// Failed.
    Failed,
}

fn some_true() -> Option<bool> {
    Some(true)
}
fn ten_minutes_ago() -> Option<RelTime> {
    Some(RelTime::from_secs(-600.0))
}
fn yes() -> bool {
    true
}
fn one_minute() -> Duration {
    Duration::from_secs(60.0)
}

/// One pod.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodInput {
    /// Pod name.
    pub name: String,
    /// [Running]
    #[serde(default)]
    pub phase: PhaseInput,
    /// Ready condition status [true]; `null` = no Ready condition.
    #[serde(default = "some_true")]
    pub ready: Option<bool>,
    /// `status.startTime` [-10m]; `null` = not set.
    #[serde(default = "ten_minutes_ago")]
    pub start_time: Option<RelTime>,
    /// Ready condition lastTransitionTime [startTime].
    #[serde(default)]
    pub ready_since: Option<RelTime>,
    /// deletionTimestamp set [false].
    #[serde(default)]
    pub deleting: bool,
    /// In the pod list [true].
    #[serde(default = "yes")]
    pub listed: bool,
    /// Metric sample timestamp [0s].
    #[serde(default)]
    pub metric_timestamp: RelTime,
    /// Metric sample window [1m].
    #[serde(default = "one_minute")]
    pub metric_window: Duration,
    /// Containers.
    #[serde(default)]
    pub containers: Vec<ContainerInput>,
    /// Pods metrics by name; absent = no sample.
    #[serde(default)]
    pub metrics: BTreeMap<String, Quantity>,
}

/// One container.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContainerInput {
    /// Container name.
    pub name: String,
    /// Requests by resource.
    #[serde(default)]
    pub requests: BTreeMap<String, Quantity>,
    /// Usage by resource; absent = no metric.
    #[serde(default)]
    pub usage: BTreeMap<String, Quantity>,
}

/// The controller's memory.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HistoryInput {
    /// Prenormalized recommendations; empty or absent = no history, no seeding.
    #[serde(default)]
    pub recommendations: Vec<AtReplicas>,
    /// Scale-up events (sizes of changes).
    #[serde(default)]
    pub scale_up_events: Vec<EventInput>,
    /// Scale-down events (sizes of changes).
    #[serde(default)]
    pub scale_down_events: Vec<EventInput>,
}

/// `{replicas, at}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AtReplicas {
    /// Replicas.
    pub replicas: i32,
    /// When, relative to now.
    pub at: RelTime,
}

/// `{replicas, at, outdated}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    /// Size of the change.
    pub replicas: i32,
    /// When, relative to now.
    pub at: RelTime,
    /// Already flagged outdated [false].
    #[serde(default)]
    pub outdated: bool,
}

fn millis(map: &BTreeMap<String, Quantity>) -> BTreeMap<String, i64> {
    map.iter()
        .map(|(k, q)| (k.clone(), milli_value(q)))
        .collect()
}

impl EvalCase {
    /// The controller configuration of the case (`version` already parsed).
    pub fn config(&self, version: KubeVersion) -> ControllerConfig {
        self.controller.config(version)
    }

    /// The cluster snapshot of the case.
    pub fn snapshot(&self) -> ClusterSnapshot {
        ClusterSnapshot {
            spec_replicas: self.spec_replicas,
            status_replicas: self.status_replicas.unwrap_or(self.spec_replicas),
            pods: self.pods.iter().map(PodInput::snapshot).collect(),
            object_metrics: millis(&self.object_metrics),
            external_metrics: self
                .external_metrics
                .iter()
                .map(|(k, v)| (k.clone(), v.iter().map(milli_value).collect()))
                .collect(),
        }
    }

    /// The history of the case: absent = never reconciled.
    pub fn history(&self) -> History {
        self.history
            .as_ref()
            .map_or_else(History::default, HistoryInput::history)
    }
}

impl ControllerInput {
    /// The controller configuration: upstream defaults for `version`, then these flags.
    pub fn config(&self, version: KubeVersion) -> ControllerConfig {
        let c = self;
        let mut cfg = ControllerConfig::for_version(version);
        let d = |v: Option<Duration>, dflt: SimDuration| v.map_or(dflt, Duration::sim);
        cfg.tolerance = c.tolerance.unwrap_or(cfg.tolerance);
        cfg.cpu_initialization_period =
            d(c.cpu_initialization_period, cfg.cpu_initialization_period);
        cfg.initial_readiness_delay = d(c.initial_readiness_delay, cfg.initial_readiness_delay);
        cfg.downscale_stabilization_window = d(
            c.downscale_stabilization_window,
            cfg.downscale_stabilization_window,
        );
        cfg.scale_up_limit_factor = c.scale_up_limit_factor.unwrap_or(cfg.scale_up_limit_factor);
        cfg.scale_up_limit_minimum = c
            .scale_up_limit_minimum
            .unwrap_or(cfg.scale_up_limit_minimum);
        cfg.sync_period = d(c.sync_period, cfg.sync_period);
        let dflt = FeatureGates::for_version(version);
        cfg.gates = FeatureGates {
            hpa_scale_to_zero: c
                .feature_gates
                .hpa_scale_to_zero
                .unwrap_or(dflt.hpa_scale_to_zero),
            hpa_configurable_tolerance: c
                .feature_gates
                .hpa_configurable_tolerance
                .unwrap_or(dflt.hpa_configurable_tolerance),
        };
        cfg
    }
}

impl HistoryInput {
    /// The controller's memory as written.
    pub fn history(&self) -> History {
        let h = self;
        let events = |list: &[EventInput]| {
            list.iter()
                .map(|e| ScaleEvent {
                    replicas: e.replicas,
                    at: e.at.at(),
                    outdated: e.outdated,
                })
                .collect()
        };
        History {
            recommendations: Some(
                h.recommendations
                    .iter()
                    .map(|r| Recommendation {
                        replicas: r.replicas,
                        at: r.at.at(),
                    })
                    .collect(),
            ),
            scale_up_events: events(&h.scale_up_events),
            scale_down_events: events(&h.scale_down_events),
        }
    }
}

impl PodInput {
    /// The pod as the controller sees it.
    pub fn snapshot(&self) -> PodSnapshot {
        let start = self.start_time.map(RelTime::at);
        PodSnapshot {
            name: self.name.clone(),
            phase: match self.phase {
                PhaseInput::Pending => PodPhase::Pending,
                PhaseInput::Running => PodPhase::Running,
                PhaseInput::Succeeded => PodPhase::Succeeded,
                PhaseInput::Failed => PodPhase::Failed,
            },
            ready: self.ready,
            start_time: start,
            ready_since: self
                .ready_since
                .map(RelTime::at)
                .or(start)
                .unwrap_or(RelTime::from_secs(-600.0).at()),
            deleting: self.deleting,
            listed: self.listed,
            metric_timestamp: self.metric_timestamp.at(),
            metric_window: self.metric_window.sim(),
            containers: self
                .containers
                .iter()
                .map(|c| ContainerSnapshot {
                    name: c.name.clone(),
                    requests: millis(&c.requests),
                    usage: millis(&c.usage),
                })
                .collect(),
            metrics: millis(&self.metrics),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_durations_parse_past_and_future() {
        let s = |t: &str| parse_signed_duration(t).unwrap().nanos as f64 / 1e9;
        assert_eq!(s("-10m"), -600.0);
        assert_eq!(s("30s"), 30.0);
        assert_eq!(s("+1h30m"), 5400.0);
        assert_eq!(s("-0.5"), -0.5);
        assert_eq!(s("0"), 0.0);
        assert!(parse_signed_duration("--3s").is_err());
        assert!(parse_signed_duration("-5x")
            .unwrap_err()
            .contains("relative to now"));
    }

    #[test]
    fn times_land_relative_to_eval_now() {
        assert_eq!(RelTime::from_secs(-1.0).at().0, EVAL_NOW.0 - NANOS_PER_SEC);
        assert_eq!(RelTime::default().at(), EVAL_NOW);
    }
}
