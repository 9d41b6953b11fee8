//! `--set PATH=VALUE` overrides, Helm style: `pods.replicas=8`,
//! `workload.arrivals.stages[1].target=300`, `service.cpu.mean=20ms`,
//! `load_balancer.policy=shared_queue`.
//!
//! The typed scenario is serialized to JSON, the value (read as YAML: `8`, `2.5`, `true`,
//! `null`, `[1, 2]`, `{a: 1}`, anything else a string) is written at the path, creating missing
//! blocks on the way, and the result is deserialized back, so every override is checked by the
//! same schema as the file. Errors name the `--set`.

use super::locate::{ParamPath, Seg};
use super::suggest::{did_you_mean, expected_names};
use super::{Scenario, SpecError};
use serde_json::{Map, Value};

/// One parsed `--set PATH=VALUE`.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    /// The argument as given.
    pub text: String,
    /// Where to write.
    pub path: ParamPath,
    /// What to write.
    pub value: Value,
}

impl Override {
    /// Parses `a.b[0].c=value`.
    pub fn parse(text: &str) -> Result<Override, SpecError> {
        let err = |message: String| {
            SpecError {
            location: format!("--set {text}"),
            message,
            hint: Some("write `--set PATH=VALUE`, e.g. `--set pods.replicas=8` or `--set workload.arrivals.stages[1].target=300`".into()),
        }
        };
        let (path, raw) = text
            .split_once('=')
            .ok_or_else(|| err("missing `=` between the parameter path and the value".into()))?;
        let path = ParamPath::parse(path.trim()).map_err(err)?;
        let value = match raw.trim() {
            "" => Value::String(String::new()),
            v => serde_saphyr::from_str(v).unwrap_or_else(|_| Value::String(v.to_string())),
        };
        Ok(Override {
            text: text.to_string(),
            path,
            value,
        })
    }

    /// `--set a.b=c`, the location of errors this override causes.
    pub fn label(&self) -> String {
        format!("--set {}", self.text)
    }

    fn error(&self, message: impl Into<String>) -> SpecError {
        SpecError {
            location: self.label(),
            message: message.into(),
            hint: None,
        }
    }
}

/// Applies the overrides in order, then checks the result against the schema (so a block can be
/// created by several `--set`s). A schema error is blamed on the first `--set` after which it
/// appears.
pub fn apply(scenario: Scenario, sets: &[Override]) -> Result<Scenario, SpecError> {
    let Some(last) = sets.last() else {
        return Ok(scenario);
    };
    let base = serde_json::to_value(&scenario).map_err(|e| last.error(e.to_string()))?;
    apply_json(&base, sets)
}

/// [`apply`] to a scenario already serialized to JSON (`base`), so that many override sets can
/// be applied to one scenario without serializing it again for each.
pub(crate) fn apply_json(base: &Value, sets: &[Override]) -> Result<Scenario, SpecError> {
    let Some(last) = sets.last() else {
        return serde_json::from_value(base.clone())
            .map_err(|e| SpecError::at_path("", e.to_string()));
    };
    let mut doc = base.clone();
    for set in sets {
        write(&mut doc, set)?;
    }
    let message = match serde_json::from_value(doc) {
        Ok(scenario) => return Ok(scenario),
        Err(e) => e.to_string(),
    };
    let mut partial = base.clone();
    let mut before = base.clone();
    for set in sets {
        write(&mut partial, set)?;
        let same = serde_json::from_value::<Scenario>(partial.clone())
            .is_err_and(|e| e.to_string() == message);
        if same {
            return Err(schema_error(set, &before, &message));
        }
        before = partial.clone();
    }
    Err(schema_error(last, &before, &message))
}

/// Writes `set.value` at `set.path` in `doc`, creating missing blocks and appending at `[len]`.
fn write(doc: &mut Value, set: &Override) -> Result<(), SpecError> {
    let segs = &set.path.0;
    let empty = |seg: Option<&Seg>| match seg {
        Some(Seg::Index(_)) => Value::Array(Vec::new()),
        _ => Value::Object(Map::new()),
    };
    let mut here = doc;
    for (i, seg) in segs.iter().enumerate() {
        let so_far = ParamPath(segs[..i].to_vec());
        if here.is_null() {
            *here = empty(Some(seg));
        }
        here = match (seg, here) {
            (Seg::Key(k), Value::Object(map)) => map
                .entry(k.clone())
                .or_insert_with(|| empty(segs.get(i + 1))),
            (Seg::Index(n), Value::Array(items)) => {
                let len = items.len();
                if *n == len {
                    items.push(empty(segs.get(i + 1)));
                }
                items.get_mut(*n).ok_or_else(|| {
                    set.error(format!(
                        "index [{n}] is out of range: `{so_far}` has {len} elements"
                    ))
                    .with_hint(format!("indices start at 0; [{len}] appends a new element"))
                })?
            }
            (_, other) => {
                let want = match seg {
                    Seg::Key(_) => "a block of fields",
                    Seg::Index(_) => "a list",
                };
                return Err(set.error(format!(
                    "`{so_far}` is {}, not {want}, so `{}` cannot be set",
                    describe(other),
                    set.path
                )));
            }
        };
    }
    *here = set.value.clone();
    Ok(())
}

/// "a list", "the value `3`", ...
fn describe(v: &Value) -> String {
    match v {
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a block of fields".into(),
        Value::String(s) => format!("the value `{s}`"),
        other => format!("the value `{other}`"),
    }
}

/// Explains a schema error raised when deserializing the overridden scenario.
fn schema_error(set: &Override, before: &Value, message: &str) -> SpecError {
    let names = expected_names(message);
    let word = message.split('`').nth(1).unwrap_or_default();
    if message.starts_with("unknown field") {
        // The unknown key is one of the path's keys; suggest among the schema's and the file's.
        let at = set
            .path
            .0
            .iter()
            .position(|s| *s == Seg::Key(word.to_string()));
        let parent = ParamPath(set.path.0[..at.unwrap_or(0)].to_vec());
        let present: Vec<String> = lookup(before, &parent.0)
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        let candidates = names.iter().chain(&present).map(String::as_str);
        let place = match parent.0.is_empty() {
            true => String::new(),
            false => format!(" in `{parent}`"),
        };
        let mut msg = format!("unknown field `{word}`{place}");
        if let Some(s) = did_you_mean(word, candidates) {
            msg = format!("{msg}, {s}");
        }
        let err = set.error(msg);
        return match names.is_empty() {
            true => err,
            false => err.with_hint(format!("valid fields here: {}", names.join(", "))),
        };
    }
    if message.starts_with("unknown variant") {
        let mut msg = format!("unknown value `{word}` for `{}`", set.path);
        if let Some(s) = did_you_mean(word, names.iter().map(String::as_str)) {
            msg = format!("{msg}, {s}");
        }
        return set
            .error(msg)
            .with_hint(format!("use one of: {}", names.join(", ")));
    }
    if message.starts_with("missing field") {
        return set
            .error(format!(
                "after this override, the required field `{word}` is missing"
            ))
            .with_hint(format!("set `{word}` as well, with another --set"));
    }
    let err = set.error(format!("cannot set `{}`: {message}", set.path));
    if message.ends_with("expected a string") && !message.contains("string \"") {
        // `--set kubernetes_version=1.30` reads 1.30 as a number (and would lose its zero).
        return err.with_hint(format!("quote the value: --set '{}=\"…\"'", set.path));
    }
    err
}

/// The value at `path`, if it exists.
fn lookup<'a>(v: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, seg| match seg {
        Seg::Key(k) => v.get(k),
        Seg::Index(i) => v.get(i),
    })
}

/// The field names the schema of `T` (a scenario, a manifest) allows in the mapping at `path`
/// of `doc` (found by adding an unknown key and reading serde's list of expected fields), if it
/// can tell.
pub(crate) fn schema_fields<T: serde::de::DeserializeOwned>(
    doc: &Value,
    path: &[Seg],
) -> Option<Vec<String>> {
    const PROBE: &str = "__probe__";
    let mut doc = doc.clone();
    let target = path.iter().try_fold(&mut doc, |v, seg| match seg {
        Seg::Key(k) => v.get_mut(k),
        Seg::Index(i) => v.get_mut(i),
    })?;
    target.as_object_mut()?.insert(PROBE.into(), Value::Null);
    let message = serde_json::from_value::<T>(doc).err()?.to_string();
    message
        .starts_with(&format!("unknown field `{PROBE}`"))
        .then(|| expected_names(&message))
}

#[cfg(test)]
mod tests {
    use super::super::load::{load_str, VALID};
    use super::super::{Arrivals, BalancePolicy, Dist, SpecError};
    use super::*;
    use std::path::Path;

    fn with(sets: &[&str]) -> Result<Scenario, SpecError> {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        load_str(VALID, Path::new("demo.yaml"), &sets).map(|l| l.scenario)
    }

    #[test]
    fn set_overrides_nested_fields_indices_and_enum_values() {
        let s = with(&[
            "pods.replicas=8",
            "workload.arrivals.stages[1].target=300",
            "service.cpu.mean=50ms",
            "load_balancer.policy=shared_queue",
        ])
        .unwrap();
        assert_eq!(s.pods.replicas, Some(8));
        let Arrivals::Stages { stages, .. } = &s.workload.arrivals else {
            panic!()
        };
        assert_eq!(stages[1].target, 300.0);
        let Dist::Exponential { mean, .. } = &s.service.cpu else {
            panic!()
        };
        assert_eq!(mean.unwrap().secs(), 0.05);
        assert_eq!(s.load_balancer.policy, BalancePolicy::SharedQueue);
    }

    #[test]
    fn set_creates_optional_fields_blocks_and_new_list_elements() {
        let s = with(&[
            "pods.timeout=2s",
            "pods.slow_start.factor=3",
            "pods.slow_start.duration=30s",
            "workload.arrivals.stages[2]={duration: 1m, target: 10}",
        ])
        .unwrap();
        assert_eq!(s.pods.timeout.unwrap().secs(), 2.0);
        assert_eq!(s.pods.slow_start.unwrap().factor, 3.0);
        let Arrivals::Stages { stages, .. } = &s.workload.arrivals else {
            panic!()
        };
        assert_eq!(stages.len(), 3);
    }

    #[test]
    fn set_with_unknown_key_suggests_the_nearest_name() {
        let e = with(&["pods.replicsa=8"]).unwrap_err();
        assert_eq!(e.location, "--set pods.replicsa=8");
        assert_eq!(
            e.message,
            "unknown field `replicsa` in `pods`, did you mean `replicas`?"
        );
        assert!(e.hint.unwrap().contains("timeout"));
        let e = with(&["load_balancer.policy=round_robn"]).unwrap_err();
        assert_eq!(
            e.message,
            "unknown value `round_robn` for `load_balancer.policy`, did you mean `round_robin`?"
        );
    }

    #[test]
    fn set_with_a_value_of_the_wrong_type_names_the_set() {
        let e = with(&["pods.replicas=abc"]).unwrap_err();
        assert_eq!(e.location, "--set pods.replicas=abc");
        assert_eq!(
            e.message,
            "cannot set `pods.replicas`: invalid type: string \"abc\", expected u32"
        );
        let e = with(&["service.cpu.mean=5x"]).unwrap_err();
        assert!(e.message.contains("invalid duration `5x`"), "{e}");
    }

    #[test]
    fn set_index_out_of_range_and_malformed_sets_are_errors() {
        let e = with(&["workload.arrivals.stages[5].target=1"]).unwrap_err();
        assert_eq!(
            e.message,
            "index [5] is out of range: `workload.arrivals.stages` has 2 elements"
        );
        let e = with(&["pods.replicas.x=1"]).unwrap_err();
        assert!(
            e.message
                .contains("`pods.replicas` is the value `2`, not a block"),
            "{e}"
        );
        let e = with(&["pods.replicas"]).unwrap_err();
        assert!(e.message.contains("missing `=`"), "{e}");
    }

    #[test]
    fn validation_of_an_overridden_value_names_the_set() {
        let e = with(&["workload.arrivals.stages[0].target=-1"]).unwrap_err();
        assert_eq!(e.location, "--set workload.arrivals.stages[0].target=-1");
        assert_eq!(
            e.message,
            "workload.arrivals.stages[0].target: must be zero or positive, got -1"
        );
    }

    #[test]
    fn set_values_are_read_as_yaml_scalars() {
        let v = |t: &str| Override::parse(&format!("a={t}")).unwrap().value;
        assert_eq!(v("8"), Value::from(8));
        assert_eq!(v("2.5"), Value::from(2.5));
        assert_eq!(v("true"), Value::from(true));
        assert_eq!(v("null"), Value::Null);
        assert_eq!(v("20ms"), Value::from("20ms"));
        assert_eq!(v("[1, 2]"), serde_json::json!([1, 2]));
    }
}
