//! `hpasim report OUT_DIR`: plots (SVG and PNG) and a self-contained report.html from the
//! files of a run or a sweep, and clear errors on bad input.

use crate::support::hpasim;
use std::path::Path;

fn ok(args: &[&str]) -> String {
    let out = hpasim(args);
    assert!(
        out.status.success(),
        "hpasim {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn non_empty(path: &Path) {
    let len = std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .len();
    assert!(len > 0, "{} is empty", path.display());
}

/// Nothing in the page is fetched: no script, no stylesheet link, no remote source.
fn assert_self_contained(html: &str) {
    for bad in [
        "src=\"http",
        "href=\"http",
        "src='http",
        "<script",
        "<link",
        "@import",
        "url(",
    ] {
        assert!(!html.contains(bad), "report.html contains {bad:?}");
    }
}

#[test]
fn report_of_a_run_draws_the_timeline_and_a_self_contained_page() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let dir = out.to_str().unwrap();
    ok(&[
        "run",
        "scenarios/graphql-gateway/scenario.yaml",
        "--out",
        dir,
        "-q",
    ]);
    let stdout = ok(&["report", dir]);
    assert!(stdout.contains("timeline.svg") && stdout.contains("report.html"));
    for f in ["timeline.svg", "timeline.png"] {
        non_empty(&out.join("plots").join(f));
    }
    let png = std::fs::read(out.join("plots/timeline.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let svg = text(&out.join("plots/timeline.svg"));
    for series in [
        "arrival", "desired", "ready", "p50", "p95", "p99", "errors", "time [s]",
    ] {
        assert!(svg.contains(series), "timeline.svg lacks {series:?}");
    }
    let html = text(&out.join("report.html"));
    assert!(html.contains("<svg"));
    for column in [
        "latency_p99_ms",
        "p99 latency [ms]",
        "cost [USD]",
        "error_rate",
    ] {
        assert!(html.contains(column), "report.html lacks {column:?}");
    }
    assert!(html.contains("hpa_sync") && html.contains("DesiredWithinRange"));
    assert_self_contained(&html);
    // The same files give the same plot bytes.
    ok(&["report", dir, "-q"]);
    assert_eq!(text(&out.join("plots/timeline.svg")), svg);
    assert_eq!(std::fs::read(out.join("plots/timeline.png")).unwrap(), png);
}

#[test]
fn report_no_png_and_no_html_write_only_the_svg() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let dir = out.to_str().unwrap();
    ok(&[
        "run",
        "scenarios/theory/mmc.yaml",
        "--duration",
        "10m",
        "--out",
        dir,
        "-q",
    ]);
    assert_eq!(ok(&["report", dir, "--no-png", "--no-html", "-q"]), "");
    assert!(out.join("plots/timeline.svg").exists());
    assert!(!out.join("plots/timeline.png").exists());
    assert!(!out.join("report.html").exists());
}

const GRID: &str = "\
name: report-grid
duration: 3m
seed: 5
sample_interval: 30s
workload:
  arrivals: { kind: constant, rate: 12 }
service:
  cpu: { dist: exponential, rate: 10 }
pods:
  replicas: 2
  concurrency: 1
  cpu_request: \"1\"
  cpu_limit: \"1\"
load_balancer:
  policy: shared_queue
sweep:
  replications: 2
  grid:
    pods.replicas: [2, 3]
    workload.arrivals.rate: [10, 14]
";

/// A latency CDF per run of `dir`'s summary.csv, for when the sweep does not write one.
fn synthetic_cdf(dir: &Path) {
    let mut r = csv::Reader::from_path(dir.join("summary.csv")).unwrap();
    let mut text = "scenario,variant,replication,seed,quantile,latency_ms\n".to_owned();
    for rec in r.records() {
        let rec = rec.unwrap();
        for (q, l) in [(0.0, 1.0), (0.5, 90.0), (0.99, 400.0), (1.0, 900.0)] {
            text.push_str(&format!(
                "{},{},{},{},{q},{l}\n",
                &rec[0], &rec[1], &rec[2], &rec[3]
            ));
        }
    }
    std::fs::write(dir.join("latency_cdf.csv"), text).unwrap();
}

#[test]
fn report_of_a_sweep_draws_the_pareto_front_heatmaps_and_latency_cdfs() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("grid.yaml");
    std::fs::write(&scenario, GRID).unwrap();
    let out = tmp.path().join("out");
    let dir = out.to_str().unwrap();
    ok(&[
        "sweep",
        scenario.to_str().unwrap(),
        "--out",
        dir,
        "--timeseries",
        "-q",
    ]);
    if !out.join("latency_cdf.csv").exists() {
        synthetic_cdf(&out);
    }
    ok(&["report", dir, "-q"]);
    let plots = out.join("plots");
    for f in [
        "pareto.svg",
        "pareto.png",
        "heatmap_latency_p99_ms.svg",
        "heatmap_cost_usd.svg",
        "cdf.svg",
        "cdf.png",
        "timeline.svg",
    ] {
        non_empty(&plots.join(f));
    }
    let pareto = text(&plots.join("pareto.svg"));
    let cdf = text(&plots.join("cdf.svg"));
    for v in ["v0000", "v0001", "v0002", "v0003"] {
        assert!(pareto.contains(v), "pareto.svg lacks {v}");
        assert!(cdf.contains(v), "cdf.svg lacks {v}");
    }
    assert!(pareto.contains("Pareto front"));
    let heat = text(&plots.join("heatmap_latency_p99_ms.svg"));
    assert!(heat.contains("pods.replicas") && heat.contains("workload.arrivals.rate"));
    assert!(heat.contains("p99 latency [ms]"));
    let timeline = text(&plots.join("timeline.svg"));
    assert!(timeline.contains("variant v0000, replication 0"));
    let html = text(&out.join("report.html"));
    assert!(html.contains("pods.replicas") && html.contains("±"));
    assert!(html.matches("<svg").count() >= 5, "every plot inline");
    assert_self_contained(&html);

    // Another run's timeline on request.
    ok(&[
        "report",
        dir,
        "--variant",
        "v0003",
        "--replication",
        "1",
        "--no-png",
        "-q",
    ]);
    assert!(text(&plots.join("timeline.svg")).contains("variant v0003, replication 1"));
}

#[test]
fn report_of_a_missing_directory_exits_2_naming_it() {
    let out = hpasim(&["report", "/nonexistent/hpasim-out"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("/nonexistent/hpasim-out"), "{stderr}");
}

#[test]
fn report_of_a_directory_without_summary_or_with_a_bad_csv_exits_2_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap();
    let out = hpasim(&["report", dir]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("summary.csv"), "{stderr}");

    std::fs::write(
        tmp.path().join("summary.csv"),
        "scenario,variant,replication,seed,latency_p99_ms\nx,base,0,1,12\n",
    )
    .unwrap();
    let out = hpasim(&["report", dir]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cost_usd"),
        "names the missing column: {stderr}"
    );

    std::fs::write(
        tmp.path().join("summary.csv"),
        "scenario,variant,replication,seed,latency_p99_ms,cost_usd\nx,base,0,1,12,0.5\n",
    )
    .unwrap();
    let out = hpasim(&["report", dir, "--variant", "nope", "--no-html"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("base"), "lists the variants: {stderr}");
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["summary.csv"], "no partial output");
}
