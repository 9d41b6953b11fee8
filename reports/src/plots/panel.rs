//! The stacked panels of the timeline: one chart per panel with the shared look, step and
//! gap-aware line data, legends.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{self, FONT, GRID, INK};
use super::DrawResult;
use crate::report::runs::TimePoint;

/// Consecutive runs of present values, as line segments `(t, v)`.
pub(crate) fn segments(
    points: &[TimePoint],
    scale: f64,
    f: impl Fn(&TimePoint) -> Option<f64>,
) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut open = false;
    for p in points {
        match f(p).filter(|v| v.is_finite()) {
            Some(v) => {
                if !open {
                    out.push(Vec::new());
                    open = true;
                }
                if let Some(seg) = out.last_mut() {
                    seg.push((p.time_s / scale, v));
                }
            }
            None => open = false,
        }
    }
    out
}

/// A step line through `(t, v)` samples: each value holds until the next sample.
pub(crate) fn steps(samples: &[(f64, f64)], end: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(samples.len() * 2 + 1);
    for (i, &(t, v)) in samples.iter().enumerate() {
        if i > 0 {
            out.push((t, samples[i - 1].1));
        }
        out.push((t, v));
    }
    if let Some(&(t, v)) = samples.last() {
        if end > t {
            out.push((end, v));
        }
    }
    out
}

/// A panel's chart: time against a value.
pub(crate) type Panel<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// One panel's chart with the shared look; `bottom` carries the time axis labels.
pub(crate) fn panel<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    y_desc: &str,
    x_desc: Option<&str>,
) -> Result<Panel<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut chart = ChartBuilder::on(area)
        .margin_left(10)
        .margin_right(30)
        .margin_top(8)
        .x_label_area_size(if x_desc.is_some() { 55 } else { 8 })
        .y_label_area_size(90)
        .build_cartesian_2d(x, y)?;
    let mut mesh = chart.configure_mesh();
    mesh.light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .y_desc(y_desc)
        .y_labels(5)
        .x_labels(12)
        .label_style((FONT, style::TICK_PX).into_font().color(&INK))
        .axis_desc_style((FONT, style::AXIS_PX).into_font().color(&INK))
        .y_label_formatter(&|v| style::short_number(*v));
    match x_desc {
        Some(d) => mesh
            .x_desc(d)
            .x_label_formatter(&|v| style::short_number(*v))
            .draw()?,
        None => mesh.x_label_formatter(&|_| String::new()).draw()?,
    }
    Ok(chart)
}

/// A legend entry: a short line in `c`.
pub(crate) fn line_legend(c: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], c.stroke_width(3))
}

pub(crate) fn legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut Panel<'a, DB>,
    pos: SeriesLabelPosition,
) -> DrawResult<DB> {
    chart
        .configure_series_labels()
        .position(pos)
        .background_style(WHITE.mix(0.85))
        .border_style(style::MUTED)
        .label_font((FONT, style::LABEL_PX).into_font().color(&INK))
        .draw()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_hold_each_value_until_the_next_sample() {
        assert_eq!(
            steps(&[(0.0, 1.0), (5.0, 3.0)], 9.0),
            [(0.0, 1.0), (5.0, 1.0), (5.0, 3.0), (9.0, 3.0)]
        );
        assert!(steps(&[], 9.0).is_empty());
    }
}
