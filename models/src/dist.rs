//! Compiled distributions: a scenario's [`Dist`] turned into a fast [`Sampler`].
//!
//! Validation and parameter solving happen once, in [`Sampler::compile`]; [`Sampler::sample`]
//! is a `match` over precomputed parameters and never allocates.
//!
//! - Exponential: `mean · E` with `E ~ Exp(1)` (ziggurat).
//! - Lognormal by (mean, p99): with `z = Φ⁻¹(0.99)`, `mean = exp(μ + σ²/2)` and
//!   `p99 = exp(μ + zσ)`, so `σ²/2 − zσ + ln(p99/mean) = 0`. The smaller root
//!   `σ = z − √(z² − 2 ln(p99/mean))` is the one where the p99 lies above the median; a real root
//!   exists only for `mean < p99 ≤ mean · exp(z²/2) ≈ 14.97 · mean`.
//! - Gamma and Erlang-k: gamma with shape k and scale `mean / k` (Marsaglia–Tsang).
//! - Empirical: a uniform pick among the values of a CSV column (shared, cheap to clone).

use crate::csv_input;
use crate::scenario::{Dist, SpecError};
use hpasim_sim::StreamRng;
use rand::RngExt;
use rand_distr::{Distribution, Exp1, Gamma, LogNormal};
use std::fmt;
use std::path::Path;
use std::sync::Arc;

/// Φ⁻¹(0.99): the standard normal 99th percentile.
pub const Z99: f64 = 2.326_347_874_040_841;

/// A compiled [`Dist`]: draws in seconds (or CPU-seconds), always ≥ 0.
#[derive(Clone, Debug)]
pub struct Sampler {
    kind: Kind,
    mean: f64,
}

#[derive(Clone, Debug)]
enum Kind {
    Constant(f64),
    Exponential { mean: f64 },
    LogNormal(LogNormal<f64>),
    Gamma(Gamma<f64>),
    Uniform { min: f64, width: f64 },
    Empirical(Values),
}

/// Empirical values, shared between clones; `Debug` shows only the count.
#[derive(Clone)]
struct Values(Arc<[f64]>);

impl fmt::Debug for Values {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{} values]", self.0.len())
    }
}

impl Sampler {
    /// Validates `spec` and precomputes its parameters. `path` is the spec's parameter path
    /// for error messages (`service.cpu`); `base_dir` resolves relative CSV paths.
    pub fn compile(spec: &Dist, base_dir: &Path, path: &str) -> Result<Sampler, SpecError> {
        let field = |name: &str| format!("{path}.{name}");
        match spec {
            Dist::Constant { value } => {
                let v = non_negative(value.secs(), &field("value"))?;
                Ok(Sampler::constant(v))
            }
            Dist::Exponential { mean, rate } => {
                let mean =
                    match (mean, rate) {
                        (Some(m), None) => positive(m.secs(), &field("mean"))?,
                        (None, Some(r)) => 1.0 / positive(*r, &field("rate"))?,
                        _ => return Err(SpecError::at_path(
                            path,
                            "an exponential distribution needs exactly one of `mean` and `rate`",
                        )
                        .with_hint("e.g. `{ dist: exponential, mean: 50ms }`")),
                    };
                Ok(Sampler {
                    kind: Kind::Exponential { mean },
                    mean,
                })
            }
            Dist::Lognormal {
                mean,
                p99,
                mu,
                sigma,
            } => lognormal(*mean, *p99, *mu, *sigma, path),
            Dist::Gamma { shape, mean } => {
                let shape = positive(*shape, &field("shape"))?;
                let mean = positive(mean.secs(), &field("mean"))?;
                Ok(gamma(shape, mean))
            }
            Dist::Erlang { k, mean } => {
                if *k == 0 {
                    return Err(SpecError::at_path(field("k"), "Erlang needs k ≥ 1 phases")
                        .with_hint("k = 1 is the exponential distribution"));
                }
                let mean = positive(mean.secs(), &field("mean"))?;
                Ok(gamma(f64::from(*k), mean))
            }
            Dist::Uniform { min, max } => {
                let lo = non_negative(min.secs(), &field("min"))?;
                let hi = non_negative(max.secs(), &field("max"))?;
                if lo > hi {
                    return Err(SpecError::at_path(
                        field("max"),
                        format!("uniform max ({hi} s) is below min ({lo} s)"),
                    )
                    .with_hint("swap `min` and `max`"));
                }
                if lo == hi {
                    return Ok(Sampler::constant(lo));
                }
                Ok(Sampler {
                    kind: Kind::Uniform {
                        min: lo,
                        width: hi - lo,
                    },
                    mean: 0.5 * (lo + hi),
                })
            }
            Dist::Empirical { file, column } => empirical(file, column.as_deref(), base_dir, path),
        }
    }

    /// The distribution that is always `value` seconds.
    pub fn constant(value: f64) -> Sampler {
        Sampler {
            kind: Kind::Constant(value),
            mean: value,
        }
    }

    /// One draw, in seconds (≥ 0). Never allocates.
    #[inline]
    pub fn sample(&self, rng: &mut StreamRng) -> f64 {
        match &self.kind {
            Kind::Constant(v) => *v,
            Kind::Exponential { mean } => {
                let e: f64 = Exp1.sample(rng);
                mean * e
            }
            Kind::LogNormal(d) => d.sample(rng),
            Kind::Gamma(d) => d.sample(rng),
            Kind::Uniform { min, width } => min + width * rng.random::<f64>(),
            Kind::Empirical(v) => v.0[rng.random_range(0..v.0.len())],
        }
    }

    /// The exact mean, in seconds.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// True for the constant 0.
    pub fn is_zero(&self) -> bool {
        matches!(self.kind, Kind::Constant(v) if v == 0.0)
    }
}

fn lognormal(
    mean: Option<crate::scenario::Duration>,
    p99: Option<crate::scenario::Duration>,
    mu: Option<f64>,
    sigma: Option<f64>,
    path: &str,
) -> Result<Sampler, SpecError> {
    let field = |name: &str| format!("{path}.{name}");
    let (mu, sigma) = match (mean, p99, mu, sigma) {
        (Some(mean), Some(p99), None, None) => {
            let m = positive(mean.secs(), &field("mean"))?;
            let q = positive(p99.secs(), &field("p99"))?;
            let gap = (q / m).ln();
            let disc = Z99 * Z99 - 2.0 * gap;
            if gap <= 0.0 {
                return Err(SpecError::at_path(
                    field("p99"),
                    format!("lognormal p99 ({q} s) must exceed the mean ({m} s)"),
                )
                .with_hint("a right-skewed lognormal has its 99th percentile above its mean"));
            }
            if disc < 0.0 {
                let max = m * (Z99 * Z99 / 2.0).exp();
                return Err(SpecError::at_path(
                    field("p99"),
                    format!(
                        "no lognormal has mean {m} s and p99 {q} s: the p99 can be at most \
                         {:.2} × the mean ({max:.6} s)",
                        max / m
                    ),
                )
                .with_hint("lower `p99`, raise `mean`, or give `mu` and `sigma` instead"));
            }
            let s = Z99 - disc.sqrt();
            (m.ln() - 0.5 * s * s, s)
        }
        (None, None, Some(mu), Some(sigma)) => {
            if !mu.is_finite() {
                return Err(SpecError::at_path(
                    field("mu"),
                    format!("mu must be finite, got {mu}"),
                ));
            }
            (mu, non_negative(sigma, &field("sigma"))?)
        }
        _ => {
            return Err(SpecError::at_path(
                path,
                "a lognormal distribution needs either `mean` and `p99`, or `mu` and `sigma`",
            )
            .with_hint("e.g. `{ dist: lognormal, mean: 80ms, p99: 400ms }`"))
        }
    };
    let mean = (mu + 0.5 * sigma * sigma).exp();
    if !mean.is_finite() {
        return Err(SpecError::at_path(
            path,
            "the lognormal mean overflows: mu or sigma too large",
        ));
    }
    let d = LogNormal::new(mu, sigma)
        .map_err(|e| SpecError::at_path(path, format!("invalid lognormal: {e}")))?;
    Ok(Sampler {
        kind: Kind::LogNormal(d),
        mean,
    })
}

fn gamma(shape: f64, mean: f64) -> Sampler {
    let d = Gamma::new(shape, mean / shape).expect("validated gamma parameters");
    Sampler {
        kind: Kind::Gamma(d),
        mean,
    }
}

fn empirical(
    file: &str,
    column: Option<&str>,
    base_dir: &Path,
    path: &str,
) -> Result<Sampler, SpecError> {
    let mut values = Vec::new();
    csv_input::for_each_row(
        base_dir,
        file,
        &format!("{path}.file"),
        [column],
        |_, [v]| {
            if v < 0.0 {
                return Err(format!(
                    "negative value {v}: values are seconds and must be ≥ 0"
                ));
            }
            values.push(v);
            Ok(())
        },
    )?;
    if values.is_empty() {
        return Err(SpecError::at_path(
            format!("{path}.file"),
            format!(
                "`{}` has no data rows",
                csv_input::resolve(base_dir, file).display()
            ),
        )
        .with_hint("an empirical distribution needs at least one value below the header"));
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    Ok(Sampler {
        kind: Kind::Empirical(Values(values.into())),
        mean,
    })
}

/// `v` if finite and > 0, else an error at `path`.
pub(crate) fn positive(v: f64, path: &str) -> Result<f64, SpecError> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(SpecError::at_path(
            path,
            format!("must be a finite number > 0, got {v}"),
        ))
    }
}

/// `v` if finite and ≥ 0, else an error at `path`.
pub(crate) fn non_negative(v: f64, path: &str) -> Result<f64, SpecError> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(SpecError::at_path(
            path,
            format!("must be a finite number ≥ 0, got {v}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv_input::temp_file;
    use crate::scenario::Duration;
    use hpasim_sim::Streams;

    const N: usize = 200_000;

    fn rng() -> StreamRng {
        Streams::new(7, 0).get("dist-tests")
    }
    fn secs(s: f64) -> Duration {
        Duration::from_secs(s)
    }
    fn compile(d: Dist) -> Sampler {
        Sampler::compile(&d, Path::new("."), "service.cpu").unwrap()
    }
    fn error(d: Dist) -> SpecError {
        Sampler::compile(&d, Path::new("."), "service.cpu").unwrap_err()
    }
    fn draws(s: &Sampler) -> Vec<f64> {
        let mut r = rng();
        (0..N).map(|_| s.sample(&mut r)).collect()
    }
    /// Asserts the sample mean is within 5 standard errors of `s.mean()`, given the exact sd.
    fn assert_mean(s: &Sampler, sd: f64) {
        let x = draws(s);
        assert!(x.iter().all(|&v| v >= 0.0 && v.is_finite()));
        let m = x.iter().sum::<f64>() / N as f64;
        let tol = 5.0 * sd / (N as f64).sqrt();
        assert!(
            (m - s.mean()).abs() <= tol,
            "sample mean {m} vs {} ± {tol}",
            s.mean()
        );
    }
    #[test]
    fn constant_is_always_its_value_and_zero_is_detected() {
        let s = compile(Dist::Constant { value: secs(0.25) });
        assert_eq!(draws(&s)[..3], [0.25; 3]);
        assert_eq!(s.mean(), 0.25);
        assert!(!s.is_zero());
        assert!(compile(Dist::zero()).is_zero());
    }

    #[test]
    fn exponential_by_mean_or_rate_has_the_right_mean() {
        let by_mean = compile(Dist::Exponential {
            mean: Some(secs(0.05)),
            rate: None,
        });
        assert_mean(&by_mean, 0.05);
        let by_rate = compile(Dist::Exponential {
            mean: None,
            rate: Some(20.0),
        });
        assert_eq!(by_rate.mean(), 0.05);
        assert_mean(&by_rate, 0.05);
    }

    #[test]
    fn exponential_needs_exactly_one_of_mean_and_rate() {
        let both = error(Dist::Exponential {
            mean: Some(secs(1.0)),
            rate: Some(1.0),
        });
        assert_eq!(both.location, "service.cpu");
        assert!(both.message.contains("exactly one of `mean` and `rate`"));
        let neither = error(Dist::Exponential {
            mean: None,
            rate: None,
        });
        assert!(neither.message.contains("exactly one"));
        let zero = error(Dist::Exponential {
            mean: None,
            rate: Some(0.0),
        });
        assert_eq!(zero.location, "service.cpu.rate");
        assert!(zero.message.contains("> 0"));
    }

    #[test]
    fn lognormal_by_mean_and_p99_reproduces_both() {
        let (mean, p99) = (0.08, 0.4);
        let s = compile(Dist::Lognormal {
            mean: Some(secs(mean)),
            p99: Some(secs(p99)),
            mu: None,
            sigma: None,
        });
        assert!((s.mean() - mean).abs() < 1e-12);
        // Recover sigma as in compile, for the exact sd and the quantile's standard error.
        let sigma = Z99 - (Z99 * Z99 - 2.0 * (p99 / mean).ln()).sqrt();
        assert_mean(&s, mean * ((sigma * sigma).exp() - 1.0).sqrt());

        let mut x = draws(&s);
        x.sort_by(f64::total_cmp);
        let q = x[(0.99 * N as f64) as usize];
        // SE of a sample quantile: sqrt(p(1-p)/n) / f(x_p), f(x_p) = φ(z) / (x_p σ).
        let phi = (-0.5 * Z99 * Z99).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let se = (0.99 * 0.01 / N as f64).sqrt() * p99 * sigma / phi;
        assert!(
            (q - p99).abs() <= 5.0 * se,
            "sample p99 {q} vs {p99} ± {}",
            5.0 * se
        );
    }

    #[test]
    fn lognormal_by_mu_and_sigma_has_the_textbook_mean() {
        let s = compile(Dist::Lognormal {
            mean: None,
            p99: None,
            mu: Some(-3.0),
            sigma: Some(0.5),
        });
        let mean = (-3.0f64 + 0.125).exp();
        assert!((s.mean() - mean).abs() < 1e-15);
        assert_mean(&s, mean * (0.25f64.exp() - 1.0).sqrt());
    }

    #[test]
    fn lognormal_rejects_infeasible_or_mixed_parameters() {
        let lognormal = |mean: f64, p99: f64| Dist::Lognormal {
            mean: Some(secs(mean)),
            p99: Some(secs(p99)),
            mu: None,
            sigma: None,
        };
        let e = error(lognormal(0.1, 2.0));
        assert_eq!(e.location, "service.cpu.p99");
        assert!(
            e.message
                .contains("no lognormal has mean 0.1 s and p99 2 s"),
            "{}",
            e.message
        );
        assert!(
            e.message.contains("at most 14.97 × the mean"),
            "{}",
            e.message
        );
        assert!(e.hint.unwrap().contains("`mu` and `sigma`"));
        let e = error(lognormal(0.1, 0.1));
        assert!(e.message.contains("must exceed the mean"));
        let mixed = error(Dist::Lognormal {
            mean: Some(secs(1.0)),
            p99: None,
            mu: None,
            sigma: Some(1.0),
        });
        assert!(mixed
            .message
            .contains("either `mean` and `p99`, or `mu` and `sigma`"));
    }

    #[test]
    fn gamma_and_erlang_have_the_right_mean() {
        let g = compile(Dist::Gamma {
            shape: 0.5,
            mean: secs(0.2),
        });
        assert_mean(&g, 0.2 / 0.5f64.sqrt());
        let e = compile(Dist::Erlang {
            k: 4,
            mean: secs(0.2),
        });
        assert_mean(&e, 0.2 / 2.0);
        let bad = error(Dist::Erlang {
            k: 0,
            mean: secs(1.0),
        });
        assert_eq!(bad.location, "service.cpu.k");
        let bad = error(Dist::Gamma {
            shape: -1.0,
            mean: secs(1.0),
        });
        assert_eq!(bad.location, "service.cpu.shape");
    }

    #[test]
    fn uniform_stays_in_range_and_has_the_midpoint_mean() {
        let s = compile(Dist::Uniform {
            min: secs(0.1),
            max: secs(0.3),
        });
        assert!(draws(&s).iter().all(|&v| (0.1..0.3).contains(&v)));
        assert_mean(&s, 0.2 / 12f64.sqrt());
        let e = error(Dist::Uniform {
            min: secs(2.0),
            max: secs(1.0),
        });
        assert_eq!(e.location, "service.cpu.max");
        assert!(e.message.contains("below min"));
    }

    #[test]
    fn empirical_resamples_the_named_column() {
        let p = temp_file("emp.csv", "id,secs\n1,0.1\n2,0.2\n3, 0.6\n");
        let d = Dist::Empirical {
            file: p.display().to_string(),
            column: Some("secs".into()),
        };
        let s = compile(d);
        assert!((s.mean() - 0.3).abs() < 1e-15);
        let x = draws(&s);
        assert!(x.iter().all(|v| [0.1, 0.2, 0.6].contains(v)));
        let sd = ((0.04 + 0.01 + 0.09) / 3.0f64).sqrt();
        assert_mean(&s, sd);
        // First column by default, relative to base_dir.
        let dir = p.parent().unwrap();
        let s = Sampler::compile(
            &Dist::Empirical {
                file: "emp.csv".into(),
                column: None,
            },
            dir,
            "x",
        )
        .unwrap();
        assert_eq!(s.mean(), 2.0);
    }

    #[test]
    fn empirical_reports_missing_files_and_bad_values_with_file_and_line() {
        let e = Sampler::compile(
            &Dist::Empirical {
                file: "nope.csv".into(),
                column: None,
            },
            Path::new("/no/such/dir"),
            "service.io",
        )
        .unwrap_err();
        assert_eq!(e.location, "service.io.file");
        assert!(
            e.message.contains("cannot open `/no/such/dir/nope.csv`"),
            "{}",
            e.message
        );

        let p = temp_file("bad.csv", "secs\n0.1\nabc\n");
        let e = error(Dist::Empirical {
            file: p.display().to_string(),
            column: None,
        });
        assert!(e.location.ends_with("bad.csv:3"), "{}", e.location);
        assert!(e
            .message
            .contains("`abc` in column `secs` is not a finite number"));

        let p = temp_file("neg.csv", "secs\n0.1\n0.2\n-1\n");
        let e = error(Dist::Empirical {
            file: p.display().to_string(),
            column: None,
        });
        assert!(e.location.ends_with("neg.csv:4"), "{}", e.location);
        assert!(e.message.contains("negative value -1"));

        let p = temp_file("empty.csv", "secs\n");
        let e = error(Dist::Empirical {
            file: p.display().to_string(),
            column: None,
        });
        assert!(e.message.contains("has no data rows"));

        let p = temp_file("cols.csv", "a,b\n1,2\n");
        let e = error(Dist::Empirical {
            file: p.display().to_string(),
            column: Some("c".into()),
        });
        assert!(e
            .message
            .contains("no column `c` in the header (columns: a, b)"));
    }

    #[test]
    fn same_seed_gives_the_same_draws() {
        let s = compile(Dist::Gamma {
            shape: 2.0,
            mean: secs(1.0),
        });
        let (mut a, mut b) = (rng(), rng());
        for _ in 0..1000 {
            assert_eq!(s.sample(&mut a).to_bits(), s.sample(&mut b).to_bits());
        }
    }
}
