//! Specifications of the diurnal extensions: per-day multipliers (`day_scale`, with an optional
//! `day_transition` blend) and additive trapezoidal `spikes`.
//!
//! Expected counts are the integral of the exact rate λ(t) (`rate_at`), by the midpoint rule on
//! one-second steps (its error, below 10⁻³ requests per hour here, is far inside the
//! tolerances). Counts in disjoint windows are independent Poisson variables.

use super::*;
use crate::scenario::Spike;

const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;

fn spike(at: f64, duration: f64, rate: f64, ramp: f64) -> Spike {
    Spike {
        at: secs(at),
        duration: secs(duration),
        rate,
        ramp: secs(ramp),
    }
}

/// A week: 8 ± 6 req/s peaking at 15:00 (day 0 starting at midnight), weekends at 0.55 and
/// 0.45 blended over an hour, a spike on day 3 at 14:00 and two overlapping ones on day 4.
fn week(day_transition: Option<f64>, spikes: Vec<Spike>) -> Arrivals {
    Arrivals::Diurnal {
        base: 8.0,
        amplitude: 6.0,
        period: secs(DAY),
        // sin(2π (t + phase) / 24h) peaks at t = 6h − phase: 15:00 for phase 15h (≡ −9h).
        phase: secs(15.0 * HOUR),
        day_scale: Some(vec![1.0, 1.0, 1.0, 1.0, 1.0, 0.55, 0.45]),
        day_transition: day_transition.map(secs),
        spikes,
    }
}

fn week_spikes() -> Vec<Spike> {
    vec![
        spike(3.0 * DAY + 14.0 * HOUR, 1800.0, 25.0, 120.0),
        spike(4.0 * DAY + 10.0 * HOUR, 3600.0, 10.0, 0.0),
        spike(4.0 * DAY + 10.5 * HOUR, 3600.0, 20.0, 600.0),
    ]
}

/// ∫ λ over `[a, b]` [s], by the midpoint rule on one-second steps.
fn integral(p: &ArrivalProcess, a: f64, b: f64) -> f64 {
    let steps = (b - a).round() as u64;
    let h = (b - a) / steps as f64;
    (0..steps)
        .map(|i| p.rate_at(SimTime::from_secs_f64(a + (i as f64 + 0.5) * h)) * h)
        .sum()
}

fn assert_within_4_sd(observed: f64, expected: f64, what: &str) {
    let tol = 4.0 * expected.sqrt();
    assert!(
        (observed - expected).abs() <= tol,
        "{what}: {observed} arrivals, expected {expected:.1} ± {tol:.1}"
    );
}

fn diurnal(p: &ArrivalProcess) -> &Diurnal {
    match &p.kind {
        Kind::Diurnal(d) => d,
        _ => unreachable!(),
    }
}

#[test]
fn week_hourly_counts_match_the_integral_of_the_rate_within_four_standard_deviations() {
    let mut p = compile(&week(Some(HOUR), week_spikes()));
    let edges: Vec<f64> = (0..=168).map(|h| h as f64 * HOUR).collect();
    let n = counts(&mut p, &edges, 21);
    for (h, &observed) in n.iter().enumerate() {
        let expected = integral(&p, edges[h], edges[h + 1]);
        assert_within_4_sd(observed, expected, &format!("hour {h}"));
    }
    let total: f64 = n.iter().sum();
    assert_within_4_sd(total, integral(&p, 0.0, 168.0 * HOUR), "the week");
}

#[test]
fn a_spike_adds_its_trapezoid_integral_rate_times_duration_less_ramp() {
    let (at, duration, rate, ramp) = (3.0 * DAY + 14.0 * HOUR, 1800.0, 250.0, 120.0);
    let spec = week(None, vec![spike(at, duration, rate, ramp)]);
    let without = compile(&week(None, vec![]));
    let mut p = compile(&spec);
    let edges = [at, at + ramp, at + duration - ramp, at + duration];
    let mut n = [0.0; 3];
    // Count only around the spike (a week of background is not needed).
    let mut r = rng(22);
    let mut now = SimTime::from_secs_f64(at - 60.0);
    while let Some(t) = p.next_arrival(now, &mut r) {
        let s = t.0 as f64 * 1e-9;
        if s >= edges[3] {
            break;
        }
        if s >= edges[0] {
            n[edges.partition_point(|&e| e <= s) - 1] += 1.0;
        }
        now = t;
    }
    let background = |a: f64, b: f64| integral(&without, a, b);
    assert_within_4_sd(
        n[0],
        background(edges[0], edges[1]) + rate * ramp / 2.0,
        "ramp up",
    );
    assert_within_4_sd(
        n[1],
        background(edges[1], edges[2]) + rate * (duration - 2.0 * ramp),
        "plateau",
    );
    assert_within_4_sd(
        n[2],
        background(edges[2], edges[3]) + rate * ramp / 2.0,
        "ramp down",
    );
    // The exact rate: the trapezoid on top of the diurnal rate.
    let extra = |s: f64| {
        let t = SimTime::from_secs_f64(s);
        p.rate_at(t) - without.rate_at(t)
    };
    assert!((extra(at + 60.0) - 125.0).abs() < 1e-6, "half way up");
    assert!((extra(at + 900.0) - 250.0).abs() < 1e-6, "plateau");
    assert!((extra(at + duration - 30.0) - 62.5).abs() < 1e-6, "down");
    assert!(extra(at + duration).abs() < 1e-9, "over");
    assert!(extra(at - 1.0).abs() < 1e-9, "not yet");
}

#[test]
fn overlapping_spikes_add_up() {
    let p = compile(&week(None, week_spikes()));
    let without = compile(&week(None, vec![]));
    let extra = |s: f64| {
        let t = SimTime::from_secs_f64(s);
        p.rate_at(t) - without.rate_at(t)
    };
    let day4 = 4.0 * DAY;
    assert!((extra(day4 + 10.25 * HOUR) - 10.0).abs() < 1e-6);
    assert!((extra(day4 + 10.5 * HOUR + 300.0) - 20.0).abs() < 1e-6);
    assert!((extra(day4 + 10.75 * HOUR) - 30.0).abs() < 1e-6);
    assert!((extra(day4 + 11.25 * HOUR) - 20.0).abs() < 1e-6);
}

#[test]
fn weekend_to_weekday_count_ratio_is_the_day_scale_ratio() {
    // A step at midnight: Saturday (day 5) and Sunday (day 6) are Monday (day 0) scaled.
    let mut p = compile(&week(None, vec![]));
    let edges: Vec<f64> = (0..=7).map(|d| d as f64 * DAY).collect();
    let n = counts(&mut p, &edges, 23);
    for (day, k) in [(5, 0.55), (6, 0.45)] {
        // Var(A/B) ≈ (A/B)² (1/A + 1/B) for independent Poisson counts (delta method).
        let ratio = n[day] / n[0];
        let sd = ratio * (1.0 / n[day] + 1.0 / n[0]).sqrt();
        assert!(
            (ratio - k).abs() <= 4.0 * sd,
            "day {day}: ratio {ratio:.4}, expected {k} ± {:.4}",
            4.0 * sd
        );
    }
    let at = |d: f64, h: f64| p.rate_at(SimTime::from_secs_f64(d * DAY + h * HOUR));
    assert!(
        (at(5.0, 15.0) - 0.55 * 14.0).abs() < 1e-9,
        "Saturday's peak"
    );
    assert!((at(2.0, 15.0) - 14.0).abs() < 1e-9, "Wednesday's peak");
    assert!((at(7.0, 15.0) - 14.0).abs() < 1e-9, "day 7 is day 0 again");
}

#[test]
fn day_transition_blends_linearly_from_the_previous_day() {
    let p = compile(&week(Some(2.0 * HOUR), vec![]));
    let sinusoid = compile(&Arrivals::Diurnal {
        base: 8.0,
        amplitude: 6.0,
        period: secs(DAY),
        phase: secs(15.0 * HOUR),
        day_scale: None,
        day_transition: None,
        spikes: vec![],
    });
    let k = |s: f64| {
        let t = SimTime::from_secs_f64(s);
        p.rate_at(t) / sinusoid.rate_at(t)
    };
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    assert!(
        close(k(5.0 * DAY + HOUR), 0.775),
        "half way Friday → Saturday"
    );
    assert!(close(k(6.0 * DAY + 0.5 * HOUR), 0.525), "Saturday → Sunday");
    assert!(close(k(6.0 * DAY + 3.0 * HOUR), 0.45), "blend done");
    assert!(close(k(0.5 * HOUR), 0.5875), "day 0 blends from day 6");
    assert!(close(k(DAY + 2.0 * HOUR), 1.0), "Tuesday");
}

#[test]
fn segment_bounds_dominate_the_week_rate_everywhere_and_keep_acceptance_near_one() {
    for (transition, spikes) in [
        (Some(HOUR), week_spikes()),
        (None, week_spikes()),
        (Some(DAY), vec![spike(0.0, 10.0, 5.0, 5.0)]),
    ] {
        let p = compile(&week(transition, spikes));
        let d = diurnal(&p);
        let (mut start, mut bound_area, mut rate_area) = (0u64, 0.0, 0.0);
        let horizon = (8.0 * DAY * 1e9) as u64;
        while start < horizon {
            let seg = d.segment(start);
            assert!(seg.end > start && seg.low <= seg.bound);
            let len = seg.end - start;
            for i in 0..=64u64 {
                // Dense samples including both ends (the end as a left limit).
                let t = (start + len * i / 64).min(seg.end - 1);
                let exact = d.rate(t, 0.0);
                let interpolated = d.rate_in(&seg, &Clock::at(t));
                assert!(
                    exact <= seg.bound && exact >= seg.low,
                    "t {t}: rate {exact} outside [{}, {}]",
                    seg.low,
                    seg.bound
                );
                assert!(
                    interpolated <= seg.bound && interpolated >= seg.low,
                    "t {t}: thinning rate {interpolated} outside [{}, {}]",
                    seg.low,
                    seg.bound
                );
                assert!((interpolated - exact).abs() <= 1e-9 * (1.0 + exact));
                rate_area += exact * len as f64 / 65.0;
            }
            bound_area += seg.bound * len as f64;
            start = seg.end;
        }
        let acceptance = rate_area / bound_area;
        assert!(acceptance > 0.98, "acceptance {acceptance}");
    }
}

#[test]
fn a_silent_diurnal_yields_its_spikes_then_ends() {
    let mut p = compile(&Arrivals::Diurnal {
        base: 0.0,
        amplitude: 0.0,
        period: secs(DAY),
        phase: secs(0.0),
        day_scale: None,
        day_transition: None,
        spikes: vec![spike(HOUR, 600.0, 100.0, 60.0)],
    });
    let n = counts(&mut p, &[0.0, HOUR, HOUR + 600.0, DAY], 24);
    assert_eq!(n[0], 0.0);
    assert_within_4_sd(n[1], 100.0 * 540.0, "the spike");
    assert_eq!(n[2], 0.0);
    assert_eq!(
        p.next_arrival(SimTime::from_secs_f64(DAY), &mut rng(1)),
        None
    );
}

#[test]
fn bad_day_scale_and_spikes_are_rejected_with_their_path() {
    let with = |day_scale: Option<Vec<f64>>, day_transition: Option<f64>, spikes| {
        error(&Arrivals::Diurnal {
            base: 10.0,
            amplitude: 5.0,
            period: secs(DAY),
            phase: secs(0.0),
            day_scale,
            day_transition: day_transition.map(secs),
            spikes,
        })
    };
    let e = with(Some(vec![1.0; 5]), None, vec![]);
    assert_eq!(e.location, "workload.arrivals.day_scale");
    assert!(
        e.message
            .contains("needs exactly 7 values (one per day), got 5"),
        "{}",
        e.message
    );
    assert!(e.hint.unwrap().contains("day 0 first"));

    let e = with(Some(vec![1.0, 1.0, 1.0, 1.0, 1.0, -0.5, 0.4]), None, vec![]);
    assert_eq!(e.location, "workload.arrivals.day_scale[5]");
    assert!(e.message.contains("must be a finite number ≥ 0, got -0.5"));

    let e = with(Some(vec![1.0; 7]), Some(25.0 * HOUR), vec![]);
    assert_eq!(e.location, "workload.arrivals.day_transition");
    assert!(
        e.message.contains("must not exceed one day"),
        "{}",
        e.message
    );

    let e = with(None, Some(HOUR), vec![]);
    assert_eq!(e.location, "workload.arrivals.day_transition");
    assert!(e.message.contains("no effect without `day_scale`"));

    let e = with(
        None,
        None,
        vec![spike(0.0, 60.0, 5.0, 0.0), spike(10.0, 60.0, -5.0, 0.0)],
    );
    assert_eq!(e.location, "workload.arrivals.spikes[1].rate");
    assert!(e.hint.unwrap().contains("requests per second"));

    let e = with(None, None, vec![spike(10.0, 0.0, 5.0, 0.0)]);
    assert_eq!(e.location, "workload.arrivals.spikes[0].duration");
    assert!(e.message.contains("must be a finite number > 0, got 0"));

    let e = with(None, None, vec![spike(10.0, 600.0, 5.0, 301.0)]);
    assert_eq!(e.location, "workload.arrivals.spikes[0].ramp");
    assert!(
        e.message
            .contains("ramp 301s is longer than half the spike's duration 600s"),
        "{}",
        e.message
    );
    assert!(e.hint.unwrap().contains("ramp ≤ duration / 2"));
}
