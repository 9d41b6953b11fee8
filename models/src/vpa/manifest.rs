//! The `autoscaling.k8s.io/v1` `VerticalPodAutoscaler` manifest (upstream
//! `pkg/apis/autoscaling.k8s.io/v1/types.go`), parsed with located errors.
//!
//! Modelled: `spec.targetRef`, `spec.updatePolicy.updateMode`, and per container
//! `minAllowed`, `maxAllowed`, `controlledResources`, `mode`. Accepted and kept but not
//! modelled: `updatePolicy.minReplicas` and `evictAfterOOMSeconds`, `controlledValues`,
//! `spec.recommenders`, `status`.

use super::recommender::Resource;
use crate::manifest::{ObjectMeta, Unmodelled};
use crate::scenario::{Quantity, SpecError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// A `VerticalPodAutoscaler` manifest.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerticalPodAutoscaler {
    /// `autoscaling.k8s.io/v1`.
    pub api_version: String,
    /// `VerticalPodAutoscaler`.
    pub kind: String,
    /// Name and namespace.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// What to scale and how.
    pub spec: VerticalPodAutoscalerSpec,
    /// Written by the recommender; ignored.
    pub status: Option<Unmodelled>,
}

/// `VerticalPodAutoscalerSpec`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerticalPodAutoscalerSpec {
    /// The controller whose pods are scaled.
    pub target_ref: CrossVersionObjectReference,
    /// How recommendations are applied (upstream defaults a missing mode to `Auto`).
    pub update_policy: Option<PodUpdatePolicy>,
    /// Per-container limits on the recommendation.
    pub resource_policy: Option<PodResourcePolicy>,
    /// Alternative recommenders; not modelled.
    pub recommenders: Option<Unmodelled>,
}

/// `targetRef`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CrossVersionObjectReference {
    /// `apps/v1`.
    pub api_version: Option<String>,
    /// `Deployment`, `StatefulSet`, ...
    pub kind: String,
    /// The controller's name.
    pub name: String,
}

/// `updatePolicy`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodUpdatePolicy {
    /// The mode; upstream defaults a missing one to `Auto`.
    pub update_mode: Option<UpdateMode>,
    /// The fewest live replicas for the updater to evict; not modelled.
    pub min_replicas: Option<Unmodelled>,
    /// Per-VPA quick-OOM threshold; not modelled.
    #[serde(rename = "evictAfterOOMSeconds")]
    pub evict_after_oom_seconds: Option<Unmodelled>,
}

/// `updatePolicy.updateMode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UpdateMode {
    /// Recommend only.
    Off,
    /// Apply at pod creation only.
    Initial,
    /// Apply at creation and evict running pods outside the bounds.
    Recreate,
    /// Currently the same as `Recreate`.
    Auto,
    /// Resize in place where possible, else evict.
    InPlaceOrRecreate,
}

impl UpdateMode {
    /// Whether the updater acts on running pods (`Recreate`, `Auto`, `InPlaceOrRecreate`).
    pub fn evicts(self) -> bool {
        matches!(
            self,
            UpdateMode::Recreate | UpdateMode::Auto | UpdateMode::InPlaceOrRecreate
        )
    }

    /// Whether new pods get the recommendation as their request (all but `Off`).
    pub fn applies_at_creation(self) -> bool {
        self != UpdateMode::Off
    }
}

/// `resourcePolicy`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodResourcePolicy {
    /// Per-container policies (`containerName: "*"` is the default for the others).
    #[serde(default)]
    pub container_policies: Vec<ContainerResourcePolicy>,
}

/// One entry of `containerPolicies`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContainerResourcePolicy {
    /// The container, or `*` for every container without its own policy.
    pub container_name: Option<String>,
    /// `Auto` (default) or `Off` (no recommendation for the container).
    pub mode: Option<ContainerScalingMode>,
    /// The least recommendation (`cpu`, `memory`).
    #[serde(default)]
    pub min_allowed: BTreeMap<String, Quantity>,
    /// The largest recommendation.
    #[serde(default)]
    pub max_allowed: BTreeMap<String, Quantity>,
    /// The resources recommended (default both).
    pub controlled_resources: Option<Vec<Resource>>,
    /// Whether limits are scaled too; parsed, not modelled.
    pub controlled_values: Option<ControlledValues>,
}

/// `containerPolicies[].mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContainerScalingMode {
    /// Recommend for the container.
    Auto,
    /// Leave the container alone.
    Off,
}

/// `containerPolicies[].controlledValues`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ControlledValues {
    /// Requests, and limits in proportion (the default).
    RequestsAndLimits,
    /// Requests only.
    RequestsOnly,
}

impl VerticalPodAutoscaler {
    /// The update mode (upstream defaults a missing one to `Auto`).
    pub fn update_mode(&self) -> UpdateMode {
        self.spec
            .update_policy
            .as_ref()
            .and_then(|p| p.update_mode)
            .unwrap_or(UpdateMode::Auto)
    }

    /// The policy of container `name`: its own, else the `*` one, else none.
    pub fn container_policy(&self, name: &str) -> Option<&ContainerResourcePolicy> {
        let policies = &self.spec.resource_policy.as_ref()?.container_policies;
        policies
            .iter()
            .find(|p| p.container_name.as_deref() == Some(name))
            .or_else(|| {
                policies
                    .iter()
                    .find(|p| p.container_name.as_deref() == Some("*"))
            })
    }
}

/// Parses a `VerticalPodAutoscaler` manifest read from `file`; errors are located
/// (`file:line:column`).
pub fn parse_vertical_pod_autoscaler(
    text: &str,
    file: &Path,
) -> Result<VerticalPodAutoscaler, SpecError> {
    crate::manifest::parse_single(text, file, "VerticalPodAutoscaler", "autoscaling.k8s.io/v1")
}
