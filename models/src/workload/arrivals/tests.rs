//! Statistical and error-message specifications of the arrival processes.
//!
//! Counts of a Poisson process in disjoint windows are independent Poisson variables, so each
//! window's count is checked against its expected value within 5 standard errors (√expected).

use super::*;
use crate::csv_input::temp_file;
use crate::scenario::{BurstState, Duration, Stage};
use hpasim_sim::Streams;
use std::f64::consts::PI;

mod week;

fn rng(seed: u64) -> StreamRng {
    Streams::new(seed, 0).get("arrivals")
}

fn compile(spec: &Arrivals) -> ArrivalProcess {
    ArrivalProcess::compile(spec, Path::new("."), "workload.arrivals").unwrap()
}

fn error(spec: &Arrivals) -> SpecError {
    ArrivalProcess::compile(spec, Path::new("."), "workload.arrivals").unwrap_err()
}

/// Arrival counts in the windows `[edges[i], edges[i+1])` [s], checking monotonicity.
fn counts(p: &mut ArrivalProcess, edges: &[f64], seed: u64) -> Vec<f64> {
    let mut rng = rng(seed);
    let edges: Vec<u64> = edges.iter().map(|&s| SimTime::from_secs_f64(s).0).collect();
    let mut n = vec![0.0; edges.len() - 1];
    let mut now = SimTime::ZERO;
    while let Some(t) = p.next_arrival(now, &mut rng) {
        assert!(t >= now, "arrival {t:?} before now {now:?}");
        if t.0 >= edges[edges.len() - 1] {
            break;
        }
        let i = edges.partition_point(|&e| e <= t.0);
        if i > 0 {
            n[i - 1] += 1.0;
        }
        now = t;
    }
    n
}

/// A Poisson count within 5 standard errors of its mean.
fn assert_poisson(observed: f64, expected: f64, what: &str) {
    let tol = 5.0 * expected.sqrt();
    assert!(
        (observed - expected).abs() <= tol,
        "{what}: {observed} arrivals, expected {expected} ± {tol}"
    );
}

fn secs(s: f64) -> Duration {
    Duration::from_secs(s)
}

fn stage(d: f64, target: f64) -> Stage {
    Stage {
        duration: secs(d),
        target,
    }
}

#[test]
fn constant_rate_count_over_a_long_horizon_is_lambda_t() {
    let mut p = compile(&Arrivals::Constant { rate: 50.0 });
    let n = counts(&mut p, &[0.0, 1000.0, 2000.0], 1);
    assert_poisson(n[0], 50_000.0, "first half");
    assert_poisson(n[1], 50_000.0, "second half");
    assert_eq!(p.rate_at(SimTime::from_secs_f64(123.0)), 50.0);
}

#[test]
fn zero_rate_forever_ends_the_process() {
    let mut p = compile(&Arrivals::Constant { rate: 0.0 });
    assert_eq!(p.next_arrival(SimTime::ZERO, &mut rng(1)), None);
    // A ramp down to zero yields its integral, then ends.
    let mut p = compile(&Arrivals::Stages {
        start_rate: 1000.0,
        stages: vec![stage(10.0, 0.0)],
    });
    let n = counts(&mut p, &[0.0, 5.0, 10.0], 2);
    assert_poisson(n[0], 0.5 * (1000.0 + 500.0) * 5.0, "first half of the ramp");
    assert_poisson(n[1], 0.5 * 500.0 * 5.0, "second half of the ramp");
    assert_eq!(
        p.next_arrival(SimTime::from_secs_f64(10.0), &mut rng(3)),
        None
    );
}

#[test]
fn stages_count_in_each_stage_is_the_integral_of_its_linear_ramp() {
    let stages = vec![
        stage(600.0, 40.0),
        stage(1200.0, 40.0),
        stage(0.0, 100.0),
        stage(600.0, 10.0),
    ];
    let mut p = compile(&Arrivals::Stages {
        start_rate: 0.0,
        stages,
    });
    let n = counts(&mut p, &[0.0, 600.0, 1800.0, 2400.0, 3400.0], 4);
    assert_poisson(n[0], 0.5 * 40.0 * 600.0, "ramp 0 → 40");
    assert_poisson(n[1], 40.0 * 1200.0, "hold at 40");
    assert_poisson(
        n[2],
        0.5 * (100.0 + 10.0) * 600.0,
        "jump to 100, ramp to 10",
    );
    assert_poisson(n[3], 10.0 * 1000.0, "after the last stage");
    let rate = |s: f64| p.rate_at(SimTime::from_secs_f64(s));
    assert_eq!(rate(300.0), 20.0);
    assert_eq!(rate(1000.0), 40.0);
    assert_eq!(
        rate(1800.0),
        100.0,
        "a zero-duration stage is an instant jump"
    );
    assert_eq!(rate(2100.0), 55.0);
    assert_eq!(rate(1e6), 10.0);
}

#[test]
fn diurnal_count_follows_the_sinusoid_over_whole_and_half_periods() {
    let (base, amplitude, period) = (20.0, 15.0, 1000.0);
    let spec = Arrivals::Diurnal {
        base,
        amplitude,
        period: secs(period),
        phase: secs(0.0),
        day_scale: None,
        day_transition: None,
        spikes: vec![],
    };
    let mut p = compile(&spec);
    let edges: Vec<f64> = (0..=20).map(|i| i as f64 * period / 2.0).collect();
    let n = counts(&mut p, &edges, 5);
    let rising: f64 = n.iter().step_by(2).sum();
    let falling: f64 = n.iter().skip(1).step_by(2).sum();
    // ∫ over a whole period = base·P; over its first half = base·P/2 + amplitude·P/π.
    assert_poisson(rising + falling, 10.0 * base * period, "ten whole periods");
    assert_poisson(
        rising,
        10.0 * (base * period / 2.0 + amplitude * period / PI),
        "first halves",
    );
    assert!((p.rate_at(SimTime::from_secs_f64(250.0)) - 35.0).abs() < 1e-9);
}

#[test]
fn diurnal_amplitude_above_base_is_rejected() {
    let e = error(&Arrivals::Diurnal {
        base: 5.0,
        amplitude: 6.0,
        period: secs(60.0),
        phase: secs(0.0),
        day_scale: None,
        day_transition: None,
        spikes: vec![],
    });
    assert_eq!(e.location, "workload.arrivals.amplitude");
    assert!(
        e.message.contains("amplitude 6 exceeds base 5"),
        "{}",
        e.message
    );
    assert!(e.hint.unwrap().contains("amplitude ≤ base"));
}

#[test]
fn bursts_long_run_rate_is_the_time_weighted_mean_rate() {
    let (r1, m1, r2, m2) = (100.0, 5.0, 10.0, 20.0);
    let state = |rate, mean| BurstState {
        name: None,
        rate,
        mean_duration: secs(mean),
    };
    let mut p = compile(&Arrivals::Bursts {
        states: vec![state(r1, m1), state(r2, m2)],
    });
    assert_eq!(p.rate_at(SimTime::ZERO), r1, "starts in the first state");
    let horizon = 200_000.0;
    let n = counts(&mut p, &[0.0, horizon], 6)[0];
    // Two-state Markov modulation: p_i = m_i / (m1 + m2), switching rates q_i = 1/m_i.
    // Var N(T) ≈ λ̄T + 2T (r1 − r2)² p1 p2 / (q1 + q2) (a doubly stochastic Poisson count).
    let (p1, p2) = (m1 / (m1 + m2), m2 / (m1 + m2));
    let mean_rate = p1 * r1 + p2 * r2;
    let var =
        mean_rate * horizon + 2.0 * horizon * (r1 - r2).powi(2) * p1 * p2 / (1.0 / m1 + 1.0 / m2);
    let tol = 5.0 * var.sqrt();
    let expected = mean_rate * horizon;
    assert!(
        (n - expected).abs() <= tol,
        "{n} arrivals, expected {expected} ± {tol}"
    );
}

#[test]
fn same_seed_gives_the_same_arrivals() {
    let state = |rate, mean| BurstState {
        name: Some("s".into()),
        rate,
        mean_duration: secs(mean),
    };
    let spec = Arrivals::Bursts {
        states: vec![state(50.0, 1.0), state(0.0, 2.0), state(5.0, 1.0)],
    };
    let run = |seed| {
        let (mut p, mut r) = (compile(&spec), rng(seed));
        let mut now = SimTime::ZERO;
        (0..2000)
            .map(|_| {
                now = p.next_arrival(now, &mut r).unwrap();
                now
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(run(9), run(9));
    assert_ne!(run(9), run(10));
}

#[test]
fn arrivals_never_precede_now_or_the_previous_arrival() {
    let mut p = compile(&Arrivals::Stages {
        start_rate: 5.0,
        stages: vec![stage(100.0, 500.0)],
    });
    let mut r = rng(11);
    let mut last = SimTime::ZERO;
    for i in 0..10_000u64 {
        // The caller sometimes moves on past the last arrival.
        let now = if i % 7 == 0 {
            last + SimDuration(i * 1000)
        } else {
            last
        };
        let t = p.next_arrival(now, &mut r).unwrap();
        assert!(t >= now && t >= last);
        last = t;
    }
}

#[test]
fn trace_timestamps_replay_exactly_with_time_compression() {
    let f = temp_file("ts.csv", "id,time_s\na,0.5\nb,1.0\nc,1.0\nd,3.25\n");
    let spec = Arrivals::Trace {
        file: f.display().to_string(),
        format: TraceFormat::Timestamps,
        scale: 2.0,
    };
    let mut p = compile(&spec);
    let mut r = rng(1);
    let mut got = Vec::new();
    let mut now = SimTime::ZERO;
    while let Some(t) = p.next_arrival(now, &mut r) {
        got.push(t.0);
        now = t;
    }
    assert_eq!(got, [250_000_000, 500_000_000, 500_000_000, 1_625_000_000]);
    // Starting later skips the instants before `now`.
    let mut p = compile(&spec);
    assert_eq!(
        p.next_arrival(SimTime(300_000_000), &mut r),
        Some(SimTime(500_000_000))
    );
}

#[test]
fn trace_timestamps_must_be_sorted() {
    let f = temp_file("unsorted.csv", "time_s\n0.5\n2.0\n1.0\n");
    let spec = Arrivals::Trace {
        file: f.display().to_string(),
        format: TraceFormat::Timestamps,
        scale: 1.0,
    };
    let e = error(&spec);
    assert!(e.location.ends_with("unsorted.csv:4"), "{}", e.location);
    assert!(
        e.message
            .contains("time_s 1 is before the previous row's 2"),
        "{}",
        e.message
    );
}

#[test]
fn trace_rates_are_piecewise_constant_and_scaled() {
    let f = temp_file("rates.csv", "time_s,rate_rps\n50,10\n150,0\n250,50\n");
    let spec = Arrivals::Trace {
        file: f.display().to_string(),
        format: TraceFormat::Rates,
        scale: 2.0,
    };
    let mut p = compile(&spec);
    let n = counts(&mut p, &[0.0, 50.0, 150.0, 250.0, 350.0], 12);
    assert_eq!(n[0], 0.0, "zero before the first row");
    assert_poisson(n[1], 20.0 * 100.0, "10 rps × 2");
    assert_eq!(n[2], 0.0, "a zero-rate interval");
    assert_poisson(n[3], 100.0 * 100.0, "the last rate holds");
    assert_eq!(p.rate_at(SimTime::from_secs_f64(100.0)), 20.0);
    assert_eq!(p.rate_at(SimTime::from_secs_f64(1e5)), 100.0);
}

#[test]
fn trace_errors_name_the_file_and_line() {
    let f = temp_file("neg-rate.csv", "time_s,rate_rps\n0,1\n10,-3\n");
    let spec = Arrivals::Trace {
        file: f.display().to_string(),
        format: TraceFormat::Rates,
        scale: 1.0,
    };
    let e = error(&spec);
    assert!(e.location.ends_with("neg-rate.csv:3"), "{}", e.location);
    assert!(e.message.contains("negative rate_rps -3"));

    let spec = Arrivals::Trace {
        file: "missing.csv".into(),
        format: TraceFormat::Rates,
        scale: 1.0,
    };
    let e = ArrivalProcess::compile(&spec, Path::new("/nowhere"), "workload.arrivals").unwrap_err();
    assert_eq!(e.location, "workload.arrivals.file");
    assert!(
        e.message.contains("cannot open `/nowhere/missing.csv`"),
        "{}",
        e.message
    );

    let f = temp_file("no-rows.csv", "time_s\n");
    let spec = Arrivals::Trace {
        file: f.display().to_string(),
        format: TraceFormat::Timestamps,
        scale: 1.0,
    };
    assert!(error(&spec).message.contains("has no data rows"));

    let spec = Arrivals::Trace {
        file: "x.csv".into(),
        format: TraceFormat::Timestamps,
        scale: 0.0,
    };
    assert_eq!(error(&spec).location, "workload.arrivals.scale");
}

#[test]
fn negative_rates_and_empty_lists_are_rejected_with_their_path() {
    let stages = vec![stage(10.0, 5.0), stage(10.0, 5.0), stage(10.0, -5.0)];
    let e = error(&Arrivals::Stages {
        start_rate: 0.0,
        stages,
    });
    assert_eq!(e.location, "workload.arrivals.stages[2].target");
    assert!(
        e.message.contains("must be a finite number ≥ 0, got -5"),
        "{}",
        e.message
    );
    assert!(e.hint.unwrap().contains("requests per second"));

    let e = error(&Arrivals::Stages {
        start_rate: 0.0,
        stages: vec![],
    });
    assert_eq!(e.location, "workload.arrivals.stages");
    assert!(e.message.contains("at least one stage"));

    let e = error(&Arrivals::Bursts { states: vec![] });
    assert!(e.message.contains("at least one state"));

    let bad = BurstState {
        name: None,
        rate: 1.0,
        mean_duration: secs(0.0),
    };
    let e = error(&Arrivals::Bursts { states: vec![bad] });
    assert_eq!(e.location, "workload.arrivals.states[0].mean_duration");

    let e = error(&Arrivals::Constant { rate: f64::NAN });
    assert_eq!(e.location, "workload.arrivals.rate");
}
