//! Usage aggregation (upstream `model/aggregate_container_state.go` and `model/container.go`).
//!
//! An [`AggregateContainerState`] holds the CPU usage histogram, the memory peaks histogram
//! and the CPU sample count and span (the confidence inputs) of one container name under one
//! VPA. A [`ContainerState`] is one running container's view: it drops duplicate or
//! out-of-order samples and keeps the current memory aggregation window, so that each
//! container contributes one memory sample (its peak) per interval.
//!
//! CPU: a sample of `usage` cores is added with base weight `max(request cores, 0.1)` at its
//! measurement start (a larger request makes the past relatively lighter).
//! Memory: the first sample opens a window ending `interval` after it; within a window a
//! larger sample replaces the window's peak (the old peak is subtracted, the new one added);
//! a sample at or after the window's end moves the end forward by whole intervals until it
//! lies beyond the sample and adds the sample as the new window's first peak. Peaks are
//! added with base weight 1 at the window's *end* time.

use super::histogram::{DecayingHistogram, HistogramOptions};
use super::{DEFAULT_HALF_LIFE, DEFAULT_MEMORY_AGGREGATION_INTERVAL, MIN_SAMPLE_WEIGHT};
use hpasim_sim::{SimDuration, SimTime};

/// The aggregated usage of one container name.
#[derive(Clone, Debug, PartialEq)]
pub struct AggregateContainerState {
    /// CPU usage samples [cores], weighted by the request.
    pub cpu: DecayingHistogram,
    /// Memory peaks [bytes], one per container per aggregation interval.
    pub memory_peaks: DecayingHistogram,
    /// The first CPU sample's measurement start.
    pub first_sample_start: Option<SimTime>,
    /// The last CPU sample's measurement start.
    pub last_sample_start: Option<SimTime>,
    /// CPU samples added.
    pub total_samples_count: u64,
}

impl Default for AggregateContainerState {
    fn default() -> Self {
        Self::new(DEFAULT_HALF_LIFE, DEFAULT_HALF_LIFE)
    }
}

impl AggregateContainerState {
    /// Empty histograms with the given half-lives (upstream default: 24 h each).
    pub fn new(cpu_half_life: SimDuration, memory_half_life: SimDuration) -> Self {
        AggregateContainerState {
            cpu: DecayingHistogram::new(HistogramOptions::cpu(), cpu_half_life),
            memory_peaks: DecayingHistogram::new(HistogramOptions::memory(), memory_half_life),
            first_sample_start: None,
            last_sample_start: None,
            total_samples_count: 0,
        }
    }

    /// Adds a CPU sample of `usage_cores` measured from `t` on a container requesting
    /// `request_cores`, with base weight `max(request_cores, 0.1)`.
    pub fn add_cpu_sample(&mut self, t: SimTime, usage_cores: f64, request_cores: f64) {
        self.cpu
            .add_sample(usage_cores, request_cores.max(MIN_SAMPLE_WEIGHT), t);
        self.last_sample_start = Some(self.last_sample_start.map_or(t, |l| l.max(t)));
        self.first_sample_start = Some(self.first_sample_start.map_or(t, |f| f.min(t)));
        self.total_samples_count += 1;
    }

    /// Adds a memory peak of `bytes` dated `t` (base weight 1).
    pub fn add_memory_peak(&mut self, t: SimTime, bytes: f64) {
        self.memory_peaks.add_sample(bytes, 1.0, t);
    }

    /// Removes a memory peak added earlier with the same value and date.
    pub fn subtract_memory_peak(&mut self, t: SimTime, bytes: f64) {
        self.memory_peaks.subtract_sample(bytes, 1.0, t);
    }
}

/// One running container's sample bookkeeping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerState {
    /// The memory aggregation interval (upstream default: 24 h).
    pub memory_interval: SimDuration,
    /// The last CPU sample accepted.
    pub last_cpu_sample_start: Option<SimTime>,
    /// The last memory sample accepted.
    pub last_memory_sample_start: Option<SimTime>,
    /// The peak of the current window [bytes] (0: none yet).
    pub memory_peak: u64,
    /// The end of the current memory window (exclusive), once a sample opened one.
    pub window_end: Option<SimTime>,
}

impl Default for ContainerState {
    fn default() -> Self {
        Self::new(DEFAULT_MEMORY_AGGREGATION_INTERVAL)
    }
}

impl ContainerState {
    /// A container that has reported nothing yet.
    pub fn new(memory_interval: SimDuration) -> Self {
        assert!(memory_interval.0 > 0, "memory interval must be positive");
        ContainerState {
            memory_interval,
            last_cpu_sample_start: None,
            last_memory_sample_start: None,
            memory_peak: 0,
            window_end: None,
        }
    }

    /// Adds a CPU sample to `agg` unless it is negative or not later than the last one
    /// accepted; whether it was added.
    pub fn add_cpu_sample(
        &mut self,
        agg: &mut AggregateContainerState,
        t: SimTime,
        usage_cores: f64,
        request_cores: f64,
    ) -> bool {
        if usage_cores < 0.0 || self.last_cpu_sample_start.is_some_and(|l| t <= l) {
            return false;
        }
        agg.add_cpu_sample(t, usage_cores, request_cores);
        self.last_cpu_sample_start = Some(t);
        true
    }

    /// Feeds a memory sample of `bytes` measured at `t` into the window's peak; whether it
    /// was accepted (samples earlier than the last accepted one are dropped).
    pub fn add_memory_sample(
        &mut self,
        agg: &mut AggregateContainerState,
        t: SimTime,
        bytes: u64,
    ) -> bool {
        if self.last_memory_sample_start.is_some_and(|l| t < l) {
            return false;
        }
        self.last_memory_sample_start = Some(t);
        let end = *self.window_end.get_or_insert(t);
        let add = if t < end {
            if self.memory_peak != 0 && bytes > self.memory_peak {
                agg.subtract_memory_peak(end, self.memory_peak as f64);
                true
            } else {
                false
            }
        } else {
            let i = self.memory_interval.0;
            let shift = (t.as_nanos() - end.as_nanos()) / i * i + i;
            self.window_end = Some(SimTime(end.as_nanos() + shift));
            self.memory_peak = 0;
            true
        };
        if add {
            let end = self.window_end.expect("set above");
            agg.add_memory_peak(end, bytes as f64);
            self.memory_peak = bytes;
        }
        true
    }
}
