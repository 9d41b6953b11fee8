//! Semantic checks after parsing: values the types allow but the model does not (negative rates,
//! zero periods, probabilities above one, `min > max`, ...).
//!
//! Errors are located by parameter path ([`SpecError::at_path`]); loading turns the path into
//! `file:line:column` or the `--set` that gave the value. Checks that need a distribution to be
//! compiled (lognormal feasibility, empirical files) are left to the compiler.

use super::resolve::{missing, FROM_DEPLOYMENT};
use super::spec::*;
use super::{Duration, SpecError};
use crate::manifest::{parse_kubernetes_version, Kind};

/// Every problem found, in document order (empty when the scenario is valid).
pub fn validate(s: &Scenario) -> Vec<SpecError> {
    let mut c = Checks::default();
    let name_ok = !s.name.is_empty()
        && !s.name.starts_with('.')
        && s.name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "._-".contains(ch));
    if !name_ok {
        c.errors.push(
            SpecError::at_path("name", format!("invalid scenario name `{}`", s.name)).with_hint(
                "use letters, digits, `-`, `_` and `.` (it names the output directory and every row)",
            ),
        );
    }
    c.positive_duration("duration", s.duration);
    c.positive_duration("sample_interval", s.sample_interval);
    if s.sample_interval > s.duration && s.duration.secs() > 0.0 {
        c.fail(
            "sample_interval",
            format!(
                "must not exceed the scenario duration ({}), got {}",
                s.duration, s.sample_interval
            ),
        );
    }
    let rows = s.duration.secs() / s.sample_interval.secs();
    if rows.is_finite() && rows > MAX_ROWS {
        c.errors.push(
            SpecError::at_path(
                "sample_interval",
                format!(
                    "{} gives {rows:.0} time-series rows over {}; at most {MAX_ROWS:.0} are allowed",
                    s.sample_interval, s.duration
                ),
            )
            .with_hint("use a longer sample_interval"),
        );
    }
    arrivals(&mut c, &s.workload.arrivals);
    for (i, class) in s.workload.classes.iter().enumerate() {
        let p = format!("workload.classes[{i}]");
        if class.name.trim().is_empty() {
            c.fail(&format!("{p}.name"), "must not be empty");
        }
        if s.workload.classes[..i].iter().any(|o| o.name == class.name) {
            c.fail(
                &format!("{p}.name"),
                format!("duplicate class name `{}`", class.name),
            );
        }
        c.positive(&format!("{p}.weight"), class.weight);
        if let Some(d) = &class.cpu {
            dist(&mut c, &format!("{p}.cpu"), d);
        }
        if let Some(d) = &class.io {
            dist(&mut c, &format!("{p}.io"), d);
        }
    }
    dist(&mut c, "service.cpu", &s.service.cpu);
    dist(&mut c, "service.io", &s.service.io);
    pods(&mut c, &s.pods, s.deployment.is_some());
    if let Some(db) = &s.database {
        database(&mut c, db);
    }
    c.errors.extend(super::queue::validate(s));
    c.errors.extend(super::cluster::validate(s));
    c.errors.extend(super::scheduled::validate(s));
    c.errors.extend(super::predictive::validate(s));
    c.errors.extend(super::faults::validate(s));
    c.errors.extend(super::vpa::validate(s));
    for (k, class) in s.workload.classes.iter().enumerate() {
        if let Some(q) = &class.queries {
            if s.database.is_none() {
                c.errors.push(
                    SpecError::at_path(
                        format!("workload.classes[{k}].queries"),
                        "queries need a database",
                    )
                    .with_hint("add `database: {pool: {maximum_pool_size: 10}}`"),
                );
            }
            queries(&mut c, &format!("workload.classes[{k}].queries"), q);
        }
    }
    if let Some(d) = &s.deployment {
        manifest_header(&mut c, Kind::Deployment, &d.api_version, &d.kind);
        c.errors.extend(d.validate("deployment"));
    }
    if let Some(h) = &s.hpa {
        manifest_header(
            &mut c,
            Kind::HorizontalPodAutoscaler,
            &h.api_version,
            &h.kind,
        );
        c.errors
            .extend(crate::hpa::validate::validate(h, "hpa", Default::default()));
    }
    if let Some(so) = &s.scaled_object {
        manifest_header(&mut c, Kind::ScaledObject, &so.api_version, &so.kind);
        if so.api_version == crate::keda::spec::API_VERSION {
            c.errors
                .extend(crate::keda::validate::validate(so, "scaled_object"));
        }
        if s.hpa.is_some() {
            c.errors.push(
                SpecError::at_path(
                    "scaled_object",
                    "the scenario has both an `hpa` and a `scaled_object`: KEDA refuses a ScaledObject whose workload is already managed by another HPA (KEDA webhook verifyHpas)",
                )
                .with_hint("KEDA generates its own HPA from the ScaledObject (minReplicas, maxReplicas, behavior, one metric per trigger): remove the `hpa`"),
            );
        }
    }
    if let Some(rq) = &s.resource_quota {
        manifest_header(&mut c, Kind::ResourceQuota, &rq.api_version, &rq.kind);
        if let Err(e) = crate::cluster::Quota::from_manifest(rq) {
            c.errors.push(SpecError {
                location: format!("resource_quota.{}", e.location),
                ..e
            });
        }
    }
    if let Some(pdb) = &s.pod_disruption_budget {
        manifest_header(
            &mut c,
            Kind::PodDisruptionBudget,
            &pdb.api_version,
            &pdb.kind,
        );
        c.errors
            .extend(pdb.validate("pod_disruption_budget", s.deployment.as_ref()));
    }
    if let Some(v) = &s.vpa {
        manifest_header(&mut c, Kind::VerticalPodAutoscaler, &v.api_version, &v.kind);
    }
    if let Some(v) = &s.kubernetes_version {
        if let Err(e) = parse_kubernetes_version(v) {
            c.errors
                .push(SpecError::at_path("kubernetes_version", e).with_hint(
                    "write a supported version such as \"1.35\", or leave it out for the newest",
                ));
        }
    }
    c.non_negative("cost.vcpu_hour_usd", s.cost.vcpu_hour_usd);
    c.non_negative("cost.gib_hour_usd", s.cost.gib_hour_usd);
    c.probability("outputs.requests_sample", s.outputs.requests_sample);
    if let Some(slo) = &s.slo {
        c.errors.extend(slo.validate());
    }
    if let Some(Err(errors)) = s.expect.as_ref().map(super::expect::Expect::compile) {
        c.errors.extend(errors);
    }
    c.errors
}

fn arrivals(c: &mut Checks, a: &Arrivals) {
    let p = "workload.arrivals";
    match a {
        Arrivals::Constant { rate } => c.non_negative(&format!("{p}.rate"), *rate),
        Arrivals::Stages { start_rate, stages } => {
            c.non_negative(&format!("{p}.start_rate"), *start_rate);
            if stages.is_empty() {
                c.fail(
                    &format!("{p}.stages"),
                    "needs at least one stage (`- {duration: 1m, target: 100}`)",
                );
            }
            for (i, st) in stages.iter().enumerate() {
                c.non_negative(&format!("{p}.stages[{i}].target"), st.target);
            }
        }
        Arrivals::Diurnal {
            base,
            amplitude,
            period,
            ..
        } => {
            c.non_negative(&format!("{p}.base"), *base);
            c.non_negative(&format!("{p}.amplitude"), *amplitude);
            if amplitude > base {
                c.errors.push(
                    SpecError::at_path(format!("{p}.amplitude"), format!("must not exceed `base` ({base}), got {amplitude}"))
                        .with_hint("the rate base ± amplitude would go negative; lower the amplitude or raise the base"),
                );
            }
            c.positive_duration(&format!("{p}.period"), *period);
        }
        Arrivals::Bursts { states } => {
            if states.is_empty() {
                c.fail(&format!("{p}.states"), "needs at least one state");
            }
            for (i, st) in states.iter().enumerate() {
                c.non_negative(&format!("{p}.states[{i}].rate"), st.rate);
                c.positive_duration(&format!("{p}.states[{i}].mean_duration"), st.mean_duration);
            }
        }
        Arrivals::Trace { file, scale, .. } => {
            if file.trim().is_empty() {
                c.fail(&format!("{p}.file"), "must name a CSV file");
            }
            c.positive(&format!("{p}.scale"), *scale);
        }
    }
}

fn dist(c: &mut Checks, p: &str, d: &Dist) {
    let at = |field: &str| format!("{p}.{field}");
    match d {
        Dist::Constant { .. } => {}
        Dist::Exponential { mean, rate } => match (mean, rate) {
            (Some(m), None) => c.positive_duration(&at("mean"), *m),
            (None, Some(r)) => c.positive(&at("rate"), *r),
            (Some(_), Some(_)) => c.errors.push(
                SpecError::at_path(
                    at("rate"),
                    "exponential takes either `mean` or `rate`, not both",
                )
                .with_hint("remove one of them"),
            ),
            (None, None) => c.fail(p, "exponential needs `mean` (e.g. `mean: 20ms`) or `rate`"),
        },
        Dist::Lognormal {
            mean,
            p99,
            mu,
            sigma,
        } => match (mean, p99, mu, sigma) {
            (Some(m), Some(_), None, None) => c.positive_duration(&at("mean"), *m),
            (None, None, Some(mu), Some(s)) => {
                c.finite(&at("mu"), *mu);
                c.positive(&at("sigma"), *s);
            }
            _ => c.errors.push(
                SpecError::at_path(p, "lognormal needs `mean` and `p99`, or `mu` and `sigma`")
                    .with_hint("e.g. `{dist: lognormal, mean: 20ms, p99: 200ms}`"),
            ),
        },
        Dist::Gamma { shape, mean } => {
            c.positive(&at("shape"), *shape);
            c.positive_duration(&at("mean"), *mean);
        }
        Dist::Erlang { k, mean } => {
            if *k < 1 {
                c.fail(&at("k"), "must be at least 1, got 0");
            }
            c.positive_duration(&at("mean"), *mean);
        }
        Dist::Uniform { min, max } => {
            if min > max {
                c.errors.push(
                    SpecError::at_path(at("min"), format!("min > max: min is {min}, max is {max}"))
                        .with_hint("swap them, or make `max` at least `min`"),
                );
            }
        }
        Dist::Empirical { file, .. } => {
            if file.trim().is_empty() {
                c.fail(&at("file"), "must name a CSV file");
            }
        }
    }
}

/// The `kind` and `apiVersion` of a manifest after `--set` (files and inline manifests are
/// checked before parsing).
fn manifest_header(c: &mut Checks, kind: Kind, api_version: &str, written: &str) {
    let field = kind.field();
    if api_version != kind.api_version() {
        c.errors.push(
            SpecError::at_path(
                format!("{field}.apiVersion"),
                format!("unsupported apiVersion `{api_version}` for {}", kind.name()),
            )
            .with_hint(format!("write `apiVersion: {}`", kind.api_version())),
        );
    }
    if written != kind.name() {
        c.errors.push(
            SpecError::at_path(
                format!("{field}.kind"),
                format!("`{field}` must be a {}, got kind `{written}`", kind.name()),
            )
            .with_hint(format!("write `kind: {}`", kind.name())),
        );
    }
}

/// `pods`; `deployment`: whether a Deployment gives replicas, resources, probe and grace.
fn pods(c: &mut Checks, p: &Pods, deployment: bool) {
    if p.concurrency < 1 {
        c.errors.push(
            SpecError::at_path("pods.concurrency", "must be at least 1, got 0")
                .with_hint("the number of requests one pod serves at once, e.g. `concurrency: 8`"),
        );
    }
    if deployment {
        let set = [
            p.replicas.is_some(),
            p.cpu_request.is_some(),
            p.cpu_limit.is_some(),
            p.memory_request.is_some(),
            p.readiness_probe.is_some(),
            p.termination_grace_period.is_some(),
        ];
        for ((field, source), _) in FROM_DEPLOYMENT.iter().zip(set).filter(|(_, set)| *set) {
            c.errors.push(
                SpecError::at_path(
                    format!("pods.{field}"),
                    "conflicts with the Deployment, which sets it",
                )
                .with_hint(format!(
                    "remove pods.{field}: the Deployment sets it (from {source}); change it there or with `--set deployment...`"
                )),
            );
        }
    }
    if !deployment {
        if p.replicas.is_none() {
            c.errors.push(missing("replicas"));
        }
        match &p.cpu_request {
            None => c.errors.push(missing("cpu_request")),
            Some(request) => c.positive("pods.cpu_request", request.value()),
        }
    }
    if let (Some(limit), Some(request)) = (&p.cpu_limit, &p.cpu_request) {
        if limit.value() < request.value() {
            c.errors.push(
                SpecError::at_path(
                    "pods.cpu_limit",
                    format!("must be at least `cpu_request` ({request}), got {limit}"),
                )
                .with_hint(
                    "Kubernetes rejects a limit below the request: raise `cpu_limit` or remove it",
                ),
            );
        }
    }
    if let Some(t) = p.timeout {
        c.positive_duration("pods.timeout", t);
    }
    let s = &p.startup;
    let phases = [
        ("schedule", &s.schedule),
        ("image_pull", &s.image_pull),
        ("image_pull_cached", &s.image_pull_cached),
        ("container_start", &s.container_start),
        ("app_start", &s.app_start),
    ];
    for (name, d) in phases {
        dist(c, &format!("pods.startup.{name}"), d);
    }
    c.probability(
        "pods.startup.image_cached_probability",
        s.image_cached_probability,
    );
    if let Some(probe) = &p.readiness_probe {
        c.positive_duration("pods.readiness_probe.period", probe.period);
        if probe.success_threshold < 1 {
            c.fail(
                "pods.readiness_probe.success_threshold",
                "must be at least 1, got 0",
            );
        }
    }
    if let Some(w) = &p.slow_start {
        if !(w.factor.is_finite() && w.factor >= 1.0) {
            c.errors.push(
                SpecError::at_path(
                    "pods.slow_start.factor",
                    format!("must be at least 1, got {}", w.factor),
                )
                .with_hint("it multiplies service demand during warm-up: 1 means no slow-down"),
            );
        }
    }
}

/// Collects errors.
/// Most time-series rows one run may produce (a day at 0.1 s, a year at 30 s).
const MAX_ROWS: f64 = 1e6;

fn queries(c: &mut Checks, path: &str, q: &super::database::QueriesSpec) {
    dist(c, &format!("{path}.time"), &q.time);
    if let super::database::QueryCount::Drawn(d) = &q.count {
        dist(c, &format!("{path}.count"), d);
    }
}

fn database(c: &mut Checks, db: &super::database::Database) {
    if db.pool.maximum_pool_size == 0 {
        c.errors.push(
            SpecError::at_path(
                "database.pool.maximum_pool_size",
                "must be at least 1, got 0",
            )
            .with_hint("a pool needs at least one connection; remove `database` for no queries"),
        );
    }
    if let Some(idle) = db.pool.minimum_idle {
        if idle > db.pool.maximum_pool_size {
            c.fail(
                "database.pool.minimum_idle",
                format!(
                    "must not exceed maximum_pool_size ({}), got {idle}",
                    db.pool.maximum_pool_size
                ),
            );
        }
    }
    dist(
        c,
        "database.pool.connection_setup",
        &db.pool.connection_setup,
    );
    queries(c, "database.queries", &db.queries);
    if let Some(b) = &db.pgbouncer {
        if b.pool_mode != "transaction" && b.pool_mode != "session" {
            c.errors.push(
                SpecError::at_path(
                    "database.pgbouncer.pool_mode",
                    format!("pool_mode `{}` is not simulated", b.pool_mode),
                )
                .with_hint("use `transaction` or `session` (statement pooling is not modelled)"),
            );
        }
        if b.replicas == 0 {
            c.fail("database.pgbouncer.replicas", "must be at least 1, got 0");
        }
        if b.default_pool_size == 0 {
            c.fail(
                "database.pgbouncer.default_pool_size",
                "must be at least 1, got 0",
            );
        }
        if b.max_client_conn == 0 {
            c.fail(
                "database.pgbouncer.max_client_conn",
                "must be at least 1, got 0",
            );
        }
        if b.reserve_pool_size > b.default_pool_size {
            c.errors.push(
                SpecError::at_path(
                    "database.pgbouncer.reserve_pool_size",
                    format!(
                        "must not exceed default_pool_size ({}), got {}",
                        b.default_pool_size, b.reserve_pool_size
                    ),
                )
                .with_hint(
                    "the reserve is a small overflow for waiting clients, not a second pool",
                ),
            );
        }
    }
    if db.postgres.max_connections == 0 {
        c.fail(
            "database.postgres.max_connections",
            "must be at least 1, got 0",
        );
    }
    c.probability("database.postgres.read_fraction", db.postgres.read_fraction);
    if db.postgres.read_replicas > 200 {
        c.fail(
            "database.postgres.read_replicas",
            "at most 200 read replicas",
        );
    }
    if db.postgres.read_fraction > 0.0 && db.postgres.read_replicas == 0 {
        c.errors.push(
            SpecError::at_path(
                "database.postgres.read_fraction",
                "reads need read replicas",
            )
            .with_hint("set database.postgres.read_replicas, or read_fraction: 0"),
        );
    }
    if let Some(cores) = db.postgres.cores {
        c.positive("database.postgres.cores", cores);
    }
}

#[derive(Default)]
struct Checks {
    errors: Vec<SpecError>,
}

impl Checks {
    fn fail(&mut self, path: &str, message: impl Into<String>) {
        self.errors.push(SpecError::at_path(path, message));
    }
    fn finite(&mut self, path: &str, v: f64) {
        if !v.is_finite() {
            self.fail(path, format!("must be a finite number, got {v}"));
        }
    }
    fn non_negative(&mut self, path: &str, v: f64) {
        if !v.is_finite() || v < 0.0 {
            self.fail(path, format!("must be zero or positive, got {v}"));
        }
    }
    fn positive(&mut self, path: &str, v: f64) {
        if !v.is_finite() || v <= 0.0 {
            self.fail(path, format!("must be positive, got {v}"));
        }
    }
    fn positive_duration(&mut self, path: &str, d: Duration) {
        if !d.secs().is_finite() || d.secs() <= 0.0 {
            self.fail(path, format!("must be longer than zero, got {d}"));
        }
    }
    fn probability(&mut self, path: &str, v: f64) {
        if !(0.0..=1.0).contains(&v) {
            self.fail(path, format!("must be between 0 and 1, got {v}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::load::{load_str, VALID};
    use super::*;
    use std::path::Path;

    fn error(text: &str) -> SpecError {
        load_str(text, Path::new("v.yaml"), &[]).unwrap_err()
    }

    #[test]
    fn negative_rate_is_rejected_at_its_line_and_column() {
        let text = VALID.replace("    kind: stages\n    stages:\n      - duration: 1m\n        target: 50\n      - duration: 2m\n        target: 200\n", "    kind: constant\n    rate: -5\n");
        let e = error(&text);
        assert_eq!(e.location, "v.yaml:6:11");
        assert_eq!(
            e.message,
            "workload.arrivals.rate: must be zero or positive, got -5"
        );
    }

    #[test]
    fn uniform_min_above_max_is_rejected() {
        let e = error(&VALID.replace(
            "dist: exponential\n    mean: 20ms",
            "dist: uniform\n    min: 2s\n    max: 1s",
        ));
        assert_eq!(e.location, "v.yaml:14:10");
        assert_eq!(
            e.message,
            "service.cpu.min: min > max: min is 2s, max is 1s"
        );
        assert!(e.hint.is_some());
    }

    #[test]
    fn things_that_must_be_positive_are_checked() {
        let e = error(&VALID.replace("concurrency: 4", "concurrency: 0"));
        assert_eq!(e.message, "pods.concurrency: must be at least 1, got 0");
        assert_eq!(e.location, "v.yaml:17:16");
        let e = error(&VALID.replace("duration: 10m", "duration: 0s"));
        assert_eq!(e.message, "duration: must be longer than zero, got 0s");
        let e = error(&format!("{VALID}  cpu_limit: 250m\n"));
        assert!(
            e.message
                .starts_with("pods.cpu_limit: must be at least `cpu_request` (500m)"),
            "{e}"
        );
        assert!(e.hint.unwrap().contains("raise `cpu_limit`"));
    }

    #[test]
    fn probabilities_and_prices_are_range_checked() {
        let e = error(&format!("{VALID}outputs:\n  requests_sample: 1.5\n"));
        assert_eq!(
            e.message,
            "outputs.requests_sample: must be between 0 and 1, got 1.5"
        );
        assert_eq!(e.location, "v.yaml:20:20");
        let e = error(&format!("{VALID}cost:\n  vcpu_hour_usd: -1\n"));
        assert_eq!(
            e.message,
            "cost.vcpu_hour_usd: must be zero or positive, got -1"
        );
    }

    #[test]
    fn diurnal_amplitude_may_not_exceed_base() {
        let text = VALID.replace("    kind: stages\n    stages:\n      - duration: 1m\n        target: 50\n      - duration: 2m\n        target: 200\n", "    kind: diurnal\n    base: 100\n    amplitude: 120\n");
        let e = error(&text);
        assert_eq!(
            e.message,
            "workload.arrivals.amplitude: must not exceed `base` (100), got 120"
        );
        assert_eq!(e.location, "v.yaml:7:16");
    }

    #[test]
    fn a_valid_scenario_has_no_problems() {
        let loaded = load_str(VALID, Path::new("v.yaml"), &[]).unwrap();
        assert!(validate(&loaded.scenario).is_empty());
    }

    #[test]
    fn a_scenario_name_must_be_safe_as_a_directory_name() {
        for bad in ["", "../x", "a/b", ".hidden"] {
            let set = format!("name={bad}");
            let err = load_str(VALID, Path::new("v.yaml"), &[set]).unwrap_err();
            assert!(err.message.contains("invalid scenario name"), "{err}");
        }
        assert!(load_str(VALID, Path::new("v.yaml"), &["name=web-api_v2.1".into()]).is_ok());
    }

    #[test]
    fn a_sample_interval_that_would_give_millions_of_rows_is_refused() {
        let err =
            load_str(VALID, Path::new("v.yaml"), &["sample_interval=1ns".into()]).unwrap_err();
        assert!(err.message.contains("time-series rows"), "{err}");
        assert_eq!(err.hint.as_deref(), Some("use a longer sample_interval"));
    }
}
