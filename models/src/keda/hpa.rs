//! The HPA KEDA creates for a ScaledObject (`controllers/keda/hpa.go` `newHPAForScaledObject`,
//! `GetHPAMinReplicas`, `GetHPAMaxReplicas`; hpa-spec 8.2, 8.3), and [`KedaConfig`]: a validated
//! ScaledObject with its defaults applied, what a simulator loop needs.
//!
//! - `minReplicas = minReplicaCount if > 0 else 1`, `maxReplicas = maxReplicaCount` (100);
//! - `behavior` copied verbatim from `advanced.horizontalPodAutoscalerConfig.behavior` (absent ⇒
//!   legacy path);
//! - each non-cpu/memory trigger an `External` metric named `s{i}-...` with a selector on the
//!   ScaledObject name, target `AverageValue` = threshold (or `Value` with `metricType: Value`);
//! - cpu/memory triggers a `Resource` metric (`ContainerResource` with `containerName`),
//!   Utilization or AverageValue.

use super::spec::{Fallback, ScaledObject};
use super::triggers::{ScalerMetadata, TargetType, TriggerConfig};
use super::validate::{check, hpa_min_replicas};
use crate::hpa::spec::{
    ContainerResourceMetricSource, CrossVersionObjectReference, ExternalMetricSource, HpaSpec,
    MetricIdentifier, MetricSpec, MetricTarget, MetricTargetType, ResourceMetricSource,
};
use crate::scenario::{parse_quantity, Quantity, SpecError};
use hpasim_sim::SimDuration;

/// The label KEDA puts in each External metric's selector.
pub const SCALED_OBJECT_LABEL: &str = "scaledobject.keda.sh/name";

/// A validated ScaledObject, defaults applied: the configuration of KEDA's loop and the HPA.
#[derive(Clone, Debug, PartialEq)]
pub struct KedaConfig {
    /// `metadata.name` (empty when unset).
    pub name: String,
    /// `pollingInterval`.
    pub polling_interval: SimDuration,
    /// `cooldownPeriod`.
    pub cooldown_period: SimDuration,
    /// `initialCooldownPeriod`.
    pub initial_cooldown_period: SimDuration,
    /// `minReplicaCount` (0 when unset).
    pub min_replica_count: i32,
    /// `maxReplicaCount` (100 when unset).
    pub max_replica_count: i32,
    /// `idleReplicaCount`: `Some` turns idle mode on.
    pub idle_replica_count: Option<i32>,
    /// `fallback`.
    pub fallback: Option<Fallback>,
    /// The triggers, in order.
    pub triggers: Vec<TriggerConfig>,
    /// The generated HPA.
    pub hpa: HpaSpec,
    /// The generated HPA's name (`keda-hpa-{name}` unless set).
    pub hpa_name: String,
}

impl KedaConfig {
    /// Validates `so` (paths under `prefix`) and compiles it.
    pub fn compile(so: &ScaledObject, prefix: &str) -> Result<KedaConfig, Vec<SpecError>> {
        let triggers = check(so, prefix)?;
        let s = &so.spec;
        let secs = |v: i32| SimDuration::from_secs(v.max(0) as u64);
        Ok(KedaConfig {
            name: so.metadata.name.clone().unwrap_or_default(),
            polling_interval: secs(s.polling_interval_or_default()),
            cooldown_period: secs(s.cooldown_period_or_default()),
            initial_cooldown_period: secs(s.initial_cooldown_period_or_default()),
            min_replica_count: s.min_replica_count_or_default(),
            max_replica_count: s.max_replica_count_or_default(),
            idle_replica_count: s.idle_replica_count,
            fallback: s.fallback.clone(),
            hpa: generated_hpa_from(so, &triggers),
            hpa_name: hpa_name(so),
            triggers,
        })
    }

    /// Whether every trigger is cpu/memory: the object is then always active (hpa-spec 8.5).
    pub fn resource_only(&self) -> bool {
        self.triggers.iter().all(TriggerConfig::is_resource)
    }

    /// The External metric names the HPA asks KEDA for, by trigger index (`None` for
    /// cpu/memory triggers).
    pub fn external_metric_names(&self) -> Vec<Option<&str>> {
        self.triggers
            .iter()
            .map(|t| (!t.is_resource()).then_some(t.metric_name.as_str()))
            .collect()
    }
}

/// The generated HPA's name: `advanced.horizontalPodAutoscalerConfig.name`, else
/// `keda-hpa-{ScaledObject name}`.
pub fn hpa_name(so: &ScaledObject) -> String {
    so.spec
        .advanced
        .as_ref()
        .and_then(|a| a.horizontal_pod_autoscaler_config.as_ref())
        .and_then(|h| h.name.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| {
            format!(
                "keda-hpa-{}",
                so.metadata.name.as_deref().unwrap_or_default()
            )
        })
}

/// A quantity of `milli` milli-units, written as a plain number when whole.
pub fn quantity_from_milli(milli: i64) -> Quantity {
    let text = if milli % 1000 == 0 {
        (milli / 1000).to_string()
    } else {
        format!("{milli}m")
    };
    parse_quantity(&text).unwrap_or_else(|_| Quantity::from_value(milli as f64 / 1000.0))
}

/// The HPA KEDA generates for `so`; triggers that do not compile are left out (validate first:
/// [`KedaConfig::compile`]).
pub fn generated_hpa(so: &ScaledObject) -> HpaSpec {
    let triggers: Vec<TriggerConfig> = so
        .spec
        .triggers
        .iter()
        .enumerate()
        .filter_map(|(i, t)| super::triggers::compile_trigger(t, i, "scaledObject").ok())
        .collect();
    generated_hpa_from(so, &triggers)
}

/// The HPA KEDA generates for `so` with its compiled triggers.
pub fn generated_hpa_from(so: &ScaledObject, triggers: &[TriggerConfig]) -> HpaSpec {
    let target = &so.spec.scale_target_ref;
    let name = so.metadata.name.clone().unwrap_or_default();
    HpaSpec {
        scale_target_ref: CrossVersionObjectReference {
            api_version: Some(target.api_version.clone().unwrap_or("apps/v1".into())),
            kind: target.kind.clone().unwrap_or("Deployment".into()),
            name: target.name.clone(),
        },
        min_replicas: Some(hpa_min_replicas(so)),
        max_replicas: so.spec.max_replica_count_or_default(),
        metrics: triggers.iter().map(|t| metric_spec(t, &name)).collect(),
        behavior: so.spec.hpa_behavior().cloned(),
    }
}

fn empty_metric(type_: &str) -> MetricSpec {
    MetricSpec {
        type_: type_.into(),
        resource: None,
        pods: None,
        object: None,
        external: None,
        container_resource: None,
    }
}

/// The HPA metric of one trigger.
pub fn metric_spec(t: &TriggerConfig, scaled_object: &str) -> MetricSpec {
    if let ScalerMetadata::Resource(r) = &t.scaler {
        let target = match t.target_type {
            TargetType::Utilization => MetricTarget {
                type_: MetricTargetType::Utilization,
                value: None,
                average_value: None,
                average_utilization: r.value.parse().ok(),
            },
            _ => MetricTarget {
                type_: MetricTargetType::AverageValue,
                value: None,
                average_value: parse_quantity(&r.value).ok(),
                average_utilization: None,
            },
        };
        return match &r.container_name {
            Some(c) => MetricSpec {
                container_resource: Some(ContainerResourceMetricSource {
                    name: r.resource.into(),
                    container: c.clone(),
                    target,
                }),
                ..empty_metric("ContainerResource")
            },
            None => MetricSpec {
                resource: Some(ResourceMetricSource {
                    name: r.resource.into(),
                    target,
                }),
                ..empty_metric("Resource")
            },
        };
    }
    let q = quantity_from_milli(t.target_milli);
    let target = match t.target_type {
        TargetType::Value => MetricTarget {
            type_: MetricTargetType::Value,
            value: Some(q),
            average_value: None,
            average_utilization: None,
        },
        _ => MetricTarget {
            type_: MetricTargetType::AverageValue,
            value: None,
            average_value: Some(q),
            average_utilization: None,
        },
    };
    MetricSpec {
        external: Some(ExternalMetricSource {
            metric: MetricIdentifier {
                name: t.metric_name.clone(),
                selector: Some(
                    serde_json::json!({"matchLabels": {SCALED_OBJECT_LABEL: scaled_object}}),
                ),
            },
            target,
        }),
        ..empty_metric("External")
    }
}
