//! Parameter sweeps (`sweep:` in a scenario): which variants of the scenario to run.
//!
//! ```yaml
//! sweep:
//!   replications: 5                 # default 1
//!   grid:                           # cartesian product, first path varies slowest
//!     hpa.spec.behavior.scaleDown.stabilizationWindowSeconds: [0, 60, 300]
//!     pods.replicas: [2, 4]
//!   zip:                            # parallel lists of one length: one more grid axis
//!     workload.arrivals.rate: [100, 200]
//!     service.cpu.mean: [10ms, 20ms]
//!   variants:                       # named override sets, listed first
//!     - name: proposal
//!       set: {hpa.spec.maxReplicas: 20}
//! ```
//!
//! or, instead of `grid`/`zip`, `random:` or `latin_hypercube:` with `samples`, `seed`
//! (default 1) and `parameters: {PATH: {min, max, integer}}`.
//!
//! Keys are parameter paths as `--set` takes them. The rules:
//! - `grid` × `zip` form a product, `grid` paths first (slowest), the zip lists varying fastest.
//! - `random` and `latin_hypercube` are alternatives to `grid`/`zip` and to each other.
//! - `variants` come first, one variant each; the generated points follow, named `v0000`,
//!   `v0001`, ... (zero-padded to at least four digits).
//! - No `variants` and no axes at all: one variant, `base`, with no overrides.
//! - Random integers are uniform over `min..=max`; floats over `[min, max)`, rounded to 6
//!   significant digits. A Latin hypercube splits each parameter's range into `samples` strata
//!   (for integers: of the `max - min + 1` whole numbers) and puts exactly one point in each,
//!   the strata permuted per parameter with the seed.
//!
//! [`plan`] expands and checks every variant (schema and validation), so a bad value is reported,
//! located at the sweep entry that gave it, before anything runs.

mod sample;
mod spec;

pub use spec::{Bounds, NamedVariant, ParamMap, Sampling, SweepSpec};

use crate::scenario::locate::{Node, ParamPath, Seg};
use crate::scenario::overrides::{self, Override};
use crate::scenario::{validate, Loaded, Scenario, SpecError};
use sample::Kind;
use serde_json::Value;

/// Upper limit on the number of variants of one sweep.
pub const MAX_VARIANTS: usize = 10_000_000;

/// An expanded sweep: every variant to run.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepPlan {
    /// The variants, named ones first, then generated points.
    pub variants: Vec<Variant>,
    /// Replications of every variant.
    pub replications: u32,
    /// The swept parameter paths (columns): grid paths, zip paths, random/LHS paths, then any
    /// path only named in `variants`.
    pub parameters: Vec<String>,
}

/// One variant of a sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    /// `current-prod` for a named variant, `v0003` for a generated point, `base` without axes.
    pub name: String,
    /// One per [`SweepPlan::parameters`] entry: the value as written or sampled (`60`, `20ms`,
    /// `7.25`), `None` when this variant does not set it.
    pub params: Vec<Option<String>>,
    /// `path=value` overrides exactly as `--set` takes them.
    pub sets: Vec<String>,
}

/// One value of one swept parameter, and where it is written.
struct Item {
    param: usize,
    text: String,
    set: Override,
    /// Its node in the scenario YAML (keys are whole parameter paths).
    origin: Vec<Seg>,
}

/// Expands the sweep of `loaded` (a single `base` variant when it has none) and checks every
/// variant: its overrides against the schema, then [`validate::validate`].
pub fn plan(loaded: &Loaded) -> Result<SweepPlan, SpecError> {
    let empty = SweepSpec::default();
    let spec = loaded.scenario.sweep.as_ref().unwrap_or(&empty);
    let mut b = Builder {
        loaded,
        params: Vec::new(),
        keys: Vec::new(),
        items: Vec::new(),
    };
    if spec.replications == 0 {
        return Err(b.err(&["replications"], "must be at least 1, got 0"));
    }
    let sampled = [
        ("random", spec.random.as_ref(), Kind::Random),
        (
            "latin_hypercube",
            spec.latin_hypercube.as_ref(),
            Kind::LatinHypercube,
        ),
    ];
    let sampled: Vec<_> = sampled.into_iter().filter(|s| s.1.is_some()).collect();
    if sampled.len() > 1 {
        return Err(b
            .err(&["latin_hypercube"], "cannot be combined with `random`")
            .with_hint("keep one sampler per sweep"));
    }
    if let Some((name, _, _)) = sampled.first() {
        if let Some(axis) = [("grid", &spec.grid), ("zip", &spec.zip)]
            .iter()
            .find(|(_, m)| !m.is_empty())
        {
            return Err(b
                .err(&[name], format!("cannot be combined with `{}`", axis.0))
                .with_hint("sample the parameters with one method, or use `grid`/`zip` alone"));
        }
    }

    // Generated points: each a list of item indices.
    let mut points: Vec<Vec<usize>> = Vec::new();
    if let Some((section, Some(s), kind)) = sampled.first().copied() {
        if s.samples == 0 {
            return Err(b.err(&[section, "samples"], "must be at least 1, got 0"));
        }
        if s.parameters.is_empty() {
            return Err(b.err(&[section, "parameters"], "needs at least one parameter"));
        }
        let n = s.samples as usize;
        points = vec![Vec::new(); n];
        for (key, bounds) in &s.parameters.0 {
            let at = [section, "parameters", key.as_str()];
            let param = b.param(&at, key)?;
            check_bounds(&b, &at, bounds)?;
            for (point, x) in points
                .iter_mut()
                .zip(sample::draw(kind, s.seed, key, bounds, n))
            {
                point.push(b.item(param, key, &number(x), at_path(&at))?);
            }
        }
    } else {
        // Axes: each a list of choices, each choice a list of items.
        let mut axes: Vec<Vec<Vec<usize>>> = Vec::new();
        for (key, values) in &spec.grid.0 {
            let at = ["grid", key.as_str()];
            let param = b.param(&at, key)?;
            if values.is_empty() {
                return Err(b.err(&at, "needs at least one value"));
            }
            let mut axis = Vec::new();
            for (i, v) in values.iter().enumerate() {
                axis.push(vec![b.item(param, key, v, indexed(&at, i))?]);
            }
            axes.push(axis);
        }
        if let Some((first, values)) = spec.zip.0.first() {
            let len = values.len();
            let mut axis = vec![Vec::new(); len];
            for (key, values) in &spec.zip.0 {
                let at = ["zip", key.as_str()];
                let param = b.param(&at, key)?;
                if values.is_empty() {
                    return Err(b.err(&at, "needs at least one value"));
                }
                if values.len() != len {
                    return Err(b
                        .err(
                            &at,
                            format!(
                                "has {} values but `sweep.zip.{first}` has {len}",
                                values.len()
                            ),
                        )
                        .with_hint("zip lists are taken in parallel: give them all the same length, or use `grid` for a product"));
                }
                for (i, v) in values.iter().enumerate() {
                    axis[i].push(b.item(param, key, v, indexed(&at, i))?);
                }
            }
            axes.push(axis);
        }
        if !axes.is_empty() {
            let total = axes
                .iter()
                .try_fold(1usize, |n, a| n.checked_mul(a.len()))
                .filter(|&n| n <= MAX_VARIANTS);
            let Some(total) = total else {
                return Err(b.err(&[], format!("the grid has more than {MAX_VARIANTS} points")));
            };
            points.reserve(total);
            for mut i in 0..total {
                let mut choice = vec![0; axes.len()];
                for (a, axis) in axes.iter().enumerate().rev() {
                    choice[a] = i % axis.len();
                    i /= axis.len();
                }
                points.push(
                    axes.iter()
                        .zip(&choice)
                        .flat_map(|(axis, &c)| axis[c].iter().copied())
                        .collect(),
                );
            }
        }
    }

    // Named variants.
    let mut rows: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, nv) in spec.variants.iter().enumerate() {
        let at = indexed(&["variants"], i);
        if nv.name.trim().is_empty() {
            return Err(b.err_at(&at, "sweep.variants", "a variant needs a `name`"));
        }
        if spec.variants[..i].iter().any(|o| o.name == nv.name) {
            return Err(b.err_at(
                &[at.clone(), vec![Seg::Key("name".into())]].concat(),
                &format!("sweep.variants[{i}].name"),
                &format!("variant name `{}` is used twice", nv.name),
            ));
        }
        let mut its = Vec::new();
        for (key, v) in &nv.set.0 {
            let origin = [
                at.clone(),
                vec![Seg::Key("set".into()), Seg::Key(key.clone())],
            ]
            .concat();
            let param = b.variant_param(&origin, key)?;
            if its.iter().any(|&j: &usize| b.items[j].param == param) {
                return Err(b.err_at(&origin, &label(&origin), "sets this parameter twice"));
            }
            its.push(b.item(param, key, v, origin)?);
        }
        rows.push((nv.name.clone(), its));
    }
    let width = points.len().saturating_sub(1).to_string().len().max(4);
    for (i, p) in points.into_iter().enumerate() {
        let name = format!("v{i:0width$}");
        if let Some(j) = spec.variants.iter().position(|v| v.name == name) {
            return Err(b.err_at(
                &[indexed(&["variants"], j), vec![Seg::Key("name".into())]].concat(),
                &format!("sweep.variants[{j}].name"),
                &format!("variant name `{name}` is also the name of a generated point"),
            ));
        }
        rows.push((name, p));
    }
    if rows.is_empty() {
        rows.push(("base".into(), Vec::new()));
    }

    let base = base_json(loaded)?;
    let check = |rows: &[(String, Vec<usize>)]| -> Result<(), SpecError> {
        for (name, its) in rows {
            let sets: Vec<Override> = its.iter().map(|&j| b.items[j].set.clone()).collect();
            apply_checked(loaded, &base, name, &sets, |k| {
                let it = &b.items[its[k]];
                (it.origin.clone(), label(&it.origin))
            })?;
        }
        Ok(())
    };
    check_parallel(&rows, check)?;

    let n = b.params.len();
    let variants = rows
        .into_iter()
        .map(|(name, its)| {
            let mut params = vec![None; n];
            let mut sets = Vec::with_capacity(its.len());
            for j in its {
                let it = &b.items[j];
                params[it.param] = Some(it.text.clone());
                sets.push(it.set.text.clone());
            }
            Variant { name, params, sets }
        })
        .collect();
    Ok(SweepPlan {
        variants,
        replications: spec.replications,
        parameters: b.params,
    })
}

/// Runs `check` over chunks of `rows` on the available cores; the first error in row order wins.
fn check_parallel<T: Sync>(
    rows: &[T],
    check: impl Fn(&[T]) -> Result<(), SpecError> + Sync,
) -> Result<(), SpecError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(16));
    if rows.len() < 256 || threads == 1 {
        return check(rows);
    }
    let chunk = rows.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = rows
            .chunks(chunk)
            .map(|c| scope.spawn(|| check(c)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect::<Result<Vec<()>, _>>()
            .map(|_| ())
    })
}

/// The scenario of one variant: the loaded scenario (the file's `--set`s applied), its
/// `sweep` removed, the variant's overrides applied and validated. Errors name the variant and
/// are located at the sweep entry that gave the value.
pub fn variant_scenario(loaded: &Loaded, v: &Variant) -> Result<Scenario, SpecError> {
    let base = base_json(loaded)?;
    let origin = |k: usize| {
        let path = v.sets[k].split('=').next().unwrap_or_default();
        let origin = find_origin(loaded, &v.name, path);
        let shown = label(&origin);
        (origin, shown)
    };
    let sets = v
        .sets
        .iter()
        .enumerate()
        .map(|(k, s)| {
            Override::parse(s).map_err(|e| {
                let (o, l) = origin(k);
                located(loaded, &o, format!("{l}: {}", e.message))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    apply_checked(loaded, &base, &v.name, &sets, origin)
}

/// The loaded scenario without its sweep, as JSON.
fn base_json(loaded: &Loaded) -> Result<Value, SpecError> {
    let mut base = loaded.scenario.clone();
    base.sweep = None;
    serde_json::to_value(&base).map_err(|e| SpecError::at_path("sweep", e.to_string()))
}

/// Applies `sets` to `base`, validates, and turns errors into located sweep errors; `origin(k)`
/// is the YAML path and shown label of set `k`.
fn apply_checked(
    loaded: &Loaded,
    base: &Value,
    name: &str,
    sets: &[Override],
    origin: impl Fn(usize) -> (Vec<Seg>, String),
) -> Result<Scenario, SpecError> {
    let scenario = overrides::apply_json(base, sets).map_err(|e| {
        if sets.is_empty() {
            return loaded.locate(e);
        }
        let k = sets
            .iter()
            .position(|s| s.label() == e.location)
            .unwrap_or(0);
        let (mut o, mut l) = origin(k);
        let message = match unknown_path(&sets[k].path, &e.message) {
            Some(m) => {
                // Point at the key, not at one of its values.
                if let Some(Seg::Index(_)) = o.last() {
                    o.pop();
                    l = label(&o);
                }
                format!("{l}: {m}")
            }
            None => format!("{l} (variant `{name}`): {}", e.message),
        };
        SpecError {
            hint: e.hint.clone(),
            ..located(loaded, &o, message)
        }
    })?;
    match validate::validate(&scenario).into_iter().next() {
        None => Ok(scenario),
        Some(e) => {
            let at = ParamPath::parse(&e.location).unwrap_or_default();
            let blamed = sets.iter().rposition(|s| at.0.starts_with(&s.path.0));
            let shown = match at.0.is_empty() || e.message.contains(&format!("`{at}`")) {
                true => e.message.clone(),
                false => format!("{at}: {}", e.message),
            };
            Err(match blamed {
                Some(k) => {
                    let (o, l) = origin(k);
                    SpecError {
                        hint: e.hint.clone(),
                        ..located(loaded, &o, format!("{l} (variant `{name}`): {shown}"))
                    }
                }
                None => {
                    let mut err = loaded.locate(e);
                    err.message = format!("in sweep variant `{name}`: {}", err.message);
                    err
                }
            })
        }
    }
}

/// "`pods.replicsa` is not a scenario parameter: unknown field `replicsa` in `pods`, did you
/// mean `pods.replicas`?", when `message` is an unknown-field error of a path segment.
fn unknown_path(path: &ParamPath, message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (word, rest) = rest.split_once('`')?;
    let at = path.0.iter().position(|s| *s == Seg::Key(word.into()))?;
    let mut out = format!("`{path}` is not a scenario parameter: unknown field `{word}`");
    let (place, suggestion) = match rest.split_once(", did you mean `") {
        Some((place, s)) => (place, s.split('`').next()),
        None => (rest, None),
    };
    out += place;
    if let Some(s) = suggestion {
        let mut fixed = path.clone();
        fixed.0[at] = Seg::Key(s.into());
        out += &format!(", did you mean `{fixed}`?");
    }
    Some(out)
}

/// Where the value of `path` in variant `name` is written in the sweep (best effort: the named
/// variant's entry, else the first axis with this path).
fn find_origin(loaded: &Loaded, name: &str, path: &str) -> Vec<Seg> {
    let k = |s: &str| Seg::Key(s.to_string());
    let Some(spec) = &loaded.scenario.sweep else {
        return vec![k("sweep")];
    };
    let norm = |p: &str| ParamPath::parse(p).map(|p| p.to_string()).ok();
    let want = norm(path);
    let same = |key: &str| norm(key) == want;
    if let Some(i) = spec.variants.iter().position(|v| v.name == name) {
        let key = spec.variants[i].set.0.iter().find(|(key, _)| same(key));
        return match key {
            Some((key, _)) => vec![k("sweep"), k("variants"), Seg::Index(i), k("set"), k(key)],
            None => vec![k("sweep"), k("variants"), Seg::Index(i)],
        };
    }
    for (section, map) in [("grid", &spec.grid), ("zip", &spec.zip)] {
        if let Some((key, _)) = map.0.iter().find(|(key, _)| same(key)) {
            return vec![k("sweep"), k(section), k(key)];
        }
    }
    for (section, s) in [
        ("random", &spec.random),
        ("latin_hypercube", &spec.latin_hypercube),
    ] {
        if let Some((key, _)) = s
            .iter()
            .flat_map(|s| s.parameters.0.iter())
            .find(|(key, _)| same(key))
        {
            return vec![k("sweep"), k(section), k("parameters"), k(key)];
        }
    }
    vec![k("sweep")]
}

struct Builder<'a> {
    loaded: &'a Loaded,
    /// Column names, as first written.
    params: Vec<String>,
    /// Their normalized paths.
    keys: Vec<String>,
    items: Vec<Item>,
}

impl Builder<'_> {
    /// An error at `sweep.<at...>`.
    fn err(&self, at: &[&str], message: impl Into<String>) -> SpecError {
        let origin = at_path(at);
        self.err_at(&origin, &label(&origin), &message.into())
    }

    fn err_at(&self, origin: &[Seg], shown: &str, message: &str) -> SpecError {
        located(self.loaded, origin, format!("{shown}: {message}"))
    }

    /// Registers a new axis parameter (an error if another axis has it).
    fn param(&mut self, at: &[&str], key: &str) -> Result<usize, SpecError> {
        let norm = self.norm(&at_path(at), key)?;
        if let Some(j) = self.keys.iter().position(|k| *k == norm) {
            return Err(self.err(
                at,
                format!("`{}` is swept twice", self.params[j]),
            ).with_hint("each parameter may appear in one of `grid`, `zip`, `random`, `latin_hypercube`"));
        }
        self.keys.push(norm);
        self.params.push(key.to_string());
        Ok(self.keys.len() - 1)
    }

    /// The column of a parameter named in `variants` (added after the axes' columns).
    fn variant_param(&mut self, origin: &[Seg], key: &str) -> Result<usize, SpecError> {
        let norm = self.norm(origin, key)?;
        Ok(match self.keys.iter().position(|k| *k == norm) {
            Some(j) => j,
            None => {
                self.keys.push(norm);
                self.params.push(key.to_string());
                self.keys.len() - 1
            }
        })
    }

    /// The normalized text of parameter path `key`, written at `origin`.
    fn norm(&self, origin: &[Seg], key: &str) -> Result<String, SpecError> {
        let path = ParamPath::parse(key).map_err(|m| self.err_at(origin, &label(origin), &m))?;
        if let Some(Seg::Key(first)) = path.0.first() {
            if first == "sweep" || first == "manifests" {
                return Err(self.err_at(
                    origin,
                    &label(origin),
                    &format!("`{first}` cannot be swept"),
                ));
            }
        }
        Ok(path.to_string())
    }

    fn item(
        &mut self,
        param: usize,
        key: &str,
        v: &Value,
        origin: Vec<Seg>,
    ) -> Result<usize, SpecError> {
        let set = Override::parse(&format!("{key}={}", set_text(v)))
            .map_err(|e| self.err_at(&origin, &label(&origin), &e.message))?;
        self.items.push(Item {
            param,
            text: value_text(v),
            set,
            origin,
        });
        Ok(self.items.len() - 1)
    }
}

fn check_bounds(b: &Builder, at: &[&str], bounds: &Bounds) -> Result<(), SpecError> {
    let Bounds { min, max, integer } = *bounds;
    if !min.is_finite() || !max.is_finite() {
        return Err(b.err(at, "`min` and `max` must be finite numbers"));
    }
    if min > max {
        return Err(b.err(at, format!("`min` ({min}) is greater than `max` ({max})")));
    }
    if integer && (min.fract() != 0.0 || max.fract() != 0.0) {
        return Err(b
            .err(
                at,
                format!("`integer: true` needs whole-number bounds, got {min} and {max}"),
            )
            .with_hint("write e.g. `{min: 2, max: 10, integer: true}`"));
    }
    Ok(())
}

/// A sampled number as a JSON value (whole numbers as integers).
fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9e15 {
        Value::from(x as i64)
    } else {
        Value::from(x)
    }
}

/// The compact text of a value: `60`, `20ms`, `7.25`, `{"a":1}`.
fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => f.to_string(),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// The value as `--set` reads it back to the same value: strings that would read as something
/// else (`"1.30"`, `"true"`) are quoted.
fn set_text(v: &Value) -> String {
    match v {
        Value::String(s) => {
            let plain = Override::parse(&format!("x={s}"))
                .is_ok_and(|o| o.value == *v && !s.contains(['\n', '#']));
            match plain {
                true => s.clone(),
                false => v.to_string(),
            }
        }
        other => value_text(other),
    }
}

/// `[sweep, at...]` as a YAML path.
fn at_path(at: &[&str]) -> Vec<Seg> {
    std::iter::once("sweep")
        .chain(at.iter().copied())
        .map(|s| Seg::Key(s.to_string()))
        .collect()
}

fn indexed(at: &[&str], i: usize) -> Vec<Seg> {
    let mut p = at_path(at);
    p.push(Seg::Index(i));
    p
}

/// `sweep.grid.pods.replicas[1]`: a YAML path with whole-parameter-path keys, for messages.
fn label(origin: &[Seg]) -> String {
    let mut out = String::new();
    for (i, seg) in origin.iter().enumerate() {
        match seg {
            Seg::Key(k) if i == 0 => out += k,
            Seg::Key(k) => out += &format!(".{k}"),
            Seg::Index(n) => out += &format!("[{n}]"),
        }
    }
    out
}

/// An error at the sweep node `origin`: `file:line:column` of the deepest written part of it
/// (or the `--set` that overrode the sweep).
fn located(loaded: &Loaded, origin: &[Seg], message: String) -> SpecError {
    let sweep = Seg::Key("sweep".into());
    let location = match loaded
        .sets
        .iter()
        .rev()
        .find(|s| s.path.0.first() == Some(&sweep))
    {
        Some(set) => set.label(),
        None => {
            let pos = Node::parse(&loaded.text).and_then(|root| match root.deepest(origin) {
                (0, _) => None,
                (_, node) => Some(node.anchor_pos()),
            });
            match pos {
                Some((line, col)) => format!("{}:{line}:{col}", loaded.file.display()),
                None => loaded.file.display().to_string(),
            }
        }
    };
    SpecError {
        location,
        message,
        hint: None,
    }
}

#[cfg(test)]
mod tests;
