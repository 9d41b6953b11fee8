//! Seeded sampling of sweep points: uniform random and Latin hypercube.
//!
//! Each parameter draws from its own named stream (`hpasim_sim::Streams`, master seed = the
//! sampler's `seed`), so adding a parameter does not change the values drawn for the others.

use super::spec::Bounds;
use hpasim_sim::{StreamRng, Streams};
use rand::RngExt;

/// Which sampler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Independent uniform draws.
    Random,
    /// One point per stratum per parameter, strata permuted.
    LatinHypercube,
}

/// `n` values of parameter `path` within `b` (floats rounded to 6 significant digits).
pub(crate) fn draw(kind: Kind, seed: u64, path: &str, b: &Bounds, n: usize) -> Vec<f64> {
    let stream = match kind {
        Kind::Random => format!("sweep.random/{path}"),
        Kind::LatinHypercube => format!("sweep.latin_hypercube/{path}"),
    };
    let mut rng = Streams::new(seed, 0).get(&stream);
    match kind {
        Kind::Random => (0..n).map(|_| uniform(&mut rng, b)).collect(),
        Kind::LatinHypercube => {
            let mut strata: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                let j = rng.random_range(0..=i);
                strata.swap(i, j);
            }
            strata
                .into_iter()
                .map(|k| {
                    let u = (k as f64 + rng.random::<f64>()) / n as f64;
                    match b.integer {
                        // Stratum k of the min..=max whole numbers.
                        true => (b.min + (u * (b.max - b.min + 1.0)).floor()).min(b.max),
                        false => round6(b.min + u * (b.max - b.min)),
                    }
                })
                .collect()
        }
    }
}

fn uniform(rng: &mut StreamRng, b: &Bounds) -> f64 {
    if b.integer {
        rng.random_range(b.min as i64..=b.max as i64) as f64
    } else if b.max > b.min {
        round6(rng.random_range(b.min..b.max))
    } else {
        b.min
    }
}

/// `x` rounded to 6 significant digits.
pub(crate) fn round6(x: f64) -> f64 {
    format!("{x:.5e}").parse().unwrap_or(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_keeps_six_significant_digits() {
        assert_eq!(round6(123.456789), 123.457);
        assert_eq!(round6(7.25), 7.25);
        assert_eq!(round6(0.0), 0.0);
        assert_eq!(format!("{}", round6(1234567.0)), "1234570");
    }

    #[test]
    fn latin_hypercube_hits_every_stratum_once() {
        let b = Bounds {
            min: 10.0,
            max: 20.0,
            integer: false,
        };
        let v = draw(Kind::LatinHypercube, 7, "a", &b, 50);
        let mut hit = [0; 50];
        for x in &v {
            hit[((x - 10.0) / 10.0 * 50.0).floor() as usize] += 1;
        }
        assert!(hit.iter().all(|&h| h == 1), "{hit:?}");
        assert_eq!(v, draw(Kind::LatinHypercube, 7, "a", &b, 50));
        assert_ne!(v, draw(Kind::LatinHypercube, 8, "a", &b, 50));
    }

    #[test]
    fn integers_cover_both_bounds() {
        let b = Bounds {
            min: 2.0,
            max: 4.0,
            integer: true,
        };
        let v = draw(Kind::Random, 1, "p", &b, 200);
        for want in [2.0, 3.0, 4.0] {
            assert!(v.contains(&want));
        }
        assert!(v.iter().all(|x| (2.0..=4.0).contains(x)));
        let l = draw(Kind::LatinHypercube, 1, "p", &b, 3);
        let mut sorted = l.clone();
        sorted.sort_by(f64::total_cmp);
        assert_eq!(sorted, [2.0, 3.0, 4.0]);
    }
}
