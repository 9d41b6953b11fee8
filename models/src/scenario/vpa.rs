//! The Vertical Pod Autoscaler in a scenario: `vpa:` (an `autoscaling.k8s.io/v1`
//! VerticalPodAutoscaler, inline or from `manifests`), and the recommender's and updater's
//! flags (`vpa_recommender:`, `vpa_updater:`), with upstream's defaults
//! (`kubernetes/autoscaler` `vertical-pod-autoscaler`, `pkg/recommender/main.go` and
//! `pkg/updater/main.go`).
//!
//! ```yaml
//! vpa:
//!   apiVersion: autoscaling.k8s.io/v1
//!   kind: VerticalPodAutoscaler
//!   metadata: {name: web-vpa}
//!   spec:
//!     targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
//!     updatePolicy: {updateMode: "Off"}
//! vpa_recommender: {interval: 1m, cpu_half_life: 24h, safety_margin: 0.15}
//! vpa_updater: {interval: 1m, min_replicas: 2, eviction_tolerance: 0.5}
//! ```

use super::units::{Duration, Quantity};
use super::{Scenario, SpecError};
use crate::cluster::resources::{bytes, cpu_millis};
use crate::vpa::{Resource, VerticalPodAutoscaler};
use serde::{Deserialize, Serialize};

/// `vpa_recommender:`: the recommender's flags; unset fields keep upstream's defaults.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecommenderSettings {
    /// `--recommender-interval` [s], config: how often usage is sampled and the
    /// recommendation recomputed. Default 1 min.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Duration>,
    /// `--cpu-histogram-decay-half-life` [s], config. Default 24 h.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_half_life: Option<Duration>,
    /// `--memory-histogram-decay-half-life` [s], config. Default 24 h.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_half_life: Option<Duration>,
    /// `--memory-aggregation-interval` [s], config: one memory peak per pod per interval.
    /// Default 24 h.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_aggregation_interval: Option<Duration>,
    /// `--target-cpu-percentile` (0 < p ≤ 1), config. Default 0.9.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_cpu_percentile: Option<f64>,
    /// `--recommendation-lower-bound-cpu-percentile`, config. Default 0.5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lower_bound_cpu_percentile: Option<f64>,
    /// `--recommendation-upper-bound-cpu-percentile`, config. Default 0.95.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upper_bound_cpu_percentile: Option<f64>,
    /// `--target-memory-percentile`, config. Default 0.9.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_memory_percentile: Option<f64>,
    /// `--recommendation-lower-bound-memory-percentile`, config. Default 0.5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lower_bound_memory_percentile: Option<f64>,
    /// `--recommendation-upper-bound-memory-percentile`, config. Default 0.95.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upper_bound_memory_percentile: Option<f64>,
    /// `--recommendation-margin-fraction` (≥ 0), config. Default 0.15.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safety_margin: Option<f64>,
    /// `--pod-recommendation-min-cpu-millicores` [cores], config. Default 25m.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_min_cpu: Option<Quantity>,
    /// `--pod-recommendation-min-memory-mb` [bytes], config. Default 250Mi.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_min_memory: Option<Quantity>,
}

/// `vpa_updater:`: the updater's flags; unset fields keep upstream's defaults.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdaterSettings {
    /// `--updater-interval` [s], config. Default 1 min.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Duration>,
    /// `--min-replicas` [pods], config: no eviction while fewer live pods exist (the VPA's
    /// `updatePolicy.minReplicas` overrides it). Default 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_replicas: Option<u32>,
    /// `--eviction-tolerance` (0 ≤ f ≤ 1), config: the fraction of the Deployment's replicas
    /// one loop may evict (at least one when all are running). Default 0.5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eviction_tolerance: Option<f64>,
}

/// The VPA compiled for a run: the manifest's policy and every flag as a number.
#[derive(Clone, Debug)]
pub struct VpaConfig {
    /// `vpa/<metadata.name>`: the object of its events.
    pub object: String,
    /// The manifest.
    pub manifest: VerticalPodAutoscaler,
    /// The container's policy (its own or `*`), if any.
    pub policy: Option<crate::vpa::ContainerResourcePolicy>,
    /// The update mode.
    pub mode: crate::vpa::UpdateMode,
    /// The resources the VPA controls (`controlledResources`, default both).
    pub controlled: Vec<Resource>,
    /// Whether the CPU limit is scaled with the request (`RequestsAndLimits`, the default).
    pub scale_limits: bool,
    /// The recommender's parameters.
    pub recommender: crate::vpa::RecommenderConfig,
    /// Recommender loop period.
    pub recommender_interval: hpasim_sim::SimDuration,
    /// CPU histogram half-life.
    pub cpu_half_life: hpasim_sim::SimDuration,
    /// Memory histogram half-life.
    pub memory_half_life: hpasim_sim::SimDuration,
    /// Memory aggregation interval.
    pub memory_aggregation_interval: hpasim_sim::SimDuration,
    /// Updater loop period.
    pub updater_interval: hpasim_sim::SimDuration,
    /// Fewest live pods for the updater to evict.
    pub min_replicas: u32,
    /// Fraction of the replicas one updater loop may evict.
    pub eviction_tolerance: f64,
    /// Price of a vCPU-hour and of a GiB-hour [USD/h] (`cost:`), to price resized pods.
    pub prices_per_hour: (f64, f64),
}

const MINUTE: f64 = 60.0;
const DAY: f64 = 86_400.0;

/// Compiles the scenario's VPA (`None` without `vpa:`); every error is located by parameter
/// path.
pub fn compile(s: &Scenario) -> Result<Option<VpaConfig>, Vec<SpecError>> {
    let Some(vpa) = &s.vpa else {
        let mut errors = Vec::new();
        for (field, set) in [
            ("vpa_recommender", s.vpa_recommender.is_some()),
            ("vpa_updater", s.vpa_updater.is_some()),
        ] {
            if set {
                errors.push(
                    SpecError::at_path(field, "configures a VerticalPodAutoscaler the scenario does not have")
                        .with_hint("add `vpa:` (an autoscaling.k8s.io/v1 VerticalPodAutoscaler) or remove this block"),
                );
            }
        }
        return if errors.is_empty() {
            Ok(None)
        } else {
            Err(errors)
        };
    };
    let mut errors = Vec::new();
    let mut fail = |path: String, message: String, hint: &str| {
        errors.push(SpecError::at_path(path, message).with_hint(hint));
    };
    // targetRef: the scenario's Deployment.
    let (deployment, containers) = match &s.deployment {
        Some(d) => (
            d.metadata.name.clone().unwrap_or_else(|| s.name.clone()),
            d.spec
                .template
                .spec
                .containers
                .iter()
                .map(|c| c.name.clone())
                .collect::<Vec<_>>(),
        ),
        None => (s.name.clone(), vec!["app".to_string()]),
    };
    let target = &vpa.spec.target_ref;
    // A StatefulSet's pods are simulated through the scenario's Deployment (guide 000 runs the
    // metadata catalog as a StatefulSet), as for the HPA's scaleTargetRef.
    if !matches!(target.kind.as_str(), "Deployment" | "StatefulSet") {
        fail(
            "vpa.spec.targetRef.kind".into(),
            format!(
                "the VPA targets a {}, but the scenario simulates a Deployment",
                target.kind
            ),
            "write `kind: Deployment` (hpasim simulates one Deployment)",
        );
    } else if target.name != deployment {
        let whose = if s.deployment.is_some() {
            "the scenario's Deployment"
        } else {
            "the scenario's Deployment (named after the scenario, without `deployment:`)"
        };
        fail(
            "vpa.spec.targetRef.name".into(),
            format!(
                "the VPA targets Deployment `{}`, but {whose} is `{deployment}`",
                target.name
            ),
            &format!("write `name: {deployment}`"),
        );
    }
    if let Some(api) = &target.api_version {
        if api != "apps/v1" {
            fail(
                "vpa.spec.targetRef.apiVersion".into(),
                format!(
                    "unsupported apiVersion `{api}` for the target {}",
                    target.kind
                ),
                "write `apiVersion: apps/v1`",
            );
        }
    }
    let policies = vpa
        .spec
        .resource_policy
        .as_ref()
        .map_or(&[][..], |p| &p.container_policies[..]);
    for (i, p) in policies.iter().enumerate() {
        let here = format!("vpa.spec.resourcePolicy.containerPolicies[{i}]");
        match p.container_name.as_deref() {
            None => fail(
                format!("{here}.containerName"),
                "missing containerName".into(),
                "name the container, or `\"*\"` for every container",
            ),
            Some("*") => {}
            Some(name) if containers.iter().any(|c| c == name) => {}
            Some(name) => fail(
                format!("{here}.containerName"),
                format!(
                    "no container `{name}` in the Deployment (its containers: {})",
                    containers.join(", ")
                ),
                "name one of the Deployment's containers, or write `\"*\"`",
            ),
        }
        for (field, map) in [
            ("minAllowed", &p.min_allowed),
            ("maxAllowed", &p.max_allowed),
        ] {
            for (key, q) in map {
                let parsed = match key.as_str() {
                    "cpu" => cpu_millis(q).map(|_| ()),
                    "memory" => bytes(q).map(|_| ()),
                    _ => Err(format!(
                        "`{key}` is not a resource the VPA recommends (cpu, memory)"
                    )),
                };
                if let Err(e) = parsed {
                    fail(
                        format!("{here}.{field}.{key}"),
                        e,
                        "write a Kubernetes quantity for cpu (`500m`) or memory (`512Mi`)",
                    );
                }
            }
        }
        for r in [Resource::Cpu, Resource::Memory] {
            let (lo, hi) = (p.min_allowed.get(r.name()), p.max_allowed.get(r.name()));
            if let (Some(lo), Some(hi)) = (lo, hi) {
                if lo.value() > hi.value() {
                    fail(
                        format!("{here}.minAllowed.{}", r.name()),
                        format!("minAllowed {} is above maxAllowed {}", lo, hi),
                        "lower minAllowed or raise maxAllowed (maxAllowed would win every clamp)",
                    );
                }
            }
        }
    }
    if vpa.update_mode() == crate::vpa::UpdateMode::InPlaceOrRecreate {
        fail(
            "vpa.spec.updatePolicy.updateMode".into(),
            "InPlaceOrRecreate (in-place resize) is not modelled".into(),
            "use `Recreate` or `Auto` (evict and recreate), `Initial` or `Off`",
        );
    }
    let min_replicas_override = match vpa
        .spec
        .update_policy
        .as_ref()
        .and_then(|p| p.min_replicas.as_ref())
    {
        None => None,
        Some(v) => match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) if n >= 1 => Some(n),
            _ => {
                fail(
                    "vpa.spec.updatePolicy.minReplicas".into(),
                    format!("must be a whole number of at least 1, got {v}"),
                    "write e.g. `minReplicas: 2`",
                );
                None
            }
        },
    };

    let r = s.vpa_recommender.clone().unwrap_or_default();
    let rp = "vpa_recommender";
    let mut duration = |name: &str, v: Option<Duration>, default: f64| {
        let d = v.unwrap_or(Duration::from_secs(default));
        if d.secs().is_nan() || d.secs() <= 0.0 {
            fail(
                format!("{rp}.{name}"),
                format!("must be longer than zero, got {d}"),
                "write a positive duration such as `1m` or `24h`",
            );
        }
        d.sim()
    };
    let recommender_interval = duration("interval", r.interval, MINUTE);
    let cpu_half_life = duration("cpu_half_life", r.cpu_half_life, DAY);
    let memory_half_life = duration("memory_half_life", r.memory_half_life, DAY);
    let memory_aggregation_interval = duration(
        "memory_aggregation_interval",
        r.memory_aggregation_interval,
        DAY,
    );
    let d = crate::vpa::RecommenderConfig::default();
    let mut percentile = |name: &str, v: Option<f64>, default: f64| {
        let p = v.unwrap_or(default);
        if !(p > 0.0 && p <= 1.0) {
            fail(
                format!("{rp}.{name}"),
                format!("must be in (0, 1], got {p}"),
                "a percentile is a fraction: 0.9 is the 90th percentile",
            );
        }
        p
    };
    let mut recommender = crate::vpa::RecommenderConfig {
        target_cpu_percentile: percentile(
            "target_cpu_percentile",
            r.target_cpu_percentile,
            d.target_cpu_percentile,
        ),
        lower_bound_cpu_percentile: percentile(
            "lower_bound_cpu_percentile",
            r.lower_bound_cpu_percentile,
            d.lower_bound_cpu_percentile,
        ),
        upper_bound_cpu_percentile: percentile(
            "upper_bound_cpu_percentile",
            r.upper_bound_cpu_percentile,
            d.upper_bound_cpu_percentile,
        ),
        target_memory_percentile: percentile(
            "target_memory_percentile",
            r.target_memory_percentile,
            d.target_memory_percentile,
        ),
        lower_bound_memory_percentile: percentile(
            "lower_bound_memory_percentile",
            r.lower_bound_memory_percentile,
            d.lower_bound_memory_percentile,
        ),
        upper_bound_memory_percentile: percentile(
            "upper_bound_memory_percentile",
            r.upper_bound_memory_percentile,
            d.upper_bound_memory_percentile,
        ),
        ..d
    };
    if let Some(m) = r.safety_margin {
        if !(m >= 0.0 && m.is_finite()) {
            fail(
                format!("{rp}.safety_margin"),
                format!("must be a fraction of at least 0, got {m}"),
                "0.15 adds 15 % to the percentile",
            );
        }
        recommender.safety_margin_fraction = m;
    }
    if let Some(q) = &r.pod_min_cpu {
        match cpu_millis(q) {
            Ok(m) => recommender.pod_min_cpu_millicores = m as f64,
            Err(e) => fail(
                format!("{rp}.pod_min_cpu"),
                e,
                "write a CPU quantity such as `25m`",
            ),
        }
    }
    if let Some(q) = &r.pod_min_memory {
        match bytes(q) {
            Ok(b) => recommender.pod_min_memory_mb = b as f64 / (1024.0 * 1024.0),
            Err(e) => fail(
                format!("{rp}.pod_min_memory"),
                e,
                "write a memory quantity such as `250Mi`",
            ),
        }
    }

    let u = s.vpa_updater.clone().unwrap_or_default();
    let up = "vpa_updater";
    let interval = u.interval.unwrap_or(Duration::from_secs(MINUTE));
    if interval.secs().is_nan() || interval.secs() <= 0.0 {
        fail(
            format!("{up}.interval"),
            format!("must be longer than zero, got {interval}"),
            "write a positive duration such as `1m`",
        );
    }
    let tolerance = u.eviction_tolerance.unwrap_or(0.5);
    if !(0.0..=1.0).contains(&tolerance) {
        fail(
            format!("{up}.eviction_tolerance"),
            format!("must be in [0, 1], got {tolerance}"),
            "the fraction of the replicas one updater loop may evict: 0.5 is half",
        );
    }
    if u.min_replicas == Some(0) {
        fail(
            format!("{up}.min_replicas"),
            "must be at least 1".into(),
            "the updater's --min-replicas is at least 1 (default 2)",
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let container = containers.first().cloned().unwrap_or_else(|| "app".into());
    let policy = vpa.container_policy(&container).cloned();
    let controlled = policy
        .as_ref()
        .and_then(|p| p.controlled_resources.clone())
        .unwrap_or_else(|| vec![Resource::Cpu, Resource::Memory]);
    let scale_limits = policy.as_ref().and_then(|p| p.controlled_values)
        != Some(crate::vpa::ControlledValues::RequestsOnly);
    Ok(Some(VpaConfig {
        object: format!(
            "vpa/{}",
            vpa.metadata.name.clone().unwrap_or_else(|| s.name.clone())
        ),
        manifest: vpa.clone(),
        policy,
        mode: vpa.update_mode(),
        controlled,
        scale_limits,
        recommender,
        recommender_interval,
        cpu_half_life,
        memory_half_life,
        memory_aggregation_interval,
        updater_interval: interval.sim(),
        min_replicas: min_replicas_override.unwrap_or(u.min_replicas.unwrap_or(2)),
        eviction_tolerance: tolerance,
        prices_per_hour: (s.cost.vcpu_hour_usd, s.cost.gib_hour_usd),
    }))
}

/// The problems of the scenario's VPA, for the validation pass.
pub fn validate(s: &Scenario) -> Vec<SpecError> {
    compile(s).err().unwrap_or_default()
}

/// The warning when the VPA and the HPA (or KEDA) both act on CPU: the VPA controls cpu, its
/// mode sets requests (`Initial`, `Recreate`, `Auto`), and the HPA has a cpu `Resource` (or
/// `ContainerResource`) metric, or the ScaledObject a `cpu` trigger.
pub fn warnings(s: &Scenario) -> Vec<String> {
    let Ok(Some(v)) = compile(s) else {
        return Vec::new();
    };
    let container_off =
        v.policy.as_ref().and_then(|p| p.mode) == Some(crate::vpa::ContainerScalingMode::Off);
    if !v.mode.applies_at_creation() || container_off {
        return Vec::new();
    }
    let mut out = Vec::new();
    for r in [Resource::Cpu, Resource::Memory] {
        if !v.controlled.contains(&r) {
            continue;
        }
        let mut by = None;
        if let Some(h) = &s.hpa {
            for (i, m) in h.spec.metrics.iter().enumerate() {
                let name = m
                    .resource
                    .as_ref()
                    .map(|x| &x.name)
                    .or(m.container_resource.as_ref().map(|x| &x.name));
                if name.map(String::as_str) == Some(r.name()) {
                    by = Some(format!("the HPA's metric hpa.spec.metrics[{i}]"));
                    break;
                }
            }
        }
        if let Some(so) = &s.scaled_object {
            if let Some(i) = so.spec.triggers.iter().position(|t| t.type_ == r.name()) {
                by = Some(format!("KEDA's trigger scaled_object.spec.triggers[{i}]"));
            }
        }
        if let Some(by) = by {
            out.push(format!(
                "the VPA ({:?} mode) sets the pods' {r} requests while {by} scales replicas on {r} utilization: the VPA should not be used with the HPA on CPU or memory (the two act on the same signal and fight: a larger request lowers the utilization the HPA sees, so it removes pods, which raises usage per pod, which the VPA answers with a larger request)\n  hint: scale the HPA on a custom or external metric (requests per second, queue length), or set the VPA's `updateMode: \"Off\"`, or `controlledResources: [memory]` when the HPA uses cpu",
                v.mode,
                r = r.name()
            ));
        }
    }
    out
}
