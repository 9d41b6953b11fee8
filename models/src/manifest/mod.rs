//! Real Kubernetes manifests in scenarios: `apps/v1` Deployment, `autoscaling/v2`
//! HorizontalPodAutoscaler, `keda.sh/v1alpha1` ScaledObject, `v1` ResourceQuota and
//! `policy/v1` PodDisruptionBudget and `autoscaling.k8s.io/v1` VerticalPodAutoscaler, embedded
//! in the scenario (`deployment:`, `hpa:`, `scaled_object:`, `resource_quota:`,
//! `pod_disruption_budget:`, `vpa:`) or read from multi-document
//! YAML files (`manifests:`).
//!
//! The types list every real Kubernetes field of the objects they cover and deny unknown ones,
//! so a misspelled field is an error with `file:line:column` and the nearest valid name, while
//! a valid field hpasim does not model (image, env, ports, volumes, affinity, ...) is accepted
//! and kept as an opaque [`Unmodelled`] value (kept, not dropped, so `--set` round-trips it).

pub mod deployment;
pub mod documents;

pub use deployment::Deployment;
pub use documents::Source;

use serde::{Deserialize, Serialize};

/// A valid Kubernetes field hpasim does not model: accepted as written, never interpreted.
pub type Unmodelled = serde_json::Value;

/// The newest Kubernetes version whose rules hpasim models, the default `kubernetes_version`.
pub const NEWEST_KUBERNETES: (u32, u32) = (1, 35);

/// The manifest kinds a scenario takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `apps/v1` Deployment, the scenario's `deployment`.
    Deployment,
    /// `autoscaling/v2` HorizontalPodAutoscaler, the scenario's `hpa`.
    HorizontalPodAutoscaler,
    /// `keda.sh/v1alpha1` ScaledObject, the scenario's `scaled_object`.
    ScaledObject,
    /// `v1` ResourceQuota, the scenario's `resource_quota`.
    ResourceQuota,
    /// `policy/v1` PodDisruptionBudget, the scenario's `pod_disruption_budget`.
    PodDisruptionBudget,
    /// `autoscaling.k8s.io/v1` VerticalPodAutoscaler, the scenario's `vpa`.
    VerticalPodAutoscaler,
}

impl Kind {
    /// Every supported kind.
    pub const ALL: [Kind; 6] = [
        Kind::Deployment,
        Kind::HorizontalPodAutoscaler,
        Kind::ScaledObject,
        Kind::ResourceQuota,
        Kind::PodDisruptionBudget,
        Kind::VerticalPodAutoscaler,
    ];

    /// The `kind:` value.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Deployment => "Deployment",
            Kind::HorizontalPodAutoscaler => "HorizontalPodAutoscaler",
            Kind::ScaledObject => "ScaledObject",
            Kind::ResourceQuota => "ResourceQuota",
            Kind::PodDisruptionBudget => "PodDisruptionBudget",
            Kind::VerticalPodAutoscaler => "VerticalPodAutoscaler",
        }
    }

    /// The one supported `apiVersion:`.
    pub fn api_version(self) -> &'static str {
        match self {
            Kind::Deployment => "apps/v1",
            Kind::HorizontalPodAutoscaler => "autoscaling/v2",
            Kind::ScaledObject => "keda.sh/v1alpha1",
            Kind::ResourceQuota => "v1",
            Kind::PodDisruptionBudget => "policy/v1",
            Kind::VerticalPodAutoscaler => "autoscaling.k8s.io/v1",
        }
    }

    /// The scenario field that holds it.
    pub fn field(self) -> &'static str {
        match self {
            Kind::Deployment => "deployment",
            Kind::HorizontalPodAutoscaler => "hpa",
            Kind::ScaledObject => "scaled_object",
            Kind::ResourceQuota => "resource_quota",
            Kind::PodDisruptionBudget => "pod_disruption_budget",
            Kind::VerticalPodAutoscaler => "vpa",
        }
    }

    /// The kind named `name`, if supported.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// "Deployment (apps/v1), HorizontalPodAutoscaler (autoscaling/v2), ScaledObject
    /// (keda.sh/v1alpha1), ResourceQuota (v1), PodDisruptionBudget (policy/v1), VerticalPodAutoscaler (autoscaling.k8s.io/v1)".
    pub fn supported() -> String {
        Kind::ALL
            .map(|k| format!("{} ({})", k.name(), k.api_version()))
            .join(", ")
    }
}

/// Parses a `kubernetes_version` (`"1.35"`, also `v1.35` and `1.35.2`) into (major, minor).
pub fn parse_kubernetes_version(text: &str) -> Result<(u32, u32), String> {
    let t = text.trim().trim_start_matches('v');
    let mut parts = t.split('.');
    let num = |p: Option<&str>| p.and_then(|p| p.parse::<u32>().ok());
    let bad = || format!("invalid Kubernetes version `{text}`: write it like \"1.35\"");
    let (major, minor) = (
        num(parts.next()).ok_or_else(bad)?,
        num(parts.next()).ok_or_else(bad)?,
    );
    if parts.next().is_some_and(|p| p.parse::<u32>().is_err()) || parts.next().is_some() {
        return Err(bad());
    }
    let (newest_major, newest_minor) = NEWEST_KUBERNETES;
    if major != 1 || minor > newest_minor {
        return Err(format!(
            "Kubernetes {major}.{minor} is not modelled: the newest is {newest_major}.{newest_minor}"
        ));
    }
    Ok((major, minor))
}

/// Kubernetes `ObjectMeta`: the name and namespace are read, the rest is accepted.
#[allow(missing_docs)] // the `Unmodelled` fields are the Kubernetes fields of the same name
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObjectMeta {
    /// `metadata.name`.
    pub name: Option<String>,
    /// `metadata.namespace`.
    pub namespace: Option<String>,
    pub generate_name: Option<Unmodelled>,
    pub labels: Option<Unmodelled>,
    pub annotations: Option<Unmodelled>,
    pub uid: Option<Unmodelled>,
    pub resource_version: Option<Unmodelled>,
    pub generation: Option<Unmodelled>,
    pub creation_timestamp: Option<Unmodelled>,
    pub deletion_timestamp: Option<Unmodelled>,
    pub deletion_grace_period_seconds: Option<Unmodelled>,
    pub owner_references: Option<Unmodelled>,
    pub finalizers: Option<Unmodelled>,
    pub managed_fields: Option<Unmodelled>,
    pub self_link: Option<Unmodelled>,
}

/// Parses a manifest file that must hold one object of `kind` served as `api_version`: the
/// `kind` and `apiVersion` are checked first (located at their line, with `hint_version` when
/// the version is wrong), then the whole document is parsed with located errors.
pub fn parse_single<T: serde::de::DeserializeOwned>(
    text: &str,
    file: &std::path::Path,
    kind: &str,
    api_version: &str,
) -> Result<T, crate::scenario::SpecError> {
    use crate::scenario::locate::Node;
    use crate::scenario::SpecError;
    let at = |(line, col): (usize, usize)| format!("{}:{line}:{col}", file.display());
    if let Some(root) = Node::parse(text) {
        let kind_node = root.child("kind");
        let written = kind_node.and_then(Node::scalar).unwrap_or_default();
        if written != kind {
            let pos = kind_node.map_or(root.anchor_pos(), |k| k.pos);
            return Err(SpecError {
                location: at(pos),
                message: format!("expected a {kind}, got kind `{written}`"),
                hint: Some(format!("write `kind: {kind}`")),
            });
        }
        let version = root.child("apiVersion");
        let written = version.and_then(Node::scalar).unwrap_or_default();
        if written != api_version {
            let pos = version.map_or(root.anchor_pos(), |v| v.pos);
            return Err(SpecError {
                location: at(pos),
                message: format!("unsupported apiVersion `{written}` for {kind}"),
                hint: Some(format!("{kind} is served as `apiVersion: {api_version}`")),
            });
        }
    }
    serde_saphyr::from_str(text).map_err(|e| crate::scenario::yaml_error::<T>(&e, text, file, kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubernetes_versions_are_major_dot_minor_up_to_the_newest() {
        assert_eq!(parse_kubernetes_version("1.35"), Ok((1, 35)));
        assert_eq!(parse_kubernetes_version("v1.30.2"), Ok((1, 30)));
        assert!(parse_kubernetes_version("1.99")
            .unwrap_err()
            .contains("the newest is 1.35"));
        assert!(parse_kubernetes_version("latest")
            .unwrap_err()
            .contains("write it like \"1.35\""));
    }

    #[test]
    fn supported_kinds_are_listed_with_their_api_versions() {
        assert_eq!(
            Kind::supported(),
            "Deployment (apps/v1), HorizontalPodAutoscaler (autoscaling/v2), ScaledObject (keda.sh/v1alpha1), ResourceQuota (v1), PodDisruptionBudget (policy/v1), VerticalPodAutoscaler (autoscaling.k8s.io/v1)"
        );
        assert_eq!(Kind::from_name("Service"), None);
    }
}
