//! The `sweep:` block of a scenario, as written.

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::fmt;
use std::marker::PhantomData;

/// A parameter sweep: which scenario variants to run, and how many replications of each.
///
/// `grid` and `zip` form a cartesian product (the zip lists are one more axis, varying
/// fastest); `random` and `latin_hypercube` are alternatives to them (mixing is an error).
/// `variants` come first and may be combined with any of them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepSpec {
    /// Replications of every variant, config. Default 1, at least 1.
    #[serde(default = "one")]
    pub replications: u32,
    /// Parameter path → values; the cartesian product, the first path varying slowest.
    #[serde(default, skip_serializing_if = "ParamMap::is_empty")]
    pub grid: ParamMap<Vec<Value>>,
    /// Parameter path → values, all lists the same length, taken in parallel.
    #[serde(default, skip_serializing_if = "ParamMap::is_empty")]
    pub zip: ParamMap<Vec<Value>>,
    /// Points drawn uniformly and independently within bounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub random: Option<Sampling>,
    /// Points of a Latin hypercube: one point per stratum per parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latin_hypercube: Option<Sampling>,
    /// Named, explicit override sets, run before the generated points.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<NamedVariant>,
}

impl Default for SweepSpec {
    fn default() -> Self {
        SweepSpec {
            replications: 1,
            grid: ParamMap::default(),
            zip: ParamMap::default(),
            random: None,
            latin_hypercube: None,
            variants: Vec::new(),
        }
    }
}

fn one() -> u32 {
    1
}

/// `random:` or `latin_hypercube:`: `samples` points, seeded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sampling {
    /// Number of points, config; at least 1.
    pub samples: u32,
    /// Seed of the sampler, config. Default 1.
    #[serde(default = "seed_one")]
    pub seed: u64,
    /// Parameter path → bounds.
    pub parameters: ParamMap<Bounds>,
}

fn seed_one() -> u64 {
    1
}

/// Bounds of a sampled parameter.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bounds {
    /// Lower bound (inclusive).
    pub min: f64,
    /// Upper bound: inclusive for integers, exclusive for floats.
    pub max: f64,
    /// Draw whole numbers, uniform over `min..=max`. Default false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub integer: bool,
}

/// A named variant: `{name: proposal, set: {hpa.spec.maxReplicas: 20}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedVariant {
    /// The variant's name, unique in the sweep.
    pub name: String,
    /// Parameter path → value.
    #[serde(default)]
    pub set: ParamMap<Value>,
}

/// A YAML mapping from parameter paths to values that keeps the written order (a duplicate key
/// is an error).
#[derive(Clone, Debug, PartialEq)]
pub struct ParamMap<T>(pub Vec<(String, T)>);

impl<T> Default for ParamMap<T> {
    fn default() -> Self {
        ParamMap(Vec::new())
    }
}

impl<T> ParamMap<T> {
    /// No entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T: Serialize> Serialize for ParamMap<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ParamMap<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = ParamMap<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of parameter paths")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ParamMap<T>, A::Error> {
                let mut out: Vec<(String, T)> = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, T>()? {
                    if out.iter().any(|(seen, _)| *seen == k) {
                        return Err(serde::de::Error::custom(format!(
                            "parameter `{k}` is given twice"
                        )));
                    }
                    out.push((k, v));
                }
                Ok(ParamMap(out))
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}
