//! The `apps/v1` Deployment: what hpasim reads from it, and every other real field accepted.
//!
//! Modelled: `spec.replicas`; per container `resources.requests`/`limits` (`cpu`, `memory`),
//! `readinessProbe` (`initialDelaySeconds`, `periodSeconds`, `successThreshold`) and
//! `restartPolicy` (an init container with `restartPolicy: Always` is a sidecar: it runs beside
//! the app and its requests count, as in Kubernetes' pod requests); pod-level `resources`
//! (KEP-2837); `terminationGracePeriodSeconds`. Kubernetes defaulting applies: a missing request
//! is the limit, `replicas` 1, `periodSeconds` 10, `successThreshold` 1, grace 30 s.

use super::{ObjectMeta, Unmodelled};
use crate::scenario::suggest::did_you_mean;
use crate::scenario::{Quantity, SpecError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An `apps/v1` Deployment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Deployment {
    /// `apps/v1`.
    pub api_version: String,
    /// `Deployment`.
    pub kind: String,
    /// Name, namespace, labels, ...
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The desired state.
    pub spec: DeploymentSpec,
    /// Written by the cluster; ignored.
    pub status: Option<Unmodelled>,
}

/// `DeploymentSpec`.
#[allow(missing_docs)] // the `Unmodelled` fields are the Kubernetes fields of the same name
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeploymentSpec {
    /// Desired pod count. Default 1.
    pub replicas: Option<u32>,
    /// The pods.
    pub template: PodTemplateSpec,
    pub selector: Option<Unmodelled>,
    pub strategy: Option<Unmodelled>,
    pub min_ready_seconds: Option<Unmodelled>,
    pub revision_history_limit: Option<Unmodelled>,
    pub paused: Option<Unmodelled>,
    pub progress_deadline_seconds: Option<Unmodelled>,
}

/// `PodTemplateSpec`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodTemplateSpec {
    /// The pods' labels and annotations.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The pods' spec.
    pub spec: PodSpec,
}

/// `PodSpec`.
#[allow(missing_docs)] // the `Unmodelled` fields are the Kubernetes fields of the same name
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodSpec {
    /// The app containers.
    pub containers: Vec<Container>,
    /// Init containers; those with `restartPolicy: Always` are sidecars.
    #[serde(default)]
    pub init_containers: Vec<Container>,
    /// Drain time on deletion [s]. Default 30.
    pub termination_grace_period_seconds: Option<u64>,
    /// Pod-level requests and limits (KEP-2837); when set they replace the containers' sum.
    pub resources: Option<ResourceRequirements>,
    pub volumes: Option<Unmodelled>,
    pub ephemeral_containers: Option<Unmodelled>,
    pub restart_policy: Option<Unmodelled>,
    pub active_deadline_seconds: Option<Unmodelled>,
    pub dns_policy: Option<Unmodelled>,
    pub node_selector: Option<Unmodelled>,
    pub service_account_name: Option<Unmodelled>,
    pub service_account: Option<Unmodelled>,
    pub automount_service_account_token: Option<Unmodelled>,
    pub node_name: Option<Unmodelled>,
    pub host_network: Option<Unmodelled>,
    #[serde(rename = "hostPID")]
    pub host_pid: Option<Unmodelled>,
    #[serde(rename = "hostIPC")]
    pub host_ipc: Option<Unmodelled>,
    pub share_process_namespace: Option<Unmodelled>,
    pub security_context: Option<Unmodelled>,
    pub image_pull_secrets: Option<Unmodelled>,
    pub hostname: Option<Unmodelled>,
    pub hostname_override: Option<Unmodelled>,
    pub subdomain: Option<Unmodelled>,
    pub affinity: Option<Unmodelled>,
    pub scheduler_name: Option<Unmodelled>,
    pub tolerations: Option<Unmodelled>,
    pub host_aliases: Option<Unmodelled>,
    pub priority_class_name: Option<Unmodelled>,
    pub priority: Option<Unmodelled>,
    pub dns_config: Option<Unmodelled>,
    pub readiness_gates: Option<Unmodelled>,
    pub runtime_class_name: Option<Unmodelled>,
    pub enable_service_links: Option<Unmodelled>,
    pub preemption_policy: Option<Unmodelled>,
    pub overhead: Option<Unmodelled>,
    pub topology_spread_constraints: Option<Unmodelled>,
    #[serde(rename = "setHostnameAsFQDN")]
    pub set_hostname_as_fqdn: Option<Unmodelled>,
    pub os: Option<Unmodelled>,
    pub host_users: Option<Unmodelled>,
    pub scheduling_gates: Option<Unmodelled>,
    pub resource_claims: Option<Unmodelled>,
    pub workload_ref: Option<Unmodelled>,
}

/// `Container` (also used for init containers).
#[allow(missing_docs)] // the `Unmodelled` fields are the Kubernetes fields of the same name
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Container {
    /// Container name.
    pub name: String,
    /// Requests and limits.
    pub resources: Option<ResourceRequirements>,
    /// When the container counts as Ready.
    pub readiness_probe: Option<Probe>,
    /// `Always` on an init container makes it a sidecar.
    pub restart_policy: Option<String>,
    pub image: Option<Unmodelled>,
    pub command: Option<Unmodelled>,
    pub args: Option<Unmodelled>,
    pub working_dir: Option<Unmodelled>,
    pub ports: Option<Unmodelled>,
    pub env_from: Option<Unmodelled>,
    pub env: Option<Unmodelled>,
    pub resize_policy: Option<Unmodelled>,
    pub restart_policy_rules: Option<Unmodelled>,
    pub volume_mounts: Option<Unmodelled>,
    pub volume_devices: Option<Unmodelled>,
    pub liveness_probe: Option<Unmodelled>,
    pub startup_probe: Option<Unmodelled>,
    pub lifecycle: Option<Unmodelled>,
    pub termination_message_path: Option<Unmodelled>,
    pub termination_message_policy: Option<Unmodelled>,
    pub image_pull_policy: Option<Unmodelled>,
    pub security_context: Option<Unmodelled>,
    pub stdin: Option<Unmodelled>,
    pub stdin_once: Option<Unmodelled>,
    pub tty: Option<Unmodelled>,
}

/// A `ResourceList`: resource name (`cpu`, `memory`, `ephemeral-storage`, `hugepages-2Mi`,
/// `example.com/gpu`) → quantity.
pub type ResourceList = BTreeMap<String, Quantity>;

/// `ResourceRequirements`.
#[allow(missing_docs)] // the `Unmodelled` fields are the Kubernetes fields of the same name
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceRequirements {
    /// The most the container may use.
    pub limits: Option<ResourceList>,
    /// What the scheduler reserves (default: the limit).
    pub requests: Option<ResourceList>,
    pub claims: Option<Unmodelled>,
}

/// A `Probe`: the handler fields are accepted (one is required), the timing is modelled.
#[allow(missing_docs)] // the `Unmodelled` fields are the Kubernetes fields of the same name
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Probe {
    /// Seconds after the container starts before the first probe. Default 0.
    pub initial_delay_seconds: Option<u32>,
    /// Seconds between probes. Default (and when 0) 10.
    pub period_seconds: Option<u32>,
    /// Consecutive successes to turn Ready. Default (and when 0) 1.
    pub success_threshold: Option<u32>,
    pub exec: Option<Unmodelled>,
    pub http_get: Option<Unmodelled>,
    pub tcp_socket: Option<Unmodelled>,
    pub grpc: Option<Unmodelled>,
    pub timeout_seconds: Option<Unmodelled>,
    pub failure_threshold: Option<Unmodelled>,
    pub termination_grace_period_seconds: Option<Unmodelled>,
}

impl Probe {
    /// initialDelaySeconds with its default.
    pub fn initial_delay_seconds(&self) -> u32 {
        self.initial_delay_seconds.unwrap_or(0)
    }
    /// periodSeconds with its default (0 means unset, as in the Kubernetes API).
    pub fn period_seconds(&self) -> u32 {
        self.period_seconds.filter(|&p| p > 0).unwrap_or(10)
    }
    /// successThreshold with its default (0 means unset).
    pub fn success_threshold(&self) -> u32 {
        self.success_threshold.filter(|&t| t > 0).unwrap_or(1)
    }
    fn handlers(&self) -> usize {
        [&self.exec, &self.http_get, &self.tcp_socket, &self.grpc]
            .iter()
            .filter(|h| h.is_some())
            .count()
    }
}

impl Container {
    /// The effective request for `resource`: the request, else the limit (Kubernetes copies a
    /// lone limit into the request).
    pub fn request(&self, resource: &str) -> Option<&Quantity> {
        let r = self.resources.as_ref()?;
        let requests = r.requests.as_ref().and_then(|l| l.get(resource));
        requests.or_else(|| r.limits.as_ref()?.get(resource))
    }
    /// The limit for `resource`, if set.
    pub fn limit(&self, resource: &str) -> Option<&Quantity> {
        self.resources.as_ref()?.limits.as_ref()?.get(resource)
    }
    /// An init container that keeps running beside the app (`restartPolicy: Always`).
    pub fn is_sidecar(&self) -> bool {
        self.restart_policy.as_deref() == Some("Always")
    }
}

impl Deployment {
    /// `spec.replicas` with its default, 1.
    pub fn replicas(&self) -> u32 {
        self.spec.replicas.unwrap_or(1)
    }

    /// The containers running beside each other in a Ready pod: the app containers, then the
    /// sidecars.
    pub fn running_containers(&self) -> impl Iterator<Item = &Container> {
        let pod = &self.spec.template.spec;
        let sidecars = pod.init_containers.iter().filter(|c| c.is_sidecar());
        pod.containers.iter().chain(sidecars)
    }

    /// The pod's request for `resource`: the pod-level request (or limit) when set, else the
    /// sum over the running containers (0 when none requests it).
    pub fn pod_request(&self, resource: &str) -> Quantity {
        if let Some(q) = self.pod_level(resource, true) {
            return q.clone();
        }
        sum(self
            .running_containers()
            .filter_map(|c| c.request(resource)))
    }

    /// The pod's limit for `resource`: the pod-level limit when set, else the sum over the
    /// running containers, or none if any of them has no limit.
    pub fn pod_limit(&self, resource: &str) -> Option<Quantity> {
        if let Some(q) = self.pod_level(resource, false) {
            return Some(q.clone());
        }
        let limits: Option<Vec<&Quantity>> = self
            .running_containers()
            .map(|c| c.limit(resource))
            .collect();
        limits.map(|l| sum(l.into_iter()))
    }

    /// Whether the pod specifies a request (or a limit, copied into the request) for
    /// `resource`: at pod level, or in every container and init container (what ResourceQuota
    /// admission's "must specify" check requires).
    pub fn pod_specifies_request(&self, resource: &str) -> bool {
        let pod = &self.spec.template.spec;
        self.pod_level(resource, true).is_some()
            || pod
                .containers
                .iter()
                .chain(&pod.init_containers)
                .all(|c| c.request(resource).is_some())
    }

    fn pod_level(&self, resource: &str, request: bool) -> Option<&Quantity> {
        let r = self.spec.template.spec.resources.as_ref()?;
        let limit = r.limits.as_ref().and_then(|l| l.get(resource));
        match request {
            true => r.requests.as_ref().and_then(|l| l.get(resource)).or(limit),
            false => limit,
        }
    }

    /// The readiness probe hpasim models: the first app container's that has one.
    pub fn readiness_probe(&self) -> Option<&Probe> {
        let containers = &self.spec.template.spec.containers;
        containers.iter().find_map(|c| c.readiness_probe.as_ref())
    }

    /// terminationGracePeriodSeconds with its default, 30.
    pub fn termination_grace_period_seconds(&self) -> u64 {
        self.spec
            .template
            .spec
            .termination_grace_period_seconds
            .unwrap_or(30)
    }

    /// Semantic checks, as the API server makes them, at paths under `prefix` (`deployment`);
    /// `apiVersion` and `kind` are checked by the scenario's validation.
    pub fn validate(&self, prefix: &str) -> Vec<SpecError> {
        let mut errors = Vec::new();
        let mut fail = |path: String, message: String, hint: &str| {
            errors.push(SpecError::at_path(path, message).with_hint(hint));
        };
        let pod = &self.spec.template.spec;
        let at = format!("{prefix}.spec.template.spec");
        if pod.containers.is_empty() {
            fail(
                format!("{at}.containers"),
                "needs at least one container".into(),
                "add `- name: app` with its `resources`",
            );
        }
        let lists = [
            ("containers", &pod.containers),
            ("initContainers", &pod.init_containers),
        ];
        for (list, containers) in lists {
            for (i, c) in containers.iter().enumerate() {
                let cp = format!("{at}.{list}[{i}]");
                if let Some(r) = &c.resources {
                    resources(&mut errors, &format!("{cp}.resources"), r);
                }
                if let Some(policy) = &c.restart_policy {
                    if list == "initContainers" && policy != "Always" {
                        errors.push(
                            SpecError::at_path(
                                format!("{cp}.restartPolicy"),
                                format!("unsupported value `{policy}`"),
                            )
                            .with_hint("an init container's restartPolicy can only be `Always` (a sidecar), or left out"),
                        );
                    }
                }
                if let Some(p) = &c.readiness_probe {
                    match p.handlers() {
                        1 => {}
                        0 => errors.push(
                            SpecError::at_path(
                                format!("{cp}.readinessProbe"),
                                "must specify a handler type",
                            )
                            .with_hint("add one of `httpGet`, `tcpSocket`, `grpc` or `exec`"),
                        ),
                        _ => errors.push(
                            SpecError::at_path(
                                format!("{cp}.readinessProbe"),
                                "may not specify more than 1 handler type",
                            )
                            .with_hint("keep one of `httpGet`, `tcpSocket`, `grpc` and `exec`"),
                        ),
                    }
                }
            }
        }
        if let Some(r) = &pod.resources {
            resources(&mut errors, &format!("{at}.resources"), r);
        }
        if !pod.containers.is_empty() && self.pod_request("cpu").value() <= 0.0 {
            errors.push(
                SpecError::at_path(format!("{at}.containers"), "no container requests CPU")
                    .with_hint("hpasim needs the pod's CPU request (the 100 % of CPU utilization and the cost basis): add `resources: {requests: {cpu: 500m}}` to a container"),
            );
        }
        errors
    }
}

/// Resource names valid in a container's `resources`.
const RESOURCE_NAMES: [&str; 3] = ["cpu", "memory", "ephemeral-storage"];

/// Checks one `resources` block: known resource names, limits at least the requests.
fn resources(errors: &mut Vec<SpecError>, at: &str, r: &ResourceRequirements) {
    for (which, list) in [("requests", &r.requests), ("limits", &r.limits)] {
        for name in list.iter().flat_map(|l| l.keys()) {
            let known = RESOURCE_NAMES.contains(&name.as_str())
                || name.starts_with("hugepages-")
                || name.contains('/');
            if !known {
                let mut message = format!("unknown resource `{name}`");
                if let Some(s) = did_you_mean(name, RESOURCE_NAMES) {
                    message = format!("{message}, {s}");
                }
                errors.push(SpecError::at_path(format!("{at}.{which}"), message).with_hint(
                    "use `cpu`, `memory`, `ephemeral-storage`, `hugepages-<size>` or an extended resource such as `example.com/gpu`",
                ));
            }
        }
    }
    let (Some(requests), Some(limits)) = (&r.requests, &r.limits) else {
        return;
    };
    for (name, limit) in limits {
        if let Some(request) = requests.get(name) {
            if limit.value() < request.value() && !name.contains(['.', '-', '/']) {
                errors.push(
                    SpecError::at_path(
                        format!("{at}.limits.{name}"),
                        format!("must be at least the request ({request}), got {limit}"),
                    )
                    .with_hint("Kubernetes rejects a limit below the request: raise the limit or lower the request"),
                );
            }
        }
    }
}

/// The sum of quantities, rounded to nano-units (no `0.30000000000000004`); a single quantity
/// keeps its text (`500m`).
fn sum<'a>(qs: impl Iterator<Item = &'a Quantity>) -> Quantity {
    let qs: Vec<&Quantity> = qs.collect();
    if let [one] = qs[..] {
        return one.clone();
    }
    let total: f64 = qs.iter().map(|q| q.value()).sum();
    Quantity::from_value((total * 1e9).round() / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(containers: &str, extra: &str) -> Deployment {
        let text = format!(
            "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n{extra}      containers:\n{containers}"
        );
        serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn pod_requests_sum_the_containers_and_sidecars_and_default_to_the_limit() {
        let d = deployment(
            "        - {name: a, resources: {requests: {cpu: 250m}, limits: {cpu: 500m}}}\n        - {name: b, resources: {limits: {cpu: 100m, memory: 1Gi}}}\n",
            "      initContainers:\n        - {name: once, resources: {requests: {cpu: '2'}}}\n        - {name: side, restartPolicy: Always, resources: {requests: {cpu: 50m}, limits: {cpu: 50m}}}\n",
        );
        assert_eq!(d.pod_request("cpu").value(), 0.4);
        assert_eq!(d.pod_limit("cpu").unwrap().value(), 0.65);
        assert_eq!(d.pod_request("memory").value(), 1024f64.powi(3));
        assert_eq!(
            d.pod_limit("memory"),
            None,
            "`a` and `side` have no memory limit"
        );
        assert_eq!(d.replicas(), 1);
        assert_eq!(d.termination_grace_period_seconds(), 30);
    }

    #[test]
    fn pod_level_resources_replace_the_containers_sum() {
        let d = deployment(
            "        - {name: a, resources: {requests: {cpu: 250m}}}\n",
            "      resources: {limits: {cpu: '2'}}\n",
        );
        assert_eq!(d.pod_request("cpu").value(), 2.0);
        assert_eq!(d.pod_limit("cpu").unwrap().value(), 2.0);
    }

    #[test]
    fn probe_defaults_follow_the_kubernetes_api() {
        let d = deployment(
            "        - name: a\n          resources: {requests: {cpu: 1}}\n          readinessProbe: {tcpSocket: {port: 80}, periodSeconds: 0}\n",
            "",
        );
        let p = d.readiness_probe().unwrap();
        assert_eq!(
            (
                p.initial_delay_seconds(),
                p.period_seconds(),
                p.success_threshold()
            ),
            (0, 10, 1)
        );
        assert!(d.validate("deployment").is_empty());
    }

    #[test]
    fn validation_names_the_field_and_says_what_kubernetes_would() {
        let d = deployment(
            "        - name: a\n          resources: {requests: {cpu: 500m, cpuu: 1}, limits: {cpu: 250m}}\n          readinessProbe: {periodSeconds: 5}\n",
            "      initContainers:\n        - {name: i, restartPolicy: Never}\n",
        );
        let errors: Vec<String> = d
            .validate("deployment")
            .iter()
            .map(|e| format!("{}: {}", e.location, e.message))
            .collect();
        let c = "deployment.spec.template.spec.containers[0]";
        assert_eq!(
            errors,
            [
                format!("{c}.resources.requests: unknown resource `cpuu`, did you mean `cpu`?"),
                format!("{c}.resources.limits.cpu: must be at least the request (500m), got 250m"),
                format!("{c}.readinessProbe: must specify a handler type"),
                "deployment.spec.template.spec.initContainers[0].restartPolicy: unsupported value `Never`".to_string(),
            ]
        );
        let d = deployment("        - {name: a}\n", "");
        let e = &d.validate("deployment")[0];
        assert_eq!(e.message, "no container requests CPU");
    }

    #[test]
    fn misspelled_fields_are_refused_with_the_valid_names() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicsa: 2\n  template: {spec: {containers: []}}\n";
        let e = serde_saphyr::from_str::<Deployment>(text)
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown field `replicsa`"), "{e}");
        assert!(e.contains("replicas"), "{e}");
    }
}
