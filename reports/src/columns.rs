//! The columns of every output file, defined once.
//!
//! The CSV header is written from these tables and the row writer takes each
//! cell's number format from them, so header and rows cannot drift apart; the
//! tests check the order against the row types of `hpasim_models::rows`. Every file
//! starts with the run key: `scenario`, `variant`, `replication`, `seed`.

use crate::format::{TIME_DECIMALS, VALUE_DECIMALS};

/// What a column holds, and so how its cells are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Text, written as is (quoted by the CSV rules when needed).
    Text,
    /// An unsigned integer.
    Integer,
    /// A time or duration in seconds: [`TIME_DECIMALS`] decimals.
    Seconds,
    /// A dimensionless fraction in [0, 1]: [`TIME_DECIMALS`] decimals.
    Fraction,
    /// Any other float: [`VALUE_DECIMALS`] decimals.
    Real,
}

impl Kind {
    /// Decimal places of a float cell of this kind.
    pub const fn decimals(self) -> usize {
        match self {
            Kind::Seconds | Kind::Fraction => TIME_DECIMALS,
            Kind::Text | Kind::Integer | Kind::Real => VALUE_DECIMALS,
        }
    }
}

/// One column of an output file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// Header name (snake_case, unit as suffix).
    pub name: &'static str,
    /// What the cells hold.
    pub kind: Kind,
    /// Unit (`s`, `ms`, `%`, `USD`, …; `1` for a fraction, empty for text).
    pub unit: &'static str,
    /// One-line meaning.
    pub meaning: &'static str,
}

const fn col(name: &'static str, kind: Kind, unit: &'static str, meaning: &'static str) -> Column {
    Column {
        name,
        kind,
        unit,
        meaning,
    }
}

use Kind::{Fraction, Integer, Real, Seconds, Text};

/// The run key, first in every file.
const KEY: [Column; 4] = [
    col("scenario", Text, "", "Scenario name"),
    col("variant", Text, "", "Variant name (`base` for a plain run)"),
    col("replication", Integer, "", "Replication number, from 0"),
    col("seed", Integer, "", "Master seed of the run"),
];

/// `KEY` followed by `fields`; `M` must be `N + 4` (checked at compile time).
const fn with_key<const N: usize, const M: usize>(fields: [Column; N]) -> [Column; M] {
    assert!(M == N + KEY.len(), "column count mismatch");
    let mut out = [KEY[0]; M];
    let mut i = 0;
    while i < KEY.len() {
        out[i] = KEY[i];
        i += 1;
    }
    let mut j = 0;
    while j < N {
        out[KEY.len() + j] = fields[j];
        j += 1;
    }
    out
}

static SUMMARY: [Column; 68] = with_key([
    col("duration_s", Seconds, "s", "Simulated duration"),
    col("requests", Integer, "requests", "Requests that arrived"),
    col("completed", Integer, "requests", "Requests answered"),
    col(
        "rejected",
        Integer,
        "requests",
        "Requests rejected (full queue, no Ready pod)",
    ),
    col(
        "timed_out",
        Integer,
        "requests",
        "Requests whose client timed out",
    ),
    col(
        "killed",
        Integer,
        "requests",
        "Requests killed with their pod past its grace period",
    ),
    col(
        "error_rate",
        Fraction,
        "1",
        "(rejected + timed_out + killed) / requests",
    ),
    col(
        "latency_mean_ms",
        Real,
        "ms",
        "Mean latency of completed requests",
    ),
    col(
        "latency_p50_ms",
        Real,
        "ms",
        "Median latency of completed requests",
    ),
    col("latency_p90_ms", Real, "ms", "90th percentile latency"),
    col("latency_p95_ms", Real, "ms", "95th percentile latency"),
    col("latency_p99_ms", Real, "ms", "99th percentile latency"),
    col("latency_p999_ms", Real, "ms", "99.9th percentile latency"),
    col("latency_max_ms", Real, "ms", "Largest latency"),
    col(
        "wait_mean_ms",
        Real,
        "ms",
        "Mean wait before service, over requests that started",
    ),
    col(
        "wait_probability",
        Fraction,
        "1",
        "Fraction of started requests that waited at all",
    ),
    col(
        "throughput_rps",
        Real,
        "requests/s",
        "Completed requests per second",
    ),
    col(
        "replicas_mean",
        Real,
        "replicas",
        "Time-weighted mean of desired replicas",
    ),
    col(
        "replicas_max",
        Real,
        "replicas",
        "Largest desired replica count",
    ),
    col(
        "pods_ready_mean",
        Real,
        "pods",
        "Time-weighted mean of Ready pods",
    ),
    col(
        "pod_seconds",
        Real,
        "pod·s",
        "Pod lifetime summed over pods, scheduling to deletion",
    ),
    col(
        "cpu_utilization_mean_pct",
        Real,
        "%",
        "Mean CPU use relative to the CPU request of running pods",
    ),
    col(
        "in_system_mean",
        Real,
        "requests",
        "Time-weighted mean of requests queued or in service",
    ),
    col("cost_usd", Real, "USD", "Cost of the pods"),
    col(
        "pool_timeouts",
        Integer,
        "requests",
        "Requests that gave up waiting for a pool connection",
    ),
    col(
        "pool_wait_mean_ms",
        Real,
        "ms",
        "Mean wait for a pool connection, per query",
    ),
    col(
        "pool_wait_p99_ms",
        Real,
        "ms",
        "99th percentile wait for a pool connection, per query",
    ),
    col(
        "db_connection_refusals",
        Integer,
        "connections",
        "Connection attempts refused by max_connections",
    ),
    col(
        "db_connections_max",
        Integer,
        "connections",
        "Most connections the database held",
    ),
    col(
        "db_cpu_utilization_max_pct",
        Real,
        "%",
        "Highest interval CPU utilization of the database",
    ),
    col(
        "messages_reprocessed",
        Integer,
        "messages",
        "Messages processed again after a crash or rebalance lost their progress",
    ),
    col(
        "queue_lag_mean",
        Real,
        "messages",
        "Time-weighted mean consumer lag (Kafka) or list length (Redis)",
    ),
    col(
        "queue_lag_max",
        Integer,
        "messages",
        "Highest consumer lag or list length",
    ),
    col(
        "rebalances",
        Integer,
        "rebalances",
        "Consumer group rebalances",
    ),
    col(
        "partition_paused_s",
        Seconds,
        "s",
        "Partition-seconds of consumption stopped by rebalances",
    ),
    col(
        "consumer_crashes",
        Integer,
        "crashes",
        "Consumer pod crashes",
    ),
    col(
        "keda_activations",
        Integer,
        "scales",
        "KEDA scale-ups from zero (or idle) to the minimum",
    ),
    col(
        "keda_deactivations",
        Integer,
        "scales",
        "KEDA scale-downs to zero (or idle) after the cooldown",
    ),
    col(
        "keda_fallback_polls",
        Integer,
        "polls",
        "KEDA polls with a trigger served by its fallback",
    ),
    col(
        "slo_violation_s",
        Seconds,
        "s",
        "Seconds of sample intervals that missed the scenario's `slo` (0 without one)",
    ),
    col(
        "nodes_mean",
        Real,
        "nodes",
        "Time-weighted mean of nodes up over all pools (0 without `cluster`)",
    ),
    col(
        "nodes_max",
        Integer,
        "nodes",
        "Most nodes up at once over all pools",
    ),
    col(
        "node_hours",
        Real,
        "node·h",
        "Node-hours billed, launch to termination",
    ),
    col(
        "node_cost_usd",
        Real,
        "USD",
        "Cost of the nodes (node-hours × pool price), on-demand plus spot",
    ),
    col(
        "node_cost_spot_usd",
        Real,
        "USD",
        "Part of node_cost_usd from spot pools",
    ),
    col(
        "pods_unschedulable_max",
        Integer,
        "pods",
        "Most pods Pending (Unschedulable) at once",
    ),
    col(
        "capacity_wait_mean_s",
        Seconds,
        "s",
        "Mean wait of a pod for a node (creation to binding), over bound pods",
    ),
    col(
        "capacity_wait_max_s",
        Seconds,
        "s",
        "Longest wait of a pod for a node",
    ),
    col(
        "ca_scale_ups",
        Integer,
        "scale-ups",
        "Cluster-autoscaler scale-ups (pool grown in one scan)",
    ),
    col(
        "ca_nodes_removed",
        Integer,
        "nodes",
        "Nodes removed by the cluster autoscaler",
    ),
    col(
        "node_failures",
        Integer,
        "nodes",
        "Nodes that failed (faults)",
    ),
    col(
        "spot_interruptions",
        Integer,
        "nodes",
        "Spot nodes reclaimed by the provider",
    ),
    col(
        "pods_quota_denied",
        Integer,
        "pods",
        "Pod creations refused by the ResourceQuota",
    ),
    col(
        "pod_crashes",
        Integer,
        "crashes",
        "Container crashes (faults)",
    ),
    col(
        "pod_kills",
        Integer,
        "pods",
        "Pods killed by fault injection (chaos kills)",
    ),
    col(
        "fault_errors",
        Integer,
        "requests",
        "Requests lost to faults (crash, kill, node failure, spot interruption)",
    ),
    col(
        "forecast_mae",
        Real,
        "metric units",
        "Mean absolute one-step-ahead error of the predictive forecast (cores for cpu, bytes for memory, else the metric's units)",
    ),
    col(
        "forecast_rmse",
        Real,
        "metric units",
        "Root mean squared one-step-ahead forecast error",
    ),
    col(
        "forecast_bias",
        Real,
        "metric units",
        "Mean one-step-ahead forecast error, actual minus forecast (> 0: forecasts too low)",
    ),
    col(
        "predictive_added_pod_seconds",
        Real,
        "pod·s",
        "Replicas the predictive floor added above the reactive HPA's answer, summed over syncs × sync period",
    ),
    col(
        "predictive_raised_syncs",
        Integer,
        "syncs",
        "HPA syncs at which the predictive floor raised the answer",
    ),
    col(
        "vpa_evictions",
        Integer,
        "pods",
        "Pods the VPA updater evicted (Recreate, Auto)",
    ),
    col(
        "vpa_final_target_cpu_m",
        Real,
        "millicores",
        "The VPA's CPU target at the end of the run (0 without a VPA)",
    ),
    col(
        "vpa_final_target_memory_mib",
        Real,
        "MiB",
        "The VPA's memory target at the end of the run (0 without a VPA or memory model)",
    ),
]);

static TIMESERIES: [Column; 25] = with_key([
    col("time_s", Seconds, "s", "End of the sample interval"),
    col(
        "arrival_rate_rps",
        Real,
        "requests/s",
        "Arrivals in the interval per second",
    ),
    col(
        "throughput_rps",
        Real,
        "requests/s",
        "Completions in the interval per second",
    ),
    col(
        "replicas_desired",
        Integer,
        "replicas",
        "Desired replicas at the end of the interval",
    ),
    col(
        "pods_ready",
        Integer,
        "pods",
        "Ready pods at the end of the interval",
    ),
    col(
        "pods_starting",
        Integer,
        "pods",
        "Pods scheduled but not Ready at the end of the interval",
    ),
    col(
        "pods_terminating",
        Integer,
        "pods",
        "Pods terminating at the end of the interval",
    ),
    col(
        "in_flight",
        Integer,
        "requests",
        "Requests in service at the end of the interval",
    ),
    col(
        "queued",
        Integer,
        "requests",
        "Requests queued (local and central) at the end of the interval",
    ),
    col(
        "in_system_mean",
        Real,
        "requests",
        "Time-weighted mean of requests in the system over the interval",
    ),
    col(
        "cpu_utilization_pct",
        Real,
        "%",
        "CPU used relative to the CPU request of Ready pods",
    ),
    col(
        "completed",
        Integer,
        "requests",
        "Requests completed in the interval",
    ),
    col(
        "latency_mean_ms",
        Real,
        "ms",
        "Mean latency of requests completed in the interval",
    ),
    col(
        "wait_mean_ms",
        Real,
        "ms",
        "Mean wait of requests that started service in the interval",
    ),
    col(
        "wait_probability",
        Fraction,
        "1",
        "Fraction of requests starting service in the interval that waited",
    ),
    col(
        "latency_p50_ms",
        Real,
        "ms",
        "Median latency of requests completed in the interval",
    ),
    col(
        "latency_p95_ms",
        Real,
        "ms",
        "95th percentile latency in the interval",
    ),
    col(
        "latency_p99_ms",
        Real,
        "ms",
        "99th percentile latency in the interval",
    ),
    col(
        "rejected",
        Integer,
        "requests",
        "Requests rejected in the interval",
    ),
    col(
        "timed_out",
        Integer,
        "requests",
        "Requests timed out in the interval",
    ),
    col(
        "cost_usd",
        Real,
        "USD",
        "Cumulative cost at the end of the interval",
    ),
]);

static EVENTS: [Column; 8] = with_key([
    col("time_s", Seconds, "s", "When"),
    col(
        "kind",
        Text,
        "",
        "Kind of event (pod_scheduled, pod_ready, scale, …)",
    ),
    col(
        "object",
        Text,
        "",
        "Object concerned (pod/web-3, deployment/web)",
    ),
    col("detail", Text, "", "Free-form detail (reason, from → to)"),
]);

static REQUESTS: [Column; 11] = with_key([
    col("id", Integer, "", "Request id (arrival order)"),
    col("class", Text, "", "Request class"),
    col("arrival_s", Seconds, "s", "Arrival time"),
    col("pod", Text, "", "Pod that served it (empty if none)"),
    col(
        "outcome",
        Text,
        "",
        "completed, rejected, timed_out or killed",
    ),
    col(
        "wait_ms",
        Real,
        "ms",
        "Wait from arrival to start of service (empty if it never started)",
    ),
    col(
        "latency_ms",
        Real,
        "ms",
        "Latency from arrival to response (empty unless completed)",
    ),
]);

static LATENCY_CDF: [Column; 6] = with_key([
    col(
        "quantile",
        Fraction,
        "1",
        "Quantile q: 0 (minimum), 0.01 … 0.99, 0.995, 0.999, 0.9995, 0.9999, 1 (maximum)",
    ),
    col(
        "latency_ms",
        Real,
        "ms",
        "The q-quantile of completed requests' latency (within 0.1 %; exact at 1)",
    ),
]);

/// One output file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Table {
    /// `summary.csv`: one row per run.
    Summary,
    /// `timeseries.csv`: one row per run per sample interval.
    Timeseries,
    /// `events.csv`: scale decisions, pod lifecycle, faults.
    Events,
    /// `requests.csv`: a sample of individual requests.
    Requests,
    /// `latency_cdf.csv`: each run's latency distribution at fixed quantiles.
    LatencyCdf,
}

impl Table {
    /// Every table, in the order files are created.
    pub const ALL: [Table; 5] = [
        Table::Summary,
        Table::Timeseries,
        Table::Events,
        Table::Requests,
        Table::LatencyCdf,
    ];

    /// File name inside the output directory.
    pub const fn file_name(self) -> &'static str {
        match self {
            Table::Summary => "summary.csv",
            Table::Timeseries => "timeseries.csv",
            Table::Events => "events.csv",
            Table::Requests => "requests.csv",
            Table::LatencyCdf => "latency_cdf.csv",
        }
    }

    /// The columns, in file order (the run key first).
    pub fn columns(self) -> &'static [Column] {
        match self {
            Table::Summary => &SUMMARY,
            Table::Timeseries => &TIMESERIES,
            Table::Events => &EVENTS,
            Table::Requests => &REQUESTS,
            Table::LatencyCdf => &LATENCY_CDF,
        }
    }

    /// The column named `name`, if the table has one.
    pub fn column(self, name: &str) -> Option<&'static Column> {
        self.columns().iter().find(|c| c.name == name)
    }

    /// The header names, in file order.
    pub fn header(self) -> impl Iterator<Item = &'static str> {
        self.columns().iter().map(|c| c.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_starts_with_the_run_key() {
        for t in Table::ALL {
            let head: Vec<_> = t.header().take(4).collect();
            assert_eq!(
                head,
                ["scenario", "variant", "replication", "seed"],
                "{t:?}"
            );
        }
    }

    #[test]
    fn column_names_are_unique_snake_case() {
        for t in Table::ALL {
            let names: Vec<_> = t.header().collect();
            for (i, n) in names.iter().enumerate() {
                assert!(
                    n.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                    "{t:?}: {n}"
                );
                assert!(!names[..i].contains(n), "{t:?}: {n} twice");
            }
        }
    }

    #[test]
    fn unit_suffix_of_a_column_name_matches_its_unit() {
        for t in Table::ALL {
            for c in t.columns() {
                let expected = [
                    ("_ms", "ms"),
                    ("_s", "s"),
                    ("_pct", "%"),
                    ("_usd", "USD"),
                    ("_rps", "requests/s"),
                ]
                .iter()
                .find(|(suffix, _)| c.name.ends_with(suffix));
                if let Some((_, unit)) = expected {
                    assert_eq!(c.unit, *unit, "{t:?}: {}", c.name);
                }
                if c.kind == Kind::Seconds {
                    assert!(c.name.ends_with("_s"), "{t:?}: {}", c.name);
                }
            }
        }
    }

    #[test]
    fn every_column_has_a_meaning() {
        for t in Table::ALL {
            for c in t.columns() {
                assert!(!c.meaning.is_empty(), "{t:?}: {}", c.name);
            }
        }
    }

    #[test]
    fn summary_metrics_are_named_like_their_columns() {
        let names: Vec<_> = hpasim_models::rows::SummaryRow::default()
            .metrics()
            .iter()
            .map(|(name, _)| *name)
            .collect();
        let columns: Vec<_> = Table::Summary.header().skip(4).collect();
        assert_eq!(names, columns);
    }
}
