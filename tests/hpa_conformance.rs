//! HPA conformance: one named case per rule of ../shared/hpa-spec.md (§1–§7), through the
//! library (`hpa::reconcile`, cases in [`calculator`] and [`normalize`]) and through
//! `hpasim hpa eval` on the YAML fixtures in `tests/fixtures/hpa/` ([`eval`]).
//!
//! Case names mirror the upstream test they restate (`horizontal_test.go`,
//! `replica_calculator_test.go`) where one exists; the inputs are built from the rules and the
//! expected numbers are worked out by hand in the comment beside each case. Unless a case says
//! otherwise: requests 1000m CPU per pod, tolerance 0.1, Kubernetes 1.35, upstream controller
//! defaults, and `History` with an empty (non-nil) recommendation list, as the upstream tests do.

mod calculator;
mod eval;
mod normalize;

use hpasim_models::hpa::behavior::Reason::{self, *};
use hpasim_models::hpa::{
    reconcile, ClusterSnapshot, ContainerSnapshot, ControllerConfig, History, HpaSpec, KubeVersion,
    PodPhase, PodSnapshot, Recommendation, ScaleEvent,
};
use hpasim_sim::{SimDuration, SimTime, NANOS_PER_SEC};
use std::collections::BTreeMap;

const NOW: SimTime = SimTime(100_000 * NANOS_PER_SEC);

/// `s` seconds before [`NOW`].
fn ago(s: u64) -> SimTime {
    SimTime(NOW.0 - s * NANOS_PER_SEC)
}

/// An HPA spec from the YAML of its fields (scaleTargetRef added).
fn spec(fields: &str) -> HpaSpec {
    let text = format!("scaleTargetRef: {{kind: Deployment, name: web}}\n{fields}");
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// `metrics:` with one Resource Utilization metric.
fn util(resource: &str, pct: i32) -> String {
    format!("metrics:\n- type: Resource\n  resource: {{name: {resource}, target: {{type: Utilization, averageUtilization: {pct}}}}}\n")
}

/// A Running, Ready pod started 10 min ago with one container `app` requesting 1000m of
/// `resource` and using `usage` (None = no metric).
fn pod(name: &str, resource: &str, usage: Option<i64>) -> PodSnapshot {
    let mut p = PodSnapshot::running(name, NOW);
    let mut c = ContainerSnapshot {
        name: "app".into(),
        ..Default::default()
    };
    c.requests.insert(resource.into(), 1000);
    if let Some(u) = usage {
        c.usage.insert(resource.into(), u);
    }
    p.containers.push(c);
    p
}

/// CPU pods with these usages [m].
fn cpu_pods(usages: &[i64]) -> Vec<PodSnapshot> {
    usages
        .iter()
        .enumerate()
        .map(|(i, u)| pod(&format!("p{i}"), "cpu", Some(*u)))
        .collect()
}

/// Pods with Pods-metric `name` values [m] (None = missing).
fn metric_pods(name: &str, values: &[Option<i64>]) -> Vec<PodSnapshot> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let mut p = PodSnapshot::running(&format!("p{i}"), NOW);
            if let Some(v) = v {
                p.metrics.insert(name.into(), *v);
            }
            p
        })
        .collect()
}

fn snap(replicas: i32, pods: Vec<PodSnapshot>) -> ClusterSnapshot {
    ClusterSnapshot {
        spec_replicas: replicas,
        status_replicas: replicas,
        pods,
        ..Default::default()
    }
}

fn no_history() -> History {
    History {
        recommendations: Some(Vec::new()),
        ..Default::default()
    }
}

fn recs(list: &[(i32, u64)]) -> History {
    History {
        recommendations: Some(
            list.iter()
                .map(|&(replicas, s)| Recommendation {
                    replicas,
                    at: ago(s),
                })
                .collect(),
        ),
        ..Default::default()
    }
}

fn event(replicas: i32, s: u64) -> ScaleEvent {
    ScaleEvent {
        replicas,
        at: ago(s),
        outdated: false,
    }
}

/// One conformance case.
struct Case {
    name: &'static str,
    hpa: HpaSpec,
    cfg: ControllerConfig,
    snap: ClusterSnapshot,
    history: History,
    /// (proposal, desired_replicas, reason)
    expect: (Option<i32>, i32, Reason),
}

fn case(
    name: &'static str,
    hpa: HpaSpec,
    snap: ClusterSnapshot,
    expect: (Option<i32>, i32, Reason),
) -> Case {
    Case {
        name,
        hpa,
        cfg: ControllerConfig::default(),
        snap,
        history: no_history(),
        expect,
    }
}

impl Case {
    fn cfg(mut self, f: impl FnOnce(&mut ControllerConfig)) -> Case {
        f(&mut self.cfg);
        self
    }
    fn history(mut self, h: History) -> Case {
        self.history = h;
        self
    }
    fn version(self, minor: u32) -> Case {
        self.cfg(|c| *c = ControllerConfig::for_version(KubeVersion::new(1, minor)))
    }
}
#[test]
fn conformance_table() {
    let all: Vec<Case> = [
        calculator::calculator_cases(),
        normalize::combining_and_bound_cases(),
        normalize::legacy_cases(),
        normalize::behavior_cases(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut failures = Vec::new();
    for mut c in all {
        let r = reconcile(&c.hpa, &c.cfg, &c.snap, &mut c.history, NOW);
        let got = (r.proposal, r.desired_replicas, r.reason);
        if got != c.expect {
            failures.push(format!(
                "{}: expected (proposal, desired, reason) = {:?}, got {got:?}\n  metrics: {:?}",
                c.name, c.expect, r.metrics
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
