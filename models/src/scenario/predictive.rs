//! The `predictive_scaling:` block: a controller that forecasts the HPA's scaling metric from
//! its own history and raises the HPA's `minReplicas` to the replicas the forecast needs, ahead
//! by the pods' start-up time (see [`crate::world`]'s predictive module for the loop).
//!
//! ```yaml
//! predictive_scaling:
//!   forecaster: holt_winters        # or seasonal_naive
//!   season: 24h                     # the pattern's period
//!   step: 5m                        # one history sample per step (the mean of the syncs in it)
//!   lead: 3m                        # default: the pods' mean start-up + one HPA sync period
//!   metric: cpu                     # default: the HPA's first metric
//!   holt_winters: {alpha: 0.2, beta: 0.01, gamma: 0.3, phi: 0.98}
//! ```

use super::{Duration, Scenario, SpecError};
use crate::forecast::HoltWintersParams;
use serde::{Deserialize, Serialize};

/// The forecasting model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForecasterKind {
    /// The value one season earlier.
    SeasonalNaive,
    /// Additive Holt–Winters with an optionally damped trend.
    HoltWinters,
}

impl ForecasterKind {
    /// The name as written in scenarios and events.
    pub fn name(self) -> &'static str {
        match self {
            ForecasterKind::SeasonalNaive => "seasonal_naive",
            ForecasterKind::HoltWinters => "holt_winters",
        }
    }
}

/// Holt–Winters smoothing weights as written.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoltWintersSpec {
    /// Level smoothing α [0..1], config. Default 0.2.
    #[serde(default = "default_alpha")]
    pub alpha: f64,
    /// Trend smoothing β [0..1], config. Default 0.01.
    #[serde(default = "default_beta")]
    pub beta: f64,
    /// Seasonal smoothing γ [0..1], config. Default 0.3.
    #[serde(default = "default_gamma")]
    pub gamma: f64,
    /// Trend damping φ (0..1], config. Default 0.98.
    #[serde(default = "default_phi")]
    pub phi: f64,
}

fn default_alpha() -> f64 {
    0.2
}
fn default_beta() -> f64 {
    0.01
}
fn default_gamma() -> f64 {
    0.3
}
fn default_phi() -> f64 {
    0.98
}

impl Default for HoltWintersSpec {
    fn default() -> Self {
        HoltWintersSpec {
            alpha: default_alpha(),
            beta: default_beta(),
            gamma: default_gamma(),
            phi: default_phi(),
        }
    }
}

/// The predictive controller as written.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PredictiveScaling {
    /// Forecasting model, config: `seasonal_naive` or `holt_winters`.
    pub forecaster: ForecasterKind,
    /// Season (the period of the load pattern) [s], config, e.g. `24h`; a whole number of
    /// steps.
    pub season: Duration,
    /// History step [s], config: one sample per step, the mean of the metric's totals seen at
    /// the HPA syncs inside it. Default 5 m.
    #[serde(default = "default_step")]
    pub step: Duration,
    /// How far ahead the floor provisions [s], config. Default: the pods' mean start-up
    /// (schedule + image pull + container start + app start + one probe period) plus one HPA
    /// sync period.
    #[serde(default)]
    pub lead: Option<Duration>,
    /// The HPA metric forecast, by the name events show (`cpu`, a Pods or External metric's
    /// name), config. Default: the HPA's first metric.
    #[serde(default)]
    pub metric: Option<String>,
    /// Holt–Winters weights, config (only with `forecaster: holt_winters`). Default
    /// α 0.2, β 0.01, γ 0.3, φ 0.98.
    #[serde(default)]
    pub holt_winters: Option<HoltWintersSpec>,
}

fn default_step() -> Duration {
    Duration::from_secs(300.0)
}

/// Longest season, in steps: the history buffers hold a few seasons.
pub const MAX_SEASON_STEPS: u64 = 100_000;

impl PredictiveScaling {
    /// Season length [steps], if `season` is a whole positive number of steps.
    pub fn season_steps(&self) -> Result<usize, String> {
        let step = self.step.sim().as_nanos();
        let season = self.season.sim().as_nanos();
        if step == 0 {
            return Err("step must be > 0 s".into());
        }
        if season % step != 0 {
            return Err(format!(
                "the season ({} s) is not a whole number of steps ({} s)",
                self.season.secs(),
                self.step.secs()
            ));
        }
        let n = season / step;
        if n < 2 {
            return Err(format!(
                "the season must hold at least 2 steps, it holds {n}"
            ));
        }
        if n > MAX_SEASON_STEPS {
            return Err(format!(
                "the season holds {n} steps, more than {MAX_SEASON_STEPS}"
            ));
        }
        Ok(n as usize)
    }

    /// The Holt–Winters parameters for a season of `season` steps.
    pub fn holt_winters_params(&self, season: usize) -> HoltWintersParams {
        let w = self.holt_winters.unwrap_or_default();
        HoltWintersParams::new(season, w.alpha, w.beta, w.gamma).with_phi(w.phi)
    }
}

/// The problems of `s.predictive_scaling` that need no compiled HPA, located by path.
pub fn validate(s: &Scenario) -> Vec<SpecError> {
    let Some(b) = &s.predictive_scaling else {
        return Vec::new();
    };
    let p = "predictive_scaling";
    let mut errors = Vec::new();
    if s.hpa.is_none() || s.scaled_object.is_some() {
        errors.push(
            SpecError::at_path(
                p,
                "predictive scaling raises an HPA's minReplicas: the scenario has no HPA of its own",
            )
            .with_hint("add an autoscaling/v2 HorizontalPodAutoscaler"),
        );
    }
    if b.step.secs() <= 0.0 || b.step.secs().is_nan() {
        errors.push(
            SpecError::at_path(format!("{p}.step"), "must be > 0 s")
                .with_hint("one history sample per step, e.g. `5m`"),
        );
    } else if let Err(e) = b.season_steps() {
        errors.push(
            SpecError::at_path(format!("{p}.season"), e)
                .with_hint("e.g. `season: 24h` with `step: 5m` (288 steps)"),
        );
    }
    match (b.forecaster, &b.holt_winters) {
        (ForecasterKind::SeasonalNaive, Some(_)) => errors.push(
            SpecError::at_path(
                format!("{p}.holt_winters"),
                "Holt–Winters weights with `forecaster: seasonal_naive`",
            )
            .with_hint("set `forecaster: holt_winters` or drop `holt_winters:`"),
        ),
        (ForecasterKind::HoltWinters, _) => {
            let params = b.holt_winters_params(2);
            if let Err(e) = params.validate() {
                errors.push(
                    SpecError::at_path(format!("{p}.holt_winters"), e)
                        .with_hint("weights α, β, γ in [0, 1], damping φ in (0, 1]"),
                );
            }
        }
        _ => {}
    }
    errors
}

/// Warnings about a valid block (Holt–Winters weights prone to oscillate).
pub fn warnings(s: &Scenario) -> Vec<String> {
    let Some(b) = &s.predictive_scaling else {
        return Vec::new();
    };
    if b.forecaster != ForecasterKind::HoltWinters {
        return Vec::new();
    }
    b.holt_winters_params(2)
        .warning()
        .map(|w| format!("predictive_scaling.holt_winters: {w}"))
        .into_iter()
        .collect()
}
