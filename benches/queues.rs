//! The whole model stack on the message-queue models: producers, broker, consumer pods,
//! processor-sharing CPU, statistics and interval rows (to a [`NullSink`]).
//!
//! Two bundled scenarios, through the real loader and compiler, with the bench's duration and
//! seed set as a user would with `--set`:
//!
//! - `work_queue`: `scenarios/theory/work-queue.yaml`, an M/M/c through the broker: one Redis
//!   list (prefetch 1), c = 10 always-on consumer pods with one slot each, exponential CPU
//!   demand at μ = 10/s on a 1-core limit, Poisson producers at λ = 80/s (ρ = 0.8).
//!   20 000 simulated seconds per iteration (about 1.6 M messages), `sample_interval` 10 s.
//! - `kafka_24_partitions`: `scenarios/entity-event-consumer/scenario.yaml`, a Kafka topic of
//!   24 partitions consumed by a group of 24 single-slot pods, keyed messages (hash
//!   partitioner, 50 000 keys, mild skew) at a diurnal rate (120 ± 80/s), gamma CPU plus
//!   lognormal I/O per message, one consumer crash at 45 min (session timeout, rebalances,
//!   reprocessing). 7 200 simulated seconds (one diurnal period) per iteration, about 0.86 M
//!   messages, with the scenario's own 1 min `sample_interval`.
//!
//! Reported as messages (the run's `requests`: messages produced) per second of wall time.
//!
//! Run with `cargo bench --bench queues`; figures in `benches/README.md`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hpasim_models::rows::{NullSink, RunKey};
use hpasim_models::scenario::load;
use hpasim_models::world::Simulation;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

/// Simulated seconds per iteration of `work_queue`.
const WORK_QUEUE_DURATION_S: u32 = 20_000;

/// Simulated seconds per iteration of `kafka_24_partitions`: one period of the diurnal rate
/// (2 h, about 0.86 M messages). 20 000 s would take ~2 s of wall time per iteration.
const KAFKA_DURATION_S: u32 = 7_200;

/// A bundled scenario (path relative to the repository root) with `--set`-style overrides.
fn compile(scenario: &str, sets: &[String]) -> Simulation {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(scenario);
    let loaded = load(&path, sets).unwrap_or_else(|e| panic!("bench scenario does not load: {e}"));
    Simulation::compile(&loaded.scenario, &loaded.base_dir)
        .unwrap_or_else(|e| panic!("bench scenario does not compile: {e}"))
}

fn queues_benchmark(c: &mut Criterion) {
    let mut group = c.benchmark_group("queues");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.warm_up_time(Duration::from_secs(2));
    let cases = [
        (
            "work_queue",
            compile(
                "scenarios/theory/work-queue.yaml",
                &[
                    format!("duration={WORK_QUEUE_DURATION_S}s"),
                    "sample_interval=10s".to_string(),
                    "seed=7".to_string(),
                ],
            ),
        ),
        (
            "kafka_24_partitions",
            compile(
                "scenarios/entity-event-consumer/scenario.yaml",
                &[
                    format!("duration={KAFKA_DURATION_S}s"),
                    "seed=7".to_string(),
                ],
            ),
        ),
    ];
    for (name, sim) in &cases {
        let key = RunKey {
            scenario: sim.name.clone(),
            variant: (*name).into(),
            replication: 0,
            seed: 7,
        };
        // The run is deterministic: its message count is the same every iteration.
        let probe = sim.run(&key, &mut NullSink);
        assert!(
            probe.completed > probe.requests * 99 / 100,
            "a stable consumer group processes nearly every message: {probe:?}"
        );
        group.throughput(Throughput::Elements(probe.requests));
        group.bench_with_input(BenchmarkId::from_parameter(name), sim, |b, sim| {
            b.iter(|| black_box(sim.run(&key, &mut NullSink).completed));
        });
    }
    group.finish();
}

criterion_group!(benches, queues_benchmark);
criterion_main!(benches);
