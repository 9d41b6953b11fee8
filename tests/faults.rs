//! Pod faults (`faults:`): chaos kills at t and container crashes with CrashLoopBackOff.

use crate::support::run_text;
use hpasim_models::rows::{EventRow, MemorySink, SummaryRow};
use hpasim_models::scenario::{load_str, SpecError};
use std::collections::BTreeMap;
use std::path::Path;

/// Three fixed pods, ample worker slots, every request a constant 2 s of I/O (no CPU), so a
/// request is in flight on its pod during exactly (arrival, arrival + 2 s].
const BASE: &str = r#"
name: web
duration: 5m
sample_interval: 10s
workload:
  arrivals: { kind: constant, rate: 30 }
service:
  cpu: { dist: constant, value: 0s }
  io: { dist: constant, value: 2s }
pods:
  replicas: 3
  concurrency: 1000
  cpu_request: 500m
  startup:
    schedule: { dist: constant, value: 1s }
    image_pull: { dist: constant, value: 20s }
    image_pull_cached: { dist: constant, value: 0s }
    image_cached_probability: 1
    container_start: { dist: constant, value: 1s }
    app_start: { dist: constant, value: 5s }
  readiness_probe: { initial_delay: 2s, period: 5s, success_threshold: 1 }
outputs: { requests_sample: 1.0 }
"#;

fn with(extra: &str) -> String {
    format!("{BASE}{extra}")
}

fn events<'a>(sink: &'a MemorySink, kind: &str) -> Vec<&'a EventRow> {
    sink.events.iter().filter(|e| e.kind == kind).collect()
}

#[test]
fn a_kill_at_t_produces_the_errors_in_flight_at_t_and_a_replacement_pod() {
    let (summary, sink) = run_text(&with("faults:\n  pod_kills:\n    - at: 60s\n"), &[]);
    let killed_events = events(&sink, "pod_killed");
    assert_eq!(killed_events.len(), 1);
    let kill = killed_events[0];
    assert_eq!(kill.time_s, 60.0);
    let victim = kill.object.as_str();
    // The pod is deleted at once, with the reason.
    let deleted: Vec<_> = events(&sink, "pod_deleted")
        .into_iter()
        .filter(|e| e.object == victim)
        .collect();
    assert_eq!(deleted.len(), 1);
    assert_eq!(
        (deleted[0].time_s, deleted[0].detail.as_str()),
        (60.0, "killed by fault injection")
    );
    // Lost: exactly the requests on the victim that arrived before 60 s and would have
    // finished after (arrival + 2 s > 60 s); everything else on it completed before 60 s.
    let mut lost = 0u64;
    for r in sink.requests.iter().filter(|r| r.pod == victim) {
        let in_flight_at_kill = r.arrival_s < 60.0 && r.arrival_s + 2.0 > 60.0;
        match r.outcome {
            "killed" => {
                assert!(in_flight_at_kill, "killed but not in flight at 60 s: {r:?}");
                lost += 1;
            }
            "completed" => {
                assert!(!in_flight_at_kill, "in flight at 60 s but completed: {r:?}");
                assert!(r.arrival_s + 2.0 <= 60.0 + 1e-9, "{r:?}");
            }
            other => panic!("unexpected outcome {other}: {r:?}"),
        }
    }
    // About 2 s × 30 rps / 3 pods are in flight on one pod.
    assert!((10..=40).contains(&lost), "lost {lost}");
    let killed_rows = sink
        .requests
        .iter()
        .filter(|r| r.outcome == "killed")
        .count() as u64;
    assert_eq!(killed_rows, lost, "only the victim's requests are killed");
    assert_eq!(kill.detail, format!("{lost} requests lost"));
    assert_eq!(
        (summary.killed, summary.fault_errors, summary.pod_kills),
        (lost, lost, 1)
    );
    assert_eq!(summary.pod_crashes, 0);
    // The ReplicaSet replaces it at once with a cold pod, which becomes Ready later.
    let created: Vec<_> = events(&sink, "pod_created")
        .into_iter()
        .filter(|e| e.time_s == 60.0)
        .collect();
    assert_eq!(created.len(), 1);
    let replacement = created[0].object.as_str();
    assert_ne!(replacement, victim);
    let ready = events(&sink, "pod_ready")
        .into_iter()
        .find(|e| e.object == replacement)
        .expect("the replacement becomes Ready");
    // Created 60 s, bound 61 s, image cached, container 62 s, app up 67 s; probes at 64 s
    // and 69 s.
    assert_eq!(ready.time_s, 69.0);
    // Replica count restored: desired unchanged, three Ready pods again at the end.
    let last = sink.timeseries.last().unwrap();
    assert_eq!((last.replicas_desired, last.pods_ready), (3, 3));
}

#[test]
fn a_kill_of_more_pods_than_are_ready_kills_those_there_are_and_says_so() {
    let (summary, sink) = run_text(
        &with("faults:\n  pod_kills:\n    - { at: 30s, count: 5 }\n"),
        &[],
    );
    let killed = events(&sink, "pod_killed");
    assert_eq!(killed.len(), 3);
    assert!(killed
        .iter()
        .all(|e| e.detail.ends_with("; 5 requested, only 3 Ready")));
    assert_eq!(summary.pod_kills, 3);
    assert_eq!(sink.timeseries.last().unwrap().pods_ready, 3);
}

/// Restart `k` of CrashLoopBackOff with the kubelet's defaults [s].
fn backoff(k: u32) -> f64 {
    (10.0 * 2f64.powi(k as i32 - 1)).min(300.0)
}

#[test]
fn crashes_follow_the_mtbf_and_restarts_follow_the_crash_loop_backoff() {
    let mtbf = 300.0;
    let yaml = with(&format!("faults:\n  pod_crashes: {{ mtbf: {mtbf}s }}\n"))
        .replace("duration: 5m", "duration: 8h")
        .replace("sample_interval: 10s", "sample_interval: 60s")
        .replace("rate: 30", "rate: 3");
    let (summary, sink) = run_text(&yaml, &[]);
    let end = summary.duration_s;
    // Per pod: running-container time and the restart sequence.
    #[derive(Default)]
    struct Pod {
        running_since: Option<f64>,
        last_start: f64,
        restarts: u32,
        crashed_at: Option<(f64, u32)>,
    }
    let mut pods: BTreeMap<&str, Pod> = BTreeMap::new();
    let mut running_s = 0.0;
    let mut crashes = 0u64;
    let mut checked_restarts = 0;
    for e in &sink.events {
        let p = pods.entry(e.object.as_str()).or_default();
        match e.kind {
            // Warm pods are Ready at 0 s without a container-start event.
            "pod_container_started" | "pod_ready" if p.running_since.is_none() => {
                p.running_since = Some(e.time_s);
                p.last_start = e.time_s;
            }
            "pod_crashed" => {
                crashes += 1;
                let since = p
                    .running_since
                    .take()
                    .expect("a crash of a running container");
                running_s += e.time_s - since;
                // Consecutive restarts, reset after 10 min of running.
                let k = if e.time_s - p.last_start >= 600.0 {
                    1
                } else {
                    p.restarts + 1
                };
                p.restarts = k;
                assert!(
                    e.detail
                        .starts_with(&format!("restart {k}, back-off {} s,", backoff(k))),
                    "{e:?}"
                );
                p.crashed_at = Some((e.time_s, k));
            }
            "pod_restarted" => {
                let (at, k) = p.crashed_at.take().expect("a restart after a crash");
                assert_eq!(e.detail, format!("restart {k}"));
                assert!(
                    (e.time_s - at - backoff(k)).abs() < 1e-6,
                    "restart {k} after {} s",
                    e.time_s - at
                );
                checked_restarts += 1;
            }
            _ => {}
        }
    }
    for p in pods.values() {
        if let Some(since) = p.running_since {
            running_s += end - since;
        }
    }
    let expected = running_s / mtbf;
    let sd = expected.sqrt();
    assert!(
        (crashes as f64 - expected).abs() < 4.0 * sd,
        "{crashes} crashes, expected {expected:.1} ± {sd:.1} (4 sd)"
    );
    assert_eq!(summary.pod_crashes, crashes);
    assert!(checked_restarts > 20, "{checked_restarts} restarts checked");
    // Some containers ran 10 min and started the back-off over; some reached the cap.
    let details: Vec<&str> = events(&sink, "pod_crashed")
        .iter()
        .map(|e| e.detail.as_str())
        .collect();
    assert!(details.iter().any(|d| d.contains("back-off 300 s")));
    // Requests on a crashing pod are lost as fault errors.
    assert_eq!(summary.fault_errors, summary.killed);
    assert!(summary.fault_errors > 0);
}

#[test]
fn a_pod_scaled_down_during_its_backoff_does_not_come_back() {
    let yaml = with("faults:\n  pod_crashes: { mtbf: 20s }\n").replace(
        "  readiness_probe:",
        "  scale_schedule:\n    - { at: 150s, replicas: 1 }\n  readiness_probe:",
    );
    let (summary, sink) = run_text(&yaml, &[]);
    assert!(summary.pod_crashes > 0);
    let deleted: Vec<&str> = events(&sink, "pod_deleted")
        .iter()
        .map(|e| e.object.as_str())
        .collect();
    for e in &sink.events {
        if deleted.contains(&e.object.as_str()) {
            let at = events(&sink, "pod_deleted")
                .into_iter()
                .find(|d| d.object == e.object)
                .unwrap()
                .time_s;
            assert!(e.time_s <= at, "{e:?} after its deletion at {at} s");
        }
    }
    assert!(sink.timeseries.iter().all(|r| r.pods_ready <= 3));
    assert!(sink.timeseries.last().unwrap().pods_ready <= 1);
}

fn summary_bytes(s: &SummaryRow) -> String {
    format!("{s:?}")
}

#[test]
fn same_seed_same_outputs_with_faults() {
    let yaml =
        with("faults:\n  pod_kills: [{ at: 40s, count: 2 }]\n  pod_crashes: { mtbf: 60s }\n");
    let (a, sa) = run_text(&yaml, &[]);
    let (b, sb) = run_text(&yaml, &[]);
    assert_eq!(summary_bytes(&a), summary_bytes(&b));
    assert_eq!(format!("{:?}", sa.events), format!("{:?}", sb.events));
    assert_eq!(format!("{:?}", sa.requests), format!("{:?}", sb.requests));
    assert_eq!(
        format!("{:?}", sa.timeseries),
        format!("{:?}", sb.timeseries)
    );
}

#[test]
fn an_empty_faults_block_changes_nothing_and_a_kill_leaves_the_arrivals_unchanged() {
    let (plain, plain_sink) = run_text(BASE, &[]);
    let (empty, empty_sink) = run_text(&with("faults: { pod_kills: [] }\n"), &[]);
    assert_eq!(summary_bytes(&plain), summary_bytes(&empty));
    assert_eq!(
        format!("{:?}", plain_sink.requests),
        format!("{:?}", empty_sink.requests)
    );
    assert_eq!(
        format!("{:?}", plain_sink.events),
        format!("{:?}", empty_sink.events)
    );
    // Common random numbers: the kill draws from its own stream, so the same requests arrive.
    let (_, kill_sink) = run_text(&with("faults: { pod_kills: [{ at: 60s }] }\n"), &[]);
    let arrivals = |s: &MemorySink| {
        let mut a: Vec<(u64, u64)> = s
            .requests
            .iter()
            .map(|r| (r.id, (r.arrival_s * 1e9).round() as u64))
            .collect();
        a.sort_unstable();
        a
    };
    assert_eq!(arrivals(&plain_sink), arrivals(&kill_sink));
}

fn bad(extra: &str) -> SpecError {
    load_str(&with(extra), Path::new("inline.yaml"), &[]).unwrap_err()
}

#[test]
fn bad_faults_are_refused_with_the_parameter_path_and_a_hint() {
    let e = bad("faults:\n  pod_crashes: { mtbf: 0s }\n");
    assert!(
        e.message
            .starts_with("faults.pod_crashes.mtbf: must be longer than zero"),
        "{e}"
    );
    assert!(e.hint.as_deref().unwrap().contains("mtbf: 2h"), "{e}");

    let e = bad("faults:\n  pod_crashes: { mtbf: 1h, backoff_initial: 1m, backoff_max: 30s }\n");
    assert!(
        e.message.starts_with(
            "faults.pod_crashes.backoff_max: must be at least `backoff_initial` (60s), got 30s"
        ),
        "{e}"
    );
    assert!(e.hint.is_some());

    let e = bad("faults:\n  pod_kills:\n    - at: 10m\n");
    assert!(
        e.message
            .starts_with("faults.pod_kills[0].at: 600s is after the end of the run (300s)"),
        "{e}"
    );
    assert!(
        e.hint.as_deref().unwrap().contains("lengthen `duration`"),
        "{e}"
    );
    assert!(e.location.starts_with("inline.yaml:"), "{e}");

    let e = bad("faults:\n  pod_kills:\n    - { at: 10s, count: 0 }\n");
    assert!(
        e.message
            .starts_with("faults.pod_kills[0].count: must be at least 1"),
        "{e}"
    );

    let e = bad("faults:\n  pod_crashes: { mtbf: 1h, backof_max: 30s }\n");
    let text = e.to_string();
    assert!(text.contains("unknown field `backof_max`"), "{text}");
    assert!(text.contains("backoff_max"), "{text}");
    assert!(e.location.starts_with("inline.yaml:"), "{text}");
}

/// Kills and crashes on top of a scenario: a kill of two pods at 60 s and crashes every 2 min.
const CHAOS: &str =
    "\nfaults:\n  pod_kills: [{ at: 60s, count: 2 }]\n  pod_crashes: { mtbf: 2m }\n";

fn run_with_chaos(path: &str, yaml: &str) -> (SummaryRow, MemorySink) {
    let file = crate::support::repo_root().join(path);
    let loaded = load_str(&format!("{yaml}{CHAOS}"), &file, &[]).unwrap_or_else(|e| panic!("{e}"));
    crate::support::run_loaded(&loaded, 0)
}

#[test]
fn faults_with_an_hpa_keda_database_shared_queue_and_queue_consumers_run_without_panics() {
    let bundled = [
        "scenarios/python-api/scenario.yaml",
        "scenarios/metadata-catalog/scenario.yaml",
        "scenarios/scale-to-zero/scenario.yaml",
        "scenarios/entity-event-consumer/scenario.yaml",
        "scenarios/agent-worker/scenario.yaml",
    ];
    let mut cases: Vec<(String, String)> = bundled
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(crate::support::repo_root().join(p)).unwrap();
            (p.to_string(), text)
        })
        .collect();
    cases.push((
        "tests/inline-shared-queue.yaml".into(),
        format!("{BASE}load_balancer: {{ policy: shared_queue }}\n"),
    ));
    cases.push((
        "tests/inline-pool.yaml".into(),
        format!(
            "{BASE}database:\n  pool: {{ maximum_pool_size: 10, minimum_idle: 5, max_lifetime: 1m }}\n  queries: {{ count: 2, time: {{ dist: constant, value: 5ms }} }}\n"
        ),
    ));
    for (path, yaml) in &cases {
        let (s, sink) = run_with_chaos(path, yaml);
        assert!(s.pod_crashes > 0, "{path}: {s:?}");
        let kill_steps = sink
            .events
            .iter()
            .filter(|e| {
                e.time_s == 60.0 && (e.kind == "pod_killed" || e.kind == "pod_kill_skipped")
            })
            .count();
        assert!(kill_steps >= 1, "{path}: the kill at 60 s ran");
        assert_eq!(
            s.pod_kills,
            events(&sink, "pod_killed").len() as u64,
            "{path}"
        );
        assert!(s.fault_errors <= s.killed, "{path}");
        // The ReplicaSet keeps its count through kills and crashes: every live pod is Ready
        // or on its way (crashed pods count as starting).
        for r in &sink.timeseries {
            assert_eq!(
                r.pods_ready + r.pods_starting,
                r.replicas_desired,
                "{path} at {} s",
                r.time_s
            );
        }
    }
}
