//! KEDA conformance: one named case per rule of ../shared/hpa-spec.md §8 (8.1–8.9), through the
//! library (`hpasim_models::keda`) and through `hpasim keda eval` on the YAML fixtures in
//! `tests/fixtures/keda/` (each states its arithmetic and expectation in its header comment:
//! `# expect: {"/json/pointer": value}`, a string starting with `~` meaning "contains").
//!
//! Unless a case says otherwise: lagThreshold 10, activation thresholds 0, cooldownPeriod 300 s,
//! minReplicaCount 0, maxReplicaCount 100, Kubernetes 1.35 and upstream controller defaults.

use crate::support::fixtures::{eval, fixtures, header, unmet_expectations};
use hpasim_models::hpa::{reconcile, ClusterSnapshot, ControllerConfig, History, Reason};
use hpasim_models::keda::fallback::metrics_with_fallback;
use hpasim_models::keda::kafka::{kafka_reading, KafkaState, PartitionOffsets};
use hpasim_models::keda::triggers::{compile_trigger, KafkaMetadata, ScalerMetadata};
use hpasim_models::keda::{
    hpa_read, poll, read_trigger, request_scale, KedaConfig, KedaState, Observation, ScaleAction,
    ScaledObject,
};
use hpasim_sim::{SimDuration, SimTime, NANOS_PER_SEC};
use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Output;

const NOW: SimTime = SimTime(100_000 * NANOS_PER_SEC);

fn ago(s: u64) -> SimTime {
    SimTime(NOW.0 - s * NANOS_PER_SEC)
}

/// A ScaledObject with these `spec` fields (scaleTargetRef added) and triggers.
fn so(spec: &str) -> ScaledObject {
    let text = format!(
        "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {{name: w}}\nspec:\n  scaleTargetRef: {{name: w}}\n{}",
        spec.lines()
            .map(|l| format!("  {l}\n"))
            .collect::<String>()
    );
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn cfg(spec: &str) -> KedaConfig {
    KedaConfig::compile(&so(spec), "scaled_object").unwrap_or_else(|e| panic!("{e:?}"))
}

const REDIS: &str = "triggers:\n- type: redis\n  metadata: {address: 'r:6379', listName: jobs, activationListLength: 3}";

/// Kafka metadata from the YAML of its metadata map (bootstrapServers, consumerGroup, topic t
/// added).
fn kafka(extra: &str) -> KafkaMetadata {
    let sep = if extra.is_empty() { "" } else { ", " };
    let t = so(&format!(
        "triggers:\n- type: kafka\n  metadata: {{bootstrapServers: b, consumerGroup: g, topic: t{sep}{extra}}}"
    ));
    match compile_trigger(&t.spec.triggers[0], 0, "t").unwrap().scaler {
        ScalerMetadata::Kafka(k) => k,
        _ => unreachable!(),
    }
}

/// Partitions `(latest, committed)`; `None` latest = absent, `None` committed = invalid.
fn parts(list: &[(Option<i64>, Option<i64>)]) -> Vec<PartitionOffsets> {
    list.iter()
        .enumerate()
        .map(|(i, (latest, committed))| PartitionOffsets {
            topic: "t".into(),
            id: i as i32,
            latest: *latest,
            committed: *committed,
        })
        .collect()
}

fn lag(extra: &str, list: &[(Option<i64>, Option<i64>)]) -> hpasim_models::keda::KafkaReading {
    kafka_reading(&kafka(extra), &parts(list), &mut KafkaState::default())
}

/// The generated HPA's decision at `current` replicas with these External values [milli].
fn hpa_desired(c: &KedaConfig, current: i32, values: &[(usize, i64)]) -> (i32, Reason) {
    let mut external = BTreeMap::new();
    for (i, v) in values {
        external.insert(c.triggers[*i].metric_name.clone(), vec![*v]);
    }
    let snap = ClusterSnapshot {
        spec_replicas: current,
        status_replicas: current,
        pods: Vec::new(),
        object_metrics: BTreeMap::new(),
        external_metrics: external,
    };
    let r = reconcile(
        &c.hpa,
        &ControllerConfig::default(),
        &snap,
        &mut History::default(),
        NOW,
    );
    (r.desired_replicas, r.reason)
}

// ---- 8.9 Kafka lag arithmetic ----------------------------------------------------------------

#[test]
fn kafka_lag_is_latest_minus_committed_per_partition() {
    let r = lag("", &[(Some(100), Some(80)), (Some(50), Some(50))]);
    assert_eq!(r.per_partition[0].lag, 20);
    assert_eq!(r.per_partition[1].lag, 0);
    assert_eq!(
        (r.total_lag, r.partitions, r.partitions_with_lag),
        (20, 2, 1)
    );
}

#[test]
fn kafka_invalid_offset_with_policy_latest_counts_lag_1() {
    let r = lag("", &[(Some(100), None), (Some(7), Some(-1))]);
    assert_eq!(r.total_lag, 2);
    assert!(r.active);
}

#[test]
fn kafka_invalid_offset_with_policy_latest_and_scale_to_zero_counts_lag_0() {
    let r = lag("scaleToZeroOnInvalidOffset: true", &[(Some(100), None)]);
    assert_eq!((r.total_lag, r.active), (0, false));
}

#[test]
fn kafka_invalid_offset_with_policy_earliest_counts_the_whole_log() {
    let r = lag("offsetResetPolicy: earliest", &[(Some(100), None)]);
    assert_eq!(r.total_lag, 100);
    let r = lag(
        "offsetResetPolicy: earliest, scaleToZeroOnInvalidOffset: true",
        &[(Some(100), None)],
    );
    assert_eq!(r.total_lag, 0);
}

#[test]
fn kafka_partition_absent_from_latest_offsets_has_lag_0_and_is_not_counted() {
    let r = lag("", &[(Some(30), Some(0)), (None, Some(3)), (None, None)]);
    assert_eq!((r.total_lag, r.partitions), (30, 1));
    // 30/10 = 3 > 1 partition → capped at 10.
    assert_eq!(r.metric, 10);
}

#[test]
fn kafka_partition_cap_integer_division_35_on_3_partitions_stays_35_and_the_hpa_wants_4() {
    let r = lag(
        "",
        &[(Some(20), Some(0)), (Some(10), Some(0)), (Some(5), Some(0))],
    );
    assert_eq!((r.metric, r.capped_at), (35, None));
    let c = cfg("maxReplicaCount: 10\ntriggers:\n- type: kafka\n  metadata: {bootstrapServers: b, consumerGroup: g, topic: t}");
    // ceil(35 / 10) = 4 at 2 replicas (legacy cap max(4, 4) = 4).
    assert_eq!(hpa_desired(&c, 2, &[(0, r.metric * 1000)]).0, 4);
}

#[test]
fn kafka_partition_cap_applies_once_lag_over_threshold_exceeds_the_partitions() {
    let r = lag(
        "",
        &[(Some(40), Some(0)), (Some(0), Some(0)), (Some(0), Some(0))],
    );
    assert_eq!((r.total_lag, r.metric, r.capped_at), (40, 30, Some(3)));
}

#[test]
fn kafka_allow_idle_consumers_lifts_the_cap() {
    let r = lag(
        "allowIdleConsumers: true",
        &[(Some(400), Some(0)), (Some(0), Some(0))],
    );
    assert_eq!((r.metric, r.capped_at), (400, None));
}

#[test]
fn kafka_limit_to_partitions_with_lag_caps_at_the_partitions_with_lag() {
    // 4 partitions, 2 with lag, total 100: 100/10 = 10 > 2 → 20.
    let r = lag(
        "limitToPartitionsWithLag: true",
        &[
            (Some(60), Some(0)),
            (Some(40), Some(0)),
            (Some(5), Some(5)),
            (Some(9), Some(9)),
        ],
    );
    assert_eq!((r.partitions_with_lag, r.metric), (2, 20));
}

#[test]
fn kafka_even_distribution_rounds_up_to_the_next_divisor_of_the_partition_count() {
    // 12 partitions, lag 35, threshold 10: divisors 1 2 3 4 6 12, first with f × 10 ≥ 35 is 4.
    let mut list = vec![(Some(35), Some(0))];
    list.extend(std::iter::repeat_n((Some(0), Some(0)), 11));
    let r = lag("ensureEvenDistributionOfPartitions: true", &list);
    assert_eq!((r.even_factor, r.metric), (Some(4), 40));
    // lag 70: 6 × 10 = 60 < 70, so 12 → 120 (not capped: 120/10 = 12, not > 12).
    list[0] = (Some(70), Some(0));
    let r = lag("ensureEvenDistributionOfPartitions: true", &list);
    assert_eq!((r.even_factor, r.metric), (Some(12), 120));
}

#[test]
fn kafka_exclude_persistent_lag_zeroes_the_metric_but_keeps_activity() {
    let m = kafka("excludePersistentLag: true");
    let mut state = KafkaState::default();
    let p = parts(&[(Some(50), Some(20)), (Some(30), Some(10))]);
    // First poll: offsets remembered, lag counted.
    let r = kafka_reading(&m, &p, &mut state);
    assert_eq!(r.total_lag, 50);
    // Second poll: partition 0 unchanged (persistent), partition 1 moved on.
    let p2 = parts(&[(Some(50), Some(20)), (Some(30), Some(25))]);
    let r = kafka_reading(&m, &p2, &mut state);
    assert_eq!(r.per_partition[0].lag, 0);
    assert_eq!(r.per_partition[0].lag_with_persistent, 30);
    assert_eq!((r.total_lag, r.total_lag_with_persistent), (5, 35));
    // Third poll: everything stuck: metric 0, still active through the persistent lag.
    let r = kafka_reading(&m, &p2, &mut state);
    assert_eq!((r.metric, r.active), (0, true));
}

#[test]
fn kafka_activation_is_strictly_above_activation_lag_threshold() {
    let at = lag("activationLagThreshold: 5", &[(Some(5), Some(0))]);
    assert!(!at.active);
    let above = lag("activationLagThreshold: 5", &[(Some(6), Some(0))]);
    assert!(above.active);
}

#[test]
fn kafka_partition_limitation_leaves_other_partitions_out() {
    let r = lag(
        "partitionLimitation: '0,2-3'",
        &[
            (Some(10), Some(0)),
            (Some(99), Some(0)),
            (Some(10), Some(0)),
            (Some(10), Some(0)),
        ],
    );
    assert_eq!((r.partitions, r.total_lag), (3, 30));
}

// ---- 8.5 activation of redis and prometheus ------------------------------------------------

#[test]
fn redis_activation_is_strictly_above_activation_list_length() {
    let c = cfg(REDIS);
    let mut k = KafkaState::default();
    let read = |n, k: &mut KafkaState| {
        read_trigger(&c.triggers[0], &Observation::Redis { list_length: n }, k).unwrap()
    };
    assert!(!read(3, &mut k).active);
    let r = read(4, &mut k);
    assert!(r.active);
    assert_eq!(r.metric_milli, Some(4000));
}

#[test]
fn prometheus_activation_is_strictly_above_activation_threshold_parsed_as_float() {
    let c = cfg("triggers:\n- type: prometheus\n  metadata: {serverAddress: 'http://p', query: q, threshold: '12.5', activationThreshold: '2.5'}");
    assert_eq!(c.triggers[0].target_milli, 12_500);
    let mut k = KafkaState::default();
    let read = |v: f64, k: &mut KafkaState| {
        read_trigger(
            &c.triggers[0],
            &Observation::Prometheus { value: Some(v) },
            k,
        )
        .unwrap()
    };
    assert!(!read(2.5, &mut k).active);
    assert!(read(2.5001, &mut k).active);
    assert_eq!(read(0.0015, &mut k).metric_milli, Some(1));
}

#[test]
fn prometheus_empty_result_reads_0_unless_ignore_null_values_is_false() {
    let c = cfg("triggers:\n- type: prometheus\n  metadata: {serverAddress: 'http://p', query: q, threshold: '5'}");
    let empty = Observation::Prometheus { value: None };
    let r = read_trigger(&c.triggers[0], &empty, &mut KafkaState::default()).unwrap();
    assert_eq!((r.metric_milli, r.active), (Some(0), false));
    let c = cfg("triggers:\n- type: prometheus\n  metadata: {serverAddress: 'http://p', query: q, threshold: '5', ignoreNullValues: 'false'}");
    assert!(read_trigger(&c.triggers[0], &empty, &mut KafkaState::default()).is_err());
}

// ---- 8.6 activation / deactivation ---------------------------------------------------------

fn state(c: &KedaConfig, last_active: Option<SimTime>) -> KedaState {
    let mut s = KedaState::new(c, ago(3600));
    s.last_active_time = last_active;
    s
}

#[test]
fn cooldown_no_scale_to_zero_exactly_at_last_active_plus_cooldown() {
    let c = cfg(REDIS);
    let mut s = state(&c, Some(ago(300)));
    let d = request_scale(&c, 2, false, false, &mut s, NOW);
    assert_eq!((d.action, d.replicas_written), (ScaleAction::None, None));
}

#[test]
fn cooldown_scale_to_zero_one_nanosecond_after_last_active_plus_cooldown() {
    let c = cfg(REDIS);
    let mut s = state(&c, Some(ago(300)));
    let d = request_scale(&c, 2, false, false, &mut s, SimTime(NOW.0 + 1));
    assert_eq!(
        (d.action, d.replicas_written),
        (ScaleAction::ScaleToZero, Some(0))
    );
}

#[test]
fn cooldown_is_measured_from_the_last_active_poll() {
    let c = cfg(REDIS);
    let mut s = state(&c, Some(ago(1000)));
    // Active at 2: lastActiveTime = now, nothing written.
    let d = request_scale(&c, 2, true, false, &mut s, NOW);
    assert_eq!(
        (d.action, d.last_active_time),
        (ScaleAction::None, Some(NOW))
    );
    let later = NOW.saturating_add(SimDuration::from_secs(299));
    assert_eq!(
        request_scale(&c, 2, false, false, &mut s, later).action,
        ScaleAction::None
    );
}

#[test]
fn initial_cooldown_counts_from_creation_when_never_active() {
    let c = cfg(&format!("initialCooldownPeriod: 60\n{REDIS}"));
    let mut s = KedaState::new(&c, ago(60));
    assert_eq!(
        request_scale(&c, 1, false, false, &mut s, NOW).action,
        ScaleAction::None
    );
    let mut s = KedaState::new(&c, ago(61));
    assert_eq!(
        request_scale(&c, 1, false, false, &mut s, NOW).action,
        ScaleAction::ScaleToZero
    );
}

#[test]
fn scale_from_zero_writes_min_replica_count_if_positive_else_1() {
    let c = cfg(REDIS);
    let d = request_scale(&c, 0, true, false, &mut state(&c, None), NOW);
    assert_eq!(
        (d.action, d.replicas_written, d.last_active_time),
        (ScaleAction::ScaleFromZero, Some(1), Some(NOW))
    );
    let c = cfg(&format!("minReplicaCount: 3\n{REDIS}"));
    let d = request_scale(&c, 0, true, false, &mut state(&c, None), NOW);
    assert_eq!(d.replicas_written, Some(3));
}

#[test]
fn idle_mode_scales_to_idle_after_cooldown_and_back_to_min_when_active() {
    let c = cfg(&format!("idleReplicaCount: 0\nminReplicaCount: 2\n{REDIS}"));
    let mut s = state(&c, Some(ago(301)));
    let d = request_scale(&c, 4, false, false, &mut s, NOW);
    assert_eq!(
        (d.action, d.replicas_written),
        (ScaleAction::ScaleToIdle, Some(0))
    );
    let c = cfg(&format!("idleReplicaCount: 1\nminReplicaCount: 3\n{REDIS}"));
    let d = request_scale(&c, 1, true, false, &mut state(&c, None), NOW);
    assert_eq!(
        (d.action, d.replicas_written),
        (ScaleAction::ScaleFromZero, Some(3))
    );
}

#[test]
fn below_min_replica_count_with_idle_mode_off_writes_min() {
    let c = cfg(&format!("minReplicaCount: 3\n{REDIS}"));
    let d = request_scale(&c, 1, false, false, &mut state(&c, None), NOW);
    assert_eq!(
        (d.action, d.replicas_written),
        (ScaleAction::ScaleToMin, Some(3))
    );
}

#[test]
fn active_with_a_failing_trigger_keeps_last_active_time() {
    let c = cfg(REDIS);
    let mut s = state(&c, Some(ago(10)));
    let d = request_scale(&c, 2, true, true, &mut s, NOW);
    assert_eq!(
        (d.action, d.last_active_time),
        (ScaleAction::None, Some(ago(10)))
    );
}

#[test]
fn an_object_with_only_cpu_triggers_is_always_active() {
    let c = cfg("minReplicaCount: 1\ntriggers:\n- type: cpu\n  metricType: Utilization\n  metadata: {value: '60'}");
    let mut s = state(&c, None);
    let out = poll(&c, &mut s, &[Observation::Resource], 1, NOW);
    assert!(out.active);
    assert_eq!(out.decision.last_active_time, Some(NOW));
}

// ---- 8.8 fallback ----------------------------------------------------------------------------

const FALLBACK: &str = "fallback: {failureThreshold: 3, replicas: 6}\ntriggers:\n- type: kafka\n  metadata: {bootstrapServers: b, consumerGroup: g, topic: t, lagThreshold: '50'}";

#[test]
fn fallback_is_not_served_when_failures_equal_failure_threshold() {
    let c = cfg(FALLBACK);
    let mut failures = 2;
    let r = metrics_with_fallback(
        c.fallback.as_ref(),
        &c.triggers[0],
        Err("down".into()),
        &mut failures,
        2,
        2,
    );
    assert_eq!(failures, 3);
    assert!(!r.fallback);
    assert_eq!(r.value, Err("down".into()));
}

#[test]
fn fallback_above_failure_threshold_makes_the_hpa_desire_fallback_replicas() {
    let c = cfg(FALLBACK);
    let mut failures = 3;
    let r = metrics_with_fallback(
        c.fallback.as_ref(),
        &c.triggers[0],
        Err("down".into()),
        &mut failures,
        4,
        4,
    );
    assert!(r.fallback);
    // 6 replicas × target 50 = 300.
    assert_eq!(r.value, Ok(300_000));
    // At 4 replicas: ceil(300 / 50) = 6 (legacy cap max(8, 4) = 8).
    assert_eq!(hpa_desired(&c, 4, &[(0, 300_000)]).0, 6);
}

#[test]
fn fallback_count_resets_on_success() {
    let c = cfg(FALLBACK);
    let mut failures = 7;
    let r = metrics_with_fallback(
        c.fallback.as_ref(),
        &c.triggers[0],
        Ok(1000),
        &mut failures,
        1,
        1,
    );
    assert_eq!((failures, r.value, r.fallback), (0, Ok(1000), false));
}

#[test]
fn a_trigger_in_fallback_counts_as_active_at_the_poll() {
    let c = cfg(FALLBACK);
    let mut s = state(&c, None);
    s.consecutive_failures[0] = 4;
    let out = poll(&c, &mut s, &[Observation::Error("down".into())], 0, NOW);
    assert!(out.triggers[0].fallback);
    assert!(out.active && !out.any_error);
    assert_eq!(out.decision.action, ScaleAction::ScaleFromZero);
}

#[test]
fn inactive_with_a_failing_trigger_before_the_threshold_leaves_it_to_fallback() {
    let c = cfg(FALLBACK);
    let mut s = state(&c, Some(ago(1000)));
    let out = poll(&c, &mut s, &[Observation::Error("down".into())], 3, NOW);
    assert_eq!(
        (out.decision.action, out.decision.replicas_written),
        (ScaleAction::Fallback, None)
    );
}

#[test]
fn use_cached_metrics_serves_the_last_poll_value_to_the_hpa() {
    let c = cfg("triggers:\n- type: redis\n  useCachedMetrics: true\n  metadata: {address: r, listName: jobs}");
    let mut s = state(&c, None);
    poll(&c, &mut s, &[Observation::Redis { list_length: 7 }], 1, NOW);
    let r = hpa_read(&c, &mut s, 0, || Ok(99_000), 1, 1);
    assert_eq!(r.value, Ok(7000));
    let c = cfg("triggers:\n- type: redis\n  metadata: {address: r, listName: jobs}");
    let mut s = state(&c, None);
    poll(&c, &mut s, &[Observation::Redis { list_length: 7 }], 1, NOW);
    assert_eq!(
        hpa_read(&c, &mut s, 0, || Ok(99_000), 1, 1).value,
        Ok(99_000)
    );
}

// ---- 8.1–8.3 defaults and the generated HPA ------------------------------------------------

#[test]
fn generated_hpa_min_is_min_replica_count_if_positive_else_1() {
    assert_eq!(cfg(REDIS).hpa.min_replicas, Some(1));
    assert_eq!(
        cfg(&format!("minReplicaCount: 0\n{REDIS}"))
            .hpa
            .min_replicas,
        Some(1)
    );
    assert_eq!(
        cfg(&format!("minReplicaCount: 4\n{REDIS}"))
            .hpa
            .min_replicas,
        Some(4)
    );
}

#[test]
fn defaults_are_keda_s() {
    let c = cfg(REDIS);
    assert_eq!(c.polling_interval, SimDuration::from_secs(30));
    assert_eq!(c.cooldown_period, SimDuration::from_secs(300));
    assert_eq!(c.initial_cooldown_period, SimDuration::ZERO);
    assert_eq!((c.min_replica_count, c.max_replica_count), (0, 100));
    assert_eq!(c.hpa.max_replicas, 100);
    assert_eq!(c.hpa.behavior, None);
    assert_eq!(c.hpa_name, "keda-hpa-w");
}

#[test]
fn generated_hpa_names_each_external_metric_by_trigger_index() {
    let c = cfg("advanced:\n  horizontalPodAutoscalerConfig:\n    behavior: {scaleDown: {stabilizationWindowSeconds: 30}}\ntriggers:\n- type: kafka\n  metadata: {bootstrapServers: b, consumerGroup: g, topic: orders}\n- type: redis\n  metricType: Value\n  metadata: {address: r, listName: jobs:high}\n- type: prometheus\n  metadata: {serverAddress: 'http://p', query: q, threshold: '2'}\n- type: cpu\n  metricType: Utilization\n  metadata: {value: '70'}");
    let names: Vec<String> = c.hpa.metrics.iter().map(|m| m.display_name()).collect();
    assert_eq!(
        names,
        [
            "s0-kafka-orders",
            "s1-redis-jobs-high",
            "s2-prometheus",
            "cpu"
        ]
    );
    let types: Vec<&str> = c.hpa.metrics.iter().map(|m| m.type_.as_str()).collect();
    assert_eq!(types, ["External", "External", "External", "Resource"]);
    let redis = &c.hpa.metrics[1].external.as_ref().unwrap().target;
    assert_eq!(redis.value.as_ref().unwrap().value(), 5.0);
    let cpu = &c.hpa.metrics[3].resource.as_ref().unwrap().target;
    assert_eq!(cpu.average_utilization, Some(70));
    assert!(c.hpa.behavior.is_some());
}

// ---- `hpasim keda eval` on the fixtures ------------------------------------------------------

const FIXTURES: &str = "tests/fixtures/keda";

fn keda_eval(file: &str) -> Output {
    eval("keda", file)
}

#[test]
fn every_keda_eval_fixture_gives_the_worked_out_answer() {
    let files = fixtures(FIXTURES);
    assert!(files.len() >= 10, "fixtures found: {files:?}");
    let mut failures = Vec::new();
    for file in &files {
        let out = keda_eval(file);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.code() != Some(0) {
            failures.push(format!("{file}: exit {:?}: {stderr}", out.status.code()));
            continue;
        }
        let answer: Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON object");
        failures.extend(unmet_expectations(file, &answer));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_bundled_keda_eval_examples_run() {
    for file in fixtures("scenarios/keda-eval") {
        let out = keda_eval(&file);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{file}: {stderr}");
        let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
        for (pointer, want) in header(&file, "expect") {
            assert_eq!(answer.pointer(&pointer), Some(&want), "{file}: {pointer}");
        }
    }
}

#[test]
fn inactive_with_a_failing_trigger_and_no_fallback_only_sets_a_condition() {
    let c = cfg(REDIS);
    let mut s = state(&c, Some(ago(1000)));
    let out = poll(&c, &mut s, &[Observation::Error("down".into())], 3, NOW);
    assert!(out.any_error && !out.active);
    assert_eq!(
        (out.decision.action, out.decision.replicas_written),
        (ScaleAction::None, None)
    );
    assert!(out.decision.reason.contains("Ready condition"));
}

#[test]
fn prometheus_infinite_value_reads_0_unless_ignore_null_values_is_false() {
    let inf = Observation::Prometheus {
        value: Some(f64::INFINITY),
    };
    let c = cfg("triggers:\n- type: prometheus\n  metadata: {serverAddress: 'http://p', query: q, threshold: '5'}");
    let r = read_trigger(&c.triggers[0], &inf, &mut KafkaState::default()).unwrap();
    assert_eq!(r.metric_milli, Some(0));
    let c = cfg("triggers:\n- type: prometheus\n  metadata: {serverAddress: 'http://p', query: q, threshold: '5', ignoreNullValues: 'false'}");
    assert!(read_trigger(&c.triggers[0], &inf, &mut KafkaState::default()).is_err());
}

#[test]
fn cron_schedules_are_exactly_five_fields_and_desired_replicas_0_is_rejected() {
    let bad = |meta: &str| {
        KedaConfig::compile(
            &so(&format!(
                "minReplicaCount: 1\ntriggers:\n- type: cron\n  metadata: {{{meta}}}"
            )),
            "so",
        )
        .unwrap_err()[0]
            .message
            .clone()
    };
    assert!(
        bad("timezone: UTC, start: '@daily', end: 0 9 * * *, desiredReplicas: '2'")
            .contains("5-field")
    );
    assert!(
        bad("timezone: UTC, start: 0 0 8 * * *, end: 0 9 * * *, desiredReplicas: '2'")
            .contains("exactly 5 fields")
    );
    assert!(
        bad("timezone: UTC, start: 0 8 * * *, end: 0 8 * * *, desiredReplicas: '2'")
            .contains("start and end can not have exactly same time input")
    );
    assert!(
        bad("timezone: UTC, start: 0 8 * * *, end: 0 9 * * *, desiredReplicas: '0'")
            .contains("no desiredReplicas specified")
    );
}
