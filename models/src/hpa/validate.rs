//! What the API server checks before it stores an HPA (`pkg/apis/autoscaling/validation`
//! `ValidateHorizontalPodAutoscaler`, `validateMetrics`, `validateMetricTarget`,
//! `validateBehavior`, `validateScalingRules`), plus the API version and kind.
//!
//! Errors are [`SpecError`]s at parameter paths (`hpa.spec.maxReplicas`) under a caller-given
//! prefix; the loader turns them into `file:line:column`.
//!
//! One deliberate difference is selectable: [`ValidationOptions::allow_unknown_metric_types`].
//! The API server rejects a metric `type` it does not know (scenario manifests do too); `hpa
//! eval` accepts it and reports it as that metric's error, as the controller's
//! `computeReplicasForMetric` would.

use super::spec::{
    HorizontalPodAutoscaler, HpaScalingRules, MetricSpec, MetricTarget, MetricTargetType,
    API_VERSION, KIND, METRIC_SOURCE_TYPES,
};
use crate::scenario::SpecError;

/// Maximum `stabilizationWindowSeconds` [s].
pub const MAX_STABILIZATION_WINDOW_SECONDS: i32 = 3600;
/// Maximum policy `periodSeconds` [s].
pub const MAX_PERIOD_SECONDS: i32 = 1800;

/// Switches of the validation. The default accepts `minReplicas: 0` (hpasim's
/// `HPAScaleToZero` default, see [`super::snapshot::FeatureGates`]) and rejects unknown metric
/// types.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ValidationOptions {
    /// Lowest accepted `minReplicas`: 0 with the `HPAScaleToZero` gate, else 1.
    pub min_replicas_lower_bound: i32,
    /// Accept metric types the API does not know (`hpa eval`), leaving them to the controller.
    pub allow_unknown_metric_types: bool,
}

/// The message for an `apiVersion` other than `autoscaling/v2`.
pub fn unsupported_api_version(found: &str) -> String {
    let why = match found {
        "autoscaling/v1" => " (v1 has only targetCPUUtilizationPercentage; rewrite it as a `Resource` metric with a `Utilization` target)",
        "autoscaling/v2beta1" | "autoscaling/v2beta2" => " (removed from Kubernetes in 1.25/1.26; the fields are the same as v2 after renaming targets)",
        _ => "",
    };
    format!("unsupported apiVersion `{found}`: hpasim reads HorizontalPodAutoscaler only as `{API_VERSION}`{why}")
}

/// Every problem of `hpa`, paths under `prefix` (e.g. `hpa`).
pub fn validate(
    hpa: &HorizontalPodAutoscaler,
    prefix: &str,
    opts: ValidationOptions,
) -> Vec<SpecError> {
    let mut errs = Vec::new();
    let mut err = |path: String, msg: String| errs.push(SpecError::at_path(path, msg));
    if hpa.api_version != API_VERSION {
        err(
            format!("{prefix}.apiVersion"),
            unsupported_api_version(&hpa.api_version),
        );
    }
    if hpa.kind != KIND {
        err(
            format!("{prefix}.kind"),
            format!("kind must be `{KIND}`, got `{}`", hpa.kind),
        );
    }
    let spec = &hpa.spec;
    let p = format!("{prefix}.spec");
    if spec.scale_target_ref.kind.is_empty() {
        err(
            format!("{p}.scaleTargetRef.kind"),
            "must not be empty".into(),
        );
    }
    if spec.scale_target_ref.name.is_empty() {
        err(
            format!("{p}.scaleTargetRef.name"),
            "must not be empty".into(),
        );
    }
    if let Some(min) = spec.min_replicas {
        if min < opts.min_replicas_lower_bound {
            let hint = if opts.min_replicas_lower_bound == 1 && min == 0 {
                " (0 needs the HPAScaleToZero feature gate)"
            } else {
                ""
            };
            err(
                format!("{p}.minReplicas"),
                format!(
                    "must be greater than or equal to {}, got {min}{hint}",
                    opts.min_replicas_lower_bound
                ),
            );
        }
    }
    if spec.max_replicas < 1 {
        err(
            format!("{p}.maxReplicas"),
            format!("must be greater than 0, got {}", spec.max_replicas),
        );
    }
    if let Some(min) = spec.min_replicas {
        if spec.max_replicas < min {
            err(
                format!("{p}.maxReplicas"),
                format!(
                    "must be greater than or equal to `minReplicas` ({min}), got {}",
                    spec.max_replicas
                ),
            );
        }
    }
    for (i, m) in spec.metrics.iter().enumerate() {
        metric(m, &format!("{p}.metrics[{i}]"), opts, &mut err);
    }
    if let Some(b) = &spec.behavior {
        for (name, rules) in [("scaleUp", &b.scale_up), ("scaleDown", &b.scale_down)] {
            if let Some(r) = rules {
                scaling_rules(r, &format!("{p}.behavior.{name}"), &mut err);
            }
        }
    }
    errs
}

fn metric(m: &MetricSpec, p: &str, opts: ValidationOptions, err: &mut impl FnMut(String, String)) {
    let blocks = [
        ("Resource", "resource", m.resource.is_some()),
        ("Pods", "pods", m.pods.is_some()),
        ("Object", "object", m.object.is_some()),
        ("External", "external", m.external.is_some()),
        (
            "ContainerResource",
            "containerResource",
            m.container_resource.is_some(),
        ),
    ];
    let Some(&(_, field, present)) = blocks.iter().find(|b| b.0 == m.type_) else {
        if !opts.allow_unknown_metric_types {
            err(
                format!("{p}.type"),
                format!(
                    "unknown metric source type `{}`: use one of {}",
                    m.type_,
                    METRIC_SOURCE_TYPES.join(", ")
                ),
            );
        }
        return;
    };
    if !present {
        err(
            format!("{p}.{field}"),
            format!("must populate information for the given metric source (`type: {}` needs `{field}`)", m.type_),
        );
    }
    for &(_, other, set) in &blocks {
        if set && other != field {
            err(
                format!("{p}.{other}"),
                format!(
                    "must populate the given metric source only (`type: {}`)",
                    m.type_
                ),
            );
        }
    }
    let (target, allowed): (Option<&MetricTarget>, &[MetricTargetType]) = {
        use MetricTargetType::*;
        match m.type_.as_str() {
            "Resource" => (
                m.resource.as_ref().map(|s| &s.target),
                &[Utilization, AverageValue],
            ),
            "ContainerResource" => (
                m.container_resource.as_ref().map(|s| &s.target),
                &[Utilization, AverageValue],
            ),
            "Pods" => (m.pods.as_ref().map(|s| &s.target), &[AverageValue]),
            "Object" => (m.object.as_ref().map(|s| &s.target), &[Value, AverageValue]),
            _ => (
                m.external.as_ref().map(|s| &s.target),
                &[Value, AverageValue],
            ),
        }
    };
    if let Some(t) = target {
        target_fields(t, &format!("{p}.{field}.target"), &m.type_, allowed, err);
    }
    if let Some(r) = &m.resource {
        if r.name.is_empty() {
            err(format!("{p}.resource.name"), "must not be empty".into());
        }
    }
    if let Some(c) = &m.container_resource {
        if c.container.is_empty() {
            err(
                format!("{p}.containerResource.container"),
                "must not be empty".into(),
            );
        }
    }
}

fn target_fields(
    t: &MetricTarget,
    p: &str,
    source: &str,
    allowed: &[MetricTargetType],
    err: &mut impl FnMut(String, String),
) {
    if !allowed.contains(&t.type_) {
        let names: Vec<String> = allowed.iter().map(|a| format!("{a:?}")).collect();
        err(
            format!("{p}.type"),
            format!(
                "target type `{:?}` is not valid for a {source} metric: use {}",
                t.type_,
                names.join(" or ")
            ),
        );
    }
    let (field, set) = match t.type_ {
        MetricTargetType::Utilization => ("averageUtilization", t.average_utilization.is_some()),
        MetricTargetType::Value => ("value", t.value.is_some()),
        MetricTargetType::AverageValue => ("averageValue", t.average_value.is_some()),
    };
    if !set {
        err(
            format!("{p}.{field}"),
            format!("`type: {:?}` needs `{field}`", t.type_),
        );
    }
    for (name, q) in [("value", &t.value), ("averageValue", &t.average_value)] {
        if q.as_ref().is_some_and(|q| q.value() <= 0.0) {
            err(format!("{p}.{name}"), "must be positive".into());
        }
    }
    if t.average_utilization.is_some_and(|u| u < 1) {
        err(
            format!("{p}.averageUtilization"),
            "must be greater than 0".into(),
        );
    }
}

fn scaling_rules(r: &HpaScalingRules, p: &str, err: &mut impl FnMut(String, String)) {
    if let Some(w) = r.stabilization_window_seconds {
        if !(0..=MAX_STABILIZATION_WINDOW_SECONDS).contains(&w) {
            err(
                format!("{p}.stabilizationWindowSeconds"),
                format!(
                    "must be between 0 and {MAX_STABILIZATION_WINDOW_SECONDS} seconds, got {w}"
                ),
            );
        }
    }
    if let Some(policies) = &r.policies {
        if policies.is_empty() {
            err(
                format!("{p}.policies"),
                "must specify at least one Policy".into(),
            );
        }
        for (i, pol) in policies.iter().enumerate() {
            if pol.value <= 0 {
                err(
                    format!("{p}.policies[{i}].value"),
                    format!("must be greater than zero, got {}", pol.value),
                );
            }
            if !(1..=MAX_PERIOD_SECONDS).contains(&pol.period_seconds) {
                err(
                    format!("{p}.policies[{i}].periodSeconds"),
                    format!(
                        "must be between 1 and {MAX_PERIOD_SECONDS} seconds, got {}",
                        pol.period_seconds
                    ),
                );
            }
        }
    }
    if r.tolerance.as_ref().is_some_and(|t| t.value() < 0.0) {
        err(
            format!("{p}.tolerance"),
            "must be greater than or equal to 0".into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hpa(spec: &str) -> HorizontalPodAutoscaler {
        let text = format!(
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nspec:\n  scaleTargetRef: {{kind: Deployment, name: web}}\n{spec}"
        );
        serde_saphyr::from_str(&text).unwrap()
    }

    fn paths(h: &HorizontalPodAutoscaler) -> Vec<String> {
        validate(h, "hpa", ValidationOptions::default())
            .into_iter()
            .map(|e| e.location)
            .collect()
    }

    #[test]
    fn min_above_max_is_reported_at_max_replicas() {
        let h = hpa("  minReplicas: 5\n  maxReplicas: 3\n");
        assert_eq!(paths(&h), ["hpa.spec.maxReplicas"]);
    }

    #[test]
    fn utilization_only_for_resource_metrics() {
        let h = hpa("  maxReplicas: 3\n  metrics:\n  - type: Pods\n    pods: {metric: {name: rps}, target: {type: Utilization, averageUtilization: 5}}\n");
        assert_eq!(paths(&h), ["hpa.spec.metrics[0].pods.target.type"]);
    }

    #[test]
    fn policy_bounds_are_checked() {
        let h = hpa("  maxReplicas: 3\n  behavior:\n    scaleDown:\n      stabilizationWindowSeconds: 4000\n      policies: [{type: Pods, value: 0, periodSeconds: 1801}]\n");
        assert_eq!(
            paths(&h),
            [
                "hpa.spec.behavior.scaleDown.stabilizationWindowSeconds",
                "hpa.spec.behavior.scaleDown.policies[0].value",
                "hpa.spec.behavior.scaleDown.policies[0].periodSeconds"
            ]
        );
    }

    #[test]
    fn unknown_metric_type_is_rejected_unless_allowed() {
        let h = hpa("  maxReplicas: 3\n  metrics:\n  - type: Prometheus\n");
        assert_eq!(paths(&h), ["hpa.spec.metrics[0].type"]);
        let lenient = ValidationOptions {
            allow_unknown_metric_types: true,
            ..ValidationOptions::default()
        };
        assert!(validate(&h, "hpa", lenient).is_empty());
    }
}
