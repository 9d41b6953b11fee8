//! Latency distributions: one cumulative distribution per variant, latency on a log axis.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{self, variant_color, FONT, GRID, INK, MUTED};
use super::{finite_range, Chart, DrawResult};

/// At most this many variants on one chart.
pub const MAX_SERIES: usize = 10;

/// One variant's distribution.
#[derive(Clone, Debug, PartialEq)]
pub struct CdfSeries {
    /// The variant's name (the legend entry).
    pub name: String,
    /// Its position in summary.csv (for its colour).
    pub index: usize,
    /// `(quantile, latency_ms)`, quantile ascending.
    pub points: Vec<(f64, f64)>,
}

/// Latency CDFs of several variants.
#[derive(Clone, Debug, PartialEq)]
pub struct CdfChart {
    /// The title.
    pub title: String,
    /// The variants (at most [`MAX_SERIES`] are drawn).
    pub series: Vec<CdfSeries>,
}

impl Chart for CdfChart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let shown = &self.series[..self.series.len().min(MAX_SERIES)];
        // `(latency_ms, quantile)` to draw; a log axis: only positive latencies.
        let positive = |s: &CdfSeries| {
            s.points
                .iter()
                .filter(|p| p.1 > 0.0 && p.1.is_finite())
                .map(|&(q, l)| (l, q))
                .collect::<Vec<_>>()
        };
        let (lo, hi) = finite_range(
            shown
                .iter()
                .flat_map(|s| positive(s).into_iter().map(|p| p.0)),
        )
        .unwrap_or((1.0, 10.0));
        let (lo, hi) = if hi > lo {
            (lo / 1.2, hi * 1.2)
        } else {
            (lo / 2.0, lo * 2.0)
        };
        let mut c = ChartBuilder::on(root)
            .caption(&self.title, (FONT, style::TITLE_PX).into_font().color(&INK))
            .margin(20)
            .x_label_area_size(60)
            .y_label_area_size(80)
            .build_cartesian_2d((lo..hi).log_scale(), 0.0..1.0)?;
        c.configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .x_desc("latency [ms] (log scale)")
            .y_desc("quantile (fraction of requests ≤ latency)")
            .label_style((FONT, style::TICK_PX).into_font().color(&INK))
            .axis_desc_style((FONT, style::AXIS_PX).into_font().color(&INK))
            .x_label_formatter(&|v| style::short_number(*v))
            .y_label_formatter(&|v| style::short_number(*v))
            .draw()?;
        for s in shown {
            let col = variant_color(s.index);
            c.draw_series(LineSeries::new(positive(s), col.stroke_width(2)))?
                .label(s.name.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 22, y)], col.stroke_width(3))
                });
        }
        c.configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(MUTED)
            .label_font((FONT, style::LABEL_PX).into_font().color(&INK))
            .draw()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plots::render_svg;

    #[test]
    fn cdf_draws_one_line_per_variant_up_to_ten() {
        let series: Vec<CdfSeries> = (0..12)
            .map(|i| CdfSeries {
                name: format!("v{i:04}"),
                index: i,
                points: vec![(0.0, 0.0), (0.5, 10.0 + i as f64), (1.0, 300.0)],
            })
            .collect();
        let svg = render_svg(&CdfChart {
            title: "latency".into(),
            series,
        })
        .unwrap();
        assert!(svg.contains("v0000") && svg.contains("v0009"));
        assert!(!svg.contains("v0010"), "at most ten variants");
        assert!(svg.contains("latency [ms]"));
        // Each variant's line is drawn (3 points, the zero latency left out of the log axis).
        let lines = svg
            .lines()
            .filter(|l| l.starts_with("<polyline") && l.contains("stroke-width=\"2\""))
            .count();
        assert_eq!(lines, 10);
    }

    #[test]
    fn cdf_puts_latency_on_x_and_the_quantile_on_y() {
        let series = vec![CdfSeries {
            name: "base".into(),
            index: 0,
            points: vec![(0.0, 0.0), (0.5, 10.0), (1.0, 1000.0)],
        }];
        let svg = render_svg(&CdfChart {
            title: "t".into(),
            series,
        })
        .unwrap();
        let line = svg
            .lines()
            .find(|l| l.starts_with("<polyline") && l.contains("stroke-width=\"2\""))
            .expect("the line");
        let pts: Vec<(i32, i32)> = line
            .split("points=\"")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .filter_map(|p| p.split_once(','))
            .map(|(x, y)| (x.parse().unwrap(), y.trim_end_matches('"').parse().unwrap()))
            .collect();
        assert_eq!(pts.len(), 2);
        assert!(
            pts[1].0 > pts[0].0 && pts[1].1 < pts[0].1,
            "up and to the right: {pts:?}"
        );
    }
}
