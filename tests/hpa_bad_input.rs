//! Bad HPA input in scenarios: every message located, exit status 2, nothing written.

use std::path::Path;
use std::process::Command;

fn validate(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hpasim"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("validate")
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code().unwrap(), stderr)
}

/// A copy of the graphql-gateway scenario whose manifest file has `from` replaced by `to`.
fn with_manifest_edit(from: &str, to: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/graphql-gateway");
    let k8s = std::fs::read_to_string(root.join("k8s.yaml")).unwrap();
    assert!(
        k8s.contains(from),
        "fixture text `{from}` not in the manifest"
    );
    std::fs::write(dir.path().join("k8s.yaml"), k8s.replacen(from, to, 1)).unwrap();
    std::fs::copy(root.join("scenario.yaml"), dir.path().join("scenario.yaml")).unwrap();
    dir
}

fn line_of(dir: &tempfile::TempDir, needle: &str) -> usize {
    let text = std::fs::read_to_string(dir.path().join("k8s.yaml")).unwrap();
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn min_above_max_is_located_in_the_manifest_file() {
    let dir = with_manifest_edit("minReplicas: 3", "minReplicas: 30");
    let scenario = dir.path().join("scenario.yaml");
    let (code, err) = validate(&[scenario.to_str().unwrap()]);
    assert_eq!(code, 2);
    let line = line_of(&dir, "maxReplicas: 20");
    assert!(err.contains(&format!("k8s.yaml:{line}:")), "{err}");
    assert!(
        err.contains("hpa.spec.maxReplicas") && err.contains("minReplicas"),
        "{err}"
    );
}

#[test]
fn an_unsupported_api_version_names_autoscaling_v2() {
    let dir = with_manifest_edit("apiVersion: autoscaling/v2", "apiVersion: autoscaling/v1");
    let (code, err) = validate(&[dir.path().join("scenario.yaml").to_str().unwrap()]);
    assert_eq!(code, 2);
    let line = line_of(&dir, "autoscaling/v1");
    assert!(err.contains(&format!("k8s.yaml:{line}:")), "{err}");
    assert!(
        err.contains("autoscaling/v1") && err.contains("autoscaling/v2"),
        "{err}"
    );
}

#[test]
fn a_malformed_manifest_is_a_located_yaml_error() {
    let dir = with_manifest_edit("averageUtilization: 70", "averageUtilization: [70");
    let (code, err) = validate(&[dir.path().join("scenario.yaml").to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("k8s.yaml:") && err.contains("invalid YAML"),
        "{err}"
    );
}

#[test]
fn an_unknown_metric_type_is_rejected_when_the_scenario_loads() {
    let dir = with_manifest_edit("- type: Pods", "- type: Podz");
    let (code, err) = validate(&[dir.path().join("scenario.yaml").to_str().unwrap()]);
    assert_eq!(code, 2);
    let line = line_of(&dir, "type: Podz");
    assert!(err.contains(&format!("k8s.yaml:{line}:")), "{err}");
    assert!(err.contains("unknown metric source type"), "{err}");
}

#[test]
fn a_pods_metric_no_series_serves_lists_the_served_ones() {
    let (code, err) = validate(&[
        "scenarios/graphql-gateway/scenario.yaml",
        "--set",
        "hpa.spec.metrics[2].pods.metric.name=orders_per_second",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("orders_per_second") && err.contains("http_requests_per_second"),
        "{err}"
    );
}

#[test]
fn a_memory_metric_without_a_memory_model_says_how_to_add_one() {
    let (code, err) = validate(&[
        "scenarios/graphql-gateway/scenario.yaml",
        "--set",
        "pods.memory=null",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("memory model") && err.contains("pods.memory"),
        "{err}"
    );
}

#[test]
fn a_misspelled_behavior_field_suggests_the_right_one() {
    let dir = with_manifest_edit(
        "stabilizationWindowSeconds: 300",
        "stabilisationWindowSeconds: 300",
    );
    let (code, err) = validate(&[dir.path().join("scenario.yaml").to_str().unwrap()]);
    assert_eq!(code, 2);
    let line = line_of(&dir, "stabilisationWindowSeconds");
    assert!(err.contains(&format!("k8s.yaml:{line}:")), "{err}");
    assert!(err.contains("stabilizationWindowSeconds"), "{err}");
}

#[test]
fn a_numeric_kubernetes_version_override_is_told_to_quote_it() {
    let (code, err) = validate(&[
        "scenarios/graphql-gateway/scenario.yaml",
        "--set",
        "kubernetes_version=1.30",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("quote the value"), "{err}");
    let (code, _) = validate(&[
        "scenarios/graphql-gateway/scenario.yaml",
        "--set",
        "kubernetes_version=\"1.30\"",
    ]);
    assert_eq!(code, 0);
}
