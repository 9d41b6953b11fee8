//! A Prometheus-like pipeline for custom Pods metrics: scraped per-pod counters and gauges,
//! PromQL `rate()` and the instant-vector lookback, and the prometheus-adapter conversion.
//!
//! ```text
//!  world, every scrape_interval, per pod target:
//!    http_requests_total ──scrape(now, pod, value)──▶ CounterSeries  (ring: samples newer
//!                                                                      than now − retention)
//!    in_flight, queue_length ──scrape(now, pod, value)──▶ GaugeSeries (last sample)
//!
//!  HPA sync at `now`, via the adapter (PodsMetric):
//!    Rate  { counter, window } ──▶ rate(pod, now, window)  [1/s] ─┐
//!    Gauge { gauge }           ──▶ latest(pod, now, 5 m)   [1]   ─┴─▶ int64(v·1000) [milli], now
//! ```
//!
//! # Defaults, from the guide (`../shared/guides/000_11bcda11c19f523e.txt`)
//!
//! The guide's prometheus-adapter rule turns `http_requests_total` into
//! `http_requests_per_second` with `sum(rate(<<.Series>>{…}[2m])) by (<<.GroupBy>>)`: the rate
//! window defaults to [`DEFAULT_RATE_WINDOW`] = 2 min. The guide installs the
//! `prometheus-community/prometheus` chart (service `dictamesh-prometheus-server`) without
//! overriding `server.global.scrape_interval`, so the scrape interval is the chart's and
//! Prometheus' own default, [`DEFAULT_SCRAPE_INTERVAL`] = 1 min (15 s is common in tuned
//! clusters; set it in the scenario). The instant-vector lookback is Prometheus'
//! `--query.lookback-delta` default, 5 min.
//!
//! # `rate()` semantics (Prometheus `promql/functions.go`, `extrapolatedRate`)
//!
//! For a query at `now` over `window`:
//! 1. The samples are those with timestamp in **(now − window, now]** (left-open, as
//!    Prometheus 3). Fewer than two → no result (`None`).
//! 2. `increase = last − first`, plus, for every sample lower than its predecessor (a counter
//!    reset), the predecessor's value.
//! 3. `sampled = t_last − t_first`, `avg = sampled / (n − 1)`, `threshold = 1.1 · avg`;
//!    `to_start = t_first − (now − window)`, `to_end = now − t_last`.
//!    If `to_start ≥ threshold` it becomes `avg / 2` (the series probably starts inside the
//!    window); then, if `increase > 0` and `first ≥ 0`, `to_zero = sampled · first / increase`
//!    and `to_start = min(to_start, to_zero)` (a counter is never extrapolated below zero).
//!    If `to_end ≥ threshold` it becomes `avg / 2`.
//! 4. `rate = increase · (sampled + to_start + to_end) / sampled / window` [1/s].
//!
//! With regular scrapes and a query at a scrape instant this is exactly the slope between
//! the oldest and the newest sample in the window, so after a step in load `rate` ramps
//! linearly and reaches the new level `window − scrape_interval` after the step (see the
//! tests). A new pod's rate is underestimated until its series covers the window.
//!
//! Timestamps are kept in ns (Prometheus keeps ms); with scrapes at whole milliseconds the
//! results are identical.
//!
//! # The adapter
//!
//! prometheus-adapter queries Prometheus at the time of the HPA's request and turns each
//! value `v` into `resource.NewMilliQuantity(int64(v*1000.0))` (truncation toward zero; NaN →
//! 0), stamped with the query time; the HPA's `MilliValue()` of it is exact. It only asks for
//! the pods currently listed: call `forget` when a pod leaves the list (deleted), which also
//! plays the part of Prometheus' staleness markers for gauges.

use hpasim_sim::{SimDuration, SimTime, NANOS_PER_SEC};
use std::collections::VecDeque;

/// Prometheus' (and the `prometheus-community/prometheus` chart's) default global
/// `scrape_interval`.
pub const DEFAULT_SCRAPE_INTERVAL: SimDuration = SimDuration::from_secs(60);
/// The guide's adapter rule: `rate(http_requests_total[2m])`.
pub const DEFAULT_RATE_WINDOW: SimDuration = SimDuration::from_secs(120);
/// Prometheus' `--query.lookback-delta` default: how long an instant query sees a gauge's last
/// sample.
pub const DEFAULT_LOOKBACK_DELTA: SimDuration = SimDuration::from_secs(300);
/// Prometheus' extrapolation threshold, as a multiple of the average sample spacing.
pub const EXTRAPOLATION_THRESHOLD: f64 = 1.1;

/// Prometheus configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrometheusConfig {
    /// Scrape interval [s], config (`global.scrape_interval`): how often the world calls
    /// `scrape` on every series. Default 60 s.
    pub scrape_interval: SimDuration,
    /// Lookback delta [s], config (`--query.lookback-delta`): a gauge's last sample is visible
    /// to instant queries for this long. Default 300 s.
    pub lookback_delta: SimDuration,
}

impl Default for PrometheusConfig {
    fn default() -> Self {
        PrometheusConfig {
            scrape_interval: DEFAULT_SCRAPE_INTERVAL,
            lookback_delta: DEFAULT_LOOKBACK_DELTA,
        }
    }
}

impl PrometheusConfig {
    /// Checks the configuration.
    pub fn validate(&self) -> Result<(), String> {
        if self.scrape_interval == SimDuration::ZERO {
            return Err("prometheus scrape_interval must be positive".into());
        }
        if self.lookback_delta == SimDuration::ZERO {
            return Err("prometheus lookback_delta must be positive".into());
        }
        Ok(())
    }
}

/// One scraped sample.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Sample {
    /// Scrape time [ns].
    at: SimTime,
    /// Value [metric unit].
    value: f64,
}

/// A per-pod counter (e.g. `http_requests_total`): the samples of each pod within the
/// retention, in a ring buffer per pod id.
#[derive(Clone, Debug)]
pub struct CounterSeries {
    /// Samples at or before `now − retention` are dropped at each scrape [ns].
    retention: SimDuration,
    pods: Vec<VecDeque<Sample>>,
}

impl CounterSeries {
    /// An empty series keeping `retention` of samples: at least the longest `rate()` window
    /// that will be queried.
    pub fn new(retention: SimDuration) -> Self {
        CounterSeries {
            retention,
            pods: Vec::new(),
        }
    }

    /// The retention [ns].
    pub fn retention(&self) -> SimDuration {
        self.retention
    }

    /// Records `value` [counter units, cumulative] for `pod` at `now`. A sample not newer
    /// than the pod's last one is rejected, as Prometheus rejects out-of-order samples.
    pub fn scrape(&mut self, now: SimTime, pod: u32, value: f64) {
        let i = pod as usize;
        if i >= self.pods.len() {
            self.pods.resize_with(i + 1, VecDeque::new);
        }
        let ring = &mut self.pods[i];
        if ring.back().is_some_and(|s| s.at >= now) {
            return;
        }
        let horizon = i128::from(now.0) - i128::from(self.retention.0);
        while ring.front().is_some_and(|s| i128::from(s.at.0) <= horizon) {
            ring.pop_front();
        }
        ring.push_back(Sample { at: now, value });
    }

    /// PromQL `rate(series[window])` for `pod`, evaluated at `now` [1/s]; `None` with fewer
    /// than two samples in (now − window, now]. `window` should not exceed the retention
    /// (older samples are gone); queries are meant at or after the latest scrape.
    pub fn rate(&self, pod: u32, now: SimTime, window: SimDuration) -> Option<f64> {
        let ring = self.pods.get(pod as usize)?;
        if window == SimDuration::ZERO {
            return None;
        }
        let start = i128::from(now.0) - i128::from(window.0);
        let mut first: Option<Sample> = None;
        let mut last = Sample {
            at: SimTime::ZERO,
            value: 0.0,
        };
        let mut n = 0u32;
        let mut resets = 0.0;
        for &s in ring {
            if i128::from(s.at.0) <= start || s.at > now {
                continue;
            }
            if first.is_none() {
                first = Some(s);
            } else if s.value < last.value {
                resets += last.value;
            }
            last = s;
            n += 1;
        }
        let first = first?;
        if n < 2 {
            return None;
        }
        let result = last.value - first.value + resets;
        let secs = |ns: i128| ns as f64 / NANOS_PER_SEC as f64;
        let sampled = secs(i128::from((last.at - first.at).0));
        let average = sampled / f64::from(n - 1);
        let threshold = average * EXTRAPOLATION_THRESHOLD;
        let mut to_start = secs(i128::from(first.at.0) - start);
        let mut to_end = secs(i128::from((now - last.at).0));
        if to_start >= threshold {
            to_start = average / 2.0;
        }
        if result > 0.0 && first.value >= 0.0 {
            let to_zero = sampled * (first.value / result);
            if to_zero < to_start {
                to_start = to_zero;
            }
        }
        if to_end >= threshold {
            to_end = average / 2.0;
        }
        let factor = (sampled + to_start + to_end) / sampled / window.as_secs_f64();
        Some(result * factor)
    }

    /// Samples held for `pod` (for tests and memory accounting).
    pub fn len(&self, pod: u32) -> usize {
        self.pods.get(pod as usize).map_or(0, VecDeque::len)
    }

    /// True if no sample is held for `pod`.
    pub fn is_empty(&self, pod: u32) -> bool {
        self.len(pod) == 0
    }

    /// Allocated sample slots for `pod` (for tests and memory accounting).
    pub fn capacity(&self, pod: u32) -> usize {
        self.pods.get(pod as usize).map_or(0, VecDeque::capacity)
    }

    /// Drops the pod's series and frees its buffer (the pod was deleted).
    pub fn forget(&mut self, pod: u32) {
        if let Some(ring) = self.pods.get_mut(pod as usize) {
            *ring = VecDeque::new();
        }
    }
}

/// A per-pod gauge (e.g. requests in flight, queue length): the last sample of each pod.
#[derive(Clone, Debug, Default)]
pub struct GaugeSeries {
    pods: Vec<Option<Sample>>,
}

impl GaugeSeries {
    /// An empty series.
    pub fn new() -> Self {
        GaugeSeries::default()
    }

    /// Records `value` [gauge units] for `pod` at `now` (older-than-last samples are rejected).
    pub fn scrape(&mut self, now: SimTime, pod: u32, value: f64) {
        let i = pod as usize;
        if i >= self.pods.len() {
            self.pods.resize(i + 1, None);
        }
        let slot = &mut self.pods[i];
        if slot.is_some_and(|s| s.at >= now) {
            return;
        }
        *slot = Some(Sample { at: now, value });
    }

    /// The instant-query value of the gauge at `now`: the last sample if it lies in
    /// (now − lookback, now], else `None` (stale). Meant for `now` at or after the last scrape.
    pub fn latest(&self, pod: u32, now: SimTime, lookback: SimDuration) -> Option<f64> {
        let s = (*self.pods.get(pod as usize)?)?;
        let fresh = s.at <= now && i128::from(s.at.0) > i128::from(now.0) - i128::from(lookback.0);
        fresh.then_some(s.value)
    }

    /// Drops the pod's sample (the pod was deleted).
    pub fn forget(&mut self, pod: u32) {
        if let Some(slot) = self.pods.get_mut(pod as usize) {
            *slot = None;
        }
    }
}

/// Index of a counter in a [`Prometheus`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CounterId(pub u16);

/// Index of a gauge in a [`Prometheus`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GaugeId(pub u16);

/// The Prometheus server: named per-pod counters and gauges.
#[derive(Clone, Debug)]
pub struct Prometheus {
    config: PrometheusConfig,
    counters: Vec<(String, CounterSeries)>,
    gauges: Vec<(String, GaugeSeries)>,
}

impl Prometheus {
    /// A server with no series.
    pub fn new(config: PrometheusConfig) -> Self {
        Prometheus {
            config,
            counters: Vec::new(),
            gauges: Vec::new(),
        }
    }

    /// Its configuration.
    pub fn config(&self) -> &PrometheusConfig {
        &self.config
    }

    /// Adds (or finds) the counter `name`, keeping at least `retention` of samples (the longest
    /// rate window queried on it; an existing counter's retention grows to it).
    pub fn add_counter(&mut self, name: &str, retention: SimDuration) -> CounterId {
        if let Some(i) = self.counters.iter().position(|(n, _)| n == name) {
            let series = &mut self.counters[i].1;
            series.retention = series.retention.max(retention);
            return CounterId(i as u16);
        }
        self.counters
            .push((name.to_owned(), CounterSeries::new(retention)));
        CounterId((self.counters.len() - 1) as u16)
    }

    /// Adds (or finds) the gauge `name`.
    pub fn add_gauge(&mut self, name: &str) -> GaugeId {
        if let Some(i) = self.gauges.iter().position(|(n, _)| n == name) {
            return GaugeId(i as u16);
        }
        self.gauges.push((name.to_owned(), GaugeSeries::new()));
        GaugeId((self.gauges.len() - 1) as u16)
    }

    /// The counter called `name`.
    pub fn counter_id(&self, name: &str) -> Option<CounterId> {
        let i = self.counters.iter().position(|(n, _)| n == name)?;
        Some(CounterId(i as u16))
    }

    /// The gauge called `name`.
    pub fn gauge_id(&self, name: &str) -> Option<GaugeId> {
        let i = self.gauges.iter().position(|(n, _)| n == name)?;
        Some(GaugeId(i as u16))
    }

    /// A counter.
    pub fn counter(&self, id: CounterId) -> &CounterSeries {
        &self.counters[id.0 as usize].1
    }

    /// A counter, to scrape into.
    pub fn counter_mut(&mut self, id: CounterId) -> &mut CounterSeries {
        &mut self.counters[id.0 as usize].1
    }

    /// A gauge.
    pub fn gauge(&self, id: GaugeId) -> &GaugeSeries {
        &self.gauges[id.0 as usize].1
    }

    /// A gauge, to scrape into.
    pub fn gauge_mut(&mut self, id: GaugeId) -> &mut GaugeSeries {
        &mut self.gauges[id.0 as usize].1
    }

    /// Drops every series of `pod` (the pod was deleted).
    pub fn forget(&mut self, pod: u32) {
        for (_, c) in &mut self.counters {
            c.forget(pod);
        }
        for (_, g) in &mut self.gauges {
            g.forget(pod);
        }
    }
}

/// Where a Pods metric's value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodsMetricSource {
    /// `rate(counter[window])` [1/s].
    Rate {
        /// The counter.
        counter: CounterId,
        /// Rate window [s].
        window: SimDuration,
    },
    /// The gauge's instant value (lookback from the Prometheus config).
    Gauge {
        /// The gauge.
        gauge: GaugeId,
    },
}

/// A Pods metric as the HPA sees it through prometheus-adapter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodsMetric {
    /// The name the HPA asks for (e.g. `http_requests_per_second`).
    pub name: String,
    /// The query behind it.
    pub source: PodsMetricSource,
}

/// One pod's value of a Pods metric, as the HPA's metrics client returns it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PodsMetricValue {
    /// Value [milli-units] (the quantity's `MilliValue()`).
    pub milli: i64,
    /// The query time (prometheus-adapter stamps values with `time.Now()`) [ns].
    pub timestamp: SimTime,
}

impl PodsMetric {
    /// `name` = `rate(counter[window])`.
    pub fn rate(name: &str, counter: CounterId, window: SimDuration) -> Self {
        PodsMetric {
            name: name.to_owned(),
            source: PodsMetricSource::Rate { counter, window },
        }
    }

    /// `name` = the gauge's instant value.
    pub fn gauge(name: &str, gauge: GaugeId) -> Self {
        PodsMetric {
            name: name.to_owned(),
            source: PodsMetricSource::Gauge { gauge },
        }
    }

    /// The value for `pod` at `now`, or `None` when the query has no result for it (the HPA
    /// then counts the pod as missing).
    pub fn value(&self, prom: &Prometheus, pod: u32, now: SimTime) -> Option<PodsMetricValue> {
        let v = match self.source {
            PodsMetricSource::Rate { counter, window } => {
                prom.counter(counter).rate(pod, now, window)?
            }
            PodsMetricSource::Gauge { gauge } => {
                prom.gauge(gauge)
                    .latest(pod, now, prom.config.lookback_delta)?
            }
        };
        Some(PodsMetricValue {
            milli: adapter_milli(v),
            timestamp: now,
        })
    }
}

/// prometheus-adapter's (and KEDA's) conversion of a sample value to a quantity:
/// `NewMilliQuantity(int64(v*1000.0))`, truncating toward zero; NaN gives 0. Out-of-range
/// values saturate.
pub fn adapter_milli(v: f64) -> i64 {
    if v.is_nan() {
        0
    } else {
        (v * 1000.0) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(secs: u64) -> SimTime {
        SimTime(secs * NANOS_PER_SEC)
    }

    fn s_f(secs: f64) -> SimTime {
        SimTime::from_secs_f64(secs)
    }

    const W2M: SimDuration = SimDuration::from_secs(120);

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    /// 10 requests/s until 600 s, 20/s after.
    fn stepped(t: f64) -> f64 {
        if t <= 600.0 {
            10.0 * t
        } else {
            6000.0 + 20.0 * (t - 600.0)
        }
    }

    fn scraped(until: u64, every: u64, f: impl Fn(f64) -> f64) -> CounterSeries {
        let mut c = CounterSeries::new(W2M);
        let mut t = every;
        while t <= until {
            c.scrape(s(t), 0, f(t as f64));
            t += every;
        }
        c
    }

    #[test]
    fn rate_of_a_constant_rate_counter_is_that_rate() {
        for every in [15, 30, 60] {
            let c = scraped(900, every, |t| 1000.0 + 7.5 * t);
            // Queries at and after the last scrape (900 s).
            for now in [900.0, 905.0, 912.5] {
                let r = c.rate(0, s_f(now), W2M).unwrap();
                assert!(close(r, 7.5), "every {every}s at {now}: {r}");
            }
        }
    }

    #[test]
    fn the_default_pipeline_is_a_one_minute_scrape_and_a_two_minute_rate() {
        let config = PrometheusConfig::default();
        assert_eq!(config.scrape_interval, SimDuration::from_secs(60));
        assert_eq!(config.lookback_delta, SimDuration::from_secs(300));
        assert_eq!(DEFAULT_RATE_WINDOW, W2M);
        assert!(config.validate().is_ok());
        // Two samples per window (540 s, 600 s) are enough.
        let c = scraped(600, 60, |t| 10.0 * t);
        assert!(close(c.rate(0, s(600), W2M).unwrap(), 10.0));
        let bad = PrometheusConfig {
            scrape_interval: SimDuration::ZERO,
            ..config
        };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn rate_lags_a_step_in_load_by_about_the_window() {
        // 15 s scrapes, rate(...[2m]), load steps from 10/s to 20/s at 600 s. At a query
        // instant on a scrape, the window (now − 120, now] holds the 8 samples now − 105 … now:
        // sampled = 105 s, avg = 15 s, to_start = 15 s < 16.5 s (extrapolate to the edge),
        // to_zero ≫ 15 s, to_end = 0, so rate = Δ · (105 + 15)/105/120 = Δ/105:
        //   now   first sample (value)  last (value)   rate
        //   600   495 (4950)            600 (6000)     1050/105 = 10
        //   615   510 (5100)            615 (6300)     1200/105 = 11.428571…
        //   630   525 (5250)            630 (6600)     1350/105 = 12.857142…
        //   645   540 (5400)            645 (6900)     1500/105 = 14.285714…
        //   660   555 (5550)            660 (7200)     1650/105 = 15.714285…
        //   675   570 (5700)            675 (7500)     1800/105 = 17.142857…
        //   690   585 (5850)            690 (7800)     1950/105 = 18.571428…
        //   705   600 (6000)            705 (8100)     2100/105 = 20
        // i.e. a linear ramp reaching 20/s 105 s (window − interval) after the step.
        let mut c = CounterSeries::new(W2M);
        let expected = [
            1050.0, 1200.0, 1350.0, 1500.0, 1650.0, 1800.0, 1950.0, 2100.0,
        ];
        let mut t = 15;
        while t <= 705 {
            c.scrape(s(t), 0, stepped(t as f64));
            if t >= 600 {
                let delta = expected[((t - 600) / 15) as usize];
                let r = c.rate(0, s(t), W2M).unwrap();
                assert!(close(r, delta / 105.0), "at {t}: {r} vs {}", delta / 105.0);
            }
            if t == 660 {
                // Between scrapes (667.5 s): samples 555 … 660, to_start = to_end = 7.5 s, so
                // rate = 1650 · (105 + 15)/105/120 = 1650/105 again.
                let r = c.rate(0, s_f(667.5), W2M).unwrap();
                assert!(close(r, 1650.0 / 105.0), "{r}");
            }
            if t == 615 {
                // The adapter truncates to milli-units: 11.428571… → 11428.
                assert_eq!(adapter_milli(c.rate(0, s(t), W2M).unwrap()), 11428);
            }
            t += 15;
        }
        // Through the adapter, at 705 s: Prometheus computes 2100 · ((105 + 15 + 0)/105/120)
        // in this order, which is 19.999999999999996 in f64, and the adapter truncates: the
        // HPA sees 19999m, not 20000m, exactly as in a real cluster.
        let mut prom = Prometheus::new(PrometheusConfig::default());
        let id = prom.add_counter("http_requests_total", W2M);
        *prom.counter_mut(id) = c;
        let m = PodsMetric::rate("http_requests_per_second", id, W2M);
        assert_eq!(
            m.value(&prom, 0, s(705)),
            Some(PodsMetricValue {
                milli: 19999,
                timestamp: s(705)
            })
        );
        assert_eq!(m.value(&prom, 1, s(705)), None);
    }

    #[test]
    fn a_young_series_extrapolates_half_an_interval_and_never_below_zero() {
        // Samples at 15 s (150) and 30 s (300), query at 30 s over 2 m: sampled = 15 s,
        // to_start = 30 − (−90) = 120 s ≥ 16.5 s → 7.5 s; to_zero = 15·150/150 = 15 s (no
        // clamp); rate = 150 · (15 + 7.5)/15/120 = 1.875.
        let mut c = CounterSeries::new(W2M);
        c.scrape(s(15), 0, 150.0);
        c.scrape(s(30), 0, 300.0);
        assert!(close(c.rate(0, s(30), W2M).unwrap(), 1.875));
        // Samples 50 at 15 s and 200 at 30 s: to_zero = 15·50/150 = 5 s < 7.5 s, so
        // rate = 150 · (15 + 5)/15/120 = 200/120: the increase never exceeds the counter.
        let mut c = CounterSeries::new(W2M);
        c.scrape(s(15), 0, 50.0);
        c.scrape(s(30), 0, 200.0);
        assert!(close(c.rate(0, s(30), W2M).unwrap(), 200.0 / 120.0));
        // A gap at the end (last sample 40 s before now, threshold 16.5 s) extrapolates
        // half an interval: rate = 150 · (15 + 5 + 7.5)/15/120.
        assert!(close(
            c.rate(0, s(70), W2M).unwrap(),
            150.0 * 27.5 / 15.0 / 120.0
        ));
    }

    #[test]
    fn counter_resets_add_the_value_before_the_reset() {
        // 100, 200, 50 (reset), 150 at 15, 30, 45, 60 s; rate over 60 s at 60 s: the window
        // (0, 60] holds all four. increase = 150 − 100 + 200 = 250; sampled = 45 s,
        // to_start = 15 s < 16.5 s, to_zero = 45·100/250 = 18 s (no clamp), to_end = 0:
        // rate = 250 · 60/45/60 = 250/45.
        let mut c = CounterSeries::new(W2M);
        for (t, v) in [(15, 100.0), (30, 200.0), (45, 50.0), (60, 150.0)] {
            c.scrape(s(t), 0, v);
        }
        let r = c.rate(0, s(60), SimDuration::from_secs(60)).unwrap();
        assert!(close(r, 250.0 / 45.0), "{r}");
    }

    #[test]
    fn fewer_than_two_samples_in_the_window_give_no_rate() {
        let mut c = CounterSeries::new(W2M);
        assert_eq!(c.rate(0, s(10), W2M), None);
        c.scrape(s(15), 0, 10.0);
        assert_eq!(c.rate(0, s(15), W2M), None);
        c.scrape(s(30), 0, 20.0);
        assert!(c.rate(0, s(30), W2M).is_some());
        // The window is left-open: at 135 s the sample at 15 s is out.
        assert!(c.rate(0, s(134), W2M).is_some());
        assert_eq!(c.rate(0, s(135), W2M), None);
        // Unknown pods and a zero window have no rate.
        assert_eq!(c.rate(3, s(30), W2M), None);
        assert_eq!(c.rate(0, s(30), SimDuration::ZERO), None);
        c.forget(0);
        assert_eq!(c.rate(0, s(30), W2M), None);
    }

    #[test]
    fn gauges_go_stale_after_the_lookback() {
        let mut prom = Prometheus::new(PrometheusConfig::default());
        let g = prom.add_gauge("http_requests_in_flight");
        assert_eq!(prom.add_gauge("http_requests_in_flight"), g);
        assert_eq!(prom.gauge_id("http_requests_in_flight"), Some(g));
        prom.gauge_mut(g).scrape(s(60), 2, 3.25);
        let lookback = DEFAULT_LOOKBACK_DELTA;
        assert_eq!(prom.gauge(g).latest(2, s(60), lookback), Some(3.25));
        assert_eq!(prom.gauge(g).latest(2, s(359), lookback), Some(3.25));
        assert_eq!(prom.gauge(g).latest(2, s(360), lookback), None);
        assert_eq!(prom.gauge(g).latest(2, s(59), lookback), None);
        let m = PodsMetric::gauge("in_flight", g);
        assert_eq!(m.value(&prom, 2, s(100)).unwrap().milli, 3250);
        assert_eq!(m.value(&prom, 2, s(400)), None);
        assert_eq!(m.value(&prom, 0, s(100)), None);
        prom.forget(2);
        assert_eq!(m.value(&prom, 2, s(100)), None);
    }

    #[test]
    fn the_ring_buffer_stays_bounded_over_a_long_run() {
        let mut c = CounterSeries::new(W2M);
        let mut t = 0;
        while t <= 86_400 {
            c.scrape(s(t), 0, t as f64);
            // Samples in (t − 120, t]: at most 120/15 = 8.
            assert!(c.len(0) <= 8, "{} samples at {t}", c.len(0));
            t += 15;
        }
        assert_eq!(c.len(0), 8);
        assert!(c.capacity(0) <= 16, "capacity {}", c.capacity(0));
        assert!(close(c.rate(0, s(86_400), W2M).unwrap(), 1.0));
        c.forget(0);
        assert_eq!((c.len(0), c.capacity(0)), (0, 0));
    }

    #[test]
    fn the_adapter_truncates_to_milli_units() {
        assert_eq!(adapter_milli(1.23456), 1234);
        assert_eq!(adapter_milli(-1.23456), -1234);
        assert_eq!(adapter_milli(f64::NAN), 0);
        assert_eq!(adapter_milli(0.0009), 0);
    }

    #[test]
    fn counters_are_registered_once_by_name() {
        let mut prom = Prometheus::new(PrometheusConfig::default());
        let a = prom.add_counter("http_requests_total", SimDuration::from_secs(60));
        let b = prom.add_counter("http_requests_total", W2M);
        assert_eq!(a, b);
        assert_eq!(prom.counter(a).retention(), W2M);
        assert_eq!(prom.counter_id("nope"), None);
        prom.counter_mut(a).scrape(s(1), 0, 1.0);
        prom.counter_mut(a).scrape(s(1), 0, 5.0); // duplicate rejected
        assert_eq!(prom.counter(a).len(0), 1);
        prom.forget(0);
        assert!(prom.counter(a).is_empty(0));
    }
}
