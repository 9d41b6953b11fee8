//! `hpasim sweep` and `hpasim merge`: the same bytes for any thread count, shards merged equal
//! the whole, resume equals the whole, common random numbers across variants, confidence
//! intervals that cover, and bad input.

use crate::support::hpasim;
use crate::support::queueing::mmc_mean_wait;
use std::path::Path;
use std::process::Command;

const GRID: &str = "tests/fixtures/sweep/mmc-grid.yaml";

fn ok(args: &[&str]) {
    let out = hpasim(args);
    assert!(
        out.status.success(),
        "hpasim {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{}/{file}: {e}", dir.display()))
}

fn same_files(a: &Path, b: &Path) {
    for f in [
        "summary.csv",
        "aggregate.csv",
        "timeseries.csv",
        "latency_cdf.csv",
        "hpasim.json",
    ] {
        assert!(
            read(a, f) == read(b, f),
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

fn sweep(dir: &Path, extra: &[&str]) {
    let mut args = vec![
        "sweep",
        GRID,
        "-q",
        "--timeseries",
        "--out",
        dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    ok(&args);
}

/// summary.csv as records.
fn summary(dir: &Path) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_path(dir.join("summary.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    (h, r.records().map(Result::unwrap).collect())
}

#[test]
fn the_same_bytes_with_one_and_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let (one, two) = (tmp.path().join("one"), tmp.path().join("two"));
    sweep(&one, &["--threads", "1", "--replications", "10"]);
    sweep(&two, &["--threads", "2", "--replications", "10"]);
    same_files(&one, &two);
    let (h, rows) = summary(&one);
    assert_eq!(rows.len(), 40, "2 × 2 variants × 10 replications");
    assert_eq!(&h[h.len() - 2], "pods.replicas");
    assert_eq!(&h[h.len() - 1], "workload.arrivals.rate");
    assert!(
        !one.join(".sweep").exists(),
        "the work area is removed at the end"
    );
}

#[test]
fn shards_merged_equal_the_whole_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    sweep(&whole, &["--replications", "20"]);
    let mut shards = Vec::new();
    for i in 0..3 {
        let d = tmp.path().join(format!("shard{i}"));
        sweep(&d, &["--replications", "20", "--shard", &format!("{i}/3")]);
        assert!(
            !d.join("summary.csv").exists(),
            "a shard writes no final file"
        );
        shards.push(d);
    }
    let merged = tmp.path().join("merged");
    let mut args = vec!["merge", "--out", merged.to_str().unwrap()];
    args.extend(shards.iter().map(|d| d.to_str().unwrap()));
    // 80 runs = 3 chunks, one per shard: without the last shard the merge refuses, naming
    // the missing chunk.
    let partial = hpasim(&args[..args.len() - 1]);
    assert_eq!(partial.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&partial.stderr).contains("chunks are missing"));
    ok(&args);
    same_files(&whole, &merged);
}

#[test]
fn a_resumed_sweep_equals_an_uninterrupted_one() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    sweep(&whole, &["--replications", "10"]);
    // An interrupted sweep: only some chunks finished (here: those of shard 0/2).
    let resumed = tmp.path().join("resumed");
    sweep(&resumed, &["--replications", "10", "--shard", "0/2"]);
    assert!(
        !resumed.join("summary.csv").exists(),
        "no final file before the end"
    );
    let again = hpasim(&[
        "sweep",
        GRID,
        "-q",
        "--timeseries",
        "--replications",
        "10",
        "--out",
        resumed.to_str().unwrap(),
    ]);
    assert_eq!(
        again.status.code(),
        Some(1),
        "an unfinished sweep is not overwritten"
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("--resume"));
    sweep(&resumed, &["--replications", "10", "--resume"]);
    same_files(&whole, &resumed);
}

/// An M/M/c scenario (shared queue, c single-slot pods) with a `sweep:` block (indented 2).
fn mmc(name: &str, duration: &str, seed: u64, lambda: f64, mu: f64, c: u32, sweep: &str) -> String {
    format!(
        "
name: {name}
duration: {duration}
seed: {seed}
sample_interval: {duration}
workload:
  arrivals: {{ kind: constant, rate: {lambda} }}
service:
  cpu: {{ dist: exponential, rate: {mu} }}
pods:
  replicas: {c}
  concurrency: 1
  cpu_request: '1'
  cpu_limit: '1'
load_balancer:
  policy: shared_queue
sweep:
{sweep}"
    )
}

fn crn() -> String {
    mmc(
        "crn",
        "10m",
        5,
        16.0,
        10.0,
        2,
        "  replications: 20
  variants:
    - { name: a, set: { service.cpu.rate: 10 } }
    - { name: a-again, set: { service.cpu.rate: 10 } }
    - { name: b, set: { service.cpu.rate: 11 } }
",
    )
}

#[test]
fn common_random_numbers_make_identical_variants_identical_and_paired_differences_tight() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("crn.yaml");
    std::fs::write(&file, crn()).unwrap();
    let out = tmp.path().join("out");
    ok(&[
        "sweep",
        file.to_str().unwrap(),
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (h, rows) = summary(&out);
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let (variant, wait) = (col("variant"), col("wait_mean_ms"));
    let of = |v: &str| -> Vec<csv::StringRecord> {
        rows.iter().filter(|r| &r[variant] == v).cloned().collect()
    };
    let (a, a2, b) = (of("a"), of("a-again"), of("b"));
    assert_eq!((a.len(), b.len()), (20, 20));
    for (x, y) in a.iter().zip(&a2) {
        let strip = |r: &csv::StringRecord| -> Vec<String> {
            r.iter()
                .enumerate()
                .filter(|(i, _)| *i != variant)
                .map(|(_, c)| c.to_string())
                .collect()
        };
        assert_eq!(
            strip(x),
            strip(y),
            "same replication, same streams, same row"
        );
    }
    let num = |rs: &[csv::StringRecord]| -> Vec<f64> {
        rs.iter().map(|r| r[wait].parse().unwrap()).collect()
    };
    let (wa, wb) = (num(&a), num(&b));
    let var = |xs: &[f64]| {
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64
    };
    let diffs: Vec<f64> = wa.iter().zip(&wb).map(|(x, y)| x - y).collect();
    let paired = var(&diffs);
    let unpaired = var(&wa) + var(&wb);
    eprintln!("variance of the paired difference {paired:.3}, unpaired {unpaired:.3}");
    assert!(
        paired < 0.5 * unpaired,
        "paired {paired} vs unpaired {unpaired}"
    );
}

#[test]
fn the_95_percent_interval_covers_the_erlang_c_mean_in_about_95_percent_of_groups() {
    // M/M/2 with lambda = 1, mu = 1 (rho 0.5): 400 replications of 2 000 s, in 40 disjoint
    // groups of 10. Each group's t interval of the mean wait should cover the Erlang C value
    // with probability 0.95; over 40 groups the count is Binomial(40, 0.95): mean 38, sd 1.4.
    // The check accepts 34..=40 (P(X < 34) < 0.3 %), with the small start-up bias of 2 000 s
    // runs from empty well inside one group's interval.
    let text = mmc(
        "coverage",
        "2000s",
        11,
        1.0,
        1.0,
        2,
        "  replications: 400\n",
    );
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("coverage.yaml");
    std::fs::write(&file, &text).unwrap();
    let out = tmp.path().join("out");
    ok(&[
        "sweep",
        file.to_str().unwrap(),
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (h, rows) = summary(&out);
    let wait = h.iter().position(|c| c == "wait_mean_ms").unwrap();
    let values: Vec<f64> = rows
        .iter()
        .map(|r| r[wait].parse::<f64>().unwrap() / 1e3)
        .collect();
    assert_eq!(values.len(), 400);
    let expected = mmc_mean_wait(2, 1.0, 1.0);
    let t = hpasim_reports::aggregate::t975(9);
    let covered = values
        .chunks(10)
        .filter(|g| {
            let m = g.iter().sum::<f64>() / 10.0;
            let sd = (g.iter().map(|x| (x - m).powi(2)).sum::<f64>() / 9.0).sqrt();
            (m - expected).abs() <= t * sd / 10f64.sqrt()
        })
        .count();
    eprintln!("covered in {covered} of 40 groups (expected {expected:.4} s)");
    assert!((34..=40).contains(&covered), "covered {covered} of 40");
    // aggregate.csv holds the whole-sweep interval for the one variant.
    let agg = String::from_utf8(read(&out, "aggregate.csv")).unwrap();
    let line = agg.lines().find(|l| l.contains(",wait_mean_ms,")).unwrap();
    assert!(
        line.starts_with("coverage,base,wait_mean_ms,400,"),
        "{line}"
    );
}

#[test]
fn bad_shards_and_thread_counts_are_refused_before_anything_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    for (args, words) in [
        (vec!["--shard", "0/0"], "at least 1"),
        (vec!["--shard", "3/3"], "below the count (3), got 3"),
        (vec!["--shard", "1"], "missing `/`"),
        (vec!["--replications", "0"], "must be at least 1"),
    ] {
        let mut all = vec!["sweep", GRID, "-q", "--out", dir.to_str().unwrap()];
        all.extend(args.iter().copied());
        let out = hpasim(&all);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(words), "{args:?}: {stderr}");
        assert!(!dir.exists(), "{args:?}: nothing written");
    }
}

#[test]
fn the_cluster_examples_run_shards_and_merge() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let job = std::fs::read_to_string(root.join("examples/kubernetes-indexed-job.yaml")).unwrap();
    let parsed: serde_json::Value = serde_saphyr::from_str(&job).expect("the Job is valid YAML");
    assert_eq!(parsed["kind"], "Job");
    assert_eq!(parsed["spec"]["completionMode"], "Indexed");
    assert!(
        job.contains("--shard \"${JOB_COMPLETION_INDEX}/${SHARDS}\"")
            && job.contains("hpasim merge")
    );
    let slurm = root.join("examples/slurm-array.sh");
    let text = std::fs::read_to_string(&slurm).unwrap();
    assert!(
        text.contains("--shard \"${index}/${shards}\"") && text.contains("SLURM_ARRAY_TASK_ID")
    );
    let syntax = Command::new("bash").arg("-n").arg(&slurm).status().unwrap();
    assert!(syntax.success(), "bash -n examples/slurm-array.sh");
}
