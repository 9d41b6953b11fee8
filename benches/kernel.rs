//! The event queue alone: the classic "hold" benchmark.
//!
//! N events are pending at all times. One hold operation pops the earliest event and schedules
//! a new one at `now + Exp(mean)`, drawn from a [`StreamRng`]: the pattern of a simulation in
//! steady state. Reported as events per second (one hold = one event popped and one
//! scheduled), for N = 16 (a small model), 1 000 and 100 000 (a large model, heap larger than
//! L2).
//!
//! Run with `cargo bench --bench kernel`; figures in `benches/README.md`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hpasim_sim::{EventQueue, SimDuration, SimTime, StreamRng, Streams};
use rand::Rng;
use std::hint::black_box;
use std::time::Duration;

/// Mean inter-event gap of each pending event [ns]: 1 ms.
const MEAN_NS: f64 = 1e6;

/// Hold operations per measured iteration (amortises the timer).
const HOLDS_PER_ITER: u64 = 1_000;

/// An Exp(`mean_ns`) delay, from one 64-bit draw (inverse transform on (0, 1]).
#[inline]
fn exp_delay(rng: &mut StreamRng, mean_ns: f64) -> SimDuration {
    // 53 random bits → u in (0, 1], so ln(u) is finite.
    let u = ((rng.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64);
    SimDuration((-mean_ns * u.ln()) as u64)
}

/// A queue holding `n` pending events, as after a warm-up of the hold model.
fn primed_queue(n: usize, rng: &mut StreamRng) -> EventQueue<u64> {
    let mut queue = EventQueue::with_capacity(n);
    for i in 0..n as u64 {
        queue
            .schedule(SimTime::ZERO + exp_delay(rng, MEAN_NS), i)
            .expect("time zero is not in the past");
    }
    // Warm up: let the time distribution of the pending set reach steady state.
    for _ in 0..(4 * n).max(10_000) {
        hold(&mut queue, rng);
    }
    queue
}

/// One hold operation: pop the earliest event, schedule its successor.
#[inline]
fn hold(queue: &mut EventQueue<u64>, rng: &mut StreamRng) -> u64 {
    let (now, payload) = queue.pop().expect("the hold model never runs dry");
    queue
        .schedule(now + exp_delay(rng, MEAN_NS), payload.wrapping_add(1))
        .expect("now + delay is never in the past");
    payload
}

fn hold_benchmark(c: &mut Criterion) {
    let mut group = c.benchmark_group("event_queue_hold");
    group.throughput(Throughput::Elements(HOLDS_PER_ITER));
    group.measurement_time(Duration::from_secs(5));
    group.warm_up_time(Duration::from_secs(1));
    for n in [16usize, 1_000, 100_000] {
        let mut rng = Streams::new(1, 0).get("hold");
        let mut queue = primed_queue(n, &mut rng);
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                let mut acc = 0u64;
                for _ in 0..HOLDS_PER_ITER {
                    acc = acc.wrapping_add(hold(&mut queue, &mut rng));
                }
                black_box(acc)
            });
        });
        assert_eq!(queue.len(), n, "the hold model keeps N events pending");
    }
    group.finish();
}

/// The delay draw alone (RNG + logarithm), to separate its cost from the queue's.
fn draw_benchmark(c: &mut Criterion) {
    let mut group = c.benchmark_group("exp_draw_only");
    group.throughput(Throughput::Elements(HOLDS_PER_ITER));
    group.measurement_time(Duration::from_secs(3));
    group.warm_up_time(Duration::from_secs(1));
    let mut rng = Streams::new(1, 0).get("hold");
    group.bench_function("1000", |b| {
        b.iter(|| {
            let mut acc = 0u64;
            for _ in 0..HOLDS_PER_ITER {
                acc = acc.wrapping_add(exp_delay(&mut rng, MEAN_NS).as_nanos());
            }
            black_box(acc)
        });
    });
    group.finish();
}

criterion_group!(benches, hold_benchmark, draw_benchmark);
criterion_main!(benches);
