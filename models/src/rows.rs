//! The plain records a run produces: the output contract with notebooks and CI.
//!
//! The reports crate writes them; the world hands them over as they close, through
//! [`RowSink`], so memory stays flat however long the simulated run.

/// Columns every row carries, so that a notebook needs no joins.
#[derive(Clone, Debug, PartialEq)]
pub struct RunKey {
    /// Scenario name.
    pub scenario: String,
    /// Variant name (`base` for a plain run).
    pub variant: String,
    /// Replication number, from 0.
    pub replication: u32,
    /// Master seed of this run.
    pub seed: u64,
}

/// One row of summary.csv: a whole run.
#[derive(Default, Clone, Debug, PartialEq)]
pub struct SummaryRow {
    /// Simulated duration [s].
    pub duration_s: f64,
    /// Requests that arrived.
    pub requests: u64,
    /// Requests answered.
    pub completed: u64,
    /// Requests rejected (full queue, no Ready pod).
    pub rejected: u64,
    /// Requests whose client timed out.
    pub timed_out: u64,
    /// Requests killed when their pod was terminated past its grace period.
    pub killed: u64,
    /// (rejected + timed_out + killed) / requests.
    pub error_rate: f64,
    /// Latency of completed requests [ms]: mean and percentiles.
    pub latency_mean_ms: f64,
    /// Median latency [ms].
    pub latency_p50_ms: f64,
    /// 90th percentile latency [ms].
    pub latency_p90_ms: f64,
    /// 95th percentile latency [ms].
    pub latency_p95_ms: f64,
    /// 99th percentile latency [ms].
    pub latency_p99_ms: f64,
    /// 99.9th percentile latency [ms].
    pub latency_p999_ms: f64,
    /// Largest latency [ms].
    pub latency_max_ms: f64,
    /// Mean wait from arrival to start of service, over requests that started [ms].
    pub wait_mean_ms: f64,
    /// Fraction of started requests that waited at all.
    pub wait_probability: f64,
    /// Completed requests per second [requests/s].
    pub throughput_rps: f64,
    /// Time-weighted mean of desired replicas.
    pub replicas_mean: f64,
    /// Largest desired replica count.
    pub replicas_max: f64,
    /// Time-weighted mean of Ready pods.
    pub pods_ready_mean: f64,
    /// Pod lifetime summed over pods, scheduling to deletion [pod·s].
    pub pod_seconds: f64,
    /// Mean CPU use relative to the CPU request of the running pods [%].
    pub cpu_utilization_mean_pct: f64,
    /// Time-weighted mean number of requests in the system (queued + in service).
    pub in_system_mean: f64,
    /// Cost of the pods [USD].
    pub cost_usd: f64,
    /// Requests that gave up waiting for a pool connection.
    pub pool_timeouts: u64,
    /// Mean wait for a pool connection, per query [ms].
    pub pool_wait_mean_ms: f64,
    /// 99th percentile wait for a pool connection, per query [ms].
    pub pool_wait_p99_ms: f64,
    /// Connection attempts refused by the database's max_connections.
    pub db_connection_refusals: u64,
    /// Most connections the database held.
    pub db_connections_max: u64,
    /// Highest interval CPU utilization of the database [%] (0 without a core limit).
    pub db_cpu_utilization_max_pct: f64,
    /// Messages processed again after a crash or rebalance lost their progress.
    pub messages_reprocessed: u64,
    /// Time-weighted mean consumer lag (Kafka) or list length (Redis).
    pub queue_lag_mean: f64,
    /// Highest consumer lag or list length.
    pub queue_lag_max: u64,
    /// Consumer group rebalances.
    pub rebalances: u64,
    /// Partition-seconds of consumption stopped by rebalances.
    pub partition_paused_s: f64,
    /// Consumer pod crashes.
    pub consumer_crashes: u64,
    /// KEDA scale-ups from zero (or idle) to the minimum.
    pub keda_activations: u64,
    /// KEDA scale-downs to zero (or idle) after the cooldown.
    pub keda_deactivations: u64,
    /// KEDA polls with a trigger served by its fallback.
    pub keda_fallback_polls: u64,
    /// Seconds of sample intervals that missed the scenario's SLO [s] (0 without one).
    pub slo_violation_s: f64,
    /// Time-weighted mean of nodes up (Ready, cordoned or draining) over all pools [nodes].
    pub nodes_mean: f64,
    /// Most nodes up at once over all pools [nodes].
    pub nodes_max: u64,
    /// Node lifetime summed over nodes, launch to termination [node·h].
    pub node_hours: f64,
    /// Cost of the nodes: node-hours × each pool's price [USD].
    pub node_cost_usd: f64,
    /// Part of `node_cost_usd` from spot pools [USD].
    pub node_cost_spot_usd: f64,
    /// Most pods Pending as Unschedulable at once [pods].
    pub pods_unschedulable_max: u64,
    /// Mean time a pod waited for a node, creation to binding, over pods bound [s].
    pub capacity_wait_mean_s: f64,
    /// Longest time a pod waited for a node [s].
    pub capacity_wait_max_s: f64,
    /// Cluster-autoscaler scale-ups (one per pool grown per scan).
    pub ca_scale_ups: u64,
    /// Nodes the cluster autoscaler removed (scale-down).
    pub ca_nodes_removed: u64,
    /// Nodes that failed (faults), pods lost with them.
    pub node_failures: u64,
    /// Spot nodes reclaimed by the provider.
    pub spot_interruptions: u64,
    /// Pod creations the ResourceQuota refused.
    pub pods_quota_denied: u64,
    /// Container crashes (faults: mean time between failures).
    pub pod_crashes: u64,
    /// Pods killed by the chaos step (faults).
    pub pod_kills: u64,
    /// Requests lost to faults: in flight on a pod that crashed, was killed or lost its node.
    pub fault_errors: u64,
    /// Mean absolute one-step-ahead error of the predictive forecast [metric units: cores for
    /// cpu, bytes for memory, the metric's own otherwise]; 0 without predictive scaling.
    pub forecast_mae: f64,
    /// Root mean squared one-step-ahead forecast error [metric units].
    pub forecast_rmse: f64,
    /// Mean one-step-ahead forecast error, actual − forecast [metric units]: > 0 forecasts
    /// too low.
    pub forecast_bias: f64,
    /// Replicas the predictive floor added above the reactive HPA's answer, summed over HPA
    /// syncs × the sync period [replica-seconds].
    pub predictive_added_pod_seconds: f64,
    /// HPA syncs at which the predictive floor raised the answer [syncs].
    pub predictive_raised_syncs: u64,
    /// Pods the VPA updater evicted (0 without a VPA).
    pub vpa_evictions: u64,
    /// The VPA's CPU target at the end [milli-cores] (0 without a VPA or a recommendation).
    pub vpa_final_target_cpu_m: f64,
    /// The VPA's memory target at the end [MiB] (0 without a VPA, a recommendation or a
    /// memory model).
    pub vpa_final_target_memory_mib: f64,
}

/// Number of metric columns of summary.csv (after the run key).
pub const SUMMARY_METRICS: usize = 64;

impl SummaryRow {
    /// Every metric as (summary.csv column name, value), in column order: what `check` and
    /// `compare` read by name.
    pub fn metrics(&self) -> [(&'static str, f64); SUMMARY_METRICS] {
        // Exhaustive on purpose: a new field must get a name.
        let &SummaryRow {
            duration_s,
            requests,
            completed,
            rejected,
            timed_out,
            killed,
            error_rate,
            latency_mean_ms,
            latency_p50_ms,
            latency_p90_ms,
            latency_p95_ms,
            latency_p99_ms,
            latency_p999_ms,
            latency_max_ms,
            wait_mean_ms,
            wait_probability,
            throughput_rps,
            replicas_mean,
            replicas_max,
            pods_ready_mean,
            pod_seconds,
            cpu_utilization_mean_pct,
            in_system_mean,
            cost_usd,
            pool_timeouts,
            pool_wait_mean_ms,
            pool_wait_p99_ms,
            db_connection_refusals,
            db_connections_max,
            db_cpu_utilization_max_pct,
            messages_reprocessed,
            queue_lag_mean,
            queue_lag_max,
            rebalances,
            partition_paused_s,
            consumer_crashes,
            keda_activations,
            keda_deactivations,
            keda_fallback_polls,
            slo_violation_s,
            nodes_mean,
            nodes_max,
            node_hours,
            node_cost_usd,
            node_cost_spot_usd,
            pods_unschedulable_max,
            capacity_wait_mean_s,
            capacity_wait_max_s,
            ca_scale_ups,
            ca_nodes_removed,
            node_failures,
            spot_interruptions,
            pods_quota_denied,
            pod_crashes,
            pod_kills,
            fault_errors,
            forecast_mae,
            forecast_rmse,
            forecast_bias,
            predictive_added_pod_seconds,
            predictive_raised_syncs,
            vpa_evictions,
            vpa_final_target_cpu_m,
            vpa_final_target_memory_mib,
        } = self;
        [
            ("duration_s", duration_s),
            ("requests", requests as f64),
            ("completed", completed as f64),
            ("rejected", rejected as f64),
            ("timed_out", timed_out as f64),
            ("killed", killed as f64),
            ("error_rate", error_rate),
            ("latency_mean_ms", latency_mean_ms),
            ("latency_p50_ms", latency_p50_ms),
            ("latency_p90_ms", latency_p90_ms),
            ("latency_p95_ms", latency_p95_ms),
            ("latency_p99_ms", latency_p99_ms),
            ("latency_p999_ms", latency_p999_ms),
            ("latency_max_ms", latency_max_ms),
            ("wait_mean_ms", wait_mean_ms),
            ("wait_probability", wait_probability),
            ("throughput_rps", throughput_rps),
            ("replicas_mean", replicas_mean),
            ("replicas_max", replicas_max),
            ("pods_ready_mean", pods_ready_mean),
            ("pod_seconds", pod_seconds),
            ("cpu_utilization_mean_pct", cpu_utilization_mean_pct),
            ("in_system_mean", in_system_mean),
            ("cost_usd", cost_usd),
            ("pool_timeouts", pool_timeouts as f64),
            ("pool_wait_mean_ms", pool_wait_mean_ms),
            ("pool_wait_p99_ms", pool_wait_p99_ms),
            ("db_connection_refusals", db_connection_refusals as f64),
            ("db_connections_max", db_connections_max as f64),
            ("db_cpu_utilization_max_pct", db_cpu_utilization_max_pct),
            ("messages_reprocessed", messages_reprocessed as f64),
            ("queue_lag_mean", queue_lag_mean),
            ("queue_lag_max", queue_lag_max as f64),
            ("rebalances", rebalances as f64),
            ("partition_paused_s", partition_paused_s),
            ("consumer_crashes", consumer_crashes as f64),
            ("keda_activations", keda_activations as f64),
            ("keda_deactivations", keda_deactivations as f64),
            ("keda_fallback_polls", keda_fallback_polls as f64),
            ("slo_violation_s", slo_violation_s),
            ("nodes_mean", nodes_mean),
            ("nodes_max", nodes_max as f64),
            ("node_hours", node_hours),
            ("node_cost_usd", node_cost_usd),
            ("node_cost_spot_usd", node_cost_spot_usd),
            ("pods_unschedulable_max", pods_unschedulable_max as f64),
            ("capacity_wait_mean_s", capacity_wait_mean_s),
            ("capacity_wait_max_s", capacity_wait_max_s),
            ("ca_scale_ups", ca_scale_ups as f64),
            ("ca_nodes_removed", ca_nodes_removed as f64),
            ("node_failures", node_failures as f64),
            ("spot_interruptions", spot_interruptions as f64),
            ("pods_quota_denied", pods_quota_denied as f64),
            ("pod_crashes", pod_crashes as f64),
            ("pod_kills", pod_kills as f64),
            ("fault_errors", fault_errors as f64),
            ("forecast_mae", forecast_mae),
            ("forecast_rmse", forecast_rmse),
            ("forecast_bias", forecast_bias),
            ("predictive_added_pod_seconds", predictive_added_pod_seconds),
            ("predictive_raised_syncs", predictive_raised_syncs as f64),
            ("vpa_evictions", vpa_evictions as f64),
            ("vpa_final_target_cpu_m", vpa_final_target_cpu_m),
            ("vpa_final_target_memory_mib", vpa_final_target_memory_mib),
        ]
    }
}

/// One row of timeseries.csv: one sample interval of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeseriesRow {
    /// End of the interval [s].
    pub time_s: f64,
    /// Arrivals in the interval per second [requests/s].
    pub arrival_rate_rps: f64,
    /// Completions in the interval per second [requests/s].
    pub throughput_rps: f64,
    /// Desired replicas at the end of the interval.
    pub replicas_desired: u32,
    /// Ready pods at the end of the interval.
    pub pods_ready: u32,
    /// Pods starting (scheduled but not Ready) at the end of the interval.
    pub pods_starting: u32,
    /// Pods terminating at the end of the interval.
    pub pods_terminating: u32,
    /// Requests in service at the end of the interval.
    pub in_flight: u32,
    /// Requests queued (local and central) at the end of the interval.
    pub queued: u32,
    /// Time-weighted mean of requests in the system over the interval.
    pub in_system_mean: f64,
    /// CPU used over the interval relative to the CPU request of Ready pods [%].
    pub cpu_utilization_pct: f64,
    /// Requests completed in the interval.
    pub completed: u64,
    /// Mean latency of requests completed in the interval [ms].
    pub latency_mean_ms: f64,
    /// Mean wait of requests that started service in the interval [ms].
    pub wait_mean_ms: f64,
    /// Fraction of requests starting service in the interval that waited at all.
    pub wait_probability: f64,
    /// Latency percentiles of requests completed in the interval [ms].
    pub latency_p50_ms: f64,
    /// 95th percentile [ms].
    pub latency_p95_ms: f64,
    /// 99th percentile [ms].
    pub latency_p99_ms: f64,
    /// Requests rejected in the interval.
    pub rejected: u64,
    /// Requests timed out in the interval.
    pub timed_out: u64,
    /// Cumulative cost at the end of the interval [USD].
    pub cost_usd: f64,
    /// Scenario-specific values (what the autoscaler saw), in the order of the scenario's
    /// extra column names; NaN where nothing was observed.
    pub extra: Vec<f64>,
}

/// One row of events.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct EventRow {
    /// When [s].
    pub time_s: f64,
    /// What kind of event (`pod_scheduled`, `pod_ready`, `scale`, …).
    pub kind: &'static str,
    /// The object it concerns (`pod/web-3`, `deployment/web`).
    pub object: String,
    /// Free-form detail (reason, from → to).
    pub detail: String,
}

/// One row of requests.csv (a sample of individual requests).
#[derive(Clone, Debug, PartialEq)]
pub struct RequestRow {
    /// Request id (arrival order).
    pub id: u64,
    /// Request class.
    pub class: String,
    /// Arrival time [s].
    pub arrival_s: f64,
    /// Pod that served it (empty if none).
    pub pod: String,
    /// `completed`, `rejected`, `timed_out` or `killed`.
    pub outcome: &'static str,
    /// Wait from arrival to start of service [ms] (empty if it never started).
    pub wait_ms: Option<f64>,
    /// Latency from arrival to response [ms] (empty unless completed).
    pub latency_ms: Option<f64>,
}

/// Receives rows as the run produces them.
pub trait RowSink {
    /// A time-series interval closed.
    fn timeseries(&mut self, key: &RunKey, row: &TimeseriesRow);
    /// Something happened worth a line in events.csv.
    fn event(&mut self, key: &RunKey, row: &EventRow);
    /// A sampled request finished.
    fn request(&mut self, key: &RunKey, row: &RequestRow);
    /// The run ended: its latency distribution at [`CDF_QUANTILES`], `latency_ms[i]` being the
    /// `CDF_QUANTILES[i]`-quantile [ms] of completed requests. Not called for a stopped run.
    fn latency_cdf(&mut self, key: &RunKey, latency_ms: &[f64]) {
        let _ = (key, latency_ms);
    }
}

/// The quantiles of latency_cdf.csv: 0 (the minimum), 0.01 … 0.99, then the tail 0.995,
/// 0.999, 0.9995, 0.9999 and 1 (the exact maximum).
pub const CDF_QUANTILES: [f64; 105] = cdf_quantiles();

const fn cdf_quantiles() -> [f64; 105] {
    let mut q = [0.0; 105];
    let mut i = 1;
    while i < 100 {
        q[i] = i as f64 / 100.0;
        i += 1;
    }
    q[100] = 0.995;
    q[101] = 0.999;
    q[102] = 0.9995;
    q[103] = 0.9999;
    q[104] = 1.0;
    q
}

/// A sink that keeps everything in memory (tests, small runs).
#[derive(Clone, Debug, Default)]
pub struct MemorySink {
    /// Time-series rows in order.
    pub timeseries: Vec<TimeseriesRow>,
    /// Event rows in order.
    pub events: Vec<EventRow>,
    /// Request rows in order.
    pub requests: Vec<RequestRow>,
    /// The latency distribution at [`CDF_QUANTILES`] [ms], once the run ended.
    pub latency_cdf: Vec<f64>,
}

impl RowSink for MemorySink {
    fn timeseries(&mut self, _: &RunKey, row: &TimeseriesRow) {
        self.timeseries.push(row.clone());
    }
    fn event(&mut self, _: &RunKey, row: &EventRow) {
        self.events.push(row.clone());
    }
    fn request(&mut self, _: &RunKey, row: &RequestRow) {
        self.requests.push(row.clone());
    }
    fn latency_cdf(&mut self, _: &RunKey, latency_ms: &[f64]) {
        self.latency_cdf = latency_ms.to_vec();
    }
}

/// A sink that drops everything (benchmarks).
#[derive(Clone, Copy, Debug, Default)]
pub struct NullSink;

impl RowSink for NullSink {
    fn timeseries(&mut self, _: &RunKey, _: &TimeseriesRow) {}
    fn event(&mut self, _: &RunKey, _: &EventRow) {}
    fn request(&mut self, _: &RunKey, _: &RequestRow) {}
}
