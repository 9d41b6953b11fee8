//! Peak memory of a long run: does it stay flat as simulated time grows?
//!
//! Runs the bundled M/M/c template (`scenarios/theory/mmc.yaml`) (c = 10, μ = 10/s, λ = 80/s, `shared_queue` unless a
//! policy is given) for the given number of simulated seconds into a `NullSink` and prints the
//! peak resident set size (VmHWM from /proc/self/status) in KiB.
//!
//! ```text
//! cargo run --release --example memory_flat -- 3600
//! cargo run --release --example memory_flat -- 86400 [round_robin]
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
        eprintln!("usage: memory_flat <simulated seconds> [policy]");
        std::process::exit(2)
    });
    let policy = args.next().unwrap_or_else(|| "shared_queue".into());
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/theory/mmc.yaml");
    let sets = [
        format!("duration={duration_s}s"),
        "seed=7".to_string(),
        "sample_interval=10s".to_string(),
        format!("load_balancer.policy={policy}"),
    ];
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
        variant: policy.clone(),
        replication: 0,
        seed: 7,
    };
    let start = std::time::Instant::now();
    let summary = sim.run(&key, &mut NullSink);
    let wall = start.elapsed().as_secs_f64();
    let peak = status_kib("VmHWM:").unwrap_or(0);
    println!(
        "policy={policy} simulated_s={duration_s} requests={} wall_s={wall:.2} \
         rss_peak_before_run_kib={before} rss_peak_kib={peak}",
        summary.requests
    );
}
