//! Workloads through the whole stack: arrival processes, request classes, trace replay.

use crate::support::{run_file, run_text};

const BASE: &str = r#"
name: load
duration: 200s
sample_interval: 10s
workload:
  arrivals:
    kind: stages
    start_rate: 0
    stages:
      - { duration: 100s, target: 200 }
      - { duration: 100s, target: 200 }
service:
  cpu: { dist: constant, value: 1ms }
pods:
  replicas: 2
  concurrency: 1000
  cpu_request: "1"
outputs:
  requests_sample: 1
"#;

#[test]
fn stages_arrivals_per_interval_follow_the_k6_ramp() {
    let (summary, sink) = run_text(BASE, &["seed=21"]);
    // Interval [t0, t1] of the ramp 0 → 200 over 100 s has mean count 200/100 · (t1² − t0²)/2;
    // afterwards 200 · 10. Poisson counts: SE = sqrt(mean); allow 5 SE per interval.
    let mut total = 0.0;
    for row in &sink.timeseries {
        let (t0, t1) = (row.time_s - 10.0, row.time_s);
        let ramp = |t: f64| {
            if t <= 100.0 {
                t * t
            } else {
                100.0 * 100.0 + 2.0 * 100.0 * (t - 100.0)
            }
        };
        let expected = (ramp(t1) - ramp(t0)) * 200.0 / 100.0 / 2.0;
        total += expected;
        let got = row.arrival_rate_rps * 10.0;
        assert!(
            (got - expected).abs() <= 5.0 * expected.sqrt().max(1.0),
            "interval ending {t1}: {got} arrivals, expected {expected}"
        );
    }
    let got = summary.requests as f64;
    assert!(
        (got - total).abs() <= 5.0 * total.sqrt(),
        "{got} vs {total}"
    );
}

#[test]
fn request_classes_get_their_weight_share_and_their_own_demand() {
    let (summary, sink) = run_text(
        BASE,
        &[
            "seed=22",
            "workload.classes=[{name: fast, weight: 3}, {name: slow, weight: 1, io: {dist: constant, value: 200ms}}]",
        ],
    );
    let n = sink.requests.len() as f64;
    let last = sink.timeseries.last().unwrap();
    assert_eq!(
        n as u64 + u64::from(last.in_flight + last.queued),
        summary.requests
    );
    let slow: Vec<_> = sink.requests.iter().filter(|r| r.class == "slow").collect();
    let share = slow.len() as f64 / n;
    let se = (0.25 * 0.75 / n).sqrt();
    assert!((share - 0.25).abs() <= 5.0 * se, "slow share {share}");
    // Only slow requests carry the 200 ms of I/O.
    assert!(slow.iter().all(|r| r.latency_ms.unwrap() >= 200.0));
    assert!(sink
        .requests
        .iter()
        .filter(|r| r.class == "fast")
        .all(|r| r.latency_ms.unwrap() < 200.0));
}

#[test]
fn a_rate_trace_is_replayed_as_piecewise_constant_poisson() {
    let (summary, sink) = run_file("scenarios/examples/trace-replay.yaml", &["duration=30m"]);
    // Each one-minute row of the trace holds for one sample interval (1 min).
    let text = std::fs::read_to_string(
        crate::support::repo_root().join("scenarios/examples/morning-rates.csv"),
    )
    .unwrap();
    let rates: Vec<f64> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    for (row, rate) in sink.timeseries.iter().zip(&rates) {
        let expected = rate * 60.0;
        let got = row.arrival_rate_rps * 60.0;
        assert!(
            (got - expected).abs() <= 5.0 * expected.sqrt(),
            "{}: {got} vs {expected}",
            row.time_s
        );
    }
    assert_eq!(summary.rejected, 0);
}

#[test]
fn a_timestamp_trace_is_replayed_exactly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ts.csv"),
        "time_s\n0.5\n1.25\n1.25\n7\n12.5\n",
    )
    .unwrap();
    let yaml = r#"
name: trace
duration: 20s
workload:
  arrivals: { kind: trace, file: ts.csv, format: timestamps }
service:
  cpu: { dist: constant, value: 1ms }
pods: { replicas: 1, concurrency: 10, cpu_request: "1" }
outputs: { requests_sample: 1 }
"#;
    let path = dir.path().join("trace.yaml");
    std::fs::write(&path, yaml).unwrap();
    let loaded = hpasim_models::scenario::load(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
    let (summary, sink) = crate::support::run_loaded(&loaded, 0);
    assert_eq!(summary.requests, 5);
    let arrivals: Vec<f64> = sink.requests.iter().map(|r| r.arrival_s).collect();
    assert_eq!(arrivals, vec![0.5, 1.25, 1.25, 7.0, 12.5]);
}

#[test]
fn diurnal_arrivals_average_to_the_base_rate_over_a_whole_period() {
    let (summary, _) = run_file(
        "scenarios/examples/diurnal.yaml",
        &[
            "duration=1h",
            "workload.arrivals.period=1h",
            "workload.arrivals.base=50",
            "workload.arrivals.amplitude=40",
        ],
    );
    let expected = 50.0 * 3600.0;
    let got = summary.requests as f64;
    assert!(
        (got - expected).abs() <= 5.0 * expected.sqrt(),
        "{got} vs {expected}"
    );
}
