//! One HPA reconcile: the guide-000 GraphQL gateway HPA (CPU, memory and a Pods metric, full
//! `behavior`) over 20 pods, as the controller runs it every sync period.
//!
//! Run with `cargo bench --bench hpa`; the figure is in the README.

use criterion::{criterion_group, criterion_main, Criterion};
use hpasim_models::hpa::{
    reconcile, ClusterSnapshot, ContainerSnapshot, ControllerConfig, History, PodSnapshot,
};
use hpasim_models::scenario::load;
use hpasim_sim::SimTime;
use std::hint::black_box;
use std::path::Path;

fn snapshot(now: SimTime) -> ClusterSnapshot {
    let pods = (0..20)
        .map(|i| {
            let mut pod = PodSnapshot::running(&format!("gw-{i}"), now);
            let mut c = ContainerSnapshot {
                name: "gateway".into(),
                ..ContainerSnapshot::default()
            };
            c.requests.insert("cpu".into(), 1000);
            c.requests.insert("memory".into(), 1 << 40);
            c.usage.insert("cpu".into(), 600 + 10 * i);
            c.usage.insert("memory".into(), 1 << 39);
            pod.containers.push(c);
            pod.metrics
                .insert("http_requests_per_second".into(), 800_000 + 1000 * i);
            pod
        })
        .collect();
    ClusterSnapshot {
        spec_replicas: 20,
        status_replicas: 20,
        pods,
        ..ClusterSnapshot::default()
    }
}

fn reconcile_benchmark(c: &mut Criterion) {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/graphql-gateway/scenario.yaml");
    let loaded = load(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
    let spec = loaded
        .scenario
        .hpa
        .expect("the gateway scenario has an HPA")
        .spec;
    let cfg = ControllerConfig::default();
    let now = SimTime::from_secs_f64(3600.0);
    let snap = snapshot(now);
    c.bench_function("hpa_reconcile_20_pods_3_metrics", |b| {
        b.iter(|| {
            let mut history = History::default();
            black_box(reconcile(&spec, &cfg, &snap, &mut history, now).desired_replicas)
        })
    });
}

criterion_group!(benches, reconcile_benchmark);
criterion_main!(benches);
