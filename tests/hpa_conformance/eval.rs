//! The same rules through `hpasim hpa eval FILE` (the binary), one YAML case per rule in
//! `tests/fixtures/hpa/`.
//!
//! Each fixture states its expectation in a header comment, worked out by hand above it:
//! `# expect: {"/json/pointer": value, ...}` (a string value starting with `~` means "contains").
//! Fixtures in `tests/fixtures/hpa/bad/` must fail with exit 2:
//! `# error: {"at": "text on the line", "token": "column of this", "contains": "message"}`;
//! the expected `file:line:column` is computed from the fixture text.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const FIXTURES: &str = "tests/fixtures/hpa";

fn hpa_eval(file: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hpasim"))
        .args(["hpa", "eval", file])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("hpasim starts")
}

/// The fixture files of `dir`, sorted.
fn fixtures(dir: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<String> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .map(|n| format!("{dir}/{n}"))
        .collect();
    files.sort();
    files
}

fn text(file: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap()
}

/// The JSON object after `# {tag}: ` in the header.
fn header(file: &str, tag: &str) -> serde_json::Map<String, Value> {
    let prefix = format!("# {tag}: ");
    let line = text(file)
        .lines()
        .find_map(|l| l.strip_prefix(&prefix).map(str::to_string))
        .unwrap_or_else(|| panic!("{file}: no `{prefix}` header"));
    match serde_json::from_str(&line) {
        Ok(Value::Object(m)) => m,
        other => panic!("{file}: bad header {other:?}"),
    }
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
        for (pointer, want) in header(file, "expect") {
            let got = answer.pointer(&pointer).cloned().unwrap_or(Value::Null);
            let ok = match (&want, &got) {
                (Value::String(w), Value::String(g)) if w.starts_with('~') => g.contains(&w[1..]),
                _ => got == want,
            };
            if !ok {
                failures.push(format!(
                    "{file}: {pointer}: expected {want}, got {got}\n{answer:#}"
                ));
            }
        }
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
        let h = header(file, "error");
        let contains = h["contains"].as_str().unwrap();
        assert!(
            stderr.contains(contains),
            "{file}: wanted {contains:?} in\n{stderr}"
        );
        let Some(at) = h.get("at").and_then(Value::as_str) else {
            continue;
        };
        let body = text(file);
        let (i, line) = body
            .lines()
            .enumerate()
            .find(|(_, l)| !l.starts_with('#') && l.contains(at))
            .unwrap_or_else(|| panic!("{file}: no line with {at:?}"));
        let mut location = format!("error: {file}:{}:", i + 1);
        if let Some(token) = h.get("token").and_then(Value::as_str) {
            location += &format!("{}: ", line.find(token).unwrap() + 1);
        }
        assert!(
            stderr.starts_with(&location),
            "{file}: wanted {location:?} at the start of\n{stderr}"
        );
    }
}

#[test]
fn missing_case_file_is_bad_input() {
    let out = hpa_eval("tests/fixtures/hpa/no_such_case.yaml");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot read HPA case"), "{stderr}");
}
