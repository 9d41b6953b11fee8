//! `hpasim sweep` on all cores: the speed-up of 2 threads over 1 on this 2-core machine.
//!
//! The sweep is `tests/fixtures/sweep/mmc-grid.yaml` (M/M/c, a 2 × 2 grid) with 16
//! replications of 2 simulated hours: 64 runs, about 7 M requests, through the real binary
//! (planning, compiling, chunked parallel runs, the CSV files and aggregate.csv).
//! Reported per sweep; the speed-up is the ratio of the two medians.
//!
//! Run with `cargo bench --bench sweep`; figures in `benches/README.md` and the README.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::process::Command;
use std::time::Duration;

fn sweep(threads: usize, out: &std::path::Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_hpasim"))
        .args([
            "sweep",
            "tests/fixtures/sweep/mmc-grid.yaml",
            "-q",
            "--set",
            "duration=2h",
            "--replications",
            "16",
            "--threads",
            &threads.to_string(),
            "--out",
        ])
        .arg(out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("hpasim starts");
    assert!(status.success());
}

fn sweep_benchmark(c: &mut Criterion) {
    let mut group = c.benchmark_group("sweep_mmc_64_runs");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));
    group.warm_up_time(Duration::from_secs(3));
    let tmp = std::env::temp_dir().join(format!("hpasim-sweep-bench-{}", std::process::id()));
    for threads in [1usize, 2] {
        group.bench_with_input(BenchmarkId::from_parameter(threads), &threads, |b, &t| {
            b.iter(|| {
                let out = tmp.join(format!("t{t}"));
                let _ = std::fs::remove_dir_all(&out);
                sweep(t, &out);
            })
        });
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&tmp);
}

criterion_group!(benches, sweep_benchmark);
criterion_main!(benches);
