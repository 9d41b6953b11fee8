//! The input of one reconcile: the controller-manager configuration, a snapshot of the cluster
//! as the controller reads it (scale subresource, pod list, metrics APIs), and the per-HPA
//! history the controller keeps in memory.
//!
//! - [`ControllerConfig`]: kube-controller-manager flags (CFG
//!   `RecommendedDefaultHPAControllerConfiguration`), the package variables of the legacy cap
//!   (H `scaleUpLimitFactor`, `scaleUpLimitMinimum`), the Kubernetes version and feature gates.
//! - [`ClusterSnapshot`]: all quantities in milli-units (`Quantity.MilliValue()`), times as
//!   [`SimTime`].
//! - [`History`]: H `recommendations`, `scaleUpEvents`, `scaleDownEvents` of one HPA key.
//!   `recommendations: None` is Go's nil slice (the controller seeds it with the current count,
//!   H `recordInitialRecommendation`); `Some(vec![])` is an empty non-nil slice (no seeding,
//!   hpa-spec 5.3).

use hpasim_sim::{SimDuration, SimTime};
use std::collections::BTreeMap;
use std::fmt;

/// A Kubernetes minor release, `major.minor`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct KubeVersion {
    /// Major version (1).
    pub major: u32,
    /// Minor version.
    pub minor: u32,
}

impl KubeVersion {
    /// The newest release whose rules hpasim implements, and the default.
    pub const NEWEST: KubeVersion = KubeVersion::new(1, 35);
    /// The release where per-direction tolerances (KEP-4951) arrive, changing the tolerance
    /// test from `|1 - r| <= tol` to `1 - down <= r <= 1 + up` (hpa-spec 0.2, 3.4).
    pub const TOLERANCES: KubeVersion = KubeVersion::new(1, 33);
    /// The release where missing pods on scale-down count as `max(100, target)` % instead of
    /// 100 % (kubernetes PR 112178; hpa-spec 0.2).
    pub const MISSING_AT_TARGET: KubeVersion = KubeVersion::new(1, 26);

    /// `major.minor`.
    pub const fn new(major: u32, minor: u32) -> KubeVersion {
        KubeVersion { major, minor }
    }

    /// Parses `1.35` or `v1.35` (a patch part `1.35.2` is accepted and ignored).
    pub fn parse(text: &str) -> Result<KubeVersion, String> {
        let t = text.trim().trim_start_matches('v');
        let mut parts = t.split('.');
        let bad = || {
            format!("invalid Kubernetes version `{text}`: write it as a quoted string such as \"1.35\" or \"1.30\"")
        };
        let major = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let minor = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        if let Some(patch) = parts.next() {
            patch.parse::<u32>().map_err(|_| bad())?;
        }
        if parts.next().is_some() || major != 1 {
            return Err(bad());
        }
        Ok(KubeVersion { major, minor })
    }
}

impl Default for KubeVersion {
    fn default() -> Self {
        KubeVersion::NEWEST
    }
}

impl fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// The feature gates that touch the HPA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeatureGates {
    /// `HPAScaleToZero`: lets the API server accept `minReplicas: 0`. Upstream alpha (off);
    /// hpasim defaults it **on** so KEDA-style `minReplicas: 0` manifests load; set it false
    /// to get the API server's rejection. The controller itself never reads it.
    pub hpa_scale_to_zero: bool,
    /// `HPAConfigurableTolerance` (KEP-4951): per-HPA `behavior.*.tolerance` is honoured.
    /// Alpha in 1.33–1.34 (off), beta from 1.35 (on); absent before 1.33.
    pub hpa_configurable_tolerance: bool,
}

impl FeatureGates {
    /// The gates' defaults in `version` (see the field docs).
    pub fn for_version(version: KubeVersion) -> FeatureGates {
        FeatureGates {
            hpa_scale_to_zero: true,
            hpa_configurable_tolerance: version >= KubeVersion::new(1, 35),
        }
    }
}

/// kube-controller-manager configuration of the HPA controller.
#[derive(Clone, Debug, PartialEq)]
pub struct ControllerConfig {
    /// `--horizontal-pod-autoscaler-tolerance` [fraction], config. Default 0.1.
    pub tolerance: f64,
    /// `--horizontal-pod-autoscaler-cpu-initialization-period`, config. Default 5 min.
    pub cpu_initialization_period: SimDuration,
    /// `--horizontal-pod-autoscaler-initial-readiness-delay`, config. Default 30 s.
    pub initial_readiness_delay: SimDuration,
    /// `--horizontal-pod-autoscaler-downscale-stabilization`, config. Default 5 min.
    pub downscale_stabilization_window: SimDuration,
    /// Legacy-path cap factor (H `scaleUpLimitFactor`), config. Default 2 (unit tests: 8).
    pub scale_up_limit_factor: f64,
    /// Legacy-path cap minimum (H `scaleUpLimitMinimum`) [replicas], config. Default 4.
    pub scale_up_limit_minimum: f64,
    /// `--horizontal-pod-autoscaler-sync-period`, config. Default 15 s (used by the controller
    /// component, not by [`super::reconcile()`]).
    pub sync_period: SimDuration,
    /// Kubernetes release whose rules apply. Default [`KubeVersion::NEWEST`].
    pub version: KubeVersion,
    /// Feature gates.
    pub gates: FeatureGates,
}

impl ControllerConfig {
    /// Upstream defaults for `version`.
    pub fn for_version(version: KubeVersion) -> ControllerConfig {
        ControllerConfig {
            tolerance: 0.1,
            cpu_initialization_period: SimDuration::from_secs(300),
            initial_readiness_delay: SimDuration::from_secs(30),
            downscale_stabilization_window: SimDuration::from_secs(300),
            scale_up_limit_factor: 2.0,
            scale_up_limit_minimum: 4.0,
            sync_period: SimDuration::from_secs(15),
            version,
            gates: FeatureGates::for_version(version),
        }
    }

    /// The settings of the upstream unit tests (RC `defaultTesting*`, `horizontal_test.go`
    /// `init()`): tolerance 0.1, CPU init 2 min, readiness delay 10 s, cap factor 8.
    pub fn upstream_tests() -> ControllerConfig {
        ControllerConfig {
            cpu_initialization_period: SimDuration::from_secs(120),
            initial_readiness_delay: SimDuration::from_secs(10),
            scale_up_limit_factor: 8.0,
            ..ControllerConfig::default()
        }
    }
}

impl Default for ControllerConfig {
    fn default() -> Self {
        ControllerConfig::for_version(KubeVersion::NEWEST)
    }
}

/// Pod phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodPhase {
    /// Not yet running (scheduling, pulling images).
    Pending,
    /// Running.
    Running,
    /// All containers exited successfully.
    Succeeded,
    /// A container failed.
    Failed,
}

/// One container of a pod: requests and the usage the resource metrics API reports.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContainerSnapshot {
    /// Container name.
    pub name: String,
    /// Requests by resource [milli-units].
    pub requests: BTreeMap<String, i64>,
    /// Usage by resource [milli-units]; a resource absent = no metric for this container.
    pub usage: BTreeMap<String, i64>,
}

/// A pod as the pod lister and the metrics APIs see it.
#[derive(Clone, Debug, PartialEq)]
pub struct PodSnapshot {
    /// Pod name (the join key between pod list and metrics).
    pub name: String,
    /// Phase.
    pub phase: PodPhase,
    /// The Ready condition: `Some(status)`, or `None` when the pod has no Ready condition.
    pub ready: Option<bool>,
    /// `status.startTime`, `None` when not set.
    pub start_time: Option<SimTime>,
    /// Ready condition `lastTransitionTime`.
    pub ready_since: SimTime,
    /// `deletionTimestamp` set.
    pub deleting: bool,
    /// In the pod list; false = the metrics APIs still report it but the lister no longer has it.
    pub listed: bool,
    /// Timestamp of its metrics sample.
    pub metric_timestamp: SimTime,
    /// Window of its metrics sample.
    pub metric_window: SimDuration,
    /// Containers (requests, usage).
    pub containers: Vec<ContainerSnapshot>,
    /// Pods (custom) metrics by name [milli-units]; absent = no sample.
    pub metrics: BTreeMap<String, i64>,
}

impl PodSnapshot {
    /// A Running, Ready, listed pod started 10 min before `now` with no containers or metrics.
    pub fn running(name: &str, now: SimTime) -> PodSnapshot {
        let start = SimTime(now.0.saturating_sub(600 * hpasim_sim::NANOS_PER_SEC));
        PodSnapshot {
            name: name.into(),
            phase: PodPhase::Running,
            ready: Some(true),
            start_time: Some(start),
            ready_since: start,
            deleting: false,
            listed: true,
            metric_timestamp: now,
            metric_window: SimDuration::from_secs(60),
            containers: Vec::new(),
            metrics: BTreeMap::new(),
        }
    }
}

/// What the controller can read in one reconcile.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClusterSnapshot {
    /// `scale.spec.replicas`: the controller's `currentReplicas`.
    pub spec_replicas: i32,
    /// `scale.status.replicas`.
    pub status_replicas: i32,
    /// Pods matching the selector, plus unlisted pods still reported by the metrics APIs.
    pub pods: Vec<PodSnapshot>,
    /// Object metrics by metric name [milli-units].
    pub object_metrics: BTreeMap<String, i64>,
    /// External metrics by metric name: every returned series [milli-units].
    pub external_metrics: BTreeMap<String, Vec<i64>>,
}

/// A prenormalized desired count and when it was recommended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recommendation {
    /// Desired replicas before normalization.
    pub replicas: i32,
    /// When.
    pub at: SimTime,
}

/// A scale event: the size of a change, not the resulting count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScaleEvent {
    /// |new - old| [replicas].
    pub replicas: i32,
    /// When the scale was written.
    pub at: SimTime,
    /// Older than the longest policy period of its direction; the slot may be reused.
    pub outdated: bool,
}

/// The controller's memory of one HPA.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// Recommendations; `None` = never reconciled (seeded with the current count).
    pub recommendations: Option<Vec<Recommendation>>,
    /// Scale-up events (used only on the behavior path).
    pub scale_up_events: Vec<ScaleEvent>,
    /// Scale-down events (used only on the behavior path).
    pub scale_down_events: Vec<ScaleEvent>,
}
