//! What every run leaves besides the summary: the latency distribution (latency_cdf.csv) and
//! the SLO's violation seconds.

use crate::support::{hpasim, repo_root, run_file};
use hpasim_models::rows::CDF_QUANTILES;

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
    let out = hpasim(&[
        "validate",
        "scenarios/quickstart.yaml",
        "--set",
        "slo.latency_ms=500",
        "--set",
        "slo.percentile=90",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("slo.percentile"), "{stderr}");
    assert!(stderr.contains("must be 50, 95 or 99, got 90"), "{stderr}");
    assert!(stderr.contains("p50, p95 and p99"), "{stderr}");
}

fn meta(dir: &std::path::Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("hpasim.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn run_records_its_inputs_in_hpasim_json() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("gw");
    let run = hpasim(&[
        "run",
        "scenarios/graphql-gateway/scenario.yaml",
        "-q",
        "--seed",
        "7",
        "--set",
        "slo.latency_ms=250",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let m = meta(&out);
    assert_eq!(m["command"], "run");
    assert_eq!(m["scenario"], "graphql-gateway");
    assert_eq!(m["seed"], 7);
    assert_eq!(m["duration_s"], 960.0);
    assert_eq!(m["slo"]["latency_ms"], 250.0);
    assert_eq!(m["slo"]["percentile"], 99);
    let overrides: Vec<&str> = m["overrides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(overrides.contains(&"slo.latency_ms=250"), "{overrides:?}");
    assert!(overrides.contains(&"seed=7"), "{overrides:?}");
    // The scenario's text and its manifest's, as read.
    let files = m["files"].as_array().unwrap();
    assert_eq!(files[0]["path"], "scenario.yaml");
    let scenario =
        std::fs::read_to_string(repo_root().join("scenarios/graphql-gateway/scenario.yaml"));
    assert_eq!(files[0]["text"], scenario.unwrap());
    assert_eq!(files[1]["path"], "k8s.yaml");
    assert!(files[1]["text"]
        .as_str()
        .unwrap()
        .contains("HorizontalPodAutoscaler"));
}

#[test]
fn run_with_plots_draws_the_timeline_with_the_slo_line_and_the_report() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("q");
    let run = hpasim(&[
        "run",
        "scenarios/quickstart.yaml",
        "--plots",
        "--set",
        "slo.latency_ms=300",
        "--out",
        out.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("report.html"), "{stdout}");
    let svg = std::fs::read_to_string(out.join("plots/timeline.svg")).unwrap();
    assert!(svg.contains("SLO p99 300 ms"), "the SLO line is labelled");
    assert!(
        std::fs::metadata(out.join("plots/timeline.png"))
            .unwrap()
            .len()
            > 10_000
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("quickstart"));
    // The scenario's own text is embedded (escaped) for the reader.
    assert!(
        html.contains("python-api-base"),
        "scenario text in the report"
    );
}

#[test]
fn sweep_with_plots_draws_the_pareto_front_heatmaps_and_cdfs_from_its_files() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("grid.yaml");
    std::fs::write(
        &scenario,
        "name: grid\nduration: 3m\nseed: 3\nworkload:\n  arrivals: { kind: constant, rate: 80 }\n\
         service:\n  cpu: { dist: exponential, rate: 10 }\npods:\n  replicas: 10\n  concurrency: 1\n\
         \x20 cpu_request: \"1\"\n  cpu_limit: \"1\"\nsweep:\n  grid:\n    pods.replicas: [9, 10, 12]\n\
         \x20   service.cpu.rate: [10, 12]\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let run = hpasim(&[
        "sweep",
        scenario.to_str().unwrap(),
        "-q",
        "--plots",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let m = meta(&out);
    assert_eq!(m["command"], "sweep");
    assert_eq!(m["parameters"][0], "pods.replicas");
    let cdf = std::fs::read_to_string(out.join("latency_cdf.csv")).unwrap();
    assert_eq!(
        cdf.lines().count(),
        1 + 6 * 105,
        "header + 105 rows per run"
    );
    let svg = |name: &str| std::fs::read_to_string(out.join("plots").join(name)).unwrap();
    for plot in ["pareto.svg", "cdf.svg"] {
        assert!(svg(plot).contains("v0005"), "{plot} names the variants");
    }
    for plot in ["heatmap_latency_p99_ms.svg", "heatmap_cost_usd.svg"] {
        let text = svg(plot);
        assert!(text.contains("pods.replicas") && text.contains("service.cpu.rate"));
    }
    assert!(out.join("report.html").exists());
}
