//! `policy/v1` PodDisruptionBudget: the manifest, its API validation, and the budget the
//! cluster autoscaler's drain applies ([`crate::cluster_autoscaler::Pdb`]).
//!
//! Modelled: `spec.minAvailable` or `spec.maxUnavailable` (an integer or `"NN%"`), validated as
//! the API server does (`pkg/apis/policy/validation`: exactly one may be set, "minAvailable and
//! maxUnavailable cannot be both set"; integers zero or more; percentages at most 100 %). hpasim
//! also refuses a budget with neither (upstream accepts it, and it then allows every eviction:
//! almost always a mistake in a scenario that asks about disruptions).
//!
//! `spec.selector`: hpasim simulates one Deployment, so the budget covers its pods. The
//! selector is still checked against the Deployment's `spec.template.metadata.labels`: a
//! `matchLabels` entry the template does not carry means that, in a real cluster, the budget
//! would protect none of the Deployment's pods, which is an error here (fix the labels or drop
//! the budget). A missing selector is an error too (in `policy/v1` a null selector selects no
//! pod); `selector: {}` selects every pod. `matchExpressions` are accepted and not evaluated
//! (a warning says so). Without a Deployment (`pods:`) there are no labels to check.
//!
//! `spec.unhealthyPodEvictionPolicy`: `IfHealthyBudget` (the default) or `AlwaysAllow`, both
//! accepted. The cluster autoscaler's drain (`world/ca_loop.rs`) evicts Ready pods through the
//! budget and lets not-Ready pods go without it, which is `AlwaysAllow`'s rule; under
//! `IfHealthyBudget` upstream lets a not-Ready pod go only while the budget is not breached, a
//! difference the drain does not make yet ([`PodDisruptionBudget::always_allow_unhealthy`] says
//! which policy was written).

use crate::cluster_autoscaler::{IntOrPercent, Pdb};
use crate::manifest::{Deployment, ObjectMeta, Unmodelled};
use crate::scenario::SpecError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A `policy/v1` PodDisruptionBudget manifest.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodDisruptionBudget {
    /// `policy/v1`.
    pub api_version: String,
    /// `PodDisruptionBudget`.
    pub kind: String,
    /// Name and namespace.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The budget.
    #[serde(default)]
    pub spec: PodDisruptionBudgetSpec,
    /// Written by the cluster; ignored.
    pub status: Option<Unmodelled>,
}

/// `PodDisruptionBudgetSpec`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodDisruptionBudgetSpec {
    /// Pods that must stay available [pods or "NN%" of the expected pods], config.
    pub min_available: Option<IntOrString>,
    /// Pods that may be unavailable [pods or "NN%" of the expected pods], config.
    pub max_unavailable: Option<IntOrString>,
    /// The pods covered; checked against the Deployment's template labels.
    pub selector: Option<LabelSelector>,
    /// `IfHealthyBudget` (default) or `AlwaysAllow`.
    pub unhealthy_pod_eviction_policy: Option<String>,
}

/// A Kubernetes `IntOrString` as written: `2` or `"50%"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IntOrString {
    /// An integer.
    Int(i64),
    /// A string (a percentage `"NN%"` for a budget).
    String(String),
}

/// `metav1.LabelSelector`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LabelSelector {
    /// Labels a pod must carry, all of them.
    pub match_labels: Option<BTreeMap<String, String>>,
    /// Set-based requirements; accepted, not evaluated.
    pub match_expressions: Option<Unmodelled>,
}

impl IntOrString {
    /// The value as a budget amount, or the API server's validation message.
    pub fn to_int_or_percent(&self) -> Result<IntOrPercent, String> {
        match self {
            IntOrString::Int(n) if *n < 0 => Err("must be greater than or equal to 0".into()),
            IntOrString::Int(n) => u32::try_from(*n)
                .ok()
                .filter(|&n| n <= i32::MAX as u32)
                .map(IntOrPercent::Int)
                .ok_or_else(|| "must fit in a 32-bit integer".into()),
            IntOrString::String(s) => {
                let pct = s
                    .strip_suffix('%')
                    .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|d| d.parse::<u32>().ok())
                    .ok_or_else(|| {
                        format!("`{s}`: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%')")
                    })?;
                if pct > 100 {
                    return Err(format!("`{s}`: must not be greater than 100%"));
                }
                Ok(IntOrPercent::Percent(pct))
            }
        }
    }
}

/// The values allowed for `spec.unhealthyPodEvictionPolicy`.
pub const UNHEALTHY_POD_EVICTION_POLICIES: [&str; 2] = ["IfHealthyBudget", "AlwaysAllow"];

impl PodDisruptionBudget {
    /// The budget the drain applies. Call on a validated manifest; an unvalidated one with
    /// neither field (or an invalid value) gives `maxUnavailable: 100%`, a budget that allows
    /// every eviction, as upstream treats a budget without either field.
    pub fn pdb(&self) -> Pdb {
        let s = &self.spec;
        let value = |v: &IntOrString| v.to_int_or_percent().ok();
        match (
            s.min_available.as_ref().and_then(value),
            s.max_unavailable.as_ref().and_then(value),
        ) {
            (Some(min), _) => Pdb::MinAvailable(min),
            (None, Some(max)) => Pdb::MaxUnavailable(max),
            (None, None) => Pdb::MaxUnavailable(IntOrPercent::Percent(100)),
        }
    }

    /// `spec.unhealthyPodEvictionPolicy: AlwaysAllow`: pods that are not Ready may be evicted
    /// whatever the budget.
    pub fn always_allow_unhealthy(&self) -> bool {
        self.spec.unhealthy_pod_eviction_policy.as_deref() == Some("AlwaysAllow")
    }

    /// The API server's validation of the spec, and hpasim's selector check against
    /// `deployment` (when the scenario has one); errors at paths under `prefix`
    /// (`pod_disruption_budget`).
    pub fn validate(&self, prefix: &str, deployment: Option<&Deployment>) -> Vec<SpecError> {
        let mut errors = Vec::new();
        let s = &self.spec;
        let at = |field: &str| format!("{prefix}.spec.{field}");
        match (&s.min_available, &s.max_unavailable) {
            (Some(_), Some(_)) => errors.push(
                SpecError::at_path(at("minAvailable"), "minAvailable and maxUnavailable cannot be both set")
                    .with_hint("keep one of them: `minAvailable` (pods that must stay available) or `maxUnavailable` (pods that may be down)"),
            ),
            (None, None) => errors.push(
                SpecError::at_path(format!("{prefix}.spec"), "the budget sets neither minAvailable nor maxUnavailable")
                    .with_hint("add `minAvailable: 1` or `maxUnavailable: 25%` (without either the budget allows every eviction)"),
            ),
            _ => {}
        }
        for (field, v) in [
            ("minAvailable", &s.min_available),
            ("maxUnavailable", &s.max_unavailable),
        ] {
            if let Some(Err(e)) = v.as_ref().map(IntOrString::to_int_or_percent) {
                errors.push(
                    SpecError::at_path(at(field), e).with_hint(
                        "write a pod count such as `1`, or a percentage such as `\"50%\"`",
                    ),
                );
            }
        }
        if let Some(p) = &s.unhealthy_pod_eviction_policy {
            if !UNHEALTHY_POD_EVICTION_POLICIES.contains(&p.as_str()) {
                errors.push(
                    SpecError::at_path(
                        at("unhealthyPodEvictionPolicy"),
                        format!("unsupported value `{p}`"),
                    )
                    .with_hint(format!(
                        "supported values: {}",
                        UNHEALTHY_POD_EVICTION_POLICIES.join(", ")
                    )),
                );
            }
        }
        match (&s.selector, deployment) {
            (None, _) => errors.push(
                SpecError::at_path(at("selector"), "missing: in policy/v1 a budget without a selector selects no pod")
                    .with_hint("select the Deployment's pods, e.g. `selector: {matchLabels: {app: web}}` (or `selector: {}` for every pod of the namespace)"),
            ),
            (Some(sel), Some(d)) => {
                let labels = template_labels(d);
                let missing: Vec<String> = sel
                    .match_labels
                    .iter()
                    .flatten()
                    .filter(|(k, v)| labels.get(*k) != Some(*v))
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                if !missing.is_empty() {
                    let have = labels
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    errors.push(
                        SpecError::at_path(
                            at("selector.matchLabels"),
                            format!(
                                "selects no pod of the Deployment: its template labels ({}) lack {}",
                                if have.is_empty() { "none" } else { &have },
                                missing.join(", ")
                            ),
                        )
                        .with_hint("make matchLabels a subset of the Deployment's spec.template.metadata.labels, or remove the PodDisruptionBudget"),
                    );
                }
            }
            (Some(_), None) => {}
        }
        errors
    }

    /// Warnings for what is accepted and not modelled.
    pub fn warnings(&self) -> Vec<String> {
        let name = self.metadata.name.as_deref().unwrap_or_default();
        let mut out = Vec::new();
        if self
            .spec
            .selector
            .as_ref()
            .is_some_and(|s| s.match_expressions.is_some())
        {
            out.push(format!(
                "PodDisruptionBudget `{name}`: spec.selector.matchExpressions are not evaluated; the budget covers the Deployment's pods"
            ));
        }
        out
    }
}

/// The Deployment's pod template labels, as strings.
fn template_labels(d: &Deployment) -> BTreeMap<String, String> {
    let Some(serde_json::Value::Object(map)) = &d.spec.template.metadata.labels else {
        return BTreeMap::new();
    };
    map.iter()
        .map(|(k, v)| {
            let v = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), v)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pdb(spec: &str) -> PodDisruptionBudget {
        let text = format!("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: web}}\nspec:\n{spec}");
        serde_saphyr::from_str(&text).unwrap()
    }

    #[test]
    fn min_available_and_max_unavailable_convert_to_the_drains_budget() {
        let p = pdb("  minAvailable: 2\n  selector: {}\n");
        assert_eq!(p.pdb(), Pdb::MinAvailable(IntOrPercent::Int(2)));
        assert!(p.validate("pdb", None).is_empty());
        let p = pdb("  maxUnavailable: \"25%\"\n  selector: {}\n");
        assert_eq!(p.pdb(), Pdb::MaxUnavailable(IntOrPercent::Percent(25)));
        assert!(!p.always_allow_unhealthy());
    }

    #[test]
    fn both_or_neither_field_is_refused_as_the_api_server_does() {
        let p = pdb("  minAvailable: 1\n  maxUnavailable: 1\n  selector: {}\n");
        let e = &p.validate("pdb", None)[0];
        assert_eq!(e.location, "pdb.spec.minAvailable");
        assert_eq!(
            e.message,
            "minAvailable and maxUnavailable cannot be both set"
        );
        let p = pdb("  selector: {}\n");
        assert!(p.validate("pdb", None)[0]
            .message
            .contains("neither minAvailable nor maxUnavailable"));
    }

    #[test]
    fn bad_amounts_and_policies_get_the_api_servers_messages() {
        let p =
            pdb("  minAvailable: \"150%\"\n  selector: {}\n  unhealthyPodEvictionPolicy: Never\n");
        let e = p.validate("pdb", None);
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(e[0].message, "`150%`: must not be greater than 100%");
        assert_eq!(e[1].location, "pdb.spec.unhealthyPodEvictionPolicy");
        let p = pdb("  maxUnavailable: -1\n  selector: {}\n");
        assert_eq!(
            p.validate("pdb", None)[0].message,
            "must be greater than or equal to 0"
        );
        let p = pdb("  maxUnavailable: half\n  selector: {}\n");
        assert!(p.validate("pdb", None)[0]
            .message
            .contains("a valid percent string"));
    }

    #[test]
    fn a_selector_that_misses_the_deployments_labels_is_an_error() {
        let d: Deployment = serde_saphyr::from_str(
            "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    metadata: {labels: {app: web, tier: api}}\n    spec: {containers: [{name: a, resources: {requests: {cpu: 1}}}]}\n",
        )
        .unwrap();
        let ok = pdb("  minAvailable: 1\n  selector: {matchLabels: {app: web}}\n");
        assert!(ok.validate("pdb", Some(&d)).is_empty());
        let bad = pdb("  minAvailable: 1\n  selector: {matchLabels: {app: api}}\n");
        let e = &bad.validate("pdb", Some(&d))[0];
        assert_eq!(e.location, "pdb.spec.selector.matchLabels");
        assert_eq!(
            e.message,
            "selects no pod of the Deployment: its template labels (app=web, tier=api) lack app=api"
        );
        let none = pdb("  minAvailable: 1\n");
        assert!(none.validate("pdb", Some(&d))[0]
            .message
            .contains("selects no pod"));
    }
}
