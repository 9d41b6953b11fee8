//! Determinism: the same seed and inputs give byte-identical files; another seed gives another
//! run; a change that does not touch the workload sees the same arrivals (common random numbers).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `hpasim run scenarios/quickstart.yaml -q --duration 2m --out <tmp>/NAME ARGS` from the
/// repository root, asserting success; returns the output directory.
fn quickstart(tmp: &Path, name: &str, args: &[&str]) -> PathBuf {
    let out = tmp.join(name);
    let result = Command::new(env!("CARGO_BIN_EXE_hpasim"))
        .args(["run", "scenarios/quickstart.yaml", "-q", "--duration", "2m"])
        .arg("--out")
        .arg(&out)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("hpasim starts");
    assert!(
        result.status.success(),
        "hpasim run {args:?} failed:\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    out
}

/// The CSV files of an output directory, by name, sorted.
fn csv_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".csv"))
        .collect();
    names.sort();
    names
}

fn bytes(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{}/{file}: {e}", dir.display()))
}

/// One column of a CSV file, as text.
fn column(path: &Path, name: &str) -> Vec<String> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let i = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column `{name}` in {}", path.display()));
    r.records().map(|rec| rec.unwrap()[i].to_string()).collect()
}

#[test]
fn same_seed_gives_byte_identical_files() {
    let tmp = tempfile::tempdir().unwrap();
    let a = quickstart(tmp.path(), "a", &["--seed", "7"]);
    let b = quickstart(tmp.path(), "b", &["--seed", "7"]);
    let files = csv_files(&a);
    assert_eq!(
        files,
        [
            "events.csv",
            "latency_cdf.csv",
            "requests.csv",
            "summary.csv",
            "timeseries.csv"
        ]
    );
    assert_eq!(csv_files(&b), files);
    for file in files.iter().map(String::as_str).chain(["hpasim.json"]) {
        assert!(
            bytes(&a, file) == bytes(&b, file),
            "{file} differs between two runs with the same seed"
        );
    }
}

#[test]
fn different_seed_gives_different_summary_and_timeseries() {
    let tmp = tempfile::tempdir().unwrap();
    let a = quickstart(tmp.path(), "a", &["--seed", "7"]);
    let b = quickstart(tmp.path(), "b", &["--seed", "8"]);
    for file in ["summary.csv", "timeseries.csv"] {
        assert_ne!(
            bytes(&a, file),
            bytes(&b, file),
            "{file} is the same for seeds 7 and 8"
        );
    }
    // Not only the seed column: the arrivals themselves differ.
    let arrivals = |d: &Path| column(&d.join("timeseries.csv"), "arrival_rate_rps");
    assert_ne!(arrivals(&a), arrivals(&b));
}

#[test]
fn a_policy_change_with_the_same_seed_sees_the_same_arrivals() {
    let tmp = tempfile::tempdir().unwrap();
    let base = quickstart(tmp.path(), "base", &["--seed", "7"]);
    for (name, policy) in [
        ("lc", "least_connections"),
        ("p2", "power_of_two"),
        ("rnd", "random"),
    ] {
        let other = quickstart(
            tmp.path(),
            name,
            &[
                "--seed",
                "7",
                "--set",
                &format!("load_balancer.policy={policy}"),
            ],
        );
        let summary = |d: &Path, c: &str| column(&d.join("summary.csv"), c);
        assert_eq!(
            summary(&base, "requests"),
            summary(&other, "requests"),
            "{policy}: the number of requests depends only on the workload and the seed"
        );
        let arrivals = |d: &Path| column(&d.join("timeseries.csv"), "arrival_rate_rps");
        assert_eq!(
            arrivals(&base),
            arrivals(&other),
            "{policy}: arrivals per interval are the same (common random numbers)"
        );
    }
}

#[test]
fn a_policy_change_still_changes_the_outcome() {
    // Guards the test above against a policy override that is silently ignored.
    let tmp = tempfile::tempdir().unwrap();
    let base = quickstart(tmp.path(), "base", &["--seed", "7"]);
    let lc = quickstart(
        tmp.path(),
        "lc",
        &[
            "--seed",
            "7",
            "--set",
            "load_balancer.policy=least_connections",
        ],
    );
    let latency = |d: &Path| column(&d.join("summary.csv"), "latency_mean_ms");
    assert_ne!(latency(&base), latency(&lc));
}

#[test]
fn queue_and_keda_runs_are_byte_identical_with_the_same_seed() {
    // Kafka with crashes and rebalances under KEDA, and a Redis list scaled to zero.
    for scenario in [
        "scenarios/entity-event-consumer/scenario-keda.yaml",
        "scenarios/scale-to-zero/scenario.yaml",
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let run = |name: &str| {
            let out = tmp.path().join(name);
            let result = Command::new(env!("CARGO_BIN_EXE_hpasim"))
                .args(["run", scenario, "-q", "--duration", "50m", "--seed", "9"])
                .arg("--out")
                .arg(&out)
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .output()
                .expect("hpasim starts");
            assert!(result.status.success(), "{scenario}");
            out
        };
        let (a, b) = (run("a"), run("b"));
        for file in csv_files(&a) {
            assert!(
                bytes(&a, &file) == bytes(&b, &file),
                "{scenario}: {file} differs"
            );
        }
    }
}

#[test]
fn cluster_sweeps_are_byte_identical_with_one_or_two_threads() {
    // Nodes, the cluster autoscaler and overprovisioning placeholders in every variant.
    let tmp = tempfile::tempdir().unwrap();
    let run = |threads: &str| {
        let out = tmp.path().join(threads);
        let result = Command::new(env!("CARGO_BIN_EXE_hpasim"))
            .args([
                "sweep",
                "scenarios/node-provisioning/scenario.yaml",
                "-q",
                "--set",
                "duration=8m",
                "--replications",
                "2",
                "--timeseries",
                "--threads",
                threads,
            ])
            .arg("--out")
            .arg(&out)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("hpasim starts");
        assert!(
            result.status.success(),
            "{}",
            String::from_utf8_lossy(&result.stderr)
        );
        out
    };
    let (one, two) = (run("1"), run("2"));
    let files = csv_files(&one);
    assert!(files.iter().any(|f| f == "summary.csv"), "{files:?}");
    for file in files {
        assert!(bytes(&one, &file) == bytes(&two, &file), "{file} differs");
    }
}
