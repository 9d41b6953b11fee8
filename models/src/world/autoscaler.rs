//! The HPA inside the simulated cluster: the metrics pipeline that feeds it and the controller
//! loop that calls the pure reconcile.
//!
//! ```text
//!  pods ──MetricsScrape (every metric_resolution)──▶ MetricsServer: CPU rate, working set
//!  pods ──PromScrape (every scrape_interval)──▶ Prometheus: requests_total, in_flight, queued
//!                                                    │
//!  HpaSync (every sync period, first one a period after start) ──▶ ClusterSnapshot
//!      ──▶ hpa::reconcile(spec, flags, snapshot, history, now) ──▶ set_replicas + `hpa_sync` row
//! ```
//!
//! Kubernetes' view of a simulated pod: phase `Pending` until its container starts, then
//! `Running`; `ready` while it is an endpoint; `startTime` when it was bound to a node; the
//! Ready condition's last transition at Ready (or at start while not yet Ready); `deleting`
//! once it is Terminating. Each pod has one container, `app`, whose requests are the pod's.

use super::engine::World;
use super::hpa_config::{HpaConfig, PodsSource};
use super::pod::PodPhase as SimPhase;
use crate::hpa::{self, ClusterSnapshot, ContainerSnapshot, PodPhase, PodSnapshot};
use crate::metrics::{
    adapter_milli, working_set, CounterSeries, MetricsServer, PodsMetric, Prometheus,
};
use hpasim_sim::SimTime;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The gauge of the queue exporter (redis_exporter / kafka-exporter), series 0: the list
/// length or the group's total lag, scraped with the pods.
const QUEUE_EXPORTER: &str = "queue_exporter_backlog";

/// Per-run state of the HPA and its metrics pipeline.
pub struct HpaState {
    /// The controller's in-memory recommendation and scale-event history.
    pub history: hpa::History,
    /// metrics-server.
    pub metrics_server: MetricsServer,
    /// Prometheus and the adapter's series.
    pub prometheus: Prometheus,
    /// Adapter queries, one per Pods metric of the HPA (same order as the config's).
    pub pods_metrics: Vec<PodsMetric>,
    /// Last value the HPA saw per extra time-series column (NaN until seen).
    pub seen: Vec<f64>,
    /// Completed requests per pod (the `http_requests_total` counter).
    pub requests_total: Vec<u64>,
    /// The spec with `minReplicas` patched by the floors, while one raises it.
    pub patched_spec: Option<hpa::HpaSpec>,
    /// The spec with only the schedule's floor: the reactive HPA a predictive floor is
    /// compared with (`None`: the manifest's spec).
    pub reactive_spec: Option<hpa::HpaSpec>,
    /// The floors in force on `minReplicas`.
    pub floors: MinFloors,
}

/// Floors other controllers put on the HPA's `minReplicas` [replicas].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MinFloors {
    /// The scheduled rule in force, if any.
    pub schedule: Option<u32>,
    /// The predictive controller's floor, if it has one (already ≤ maxReplicas).
    pub predictive: Option<u32>,
}

/// `spec` with `minReplicas` raised to `floor` (capped at maxReplicas), or `None` when the
/// floor raises nothing.
fn raised(spec: &hpa::HpaSpec, floor: Option<u32>) -> Option<hpa::HpaSpec> {
    let base = spec.min_replicas_or_default();
    let floor = i32::try_from(floor?)
        .unwrap_or(i32::MAX)
        .min(spec.max_replicas);
    (floor > base).then(|| {
        let mut s = spec.clone();
        s.min_replicas = Some(floor);
        s
    })
}

impl HpaState {
    /// Re-derives the patched specs from the floors; returns the effective `minReplicas`
    /// before and after.
    pub fn apply_floors(&mut self, spec: &hpa::HpaSpec) -> (i32, i32) {
        let min_of = |s: &Option<hpa::HpaSpec>| {
            s.as_ref().map_or(spec.min_replicas_or_default(), |s| {
                s.min_replicas_or_default()
            })
        };
        let before = min_of(&self.patched_spec);
        let both = self.floors.schedule.max(self.floors.predictive);
        self.patched_spec = raised(spec, both);
        self.reactive_spec = raised(spec, self.floors.schedule);
        (before, min_of(&self.patched_spec))
    }
}

impl HpaState {
    /// Fresh state for a run of `cfg`.
    pub fn new(cfg: &HpaConfig) -> HpaState {
        let mut prometheus = Prometheus::new(cfg.prometheus);
        let retention = cfg.rate_window + cfg.prometheus.scrape_interval;
        let counter = prometheus.add_counter("http_requests_total", retention);
        let in_flight = prometheus.add_gauge("http_requests_in_flight");
        let queued = prometheus.add_gauge("queue_length");
        let pool = prometheus.add_gauge("db_connection_pool_utilization");
        prometheus.add_gauge(QUEUE_EXPORTER);
        let pods_metrics = cfg
            .pods_metrics
            .iter()
            .map(|(name, source)| match source {
                PodsSource::RequestRate => PodsMetric::rate(name, counter, cfg.rate_window),
                PodsSource::InFlight => PodsMetric::gauge(name, in_flight),
                PodsSource::Queued => PodsMetric::gauge(name, queued),
                PodsSource::PoolUtilization => PodsMetric::gauge(name, pool),
            })
            .collect();
        HpaState {
            history: hpa::History::default(),
            metrics_server: MetricsServer::new(cfg.metrics_server),
            prometheus,
            pods_metrics,
            seen: vec![f64::NAN; cfg.columns.len()],
            requests_total: Vec::new(),
            patched_spec: None,
            reactive_spec: None,
            floors: MinFloors::default(),
        }
    }
}

impl World<'_> {
    /// Counts a completed request on `pod` (the `http_requests_total` counter).
    pub(super) fn count_request(&mut self, pod: u32) {
        if let Some(state) = self.hpa.as_mut() {
            let i = pod as usize;
            if state.requests_total.len() <= i {
                state.requests_total.resize(i + 1, 0);
            }
            state.requests_total[i] += 1;
        }
    }

    /// Pods whose container runs (they have metrics to scrape).
    fn running_pods(&self) -> Vec<u32> {
        (0..self.pods.len() as u32)
            .filter(|&i| {
                let p = self.pods[i as usize].phase;
                p >= SimPhase::Started && p < SimPhase::Deleted
            })
            .collect()
    }

    /// metrics-server scrapes every running pod.
    pub(super) fn on_metrics_scrape(&mut self, now: SimTime) {
        let Some(cfg) = self.sim.hpa.as_ref() else {
            return;
        };
        let pods = self.running_pods();
        for pod in pods {
            let used = self.pods[pod as usize].cpu.advance(now);
            self.stats.record_cpu(used);
            let p = &self.pods[pod as usize];
            let cpu_s = p.cpu.busy_core_ns() * 1e-9;
            let bytes = cfg
                .memory
                .map_or(0.0, |(base, per)| working_set(base, per, p.busy));
            let started = p.planned[2];
            if let Some(state) = self.hpa.as_mut() {
                state.metrics_server.scrape(now, pod, started, cpu_s, bytes);
            }
        }
        let next = now + cfg.metrics_server.metric_resolution;
        if next < self.end {
            self.schedule(next, super::event::Event::MetricsScrape);
        }
    }

    /// Prometheus scrapes every running pod's counters and gauges.
    pub(super) fn on_prometheus_scrape(&mut self, now: SimTime) {
        let Some(cfg) = self.sim.hpa.as_ref() else {
            return;
        };
        let pods = self.running_pods();
        let utilization: Vec<f64> = pods.iter().map(|&p| self.pool_utilization(p)).collect();
        if let Some(state) = self.hpa.as_mut() {
            let counter = state.prometheus.counter_id("http_requests_total");
            let in_flight = state.prometheus.gauge_id("http_requests_in_flight");
            let queued = state.prometheus.gauge_id("queue_length");
            let pool = state.prometheus.gauge_id("db_connection_pool_utilization");
            for (k, &pod) in pods.iter().enumerate() {
                let p = &self.pods[pod as usize];
                let total = state.requests_total.get(pod as usize).copied().unwrap_or(0);
                if let Some(c) = counter {
                    scrape_counter(state.prometheus.counter_mut(c), now, pod, total as f64);
                }
                if let Some(g) = in_flight {
                    state
                        .prometheus
                        .gauge_mut(g)
                        .scrape(now, pod, f64::from(p.busy));
                }
                if let Some(g) = queued {
                    state
                        .prometheus
                        .gauge_mut(g)
                        .scrape(now, pod, f64::from(p.queued));
                }
                if let Some(g) = pool {
                    state
                        .prometheus
                        .gauge_mut(g)
                        .scrape(now, pod, utilization[k]);
                }
            }
        }
        let backlog = self.broker.as_ref().map(|b| b.total_lag() as f64);
        if let (Some(state), Some(v)) = (self.hpa.as_mut(), backlog) {
            if let Some(g) = state.prometheus.gauge_id(QUEUE_EXPORTER) {
                state.prometheus.gauge_mut(g).scrape(now, 0, v);
            }
        }
        let next = now + cfg.prometheus.scrape_interval;
        if next < self.end {
            self.schedule(next, super::event::Event::PromScrape);
        }
    }

    /// A deleted pod leaves the metrics pipeline.
    pub(super) fn forget_pod_metrics(&mut self, pod: u32) {
        if let Some(state) = self.hpa.as_mut() {
            state.metrics_server.forget(pod);
            state.prometheus.forget(pod);
        }
        self.vpa_forget(pod);
    }

    /// What the HPA controller sees: the scale subresource and the pods with their metrics.
    fn snapshot(&self, now: SimTime) -> ClusterSnapshot {
        let cfg = self.sim.hpa.as_ref().expect("snapshot only with an HPA");
        let state = self.hpa.as_ref().expect("snapshot only with an HPA");
        let mut snap = ClusterSnapshot {
            spec_replicas: self.desired as i32,
            status_replicas: 0,
            ..ClusterSnapshot::default()
        };
        for (i, p) in self.pods.iter().enumerate() {
            if p.phase == SimPhase::Deleted {
                continue;
            }
            // Each pod's own requests: the VPA may have resized it at admission.
            let cpu_request = (p.res.cpu_cores * 1000.0).round() as i64;
            let memory_request = (p.res.memory_bytes * 1000.0).round() as i64;
            let pod = i as u32;
            if p.phase < SimPhase::Terminating {
                snap.status_replicas += 1;
            }
            let running = p.phase >= SimPhase::Started;
            let start = p.scheduled.unwrap_or(p.created);
            let mut container = ContainerSnapshot {
                name: cfg.container_name.clone(),
                ..ContainerSnapshot::default()
            };
            container.requests.insert("cpu".into(), cpu_request);
            container.requests.insert("memory".into(), memory_request);
            let mut metric_timestamp = now;
            let mut metric_window = cfg.metrics_server.metric_resolution;
            if let Some(m) = state.metrics_server.pod_cpu(pod) {
                container.usage.insert("cpu".into(), m.usage_milli);
                metric_timestamp = m.timestamp;
                metric_window = m.window;
                if let Some((bytes, _)) = state.metrics_server.pod_memory(pod) {
                    container
                        .usage
                        .insert("memory".into(), bytes.saturating_mul(1000));
                }
            }
            let mut metrics = BTreeMap::new();
            for (k, (name, _)) in cfg.pods_metrics.iter().enumerate() {
                if !running {
                    continue;
                }
                if let Some(v) = state.pods_metrics[k].value(&state.prometheus, pod, now) {
                    metrics.insert(name.clone(), v.milli);
                }
            }
            snap.pods.push(PodSnapshot {
                name: self.pod_name(pod).trim_start_matches("pod/").to_string(),
                phase: if running {
                    PodPhase::Running
                } else {
                    PodPhase::Pending
                },
                ready: Some(p.phase == SimPhase::Ready),
                start_time: p.scheduled.map(|_| start),
                ready_since: p.ready.unwrap_or(start),
                deleting: p.phase == SimPhase::Terminating,
                listed: true,
                metric_timestamp,
                metric_window,
                containers: vec![container],
                metrics,
            });
        }
        if let Some(g) = state.prometheus.gauge_id(QUEUE_EXPORTER) {
            let lookback = state.prometheus.config().lookback_delta;
            for (name, source) in &cfg.external_metrics {
                if matches!(source, super::hpa_config::ExternalSource::Keda(_)) {
                    continue;
                }
                if let Some(v) = state.prometheus.gauge(g).latest(0, now, lookback) {
                    snap.external_metrics
                        .insert(name.clone(), vec![adapter_milli(v)]);
                }
            }
        }
        snap
    }

    /// One HPA sync: reconcile, write the scale, log the decision.
    pub(super) fn on_hpa_sync(&mut self, now: SimTime) {
        let Some(cfg) = self.sim.hpa.as_ref() else {
            return;
        };
        let mut snap = self.snapshot(now);
        self.keda_external_metrics(now, &mut snap);
        self.predictive_sample(&snap);
        let reactive = self.reactive_desired(&snap, now);
        let state = self
            .hpa
            .as_mut()
            .expect("HPA state exists with an HPA config");
        let spec = state.patched_spec.as_ref().unwrap_or(&cfg.spec);
        let r = hpa::reconcile(spec, &cfg.controller, &snap, &mut state.history, now);
        for (k, outcome) in r.metrics.iter().enumerate() {
            if let (Some(col), Ok(p)) = (
                cfg.metric_columns.get(k).copied().flatten(),
                &outcome.result,
            ) {
                state.seen[col] = match p.utilization_pct {
                    Some(u) => f64::from(u),
                    None => p.value as f64 / 1000.0,
                };
            }
        }
        let mut detail = sync_detail(&r);
        let reactive = self
            .predictive
            .is_some()
            .then(|| reactive.unwrap_or(r.desired_replicas));
        if let Some(reactive) = reactive {
            let _ = write!(detail, " reactive={reactive}");
        }
        let object = format!("hpa/{}", cfg.name);
        self.event(now, "hpa_sync", object, detail);
        if let Some(reactive) = reactive {
            self.predictive_account(r.desired_replicas, reactive);
        }
        if r.rescale && r.desired_replicas >= 0 {
            let reason = format!("hpa {}", r.reason);
            self.set_replicas(now, r.desired_replicas as u32, &reason);
        }
        let next = now + cfg.controller.sync_period;
        if next < self.end {
            self.schedule(next, super::event::Event::HpaSync);
        }
    }

    /// The extra time-series values: what the HPA last saw.
    pub(super) fn hpa_columns(&self) -> Vec<f64> {
        self.hpa.as_ref().map_or_else(Vec::new, |s| s.seen.clone())
    }

    /// First scrape and sync events of a run with an HPA.
    pub(super) fn start_autoscaling(&mut self) {
        let Some(cfg) = self.sim.hpa.as_ref() else {
            return;
        };
        let first_sync = SimTime::ZERO + cfg.controller.sync_period;
        let ms = SimTime::ZERO;
        let prom = SimTime::ZERO;
        if ms < self.end {
            self.schedule(ms, super::event::Event::MetricsScrape);
        }
        let scraped = !cfg.pods_metrics.is_empty() || !cfg.external_metrics.is_empty();
        if prom < self.end && scraped {
            self.schedule(prom, super::event::Event::PromScrape);
        }
        if first_sync < self.end {
            self.schedule(first_sync, super::event::Event::HpaSync);
        }
    }
}

fn scrape_counter(series: &mut CounterSeries, now: SimTime, pod: u32, total: f64) {
    series.scrape(now, pod, total);
}

/// events.csv detail of one sync: what each metric saw and proposed, then the decision.
fn sync_detail(r: &hpa::Reconcile) -> String {
    let mut s = String::new();
    for m in &r.metrics {
        match &m.result {
            Ok(p) => {
                let seen = match p.utilization_pct {
                    Some(u) => format!("{u}%"),
                    None => format!("{}", p.value as f64 / 1000.0),
                };
                let _ = write!(s, "{}={} -> {}; ", m.name, seen, p.replicas);
            }
            Err(e) => {
                let _ = write!(s, "{}: error: {}; ", m.name, e);
            }
        }
    }
    let opt = |v: Option<i32>| v.map_or_else(|| "-".to_string(), |v| v.to_string());
    let _ = write!(
        s,
        "current={} proposal={} prenormalized={} stabilized={} desired={} reason={}",
        r.current_replicas,
        opt(r.proposal),
        opt(r.prenormalized),
        opt(r.stabilized),
        r.desired_replicas,
        r.reason
    );
    s
}
