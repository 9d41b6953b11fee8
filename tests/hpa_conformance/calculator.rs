//! Calculator cases (hpa-spec §2, §3, 7.3–7.9): per-metric proposals, tolerance in both
//! versions, missing and unready pods, CPU initialization, rolling-update surge, Object and
//! External targets; and the pod grouping rules one pod at a time.

use super::*;
use hpasim_models::hpa::calculator::{group_pods, resource_metrics};

pub(super) fn calculator_cases() -> Vec<Case> {
    let max = "minReplicas: 1\nmaxReplicas: 100\n";
    let cpu50 = spec(&format!("{max}{}", util("cpu", 50)));
    let cpu30 = spec(&format!("{max}{}", util("cpu", 30)));
    let mut cases = vec![
        // 2.1/3.1: (300+500+700)·100/3000 = 50 %; 50/30 = 1.667; ceil(1.667·3) = 5.
        case(
            "TestReplicaCalcScaleUp",
            cpu30.clone(),
            snap(3, cpu_pods(&[300, 500, 700])),
            (Some(5), 5, DesiredWithinRange),
        ),
        // 1400·100/5000 = 28 %; 28/50 = 0.56; ceil(0.56·5) = ceil(2.8) = 3.
        case(
            "TestReplicaCalcScaleDown",
            cpu50.clone(),
            snap(5, cpu_pods(&[100, 300, 500, 250, 250])),
            (Some(3), 3, DesiredWithinRange),
        ),
        // 3.4: 50 % vs 50 % → ratio 1 → current.
        case(
            "TestReplicaCalcTolerance: within tolerance keeps current",
            cpu50.clone(),
            snap(3, cpu_pods(&[480, 500, 520])),
            (Some(3), 3, DesiredWithinRange),
        ),
        // 7.8: 10 pods at 509m → util trunc(50.9) = 50; 50/56 = 0.893 < 0.9 → ceil(8.93) = 9
        // (the exact 50.9/56 = 0.909 would have been within tolerance).
        case(
            "TestReplicaCalcComputedToleranceAlgImplementation: 50 vs 56 scales",
            spec(&format!("{max}{}", util("cpu", 56))),
            snap(10, cpu_pods(&[509; 10])),
            (Some(9), 9, DesiredWithinRange),
        ),
        // 50/55 = 0.909 ≥ 0.9 → within → current 10.
        case(
            "TestReplicaCalcComputedToleranceAlgImplementation: 50 vs 55 does not",
            spec(&format!("{max}{}", util("cpu", 55))),
            snap(10, cpu_pods(&[509; 10])),
            (Some(10), 10, DesiredWithinRange),
        ),
        // 0.2 / 3.4: 55/50 = 1.1: v1.33+ `r <= 1 + 0.1` holds → current 4.
        case(
            "tolerance boundary 55 vs 50, v1.35: inside",
            cpu50.clone(),
            snap(4, cpu_pods(&[550; 4])),
            (Some(4), 4, DesiredWithinRange),
        ),
        // pre-1.33 `|1 - 1.1| = 0.10000000000000009 > 0.1` → ceil(1.1·4) = 5.
        case(
            "tolerance boundary 55 vs 50, v1.32: outside",
            cpu50.clone(),
            snap(4, cpu_pods(&[550; 4])),
            (Some(5), 5, DesiredWithinRange),
        )
        .version(32),
        // 45/50 = 0.9: inside in both forms.
        case(
            "tolerance lower boundary 45 vs 50, v1.32: inside",
            cpu50.clone(),
            snap(4, cpu_pods(&[450; 4])),
            (Some(4), 4, DesiredWithinRange),
        )
        .version(32),
        // 3.4 per-HPA tolerance (1.35, gate on): up 0.2 → 60/50 = 1.2 ≤ 1 + 0.2 (same double) → current.
        case(
            "configurable tolerance 0.2: 60 vs 50 is inside",
            spec(&format!(
                "{max}{}behavior:\n  scaleUp: {{tolerance: 200m}}\n",
                util("cpu", 50)
            )),
            snap(4, cpu_pods(&[600; 4])),
            (Some(4), 4, DesiredWithinRange),
        ),
        // 61/50 = 1.22 > 1.2 → ceil(1.22·4) = 5.
        case(
            "configurable tolerance 0.2: 61 vs 50 is outside",
            spec(&format!(
                "{max}{}behavior:\n  scaleUp: {{tolerance: 200m}}\n",
                util("cpu", 50)
            )),
            snap(4, cpu_pods(&[610; 4])),
            (Some(5), 5, DesiredWithinRange),
        ),
        // Gate off in 1.34: the field is ignored; 60/50 = 1.2 > 1.1 → ceil(4.8) = 5.
        case(
            "configurable tolerance ignored with the gate off (1.34)",
            spec(&format!(
                "{max}{}behavior:\n  scaleUp: {{tolerance: 200m}}\n",
                util("cpu", 50)
            )),
            snap(4, cpu_pods(&[600; 4])),
            (Some(5), 5, DesiredWithinRange),
        )
        .version(34),
        // 2.5/3.1: p0 Ready=False (CPU) → unready. Ready: 1200/2000 = 60 %, ratio 2 > 1 →
        // unready at 0: 1200/3000 = 40 % → 1.333 → ceil(4.0) = 4.
        case(
            "TestReplicaCalcScaleUpUnreadyLessScale",
            cpu30.clone(),
            snap(3, {
                let mut p = cpu_pods(&[300, 500, 700]);
                p[0].ready = Some(false);
                p[0].ready_since = ago(590); // became NotReady 10 s after start: never ready
                p
            }),
            (Some(4), 4, DesiredWithinRange),
        ),
        // 3.1 step 5: unready pods are left out on scale-down. Ready p1, p2: 800/2000 = 40 % →
        // 0.8 → ceil(0.8·2) = 2.
        case(
            "TestReplicaCalcScaleDownExcludeUnreadyPods",
            cpu50.clone(),
            snap(5, {
                let mut p = cpu_pods(&[100, 300, 500, 250, 250]);
                for i in [0, 3, 4] {
                    p[i].ready = Some(false);
                    p[i].ready_since = ago(595);
                }
                p
            }),
            (Some(2), 2, DesiredWithinRange),
        ),
        // 2.5 step 4, memory: the NotReady pod is counted: 3000/3000 = 100 % → 2 → ceil(6) = 6.
        case(
            "memory: NotReady pods with a metric count as ready",
            spec(&format!("{max}{}", util("memory", 50))),
            snap(3, {
                let mut p: Vec<_> = (0..3)
                    .map(|i| pod(&format!("p{i}"), "memory", Some(1000)))
                    .collect();
                p[2].ready = Some(false);
                p
            }),
            (Some(6), 6, DesiredWithinRange),
        ),
        // Same numbers on CPU with p2 inside its initialization period: p2 unready; ready
        // 2000/2000 = 100 % → 2 > 1; p2 at 0 → 66 % → 1.32 → ceil(3.96) = 4.
        case(
            "cpu: a pod in its initialization period scales less",
            cpu50.clone(),
            snap(3, {
                let mut p = cpu_pods(&[1000, 1000, 1000]);
                p[2].start_time = Some(ago(60));
                p[2].ready_since = ago(30); // metric at now < ready_since + 60 s window
                p
            }),
            (Some(4), 4, DesiredWithinRange),
        ),
        // 2.5 step 1: Failed and deleting pods are ignored: p0, p1 at 90 % → 1.8 → ceil(3.6) = 4.
        case(
            "ignored pods: Failed and deleting are dropped",
            cpu50.clone(),
            snap(4, {
                let mut p = cpu_pods(&[900, 900, 100, 100]);
                p[2].phase = PodPhase::Failed;
                p[3].deleting = true;
                p
            }),
            (Some(4), 4, DesiredWithinRange),
        ),
        // 3.1 step 5 (v1.26+): missing pod on scale-down counts as max(100, 300) = 300 % of its
        // request: (500·3 + 3000)·100/4000 = 112 % → 0.373 → ceil(1.49) = 2.
        case(
            "TestReplicaCalcMissingMetricsScaleDownTargetOver100",
            spec(&format!("{max}{}", util("cpu", 300))),
            snap(4, {
                let mut p = cpu_pods(&[500, 500, 500, 0]);
                p[3].containers[0].usage.clear();
                p
            }),
            (Some(2), 2, DesiredWithinRange),
        ),
        // Before 1.26 the missing pod counts as 100 %: 2500·100/4000 = 62 % → 0.2067 → ceil(0.83) = 1.
        case(
            "missing metrics on scale-down before 1.26 count as 100 %",
            spec(&format!("{max}{}", util("cpu", 300))),
            snap(4, {
                let mut p = cpu_pods(&[500, 500, 500, 0]);
                p[3].containers[0].usage.clear();
                p
            }),
            (Some(1), 1, DesiredWithinRange),
        )
        .version(25),
        // 7.7: ratio exactly 1 (100 % vs 100 %) with a missing pod: not filled → current 2.
        case(
            "TestReplicaCalcMissingMetricsNoChangeEq",
            spec(&format!("{max}{}", util("cpu", 100))),
            snap(2, {
                let mut p = cpu_pods(&[1000, 0]);
                p[1].containers[0].usage.clear();
                p
            }),
            (Some(2), 2, DesiredWithinRange),
        ),
        // 3.1 step 7: ratio 60/50 = 1.2 but the two missing pods at 0 give 1200/4000 = 30 % →
        // 0.6: the direction flipped → current 4.
        case(
            "missing pods flip a scale-up: keep current",
            cpu50.clone(),
            snap(4, {
                let mut p = cpu_pods(&[600, 600, 0, 0]);
                p[2].containers[0].usage.clear();
                p[3].containers[0].usage.clear();
                p
            }),
            (Some(4), 4, DesiredWithinRange),
        ),
        // 3.1 step 9: spec 2, surge pod p2 without metric. 10 % → 0.2; p2 at 100 %:
        // 1200/3000 = 40 % → 0.8 → ceil(2.4) = 3 > 2 while scaling down → current 2.
        case(
            "TestReplicaCalcDuringRollingUpdateWithMaxSurge",
            cpu50.clone(),
            snap(2, {
                let mut p = cpu_pods(&[100, 100, 0]);
                p[2].containers[0].usage.clear();
                p
            }),
            (Some(2), 2, DesiredWithinRange),
        ),
        // 2.1/3.1: metrics for 6 pods, 4 listed: (4000+9500+3000+7000)·100/4000 = 587 % →
        // 5.87 → ceil(5.87·4) = 24 (not clamped by the calculator; max 100 here; the
        // unit-test cap factor 8 gives max(8·4, 4) = 32).
        case(
            "TestReplicaCalcSuperfluousMetrics",
            spec(&format!("{max}{}", util("cpu", 100))),
            snap(4, {
                let mut p = cpu_pods(&[4000, 9500, 3000, 7000, 3200, 2000]);
                p[4].listed = false;
                p[5].listed = false;
                p
            }),
            (Some(24), 24, DesiredWithinRange),
        )
        .cfg(|c| c.scale_up_limit_factor = 8.0),
        // 7.3: same, maxReplicas 6 → TooManyReplicas (legacy cap max(2·4, 4) = 8 > 6).
        case(
            "TestSuperfluousMetrics",
            spec(&format!(
                "minReplicas: 1\nmaxReplicas: 6\n{}",
                util("cpu", 100)
            )),
            snap(4, {
                let mut p = cpu_pods(&[4000, 9500, 3000, 7000, 3200, 2000]);
                p[4].listed = false;
                p[5].listed = false;
                p
            }),
            (Some(24), 6, TooManyReplicas),
        ),
        // 7.5: spec 4, status 5, 5 pods at 50 % → within tolerance → spec replicas 4.
        case(
            "TestMoreReplicasThanSpecNoScale",
            cpu50.clone(),
            ClusterSnapshot {
                status_replicas: 5,
                ..snap(4, cpu_pods(&[500; 5]))
            },
            (Some(4), 4, DesiredWithinRange),
        ),
        // 7.6: spec 4, one pod at 80 % → 1.6 → ceil(1.6·1) = 2.
        case(
            "TestMissingReports",
            cpu50.clone(),
            snap(4, cpu_pods(&[800])),
            (Some(2), 2, DesiredWithinRange),
        ),
        // DEF: no metrics → CPU 80 %: 4 pods at 40 % → 0.5 → ceil(2) = 2.
        case(
            "default metric is CPU at 80 %",
            spec(max),
            snap(4, cpu_pods(&[400; 4])),
            (Some(2), 2, DesiredWithinRange),
        ),
    ];
    let qps = |target: &str| {
        spec(&format!("{max}metrics:\n- type: Pods\n  pods: {{metric: {{name: qps}}, target: {{type: AverageValue, averageValue: \"{target}\"}}}}\n"))
    };
    cases.extend([
        // 2.2/3.2: avg (20+10+30)/3 = 20 vs 10 → 2 → ceil(6) = 6; p0 NotReady still counts (not CPU).
        case(
            "TestReplicaCalcScaleUpCMUnreadyHotCpuNoLessScale",
            qps("10"),
            snap(3, {
                let mut p = metric_pods("qps", &[Some(20_000), Some(10_000), Some(30_000)]);
                p[0].ready = Some(false);
                p
            }),
            (Some(6), 6, DesiredWithinRange),
        ),
        // 3.2: missing pod on scale-down gets the target: (5+5+10)/3 = 6.666 → 0.6666 → ceil(1.9998) = 2.
        case(
            "pods metric: missing pod on scale-down counts at the target",
            qps("10"),
            snap(3, metric_pods("qps", &[Some(5_000), Some(5_000), None])),
            (Some(2), 2, DesiredWithinRange),
        ),
        // 7.9: a scale a moment ago does not block a scale-up: 15 vs 10 avg → 1.5 → ceil(4.5) = 5.
        case(
            "TestNoBackoffUpscaleCM",
            qps("10"),
            snap(3, metric_pods("qps", &[Some(15_000); 3])),
            (Some(5), 5, DesiredWithinRange),
        )
        .history(History {
            scale_up_events: vec![event(2, 1)],
            ..no_history()
        }),
    ]);
    let object = |t: &str| {
        spec(&format!("{max}metrics:\n- type: Object\n  object: {{metric: {{name: rps}}, describedObject: {{kind: Ingress, name: web}}, target: {t}}}\n"))
    };
    let external = |t: &str| {
        spec(&format!("minReplicas: 0\nmaxReplicas: 100\nmetrics:\n- type: External\n  external: {{metric: {{name: queue}}, target: {t}}}\n"))
    };
    let with_object = |s: ClusterSnapshot, v: i64| ClusterSnapshot {
        object_metrics: BTreeMap::from([("rps".into(), v)]),
        ..s
    };
    let with_queue = |s: ClusterSnapshot, v: Vec<i64>| ClusterSnapshot {
        external_metrics: BTreeMap::from([("queue".into(), v)]),
        ..s
    };
    cases.extend([
        // 3.3 Value: 25/10 = 2.5 → ceil(2.5 · 2 ready) = 5 (p2 NotReady is not counted).
        case(
            "object Value: ratio times ready pods",
            object("{type: Value, value: 10}"),
            with_object(
                snap(3, {
                    let mut p = metric_pods("x", &[None, None, None]);
                    p[2].ready = Some(false);
                    p
                }),
                25_000,
            ),
            (Some(5), 5, DesiredWithinRange),
        ),
        // 3.3 AverageValue uses status replicas: 8/(2·4) = 1 → within → status 4 (spec 3).
        case(
            "external AverageValue: within tolerance returns status replicas",
            external("{type: AverageValue, averageValue: 2}"),
            with_queue(
                ClusterSnapshot {
                    status_replicas: 4,
                    ..snap(3, vec![])
                },
                vec![3_000, 5_000],
            ),
            (Some(4), 4, DesiredWithinRange),
        ),
        // 8/(1·3) = 2.67 → ceil(8/1) = 8: independent of the current count (cap factor 8:
        // max(8·3, 4) = 24).
        case(
            "external AverageValue: ceil(total / target)",
            external("{type: AverageValue, averageValue: 1}"),
            with_queue(snap(3, vec![]), vec![3_000, 5_000]),
            (Some(8), 8, DesiredWithinRange),
        )
        .cfg(|c| c.scale_up_limit_factor = 8.0),
        // 3.3 scale from zero (minReplicas 0): ceil(35/10) = 4, no tolerance, no pods needed.
        case(
            "external Value from zero replicas: ceil(ratio)",
            external("{type: Value, value: 10}"),
            with_queue(snap(0, vec![]), vec![35_000]),
            (Some(4), 4, DesiredWithinRange),
        ),
    ]);
    cases
}

/// 2.5: the grouping rules one pod at a time (CPU init 5 min, readiness delay 30 s).
#[test]
fn group_pods_follows_the_cpu_readiness_rules() {
    let cfg = ControllerConfig::default();
    // (name, setup, expected group)
    type Row = (&'static str, Box<dyn Fn(&mut PodSnapshot)>, &'static str);
    let rows: Vec<Row> = vec![
        ("ready pod long after start", Box::new(|_| {}), "ready"),
        (
            "Pending",
            Box::new(|p| p.phase = PodPhase::Pending),
            "unready",
        ),
        (
            "Failed",
            Box::new(|p| p.phase = PodPhase::Failed),
            "ignored",
        ),
        ("deleting", Box::new(|p| p.deleting = true), "ignored"),
        (
            "no metric",
            Box::new(|p| p.containers[0].usage.clear()),
            "missing",
        ),
        (
            "no Ready condition",
            Box::new(|p| p.ready = None),
            "unready",
        ),
        (
            "no start time",
            Box::new(|p| p.start_time = None),
            "unready",
        ),
        (
            "in init period, metric taken before ready + window",
            Box::new(|p| {
                p.start_time = Some(ago(60));
                p.ready_since = ago(30);
            }),
            "unready",
        ),
        (
            "in init period, metric covers only ready time",
            Box::new(|p| {
                p.start_time = Some(ago(120));
                p.ready_since = ago(100);
            }),
            "ready",
        ),
        (
            "in init period, NotReady",
            Box::new(|p| {
                p.start_time = Some(ago(120));
                p.ready_since = ago(100);
                p.ready = Some(false);
            }),
            "unready",
        ),
        (
            "after init period, never ready",
            Box::new(|p| {
                p.ready = Some(false);
                p.ready_since = ago(590);
            }),
            "unready",
        ),
        (
            "TestGroupPods: count in an unready pod that was ready after initialization period",
            Box::new(|p| {
                p.ready = Some(false);
                p.ready_since = ago(60);
            }),
            "ready",
        ),
    ];
    for (name, setup, want) in rows {
        let mut p = pod("p", "cpu", Some(100));
        setup(&mut p);
        let pods = vec![p];
        let metrics = resource_metrics(&pods, "cpu", None).unwrap_or_default();
        let listed: Vec<&PodSnapshot> = pods.iter().collect();
        let g = group_pods(&listed, &metrics, true, &cfg, NOW);
        let got = if g.ignored.contains("p") {
            "ignored"
        } else if g.unready.contains("p") {
            "unready"
        } else if g.missing.contains("p") {
            "missing"
        } else {
            assert_eq!(g.ready_count, 1, "{name}");
            "ready"
        };
        assert_eq!(got, want, "{name}");
    }
}
