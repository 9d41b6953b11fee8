//! Scenario settings of the autoscaling machinery around the HPA manifest: the
//! kube-controller-manager flags, metrics-server and the Prometheus pipeline, and the pods'
//! memory model. Every field is optional; the defaults are upstream's.

use super::units::{Duration, Quantity};
use serde::{Deserialize, Serialize};

/// Everything that is not the HPA manifest itself.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Autoscaling {
    /// kube-controller-manager flags.
    #[serde(default)]
    pub controller: ControllerFlags,
    /// metrics-server.
    #[serde(default)]
    pub metrics_server: MetricsServerSettings,
    /// Prometheus and the prometheus-adapter (custom Pods metrics).
    #[serde(default)]
    pub prometheus: PrometheusSettings,
    /// How KEDA's triggers see the simulated world (with a `scaled_object`).
    #[serde(default)]
    pub keda: KedaSettings,
}

/// `--horizontal-pod-autoscaler-*` flags; unset fields keep upstream defaults.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControllerFlags {
    /// Sync period [s], config. Default 15 s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_period: Option<Duration>,
    /// Tolerance (fraction), config. Default 0.1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<f64>,
    /// CPU initialization period [s], config. Default 5 min.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_initialization_period: Option<Duration>,
    /// Initial readiness delay [s], config. Default 30 s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_readiness_delay: Option<Duration>,
    /// Downscale stabilization window [s], config. Default 5 min.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downscale_stabilization_window: Option<Duration>,
    /// Legacy-path scale-up cap factor, config. Default 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_up_limit_factor: Option<f64>,
    /// Legacy-path scale-up cap minimum [replicas], config. Default 4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_up_limit_minimum: Option<f64>,
    /// `--feature-gates` the HPA reads; unset gates keep the version's default.
    #[serde(default)]
    pub feature_gates: FeatureGateFlags,
}

/// Feature gates of the HPA controller.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureGateFlags {
    /// `HPAScaleToZero`: accept `minReplicas: 0`, config. Default on in hpasim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hpa_scale_to_zero: Option<bool>,
    /// `HPAConfigurableTolerance`: per-HPA `behavior.*.tolerance`, config. Default: on from
    /// 1.35, off in 1.33–1.34, absent before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hpa_configurable_tolerance: Option<bool>,
}

/// metrics-server settings.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsServerSettings {
    /// `--metric-resolution` [s], config. Default 15 s (the shipped manifest); minimum 10 s.
    #[serde(default = "fifteen_seconds")]
    pub metric_resolution: Duration,
}

impl Default for MetricsServerSettings {
    fn default() -> Self {
        MetricsServerSettings {
            metric_resolution: fifteen_seconds(),
        }
    }
}

/// Prometheus scrape and the adapter's `rate()` window.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrometheusSettings {
    /// Scrape interval [s], config. Default 60 s (Prometheus' global default).
    #[serde(default = "sixty_seconds")]
    pub scrape_interval: Duration,
    /// Window of `rate(http_requests_total[window])` [s], config. Default 2 min (the
    /// prometheus-adapter rule of scaling guide 000).
    #[serde(default = "two_minutes")]
    pub rate_window: Duration,
}

impl Default for PrometheusSettings {
    fn default() -> Self {
        PrometheusSettings {
            scrape_interval: sixty_seconds(),
            rate_window: two_minutes(),
        }
    }
}

/// A pod's memory working set: `base + per_request × requests in service`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemoryModel {
    /// Working set of an idle pod [bytes], config.
    pub base: Quantity,
    /// Extra working set per request in service [bytes], config. Default 0.
    #[serde(default = "zero_bytes")]
    pub per_request: Quantity,
}

fn fifteen_seconds() -> Duration {
    Duration::from_secs(15.0)
}
fn sixty_seconds() -> Duration {
    Duration::from_secs(60.0)
}
fn two_minutes() -> Duration {
    Duration::from_secs(120.0)
}
fn zero_bytes() -> Quantity {
    Quantity::from_value(0.0)
}

/// What KEDA's scalers read in the simulation.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KedaSettings {
    /// Wall-clock time of the run's start, RFC 3339 (`2026-01-05T08:00:00Z`), config: what
    /// cron triggers compare their schedules with. Required with a cron trigger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_start: Option<String>,
    /// Which simulator series answers each prometheus trigger's query.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prometheus: Vec<PrometheusQuery>,
    /// Scaler failures to inject (to exercise `fallback`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scaler_errors: Vec<ScalerErrorWindow>,
}

/// A prometheus trigger's query, answered by a simulator series.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrometheusQuery {
    /// Index of the trigger in `spec.triggers`, config.
    pub trigger: usize,
    /// The series: `queue_backlog` (list length or total lag), `in_flight` (requests in
    /// service, all pods), `request_rate` (completed requests per second over `window`),
    /// `latency_quantile` (the `quantile` of request latency over `window`, in seconds).
    pub metric: PromSeries,
    /// Rate or quantile window [s], config. Default 5 min.
    #[serde(default = "five_minutes")]
    pub window: Duration,
    /// Quantile for `latency_quantile` (0 < q < 1), config. Default 0.99.
    #[serde(default = "p99")]
    pub quantile: f64,
}

fn five_minutes() -> Duration {
    Duration::from_secs(300.0)
}
fn p99() -> f64 {
    0.99
}

/// Simulator series a prometheus trigger can read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromSeries {
    /// List length or total consumer lag.
    QueueBacklog,
    /// Requests in service over all pods.
    InFlight,
    /// Completed requests per second over the window.
    RequestRate,
    /// A latency quantile over the window [s].
    LatencyQuantile,
}

/// A trigger's scaler fails from `from` until `to`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScalerErrorWindow {
    /// Index of the trigger in `spec.triggers`, config.
    pub trigger: usize,
    /// Start [s], config.
    pub from: Duration,
    /// End [s], config.
    pub to: Duration,
    /// The scaler's error message, config. Default `connection refused`.
    #[serde(default = "refused")]
    pub message: String,
}

fn refused() -> String {
    "connection refused".into()
}
