//! What a run measures, over the whole run and over the current sample interval.

use hpasim_sim::stats::{Counter, LatencyHistogram, TimeWeighted};
use hpasim_sim::{SimDuration, SimTime};

/// Accumulators fed by the engine; rows are built from them.
#[derive(Debug)]
pub struct RunStats {
    /// Latency of every request completed in closed intervals (the current interval's
    /// histogram is merged into it when the interval closes).
    pub latency: LatencyHistogram,
    /// Latency of requests completed in the current interval.
    pub latency_interval: LatencyHistogram,
    /// Arrivals.
    pub arrivals: Counter,
    /// Completions.
    pub completed: Counter,
    /// Rejections (full queue, no endpoint).
    pub rejected: Counter,
    /// Client time-outs.
    pub timed_out: Counter,
    /// Killed at the end of a grace period, or lost to a fault (pod killed or crashed).
    pub killed: Counter,
    /// Seconds of sample intervals that missed the SLO [s].
    pub slo_violation_s: f64,
    /// Errors (rejected, timed out, killed, pool time-outs) and arrivals counted before the
    /// current interval: the SLO's interval error rate is the difference.
    pub slo_counts_at_interval_start: (u64, u64),
    /// Requests that started service.
    pub started: Counter,
    /// Of those, requests that waited (> 0 ns).
    pub waited: Counter,
    /// Sum of waits of started requests [ns].
    pub wait_sum_ns: u128,
    /// Wait sum in the current interval [ns].
    pub wait_sum_interval_ns: u128,
    /// Latency sum in the current interval [ns] (exact interval mean).
    pub latency_sum_interval_ns: u128,
    /// Desired replicas.
    pub replicas: TimeWeighted,
    /// Ready pods.
    pub ready: TimeWeighted,
    /// Requests in the system (queued + in service).
    pub in_system: TimeWeighted,
    /// Pods bound to a node and not deleted (pod-seconds).
    pub billed_pods: TimeWeighted,
    /// Cost rate of billed pods [USD/s].
    pub cost_rate: TimeWeighted,
    /// CPU requested by pods whose container runs [cores].
    pub running_request_cores: TimeWeighted,
    /// CPU used by all pods [core-s], total and in the interval.
    pub cpu_used_core_s: f64,
    /// CPU used in the current interval [core-s].
    pub cpu_used_interval_core_s: f64,
    /// Pod creations the ResourceQuota refused [attempts].
    pub quota_denied: u64,
}

impl RunStats {
    /// Empty statistics for a run starting at `start`.
    pub fn new(start: SimTime) -> Self {
        RunStats {
            latency: LatencyHistogram::new(),
            latency_interval: LatencyHistogram::new(),
            arrivals: Counter::default(),
            completed: Counter::default(),
            rejected: Counter::default(),
            timed_out: Counter::default(),
            killed: Counter::default(),
            slo_violation_s: 0.0,
            slo_counts_at_interval_start: (0, 0),
            started: Counter::default(),
            waited: Counter::default(),
            wait_sum_ns: 0,
            wait_sum_interval_ns: 0,
            latency_sum_interval_ns: 0,
            replicas: TimeWeighted::new(start, 0.0),
            ready: TimeWeighted::new(start, 0.0),
            in_system: TimeWeighted::new(start, 0.0),
            billed_pods: TimeWeighted::new(start, 0.0),
            cost_rate: TimeWeighted::new(start, 0.0),
            running_request_cores: TimeWeighted::new(start, 0.0),
            cpu_used_core_s: 0.0,
            cpu_used_interval_core_s: 0.0,
            quota_denied: 0,
        }
    }

    /// A request started service after waiting `wait`.
    #[inline]
    pub fn record_start(&mut self, wait: SimDuration) {
        self.started.incr();
        if wait.as_nanos() > 0 {
            self.waited.incr();
        }
        self.wait_sum_ns += u128::from(wait.as_nanos());
        self.wait_sum_interval_ns += u128::from(wait.as_nanos());
    }

    /// A request completed with latency `latency`.
    #[inline]
    pub fn record_completion(&mut self, latency: SimDuration) {
        self.completed.incr();
        self.latency_interval.record(latency);
        self.latency_sum_interval_ns += u128::from(latency.as_nanos());
    }

    /// CPU used by some pod [core-ns].
    #[inline]
    pub fn record_cpu(&mut self, core_ns: f64) {
        let s = core_ns * 1e-9;
        self.cpu_used_core_s += s;
        self.cpu_used_interval_core_s += s;
    }
}
