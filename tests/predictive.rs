//! Predictive scaling in a run (#9): the forecast of the HPA's own metric raises minReplicas
//! ahead of the load, the HPA's answer is never below the reactive one, forecast errors and the
//! replicas added reach the outputs, and bad input is located.

use crate::support::{hpasim, run_text};
use hpasim_models::rows::EventRow;

/// A one-hour "day" (so the season is learnt in an hour): 40 ± 30 req/s, 20 ms of CPU per
/// request (0.2–1.4 cores), pods of 0.5 cores at a 50 % target (0.25 cores per pod), fast
/// start-up. Seasonal naive on 1-minute steps: warm after the first hour.
const DAY: &str = r#"
name: predictive
duration: 4h
sample_interval: 1m
seed: 7
workload:
  arrivals: { kind: diurnal, base: 40, amplitude: 30, period: 1h, phase: 0s }
service:
  cpu: { dist: constant, value: 20ms }
pods:
  replicas: 2
  concurrency: 50
  cpu_request: 500m
  startup:
    schedule: { dist: constant, value: 1s }
    container_start: { dist: constant, value: 1s }
    app_start: { dist: constant, value: 5s }
  readiness_probe: { initial_delay: 0s, period: 1s }
hpa:
  apiVersion: autoscaling/v2
  kind: HorizontalPodAutoscaler
  metadata: { name: web }
  spec:
    scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
    minReplicas: 1
    maxReplicas: 10
    metrics:
      - type: Resource
        resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } }
predictive_scaling:
  forecaster: seasonal_naive
  season: 1h
  step: 1m
"#;

/// `key=value` from an events.csv detail.
fn field(detail: &str, key: &str) -> Option<i32> {
    let at = detail.find(&format!(" {key}="))? + key.len() + 2;
    detail[at..]
        .split(|c: char| !c.is_ascii_digit() && c != '-')
        .next()?
        .parse()
        .ok()
}

fn syncs(events: &[EventRow]) -> Vec<(f64, i32, i32)> {
    events
        .iter()
        .filter(|e| e.kind == "hpa_sync")
        .map(|e| {
            let desired = field(&e.detail, "desired").expect("desired");
            let reactive = field(&e.detail, "reactive").expect("reactive with a predictive floor");
            (e.time_s, desired, reactive)
        })
        .collect()
}

#[test]
fn predictive_never_scales_below_the_reactive_hpa_and_books_what_it_added() {
    let (summary, rows) = run_text(DAY, &[]);
    let syncs = syncs(&rows.events);
    assert_eq!(syncs.len(), 4 * 3600 / 15 - 1, "a sync every 15 s");
    for &(t, desired, reactive) in &syncs {
        assert!(
            desired >= reactive,
            "t={t}: desired {desired} < reactive {reactive}"
        );
    }
    let raised = syncs.iter().filter(|s| s.1 > s.2).count() as u64;
    assert!(raised > 0, "the floor never raised the HPA's answer");
    assert_eq!(summary.predictive_raised_syncs, raised);
    let added: f64 = syncs.iter().map(|s| f64::from(s.1 - s.2) * 15.0).sum();
    assert!((summary.predictive_added_pod_seconds - added).abs() < 1e-6);
    // No floor before the season is learnt: the first hour is the reactive HPA's alone.
    let warm = rows
        .events
        .iter()
        .find(|e| e.kind == "predictive_warm")
        .expect("warm event");
    assert_eq!(warm.time_s, 3600.0);
    assert!(syncs.iter().filter(|s| s.0 < 3600.0).all(|s| s.1 == s.2));
}

#[test]
fn predictive_floor_is_the_forecast_over_the_target_per_pod_capped_at_max_replicas() {
    let (_, rows) = run_text(DAY, &[]);
    let floors: Vec<&EventRow> = rows
        .events
        .iter()
        .filter(|e| e.kind == "predictive_min_replicas")
        .collect();
    assert!(floors.len() > 10, "{}", floors.len());
    for e in &floors {
        // "... forecast 1.2345 cores (...) / 0.2500 per pod -> 5 replicas"
        let d = &e.detail;
        let forecast: f64 = d
            .split("forecast ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(d.contains("/ 0.2500 per pod"), "{d}");
        let replicas: u32 = d
            .split("-> ")
            .last()
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(replicas, (forecast / 0.25).ceil() as u32, "{d}");
    }
    let (_, capped) = run_text(DAY, &["hpa.spec.maxReplicas=3"]);
    let details: Vec<&str> = capped
        .events
        .iter()
        .filter(|e| e.kind == "predictive_min_replicas")
        .map(|e| e.detail.as_str())
        .collect();
    assert!(details
        .iter()
        .any(|d| d.ends_with("capped at maxReplicas 3")));
    assert!(details.iter().all(|d| !d.contains("-> 4;")), "{details:?}");
}

#[test]
fn predictive_seasonal_naive_forecast_error_is_the_sampling_noise_of_a_diurnal_load() {
    let (summary, rows) = run_text(DAY, &[]);
    // After the first hour a seasonal-naive forecast of a load periodic in the hour has no
    // systematic error: each one-step error is the difference of two step means of a Poisson
    // count (20 ms of CPU per request, λ(t) req/s over a 60 s step), sd
    // 0.02·sqrt(2·λ(t)·60)/60 cores; its mean absolute value is sqrt(2/π) of that.
    let expected_mae = (0..180)
        .map(|k| {
            let t = 3600.0 + 60.0 * f64::from(k);
            let lambda = 40.0 + 30.0 * (std::f64::consts::TAU * t / 3600.0).sin();
            (2.0 / std::f64::consts::PI).sqrt() * 0.02 * (2.0 * lambda * 60.0).sqrt() / 60.0
        })
        .sum::<f64>()
        / 180.0;
    let mean_load: f64 = 40.0 * 0.02;
    assert!(summary.forecast_mae > 0.0);
    assert!(
        summary.forecast_mae < 2.0 * expected_mae,
        "MAE {} cores vs {} expected from sampling noise",
        summary.forecast_mae,
        expected_mae
    );
    assert!(
        summary.forecast_mae < 0.05 * mean_load,
        "{}",
        summary.forecast_mae
    );
    assert!(summary.forecast_bias.abs() < 4.0 * summary.forecast_rmse / (179f64).sqrt());
    // The forecast column follows the observed load.
    let names = hpasim_models::scenario::load_str(DAY, std::path::Path::new("d.yaml"), &[])
        .map(|l| {
            hpasim_models::Simulation::compile(&l.scenario, &l.base_dir)
                .unwrap()
                .timeseries_extra_columns()
        })
        .unwrap();
    let forecast = names
        .iter()
        .position(|n| n == "load_forecast_cores")
        .unwrap();
    let observed = names
        .iter()
        .position(|n| n == "load_observed_cores")
        .unwrap();
    let late: Vec<_> = rows
        .timeseries
        .iter()
        .filter(|r| r.time_s > 3660.0)
        .collect();
    assert!(late.iter().all(|r| r.extra[forecast].is_finite()));
    let early = rows.timeseries.iter().find(|r| r.time_s == 600.0).unwrap();
    assert!(
        early.extra[forecast].is_nan(),
        "no forecast before the season is learnt"
    );
    assert!(early.extra[observed] > 0.0);
}

#[test]
fn predictive_and_scheduled_floors_combine_by_max() {
    let both = format!(
        "{DAY}scheduled_scaling:\n  timezone: UTC\n  clock_start: \"2026-01-05T00:00:00Z\"\n  rules:\n    - {{ name: all-day, from: \"00:00\", to: \"00:00\", min_replicas: 4 }}\n"
    );
    let (_, rows) = run_text(&both, &[]);
    for e in rows
        .events
        .iter()
        .filter(|e| e.kind == "predictive_min_replicas")
    {
        let after: i32 = e
            .detail
            .split(" -> ")
            .nth(1)
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(after >= 4, "{}", e.detail);
    }
    for (t, desired, reactive) in syncs(&rows.events) {
        assert!(desired >= 4 || t < 20.0, "t={t}");
        assert!(desired >= reactive);
        // The reactive answer keeps the schedule's floor.
        assert!(reactive >= 4 || t < 20.0, "t={t}: reactive {reactive}");
    }
}

#[test]
fn predictive_scaling_bad_input_is_located_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            DAY.replace("step: 1m", "step: 7m"),
            "is not a whole number of steps",
        ),
        (DAY.replace("season: 1h", "season: 1m"), "at least 2 steps"),
        (
            DAY.replace("step: 1m", "step: 1m\n  holt_winters: { alpha: 0.5 }"),
            "Holt–Winters weights with `forecaster: seasonal_naive`",
        ),
        (
            DAY.replace(
                "forecaster: seasonal_naive",
                "forecaster: holt_winters\n  holt_winters: { alpha: 1.5 }",
            ),
            "alpha",
        ),
        (
            DAY.replace("step: 1m", "step: 1m\n  metric: requests"),
            "the HPA has no metric `requests`",
        ),
        (
            DAY.replace("forecaster: seasonal_naive", "forecaster: arima"),
            "arima",
        ),
        (
            DAY.replace("step: 1m", "step: 1m\n  lead: -5s"),
            "invalid duration `-5s`",
        ),
        (
            DAY.split("hpa:\n").next().unwrap().to_string()
                + &DAY[DAY.find("predictive_scaling:").unwrap()..],
            "predictive scaling raises an HPA's minReplicas",
        ),
    ];
    for (k, (yaml, wanted)) in cases.iter().enumerate() {
        let file = dir.path().join(format!("p{k}.yaml"));
        std::fs::write(&file, yaml).unwrap();
        let out_dir = dir.path().join(format!("out{k}"));
        let out = hpasim(&[
            "run",
            file.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{wanted}: {stderr}");
        assert!(stderr.contains(wanted), "{wanted}: {stderr}");
        assert!(stderr.contains(&format!("p{k}.yaml")), "located: {stderr}");
        assert!(!out_dir.exists(), "no partial output");
    }
}

#[test]
fn predictive_forecasts_a_pods_metric_or_an_average_value_and_names_the_hpa_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = DAY.replace(
        "      - type: Resource\n        resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } }",
        "      - type: Resource\n        resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } }\n      - type: Pods\n        pods: { metric: { name: http_requests_per_second }, target: { type: AverageValue, averageValue: \"10\" } }",
    ).replace("step: 1m", "step: 1m\n  metric: http_requests_per_second");
    // A Pods metric with an AverageValue target is accepted and forecast in its own units.
    let (summary, _) = run_text(&yaml, &[]);
    assert!(summary.forecast_mae > 0.0);
    let refused = DAY.replace(
        "target: { type: Utilization, averageUtilization: 50 }",
        "target: { type: AverageValue, averageValue: 250m }",
    );
    let (ok, _) = run_text(&refused, &[]);
    assert!(ok.predictive_raised_syncs > 0, "AverageValue cpu works too");
    let file = dir.path().join("ext.yaml");
    std::fs::write(&file, DAY.replace("step: 1m", "step: 1m\n  metric: memory")).unwrap();
    let out = hpasim(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the HPA's metrics: cpu"));
}

#[test]
fn predictive_sweeps_share_one_timeseries_layout_and_are_byte_identical_with_one_or_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sweep.yaml");
    // The reactive variant has no predictive columns: the sweep's timeseries.csv has the union,
    // with empty cells where a variant has no such column.
    let reactive = &DAY[..DAY.find("predictive_scaling:").unwrap()];
    let sweep = format!(
        "{reactive}sweep:\n  replications: 2\n  variants:\n    - {{ name: reactive, set: {{}} }}\n    - name: holt-winters\n      set: {{ predictive_scaling: {{ forecaster: holt_winters, season: 1h, step: 1m }} }}\n"
    );
    std::fs::write(&file, sweep).unwrap();
    let run = |threads: &str| {
        let out = dir.path().join(format!("t{threads}"));
        let result = hpasim(&[
            "sweep",
            file.to_str().unwrap(),
            "-q",
            "--timeseries",
            "--threads",
            threads,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(
            result.status.success(),
            "{}",
            String::from_utf8_lossy(&result.stderr)
        );
        out
    };
    let (one, two) = (run("1"), run("2"));
    let timeseries = std::fs::read_to_string(one.join("timeseries.csv")).unwrap();
    let header: Vec<&str> = timeseries.lines().next().unwrap().split(',').collect();
    let floor = header
        .iter()
        .position(|c| *c == "predictive_floor_replicas")
        .unwrap();
    let cell = |variant: &str| -> Vec<String> {
        timeseries
            .lines()
            .filter(|l| l.split(',').nth(1) == Some(variant))
            .map(|l| l.split(',').nth(floor).unwrap().to_string())
            .collect()
    };
    assert!(cell("reactive").iter().all(|c| c.is_empty()));
    assert!(cell("holt-winters")
        .iter()
        .any(|c| c.parse::<f64>().unwrap_or(0.0) > 0.0));
    for file in ["summary.csv", "timeseries.csv", "aggregate.csv"] {
        let a = std::fs::read(one.join(file)).unwrap();
        assert!(!a.is_empty());
        assert!(
            a == std::fs::read(two.join(file)).unwrap(),
            "{file} differs"
        );
    }
}
