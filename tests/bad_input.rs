//! Bad input: every mistake exits with status 2, says what and where (`file:line:column`, or the
//! `--set` that caused it), never panics, and leaves no output behind.
//!
//! The fixtures in `tests/fixtures/bad_input/` are `valid.yaml` with one line changed; the
//! expected line and column are computed from the fixture text, not written by hand.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FIXTURES: &str = "tests/fixtures/bad_input";

/// Runs `hpasim ARGS` from the repository root.
fn hpasim<S: AsRef<OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hpasim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("hpasim starts")
}

fn fixture(name: &str) -> String {
    format!("{FIXTURES}/{name}")
}

/// `path:LINE:COL` of the first `token` on the first non-comment line of the fixture containing
/// `line_with` (1-based, as editors count).
fn position(name: &str, line_with: &str, token: &str) -> String {
    let path = fixture(name);
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(&path))
        .unwrap_or_else(|e| panic!("fixture {path}: {e}"));
    let (i, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| !l.trim_start().starts_with('#') && l.contains(line_with))
        .unwrap_or_else(|| panic!("no line with {line_with:?} in {path}"));
    let col = line
        .find(token)
        .unwrap_or_else(|| panic!("no {token:?} on line {} of {path}", i + 1));
    format!("{path}:{}:{}", i + 1, col + 1)
}

/// What a bad input must produce.
struct Expect<'a> {
    /// The start of the message, right after `error: `.
    location: &'a str,
    /// Words the message must contain.
    words: &'a [&'a str],
}

/// Asserts exit 2, `error: LOCATION: ...` on stderr with the words, no panic, nothing on stdout.
fn assert_bad_input(result: &Output, expect: &Expect) -> String {
    let stderr = String::from_utf8_lossy(&result.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "a panic:\n{stderr}");
    assert_eq!(
        result.status.code(),
        Some(2),
        "exit status; stderr:\n{stderr}"
    );
    let prefix = format!("error: {}: ", expect.location);
    assert!(
        stderr.starts_with(&prefix),
        "expected stderr to start with {prefix:?}, got:\n{stderr}"
    );
    for w in expect.words {
        assert!(stderr.contains(w), "expected {w:?} in:\n{stderr}");
    }
    assert!(
        result.stdout.is_empty(),
        "nothing on stdout: {}",
        String::from_utf8_lossy(&result.stdout)
    );
    stderr
}

/// Checks `validate` and `run` on a bad input: both exit 2 with the located message; `run` into
/// a directory that does not exist leaves it absent, `run` into an empty directory leaves it
/// empty.
fn check(scenario: &str, sets: &[&str], expect: Expect) {
    let set_args: Vec<&str> = sets.iter().flat_map(|s| ["--set", s]).collect();

    let mut args = vec!["validate", scenario];
    args.extend(&set_args);
    assert_bad_input(&hpasim(&args), &expect);

    let tmp = tempfile::tempdir().unwrap();
    let absent: PathBuf = tmp.path().join("out");
    let empty: PathBuf = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    for out in [&absent, &empty] {
        let mut args: Vec<OsString> = vec!["run".into(), scenario.into(), "--out".into()];
        args.push(out.into());
        args.extend(set_args.iter().map(OsString::from));
        assert_bad_input(&hpasim(&args), &expect);
    }
    assert!(
        !absent.exists(),
        "bad input must not create the output directory {}",
        absent.display()
    );
    let left: Vec<_> = std::fs::read_dir(&empty)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "bad input left files in --out: {left:?}");
}

#[test]
fn the_base_fixture_is_valid() {
    let result = hpasim(&["validate", &fixture("valid.yaml")]);
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
}

#[test]
fn unknown_field_suggests_the_nearest_name_with_file_line_column() {
    let f = "unknown_field.yaml";
    check(
        &fixture(f),
        &[],
        Expect {
            location: &position(f, "replicsa:", "replicsa"),
            words: &[
                "unknown field `replicsa`",
                "`pods`",
                "did you mean `replicas`",
                "valid fields here",
            ],
        },
    );
}

#[test]
fn wrong_type_names_the_value_and_the_expected_type_with_file_line_column() {
    let f = "wrong_type.yaml";
    check(
        &fixture(f),
        &[],
        Expect {
            location: &position(f, "replicas: abc", "abc"),
            words: &["\"abc\"", "expected u32", "whole number"],
        },
    );
}

#[test]
fn negative_rate_is_rejected_at_the_value_with_file_line_column() {
    let f = "negative_rate.yaml";
    check(
        &fixture(f),
        &[],
        Expect {
            location: &position(f, "rate: -5", "-5"),
            words: &["workload.arrivals.rate", "zero or positive", "-5"],
        },
    );
}

#[test]
fn missing_scenario_file_names_the_file() {
    let missing = fixture("no_such_scenario.yaml");
    check(
        &missing,
        &[],
        Expect {
            location: &missing,
            words: &[
                "cannot read scenario",
                "no_such_scenario.yaml",
                "check the path",
            ],
        },
    );
}

#[test]
fn bad_quantity_names_the_suffix_with_file_line_column() {
    let f = "bad_quantity.yaml";
    check(
        &fixture(f),
        &[],
        Expect {
            location: &position(f, "cpu_request: 12Q", "12Q"),
            words: &["invalid quantity `12Q`", "unknown suffix `Q`", "500m"],
        },
    );
}

#[test]
fn bad_duration_names_the_unit_with_file_line_column() {
    let f = "bad_duration.yaml";
    check(
        &fixture(f),
        &[],
        Expect {
            location: &position(f, "duration: 5x", "5x"),
            words: &["invalid duration `5x`", "unknown unit `x`"],
        },
    );
}

#[test]
fn uniform_with_min_above_max_is_rejected_with_file_line_column() {
    let f = "uniform_min_above_max.yaml";
    check(
        &fixture(f),
        &[],
        Expect {
            location: &position(f, "dist: uniform", "2s"),
            words: &["service.cpu.min", "min > max", "swap"],
        },
    );
}

#[test]
fn missing_trace_file_names_the_file_with_file_line_column() {
    let f = "missing_trace.yaml";
    check(
        &fixture(f),
        &[],
        Expect {
            location: &position(f, "kind: trace", "no_such_trace.csv"),
            words: &[
                "workload.arrivals.file",
                "cannot open",
                &format!("{FIXTURES}/no_such_trace.csv"),
                "scenario file's directory",
            ],
        },
    );
}

#[test]
fn missing_empirical_file_names_the_file_with_file_line_column() {
    let f = "missing_empirical.yaml";
    check(
        &fixture(f),
        &[],
        Expect {
            location: &position(f, "dist: empirical", "no_such_samples.csv"),
            words: &[
                "service.cpu.file",
                "cannot open",
                &format!("{FIXTURES}/no_such_samples.csv"),
            ],
        },
    );
}

#[test]
fn unknown_enum_value_suggests_the_nearest_with_file_line_column() {
    let f = "unknown_enum.yaml";
    check(
        &fixture(f),
        &[],
        Expect {
            location: &position(f, "policy: round_robn", "round_robn"),
            words: &[
                "unknown value `round_robn`",
                "load_balancer.policy",
                "did you mean `round_robin`",
                "least_connections",
            ],
        },
    );
}

#[test]
fn unknown_set_path_names_the_set_and_suggests_the_nearest_name() {
    check(
        &fixture("valid.yaml"),
        &["pods.replicsa=3"],
        Expect {
            location: "--set pods.replicsa=3",
            words: &["unknown field `replicsa`", "did you mean `replicas`"],
        },
    );
}

#[test]
fn set_with_a_bad_value_names_the_set_and_the_expected_type() {
    check(
        &fixture("valid.yaml"),
        &["pods.replicas=abc"],
        Expect {
            location: "--set pods.replicas=abc",
            words: &["pods.replicas", "\"abc\"", "expected u32"],
        },
    );
}

#[test]
fn set_with_an_invalid_value_is_blamed_on_the_set_not_the_file() {
    check(
        &fixture("valid.yaml"),
        &["pods.concurrency=4", "workload.arrivals.rate=-1"],
        Expect {
            location: "--set workload.arrivals.rate=-1",
            words: &["workload.arrivals.rate", "zero or positive"],
        },
    );
}

#[test]
fn set_with_an_unknown_enum_value_suggests_the_nearest() {
    check(
        &fixture("valid.yaml"),
        &["load_balancer.policy=round_robn"],
        Expect {
            location: "--set load_balancer.policy=round_robn",
            words: &["unknown value `round_robn`", "did you mean `round_robin`"],
        },
    );
}

#[test]
fn set_without_an_equals_sign_says_how_to_write_it() {
    check(
        &fixture("valid.yaml"),
        &["pods.replicas"],
        Expect {
            location: "--set pods.replicas",
            words: &["missing `=`", "PATH=VALUE"],
        },
    );
}

#[test]
fn bad_duration_flag_is_reported_as_the_flag_the_user_wrote() {
    // `--duration` is applied as an override internally; the message must still name the
    // flag the user typed, not a `--set` they never wrote.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let result = hpasim(&[
        OsStr::new("run"),
        OsStr::new(&fixture("valid.yaml")),
        OsStr::new("--duration"),
        OsStr::new("5x"),
        OsStr::new("--out"),
        out.as_os_str(),
    ]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(result.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("invalid duration `5x`"), "{stderr}");
    assert!(
        stderr.contains("--duration") && !stderr.contains("--set"),
        "the message should name `--duration 5x`, not a `--set`:\n{stderr}"
    );
    assert!(!out.exists(), "no output directory");
}

#[test]
fn bad_run_flags_are_usage_errors_with_status_2() {
    for args in [
        vec!["run"],
        vec!["run", "scenarios/quickstart.yaml", "--seed", "-3"],
        vec!["run", "scenarios/quickstart.yaml", "--seed", "many"],
        vec!["run", "scenarios/quickstart.yaml", "--bogus"],
        vec!["frobnicate"],
    ] {
        let result = hpasim(&args);
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(result.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!stderr.is_empty(), "{args:?}: a usage message");
    }
}

#[test]
fn day_scale_without_seven_values_is_rejected_with_file_line_column() {
    let f = "day_scale_six_values.yaml";
    check(
        &fixture(f),
        &[],
        Expect {
            location: &position(f, "day_scale:", "day_scale"),
            words: &[
                "workload.arrivals.day_scale",
                "needs exactly 7 values (one per day), got 6",
                "day 0 first",
            ],
        },
    );
}

#[test]
fn spike_ramp_longer_than_half_its_duration_is_rejected_with_file_line_column() {
    let f = "spike_ramp_too_long.yaml";
    check(
        &fixture(f),
        &[],
        Expect {
            location: &position(f, "ramp: 16s", "16s"),
            words: &[
                "workload.arrivals.spikes[0].ramp",
                "ramp 16s is longer than half the spike's duration 30s",
                "keep ramp ≤ duration / 2",
            ],
        },
    );
}
