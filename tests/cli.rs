//! The command line: `hpasim run` writes the documented files, `--set`, `--seed` and
//! `--duration` reach the run, and every bundled scenario validates.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (the working directory of every run).
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `hpasim ARGS` from the repository root.
fn hpasim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hpasim"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("hpasim starts")
}

/// Asserts exit status 0 and returns stdout.
fn ok(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

/// `hpasim run SCENARIO --out <tmp>/out ARGS`, asserting success; returns the output dir.
fn run_into(tmp: &tempfile::TempDir, scenario: &str, args: &[&str]) -> (PathBuf, String) {
    let out = tmp.path().join("out");
    let out_str = out.to_str().expect("UTF-8 temp path");
    let mut all = vec!["run", scenario, "--out", out_str];
    all.extend_from_slice(args);
    let stdout = ok(&hpasim(&all));
    (out, stdout)
}

/// A CSV file: its header and rows.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn read(path: &Path) -> Table {
        let mut r = csv::Reader::from_path(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let header = r
            .headers()
            .expect("a header row")
            .iter()
            .map(String::from)
            .collect();
        let rows = r
            .records()
            .map(|rec| {
                rec.expect("a CSV record")
                    .iter()
                    .map(String::from)
                    .collect()
            })
            .collect();
        Table { header, rows }
    }

    fn index(&self, column: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == column)
            .unwrap_or_else(|| panic!("no column `{column}` in {:?}", self.header))
    }

    /// Every value of `column`, as text.
    fn column(&self, column: &str) -> Vec<&str> {
        let i = self.index(column);
        self.rows.iter().map(|r| r[i].as_str()).collect()
    }

    /// The value of `column` in the only row.
    fn only(&self, column: &str) -> &str {
        assert_eq!(self.rows.len(), 1, "expected exactly one data row");
        self.column(column)[0]
    }

    fn number(&self, column: &str) -> f64 {
        let v = self.only(column);
        v.parse()
            .unwrap_or_else(|_| panic!("`{column}` is not a number: {v:?}"))
    }

    fn assert_has_columns(&self, name: &str, columns: &[&str]) {
        let missing: Vec<&&str> = columns
            .iter()
            .filter(|c| !self.header.iter().any(|h| h == *c))
            .collect();
        assert!(
            missing.is_empty(),
            "{name} lacks {missing:?}; header: {:?}",
            self.header
        );
    }
}

const SUMMARY_COLUMNS: &[&str] = &[
    "scenario",
    "variant",
    "replication",
    "seed",
    "duration_s",
    "requests",
    "completed",
    "rejected",
    "timed_out",
    "error_rate",
    "latency_mean_ms",
    "latency_p50_ms",
    "latency_p90_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "latency_p999_ms",
    "latency_max_ms",
    "wait_mean_ms",
    "throughput_rps",
    "replicas_mean",
    "replicas_max",
    "pod_seconds",
    "cpu_utilization_mean_pct",
    "cost_usd",
];

const TIMESERIES_COLUMNS: &[&str] = &[
    "scenario",
    "variant",
    "replication",
    "time_s",
    "arrival_rate_rps",
    "throughput_rps",
    "replicas_desired",
    "pods_ready",
    "pods_starting",
    "in_flight",
    "queued",
    "cpu_utilization_pct",
    "latency_p50_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "rejected",
    "timed_out",
    "cost_usd",
];

const EVENTS_COLUMNS: &[&str] = &["time_s", "kind", "object", "detail"];

#[test]
fn run_quickstart_prints_a_summary_and_writes_the_documented_files() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, stdout) = run_into(&tmp, "scenarios/quickstart.yaml", &[]);
    assert!(stdout.contains("quickstart"), "{stdout}");
    assert!(stdout.contains("requests"), "{stdout}");
    assert!(stdout.contains("latency"), "{stdout}");
    assert!(stdout.contains("summary.csv"), "{stdout}");

    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "events.csv",
            "hpasim.json",
            "latency_cdf.csv",
            "requests.csv",
            "summary.csv",
            "timeseries.csv"
        ],
        "exactly the documented files, no temporary left behind"
    );

    let summary = Table::read(&out.join("summary.csv"));
    summary.assert_has_columns("summary.csv", SUMMARY_COLUMNS);
    assert_eq!(summary.rows.len(), 1, "one row per run");
    assert_eq!(summary.only("scenario"), "quickstart");
    assert_eq!(summary.only("seed"), "42");
    assert_eq!(summary.number("duration_s"), 300.0);
    assert!(summary.number("requests") > 0.0);

    let ts = Table::read(&out.join("timeseries.csv"));
    ts.assert_has_columns("timeseries.csv", TIMESERIES_COLUMNS);
    assert_eq!(ts.rows.len(), 300 / 10, "duration / sample_interval rows");
    let times: Vec<f64> = ts
        .column("time_s")
        .iter()
        .map(|t| t.parse().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] < w[1]),
        "time_s increases: {times:?}"
    );

    let events = Table::read(&out.join("events.csv"));
    events.assert_has_columns("events.csv", EVENTS_COLUMNS);

    let requests = Table::read(&out.join("requests.csv"));
    assert!(
        !requests.rows.is_empty(),
        "quickstart samples 1 % of requests"
    );
}

#[test]
fn quiet_run_prints_nothing_and_still_writes_the_files() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, stdout) = run_into(
        &tmp,
        "scenarios/quickstart.yaml",
        &["-q", "--duration", "30s"],
    );
    assert_eq!(stdout, "");
    assert!(out.join("summary.csv").is_file());
}

#[test]
fn events_csv_has_a_pod_ready_event_for_each_initial_pod() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, _) = run_into(&tmp, "scenarios/quickstart.yaml", &["--duration", "1m"]);
    let events = Table::read(&out.join("events.csv"));
    let kinds = events.column("kind");
    let objects = events.column("object");
    let mut ready: Vec<&str> = kinds
        .iter()
        .zip(&objects)
        .filter(|(k, _)| **k == "pod_ready")
        .map(|(_, o)| *o)
        .collect();
    ready.sort();
    ready.dedup();
    assert_eq!(
        ready.len(),
        3,
        "quickstart has 3 fixed replicas, each becomes Ready: {ready:?}"
    );
}

#[test]
fn set_pods_replicas_changes_replicas_mean_in_the_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, _) = run_into(
        &tmp,
        "scenarios/quickstart.yaml",
        &["-q", "--duration", "1m", "--set", "pods.replicas=5"],
    );
    let summary = Table::read(&out.join("summary.csv"));
    assert_eq!(summary.number("replicas_mean"), 5.0);
    assert_eq!(summary.number("replicas_max"), 5.0);
}

#[test]
fn duration_flag_sets_duration_s_and_the_number_of_timeseries_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, _) = run_into(
        &tmp,
        "scenarios/quickstart.yaml",
        &["-q", "--duration", "1m"],
    );
    let summary = Table::read(&out.join("summary.csv"));
    assert_eq!(summary.number("duration_s"), 60.0);
    let ts = Table::read(&out.join("timeseries.csv"));
    assert_eq!(ts.rows.len(), 6, "60 s / 10 s sample interval");
}

#[test]
fn seed_flag_sets_the_seed_column_of_every_file() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, _) = run_into(
        &tmp,
        "scenarios/quickstart.yaml",
        &["-q", "--duration", "30s", "--seed", "1234"],
    );
    for file in ["summary.csv", "timeseries.csv", "events.csv"] {
        let t = Table::read(&out.join(file));
        let seeds = t.column("seed");
        assert!(!seeds.is_empty(), "{file} has rows");
        assert!(seeds.iter().all(|s| *s == "1234"), "{file}: {seeds:?}");
    }
}

/// Every scenario `*.yaml` under `dir`, recursively, sorted. Kubernetes manifests, kept beside
/// their scenario as `k8s.yaml`, are checked through the scenarios that list them; the
/// `hpa-eval/` and `keda-eval/` folders hold `hpa eval` / `keda eval` cases, checked by their own tests.
fn yaml_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path
                .file_name()
                .is_some_and(|n| !n.to_string_lossy().ends_with("-eval"))
            {
                yaml_files(&path, found);
            }
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml")
            && path
                .file_name()
                .is_some_and(|n| !n.to_string_lossy().starts_with("k8s"))
        {
            found.push(path);
        }
    }
    found.sort();
}

#[test]
fn every_bundled_scenario_validates() {
    let mut files = Vec::new();
    yaml_files(&root().join("scenarios"), &mut files);
    assert!(
        files.len() >= 4,
        "quickstart and the theory templates at least: {files:?}"
    );
    for file in &files {
        let rel = file.strip_prefix(root()).unwrap();
        let out = hpasim(&["validate", rel.to_str().unwrap()]);
        let stdout = ok(&out);
        assert!(stdout.contains("ok"), "{}: {stdout}", rel.display());
    }
}

#[test]
fn validate_accepts_set_overrides() {
    let out = hpasim(&[
        "validate",
        "scenarios/theory/mmc.yaml",
        "--set",
        "pods.replicas=4",
        "--set",
        "workload.arrivals.rate=30",
    ]);
    ok(&out);
}

#[test]
fn theory_templates_respond_to_set_a_smaller_queue_rejects_more() {
    let rejected = |k: &str| {
        let tmp = tempfile::tempdir().unwrap();
        let (out, _) = run_into(
            &tmp,
            "scenarios/theory/mm1k.yaml",
            &[
                "-q",
                "--duration",
                "10m",
                "--set",
                &format!("pods.max_queue={k}"),
            ],
        );
        Table::read(&out.join("summary.csv")).number("rejected")
    };
    let (k10, k5) = (rejected("9"), rejected("4"));
    // Theory at rho = 0.9: blocking 5.1 % for K = 10, 12.2 % for K = 5; 5400 arrivals.
    assert!(k10 > 0.0, "M/M/1/10 at rho 0.9 rejects some requests");
    assert!(
        k5 > k10 * 1.5,
        "max_queue 4 should reject clearly more than max_queue 9: {k5} vs {k10}"
    );
}

#[test]
fn theory_templates_respond_to_set_more_servers_cut_the_wait() {
    let wait = |c: &str| {
        let tmp = tempfile::tempdir().unwrap();
        let (out, _) = run_into(
            &tmp,
            "scenarios/theory/mmc.yaml",
            &[
                "-q",
                "--duration",
                "10m",
                "--set",
                &format!("pods.replicas={c}"),
            ],
        );
        Table::read(&out.join("summary.csv")).number("wait_mean_ms")
    };
    let (c9, c20) = (wait("9"), wait("20"));
    // Erlang C at lambda 80, mu 10: c = 9 waits ~ 180 ms on average, c = 20 almost never.
    assert!(c9 > 10.0 * c20.max(0.1), "c=9 waits {c9} ms, c=20 {c20} ms");
}

#[test]
fn output_directory_that_cannot_be_created_exits_1_with_a_message() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let out = file.join("out");
    let result = hpasim(&[
        "run",
        "scenarios/quickstart.yaml",
        "-q",
        "--duration",
        "30s",
        "--out",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("output directory"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a directory");
}

#[test]
fn a_runaway_run_is_stopped_by_the_guard_with_a_clear_message_and_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // 100 req/s into one pod serving 10/s with an unbounded queue: 90 more per second.
    let result = hpasim(&[
        "run",
        "scenarios/theory/mm1.yaml",
        "--set",
        "workload.arrivals.rate=100",
        "--set",
        "max_in_system=5000",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains("run stopped: more than 5000 requests in the system at")
            && stderr.contains("outgrows the capacity without bound")
            && stderr.contains("hint:"),
        "{stderr}"
    );
    assert!(!out.join("summary.csv").exists(), "no partial output");
}
