//! Object and External metrics: the interface that later components (queues, pools, …) feed
//! and the HPA reads.
//!
//! ```text
//!  component (setup) ──register(name, kind)──▶ MetricId
//!  component (any time) ──publish(id, &[values], timestamp)──▶ ExternalMetrics
//!  HPA sync ──object(id) / external(id)──▶ {value(s) [milli-units], timestamp}
//! ```
//!
//! A registry of named metrics, each with its latest published value(s). It does no timing of
//! its own: a value stays until replaced or [`ExternalMetrics::retract`]ed, as a metrics
//! adapter keeps answering with what its backend last reported.
//!
//! As the HPA's metrics client reads them (`GetObjectMetric`, `GetExternalMetric`):
//!
//! * **Object**: one value and its timestamp.
//! * **External**: one value per matching series; the HPA sums them (after converting each to
//!   milli-units). No series published (an empty list) is an error for the HPA ("no metrics
//!   returned from external metrics API"), here `None`. The timestamp is the metric's.
//!
//! Values are converted to milli-units as the adapters that serve them do
//! (prometheus-adapter, KEDA: `NewMilliQuantity(int64(v*1000))`, truncating toward zero; see
//! [`crate::metrics::prometheus::adapter_milli`]); the HPA's `MilliValue()` of that is exact.
//! Object and External metrics live in separate name spaces.

use super::prometheus::adapter_milli;
use hpasim_sim::SimTime;

/// Which API a metric is served by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MetricKind {
    /// `custom.metrics.k8s.io`, describing one object (HPA `type: Object`).
    Object,
    /// `external.metrics.k8s.io` (HPA `type: External`), possibly several series.
    External,
}

/// Index of a registered metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MetricId(pub u32);

/// An Object metric as the HPA reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObjectReading {
    /// Value [milli-units].
    pub milli: i64,
    /// When it was published [ns].
    pub timestamp: SimTime,
}

/// An External metric as the HPA uses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExternalReading {
    /// Sum over the series of each series' value in milli-units [milli-units].
    pub sum_milli: i64,
    /// Number of series (≥ 1).
    pub series: usize,
    /// When it was published [ns].
    pub timestamp: SimTime,
}

#[derive(Clone, Debug)]
struct Entry {
    name: String,
    kind: MetricKind,
    /// Latest values [metric units]; reused across publishes.
    values: Vec<f64>,
    timestamp: SimTime,
    present: bool,
}

/// The registry of Object and External metrics.
#[derive(Clone, Debug, Default)]
pub struct ExternalMetrics {
    entries: Vec<Entry>,
}

impl ExternalMetrics {
    /// An empty registry.
    pub fn new() -> Self {
        ExternalMetrics::default()
    }

    /// Registers (or finds) the metric `name` of `kind`; it has no value until published.
    pub fn register(&mut self, name: &str, kind: MetricKind) -> MetricId {
        if let Some(id) = self.id(name, kind) {
            return id;
        }
        self.entries.push(Entry {
            name: name.to_owned(),
            kind,
            values: Vec::new(),
            timestamp: SimTime::ZERO,
            present: false,
        });
        MetricId((self.entries.len() - 1) as u32)
    }

    /// The metric `name` of `kind`, if registered.
    pub fn id(&self, name: &str, kind: MetricKind) -> Option<MetricId> {
        let i = self
            .entries
            .iter()
            .position(|e| e.kind == kind && e.name == name)?;
        Some(MetricId(i as u32))
    }

    /// Its name.
    pub fn name(&self, id: MetricId) -> &str {
        &self.entries[id.0 as usize].name
    }

    /// Its kind.
    pub fn kind(&self, id: MetricId) -> MetricKind {
        self.entries[id.0 as usize].kind
    }

    /// Publishes the metric's value(s) [metric units] as of `timestamp`, replacing the previous
    /// ones. An Object metric takes exactly one value (panics otherwise); an External metric any
    /// number (none = "no series", which the HPA treats as an error). Does not allocate once
    /// the buffer has grown to the number of series.
    pub fn publish(&mut self, id: MetricId, values: &[f64], timestamp: SimTime) {
        let e = &mut self.entries[id.0 as usize];
        assert!(
            e.kind == MetricKind::External || values.len() == 1,
            "Object metric {} takes exactly one value, got {}",
            e.name,
            values.len()
        );
        e.values.clear();
        e.values.extend_from_slice(values);
        e.timestamp = timestamp;
        e.present = true;
    }

    /// Publishes a single value (an Object metric, or an External metric with one series).
    pub fn publish_one(&mut self, id: MetricId, value: f64, timestamp: SimTime) {
        self.publish(id, &[value], timestamp);
    }

    /// Withdraws the metric's value: the HPA finds no metric.
    pub fn retract(&mut self, id: MetricId) {
        let e = &mut self.entries[id.0 as usize];
        e.present = false;
        e.values.clear();
    }

    /// The raw published values [metric units] and their timestamp, if any.
    pub fn values(&self, id: MetricId) -> Option<(&[f64], SimTime)> {
        let e = &self.entries[id.0 as usize];
        e.present.then_some((e.values.as_slice(), e.timestamp))
    }

    /// An Object metric as the HPA reads it; `None` if unpublished (or `id` is External).
    pub fn object(&self, id: MetricId) -> Option<ObjectReading> {
        let e = &self.entries[id.0 as usize];
        if e.kind != MetricKind::Object || !e.present {
            return None;
        }
        Some(ObjectReading {
            milli: adapter_milli(*e.values.first()?),
            timestamp: e.timestamp,
        })
    }

    /// An External metric as the HPA uses it (the sum over series of milli-values); `None` if
    /// unpublished, published with no series, or `id` is Object.
    pub fn external(&self, id: MetricId) -> Option<ExternalReading> {
        let e = &self.entries[id.0 as usize];
        if e.kind != MetricKind::External || !e.present || e.values.is_empty() {
            return None;
        }
        let sum_milli = e
            .values
            .iter()
            .fold(0i64, |sum, &v| sum.saturating_add(adapter_milli(v)));
        Some(ExternalReading {
            sum_milli,
            series: e.values.len(),
            timestamp: e.timestamp,
        })
    }

    /// [`ExternalMetrics::object`] by name.
    pub fn object_by_name(&self, name: &str) -> Option<ObjectReading> {
        self.object(self.id(name, MetricKind::Object)?)
    }

    /// [`ExternalMetrics::external`] by name.
    pub fn external_by_name(&self, name: &str) -> Option<ExternalReading> {
        self.external(self.id(name, MetricKind::External)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hpasim_sim::SimDuration;

    fn s(secs: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_secs(secs)
    }

    #[test]
    fn external_metrics_sum_their_series_in_milli_units() {
        let mut reg = ExternalMetrics::new();
        let q = reg.register("queue_length", MetricKind::External);
        assert_eq!(reg.external(q), None);
        reg.publish(q, &[3.0, 5.0, 0.0015], s(30));
        assert_eq!(
            reg.external_by_name("queue_length"),
            Some(ExternalReading {
                sum_milli: 8001,
                series: 3,
                timestamp: s(30)
            })
        );
        assert_eq!(reg.values(q), Some((&[3.0, 5.0, 0.0015][..], s(30))));
        // No series is the HPA's "no metrics returned" error.
        reg.publish(q, &[], s(45));
        assert_eq!(reg.external(q), None);
        reg.publish_one(q, 2.0, s(60));
        assert_eq!(reg.external(q).unwrap().sum_milli, 2000);
        reg.retract(q);
        assert_eq!(reg.external(q), None);
        assert_eq!(reg.values(q), None);
    }

    #[test]
    fn object_metrics_are_one_value_in_their_own_name_space() {
        let mut reg = ExternalMetrics::new();
        let o = reg.register("qps", MetricKind::Object);
        let e = reg.register("qps", MetricKind::External);
        assert_ne!(o, e);
        assert_eq!(reg.register("qps", MetricKind::Object), o);
        assert_eq!((reg.name(o), reg.kind(o)), ("qps", MetricKind::Object));
        reg.publish_one(o, 20.1666, s(15));
        assert_eq!(
            reg.object_by_name("qps"),
            Some(ObjectReading {
                milli: 20166,
                timestamp: s(15)
            })
        );
        assert_eq!(reg.external(o), None);
        assert_eq!(reg.object(e), None);
        assert_eq!(reg.object_by_name("missing"), None);
    }

    #[test]
    #[should_panic(expected = "exactly one value")]
    fn an_object_metric_rejects_several_values() {
        let mut reg = ExternalMetrics::new();
        let o = reg.register("qps", MetricKind::Object);
        reg.publish(o, &[1.0, 2.0], s(0));
    }
}
