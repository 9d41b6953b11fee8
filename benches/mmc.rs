//! The whole model stack on the M/M/c queue: arrivals, balancer, pods, processor-sharing CPU,
//! statistics and interval rows (to a [`NullSink`]).
//!
//! c = 10 pods with one worker slot each, exponential CPU demand at μ = 10/s on a 1-core limit,
//! Poisson arrivals at λ = 80/s (ρ = 0.8). 20 000 simulated seconds per iteration, about
//! 1.6 M requests. Reported as requests per second of wall time. Two balancing policies:
//! `shared_queue` (the true M/M/c, one central FIFO) and `round_robin` (c M/M/1-like queues).
//!
//! The scenario is the bundled `scenarios/theory/mmc.yaml`, through the real loader and compiler.
//!
//! Run with `cargo bench --bench mmc`; figures in `benches/README.md`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hpasim_models::rows::{NullSink, RunKey};
use hpasim_models::scenario::load;
use hpasim_models::world::Simulation;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

/// Simulated seconds per iteration.
const DURATION_S: u32 = 20_000;

/// The bundled M/M/c template (`scenarios/theory/mmc.yaml`: c = 10, mu = 10/s, lambda = 80/s)
/// with the bench's duration, seed and policy set as a user would with `--set`.
fn compile(policy: &str) -> Simulation {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/theory/mmc.yaml");
    let sets = [
        format!("duration={DURATION_S}s"),
        "seed=7".to_string(),
        "sample_interval=10s".to_string(),
        format!("load_balancer.policy={policy}"),
    ];
    let loaded = load(&path, &sets).unwrap_or_else(|e| panic!("bench scenario does not load: {e}"));
    Simulation::compile(&loaded.scenario, &loaded.base_dir)
        .unwrap_or_else(|e| panic!("bench scenario does not compile: {e}"))
}

fn mmc_benchmark(c: &mut Criterion) {
    let mut group = c.benchmark_group("mmc_c10_rho0.8");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.warm_up_time(Duration::from_secs(2));
    for policy in ["shared_queue", "round_robin"] {
        let sim = compile(policy);
        let key = RunKey {
            scenario: "mmc-bench".into(),
            variant: policy.into(),
            replication: 0,
            seed: 7,
        };
        // The run is deterministic: its request count is the same every iteration.
        let probe = sim.run(&key, &mut NullSink);
        assert!(
            probe.completed > probe.requests * 99 / 100,
            "a stable M/M/c answers nearly every request: {probe:?}"
        );
        group.throughput(Throughput::Elements(probe.requests));
        group.bench_with_input(BenchmarkId::from_parameter(policy), &sim, |b, sim| {
            b.iter(|| black_box(sim.run(&key, &mut NullSink).completed));
        });
    }
    group.finish();
}

criterion_group!(benches, mmc_benchmark);
criterion_main!(benches);
