//! `v1` ResourceQuota: the manifest, and the API server's quota admission of one new pod as a
//! pure function (upstream `plugin/pkg/admission/resourcequota`, `controller.go` `checkRequest`,
//! with the pod evaluator of `pkg/quota/v1/evaluator/core/pods.go`).
//!
//! Modelled `spec.hard` keys: `requests.cpu`, `requests.memory`, `limits.cpu`,
//! `limits.memory`, `pods`, and `cpu` / `memory` (the same usage as `requests.cpu` /
//! `requests.memory`, kept under the name written so messages name it). Every other key
//! (`persistentvolumeclaims`, `requests.storage`, `services`, `count/...`, extended resources)
//! is accepted and ignored with a warning; so are `scopes` and `scopeSelector` (the quota is
//! applied to every pod).
//!
//! Admission, in upstream order: a pod that does not specify a constrained compute resource is
//! refused with "failed quota: NAME: must specify KEYS"; otherwise every constrained key whose
//! new usage (used + requested) exceeds its hard limit is listed in "exceeded quota: NAME,
//! requested: K=V,..., used: K=V,..., limited: K=V,...", keys sorted. Usage equal to the limit
//! is admitted (`LessThanOrEqual`). Quantities are written in their canonical form
//! (`500m`, `20`, `100Gi`); memory in binary form when the limit was written with a binary
//! suffix, else decimal (upstream keeps each operand's own format, which can differ).

use super::resources::{bytes, cpu_millis, format_binary, format_decimal_milli, is_binary};
use crate::manifest::{ObjectMeta, Unmodelled};
use crate::scenario::{Quantity, SpecError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// A `v1` ResourceQuota manifest.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceQuota {
    /// `v1`.
    pub api_version: String,
    /// `ResourceQuota`.
    pub kind: String,
    /// The name (it appears in every denial) and namespace.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The limits.
    #[serde(default)]
    pub spec: ResourceQuotaSpec,
    /// Written by the cluster; ignored.
    pub status: Option<Unmodelled>,
}

/// `ResourceQuotaSpec`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceQuotaSpec {
    /// Resource name (`requests.cpu`, `pods`, ...) → the most the namespace may use.
    #[serde(default)]
    pub hard: BTreeMap<String, Quantity>,
    /// Pod classes the quota applies to (`BestEffort`, `NotTerminating`, ...); not modelled.
    pub scopes: Option<Unmodelled>,
    /// Scope expressions (`PriorityClass`, ...); not modelled.
    pub scope_selector: Option<Unmodelled>,
}

/// What a quota limits: the pod evaluator's usage of one pod.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tracked {
    /// `requests.cpu` or `cpu` [milli-cores].
    RequestsCpu,
    /// `requests.memory` or `memory` [bytes].
    RequestsMemory,
    /// `limits.cpu` [milli-cores].
    LimitsCpu,
    /// `limits.memory` [bytes].
    LimitsMemory,
    /// `pods` [count].
    Pods,
}

impl Tracked {
    /// The tracked resource of a `spec.hard` key, if modelled.
    pub fn from_key(key: &str) -> Option<Tracked> {
        Some(match key {
            "requests.cpu" | "cpu" => Tracked::RequestsCpu,
            "requests.memory" | "memory" => Tracked::RequestsMemory,
            "limits.cpu" => Tracked::LimitsCpu,
            "limits.memory" => Tracked::LimitsMemory,
            "pods" => Tracked::Pods,
            _ => return None,
        })
    }
}

/// One modelled `spec.hard` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hard {
    /// The key as written (`cpu` and `requests.cpu` are both kept as written).
    pub key: String,
    /// What it limits.
    pub tracked: Tracked,
    /// The limit [milli-cores for cpu, bytes for memory, a count for pods].
    pub limit: u64,
    /// Whether memory amounts are written with binary suffixes (`Gi`) in messages.
    pub binary: bool,
}

/// A ResourceQuota ready for admission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quota {
    /// `metadata.name`, as it appears in denials.
    pub name: String,
    /// The modelled limits, sorted by key.
    pub hard: Vec<Hard>,
}

/// The usage of the pods a quota already counts (its `status.used`), or of one pod.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Sum of CPU requests [milli-cores].
    pub requests_cpu_millis: u64,
    /// Sum of memory requests [bytes].
    pub requests_memory_bytes: u64,
    /// Sum of CPU limits [milli-cores].
    pub limits_cpu_millis: u64,
    /// Sum of memory limits [bytes].
    pub limits_memory_bytes: u64,
    /// Pods [count] (non-terminal ones, as the quota counts them).
    pub pods: u64,
}

/// One pod's requests and limits after API defaulting (a missing request is the limit); `None`
/// where some container (or the pod-level `resources`) does not specify it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PodRequests {
    /// CPU request [milli-cores].
    pub requests_cpu_millis: Option<u64>,
    /// Memory request [bytes].
    pub requests_memory_bytes: Option<u64>,
    /// CPU limit [milli-cores].
    pub limits_cpu_millis: Option<u64>,
    /// Memory limit [bytes].
    pub limits_memory_bytes: Option<u64>,
}

impl Usage {
    /// The amount of `tracked` [milli-cores, bytes or a count].
    pub fn get(&self, tracked: Tracked) -> u64 {
        match tracked {
            Tracked::RequestsCpu => self.requests_cpu_millis,
            Tracked::RequestsMemory => self.requests_memory_bytes,
            Tracked::LimitsCpu => self.limits_cpu_millis,
            Tracked::LimitsMemory => self.limits_memory_bytes,
            Tracked::Pods => self.pods,
        }
    }

    /// The usage of one pod (a missing amount counts 0, and the pod 1).
    pub fn of_pod(pod: &PodRequests) -> Usage {
        Usage {
            requests_cpu_millis: pod.requests_cpu_millis.unwrap_or(0),
            requests_memory_bytes: pod.requests_memory_bytes.unwrap_or(0),
            limits_cpu_millis: pod.limits_cpu_millis.unwrap_or(0),
            limits_memory_bytes: pod.limits_memory_bytes.unwrap_or(0),
            pods: 1,
        }
    }

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(&self, other: &Usage) -> Option<Usage> {
        Some(Usage {
            requests_cpu_millis: self
                .requests_cpu_millis
                .checked_add(other.requests_cpu_millis)?,
            requests_memory_bytes: self
                .requests_memory_bytes
                .checked_add(other.requests_memory_bytes)?,
            limits_cpu_millis: self
                .limits_cpu_millis
                .checked_add(other.limits_cpu_millis)?,
            limits_memory_bytes: self
                .limits_memory_bytes
                .checked_add(other.limits_memory_bytes)?,
            pods: self.pods.checked_add(other.pods)?,
        })
    }
}

/// Why the API server refused to create a pod (the `Forbidden` error after `pods "NAME" is
/// forbidden: `).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuotaDenied {
    /// The quota constrains compute resources the pod does not specify.
    MustSpecify {
        /// The quota's name.
        quota: String,
        /// The unspecified `spec.hard` keys, sorted.
        missing: Vec<String>,
    },
    /// Admitting the pod would take usage over the limit.
    Exceeded {
        /// The quota's name.
        quota: String,
        /// Each exceeded key with its amounts, sorted by key.
        over: Vec<Exceeded>,
    },
}

/// One exceeded `spec.hard` key, with amounts written as upstream writes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exceeded {
    /// The key (`requests.cpu`).
    pub key: String,
    /// The pod's amount (`500m`).
    pub requested: String,
    /// The amount already used (`19800m`).
    pub used: String,
    /// The limit (`20`).
    pub limited: String,
}

impl fmt::Display for QuotaDenied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuotaDenied::MustSpecify { quota, missing } => {
                write!(
                    f,
                    "failed quota: {quota}: must specify {}",
                    missing.join(",")
                )
            }
            QuotaDenied::Exceeded { quota, over } => {
                let list = |field: fn(&Exceeded) -> &str| {
                    over.iter()
                        .map(|e| format!("{}={}", e.key, field(e)))
                        .collect::<Vec<_>>()
                        .join(",")
                };
                write!(
                    f,
                    "exceeded quota: {quota}, requested: {}, used: {}, limited: {}",
                    list(|e| &e.requested),
                    list(|e| &e.used),
                    list(|e| &e.limited)
                )
            }
        }
    }
}

impl std::error::Error for QuotaDenied {}

impl Hard {
    /// An amount of this key's resource in its canonical quantity form.
    fn format(&self, amount: u64) -> String {
        let amount = u128::from(amount);
        match self.tracked {
            Tracked::RequestsCpu | Tracked::LimitsCpu => format_decimal_milli(amount),
            Tracked::RequestsMemory | Tracked::LimitsMemory if self.binary => format_binary(amount),
            _ => format_decimal_milli(amount.saturating_mul(1000)),
        }
    }
}

impl Quota {
    /// The quota of a manifest, with a warning per ignored key or setting; `Err` for a limit that
    /// does not convert (too large for 64 bits).
    pub fn from_manifest(rq: &ResourceQuota) -> Result<(Quota, Vec<String>), SpecError> {
        let name = rq.metadata.name.clone().unwrap_or_default();
        let mut warnings = Vec::new();
        let mut hard = Vec::new();
        for (key, q) in &rq.spec.hard {
            let Some(tracked) = Tracked::from_key(key) else {
                warnings.push(format!(
                    "ResourceQuota `{name}`: spec.hard.{key} is not modelled by hpasim and is ignored (only pods' cpu, memory and count are)"
                ));
                continue;
            };
            let limit = match tracked {
                Tracked::RequestsCpu | Tracked::LimitsCpu => cpu_millis(q),
                // a count n satisfies n ≤ 1.5 exactly when n ≤ 1: round down
                Tracked::Pods => cpu_millis(q).map(|m| m / 1000),
                Tracked::RequestsMemory | Tracked::LimitsMemory => bytes(q),
            };
            let limit = limit.map_err(|e| {
                SpecError::at_path(format!("spec.hard.{key}"), e).with_hint(
                    "write the limit as a Kubernetes quantity, e.g. `20`, `500m`, `100Gi`",
                )
            })?;
            let binary = is_binary(q);
            hard.push(Hard {
                key: key.clone(),
                tracked,
                limit,
                binary,
            });
        }
        for (field, set) in [
            ("scopes", rq.spec.scopes.is_some()),
            ("scopeSelector", rq.spec.scope_selector.is_some()),
        ] {
            if set {
                warnings.push(format!(
                    "ResourceQuota `{name}`: spec.{field} is not modelled; the quota applies to every pod"
                ));
            }
        }
        Ok((Quota { name, hard }, warnings))
    }

    /// Admits or refuses a new pod with requests `pod`, given the usage `used` the quota already
    /// counts (`controller.go` `checkRequest`).
    pub fn admit(&self, used: &Usage, pod: &PodRequests) -> Result<(), QuotaDenied> {
        let mut missing: Vec<String> = self
            .hard
            .iter()
            .filter(|h| {
                let given = match h.tracked {
                    Tracked::RequestsCpu => pod.requests_cpu_millis,
                    Tracked::RequestsMemory => pod.requests_memory_bytes,
                    Tracked::LimitsCpu => pod.limits_cpu_millis,
                    Tracked::LimitsMemory => pod.limits_memory_bytes,
                    Tracked::Pods => Some(1),
                };
                given.is_none()
            })
            .map(|h| h.key.clone())
            .collect();
        if !missing.is_empty() {
            missing.sort();
            return Err(QuotaDenied::MustSpecify {
                quota: self.name.clone(),
                missing,
            });
        }
        let requested = Usage::of_pod(pod);
        let over: Vec<Exceeded> = self
            .hard
            .iter()
            .filter(|h| {
                let (u, r) = (used.get(h.tracked), requested.get(h.tracked));
                u.checked_add(r).is_none_or(|new| new > h.limit)
            })
            .map(|h| Exceeded {
                key: h.key.clone(),
                requested: h.format(requested.get(h.tracked)),
                used: h.format(used.get(h.tracked)),
                limited: h.format(h.limit),
            })
            .collect();
        if over.is_empty() {
            Ok(())
        } else {
            Err(QuotaDenied::Exceeded {
                quota: self.name.clone(),
                over,
            })
        }
    }
}

/// Parses one ResourceQuota document `text` of `file`: `kind` and `apiVersion` are checked first
/// (at their line), then the manifest is parsed with located errors.
pub fn parse_resource_quota(text: &str, file: &Path) -> Result<ResourceQuota, SpecError> {
    crate::manifest::parse_single(text, file, "ResourceQuota", "v1")
}

#[cfg(test)]
#[path = "quota_tests.rs"]
mod tests;
