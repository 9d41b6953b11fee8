//! The `keda.sh/v1alpha1` ScaledObject, field for field as KEDA's API types
//! (`apis/keda/v1alpha1/scaledobject_types.go`, `scaletriggers_types.go`), camelCase as in
//! manifests.
//!
//! - Every struct denies unknown fields, so a misspelled field is an error with its location.
//! - `metadata` reuses the HPA's [`ObjectMeta`]; `status` is accepted and ignored.
//! - Trigger `metadata` is a string map as in KEDA; YAML numbers and booleans are accepted and
//!   kept as their text ([`MetadataValue`]), so `lagThreshold: 10` and `lagThreshold: "10"` are
//!   the same. The typed reading of each trigger type is [`super::triggers`].
//! - Defaults (hpa-spec 8.1) are applied on read by the accessors of [`ScaledObjectSpec`], never
//!   written back, so a manifest round-trips unchanged (serde_json, for `--set`).

use crate::hpa::spec::{HpaBehavior, ObjectMeta};
use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// The only ScaledObject API version hpasim reads.
pub const API_VERSION: &str = "keda.sh/v1alpha1";
/// The object kind.
pub const KIND: &str = "ScaledObject";
/// `pollingInterval` default [s].
pub const DEFAULT_POLLING_INTERVAL: i32 = 30;
/// `cooldownPeriod` default [s].
pub const DEFAULT_COOLDOWN_PERIOD: i32 = 300;
/// `initialCooldownPeriod` default [s].
pub const DEFAULT_INITIAL_COOLDOWN_PERIOD: i32 = 0;
/// `minReplicaCount` default.
pub const DEFAULT_MIN_REPLICA_COUNT: i32 = 0;
/// `maxReplicaCount` default (`defaultHPAMaxReplicas`).
pub const DEFAULT_MAX_REPLICA_COUNT: i32 = 100;

/// A `keda.sh/v1alpha1` ScaledObject manifest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScaledObject {
    /// Must be `keda.sh/v1alpha1`.
    pub api_version: String,
    /// Must be `ScaledObject`.
    pub kind: String,
    /// Name, namespace, labels, annotations.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The desired behaviour.
    pub spec: ScaledObjectSpec,
    /// Observed state: accepted and ignored.
    #[serde(default, skip_serializing)]
    pub status: Option<IgnoredAny>,
}

/// `spec` of the ScaledObject.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScaledObjectSpec {
    /// The scaled workload.
    pub scale_target_ref: ScaleTarget,
    /// KEDA's polling period [s], config. Default 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polling_interval: Option<i32>,
    /// Inactivity before the last step to 0 / idle [s], config. Default 300.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cooldown_period: Option<i32>,
    /// Grace after creation before a never-active object may scale to 0 [s], config. Default 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_cooldown_period: Option<i32>,
    /// Replicas while inactive (instead of 0), config. Default unset (idle mode off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_replica_count: Option<i32>,
    /// Lower bound, config. Default 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_replica_count: Option<i32>,
    /// Upper bound, config. Default 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_replica_count: Option<i32>,
    /// Replicas to fall back to when a trigger keeps failing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<Fallback>,
    /// HPA name and behavior, restore-on-delete, scaling modifiers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advanced: Option<AdvancedConfig>,
    /// The triggers (scalers), in order: trigger `i` names its metric `s{i}-...`.
    #[serde(default)]
    pub triggers: Vec<ScaleTrigger>,
}

impl ScaledObjectSpec {
    /// `pollingInterval` [s] or its default.
    pub fn polling_interval_or_default(&self) -> i32 {
        self.polling_interval.unwrap_or(DEFAULT_POLLING_INTERVAL)
    }
    /// `cooldownPeriod` [s] or its default.
    pub fn cooldown_period_or_default(&self) -> i32 {
        self.cooldown_period.unwrap_or(DEFAULT_COOLDOWN_PERIOD)
    }
    /// `initialCooldownPeriod` [s] or its default.
    pub fn initial_cooldown_period_or_default(&self) -> i32 {
        self.initial_cooldown_period
            .unwrap_or(DEFAULT_INITIAL_COOLDOWN_PERIOD)
    }
    /// `minReplicaCount` or 0.
    pub fn min_replica_count_or_default(&self) -> i32 {
        self.min_replica_count.unwrap_or(DEFAULT_MIN_REPLICA_COUNT)
    }
    /// `maxReplicaCount` or 100.
    pub fn max_replica_count_or_default(&self) -> i32 {
        self.max_replica_count.unwrap_or(DEFAULT_MAX_REPLICA_COUNT)
    }
    /// The HPA behavior of `advanced.horizontalPodAutoscalerConfig.behavior`, if set.
    pub fn hpa_behavior(&self) -> Option<&HpaBehavior> {
        self.advanced
            .as_ref()?
            .horizontal_pod_autoscaler_config
            .as_ref()?
            .behavior
            .as_ref()
    }
    /// Whether `advanced.scalingModifiers` has any field set (KEDA `IsUsingModifiers`).
    pub fn uses_scaling_modifiers(&self) -> bool {
        self.advanced
            .as_ref()
            .and_then(|a| a.scaling_modifiers.as_ref())
            .is_some_and(|m| *m != ScalingModifiers::default())
    }
}

/// `spec.scaleTargetRef`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScaleTarget {
    /// Name of the workload.
    pub name: String,
    /// API version [apps/v1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind [Deployment].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Container whose environment resolves `...FromEnv` metadata; accepted, not used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env_source_container_name: Option<String>,
}

/// `spec.fallback`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fallback {
    /// Consecutive failures tolerated; fallback applies once they are exceeded.
    pub failure_threshold: i32,
    /// Replicas to fall back to.
    pub replicas: i32,
    /// How `replicas` combines with the current count [static].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behavior: Option<FallbackBehavior>,
}

/// `spec.fallback.behavior`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FallbackBehavior {
    /// `fallback.replicas`.
    #[default]
    Static,
    /// The current replica count.
    CurrentReplicas,
    /// The larger of current and `fallback.replicas`.
    CurrentReplicasIfHigher,
    /// The smaller of current and `fallback.replicas`.
    CurrentReplicasIfLower,
}

/// `spec.advanced`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdvancedConfig {
    /// Name and behavior of the generated HPA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub horizontal_pod_autoscaler_config: Option<HorizontalPodAutoscalerConfig>,
    /// Restore the original count when the ScaledObject is deleted; accepted, not simulated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_to_original_replica_count: Option<bool>,
    /// A formula over the triggers' metrics; accepted by the parser, rejected by validation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaling_modifiers: Option<ScalingModifiers>,
}

/// `spec.advanced.horizontalPodAutoscalerConfig`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HorizontalPodAutoscalerConfig {
    /// HPA name [keda-hpa-{ScaledObject name}].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Copied verbatim into the HPA; absent selects the legacy path (hpa-spec §5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behavior: Option<HpaBehavior>,
}

/// `spec.advanced.scalingModifiers`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScalingModifiers {
    /// The formula.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formula: Option<String>,
    /// The composite target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The composite activation target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation_target: Option<String>,
    /// The composite metric type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_type: Option<String>,
}

/// One entry of `spec.triggers`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScaleTrigger {
    /// Scaler type: `kafka`, `redis`, `prometheus`, `cpu`, `memory`, `cron` are simulated.
    #[serde(rename = "type")]
    pub type_: String,
    /// Optional unique name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Scaler parameters, a string map.
    #[serde(default)]
    pub metadata: BTreeMap<String, MetadataValue>,
    /// `AverageValue` (default), `Value`, or `Utilization` (cpu/memory only), as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_type: Option<String>,
    /// Serve the HPA the value of the last polling cycle instead of a live read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_cached_metrics: Option<bool>,
    /// TriggerAuthentication reference; accepted, not used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_ref: Option<AuthenticationRef>,
}

impl ScaleTrigger {
    /// The metadata value of `key` as text, if present.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metadata.get(key).map(|v| v.0.as_str())
    }
    /// Whether this is a cpu or memory trigger (read by the HPA from metrics-server).
    pub fn is_resource(&self) -> bool {
        matches!(self.type_.as_str(), "cpu" | "memory")
    }
    /// `useCachedMetrics`, default false.
    pub fn cached(&self) -> bool {
        self.use_cached_metrics.unwrap_or(false)
    }
}

/// `triggers[].authenticationRef`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthenticationRef {
    /// Name of the TriggerAuthentication.
    pub name: String,
    /// `TriggerAuthentication` or `ClusterTriggerAuthentication`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// A trigger metadata value: KEDA's metadata is `map[string]string`; a YAML number or boolean
/// is kept as its text (`10`, `12.5`, `true`), `null` as the empty string.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MetadataValue(pub String);

impl fmt::Display for MetadataValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for MetadataValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for MetadataValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = MetadataValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a string, number or boolean (KEDA trigger metadata values are strings)",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<MetadataValue, E> {
                Ok(MetadataValue(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<MetadataValue, E> {
                Ok(MetadataValue(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<MetadataValue, E> {
                Ok(MetadataValue(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<MetadataValue, E> {
                Ok(MetadataValue(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<MetadataValue, E> {
                Ok(MetadataValue(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<MetadataValue, E> {
                Ok(MetadataValue(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<MetadataValue, E> {
                Ok(MetadataValue(String::new()))
            }
            fn visit_none<E: de::Error>(self) -> Result<MetadataValue, E> {
                Ok(MetadataValue(String::new()))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SO: &str = "\
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: worker, uid: x}
spec:
  scaleTargetRef: {name: worker}
  cooldownPeriod: 60
  minReplicaCount: 0
  maxReplicaCount: 10
  fallback: {failureThreshold: 3, replicas: 4, behavior: currentReplicasIfHigher}
  advanced:
    restoreToOriginalReplicaCount: true
    horizontalPodAutoscalerConfig:
      name: custom
      behavior: {scaleDown: {stabilizationWindowSeconds: 60}}
  triggers:
    - type: kafka
      metadata: {bootstrapServers: 'k:9092', consumerGroup: g, topic: t, lagThreshold: 50, allowIdleConsumers: false}
status:
  lastActiveTime: x
";

    #[test]
    fn a_real_manifest_parses_numbers_in_metadata_as_text() {
        let so: ScaledObject = serde_saphyr::from_str(SO).unwrap();
        assert_eq!(so.spec.cooldown_period_or_default(), 60);
        assert_eq!(so.spec.polling_interval_or_default(), 30);
        assert_eq!(so.spec.triggers[0].meta("lagThreshold"), Some("50"));
        assert_eq!(
            so.spec.triggers[0].meta("allowIdleConsumers"),
            Some("false")
        );
        assert_eq!(
            so.spec.fallback.as_ref().unwrap().behavior,
            Some(FallbackBehavior::CurrentReplicasIfHigher)
        );
        assert!(so.spec.hpa_behavior().is_some());
    }

    #[test]
    fn round_trips_through_json() {
        let so: ScaledObject = serde_saphyr::from_str(SO).unwrap();
        let json = serde_json::to_value(&so).unwrap();
        assert_eq!(
            json["spec"]["triggers"][0]["metadata"]["lagThreshold"],
            "50"
        );
        let back: ScaledObject = serde_json::from_value(json).unwrap();
        assert_eq!(back.spec, so.spec);
    }

    #[test]
    fn misspelled_spec_field_is_an_error() {
        let bad = SO.replace("cooldownPeriod", "cooldownPeriods");
        let e = serde_saphyr::from_str::<ScaledObject>(&bad).unwrap_err();
        assert!(e.to_string().contains("cooldownPeriods"), "{e}");
    }
}
