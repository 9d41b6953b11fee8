//! The pods' effective settings: from the Deployment when the scenario has one, else from
//! `pods` with their defaults.

use super::{Duration, Quantity, ReadinessProbe, Scenario, SpecError};

/// The `pods` fields a Deployment sets, and where in the Deployment they come from.
pub const FROM_DEPLOYMENT: [(&str, &str); 6] = [
    ("replicas", "spec.replicas"),
    (
        "cpu_request",
        "its containers' and sidecars' resources.requests.cpu, summed",
    ),
    (
        "cpu_limit",
        "its containers' and sidecars' resources.limits.cpu, summed",
    ),
    (
        "memory_request",
        "its containers' and sidecars' resources.requests.memory, summed",
    ),
    ("readiness_probe", "its first container's readinessProbe"),
    (
        "termination_grace_period",
        "spec.template.spec.terminationGracePeriodSeconds",
    ),
];

/// The pods' settings that a Deployment may give, resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedPods {
    /// Initial replica count.
    pub replicas: u32,
    /// CPU request of one pod [cores] (containers and sidecars).
    pub cpu_request: Quantity,
    /// CPU limit of one pod [cores]; none when any container has no CPU limit.
    pub cpu_limit: Option<Quantity>,
    /// Memory request of one pod [bytes].
    pub memory_request: Quantity,
    /// Memory limit of one pod [bytes]; none when any container has no memory limit, and
    /// none without a Deployment.
    pub memory_limit: Option<Quantity>,
    /// Whether the pod specifies its CPU and memory requests (every container, or the
    /// pod-level `resources`), as ResourceQuota admission requires for `requests.cpu` /
    /// `requests.memory` quotas: (cpu, memory).
    pub requests_specified: (bool, bool),
    /// The readiness probe.
    pub readiness_probe: ReadinessProbe,
    /// terminationGracePeriodSeconds.
    pub termination_grace_period: Duration,
}

/// Without a readiness probe Kubernetes marks a container Ready once it runs; hpasim, which does
/// not model refused connections, makes it Ready once the app is up (within 1 ms).
fn no_probe() -> ReadinessProbe {
    ReadinessProbe {
        initial_delay: Duration::from_secs(0.0),
        period: Duration::from_secs(0.001),
        success_threshold: 1,
    }
}

/// Resolves the pods' settings: from `s.deployment` when present (Kubernetes defaults
/// applied), else from `s.pods`, where `replicas` and `cpu_request` are required (error at the
/// path `pods`).
pub fn resolve_pods(s: &Scenario) -> Result<ResolvedPods, SpecError> {
    if let Some(d) = &s.deployment {
        let probe = d
            .readiness_probe()
            .map_or_else(no_probe, |p| ReadinessProbe {
                initial_delay: Duration::from_secs(f64::from(p.initial_delay_seconds())),
                period: Duration::from_secs(f64::from(p.period_seconds())),
                success_threshold: p.success_threshold(),
            });
        return Ok(ResolvedPods {
            replicas: d.replicas(),
            cpu_request: d.pod_request("cpu"),
            cpu_limit: d.pod_limit("cpu"),
            memory_request: d.pod_request("memory"),
            memory_limit: d.pod_limit("memory"),
            requests_specified: (
                d.pod_specifies_request("cpu"),
                d.pod_specifies_request("memory"),
            ),
            readiness_probe: probe,
            termination_grace_period: Duration::from_secs(
                d.termination_grace_period_seconds() as f64
            ),
        });
    }
    let p = &s.pods;
    Ok(ResolvedPods {
        replicas: p.replicas.ok_or_else(|| missing("replicas"))?,
        cpu_request: p
            .cpu_request
            .clone()
            .ok_or_else(|| missing("cpu_request"))?,
        cpu_limit: p.cpu_limit.clone(),
        memory_request: p
            .memory_request
            .clone()
            .unwrap_or_else(|| Quantity::from_value(0.0)),
        memory_limit: None,
        requests_specified: (true, p.memory_request.is_some()),
        readiness_probe: p.readiness_probe.clone().unwrap_or_default(),
        termination_grace_period: p
            .termination_grace_period
            .unwrap_or(Duration::from_secs(30.0)),
    })
}

impl ResolvedPods {
    /// One pod's requests and limits as ResourceQuota admission sees them (a request the pod
    /// does not specify is `None`); `Err` for an amount too large for 64 bits.
    pub fn quota_requests(&self) -> Result<crate::cluster::quota::PodRequests, String> {
        use crate::cluster::resources::{bytes, cpu_millis};
        let (cpu, memory) = self.requests_specified;
        Ok(crate::cluster::quota::PodRequests {
            requests_cpu_millis: cpu.then(|| cpu_millis(&self.cpu_request)).transpose()?,
            requests_memory_bytes: memory.then(|| bytes(&self.memory_request)).transpose()?,
            limits_cpu_millis: self.cpu_limit.as_ref().map(cpu_millis).transpose()?,
            limits_memory_bytes: self.memory_limit.as_ref().map(bytes).transpose()?,
        })
    }
}

/// "missing required field `replicas` in `pods`", at the path `pods`.
pub(crate) fn missing(field: &str) -> SpecError {
    SpecError::at_path("pods", format!("missing required field `{field}` in `pods`")).with_hint(
        format!("add `{field}: ...` to `pods` (or give the scenario a Deployment: `manifests:` or `deployment:`)"),
    )
}

#[cfg(test)]
mod tests {
    use super::super::load::{load_str, VALID};
    use super::*;
    use std::path::Path;

    #[test]
    fn without_a_deployment_pods_fields_and_their_defaults_apply() {
        let s = load_str(VALID, Path::new("v.yaml"), &[]).unwrap().scenario;
        let r = resolve_pods(&s).unwrap();
        assert_eq!(r.replicas, 2);
        assert_eq!(r.cpu_request.value(), 0.5);
        assert_eq!(r.cpu_limit, None);
        assert_eq!(r.memory_request.value(), 0.0);
        assert_eq!(r.readiness_probe, ReadinessProbe::default());
        assert_eq!(r.termination_grace_period.secs(), 30.0);
    }

    #[test]
    fn a_deployment_gives_replicas_resources_probe_and_grace() {
        let text = VALID.replace("  replicas: 2\n", "").replace("  cpu_request: 500m\n", "")
            + "deployment:\n  apiVersion: apps/v1\n  kind: Deployment\n  spec:\n    replicas: 4\n    template:\n      spec:\n        terminationGracePeriodSeconds: 5\n        containers:\n          - name: app\n            resources: {requests: {cpu: 300m, memory: 128Mi}, limits: {cpu: 600m}}\n";
        let s = load_str(&text, Path::new("v.yaml"), &[])
            .unwrap_or_else(|e| panic!("{e}"))
            .scenario;
        let r = resolve_pods(&s).unwrap();
        assert_eq!(r.replicas, 4);
        assert_eq!(r.cpu_request.to_string(), "300m");
        assert_eq!(r.cpu_limit.unwrap().value(), 0.6);
        assert_eq!(r.memory_request.value(), 128.0 * 1024.0 * 1024.0);
        assert_eq!(
            r.readiness_probe.period.secs(),
            0.001,
            "no probe: Ready when the app is up"
        );
        assert_eq!(r.termination_grace_period.secs(), 5.0);
        assert_eq!(r.memory_limit, None, "the container sets no memory limit");
        assert_eq!(r.requests_specified, (true, true));
    }

    #[test]
    fn quota_requests_are_the_pods_and_none_where_a_container_leaves_one_out() {
        let text = VALID.replace("  replicas: 2\n", "").replace("  cpu_request: 500m\n", "")
            + "deployment:\n  apiVersion: apps/v1\n  kind: Deployment\n  spec:\n    template:\n      spec:\n        containers:\n          - {name: app, resources: {requests: {cpu: 300m}, limits: {memory: 1Gi}}}\n          - {name: proxy, resources: {limits: {cpu: 100m, memory: 64Mi}}}\n";
        let s = load_str(&text, Path::new("v.yaml"), &[])
            .unwrap_or_else(|e| panic!("{e}"))
            .scenario;
        let q = resolve_pods(&s).unwrap().quota_requests().unwrap();
        // A lone limit is the request (API defaulting); the app has no CPU limit.
        assert_eq!(q.requests_cpu_millis, Some(400));
        assert_eq!(q.requests_memory_bytes, Some((1 << 30) + (64 << 20)));
        assert_eq!(q.limits_cpu_millis, None);
        assert_eq!(q.limits_memory_bytes, Some((1 << 30) + (64 << 20)));
        let s = load_str(VALID, Path::new("v.yaml"), &[]).unwrap().scenario;
        let q = resolve_pods(&s).unwrap().quota_requests().unwrap();
        assert_eq!(q.requests_cpu_millis, Some(500));
        assert_eq!(
            q.requests_memory_bytes, None,
            "pods.memory_request not written"
        );
    }
}
