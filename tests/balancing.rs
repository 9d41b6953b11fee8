//! Load balancing and pod-level service effects.

use crate::support::run_text;
use std::collections::BTreeMap;

/// 8 pods of 2 slots, exponential demand, 75 % load; no local-queue limit.
const FLEET: &str = r#"
name: fleet
duration: 2000s
sample_interval: 100s
seed: 31
workload:
  arrivals: { kind: constant, rate: 120 }
service:
  io: { dist: exponential, mean: 100ms }
pods:
  replicas: 8
  concurrency: 2
  cpu_request: 500m
"#;

fn p99(policy: &str) -> f64 {
    let (summary, _) = run_text(FLEET, &[&format!("load_balancer.policy={policy}")]);
    assert_eq!(summary.rejected, 0);
    summary.latency_p99_ms
}

#[test]
fn round_robin_gives_every_pod_the_same_number_of_requests() {
    let (summary, sink) = run_text(FLEET, &["outputs.requests_sample=1", "duration=200s"]);
    let mut per_pod: BTreeMap<String, u64> = BTreeMap::new();
    for r in &sink.requests {
        *per_pod.entry(r.pod.clone()).or_default() += 1;
    }
    assert_eq!(per_pod.len(), 8);
    let (min, max) = (
        per_pod.values().min().unwrap(),
        per_pod.values().max().unwrap(),
    );
    // Assigned counts differ by at most one; requests still held at the end are not in
    // requests.csv yet.
    let last = sink.timeseries.last().unwrap();
    assert!(
        max - min <= 1 + u64::from(last.in_flight + last.queued),
        "{per_pod:?}"
    );
    assert_eq!(
        per_pod.values().sum::<u64>() + u64::from(last.in_flight + last.queued),
        summary.requests
    );
}

#[test]
fn load_aware_policies_cut_the_tail_that_random_balancing_leaves() {
    // Same seed, same arrivals and demands (common random numbers): only the policy differs.
    let random = p99("random");
    let p2c = p99("power_of_two");
    let least = p99("least_connections");
    let shared = p99("shared_queue");
    assert!(p2c < 0.8 * random, "power of two {p2c} vs random {random}");
    assert!(
        least < 0.8 * random,
        "least connections {least} vs random {random}"
    );
    assert!(
        shared <= least * 1.02,
        "a central queue is the best case: {shared} vs {least}"
    );
}

#[test]
fn a_full_local_queue_rejects_and_no_ready_pod_rejects() {
    let (summary, sink) = run_text(
        FLEET,
        &[
            "pods.max_queue=0",
            "workload.arrivals.rate=200",
            "duration=200s",
        ],
    );
    assert!(summary.rejected > 0);
    let last = sink.timeseries.last().unwrap();
    let still_in = u64::from(last.in_flight + last.queued);
    assert_eq!(last.queued, 0, "max_queue 0: nothing waits");
    assert_eq!(
        summary.requests,
        summary.completed + summary.rejected + summary.timed_out + still_in
    );
    let (summary, _) = run_text(
        FLEET,
        &["pods.replicas=0", "duration=10s", "sample_interval=1s"],
    );
    assert_eq!(summary.rejected, summary.requests);
    assert!(summary.requests > 0);
}

#[test]
fn slow_start_inflates_service_right_after_ready_and_then_stops() {
    // One pod scaled in at 60 s (ready at 60 + 1 + 1 + 5 = 67 s with the default probe at
    // 10 s periods → 72 s); warm-up ×5 for 30 s. Constant 100 ms demand on a 1-slot-per-pod
    // shared queue: only requests served by the new pod in [72, 102) s take 500 ms.
    let yaml = r#"
name: warm
duration: 150s
seed: 32
sample_interval: 10s
workload:
  arrivals: { kind: constant, rate: 1 }
service:
  io: { dist: constant, value: 100ms }
pods:
  replicas: 0
  concurrency: 4
  cpu_request: 500m
  startup: { image_pull_cached: { dist: constant, value: 0s } }
  readiness_probe: { initial_delay: 0s, period: 10s }
  slow_start: { factor: 5, duration: 30s }
  scale_schedule: [{ at: 60s, replicas: 1 }]
outputs: { requests_sample: 1 }
"#;
    let (_, sink) = run_text(yaml, &[]);
    let served: Vec<_> = sink
        .requests
        .iter()
        .filter(|r| r.outcome == "completed")
        .collect();
    assert!(!served.is_empty());
    for r in served {
        let expected = if r.arrival_s < 102.0 { 500.0 } else { 100.0 };
        assert!((r.latency_ms.unwrap() - expected).abs() < 1e-6, "{r:?}");
    }
}
