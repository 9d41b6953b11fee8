//! Pods and the Deployment: start-up phases, readiness, ReplicaSet deletion order, grace
//! periods and cost.

use crate::support::run_text;
use hpasim_models::rows::EventRow;

const BASE: &str = r#"
name: web
duration: 3m
sample_interval: 10s
workload:
  arrivals: { kind: constant, rate: 20 }
service:
  cpu: { dist: constant, value: 10ms }
  io: { dist: constant, value: 40ms }
pods:
  replicas: 2
  concurrency: 4
  cpu_request: 500m
  cpu_limit: "1"
  memory_request: 1Gi
  startup:
    schedule: { dist: constant, value: 1s }
    image_pull: { dist: constant, value: 20s }
    image_pull_cached: { dist: constant, value: 0s }
    image_cached_probability: 1
    container_start: { dist: constant, value: 1s }
    app_start: { dist: constant, value: 5s }
  readiness_probe: { initial_delay: 2s, period: 5s, success_threshold: 1 }
  termination_grace_period: 30s
  scale_schedule:
    - { at: 30s, replicas: 3 }
    - { at: 120s, replicas: 1 }
cost: { vcpu_hour_usd: 0.036, gib_hour_usd: 0.0036 }
"#;

fn times(events: &[EventRow], kind: &str, object: &str) -> Vec<f64> {
    events
        .iter()
        .filter(|e| e.kind == kind && e.object == object)
        .map(|e| e.time_s)
        .collect()
}

#[test]
fn scale_up_a_new_pod_passes_every_phase_and_is_ready_at_the_first_successful_probe() {
    let (_, sink) = run_text(BASE, &[]);
    let ev = &sink.events;
    let pod = "pod/web-2";
    assert_eq!(times(ev, "pod_created", pod), vec![30.0]);
    assert_eq!(times(ev, "pod_scheduled", pod), vec![31.0]);
    assert_eq!(times(ev, "pod_image_pulled", pod), vec![31.0]);
    assert_eq!(times(ev, "pod_container_started", pod), vec![32.0]);
    // App up at 37 s; probes at 34, 39, 44 s → Ready at 39 s.
    assert_eq!(times(ev, "pod_ready", pod), vec![39.0]);
    let row = sink.timeseries.iter().find(|r| r.time_s == 40.0).unwrap();
    assert_eq!(
        (row.replicas_desired, row.pods_ready, row.pods_starting),
        (3, 3, 0)
    );
    let row = sink.timeseries.iter().find(|r| r.time_s == 30.0).unwrap();
    assert_eq!(
        (row.replicas_desired, row.pods_ready, row.pods_starting),
        (3, 2, 1)
    );
}

#[test]
fn uncached_images_add_the_pull_time_and_success_threshold_adds_periods() {
    let (_, sink) = run_text(
        BASE,
        &[
            "pods.startup.image_cached_probability=0",
            "pods.readiness_probe.success_threshold=2",
        ],
    );
    // Scheduled 31 s, pulled 51 s, started 52 s, app up 57 s; probes 54, 59, 64 s → two
    // successes at 59 and 64 s.
    assert_eq!(
        times(&sink.events, "pod_image_pulled", "pod/web-2"),
        vec![51.0]
    );
    assert_eq!(times(&sink.events, "pod_ready", "pod/web-2"), vec![64.0]);
}

#[test]
fn scale_down_deletes_the_newest_ready_pods_first_and_drains_them() {
    let (summary, sink) = run_text(BASE, &[]);
    let ev = &sink.events;
    let terminating: Vec<&str> = ev
        .iter()
        .filter(|e| e.kind == "pod_terminating")
        .map(|e| e.object.as_str())
        .collect();
    assert_eq!(terminating, vec!["pod/web-2", "pod/web-1"]);
    for pod in ["pod/web-2", "pod/web-1"] {
        let deleted: Vec<&EventRow> = ev
            .iter()
            .filter(|e| e.kind == "pod_deleted" && e.object == pod)
            .collect();
        assert_eq!(deleted.len(), 1);
        assert_eq!(deleted[0].detail, "drained");
        assert!(
            deleted[0].time_s >= 120.0 && deleted[0].time_s < 120.1,
            "drains in one request time"
        );
    }
    assert_eq!(summary.killed, 0);
    assert_eq!(summary.rejected + summary.timed_out, 0);
}

#[test]
fn scale_down_kills_what_is_still_running_when_the_grace_period_ends() {
    // Requests take 10 s of I/O; grace 2 s: the in-flight ones are killed at 122 s.
    let (summary, sink) = run_text(
        BASE,
        &[
            "service.io={dist: constant, value: 10s}",
            "pods.termination_grace_period=2s",
            "pods.concurrency=400",
        ],
    );
    assert!(summary.killed > 0);
    let killed: u64 = sink
        .events
        .iter()
        .filter(|e| e.kind == "requests_killed")
        .map(|e| e.detail.split(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(killed, summary.killed);
    let deleted = sink
        .events
        .iter()
        .find(|e| e.kind == "pod_deleted" && e.object == "pod/web-2")
        .unwrap();
    assert_eq!(
        (deleted.time_s, deleted.detail.as_str()),
        (122.0, "grace period expired")
    );
    let expected_rate = summary.killed as f64 / summary.requests as f64;
    assert!(summary.error_rate >= expected_rate);
}

#[test]
fn cost_is_requests_times_prices_over_each_pods_life_from_scheduling_to_deletion() {
    let (summary, _) = run_text(BASE, &[]);
    // web-0 180 s; web-1 0..120 s (drains within ~50 ms); web-2 31..120 s.
    let pod_seconds = summary.pod_seconds;
    assert!(
        (pod_seconds - (180.0 + 120.0 + 89.0)).abs() < 0.2,
        "{pod_seconds}"
    );
    let per_pod_hour = 0.5 * 0.036 + 1.0 * 0.0036;
    let expected = pod_seconds / 3600.0 * per_pod_hour;
    assert!(
        (summary.cost_usd - expected).abs() < 1e-9,
        "{} vs {expected}",
        summary.cost_usd
    );
}

#[test]
fn a_timed_out_request_is_abandoned_and_frees_its_slot() {
    // One slot, 1 s of I/O, a 300 ms timeout: every request times out, none completes, and the
    // slot is freed at each time-out (so throughput of time-outs keeps up with arrivals).
    let (summary, _) = run_text(
        BASE,
        &[
            "service.io={dist: constant, value: 1s}",
            "pods.timeout=300ms",
            "pods.replicas=1",
            "pods.concurrency=1",
            "pods.scale_schedule=[]",
            "workload.arrivals.rate=2",
        ],
    );
    assert_eq!(summary.completed, 0);
    assert!(summary.timed_out + 2 >= summary.requests, "{summary:?}");
}
