//! The same rules through `hpasim hpa eval FILE` (the binary), one YAML case per rule in
//! `tests/fixtures/hpa/`.
//!
//! Each fixture states its expectation in a header comment, worked out by hand above it:
//! `# expect: {"/json/pointer": value, ...}` (a string value starting with `~` means "contains").
//! Fixtures in `tests/fixtures/hpa/bad/` must fail with exit 2:
//! `# error: {"at": "text on the line", "token": "column of this", "contains": "message"}`;
//! the expected `file:line:column` is computed from the fixture text.

use crate::support::fixtures::{assert_error_as_declared, eval, fixtures, unmet_expectations};
use serde_json::Value;
use std::process::Output;

const FIXTURES: &str = "tests/fixtures/hpa";

fn hpa_eval(file: &str) -> Output {
    eval("hpa", file)
}

#[test]
fn every_fixture_case_gives_the_worked_out_answer() {
    let files = fixtures(FIXTURES);
    assert!(files.len() >= 20, "fixtures found: {files:?}");
    let mut failures = Vec::new();
    for file in &files {
        let out = hpa_eval(file);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.code() != Some(0) {
            failures.push(format!("{file}: exit {:?}: {stderr}", out.status.code()));
            continue;
        }
        let answer: Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON object");
        failures.extend(unmet_expectations(file, &answer));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn bad_cases_exit_2_with_location_and_message() {
    let files = fixtures(&format!("{FIXTURES}/bad"));
    assert!(files.len() >= 6);
    for file in &files {
        let out = hpa_eval(file);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!stderr.contains("panicked"), "{file}: {stderr}");
        assert_eq!(out.status.code(), Some(2), "{file}: {stderr}");
        assert!(out.stdout.is_empty(), "{file}: output on stdout");
        assert_error_as_declared(file, &stderr);
    }
}

#[test]
fn missing_case_file_is_bad_input() {
    let out = hpa_eval("tests/fixtures/hpa/no_such_case.yaml");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot read HPA case"), "{stderr}");
}
