//! The Vertical Pod Autoscaler in runs (issue #9 item 3): the recommender fed by the simulated
//! pods' CPU and working set, the recommendation over time (`Off`), the updater's evictions
//! within upstream's guards (`Auto`), the admission of new pods with the target, the warning
//! when the VPA and the HPA both act on CPU, and the located errors of bad input.

use crate::support::{run_file, run_text};
use hpasim_models::rows::{EventRow, MemorySink, SummaryRow};
use hpasim_models::scenario::{load_str, SpecError};
use std::path::Path;

/// Two pods, round robin, 10 ms of CPU per request and no I/O: per-pod CPU use is exactly the
/// per-pod rate × 10 ms. The load alternates 8 minutes at 40 req/s (0.2 cores per pod) and 2
/// minutes at 200 req/s (1.0 core per pod), six times: 80 % of the one-minute samples near
/// 0.2 cores, 20 % near 1.0 core. Memory: a constant 300Mi working set.
const TWO_LEVELS: &str = "name: web
duration: 1h
seed: 11
sample_interval: 1m
workload:
  arrivals:
    kind: stages
    start_rate: 40
    stages: [STAGES]
service:
  cpu: {dist: constant, value: 10ms}
  io: {dist: constant, value: 0ms}
pods:
  replicas: 2
  concurrency: 64
  cpu_request: 2000m
  cpu_limit: 8000m
  memory_request: 1Gi
  memory: {base: 300Mi}
vpa:
  apiVersion: autoscaling.k8s.io/v1
  kind: VerticalPodAutoscaler
  metadata: {name: web}
  spec:
    targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
    updatePolicy: {updateMode: \"Off\"}
";

fn two_levels() -> String {
    let cycle = "{duration: 479s, target: 40}, {duration: 1s, target: 200}, \
                 {duration: 119s, target: 200}, {duration: 1s, target: 40}";
    let stages = [cycle; 6].join(", ");
    TWO_LEVELS.replace("STAGES", &stages)
}

/// A steady load of 0.5 cores per pod (3 pods, 150 req/s × 10 ms), pods requesting REQUEST,
/// the VPA in MODE.
const STEADY: &str = "name: web
duration: 30m
seed: 5
sample_interval: 1m
workload:
  arrivals: {kind: constant, rate: 150}
service:
  cpu: {dist: exponential, mean: 10ms}
  io: {dist: constant, value: 0ms}
pods:
  replicas: REPLICAS
  concurrency: 32
  cpu_request: REQUEST
  cpu_limit: 4000m
  memory_request: 512Mi
  termination_grace_period: 10s
  startup:
    app_start: {dist: constant, value: 5s}
vpa:
  apiVersion: autoscaling.k8s.io/v1
  kind: VerticalPodAutoscaler
  metadata: {name: web-vpa}
  spec:
    targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
    updatePolicy: {updateMode: MODE}
";

fn steady(replicas: u32, request: &str, mode: &str) -> String {
    STEADY
        .replace("REPLICAS", &replicas.to_string())
        .replace("REQUEST", request)
        .replace("MODE", mode)
}

fn events<'a>(sink: &'a MemorySink, kind: &str) -> Vec<&'a EventRow> {
    sink.events.iter().filter(|e| e.kind == kind).collect()
}

fn error(yaml: &str) -> SpecError {
    match load_str(yaml, Path::new("inline.yaml"), &[]) {
        Ok(_) => panic!("the scenario loads"),
        Err(e) => e,
    }
}

/// `inline.yaml:LINE:COL` of `token` on the first line of `yaml` containing `line_with`.
fn at(yaml: &str, line_with: &str, token: &str) -> String {
    let (i, line) = yaml
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(line_with))
        .unwrap_or_else(|| panic!("no line with {line_with:?}"));
    format!("inline.yaml:{}:{}", i + 1, line.find(token).unwrap() + 1)
}

#[test]
fn vpa_off_target_converges_to_the_p90_of_the_cpu_samples_plus_15_percent_and_nothing_is_evicted() {
    let (summary, sink) = run_text(&two_levels(), &[]);
    // p90 of the samples is the high level (1.0 core; 20 % of the samples lie there), so the
    // target is 1.15 × 1000m, over-estimated by at most one 5 % histogram bucket. The mean
    // (0.36 cores → 414m) or the median (0.2 cores → 230m) would be far off.
    let target = summary.vpa_final_target_cpu_m;
    assert!(
        (1127.0..=1240.0).contains(&target),
        "target {target}m, expected 1150m (p90 1000m + 15 %) within one bucket"
    );
    // The lower bound starts from the p50 (0.2 cores + 15 % = 230m).
    let last = sink.timeseries.last().unwrap();
    let lower = last.extra[1];
    assert!((200.0..=250.0).contains(&lower), "lower bound {lower}m");
    assert!(
        last.extra[2] > target,
        "upper bound {} above the target",
        last.extra[2]
    );
    // Memory: a constant 300Mi working set → 345Mi, within one bucket.
    let memory = summary.vpa_final_target_memory_mib;
    assert!(
        (345.0..=365.0).contains(&memory),
        "memory target {memory}Mi"
    );
    // Off: nothing evicted, no pod created after the initial ones.
    assert_eq!(summary.vpa_evictions, 0);
    assert!(events(&sink, "vpa_evict").is_empty());
    assert!(events(&sink, "pod_created").is_empty());
    // The recommendation is reported when it changes, with its bounds.
    let recs = events(&sink, "vpa_recommendation");
    assert!(!recs.is_empty());
    assert_eq!(recs[0].object, "vpa/web");
    assert!(
        recs[0].detail.contains("cpu: target="),
        "{}",
        recs[0].detail
    );
    assert!(
        recs[0].detail.contains("memory: target="),
        "{}",
        recs[0].detail
    );
}

#[test]
fn vpa_off_columns_appear_only_with_a_vpa_and_are_empty_before_the_first_recommendation() {
    let yaml = two_levels();
    let loaded = load_str(&yaml, Path::new("inline.yaml"), &[]).unwrap();
    let sim = hpasim_models::Simulation::compile(&loaded.scenario, &loaded.base_dir).unwrap();
    let columns = sim.timeseries_extra_columns();
    assert_eq!(
        columns,
        [
            "vpa_target_cpu_m",
            "vpa_lower_cpu_m",
            "vpa_upper_cpu_m",
            "vpa_target_memory_mib",
            "vpa_lower_memory_mib",
            "vpa_upper_memory_mib",
            "vpa_evictions"
        ]
    );
    let (_, sink) = run_text(&yaml, &[]);
    // t = 0 only records the counters; the first recommendation comes at 1 min, so the first
    // row (closing at 1 min, before that tick's event) has none.
    assert!(sink.timeseries[0].extra[0].is_nan());
    assert!(sink.timeseries[2].extra[0] > 0.0);
    let without = yaml.split("vpa:").next().unwrap();
    let loaded = load_str(without, Path::new("inline.yaml"), &[]).unwrap();
    let sim = hpasim_models::Simulation::compile(&loaded.scenario, &loaded.base_dir).unwrap();
    assert!(sim.timeseries_extra_columns().is_empty());
}

#[test]
fn vpa_auto_pods_whose_requests_are_inside_the_bounds_are_never_evicted() {
    // 0.5 cores of use per pod: the lower bound approaches 0.5 × 1.15 ≈ 575m, the upper bound
    // stays far above; 800m is inside all along.
    let (summary, sink) = run_text(&steady(3, "800m", "Auto"), &[]);
    assert_eq!(summary.vpa_evictions, 0, "{:?}", events(&sink, "vpa_evict"));
    let target = summary.vpa_final_target_cpu_m;
    assert!((560.0..=700.0).contains(&target), "target {target}m");
}

fn requested_cpu_m(detail: &str) -> f64 {
    let rest = detail
        .strip_prefix("requests set by the VPA: cpu ")
        .unwrap_or_else(|| panic!("no VPA requests in {detail:?}"));
    rest.split('m').next().unwrap().parse().unwrap()
}

#[test]
fn vpa_auto_evicts_pods_below_the_lower_bound_and_their_replacements_get_the_target() {
    let (summary, sink) = run_text(&steady(3, "200m", "Auto"), &[]);
    let evicted = events(&sink, "vpa_evict");
    assert_eq!(summary.vpa_evictions, evicted.len() as u64);
    // Each of the three original pods, once: the replacements are inside the bounds.
    let mut names: Vec<&str> = evicted.iter().map(|e| e.object.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["pod/web-0", "pod/web-1", "pod/web-2"]);
    for e in &evicted {
        assert!(
            e.detail
                .starts_with("cpu request 200m is below the lower bound "),
            "{}",
            e.detail
        );
    }
    // Every replacement was admitted with the target of its time (575m-ish), the CPU limit
    // scaled in proportion (4000m / 200m = 20×).
    let created = events(&sink, "pod_created");
    assert_eq!(created.len(), 3, "one replacement per eviction");
    for c in &created {
        let cpu = requested_cpu_m(&c.detail);
        assert!((500.0..=800.0).contains(&cpu), "{}", c.detail);
        let limit = format!("cpu limit {:.0}m", cpu * 20.0);
        assert!(c.detail.contains(&limit), "{} lacks {limit}", c.detail);
    }
    // Evicted pods terminate normally: Terminating, then deleted, and the replacement Ready.
    assert_eq!(events(&sink, "pod_terminating").len(), 3);
    assert_eq!(events(&sink, "pod_ready").len(), 3 + 3);
}

#[test]
fn vpa_auto_evicts_at_most_the_eviction_tolerance_per_loop() {
    let (summary, sink) = run_text(&steady(4, "200m", "Auto"), &[]);
    let evicted = events(&sink, "vpa_evict");
    assert_eq!(summary.vpa_evictions, 4);
    // 4 replicas × 0.5: at most 2 per updater loop (all at the same instant).
    let mut per_loop = std::collections::BTreeMap::new();
    for e in &evicted {
        *per_loop.entry((e.time_s * 1000.0) as u64).or_insert(0) += 1;
    }
    assert!(per_loop.values().all(|&n| n <= 2), "{per_loop:?}");
    assert!(per_loop.values().any(|&n| n == 2), "{per_loop:?}");
    assert!(!events(&sink, "vpa_eviction_blocked").is_empty());
}

#[test]
fn vpa_auto_never_evicts_below_min_replicas() {
    let (summary, sink) = run_text(&steady(1, "200m", "Auto"), &[]);
    assert_eq!(summary.vpa_evictions, 0);
    let skipped = events(&sink, "vpa_eviction_skipped");
    assert!(!skipped.is_empty());
    assert!(
        skipped[0]
            .detail
            .starts_with("too few replicas: 1 live pods, min_replicas 2"),
        "{}",
        skipped[0].detail
    );
    // The guard is the only reason: with --min-replicas=1 the single pod is evicted.
    let (summary, _) = run_text(&steady(1, "200m", "Auto"), &["vpa_updater.min_replicas=1"]);
    assert!(summary.vpa_evictions >= 1);
}

#[test]
fn vpa_initial_sets_new_pods_requests_and_never_evicts() {
    let yaml = steady(2, "200m", "Initial").replace(
        "  termination_grace_period: 10s\n",
        "  termination_grace_period: 10s\n  scale_schedule: [{at: 20m, replicas: 3}]\n",
    );
    let (summary, sink) = run_text(&yaml, &[]);
    assert_eq!(summary.vpa_evictions, 0);
    // Two pods share 150 req/s × 10 ms: 0.75 cores each, target ≈ 0.75 × 1.15 ≈ 860m.
    let created = events(&sink, "pod_created");
    assert_eq!(created.len(), 1);
    let cpu = requested_cpu_m(&created[0].detail);
    assert!((850.0..=950.0).contains(&cpu), "{}", created[0].detail);
}

#[test]
fn vpa_auto_resizing_changes_the_cost_of_the_pods() {
    // The same load and pods requesting 200m, with and without the VPA resizing them: the
    // resized pods request about three times more CPU, and cost more.
    let (off, _) = run_text(&steady(3, "200m", "\"Off\""), &[]);
    let (auto, _) = run_text(&steady(3, "200m", "Auto"), &[]);
    assert!(
        auto.cost_usd > 1.5 * off.cost_usd,
        "{} vs {}",
        auto.cost_usd,
        off.cost_usd
    );
    assert_eq!(off.vpa_evictions, 0);
}

#[test]
fn vpa_examples_guide_000_vpa_from_a_manifests_file_evicts_and_the_off_example_does_not() {
    let (auto, sink) = run_file("scenarios/examples/vpa-auto.yaml", &[]);
    assert!(auto.vpa_evictions >= 3, "{}", auto.vpa_evictions);
    assert!(auto.vpa_final_target_cpu_m >= 500.0, "minAllowed 500m");
    let evict = events(&sink, "vpa_evict");
    assert!(
        evict[0].detail.contains("below the lower bound 500m"),
        "{}",
        evict[0].detail
    );
    let rec = events(&sink, "vpa_recommendation");
    assert_eq!(rec[0].object, "vpa/dictamesh-metadata-catalog-vpa");
    assert!(
        rec[0].detail.contains("raised from"),
        "clamp reasons: {}",
        rec[0].detail
    );
    let (off, _): (SummaryRow, _) = run_file("scenarios/examples/vpa.yaml", &[]);
    assert_eq!(off.vpa_evictions, 0);
    assert!(off.vpa_final_target_cpu_m > 500.0 && off.vpa_final_target_cpu_m < 2000.0);
}

const HPA_CPU: &str = "hpa:
  apiVersion: autoscaling/v2
  kind: HorizontalPodAutoscaler
  metadata: {name: web}
  spec:
    scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
    minReplicas: 2
    maxReplicas: 10
    metrics:
      - type: Resource
        resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
";

fn warnings(yaml: &str) -> Vec<String> {
    let loaded = load_str(yaml, Path::new("inline.yaml"), &[]).unwrap_or_else(|e| panic!("{e}"));
    hpasim_models::scenario::capacity::capacity_warnings(&loaded.scenario)
}

#[test]
fn vpa_and_hpa_on_cpu_warn_with_the_known_caveat_and_a_hint() {
    let yaml = format!("{}{HPA_CPU}", steady(3, "500m", "Auto"));
    let w = warnings(&yaml);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("the VPA should not be used with the HPA on CPU or memory"),
        "{}",
        w[0]
    );
    assert!(w[0].contains("hpa.spec.metrics[0]"), "{}", w[0]);
    assert!(
        w[0].contains("hint: scale the HPA on a custom or external metric"),
        "{}",
        w[0]
    );
    // Initial sets requests too.
    assert_eq!(
        warnings(&format!("{}{HPA_CPU}", steady(3, "500m", "Initial"))).len(),
        1
    );
    // Recommendations only, or a VPA on memory only: no warning.
    assert!(warnings(&format!("{}{HPA_CPU}", steady(3, "500m", "\"Off\""))).is_empty());
    let memory_only = steady(3, "500m", "Auto").replace(
        "    updatePolicy: {updateMode: Auto}\n",
        "    updatePolicy: {updateMode: Auto}\n    resourcePolicy:\n      containerPolicies:\n        - {containerName: \"*\", controlledResources: [memory]}\n",
    );
    assert!(warnings(&format!("{memory_only}{HPA_CPU}")).is_empty());
}

#[test]
fn vpa_and_hpa_on_cpu_the_hpa_divides_each_pods_usage_by_its_own_request() {
    // An HPA pinned at 3 replicas reports CPU utilization = usage ÷ each pod's request: 0.5
    // cores on 200m is 250 %; once the VPA has recreated the pods with its target (≈ 600m),
    // the same usage is below 100 %.
    let hpa = HPA_CPU.replace(
        "minReplicas: 2\n    maxReplicas: 10",
        "minReplicas: 3\n    maxReplicas: 3",
    );
    let utilization = |mode: &str| {
        let yaml = format!("{}{hpa}", steady(3, "200m", mode));
        let loaded = load_str(&yaml, Path::new("inline.yaml"), &[]).unwrap();
        let sim = hpasim_models::Simulation::compile(&loaded.scenario, &loaded.base_dir).unwrap();
        let col = sim
            .timeseries_extra_columns()
            .iter()
            .position(|c| c == "hpa_cpu_utilization_pct")
            .expect("the HPA's cpu column");
        let (summary, sink) = crate::support::run_loaded(&loaded, 0);
        let series: Vec<f64> = sink.timeseries.iter().map(|r| r.extra[col]).collect();
        (summary, series)
    };
    let (off, without) = utilization("\"Off\"");
    let (auto, with) = utilization("Auto");
    assert_eq!(off.vpa_evictions, 0);
    assert_eq!(auto.vpa_evictions, 3);
    assert!(
        without[2] > 200.0 && with[2] > 200.0,
        "{} {}",
        without[2],
        with[2]
    );
    let last = |s: &[f64]| *s.last().unwrap();
    assert!(last(&without) > 200.0, "without the VPA {}", last(&without));
    assert!(last(&with) < 100.0, "with the VPA {}", last(&with));
}

#[test]
fn vpa_bad_input_a_target_ref_naming_another_deployment_is_located() {
    let yaml = steady(3, "500m", "Auto").replace(
        "kind: Deployment, name: web}",
        "kind: Deployment, name: api}",
    );
    let e = error(&yaml);
    assert_eq!(e.location, at(&yaml, "targetRef", "api}"));
    assert!(
        e.message.ends_with("the VPA targets Deployment `api`, but the scenario's Deployment (named after the scenario, without `deployment:`) is `web`"),
        "{}",
        e.message
    );
    assert_eq!(e.hint.as_deref(), Some("write `name: web`"));
}

#[test]
fn vpa_bad_input_v1beta2_is_refused_with_the_version_hint() {
    let yaml =
        steady(3, "500m", "Auto").replace("autoscaling.k8s.io/v1", "autoscaling.k8s.io/v1beta2");
    let e = error(&yaml);
    assert_eq!(
        e.location,
        at(&yaml, "autoscaling.k8s.io/v1beta2", "autoscaling")
    );
    assert_eq!(
        e.message,
        "unsupported apiVersion `autoscaling.k8s.io/v1beta2` for VerticalPodAutoscaler"
    );
    let hint = e.hint.unwrap();
    assert!(
        hint.contains("write `apiVersion: autoscaling.k8s.io/v1`"),
        "{hint}"
    );
    assert!(hint.contains("v1beta2 is deprecated"), "{hint}");
}

#[test]
fn vpa_bad_input_a_container_policy_for_an_unknown_container_is_located() {
    let yaml = steady(3, "500m", "Auto").replace(
        "    updatePolicy: {updateMode: Auto}\n",
        "    updatePolicy: {updateMode: Auto}\n    resourcePolicy:\n      containerPolicies:\n        - {containerName: sidecar, minAllowed: {cpu: 100m}}\n",
    );
    let e = error(&yaml);
    assert_eq!(e.location, at(&yaml, "containerName: sidecar", "sidecar"));
    assert!(
        e.message
            .ends_with("no container `sidecar` in the Deployment (its containers: app)"),
        "{}",
        e.message
    );
}

#[test]
fn vpa_bad_input_intervals_and_percentiles_are_checked_with_located_messages() {
    let base = steady(3, "500m", "Auto");
    let with = |block: &str| format!("{base}{block}");
    let yaml = with("vpa_recommender: {interval: 0s}\n");
    let e = error(&yaml);
    assert_eq!(e.location, at(&yaml, "vpa_recommender", "0s"));
    assert!(
        e.message.ends_with("must be longer than zero, got 0s"),
        "{}",
        e.message
    );
    let yaml = with("vpa_recommender: {interval: -1m}\n");
    let e = error(&yaml);
    assert_eq!(e.location, at(&yaml, "vpa_recommender", "-1m"));
    assert!(
        e.message.contains("invalid duration `-1m`"),
        "{}",
        e.message
    );
    let yaml = with("vpa_updater: {interval: -60}\n");
    let e = error(&yaml);
    assert_eq!(e.location, at(&yaml, "vpa_updater", "-60"));
    assert!(
        e.message.contains("negative duration `-60`"),
        "{}",
        e.message
    );
    let yaml = with("vpa_recommender: {target_cpu_percentile: 1.5}\n");
    let e = error(&yaml);
    assert_eq!(e.location, at(&yaml, "vpa_recommender", "1.5"));
    assert!(
        e.message.ends_with("must be in (0, 1], got 1.5"),
        "{}",
        e.message
    );
    let yaml = with("vpa_updater: {eviction_tolerance: 2}\n");
    let e = error(&yaml);
    assert_eq!(e.location, at(&yaml, "vpa_updater", "2}"));
    assert!(
        e.message.ends_with("must be in [0, 1], got 2"),
        "{}",
        e.message
    );
    let without = base.split("vpa:").next().unwrap().to_string();
    let yaml = format!("{without}vpa_updater: {{interval: 1m}}\n");
    let e = error(&yaml);
    let line = yaml
        .lines()
        .position(|l| l.starts_with("vpa_updater"))
        .unwrap()
        + 1;
    assert!(
        e.location.starts_with(&format!("inline.yaml:{line}:")),
        "{}",
        e.location
    );
    assert!(
        e.message
            .ends_with("configures a VerticalPodAutoscaler the scenario does not have"),
        "{}",
        e.message
    );
}

#[test]
fn vpa_runs_are_deterministic() {
    let (a, sa) = run_text(&steady(4, "200m", "Auto"), &[]);
    let (b, sb) = run_text(&steady(4, "200m", "Auto"), &[]);
    assert_eq!(a.metrics(), b.metrics());
    assert_eq!(sa.events, sb.events);
    assert_eq!(sa.timeseries.len(), sb.timeseries.len());
    for (x, y) in sa.timeseries.iter().zip(&sb.timeseries) {
        assert_eq!(format!("{x:?}"), format!("{y:?}"));
    }
}
