//! Typed trigger metadata: each simulated scaler's parameters read from the trigger's string
//! map as KEDA's scalers read them (names, defaults, enums and the checks of each scaler's
//! `parse...Metadata` / `Validate`), plus the trigger's metric type, the name of the metric it
//! feeds the HPA (`s{index}-...`, KEDA `GenerateMetricNameWithIndex`) and its target.
//!
//! An unknown metadata key is an error naming the nearest valid key; an unknown trigger type an
//! error listing the simulated ones. Errors are [`SpecError`]s at
//! `<prefix>.spec.triggers[i].metadata.<key>` (located to `file:line:column` by the caller).

use super::spec::ScaleTrigger;
use crate::scenario::suggest::did_you_mean;
use crate::scenario::SpecError;
use chrono_tz::Tz;
use croner::parser::{CronParser, Seconds};
use croner::Cron;

/// The trigger types hpasim simulates.
pub const SIMULATED_TYPES: [&str; 6] = ["kafka", "redis", "prometheus", "cpu", "memory", "cron"];

/// How the HPA compares the trigger's metric with its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetType {
    /// Value per pod (the default for external triggers).
    AverageValue,
    /// Total value.
    Value,
    /// Percent of the pods' request (cpu/memory only).
    Utilization,
}

impl TargetType {
    /// The Kubernetes name.
    pub fn name(self) -> &'static str {
        match self {
            TargetType::AverageValue => "AverageValue",
            TargetType::Value => "Value",
            TargetType::Utilization => "Utilization",
        }
    }
}

/// `offsetResetPolicy` of the Kafka scaler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OffsetResetPolicy {
    /// A partition without a committed offset counts lag 1 (0 with scaleToZeroOnInvalidOffset).
    Latest,
    /// A partition without a committed offset counts its whole log (0 with
    /// scaleToZeroOnInvalidOffset).
    Earliest,
}

/// Kafka trigger metadata (`kafka_scaler.go` `kafkaMetadata`).
#[derive(Clone, Debug, PartialEq)]
pub struct KafkaMetadata {
    /// `bootstrapServers` (empty when given through `bootstrapServersFromEnv`).
    pub bootstrap_servers: String,
    /// `consumerGroup`.
    pub consumer_group: String,
    /// `topic`; `None` = every topic the group has offsets for.
    pub topic: Option<String>,
    /// `partitionLimitation` (ids, `1,2,5-7`); ignored without a topic, as upstream.
    pub partition_limitation: Option<Vec<i32>>,
    /// `lagThreshold` [messages], default 10, > 0.
    pub lag_threshold: i64,
    /// `activationLagThreshold` [messages], default 0, >= 0.
    pub activation_lag_threshold: i64,
    /// `offsetResetPolicy`, default latest.
    pub offset_reset_policy: OffsetResetPolicy,
    /// `allowIdleConsumers`, default false.
    pub allow_idle_consumers: bool,
    /// `excludePersistentLag`, default false.
    pub exclude_persistent_lag: bool,
    /// `scaleToZeroOnInvalidOffset`, default false.
    pub scale_to_zero_on_invalid_offset: bool,
    /// `limitToPartitionsWithLag`, default false.
    pub limit_to_partitions_with_lag: bool,
    /// `ensureEvenDistributionOfPartitions`, default false.
    pub ensure_even_distribution_of_partitions: bool,
}

/// Redis list trigger metadata (`redis_scaler.go`).
#[derive(Clone, Debug, PartialEq)]
pub struct RedisMetadata {
    /// `listName`.
    pub list_name: String,
    /// `listLength` (target per replica), default 5.
    pub list_length: i64,
    /// `activationListLength`, default 0.
    pub activation_list_length: i64,
}

/// Prometheus trigger metadata (`prometheus_scaler.go`).
#[derive(Clone, Debug, PartialEq)]
pub struct PrometheusMetadata {
    /// `serverAddress`.
    pub server_address: String,
    /// `query`.
    pub query: String,
    /// `threshold` (required), a float.
    pub threshold: f64,
    /// `activationThreshold`, default 0.
    pub activation_threshold: f64,
    /// `ignoreNullValues`, default true: an empty result reads as 0 instead of an error.
    pub ignore_null_values: bool,
}

/// cpu / memory trigger metadata (`cpu_memory_scaler.go`).
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceMetadata {
    /// `cpu` or `memory`.
    pub resource: &'static str,
    /// `value`: percent for Utilization, a quantity for AverageValue.
    pub value: String,
    /// `containerName`: a ContainerResource metric instead of Resource.
    pub container_name: Option<String>,
}

/// Cron trigger metadata (`cron_scaler.go`).
#[derive(Clone, Debug)]
pub struct CronMetadata {
    /// `timezone`, an IANA name.
    pub timezone: Tz,
    /// `timezone` as written.
    pub timezone_name: String,
    /// `start`, as written.
    pub start_text: String,
    /// `end`, as written.
    pub end_text: String,
    /// `start`, parsed (exactly 5 fields, as KEDA's parser).
    pub start: Cron,
    /// `end`, parsed.
    pub end: Cron,
    /// `desiredReplicas`.
    pub desired_replicas: i64,
}

impl PartialEq for CronMetadata {
    fn eq(&self, o: &Self) -> bool {
        self.timezone_name == o.timezone_name
            && self.start_text == o.start_text
            && self.end_text == o.end_text
            && self.desired_replicas == o.desired_replicas
    }
}

/// The typed parameters of one trigger.
#[derive(Clone, Debug, PartialEq)]
pub enum ScalerMetadata {
    /// `kafka`.
    Kafka(KafkaMetadata),
    /// `redis` (list length).
    Redis(RedisMetadata),
    /// `prometheus`.
    Prometheus(PrometheusMetadata),
    /// `cpu` or `memory`: read by the HPA from metrics-server, no KEDA scaler value.
    Resource(ResourceMetadata),
    /// `cron`.
    Cron(Box<CronMetadata>),
}

/// One trigger, compiled: what KEDA and the HPA need of it.
#[derive(Clone, Debug, PartialEq)]
pub struct TriggerConfig {
    /// Position in `spec.triggers`.
    pub index: usize,
    /// `type` as written.
    pub type_: String,
    /// `name`, if set.
    pub name: Option<String>,
    /// The typed parameters.
    pub scaler: ScalerMetadata,
    /// The metric target type.
    pub target_type: TargetType,
    /// `useCachedMetrics`.
    pub use_cached_metrics: bool,
    /// The HPA metric name: `s{i}-kafka-orders`, ...; `cpu` / `memory` for resource triggers.
    pub metric_name: String,
    /// The External target in milli-units (threshold × 1000); 0 for cpu/memory.
    pub target_milli: i64,
}

impl TriggerConfig {
    /// Whether the HPA reads this trigger from metrics-server (cpu/memory) rather than KEDA.
    pub fn is_resource(&self) -> bool {
        matches!(self.scaler, ScalerMetadata::Resource(_))
    }
}

/// KEDA `NormalizeString`: `/ . : % ( )` become `-`.
pub fn normalize(s: &str) -> String {
    s.chars()
        .map(|c| if "/.:%()".contains(c) { '-' } else { c })
        .collect()
}

/// KEDA `GenerateMetricNameWithIndex`.
pub fn metric_name_with_index(index: usize, name: &str) -> String {
    format!("s{index}-{name}")
}

/// The cron scaler's schedule text in metric names (`parseCronTimeFormat`).
fn cron_time_format(s: &str) -> String {
    s.replace(' ', "")
        .replace('*', "x")
        .replace('/', "Sl")
        .replace('?', "Qm")
}

/// Reads metadata keys of one trigger.
struct Meta<'a> {
    t: &'a ScaleTrigger,
    path: &'a str,
}

impl Meta<'_> {
    fn err(&self, key: &str, msg: impl Into<String>) -> SpecError {
        SpecError::at_path(format!("{}.metadata.{key}", self.path), msg)
    }

    /// Unknown keys: the nearest valid key. `{key}FromEnv` is accepted for every key.
    fn check_keys(&self, known: &[&str]) -> Result<(), SpecError> {
        for key in self.t.metadata.keys() {
            let base = key.strip_suffix("FromEnv").unwrap_or(key);
            if known.contains(&base) {
                continue;
            }
            let mut msg = format!(
                "unknown metadata key `{key}` for the {} scaler",
                self.t.type_
            );
            if let Some(s) = did_you_mean(key, known.iter().copied()) {
                msg = format!("{msg}, {s}");
            }
            return Err(self
                .err(key, msg)
                .with_hint(format!("valid keys: {}", known.join(", "))));
        }
        Ok(())
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.t.meta(key).map(str::trim).filter(|v| !v.is_empty())
    }

    fn given_by_env(&self, key: &str) -> bool {
        self.get(&format!("{key}FromEnv")).is_some()
    }

    /// A required string; `Ok(None)` when only `{key}FromEnv` is given.
    fn required(&self, key: &str) -> Result<Option<String>, SpecError> {
        match self.get(key) {
            Some(v) => Ok(Some(v.to_string())),
            None if self.given_by_env(key) => Ok(None),
            None => Err(SpecError::at_path(
                format!("{}.metadata", self.path),
                format!(
                    "missing required parameter `{key}` for the {} scaler",
                    self.t.type_
                ),
            )
            .with_hint(format!("add `{key}: ...` to the trigger's metadata"))),
        }
    }

    fn int(&self, key: &str, default: i64) -> Result<i64, SpecError> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v
                .parse::<i64>()
                .map_err(|_| self.err(key, format!("`{v}` is not an integer"))),
        }
    }

    fn float(&self, key: &str) -> Result<Option<f64>, SpecError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => match v.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(Some(x)),
                _ => Err(self.err(key, format!("`{v}` is not a number"))),
            },
        }
    }

    /// Go `strconv.ParseBool`.
    fn boolean(&self, key: &str, default: bool) -> Result<bool, SpecError> {
        match self.get(key) {
            None => Ok(default),
            Some("1" | "t" | "T" | "TRUE" | "true" | "True") => Ok(true),
            Some("0" | "f" | "F" | "FALSE" | "false" | "False") => Ok(false),
            Some(v) => Err(self.err(key, format!("`{v}` is not a boolean (true or false)"))),
        }
    }
}

const KAFKA_KEYS: [&str; 32] = [
    "bootstrapServers",
    "consumerGroup",
    "topic",
    "partitionLimitation",
    "lagThreshold",
    "activationLagThreshold",
    "offsetResetPolicy",
    "allowIdleConsumers",
    "excludePersistentLag",
    "scaleToZeroOnInvalidOffset",
    "limitToPartitionsWithLag",
    "ensureEvenDistributionOfPartitions",
    "version",
    "sasl",
    "username",
    "password",
    "keytab",
    "realm",
    "kerberosConfig",
    "kerberosServiceName",
    "kerberosDisableFAST",
    "saslTokenProvider",
    "scopes",
    "oauthTokenEndpointUri",
    "oauthExtensions",
    "awsRegion",
    "tls",
    "cert",
    "key",
    "keyPassword",
    "ca",
    "unsafeSsl",
];

const REDIS_KEYS: [&str; 21] = [
    "address",
    "addresses",
    "host",
    "hosts",
    "port",
    "ports",
    "username",
    "password",
    "sentinelUsername",
    "sentinelPassword",
    "sentinelMaster",
    "listName",
    "listLength",
    "activationListLength",
    "databaseIndex",
    "enableTLS",
    "unsafeSsl",
    "cert",
    "key",
    "keyPassword",
    "ca",
];

const PROMETHEUS_KEYS: [&str; 14] = [
    "serverAddress",
    "query",
    "queryParameters",
    "threshold",
    "activationThreshold",
    "namespace",
    "customHeaders",
    "ignoreNullValues",
    "unsafeSsl",
    "timeout",
    "awsRegion",
    "authModes",
    "cortexOrgID",
    "metricName",
];

const RESOURCE_KEYS: [&str; 4] = ["type", "value", "activationValue", "containerName"];

const CRON_KEYS: [&str; 4] = ["timezone", "start", "end", "desiredReplicas"];

/// Parses `partitionLimitation`: `1,2,5-7`.
fn partition_list(m: &Meta, text: &str) -> Result<Vec<i32>, SpecError> {
    let bad = |part: &str| {
        m.err(
            "partitionLimitation",
            format!("`{part}` is not a partition id or range (write e.g. `0,1,4-6`)"),
        )
    };
    let mut ids = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (i32, i32) = (
                    a.trim().parse().map_err(|_| bad(part))?,
                    b.trim().parse().map_err(|_| bad(part))?,
                );
                if a > b {
                    return Err(bad(part));
                }
                ids.extend(a..=b);
            }
            None => ids.push(part.parse().map_err(|_| bad(part))?),
        }
    }
    Ok(ids)
}

fn kafka(m: &Meta) -> Result<KafkaMetadata, SpecError> {
    m.check_keys(&KAFKA_KEYS)?;
    let bootstrap_servers = m.required("bootstrapServers")?.unwrap_or_default();
    let consumer_group = m.required("consumerGroup")?.unwrap_or_default();
    let topic = m.get("topic").map(str::to_string);
    let lag_threshold = m.int("lagThreshold", 10)?;
    let activation_lag_threshold = m.int("activationLagThreshold", 0)?;
    let offset_reset_policy = match m.get("offsetResetPolicy") {
        None | Some("latest") => OffsetResetPolicy::Latest,
        Some("earliest") => OffsetResetPolicy::Earliest,
        Some(v) => {
            return Err(m
                .err(
                    "offsetResetPolicy",
                    format!("offsetResetPolicy `{v}` must be one of latest, earliest (KEDA kafka scaler enum)"),
                )
                .with_hint("write `offsetResetPolicy: latest` (the default) or `earliest`"))
        }
    };
    let allow_idle_consumers = m.boolean("allowIdleConsumers", false)?;
    let exclude_persistent_lag = m.boolean("excludePersistentLag", false)?;
    let scale_to_zero_on_invalid_offset = m.boolean("scaleToZeroOnInvalidOffset", false)?;
    let limit_to_partitions_with_lag = m.boolean("limitToPartitionsWithLag", false)?;
    let ensure_even_distribution_of_partitions =
        m.boolean("ensureEvenDistributionOfPartitions", false)?;
    m.boolean("unsafeSsl", false)?;
    m.boolean("kerberosDisableFAST", false)?;
    // kafkaMetadata.Validate, in upstream order.
    if lag_threshold <= 0 {
        return Err(m
            .err(
                "lagThreshold",
                format!("lagThreshold must be a positive number, got {lag_threshold} (KEDA kafka scaler Validate)"),
            )
            .with_hint("the HPA target per replica must be > 0; the default is 10"));
    }
    if activation_lag_threshold < 0 {
        return Err(m.err(
            "activationLagThreshold",
            format!("activationLagThreshold must be a positive number, got {activation_lag_threshold} (KEDA kafka scaler Validate)"),
        ));
    }
    if allow_idle_consumers && limit_to_partitions_with_lag {
        return Err(m
            .err(
                "limitToPartitionsWithLag",
                "allowIdleConsumers and limitToPartitionsWithLag cannot be set simultaneously (KEDA kafka scaler Validate)",
            )
            .with_hint("keep one of the two"));
    }
    if limit_to_partitions_with_lag && ensure_even_distribution_of_partitions {
        return Err(m
            .err(
                "ensureEvenDistributionOfPartitions",
                "limitToPartitionsWithLag and ensureEvenDistributionOfPartitions cannot be set simultaneously (KEDA kafka scaler Validate)",
            )
            .with_hint("keep one of the two"));
    }
    if topic.is_none() && !m.given_by_env("topic") {
        for (flag, on) in [
            ("limitToPartitionsWithLag", limit_to_partitions_with_lag),
            (
                "ensureEvenDistributionOfPartitions",
                ensure_even_distribution_of_partitions,
            ),
        ] {
            if on {
                return Err(m
                    .err(
                        flag,
                        format!("topic must be specified when using {flag} (KEDA kafka scaler Validate)"),
                    )
                    .with_hint("add `topic: <name>` to the metadata"));
            }
        }
    }
    let partition_limitation = match (m.get("partitionLimitation"), &topic) {
        (Some(text), Some(_)) => Some(partition_list(m, text)?),
        (Some(text), None) => {
            partition_list(m, text)?;
            None
        }
        _ => None,
    };
    Ok(KafkaMetadata {
        bootstrap_servers,
        consumer_group,
        topic,
        partition_limitation,
        lag_threshold,
        activation_lag_threshold,
        offset_reset_policy,
        allow_idle_consumers,
        exclude_persistent_lag,
        scale_to_zero_on_invalid_offset,
        limit_to_partitions_with_lag,
        ensure_even_distribution_of_partitions,
    })
}

fn redis(m: &Meta) -> Result<RedisMetadata, SpecError> {
    m.check_keys(&REDIS_KEYS)?;
    let given = |k: &str| m.get(k).is_some() || m.given_by_env(k);
    // An address, or a host with a port (redis_scaler.go parseRedisAddress).
    let has_address = given("address")
        || given("addresses")
        || ((given("host") || given("hosts")) && (given("port") || given("ports")));
    if !has_address {
        return Err(SpecError::at_path(
            format!("{}.metadata", m.path),
            "no address or host given. address should be in the format of host:port or you should set the host/port values (KEDA redis scaler)",
        )
        .with_hint("add `address: redis:6379`"));
    }
    let list_name = m.required("listName")?.unwrap_or_default();
    let list_length = m.int("listLength", 5)?;
    let activation_list_length = m.int("activationListLength", 0)?;
    m.int("databaseIndex", 0)?;
    m.boolean("enableTLS", false)?;
    m.boolean("unsafeSsl", false)?;
    if list_length <= 0 {
        return Err(m
            .err(
                "listLength",
                format!("listLength must be greater than 0, got {list_length} (it is the AverageValue target per replica)"),
            )
            .with_hint("the default is 5"));
    }
    if activation_list_length < 0 {
        return Err(m.err(
            "activationListLength",
            format!("activationListLength must be 0 or more, got {activation_list_length}"),
        ));
    }
    Ok(RedisMetadata {
        list_name,
        list_length,
        activation_list_length,
    })
}

fn prometheus(m: &Meta) -> Result<PrometheusMetadata, SpecError> {
    m.check_keys(&PROMETHEUS_KEYS)?;
    let server_address = m.required("serverAddress")?.unwrap_or_default();
    let query = m.required("query")?.unwrap_or_default();
    let threshold = match m.float("threshold")? {
        Some(t) => t,
        None => {
            return Err(SpecError::at_path(
                format!("{}.metadata", m.path),
                "missing required parameter `threshold` for the prometheus scaler (KEDA prometheus scaler: no threshold given)",
            )
            .with_hint("add `threshold: \"100\"`: the query value per replica"))
        }
    };
    let activation_threshold = m.float("activationThreshold")?.unwrap_or(0.0);
    let ignore_null_values = m.boolean("ignoreNullValues", true)?;
    m.boolean("unsafeSsl", false)?;
    Ok(PrometheusMetadata {
        server_address,
        query,
        threshold,
        activation_threshold,
        ignore_null_values,
    })
}

fn resource(m: &Meta, resource: &'static str) -> Result<(ResourceMetadata, TargetType), SpecError> {
    m.check_keys(&RESOURCE_KEYS)?;
    let path = m.path;
    let written = match (m.get("type"), m.t.metric_type.as_deref()) {
        (Some(_), Some(_)) => {
            return Err(m
                .err(
                    "type",
                    "only one of trigger.metadata.type or trigger.metricType should be defined (KEDA cpu/memory scaler)",
                )
                .with_hint("remove the deprecated `metadata.type`, keep `metricType`"))
        }
        (Some(t), None) => t.to_string(),
        (None, Some(t)) => t.to_string(),
        (None, None) => {
            return Err(SpecError::at_path(
                format!("{path}.type"),
                "no type given in neither trigger.metadata.type or trigger.metricType (KEDA cpu/memory scaler)",
            )
            .with_hint("add `metricType: Utilization` (or AverageValue) to the trigger"))
        }
    };
    let target = match written.as_str() {
        "Utilization" => TargetType::Utilization,
        "AverageValue" => TargetType::AverageValue,
        other => {
            let at = if m.get("type").is_some() {
                format!("{path}.metadata.type")
            } else {
                format!("{path}.metricType")
            };
            return Err(SpecError::at_path(
                at,
                format!("unsupported metric type `{other}` for the {resource} scaler, allowed values are 'Utilization' or 'AverageValue'"),
            ));
        }
    };
    let value = m.required("value")?.unwrap_or_default();
    match target {
        TargetType::Utilization => {
            if value.parse::<i32>().map_or(true, |v| v <= 0) {
                return Err(m.err(
                    "value",
                    format!(
                        "`{value}` is not a positive integer percentage (metricType Utilization)"
                    ),
                ));
            }
        }
        _ => {
            crate::scenario::parse_quantity(&value).map_err(|e| m.err("value", e))?;
        }
    }
    Ok((
        ResourceMetadata {
            resource,
            value,
            container_name: m.get("containerName").map(str::to_string),
        },
        target,
    ))
}

/// Parses a cron schedule as KEDA's cron scaler does (robfig/cron with exactly the fields
/// minute, hour, day of month, month, day of week: no seconds, no `@daily`-style descriptors).
pub fn parse_schedule(text: &str) -> Result<Cron, String> {
    let t = text.trim();
    if t.starts_with('@') {
        return Err(format!("`{t}`: descriptors such as @daily or @every are not accepted by KEDA's 5-field cron parser; write minute hour day-of-month month day-of-week"));
    }
    if t.starts_with("TZ=") || t.starts_with("CRON_TZ=") {
        return Err(format!(
            "`{t}`: a time zone prefix is not accepted; use the trigger's `timezone`"
        ));
    }
    let fields = t.split_whitespace().count();
    if fields != 5 {
        return Err(format!(
            "`{t}`: expected exactly 5 fields (minute hour day-of-month month day-of-week), found {fields}"
        ));
    }
    CronParser::builder()
        .seconds(Seconds::Disallowed)
        .build()
        .parse(t)
        .map_err(|e| format!("`{t}`: {e}"))
}

fn cron(m: &Meta) -> Result<CronMetadata, SpecError> {
    m.check_keys(&CRON_KEYS)?;
    let missing = |key: &str| {
        SpecError::at_path(
            format!("{}.metadata", m.path),
            format!("missing required parameter `{key}` for the cron scaler"),
        )
        .with_hint("a cron trigger needs timezone, start, end and desiredReplicas")
    };
    let timezone_name = m.get("timezone").ok_or_else(|| missing("timezone"))?;
    let start_text = m.get("start").ok_or_else(|| missing("start"))?;
    let end_text = m.get("end").ok_or_else(|| missing("end"))?;
    let desired = m
        .get("desiredReplicas")
        .ok_or_else(|| missing("desiredReplicas"))?;
    let timezone: Tz = timezone_name.parse().map_err(|_| {
        m.err(
            "timezone",
            format!("unable to load timezone `{timezone_name}`"),
        )
        .with_hint(
            "use an IANA time zone name such as `Europe/Berlin`, `America/New_York` or `UTC`",
        )
    })?;
    let start = parse_schedule(start_text)
        .map_err(|e| m.err("start", format!("error parsing start schedule: {e}")))?;
    let end = parse_schedule(end_text)
        .map_err(|e| m.err("end", format!("error parsing end schedule: {e}")))?;
    if start_text == end_text {
        return Err(m.err(
            "end",
            "start and end can not have exactly same time input (KEDA cron scaler Validate)",
        ));
    }
    let desired_replicas: i64 = desired
        .parse()
        .map_err(|_| m.err("desiredReplicas", format!("`{desired}` is not an integer")))?;
    if desired_replicas == 0 {
        return Err(m.err(
            "desiredReplicas",
            "no desiredReplicas specified: 0 is rejected (KEDA cron scaler Validate)",
        ));
    }
    if desired_replicas < 0 {
        return Err(m.err(
            "desiredReplicas",
            format!("desiredReplicas must be positive, got {desired_replicas} (hpasim: a negative replica metric has no meaning)"),
        ));
    }
    Ok(CronMetadata {
        timezone,
        timezone_name: timezone_name.to_string(),
        start_text: start_text.to_string(),
        end_text: end_text.to_string(),
        start,
        end,
        desired_replicas,
    })
}

/// KEDA `GetMetricTargetType` for an external trigger.
fn external_target(t: &ScaleTrigger, path: &str) -> Result<TargetType, SpecError> {
    match t.metric_type.as_deref() {
        None | Some("") | Some("AverageValue") => Ok(TargetType::AverageValue),
        Some("Value") => Ok(TargetType::Value),
        Some("Utilization") => Err(SpecError::at_path(
            format!("{path}.metricType"),
            "'Utilization' metric type is unsupported for external metrics, allowed values are 'Value' or 'AverageValue' (KEDA GetMetricTargetType)",
        )
        .with_hint("Utilization is for cpu and memory triggers only")),
        Some(other) => Err(SpecError::at_path(
            format!("{path}.metricType"),
            format!("unknown metricType `{other}`: use AverageValue (the default) or Value"),
        )),
    }
}

/// Compiles trigger `index` of a ScaledObject; `path` is `<prefix>.spec.triggers[i]`.
pub fn compile_trigger(
    t: &ScaleTrigger,
    index: usize,
    path: &str,
) -> Result<TriggerConfig, SpecError> {
    let m = Meta { t, path };
    let (scaler, target_type, metric_name, target_milli) = match t.type_.as_str() {
        "kafka" => {
            let k = kafka(&m)?;
            let name = match &k.topic {
                Some(topic) => format!("kafka-{topic}"),
                None => format!("kafka-{}-topics", k.consumer_group),
            };
            let milli = k.lag_threshold.saturating_mul(1000);
            (
                ScalerMetadata::Kafka(k),
                external_target(t, path)?,
                metric_name_with_index(index, &normalize(&name)),
                milli,
            )
        }
        "redis" => {
            let r = redis(&m)?;
            let name = normalize(&format!("redis-{}", r.list_name));
            let milli = r.list_length.saturating_mul(1000);
            (
                ScalerMetadata::Redis(r),
                external_target(t, path)?,
                metric_name_with_index(index, &name),
                milli,
            )
        }
        "prometheus" => {
            let p = prometheus(&m)?;
            let milli = (p.threshold * 1000.0) as i64;
            (
                ScalerMetadata::Prometheus(p),
                external_target(t, path)?,
                metric_name_with_index(index, "prometheus"),
                milli,
            )
        }
        "cpu" | "memory" => {
            let res = if t.type_ == "cpu" { "cpu" } else { "memory" };
            let (r, target) = resource(&m, res)?;
            (ScalerMetadata::Resource(r), target, res.to_string(), 0)
        }
        "cron" => {
            let c = cron(&m)?;
            let name = normalize(&format!(
                "cron-{}-{}-{}",
                c.timezone_name,
                cron_time_format(&c.start_text),
                cron_time_format(&c.end_text)
            ));
            (
                ScalerMetadata::Cron(Box::new(c)),
                external_target(t, path)?,
                metric_name_with_index(index, &name),
                1000,
            )
        }
        other => {
            let mut msg = format!("trigger type `{other}` is not simulated");
            if let Some(s) = did_you_mean(other, SIMULATED_TYPES) {
                msg = format!("{msg}, {s}");
            }
            return Err(
                SpecError::at_path(format!("{path}.type"), msg).with_hint(format!(
                    "hpasim simulates these KEDA scalers: {}",
                    SIMULATED_TYPES.join(", ")
                )),
            );
        }
    };
    Ok(TriggerConfig {
        index,
        type_: t.type_.clone(),
        name: t.name.clone(),
        scaler,
        target_type,
        use_cached_metrics: t.cached(),
        metric_name,
        target_milli,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trigger(yaml: &str) -> ScaleTrigger {
        serde_saphyr::from_str(yaml).unwrap()
    }

    fn compile(yaml: &str) -> Result<TriggerConfig, SpecError> {
        compile_trigger(&trigger(yaml), 0, "so.spec.triggers[0]")
    }

    #[test]
    fn kafka_defaults_and_metric_name() {
        let c = compile("type: kafka\nmetadata: {bootstrapServers: 'b:9092', consumerGroup: g, topic: orders.v1}").unwrap();
        assert_eq!(c.metric_name, "s0-kafka-orders-v1");
        assert_eq!(c.target_milli, 10_000);
        let ScalerMetadata::Kafka(k) = c.scaler else {
            panic!()
        };
        assert_eq!(k.offset_reset_policy, OffsetResetPolicy::Latest);
        let c =
            compile("type: kafka\nmetadata: {bootstrapServers: b, consumerGroup: grp}").unwrap();
        assert_eq!(c.metric_name, "s0-kafka-grp-topics");
    }

    #[test]
    fn misspelled_key_names_the_nearest() {
        let e = compile(
            "type: kafka\nmetadata: {bootstrapServers: b, consumerGroup: g, lagTreshold: 5}",
        )
        .unwrap_err();
        assert_eq!(e.location, "so.spec.triggers[0].metadata.lagTreshold");
        assert!(e.message.contains("did you mean `lagThreshold`"), "{e}");
    }

    #[test]
    fn cron_parses_five_fields_and_names_the_metric() {
        let c = compile("type: cron\nmetadata: {timezone: Europe/Berlin, start: 0 8 * * 1-5, end: 30 17 * * 1-5, desiredReplicas: 4}").unwrap();
        assert_eq!(c.metric_name, "s0-cron-Europe-Berlin-08xx1-5-3017xx1-5");
        assert!(compile("type: cron\nmetadata: {timezone: Mars/Base, start: 0 8 * * *, end: 0 9 * * *, desiredReplicas: 1}").is_err());
        assert!(parse_schedule("0 0 8 * * *").is_err());
        assert!(parse_schedule("@daily").is_err());
    }
}
