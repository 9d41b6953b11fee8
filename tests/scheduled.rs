//! Scheduled scaling in a run (#9 groundwork): the HPA's minReplicas follows the calendar in
//! its time zone, across a daylight-saving change, and the HPA acts at its next sync.

use crate::support::run_text;

/// Light constant load (the HPA alone would keep its minimum of 2), a rule raising the floor
/// to 6 from 01:30 to 03:30 local, Berlin, the night Europe moves its clocks forward
/// (2026-03-29: 02:00 CET becomes 03:00 CEST). The run starts 00:00 UTC (01:00 CET).
const NIGHT: &str = r#"
name: night
duration: 4h
sample_interval: 1m
seed: 5
workload:
  arrivals: { kind: constant, rate: 5 }
service:
  cpu: { dist: constant, value: 10ms }
pods:
  replicas: 2
  concurrency: 100
  cpu_request: "1"
  startup:
    schedule: { dist: constant, value: 0s }
    container_start: { dist: constant, value: 0s }
    app_start: { dist: constant, value: 5s }
  readiness_probe: { initial_delay: 0s, period: 1s }
hpa:
  apiVersion: autoscaling/v2
  kind: HorizontalPodAutoscaler
  metadata: { name: night }
  spec:
    scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: night }
    minReplicas: 2
    maxReplicas: 10
    metrics:
      - type: Resource
        resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } }
scheduled_scaling:
  timezone: Europe/Berlin
  clock_start: "2026-03-29T00:00:00Z"
  rules:
    - { name: batch-window, from: "01:30", to: "03:30", min_replicas: 6 }
"#;

#[test]
fn schedules_switch_at_the_right_instants_across_a_daylight_saving_change() {
    let (summary, rows) = run_text(NIGHT, &[]);
    let patches: Vec<(f64, &str)> = rows
        .events
        .iter()
        .filter(|e| e.kind == "scheduled_min_replicas")
        .map(|e| (e.time_s, e.detail.as_str()))
        .collect();
    // 01:30 CET = 00:30 UTC (1 800 s); 03:30 CEST = 01:30 UTC (5 400 s): the window lasts one
    // hour of real time, not two. The next night's window starts after the run.
    assert_eq!(patches.len(), 2, "{patches:?}");
    assert_eq!(patches[0].0, 1800.0);
    assert!(
        patches[0]
            .1
            .starts_with("minReplicas 2 -> 6 (rule batch-window; local Sun 2026-03-29 01:30 CET)"),
        "{}",
        patches[0].1
    );
    assert_eq!(patches[1].0, 5400.0);
    assert!(
        patches[1]
            .1
            .starts_with("minReplicas 6 -> 2 (no rule in force; local Sun 2026-03-29 03:30 CEST)"),
        "{}",
        patches[1].1
    );
    // The HPA raises the Deployment at its first sync at or after the patch (every 15 s).
    let ups: Vec<_> = rows
        .events
        .iter()
        .filter(|e| e.kind == "replicas_set" && e.detail.contains("-> 6"))
        .collect();
    assert_eq!(ups.len(), 1, "{ups:?}");
    assert!(
        ups[0].time_s >= 1800.0 && ups[0].time_s < 1815.0,
        "{}",
        ups[0].time_s
    );
    assert!(
        ups[0].detail.contains("CurrentBelowMinReplicas"),
        "{}",
        ups[0].detail
    );
    assert_eq!(summary.replicas_max, 6.0);
    // After the window the HPA may go back down (its scale-down window holds it 5 min).
    let last = rows.timeseries.last().unwrap();
    assert_eq!(last.replicas_desired, 2);
}

#[test]
fn scheduled_scaling_needs_an_hpa_and_valid_rules_with_located_messages() {
    let no_hpa = NIGHT.split("hpa:\n").next().unwrap().to_string()
        + &NIGHT[NIGHT.find("scheduled_scaling:").unwrap()..];
    for (yaml, wanted) in [
        (no_hpa, "scheduled scaling raises an HPA's minReplicas"),
        (
            NIGHT.replace("Europe/Berlin", "Europe/Berlinn"),
            "is not an IANA time zone name",
        ),
        (
            NIGHT.replace("\"01:30\"", "\"1:30pm\""),
            "is not a time of day",
        ),
        (
            NIGHT.replace("min_replicas: 6", "min_replicas: 11"),
            "above the HPA's maxReplicas (10)",
        ),
        (
            NIGHT.replace("2026-03-29T00:00:00Z", "yesterday"),
            "is not an RFC 3339 instant",
        ),
    ] {
        let err =
            match hpasim_models::scenario::load_str(&yaml, std::path::Path::new("s.yaml"), &[]) {
                Err(e) => e.to_string(),
                Ok(_) => panic!("accepted: {wanted}"),
            };
        assert!(err.contains(wanted), "{wanted}: {err}");
        assert!(err.contains("s.yaml:"), "located: {err}");
    }
}
