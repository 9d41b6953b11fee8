//! Combining, bounds and normalization cases (hpa-spec §1.3, §4–§7): invalid metrics, disabled
//! and out-of-range bypasses, the legacy path, the behavior path (policies, selectPolicy,
//! stabilization windows), and how the history slots are reused.

use super::*;

pub(super) fn combining_and_bound_cases() -> Vec<Case> {
    let two = |extra: &str| {
        spec(&format!("minReplicas: 1\nmaxReplicas: 100\nmetrics:\n- type: Pods\n  pods: {{metric: {{name: qps}}, target: {{type: AverageValue, averageValue: 10}}}}\n- type: External\n  external: {{metric: {{name: missing}}, target: {{type: Value, value: 1}}}}\n{extra}"))
    };
    vec![
        // 4.2: qps 20 vs 10 → ceil(2·3) = 6 ≥ 3 with one invalid metric → scale to 6.
        case("TestScaleUpOneMetricInvalid", two(""), snap(3, metric_pods("qps", &[Some(20_000); 3])), (Some(6), 6, DesiredWithinRange)),
        // 4.2: qps 5 vs 10 → ceil(1.5) = 2 < 3 with one invalid → no change.
        case("TestNoScaleDownOneMetricInvalid", two(""), snap(3, metric_pods("qps", &[Some(5_000); 3])), (Some(2), 3, InvalidMetrics)),
        // 4.2: all invalid (no pod reports qps, external missing) → no change, no proposal.
        case("all metrics invalid: no change", two(""), snap(3, metric_pods("qps", &[None; 3])), (None, 3, InvalidMetrics)),
        // 4.1: max over metrics: cpu 90 % vs 50 → ceil(1.8·2) = 4; qps 10 vs 10 → 2 → 4.
        case("max over metrics", spec("minReplicas: 1\nmaxReplicas: 10\nmetrics:\n- type: Resource\n  resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}\n- type: Pods\n  pods: {metric: {name: qps}, target: {type: AverageValue, averageValue: 10}}\n"), snap(2, {
            let mut p = cpu_pods(&[900, 900]);
            for x in &mut p { x.metrics.insert("qps".into(), 10_000); }
            p
        }), (Some(4), 4, DesiredWithinRange)),
        // 3.5: an unknown metric type is that metric's error (and the only metric → invalid).
        case("unknown metric source type is an invalid metric", spec("maxReplicas: 5\nmetrics:\n- type: Prometheus\n"), snap(2, cpu_pods(&[500, 500])), (None, 2, InvalidMetrics)),
        // 2.3: a container without a CPU request makes the metric invalid.
        case("missing request makes the metric invalid", spec(&format!("maxReplicas: 5\n{}", util("cpu", 50))), snap(2, {
            let mut p = cpu_pods(&[500, 500]);
            p[1].containers[0].requests.clear();
            p
        }), (None, 2, InvalidMetrics)),
        // 7.1: current 0, min 1 → disabled, nothing computed.
        case("ScalingDisabled at zero replicas", spec("minReplicas: 1\nmaxReplicas: 5\n"), snap(0, vec![]), (None, 0, ScalingDisabled)),
        // 7.2: current outside [min, max] → the bound, no metrics.
        case("TestTooFewReplicas", spec("minReplicas: 3\nmaxReplicas: 5\n"), snap(2, cpu_pods(&[0, 0])), (None, 3, CurrentBelowMinReplicas)),
        case("TestTooManyReplicas", spec("minReplicas: 3\nmaxReplicas: 5\n"), snap(10, cpu_pods(&[2000; 10])), (None, 5, CurrentAboveMaxReplicas)),
        // 7.4: 0 % → proposal ceil(0·2) = 0; min 0 → 0.
        case("TestZeroMinReplicasDesiredZero", spec(&format!("minReplicas: 0\nmaxReplicas: 5\n{}", util("cpu", 50))), snap(2, cpu_pods(&[0, 0])), (Some(0), 0, DesiredWithinRange)),
        // min 2 → TooFewReplicas.
        case("TestMinReplicasDesiredZero", spec(&format!("minReplicas: 2\nmaxReplicas: 5\n{}", util("cpu", 50))), snap(3, cpu_pods(&[0, 0, 0])), (Some(0), 2, TooFewReplicas)),
    ]
}

pub(super) fn legacy_cases() -> Vec<Case> {
    let hot = |c: usize| {
        (
            spec(&format!(
                "minReplicas: 1\nmaxReplicas: 100\n{}",
                util("cpu", 10)
            )),
            snap(c as i32, cpu_pods(&vec![1000; c])),
        )
    };
    let (h1, s1) = hot(1);
    let (h2, s2) = hot(2);
    let (h3, s3) = hot(3);
    let cpu50 = spec(&format!(
        "minReplicas: 1\nmaxReplicas: 100\n{}",
        util("cpu", 50)
    ));
    vec![
        // 5.2: 100 % vs 10 % → proposal 10·c; cap max(2c, 4) = 4, 4, 6.
        case(
            "legacy cap c=1: max(2c, 4) = 4",
            h1,
            s1,
            (Some(10), 4, ScaleUpLimit),
        ),
        case("legacy cap c=2: 4", h2, s2, (Some(20), 4, ScaleUpLimit)),
        case("legacy cap c=3: 6", h3, s3, (Some(30), 6, ScaleUpLimit)),
        // Unit-test factor 8: cap max(8·3, 4) = 24.
        case(
            "legacy cap with the unit-test factor 8",
            spec(&format!(
                "minReplicas: 1\nmaxReplicas: 100\n{}",
                util("cpu", 10)
            )),
            snap(3, cpu_pods(&[1000; 3])),
            (Some(30), 24, ScaleUpLimit),
        )
        .cfg(|c| c.scale_up_limit_factor = 8.0),
        // 5.3: first reconcile (history nil) seeds (5, now): 10 % → proposal 1, max(1, 5) = 5.
        case(
            "TestScaleDownStabilizeInitialSize",
            cpu50.clone(),
            snap(5, cpu_pods(&[100; 5])),
            (Some(1), 5, ScaleDownStabilized),
        )
        .history(History::default()),
        // 5.1: a recommendation of 4 two minutes ago holds 5 → 4 instead of 1.
        case(
            "legacy stabilization: max over the window",
            cpu50.clone(),
            snap(5, cpu_pods(&[100; 5])),
            (Some(1), 4, ScaleDownStabilized),
        )
        .history(recs(&[(4, 120)])),
        // Retention `>= now - window`: a recommendation exactly 300 s old still counts.
        case(
            "legacy stabilization keeps a recommendation at exactly now - window",
            cpu50.clone(),
            snap(5, cpu_pods(&[100; 5])),
            (Some(1), 5, ScaleDownStabilized),
        )
        .history(recs(&[(5, 300)])),
        case(
            "legacy stabilization drops one older than the window",
            cpu50.clone(),
            snap(5, cpu_pods(&[100; 5])),
            (Some(1), 1, DesiredWithinRange),
        )
        .history(recs(&[(5, 301)])),
        // 5.1: the max also raises a scale-up: proposal ceil(1.6·3) = 5, recent 8 → 8, cap 6.
        case(
            "legacy stabilization raises a scale-up to a recent higher recommendation",
            cpu50.clone(),
            snap(3, cpu_pods(&[800; 3])),
            (Some(5), 6, ScaleUpLimit),
        )
        .history(recs(&[(8, 60)])),
    ]
}

pub(super) fn behavior_cases() -> Vec<Case> {
    let hot = |c: usize, behavior: &str| {
        (
            spec(&format!(
                "minReplicas: 1\nmaxReplicas: 100\n{}behavior: {behavior}\n",
                util("cpu", 10)
            )),
            snap(c as i32, cpu_pods(&vec![1000; c])),
        )
    };
    let mut out = Vec::new();
    // 6.6: default policies give max(c + 4, 2c) = 5, 6, 7 for c = 1, 2, 3.
    for (c, cap, name) in [
        (1, 5, "behavior {} cap c=1: max(c+4, 2c) = 5"),
        (2, 6, "behavior {} cap c=2: 6"),
        (3, 7, "behavior {} cap c=3: 7"),
    ] {
        let (h, s) = hot(c, "{}");
        out.push(case(name, h, s, (Some(10 * c as i32), cap, ScaleUpLimit)));
    }
    // Policies over their periods (6.4), current 6, proposal 60.
    let up = |p: &str| hot(6, &format!("{{scaleUp: {{policies: [{p}]}}}}"));
    let (h, s) = up("{type: Pods, value: 2, periodSeconds: 60}");
    // a 2-pod scale-up 30 s ago: start 6 - 2 = 4 → 4 + 2 = 6 → no room: stays 6.
    out.push(
        case(
            "Pods policy: an event inside the period uses up the budget",
            h.clone(),
            s.clone(),
            (Some(60), 6, ScaleUpLimit),
        )
        .history(History {
            scale_up_events: vec![event(2, 30)],
            ..no_history()
        }),
    );
    // the event exactly 60 s old is outside (strictly after now - period): 6 + 2 = 8.
    out.push(
        case(
            "Pods policy: an event exactly one period old no longer counts",
            h,
            s,
            (Some(60), 8, ScaleUpLimit),
        )
        .history(History {
            scale_up_events: vec![event(2, 60)],
            ..no_history()
        }),
    );
    // 6.4 both directions: Percent 100 %/60 s after a 2-pod scale-down 10 s ago:
    // start 6 + 2 = 8 → ceil(8 · 2) = 16.
    let (h, s) = up("{type: Percent, value: 100, periodSeconds: 60}");
    out.push(
        case(
            "Percent policy counts scale-down events too",
            h,
            s,
            (Some(60), 16, ScaleUpLimit),
        )
        .history(History {
            scale_down_events: vec![event(2, 10)],
            ..no_history()
        }),
    );
    // selectPolicy over [Pods 4, Percent 100] per 60 s at current 10, proposal 100:
    // Max → max(14, 20) = 20; Min → 14; Disabled → 10.
    for (sel, want, reason) in [
        ("Max", 20, ScaleUpLimit),
        ("Min", 14, ScaleUpLimit),
        ("Disabled", 10, ScaleUpLimit),
    ] {
        let (h, s) = hot(10, &format!("{{scaleUp: {{selectPolicy: {sel}, policies: [{{type: Pods, value: 4, periodSeconds: 60}}, {{type: Percent, value: 100, periodSeconds: 60}}]}}}}"));
        let name = match sel {
            "Max" => "selectPolicy Max on scale-up",
            "Min" => "selectPolicy Min on scale-up",
            _ => "selectPolicy Disabled on scale-up",
        };
        out.push(case(name, h, s, (Some(100), want, reason)));
    }
    // Scale-down at current 10, 5 % → proposal ceil(0.1·10) = 1, window 0, policies
    // [Pods 2, Percent 50] per 60 s: Max → min(8, 5) = 5; Min → max(8, 5) = 8; Disabled → 10.
    let cold = |sel: &str| {
        (
            spec(&format!("minReplicas: 1\nmaxReplicas: 100\n{}behavior: {{scaleDown: {{stabilizationWindowSeconds: 0, selectPolicy: {sel}, policies: [{{type: Pods, value: 2, periodSeconds: 60}}, {{type: Percent, value: 50, periodSeconds: 60}}]}}}}\n", util("cpu", 50))),
            snap(10, cpu_pods(&[50; 10])),
        )
    };
    for (sel, want, name) in [
        (
            "Max",
            5,
            "selectPolicy Max on scale-down: the largest change",
        ),
        (
            "Min",
            8,
            "selectPolicy Min on scale-down: the smallest change",
        ),
        ("Disabled", 10, "selectPolicy Disabled on scale-down"),
    ] {
        let (h, s) = cold(sel);
        out.push(case(name, h, s, (Some(1), want, ScaleDownLimit)));
    }
    // Percent down 10 %/60 s with a 2-pod scale-down 30 s ago: start 12 → int(10.8) = 10 → stays.
    let (h, s) = (
        spec(&format!("minReplicas: 1\nmaxReplicas: 100\n{}behavior: {{scaleDown: {{stabilizationWindowSeconds: 0, policies: [{{type: Percent, value: 10, periodSeconds: 60}}]}}}}\n", util("cpu", 50))),
        snap(10, cpu_pods(&[50; 10])),
    );
    out.push(
        case(
            "Percent scale-down policy with an event in the period",
            h.clone(),
            s.clone(),
            (Some(1), 10, ScaleDownLimit),
        )
        .history(History {
            scale_down_events: vec![event(2, 30)],
            ..no_history()
        }),
    );
    // no event: int(10 · 0.9) = 9.
    out.push(case(
        "Percent scale-down policy truncates",
        h,
        s,
        (Some(1), 9, ScaleDownLimit),
    ));
    out.extend(stabilization_cases());
    out
}

/// TestNormalizeDesiredReplicasWithBehavior-style cases (6.2), current 5.
fn stabilization_cases() -> Vec<Case> {
    // proposal 8: 80 % vs 50 % at 5 pods → ceil(1.6·5) = 8; proposal 2: 20 % → ceil(0.4·5) = 2.
    let up = |w: i32| {
        spec(&format!("minReplicas: 1\nmaxReplicas: 100\n{}behavior: {{scaleUp: {{stabilizationWindowSeconds: {w}}}}}\n", util("cpu", 50)))
    };
    let down = |w: i32| {
        spec(&format!("minReplicas: 1\nmaxReplicas: 100\n{}behavior: {{scaleDown: {{stabilizationWindowSeconds: {w}}}}}\n", util("cpu", 50)))
    };
    let hot = || snap(5, cpu_pods(&[800; 5]));
    let cold = || snap(5, cpu_pods(&[200; 5]));
    vec![
        // up window 60 s holds a recommendation of 4: min(8, 4) = 4 < current → stays 5.
        case("TestNormalizeDesiredReplicasWithBehavior: do not scale up while a recent recommendation is lower", up(60), hot(), (Some(8), 5, ScaleUpStabilized)).history(recs(&[(4, 30)])),
        // min(8, 7, 6) = 6.
        case("TestNormalizeDesiredReplicasWithBehavior: scale up to the lowest recommendation in the window", up(60), hot(), (Some(8), 6, ScaleUpStabilized)).history(recs(&[(7, 30), (6, 20)])),
        // default down window (the 300 s flag) holds a 6 from 100 s ago: max(2, 6) = 6 > 5 → 5.
        case("TestNormalizeDesiredReplicasWithBehavior: do not scale down while a recent recommendation is higher", down(300), cold(), (Some(2), 5, ScaleDownStabilized)).history(recs(&[(6, 100)])),
        // max(2, 4, 3) = 4.
        case("TestNormalizeDesiredReplicasWithBehavior: scale down to the highest recommendation in the window", down(300), cold(), (Some(2), 4, ScaleDownStabilized)).history(recs(&[(4, 100), (3, 50)])),
        // Windows are strict: a recommendation exactly 60 s old is outside a 60 s window.
        case("behavior window excludes a recommendation at exactly now - window", down(60), cold(), (Some(2), 2, DesiredWithinRange)).history(recs(&[(5, 60)])),
        // behavior {} with the controller flag as down window (6.1): 5 from 200 s ago holds.
        case("behavior {}: scale-down window defaults to the controller flag", spec(&format!("minReplicas: 1\nmaxReplicas: 100\n{}behavior: {{}}\n", util("cpu", 50))), cold(), (Some(2), 5, ScaleDownStabilized)).history(recs(&[(5, 200)])),
        // ... and the flag is configurable: 100 s → the 200 s old 5 is outside → 2.
        case("behavior {}: controller downscale window flag 100 s", spec(&format!("minReplicas: 1\nmaxReplicas: 100\n{}behavior: {{}}\n", util("cpu", 50))), cold(), (Some(2), 2, DesiredWithinRange)).history(recs(&[(5, 200)])).cfg(|c| c.downscale_stabilization_window = SimDuration::from_secs(100)),
    ]
}

/// 6.5: scale events are stored on change only, on the behavior path only, reusing the last
/// outdated slot; recommendations reuse the last slot older than the window(s).
#[test]
fn history_slots_are_reused_as_upstream() {
    // Behavior {} (longest up period 15 s): both old events get outdated, the last is reused.
    let hpa = spec(&format!(
        "minReplicas: 1\nmaxReplicas: 100\n{}behavior: {{}}\n",
        util("cpu", 10)
    ));
    let mut h = History {
        scale_up_events: vec![event(2, 600), event(3, 1200)],
        ..no_history()
    };
    let r = reconcile(
        &hpa,
        &ControllerConfig::default(),
        &snap(2, cpu_pods(&[1000; 2])),
        &mut h,
        NOW,
    );
    assert_eq!(r.desired_replicas, 6); // max(2 + 4, 2·2)
    assert!(r.rescale);
    assert_eq!(
        h.scale_up_events,
        vec![
            ScaleEvent {
                outdated: true,
                ..event(2, 600)
            },
            event(4, 0)
        ]
    );
    assert_eq!(
        h.recommendations,
        Some(vec![Recommendation {
            replicas: 20,
            at: NOW
        }])
    );

    // Legacy: no events; recommendation slot = the last one older than the 300 s window.
    let legacy = spec(&format!(
        "minReplicas: 1\nmaxReplicas: 100\n{}",
        util("cpu", 50)
    ));
    let mut h = recs(&[(3, 600), (4, 1200), (5, 60)]);
    reconcile(
        &legacy,
        &ControllerConfig::default(),
        &snap(5, cpu_pods(&[100; 5])),
        &mut h,
        NOW,
    );
    let kept: Vec<_> = h
        .recommendations
        .unwrap()
        .iter()
        .map(|r| (r.replicas, r.at))
        .collect();
    assert_eq!(kept, vec![(3, ago(600)), (1, NOW), (5, ago(60))]);
    assert!(h.scale_up_events.is_empty() && h.scale_down_events.is_empty());

    // nil history is seeded even when the reconcile stops early.
    let mut h = History::default();
    reconcile(
        &spec("minReplicas: 1\nmaxReplicas: 5\n"),
        &ControllerConfig::default(),
        &snap(0, vec![]),
        &mut h,
        NOW,
    );
    assert_eq!(
        h.recommendations,
        Some(vec![Recommendation {
            replicas: 0,
            at: NOW
        }])
    );
}
