//! Brokers and consumers: a work queue against Erlang C, Kafka partitions as M/M/1 queues,
//! idle consumers beyond the partition count, rebalance pauses, crashes and reprocessing.

use crate::support::queueing::*;
use crate::support::{run_file, run_text};
use hpasim_models::rows::{MemorySink, TimeseriesRow};

/// Standard errors allowed (see tests/theory.rs).
const Z: f64 = 4.0;

fn batches(rows: &[TimeseriesRow], f: impl Fn(&TimeseriesRow) -> f64) -> BatchMeans {
    let values: Vec<f64> = rows[1..].iter().map(f).collect();
    BatchMeans::new(&values)
}

fn assert_close(what: &str, b: &BatchMeans, expected: f64) {
    eprintln!("{what}: {}", b.describe(expected));
    assert!(
        (b.mean - expected).abs() <= Z * b.se,
        "{what}: {}",
        b.describe(expected)
    );
}

/// Index of a queue column in the time-series extra values (no HPA, no database).
fn queue_column(name: &str) -> usize {
    hpasim_models::world::QUEUE_COLUMNS
        .iter()
        .position(|c| *c == name)
        .expect("a queue column")
}

fn column(sink: &MemorySink, name: &str) -> Vec<f64> {
    let k = queue_column(name);
    sink.timeseries.iter().map(|r| r.extra[k]).collect()
}

#[test]
fn work_queue_with_c_always_on_consumers_is_mmc() {
    let (c, lambda, mu) = (10u32, 80.0, 10.0);
    let (summary, sink) = run_file(
        "scenarios/theory/work-queue.yaml",
        &["duration=41000s", "sample_interval=1000s", "seed=5"],
    );
    assert_eq!(summary.rejected + summary.timed_out + summary.killed, 0);
    let rows = &sink.timeseries;
    let p_wait = batches(rows, |r| r.wait_probability);
    assert_close("P(wait > 0)", &p_wait, erlang_c(c, lambda / mu));
    let wait = batches(rows, |r| r.wait_mean_ms / 1e3);
    assert_close("mean wait [s]", &wait, mmc_mean_wait(c, lambda, mu));
    let delay = batches(rows, |r| r.latency_mean_ms / 1e3);
    assert_close(
        "mean end-to-end delay [s]",
        &delay,
        mmc_mean_sojourn(c, lambda, mu),
    );
}

const KAFKA: &str = "
name: kafka
duration: 20m
sample_interval: 1m
workload:
  arrivals: { kind: constant, rate: 36 }
service:
  cpu: { dist: exponential, rate: 5 }
pods:
  replicas: 12
  concurrency: 1
  cpu_request: '1'
  cpu_limit: '1'
queue:
  broker: kafka
  partitions: 12
  producer: { partitioner: random }
  consumer: { auto_offset_reset: earliest }
";

#[test]
fn kafka_one_consumer_per_partition_with_random_keys_is_mm1_per_partition() {
    // 12 partitions, 12 consumers, Poisson split: each partition is M/M/1 with lambda = 3/s,
    // mu = 5/s (rho 0.6): mean end-to-end delay 1 / (mu - lambda) = 0.5 s.
    let (summary, sink) = run_text(
        KAFKA,
        &["duration=41000s", "sample_interval=1000s", "seed=3"],
    );
    assert_eq!(summary.rebalances, 1, "one rebalance when the group forms");
    assert_eq!(summary.messages_reprocessed, 0);
    let delay = batches(&sink.timeseries, |r| r.latency_mean_ms / 1e3);
    assert_close(
        "mean end-to-end delay [s]",
        &delay,
        mm1_mean_sojourn(3.0, 5.0),
    );
    let p95 = batches(&sink.timeseries, |r| r.latency_p95_ms / 1e3);
    assert_close("p95 delay [s]", &p95, mm1_sojourn_quantile(3.0, 5.0, 0.95));
}

#[test]
fn consumers_beyond_the_partition_count_sit_idle() {
    let (summary, sink) = run_text(
        KAFKA,
        &[
            "queue.partitions=4",
            "pods.replicas=6",
            "workload.arrivals.rate=12",
        ],
    );
    let idle = column(&sink, "consumers_idle");
    assert!(idle.iter().all(|&n| n == 2.0), "{idle:?}");
    // Four busy consumers at rho 0.6 each; the two idle ones do nothing.
    let cpu = summary.cpu_utilization_mean_pct;
    assert!((cpu - 100.0 * 12.0 / 5.0 / 6.0).abs() < 3.0, "cpu {cpu}");
}

#[test]
fn each_membership_change_rebalances_and_pauses_the_partitions_it_revokes() {
    // Scale 4 -> 6 at 5 m: the two new pods join at the same instant (deterministic start-up)
    // = one rebalance. Eager range: all 12 partitions stop for 3 s at each of the two
    // rebalances (initial and scale-up) = 72 partition-seconds.
    let sets = [
        "pods.replicas=4",
        "pods.scale_schedule[0].at=5m",
        "pods.scale_schedule[0].replicas=6",
        "workload.arrivals.rate=10",
    ];
    let (eager, sink) = run_text(KAFKA, &sets);
    assert_eq!(eager.rebalances, 2);
    assert!(
        (eager.partition_paused_s - 72.0).abs() < 1e-9,
        "{}",
        eager.partition_paused_s
    );
    let rebalances: Vec<_> = sink
        .events
        .iter()
        .filter(|e| e.kind == "rebalance")
        .collect();
    assert_eq!(rebalances.len(), 2);
    assert!(
        rebalances[1].detail.starts_with("members=6 moved="),
        "{}",
        rebalances[1].detail
    );
    // Cooperative sticky: the scale-up moves 4 of 12 partitions (3 each -> 2 each), only those
    // stop: 36 + 4 x 3 = 48 partition-seconds.
    let mut sets = sets.to_vec();
    sets.push("queue.consumer.assignment=cooperative_sticky");
    let (sticky, _) = run_text(KAFKA, &sets);
    assert_eq!(sticky.rebalances, 2);
    assert!(
        (sticky.partition_paused_s - 48.0).abs() < 1e-9,
        "{}",
        sticky.partition_paused_s
    );
}

#[test]
fn a_crash_loses_uncommitted_progress_which_is_processed_again() {
    // One consumer crashes at 5 m: what it processed since its last commit (≤ 5 s of work) is
    // processed again by the partition's next owner, after the session timeout (45 s).
    let sets = [
        "pods.replicas=4",
        "queue.partitions=4",
        "workload.arrivals.rate=8",
        "queue.consumer.crashes.at[0]=5m",
        "queue.consumer.commit_interval=5s",
    ];
    let (summary, sink) = run_text(KAFKA, &sets);
    assert_eq!(summary.consumer_crashes, 1);
    assert!(
        summary.messages_reprocessed > 0 && summary.messages_reprocessed <= 8 * 5 + 5,
        "reprocessed {}",
        summary.messages_reprocessed
    );
    // crash, replacement joins, session expiry: three rebalances after the initial one.
    let kinds: Vec<&str> = sink
        .events
        .iter()
        .filter(|e| e.kind == "rebalance" || e.kind == "consumer_crashed")
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds[1], "consumer_crashed", "{kinds:?}");
    assert!(
        summary.latency_max_ms > 45_000.0,
        "the crashed member's partition waits the session out"
    );
    // The same without commits lost: a longer interval loses more.
    let mut longer = sets.to_vec();
    longer[4] = "queue.consumer.commit_interval=30s";
    let (more, _) = run_text(KAFKA, &longer);
    assert!(more.messages_reprocessed > summary.messages_reprocessed);
}

#[test]
fn a_crashed_work_queue_consumer_returns_its_messages_to_the_list() {
    let (summary, _) = run_file(
        "scenarios/theory/work-queue.yaml",
        &[
            "duration=10m",
            "queue.prefetch=5",
            "queue.crashes.at[0]=2m",
            "queue.crashes.at[1]=4m",
        ],
    );
    assert_eq!(summary.consumer_crashes, 2);
    assert!(summary.messages_reprocessed > 0 && summary.messages_reprocessed <= 10);
    assert!(summary.requests - summary.completed < 50, "nothing is lost");
}

#[test]
fn an_hpa_scales_workers_on_the_external_redis_queue_length() {
    // Guide 004's worker HPA: External redis_queue_length, target Value 100 (a total, not per
    // replica): the proposal is ceil(ready workers x length / 100).
    let (summary, sink) = run_file("scenarios/agent-worker/scenario.yaml", &["duration=20m"]);
    let syncs: Vec<&str> = sink
        .events
        .iter()
        .filter(|e| e.kind == "hpa_sync")
        .map(|e| e.detail.as_str())
        .collect();
    assert!(
        syncs[0].starts_with("redis_queue_length=0 -> 0;"),
        "{}",
        syncs[0]
    );
    let scaled_up = sink
        .events
        .iter()
        .any(|e| e.kind == "replicas_set" && e.time_s > 600.0 && e.detail.starts_with("2 -> "));
    assert!(scaled_up, "the burst at 10 m scales the workers up from 2");
    assert!(summary.replicas_max >= 20.0, "{}", summary.replicas_max);
}

#[test]
fn queue_metrics_and_settings_that_do_not_fit_are_rejected_with_their_path() {
    let check = |sets: &[&str], path: &str, words: &str| {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        let err = hpasim_models::scenario::load_str(KAFKA, std::path::Path::new("q.yaml"), &sets)
            .and_then(|l| {
                hpasim_models::Simulation::compile(&l.scenario, &l.base_dir)
                    .map(|_| ())
                    .map_err(|e| l.locate(e))
            })
            .expect_err("invalid");
        let text = err.to_string();
        assert!(text.contains(path) && text.contains(words), "{text}");
    };
    check(&["queue.partitions=0"], "queue.partitions", "at least 1");
    check(&["pods.concurrency=4"], "pods.concurrency", "one at a time");
    check(
        &["queue.consumer.max_poll_records=0"],
        "max_poll_records",
        "at least 1",
    );
    check(
        &["pods.timeout=5s"],
        "pods.timeout",
        "does not apply to queue consumers",
    );
    check(
        &["queue.consumer.assignment=sticky"],
        "--set queue.consumer.assignment",
        "cooperative_sticky",
    );
    let typo = KAFKA.replace("  partitions: 12", "  partitons: 12");
    let err = hpasim_models::scenario::load_str(&typo, std::path::Path::new("q.yaml"), &[])
        .expect_err("misspelled field");
    let msg = err.to_string();
    assert!(
        msg.contains("q.yaml:16:3") && msg.contains("partitions"),
        "{msg}"
    );
    let hpa = "{apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, metadata: {name: w}, spec: {scaleTargetRef: {kind: Deployment, name: w}, maxReplicas: 5, metrics: [{type: External, external: {metric: {name: redis_queue_length}, target: {type: Value, value: '100'}}}]}}";
    let text = format!("{KAFKA}hpa: {hpa}\n");
    let err = hpasim_models::scenario::load_str(&text, std::path::Path::new("q.yaml"), &[])
        .and_then(|l| {
            hpasim_models::Simulation::compile(&l.scenario, &l.base_dir)
                .map(|_| ())
                .map_err(|e| l.locate(e))
        })
        .expect_err("a Redis metric on a Kafka scenario");
    let msg = err.to_string();
    assert!(
        msg.contains("measures a queue the scenario does not have") && msg.contains("redis_list"),
        "{msg}"
    );
}

#[test]
fn validate_warns_when_more_consumers_than_partitions_could_run() {
    let loaded = hpasim_models::scenario::load_str(
        KAFKA,
        std::path::Path::new("q.yaml"),
        &["queue.partitions=8".to_string()],
    )
    .unwrap();
    let warnings = hpasim_models::scenario::capacity::capacity_warnings(&loaded.scenario);
    assert_eq!(
        warnings,
        ["replicas 12 > 8 partitions of topic `events`: one consumer per partition, so up to 4 consumers would sit idle (cost without throughput)"]
    );
    let fits =
        hpasim_models::scenario::load_str(KAFKA, std::path::Path::new("q.yaml"), &[]).unwrap();
    assert!(hpasim_models::scenario::capacity::capacity_warnings(&fits.scenario).is_empty());
}
