//! Peak memory of a long message-queue run: does it stay flat as simulated time grows?
//!
//! Runs the bundled Kafka consumer group (`scenarios/entity-event-consumer/scenario.yaml`: 24
//! partitions, 24 consumers, key-hash partitioner, diurnal produce rate, one consumer crash at
//! 45 min) for the given number of simulated seconds into a `NullSink` and prints the peak
//! resident set size (VmHWM from /proc/self/status) in KiB.
//!
//! ```text
//! cargo run --release --example queue_memory -- 3600
//! cargo run --release --example queue_memory -- 86400
//! ```
//!
//! Compare the two figures: a flat model gives (nearly) the same peak for both.

use hpasim_models::rows::{NullSink, RunKey};
use hpasim_models::scenario::load;
use hpasim_models::world::Simulation;
use std::path::Path;

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let duration_s: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or_else(|| {
        eprintln!("usage: queue_memory <simulated seconds>");
        std::process::exit(2)
    });
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/entity-event-consumer/scenario.yaml");
    let sets = [format!("duration={duration_s}s"), "seed=7".to_string()];
    let loaded = load(&path, &sets).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    let sim = Simulation::compile(&loaded.scenario, &loaded.base_dir).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    let before = status_kib("VmHWM:").unwrap_or(0);
    let key = RunKey {
        scenario: sim.name.clone(),
        variant: "base".into(),
        replication: 0,
        seed: 7,
    };
    let start = std::time::Instant::now();
    let summary = sim.run(&key, &mut NullSink);
    let wall = start.elapsed().as_secs_f64();
    let peak = status_kib("VmHWM:").unwrap_or(0);
    println!(
        "simulated_s={duration_s} messages={} completed={} crashes={} rebalances={} \
         reprocessed={} lag_max={} wall_s={wall:.2} rss_peak_before_run_kib={before} \
         rss_peak_kib={peak}",
        summary.requests,
        summary.completed,
        summary.consumer_crashes,
        summary.rebalances,
        summary.messages_reprocessed,
        summary.queue_lag_max,
    );
}
