//! Real Kubernetes manifests in scenarios: a Deployment and an HPA from multi-document files or
//! written inline, their values reaching the compiled pods, `--set` reaching into them, and
//! every mistake in them located in the file that holds it.
//!
//! The fixtures in `tests/fixtures/manifests/` are valid; the error cases copy them into a
//! temporary directory with one line changed, and compute the expected line and column from
//! the text written.

use hpasim_models::scenario::locate::locate;
use hpasim_models::scenario::{load, Loaded, SpecError};
use hpasim_models::Simulation;
use std::path::{Path, PathBuf};

const DIR: &str = "tests/fixtures/manifests";

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR).join(name)
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixture_path(name)).expect("fixture reads")
}

fn load_fixture(name: &str, sets: &[&str]) -> Result<Loaded, SpecError> {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    load(&fixture_path(name), &sets)
}

/// The scenario's HPA as YAML, and the value at `path` in it (`spec.maxReplicas`).
fn hpa_value(loaded: &Loaded, path: &str) -> Option<String> {
    let hpa = loaded.scenario.hpa.as_ref().expect("an hpa");
    let yaml = serde_saphyr::to_string(hpa).expect("the hpa serializes");
    let (line, col) = locate(&yaml, path)?;
    let rest = &yaml.lines().nth(line - 1)?[col - 1..];
    Some(rest.trim().to_string())
}

fn compile(loaded: &Loaded) -> Simulation {
    Simulation::compile(&loaded.scenario, &loaded.base_dir)
        .map_err(|e| loaded.locate(e))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The web fixture (scenario `web.yaml`, manifest `k8s/web.yaml`) written into a temporary
/// directory, each text edited by `(from, to)` replacements.
struct Variant {
    dir: tempfile::TempDir,
    scenario: String,
    manifest: String,
}

impl Variant {
    fn new(scenario_edits: &[(&str, &str)], manifest_edits: &[(&str, &str)]) -> Variant {
        let edit = |mut text: String, edits: &[(&str, &str)]| {
            for (from, to) in edits {
                assert!(text.contains(from), "no {from:?} in the fixture");
                text = text.replacen(from, to, 1);
            }
            text
        };
        let scenario = edit(fixture("web.yaml"), scenario_edits);
        let manifest = edit(fixture("k8s/web.yaml"), manifest_edits);
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("k8s")).unwrap();
        std::fs::write(dir.path().join("web.yaml"), &scenario).unwrap();
        std::fs::write(dir.path().join("k8s/web.yaml"), &manifest).unwrap();
        Variant {
            dir,
            scenario,
            manifest,
        }
    }

    fn load(&self, sets: &[&str]) -> Result<Loaded, SpecError> {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        load(&self.dir.path().join("web.yaml"), &sets)
    }

    fn error(&self, sets: &[&str]) -> SpecError {
        match self.load(sets) {
            Ok(_) => panic!("the variant loads"),
            Err(e) => e,
        }
    }

    /// `FILE:LINE:COL` of `token` on the first (or `nth`) line of the manifest containing
    /// `line_with`.
    fn in_manifest(&self, line_with: &str, nth: usize, token: &str) -> String {
        position(
            &self.dir.path().join("k8s/web.yaml"),
            &self.manifest,
            line_with,
            nth,
            token,
        )
    }

    fn in_scenario(&self, line_with: &str, token: &str) -> String {
        position(
            &self.dir.path().join("web.yaml"),
            &self.scenario,
            line_with,
            0,
            token,
        )
    }
}

fn position(file: &Path, text: &str, line_with: &str, nth: usize, token: &str) -> String {
    let (i, line) = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(line_with))
        .nth(nth)
        .unwrap_or_else(|| panic!("no line with {line_with:?}"));
    let col = line.find(token).expect("token on the line");
    format!("{}:{}:{}", file.display(), i + 1, col + 1)
}

#[test]
fn manifests_a_multi_document_files_deployment_sets_the_pods() {
    let loaded = load_fixture("web.yaml", &[]).unwrap_or_else(|e| panic!("{e}"));
    let pods = compile(&loaded).pods;
    assert_eq!(pods.replicas, 3);
    // app 500m + sidecar 100m; the regular init container does not count.
    assert!(
        (pods.cpu_request - 0.6).abs() < 1e-12,
        "{}",
        pods.cpu_request
    );
    assert!((pods.cpu_limit - 1.2).abs() < 1e-12, "{}", pods.cpu_limit);
    assert_eq!(pods.startup.probe.initial_delay.as_secs_f64(), 5.0);
    assert_eq!(pods.startup.probe.period.as_secs_f64(), 5.0);
    assert_eq!(pods.startup.probe.success_threshold, 2);
    assert_eq!(pods.grace.as_secs_f64(), 45.0);
    // Cost: (0.6 vCPU, 576 MiB) at the default prices.
    let gib = 576.0 / 1024.0;
    let per_hour = 0.6 * 0.04048 + gib * 0.004445;
    assert!((pods.cost_per_second_usd * 3600.0 - per_hour).abs() < 1e-12);
}

#[test]
fn manifests_a_multi_document_files_hpa_lands_in_the_scenario() {
    let loaded = load_fixture("web.yaml", &[]).unwrap();
    assert_eq!(
        hpa_value(&loaded, "spec.maxReplicas").as_deref(),
        Some("10")
    );
    assert_eq!(loaded.scenario.kubernetes_version.as_deref(), Some("1.35"));
}

#[test]
fn manifests_inline_deployment_and_hpa_work_like_a_files() {
    let loaded = load_fixture("inline.yaml", &[]).unwrap_or_else(|e| panic!("{e}"));
    let pods = compile(&loaded).pods;
    assert_eq!(pods.replicas, 1, "Kubernetes' default");
    assert!(
        (pods.cpu_request - 0.3).abs() < 1e-12,
        "{}",
        pods.cpu_request
    );
    assert_eq!(pods.cpu_limit, f64::INFINITY, "the proxy has no CPU limit");
    assert_eq!(pods.grace.as_secs_f64(), 30.0);
    assert_eq!(hpa_value(&loaded, "spec.maxReplicas").as_deref(), Some("4"));
}

#[test]
fn manifests_set_reaches_into_file_and_inline_manifests() {
    // The first container's request becomes 450m; the other container (web: the sidecar)
    // adds its own.
    for (name, cpu_request) in [("web.yaml", 0.55), ("inline.yaml", 0.5)] {
        let loaded = load_fixture(
            name,
            &[
                "deployment.spec.replicas=5",
                "hpa.spec.maxReplicas=7",
                "hpa.spec.behavior.scaleDown.stabilizationWindowSeconds=60",
                "deployment.spec.template.spec.containers[0].resources.requests.cpu=450m",
            ],
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(hpa_value(&loaded, "spec.maxReplicas").as_deref(), Some("7"));
        assert_eq!(
            hpa_value(
                &loaded,
                "spec.behavior.scaleDown.stabilizationWindowSeconds"
            )
            .as_deref(),
            Some("60")
        );
        let pods = compile(&loaded).pods;
        assert_eq!(pods.replicas, 5, "{name}");
        assert!(
            (pods.cpu_request - cpu_request).abs() < 1e-12,
            "{name}: {}",
            pods.cpu_request
        );
    }
}

#[test]
fn manifests_a_misspelled_deployment_field_is_located_in_the_manifest_with_a_suggestion() {
    let v = Variant::new(&[], &[("  replicas: 3", "  replicsa: 3")]);
    let e = v.error(&[]);
    assert_eq!(e.location, v.in_manifest("replicsa", 0, "replicsa"));
    assert_eq!(
        e.message,
        "unknown field `replicsa` in `spec`, did you mean `replicas`?"
    );
    assert!(e
        .hint
        .unwrap()
        .contains("valid fields here: replicas, template"));
    let v = Variant::new(
        &[],
        &[(
            "          resources:\n            requests:\n",
            "          resource:\n            requests:\n",
        )],
    );
    let e = v.error(&[]);
    assert_eq!(e.location, v.in_manifest("resource:", 0, "resource"));
    assert_eq!(
        e.message,
        "unknown field `resource` in `spec.template.spec.containers[0]`, did you mean `resources`?"
    );
}

#[test]
fn manifests_an_unsupported_api_version_names_the_supported_one() {
    let v = Variant::new(
        &[],
        &[("apiVersion: autoscaling/v2", "apiVersion: autoscaling/v1")],
    );
    let e = v.error(&[]);
    assert_eq!(
        e.location,
        v.in_manifest("autoscaling/v1", 0, "autoscaling/v1")
    );
    assert_eq!(
        e.message,
        "unsupported apiVersion `autoscaling/v1` for HorizontalPodAutoscaler"
    );
    assert!(e
        .hint
        .unwrap()
        .contains("write `apiVersion: autoscaling/v2`"));
    let v = Variant::new(
        &[],
        &[("apiVersion: apps/v1\n", "apiVersion: apps/v1beta1\n")],
    );
    let e = v.error(&[]);
    assert_eq!(e.location, v.in_manifest("apps/v1beta1", 0, "apps/v1beta1"));
    assert_eq!(
        e.message,
        "unsupported apiVersion `apps/v1beta1` for Deployment"
    );
    assert!(e.hint.unwrap().contains("write `apiVersion: apps/v1`"));
}

#[test]
fn manifests_an_unsupported_kind_is_named_where_it_is_with_the_supported_kinds() {
    let service =
        "---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n";
    let v = Variant::new(
        &[],
        &[(
            "---\napiVersion: autoscaling/v2",
            &format!("{service}---\napiVersion: autoscaling/v2"),
        )],
    );
    let e = v.error(&[]);
    assert_eq!(e.location, v.in_manifest("kind: Service", 0, "Service"));
    assert_eq!(e.message, "unsupported kind `Service`");
    assert!(e
        .hint
        .unwrap()
        .contains("Deployment (apps/v1), HorizontalPodAutoscaler (autoscaling/v2)"));
}

#[test]
fn manifests_a_second_deployment_names_both_places() {
    let inline = "deployment:\n  apiVersion: apps/v1\n  kind: Deployment\n  spec: {template: {spec: {containers: [{name: a}]}}}\n";
    let v = Variant::new(&[("manifests:", &format!("{inline}manifests:"))], &[]);
    let e = v.error(&[]);
    assert_eq!(e.location, v.in_manifest("kind: Deployment", 0, "kind"));
    assert_eq!(
        e.message,
        format!(
            "a second Deployment: the scenario already has one at {}",
            v.in_scenario("deployment:", "deployment")
        )
    );
    assert!(e.hint.unwrap().contains("remove one of them"));
    let hpa_again = Variant::new(&[], &[]).manifest;
    let hpa_doc = &hpa_again[hpa_again.rfind("---").unwrap()..];
    let v = Variant::new(
        &[],
        &[("  behavior:", &format!("  behavior: {{}}\n{hpa_doc}#"))],
    );
    let e = v.error(&[]);
    assert_eq!(
        e.location,
        v.in_manifest("kind: HorizontalPodAutoscaler", 1, "kind")
    );
    assert_eq!(
        e.message,
        format!(
            "a second HorizontalPodAutoscaler: the scenario already has one at {}",
            v.in_manifest("kind: HorizontalPodAutoscaler", 0, "kind")
        )
    );
}

#[test]
fn manifests_pods_fields_set_alongside_a_deployment_are_errors_with_a_hint() {
    let v = Variant::new(
        &[("  concurrency: 4", "  concurrency: 4\n  cpu_request: 250m")],
        &[],
    );
    let e = v.error(&[]);
    assert_eq!(e.location, v.in_scenario("cpu_request", "250m"));
    assert_eq!(
        e.message,
        "pods.cpu_request: conflicts with the Deployment, which sets it"
    );
    assert!(e
        .hint
        .unwrap()
        .starts_with("remove pods.cpu_request: the Deployment sets it"));
    let e = load_fixture("web.yaml", &["pods.replicas=4"]).unwrap_err();
    assert_eq!(e.location, "--set pods.replicas=4");
    assert!(e
        .hint
        .unwrap()
        .starts_with("remove pods.replicas: the Deployment sets it"));
}

#[test]
fn manifests_a_validation_error_in_a_manifest_file_is_located_in_that_file() {
    let v = Variant::new(
        &[],
        &[("              cpu: \"1\"\n", "              cpu: 250m\n")],
    );
    let e = v.error(&[]);
    assert_eq!(e.location, v.in_manifest("cpu: 250m", 0, "250m"));
    assert_eq!(
        e.message,
        "deployment.spec.template.spec.containers[0].resources.limits.cpu: must be at least the request (500m), got 250m"
    );
    assert!(e
        .hint
        .unwrap()
        .contains("Kubernetes rejects a limit below the request"));
    // The HPA's checks are located the same way.
    let v = Variant::new(&[], &[("maxReplicas: 10", "maxReplicas: 0")]);
    let e = v.error(&[]);
    assert_eq!(e.location, v.in_manifest("maxReplicas: 0", 0, "0"));
    assert!(e.message.starts_with("hpa.spec.maxReplicas: "), "{e}");
    // A value given by --set is blamed on the --set.
    let e = load_fixture(
        "web.yaml",
        &["deployment.spec.template.spec.containers[0].resources.limits.cpu=100m"],
    )
    .unwrap_err();
    assert_eq!(
        e.location,
        "--set deployment.spec.template.spec.containers[0].resources.limits.cpu=100m"
    );
}

#[test]
fn manifests_a_missing_manifest_file_is_named_at_its_place_in_the_scenario() {
    let v = Variant::new(&[("[k8s/web.yaml]", "[k8s/nope.yaml]")], &[]);
    let e = v.error(&[]);
    assert_eq!(e.location, v.in_scenario("manifests:", "k8s/nope.yaml"));
    assert!(e.message.starts_with("cannot read manifest `"), "{e}");
    assert!(
        e.message
            .ends_with("k8s/nope.yaml`: No such file or directory"),
        "{e}"
    );
    assert_eq!(
        e.hint.unwrap(),
        "paths in `manifests` are relative to the scenario file"
    );
}

#[test]
fn manifests_without_a_deployment_pods_replicas_and_cpu_request_are_required() {
    let v = Variant::new(&[("manifests: [k8s/web.yaml]\n", "")], &[]);
    let e = v.error(&[]);
    assert_eq!(e.location, v.in_scenario("pods:", "pods"));
    assert_eq!(e.message, "missing required field `replicas` in `pods`");
}
