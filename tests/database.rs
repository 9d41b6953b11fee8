//! Connection pools and the database: Erlang B and C for a pool, connection limits, time-outs,
//! and the HPA on pool utilization.

use crate::support::queueing::*;
use crate::support::{run_loaded, run_text};
use hpasim_models::scenario::load_str;
use std::path::Path;

/// One pod with ample worker slots; every request is one query holding a connection for an
/// exponential time (mean 100 ms, mu = 10/s) on a server without CPU contention.
const POOL: &str = r#"
name: pool
duration: 41000s
sample_interval: 1000s
seed: 41
workload:
  arrivals: { kind: constant, rate: 80 }
service:
  cpu: { dist: constant, value: 0s }
pods: { replicas: 1, concurrency: 100000, cpu_request: "1" }
database:
  pool: { maximum_pool_size: 10, connection_timeout: 0s }
  queries: { count: 1, time: { dist: exponential, mean: 100ms } }
  postgres: { max_connections: 100 }
"#;

/// Index of the `pool_timeouts` extra column (no HPA: the database columns only).
const POOL_TIMEOUTS: usize = 6;
/// Index of the `pool_wait_mean_ms` extra column.
const POOL_WAIT_MEAN: usize = 4;

#[test]
fn a_pool_without_waiting_room_blocks_as_erlang_b() {
    let (summary, sink) = run_text(POOL, &[]);
    let per_batch: Vec<f64> = sink.timeseries[1..]
        .iter()
        .map(|r| r.extra[POOL_TIMEOUTS] / (r.arrival_rate_rps * 1000.0))
        .collect();
    let b = BatchMeans::new(&per_batch);
    let expected = erlang_b(10, 8.0);
    assert!(
        b.within(expected, 4.0),
        "P(block): {}",
        b.describe(expected)
    );
    assert_eq!(summary.rejected + summary.timed_out, 0);
    assert!(summary.pool_timeouts > 0 && summary.error_rate > 0.1);
}

#[test]
fn a_pool_with_unlimited_waiting_matches_erlang_c_for_the_connection_wait() {
    let text = POOL.replace("connection_timeout: 0s", "connection_timeout: 1h");
    let means: Vec<f64> = (0..12)
        .map(|rep| {
            let loaded =
                load_str(&text, Path::new("pool.yaml"), &["duration=5000s".into()]).unwrap();
            let (summary, sink) = run_loaded(&loaded, rep);
            assert_eq!(summary.pool_timeouts, 0);
            // The per-interval column averages to the run's mean (equal-rate intervals).
            let rows: Vec<f64> = sink
                .timeseries
                .iter()
                .map(|r| r.extra[POOL_WAIT_MEAN])
                .collect();
            let avg = rows.iter().sum::<f64>() / rows.len() as f64;
            assert!(
                (avg - summary.pool_wait_mean_ms).abs() < 0.1 * summary.pool_wait_mean_ms + 0.5,
                "{avg} vs {}",
                summary.pool_wait_mean_ms
            );
            summary.pool_wait_mean_ms / 1e3
        })
        .collect();
    let b = BatchMeans::new(&means);
    let expected = mmc_mean_wait(10, 80.0, 10.0);
    // Each replication starts empty: the warm-up bias is O(1/run length) and is below the SE.
    assert!(
        b.within(expected, 4.0),
        "mean wait: {}",
        b.describe(expected)
    );
}

#[test]
fn connections_beyond_max_connections_are_refused_and_counted_exactly() {
    // 5 pods open 10 connections each at start; the server takes 30: 20 refusals, no load.
    let sets = [
        "pods.replicas=5",
        "database.postgres.max_connections=30",
        "duration=100s",
        "sample_interval=10s",
    ];
    let idle: Vec<&str> = sets
        .iter()
        .copied()
        .chain(["workload.arrivals.rate=0"])
        .collect();
    let (summary, _) = run_text(POOL, &idle);
    assert_eq!(
        (summary.db_connection_refusals, summary.db_connections_max),
        (20, 30)
    );
    // Under load, a request queued on a pod below its maximum pool size makes the pool try
    // once more (HikariCP grows on demand): every such try is refused too, and the server
    // never holds more than its limit.
    let loaded: Vec<&str> = sets
        .iter()
        .copied()
        .chain(["workload.arrivals.rate=50"])
        .collect();
    let (summary, _) = run_text(POOL, &loaded);
    assert!(summary.db_connection_refusals > 20, "{summary:?}");
    assert_eq!(summary.db_connections_max, 30);
    assert!(
        summary.pool_timeouts > 0,
        "the pods without connections fail their queries"
    );
}

#[test]
fn a_waiter_times_out_after_connection_timeout_and_never_earlier() {
    let dir = tempfile::tempdir().unwrap();
    // One connection held 10 s per query. Arrivals at 1 s (served), 2 s and 3.5 s (give up at
    // 4 s and 5.5 s), 9.5 s (would give up at 11.5 s, gets the connection at 11 s).
    std::fs::write(dir.path().join("ts.csv"), "time_s\n1\n2\n3.5\n9.5\n").unwrap();
    let yaml = r#"
name: timeout
duration: 60s
workload:
  arrivals: { kind: trace, file: ts.csv, format: timestamps }
service:
  cpu: { dist: constant, value: 0s }
pods: { replicas: 1, concurrency: 100, cpu_request: "1" }
database:
  pool: { maximum_pool_size: 1, connection_timeout: 2s }
  queries: { count: 1, time: { dist: constant, value: 10s } }
outputs: { requests_sample: 1 }
"#;
    let path = dir.path().join("timeout.yaml");
    std::fs::write(&path, yaml).unwrap();
    let loaded = hpasim_models::scenario::load(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
    let (summary, sink) = run_loaded(&loaded, 0);
    assert_eq!((summary.pool_timeouts, summary.completed), (2, 2));
    let outcome = |t: f64| sink.requests.iter().find(|r| r.arrival_s == t).unwrap();
    assert_eq!(outcome(2.0).outcome, "pool_timeout");
    assert_eq!(outcome(3.5).outcome, "pool_timeout");
    let last = outcome(9.5);
    assert_eq!(last.outcome, "completed");
    assert!(
        (last.latency_ms.unwrap() - 11_500.0).abs() < 1e-6,
        "{last:?}"
    );
}

#[test]
fn the_hpa_scales_on_db_connection_pool_utilization() {
    let yaml = r#"
name: catalog
duration: 10m
sample_interval: 15s
seed: 5
workload:
  arrivals:
    kind: stages
    start_rate: 20
    stages: [{ duration: 1m, target: 20 }, { duration: 0s, target: 150 }, { duration: 9m, target: 150 }]
service:
  cpu: { dist: constant, value: 1ms }
pods:
  replicas: 3
  concurrency: 200
  cpu_request: 500m
  startup: { image_pull_cached: { dist: constant, value: 0s } }
database:
  pool: { maximum_pool_size: 10, connection_timeout: 30s }
  queries: { count: 2, time: { dist: exponential, mean: 100ms } }
  postgres: { max_connections: 200 }
autoscaling:
  prometheus: { scrape_interval: 15s }
hpa:
  apiVersion: autoscaling/v2
  kind: HorizontalPodAutoscaler
  metadata: { name: catalog }
  spec:
    scaleTargetRef: { kind: Deployment, name: catalog }
    minReplicas: 3
    maxReplicas: 10
    metrics:
      - type: Pods
        pods:
          metric: { name: db_connection_pool_utilization }
          target: { type: AverageValue, averageValue: "0.7" }
"#;
    let (summary, sink) = run_text(yaml, &[]);
    // Before the step 20 req/s × 2 queries × 100 ms = 4 connections busy of 30 (13 %); after
    // it 30 of 30: the pools run full, above the 0.7 target, and the HPA must add pods.
    assert!(summary.replicas_max > 3.0, "{summary:?}");
    let seen: Vec<f64> = sink
        .timeseries
        .iter()
        .map(|r| r.extra[0])
        .filter(|v| !v.is_nan())
        .collect();
    assert!(
        seen.iter().any(|&u| u > 0.7),
        "the HPA saw the pools above target: {seen:?}"
    );
}

fn bad(sets: &[&str]) -> String {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    match load_str(POOL, Path::new("pool.yaml"), &sets) {
        Ok(loaded) => {
            match hpasim_models::Simulation::compile(&loaded.scenario, &loaded.base_dir) {
                Ok(_) => panic!("accepted: {sets:?}"),
                Err(e) => loaded.locate(e).to_string(),
            }
        }
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_pool_and_database_settings_are_located_errors() {
    let zero = bad(&["database.pool.maximum_pool_size=0"]);
    assert!(
        zero.contains("maximum_pool_size") && zero.contains("at least 1"),
        "{zero}"
    );
    let idle = bad(&["database.pool.minimum_idle=20"]);
    assert!(
        idle.contains("minimum_idle") && idle.contains("must not exceed maximum_pool_size"),
        "{idle}"
    );
    let negative = bad(&["database.pool.connection_timeout=-1s"]);
    assert!(
        negative.contains("connection_timeout") && negative.contains("duration"),
        "{negative}"
    );
    let cores = bad(&["database.postgres.cores=-2"]);
    assert!(cores.contains("database.postgres.cores"), "{cores}");
    let metric = bad(&["database=null", "hpa={apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, metadata: {name: x}, spec: {scaleTargetRef: {kind: Deployment, name: x}, maxReplicas: 3, metrics: [{type: Pods, pods: {metric: {name: db_connection_pool_utilization}, target: {type: AverageValue, averageValue: '0.7'}}}]}}"]);
    assert!(metric.contains("needs a connection pool"), "{metric}");
}

/// POOL behind one PgBouncer replica.
fn with_bouncer(extra: &[&str]) -> Vec<String> {
    let mut sets = vec![
        "database.pgbouncer={max_client_conn: 30, default_pool_size: 4, reserve_pool_size: 2, reserve_pool_timeout: 1s, query_wait_timeout: 3s}".to_string(),
        "pods.replicas=5".to_string(),
        "database.postgres.max_connections=100".to_string(),
        "duration=200s".to_string(),
        "sample_interval=10s".to_string(),
    ];
    sets.extend(extra.iter().map(|s| s.to_string()));
    sets
}

fn run_sets(sets: &[String]) -> hpasim_models::SummaryRow {
    let loaded = load_str(POOL, Path::new("pool.yaml"), sets).unwrap_or_else(|e| panic!("{e}"));
    run_loaded(&loaded, 0).0
}

#[test]
fn pgbouncer_refuses_client_connections_beyond_max_client_conn() {
    // 5 pods × 10 pool connections = 50 clients; PgBouncer takes 30.
    let summary = run_sets(&with_bouncer(&["workload.arrivals.rate=0"]));
    assert_eq!(summary.db_connection_refusals, 20);
    assert_eq!(
        summary.db_connections_max, 0,
        "no transaction yet: no server connection"
    );
}

#[test]
fn pgbouncer_holds_the_server_to_its_pool_plus_reserve_and_fails_long_waits() {
    // 80 req/s × 100 ms = 8 busy transactions on average against 4 + 2 server connections:
    // the reserve opens, the server never sees more than 6, and transactions that wait 3 s fail.
    let summary = run_sets(&with_bouncer(&[]));
    assert_eq!(summary.db_connections_max, 6, "{summary:?}");
    assert!(
        summary.pool_timeouts > 0,
        "query_wait_timeout failures: {summary:?}"
    );
    let no_reserve = run_sets(&with_bouncer(&["database.pgbouncer.reserve_pool_size=0"]));
    assert_eq!(no_reserve.db_connections_max, 4);
    assert!(no_reserve.pool_timeouts > summary.pool_timeouts);
}

#[test]
fn a_pgbouncer_reserve_larger_than_its_pool_is_refused() {
    let err = bad(&["database.pgbouncer={default_pool_size: 5, reserve_pool_size: 6}"]);
    assert!(
        err.contains("reserve_pool_size") && err.contains("must not exceed default_pool_size"),
        "{err}"
    );
    let mode = bad(&["database.pgbouncer={pool_mode: statement}"]);
    assert!(
        mode.contains("pool_mode") && mode.contains("transaction"),
        "{mode}"
    );
}

#[test]
fn validate_warns_when_the_pools_can_exceed_the_database_with_the_guides_arithmetic() {
    let run = |sets: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_hpasim"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .arg("validate")
            .arg("scenarios/metadata-catalog/scenario.yaml")
            .args(sets.iter().flat_map(|s| ["--set", s]))
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "warnings do not fail validation"
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let fine = run(&[]);
    assert!(!fine.contains("warning"), "{fine}");
    // The guide's own plan (10 × 25 = 250, × 1.5 = 375) fits exactly; one more pod does not.
    let direct = run(&["database.pgbouncer=null"]);
    assert!(!direct.contains("warning"), "{direct}");
    let tight = run(&["database.pgbouncer=null", "hpa.spec.maxReplicas=11"]);
    assert!(
        tight.contains("maxReplicas 11 × maximum_pool_size 25 = 275 connections; with the guides' ×1.5 headroom that needs 413 > postgres max_connections 375"),
        "{tight}"
    );
    let over = run(&["database.pgbouncer=null", "hpa.spec.maxReplicas=20"]);
    assert!(
        over.contains("500 connections > postgres max_connections 375")
            && over.contains("pods beyond 15"),
        "{over}"
    );
    let session = run(&["database.pgbouncer.pool_mode=session"]);
    assert!(session.contains("250 client connections > 30 server connections: 220 pool connections never get a session"), "{session}");
    let clients = run(&["hpa.spec.maxReplicas=50"]);
    assert!(
        clients.contains("1250 client connections > PgBouncer 1 × max_client_conn 1000"),
        "{clients}"
    );
}

#[test]
fn read_replicas_take_their_share_of_the_query_load_off_the_primary() {
    // 80 req/s × 100 ms = 8 cores of queries against a 4-core primary.
    let base = [
        "database.postgres.cores=4",
        "duration=2000s",
        "sample_interval=100s",
    ];
    let primary_only = run_sets(&base.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert!(
        primary_only.db_cpu_utilization_max_pct > 99.0,
        "{primary_only:?}"
    );
    // Three replicas take 75 % of the queries: the primary keeps 2 cores' worth (≈ 50 %).
    let mut sets: Vec<String> = base.iter().map(|s| s.to_string()).collect();
    sets.push("database.postgres.read_replicas=3".into());
    sets.push("database.postgres.read_fraction=0.75".into());
    let spread = run_sets(&sets);
    let util = spread.db_cpu_utilization_max_pct;
    assert!(
        (40.0..65.0).contains(&util),
        "primary CPU with replicas: {util}"
    );
    assert!(
        spread.pool_timeouts < primary_only.pool_timeouts / 2,
        "less blocking: {spread:?}"
    );
    let err = bad(&["database.postgres.read_fraction=0.5"]);
    assert!(err.contains("reads need read replicas"), "{err}");
}

#[test]
fn the_metadata_catalog_gets_worse_when_max_replicas_outgrows_the_database() {
    use crate::support::run_file;
    let (ten, _) = run_file("scenarios/metadata-catalog/scenario.yaml", &[]);
    let (thirty, _) = run_file(
        "scenarios/metadata-catalog/scenario.yaml",
        &["hpa.spec.maxReplicas=30"],
    );
    assert_eq!((ten.replicas_max, thirty.replicas_max), (10.0, 30.0));
    assert!(
        thirty.latency_p99_ms > 1.5 * ten.latency_p99_ms,
        "{} vs {}",
        thirty.latency_p99_ms,
        ten.latency_p99_ms
    );
    assert!(thirty.cost_usd > 2.0 * ten.cost_usd);
    let (replicas, _) = run_file(
        "scenarios/metadata-catalog/scenario.yaml",
        &[
            "database.postgres.read_replicas=3",
            "database.postgres.read_fraction=0.7",
        ],
    );
    assert!(
        replicas.latency_p99_ms < 200.0 && replicas.error_rate == 0.0,
        "{replicas:?}"
    );
}

#[test]
fn request_classes_make_their_own_queries_and_counts_may_be_drawn() {
    let fast = |sets: &[&str]| {
        let mut all = vec![
            "database.queries={count: 1, time: {dist: constant, value: 10ms}}".to_string(),
            "database.pool.maximum_pool_size=1000".to_string(),
            "duration=300s".to_string(),
            "sample_interval=10s".to_string(),
            "outputs.requests_sample=1".to_string(),
        ];
        all.extend(sets.iter().map(|s| s.to_string()));
        let loaded = load_str(POOL, Path::new("pool.yaml"), &all).unwrap_or_else(|e| panic!("{e}"));
        run_loaded(&loaded, 0)
    };
    // Class `none` makes no query; class `report` makes 5 of 10 ms: 50 ms, nothing waits.
    let (_, sink) = fast(&["workload.classes=[{name: none, weight: 1, queries: {count: 0}}, {name: report, weight: 1, queries: {count: 5, time: {dist: constant, value: 10ms}}}]"]);
    for r in sink.requests.iter().filter(|r| r.outcome == "completed") {
        let expected = if r.class == "report" { 50.0 } else { 0.0 };
        assert!((r.latency_ms.unwrap() - expected).abs() < 1e-6, "{r:?}");
    }
    // Counts drawn from uniform(0.5, 4.5) round to 1..4, each a quarter of the time: mean
    // latency 2.5 × 10 ms.
    let (summary, _) = fast(&["database.queries.count={dist: uniform, min: 0.5, max: 4.5}"]);
    let n = summary.completed as f64;
    let se = 10.0 * (1.25f64 / n).sqrt(); // sd of the count is sqrt(1.25)
    assert!(
        (summary.latency_mean_ms - 25.0).abs() < 5.0 * se + 1e-6,
        "{summary:?}"
    );
}

#[test]
fn max_lifetime_retires_connections_and_requests_wait_while_they_reopen() {
    // One connection, retired every 10 s, reopening takes 5 s: half the time the pool is
    // empty and queries wait for the new connection (up to 5 s); without maxLifetime, never.
    let sets = [
        "database.pool={maximum_pool_size: 1, connection_timeout: 1h, connection_setup: {dist: constant, value: 5s}}",
        "database.queries={count: 1, time: {dist: constant, value: 1ms}}",
        "workload.arrivals.rate=2",
        "duration=600s",
        "sample_interval=10s",
    ];
    let mut with: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    with.push("database.pool.max_lifetime=10s".into());
    let retiring = run_sets(&with);
    assert!(
        retiring.pool_wait_p99_ms > 4000.0 && retiring.pool_wait_p99_ms <= 5005.0,
        "{retiring:?}"
    );
    let steady = run_sets(&sets.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert!(steady.pool_wait_p99_ms < 5.0, "{steady:?}");
    assert_eq!(
        (retiring.db_connections_max, retiring.db_connection_refusals),
        (1, 0)
    );
}

#[test]
fn pgbouncer_session_mode_pins_a_server_connection_to_each_client_connection() {
    // 5 pods × 10 pool connections = 50 clients but only 20 server connections: in session
    // mode 20 pool connections become usable and the rest wait for a session forever, so
    // the pods left without one fail their queries; transaction mode shares the 20.
    let pools = [
        "database.pool.connection_timeout=2s",
        "workload.arrivals.rate=40",
        "database.pgbouncer.max_client_conn=100",
        "database.pgbouncer.default_pool_size=20",
        "database.pgbouncer.reserve_pool_size=0",
    ];
    let session: Vec<&str> = pools
        .iter()
        .copied()
        .chain(["database.pgbouncer.pool_mode=session"])
        .collect();
    let pinned = run_sets(&with_bouncer(&session));
    assert_eq!(pinned.db_connections_max, 20, "{pinned:?}");
    assert!(
        pinned.pool_timeouts > 0,
        "pods without a session fail: {pinned:?}"
    );
    // Transaction mode opens server connections on demand: only as many as transactions need.
    let shared = run_sets(&with_bouncer(&pools));
    assert!(shared.db_connections_max <= 20, "{shared:?}");
    assert!(
        shared.pool_timeouts * 10 < pinned.pool_timeouts,
        "{shared:?} vs {pinned:?}"
    );
}

#[test]
fn bad_database_settings_in_a_file_exit_2_located_with_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/metadata-catalog");
    std::fs::copy(root.join("k8s.yaml"), dir.path().join("k8s.yaml")).unwrap();
    let text = std::fs::read_to_string(root.join("scenario.yaml")).unwrap();
    let bad = text.replacen("reserve_pool_size: 5", "reserve_pool_size: 30", 1);
    assert_ne!(bad, text);
    std::fs::write(dir.path().join("scenario.yaml"), &bad).unwrap();
    let line = bad
        .lines()
        .position(|l| l.contains("reserve_pool_size: 30"))
        .unwrap()
        + 1;
    let out_dir = dir.path().join("out");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hpasim"))
        .args([
            "run",
            dir.path().join("scenario.yaml").to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("scenario.yaml:{line}:")),
        "{stderr}"
    );
    assert!(
        stderr.contains("reserve_pool_size") && !stderr.contains("panicked"),
        "{stderr}"
    );
    assert!(!out_dir.exists(), "no partial output");
}
