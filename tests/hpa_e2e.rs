//! The HPA inside a running simulation: scale-up as fast as the policies allow and no faster,
//! scale-down held for the window then rate-limited, start-up delay between desired and Ready.

use crate::support::run_text;
use hpasim_models::rows::EventRow;

/// Load steps from 100 to 2 000 req/s at 2 min and back to 100 req/s at 10 min. A request costs
/// 10 ms of CPU and pods have no CPU limit, so utilization can go far above the 50 % target;
/// only the policies hold the HPA back.
const STEP: &str = r#"
name: step
duration: 20m
sample_interval: 15s
seed: 3
workload:
  arrivals:
    kind: stages
    start_rate: 100
    stages:
      - { duration: 2m, target: 100 }
      - { duration: 0s, target: 2000 }
      - { duration: 8m, target: 2000 }
      - { duration: 0s, target: 100 }
      - { duration: 10m, target: 100 }
service:
  cpu: { dist: constant, value: 10ms }
pods:
  replicas: 2
  concurrency: 10000
  cpu_request: "1"
  startup:
    schedule: { dist: constant, value: 0s }
    container_start: { dist: constant, value: 0s }
    app_start: { dist: constant, value: 20s }
  readiness_probe: { initial_delay: 0s, period: 1s }
hpa:
  apiVersion: autoscaling/v2
  kind: HorizontalPodAutoscaler
  metadata: { name: step }
  spec:
    scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: step }
    minReplicas: 2
    maxReplicas: 40
    metrics:
      - type: Resource
        resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } }
    behavior:
      scaleDown:
        stabilizationWindowSeconds: 120
        policies: [{ type: Percent, value: 50, periodSeconds: 60 }]
"#;

/// (time, from, to) of every replica change the HPA made.
fn hpa_scales(events: &[EventRow]) -> Vec<(f64, u32, u32)> {
    events
        .iter()
        .filter(|e| e.kind == "replicas_set" && e.detail.contains("(hpa "))
        .map(|e| {
            let (from, rest) = e.detail.split_once(" -> ").unwrap();
            let to = rest.split(' ').next().unwrap();
            (e.time_s, from.parse().unwrap(), to.parse().unwrap())
        })
        .collect()
}

#[test]
fn a_load_step_scales_up_exactly_as_fast_as_the_default_policies_allow() {
    let (_, sink) = run_text(STEP, &[]);
    let scales = hpa_scales(&sink.events);
    let ups: Vec<_> = scales.iter().filter(|s| s.2 > s.1).collect();
    assert!(ups.len() >= 3, "{scales:?}");
    // Default scale-up: max(Pods 4, Percent 100) per 15 s; syncs are 15 s apart, so each step
    // may reach max(c + 4, 2c) and no more.
    for (t, from, to) in &ups {
        assert!(
            *to <= (from + 4).max(2 * from),
            "at {t}: {from} -> {to} exceeds the policy"
        );
    }
    let (t0, from, to) = *ups[0];
    assert!(
        t0 > 120.0 && t0 <= 150.0,
        "first scale-up two syncs after the step at the latest: {t0}"
    );
    assert_eq!(
        (from, to),
        (2, 6),
        "the first step is capped by Pods 4 per 15 s"
    );
    assert_eq!(ups.last().unwrap().2, 40, "reaches maxReplicas");
    let limited = sink
        .events
        .iter()
        .filter(|e| e.kind == "hpa_sync" && e.detail.ends_with("reason=ScaleUpLimit"))
        .count();
    assert!(
        limited >= 3,
        "the rate limit binds while the load outruns the fleet"
    );
}

#[test]
fn scale_down_waits_for_the_whole_stabilization_window_then_follows_its_policy() {
    let (_, sink) = run_text(STEP, &[]);
    let scales = hpa_scales(&sink.events);
    let downs: Vec<_> = scales.iter().filter(|s| s.2 < s.1).collect();
    assert!(!downs.is_empty(), "{scales:?}");
    // The load drops at 600 s; the metrics see it at the next scrape, and the 120 s window
    // holds the count until every recommendation in it is low.
    assert!(
        downs[0].0 >= 600.0 + 120.0,
        "scaled down inside the window: {downs:?}"
    );
    // Percent 50 per 60 s: over any 60 s the count may at most halve (truncated).
    for (t, _, to) in &downs {
        let in_period: Vec<_> = downs
            .iter()
            .filter(|d| d.0 > t - 60.0 && d.0 <= *t)
            .collect();
        let period_start = in_period[0].1;
        assert!(
            *to >= period_start / 2,
            "at {t}: {period_start} -> {to} within 60 s"
        );
    }
    let held = sink
        .events
        .iter()
        .filter(|e| e.kind == "hpa_sync" && e.detail.ends_with("reason=ScaleDownStabilized"))
        .count();
    assert!(held >= 4, "the window holds several syncs: {held}");
}

#[test]
fn the_pod_start_up_delay_shows_as_the_gap_between_desired_and_ready() {
    let (_, sink) = run_text(STEP, &[]);
    // 20 s of app start, probed every second: Ready 20 s after creation.
    for e in sink.events.iter().filter(|e| e.kind == "pod_created") {
        let ready = sink
            .events
            .iter()
            .find(|r| r.kind == "pod_ready" && r.object == e.object)
            .map(|r| r.time_s);
        if let Some(ready) = ready {
            assert!(
                (ready - e.time_s - 20.0).abs() < 1e-6,
                "{}: {ready} vs {}",
                e.object,
                e.time_s
            );
        }
    }
    let gap = sink
        .timeseries
        .iter()
        .any(|r| r.replicas_desired > r.pods_ready + r.pods_terminating);
    assert!(gap, "some interval ends with desired pods not Ready yet");
}

#[test]
fn every_sync_is_traced_with_what_the_hpa_saw_and_why_it_decided() {
    let (_, sink) = run_text(STEP, &[]);
    let syncs: Vec<_> = sink
        .events
        .iter()
        .filter(|e| e.kind == "hpa_sync")
        .collect();
    // One sync per 15 s, the first 15 s after the start: 1200 / 15 - 1 + 1 = 79 syncs before 20 m.
    assert_eq!(syncs.len(), 79);
    assert!(syncs
        .iter()
        .all(|e| e.detail.contains("desired=") && e.detail.contains("reason=")));
    assert!(syncs
        .iter()
        .any(|e| e.detail.starts_with("cpu=") && e.detail.contains("% -> ")));
    // The time series carries the utilization the HPA saw.
    let seen: Vec<f64> = sink
        .timeseries
        .iter()
        .map(|r| r.extra[0])
        .filter(|v| !v.is_nan())
        .collect();
    assert!(
        seen.iter().any(|&u| u > 100.0),
        "far above target after the step"
    );
}

#[test]
fn overrides_reach_into_the_manifest() {
    let (_, base) = run_text(STEP, &[]);
    let (_, fast) = run_text(
        STEP,
        &["hpa.spec.behavior.scaleDown.stabilizationWindowSeconds=30"],
    );
    let first_down = |s: &[(f64, u32, u32)]| s.iter().find(|x| x.2 < x.1).map(|x| x.0).unwrap();
    let (slow_t, fast_t) = (
        first_down(&hpa_scales(&base.events)),
        first_down(&hpa_scales(&fast.events)),
    );
    assert!(
        fast_t + 60.0 <= slow_t,
        "a 30 s window scales down sooner: {fast_t} vs {slow_t}"
    );
}

#[test]
fn the_guide_scenarios_run_as_written_and_their_hpas_scale() {
    use crate::support::run_file;
    let (gw, sink) = run_file("scenarios/graphql-gateway/scenario.yaml", &[]);
    assert!(gw.replicas_max > 3.0 && gw.replicas_max <= 20.0, "{gw:?}");
    assert_eq!(
        sink.timeseries[0].extra.len(),
        3,
        "cpu, memory and requests-per-second columns"
    );
    let (api, _) = run_file("scenarios/python-api/scenario.yaml", &[]);
    assert!(api.replicas_max > 3.0, "{api:?}");
    let (forge, _) = run_file("scenarios/open-forge-api/scenario.yaml", &[]);
    assert!(forge.replicas_max > 5.0, "{forge:?}");
}

#[test]
fn the_bundled_hpa_eval_example_explains_a_held_scale_down() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hpasim"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["hpa", "eval", "scenarios/hpa-eval/why-no-scale-down.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["proposal"], 7);
    assert_eq!(v["desired_replicas"], 8);
    assert_eq!(v["reason"], "ScaleDownStabilized");
}
