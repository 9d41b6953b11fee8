//! The notebook example (examples/notebook/) reads a run's CSV files with pandas and redraws
//! the timeline. It runs when pandas and matplotlib are importable; with
//! `HPASIM_REQUIRE_PANDAS=1` (set by .ci/run, which installs them) their absence fails.

use crate::support::repo_root;
use std::process::Command;

fn pandas_available() -> bool {
    let found = Command::new("python3")
        .args(["-c", "import pandas, matplotlib"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found && std::env::var_os("HPASIM_REQUIRE_PANDAS").is_some() {
        panic!(
            "HPASIM_REQUIRE_PANDAS is set but pandas/matplotlib are missing: python3 -m pip install -r examples/notebook/requirements.txt"
        );
    }
    found
}

/// One number printed by the script as `LABEL VALUE`.
fn printed(stdout: &str, label: &str) -> f64 {
    let line = stdout
        .lines()
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("no `{label}` line in\n{stdout}"));
    line[label.len()..].trim().parse().unwrap()
}

#[test]
fn notebook_example_reads_the_csv_with_pandas_and_redraws_the_timeline() {
    if !pandas_available() {
        eprintln!(
            "skipped: pandas/matplotlib not installed (see examples/notebook/requirements.txt)"
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("gateway");
    let run = Command::new(env!("CARGO_BIN_EXE_hpasim"))
        .args([
            "run",
            "scenarios/graphql-gateway/scenario.yaml",
            "-q",
            "--out",
        ])
        .arg(&out)
        .current_dir(repo_root())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let png = tmp.path().join("timeline.png");
    let script = Command::new("python3")
        .arg("examples/notebook/timeline.py")
        .arg(&out)
        .arg(&png)
        .current_dir(repo_root())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&script.stdout).into_owned();
    assert!(
        script.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&script.stderr)
    );
    // What pandas read is what the simulator wrote.
    let summary = csv::Reader::from_path(out.join("summary.csv"))
        .unwrap()
        .deserialize::<std::collections::HashMap<String, String>>()
        .next()
        .unwrap()
        .unwrap();
    let p99: f64 = summary["latency_p99_ms"].parse().unwrap();
    assert_eq!(printed(&stdout, "latency_p99_ms"), p99);
    assert_eq!(printed(&stdout, "cdf p99"), p99);
    let decisions = csv::Reader::from_path(out.join("events.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[5] == "replicas_set" && !r[7].contains("initial"))
        .count();
    assert!(decisions > 0);
    assert_eq!(
        printed(&stdout, "scale decisions"),
        decisions as f64,
        "{stdout}"
    );
    let bytes = std::fs::read(&png).unwrap();
    assert!(
        bytes.len() > 10_000 && bytes.starts_with(b"\x89PNG"),
        "{} bytes",
        bytes.len()
    );

    let notebook = Command::new("python3")
        .args([
            "examples/notebook/run_notebook.py",
            "examples/notebook/timeline.ipynb",
        ])
        .env("HPASIM_OUT", &out)
        .current_dir(repo_root())
        .output()
        .unwrap();
    assert!(
        notebook.status.success(),
        "{}",
        String::from_utf8_lossy(&notebook.stderr)
    );
    assert!(String::from_utf8_lossy(&notebook.stdout).contains("ran 4 code cells"));
}
