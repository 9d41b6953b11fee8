//! The `hpasim keda eval` input: one KEDA polling cycle and the HPA reconcile it feeds, in YAML.
//!
//! Times are relative to the cycle (`-400s` = 400 s before it), placed on the simulated clock
//! at [`EVAL_NOW`](crate::hpa::case::EVAL_NOW), as in `hpa eval`. `now` is the cycle's wall
//! clock (RFC 3339, UTC), needed only by cron triggers.

use super::kafka::PartitionOffsets;
use super::scalers::Observation;
use super::spec::{MetadataValue, ScaledObject};
use crate::hpa::case::{ControllerInput, HistoryInput, PodInput, RelTime};
use serde::Deserialize;

/// A whole `keda eval` case.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KedaCase {
    /// The ScaledObject manifest.
    pub scaled_object: ScaledObject,
    /// Replicas of the workload at the cycle [0].
    #[serde(default)]
    pub current_replicas: i32,
    /// The ScaledObject's creationTimestamp [-1h].
    #[serde(default)]
    pub created_at: Option<RelTime>,
    /// `status.lastActiveTime` before the cycle [never active].
    #[serde(default)]
    pub last_active_time: Option<RelTime>,
    /// Wall clock of the cycle, RFC 3339 (`2026-01-05T09:30:00Z`); needed by cron triggers.
    #[serde(default)]
    pub now: Option<String>,
    /// What each trigger sees, one entry per spec trigger in the same order.
    #[serde(default)]
    pub triggers: Vec<TriggerInput>,
    /// Consecutive failures before this cycle: one number for all triggers, or a list [0].
    #[serde(default)]
    pub consecutive_failures: Option<Failures>,
    /// Kubernetes release for the HPA part [newest].
    #[serde(default)]
    pub kubernetes_version: Option<String>,
    /// kube-controller-manager flags [upstream defaults].
    #[serde(default)]
    pub controller: ControllerInput,
    /// The HPA controller's memory [first reconcile].
    #[serde(default)]
    pub hpa_history: Option<HistoryInput>,
    /// Pods, for cpu/memory triggers (as in `hpa eval`) [currentReplicas Running, Ready pods
    /// started 10 minutes ago, without metrics].
    #[serde(default)]
    pub pods: Vec<PodInput>,
}

/// `consecutiveFailures`: a number for every trigger, or one per trigger.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Failures {
    /// The same count for every trigger.
    All(i32),
    /// One count per trigger.
    Each(Vec<i32>),
}

/// What one trigger sees this cycle.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum TriggerInput {
    /// Kafka offsets.
    Kafka(KafkaInput),
    /// Redis list length.
    Redis(RedisInput),
    /// Prometheus query value.
    Prometheus(PrometheusInput),
    /// Cron: reads the case's `now`.
    Cron(Empty),
    /// cpu: read by the HPA from the pods.
    Cpu(Empty),
    /// memory: read by the HPA from the pods.
    Memory(Empty),
    /// The trigger's scaler fails with this message.
    Error(String),
}

/// `{}`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// `kafka: {partitions: [...]}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KafkaInput {
    /// The partitions.
    pub partitions: Vec<PartitionInput>,
}

/// One Kafka partition.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PartitionInput {
    /// Partition id [position in the list].
    #[serde(default)]
    pub id: Option<i32>,
    /// Topic [the trigger's topic].
    #[serde(default)]
    pub topic: Option<String>,
    /// High-water offset; absent = missing from the latest-offset response.
    #[serde(default)]
    pub latest: Option<i64>,
    /// Committed offset; absent = no valid committed offset.
    #[serde(default)]
    pub committed: Option<i64>,
    /// The committed offset the scaler saw at the previous poll (excludePersistentLag).
    #[serde(default)]
    pub previous_committed: Option<i64>,
}

/// `redis: {listLength: N}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RedisInput {
    /// `LLEN` of the list.
    pub list_length: i64,
}

/// `prometheus: {value: "12.5"}`; `value: null` (or absent) = an empty query result; `"+Inf"`
/// = an infinite value.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrometheusInput {
    /// The query value.
    #[serde(default)]
    pub value: Option<MetadataValue>,
}

impl TriggerInput {
    /// The trigger type this input is for.
    pub fn kind(&self) -> &'static str {
        match self {
            TriggerInput::Kafka(_) => "kafka",
            TriggerInput::Redis(_) => "redis",
            TriggerInput::Prometheus(_) => "prometheus",
            TriggerInput::Cron(_) => "cron",
            TriggerInput::Cpu(_) => "cpu",
            TriggerInput::Memory(_) => "memory",
            TriggerInput::Error(_) => "error",
        }
    }

    /// The observation; `topic` is the trigger's topic, `now` the wall clock.
    pub fn observation(
        &self,
        topic: &str,
        now: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Observation, String> {
        Ok(match self {
            TriggerInput::Kafka(k) => Observation::Kafka(
                k.partitions
                    .iter()
                    .enumerate()
                    .map(|(i, p)| PartitionOffsets {
                        topic: p.topic.clone().unwrap_or_else(|| topic.to_string()),
                        id: p.id.unwrap_or(i as i32),
                        latest: p.latest,
                        committed: p.committed,
                    })
                    .collect(),
            ),
            TriggerInput::Redis(r) => Observation::Redis {
                list_length: r.list_length,
            },
            TriggerInput::Prometheus(p) => Observation::Prometheus {
                value: match &p.value {
                    None => None,
                    Some(v) if v.0.is_empty() => None,
                    Some(v) => Some(
                        v.0.trim()
                            .parse::<f64>()
                            .ok()
                            .filter(|x| !x.is_nan())
                            .ok_or_else(|| format!("`{v}` is not a number (`+Inf` is accepted)"))?,
                    ),
                },
            },
            TriggerInput::Cron(_) => Observation::Cron {
                now: now.ok_or("a cron trigger needs the case's `now` (the wall clock, e.g. \"2026-01-05T09:30:00Z\")")?,
            },
            TriggerInput::Cpu(_) | TriggerInput::Memory(_) => Observation::Resource,
            TriggerInput::Error(e) => Observation::Error(e.clone()),
        })
    }
}
