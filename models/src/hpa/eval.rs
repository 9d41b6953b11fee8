//! `hpasim hpa eval CASE.yaml`: one reconcile from a snapshot, for "why did (or didn't) my HPA
//! scale?". The input format is [`super::case::EvalCase`]; the output one JSON object.
//!
//! Errors: anything that stops the case from parsing or validating is a [`SpecError`] located at
//! `file:line:column` (the CLI prints it and exits 2). Once the input parses, every outcome,
//! including metrics the controller cannot evaluate, is part of the JSON answer (exit 0).
//!
//! Metric types: an unknown `type:` string in the case's HPA is **not** a parse error here; the
//! controller reports it as that metric's error (`unknown metric source type "X"`), which then
//! counts as an invalid metric under hpa-spec 4.2. Scenario manifests reject it when loaded
//! ([`super::validate`] without `allow_unknown_metric_types`). Everything else the API server
//! validates (bounds, target types, policies) is an input error in both.
//!
//! The `apiVersion` and `kind` of the HPA are checked before the full parse (a probe that
//! ignores other fields), so an `autoscaling/v1` manifest gets the version message rather than
//! an unknown-field error about `targetCPUUtilizationPercentage`.

use super::case::{EvalCase, EVAL_NOW};
use super::reconcile::{reconcile, Reconcile};
use super::snapshot::{History, KubeVersion};
use super::spec::{API_VERSION, KIND};
use super::validate::{unsupported_api_version, validate, ValidationOptions};
use crate::scenario::locate::{Node, ParamPath};
use crate::scenario::suggest::did_you_mean;
use crate::scenario::{locate_error, SpecError};
use hpasim_sim::NANOS_PER_SEC;
use serde::Deserialize;
use serde_json::{json, Value};
use serde_saphyr::{DefaultMessageFormatter, Error as YamlError, MessageFormatter};
use std::path::Path;

/// Reads and evaluates a case file.
pub fn eval_file(path: &Path) -> Result<Value, SpecError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let reason = e.to_string();
        let reason = reason.split(" (os error").next().unwrap_or_default();
        SpecError::at_path(
            path.display().to_string(),
            format!("cannot read HPA case `{}`: {reason}", path.display()),
        )
        .with_hint("check the path: it is relative to the current directory")
    })?;
    eval_str(&text, path)
}

/// Evaluates a case from text; `label` names the file in error locations.
pub fn eval_str(text: &str, label: &Path) -> Result<Value, SpecError> {
    let case = parse(text, label)?;
    let version = case_version(&case).map_err(|e| located(label, text, e))?;
    let cfg = case.config(version);
    let opts = ValidationOptions {
        min_replicas_lower_bound: if cfg.gates.hpa_scale_to_zero { 0 } else { 1 },
        allow_unknown_metric_types: true,
    };
    let mut errs = validate(&case.hpa, "hpa", opts);
    if case.spec_replicas < 0 {
        errs.push(SpecError::at_path("specReplicas", "must be zero or more"));
    }
    if case.status_replicas.is_some_and(|s| s < 0) {
        errs.push(SpecError::at_path("statusReplicas", "must be zero or more"));
    }
    if let Some(e) = errs.into_iter().next() {
        return Err(located(label, text, e));
    }
    let snap = case.snapshot();
    let mut history = case.history();
    let r = reconcile(&case.hpa.spec, &cfg, &snap, &mut history, EVAL_NOW);
    Ok(output(&case, version, &r, &history))
}

/// Parses a case: probe `hpa.apiVersion`/`kind`, then the whole document.
pub fn parse(text: &str, label: &Path) -> Result<EvalCase, SpecError> {
    #[derive(Deserialize)]
    struct Probe {
        #[serde(default)]
        hpa: Option<ProbeHpa>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct ProbeHpa {
        #[serde(default)]
        api_version: Option<String>,
        #[serde(default)]
        kind: Option<String>,
    }
    let probe: Probe = serde_saphyr::from_str(text).map_err(|e| yaml_error(&e, text, label))?;
    if let Some(h) = probe.hpa {
        if let Some(v) = h.api_version.filter(|v| v != API_VERSION) {
            let e = SpecError::at_path("hpa.apiVersion", unsupported_api_version(&v));
            return Err(located(label, text, e));
        }
        if let Some(k) = h.kind.filter(|k| k != KIND) {
            let e = SpecError::at_path("hpa.kind", format!("kind must be `{KIND}`, got `{k}`"));
            return Err(located(label, text, e));
        }
    }
    serde_saphyr::from_str(text).map_err(|e| yaml_error(&e, text, label))
}

fn case_version(case: &EvalCase) -> Result<KubeVersion, SpecError> {
    match &case.kubernetes_version {
        None => Ok(KubeVersion::NEWEST),
        Some(v) => KubeVersion::parse(v).map_err(|m| SpecError::at_path("kubernetesVersion", m)),
    }
}

fn located(label: &Path, text: &str, e: SpecError) -> SpecError {
    locate_error(label, text, &[], e, 0)
}

fn plain(milli: i64) -> f64 {
    milli as f64 / 1000.0
}

fn rel_secs(at: hpasim_sim::SimTime) -> f64 {
    (at.0 as f64 - EVAL_NOW.0 as f64) / NANOS_PER_SEC as f64
}

/// The JSON answer.
fn output(case: &EvalCase, version: KubeVersion, r: &Reconcile, history: &History) -> Value {
    let metrics: Vec<Value> = r
        .metrics
        .iter()
        .map(|m| match &m.result {
            Ok(p) => json!({
                "name": m.name,
                "type": m.source_type,
                "proposal": p.replicas,
                "error": null,
                "utilization_pct": p.utilization_pct,
                "value": if p.utilization_pct.is_some() { None } else { Some(plain(p.value)) },
            }),
            Err(e) => json!({
                "name": m.name,
                "type": m.source_type,
                "proposal": null,
                "error": e.to_string(),
                "utilization_pct": null,
                "value": null,
            }),
        })
        .collect();
    let recs: Vec<Value> = history
        .recommendations
        .iter()
        .flatten()
        .map(|x| json!({"replicas": x.replicas, "at_s": rel_secs(x.at)}))
        .collect();
    let events = |list: &[super::snapshot::ScaleEvent]| -> Vec<Value> {
        list.iter()
            .map(
                |e| json!({"replicas": e.replicas, "at_s": rel_secs(e.at), "outdated": e.outdated}),
            )
            .collect()
    };
    json!({
        "hpa": case.hpa.metadata.name,
        "kubernetes_version": version.to_string(),
        "path": if r.behavior_path { "behavior" } else { "legacy" },
        "current_replicas": r.current_replicas,
        "desired_replicas": r.desired_replicas,
        "proposal": r.proposal,
        "prenormalized": r.prenormalized,
        "stabilized": r.stabilized,
        "stabilization_reason": r.stabilization_reason.map(|s| s.to_string()),
        "reason": r.reason.to_string(),
        "error": r.error,
        "rescale": r.rescale,
        "metrics": metrics,
        "history_after": {
            "recommendations": recs,
            "scale_up_events": events(&history.scale_up_events),
            "scale_down_events": events(&history.scale_down_events),
        },
    })
}

/// Turns a serde-saphyr error into a located [`SpecError`] (unknown fields get the nearest
/// valid name, as in scenario files).
pub fn yaml_error(err: &YamlError, text: &str, file: &Path) -> SpecError {
    let inner = err.without_snippet();
    let reported = err
        .location()
        .map(|l| (l.line() as usize, l.column() as usize));
    let at = |pos: Option<(usize, usize)>| match pos {
        Some((l, c)) => format!("{}:{l}:{c}", file.display()),
        None => file.display().to_string(),
    };
    let message = DefaultMessageFormatter.format_message(inner).to_string();
    let Some(root) = Node::parse(text) else {
        return SpecError {
            location: at(reported),
            message: format!("invalid YAML: {message}"),
            hint: Some("check the indentation (spaces, not tabs), the `key: value` colons and the quotes around this line".into()),
        };
    };
    let from = reported.unwrap_or((1, 1));
    match inner {
        YamlError::SerdeUnknownField {
            field, expected, ..
        } => {
            let found = root.find_after(from, &|n, is_key| is_key && n.scalar() == Some(field));
            let parent = found
                .as_ref()
                .map(|(p, _)| ParamPath(p[..p.len() - 1].to_vec()).to_string())
                .filter(|p| !p.is_empty())
                .map(|p| format!(" in `{p}`"))
                .unwrap_or_default();
            let mut message = format!("unknown field `{field}`{parent}");
            if let Some(s) = did_you_mean(field, expected.iter().copied()) {
                message = format!("{message}, {s}");
            }
            SpecError {
                location: at(found.map(|(_, p)| p).or(reported)),
                message,
                hint: Some(format!("valid fields here: {}", expected.join(", "))),
            }
        }
        _ => SpecError {
            location: at(reported),
            message,
            hint: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASE: &str = "\
hpa:
  apiVersion: autoscaling/v2
  kind: HorizontalPodAutoscaler
  metadata: {name: web}
  spec:
    scaleTargetRef: {kind: Deployment, name: web}
    minReplicas: 1
    maxReplicas: 10
    metrics:
      - type: Resource
        resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
specReplicas: 2
pods:
  - name: a
    containers: [{name: app, requests: {cpu: 1}, usage: {cpu: 900m}}]
  - name: b
    containers: [{name: app, requests: {cpu: 1}, usage: {cpu: 900m}}]
";

    fn eval(text: &str) -> Result<Value, SpecError> {
        eval_str(text, Path::new("case.yaml"))
    }

    #[test]
    fn a_case_evaluates_to_json() {
        // util 90 % vs 50 % → ratio 1.8 → ceil(1.8 * 2) = 4; legacy cap max(2*2, 4) = 4.
        let v = eval(CASE).unwrap();
        assert_eq!(v["proposal"], 4);
        assert_eq!(v["desired_replicas"], 4);
        assert_eq!(v["metrics"][0]["utilization_pct"], 90);
        assert_eq!(v["path"], "legacy");
    }

    #[test]
    fn autoscaling_v1_names_the_supported_version() {
        let text = CASE.replace("autoscaling/v2", "autoscaling/v1");
        let e = eval(&text).unwrap_err();
        assert_eq!(e.location, "case.yaml:2:15");
        assert!(e.message.contains("autoscaling/v2"), "{e}");
    }

    #[test]
    fn misspelled_field_is_located_with_a_suggestion() {
        let e = eval(&CASE.replace("maxReplicas", "maxReplica")).unwrap_err();
        assert_eq!(e.location, "case.yaml:8:5");
        assert!(e.message.contains("did you mean `maxReplicas`"), "{e}");
    }

    #[test]
    fn min_above_max_is_located() {
        let e = eval(&CASE.replace("minReplicas: 1", "minReplicas: 20")).unwrap_err();
        assert_eq!(e.location, "case.yaml:8:18");
        assert!(e.message.starts_with("hpa.spec.maxReplicas: "), "{e}");
    }
}
