//! The HPA of a scenario compiled for running: the manifest's spec, the controller flags, the
//! metrics pipeline settings, and which pipeline series answers each Pods metric.

use crate::hpa::{ControllerConfig, HpaSpec, KubeVersion};
use crate::metrics::{MetricsServerConfig, PrometheusConfig};
use crate::scenario::{Scenario, SpecError};
use hpasim_sim::SimDuration;

/// The Pods metric names the simulated Prometheus pipeline serves, and what they measure.
pub const PODS_METRICS: &[(&str, PodsSource)] = &[
    ("http_requests_per_second", PodsSource::RequestRate),
    ("requests_per_second", PodsSource::RequestRate),
    ("http_requests_in_flight", PodsSource::InFlight),
    ("in_flight_requests", PodsSource::InFlight),
    ("queue_length", PodsSource::Queued),
    ("queued_requests", PodsSource::Queued),
    (
        "db_connection_pool_utilization",
        PodsSource::PoolUtilization,
    ),
];

/// The External metric names the simulated exporters serve (scraped by Prometheus, read
/// through the adapter), and what they measure. They need the scenario's `queue`.
pub const EXTERNAL_METRICS: &[(&str, ExternalSource)] = &[
    ("redis_queue_length", ExternalSource::ListLength),
    ("redis_list_length", ExternalSource::ListLength),
    ("kafka_consumergroup_lag", ExternalSource::ConsumerLag),
    ("kafka_consumergroup_lag_sum", ExternalSource::ConsumerLag),
    ("kafka_consumer_lag", ExternalSource::ConsumerLag),
];

/// Which broker value an External metric reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExternalSource {
    /// Length of the Redis list (redis_exporter `redis_key_size`-style).
    ListLength,
    /// The consumer group's total lag (kafka-exporter `kafka_consumergroup_lag`, summed).
    ConsumerLag,
    /// Served by KEDA's metrics adapter: trigger `i` of the ScaledObject.
    Keda(usize),
}

/// Which series a Pods metric reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodsSource {
    /// `rate(http_requests_total[rate_window])`: completed requests per second.
    RequestRate,
    /// Gauge of requests in service.
    InFlight,
    /// Gauge of requests in the pod's local queue.
    Queued,
    /// Gauge of the pod's pool connections in use / `maximumPoolSize` (needs `database`).
    PoolUtilization,
}

/// A compiled HPA.
#[derive(Clone, Debug)]
pub struct HpaConfig {
    /// `metadata.name`.
    pub name: String,
    /// The manifest's spec.
    pub spec: HpaSpec,
    /// kube-controller-manager flags and version.
    pub controller: ControllerConfig,
    /// metrics-server settings.
    pub metrics_server: MetricsServerConfig,
    /// Prometheus settings.
    pub prometheus: PrometheusConfig,
    /// The adapter's `rate()` window.
    pub rate_window: SimDuration,
    /// Pods metrics of the HPA, with their source.
    pub pods_metrics: Vec<(String, PodsSource)>,
    /// External metrics of the HPA, with their source.
    pub external_metrics: Vec<(String, ExternalSource)>,
    /// Extra time-series column names (what the HPA saw).
    pub columns: Vec<String>,
    /// For each metric of the spec, its column (if it has one).
    pub metric_columns: Vec<Option<usize>>,
    /// Working-set model: (base bytes, bytes per request in service).
    pub memory: Option<(f64, f64)>,
    /// Name of the pods' one container as the HPA sees it (a ContainerResource metric's
    /// container, else `app`).
    pub container_name: String,
}

/// Compiles the scenario's HPA, if it has one: its `hpa` manifest, or the HPA KEDA generates
/// for its `scaled_object` (`keda`). Errors carry parameter paths.
pub fn compile_hpa(
    s: &Scenario,
    keda: Option<&crate::keda::KedaConfig>,
) -> Result<Option<HpaConfig>, SpecError> {
    let generated;
    let manifest = match (s.hpa.as_ref(), keda) {
        (Some(m), _) => m,
        (None, Some(k)) => {
            generated = crate::hpa::HorizontalPodAutoscaler {
                api_version: crate::hpa::spec::API_VERSION.into(),
                kind: crate::hpa::spec::KIND.into(),
                metadata: crate::hpa::spec::ObjectMeta {
                    name: Some(k.hpa_name.clone()),
                    ..Default::default()
                },
                spec: k.hpa.clone(),
                status: None,
            };
            &generated
        }
        (None, None) => return Ok(None),
    };
    let version = match &s.kubernetes_version {
        Some(v) => {
            KubeVersion::parse(v).map_err(|m| SpecError::at_path("kubernetes_version", m))?
        }
        None => KubeVersion::NEWEST,
    };
    let a = s.autoscaling.clone().unwrap_or_default();
    let mut controller = ControllerConfig::for_version(version);
    let f = &a.controller;
    if let Some(d) = f.sync_period {
        controller.sync_period = d.sim();
    }
    if let Some(t) = f.tolerance {
        controller.tolerance = t;
    }
    if let Some(d) = f.cpu_initialization_period {
        controller.cpu_initialization_period = d.sim();
    }
    if let Some(d) = f.initial_readiness_delay {
        controller.initial_readiness_delay = d.sim();
    }
    if let Some(d) = f.downscale_stabilization_window {
        controller.downscale_stabilization_window = d.sim();
    }
    if let Some(x) = f.scale_up_limit_factor {
        controller.scale_up_limit_factor = x;
    }
    if let Some(x) = f.scale_up_limit_minimum {
        controller.scale_up_limit_minimum = x;
    }
    if let Some(on) = f.feature_gates.hpa_scale_to_zero {
        controller.gates.hpa_scale_to_zero = on;
    }
    if let Some(on) = f.feature_gates.hpa_configurable_tolerance {
        controller.gates.hpa_configurable_tolerance = on;
    }
    if controller.sync_period.as_nanos() == 0 {
        return Err(SpecError::at_path(
            "autoscaling.controller.sync_period",
            "must be longer than zero",
        ));
    }
    let metrics_server = MetricsServerConfig {
        metric_resolution: a.metrics_server.metric_resolution.sim(),
    };
    metrics_server
        .validate()
        .map_err(|m| SpecError::at_path("autoscaling.metrics_server.metric_resolution", m))?;
    let prometheus = PrometheusConfig {
        scrape_interval: a.prometheus.scrape_interval.sim(),
        ..PrometheusConfig::default()
    };
    prometheus
        .validate()
        .map_err(|m| SpecError::at_path("autoscaling.prometheus.scrape_interval", m))?;
    let memory = s
        .pods
        .memory
        .as_ref()
        .map(|m| (m.base.value(), m.per_request.value()));
    let mut cfg = HpaConfig {
        name: manifest
            .metadata
            .name
            .clone()
            .unwrap_or_else(|| s.name.clone()),
        spec: manifest.spec.clone(),
        controller,
        metrics_server,
        prometheus,
        rate_window: a.prometheus.rate_window.sim(),
        pods_metrics: Vec::new(),
        external_metrics: Vec::new(),
        columns: Vec::new(),
        metric_columns: Vec::new(),
        memory,
        container_name: manifest
            .spec
            .metrics
            .iter()
            .find_map(|m| m.container_resource.as_ref().map(|c| c.container.clone()))
            .unwrap_or_else(|| "app".to_string()),
    };
    for (i, m) in manifest.spec.metrics.iter().enumerate() {
        let path = match s.hpa {
            Some(_) => format!("hpa.spec.metrics[{i}]"),
            None => format!("scaled_object.spec.triggers[{i}]"),
        };
        let column = match m.type_.as_str() {
            "Resource" | "ContainerResource" => {
                let (name, target) = match (&m.resource, &m.container_resource) {
                    (Some(r), _) => (r.name.as_str(), &r.target),
                    (None, Some(r)) => (r.name.as_str(), &r.target),
                    _ => {
                        return Err(SpecError::at_path(
                            path,
                            format!("a {} metric needs its source block", m.type_),
                        ))
                    }
                };
                if name != "cpu" && name != "memory" {
                    return Err(SpecError::at_path(
                        format!("{path}.resource.name"),
                        format!("resource `{name}` is not simulated"),
                    )
                    .with_hint("use cpu or memory"));
                }
                if name == "memory" && memory.is_none() {
                    return Err(
                        SpecError::at_path(path, "a memory metric needs a memory model").with_hint(
                            "add `pods.memory: {base: 300Mi, per_request: 1Mi}` to the scenario",
                        ),
                    );
                }
                if target.average_utilization.is_some() {
                    format!("hpa_{name}_utilization_pct")
                } else if name == "cpu" {
                    "hpa_cpu_average_cores".to_string()
                } else {
                    "hpa_memory_average_bytes".to_string()
                }
            }
            "Pods" => {
                let name = m
                    .pods
                    .as_ref()
                    .map(|p| p.metric.name.clone())
                    .unwrap_or_default();
                let Some((_, source)) = PODS_METRICS.iter().find(|(n, _)| *n == name) else {
                    let known: Vec<&str> = PODS_METRICS.iter().map(|(n, _)| *n).collect();
                    return Err(SpecError::at_path(
                        format!("{path}.pods.metric.name"),
                        format!("no simulated Prometheus series serves the Pods metric `{name}`"),
                    )
                    .with_hint(format!("use one of: {}", known.join(", "))));
                };
                if *source == PodsSource::PoolUtilization && s.database.is_none() {
                    return Err(SpecError::at_path(
                        format!("{path}.pods.metric.name"),
                        "db_connection_pool_utilization needs a connection pool",
                    )
                    .with_hint("add `database: {pool: {maximum_pool_size: 10}}` to the scenario"));
                }
                cfg.pods_metrics.push((name.clone(), *source));
                format!("hpa_{name}")
            }
            "External" => {
                let name = m
                    .external
                    .as_ref()
                    .map(|e| e.metric.name.clone())
                    .unwrap_or_default();
                if let Some(i) = keda.and_then(|k| {
                    k.triggers
                        .iter()
                        .position(|t| !t.is_resource() && t.metric_name == name)
                }) {
                    cfg.external_metrics
                        .push((name.clone(), ExternalSource::Keda(i)));
                    format!("hpa_{}", name.replace('-', "_"))
                } else {
                    let Some((_, source)) = EXTERNAL_METRICS.iter().find(|(n, _)| *n == name)
                    else {
                        let known: Vec<&str> = EXTERNAL_METRICS.iter().map(|(n, _)| *n).collect();
                        return Err(SpecError::at_path(
                            format!("{path}.external.metric.name"),
                            format!("no simulated exporter serves the External metric `{name}`"),
                        )
                        .with_hint(format!("use one of: {}", known.join(", "))));
                    };
                    let broker = s.queue.as_ref().map(|q| match q {
                        crate::scenario::queue::Queue::Kafka(_) => ExternalSource::ConsumerLag,
                        crate::scenario::queue::Queue::RedisList(_) => ExternalSource::ListLength,
                    });
                    if broker != Some(*source) {
                        let needs = match source {
                            ExternalSource::ListLength => "`queue: {broker: redis_list}`",
                            ExternalSource::ConsumerLag => {
                                "`queue: {broker: kafka, partitions: N}`"
                            }
                            ExternalSource::Keda(_) => "a ScaledObject",
                        };
                        return Err(SpecError::at_path(
                            format!("{path}.external.metric.name"),
                            format!("`{name}` measures a queue the scenario does not have"),
                        )
                        .with_hint(format!("add {needs} to the scenario")));
                    }
                    cfg.external_metrics.push((name.clone(), *source));
                    format!("hpa_{name}")
                }
            }
            "Object" => {
                return Err(SpecError::at_path(
                    format!("{path}.type"),
                    format!("no simulated component publishes {} metrics yet", m.type_),
                )
                .with_hint("use Resource, Pods or External (queue) metrics"));
            }
            other => {
                return Err(SpecError::at_path(
                    format!("{path}.type"),
                    format!("unknown metric source type `{other}`"),
                )
                .with_hint("use Resource, ContainerResource, Pods, Object or External"));
            }
        };
        let k = match cfg.columns.iter().position(|c| *c == column) {
            Some(k) => k,
            None => {
                cfg.columns.push(column);
                cfg.columns.len() - 1
            }
        };
        cfg.metric_columns.push(Some(k));
    }
    Ok(Some(cfg))
}
