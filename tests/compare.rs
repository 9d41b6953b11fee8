//! `hpasim compare`: the paired comparison finds a known better variant, under common random
//! numbers its interval is narrower than an unpaired one, identical variants are identical,
//! the output is the same bytes for any thread count, and bad input exits 2 with a message.

use crate::support::hpasim;
use hpasim_reports::compare::welch_half_width;
use std::path::Path;

const MMC: &str = "scenarios/theory/mmc.yaml";

/// Short M/M/c runs: c = 10, λ = 80, μ = 10 (ρ = 0.8), 3 simulated minutes each.
const SHORT: [&str; 4] = ["--set", "duration=3m", "--set", "sample_interval=1m"];

/// `hpasim compare ARGS SHORT`, asserting exit 0; returns stdout.
fn compare(args: &[&str]) -> String {
    let mut all = vec!["compare"];
    all.extend_from_slice(args);
    all.extend_from_slice(&SHORT);
    let out = hpasim(&all);
    assert_eq!(
        out.status.code(),
        Some(0),
        "hpasim {all:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 stdout")
}

/// `hpasim compare ARGS`, asserting exit 2 and no stdout; returns stderr.
fn refused(args: &[&str]) -> String {
    let mut all = vec!["compare"];
    all.extend_from_slice(args);
    let out = hpasim(&all);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "hpasim {all:?}: {stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    stderr
}

/// A CSV file as (header, rows).
fn csv_file(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// compare.csv of `dir`: metric → (column → cell).
struct Compared {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Compared {
    fn read(dir: &Path) -> Compared {
        let (header, rows) = csv_file(&dir.join("compare.csv"));
        Compared { header, rows }
    }
    fn cell(&self, metric: &str, column: &str) -> &str {
        let c = self.header.iter().position(|h| h == column).unwrap();
        let m = self.header.iter().position(|h| h == "metric").unwrap();
        let row = self.rows.iter().find(|r| r[m] == metric).unwrap();
        &row[c]
    }
    fn num(&self, metric: &str, column: &str) -> f64 {
        self.cell(metric, column)
            .parse()
            .unwrap_or_else(|_| panic!("{metric}.{column}: {:?}", self.cell(metric, column)))
    }
    fn verdicts(&self) -> Vec<&str> {
        let v = self.header.iter().position(|h| h == "verdict").unwrap();
        self.rows.iter().map(|r| r[v].as_str()).collect()
    }
}

/// The values of `metric` in summary.csv for `variant`, in replication order.
fn runs(dir: &Path, variant: &str, metric: &str) -> Vec<f64> {
    let (h, rows) = csv_file(&dir.join("summary.csv"));
    let (v, m) = (
        h.iter().position(|c| c == "variant").unwrap(),
        h.iter().position(|c| c == metric).unwrap(),
    );
    rows.iter()
        .filter(|r| r[v] == variant)
        .map(|r| r[m].parse().unwrap())
        .collect()
}

#[test]
fn compare_finds_faster_service_better_and_its_paired_interval_is_narrower_than_an_unpaired_one() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let fast = "service.cpu.rate=11";
    let stdout = compare(&[
        MMC,
        "--variant",
        "base",
        "--variant",
        fast,
        "--replications",
        "8",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        stdout.starts_with("compare `mmc`: A = base, B = service.cpu.rate=11; 8 replications each, paired by replication under common random numbers"),
        "{stdout}"
    );
    let c = Compared::read(&out);
    for metric in ["latency_p99_ms", "latency_mean_ms", "wait_mean_ms"] {
        assert_eq!(c.cell(metric, "verdict"), "B better", "{metric}");
        let (low, mean, high) = (
            c.num(metric, "diff_ci95_low"),
            c.num(metric, "diff_mean"),
            c.num(metric, "diff_ci95_high"),
        );
        assert!(
            low <= mean && mean <= high && high < 0.0,
            "{metric}: B − A in [{low}, {high}]"
        );
        assert!(c.num(metric, "b_mean") < c.num(metric, "a_mean"));
        assert!(c.num(metric, "relative_diff_pct") < 0.0);
        let line = stdout.lines().find(|l| l.starts_with(metric)).unwrap();
        assert!(line.ends_with(&format!("B better ({fast})")), "{line}");
    }
    // Faster service: the same arrivals, lower CPU utilization (no better direction).
    assert_eq!(c.cell("cpu_utilization_mean_pct", "verdict"), "B lower");
    assert_eq!(c.cell("requests", "verdict"), "identical");
    // The point of common random numbers: the paired interval is far narrower than what the
    // same runs would give compared as independent samples (Welch): here about 0.45 of it for
    // the mean latency and 0.7 for the p99.
    for metric in ["latency_mean_ms", "latency_p99_ms"] {
        let (a, b) = (runs(&out, "base", metric), runs(&out, fast, metric));
        assert_eq!((a.len(), b.len()), (8, 8));
        let paired = (c.num(metric, "diff_ci95_high") - c.num(metric, "diff_ci95_low")) / 2.0;
        let unpaired = welch_half_width(&a, &b);
        eprintln!("{metric}: paired half-width {paired:.4}, unpaired {unpaired:.4}");
        assert!(
            paired < 0.8 * unpaired,
            "{metric}: paired {paired} vs unpaired {unpaired}"
        );
        // And the means in compare.csv are those of summary.csv.
        let mean = |xs: &[f64]| xs.iter().sum::<f64>() / xs.len() as f64;
        assert!((c.num(metric, "a_mean") - mean(&a)).abs() < 1e-5);
        assert!((c.num(metric, "diff_mean") - (mean(&b) - mean(&a))).abs() < 1e-5);
    }
}

#[test]
fn compare_csv_has_one_row_per_summary_metric_with_the_documented_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    compare(&[
        MMC,
        "--variant",
        "base",
        "--variant",
        "pods.replicas=11",
        "--replications",
        "2",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    let c = Compared::read(&out);
    assert_eq!(
        c.header,
        [
            "scenario",
            "variant_a",
            "variant_b",
            "replications",
            "metric",
            "a_mean",
            "b_mean",
            "diff_mean",
            "diff_ci95_low",
            "diff_ci95_high",
            "relative_diff_pct",
            "verdict"
        ]
    );
    let metrics: Vec<&str> = hpasim_models::rows::SummaryRow::default()
        .metrics()
        .iter()
        .map(|m| m.0)
        .collect();
    let m = c.header.iter().position(|h| h == "metric").unwrap();
    let listed: Vec<&str> = c.rows.iter().map(|r| r[m].as_str()).collect();
    assert_eq!(listed, metrics);
    for r in &c.rows {
        assert_eq!(&r[..4], ["mmc", "base", "pods.replicas=11", "2"]);
    }
    for v in c.verdicts() {
        assert!(
            [
                "identical",
                "no difference",
                "A better",
                "B better",
                "B higher",
                "B lower"
            ]
            .contains(&v),
            "{v}"
        );
    }
    // A's mean of 0 leaves the relative difference empty.
    assert_eq!(c.cell("rejected", "relative_diff_pct"), "");
    // More replicas: more pod-seconds, a lower-is-better metric.
    assert_eq!(c.cell("pod_seconds", "verdict"), "A better");
    // summary.csv: run's header, A's replications then B's.
    let (h, rows) = csv_file(&out.join("summary.csv"));
    assert_eq!(
        &h[..5],
        ["scenario", "variant", "replication", "seed", "duration_s"]
    );
    let keys: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[1].as_str(), r[2].as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("base", "0"),
            ("base", "1"),
            ("pods.replicas=11", "0"),
            ("pods.replicas=11", "1")
        ]
    );
    // Nothing else is left in the directory.
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["compare.csv", "summary.csv"]);
}

#[test]
fn comparing_a_variant_with_itself_or_a_file_with_its_copy_finds_every_metric_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("same");
    let stdout = compare(&[
        MMC,
        "--variant",
        "base",
        "--variant",
        "base",
        "--out",
        out.to_str().unwrap(),
    ]);
    let c = Compared::read(&out);
    assert!(c.verdicts().iter().all(|v| *v == "identical"), "{stdout}");
    // Without a sweep the default is 10 replications; equal names become `a` and `b`.
    assert_eq!(c.cell("latency_p99_ms", "replications"), "10");
    assert_eq!(c.cell("latency_p99_ms", "variant_a"), "a");
    assert_eq!(c.cell("latency_p99_ms", "variant_b"), "b");
    assert!(stdout.contains("A = a (base), B = b (base)"), "{stdout}");
    assert!(
        stdout.contains("metrics not shown: identical and 0 in both"),
        "{stdout}"
    );
    // Two copies of one file, in two directories: same stem, so `a` and `b`.
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(MMC)).unwrap();
    for d in ["x", "y"] {
        std::fs::create_dir_all(tmp.path().join(d)).unwrap();
        std::fs::write(tmp.path().join(d).join("mmc.yaml"), &text).unwrap();
    }
    let files = tmp.path().join("files");
    compare(&[
        tmp.path().join("x/mmc.yaml").to_str().unwrap(),
        tmp.path().join("y/mmc.yaml").to_str().unwrap(),
        "--replications",
        "3",
        "--out",
        files.to_str().unwrap(),
        "-q",
    ]);
    let c = Compared::read(&files);
    assert!(c.verdicts().iter().all(|v| *v == "identical"));
    assert_eq!(c.cell("requests", "variant_a"), "a");
}

/// An M/M/c scenario with a sweep whose named variant `same` only restates the base value.
const NOOP_SWEEP: &str = "
name: noop
duration: 3m
seed: 3
sample_interval: 1m
workload:
  arrivals: { kind: constant, rate: 16 }
service:
  cpu: { dist: exponential, rate: 10 }
pods:
  replicas: 2
  concurrency: 1
  cpu_request: '1'
  cpu_limit: '1'
load_balancer:
  policy: shared_queue
sweep:
  replications: 3
  variants:
    - { name: same, set: { pods.replicas: 2 } }
    - { name: faster, set: { service.cpu.rate: 12 } }
";

#[test]
fn a_sweep_variant_that_changes_nothing_but_its_name_is_identical_to_base() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("noop.yaml");
    std::fs::write(&file, NOOP_SWEEP).unwrap();
    let out = tmp.path().join("out");
    let stdout = compare(&[
        file.to_str().unwrap(),
        "--variant",
        "base",
        "--variant",
        "same",
        "--out",
        out.to_str().unwrap(),
    ]);
    let c = Compared::read(&out);
    assert!(c.verdicts().iter().all(|v| *v == "identical"), "{stdout}");
    // The replications come from the sweep.
    assert_eq!(c.cell("wait_mean_ms", "replications"), "3");
    assert_eq!(c.cell("wait_mean_ms", "variant_b"), "same");
}

#[test]
fn compare_writes_the_same_bytes_with_one_and_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("noop.yaml");
    std::fs::write(&file, NOOP_SWEEP).unwrap();
    let mut files = Vec::new();
    for threads in ["1", "2"] {
        let out = tmp.path().join(format!("t{threads}"));
        compare(&[
            file.to_str().unwrap(),
            "--variant",
            "same",
            "--variant",
            "faster",
            "--replications",
            "5",
            "--threads",
            threads,
            "--out",
            out.to_str().unwrap(),
            "-q",
        ]);
        let read = |f: &str| std::fs::read(out.join(f)).unwrap();
        files.push((read("compare.csv"), read("summary.csv")));
    }
    assert!(
        files[0] == files[1],
        "compare.csv or summary.csv depends on --threads"
    );
}

#[test]
fn bad_compare_input_exits_2_with_a_message_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("noop.yaml");
    std::fs::write(&file, NOOP_SWEEP).unwrap();
    let f = file.to_str().unwrap();
    let out = tmp.path().join("out");
    let o = out.to_str().unwrap();
    let e = refused(&[f, "--variant", "base", "--variant", "fastr", "--out", o]);
    assert!(e.contains("unknown variant `fastr`"), "{e}");
    assert!(e.contains("did you mean `faster`?"), "{e}");
    assert!(e.contains("valid variants: base, same, faster"), "{e}");
    let e = refused(&[f, "--variant", "base"]);
    assert!(
        e.contains("give exactly two variants (A, then B), got 1"),
        "{e}"
    );
    let e = refused(&[f, "--variant", "a", "--variant", "b", "--variant", "c"]);
    assert!(e.contains("got 3"), "{e}");
    let e = refused(&[
        f,
        "--variant",
        "base",
        "--variant",
        "same",
        "--replications",
        "1",
    ]);
    assert!(
        e.contains("--replications 1: a confidence interval needs at least 2 replications"),
        "{e}"
    );
    let e = refused(&[
        f,
        "--variant",
        "base",
        "--variant",
        "same",
        "--set",
        "sweep.replications=1",
    ]);
    assert!(
        e.contains("sweep.replications: a confidence interval needs at least 2"),
        "{e}"
    );
    let e = refused(&["no/such.yaml", "--variant", "base", "--variant", "base"]);
    assert!(
        e.contains("no/such.yaml") && e.contains("cannot read"),
        "{e}"
    );
    let e = refused(&[f, f, "--variant", "base"]);
    assert!(
        e.contains("cannot be combined with a second scenario file"),
        "{e}"
    );
    let e = refused(&[f, "--variant", "base", "--variant", "pods.replicsa=3"]);
    assert!(e.contains("did you mean `replicas`?"), "{e}");
    // Without a sweep, the only name is `base`.
    let e = refused(&[MMC, "--variant", "base", "--variant", "fast"]);
    assert!(
        e.contains("the scenario has no `sweep:`") && e.contains("valid variants: base"),
        "{e}"
    );
    assert!(!out.exists(), "nothing is written on bad input");
}
