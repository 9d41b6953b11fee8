//! Specification tests for the forecasters.

use super::*;
use std::f64::consts::PI;

/// Season of the synthetic series [samples] (a day of hours).
const M: usize = 24;

/// Deterministic uniform noise on [−a, a] from a 64-bit LCG (Knuth's MMIX constants), so the
/// tests need no RNG crate and give the same numbers everywhere.
struct Noise {
    state: u64,
    half_width: f64,
}

impl Noise {
    /// Noise with standard deviation `sd` (uniform: half-width `sd·√3`).
    fn with_sd(seed: u64, sd: f64) -> Self {
        Noise {
            state: seed,
            half_width: sd * 3f64.sqrt(),
        }
    }

    fn next(&mut self) -> f64 {
        self.state = self
            .state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let u = (self.state >> 11) as f64 / (1u64 << 53) as f64; // [0, 1)
        (2.0 * u - 1.0) * self.half_width
    }
}

/// The noise-free signal `100 + 0.5·t + 30·sin(2πt/24)`.
fn signal(t: usize) -> f64 {
    let t = t as f64;
    100.0 + 0.5 * t + 30.0 * (2.0 * PI * t / M as f64).sin()
}

fn hw(alpha: f64, beta: f64, gamma: f64) -> HoltWinters {
    HoltWinters::new(HoltWintersParams::new(M, alpha, beta, gamma)).unwrap()
}

// ---------------------------------------------------------------- seasonal naive

#[test]
fn seasonal_naive_is_silent_before_one_season_then_forecasts_a_periodic_series_exactly() {
    let period = [
        3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0, 8.0, 9.0, 7.0,
    ];
    let m = period.len();
    let y = |t: usize| period[t % m];
    let mut f = SeasonalNaive::new(m).unwrap();
    for n in 0..5 * m {
        if n < m {
            assert!(!f.is_warm());
            assert_eq!(f.forecast(1), None, "after {n} observations");
            assert_eq!(f.forecast(m), None);
        } else {
            assert!(f.is_warm());
            for h in 1..=3 * m {
                assert_eq!(f.forecast(h), Some(y(n - 1 + h)), "n = {n}, h = {h}");
            }
        }
        assert_eq!(f.forecast(0), None);
        f.observe(y(n));
    }
    assert_eq!(f.errors().count(), 4 * m as u64);
    assert_eq!(f.errors().mae(), Some(0.0));
    assert_eq!(f.errors().rmse(), Some(0.0));
    assert_eq!(f.errors().last(), Some(0.0));
}

#[test]
fn seasonal_naive_copies_the_step_one_season_before_the_target_and_repeats_the_last_season() {
    // y_t = t is not periodic, so every forecast names the step it was copied from.
    let m = 5;
    let mut f = SeasonalNaive::new(m).unwrap();
    for t in 0..13 {
        f.observe(t as f64);
    }
    // Last observation t = 12; ŷ_{12+h} = y_{12+h−m(k+1)}, k = ⌊(h−1)/m⌋.
    let expected = [
        (1, 8.0),
        (2, 9.0),
        (5, 12.0),
        (6, 8.0),
        (10, 12.0),
        (11, 8.0),
        (1000, 12.0),
    ];
    for (h, want) in expected {
        assert_eq!(f.forecast(h), Some(want), "h = {h}");
    }
    // Every one-step error since warm-up is y_t − y_{t−m} = m.
    assert_eq!(f.errors().count(), 13 - m as u64);
    assert_eq!(f.errors().mae(), Some(m as f64));
    assert_eq!(f.errors().rmse(), Some(m as f64));
    assert_eq!(f.errors().bias(), Some(m as f64));
}

// ---------------------------------------------------------------- Holt–Winters

#[test]
fn holt_winters_is_silent_before_two_seasons() {
    let mut f = hw(0.3, 0.1, 0.2);
    for t in 0..2 * M {
        assert_eq!(f.forecast(1), None, "after {t} observations");
        assert!(f.state().is_none());
        f.observe(signal(t));
    }
    assert!(f.is_warm());
    assert!(f.forecast(1).is_some());
    assert_eq!(f.forecast(0), None);
    assert_eq!(f.errors().count(), 0, "warm-up steps are not scored");
    f.observe(signal(2 * M));
    assert_eq!(f.errors().count(), 1);
}

#[test]
fn holt_winters_initialises_from_two_seasons_and_indexes_seasonal_slots_by_target_phase() {
    // m = 2, y = 1, 3 | 5, 7 and all weights 0: the recursions only carry the initial state.
    // ℓ = mean(1, 3) = 2, b = (6 − 2)/2 = 2, s = [1 − 2, 3 − 2] = [−1, 1] as of t = 1;
    // t = 2, 3 advance ℓ by b: ℓ_3 = 6, b_3 = 2.
    let mut f = HoltWinters::new(HoltWintersParams::new(2, 0.0, 0.0, 0.0)).unwrap();
    for y in [1.0, 3.0, 5.0, 7.0] {
        f.observe(y);
    }
    let (level, trend, seasonal) = f.state().unwrap();
    assert_eq!((level, trend, seasonal), (6.0, 2.0, &[-1.0, 1.0][..]));
    // ŷ_{3+h} = ℓ + h·b + seasonal[(3 + h) mod 2].
    assert_eq!(f.forecast(1), Some(6.0 + 2.0 - 1.0));
    assert_eq!(f.forecast(2), Some(6.0 + 4.0 + 1.0));
    assert_eq!(f.forecast(3), Some(6.0 + 6.0 - 1.0));
    assert_eq!(f.forecast(4), Some(6.0 + 8.0 + 1.0));
}

#[test]
fn holt_winters_recursions_match_a_hand_computed_step() {
    // m = 2, y = 0, 2 | 0, 2: ℓ = 1, b = 0, s = [−1, 1]; the second season fits exactly.
    let (a, b, g) = (0.5, 0.25, 0.5);
    let mut f = HoltWinters::new(HoltWintersParams::new(2, a, b, g)).unwrap();
    for y in [0.0, 2.0, 0.0, 2.0] {
        f.observe(y);
    }
    assert_eq!(f.state().unwrap(), (1.0, 0.0, &[-1.0, 1.0][..]));
    // Observe 4 at t = 4 (phase 0): one-step forecast was 1 + 0 − 1 = 0, error 4.
    f.observe(4.0);
    let s_prev = -1.0; // s_{t−m}, slot 0
    let level = a * (4.0 - s_prev) + (1.0 - a) * 1.0; // 3
    let trend = b * (level - 1.0) + (1.0 - b) * 0.0; // 0.5
    let s0 = g * (4.0 - 1.0 - 0.0) + (1.0 - g) * s_prev; // 1
    assert_eq!(f.state().unwrap(), (level, trend, &[s0, 1.0][..]));
    assert_eq!(f.errors().last(), Some(4.0));
    assert_eq!(f.forecast(1), Some(level + trend + 1.0));
}

#[test]
fn holt_winters_with_no_noise_converges_to_the_exact_series() {
    // The signal is exactly level + trend + season, so zero error is a fixed point; the
    // start-up bias of the classical initialisation decays geometrically (fast for a small α
    // and a large γ, which leave the seasonal indices to absorb the season-1 ramp).
    let mut f = hw(0.1, 0.1, 0.6);
    let seasons = 40;
    for t in 0..seasons * M {
        f.observe(signal(t));
    }
    let n = seasons * M;
    for h in 1..=2 * M {
        let err = (f.forecast(h).unwrap() - signal(n - 1 + h)).abs();
        assert!(err < 1e-6, "h = {h}: |error| = {err:e}");
    }
    assert!(f.errors().last().unwrap().abs() < 1e-6);
}

#[test]
fn holt_winters_recovers_the_season_of_a_noisy_trended_series() {
    // Noise sd σ = 2 (uniform). An oracle that knew the signal would have one-step
    // MAE = E|noise| = σ·√3/2 ≈ 0.87σ and RMSE = σ; smoothing adds estimation error, and the
    // running statistics also carry the start-up transient. Bounds after 10 seasons:
    // MAE ≤ 1.5σ, RMSE ≤ 2σ. Four noise seeds, so no bound rests on one lucky draw.
    let sd = 2.0;
    let n = 10 * M;
    for seed in [0x5eed, 1, 2, 3] {
        let mut noise = Noise::with_sd(seed, sd);
        let mut f = hw(0.1, 0.05, 0.3);
        let mut naive = SeasonalNaive::new(M).unwrap();
        for t in 0..n {
            let y = signal(t) + noise.next();
            f.observe(y);
            naive.observe(y);
        }
        let mae = f.errors().mae().unwrap();
        assert!(mae <= 1.5 * sd, "seed {seed}: one-step MAE {mae} > 1.5σ");
        let rmse = f.errors().rmse().unwrap();
        assert!(rmse >= mae && rmse <= 2.0 * sd, "seed {seed}: RMSE {rmse}");

        // The next season, h = 1 … 24 from the same state, against the noise-free signal:
        // the level and each seasonal index are averages of noisy samples (error below σ),
        // the trend's error grows with h. Bounds: every |error| ≤ 3σ, mean |error| ≤ σ.
        let errs: Vec<f64> = (1..=M)
            .map(|h| (f.forecast(h).unwrap() - signal(n - 1 + h)).abs())
            .collect();
        let worst = errs.iter().cloned().fold(0.0, f64::max);
        let mean = errs.iter().sum::<f64>() / M as f64;
        assert!(
            worst <= 3.0 * sd,
            "seed {seed}: worst 24-step-ahead |error| {worst}"
        );
        assert!(mean <= sd, "seed {seed}: mean 24-step-ahead |error| {mean}");

        // Seasonal naive cannot follow the trend: its one-step errors are about m·0.5 = 12.
        assert!(mae < naive.errors().mae().unwrap() / 4.0, "seed {seed}");
    }
}

#[test]
fn holt_winters_tracks_a_level_shift_faster_with_larger_alpha() {
    // A pure season around a level that jumps from 100 to 150 after 4 seasons; β = 0 so the
    // trend cannot overshoot. "Tracked" = first step after the shift whose one-step |error|
    // is below 10 % of the jump.
    let shift_at = 4 * M;
    let y = |t: usize| {
        let level = if t < shift_at { 100.0 } else { 150.0 };
        level + 30.0 * (2.0 * PI * t as f64 / M as f64).sin()
    };
    let steps_to_track = |alpha: f64| {
        let mut f = hw(alpha, 0.0, 0.1);
        for t in 0..shift_at {
            f.observe(y(t));
        }
        (shift_at..shift_at + 10 * M)
            .position(|t| {
                f.observe(y(t));
                f.errors().last().unwrap().abs() < 5.0
            })
            .expect("tracked within 10 seasons")
    };
    let steps: Vec<usize> = [0.1, 0.3, 0.5, 0.9]
        .into_iter()
        .map(steps_to_track)
        .collect();
    assert!(
        steps.windows(2).all(|w| w[0] > w[1]),
        "steps to track by α = 0.1, 0.3, 0.5, 0.9: {steps:?}"
    );
}

#[test]
fn holt_winters_damped_trend_flattens_long_horizons() {
    let undamped = HoltWintersParams::new(4, 0.5, 0.5, 0.5);
    let mut a = HoltWinters::new(undamped).unwrap();
    let mut d = HoltWinters::new(undamped.with_phi(0.8)).unwrap();
    for t in 0..40 {
        let y = 10.0 * t as f64 + [0.0, 5.0, 0.0, -5.0][t % 4];
        a.observe(y);
        d.observe(y);
    }
    // Undamped: the trend keeps adding; damped: the increments shrink geometrically.
    let step = |f: &HoltWinters, h: usize| f.forecast(h + 4).unwrap() - f.forecast(h).unwrap();
    assert!(step(&a, 40) > 39.0, "undamped season-over-season growth");
    assert!(step(&d, 40) < 0.01, "damped season-over-season growth");
    assert!(step(&d, 1) > step(&d, 5) && step(&d, 5) > step(&d, 9));
}

// ---------------------------------------------------------------- the enum

#[test]
fn forecaster_enum_delegates_and_reports_errors() {
    let mut f = Forecaster::seasonal_naive(3).unwrap();
    for y in [1.0, 2.0, 3.0, 1.0, 2.0, 5.0] {
        f.observe(y);
    }
    assert_eq!(f.season(), 3);
    assert_eq!(f.observed(), 6);
    assert!(f.is_warm());
    assert_eq!(f.last_error(), Some(2.0));
    assert_eq!(f.mae(), Some(2.0 / 3.0));
    assert_eq!(f.rmse(), Some((4.0f64 / 3.0).sqrt()));
    assert_eq!(f.forecast(3), Some(5.0));

    let mut g = Forecaster::holt_winters(HoltWintersParams::new(3, 0.5, 0.1, 0.1)).unwrap();
    for y in [1.0, 2.0, 3.0, 1.0, 2.0] {
        g.observe(y);
        assert_eq!(g.forecast(1), None);
    }
    g.observe(3.0);
    assert!(g.is_warm() && g.forecast(1).is_some() && g.last_error().is_none());
}

// ---------------------------------------------------------------- validation

#[test]
fn parameter_validation_names_the_parameter_and_its_range() {
    let ok = HoltWintersParams::new(24, 0.3, 0.1, 0.2);
    assert_eq!(ok.validate(), Ok(()));
    assert_eq!(
        HoltWintersParams::new(24, 0.0, 1.0, 0.0).validate(),
        Ok(()),
        "bounds are inclusive"
    );
    let err = |p: HoltWintersParams| HoltWinters::new(p).unwrap_err();
    assert_eq!(
        err(HoltWintersParams { season: 1, ..ok }),
        "season must be at least 2 samples, got 1"
    );
    assert_eq!(
        err(HoltWintersParams { alpha: 1.5, ..ok }),
        "alpha must be a finite number in [0, 1], got 1.5"
    );
    assert_eq!(
        err(HoltWintersParams { beta: -0.1, ..ok }),
        "beta must be a finite number in [0, 1], got -0.1"
    );
    assert_eq!(
        err(HoltWintersParams {
            gamma: f64::NAN,
            ..ok
        }),
        "gamma must be a finite number in [0, 1], got NaN"
    );
    assert_eq!(
        err(ok.with_phi(0.0)),
        "phi (trend damping) must be a finite number in (0, 1], got 0"
    );
    assert_eq!(
        err(ok.with_phi(f64::INFINITY)),
        "phi (trend damping) must be a finite number in (0, 1], got inf"
    );
    assert_eq!(
        SeasonalNaive::new(0).unwrap_err(),
        "season must be at least 2 samples, got 0"
    );
    assert_eq!(ok.warning(), None);
    assert_eq!(
        HoltWintersParams::new(24, 0.5, 0.1, 0.75)
            .warning()
            .as_deref(),
        Some(
            "gamma 0.75 exceeds 1 - alpha = 0.5 (the usual Holt-Winters restriction); \
             forecasts may oscillate or diverge"
        )
    );
    assert!(Forecaster::seasonal_naive(1).is_err());
    assert!(Forecaster::holt_winters(HoltWintersParams { alpha: 2.0, ..ok }).is_err());
}

// ---------------------------------------------------------------- replicas and horizons

#[test]
fn replicas_for_rounds_up_and_is_exact_on_integer_boundaries() {
    assert_eq!(replicas_for(200.0, 100.0), Ok(2));
    assert_eq!(replicas_for(200.000001, 100.0), Ok(3));
    assert_eq!(replicas_for(199.999999, 100.0), Ok(2));
    assert_eq!(replicas_for(950.0, 100.0), Ok(10));
    assert_eq!(replicas_for(100.0, 100.0), Ok(1));
    assert_eq!(replicas_for(0.5, 0.25), Ok(2));
    assert_eq!(replicas_for(0.001, 100.0), Ok(1));
    assert_eq!(replicas_for(0.0, 100.0), Ok(0));
    assert_eq!(replicas_for(-0.0, 100.0), Ok(0));
    assert_eq!(replicas_for(-50.0, 100.0), Ok(0));
    assert_eq!(replicas_for(1e300, 1.0), Ok(u32::MAX));
}

#[test]
fn replicas_for_rejects_non_finite_forecasts_and_non_positive_targets() {
    assert_eq!(
        replicas_for(100.0, 0.0),
        Err("target_per_pod must be a finite number > 0, got 0".to_string())
    );
    assert!(replicas_for(100.0, -1.0).is_err());
    assert!(replicas_for(100.0, f64::NAN).is_err());
    assert_eq!(
        replicas_for(f64::NAN, 100.0),
        Err("forecast must be a finite number, got NaN".to_string())
    );
    assert!(replicas_for(f64::INFINITY, 100.0).is_err());
}

#[test]
fn horizon_steps_rounds_the_lead_up_to_whole_steps_and_is_at_least_one() {
    let s = SimDuration::from_secs;
    assert_eq!(horizon_steps(s(0), s(60)), Ok(1));
    assert_eq!(horizon_steps(s(60), s(60)), Ok(1));
    assert_eq!(horizon_steps(s(61), s(60)), Ok(2));
    assert_eq!(horizon_steps(s(90), s(60)), Ok(2));
    assert_eq!(horizon_steps(s(120), s(60)), Ok(2));
    assert_eq!(
        horizon_steps(SimDuration::from_millis(120_001), s(60)),
        Ok(3)
    );
    assert_eq!(
        horizon_steps(s(60), SimDuration::ZERO),
        Err("step must be > 0 s".to_string())
    );
}
