//! One metric of the HPA spec → a proposal or an error (H `computeReplicasForMetric` and the
//! `computeStatusFor{Resource,ContainerResource,Pods,Object,External}Metric` functions it calls),
//! then the combination over all metrics (H `computeReplicasForMetrics`, hpa-spec §4).
//!
//! Which replica count each path starts from (7.5): Resource, ContainerResource, Pods and Value
//! targets use the spec replicas; AverageValue Object/External targets use the status replicas.

use super::calculator::{pods_metrics, resource_metrics, Calculator, MetricError, Proposal};
use super::snapshot::ClusterSnapshot;
use super::spec::{milli_value, MetricSpec, MetricTarget, MetricTargetType};

/// What one metric produced, as `hpa eval` and events.csv report it.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricOutcome {
    /// `cpu`, `app/cpu` (container resource) or the metric name.
    pub name: String,
    /// The source type as written (`Resource`, `Pods`, ...).
    pub source_type: String,
    /// The proposal, or why there is none.
    pub result: Result<Proposal, MetricError>,
}

impl MetricOutcome {
    /// The proposed replicas, if the metric is valid.
    pub fn replicas(&self) -> Option<i32> {
        self.result.as_ref().ok().map(|p| p.replicas)
    }
}

/// Evaluates one metric spec.
pub fn evaluate(
    calc: &Calculator,
    spec: &MetricSpec,
    snap: &ClusterSnapshot,
) -> Result<Proposal, MetricError> {
    let spec_replicas = snap.spec_replicas;
    match spec.type_.as_str() {
        "Resource" => {
            let src = spec.resource.as_ref().ok_or_else(|| missing("resource"))?;
            resource(calc, spec_replicas, &src.name, None, &src.target, snap)
        }
        "ContainerResource" => {
            let src = spec
                .container_resource
                .as_ref()
                .ok_or_else(|| missing("containerResource"))?;
            let c = Some(src.container.as_str());
            resource(calc, spec_replicas, &src.name, c, &src.target, snap)
        }
        "Pods" => {
            let src = spec.pods.as_ref().ok_or_else(|| missing("pods"))?;
            let target = average_value(&src.target, "pods")?;
            let metrics = pods_metrics(&snap.pods, &src.metric.name)?;
            calc.plain_replicas(spec_replicas, target, metrics, false, &snap.pods)
        }
        "Object" => {
            let src = spec.object.as_ref().ok_or_else(|| missing("object"))?;
            let name = &src.metric.name;
            let usage = *snap
                .object_metrics
                .get(name)
                .ok_or_else(|| MetricError::NoObjectMetric(name.clone()))?;
            value_or_average(calc, &src.target, usage, snap, "object")
        }
        "External" => {
            let src = spec.external.as_ref().ok_or_else(|| missing("external"))?;
            let name = &src.metric.name;
            let series = snap
                .external_metrics
                .get(name)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| MetricError::NoExternalMetric(name.clone()))?;
            let usage = series.iter().fold(0i64, |a, v| a.saturating_add(*v));
            value_or_average(calc, &src.target, usage, snap, "external")
        }
        other => Err(MetricError::UnknownSourceType(other.to_string())),
    }
}

fn missing(block: &str) -> MetricError {
    MetricError::InvalidSpec(format!("metric source: `{block}` is not set"))
}

fn resource(
    calc: &Calculator,
    current: i32,
    name: &str,
    container: Option<&str>,
    target: &MetricTarget,
    snap: &ClusterSnapshot,
) -> Result<Proposal, MetricError> {
    if let Some(avg) = &target.average_value {
        let metrics = resource_metrics(&snap.pods, name, container)?;
        return calc.plain_replicas(
            current,
            milli_value(avg),
            metrics,
            name == "cpu",
            &snap.pods,
        );
    }
    let Some(util) = target.average_utilization else {
        return Err(MetricError::InvalidSpec(
            "resource metric source: neither a utilization target nor a value target was set"
                .into(),
        ));
    };
    calc.resource_replicas(current, util, name, container, &snap.pods)
}

fn average_value(target: &MetricTarget, what: &str) -> Result<i64, MetricError> {
    target
        .average_value
        .as_ref()
        .map(milli_value)
        .ok_or_else(|| {
            MetricError::InvalidSpec(format!("{what} metric source: no averageValue target"))
        })
}

fn value_or_average(
    calc: &Calculator,
    target: &MetricTarget,
    usage: i64,
    snap: &ClusterSnapshot,
    what: &str,
) -> Result<Proposal, MetricError> {
    match (target.type_, &target.value, &target.average_value) {
        (MetricTargetType::Value, Some(v), _) => {
            calc.value_replicas(snap.spec_replicas, usage, milli_value(v), &snap.pods)
        }
        (MetricTargetType::AverageValue, _, Some(v)) => {
            Ok(calc.per_pod_replicas(snap.status_replicas, usage, milli_value(v)))
        }
        _ => Err(MetricError::InvalidSpec(format!(
            "{what} metric source: neither a value target nor an average value target was set"
        ))),
    }
}

/// The combination of the metrics (hpa-spec §4).
#[derive(Clone, Debug, PartialEq)]
pub struct Combined {
    /// Max over valid proposals; `None` when none is valid.
    pub proposal: Option<i32>,
    /// The first invalid metric's error, when the reconcile must stop (4.2).
    pub abort: Option<String>,
}

/// Max over valid proposals; abort if all are invalid, or some are and the max is below the
/// spec replicas (4.1, 4.2).
pub fn combine(outcomes: &[MetricOutcome], spec_replicas: i32) -> Combined {
    let mut best: Option<i32> = None;
    let mut first_error = None;
    let mut invalid = 0;
    for o in outcomes {
        match &o.result {
            Ok(p) => best = Some(best.map_or(p.replicas, |b| b.max(p.replicas))),
            Err(e) => {
                invalid += 1;
                first_error.get_or_insert_with(|| format!("{}: {e}", o.name));
            }
        }
    }
    let abort = (invalid >= outcomes.len() || (invalid > 0 && best < Some(spec_replicas)))
        .then(|| first_error.unwrap_or_else(|| "no metrics".into()));
    Combined {
        proposal: best,
        abort,
    }
}
