//! Queueing-theory closed forms and statistics helpers used by the
//! integration tests to check the simulator against theory.
//!
//! Conventions: times are in seconds, rates are per second, `lambda` is the
//! arrival rate, `mu` the service rate of one server, `c` the number of
//! servers and `a = lambda / mu` the offered load in Erlangs. All queues are
//! FCFS with Poisson arrivals and exponential service.
//!
//! References:
//! - \[Kleinrock\] L. Kleinrock, *Queueing Systems, Volume 1: Theory*, Wiley, 1975.
//! - \[GH\] D. Gross, J. F. Shortle, J. M. Thompson, C. M. Harris,
//!   *Fundamentals of Queueing Theory*, 4th ed., Wiley, 2008.
//!
//! Invalid parameters (unstable queues, probabilities outside their range,
//! empty inputs) make the helpers panic with a descriptive message: they are
//! test support, and a mistake in a test should fail loudly.

#![allow(dead_code)]

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// Relative tolerance of the numeric inversions (quantiles).
const QUANTILE_REL_TOL: f64 = 1e-12;

fn check_rates(lambda: f64, mu: f64) {
    assert!(
        lambda.is_finite() && lambda >= 0.0,
        "arrival rate must be finite and non-negative, got {lambda}"
    );
    assert!(
        mu.is_finite() && mu > 0.0,
        "service rate must be finite and positive, got {mu}"
    );
}

fn check_stable(c: u32, lambda: f64, mu: f64) {
    check_rates(lambda, mu);
    assert!(c >= 1, "need at least one server");
    assert!(
        lambda < f64::from(c) * mu,
        "M/M/{c} queue is unstable: lambda = {lambda} >= c * mu = {}",
        f64::from(c) * mu
    );
}

fn check_probability_open(q: f64) {
    assert!(
        (0.0..1.0).contains(&q),
        "quantile level must be in [0, 1), got {q}"
    );
}

/// Smallest `t >= 0` with `cdf(t) >= q`, found by bracketing (doubling from
/// `scale`) and bisection down to a relative width of [`QUANTILE_REL_TOL`].
/// `cdf` must be non-decreasing with `cdf(t) -> 1` as `t -> infinity`.
fn invert_cdf(cdf: impl Fn(f64) -> f64, q: f64, scale: f64) -> f64 {
    check_probability_open(q);
    if cdf(0.0) >= q {
        return 0.0;
    }
    let mut lo = 0.0;
    let mut hi = scale;
    while cdf(hi) < q {
        lo = hi;
        hi *= 2.0;
        assert!(hi.is_finite(), "could not bracket the {q} quantile");
    }
    for _ in 0..2000 {
        if hi - lo <= QUANTILE_REL_TOL * hi {
            break;
        }
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if cdf(mid) >= q {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

// ---------------------------------------------------------------------------
// Erlang B / Erlang C
// ---------------------------------------------------------------------------

/// Erlang B (loss) formula: blocking probability of an M/M/c/c system with
/// offered load `a = lambda / mu`,
///
/// `B(c, a) = (a^c / c!) / sum_{k=0..c} a^k / k!`.
///
/// Evaluated with the numerically stable recursion
/// `B(0, a) = 1`, `B(k, a) = a B(k-1, a) / (k + a B(k-1, a))`,
/// which never overflows (\[GH\] §2.5; \[Kleinrock\] §3.7).
pub fn erlang_b(c: u32, a: f64) -> f64 {
    assert!(
        a.is_finite() && a >= 0.0,
        "offered load must be finite and non-negative, got {a}"
    );
    let mut b = 1.0;
    for k in 1..=c {
        let ab = a * b;
        b = ab / (f64::from(k) + ab);
    }
    b
}

/// Erlang C formula: probability that an arrival has to wait in an M/M/c
/// queue with offered load `a = lambda / mu < c`,
///
/// `C(c, a) = (a^c / c!) (c / (c - a)) / (sum_{k=0..c-1} a^k / k! + (a^c / c!) (c / (c - a)))`,
///
/// computed from Erlang B as `C = c B / (c - a (1 - B))`
/// (\[GH\] §2.3; \[Kleinrock\] §3.5, eq. 3.40).
pub fn erlang_c(c: u32, a: f64) -> f64 {
    assert!(c >= 1, "need at least one server");
    assert!(
        a < f64::from(c),
        "Erlang C needs a < c for stability, got a = {a}, c = {c}"
    );
    let b = erlang_b(c, a);
    let cf = f64::from(c);
    cf * b / (cf - a * (1.0 - b))
}

// ---------------------------------------------------------------------------
// M/M/c
// ---------------------------------------------------------------------------

/// Mean waiting time in queue of M/M/c (FCFS):
/// `Wq = C(c, a) / (c mu - lambda)` (\[GH\] §2.3, eq. 2.31; \[Kleinrock\] eq. 3.43).
pub fn mmc_mean_wait(c: u32, lambda: f64, mu: f64) -> f64 {
    check_stable(c, lambda, mu);
    erlang_c(c, lambda / mu) / (f64::from(c) * mu - lambda)
}

/// Mean sojourn (response) time of M/M/c: `W = Wq + 1 / mu` (\[GH\] §2.3).
pub fn mmc_mean_sojourn(c: u32, lambda: f64, mu: f64) -> f64 {
    mmc_mean_wait(c, lambda, mu) + 1.0 / mu
}

/// CDF of the FCFS waiting time in queue of M/M/c:
/// `P(Wq <= t) = 1 - C(c, a) e^{-(c mu - lambda) t}` for `t >= 0`, and 0 for
/// `t < 0` (\[GH\] §2.3, eq. 2.35; \[Kleinrock\] eq. 3.41).
/// Note the atom `P(Wq = 0) = 1 - C`.
pub fn mmc_wait_cdf(c: u32, lambda: f64, mu: f64, t: f64) -> f64 {
    check_stable(c, lambda, mu);
    if t < 0.0 {
        return 0.0;
    }
    let theta = f64::from(c) * mu - lambda;
    1.0 - erlang_c(c, lambda / mu) * (-theta * t).exp()
}

/// `q`-quantile of the FCFS waiting time in queue of M/M/c:
/// `max(0, ln(C / (1 - q)) / (c mu - lambda))`, the inverse of
/// [`mmc_wait_cdf`] (0 inside the atom at zero).
pub fn mmc_wait_quantile(c: u32, lambda: f64, mu: f64, q: f64) -> f64 {
    check_stable(c, lambda, mu);
    check_probability_open(q);
    let theta = f64::from(c) * mu - lambda;
    let p_wait = erlang_c(c, lambda / mu);
    if 1.0 - q >= p_wait {
        0.0
    } else {
        (p_wait / (1.0 - q)).ln() / theta
    }
}

/// `(e^{-theta t} - e^{-mu t}) / (mu - theta)` for `t >= 0`, continuous in
/// `theta` (its limit at `theta == mu` is `t e^{-mu t}`) and free of
/// cancellation when the two rates are close.
fn exp_difference_quotient(theta: f64, mu: f64, t: f64) -> f64 {
    let d = mu - theta;
    let x = d * t;
    if x == 0.0 {
        t * (-mu * t).exp()
    } else if x.abs() <= 1.0 {
        // e^{-theta t} - e^{-mu t} = e^{-mu t} (e^{d t} - 1)
        (-mu * t).exp() * t * (x.exp_m1() / x)
    } else {
        ((-theta * t).exp() - (-mu * t).exp()) / d
    }
}

/// CDF of the FCFS sojourn time `T = Wq + S` of M/M/c, where the service
/// time `S ~ Exp(mu)` is independent of the wait `Wq`.
///
/// With `C = C(c, a)` and `theta = c mu - lambda`, `Wq` is 0 with
/// probability `1 - C` and `Exp(theta)` otherwise, so
///
/// `P(T > t) = e^{-mu t} + C mu (e^{-theta t} - e^{-mu t}) / (mu - theta)`,
///
/// and in the special case `theta == mu` (i.e. `lambda == (c - 1) mu`) the
/// limit `P(T > t) = e^{-mu t} (1 + C mu t)`. The implementation is
/// continuous across that case and free of cancellation near it.
/// (\[GH\] §2.3, eq. 2.37; \[Kleinrock\] §3.5, problem 3.11.)
/// For `c = 1` this reduces to the M/M/1 result `1 - e^{-(mu - lambda) t}`.
pub fn mmc_sojourn_cdf(c: u32, lambda: f64, mu: f64, t: f64) -> f64 {
    check_stable(c, lambda, mu);
    if t <= 0.0 {
        return 0.0;
    }
    let theta = f64::from(c) * mu - lambda;
    let p_wait = erlang_c(c, lambda / mu);
    let survival = (-mu * t).exp() + p_wait * mu * exp_difference_quotient(theta, mu, t);
    (1.0 - survival).clamp(0.0, 1.0)
}

/// `q`-quantile of the FCFS sojourn time of M/M/c, by numeric inversion of
/// [`mmc_sojourn_cdf`] (bisection to 1e-12 relative).
pub fn mmc_sojourn_quantile(c: u32, lambda: f64, mu: f64, q: f64) -> f64 {
    check_stable(c, lambda, mu);
    invert_cdf(
        |t| mmc_sojourn_cdf(c, lambda, mu, t),
        q,
        mmc_mean_sojourn(c, lambda, mu),
    )
}

// ---------------------------------------------------------------------------
// M/M/1
// ---------------------------------------------------------------------------

/// Mean sojourn time of M/M/1: `W = 1 / (mu - lambda)`
/// (\[Kleinrock\] eq. 3.26; \[GH\] §2.2).
pub fn mm1_mean_sojourn(lambda: f64, mu: f64) -> f64 {
    check_stable(1, lambda, mu);
    1.0 / (mu - lambda)
}

/// `q`-quantile of the M/M/1 (FCFS) sojourn time, which is
/// `Exp(mu - lambda)`: `-ln(1 - q) / (mu - lambda)`
/// (\[Kleinrock\] eq. 3.28; \[GH\] §2.2).
pub fn mm1_sojourn_quantile(lambda: f64, mu: f64, q: f64) -> f64 {
    check_stable(1, lambda, mu);
    check_probability_open(q);
    -(-q).ln_1p() / (mu - lambda)
}

// ---------------------------------------------------------------------------
// Finite capacity: M/M/1/K and M/M/c/K
// ---------------------------------------------------------------------------

/// Blocking probability of M/M/1/K, `K` = total capacity including the job
/// in service (`K >= 1`), `rho = lambda / mu`:
///
/// `P_K = (1 - rho) rho^K / (1 - rho^{K+1})` for `rho != 1`, and
/// `P_K = 1 / (K + 1)` for `rho == 1` (\[GH\] §2.5, eq. 2.46; \[Kleinrock\] §3.6).
///
/// Evaluated with `ln_1p`/`exp_m1` so that it is accurate for `rho` close to
/// 1 and does not overflow for large `rho^K`.
pub fn mm1k_blocking(lambda: f64, mu: f64, k: u32) -> f64 {
    check_rates(lambda, mu);
    assert!(k >= 1, "M/M/1/K needs K >= 1");
    if lambda == 0.0 {
        return 0.0;
    }
    if lambda == mu {
        return 1.0 / (f64::from(k) + 1.0);
    }
    let k1 = f64::from(k) + 1.0;
    if lambda < mu {
        // rho < 1: (1 - rho) rho^K / (1 - rho^{K+1})
        let one_minus_rho = (mu - lambda) / mu;
        let ln_rho = (-one_minus_rho).ln_1p();
        one_minus_rho * (f64::from(k) * ln_rho).exp() / -(k1 * ln_rho).exp_m1()
    } else {
        // rho > 1, r = 1 / rho: (1 - r) / (1 - r^{K+1})
        let one_minus_r = (lambda - mu) / lambda;
        let ln_r = (-one_minus_r).ln_1p();
        one_minus_r / -(k1 * ln_r).exp_m1()
    }
}

/// Mean number in system of M/M/1/K (`K >= 1`), `rho = lambda / mu`:
///
/// `L = rho / (1 - rho) - (K + 1) rho^{K+1} / (1 - rho^{K+1})` for
/// `rho != 1`, and `L = K / 2` for `rho == 1` (\[GH\] §2.5, eq. 2.49).
///
/// Near `rho == 1` (where the closed form cancels badly) and for large
/// `rho` the stationary distribution is summed directly instead.
pub fn mm1k_mean_in_system(lambda: f64, mu: f64, k: u32) -> f64 {
    check_rates(lambda, mu);
    assert!(k >= 1, "M/M/1/K needs K >= 1");
    let rho = lambda / mu;
    if rho == 1.0 {
        return f64::from(k) / 2.0;
    }
    if (rho - 1.0).abs() < 1e-3 || rho > 1.0 {
        return mmck_mean_in_system(1, k, lambda, mu);
    }
    let k1 = f64::from(k) + 1.0;
    let rho_k1 = rho.powf(k1);
    rho / (1.0 - rho) - k1 * rho_k1 / (1.0 - rho_k1)
}

/// Stationary distribution `p_0..=p_K` of the number in system of M/M/c/K
/// (`c` servers, `K >= c` total capacity including those in service).
///
/// Birth-death product form (\[GH\] §2.6, eq. 2.52; \[Kleinrock\] §3.7):
/// `p_n ∝ prod_{i=1..n} lambda / (min(i, c) mu)`. The products are
/// accumulated in the log domain and normalized relative to the largest
/// term, so neither overflow nor underflow spoils the result.
pub fn mmck_distribution(c: u32, k: u32, lambda: f64, mu: f64) -> Vec<f64> {
    check_rates(lambda, mu);
    assert!(c >= 1, "need at least one server");
    assert!(k >= c, "M/M/c/K needs K >= c, got c = {c}, K = {k}");
    let ln_a = (lambda / mu).ln();
    let mut log_w = Vec::with_capacity(k as usize + 1);
    let mut acc = 0.0_f64;
    log_w.push(acc);
    for i in 1..=k {
        acc += ln_a - f64::from(i.min(c)).ln();
        log_w.push(acc);
    }
    let max = log_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut p: Vec<f64> = log_w.iter().map(|&l| (l - max).exp()).collect();
    let total: f64 = p.iter().sum();
    for x in &mut p {
        *x /= total;
    }
    p
}

/// Blocking probability `p_K` of M/M/c/K (\[GH\] §2.6). By PASTA this is the
/// fraction of arrivals that are lost. With `K == c` it equals Erlang B.
pub fn mmck_blocking(c: u32, k: u32, lambda: f64, mu: f64) -> f64 {
    mmck_distribution(c, k, lambda, mu)[k as usize]
}

/// Mean number in system of M/M/c/K, `L = sum_n n p_n` (\[GH\] §2.6).
pub fn mmck_mean_in_system(c: u32, k: u32, lambda: f64, mu: f64) -> f64 {
    mmck_distribution(c, k, lambda, mu)
        .iter()
        .enumerate()
        .map(|(n, p)| n as f64 * p)
        .sum()
}

// ---------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------

/// Summary of independent (or approximately independent) batch means:
/// grand mean, sample standard deviation and standard error of the mean.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchMeans {
    /// Number of batches.
    pub n: usize,
    /// Grand mean of the batch means.
    pub mean: f64,
    /// Sample standard deviation of the batch means (divisor `n - 1`).
    pub std_dev: f64,
    /// Standard error of the grand mean, `std_dev / sqrt(n)`.
    pub se: f64,
}

impl BatchMeans {
    /// Summarizes per-batch means. Needs at least two batches.
    pub fn new(batch_means: &[f64]) -> Self {
        let n = batch_means.len();
        assert!(n >= 2, "need at least two batch means, got {n}");
        assert!(
            batch_means.iter().all(|x| x.is_finite()),
            "batch means must be finite: {batch_means:?}"
        );
        let nf = n as f64;
        let mean = batch_means.iter().sum::<f64>() / nf;
        let ss: f64 = batch_means.iter().map(|x| (x - mean).powi(2)).sum();
        let std_dev = (ss / (nf - 1.0)).sqrt();
        Self {
            n,
            mean,
            std_dev,
            se: std_dev / nf.sqrt(),
        }
    }

    /// Signed deviation of the grand mean from `expected`, in standard
    /// errors (infinite if `se == 0` and the values differ, 0 if equal).
    pub fn deviation_in_se(&self, expected: f64) -> f64 {
        let diff = self.mean - expected;
        if diff == 0.0 {
            0.0
        } else {
            diff / self.se
        }
    }

    /// Whether `expected` lies within `z` standard errors of the grand mean.
    pub fn within(&self, expected: f64, z: f64) -> bool {
        (self.mean - expected).abs() <= z * self.se
    }

    /// Like [`BatchMeans::within`] with the two-sided Student-t critical
    /// value for `n - 1` degrees of freedom at the given `confidence`
    /// (e.g. 0.99).
    pub fn within_t(&self, expected: f64, confidence: f64) -> bool {
        self.within(expected, self.t_critical(confidence))
    }

    /// Two-sided Student-t critical value for `n - 1` degrees of freedom.
    pub fn t_critical(&self, confidence: f64) -> f64 {
        assert!(
            confidence > 0.0 && confidence < 1.0,
            "confidence must be in (0, 1), got {confidence}"
        );
        student_t_quantile(0.5 + confidence / 2.0, (self.n - 1) as f64)
    }

    /// Human-readable summary for assertion messages.
    pub fn describe(&self, expected: f64) -> String {
        let rel = if expected != 0.0 {
            format!(
                ", relative error {:+.3}%",
                100.0 * (self.mean - expected) / expected
            )
        } else {
            String::new()
        };
        format!(
            "mean {:.6} ± se {:.6} over {} batches (sd {:.6}); expected {:.6}; \
             deviation {:+.2} SE{rel}",
            self.mean,
            self.se,
            self.n,
            self.std_dev,
            expected,
            self.deviation_in_se(expected),
        )
    }
}

/// Splits `values` into `batches` consecutive chunks of equal size
/// `values.len() / batches` (dropping the remainder at the end) and returns
/// the mean of each chunk.
pub fn batch_means(values: &[f64], batches: usize) -> Vec<f64> {
    assert!(batches >= 1, "need at least one batch");
    let size = values.len() / batches;
    assert!(
        size >= 1,
        "{} values are too few for {batches} batches",
        values.len()
    );
    values
        .chunks_exact(size)
        .take(batches)
        .map(|chunk| chunk.iter().sum::<f64>() / size as f64)
        .collect()
}

/// Standard error of a proportion estimated from `n` Bernoulli trials with
/// success probability `p`: `sqrt(p (1 - p) / n)`.
pub fn binomial_se(p: f64, n: u64) -> f64 {
    assert!((0.0..=1.0).contains(&p), "p must be in [0, 1], got {p}");
    assert!(n >= 1, "need at least one trial");
    (p * (1.0 - p) / n as f64).sqrt()
}

/// Quantile of the standard Student-t distribution with `df > 0` degrees of
/// freedom at probability `p` (`df = infinity` gives the normal quantile).
///
/// Uses `statrs` for `df < 1000`. Its inversion loses accuracy for large
/// `df` (1e-8 relative at `df = 1e4`, 7% at `df = 1e7`), so from there on
/// the Cornish-Fisher expansion around the normal quantile `z` is used
/// (Abramowitz & Stegun 26.7.5), whose relative truncation error is below
/// 1e-13 for `df >= 1000` and `p` within [0.0005, 0.9995]:
/// `t = z + g1/v + g2/v^2 + g3/v^3 + g4/v^4`.
pub fn student_t_quantile(p: f64, df: f64) -> f64 {
    assert!(p > 0.0 && p < 1.0, "p must be in (0, 1), got {p}");
    assert!(df > 0.0, "degrees of freedom must be positive, got {df}");
    if df < 1000.0 {
        return StudentsT::new(0.0, 1.0, df)
            .unwrap_or_else(|e| panic!("invalid Student-t degrees of freedom {df}: {e}"))
            .inverse_cdf(p);
    }
    let z = Normal::new(0.0, 1.0)
        .expect("standard normal")
        .inverse_cdf(p);
    if df.is_infinite() {
        return z;
    }
    let z2 = z * z;
    let g1 = z * (z2 + 1.0) / 4.0;
    let g2 = z * ((5.0 * z2 + 16.0) * z2 + 3.0) / 96.0;
    let g3 = z * (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / 384.0;
    let g4 = z * ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) / 92160.0;
    let v = df;
    z + (g1 + (g2 + (g3 + g4 / v) / v) / v) / v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_close(actual: f64, expected: f64, rel_tol: f64, what: &str) {
        let err = (actual - expected).abs() / expected.abs().max(f64::MIN_POSITIVE);
        assert!(
            err <= rel_tol,
            "{what}: got {actual}, expected {expected} (relative error {err:e} > {rel_tol:e})"
        );
    }

    /// Composite Simpson integral of `f` over `[0, upper]` with `n` (even) panels.
    fn simpson(f: impl Fn(f64) -> f64, upper: f64, n: usize) -> f64 {
        let h = upper / n as f64;
        let inner: f64 = (1..n)
            .map(|i| {
                let w = if i % 2 == 1 { 4.0 } else { 2.0 };
                w * f(i as f64 * h)
            })
            .sum();
        (f(0.0) + inner + f(upper)) * h / 3.0
    }

    fn integrated_mean_sojourn(c: u32, lambda: f64, mu: f64) -> f64 {
        // The tail decays at rate min(mu, c mu - lambda); integrate to 60 time constants.
        let slowest = mu.min(f64::from(c) * mu - lambda);
        simpson(
            |t| 1.0 - mmc_sojourn_cdf(c, lambda, mu, t),
            60.0 / slowest,
            200_000,
        )
    }

    // --- Erlang B / C ---------------------------------------------------

    #[test]
    fn erlang_b_matches_the_published_table_value() {
        assert_close(
            erlang_b(10, 8.0),
            0.121_661_064_252_951_5,
            1e-12,
            "B(10, 8)",
        );
        assert_close(
            erlang_b(3, 2.4),
            0.268_406_337_371_854_6,
            1e-12,
            "B(3, 2.4)",
        );
    }

    #[test]
    fn erlang_c_matches_the_published_table_value() {
        assert_close(
            erlang_c(10, 8.0),
            0.409_180_150_796_443_5,
            1e-12,
            "C(10, 8)",
        );
        assert_close(erlang_c(3, 2.4), 0.647_191_011_235_955, 1e-12, "C(3, 2.4)");
    }

    #[test]
    fn erlang_b_with_one_server_is_a_over_one_plus_a() {
        for a in [0.0, 0.1, 1.0, 7.5] {
            assert_close(erlang_b(1, a), a / (1.0 + a), 1e-15, "B(1, a)");
        }
        assert_eq!(erlang_b(0, 3.0), 1.0);
    }

    #[test]
    fn erlang_c_with_one_server_is_the_utilisation() {
        for rho in [0.1, 0.5, 0.9, 0.999] {
            assert_close(erlang_c(1, rho), rho, 1e-14, "C(1, rho)");
        }
    }

    #[test]
    fn erlang_b_stays_finite_for_large_systems() {
        let b = erlang_b(2000, 1900.0);
        assert!(b.is_finite() && b > 0.0 && b < 1.0, "B(2000, 1900) = {b}");
        let c = erlang_c(2000, 1900.0);
        assert!(c.is_finite() && c > b && c < 1.0, "C(2000, 1900) = {c}");
    }

    #[test]
    #[should_panic(expected = "a < c")]
    fn erlang_c_rejects_an_unstable_load() {
        erlang_c(2, 2.0);
    }

    // --- M/M/c ----------------------------------------------------------

    #[test]
    fn mmc_mean_sojourn_matches_a_hand_computed_value() {
        // c = 3, lambda = 2.4, mu = 1: Wq = C / 0.6, W = Wq + 1.
        assert_close(
            mmc_mean_wait(3, 2.4, 1.0),
            1.078_651_685_393_258_4,
            1e-12,
            "Wq",
        );
        assert_close(
            mmc_mean_sojourn(3, 2.4, 1.0),
            2.078_651_685_393_258_4,
            1e-12,
            "W",
        );
    }

    #[test]
    fn mmc_formulas_reduce_to_mm1_for_one_server() {
        for (lambda, mu) in [(0.5, 1.0), (9.0, 10.0), (0.01, 3.0)] {
            let rho = lambda / mu;
            assert_close(
                mmc_mean_wait(1, lambda, mu),
                rho / (mu - lambda),
                1e-12,
                "Wq",
            );
            assert_close(
                mmc_mean_sojourn(1, lambda, mu),
                mm1_mean_sojourn(lambda, mu),
                1e-12,
                "W",
            );
            for t in [0.1, 1.0, 5.0] {
                let mm1_cdf = -(-(mu - lambda) * t).exp_m1();
                assert_close(
                    mmc_sojourn_cdf(1, lambda, mu, t),
                    mm1_cdf,
                    1e-12,
                    "sojourn CDF",
                );
            }
            for q in [0.5, 0.9, 0.99, 0.999] {
                assert_close(
                    mmc_sojourn_quantile(1, lambda, mu, q),
                    mm1_sojourn_quantile(lambda, mu, q),
                    1e-10,
                    "sojourn quantile",
                );
            }
        }
    }

    #[test]
    fn mmc_wait_cdf_has_an_atom_of_one_minus_erlang_c_at_zero() {
        let c = erlang_c(10, 8.0);
        assert_close(mmc_wait_cdf(10, 8.0, 1.0, 0.0), 1.0 - c, 1e-15, "P(Wq = 0)");
        assert_eq!(mmc_wait_cdf(10, 8.0, 1.0, -1.0), 0.0);
        assert!((mmc_wait_cdf(10, 8.0, 1.0, 100.0) - 1.0).abs() < 1e-15);
        assert_eq!(mmc_wait_quantile(10, 8.0, 1.0, 0.5), 0.0);
        let t99 = mmc_wait_quantile(10, 8.0, 1.0, 0.99);
        assert_close(
            mmc_wait_cdf(10, 8.0, 1.0, t99),
            0.99,
            1e-12,
            "wait CDF(q99)",
        );
    }

    #[test]
    fn mmc_sojourn_cdf_starts_at_zero_increases_and_tends_to_one() {
        for (c, lambda, mu) in [(1, 0.9, 1.0), (3, 2.4, 1.0), (10, 8.0, 1.0), (4, 0.2, 2.0)] {
            assert_eq!(mmc_sojourn_cdf(c, lambda, mu, 0.0), 0.0);
            let mut prev = 0.0;
            for i in 1..2000 {
                let f = mmc_sojourn_cdf(c, lambda, mu, f64::from(i) * 0.05);
                assert!(f >= prev, "CDF decreased at step {i} for c = {c}");
                prev = f;
            }
            let far = mmc_sojourn_cdf(c, lambda, mu, 1e4);
            assert!((far - 1.0).abs() < 1e-15, "CDF(inf) = {far}");
        }
    }

    #[test]
    fn mmc_sojourn_cdf_integrates_to_the_mean_sojourn() {
        for (c, lambda, mu) in [(1, 0.9, 1.0), (3, 2.4, 1.0), (10, 8.0, 1.0), (4, 0.2, 2.0)] {
            assert_close(
                integrated_mean_sojourn(c, lambda, mu),
                mmc_mean_sojourn(c, lambda, mu),
                1e-9,
                "integral of 1 - CDF",
            );
        }
    }

    #[test]
    fn mmc_sojourn_cdf_handles_coinciding_rates_with_the_limit_formula() {
        // c = 2, mu = 1, lambda = 1: c mu - lambda = 1 = mu.
        let (c, lambda, mu) = (2, 1.0, 1.0);
        let p_wait = erlang_c(c, lambda / mu);
        for t in [0.01, 0.5, 1.0, 3.0, 20.0] {
            let limit = 1.0 - (-mu * t).exp() * (1.0 + p_wait * mu * t);
            assert_close(mmc_sojourn_cdf(c, lambda, mu, t), limit, 1e-14, "limit CDF");
            // Continuity on both sides of the special case.
            for eps in [1e-12, 1e-9, 1e-6] {
                for l in [lambda - eps, lambda + eps] {
                    let near = mmc_sojourn_cdf(c, l, mu, t);
                    assert!(
                        (near - limit).abs() < 10.0 * eps,
                        "CDF jumps near coinciding rates: t = {t}, lambda = {l}: {near} vs {limit}"
                    );
                }
            }
        }
        assert_close(
            integrated_mean_sojourn(c, lambda, mu),
            mmc_mean_sojourn(c, lambda, mu),
            1e-9,
            "mean at coinciding rates",
        );
    }

    #[test]
    fn mmc_sojourn_quantile_inverts_the_cdf() {
        assert_close(
            mmc_sojourn_quantile(3, 2.4, 1.0, 0.95),
            5.729_218_342_017_278,
            1e-11,
            "q95 for c = 3, lambda = 2.4",
        );
        for (c, lambda, mu) in [
            (3, 2.4, 1.0),
            (10, 8.0, 1.0),
            (2, 1.0, 1.0),
            (50, 45.0, 1.0),
        ] {
            for q in [0.01, 0.5, 0.9, 0.99, 0.9999] {
                let t = mmc_sojourn_quantile(c, lambda, mu, q);
                assert_close(mmc_sojourn_cdf(c, lambda, mu, t), q, 1e-10, "CDF(quantile)");
            }
        }
        assert_eq!(mmc_sojourn_quantile(3, 2.4, 1.0, 0.0), 0.0);
    }

    #[test]
    fn mm1_sojourn_is_exponential_with_rate_mu_minus_lambda() {
        assert_close(mm1_mean_sojourn(0.9, 1.0), 10.0, 1e-12, "W");
        assert_close(
            mm1_sojourn_quantile(0.9, 1.0, 0.5),
            10.0 * std::f64::consts::LN_2,
            1e-12,
            "median",
        );
        assert_close(
            mm1_sojourn_quantile(0.9, 1.0, 0.99),
            10.0 * 100.0_f64.ln(),
            1e-12,
            "q99",
        );
    }

    // --- M/M/1/K and M/M/c/K -------------------------------------------

    #[test]
    fn mm1k_blocking_matches_the_closed_form_at_rho_0_9_and_k_10() {
        assert_close(
            mm1k_blocking(0.9, 1.0, 10),
            0.050_813_731_327_412_39,
            1e-12,
            "P_K",
        );
        assert_close(
            mm1k_mean_in_system(0.9, 1.0, 10),
            3.969_440_598_586_173_5,
            1e-12,
            "L",
        );
    }

    #[test]
    fn mm1k_at_rho_one_is_uniform_over_states() {
        assert_close(mm1k_blocking(2.0, 2.0, 10), 1.0 / 11.0, 1e-15, "P_K");
        assert_close(mm1k_mean_in_system(2.0, 2.0, 10), 5.0, 1e-15, "L");
        // And is continuous on both sides.
        for lambda in [2.0 - 1e-9, 2.0 + 1e-9] {
            assert_close(
                mm1k_blocking(lambda, 2.0, 10),
                1.0 / 11.0,
                1e-8,
                "P_K near 1",
            );
            assert_close(mm1k_mean_in_system(lambda, 2.0, 10), 5.0, 1e-8, "L near 1");
        }
    }

    #[test]
    fn mm1k_agrees_with_the_birth_death_product_form() {
        for rho in [0.1, 0.5, 0.9, 0.999, 1.001, 1.5, 4.0, 1000.0] {
            for k in [1, 2, 10, 100, 1000] {
                assert_close(
                    mm1k_blocking(rho, 1.0, k),
                    mmck_blocking(1, k, rho, 1.0),
                    1e-10,
                    "P_K",
                );
                assert_close(
                    mm1k_mean_in_system(rho, 1.0, k),
                    mmck_mean_in_system(1, k, rho, 1.0),
                    1e-10,
                    "L",
                );
            }
        }
    }

    #[test]
    fn mmck_with_capacity_equal_to_servers_is_erlang_b() {
        for (c, a) in [(1, 0.5), (3, 2.4), (10, 8.0), (100, 120.0), (1000, 950.0)] {
            assert_close(
                mmck_blocking(c, c, a, 1.0),
                erlang_b(c, a),
                1e-11,
                "M/M/c/c",
            );
        }
    }

    #[test]
    fn mmck_matches_hand_computed_values() {
        assert_close(
            mmck_blocking(3, 6, 2.4, 1.0),
            0.090_177_448_788_387_3,
            1e-12,
            "P_K",
        );
        assert_close(
            mmck_mean_in_system(3, 6, 2.4, 1.0),
            2.820_452_354_975_856,
            1e-12,
            "L",
        );
        assert_close(
            mmck_blocking(3, 6, 4.5, 1.0),
            0.368_699_072_773_250_9,
            1e-12,
            "P_K",
        );
    }

    #[test]
    fn mmck_with_a_large_buffer_approaches_mmc() {
        let (c, lambda, mu) = (10, 8.0, 1.0);
        let k = 2000;
        assert!(mmck_blocking(c, k, lambda, mu) < 1e-150);
        // Little: L = lambda W for the (practically) infinite queue.
        assert_close(
            mmck_mean_in_system(c, k, lambda, mu),
            lambda * mmc_mean_sojourn(c, lambda, mu),
            1e-12,
            "L vs lambda W",
        );
        let p = mmck_distribution(c, k, lambda, mu);
        assert_close(p.iter().sum::<f64>(), 1.0, 1e-14, "normalization");
        // P(n >= c) is the Erlang C probability of waiting.
        assert_close(
            p[c as usize..].iter().sum::<f64>(),
            erlang_c(c, lambda / mu),
            1e-12,
            "P(n >= c)",
        );
    }

    #[test]
    fn mmck_is_stable_for_extreme_loads() {
        let p = mmck_blocking(200, 100_000, 1e4, 1.0);
        assert_close(p, 1.0 - 200.0 / 1e4, 1e-12, "heavily overloaded P_K");
        assert_eq!(mmck_blocking(5, 10, 0.0, 1.0), 0.0);
    }

    // --- Statistics -----------------------------------------------------

    #[test]
    fn batch_means_summary_has_sample_sd_and_standard_error() {
        let s = BatchMeans::new(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(s.n, 5);
        assert_close(s.mean, 3.0, 1e-15, "mean");
        assert_close(s.std_dev, 2.5_f64.sqrt(), 1e-15, "sd");
        assert_close(s.se, 0.5_f64.sqrt(), 1e-15, "se");
        assert_close(s.deviation_in_se(2.0), 1.0 / 0.5_f64.sqrt(), 1e-14, "z");
        assert!(s.within(2.0, 1.5));
        assert!(!s.within(2.0, 1.4));
        assert!(s.within(3.0, 0.0));
    }

    #[test]
    fn batch_means_describe_reports_mean_se_expected_and_deviation() {
        let s = BatchMeans::new(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        let text = s.describe(2.0);
        for needle in [
            "mean 3.000000",
            "se 0.707107",
            "expected 2.000000",
            "+1.41 SE",
        ] {
            assert!(text.contains(needle), "{needle:?} missing from {text:?}");
        }
    }

    #[test]
    fn within_t_uses_student_t_critical_values() {
        let s = BatchMeans::new(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_close(
            s.t_critical(0.95),
            2.776_445_105_197_793,
            1e-9,
            "t(0.975, 4)",
        );
        assert!(s.within_t(1.1, 0.95));
        assert!(!s.within_t(0.9, 0.95));
        assert_close(
            student_t_quantile(0.975, 10.0),
            2.228_138_851_986_273_5,
            1e-9,
            "t10",
        );
        assert_close(
            student_t_quantile(0.975, 99.0),
            1.984_216_951_586_417_5,
            1e-12,
            "t99",
        );
        assert_close(
            student_t_quantile(0.9, 1e4),
            1.281_636_229_730_477_5,
            1e-14,
            "t1e4",
        );
        assert_close(
            student_t_quantile(0.975, 1e7),
            1.959_963_984_540_054,
            1e-6,
            "z",
        );
        assert_close(
            student_t_quantile(0.975, f64::INFINITY),
            1.959_963_984_540_054,
            1e-14,
            "z",
        );
    }

    #[test]
    fn student_t_quantile_is_continuous_where_the_method_switches() {
        for p in [0.005, 0.05, 0.5, 0.9, 0.975, 0.995] {
            let below = student_t_quantile(p, 1000.0 * (1.0 - 1e-12));
            let above = student_t_quantile(p, 1000.0);
            assert!(
                (below - above).abs() < 1e-10,
                "p = {p}: statrs {below} vs Cornish-Fisher {above}"
            );
        }
    }

    #[test]
    fn batch_means_averages_equal_chunks_and_drops_the_remainder() {
        let values: Vec<f64> = (1..=11).map(f64::from).collect();
        assert_eq!(batch_means(&values, 5), vec![1.5, 3.5, 5.5, 7.5, 9.5]);
        assert_eq!(batch_means(&values, 3), vec![2.0, 5.0, 8.0]);
        assert_eq!(batch_means(&values, 1), vec![6.0]);
    }

    #[test]
    #[should_panic(expected = "too few")]
    fn batch_means_rejects_more_batches_than_values() {
        batch_means(&[1.0, 2.0], 3);
    }

    #[test]
    fn binomial_se_is_the_bernoulli_standard_error() {
        assert_close(binomial_se(0.5, 100), 0.05, 1e-15, "se");
        assert_close(binomial_se(0.1, 10_000), 0.003, 1e-14, "se");
        assert_eq!(binomial_se(0.0, 10), 0.0);
    }
}
