//! Queueing theory: the simulator against closed forms.
//!
//! Each check runs one long replication of a bundled theory template, cuts it into batches
//! (one time-series row per batch, the first dropped as warm-up) and compares the batch means
//! with the closed form. The tolerance is `Z` standard errors of the batch means, plus the HDR
//! histogram's 0.1 % quantization where a percentile is compared. With ~40 batches, `Z = 4`
//! makes a false alarm rarer than 1 in 3 000, and the runs are seeded, so a pass is repeatable.

use crate::support::queueing::*;
use crate::support::run_file;
use hpasim_models::rows::TimeseriesRow;

/// Standard errors allowed.
const Z: f64 = 4.0;
/// Relative quantization of the HDR latency histograms (3 significant digits).
const HDR_RELATIVE: f64 = 1e-3;

/// Batch means of a per-row statistic, after dropping the warm-up row.
fn batches(rows: &[TimeseriesRow], f: impl Fn(&TimeseriesRow) -> f64) -> BatchMeans {
    let values: Vec<f64> = rows[1..].iter().map(f).collect();
    BatchMeans::new(&values)
}

fn assert_close(what: &str, b: &BatchMeans, expected: f64, extra: f64) {
    let tolerance = Z * b.se + extra;
    eprintln!("{what}: {}", b.describe(expected));
    assert!(
        (b.mean - expected).abs() <= tolerance,
        "{what}: {} (tolerance {tolerance:.6})",
        b.describe(expected)
    );
}

#[test]
fn shared_queue_with_c_single_slot_pods_matches_erlang_c() {
    let (c, lambda, mu) = (10u32, 80.0, 10.0);
    let (summary, sink) = run_file(
        "scenarios/theory/mmc.yaml",
        &["duration=41000s", "sample_interval=1000s", "seed=11"],
    );
    assert_eq!(summary.rejected + summary.timed_out, 0);
    let rows = &sink.timeseries;
    let wait = batches(rows, |r| r.wait_mean_ms / 1e3);
    assert_close("mean wait [s]", &wait, mmc_mean_wait(c, lambda, mu), 0.0);
    let p_wait = batches(rows, |r| r.wait_probability);
    assert_close("P(wait > 0)", &p_wait, erlang_c(c, lambda / mu), 0.0);
    let sojourn = batches(rows, |r| r.latency_mean_ms / 1e3);
    assert_close(
        "mean sojourn [s]",
        &sojourn,
        mmc_mean_sojourn(c, lambda, mu),
        0.0,
    );
    for (q, get) in [
        (
            0.50,
            (|r: &TimeseriesRow| r.latency_p50_ms) as fn(&TimeseriesRow) -> f64,
        ),
        (0.95, |r: &TimeseriesRow| r.latency_p95_ms),
        (0.99, |r: &TimeseriesRow| r.latency_p99_ms),
    ] {
        let expected = mmc_sojourn_quantile(c, lambda, mu, q);
        let b = batches(rows, |r| get(r) / 1e3);
        assert_close(
            &format!("sojourn p{}", q * 100.0),
            &b,
            expected,
            HDR_RELATIVE * expected,
        );
    }
}

#[test]
fn random_balancing_gives_c_independent_mm1_queues() {
    // 4 pods of one slot, lambda = 32/s spread at random: each pod is M/M/1 with lambda/c = 8.
    let (c, lambda, mu) = (4.0, 32.0, 10.0);
    let (_, sink) = run_file(
        "scenarios/theory/mmc.yaml",
        &[
            "pods.replicas=4",
            "workload.arrivals.rate=32",
            "load_balancer.policy=random",
            "duration=41000s",
            "sample_interval=1000s",
            "seed=12",
        ],
    );
    let sojourn = batches(&sink.timeseries, |r| r.latency_mean_ms / 1e3);
    assert_close(
        "mean sojourn [s]",
        &sojourn,
        mm1_mean_sojourn(lambda / c, mu),
        0.0,
    );
    let expected_p95 = mm1_sojourn_quantile(lambda / c, mu, 0.95);
    let p95 = batches(&sink.timeseries, |r| r.latency_p95_ms / 1e3);
    assert_close(
        "sojourn p95 [s]",
        &p95,
        expected_p95,
        HDR_RELATIVE * expected_p95,
    );
}

#[test]
fn a_bounded_queue_matches_the_mm1k_blocking_probability() {
    // One slot plus max_queue = 9: K = 10 in the system; rho = 0.9.
    let (lambda, mu, k) = (9.0, 10.0, 10u32);
    let (summary, sink) = run_file(
        "scenarios/theory/mm1k.yaml",
        &["duration=205000s", "sample_interval=5000s", "seed=13"],
    );
    let blocking = batches(&sink.timeseries, |r| {
        r.rejected as f64 / (r.arrival_rate_rps * 5000.0)
    });
    assert_close("P(block)", &blocking, mm1k_blocking(lambda, mu, k), 0.0);
    let in_system = batches(&sink.timeseries, |r| r.in_system_mean);
    assert_close(
        "mean in system",
        &in_system,
        mm1k_mean_in_system(lambda, mu, k),
        0.0,
    );
    assert!(summary.rejected > 0);
}

#[test]
fn littles_law_holds_on_the_time_series() {
    // L = lambda_eff * W per interval: the batch means of L - X * W are zero within their SE,
    // where X is the interval's throughput and W its mean latency.
    let (_, sink) = run_file(
        "scenarios/theory/mmc.yaml",
        &[
            "duration=21000s",
            "sample_interval=500s",
            "seed=14",
            "workload.arrivals.rate=90",
        ],
    );
    let rows = &sink.timeseries;
    let l = batches(rows, |r| r.in_system_mean);
    let gap = batches(rows, |r| {
        r.in_system_mean - r.throughput_rps * r.latency_mean_ms / 1e3
    });
    assert!(
        gap.mean.abs() <= Z * gap.se + 0.002 * l.mean,
        "L - XW: {} (L = {:.4})",
        gap.describe(0.0),
        l.mean
    );
}

#[test]
fn erlang_c_holds_across_loads_and_server_counts() {
    // A second operating point: a light load on 3 servers.
    let (c, lambda, mu) = (3u32, 15.0, 10.0);
    let (_, sink) = run_file(
        "scenarios/theory/mmc.yaml",
        &[
            "pods.replicas=3",
            "workload.arrivals.rate=15",
            "duration=41000s",
            "sample_interval=1000s",
            "seed=15",
        ],
    );
    let p_wait = batches(&sink.timeseries, |r| r.wait_probability);
    assert_close("P(wait > 0)", &p_wait, erlang_c(c, lambda / mu), 0.0);
    let wait = batches(&sink.timeseries, |r| r.wait_mean_ms / 1e3);
    assert_close("mean wait [s]", &wait, mmc_mean_wait(c, lambda, mu), 0.0);
}

#[test]
fn cpu_saturation_is_processor_sharing_and_insensitive_to_the_demand_shape() {
    // One pod with 100 slots and a 1-core limit: requests share the core (M/G/1-PS). The mean
    // sojourn is E[S] / (1 - rho) whatever the demand distribution (here lognormal, cv > 1).
    let (lambda, mean_s) = (8.0, 0.1);
    let (summary, sink) = run_file(
        "scenarios/theory/mm1.yaml",
        &[
            "pods.concurrency=100",
            "service.cpu={dist: lognormal, mean: 100ms, p99: 600ms}",
            "duration=41000s",
            "sample_interval=1000s",
            "seed=16",
        ],
    );
    assert_eq!(summary.rejected, 0);
    let expected = mean_s / (1.0 - lambda * mean_s);
    let sojourn = batches(&sink.timeseries, |r| r.latency_mean_ms / 1e3);
    assert_close("M/G/1-PS mean sojourn [s]", &sojourn, expected, 0.0);
    // And nobody waits for a slot: the CPU is shared, not queued for.
    assert_eq!(summary.wait_mean_ms, 0.0);
    let util = summary.cpu_utilization_mean_pct / 100.0;
    assert!(
        (util - lambda * mean_s).abs() < 0.01,
        "CPU utilization {util}"
    );
}
