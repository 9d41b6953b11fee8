//! KEDA in the simulated cluster, end to end: the 0 → 1 → N → 1 → 0 sequence at the instants
//! the polling interval and the cooldown imply, fallback after failureThreshold failed reads,
//! and the Kafka trigger's partition cap on a running consumer group.

use crate::support::{run_file, run_text};
use hpasim_models::rows::{EventRow, MemorySink};

fn events<'a>(sink: &'a MemorySink, kind: &str) -> Vec<&'a EventRow> {
    sink.events.iter().filter(|e| e.kind == kind).collect()
}

fn times(sink: &MemorySink, kind: &str) -> Vec<f64> {
    events(sink, kind).iter().map(|e| e.time_s).collect()
}

#[test]
fn scale_to_zero_and_back_follows_the_polls_and_the_strict_cooldown() {
    // pollingInterval 30 s, cooldownPeriod 300 s, minReplicaCount 0; jobs from 120 s to 420 s.
    let (summary, sink) = run_file("scenarios/scale-to-zero/scenario.yaml", &[]);
    // Never active: the cooldown counts from creation (t = 0, initialCooldownPeriod 0), so the
    // poll at 0 s keeps the replica (0 + 0 < 0 is false) and the poll at 30 s writes 0.
    let to_zero = times(&sink, "keda_scale_to_zero");
    assert_eq!(to_zero[0], 30.0, "{to_zero:?}");
    // The first job arrives just after 120 s (the poll at 120 s saw an empty list): the next
    // poll, at 150 s, activates and writes 1; the HPA's sync at the same instant takes over.
    let from_zero = times(&sink, "keda_scale_from_zero");
    assert_eq!(from_zero, [150.0]);
    let first_hpa_scale = events(&sink, "replicas_set")
        .into_iter()
        .find(|e| e.detail.contains("(hpa "))
        .expect("the HPA scales");
    assert_eq!(first_hpa_scale.time_s, 150.0);
    assert!(
        first_hpa_scale.detail.starts_with("1 -> "),
        "{}",
        first_hpa_scale.detail
    );
    // The last flip to inactive is one poll after the last active poll; zero is written at the
    // first poll strictly after lastActiveTime + 300 s: last active + 330 s.
    let flips = events(&sink, "keda_activity");
    let last_inactive = flips
        .iter()
        .rev()
        .find(|e| e.detail.starts_with("active=false"))
        .unwrap()
        .time_s;
    let last_active = last_inactive - 30.0;
    assert_eq!(to_zero.len(), 2, "{to_zero:?}");
    assert_eq!(to_zero[1], last_active + 330.0);
    // N → 1 is the HPA's (60 s down-stabilization), before KEDA's last step to 0.
    let sets = events(&sink, "replicas_set");
    let before_zero = sets.iter().rev().find(|e| e.time_s < to_zero[1]).unwrap();
    assert!(
        before_zero.detail.ends_with("-> 1 (hpa TooFewReplicas)")
            || before_zero.detail.contains("-> 1 (hpa"),
        "{}",
        before_zero.detail
    );
    assert!(summary.replicas_max > 1.0);
    assert_eq!(
        (summary.keda_activations, summary.keda_deactivations),
        (1, 2)
    );
    assert_eq!(
        summary.completed, summary.requests,
        "every job is processed"
    );
}

const WORKER: &str = "
name: fallback
duration: 15m
sample_interval: 1m
workload:
  arrivals: { kind: constant, rate: 2 }
service:
  cpu: { dist: exponential, mean: 500ms }
pods:
  replicas: 2
  concurrency: 1
  cpu_request: '1'
queue:
  broker: redis_list
  list: jobs
scaled_object:
  apiVersion: keda.sh/v1alpha1
  kind: ScaledObject
  metadata: { name: worker }
  spec:
    scaleTargetRef: { name: worker }
    minReplicaCount: 2
    maxReplicaCount: 20
    fallback: { failureThreshold: 3, replicas: 6 }
    advanced:
      horizontalPodAutoscalerConfig:
        behavior:
          scaleUp:
            policies: [{ type: Pods, value: 10, periodSeconds: 15 }]
    triggers:
      - type: redis
        metadata: { address: 'redis:6379', listName: jobs, listLength: '10' }
autoscaling:
  keda:
    scaler_errors: [{ trigger: 0, from: 10m, to: 20m, message: 'dial tcp: connection refused' }]
";

#[test]
fn fallback_serves_the_fallback_replicas_after_more_than_failure_threshold_failed_reads() {
    let (_, sink) = run_text(WORKER, &[]);
    let syncs: Vec<&EventRow> = events(&sink, "hpa_sync")
        .into_iter()
        .filter(|e| e.time_s >= 600.0)
        .collect();
    // Reads at 600, 615, 630 fail (failures 1, 2, 3: not more than 3): the metric is invalid.
    for s in &syncs[..3] {
        assert!(s.detail.contains("error"), "{}: {}", s.time_s, s.detail);
    }
    // The fourth failed read (645 s) is served with fallback.replicas × target = 6 × 10.
    assert_eq!(syncs[3].time_s, 645.0);
    assert!(syncs[3].detail.contains("-> 6;"), "{}", syncs[3].detail);
    let set = events(&sink, "replicas_set")
        .into_iter()
        .find(|e| e.time_s >= 600.0)
        .expect("the fallback scales");
    assert_eq!(
        (set.time_s, set.detail.as_str()),
        (645.0, "2 -> 6 (hpa DesiredWithinRange)")
    );
    assert!(!events(&sink, "keda_fallback").is_empty());
}

#[test]
fn the_kafka_trigger_never_asks_for_more_consumers_than_partitions_plus_the_rounding_gap() {
    // 6 partitions, lagThreshold 5, a backlog far above 6 × 5: the metric is capped at
    // 6 × 5 = 30, so the HPA asks for at most 6 consumers (maxReplicaCount 20).
    let text = "
name: kafka-keda
duration: 10m
sample_interval: 1m
workload:
  arrivals: { kind: constant, rate: 60 }
service:
  cpu: { dist: exponential, mean: 200ms }
pods:
  replicas: 1
  concurrency: 1
  cpu_request: '1'
queue:
  broker: kafka
  topic: orders
  partitions: 6
  consumer: { group: billing, auto_offset_reset: earliest }
scaled_object:
  apiVersion: keda.sh/v1alpha1
  kind: ScaledObject
  metadata: { name: billing }
  spec:
    scaleTargetRef: { name: billing }
    minReplicaCount: 1
    maxReplicaCount: 20
    triggers:
      - type: kafka
        metadata: { bootstrapServers: 'kafka:9092', consumerGroup: billing, topic: orders, lagThreshold: '5' }
";
    let (summary, sink) = run_text(text, &[]);
    assert_eq!(summary.replicas_max, 6.0);
    let capped = events(&sink, "hpa_sync")
        .iter()
        .any(|e| e.detail.contains("-> 6;"));
    assert!(capped);
}

/// A Redis-list worker under KEDA; `spec` is the ScaledObject's spec body (indented 4).
fn worker(spec: &str, extra: &str, rate: f64) -> String {
    format!(
        "
name: worker
duration: 20m
sample_interval: 1m
workload:
  arrivals: {{ kind: constant, rate: {rate} }}
service:
  cpu: {{ dist: exponential, mean: 1s }}
pods:
  replicas: 2
  concurrency: 1
  cpu_request: '1'
queue:
  broker: redis_list
  list: jobs
scaled_object:
  apiVersion: keda.sh/v1alpha1
  kind: ScaledObject
  metadata: {{ name: worker }}
  spec:
    scaleTargetRef: {{ name: worker }}
{spec}
{extra}"
    )
}

const REDIS_TRIGGER: &str = "    triggers:
      - type: redis
        metadata: { address: 'redis:6379', listName: jobs, listLength: '10' }";

fn synced_values(sink: &MemorySink, from: f64, to: f64) -> Vec<String> {
    events(sink, "hpa_sync")
        .iter()
        .filter(|e| e.time_s >= from && e.time_s < to)
        .map(|e| {
            e.detail
                .split(" -> ")
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

#[test]
fn use_cached_metrics_serves_the_last_poll_to_every_hpa_read_until_the_next_poll() {
    // 2 workers at 1 job/s each for 3 jobs/s: the list grows all the time. With
    // useCachedMetrics the HPA's reads at 60, 75, 90 and 105 s all see the poll of 60 s.
    let trigger = REDIS_TRIGGER.replace(
        "      - type: redis\n",
        "      - type: redis\n        useCachedMetrics: true\n",
    );
    let spec = format!(
        "    pollingInterval: 60\n    minReplicaCount: 2\n    maxReplicaCount: 2\n{trigger}"
    );
    assert!(spec.contains("useCachedMetrics: true"));
    let (_, cached) = run_text(&worker(&spec, "", 3.0), &[]);
    let values = synced_values(&cached, 60.0, 120.0);
    assert_eq!(values.len(), 4);
    assert!(values.iter().all(|v| *v == values[0]), "{values:?}");
    let next = synced_values(&cached, 120.0, 180.0);
    assert_ne!(next[0], values[0], "the next poll brings a new value");
    // Live reads (the default) see the list grow between polls.
    let live_spec = spec.replace("        useCachedMetrics: true\n", "");
    assert!(!live_spec.contains("useCachedMetrics"));
    let (_, live) = run_text(&worker(&live_spec, "", 3.0), &[]);
    let values = synced_values(&live, 60.0, 120.0);
    assert!(values.windows(2).any(|w| w[0] != w[1]), "{values:?}");
}

#[test]
fn a_cron_trigger_scales_up_at_the_start_of_its_window_in_its_time_zone() {
    // clock_start 07:58 UTC = 08:58 in Europe/Paris (winter); the window opens at 09:00 Paris
    // = 120 s into the run. The HPA's sync at 120 s reads the cron metric live (5 replicas,
    // AverageValue 1) and scales up (legacy limit: max(2 × 2, 4) = 4 first, then 5).
    let spec = "    minReplicaCount: 2
    maxReplicaCount: 10
    triggers:
      - type: cron
        metadata: { timezone: Europe/Paris, start: '0 9 * * *', end: '0 10 * * *', desiredReplicas: '5' }";
    let extra = "autoscaling:\n  keda: { clock_start: '2026-01-05T07:58:00Z' }\n";
    let (_, sink) = run_text(&worker(spec, extra, 0.5), &[]);
    let up: Vec<(f64, String)> = events(&sink, "replicas_set")
        .iter()
        .filter(|e| e.detail.contains("(hpa "))
        .map(|e| (e.time_s, e.detail.clone()))
        .collect();
    assert_eq!(up[0].0, 120.0, "{up:?}");
    assert!(up[0].1.starts_with("2 -> 4"), "{up:?}");
    assert_eq!(
        (up[1].0, up[1].1.starts_with("4 -> 5")),
        (135.0, true),
        "{up:?}"
    );
}

#[test]
fn idle_mode_scales_to_idle_replicas_after_the_cooldown_and_back_to_min_when_active() {
    // idleReplicaCount 0, minReplicaCount 2, cooldown 60 s: no jobs until 5 m, then 1 job/s.
    let spec = format!(
        "    pollingInterval: 30\n    cooldownPeriod: 60\n    idleReplicaCount: 0\n    minReplicaCount: 2\n    maxReplicaCount: 10\n{REDIS_TRIGGER}"
    );
    let text = worker(&spec, "", 1.0).replace(
        "arrivals: { kind: constant, rate: 1 }",
        "arrivals: { kind: stages, start_rate: 0, stages: [{ duration: 5m, target: 0 }, { duration: 1ms, target: 1 }] }",
    );
    let (summary, sink) = run_text(&text, &[]);
    let idle = times(&sink, "keda_scale_to_idle");
    assert_eq!(
        idle.first(),
        Some(&30.0),
        "never active: initialCooldownPeriod 0 from creation"
    );
    let back = events(&sink, "keda_scale_from_zero");
    assert!(!back.is_empty());
    assert!(back[0].detail.contains("wrote=2"), "{}", back[0].detail);
    assert!(back[0].time_s > 300.0 && back[0].time_s <= 330.0);
    assert!(summary.keda_activations >= 1);
}

#[test]
fn prometheus_triggers_read_the_mapped_simulator_series() {
    // Constant 100 ms requests on idle pods: the windowed p99 is 0.1 s (to the histogram's
    // 0.1 %); the 1-minute request rate is the arrival rate, 20/s, within Poisson noise.
    let text = "
name: prom
duration: 10m
sample_interval: 1m
workload:
  arrivals: { kind: constant, rate: 20 }
service:
  cpu: { dist: constant, value: 100ms }
pods:
  replicas: 4
  concurrency: 4
  cpu_request: '1'
scaled_object:
  apiVersion: keda.sh/v1alpha1
  kind: ScaledObject
  metadata: { name: api }
  spec:
    scaleTargetRef: { name: api }
    minReplicaCount: 4
    maxReplicaCount: 4
    triggers:
      - type: prometheus
        metadata: { serverAddress: 'http://prometheus:9090', query: 'sum(rate(http_requests_total[1m]))', threshold: '100' }
      - type: prometheus
        metadata: { serverAddress: 'http://prometheus:9090', query: 'histogram_quantile(0.99, ...)', threshold: '0.5' }
autoscaling:
  keda:
    prometheus:
      - { trigger: 0, metric: request_rate, window: 1m }
      - { trigger: 1, metric: latency_quantile, quantile: 0.99, window: 5m }
";
    let (summary, sink) = run_text(text, &[]);
    let extra = |name: &str| {
        let names = hpasim_models::Simulation::compile(
            &hpasim_models::scenario::load_str(text, std::path::Path::new("p.yaml"), &[])
                .unwrap()
                .scenario,
            std::path::Path::new("."),
        )
        .unwrap()
        .timeseries_extra_columns();
        names.iter().position(|n| n == name).unwrap()
    };
    let (rate, p99) = (extra("keda_s0_prometheus"), extra("keda_s1_prometheus"));
    for row in &sink.timeseries[2..] {
        assert!(
            (row.extra[rate] - 20.0).abs() < 4.0,
            "rate {}",
            row.extra[rate]
        );
        assert!(
            (row.extra[p99] - 0.1).abs() <= 0.1 * 1e-3 + 1e-3,
            "p99 {}",
            row.extra[p99]
        );
    }
    assert_eq!(summary.replicas_max, 4.0);
}
