//! Bad KEDA input, rejected with KEDA's rule named, located at `file:line:column`, exit 2 and
//! nothing on stdout: `hpasim keda eval` on `tests/fixtures/keda/bad/` (each fixture's header:
//! `# error: {"at": "text on the line", "token": "column of this", "contains": "message"}`),
//! and `hpasim validate` on copies of the `tests/fixtures/keda/scenario/` scenario whose
//! ScaledObject manifest (`keda.yaml`) is edited.

use crate::support::fixtures::{assert_error_as_declared, fixtures};
use std::path::Path;
use std::process::Command;

fn hpasim(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hpasim"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        stderr,
    )
}

#[test]
fn bad_keda_eval_cases_exit_2_with_the_rule_and_its_location() {
    let files = fixtures("tests/fixtures/keda/bad");
    assert!(files.len() >= 10, "{files:?}");
    for file in &files {
        let (code, stdout, stderr) = hpasim(&["keda", "eval", file]);
        assert_eq!(code, 2, "{file}: {stderr}");
        assert!(stdout.is_empty(), "{file}: output on stdout");
        assert_error_as_declared(file, &stderr);
    }
}

#[test]
fn a_missing_keda_case_file_is_bad_input() {
    let (code, _, stderr) = hpasim(&["keda", "eval", "tests/fixtures/keda/no_such_case.yaml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot read KEDA case"), "{stderr}");
}

/// A copy of the KEDA test scenario whose `keda.yaml` has `from` replaced by `to`.
fn with_manifest_edit(from: &str, to: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keda/scenario");
    let k8s = std::fs::read_to_string(root.join("keda.yaml")).unwrap();
    assert!(k8s.contains(from), "fixture text `{from}` not in keda.yaml");
    std::fs::write(dir.path().join("keda.yaml"), k8s.replacen(from, to, 1)).unwrap();
    std::fs::copy(root.join("scenario.yaml"), dir.path().join("scenario.yaml")).unwrap();
    dir
}

/// `hpasim validate` on the edited copy: exit 2, the message, and the line of `needle` in
/// keda.yaml.
fn rejected(from: &str, to: &str, needle: &str, message: &str) {
    let dir = with_manifest_edit(from, to);
    let scenario = dir.path().join("scenario.yaml");
    let (code, stdout, err) = hpasim(&["validate", scenario.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(stdout.is_empty(), "{stdout}");
    let text = std::fs::read_to_string(dir.path().join("keda.yaml")).unwrap();
    let line = text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    assert!(err.contains(&format!("keda.yaml:{line}:")), "{err}");
    assert!(err.contains(message), "wanted {message:?} in {err}");
}

#[test]
fn the_keda_test_scenario_validates() {
    let (code, stdout, err) = hpasim(&["validate", "tests/fixtures/keda/scenario/scenario.yaml"]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("ok"), "{stdout}");
}

#[test]
fn scenario_idle_replica_count_not_below_min_is_rejected_in_the_manifest() {
    rejected(
        "idleReplicaCount: 0",
        "idleReplicaCount: 2",
        "idleReplicaCount",
        "idleReplicaCount (2) must be less than minReplicaCount (2) (KEDA CheckReplicaCountBoundsAreValid)",
    );
}

#[test]
fn scenario_min_above_max_is_rejected_in_the_manifest() {
    rejected(
        "minReplicaCount: 2",
        "minReplicaCount: 9",
        "minReplicaCount",
        "scaled_object.spec.minReplicaCount: minReplicaCount (9) must be less than or equal to maxReplicaCount (8) (KEDA CheckReplicaCountBoundsAreValid)",
    );
}

#[test]
fn scenario_lag_threshold_0_is_rejected_in_the_manifest() {
    rejected(
        "lagThreshold: \"50\"",
        "lagThreshold: \"0\"",
        "lagThreshold",
        "lagThreshold must be a positive number, got 0 (KEDA kafka scaler Validate)",
    );
}

#[test]
fn scenario_mutually_exclusive_kafka_options_are_rejected_in_the_manifest() {
    rejected(
        "offsetResetPolicy: latest",
        "allowIdleConsumers: \"true\"\n        limitToPartitionsWithLag: \"true\"",
        "limitToPartitionsWithLag",
        "allowIdleConsumers and limitToPartitionsWithLag cannot be set simultaneously",
    );
}

#[test]
fn scenario_unknown_trigger_type_is_rejected_with_the_simulated_types() {
    rejected(
        "type: prometheus",
        "type: prometeus",
        "prometeus",
        "trigger type `prometeus` is not simulated, did you mean `prometheus`?",
    );
}

#[test]
fn scenario_misspelled_metadata_key_names_the_nearest() {
    rejected(
        "serverAddress:",
        "serverAdress:",
        "serverAdress",
        "unknown metadata key `serverAdress` for the prometheus scaler, did you mean `serverAddress`?",
    );
}

#[test]
fn scenario_wrong_api_version_names_keda_sh_v1alpha1() {
    rejected(
        "apiVersion: keda.sh/v1alpha1",
        "apiVersion: keda.sh/v1beta1",
        "keda.sh/v1beta1",
        "unsupported apiVersion `keda.sh/v1beta1` for ScaledObject",
    );
}

#[test]
fn a_scenario_with_both_an_hpa_and_a_scaled_object_is_rejected() {
    let dir = with_manifest_edit("kind: ScaledObject", "kind: ScaledObject");
    let hpa = "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: worker}\nspec:\n  scaleTargetRef: {kind: Deployment, name: worker}\n  maxReplicas: 5\n";
    let path = dir.path().join("keda.yaml");
    let mut k8s = std::fs::read_to_string(&path).unwrap();
    k8s.push_str(hpa);
    std::fs::write(&path, k8s).unwrap();
    let (code, _, err) = hpasim(&[
        "validate",
        dir.path().join("scenario.yaml").to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("KEDA webhook verifyHpas"), "{err}");
    assert!(err.contains("keda.yaml:"), "{err}");
}

#[test]
fn a_scaled_object_set_override_round_trips() {
    let (code, _, err) = hpasim(&[
        "validate",
        "tests/fixtures/keda/scenario/scenario.yaml",
        "--set",
        "scaled_object.spec.cooldownPeriod=60",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = hpasim(&[
        "validate",
        "tests/fixtures/keda/scenario/scenario.yaml",
        "--set",
        "scaled_object.spec.minReplicaCount=9",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--set scaled_object.spec.minReplicaCount=9"),
        "{err}"
    );
    assert!(err.contains("CheckReplicaCountBoundsAreValid"), "{err}");
}

/// The KEDA test scenario with its ScaledObject written inline (edited: `from` → `to`).
fn inline_scenario(from: &str, to: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keda/scenario");
    let scenario = std::fs::read_to_string(root.join("scenario.yaml")).unwrap();
    let manifest = std::fs::read_to_string(root.join("keda.yaml")).unwrap();
    let indented: String = manifest
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("  {l}\n"))
        .collect();
    let text = scenario.replace(
        "manifests: [keda.yaml]\n",
        &format!("scaled_object:\n{indented}"),
    );
    assert!(text.contains(from), "`{from}` not in the inline scenario");
    let text = text.replacen(from, to, 1);
    std::fs::write(dir.path().join("scenario.yaml"), &text).unwrap();
    (dir, text)
}

#[test]
fn an_inline_scaled_object_validates_and_its_errors_are_located_in_the_scenario() {
    let (dir, _) = inline_scenario("cooldownPeriod: 120", "cooldownPeriod: 120");
    let path = dir.path().join("scenario.yaml");
    let (code, _, err) = hpasim(&["validate", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (dir, text) = inline_scenario("query:", "qeury:");
    let path = dir.path().join("scenario.yaml");
    let (code, _, err) = hpasim(&["validate", path.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    let line = text.lines().position(|l| l.contains("qeury")).unwrap() + 1;
    assert!(err.contains(&format!("scenario.yaml:{line}:")), "{err}");
    assert!(err.contains("did you mean `query`?"), "{err}");
}

#[test]
fn an_inline_scaled_object_of_the_wrong_kind_is_named() {
    let (dir, _) = inline_scenario("kind: ScaledObject", "kind: HorizontalPodAutoscaler");
    let path = dir.path().join("scenario.yaml");
    let (code, _, err) = hpasim(&["validate", path.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`scaled_object` holds a HorizontalPodAutoscaler, not a ScaledObject"),
        "{err}"
    );
}
