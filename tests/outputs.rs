//! What every run leaves besides the summary: the latency distribution (latency_cdf.csv) and
//! the SLO's violation seconds.

use crate::support::{repo_root, run_file};
use hpasim_models::rows::CDF_QUANTILES;
use std::process::Command;

#[test]
fn latency_cdf_holds_105_ascending_quantiles_that_agree_with_the_summary() {
    let (summary, rows) = run_file("scenarios/quickstart.yaml", &["duration=2m"]);
    let cdf = &rows.latency_cdf;
    assert_eq!(cdf.len(), CDF_QUANTILES.len());
    assert_eq!(cdf.len(), 105);
    assert!(cdf.windows(2).all(|w| w[0] <= w[1]), "{cdf:?}");
    let at = |q: f64| cdf[CDF_QUANTILES.iter().position(|&x| x == q).unwrap()];
    assert_eq!(at(0.5), summary.latency_p50_ms);
    assert_eq!(at(0.9), summary.latency_p90_ms);
    assert_eq!(at(0.99), summary.latency_p99_ms);
    assert_eq!(at(0.999), summary.latency_p999_ms);
    assert_eq!(at(1.0), summary.latency_max_ms);
    assert!(at(0.0) > 0.0 && at(0.0) <= at(0.01));
}

#[test]
fn slo_every_interval_violates_an_objective_below_any_latency_and_none_one_above_all() {
    let (all, _) = run_file(
        "scenarios/quickstart.yaml",
        &["duration=2m", "slo.latency_ms=0.001"],
    );
    assert_eq!(all.slo_violation_s, 120.0);
    let (none, _) = run_file(
        "scenarios/quickstart.yaml",
        &["duration=2m", "slo.latency_ms=1e9"],
    );
    assert_eq!(none.slo_violation_s, 0.0);
    let (without, _) = run_file("scenarios/quickstart.yaml", &["duration=2m"]);
    assert_eq!(without.slo_violation_s, 0.0);
}

#[test]
fn slo_violation_seconds_are_the_intervals_whose_percentile_misses_the_objective() {
    let (summary, rows) = run_file(
        "scenarios/quickstart.yaml",
        &["slo.latency_ms=200", "slo.percentile=95"],
    );
    let mut expected = 0.0;
    let mut start = 0.0;
    for row in &rows.timeseries {
        if row.latency_p95_ms > 200.0 {
            expected += row.time_s - start;
        }
        start = row.time_s;
    }
    assert!(
        expected > 0.0 && expected < summary.duration_s,
        "{expected}"
    );
    assert!((summary.slo_violation_s - expected).abs() < 1e-9);
}

#[test]
fn slo_error_objective_counts_intervals_with_too_many_rejections() {
    // M/M/1/10 at ρ = 0.9 rejects about 5 % of arrivals: an objective of 1 % fails in every
    // 10-minute interval, one of 50 % in none.
    let (strict, _) = run_file(
        "scenarios/theory/mm1k.yaml",
        &["slo.latency_ms=1e9", "slo.error_rate=0.01"],
    );
    assert!(strict.rejected > 0);
    assert_eq!(strict.slo_violation_s, strict.duration_s);
    let (lenient, _) = run_file(
        "scenarios/theory/mm1k.yaml",
        &["slo.latency_ms=1e9", "slo.error_rate=0.5"],
    );
    assert_eq!(lenient.slo_violation_s, 0.0);
}

#[test]
fn slo_bad_values_exit_2_with_the_path_and_a_hint() {
    let out = Command::new(env!("CARGO_BIN_EXE_hpasim"))
        .args([
            "validate",
            "scenarios/quickstart.yaml",
            "--set",
            "slo.latency_ms=500",
            "--set",
            "slo.percentile=90",
        ])
        .current_dir(repo_root())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("slo.percentile"), "{stderr}");
    assert!(stderr.contains("must be 50, 95 or 99, got 90"), "{stderr}");
    assert!(stderr.contains("p50, p95 and p99"), "{stderr}");
}
