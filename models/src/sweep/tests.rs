use super::*;
use crate::scenario::load_str;
use std::path::Path;

const BASE: &str = "\
name: demo
duration: 10m
workload:
  arrivals:
    kind: constant
    rate: 100
service:
  cpu:
    dist: exponential
    mean: 20ms
pods:
  replicas: 2
  concurrency: 4
  cpu_request: 500m
";

fn load(sweep: &str) -> Loaded {
    load_str(&format!("{BASE}{sweep}"), Path::new("demo.yaml"), &[]).unwrap()
}

fn planned(sweep: &str) -> SweepPlan {
    plan(&load(sweep)).unwrap()
}

fn error(sweep: &str) -> SpecError {
    plan(&load(sweep)).unwrap_err()
}

fn names(p: &SweepPlan) -> Vec<&str> {
    p.variants.iter().map(|v| v.name.as_str()).collect()
}

fn col(p: &SweepPlan, i: usize) -> Vec<Option<&str>> {
    p.variants.iter().map(|v| v.params[i].as_deref()).collect()
}

#[test]
fn no_sweep_is_one_base_variant() {
    let p = plan(&load_str(BASE, Path::new("demo.yaml"), &[]).unwrap()).unwrap();
    assert_eq!(names(&p), ["base"]);
    assert_eq!(p.replications, 1);
    assert!(p.parameters.is_empty() && p.variants[0].sets.is_empty());
}

#[test]
fn grid_is_a_product_with_the_first_path_slowest() {
    let p = planned(
        "sweep:\n  replications: 3\n  grid:\n    pods.replicas: [2, 4, 6]\n    service.cpu.mean: [10ms, 20ms]\n",
    );
    assert_eq!(p.replications, 3);
    assert_eq!(p.parameters, ["pods.replicas", "service.cpu.mean"]);
    assert_eq!(
        names(&p),
        ["v0000", "v0001", "v0002", "v0003", "v0004", "v0005"]
    );
    assert_eq!(
        col(&p, 0),
        [
            Some("2"),
            Some("2"),
            Some("4"),
            Some("4"),
            Some("6"),
            Some("6")
        ]
    );
    assert_eq!(col(&p, 1)[..2], [Some("10ms"), Some("20ms")]);
    assert_eq!(
        p.variants[3].sets,
        ["pods.replicas=4", "service.cpu.mean=20ms"]
    );
}

#[test]
fn variant_scenario_applies_the_sets_and_drops_the_sweep() {
    let l = load("sweep:\n  grid:\n    pods.replicas: [2, 4, 6]\n");
    let p = plan(&l).unwrap();
    let s = variant_scenario(&l, &p.variants[2]).unwrap();
    assert_eq!(s.pods.replicas, Some(6));
    assert!(s.sweep.is_none());
}

#[test]
fn zip_and_grid_times_zip() {
    let p = planned(
        "sweep:\n  zip:\n    workload.arrivals.rate: [100, 200.5]\n    service.cpu.mean: [10ms, 20ms]\n",
    );
    assert_eq!(names(&p), ["v0000", "v0001"]);
    assert_eq!(col(&p, 0), [Some("100"), Some("200.5")]);
    assert_eq!(col(&p, 1), [Some("10ms"), Some("20ms")]);
    let p = planned(
        "sweep:\n  grid:\n    pods.replicas: [2, 4, 6]\n  zip:\n    workload.arrivals.rate: [100, 200]\n    service.cpu.mean: [10ms, 20ms]\n",
    );
    assert_eq!(p.variants.len(), 6);
    assert_eq!(
        p.parameters,
        [
            "pods.replicas",
            "workload.arrivals.rate",
            "service.cpu.mean"
        ]
    );
    assert_eq!(
        p.variants[1].sets,
        [
            "pods.replicas=2",
            "workload.arrivals.rate=200",
            "service.cpu.mean=20ms"
        ]
    );
}

#[test]
fn named_variants_come_first_and_add_their_own_columns() {
    let p = planned(
        "sweep:\n  grid:\n    pods.replicas: [2, 4]\n  variants:\n    - name: prod\n      set: {pods.replicas: 3, pods.concurrency: 8}\n    - name: plain\n",
    );
    assert_eq!(names(&p), ["prod", "plain", "v0000", "v0001"]);
    assert_eq!(p.parameters, ["pods.replicas", "pods.concurrency"]);
    assert_eq!(p.variants[0].params, [Some("3".into()), Some("8".into())]);
    assert_eq!(p.variants[1].params, [None, None]);
    assert_eq!(p.variants[2].params, [Some("2".into()), None]);
}

#[test]
fn random_and_latin_hypercube_are_seeded() {
    let text = |kind: &str, seed: u64| {
        format!("sweep:\n  {kind}:\n    samples: 20\n    seed: {seed}\n    parameters:\n      pods.replicas: {{min: 2, max: 4, integer: true}}\n      workload.arrivals.rate: {{min: 50, max: 150}}\n")
    };
    for kind in ["random", "latin_hypercube"] {
        let a = planned(&text(kind, 7));
        assert_eq!(a, planned(&text(kind, 7)));
        assert_ne!(a, planned(&text(kind, 8)));
        assert_eq!(a.variants.len(), 20);
        assert_eq!(a.variants[19].name, "v0019");
        let reps: Vec<i64> = col(&a, 0)
            .iter()
            .map(|v| v.unwrap().parse().unwrap())
            .collect();
        assert!(reps.iter().all(|r| (2..=4).contains(r)), "{reps:?}");
        assert!(reps.contains(&2) && reps.contains(&4), "{kind}: {reps:?}");
        let rates: Vec<f64> = col(&a, 1)
            .iter()
            .map(|v| v.unwrap().parse().unwrap())
            .collect();
        assert!(rates.iter().all(|r| (50.0..150.0).contains(r)));
        if kind == "latin_hypercube" {
            let mut hit = [0; 20];
            for r in &rates {
                hit[((r - 50.0) / 5.0) as usize] += 1;
            }
            assert_eq!(hit, [1; 20]);
        }
    }
}

#[test]
fn bad_sweeps_are_located_errors() {
    let e = error("sweep:\n  grid:\n    pods.replicsa: [2, 4]\n");
    assert_eq!(e.location, "demo.yaml:17:5");
    assert!(
        e.message
            .starts_with("sweep.grid.pods.replicsa: `pods.replicsa` is not a scenario parameter"),
        "{e}"
    );
    assert!(e.message.contains("did you mean `pods.replicas`?"), "{e}");
    let e = error("sweep:\n  grid:\n    pods.replicas: []\n");
    assert_eq!(e.location, "demo.yaml:17:5");
    assert_eq!(
        e.message,
        "sweep.grid.pods.replicas: needs at least one value"
    );
    let e = error("sweep:\n  zip:\n    pods.replicas: [1, 2]\n    service.cpu.mean: [1ms]\n");
    assert_eq!(e.location, "demo.yaml:18:5");
    assert!(
        e.message
            .contains("has 1 values but `sweep.zip.pods.replicas` has 2"),
        "{e}"
    );
    let e = error("sweep:\n  replications: 0\n");
    assert_eq!(e.location, "demo.yaml:16:17");
    assert!(e.message.contains("must be at least 1"), "{e}");
    let e = error("sweep:\n  grid:\n    pods.replicas: [2, abc]\n");
    assert_eq!(e.location, "demo.yaml:17:24");
    assert!(
        e.message
            .contains("sweep.grid.pods.replicas[1] (variant `v0001`)"),
        "{e}"
    );
    assert!(
        e.message
            .contains("invalid type: string \"abc\", expected u32"),
        "{e}"
    );
    let e = error("sweep:\n  random: {samples: 3, parameters: {pods.replicas: {min: 5, max: 2}}}\n  grid: {pods.concurrency: [1]}\n");
    assert!(e.message.contains("cannot be combined with `grid`"), "{e}");
    let e =
        error("sweep:\n  random: {samples: 3, parameters: {pods.replicas: {min: 5, max: 2}}}\n");
    assert!(e.message.contains("is greater than `max`"), "{e}");
    let e = error(
        "sweep:\n  latin_hypercube: {samples: 0, parameters: {pods.replicas: {min: 1, max: 2}}}\n",
    );
    assert!(e.message.contains("samples: must be at least 1"), "{e}");
    let e = error("sweep:\n  variants:\n    - {name: a}\n    - {name: a}\n");
    assert!(e.message.contains("variant name `a` is used twice"), "{e}");
    let e = error("sweep:\n  grid:\n    workload.arrivals.rate: [5, -1]\n");
    assert_eq!(e.location, "demo.yaml:17:33");
    assert!(
        e.message.starts_with(
            "sweep.grid.workload.arrivals.rate[1] (variant `v0001`): workload.arrivals.rate: "
        ),
        "{e}"
    );
}
