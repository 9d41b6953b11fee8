//! `hpa eval` and `keda eval` fixtures: each YAML case states its expectation in a header
//! comment, worked out by hand above it.
//! - `# expect: {"/json/pointer": value, ...}`: a string value starting with `~` means
//!   "contains"; numbers compare within 1e-9.
//! - `# error: {"at": "text on the line", "token": "column of this", "contains": "message"}`:
//!   the case must fail with exit 2 at the `file:line:column` computed from the fixture text.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

/// Runs `hpasim <tool> eval <file>` from the repository root (`tool`: `hpa` or `keda`).
pub fn eval(tool: &str, file: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hpasim"))
        .args([tool, "eval", file])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("hpasim starts")
}

/// The `.yaml` files of `dir` (relative to the repository root), sorted.
pub fn fixtures(dir: &str) -> Vec<String> {
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

/// A file's text (path relative to the repository root).
pub fn text(file: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap()
}

/// The JSON object after `# {tag}: ` in the header.
pub fn header(file: &str, tag: &str) -> serde_json::Map<String, Value> {
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

/// Every `# expect:` entry of `file` that `answer` does not meet, described.
pub fn unmet_expectations(file: &str, answer: &Value) -> Vec<String> {
    let mut failures = Vec::new();
    for (pointer, want) in header(file, "expect") {
        let got = answer.pointer(&pointer).cloned().unwrap_or(Value::Null);
        let ok = match (&want, &got) {
            (Value::String(w), Value::String(g)) if w.starts_with('~') => g.contains(&w[1..]),
            (Value::Number(w), Value::Number(g)) => {
                (w.as_f64().unwrap() - g.as_f64().unwrap()).abs() < 1e-9
            }
            _ => got == want,
        };
        if !ok {
            failures.push(format!(
                "{file}: {pointer}: expected {want}, got {got}\n{answer:#}"
            ));
        }
    }
    failures
}

/// Asserts that `stderr` holds the `# error:` header's message, starting at its location.
pub fn assert_error_as_declared(file: &str, stderr: &str) {
    let h = header(file, "error");
    let contains = h["contains"].as_str().unwrap();
    assert!(
        stderr.contains(contains),
        "{file}: wanted {contains:?} in\n{stderr}"
    );
    let Some(at) = h.get("at").and_then(Value::as_str) else {
        return;
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
