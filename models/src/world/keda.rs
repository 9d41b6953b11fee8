//! KEDA inside the simulated cluster: its polling loop and the metrics it serves the HPA it
//! generated.
//!
//! ```text
//!  KedaPoll (t = 0, then every pollingInterval)
//!     observe each trigger (partition offsets, list length, a Prometheus series, the wall
//!     clock; or an injected scaler error) ─▶ keda::poll ─▶ activity, fallback
//!     ─▶ RequestScale: 0/idle ↔ min (set_replicas), `keda_*` rows in events.csv
//!  HpaSync (the generated HPA, every sync period)
//!     External metric s{i}-… ─▶ keda::hpa_read: live read (or the last poll's with
//!     useCachedMetrics) ─▶ fallback after failureThreshold errors ─▶ hpa::reconcile
//! ```

use super::engine::World;
use super::event::Event;
use crate::keda::kafka::PartitionOffsets;
use crate::keda::scale::{hpa_read, poll, KedaState, ScaleAction};
use crate::keda::scalers::{read_trigger, Observation};
use crate::keda::triggers::ScalerMetadata;
use crate::keda::KedaConfig;
use crate::scenario::autoscaling::PromSeries;
use crate::scenario::queue::Queue;
use crate::scenario::{Scenario, SpecError};
use hpasim_sim::stats::LatencyHistogram;
use hpasim_sim::{SimDuration, SimTime};

/// Width of one bucket of the windowed request series [s].
const BUCKET: SimDuration = SimDuration::from_secs(15);

/// What the world shows one trigger.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TriggerSource {
    /// The scenario's Kafka topic: per-partition offsets.
    Kafka,
    /// The scenario's Redis list: its length.
    RedisList,
    /// A Prometheus series.
    Prometheus {
        /// Which series.
        series: PromSeries,
        /// Window of rates and quantiles.
        window: SimDuration,
        /// Quantile of `latency_quantile`.
        quantile: f64,
    },
    /// The wall clock.
    Cron,
    /// cpu / memory (metrics-server, not KEDA).
    Resource,
}

/// A compiled ScaledObject and its bindings to the world.
#[derive(Clone, Debug)]
pub struct KedaSim {
    /// The ScaledObject, compiled.
    pub cfg: KedaConfig,
    /// Per trigger.
    pub sources: Vec<TriggerSource>,
    /// Injected scaler errors: (trigger, from, to, message).
    pub errors: Vec<(usize, SimTime, SimTime, String)>,
    /// Wall clock at time zero (cron triggers).
    pub clock_start: Option<chrono::DateTime<chrono::Utc>>,
    /// Longest window any Prometheus source needs.
    pub window: SimDuration,
}

/// Binds the scenario's ScaledObject to the simulated queue and series. Errors carry paths.
pub fn compile_keda(s: &Scenario) -> Result<Option<KedaSim>, SpecError> {
    let Some(so) = s.scaled_object.as_ref() else {
        return Ok(None);
    };
    let cfg = KedaConfig::compile(so, "scaled_object").map_err(|mut e| e.remove(0))?;
    let settings = s.autoscaling.clone().unwrap_or_default().keda;
    let mut sources = Vec::with_capacity(cfg.triggers.len());
    let mut window = BUCKET;
    for (i, t) in cfg.triggers.iter().enumerate() {
        let path = format!("scaled_object.spec.triggers[{i}].metadata");
        let source = match (&t.scaler, s.queue.as_ref()) {
            (ScalerMetadata::Kafka(m), Some(Queue::Kafka(k))) => {
                if m.topic.as_deref().is_some_and(|topic| topic != k.topic) {
                    return Err(SpecError::at_path(
                        format!("{path}.topic"),
                        format!(
                            "the trigger watches topic `{}`, the scenario's topic is `{}`",
                            m.topic.as_deref().unwrap_or_default(),
                            k.topic
                        ),
                    )
                    .with_hint("set queue.topic to the trigger's topic (or the other way round)"));
                }
                if m.consumer_group != k.consumer.group {
                    return Err(SpecError::at_path(
                        format!("{path}.consumerGroup"),
                        format!("the trigger watches group `{}`, the scenario's consumers are group `{}`", m.consumer_group, k.consumer.group),
                    )
                    .with_hint("set queue.consumer.group to the trigger's consumerGroup"));
                }
                TriggerSource::Kafka
            }
            (ScalerMetadata::Redis(m), Some(Queue::RedisList(r))) => {
                if m.list_name != r.list {
                    return Err(SpecError::at_path(
                        format!("{path}.listName"),
                        format!(
                            "the trigger watches list `{}`, the scenario's list is `{}`",
                            m.list_name, r.list
                        ),
                    )
                    .with_hint("set queue.list to the trigger's listName"));
                }
                TriggerSource::RedisList
            }
            (ScalerMetadata::Kafka(_), _) => return Err(SpecError::at_path(
                format!("scaled_object.spec.triggers[{i}].type"),
                "a kafka trigger needs the scenario's queue to be a Kafka topic",
            )
            .with_hint(
                "add `queue: {broker: kafka, topic: ..., partitions: N, consumer: {group: ...}}`",
            )),
            (ScalerMetadata::Redis(_), _) => {
                return Err(SpecError::at_path(
                    format!("scaled_object.spec.triggers[{i}].type"),
                    "a redis trigger needs the scenario's queue to be a Redis list",
                )
                .with_hint("add `queue: {broker: redis_list, list: ...}`"))
            }
            (ScalerMetadata::Prometheus(_), _) => {
                let Some(q) = settings.prometheus.iter().find(|q| q.trigger == i) else {
                    return Err(SpecError::at_path(
                        format!("scaled_object.spec.triggers[{i}]"),
                        "hpasim cannot run this trigger's PromQL: map it to a simulator series",
                    )
                    .with_hint(format!("add `autoscaling.keda.prometheus: [{{trigger: {i}, metric: latency_quantile, quantile: 0.99, window: 5m}}]` (series: queue_backlog, in_flight, request_rate, latency_quantile)")));
                };
                if q.series_needs_queue() && s.queue.is_none() {
                    return Err(SpecError::at_path(
                        "autoscaling.keda.prometheus",
                        "queue_backlog needs the scenario's queue",
                    ));
                }
                if !(q.quantile > 0.0 && q.quantile < 1.0) {
                    return Err(SpecError::at_path(
                        "autoscaling.keda.prometheus",
                        format!("quantile must be between 0 and 1, got {}", q.quantile),
                    ));
                }
                let w = q.window.sim();
                if w < BUCKET {
                    return Err(SpecError::at_path(
                        "autoscaling.keda.prometheus",
                        format!("window must be at least 15s, got {}", q.window),
                    ));
                }
                window = window.max(w);
                TriggerSource::Prometheus {
                    series: q.metric,
                    window: w,
                    quantile: q.quantile,
                }
            }
            (ScalerMetadata::Cron(_), _) => {
                if settings.clock_start.is_none() {
                    return Err(SpecError::at_path(
                        format!("scaled_object.spec.triggers[{i}]"),
                        "a cron trigger needs the wall-clock time of the run's start",
                    )
                    .with_hint("add `autoscaling.keda.clock_start: \"2026-01-05T08:00:00Z\"`"));
                }
                TriggerSource::Cron
            }
            (ScalerMetadata::Resource(_), _) => TriggerSource::Resource,
        };
        sources.push(source);
    }
    for (k, q) in settings.prometheus.iter().enumerate() {
        if !matches!(
            sources.get(q.trigger),
            Some(TriggerSource::Prometheus { .. })
        ) {
            return Err(SpecError::at_path(
                format!("autoscaling.keda.prometheus[{k}].trigger"),
                format!("trigger {} is not a prometheus trigger", q.trigger),
            ));
        }
    }
    let mut errors = Vec::new();
    for (k, e) in settings.scaler_errors.iter().enumerate() {
        if e.trigger >= cfg.triggers.len() {
            return Err(SpecError::at_path(
                format!("autoscaling.keda.scaler_errors[{k}].trigger"),
                format!("the ScaledObject has {} triggers", cfg.triggers.len()),
            ));
        }
        if e.to.secs() < e.from.secs() {
            return Err(SpecError::at_path(
                format!("autoscaling.keda.scaler_errors[{k}].to"),
                format!("must not be before `from` ({})", e.from),
            ));
        }
        errors.push((
            e.trigger,
            SimTime::ZERO + e.from.sim(),
            SimTime::ZERO + e.to.sim(),
            e.message.clone(),
        ));
    }
    let clock_start = match &settings.clock_start {
        Some(text) => Some(
            chrono::DateTime::parse_from_rfc3339(text)
                .map_err(|e| {
                    SpecError::at_path(
                        "autoscaling.keda.clock_start",
                        format!("invalid RFC 3339 time `{text}`: {e}"),
                    )
                    .with_hint("write it like \"2026-01-05T08:00:00Z\"")
                })?
                .with_timezone(&chrono::Utc),
        ),
        None => None,
    };
    Ok(Some(KedaSim {
        cfg,
        sources,
        errors,
        clock_start,
        window,
    }))
}

impl crate::scenario::autoscaling::PrometheusQuery {
    fn series_needs_queue(&self) -> bool {
        self.metric == PromSeries::QueueBacklog
    }
}

/// Per-run KEDA state: the pure loop's memory and the windowed request series.
pub struct KedaRun {
    /// KEDA's memory.
    pub state: KedaState,
    /// Whether the last poll found the object active.
    pub active: bool,
    /// Completed requests per bucket, oldest first: (bucket start, count, latencies).
    pub buckets: std::collections::VecDeque<(SimTime, u64, LatencyHistogram)>,
    /// Counters for the summary.
    pub activations: u64,
    /// Scale-downs to 0/idle.
    pub deactivations: u64,
    /// Polls with a trigger in fallback.
    pub fallback_polls: u64,
    /// Last metric value per trigger [plain units] (NaN until read).
    pub values: Vec<f64>,
}

impl KedaRun {
    /// Fresh state; the ScaledObject is created at time zero.
    pub fn new(k: &KedaSim) -> KedaRun {
        KedaRun {
            state: KedaState::new(&k.cfg, SimTime::ZERO),
            active: false,
            buckets: std::collections::VecDeque::new(),
            activations: 0,
            deactivations: 0,
            fallback_polls: 0,
            values: vec![f64::NAN; k.cfg.triggers.len()],
        }
    }
}

impl World<'_> {
    /// First KEDA poll: immediately at the start (`startScaleLoop`).
    pub(super) fn start_keda(&mut self) {
        if self.sim.keda.is_some() {
            self.schedule(SimTime::ZERO, Event::KedaPoll);
        }
    }

    /// A completed request, for the windowed Prometheus series.
    pub(super) fn keda_record(&mut self, now: SimTime, latency: SimDuration) {
        let Some(run) = self.keda.as_mut() else {
            return;
        };
        let start = SimTime(now.0 - now.0 % BUCKET.as_nanos());
        if run.buckets.back().is_none_or(|b| b.0 != start) {
            let keep = self.sim.keda.as_ref().map_or(BUCKET, |k| k.window) + BUCKET;
            let mut h = match run.buckets.front() {
                Some(b) if b.0 + keep < now => run.buckets.pop_front().map(|b| b.2),
                _ => None,
            }
            .unwrap_or_default();
            h.reset();
            run.buckets.push_back((start, 0, h));
        }
        let b = run.buckets.back_mut().expect("just pushed");
        b.1 += 1;
        b.2.record(latency);
    }

    fn prometheus_value(
        &self,
        series: PromSeries,
        window: SimDuration,
        q: f64,
        now: SimTime,
    ) -> Option<f64> {
        let run = self.keda.as_ref()?;
        let from = now.0.saturating_sub(window.as_nanos());
        let recent = || {
            run.buckets
                .iter()
                .filter(move |b| b.0 .0 + BUCKET.as_nanos() > from)
        };
        match series {
            PromSeries::QueueBacklog => self.broker.as_ref().map(|b| b.total_lag() as f64),
            PromSeries::InFlight => Some(self.pods.iter().map(|p| f64::from(p.busy)).sum()),
            PromSeries::RequestRate => {
                let n: u64 = recent().map(|b| b.1).sum();
                Some(n as f64 / window.as_secs_f64())
            }
            PromSeries::LatencyQuantile => {
                let mut h = LatencyHistogram::default();
                for b in recent() {
                    h.merge(&b.2);
                }
                (h.count() > 0).then(|| h.quantile_ms(q) / 1e3)
            }
        }
    }

    /// What trigger `i` sees now.
    fn observe(&self, i: usize, now: SimTime) -> Observation {
        let k = self.sim.keda.as_ref().expect("KEDA config");
        if let Some((_, _, _, msg)) = k
            .errors
            .iter()
            .find(|(t, from, to, _)| *t == i && *from <= now && now < *to)
        {
            return Observation::Error(msg.clone());
        }
        match k.sources[i] {
            TriggerSource::Kafka => {
                let b = self.broker.as_ref().expect("Kafka queue");
                let topic = self
                    .sim
                    .queue
                    .as_ref()
                    .map(|q| q.name.clone())
                    .unwrap_or_default();
                Observation::Kafka(
                    b.partitions
                        .iter()
                        .enumerate()
                        .map(|(id, p)| PartitionOffsets {
                            topic: topic.clone(),
                            id: id as i32,
                            latest: Some(p.high_water() as i64),
                            committed: p.committed.map(|c| c as i64),
                        })
                        .collect(),
                )
            }
            TriggerSource::RedisList => Observation::Redis {
                list_length: self.broker.as_ref().map_or(0, |b| b.list.len() as i64),
            },
            TriggerSource::Prometheus {
                series,
                window,
                quantile,
            } => Observation::Prometheus {
                value: self.prometheus_value(series, window, quantile, now),
            },
            TriggerSource::Cron => {
                let start = k.clock_start.expect("validated");
                let offset = chrono::Duration::nanoseconds(now.0 as i64);
                Observation::Cron {
                    now: start + offset,
                }
            }
            TriggerSource::Resource => Observation::Resource,
        }
    }

    /// One KEDA polling cycle.
    pub(super) fn on_keda_poll(&mut self, now: SimTime) {
        let Some(k) = self.sim.keda.as_ref() else {
            return;
        };
        let observations: Vec<Observation> = (0..k.cfg.triggers.len())
            .map(|i| self.observe(i, now))
            .collect();
        let current = self.desired as i32;
        let run = self.keda.as_mut().expect("KEDA state");
        let outcome = poll(&k.cfg, &mut run.state, &observations, current, now);
        let flipped = run.active != outcome.active || now == SimTime::ZERO;
        run.active = outcome.active;
        for (i, t) in outcome.triggers.iter().enumerate() {
            if let Ok(r) = &t.reading {
                if let Some(m) = r.metric_milli {
                    run.values[i] = m as f64 / 1000.0;
                }
            }
        }
        let in_fallback = outcome.triggers.iter().any(|t| t.fallback);
        if flipped {
            let values: Vec<String> = outcome
                .triggers
                .iter()
                .enumerate()
                .map(|(i, t)| match &t.reading {
                    Ok(r) => format!(
                        "trigger {i}: {} active={}",
                        r.metric_milli
                            .map_or("-".to_string(), |m| format!("{}", m as f64 / 1000.0)),
                        t.active
                    ),
                    Err(e) => format!("trigger {i}: error: {e}"),
                })
                .collect();
            let detail = format!("active={}; {}", outcome.active, values.join("; "));
            self.event(
                now,
                "keda_activity",
                format!("scaledobject/{}", k.cfg.name),
                detail,
            );
        }
        let d = &outcome.decision;
        let run = self.keda.as_mut().expect("KEDA state");
        if in_fallback {
            run.fallback_polls += 1;
        }
        match d.action {
            ScaleAction::ScaleFromZero => run.activations += 1,
            ScaleAction::ScaleToZero | ScaleAction::ScaleToIdle => run.deactivations += 1,
            _ => {}
        }
        let object = format!("scaledobject/{}", k.cfg.name);
        if d.action != ScaleAction::None || in_fallback {
            let errors: Vec<String> = outcome
                .triggers
                .iter()
                .enumerate()
                .filter_map(|(i, t)| {
                    t.reading
                        .as_ref()
                        .err()
                        .map(|e| format!("trigger {i}: {e}"))
                })
                .collect();
            let detail = format!(
                "active={} current={current} wrote={} reason={}{}",
                outcome.active,
                d.replicas_written.map_or("-".into(), |r| r.to_string()),
                d.reason,
                if errors.is_empty() {
                    String::new()
                } else {
                    format!("; {}", errors.join("; "))
                }
            );
            let kind = match d.action {
                ScaleAction::ScaleFromZero => "keda_scale_from_zero",
                ScaleAction::ScaleToZero => "keda_scale_to_zero",
                ScaleAction::ScaleToIdle => "keda_scale_to_idle",
                ScaleAction::ScaleToMin => "keda_scale_to_min",
                ScaleAction::Fallback | ScaleAction::None => "keda_fallback",
            };
            self.event(now, kind, object, detail);
        }
        if let Some(n) = d.replicas_written {
            if n >= 0 && n as u32 != self.desired {
                let reason = format!("keda {}", d.action.name());
                self.set_replicas(now, n as u32, &reason);
            }
        }
        let next = now + k.cfg.polling_interval;
        if next < self.end {
            self.schedule(next, Event::KedaPoll);
        }
    }

    /// The External metrics KEDA serves the generated HPA at a sync (live or cached reads,
    /// fallback), into the snapshot.
    pub(super) fn keda_external_metrics(
        &mut self,
        now: SimTime,
        snap: &mut crate::hpa::ClusterSnapshot,
    ) {
        let Some(k) = self.sim.keda.as_ref() else {
            return;
        };
        let current = self.desired as i32;
        let ready = self.endpoints.len() as i32;
        for (i, t) in k.cfg.triggers.iter().enumerate() {
            if t.is_resource() {
                continue;
            }
            let cached = t.use_cached_metrics
                && self
                    .keda
                    .as_ref()
                    .is_some_and(|r| r.state.cache[i].is_some());
            let live = if cached {
                Err(String::new())
            } else {
                let obs = self.observe(i, now);
                let run = self.keda.as_mut().expect("KEDA state");
                read_trigger(t, &obs, &mut run.state.kafka[i]).map(|r| r.metric_milli.unwrap_or(0))
            };
            let run = self.keda.as_mut().expect("KEDA state");
            let read = hpa_read(&k.cfg, &mut run.state, i, || live, current, ready);
            if let Ok(v) = read.value {
                snap.external_metrics.insert(t.metric_name.clone(), vec![v]);
            }
        }
    }

    /// KEDA's time-series values: activity and each trigger's last polled value.
    pub(super) fn keda_columns(&self) -> Vec<f64> {
        let Some(run) = self.keda.as_ref() else {
            return Vec::new();
        };
        let mut v = vec![if run.active { 1.0 } else { 0.0 }];
        v.extend(run.values.iter().copied());
        v
    }
}

/// KEDA's time-series column names: `keda_active`, then `keda_<metric name>` per trigger.
pub fn keda_column_names(k: &KedaSim) -> Vec<String> {
    let mut names = vec!["keda_active".to_string()];
    names.extend(
        k.cfg
            .triggers
            .iter()
            .map(|t| format!("keda_{}", t.metric_name.replace('-', "_"))),
    );
    names
}
