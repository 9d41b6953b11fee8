//! metrics-server: the CPU and memory of each pod as the HPA's Resource metrics see them
//! (spec §9).
//!
//! ```text
//!   t0        t1 = t0 + resolution        sync
//!   │ sample  │ sample                    │
//!   ▼         ▼                           ▼
//!   prev ──── last        usage = Δcpu/Δt over [prev, last], timestamp = last, window = Δt
//!                         memory = working set at `last`
//! ```
//!
//! What it reads (from the world, at every scrape tick, for every Running pod):
//! the container's start time, its cumulative CPU counter [core·s since the container
//! started] and its working set [B]. What it emits (to the HPA, at any time): per pod
//! [`PodCpuMetric`] and the working set, as of the latest scrape batch.
//!
//! Rules, as metrics-server does them (`pkg/storage/pod.go`, `types.go`):
//!
//! * **Batches.** Every call to [`MetricsServer::scrape`] with the same `now` belongs to one
//!   batch (one scrape of every kubelet). metrics-server replaces its store with each batch,
//!   so a pod that was not scraped in the latest batch has no metric, and a pod that missed a
//!   batch starts again from a single sample.
//! * **Two samples.** A pod is reported only when it has both a last and a previous sample;
//!   a new pod therefore has no metric (the HPA counts it as "missing") until its second
//!   scrape. The previous sample is kept only if the container has not restarted since it
//!   (`container_started < prev.timestamp`). This applies to memory too: metrics-server returns
//!   the pod (CPU and memory together) only when the CPU rate exists.
//! * **Fresh containers.** If the container's age at a scrape is in
//!   [10 s, resolution) (`freshContainerMinMetricsResolution`), the previous sample is a
//!   synthetic zero at the container's start time, so the pod has a metric at its first
//!   scrape, with `window` = its age. A container younger than 10 s at its first scrape waits
//!   for its second.
//! * **CPU usage.** The kubelet's counter is integer core-nanoseconds (we round the world's
//!   core-seconds to the nearest ns). `nanocores = uint64(Δns / window.Seconds())`
//!   (truncation, as Go's float→uint64 conversion); the HPA then reads the quantity's
//!   `MilliValue()`, which rounds **up**: `usage_milli = ceil(nanocores / 10⁶)`.
//!   A counter that went down (it never does for one container) makes the pod metric-less,
//!   as metrics-server's "unexpected decrease in cumulative CPU usage value".
//! * **Memory.** The working set [B] of the last sample, rounded to the nearest byte; the HPA
//!   reads `MilliValue()` of it, i.e. bytes × 1000, exactly.
//!
//! One container per pod is modelled (the world sums its containers if it has several).

use hpasim_sim::{SimDuration, SimTime, NANOS_PER_SEC};

/// The shipped manifest's and Helm chart's `--metric-resolution` (the binary's own default is
/// 60 s).
pub const DEFAULT_METRIC_RESOLUTION: SimDuration = SimDuration::from_secs(15);
/// The smallest `--metric-resolution` metrics-server accepts.
pub const MIN_METRIC_RESOLUTION: SimDuration = SimDuration::from_secs(10);
/// `freshContainerMinMetricsResolution`: the minimum age at which a container's first sample is
/// paired with a synthetic zero at its start time.
pub const FRESH_CONTAINER_MIN_AGE: SimDuration = SimDuration::from_secs(10);

/// metrics-server configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetricsServerConfig {
    /// Metric resolution [s], config (`--metric-resolution`): the scrape period, and the
    /// upper bound of the fresh-container rule. Default 15 s, minimum 10 s.
    pub metric_resolution: SimDuration,
}

impl Default for MetricsServerConfig {
    fn default() -> Self {
        MetricsServerConfig {
            metric_resolution: DEFAULT_METRIC_RESOLUTION,
        }
    }
}

impl MetricsServerConfig {
    /// Checks the configuration as metrics-server's option validation does.
    pub fn validate(&self) -> Result<(), String> {
        if self.metric_resolution < MIN_METRIC_RESOLUTION {
            return Err(format!(
                "metric-resolution should be a time duration at least 10s, but value {}s provided",
                self.metric_resolution.as_secs_f64()
            ));
        }
        Ok(())
    }
}

/// A pod's CPU as the HPA's metrics client returns it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PodCpuMetric {
    /// CPU usage [millicores], `MilliValue()` of the nanocore rate (rounded up).
    pub usage_milli: i64,
    /// Time of the newer of the two samples [ns].
    pub timestamp: SimTime,
    /// Span between the two samples [ns] (≈ the resolution; the container's age for the
    /// fresh-container rule).
    pub window: SimDuration,
}

/// One kubelet sample of one pod.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Point {
    /// Sample time [ns].
    at: SimTime,
    /// Cumulative CPU since the container started [core·ns].
    cpu_ns: u64,
    /// Working set [B].
    memory_bytes: u64,
}

/// What is stored for one pod id.
#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    last: Option<Point>,
    prev: Option<Point>,
}

/// The metrics-server store: the last two samples of every pod, indexed by pod id.
#[derive(Clone, Debug)]
pub struct MetricsServer {
    config: MetricsServerConfig,
    slots: Vec<Slot>,
    /// Time of the latest batch.
    batch: Option<SimTime>,
    /// Time of the batch before it.
    previous_batch: Option<SimTime>,
}

impl MetricsServer {
    /// An empty store.
    pub fn new(config: MetricsServerConfig) -> Self {
        MetricsServer {
            config,
            slots: Vec::new(),
            batch: None,
            previous_batch: None,
        }
    }

    /// Its configuration.
    pub fn config(&self) -> &MetricsServerConfig {
        &self.config
    }

    /// Time of the latest scrape batch, if any [ns].
    pub fn latest_batch(&self) -> Option<SimTime> {
        self.batch
    }

    /// Records one kubelet sample of `pod` in the batch at `now`.
    ///
    /// Call it for every running pod at each scrape tick, with the same `now` for the whole
    /// tick. `container_started` [ns] is the container's start time (a restart resets
    /// `cpu_core_seconds_total`); `cpu_core_seconds_total` [core·s] is the CPU the container used
    /// since it started; `working_set_bytes` [B] its working set now. A second sample of the
    /// same pod in the same batch, or a sample older than the latest batch, is ignored.
    pub fn scrape(
        &mut self,
        now: SimTime,
        pod: u32,
        container_started: SimTime,
        cpu_core_seconds_total: f64,
        working_set_bytes: f64,
    ) {
        match self.batch {
            Some(b) if now < b => return,
            Some(b) if now == b => {}
            _ => {
                self.previous_batch = self.batch;
                self.batch = Some(now);
            }
        }
        let i = pod as usize;
        if i >= self.slots.len() {
            self.slots.resize(i + 1, Slot::default());
        }
        let slot = &mut self.slots[i];
        if slot.last.is_some_and(|p| p.at >= now) {
            return;
        }
        let new = Point {
            at: now,
            cpu_ns: to_integer(cpu_core_seconds_total * NANOS_PER_SEC as f64),
            memory_bytes: to_integer(working_set_bytes),
        };
        let age = now.saturating_since(container_started);
        let prev = if container_started < now
            && age < self.config.metric_resolution
            && age >= FRESH_CONTAINER_MIN_AGE
        {
            Some(Point {
                at: container_started,
                cpu_ns: 0,
                memory_bytes: new.memory_bytes,
            })
        } else {
            match slot.last {
                // In the previous batch, and the container has not restarted since.
                Some(last)
                    if Some(last.at) == self.previous_batch && container_started < last.at =>
                {
                    Some(last)
                }
                _ => None,
            }
        };
        slot.prev = prev;
        slot.last = Some(new);
    }

    /// The pod's CPU usage as the HPA reads it, or `None` if metrics-server would not return
    /// the pod (fewer than two samples, not in the latest batch, counter decrease).
    pub fn pod_cpu(&self, pod: u32) -> Option<PodCpuMetric> {
        let (last, prev) = self.pair(pod)?;
        let window = last.at - prev.at;
        let nanocores = ((last.cpu_ns - prev.cpu_ns) as f64 / go_seconds(window)) as u64;
        Some(PodCpuMetric {
            usage_milli: nanocores.div_ceil(1_000_000) as i64,
            timestamp: last.at,
            window,
        })
    }

    /// The pod's working set [B] at the latest scrape and that scrape's time [ns], when
    /// metrics-server returns the pod (same availability as [`MetricsServer::pod_cpu`]). The
    /// HPA's `MilliValue()` of it is `bytes * 1000`.
    pub fn pod_memory(&self, pod: u32) -> Option<(i64, SimTime)> {
        let (last, _) = self.pair(pod)?;
        Some((last.memory_bytes.min(i64::MAX as u64) as i64, last.at))
    }

    /// Drops everything stored about `pod` (it was deleted).
    pub fn forget(&mut self, pod: u32) {
        if let Some(slot) = self.slots.get_mut(pod as usize) {
            *slot = Slot::default();
        }
    }

    /// The two samples of a pod that metrics-server would return, if it would.
    fn pair(&self, pod: u32) -> Option<(Point, Point)> {
        let slot = self.slots.get(pod as usize)?;
        let last = slot.last?;
        let prev = slot.prev?;
        (Some(last.at) == self.batch && last.cpu_ns >= prev.cpu_ns && prev.at < last.at)
            .then_some((last, prev))
    }
}

/// A pod's working set [B] under the memory model: a base (runtime, heap at rest) plus a
/// fixed amount per request in flight.
pub fn working_set(base_bytes: f64, per_request_bytes: f64, in_flight: u32) -> f64 {
    base_bytes + per_request_bytes * f64::from(in_flight)
}

/// Rounds a non-negative quantity to the nearest integer (negative or NaN → 0, saturating).
fn to_integer(x: f64) -> u64 {
    if x.is_nan() || x <= 0.0 {
        0
    } else {
        x.round() as u64
    }
}

/// Go's `time.Duration.Seconds()`: whole seconds plus the remainder, in float.
fn go_seconds(d: SimDuration) -> f64 {
    let sec = d.0 / NANOS_PER_SEC;
    let nsec = d.0 % NANOS_PER_SEC;
    sec as f64 + nsec as f64 / 1e9
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(secs: u64) -> SimTime {
        SimTime(secs * NANOS_PER_SEC)
    }

    fn server() -> MetricsServer {
        MetricsServer::new(MetricsServerConfig::default())
    }

    #[test]
    fn the_default_resolution_is_the_shipped_15_s_and_below_10_s_is_rejected() {
        assert_eq!(
            MetricsServerConfig::default().metric_resolution,
            SimDuration::from_secs(15)
        );
        assert!(MetricsServerConfig::default().validate().is_ok());
        let ok = MetricsServerConfig {
            metric_resolution: SimDuration::from_secs(10),
        };
        assert!(ok.validate().is_ok());
        let bad = MetricsServerConfig {
            metric_resolution: SimDuration::from_secs(9),
        };
        let err = bad.validate().unwrap_err();
        assert!(err.contains("at least 10s"), "{err}");
    }

    #[test]
    fn a_new_pod_has_no_cpu_metric_until_its_second_scrape() {
        let mut m = server();
        // Container started at 0: age 15 s at the first scrape, not < resolution.
        m.scrape(s(15), 0, s(0), 3.0, 1e8);
        assert_eq!(m.pod_cpu(0), None);
        assert_eq!(m.pod_memory(0), None);
        m.scrape(s(30), 0, s(0), 6.0, 1e8);
        let cpu = m.pod_cpu(0).unwrap();
        assert_eq!(cpu.usage_milli, 200);
        assert_eq!(cpu.timestamp, s(30));
        assert_eq!(cpu.window, SimDuration::from_secs(15));
        // Never-scraped pods have nothing.
        assert_eq!(m.pod_cpu(7), None);
    }

    #[test]
    fn cpu_usage_is_the_exact_average_over_the_last_scrape_window() {
        let mut m = server();
        // The pod uses 0.35 core until t = 40 s, then 0.8 core: the counter is piecewise linear.
        let counter = |t: f64| {
            if t <= 40.0 {
                0.35 * t
            } else {
                0.35 * 40.0 + 0.8 * (t - 40.0)
            }
        };
        for k in 1..=4u64 {
            let t = 15 * k;
            m.scrape(s(t), 0, s(0), counter(t as f64), 0.0);
        }
        // Scrapes at 15, 30, 45, 60: the last window is [45, 60], all at 0.8 core.
        let cpu = m.pod_cpu(0).unwrap();
        assert_eq!(cpu.usage_milli, 800);
        assert_eq!(cpu.timestamp, s(60));
        let mut m = server();
        for k in 1..=3u64 {
            let t = 15 * k;
            m.scrape(s(t), 0, s(0), counter(t as f64), 0.0);
        }
        // Scrapes at 15, 30, 45: the last window is [30, 45]: 10 s at 0.35 + 5 s at 0.8
        // = 7.5 core·s over 15 s = 0.5 core.
        assert_eq!(m.pod_cpu(0).unwrap().usage_milli, 500);
    }

    #[test]
    fn a_fresh_container_gets_a_synthetic_zero_sample_at_its_start() {
        let mut m = server();
        // Started at 3 s, first scrape at 15 s: age 12 s in [10 s, 15 s).
        m.scrape(s(15), 0, s(3), 1.2, 5e7);
        let cpu = m.pod_cpu(0).unwrap();
        assert_eq!(cpu.usage_milli, 100); // 1.2 core·s over 12 s
        assert_eq!(cpu.window, SimDuration::from_secs(12));
        assert_eq!(cpu.timestamp, s(15));
        assert_eq!(m.pod_memory(0), Some((50_000_000, s(15))));
        // The next scrape uses the real previous sample.
        m.scrape(s(30), 0, s(3), 1.2 + 3.0, 5e7);
        let cpu = m.pod_cpu(0).unwrap();
        assert_eq!(
            (cpu.usage_milli, cpu.window),
            (200, SimDuration::from_secs(15))
        );
        // Started at 8 s: age 7 s < 10 s, no synthetic sample.
        m.scrape(s(45), 1, s(38), 0.5, 5e7);
        assert_eq!(m.pod_cpu(1), None);
        // Age exactly 10 s qualifies (lower bound inclusive).
        m.scrape(s(45), 2, s(35), 1.0, 5e7);
        assert_eq!(m.pod_cpu(2).unwrap().usage_milli, 100);
    }

    #[test]
    fn millicores_truncate_to_nanocores_then_round_up() {
        let mut m = server();
        for pod in 0..3 {
            m.scrape(s(15), pod, s(0), 0.0, 0.0);
        }
        // 1_500_000_015 core·ns over 15 s = 100_000_001 nanocores → ceil → 101 m.
        m.scrape(s(30), 0, s(0), 1.500_000_015, 0.0);
        // 1_500_000_014 core·ns / 15 s = 100_000_000.93 → truncated to 100_000_000 → 100 m.
        m.scrape(s(30), 1, s(0), 1.500_000_014, 0.0);
        // Any nonzero use shows as at least 1 m: 1000 core·ns / 15 s = 66 nanocores → 1 m.
        m.scrape(s(30), 2, s(0), 1e-6, 0.0);
        assert_eq!(m.pod_cpu(0).unwrap().usage_milli, 101);
        assert_eq!(m.pod_cpu(1).unwrap().usage_milli, 100);
        assert_eq!(m.pod_cpu(2).unwrap().usage_milli, 1);
    }

    #[test]
    fn memory_is_the_working_set_at_the_last_scrape() {
        let mut m = server();
        let ws = working_set(100e6, 2e6, 10);
        assert_eq!(ws, 120e6);
        m.scrape(s(15), 0, s(0), 0.0, ws);
        m.scrape(s(30), 0, s(0), 1.0, working_set(100e6, 2e6, 3));
        assert_eq!(m.pod_memory(0), Some((106_000_000, s(30))));
        // In-flight changes between scrapes are invisible until the next scrape.
        m.scrape(s(45), 0, s(0), 2.0, working_set(100e6, 2e6, 50));
        assert_eq!(m.pod_memory(0), Some((200_000_000, s(45))));
    }

    #[test]
    fn a_pod_missing_from_the_latest_batch_has_no_metric_and_restarts_from_one_sample() {
        let mut m = server();
        for t in [15, 30] {
            m.scrape(s(t), 0, s(0), t as f64, 0.0);
            m.scrape(s(t), 1, s(0), t as f64, 0.0);
        }
        assert!(m.pod_cpu(1).is_some());
        m.scrape(s(45), 0, s(0), 45.0, 0.0); // pod 1 not scraped at 45
        assert!(m.pod_cpu(0).is_some());
        assert_eq!(m.pod_cpu(1), None);
        m.scrape(s(60), 0, s(0), 60.0, 0.0);
        m.scrape(s(60), 1, s(0), 60.0, 0.0);
        assert_eq!(
            m.pod_cpu(1),
            None,
            "the sample at 30 s is not in the previous batch"
        );
        m.scrape(s(75), 1, s(0), 75.0, 0.0);
        assert_eq!(m.pod_cpu(1).unwrap().usage_milli, 1000);
    }

    #[test]
    fn a_restarted_container_starts_over_and_forget_clears_the_pod() {
        let mut m = server();
        m.scrape(s(15), 0, s(0), 5.0, 0.0);
        m.scrape(s(30), 0, s(0), 10.0, 0.0);
        assert!(m.pod_cpu(0).is_some());
        // Restarted at 31 s: counter reset, age 14 s at 45 s → fresh-container rule.
        m.scrape(s(45), 0, s(31), 1.4, 0.0);
        let cpu = m.pod_cpu(0).unwrap();
        assert_eq!(
            (cpu.usage_milli, cpu.window),
            (100, SimDuration::from_secs(14))
        );
        // Restarted at 58 s: age 2 s at 60 s → no metric until the next scrape.
        m.scrape(s(60), 0, s(58), 0.1, 0.0);
        assert_eq!(m.pod_cpu(0), None);
        m.forget(0);
        m.scrape(s(75), 0, s(58), 1.0, 0.0);
        assert_eq!(m.pod_cpu(0), None);
        m.forget(99); // unknown ids are fine
    }

    #[test]
    fn duplicate_and_late_samples_are_ignored() {
        let mut m = server();
        m.scrape(s(15), 0, s(0), 0.0, 0.0);
        m.scrape(s(30), 0, s(0), 15.0, 0.0);
        m.scrape(s(30), 0, s(0), 99.0, 0.0);
        m.scrape(s(20), 0, s(0), 99.0, 0.0);
        assert_eq!(m.pod_cpu(0).unwrap().usage_milli, 1000);
        assert_eq!(m.latest_batch(), Some(s(30)));
    }
}
