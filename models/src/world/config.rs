//! A scenario compiled for running: samplers built, units converted, nothing left to parse.

use super::startup::Probe;
use crate::dist::Sampler;
use crate::scenario::{resolve_pods, BalancePolicy, Scenario, SpecError};
use crate::workload::{ArrivalProcess, ClassMix};
use hpasim_sim::SimDuration;
use std::path::Path;

/// Bytes per GiB.
const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// Price of one pod [USD/s] from its requests [cores, bytes] and the per-hour prices
/// [USD per vCPU-hour, USD per GiB-hour].
pub(super) fn pod_cost_per_second_usd(
    cpu_cores: f64,
    memory_bytes: f64,
    (vcpu_hour, gib_hour): (f64, f64),
) -> f64 {
    (cpu_cores * vcpu_hour + memory_bytes / GIB * gib_hour) / 3600.0
}

/// How pods start.
#[derive(Clone, Debug)]
pub struct StartupConfig {
    /// Pending → bound to a node [s].
    pub schedule: Sampler,
    /// Uncached image pull [s].
    pub image_pull: Sampler,
    /// Cached image pull [s].
    pub image_pull_cached: Sampler,
    /// Probability the image is cached.
    pub image_cached_probability: f64,
    /// Container start [s].
    pub container_start: Sampler,
    /// App start until it answers the probe [s].
    pub app_start: Sampler,
    /// The readiness probe.
    pub probe: Probe,
}

/// The pods' compiled configuration.
#[derive(Clone, Debug)]
pub struct PodConfig {
    /// Initial (fixed) replica count.
    pub replicas: u32,
    /// Worker slots per pod.
    pub concurrency: u32,
    /// Local queue capacity per pod (u32::MAX = unbounded).
    pub max_queue: u32,
    /// Client timeout, if any.
    pub timeout: Option<SimDuration>,
    /// CPU request [cores].
    pub cpu_request: f64,
    /// CPU limit [cores] (infinite = none).
    pub cpu_limit: f64,
    /// Memory request [bytes].
    pub memory_request_bytes: f64,
    /// Start-up.
    pub startup: StartupConfig,
    /// Warm-up (factor, length), if any.
    pub slow_start: Option<(f64, SimDuration)>,
    /// terminationGracePeriodSeconds.
    pub grace: SimDuration,
    /// Price of one pod [USD/s].
    pub cost_per_second_usd: f64,
    /// Manual scale steps (time, replicas), in time order.
    pub scale_schedule: Vec<(SimDuration, u32)>,
}

/// Everything a run needs, immutable and shared by every replication and thread.
pub struct Simulation {
    /// Scenario name.
    pub name: String,
    /// Simulated duration.
    pub duration: SimDuration,
    /// Time-series row width.
    pub sample_interval: SimDuration,
    /// Arrival process in its initial state.
    pub arrivals: ArrivalProcess,
    /// Request classes and their demand.
    pub classes: ClassMix,
    /// Pods.
    pub pods: PodConfig,
    /// Load-balancing policy.
    pub policy: BalancePolicy,
    /// Central queue capacity for `shared_queue` (u32::MAX = unbounded).
    pub central_max_queue: u32,
    /// Fraction of requests written to requests.csv.
    pub requests_sample: f64,
    /// Run guard: the most requests or messages in the system at once.
    pub max_in_system: u32,
    /// The service level objective judged per sample interval, if the scenario has one.
    pub slo: Option<crate::scenario::Slo>,
    /// The HorizontalPodAutoscaler, if the scenario has one.
    pub hpa: Option<super::hpa_config::HpaConfig>,
    /// Connection pools and the database, if the scenario has them.
    pub db: Option<super::db_config::DbConfig>,
    /// KEDA's ScaledObject, if the scenario has one (its generated HPA is `hpa`).
    pub keda: Option<super::keda::KedaSim>,
    /// The message queue the pods consume from, if the scenario has one.
    pub queue: Option<super::queue_config::QueueConfig>,
    /// The namespace's ResourceQuota, if the scenario has one.
    pub quota: Option<super::quota::QuotaConfig>,
    /// The predictive controller's floor on `minReplicas`, if the scenario has one.
    pub predictive: Option<super::predictive::PredictiveConfig>,
    /// Scheduled `minReplicas` floors, if the scenario has them.
    pub scheduled: Option<crate::scenario::scheduled::ScheduledConfig>,
    /// Nodes, the scheduler, the cluster autoscaler and node faults, if the scenario has them.
    pub cluster: Option<super::cluster_config::ClusterConfig>,
    /// Pod faults (chaos kills, container crashes), if the scenario injects any.
    pub faults: Option<super::faults::FaultsConfig>,
    /// The Vertical Pod Autoscaler, if the scenario has one.
    pub vpa: Option<super::vpa::VpaSim>,
}

impl Simulation {
    /// Compiles a validated scenario; `base_dir` resolves relative file paths. Errors carry the
    /// parameter path of the offending field. Replicas, resources, the readiness probe and the
    /// grace period come from the Deployment when the scenario has one
    /// ([`resolve_pods`]).
    pub fn compile(s: &Scenario, base_dir: &Path) -> Result<Simulation, SpecError> {
        let resolved = resolve_pods(s)?;
        let sampler = |d, path: &str| Sampler::compile(d, base_dir, path);
        let st = &s.pods.startup;
        let startup = StartupConfig {
            schedule: sampler(&st.schedule, "pods.startup.schedule")?,
            image_pull: sampler(&st.image_pull, "pods.startup.image_pull")?,
            image_pull_cached: sampler(&st.image_pull_cached, "pods.startup.image_pull_cached")?,
            image_cached_probability: st.image_cached_probability,
            container_start: sampler(&st.container_start, "pods.startup.container_start")?,
            app_start: sampler(&st.app_start, "pods.startup.app_start")?,
            probe: Probe {
                initial_delay: resolved.readiness_probe.initial_delay.sim(),
                period: resolved.readiness_probe.period.sim(),
                success_threshold: resolved.readiness_probe.success_threshold,
            },
        };
        let cpu_request = resolved.cpu_request.value();
        let pods = PodConfig {
            replicas: resolved.replicas,
            concurrency: s.pods.concurrency,
            max_queue: s.pods.max_queue.unwrap_or(u32::MAX),
            timeout: s.pods.timeout.map(|t| t.sim()),
            cpu_request,
            cpu_limit: resolved
                .cpu_limit
                .as_ref()
                .map_or(f64::INFINITY, |q| q.value()),
            memory_request_bytes: resolved.memory_request.value(),
            startup,
            slow_start: s
                .pods
                .slow_start
                .as_ref()
                .map(|w| (w.factor, w.duration.sim())),
            grace: resolved.termination_grace_period.sim(),
            scale_schedule: {
                let mut steps: Vec<(SimDuration, u32)> = s
                    .pods
                    .scale_schedule
                    .iter()
                    .map(|st| (st.at.sim(), st.replicas))
                    .collect();
                steps.sort_by_key(|st| st.0);
                steps
            },
            cost_per_second_usd: pod_cost_per_second_usd(
                cpu_request,
                resolved.memory_request.value(),
                (s.cost.vcpu_hour_usd, s.cost.gib_hour_usd),
            ),
        };
        let keda = super::keda::compile_keda(s)?;
        let hpa = super::hpa_config::compile_hpa(s, keda.as_ref().map(|k| &k.cfg))?;
        let predictive = super::predictive::compile(s, hpa.as_ref(), &pods)?;
        Ok(Simulation {
            name: s.name.clone(),
            duration: s.duration.sim(),
            sample_interval: s.sample_interval.sim(),
            arrivals: ArrivalProcess::compile(&s.workload.arrivals, base_dir, "workload.arrivals")?,
            classes: ClassMix::compile(&s.workload.classes, &s.service, base_dir)?,
            pods,
            policy: s.load_balancer.policy,
            central_max_queue: s.load_balancer.max_queue.unwrap_or(u32::MAX),
            requests_sample: s.outputs.requests_sample,
            max_in_system: s.max_in_system,
            slo: s.slo.clone(),
            hpa,
            predictive,
            keda,
            db: s
                .database
                .as_ref()
                .map(|d| super::db_config::compile_db(d, &s.workload.classes, base_dir))
                .transpose()?,
            queue: super::queue_config::compile_queue(s),
            quota: super::quota::compile_quota(s, &resolved)?,
            scheduled: crate::scenario::scheduled::compile(s).map_err(|mut e| e.remove(0))?,
            cluster: s
                .cluster
                .as_ref()
                .map(|c| super::cluster_config::compile_cluster(c, &resolved, base_dir))
                .transpose()?
                .map(|mut c| {
                    c.pdb = s.pod_disruption_budget.as_ref().map(|p| p.pdb());
                    c
                }),
            faults: s.faults.as_ref().map(super::faults::FaultsConfig::compile),
            vpa: super::vpa::compile_vpa(s)?,
        })
    }
}
