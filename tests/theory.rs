//! Queueing theory: the simulator against closed forms, tolerances from batch means.

use crate::support::queueing::*;
use crate::support::run_yaml;

fn mmc_yaml(
    servers: u32,
    lambda: f64,
    mu: f64,
    policy: &str,
    duration_s: u32,
    batch_s: u32,
) -> String {
    format!(
        r#"
name: mmc
duration: {duration_s}s
sample_interval: {batch_s}s
workload:
  arrivals: {{ kind: constant, rate: {lambda} }}
service:
  cpu: {{ dist: exponential, rate: {mu} }}
pods:
  replicas: {servers}
  concurrency: 1
  cpu_request: "1"
  cpu_limit: "1"
load_balancer:
  policy: {policy}
"#
    )
}

#[test]
fn shared_queue_matches_erlang_c() {
    let (c, lambda, mu) = (10u32, 80.0, 10.0);
    let (summary, sink) = run_yaml(&mmc_yaml(c, lambda, mu, "shared_queue", 40_000, 1_000), 7);
    let rows = &sink.timeseries[1..];
    let wait = BatchMeans::new(
        &rows
            .iter()
            .map(|r| r.wait_mean_ms / 1e3)
            .collect::<Vec<_>>(),
    );
    let pw = BatchMeans::new(&rows.iter().map(|r| r.wait_probability).collect::<Vec<_>>());
    println!("{summary:?}");
    println!("wait {}", wait.describe(mmc_mean_wait(c, lambda, mu)));
    println!("pw {}", pw.describe(erlang_c(c, lambda / mu)));
    assert!(
        wait.within(mmc_mean_wait(c, lambda, mu), 4.0),
        "{}",
        wait.describe(mmc_mean_wait(c, lambda, mu))
    );
    assert!(
        pw.within(erlang_c(c, lambda / mu), 4.0),
        "{}",
        pw.describe(erlang_c(c, lambda / mu))
    );
}
