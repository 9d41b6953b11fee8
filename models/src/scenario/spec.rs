//! The scenario file: every field a user can write, with its unit and role.
//!
//! Every struct denies unknown fields; defaults are documented on the field and in the README.

use super::units::{Duration, Quantity};
use crate::hpa::spec::HorizontalPodAutoscaler;
use crate::manifest::Deployment;
use serde::{Deserialize, Serialize};

/// A whole scenario: one YAML file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Scenario name, config; appears in every output row.
    pub name: String,
    /// Free-text description, config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Simulated duration [s], config.
    pub duration: Duration,
    /// Master random seed, config; overridden by `--seed`.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Width of one time-series row [s], config. Default 10 s.
    #[serde(default = "default_sample_interval")]
    pub sample_interval: Duration,
    /// Run guard [requests or messages], config: a run stops with a clear message when more
    /// than this many are in the system at once (a load that outgrows capacity without bound
    /// would otherwise exhaust memory). Default 2 000 000.
    #[serde(default = "default_max_in_system")]
    pub max_in_system: u32,
    /// Where requests come from.
    pub workload: Workload,
    /// Per-request service demand (the default for every request class).
    pub service: Service,
    /// The pods serving the requests: their resources, slots, lifecycle and replica count.
    pub pods: Pods,
    /// How the ingress spreads requests over Ready pods.
    #[serde(default)]
    pub load_balancer: LoadBalancer,
    /// Prices for the cost model.
    #[serde(default)]
    pub cost: Cost,
    /// The service level objective, config: drawn on latency plots; sample intervals that
    /// miss it are counted in summary.csv's `slo_violation_s`. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slo: Option<super::slo::Slo>,
    /// Which files to write and where.
    #[serde(default)]
    pub outputs: Outputs,
    /// Kubernetes manifest files (multi-document YAML, paths relative to the scenario), config:
    /// their Deployment lands in `deployment`, their HorizontalPodAutoscaler in `hpa`, their
    /// ScaledObject in `scaled_object`, their ResourceQuota in `resource_quota`, their
    /// PodDisruptionBudget in `pod_disruption_budget`, their VerticalPodAutoscaler in `vpa`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub manifests: Vec<String>,
    /// The `apps/v1` Deployment, written inline or read from `manifests`, config. When present
    /// it sets the pods' replicas, resources, readiness probe and grace period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment: Option<Deployment>,
    /// The `autoscaling/v2` HorizontalPodAutoscaler, written inline or read from `manifests`,
    /// config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hpa: Option<HorizontalPodAutoscaler>,
    /// The `keda.sh/v1alpha1` ScaledObject, written inline or read from `manifests`, config.
    /// Validated as KEDA's webhook does; mutually exclusive with `hpa` (KEDA generates the HPA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaled_object: Option<crate::keda::spec::ScaledObject>,
    /// The `v1` ResourceQuota of the namespace, written inline or read from `manifests`, config.
    /// The ReplicaSet's pod creations pass its admission; refused ones are counted in
    /// `pods_quota_denied`. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_quota: Option<crate::cluster::ResourceQuota>,
    /// The `policy/v1` PodDisruptionBudget covering the Deployment's pods, written inline or
    /// read from `manifests`, config; used when nodes are drained. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_disruption_budget: Option<crate::cluster::PodDisruptionBudget>,
    /// The `autoscaling.k8s.io/v1` VerticalPodAutoscaler of the Deployment, written inline or
    /// read from `manifests`, config (see [`super::vpa`]). Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpa: Option<crate::vpa::VerticalPodAutoscaler>,
    /// The VPA recommender's flags, config. Default: upstream's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpa_recommender: Option<super::vpa::RecommenderSettings>,
    /// The VPA updater's flags, config. Default: upstream's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpa_updater: Option<super::vpa::UpdaterSettings>,
    /// Kubernetes version whose rules apply (`"1.35"`), config. Default: the newest modelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes_version: Option<String>,
    /// Controller flags and the metrics pipeline around the HPA, config. Default: upstream's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<super::autoscaling::Autoscaling>,
    /// Connection pools and the database, config. Default: none (requests make no queries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<super::database::Database>,
    /// The nodes the pods run on, the scheduler's policy, the Cluster Autoscaler, a warm-node
    /// buffer and node failures, config (see [`super::cluster`]). Default: none (pods never
    /// wait for a node).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<super::cluster::Cluster>,
    /// Day and time rules that raise the HPA's `minReplicas` ahead of known peaks, in a time
    /// zone, config (see [`super::scheduled`]). Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_scaling: Option<super::scheduled::ScheduledScaling>,
    /// A controller that forecasts the HPA's metric from its own history and raises
    /// `minReplicas` ahead of the forecast, config (see [`super::predictive`]). Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predictive_scaling: Option<super::predictive::PredictiveScaling>,
    /// A message queue the pods consume from, config. Default: none (arrivals are HTTP
    /// requests through the load balancer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<super::queue::Queue>,
    /// Pod faults injected during the run (chaos kills, container crashes with
    /// CrashLoopBackOff), config. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faults: Option<super::faults::Faults>,
    /// A parameter sweep, config: grid, zip, random or Latin-hypercube points and named
    /// variants (see [`crate::sweep`]). `hpasim run` ignores it and runs the base scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<crate::sweep::SweepSpec>,
    /// Assertions on summary.csv metrics (SLOs, budgets, comparisons with a baseline) that
    /// `hpasim check` runs as a CI gate, config (see [`super::expect`]): `replications` [runs],
    /// `on` (mean or ci95) and one `metric: "OP THRESHOLD"` per assertion. `run` and `sweep`
    /// ignore it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<super::expect::Expect>,
}

fn default_seed() -> u64 {
    1
}
fn default_max_in_system() -> u32 {
    2_000_000
}
fn default_sample_interval() -> Duration {
    Duration::from_secs(10.0)
}

/// The request workload.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workload {
    /// The arrival process.
    pub arrivals: Arrivals,
    /// Optional endpoint mix; without it every request uses `service`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<RequestClass>,
}

/// An arrival process. All are exact (non-homogeneous) Poisson processes except trace replay of
/// timestamps, which replays the given instants.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Arrivals {
    /// Homogeneous Poisson arrivals.
    Constant {
        /// Arrival rate [requests/s], config.
        rate: f64,
    },
    /// k6-style stages: the rate moves linearly from the previous target to each stage's target
    /// over the stage's duration (the first stage starts from `start_rate`). After the last
    /// stage the rate stays at the last target.
    Stages {
        /// Rate at time zero [requests/s], config. Default 0 (as k6's ramping executors).
        #[serde(default)]
        start_rate: f64,
        /// The stages, in order.
        stages: Vec<Stage>,
    },
    /// Diurnal sinusoid, optionally scaled per day of the week and with additive spikes:
    /// rate(t) = k(t) · (base + amplitude · sin(2π (t + phase) / period)) + Σ spikes(t), where
    /// k(t) = `day_scale[floor(t / 24h) mod 7]` (1 without `day_scale`), blended linearly from
    /// the previous day's value over the first `day_transition` of each day.
    Diurnal {
        /// Mean rate [requests/s], config.
        base: f64,
        /// Amplitude [requests/s], config; must not exceed `base`.
        amplitude: f64,
        /// Period [s], config. Default 24 h.
        #[serde(default = "default_day")]
        period: Duration,
        /// Phase shift [s], config. Default 0.
        #[serde(default)]
        phase: Duration,
        /// Multiplier of the diurnal rate per day of the run [1], config: exactly 7 values
        /// ≥ 0, day 0 being the run's first 24 hours. Default: none (1 every day).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        day_scale: Option<Vec<f64>>,
        /// Linear blend from the previous day's multiplier at each day boundary [s], config;
        /// at most 24 h. Default 0: a step at the boundary.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        day_transition: Option<Duration>,
        /// Additive spikes [requests/s], config; overlapping spikes add up. Default: none.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        spikes: Vec<Spike>,
    },
    /// Markov-modulated Poisson bursts: the process sits in a state for an exponential sojourn
    /// with the state's mean, then moves to the next state in the list (cyclically).
    Bursts {
        /// The states, visited in order; starts in the first.
        states: Vec<BurstState>,
    },
    /// Replay a trace from a CSV file.
    Trace {
        /// CSV path, relative to the scenario file, config.
        file: String,
        /// `timestamps`: one row per request, column `time_s`; `rates`: rows of `time_s`
        /// (interval start) and `rate_rps`, piecewise-constant Poisson rates.
        format: TraceFormat,
        /// Multiply every rate (or time-compress timestamps) by this factor, config. Default 1.
        #[serde(default = "one")]
        scale: f64,
    },
}

fn default_day() -> Duration {
    Duration::from_secs(86_400.0)
}
fn one() -> f64 {
    1.0
}

/// An unannounced traffic spike added to a diurnal rate: trapezoidal, rising linearly from 0
/// to `rate` over `ramp` from `at`, holding, and falling back to 0 over the last `ramp` of
/// `duration`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spike {
    /// Start, from the start of the run [s], config.
    pub at: Duration,
    /// Total length, ramps included [s], config; > 0.
    pub duration: Duration,
    /// Extra rate at the plateau [requests/s], config; ≥ 0.
    pub rate: f64,
    /// Length of each linear ramp [s], config; at most `duration / 2`. Default 0 (a step).
    #[serde(default)]
    pub ramp: Duration,
}

/// One k6 stage.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// How long the ramp to `target` takes [s], config.
    pub duration: Duration,
    /// Rate at the end of the stage [requests/s], config.
    pub target: f64,
}

/// One state of a bursty (Markov-modulated) arrival process.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BurstState {
    /// Optional label, config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Arrival rate while in this state [requests/s], config.
    pub rate: f64,
    /// Mean sojourn in this state [s], config (exponentially distributed).
    pub mean_duration: Duration,
}

/// What a trace file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceFormat {
    /// One row per request: `time_s`.
    Timestamps,
    /// Piecewise-constant rates: `time_s`, `rate_rps`.
    Rates,
}

/// A request class of an endpoint mix.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestClass {
    /// Class name, config (appears in requests.csv).
    pub name: String,
    /// Relative weight, config (need not sum to 1).
    pub weight: f64,
    /// CPU demand [CPU-seconds] for this class, config; default `service.cpu`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Dist>,
    /// Non-CPU (I/O) time [s] for this class, config; default `service.io`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub io: Option<Dist>,
    /// This class's database queries, config; default `database.queries`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queries: Option<super::database::QueriesSpec>,
}

/// Per-request service demand.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// CPU demand [CPU-seconds], config: the work a request does on the pod's CPU, which it
    /// shares with the other requests in service (processor sharing under the CPU limit).
    #[serde(default = "Dist::zero")]
    pub cpu: Dist,
    /// Non-CPU time [s], config: I/O, downstream calls; holds the worker slot, uses no CPU.
    #[serde(default = "Dist::zero")]
    pub io: Dist,
}

/// A probability distribution of a non-negative quantity (seconds, or CPU-seconds).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum Dist {
    /// Always `value`.
    Constant {
        /// The value [s], config.
        value: Duration,
    },
    /// Exponential, given by `mean` [s] or `rate` [1/s] (exactly one).
    Exponential {
        /// Mean [s], config.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mean: Option<Duration>,
        /// Rate [1/s], config.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rate: Option<f64>,
    },
    /// Lognormal, given by `mean` and `p99` [s], or by `mu` and `sigma` of ln(seconds).
    Lognormal {
        /// Mean [s], config.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mean: Option<Duration>,
        /// 99th percentile [s], config; must exceed the median implied by `mean`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        p99: Option<Duration>,
        /// Mean of ln(X / 1 s), config.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mu: Option<f64>,
        /// Standard deviation of ln(X / 1 s), config.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sigma: Option<f64>,
    },
    /// Gamma with `shape` k and `mean` [s].
    Gamma {
        /// Shape k (> 0), config.
        shape: f64,
        /// Mean [s], config.
        mean: Duration,
    },
    /// Erlang-k (sum of k exponentials) with `mean` [s].
    Erlang {
        /// Number of phases k (≥ 1), config.
        k: u32,
        /// Mean [s], config.
        mean: Duration,
    },
    /// Uniform on [min, max] [s].
    Uniform {
        /// Lower bound [s], config.
        min: Duration,
        /// Upper bound [s], config.
        max: Duration,
    },
    /// Resample values from a CSV file (one column, seconds).
    Empirical {
        /// CSV path, relative to the scenario file, config.
        file: String,
        /// Column to read [s], config. Default: the first column.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        column: Option<String>,
    },
}

impl Dist {
    /// The distribution that is always zero.
    pub fn zero() -> Dist {
        Dist::Constant {
            value: Duration::from_secs(0.0),
        }
    }
}

/// The pods of the Deployment.
///
/// `replicas`, `cpu_request`, `cpu_limit`, `memory_request`, `readiness_probe` and
/// `termination_grace_period` come from the Deployment when the scenario has one (setting them
/// here as well is an error); without one, `replicas` and `cpu_request` are required. Read the
/// effective values with [`super::resolve_pods`].
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pods {
    /// Replica count, config (fixed unless an autoscaler is configured). Required without a
    /// Deployment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
    /// Worker slots per pod [requests], config: requests served at once.
    pub concurrency: u32,
    /// Local queue capacity per pod [requests], config; a request arriving to a full queue is
    /// rejected. Default: unbounded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_queue: Option<u32>,
    /// Client timeout from arrival [s], config: a request not answered by then is timed out
    /// and its work abandoned. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Duration>,
    /// CPU request [cores], config: the 100 % of `cpu_utilization_pct` and the cost basis.
    /// Required without a Deployment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_request: Option<Quantity>,
    /// CPU limit [cores], config: requests in their CPU phase share it. Default: no limit
    /// (each request runs at full speed on its own core).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_limit: Option<Quantity>,
    /// Memory request [bytes], config: the cost basis. Default 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_request: Option<Quantity>,
    /// How a new pod starts.
    #[serde(default)]
    pub startup: Startup,
    /// Readiness probe. Default: see [`ReadinessProbe`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness_probe: Option<ReadinessProbe>,
    /// Optional warm-up after Ready (JIT, caches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slow_start: Option<SlowStart>,
    /// terminationGracePeriodSeconds [s], config: in-flight work drains this long, then is
    /// killed. Default 30 s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_grace_period: Option<Duration>,
    /// Manual replica changes (`kubectl scale` at given times), config. Default none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scale_schedule: Vec<ScaleStep>,
    /// Working-set model for memory metrics, config. Default: none (memory not simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<super::autoscaling::MemoryModel>,
}

/// One manual scaling step: at `at`, set the Deployment's replicas to `replicas`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleStep {
    /// When [s since start], config.
    pub at: Duration,
    /// New desired replica count, config.
    pub replicas: u32,
}

/// The phases a pod goes through before its app listens.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Startup {
    /// Pending → scheduled on a node [s], config. Default constant 1 s.
    #[serde(default = "default_schedule")]
    pub schedule: Dist,
    /// Image pull when the node does not have the image [s], config. Default constant 10 s.
    #[serde(default = "default_pull")]
    pub image_pull: Dist,
    /// Image pull when cached on the node [s], config. Default constant 0 s.
    #[serde(default = "Dist::zero")]
    pub image_pull_cached: Dist,
    /// Probability the image is already cached [0..1], config. Default 1 (always cached).
    #[serde(default = "one")]
    pub image_cached_probability: f64,
    /// Container create and start [s], config. Default constant 1 s.
    #[serde(default = "default_container_start")]
    pub container_start: Dist,
    /// Application start until it can answer the readiness probe [s], config. Default
    /// constant 5 s.
    #[serde(default = "default_app_start")]
    pub app_start: Dist,
}

fn constant(secs: f64) -> Dist {
    Dist::Constant {
        value: Duration::from_secs(secs),
    }
}
fn default_schedule() -> Dist {
    constant(1.0)
}
fn default_pull() -> Dist {
    constant(10.0)
}
fn default_container_start() -> Dist {
    constant(1.0)
}
fn default_app_start() -> Dist {
    constant(5.0)
}

impl Default for Startup {
    fn default() -> Self {
        Startup {
            schedule: default_schedule(),
            image_pull: default_pull(),
            image_pull_cached: Dist::zero(),
            image_cached_probability: 1.0,
            container_start: default_container_start(),
            app_start: default_app_start(),
        }
    }
}

/// The readiness probe (Kubernetes semantics: first probe `initial_delay` after the container
/// starts, then every `period`; Ready after `success_threshold` consecutive successes).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadinessProbe {
    /// initialDelaySeconds [s], config. Default 0.
    #[serde(default)]
    pub initial_delay: Duration,
    /// periodSeconds [s], config. Default 10 s.
    #[serde(default = "default_probe_period")]
    pub period: Duration,
    /// successThreshold, config. Default 1.
    #[serde(default = "default_one_u32")]
    pub success_threshold: u32,
}

fn default_probe_period() -> Duration {
    Duration::from_secs(10.0)
}
fn default_one_u32() -> u32 {
    1
}

impl Default for ReadinessProbe {
    fn default() -> Self {
        ReadinessProbe {
            initial_delay: Duration::from_secs(0.0),
            period: default_probe_period(),
            success_threshold: 1,
        }
    }
}

/// Warm-up: service demand is multiplied by `factor` for requests that start within
/// `duration` after the pod became Ready.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlowStart {
    /// Service-demand multiplier during warm-up (≥ 1), config.
    pub factor: f64,
    /// Warm-up length after Ready [s], config.
    pub duration: Duration,
}

/// Load balancing over Ready pods.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancer {
    /// The policy, config. Default `round_robin`.
    #[serde(default)]
    pub policy: BalancePolicy,
    /// Capacity of the central queue of `shared_queue` [requests], config; arrivals to a full
    /// queue are rejected. Default unbounded. (Other policies use `pods.max_queue`.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_queue: Option<u32>,
}

impl Default for LoadBalancer {
    fn default() -> Self {
        LoadBalancer {
            policy: BalancePolicy::RoundRobin,
            max_queue: None,
        }
    }
}

/// How the ingress picks a pod.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BalancePolicy {
    /// Next Ready pod in turn.
    #[default]
    RoundRobin,
    /// A Ready pod chosen uniformly at random.
    Random,
    /// The Ready pod with the fewest requests in flight (lowest index on ties).
    LeastConnections,
    /// Two Ready pods at random, the one with fewer in flight.
    PowerOfTwo,
    /// One central FIFO queue; any free worker slot of a Ready pod pulls from it (M/M/c).
    SharedQueue,
}

/// Prices for the cost model: a pod costs (CPU request × vCPU price + memory request × GiB
/// price) for every hour from its scheduling to its deletion.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cost {
    /// Price per vCPU-hour [USD], config. Default 0.04048.
    #[serde(default = "default_vcpu_price")]
    pub vcpu_hour_usd: f64,
    /// Price per GiB-hour of memory [USD], config. Default 0.004445.
    #[serde(default = "default_gib_price")]
    pub gib_hour_usd: f64,
}

fn default_vcpu_price() -> f64 {
    0.04048
}
fn default_gib_price() -> f64 {
    0.004445
}

impl Default for Cost {
    fn default() -> Self {
        Cost {
            vcpu_hour_usd: default_vcpu_price(),
            gib_hour_usd: default_gib_price(),
        }
    }
}

/// Output options.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outputs {
    /// Output directory, config; `--out` overrides. Default `out/<scenario name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
    /// Fraction of requests written to requests.csv [0..1], config. Default 0 (no file).
    #[serde(default)]
    pub requests_sample: f64,
}
