//! The `autoscaling/v2` HorizontalPodAutoscaler object, field for field as the Kubernetes API
//! (`k8s.io/api/autoscaling/v2` types), camelCase as in manifests.
//!
//! - Spec types deny unknown fields, so a misspelled field is an error with its location.
//! - `metadata` keeps name, namespace, labels and annotations; every other `ObjectMeta` field is
//!   accepted and ignored; `status` is accepted and ignored.
//! - `behavior: {}` (present, empty) is `Some(HpaBehavior::default())`, distinct from an absent
//!   `behavior` (`None`, the legacy normalization path, hpa-spec §5).
//! - Metric `type` is kept as written (a string) so that `hpa eval` can report a type the
//!   controller cannot evaluate as that metric's error (H `computeReplicasForMetric`, default
//!   branch), while manifest validation ([`super::validate`]) rejects it as the API server does.
//! - API defaulting (DEF `SetDefaults_HorizontalPodAutoscaler`,
//!   `SetDefaults_HorizontalPodAutoscalerBehavior`) is applied on read by
//!   [`HpaSpec::min_replicas_or_default`], [`HpaSpec::effective_metrics`] and
//!   [`super::behavior::ScalingRules`], never written back, so a manifest round-trips unchanged.
//!
//! Everything serializes back (serde_json) so `--set hpa.spec...` overrides round-trip.

use crate::scenario::Quantity;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The only HPA API version hpasim reads.
pub const API_VERSION: &str = "autoscaling/v2";
/// The object kind.
pub const KIND: &str = "HorizontalPodAutoscaler";
/// CPU utilization target [%] the API server fills in when `metrics` is empty
/// (DEF `SetDefaults_HorizontalPodAutoscaler`).
pub const DEFAULT_CPU_UTILIZATION: i32 = 80;

/// An `autoscaling/v2` HorizontalPodAutoscaler manifest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HorizontalPodAutoscaler {
    /// Must be `autoscaling/v2`.
    pub api_version: String,
    /// Must be `HorizontalPodAutoscaler`.
    pub kind: String,
    /// Name, namespace, labels, annotations.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The desired behaviour.
    pub spec: HpaSpec,
    /// Observed state: accepted and ignored.
    #[serde(default, skip_serializing)]
    pub status: Option<IgnoredAny>,
}

/// Object metadata: the fields hpasim keeps, and every other `ObjectMeta` field ignored.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObjectMeta {
    /// Object name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Labels.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Ignored.
    #[serde(default, skip_serializing)]
    pub generate_name: Option<IgnoredAny>,
    /// Ignored.
    #[serde(default, skip_serializing)]
    pub uid: Option<IgnoredAny>,
    /// Ignored.
    #[serde(default, skip_serializing)]
    pub resource_version: Option<IgnoredAny>,
    /// Ignored.
    #[serde(default, skip_serializing)]
    pub generation: Option<IgnoredAny>,
    /// Ignored.
    #[serde(default, skip_serializing)]
    pub creation_timestamp: Option<IgnoredAny>,
    /// Ignored.
    #[serde(default, skip_serializing)]
    pub deletion_timestamp: Option<IgnoredAny>,
    /// Ignored.
    #[serde(default, skip_serializing)]
    pub deletion_grace_period_seconds: Option<IgnoredAny>,
    /// Ignored.
    #[serde(default, skip_serializing)]
    pub owner_references: Option<IgnoredAny>,
    /// Ignored.
    #[serde(default, skip_serializing)]
    pub finalizers: Option<IgnoredAny>,
    /// Ignored.
    #[serde(default, skip_serializing)]
    pub managed_fields: Option<IgnoredAny>,
    /// Ignored.
    #[serde(default, skip_serializing)]
    pub self_link: Option<IgnoredAny>,
}

/// `spec` of the HPA.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HpaSpec {
    /// The scaled object (a Deployment, usually).
    pub scale_target_ref: CrossVersionObjectReference,
    /// Lower bound [replicas], config; default 1 (0 needs the `HPAScaleToZero` gate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_replicas: Option<i32>,
    /// Upper bound [replicas], config.
    pub max_replicas: i32,
    /// The metrics; empty means CPU at 80 % utilization (API default).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<MetricSpec>,
    /// Scaling behavior; absent selects the legacy normalization (hpa-spec §5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behavior: Option<HpaBehavior>,
}

impl HpaSpec {
    /// `minReplicas`, or 1 when unset (DEF; H `reconcileAutoscaler`).
    pub fn min_replicas_or_default(&self) -> i32 {
        self.min_replicas.unwrap_or(1)
    }

    /// The metrics the controller evaluates: as written, or CPU at
    /// [`DEFAULT_CPU_UTILIZATION`] % when none are given (DEF).
    pub fn effective_metrics(&self) -> Vec<MetricSpec> {
        if !self.metrics.is_empty() {
            return self.metrics.clone();
        }
        vec![MetricSpec::resource(
            "cpu",
            MetricTarget::utilization(DEFAULT_CPU_UTILIZATION),
        )]
    }
}

/// A reference to another object.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CrossVersionObjectReference {
    /// API version of the referent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the referent.
    pub kind: String,
    /// Name of the referent.
    pub name: String,
}

/// The metric source types of `autoscaling/v2`.
pub const METRIC_SOURCE_TYPES: [&str; 5] = [
    "Resource",
    "Pods",
    "Object",
    "External",
    "ContainerResource",
];

/// One metric: a source type and the matching source block.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricSpec {
    /// `Resource`, `Pods`, `Object`, `External` or `ContainerResource`, as written.
    #[serde(rename = "type")]
    pub type_: String,
    /// For `type: Resource`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<ResourceMetricSource>,
    /// For `type: Pods`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pods: Option<PodsMetricSource>,
    /// For `type: Object`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<ObjectMetricSource>,
    /// For `type: External`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external: Option<ExternalMetricSource>,
    /// For `type: ContainerResource`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_resource: Option<ContainerResourceMetricSource>,
}

impl MetricSpec {
    /// A `Resource` metric.
    pub fn resource(name: &str, target: MetricTarget) -> MetricSpec {
        MetricSpec {
            type_: "Resource".into(),
            resource: Some(ResourceMetricSource {
                name: name.into(),
                target,
            }),
            pods: None,
            object: None,
            external: None,
            container_resource: None,
        }
    }

    /// The name the metric is reported under: the resource name (`cpu`), the container and
    /// resource (`app/cpu`) or the metric name; the type when the source block is absent.
    pub fn display_name(&self) -> String {
        if let Some(r) = &self.resource {
            return r.name.clone();
        }
        if let Some(c) = &self.container_resource {
            return format!("{}/{}", c.container, c.name);
        }
        if let Some(p) = &self.pods {
            return p.metric.name.clone();
        }
        if let Some(o) = &self.object {
            return o.metric.name.clone();
        }
        if let Some(e) = &self.external {
            return e.metric.name.clone();
        }
        self.type_.clone()
    }
}

/// A resource (cpu, memory) of the pods, averaged over them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceMetricSource {
    /// Resource name: `cpu`, `memory`, ...
    pub name: String,
    /// Utilization or AverageValue.
    pub target: MetricTarget,
}

/// A resource of one named container in each pod.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContainerResourceMetricSource {
    /// Resource name.
    pub name: String,
    /// Container name.
    pub container: String,
    /// Utilization or AverageValue.
    pub target: MetricTarget,
}

/// A custom metric per pod, averaged over the pods.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodsMetricSource {
    /// Which metric.
    pub metric: MetricIdentifier,
    /// AverageValue.
    pub target: MetricTarget,
}

/// A metric describing one Kubernetes object (an Ingress, say).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObjectMetricSource {
    /// The object.
    pub described_object: CrossVersionObjectReference,
    /// Value or AverageValue.
    pub target: MetricTarget,
    /// Which metric.
    pub metric: MetricIdentifier,
}

/// A metric from outside the cluster (a queue length, say).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExternalMetricSource {
    /// Which metric.
    pub metric: MetricIdentifier,
    /// Value or AverageValue.
    pub target: MetricTarget,
}

/// A metric name and optional label selector (kept verbatim, not evaluated).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricIdentifier {
    /// Metric name.
    pub name: String,
    /// Label selector, kept as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<serde_json::Value>,
}

/// The three target types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MetricTargetType {
    /// Average utilization [% of request] (Resource, ContainerResource).
    Utilization,
    /// Total value (Object, External).
    Value,
    /// Value per pod.
    AverageValue,
}

/// A metric target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricTarget {
    /// Which of the fields below applies.
    #[serde(rename = "type")]
    pub type_: MetricTargetType,
    /// Target total value, for `Value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Quantity>,
    /// Target value per pod, for `AverageValue`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_value: Option<Quantity>,
    /// Target utilization [% of request], for `Utilization`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_utilization: Option<i32>,
}

impl MetricTarget {
    /// A Utilization target [%].
    pub fn utilization(pct: i32) -> MetricTarget {
        MetricTarget {
            type_: MetricTargetType::Utilization,
            value: None,
            average_value: None,
            average_utilization: Some(pct),
        }
    }
}

/// `spec.behavior`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HpaBehavior {
    /// Rules for scaling up; defaults per field (hpa-spec 6.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_up: Option<HpaScalingRules>,
    /// Rules for scaling down; defaults per field (hpa-spec 6.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down: Option<HpaScalingRules>,
}

/// Scaling rules of one direction; every field optional (API defaults fill the gaps).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HpaScalingRules {
    /// Stabilization window [s], config, 0..=3600.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stabilization_window_seconds: Option<i32>,
    /// How policies combine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select_policy: Option<SelectPolicy>,
    /// Rate-limit policies; replaces the default list as a whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policies: Option<Vec<HpaScalingPolicy>>,
    /// Per-direction tolerance (fraction, a quantity such as `0.05` or `50m`), v1.33+.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<Quantity>,
}

/// `selectPolicy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SelectPolicy {
    /// The policy allowing the largest change.
    Max,
    /// The policy allowing the smallest change.
    Min,
    /// No scaling in this direction.
    Disabled,
}

/// `policies[].type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PolicyType {
    /// An absolute number of pods per period.
    Pods,
    /// A percentage of the replicas at the start of the period.
    Percent,
}

/// One rate-limit policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HpaScalingPolicy {
    /// Pods or Percent.
    #[serde(rename = "type")]
    pub type_: PolicyType,
    /// Pods or percent per period, config, > 0.
    pub value: i32,
    /// Period [s], config, 1..=1800.
    pub period_seconds: i32,
}

/// A quantity in milli-units as Kubernetes `Quantity.MilliValue()` gives it (rounded up to a
/// whole milli-unit; float noise below 1e-6 milli is not rounded up).
pub fn milli_value(q: &Quantity) -> i64 {
    let v = q.value() * 1000.0;
    let r = v.round();
    let snapped = if (v - r).abs() <= 1e-6 * r.abs().max(1.0) {
        r
    } else {
        v.ceil()
    };
    if snapped >= i64::MAX as f64 {
        i64::MAX
    } else {
        snapped as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse_quantity;

    const HPA: &str = "\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
  uid: abc
  creationTimestamp: 2024-01-01T00:00:00Z
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 10
  metrics:
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
    - type: External
      external:
        metric: {name: queue, selector: {matchLabels: {q: a}}}
        target: {type: AverageValue, averageValue: 30}
  behavior:
    scaleDown:
      policies: [{type: Percent, value: 10, periodSeconds: 60}]
      tolerance: 50m
status:
  currentReplicas: 3
";

    #[test]
    fn a_real_manifest_parses_with_ignored_metadata_and_status() {
        let h: HorizontalPodAutoscaler = serde_saphyr::from_str(HPA).unwrap();
        assert_eq!(h.metadata.name.as_deref(), Some("web"));
        assert_eq!(h.spec.min_replicas, Some(2));
        assert_eq!(h.spec.metrics.len(), 2);
        let down = h.spec.behavior.unwrap().scale_down.unwrap();
        assert_eq!(down.tolerance.unwrap().value(), 0.05);
    }

    #[test]
    fn misspelled_spec_field_is_an_error() {
        let bad = HPA.replace("maxReplicas", "maxReplica");
        let e = serde_saphyr::from_str::<HorizontalPodAutoscaler>(&bad).unwrap_err();
        assert!(e.to_string().contains("maxReplica"), "{e}");
    }

    #[test]
    fn empty_behavior_is_distinct_from_absent() {
        let with = HPA.replace(
            "  behavior:\n    scaleDown:\n      policies: [{type: Percent, value: 10, periodSeconds: 60}]\n      tolerance: 50m\n",
            "  behavior: {}\n",
        );
        let h: HorizontalPodAutoscaler = serde_saphyr::from_str(&with).unwrap();
        assert_eq!(h.spec.behavior, Some(HpaBehavior::default()));
        let without = HPA.split("  behavior:").next().unwrap().to_string();
        let h: HorizontalPodAutoscaler = serde_saphyr::from_str(&without).unwrap();
        assert_eq!(h.spec.behavior, None);
    }

    #[test]
    fn round_trips_through_json() {
        let h: HorizontalPodAutoscaler = serde_saphyr::from_str(HPA).unwrap();
        let json = serde_json::to_value(&h).unwrap();
        assert_eq!(json["spec"]["behavior"]["scaleDown"]["tolerance"], "50m");
        let back: HorizontalPodAutoscaler = serde_json::from_value(json).unwrap();
        assert_eq!(back.spec, h.spec);
    }

    #[test]
    fn empty_metrics_default_to_cpu_80_percent() {
        let mut h: HorizontalPodAutoscaler = serde_saphyr::from_str(HPA).unwrap();
        h.spec.metrics.clear();
        let m = h.spec.effective_metrics();
        assert_eq!(m[0].display_name(), "cpu");
        assert_eq!(
            m[0].resource.as_ref().unwrap().target.average_utilization,
            Some(80)
        );
    }

    #[test]
    fn milli_values_round_up_like_kubernetes_but_ignore_float_noise() {
        let m = |t: &str| milli_value(&parse_quantity(t).unwrap());
        assert_eq!(m("150m"), 150);
        assert_eq!(m("0.15"), 150);
        assert_eq!(m("20166m"), 20166);
        assert_eq!(m("15"), 15000);
        assert_eq!(m("1Ki"), 1_024_000);
        assert_eq!(m("1500u"), 2);
    }
}
