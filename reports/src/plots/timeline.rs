//! The timeline of one run: four panels sharing the time axis — (a) arrival rate, (b) desired
//! replicas and ready pods with the scale decisions marked, (c) latency p50/p95/p99 per
//! interval with the SLO line, (d) errors per interval.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::panel::{legend, line_legend, panel, segments, steps};
use super::style::{self, series_color, FONT, INK};
use super::{finite_range, upper_range, Chart, DrawResult};
use crate::report::meta::SloMeta;
use crate::report::runs::{Event, TimePoint};

/// A scale decision to mark on the replicas panel.
#[derive(Clone, Debug, PartialEq)]
pub struct ScaleMark {
    /// When (s).
    pub time_s: f64,
    /// Replicas after the decision.
    pub replicas: f64,
    /// Up (true) or down.
    pub up: bool,
    /// A KEDA event (drawn as a diamond) rather than a `replicas_set`.
    pub keda: bool,
}

/// The timeline of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    /// The title.
    pub title: String,
    /// The intervals.
    pub points: Vec<TimePoint>,
    /// Desired replicas as exact steps `(time_s, replicas)` from the `replicas_set` events,
    /// when there are any (else the sampled `replicas_desired` is drawn).
    pub desired_steps: Vec<(f64, f64)>,
    /// Scale decisions (not the initial one).
    pub marks: Vec<ScaleMark>,
    /// The SLO, drawn as a dashed line on the latency panel.
    pub slo: Option<SloMeta>,
}

impl Timeline {
    /// A timeline from one run's intervals and its decision events (events.csv rows of kind
    /// `replicas_set` and `keda_*`; others are ignored).
    pub fn new(
        title: String,
        points: Vec<TimePoint>,
        events: &[Event],
        slo: Option<SloMeta>,
    ) -> Self {
        let mut desired_steps = Vec::new();
        let mut marks = Vec::new();
        for e in events {
            let d = crate::report::decisions::parse_decision(e);
            let num = |s: &Option<String>| s.as_deref().and_then(|v| v.parse::<f64>().ok());
            let (from, to) = (num(&d.from), num(&d.to));
            if e.kind == "replicas_set" {
                let Some(to) = to else { continue };
                desired_steps.push((e.time_s, to));
                if d.reason != "initial" {
                    let up = from.is_none_or(|f| to >= f);
                    marks.push(ScaleMark {
                        time_s: e.time_s,
                        replicas: to,
                        up,
                        keda: false,
                    });
                }
            } else if e.kind.starts_with("keda_scale") || e.kind == "keda_fallback" {
                if let Some(r) = to.or(from) {
                    let up = e.kind == "keda_scale_from_zero" || e.kind == "keda_scale_to_min";
                    marks.push(ScaleMark {
                        time_s: e.time_s,
                        replicas: r,
                        up,
                        keda: true,
                    });
                }
            }
        }
        Timeline {
            title,
            points,
            desired_steps,
            marks,
            slo,
        }
    }

    /// The time axis: its unit's name and seconds per unit (minutes for runs over 2 h).
    fn time_unit(&self) -> (&'static str, f64) {
        let end = finite_range(self.points.iter().map(|p| p.time_s)).map_or(0.0, |r| r.1);
        if end > 7200.0 {
            ("min", 60.0)
        } else {
            ("s", 1.0)
        }
    }
}

impl Chart for Timeline {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let area = root.titled(&self.title, (FONT, style::TITLE_PX).into_font().color(&INK))?;
        let h = area.dim_in_pixel().1 as i32;
        let cuts = [h * 20 / 100, h * 47 / 100, h * 75 / 100];
        let panels = area.split_by_breakpoints::<i32, i32, _, _>([], cuts);
        let (unit, scale) = self.time_unit();
        let x_max = finite_range(self.points.iter().map(|p| p.time_s)).map_or(1.0, |r| r.1) / scale;
        let x = 0.0..x_max.max(1e-9);
        let p = &self.points;

        // (a) arrival rate.
        let max = finite_range(p.iter().filter_map(|q| q.arrival_rate_rps)).map(|r| r.1);
        let mut c = panel(
            &panels[0],
            x.clone(),
            upper_range(max),
            "arrivals [req/s]",
            None,
        )?;
        let col = series_color("arrival rate");
        for (i, seg) in segments(p, scale, |q| q.arrival_rate_rps)
            .into_iter()
            .enumerate()
        {
            let s = c.draw_series(LineSeries::new(seg, col.stroke_width(2)))?;
            if i == 0 {
                s.label("arrival rate").legend(line_legend(col));
            }
        }
        legend(&mut c, SeriesLabelPosition::UpperLeft)?;

        // (b) desired replicas and ready pods.
        let desired: Vec<(f64, f64)> = if self.desired_steps.is_empty() {
            p.iter()
                .filter_map(|q| Some((q.time_s, q.replicas_desired?)))
                .collect()
        } else {
            self.desired_steps.clone()
        };
        let ready: Vec<(f64, f64)> = p
            .iter()
            .filter_map(|q| Some((q.time_s, q.pods_ready?)))
            .collect();
        let end = x_max * scale;
        let max = finite_range(desired.iter().chain(&ready).map(|d| d.1)).map(|r| r.1);
        let mut c = panel(
            &panels[1],
            x.clone(),
            upper_range(max.map(|m| m.max(1.0))),
            "replicas [pods]",
            None,
        )?;
        // Ready wide underneath, desired narrow on top: both stay visible where they agree.
        for (name, data, width) in [("ready", &ready, 5), ("desired", &desired, 2)] {
            let col = series_color(name);
            let pts = steps(data, end).into_iter().map(|(t, v)| (t / scale, v));
            c.draw_series(LineSeries::new(pts, col.stroke_width(width)))?
                .label(name)
                .legend(line_legend(col));
        }
        let tri = |up: bool| {
            if up {
                [(-6, 5), (6, 5), (0, -6)]
            } else {
                [(-6, -5), (6, -5), (0, 6)]
            }
        };
        let ink = series_color("scale decision");
        let scale_marks = self.marks.iter().filter(|m| !m.keda).map(|m| {
            EmptyElement::at((m.time_s / scale, m.replicas))
                + Polygon::new(tri(m.up).to_vec(), ink.filled())
        });
        c.draw_series(scale_marks)?
            .label("scale decision")
            .legend(move |(x, y)| {
                Polygon::new(
                    vec![(x + 5, y + 5), (x + 17, y + 5), (x + 11, y - 6)],
                    ink.filled(),
                )
            });
        if self.marks.iter().any(|m| m.keda) {
            let kc = series_color("KEDA");
            let diamond = |(x, y): (i32, i32)| vec![(x, y - 7), (x + 7, y), (x, y + 7), (x - 7, y)];
            let keda = self.marks.iter().filter(|m| m.keda).map(|m| {
                EmptyElement::at((m.time_s / scale, m.replicas))
                    + Polygon::new(diamond((0, 0)), kc.filled())
            });
            c.draw_series(keda)?
                .label("KEDA")
                .legend(move |(x, y)| Polygon::new(diamond((x + 11, y)), kc.filled()));
        }
        legend(&mut c, SeriesLabelPosition::UpperLeft)?;

        // (c) latency percentiles and the SLO.
        let lat = |q: &TimePoint| [q.latency_p50_ms, q.latency_p95_ms, q.latency_p99_ms];
        let mut max = finite_range(p.iter().flat_map(lat).flatten()).map(|r| r.1);
        if let Some(slo) = &self.slo {
            max = Some(max.unwrap_or(0.0).max(slo.latency_ms * 1.05));
        }
        let mut c = panel(
            &panels[2],
            x.clone(),
            upper_range(max),
            "latency [ms]",
            None,
        )?;
        for (k, name) in ["p50", "p95", "p99"].into_iter().enumerate() {
            let col = series_color(name);
            c.draw_series(std::iter::empty::<PathElement<(f64, f64)>>())?
                .label(name)
                .legend(line_legend(col));
            for seg in segments(p, scale, |q| lat(q)[k]) {
                c.draw_series(LineSeries::new(seg, col.stroke_width(2)))?;
            }
        }
        if let Some(slo) = &self.slo {
            let col = series_color("SLO");
            let y = slo.latency_ms;
            let text = format!("SLO p{} {} ms", slo.percentile, style::short_number(y));
            c.draw_series(DashedLineSeries::new(
                vec![(0.0, y), (x_max, y)],
                10,
                6,
                col.stroke_width(2),
            ))?
            .label(text.clone())
            .legend(move |(x, y)| {
                PathElement::new(
                    vec![(x, y), (x + 8, y), (x + 14, y), (x + 22, y)],
                    col.stroke_width(2),
                )
            });
            let font = (FONT, style::LABEL_PX)
                .into_font()
                .color(&col)
                .pos(Pos::new(HPos::Right, VPos::Bottom));
            c.draw_series(std::iter::once(Text::new(text, (x_max, y), font)))?;
        }
        legend(&mut c, SeriesLabelPosition::UpperLeft)?;

        // (d) errors per interval.
        let max = finite_range(p.iter().filter_map(|q| q.errors)).map(|r| r.1);
        let x_desc = format!("time [{unit}]");
        let mut c = panel(
            &panels[3],
            x,
            upper_range(max),
            "errors [req/interval]",
            Some(&x_desc),
        )?;
        let col = series_color("errors");
        let bars = p.iter().enumerate().filter_map(|(i, q)| {
            let start = if i == 0 { 0.0 } else { p[i - 1].time_s };
            let e = q.errors.filter(|e| *e > 0.0)?;
            Some(Rectangle::new(
                [(start / scale, 0.0), (q.time_s / scale, e)],
                col.filled(),
            ))
        });
        c.draw_series(bars)?
            .label("errors (rejected + timed out)")
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 22, y + 6)], col.filled()));
        legend(&mut c, SeriesLabelPosition::UpperLeft)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plots::render_svg;

    fn point(t: f64, p99: Option<f64>) -> TimePoint {
        TimePoint {
            time_s: t,
            arrival_rate_rps: Some(10.0 + t / 10.0),
            replicas_desired: Some(2.0),
            pods_ready: Some(2.0),
            latency_p50_ms: p99.map(|x| x / 4.0),
            latency_p95_ms: p99.map(|x| x / 2.0),
            latency_p99_ms: p99,
            errors: Some(if t == 30.0 { 5.0 } else { 0.0 }),
        }
    }

    fn ev(t: f64, kind: &str, detail: &str) -> Event {
        Event {
            time_s: t,
            kind: kind.into(),
            object: "x".into(),
            detail: detail.into(),
        }
    }

    fn timeline(slo: Option<SloMeta>) -> Timeline {
        let points = (1..=6)
            .map(|i| point(f64::from(i) * 10.0, (i != 3).then_some(80.0)))
            .collect();
        let events = [
            ev(0.0, "replicas_set", "0 -> 2 (initial)"),
            ev(25.0, "hpa_sync", "cpu=90% -> 3; current=2 proposal=3 prenormalized=3 stabilized=3 desired=3 reason=DesiredWithinRange"),
            ev(25.0, "replicas_set", "2 -> 3 (hpa DesiredWithinRange)"),
            ev(45.0, "replicas_set", "3 -> 1 (hpa ScaleDownStabilized)"),
        ];
        Timeline::new("gw".into(), points, &events, slo)
    }

    #[test]
    fn timeline_marks_every_scale_decision_but_the_initial_one() {
        let t = timeline(None);
        assert_eq!(t.desired_steps, [(0.0, 2.0), (25.0, 3.0), (45.0, 1.0)]);
        let marks: Vec<_> = t
            .marks
            .iter()
            .map(|m| (m.time_s, m.replicas, m.up))
            .collect();
        assert_eq!(marks, [(25.0, 3.0, true), (45.0, 1.0, false)]);
    }

    #[test]
    fn timeline_names_its_series_and_units_and_is_deterministic() {
        let svg = render_svg(&timeline(None)).unwrap();
        for s in [
            "arrival rate",
            "desired",
            "ready",
            "p50",
            "p95",
            "p99",
            "errors",
            "time [s]",
            "latency [ms]",
            "arrivals [req/s]",
            "scale decision",
        ] {
            assert!(svg.contains(s), "missing {s:?}");
        }
        assert!(!svg.contains("SLO"));
        assert_eq!(render_svg(&timeline(None)).unwrap(), svg);
    }

    #[test]
    fn timeline_the_slo_line_is_drawn_when_the_scenario_sets_one() {
        let slo = SloMeta {
            latency_ms: 500.0,
            percentile: 99,
            error_rate: None,
        };
        let svg = render_svg(&timeline(Some(slo))).unwrap();
        assert!(svg.contains("SLO p99 500 ms"));
    }
}
