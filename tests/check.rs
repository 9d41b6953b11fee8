//! `hpasim check`: the `expect:` assertions as a CI gate. Exit codes, the report, located
//! errors for bad assertions and baselines, the baseline round trip, `on: ci95`, JUnit XML,
//! and the example GitHub Actions workflow.

use crate::support::hpasim;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The scenario every test starts from: M/M/1 at 80 % load, shortened to 2 simulated minutes.
const BASE: &str = "scenarios/theory/mm1.yaml";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `hpasim check SCENARIO --set duration=2m --set sample_interval=30s ARGS`.
fn check(scenario: &Path, args: &[&str]) -> Output {
    let mut all = vec![
        "check",
        scenario.to_str().expect("UTF-8 path"),
        "--set",
        "duration=2m",
        "--set",
        "sample_interval=30s",
    ];
    all.extend_from_slice(args);
    hpasim(&all)
}

/// Writes the M/M/1 scenario with `expect` (YAML lines, indented under `expect:`) appended,
/// as `check.yaml` in `dir`; returns its path and the line number of `expect:`.
fn scenario(dir: &Path, expect: &str) -> (PathBuf, usize) {
    let base = std::fs::read_to_string(root().join(BASE)).expect("mm1.yaml");
    let line = base.lines().count() + 1;
    let path = dir.join("check.yaml");
    std::fs::write(&path, format!("{base}expect:\n{expect}")).expect("write scenario");
    (path, line)
}

fn code(out: &Output) -> Option<i32> {
    out.status.code()
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

const PASSING: &str = "  replications: 3\n  latency_p99_ms: \"< 60000\"\n  error_rate: \"<= 0.01\"\n  replicas_max: \"<= 1\"\n  cost_usd: \"< 100\"\n";

#[test]
fn check_passes_with_exit_0_and_reports_every_assertion_with_its_measured_mean() {
    let tmp = tempfile::tempdir().unwrap();
    let (file, _) = scenario(tmp.path(), PASSING);
    let out = check(&file, &[]);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for metric in ["latency_p99_ms", "error_rate", "replicas_max", "cost_usd"] {
        let line = text
            .lines()
            .find(|l| l.contains(metric))
            .unwrap_or_else(|| panic!("no line for {metric}:\n{text}"));
        assert!(line.starts_with("PASS  "), "{line}");
        assert!(line.contains("mean ") && line.contains("3 runs"), "{line}");
    }
    assert!(text.contains("check `mm1`: 4 passed, 0 failed"), "{text}");
}

#[test]
fn the_bundled_quickstart_passes_its_own_expectations() {
    let out = hpasim(&[
        "check",
        "scenarios/quickstart.yaml",
        "--replications",
        "2",
        "--set",
        "duration=1m",
    ]);
    assert_eq!(code(&out), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("0 failed"), "{}", stdout(&out));
}

#[test]
fn a_failing_assertion_exits_1_and_names_metric_threshold_and_measured_mean() {
    let tmp = tempfile::tempdir().unwrap();
    let (file, _) = scenario(tmp.path(), PASSING);
    let out = check(&file, &["--set", "expect.latency_p99_ms=< 1"]);
    assert_eq!(code(&out), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let fail = text
        .lines()
        .find(|l| l.starts_with("FAIL"))
        .unwrap_or_else(|| panic!("no FAIL line:\n{text}"));
    assert!(
        fail.contains("latency_p99_ms") && fail.contains("< 1 "),
        "{fail}"
    );
    let mean: f64 = fail
        .split("mean ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no measured mean in {fail}"));
    assert!(mean > 1.0, "{fail}");
    assert!(text.contains("3 passed, 1 failed"), "{text}");
}

#[test]
fn quiet_check_prints_only_the_failing_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let (file, _) = scenario(tmp.path(), PASSING);
    let out = check(&file, &["-q", "--set", "expect.error_rate=> 0.5"]);
    assert_eq!(code(&out), Some(1));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.starts_with("FAIL  error_rate"), "{text}");
    let out = check(&file, &["-q"]);
    assert_eq!(code(&out), Some(0));
    assert_eq!(stdout(&out), "");
}

/// Exit 2 with `error: <file>:<line>:<col>: ...` containing every `needles`.
fn bad(out: &Output, location: &str, needles: &[&str]) {
    let err = stderr(out);
    assert_eq!(code(out), Some(2), "stdout {}\nstderr {err}", stdout(out));
    assert!(
        err.starts_with(&format!("error: {location}")),
        "want {location}: {err}"
    );
    for n in needles {
        assert!(err.contains(n), "want {n:?} in: {err}");
    }
    assert!(err.contains("hint:"), "{err}");
}

#[test]
fn an_unknown_metric_exits_2_at_its_line_with_the_nearest_name() {
    let tmp = tempfile::tempdir().unwrap();
    let (file, line) = scenario(tmp.path(), "  latency_p99: \"< 500\"\n");
    let at = format!("{}:{}:", file.display(), line + 1);
    bad(
        &check(&file, &[]),
        &at,
        &["unknown metric `latency_p99`, did you mean `latency_p99_ms`?"],
    );
    // `hpasim validate` reports it the same way.
    bad(
        &hpasim(&["validate", path_str(&file)]),
        &at,
        &["unknown metric"],
    );
}

#[test]
fn a_bad_operator_or_a_bare_number_exits_2_at_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let (file, line) = scenario(
        tmp.path(),
        "  error_rate: \"< 0.5\"\n  latency_p99_ms: \"=> 500\"\n",
    );
    bad(
        &check(&file, &[]),
        &format!("{}:{}:", file.display(), line + 2),
        &[
            "expect.latency_p99_ms",
            "unknown operator `=>`",
            "write `>=`",
        ],
    );
    let (file, line) = scenario(tmp.path(), "  latency_p99_ms: 500\n");
    bad(
        &check(&file, &[]),
        &format!("{}:{}:", file.display(), line + 1),
        &["got the number 500", "write \"< 500\""],
    );
    let out = check(&file, &["--set", "expect.latency_p99_ms=== 5"]);
    bad(
        &out,
        "--set expect.latency_p99_ms=== 5",
        &["unknown operator `==`"],
    );
}

#[test]
fn a_baseline_assertion_without_baseline_exits_2_naming_the_assertion() {
    let tmp = tempfile::tempdir().unwrap();
    let (file, line) = scenario(
        tmp.path(),
        "  error_rate: \"< 0.5\"\n  cost_usd: \"<= 1.10 * baseline\"\n",
    );
    bad(
        &check(&file, &[]),
        &format!("{}:{}:", file.display(), line + 2),
        &[
            "cost_usd <= 1.1 * baseline",
            "pass --baseline summary.csv from a previous run (hpasim check --out DIR writes one)",
        ],
    );
}

#[test]
fn a_missing_or_malformed_baseline_file_exits_2_with_its_path() {
    let tmp = tempfile::tempdir().unwrap();
    let (file, _) = scenario(tmp.path(), "  cost_usd: \"<= 1.10 * baseline\"\n");
    let missing = tmp.path().join("nowhere/summary.csv");
    bad(
        &check(&file, &["--baseline", path_str(&missing)]),
        path_str(&missing),
        &["cannot read the baseline file"],
    );
    let other = tmp.path().join("other.csv");
    std::fs::write(&other, "scenario,cost_usd\nweb,1\n").unwrap();
    bad(
        &check(&file, &["--baseline", path_str(&other)]),
        path_str(&other),
        &["no row for scenario `mm1` (it has `web`)"],
    );
    std::fs::write(&other, "a,b\n1,2\n").unwrap();
    bad(
        &check(&file, &["--baseline", path_str(&other)]),
        path_str(&other),
        &["no `scenario` column"],
    );
}

#[test]
fn ci95_with_one_replication_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let (file, line) = scenario(
        tmp.path(),
        "  replications: 1\n  on: ci95\n  error_rate: \"< 0.5\"\n",
    );
    bad(
        &check(&file, &[]),
        &format!("{}:{}:", file.display(), line + 2),
        &["`on: ci95` needs at least 2 replications"],
    );
    let (file, _) = scenario(tmp.path(), "  error_rate: {that: \"< 0.5\", on: ci95}\n");
    bad(
        &check(&file, &["--replications", "1"]),
        "--replications 1",
        &["at least 2 replications"],
    );
}

#[test]
fn a_scenario_without_expect_exits_2_with_an_example() {
    let out = check(Path::new(BASE), &[]);
    let err = stderr(&out);
    assert_eq!(code(&out), Some(2), "{err}");
    assert!(err.contains("the scenario has no `expect:` block"), "{err}");
    assert!(
        err.contains("hint:") && err.contains("latency_p99_ms"),
        "{err}"
    );
}

#[test]
fn baseline_round_trip_same_seed_gives_the_same_cost() {
    let tmp = tempfile::tempdir().unwrap();
    let (file, _) = scenario(tmp.path(), PASSING);
    let dir = tmp.path().join("base");
    let out = check(&file, &["--out", path_str(&dir)]);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let summary = dir.join("summary.csv");
    let base = path_str(&summary);
    let same = check(
        &file,
        &[
            "--baseline",
            base,
            "--set",
            "expect.cost_usd=<= 1.0 * baseline",
        ],
    );
    assert_eq!(code(&same), Some(0), "{}{}", stdout(&same), stderr(&same));
    assert!(
        stdout(&same).contains("PASS  cost_usd"),
        "{}",
        stdout(&same)
    );
    let strict = check(
        &file,
        &[
            "--baseline",
            base,
            "--set",
            "expect.cost_usd=< 1.0 * baseline",
        ],
    );
    assert_eq!(code(&strict), Some(1), "{}", stderr(&strict));
    assert!(
        stdout(&strict).contains("FAIL  cost_usd"),
        "{}",
        stdout(&strict)
    );
}

#[test]
fn check_out_writes_one_summary_row_per_replication_with_runs_header() {
    let tmp = tempfile::tempdir().unwrap();
    let (file, _) = scenario(tmp.path(), PASSING);
    let dir = tmp.path().join("check-out");
    assert_eq!(code(&check(&file, &["--out", path_str(&dir)])), Some(0));
    let run_dir = tmp.path().join("run-out");
    let run = hpasim(&[
        "run",
        path_str(&file),
        "-q",
        "--duration",
        "2m",
        "--set",
        "sample_interval=30s",
        "--out",
        path_str(&run_dir),
    ]);
    assert_eq!(code(&run), Some(0), "{}", stderr(&run));
    let text = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    let run_text = std::fs::read_to_string(run_dir.join("summary.csv")).unwrap();
    assert_eq!(text.lines().next(), run_text.lines().next(), "same header");
    assert_eq!(text.lines().count(), 1 + 3);
    // Replication 0 of check is `hpasim run`'s run: the same row.
    assert_eq!(text.lines().nth(1), run_text.lines().nth(1));
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["summary.csv"], "no temp files left");
}

#[test]
fn on_ci95_fails_where_the_mean_passes() {
    // Against its own baseline, `<= baseline` holds for the mean (equal) but not for the
    // upper 95 % bound, which lies above the mean when the replications differ.
    let tmp = tempfile::tempdir().unwrap();
    let (file, _) = scenario(tmp.path(), PASSING);
    let dir = tmp.path().join("base");
    assert_eq!(code(&check(&file, &["--out", path_str(&dir)])), Some(0));
    let summary = dir.join("summary.csv");
    let base = path_str(&summary);
    let mean = check(
        &file,
        &[
            "--baseline",
            base,
            "--set",
            "expect.latency_p99_ms=<= baseline",
        ],
    );
    assert_eq!(code(&mean), Some(0), "{}{}", stdout(&mean), stderr(&mean));
    let ci = check(
        &file,
        &[
            "--baseline",
            base,
            "--set",
            "expect.latency_p99_ms={that: \"<= baseline\", on: ci95}",
        ],
    );
    assert_eq!(code(&ci), Some(1), "{}{}", stdout(&ci), stderr(&ci));
    let text = stdout(&ci);
    let line = text
        .lines()
        .find(|l| l.starts_with("FAIL"))
        .expect("a FAIL line");
    assert!(
        line.contains("latency_p99_ms") && line.contains("upper 95 % bound"),
        "{line}"
    );
}

#[test]
fn junit_xml_is_well_formed_with_one_testcase_per_assertion_and_escaped_conditions() {
    let tmp = tempfile::tempdir().unwrap();
    let (file, _) = scenario(tmp.path(), PASSING);
    let xml_path = tmp.path().join("reports/junit.xml");
    let out = check(
        &file,
        &[
            "--junit",
            path_str(&xml_path),
            "--set",
            "expect.replicas_max=< 1",
        ],
    );
    assert_eq!(code(&out), Some(1), "{}", stderr(&out));
    let raw = std::fs::read_to_string(&xml_path).expect("the JUnit file");
    assert!(raw.contains("name=\"latency_p99_ms &lt; 60000\""), "{raw}");
    let doc = roxmltree::Document::parse(&raw).expect("well-formed XML");
    let suites = doc.root_element();
    assert_eq!(suites.tag_name().name(), "testsuites");
    assert_eq!(suites.attribute("tests"), Some("4"));
    assert_eq!(suites.attribute("failures"), Some("1"));
    let suite = suites
        .children()
        .find(|n| n.has_tag_name("testsuite"))
        .expect("a testsuite");
    assert_eq!(suite.attribute("name"), Some("mm1"));
    assert_eq!(suite.attribute("tests"), Some("4"));
    assert_eq!(suite.attribute("failures"), Some("1"));
    assert_eq!(suite.attribute("errors"), Some("0"));
    let props: Vec<(&str, &str)> = suite
        .descendants()
        .filter(|n| n.has_tag_name("property"))
        .map(|n| (n.attribute("name").unwrap(), n.attribute("value").unwrap()))
        .collect();
    assert_eq!(
        props,
        [("seed", "1"), ("replications", "3"), ("on", "mean")]
    );
    let cases: Vec<_> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let names: Vec<&str> = cases.iter().map(|c| c.attribute("name").unwrap()).collect();
    assert_eq!(
        names,
        [
            "error_rate <= 0.01",
            "latency_p99_ms < 60000",
            "replicas_max < 1",
            "cost_usd < 100"
        ]
    );
    for case in &cases {
        assert_eq!(case.attribute("classname"), Some("hpasim.mm1"));
        let failures: Vec<_> = case
            .children()
            .filter(|n| n.has_tag_name("failure"))
            .collect();
        let failing = case.attribute("name") == Some("replicas_max < 1");
        assert_eq!(
            failures.len(),
            usize::from(failing),
            "{:?}",
            case.attribute("name")
        );
        if let Some(f) = failures.first() {
            assert_eq!(f.attribute("type"), Some("AssertionFailed"));
            assert!(f
                .attribute("message")
                .unwrap()
                .contains("mean 1 is not < 1"));
        }
    }
    let leftovers = std::fs::read_dir(tmp.path().join("reports"))
        .unwrap()
        .count();
    assert_eq!(leftovers, 1, "no temp file left beside the report");
}

#[test]
fn the_github_actions_example_runs_check_on_pull_requests() {
    let text = std::fs::read_to_string(root().join("examples/github-actions/hpasim-check.yml"))
        .expect("the example workflow");
    let doc: serde_json::Value = serde_saphyr::from_str(&text).expect("valid YAML");
    assert!(doc["on"]["pull_request"].is_object(), "{doc:#}");
    let steps: Vec<&serde_json::Value> = doc["jobs"]
        .as_object()
        .expect("jobs")
        .values()
        .flat_map(|job| job["steps"].as_array().expect("steps"))
        .collect();
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(
        runs.iter()
            .any(|r| r.contains("hpasim check") && r.contains("--baseline")),
        "{runs:?}"
    );
    assert!(runs
        .iter()
        .any(|r| r.contains("hpasim check") && r.contains("--out")));
    assert!(steps.iter().any(|s| s["uses"]
        .as_str()
        .is_some_and(|u| u.starts_with("mikepenz/action-junit-report"))
        && s["if"] == "always()"));
}

#[test]
fn a_run_stopped_by_the_guard_exits_1_before_any_verdict() {
    let tmp = tempfile::tempdir().unwrap();
    let (file, _) = scenario(tmp.path(), PASSING);
    let out = check(
        &file,
        &[
            "--set",
            "workload.arrivals.rate=100",
            "--set",
            "max_in_system=2000",
        ],
    );
    let err = stderr(&out);
    assert_eq!(code(&out), Some(1), "{err}");
    assert!(
        err.contains("run stopped") && err.contains("no assertion was evaluated"),
        "{err}"
    );
    assert!(!stdout(&out).contains("PASS"), "{}", stdout(&out));
}
