//! The `sweep:` block: expansion into variants, their order and names, seeded sampling, and
//! located errors for bad sweeps (in the library and through `hpasim validate`).

use hpasim_models::scenario::{load, Loaded, SpecError};
use hpasim_models::sweep::{plan, variant_scenario, SweepPlan};
use std::path::Path;
use std::process::Command;

const BASE: &str = "tests/fixtures/manifests/inline.yaml";

/// The inline-manifests fixture with `sweep` appended, written to a temporary directory.
fn scenario(sweep: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(BASE)).unwrap();
    let path = dir.path().join("sweep.yaml");
    std::fs::write(&path, format!("{text}{sweep}")).unwrap();
    (dir, path)
}

fn loaded(sweep: &str) -> (tempfile::TempDir, Loaded) {
    let (dir, path) = scenario(sweep);
    let l = load(&path, &[]).unwrap();
    (dir, l)
}

fn planned(sweep: &str) -> Result<SweepPlan, SpecError> {
    let (_dir, l) = loaded(sweep);
    plan(&l)
}

/// `file:line:column` of the first `token` on the first line containing `line_with`.
fn position(path: &Path, line_with: &str, token: &str) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let (i, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(line_with))
        .unwrap();
    format!(
        "{}:{}:{}",
        path.display(),
        i + 1,
        line.find(token).unwrap() + 1
    )
}

fn column(p: &SweepPlan, i: usize) -> Vec<&str> {
    p.variants
        .iter()
        .map(|v| v.params[i].as_deref().unwrap_or("-"))
        .collect()
}

#[test]
fn grid_of_manifest_paths_is_a_product_in_order() {
    let (_d, l) = loaded(
        "sweep:\n  replications: 5\n  grid:\n    hpa.spec.behavior.scaleDown.stabilizationWindowSeconds: [0, 60, 300]\n    hpa.spec.maxReplicas: [4, 8]\n",
    );
    let p = plan(&l).unwrap();
    assert_eq!(p.replications, 5);
    assert_eq!(
        p.parameters,
        [
            "hpa.spec.behavior.scaleDown.stabilizationWindowSeconds",
            "hpa.spec.maxReplicas"
        ]
    );
    let names: Vec<&str> = p.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        ["v0000", "v0001", "v0002", "v0003", "v0004", "v0005"]
    );
    assert_eq!(column(&p, 0), ["0", "0", "60", "60", "300", "300"]);
    assert_eq!(column(&p, 1), ["4", "8", "4", "8", "4", "8"]);
    assert_eq!(
        p.variants[3].sets,
        [
            "hpa.spec.behavior.scaleDown.stabilizationWindowSeconds=60",
            "hpa.spec.maxReplicas=8"
        ]
    );
    let s = variant_scenario(&l, &p.variants[3]).unwrap();
    assert_eq!(s.hpa.unwrap().spec.max_replicas, 8);
    assert!(s.sweep.is_none());
}

#[test]
fn zip_grid_and_named_variants() {
    let p = planned(
        "sweep:\n  grid:\n    hpa.spec.maxReplicas: [4, 8]\n  zip:\n    workload.arrivals.rate: [100, 200]\n    service.cpu.mean: [10ms, 20ms]\n  variants:\n    - name: current-prod\n      set: {hpa.spec.maxReplicas: 10}\n    - name: proposal\n      set: {hpa.spec.maxReplicas: 20, \"hpa.spec.behavior.scaleDown.stabilizationWindowSeconds\": 60}\n",
    )
    .unwrap();
    let names: Vec<&str> = p.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "current-prod",
            "proposal",
            "v0000",
            "v0001",
            "v0002",
            "v0003"
        ]
    );
    assert_eq!(
        p.parameters,
        [
            "hpa.spec.maxReplicas",
            "workload.arrivals.rate",
            "service.cpu.mean",
            "hpa.spec.behavior.scaleDown.stabilizationWindowSeconds"
        ]
    );
    assert_eq!(column(&p, 0), ["10", "20", "4", "4", "8", "8"]);
    assert_eq!(column(&p, 1), ["-", "-", "100", "200", "100", "200"]);
    assert_eq!(column(&p, 2), ["-", "-", "10ms", "20ms", "10ms", "20ms"]);
    assert_eq!(column(&p, 3), ["-", "60", "-", "-", "-", "-"]);
}

#[test]
fn random_and_latin_hypercube_points_are_seeded() {
    let sweep = |kind: &str, seed: u64| {
        format!("sweep:\n  {kind}:\n    samples: 20\n    seed: {seed}\n    parameters:\n      hpa.spec.maxReplicas: {{min: 2, max: 10, integer: true}}\n      workload.arrivals.rate: {{min: 50, max: 150}}\n")
    };
    for kind in ["random", "latin_hypercube"] {
        let a = planned(&sweep(kind, 7)).unwrap();
        assert_eq!(a, planned(&sweep(kind, 7)).unwrap(), "{kind}: same seed");
        assert_ne!(a, planned(&sweep(kind, 8)).unwrap(), "{kind}: other seed");
        let max: Vec<i64> = column(&a, 0).iter().map(|v| v.parse().unwrap()).collect();
        assert!(max.iter().all(|m| (2..=10).contains(m)), "{max:?}");
        let rate: Vec<f64> = column(&a, 1).iter().map(|v| v.parse().unwrap()).collect();
        assert!(rate.iter().all(|r| (50.0..150.0).contains(r)), "{rate:?}");
        assert!(
            column(&a, 1).iter().all(|t| t.len() <= 8),
            "compact: {rate:?}"
        );
        if kind == "latin_hypercube" {
            let mut hit = [0; 20];
            for r in &rate {
                hit[((r - 50.0) / 5.0) as usize] += 1;
            }
            assert_eq!(hit, [1; 20], "one point per stratum");
        }
    }
    // Integer bounds are inclusive.
    let p = planned("sweep:\n  random:\n    samples: 60\n    parameters:\n      hpa.spec.maxReplicas: {min: 2, max: 4, integer: true}\n").unwrap();
    for want in ["2", "3", "4"] {
        assert!(column(&p, 0).contains(&want), "{want}");
    }
}

#[test]
fn bad_sweeps_are_located_with_a_fix() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "sweep:\n  grid:\n    pods.replicsa: [2, 4]\n",
            "pods.replicsa",
            "pods.replicsa",
            "did you mean `pods.replicas`?",
        ),
        (
            "sweep:\n  grid:\n    pods.concurrency: []\n",
            "pods.concurrency",
            "pods.concurrency",
            "sweep.grid.pods.concurrency: needs at least one value",
        ),
        (
            "sweep:\n  zip:\n    pods.concurrency: [1, 2]\n    service.cpu.mean: [1ms]\n",
            "service.cpu.mean",
            "service.cpu.mean",
            "has 1 values but `sweep.zip.pods.concurrency` has 2",
        ),
        (
            "sweep:\n  replications: 0\n",
            "replications: 0",
            "0",
            "sweep.replications: must be at least 1, got 0",
        ),
        (
            "sweep:\n  grid:\n    pods.concurrency: [2, abc]\n",
            "pods.concurrency: [2, abc]",
            "abc",
            "invalid type: string \"abc\", expected u32",
        ),
    ];
    for (sweep, line_with, token, words) in cases {
        let (_d, path) = scenario(sweep);
        let l = load(&path, &[]).unwrap();
        let e = plan(&l).unwrap_err();
        assert_eq!(e.location, position(&path, line_with, token), "{e}");
        assert!(e.message.contains(words), "expected {words:?} in {e}");
        // `hpasim validate` reports the same error and exits 2.
        let out = Command::new(env!("CARGO_BIN_EXE_hpasim"))
            .arg("validate")
            .arg(&path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.starts_with(&format!("error: {}: ", e.location)),
            "{stderr}"
        );
    }
}

#[test]
fn validate_lists_the_sweep_and_run_ignores_it() {
    let (dir, path) =
        scenario("sweep:\n  replications: 2\n  grid:\n    hpa.spec.maxReplicas: [4, 8]\n");
    let out = Command::new(env!("CARGO_BIN_EXE_hpasim"))
        .arg("validate")
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("sweep: 2 variants × 2 replications, parameters: hpa.spec.maxReplicas"),
        "{stdout}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_hpasim"))
        .args(["run", "--duration", "10s", "--out"])
        .arg(dir.path().join("out"))
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn ten_thousand_grid_variants_plan_quickly() {
    let values: Vec<String> = (1..=100).map(|i| i.to_string()).collect();
    let list = values.join(", ");
    let (_d, l) = loaded(&format!(
        "sweep:\n  grid:\n    pods.concurrency: [{list}]\n    workload.arrivals.rate: [{list}]\n"
    ));
    let start = std::time::Instant::now();
    let p = plan(&l).unwrap();
    let took = start.elapsed();
    eprintln!("planned {} variants in {took:?}", p.variants.len());
    assert_eq!(p.variants.len(), 10_000);
    assert_eq!(p.variants[9_999].name, "v9999");
    assert!(took.as_secs_f64() < 10.0, "{took:?}");
}
