//! ResourceQuota and PodDisruptionBudget: real manifests loaded from `manifests` files (guide
//! 002's quota verbatim), their mistakes located in the file, and the quota's admission of the
//! ReplicaSet's pod creations in the simulated world: refused creations make no pod, say why in
//! events.csv with the API server's message and count in `pods_quota_denied`; the ReplicaSet
//! retries when quota frees or the desired count changes.

use crate::support::{hpasim, run_text};
use hpasim_models::cluster_autoscaler::{IntOrPercent, Pdb};
use hpasim_models::rows::EventRow;
use hpasim_models::scenario::{load, Loaded, SpecError};

/// Guide 002 ("Resource Management", "1. Resource Quotas"), verbatim.
const GUIDE_002_QUOTA: &str = include_str!("../models/src/cluster/fixtures/guide-002-quota.yaml");

/// Guide 000's quota: two keys hpasim does not model.
const GUIDE_000_QUOTA: &str = include_str!("../models/src/cluster/fixtures/guide-000-quota.yaml");

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: app
          resources:
            requests: {cpu: 500m, memory: 512Mi}
            limits: {cpu: \"1\", memory: 1Gi}
";

const PDB: &str = "apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 2
  selector:
    matchLabels: {app: web}
";

const SCENARIO: &str = "name: web
duration: 2m
workload:
  arrivals: {kind: constant, rate: 20}
service:
  cpu: {dist: exponential, mean: 20ms}
pods:
  concurrency: 4
manifests: [k8s.yaml]
";

/// A scenario reading `k8s.yaml` = the documents joined by `---`, in a temporary directory.
struct Files {
    dir: tempfile::TempDir,
    manifest: String,
}

impl Files {
    fn new(docs: &[&str]) -> Files {
        let manifest = docs.iter().map(|d| format!("---\n{d}")).collect::<String>();
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("web.yaml"), SCENARIO).unwrap();
        std::fs::write(dir.path().join("k8s.yaml"), &manifest).unwrap();
        Files { dir, manifest }
    }

    fn load(&self) -> Result<Loaded, SpecError> {
        load(&self.dir.path().join("web.yaml"), &[])
    }

    fn error(&self) -> SpecError {
        match self.load() {
            Ok(_) => panic!("the manifests load"),
            Err(e) => e,
        }
    }

    /// `k8s.yaml:LINE:COL` of `token` on the `nth` line containing `line_with`.
    fn at(&self, line_with: &str, nth: usize, token: &str) -> String {
        let (i, line) = self
            .manifest
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains(line_with))
            .nth(nth)
            .unwrap_or_else(|| panic!("no line with {line_with:?}"));
        let col = line.find(token).expect("token on the line");
        let file = self.dir.path().join("k8s.yaml");
        format!("{}:{}:{}", file.display(), i + 1, col + 1)
    }
}

#[test]
fn quota_manifests_guide_002_quota_and_a_pdb_load_from_a_manifests_file() {
    let files = Files::new(&[DEPLOYMENT, GUIDE_002_QUOTA, PDB]);
    let loaded = files.load().unwrap_or_else(|e| panic!("{e}"));
    let rq = loaded.scenario.resource_quota.as_ref().expect("a quota");
    assert_eq!(rq.metadata.name.as_deref(), Some("compute-resources"));
    assert_eq!(rq.spec.hard.len(), 4);
    let pdb = loaded
        .scenario
        .pod_disruption_budget
        .as_ref()
        .expect("a pdb");
    assert_eq!(pdb.pdb(), Pdb::MinAvailable(IntOrPercent::Int(2)));
    let warnings = hpasim_models::scenario::capacity::capacity_warnings(&loaded.scenario);
    assert!(warnings.is_empty(), "{warnings:?}");
    let sim = hpasim_models::Simulation::compile(&loaded.scenario, &loaded.base_dir).unwrap();
    let quota = sim.quota.expect("a compiled quota");
    assert_eq!(quota.quota.name, "compute-resources");
    assert_eq!(quota.pod.requests_cpu_millis, Some(500));
    assert_eq!(quota.pod.limits_memory_bytes, Some(1 << 30));
}

#[test]
fn quota_manifests_guide_000_quota_loads_and_warns_about_the_keys_it_ignores() {
    let files = Files::new(&[DEPLOYMENT, GUIDE_000_QUOTA]);
    let loaded = files.load().unwrap_or_else(|e| panic!("{e}"));
    let warnings = hpasim_models::scenario::capacity::capacity_warnings(&loaded.scenario);
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[0].contains("spec.hard.persistentvolumeclaims is not modelled"));
    assert!(warnings[1].contains("spec.hard.requests.storage is not modelled"));
}

#[test]
fn quota_manifests_policy_v1beta1_pdb_is_refused_with_the_removal_hint() {
    let files = Files::new(&[DEPLOYMENT, &PDB.replace("policy/v1", "policy/v1beta1")]);
    let e = files.error();
    assert_eq!(e.location, files.at("policy/v1beta1", 0, "policy"));
    assert_eq!(
        e.message,
        "unsupported apiVersion `policy/v1beta1` for PodDisruptionBudget"
    );
    let hint = e.hint.unwrap();
    assert!(hint.contains("write `apiVersion: policy/v1`"), "{hint}");
    assert!(hint.contains("removed in Kubernetes 1.25"), "{hint}");
}

#[test]
fn quota_manifests_a_pdb_with_both_min_available_and_max_unavailable_is_located() {
    let files = Files::new(&[
        DEPLOYMENT,
        &PDB.replace(
            "  minAvailable: 2\n",
            "  minAvailable: 2\n  maxUnavailable: 1\n",
        ),
    ]);
    let e = files.error();
    assert_eq!(e.location, files.at("minAvailable", 0, "2"));
    assert_eq!(
        e.message,
        "pod_disruption_budget.spec.minAvailable: minAvailable and maxUnavailable cannot be both set"
    );
}

#[test]
fn quota_manifests_unknown_fields_are_located_with_the_nearest_name() {
    let files = Files::new(&[DEPLOYMENT, &PDB.replace("minAvailable", "minAvailabel")]);
    let e = files.error();
    assert_eq!(e.location, files.at("minAvailabel", 0, "minAvailabel"));
    assert!(
        e.message
            .contains("unknown field `minAvailabel` in `spec`, did you mean `minAvailable`?"),
        "{e}"
    );
    let files = Files::new(&[DEPLOYMENT, &GUIDE_002_QUOTA.replace("hard:", "hrad:")]);
    let e = files.error();
    assert_eq!(e.location, files.at("hrad", 0, "hrad"));
    assert!(e.message.contains("did you mean `hard`?"), "{e}");
}

#[test]
fn quota_manifests_a_second_quota_is_an_error() {
    let files = Files::new(&[DEPLOYMENT, GUIDE_002_QUOTA, GUIDE_000_QUOTA]);
    let e = files.error();
    assert_eq!(e.location, files.at("kind: ResourceQuota", 1, "kind"));
    assert!(
        e.message
            .starts_with("a second ResourceQuota: the scenario already has one at"),
        "{e}"
    );
}

#[test]
fn quota_manifests_a_pdb_selecting_none_of_the_deployments_pods_is_an_error() {
    let files = Files::new(&[DEPLOYMENT, &PDB.replace("{app: web}", "{app: api}")]);
    let e = files.error();
    assert_eq!(e.location, files.at("matchLabels", 1, "matchLabels"));
    assert!(
        e.message.contains(
            "selects no pod of the Deployment: its template labels (app=web) lack app=api"
        ),
        "{e}"
    );
}

// ----- admission in the world -------------------------------------------------------------

/// Two warm pods, scaled to 6 at 30 s; `quota` is a ResourceQuota's `spec.hard` block.
fn scenario(quota: &str, extra: &str) -> String {
    format!(
        r#"
name: web
duration: 2m
workload:
  arrivals: {{ kind: constant, rate: 20 }}
service:
  cpu: {{ dist: constant, value: 10ms }}
  io: {{ dist: constant, value: 1s }}
pods:
  replicas: 2
  concurrency: 4
  cpu_request: 500m
  memory_request: 1Gi
  startup:
    schedule: {{ dist: constant, value: 1s }}
    image_pull: {{ dist: constant, value: 1s }}
    container_start: {{ dist: constant, value: 1s }}
    app_start: {{ dist: constant, value: 1s }}
  scale_schedule:
    - {{ at: 30s, replicas: 6 }}
{extra}resource_quota:
  apiVersion: v1
  kind: ResourceQuota
  metadata: {{ name: q }}
  spec:
    hard: {quota}
"#
    )
}

fn of_kind<'a>(events: &'a [EventRow], kind: &str) -> Vec<&'a EventRow> {
    events.iter().filter(|e| e.kind == kind).collect()
}

fn created(events: &[EventRow]) -> Vec<(f64, &str)> {
    of_kind(events, "pod_created")
        .into_iter()
        .map(|e| (e.time_s, e.object.as_str()))
        .collect()
}

#[test]
fn quota_a_scale_up_beyond_a_pods_quota_creates_exactly_the_pods_it_admits() {
    let (summary, sink) = run_text(&scenario("{ pods: \"4\" }", ""), &[]);
    // 2 warm pods; at 30 s slowStartBatch creates 1, then a batch of 2 of which 1 is refused.
    assert_eq!(
        created(&sink.events),
        [(30.0, "pod/web-2"), (30.0, "pod/web-3")]
    );
    let failed = of_kind(&sink.events, "pod_create_failed");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].time_s, 30.0);
    assert_eq!(failed[0].object, "deployment/web");
    assert_eq!(
        failed[0].detail,
        "Error creating: pods \"web-\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=4, limited: pods=4"
    );
    assert_eq!(summary.pods_quota_denied, 1);
    let last = sink.timeseries.last().unwrap();
    assert_eq!((last.replicas_desired, last.pods_ready), (6, 4));
}

#[test]
fn quota_initial_replicas_beyond_the_quota_start_fewer_warm_pods_with_the_events() {
    let text = scenario("{ pods: \"4\" }", "").replace("  replicas: 2\n", "  replicas: 6\n");
    let text = text.replace(
        "    - { at: 30s, replicas: 6 }\n",
        "    - { at: 90s, replicas: 6 }\n",
    );
    let (summary, sink) = run_text(&text, &[]);
    // Batches of 1, 2, then 3: one admitted, two refused.
    let failed = of_kind(&sink.events, "pod_create_failed");
    let at = |t: f64| failed.iter().filter(|e| e.time_s == t).count();
    assert_eq!((failed.len(), at(0.0), at(90.0)), (3, 2, 1));
    assert!(failed[0].detail.ends_with("used: pods=4, limited: pods=4"));
    let first = sink.timeseries.first().unwrap();
    assert_eq!((first.replicas_desired, first.pods_ready), (6, 4));
    // At 90 s the desired count is set again: one more attempt (a batch of 1), one refusal.
    assert_eq!(summary.pods_quota_denied, 3);
}

#[test]
fn quota_a_deleted_pod_frees_quota_and_the_replicaset_creates_the_missing_pod() {
    // Scale down to 3 and straight back up to 6 at 60 s: the pod leaving is Terminating
    // (it holds 1 s requests), so it still counts and the scale-up is refused; when it is
    // deleted the ReplicaSet retries and creates one pod.
    let text = scenario("{ pods: \"4\" }", "").replace(
        "    - { at: 30s, replicas: 6 }\n",
        "    - { at: 30s, replicas: 6 }\n    - { at: 60s, replicas: 3 }\n    - { at: 60s, replicas: 6 }\n",
    );
    let (summary, sink) = run_text(&text, &[]);
    let terminating = of_kind(&sink.events, "pod_terminating");
    assert_eq!(terminating.len(), 1);
    assert_eq!(terminating[0].time_s, 60.0);
    let deleted = of_kind(&sink.events, "pod_deleted");
    assert_eq!(deleted.len(), 1);
    let freed_at = deleted[0].time_s;
    // It drains its local queue of 1 s requests, within the 30 s grace period.
    assert!(freed_at > 60.0 && freed_at < 90.0, "{freed_at}");
    assert_eq!(
        created(&sink.events),
        [
            (30.0, "pod/web-2"),
            (30.0, "pod/web-3"),
            (freed_at, "pod/web-4")
        ]
    );
    let failed: Vec<(f64, &str)> = of_kind(&sink.events, "pod_create_failed")
        .into_iter()
        .map(|e| (e.time_s, e.detail.as_str()))
        .collect();
    let denied = "Error creating: pods \"web-\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=4, limited: pods=4";
    // 30 s: one refusal; 60 s: one (batch of 1); at the deletion: a batch of 1 admitted, then
    // a batch of 2 refused.
    assert_eq!(
        failed,
        [
            (30.0, denied),
            (60.0, denied),
            (freed_at, denied),
            (freed_at, denied)
        ]
    );
    assert_eq!(summary.pods_quota_denied, 4);
}

#[test]
fn quota_a_requests_cpu_quota_refuses_by_cpu_with_the_api_servers_message() {
    let (summary, sink) = run_text(&scenario("{ requests.cpu: \"2\" }", ""), &[]);
    assert_eq!(created(&sink.events).len(), 2);
    let failed = of_kind(&sink.events, "pod_create_failed");
    assert_eq!(failed.len(), 1);
    assert_eq!(
        failed[0].detail,
        "Error creating: pods \"web-\" is forbidden: exceeded quota: q, requested: requests.cpu=500m, used: requests.cpu=2, limited: requests.cpu=2"
    );
    assert_eq!(summary.pods_quota_denied, 1);
}

#[test]
fn quota_pods_without_a_cpu_request_under_a_requests_cpu_quota_must_specify_it() {
    // The app container requests CPU, the proxy container does not: the quota refuses the pod.
    let text = scenario("{ requests.cpu: \"20\" }", "")
        .replace("  replicas: 2\n", "")
        .replace("  cpu_request: 500m\n", "")
        .replace("  memory_request: 1Gi\n", "")
        .replace(
            "resource_quota:",
            "deployment:\n  apiVersion: apps/v1\n  kind: Deployment\n  spec:\n    replicas: 2\n    template:\n      spec:\n        containers:\n          - {name: app, resources: {requests: {cpu: 500m}}}\n          - {name: proxy}\nresource_quota:",
        );
    let (summary, sink) = run_text(&text, &[]);
    assert!(created(&sink.events).is_empty());
    let failed = of_kind(&sink.events, "pod_create_failed");
    // t = 0: the first batch (1 pod) is refused; 30 s: again.
    assert_eq!(failed.len(), 2);
    assert_eq!(
        failed[0].detail,
        "Error creating: pods \"web-\" is forbidden: failed quota: q: must specify requests.cpu"
    );
    assert_eq!(summary.pods_quota_denied, 2);
}

#[test]
fn quota_validate_warns_when_the_quota_cannot_admit_the_initial_replicas() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.yaml");
    let text = scenario("{ pods: \"1\" }", "");
    std::fs::write(&path, text).unwrap();
    let out = hpasim(&["validate", path.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("warning: ResourceQuota `q` admits only 1 of the 2 initial replicas: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1"),
        "{stdout}"
    );
}

#[test]
fn quota_a_pod_disruption_budget_reaches_the_cluster_autoscalers_drain() {
    let path = crate::support::repo_root().join("scenarios/node-provisioning/scenario.yaml");
    let text = std::fs::read_to_string(&path).unwrap()
        + "pod_disruption_budget:\n  apiVersion: policy/v1\n  kind: PodDisruptionBudget\n  metadata: {name: api}\n  spec:\n    maxUnavailable: \"25%\"\n    selector: {}\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(path.with_file_name("k8s.yaml"), dir.path().join("k8s.yaml")).unwrap();
    std::fs::write(dir.path().join("scenario.yaml"), text).unwrap();
    let loaded = load(&dir.path().join("scenario.yaml"), &[]).unwrap_or_else(|e| panic!("{e}"));
    let sim = hpasim_models::Simulation::compile(&loaded.scenario, &loaded.base_dir).unwrap();
    assert_eq!(
        sim.cluster.expect("a cluster").pdb,
        Some(Pdb::MaxUnavailable(IntOrPercent::Percent(25)))
    );
}
