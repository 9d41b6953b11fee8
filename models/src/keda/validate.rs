//! What KEDA's admission webhook and controller reject (`scaledobject_webhook.go`,
//! `scaledobject_types.go` `CheckReplicaCountBoundsAreValid` / `CheckFallbackValid`,
//! `scaletriggers_types.go` `ValidateTriggers`, each scaler's metadata parsing), plus the API
//! version and kind, and what hpasim does not simulate (`scalingModifiers`).
//!
//! Every message names the KEDA rule it restates. Errors are [`SpecError`]s at parameter paths
//! under a caller-given prefix (`scaled_object` in scenarios, `scaledObject` in `keda eval`).

use super::spec::{ScaledObject, API_VERSION, DEFAULT_MAX_REPLICA_COUNT, KIND};
use super::triggers::{compile_trigger, TargetType, TriggerConfig};
use crate::scenario::SpecError;

/// The message for an `apiVersion` other than `keda.sh/v1alpha1`.
pub fn unsupported_api_version(found: &str) -> String {
    format!("unsupported apiVersion `{found}`: hpasim reads ScaledObject only as `{API_VERSION}`")
}

/// The HPA minimum KEDA derives (`GetHPAMinReplicas`): minReplicaCount if > 0, else 1.
pub fn hpa_min_replicas(so: &ScaledObject) -> i32 {
    match so.spec.min_replica_count {
        Some(m) if m > 0 => m,
        _ => 1,
    }
}

/// Every problem of `so`, paths under `prefix`; the compiled triggers when there are none.
pub fn validate(so: &ScaledObject, prefix: &str) -> Vec<SpecError> {
    check(so, prefix).err().unwrap_or_default()
}

/// Validates and compiles the triggers.
pub fn check(so: &ScaledObject, prefix: &str) -> Result<Vec<TriggerConfig>, Vec<SpecError>> {
    let mut errs = Vec::new();
    if so.api_version != API_VERSION {
        push(
            &mut errs,
            format!("{prefix}.apiVersion"),
            unsupported_api_version(&so.api_version),
            Some("write `apiVersion: keda.sh/v1alpha1`"),
        );
    }
    if so.kind != KIND {
        push(
            &mut errs,
            format!("{prefix}.kind"),
            format!("kind must be `{KIND}`, got `{}`", so.kind),
            None,
        );
    }
    let spec = &so.spec;
    let p = format!("{prefix}.spec");
    if spec.scale_target_ref.name.is_empty() {
        push(
            &mut errs,
            format!("{p}.scaleTargetRef.name"),
            "must not be empty".into(),
            None,
        );
    }
    if spec.polling_interval.is_some_and(|v| v <= 0) {
        push(
            &mut errs,
            format!("{p}.pollingInterval"),
            format!(
                "must be greater than 0 [s], got {}",
                spec.polling_interval.unwrap_or_default()
            ),
            Some("the default is 30"),
        );
    }
    for (field, v) in [
        ("cooldownPeriod", spec.cooldown_period),
        ("initialCooldownPeriod", spec.initial_cooldown_period),
        ("minReplicaCount", spec.min_replica_count),
        ("idleReplicaCount", spec.idle_replica_count),
    ] {
        if let Some(v) = v.filter(|v| *v < 0) {
            push(
                &mut errs,
                format!("{p}.{field}"),
                format!("must be 0 or more, got {v}"),
                None,
            );
        }
    }
    // CheckReplicaCountBoundsAreValid: min is the HPA minimum when set (0 reads as 1), else 0.
    let min = if spec.min_replica_count.is_some() {
        hpa_min_replicas(so)
    } else {
        0
    };
    let max = spec.max_replica_count.unwrap_or(DEFAULT_MAX_REPLICA_COUNT);
    if min > max {
        push(
            &mut errs,
            format!("{p}.minReplicaCount"),
            format!("minReplicaCount ({min}) must be less than or equal to maxReplicaCount ({max}) (KEDA CheckReplicaCountBoundsAreValid)"),
            Some("raise maxReplicaCount (default 100) or lower minReplicaCount"),
        );
    }
    if let Some(idle) = spec.idle_replica_count {
        if idle >= min {
            push(
            &mut errs,
                format!("{p}.idleReplicaCount"),
                format!("idleReplicaCount ({idle}) must be less than minReplicaCount ({min}) (KEDA CheckReplicaCountBoundsAreValid)"),
                Some("idle mode scales to idleReplicaCount while inactive and to at least minReplicaCount when active; an unset minReplicaCount counts as 0 here"),
            );
        }
    }
    if spec.uses_scaling_modifiers() {
        push(
            &mut errs,
            format!("{p}.advanced.scalingModifiers"),
            "scalingModifiers (a formula over the triggers' metrics) is not simulated".into(),
            Some("remove advanced.scalingModifiers; hpasim feeds each trigger to the HPA as its own External metric"),
        );
    }
    if spec.triggers.is_empty() {
        push(
            &mut errs,
            format!("{p}.triggers"),
            "no triggers defined in the ScaledObject (KEDA webhook verifyTriggers)".into(),
            Some("add at least one trigger, e.g. `- type: kafka`"),
        );
    }
    let mut compiled = Vec::new();
    for (i, t) in spec.triggers.iter().enumerate() {
        let tp = format!("{p}.triggers[{i}]");
        if let Some(name) = t.name.as_deref().filter(|n| !n.is_empty()) {
            if spec.triggers[..i]
                .iter()
                .any(|o| o.name.as_deref() == Some(name))
            {
                push(
            &mut errs,
                    format!("{tp}.name"),
                    format!("triggerName `{name}` is defined multiple times in the ScaledObject, but it must be unique (KEDA ValidateTriggers)"),
                    None,
                );
            }
        }
        if t.cached() && matches!(t.type_.as_str(), "cpu" | "memory" | "cron") {
            push(
            &mut errs,
                format!("{tp}.useCachedMetrics"),
                format!("property useCachedMetrics is not supported for the `{}` scaler (KEDA ValidateTriggers)", t.type_),
                None,
            );
        }
        match compile_trigger(t, i, &tp) {
            Ok(c) => compiled.push(c),
            Err(e) => errs.push(e),
        }
    }
    let resource_only = !spec.triggers.is_empty() && spec.triggers.iter().all(|t| t.is_resource());
    if resource_only && spec.min_replica_count.unwrap_or(0) == 0 {
        errs.push(
            SpecError::at_path(
                format!("{p}.minReplicaCount"),
                "the ScaledObject has only cpu/memory triggers AND minReplicaCount is 0: scale to zero does not work in this case (KEDA webhook verifyCPUMemoryScalers)",
            )
            .with_hint("set `minReplicaCount: 1` or more, or add a trigger that is not cpu or memory"),
        );
    }
    if let Some(f) = &spec.fallback {
        // CheckFallbackValid (current KEDA).
        if f.failure_threshold < 0 || f.replicas < 0 {
            let field = if f.failure_threshold < 0 {
                "failureThreshold"
            } else {
                "replicas"
            };
            errs.push(SpecError::at_path(
                format!("{p}.fallback.{field}"),
                format!(
                    "FailureThreshold={} & Replicas={} must both be greater than or equal to 0 (KEDA CheckFallbackValid)",
                    f.failure_threshold, f.replicas
                ),
            ));
        }
        let any_average = compiled
            .iter()
            .any(|c| !c.is_resource() && c.target_type == TargetType::AverageValue);
        if !compiled.is_empty() && compiled.len() == spec.triggers.len() && !any_average {
            errs.push(
                SpecError::at_path(
                    format!("{p}.fallback"),
                    "at least one trigger (that is not cpu or memory) has to have the AverageValue type for the fallback to be enabled (KEDA CheckFallbackValid)",
                )
                .with_hint("fallback feeds the HPA `replicas × target` through an AverageValue External metric; remove `fallback` or give a non-cpu/memory trigger `metricType: AverageValue`"),
            );
        }
    }
    if errs.is_empty() {
        Ok(compiled)
    } else {
        Err(errs)
    }
}

fn push(errs: &mut Vec<SpecError>, path: String, msg: String, hint: Option<&str>) {
    let mut e = SpecError::at_path(path, msg);
    if let Some(h) = hint {
        e = e.with_hint(h);
    }
    errs.push(e);
}
