//! The scaling decision log: events.csv's `hpa_sync`, `replicas_set` and `keda_*` details
//! parsed into their parts (from, to, reason, each metric's value and proposal).

use super::runs::Event;

/// One metric of an `hpa_sync`: what the HPA saw and the replicas it proposed, or its error.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricReading {
    /// The metric's name, e.g. `cpu` or `http_requests_per_second`.
    pub name: String,
    /// The value seen, as written (`19%`, `8.308`); empty on error.
    pub value: String,
    /// The replicas proposed for this metric; empty on error.
    pub proposal: String,
    /// The error, if the metric could not be read.
    pub error: Option<String>,
}

/// One parsed decision.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// When (s).
    pub time_s: f64,
    /// The event kind.
    pub kind: String,
    /// Replicas before (`current` of a sync), when the detail says.
    pub from: Option<String>,
    /// Replicas after (`desired` of a sync, `wrote` of KEDA), when the detail says.
    pub to: Option<String>,
    /// The reason (`DesiredWithinRange`, `hpa ScaleUpStabilized`, `initial`, ...).
    pub reason: String,
    /// The metrics of an `hpa_sync`.
    pub metrics: Vec<MetricReading>,
    /// What else the detail says (`proposal=3 stabilized=3`, KEDA's `active=true`, errors).
    pub rest: String,
}

/// Parses one decision event's detail (see the module doc); unknown formats keep the detail
/// as [`Decision::rest`].
pub fn parse_decision(e: &Event) -> Decision {
    let mut d = Decision {
        time_s: e.time_s,
        kind: e.kind.clone(),
        from: None,
        to: None,
        reason: String::new(),
        metrics: Vec::new(),
        rest: String::new(),
    };
    match e.kind.as_str() {
        "replicas_set" => parse_replicas_set(&e.detail, &mut d),
        "hpa_sync" => parse_hpa_sync(&e.detail, &mut d),
        _ => parse_fields(&e.detail, "current", "wrote", &mut d),
    }
    d
}

/// `3 -> 4 (hpa DesiredWithinRange)`.
fn parse_replicas_set(detail: &str, d: &mut Decision) {
    let (head, reason) = match detail.split_once(" (") {
        Some((h, r)) => (h, r.strip_suffix(')').unwrap_or(r)),
        None => (detail, ""),
    };
    match head.split_once(" -> ") {
        Some((a, b)) => {
            d.from = Some(a.trim().to_owned());
            d.to = Some(b.trim().to_owned());
            d.reason = reason.to_owned();
        }
        None => d.rest = detail.to_owned(),
    }
}

/// `cpu=19% -> 1; memory: error: no data; current=3 proposal=3 ... desired=3 reason=X`.
fn parse_hpa_sync(detail: &str, d: &mut Decision) {
    let mut tail = "";
    for part in detail.split("; ") {
        if part.starts_with("current=") {
            tail = part;
            break;
        }
        if let Some((name, err)) = part.split_once(": error: ") {
            d.metrics.push(MetricReading {
                name: name.to_owned(),
                value: String::new(),
                proposal: String::new(),
                error: Some(err.to_owned()),
            });
        } else if let Some((seen, proposal)) = part.rsplit_once(" -> ") {
            let (name, value) = seen.rsplit_once('=').unwrap_or((seen, ""));
            d.metrics.push(MetricReading {
                name: name.to_owned(),
                value: value.to_owned(),
                proposal: proposal.to_owned(),
                error: None,
            });
        } else if let Some(MetricReading {
            error: Some(err), ..
        }) = d.metrics.last_mut()
        {
            // An error message that itself contained "; ".
            err.push_str("; ");
            err.push_str(part);
        } else {
            push_rest(&mut d.rest, part);
        }
    }
    parse_fields(tail, "current", "desired", d);
}

/// `key=value` words up to `reason=`: `from_key` and `to_key` become from/to, the others go
/// to `rest`. The reason runs to the end, or to KEDA's `; trigger N: error` list (which goes
/// to `rest`): KEDA's reasons contain spaces, `=` and `;`.
fn parse_fields(text: &str, from_key: &str, to_key: &str, d: &mut Decision) {
    let (fields, reason) = match text.split_once("reason=") {
        Some((f, r)) => (f, r),
        None => (text, ""),
    };
    for w in fields.split_whitespace() {
        match w.split_once('=') {
            Some((k, v)) if k == from_key => d.from = Some(v.to_owned()),
            Some((k, v)) if k == to_key => d.to = Some(v.to_owned()),
            _ => push_rest(&mut d.rest, w),
        }
    }
    let (reason, errors) = match reason.split_once("; trigger ") {
        Some((r, e)) => (r, Some(e)),
        None => (reason, None),
    };
    d.reason = reason.trim().to_owned();
    if let Some(e) = errors {
        push_rest(&mut d.rest, &format!("trigger {e}"));
    }
}

fn push_rest(rest: &mut String, s: &str) {
    if s.is_empty() {
        return;
    }
    if !rest.is_empty() {
        rest.push(' ');
    }
    rest.push_str(s);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(kind: &str, detail: &str) -> Event {
        Event {
            time_s: 15.0,
            kind: kind.to_owned(),
            object: "hpa/api".to_owned(),
            detail: detail.to_owned(),
        }
    }

    #[test]
    fn hpa_sync_detail_gives_each_metric_value_and_proposal_and_the_decision() {
        let d = parse_decision(&ev(
            "hpa_sync",
            "cpu=19% -> 1; memory=58% -> 3; http_requests_per_second=8.308 -> 1; current=3 \
             proposal=3 prenormalized=3 stabilized=3 desired=4 reason=DesiredWithinRange",
        ));
        assert_eq!(d.from.as_deref(), Some("3"));
        assert_eq!(d.to.as_deref(), Some("4"));
        assert_eq!(d.reason, "DesiredWithinRange");
        assert_eq!(d.rest, "proposal=3 prenormalized=3 stabilized=3");
        let m: Vec<_> = d
            .metrics
            .iter()
            .map(|m| (m.name.as_str(), m.value.as_str(), m.proposal.as_str()))
            .collect();
        assert_eq!(
            m,
            [
                ("cpu", "19%", "1"),
                ("memory", "58%", "3"),
                ("http_requests_per_second", "8.308", "1")
            ]
        );
    }

    #[test]
    fn hpa_sync_detail_keeps_a_metric_error_even_when_it_contains_a_separator() {
        let d = parse_decision(&ev(
            "hpa_sync",
            "cpu: error: no metrics; pods not ready; current=2 proposal=- prenormalized=- \
             stabilized=- desired=2 reason=InvalidMetrics",
        ));
        assert_eq!(d.metrics.len(), 1);
        assert_eq!(
            d.metrics[0].error.as_deref(),
            Some("no metrics; pods not ready")
        );
        assert_eq!(d.reason, "InvalidMetrics");
        assert_eq!((d.from.as_deref(), d.to.as_deref()), (Some("2"), Some("2")));
    }

    #[test]
    fn replicas_set_detail_gives_from_to_and_reason() {
        let d = parse_decision(&ev("replicas_set", "3 -> 4 (hpa DesiredWithinRange)"));
        assert_eq!((d.from.as_deref(), d.to.as_deref()), (Some("3"), Some("4")));
        assert_eq!(d.reason, "hpa DesiredWithinRange");
        let d = parse_decision(&ev("replicas_set", "0 -> 3 (initial)"));
        assert_eq!(d.reason, "initial");
        let d = parse_decision(&ev("replicas_set", "something else"));
        assert_eq!((d.from, d.rest.as_str()), (None, "something else"));
    }

    #[test]
    fn keda_detail_gives_current_written_reason_and_trigger_errors() {
        let d = parse_decision(&ev(
            "keda_scale_from_zero",
            "active=true current=0 wrote=1 reason=active at 0 replicas: scale from 0 to 1 \
             (minReplicaCount if > 0, else 1); lastActiveTime = now; trigger 0: timeout",
        ));
        assert_eq!((d.from.as_deref(), d.to.as_deref()), (Some("0"), Some("1")));
        assert_eq!(
            d.reason,
            "active at 0 replicas: scale from 0 to 1 (minReplicaCount if > 0, else 1); \
             lastActiveTime = now"
        );
        assert_eq!(d.rest, "active=true trigger 0: timeout");
    }
}
