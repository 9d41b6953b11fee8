//! The endpoint mix: each request belongs to one class, picked by weight, with its own CPU
//! and I/O demand samplers (defaulting to `service.cpu` / `service.io`).
//!
//! A pick is one uniform draw `u · total` located in the cumulative weights (binary search).
//! With a single class nothing is drawn, so adding a class list of one changes no random
//! stream.

use crate::dist::Sampler;
use crate::scenario::{RequestClass, Service, SpecError};
use hpasim_sim::StreamRng;
use rand::RngExt;
use std::path::Path;

/// The compiled request classes.
#[derive(Clone, Debug)]
pub struct ClassMix {
    classes: Vec<Class>,
    /// Cumulative weights; the last is the total.
    cumulative: Vec<f64>,
}

#[derive(Clone, Debug)]
struct Class {
    name: String,
    cpu: Sampler,
    io: Sampler,
}

impl ClassMix {
    /// Compiles `classes`; without any, one class named `default` using `service.cpu` and
    /// `service.io`.
    pub fn compile(
        classes: &[RequestClass],
        service: &Service,
        base_dir: &Path,
    ) -> Result<ClassMix, SpecError> {
        let cpu = Sampler::compile(&service.cpu, base_dir, "service.cpu")?;
        let io = Sampler::compile(&service.io, base_dir, "service.io")?;
        if classes.is_empty() {
            let default = Class {
                name: "default".into(),
                cpu,
                io,
            };
            return Ok(ClassMix {
                classes: vec![default],
                cumulative: vec![1.0],
            });
        }
        let mut mix = ClassMix {
            classes: Vec::new(),
            cumulative: Vec::new(),
        };
        let mut total = 0.0;
        for (i, c) in classes.iter().enumerate() {
            let path = format!("workload.classes[{i}]");
            if c.name.trim().is_empty() {
                return Err(SpecError::at_path(
                    format!("{path}.name"),
                    "class name is empty",
                ));
            }
            if let Some(j) = classes[..i].iter().position(|o| o.name == c.name) {
                return Err(SpecError::at_path(
                    format!("{path}.name"),
                    format!(
                        "duplicate class name `{}` (also workload.classes[{j}])",
                        c.name
                    ),
                )
                .with_hint("class names appear in requests.csv and must be unique"));
            }
            if !(c.weight.is_finite() && c.weight > 0.0) {
                return Err(SpecError::at_path(
                    format!("{path}.weight"),
                    format!("weight must be a finite number > 0, got {}", c.weight),
                )
                .with_hint(
                    "weights are relative and need not sum to 1; remove a class to disable it",
                ));
            }
            let own = |d: &Option<_>, field: &str, default: &Sampler| match d {
                Some(d) => Sampler::compile(d, base_dir, &format!("{path}.{field}")),
                None => Ok(default.clone()),
            };
            let class = Class {
                name: c.name.clone(),
                cpu: own(&c.cpu, "cpu", &cpu)?,
                io: own(&c.io, "io", &io)?,
            };
            total += c.weight;
            mix.classes.push(class);
            mix.cumulative.push(total);
        }
        Ok(mix)
    }

    /// Number of classes (≥ 1).
    pub fn len(&self) -> usize {
        self.classes.len()
    }

    /// Always false: there is at least one class.
    pub fn is_empty(&self) -> bool {
        self.classes.is_empty()
    }

    /// The name of class `class`.
    pub fn name(&self, class: usize) -> &str {
        &self.classes[class].name
    }

    /// A class index, with probability proportional to its weight. One uniform draw; none
    /// with a single class.
    #[inline]
    pub fn pick(&self, rng: &mut StreamRng) -> usize {
        if self.classes.len() == 1 {
            return 0;
        }
        let total = self.cumulative[self.cumulative.len() - 1];
        let u = rng.random::<f64>() * total;
        self.cumulative
            .partition_point(|&c| c <= u)
            .min(self.classes.len() - 1)
    }

    /// CPU demand of class `class` [CPU-seconds].
    pub fn cpu(&self, class: usize) -> &Sampler {
        &self.classes[class].cpu
    }

    /// Non-CPU (I/O) time of class `class`, in seconds.
    pub fn io(&self, class: usize) -> &Sampler {
        &self.classes[class].io
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Dist, Duration};
    use hpasim_sim::Streams;

    fn constant(s: f64) -> Dist {
        Dist::Constant {
            value: Duration::from_secs(s),
        }
    }
    fn service() -> Service {
        Service {
            cpu: constant(0.01),
            io: constant(0.0),
        }
    }
    fn class(name: &str, weight: f64, cpu: Option<Dist>) -> RequestClass {
        RequestClass {
            name: name.into(),
            weight,
            cpu,
            io: None,
            queries: None,
        }
    }
    fn compile(classes: &[RequestClass]) -> Result<ClassMix, SpecError> {
        ClassMix::compile(classes, &service(), Path::new("."))
    }

    #[test]
    fn without_classes_there_is_one_default_class_that_draws_nothing() {
        let mix = compile(&[]).unwrap();
        assert_eq!((mix.len(), mix.name(0)), (1, "default"));
        assert_eq!(mix.cpu(0).mean(), 0.01);
        assert!(mix.io(0).is_zero());
        let mut a = Streams::new(1, 0).get("classes");
        let mut b = a.clone();
        assert_eq!(mix.pick(&mut a), 0);
        assert_eq!(
            rand::Rng::next_u64(&mut a),
            rand::Rng::next_u64(&mut b),
            "no draw consumed"
        );
    }

    #[test]
    fn classes_are_picked_in_proportion_to_their_weights() {
        let mix = compile(&[
            class("a", 1.0, None),
            class("b", 3.0, Some(constant(0.2))),
            class("c", 6.0, None),
        ])
        .unwrap();
        assert_eq!(mix.cpu(1).mean(), 0.2, "own cpu");
        assert_eq!(mix.cpu(2).mean(), 0.01, "service default");
        let n = 200_000;
        let mut counts = [0.0; 3];
        let mut rng = Streams::new(3, 0).get("classes");
        for _ in 0..n {
            counts[mix.pick(&mut rng)] += 1.0;
        }
        for (k, p) in [0.1, 0.3, 0.6].into_iter().enumerate() {
            // Binomial count: sd = sqrt(n p (1 - p)); 5 standard errors.
            let (expected, tol) = (n as f64 * p, 5.0 * (n as f64 * p * (1.0 - p)).sqrt());
            assert!(
                (counts[k] - expected).abs() <= tol,
                "class {k}: {} vs {expected} ± {tol}",
                counts[k]
            );
        }
    }

    #[test]
    fn bad_weights_duplicate_names_and_bad_class_dists_are_rejected() {
        let e = compile(&[class("a", 1.0, None), class("b", 0.0, None)]).unwrap_err();
        assert_eq!(e.location, "workload.classes[1].weight");
        assert!(e.message.contains("finite number > 0, got 0"));
        let e = compile(&[class("a", 1.0, None), class("a", 2.0, None)]).unwrap_err();
        assert_eq!(e.location, "workload.classes[1].name");
        assert!(e
            .message
            .contains("duplicate class name `a` (also workload.classes[0])"));
        let bad = Dist::Exponential {
            mean: None,
            rate: None,
        };
        let e = compile(&[class("a", 1.0, Some(bad))]).unwrap_err();
        assert_eq!(e.location, "workload.classes[0].cpu");
    }
}
