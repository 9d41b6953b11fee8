//! The metrics pipeline: what the HPA actually sees, with its lag.
//!
//! Pure data structures. The world drives them by calling `scrape` at scrape ticks and the
//! HPA reads them at its syncs; nothing here schedules events, owns pods or reads a clock:
//! `now` is always passed in. Pods are small integer ids (`u32`) indexing plain `Vec`s that
//! grow on first use; once warm, scrapes and reads do not allocate.
//!
//! ```text
//!  world (every metricResolution, every Running pod)
//!    container start, cumulative CPU [core·s], working set [B]
//!        └──scrape──▶ MetricsServer ──pod_cpu──▶ {usage [m], timestamp, window}  ─▶ HPA Resource cpu
//!                                   ──pod_memory─▶ {working set [B], timestamp}   ─▶ HPA Resource memory
//!
//!  world (every scrape_interval, every pod target)
//!    http_requests_total (counter) ──scrape──▶ CounterSeries ─rate(window)─┐
//!    in-flight, queue length (gauges) ─scrape─▶ GaugeSeries ──latest(5m)───┤
//!                                                                          ▼
//!                                        PodsMetric (adapter) ──▶ {value [milli-units], timestamp}
//!                                                                          ─▶ HPA Pods metrics
//!
//!  queues, pools, … ──publish(name, values, timestamp)──▶ ExternalMetrics
//!                                         ──object / external──▶ HPA Object / External metrics
//! ```
//!
//! * [`metrics_server`]: metrics-server (spec §9): CPU as the rate between the two most recent
//!   samples of the cumulative counter, memory as the working set at the last scrape.
//! * [`prometheus`]: a Prometheus-like store with PromQL `rate()` semantics (extrapolation
//!   included), gauges with the 5-minute lookback, and the prometheus-adapter conversion.
//! * [`external`]: the registry that later components feed with Object and External metrics.

pub mod external;
pub mod metrics_server;
pub mod prometheus;

pub use external::{ExternalMetrics, ExternalReading, MetricId, MetricKind, ObjectReading};
pub use metrics_server::{working_set, MetricsServer, MetricsServerConfig, PodCpuMetric};
pub use prometheus::{
    adapter_milli, CounterId, CounterSeries, GaugeId, GaugeSeries, PodsMetric, PodsMetricSource,
    PodsMetricValue, Prometheus, PrometheusConfig,
};
