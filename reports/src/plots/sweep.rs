//! A sweep's trade-off: cost against p99 latency per variant with the Pareto front, and
//! heatmaps when two swept parameters form a full grid.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{self, series_color, variant_color, FONT, GRID, INK, MUTED};
use super::{finite_range, Chart, DrawResult};

pub use super::heatmap::Heatmap;

/// The indices of the points no other point dominates, minimising both coordinates, sorted by
/// x (then y, then index). A point dominates another when it is no worse in both coordinates
/// and better in one; exact duplicates on the front are all kept. Points with a NaN or
/// infinite coordinate are never on the front.
pub fn pareto_front(points: &[(f64, f64)]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..points.len())
        .filter(|&i| points[i].0.is_finite() && points[i].1.is_finite())
        .collect();
    order.sort_by(|&a, &b| {
        let (pa, pb) = (points[a], points[b]);
        pa.0.total_cmp(&pb.0)
            .then(pa.1.total_cmp(&pb.1))
            .then(a.cmp(&b))
    });
    let mut front: Vec<usize> = Vec::new();
    for i in order {
        let (x, y) = points[i];
        let keep = match front.last() {
            None => true,
            Some(&j) => y < points[j].1 || (y == points[j].1 && x == points[j].0),
        };
        if keep {
            front.push(i);
        }
    }
    front
}

/// One variant on the Pareto chart (means over its replications).
#[derive(Clone, Debug, PartialEq)]
pub struct ParetoPoint {
    /// The variant's name.
    pub name: String,
    /// Its position in summary.csv (for its colour).
    pub index: usize,
    /// Mean cost (USD).
    pub cost_usd: f64,
    /// Mean p99 latency (ms).
    pub latency_p99_ms: f64,
}

/// Cost against p99 latency, one point per variant, the Pareto front highlighted.
#[derive(Clone, Debug, PartialEq)]
pub struct Pareto {
    /// The title.
    pub title: String,
    /// The variants (points with a missing value are left out by the caller).
    pub points: Vec<ParetoPoint>,
}

impl Pareto {
    /// The indices (into [`points`](Self::points)) of the front, by cost.
    pub fn front(&self) -> Vec<usize> {
        let xy: Vec<(f64, f64)> = self
            .points
            .iter()
            .map(|p| (p.cost_usd, p.latency_p99_ms))
            .collect();
        pareto_front(&xy)
    }

    /// The points whose name is drawn: all of them up to [`LABEL_ALL_MAX`] variants, else the
    /// front only.
    pub fn labelled(&self) -> Vec<usize> {
        match self.points.len() <= LABEL_ALL_MAX {
            true => (0..self.points.len()).collect(),
            false => self.front(),
        }
    }
}

/// Up to this many variants, every point of the Pareto chart is labelled.
pub const LABEL_ALL_MAX: usize = 30;

/// `lo..hi` padded by `pad` of its width on each side (and widened when empty).
fn padded((lo, hi): (f64, f64), pad: f64) -> std::ops::Range<f64> {
    let w = if hi > lo {
        hi - lo
    } else {
        lo.abs().max(1.0) * 0.1
    };
    (lo - w * pad)..(hi + w * pad)
}

impl Chart for Pareto {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let xr = finite_range(self.points.iter().map(|p| p.cost_usd)).unwrap_or((0.0, 1.0));
        let yr = finite_range(self.points.iter().map(|p| p.latency_p99_ms)).unwrap_or((0.0, 1.0));
        let mut c = ChartBuilder::on(root)
            .caption(&self.title, (FONT, style::TITLE_PX).into_font().color(&INK))
            .margin(20)
            .x_label_area_size(60)
            .y_label_area_size(90)
            .build_cartesian_2d(padded(xr, 0.08), padded(yr, 0.08))?;
        c.configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .x_desc("cost [USD] (mean over replications)")
            .y_desc("p99 latency [ms] (mean over replications)")
            .label_style((FONT, style::TICK_PX).into_font().color(&INK))
            .axis_desc_style((FONT, style::AXIS_PX).into_font().color(&INK))
            .x_label_formatter(&|v| style::short_number(*v))
            .y_label_formatter(&|v| style::short_number(*v))
            .draw()?;
        let front = self.front();
        let on_front = |i: usize| front.contains(&i);
        let xy = |p: &ParetoPoint| (p.cost_usd, p.latency_p99_ms);
        c.draw_series(
            self.points
                .iter()
                .enumerate()
                .filter(|(i, _)| !on_front(*i))
                // A grey ring (red on the front) around a dot in the variant's colour.
                .map(|(_, p)| {
                    EmptyElement::at(xy(p))
                        + Circle::new((0, 0), 7, MUTED.stroke_width(2))
                        + Circle::new((0, 0), 4, variant_color(p.index).filled())
                }),
        )?
        .label("variant")
        .legend(|(x, y)| Circle::new((x + 11, y), 7, MUTED.stroke_width(2)));
        let red = series_color("Pareto front");
        c.draw_series(LineSeries::new(
            front.iter().map(|&i| xy(&self.points[i])),
            red.stroke_width(2),
        ))?;
        c.draw_series(front.iter().map(|&i| {
            let p = &self.points[i];
            EmptyElement::at(xy(p))
                + Circle::new((0, 0), 8, red.filled())
                + Circle::new((0, 0), 4, variant_color(p.index).filled())
        }))?
        .label("Pareto front (lower cost and latency)")
        .legend(move |(x, y)| Circle::new((x + 11, y), 7, red.filled()));
        let font = (FONT, style::LABEL_PX)
            .into_font()
            .color(&INK)
            .pos(Pos::new(HPos::Left, VPos::Bottom));
        c.draw_series(self.labelled().into_iter().map(|i| {
            let p = &self.points[i];
            EmptyElement::at(xy(p)) + Text::new(p.name.clone(), (9, -6), font.clone())
        }))?;
        c.configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(MUTED)
            .label_font((FONT, style::LABEL_PX).into_font().color(&INK))
            .draw()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pareto_front_keeps_the_undominated_points_sorted_by_x() {
        let pts = [(3.0, 1.0), (1.0, 5.0), (2.0, 2.0), (2.5, 4.0), (4.0, 0.5)];
        assert_eq!(pareto_front(&pts), [1, 2, 0, 4]);
    }

    #[test]
    fn pareto_front_drops_ties_that_are_worse_in_the_other_coordinate() {
        // Same x, larger y: dominated. Same y, larger x: dominated.
        assert_eq!(pareto_front(&[(1.0, 3.0), (1.0, 2.0), (2.0, 2.0)]), [1]);
    }

    #[test]
    fn pareto_front_keeps_exact_duplicates() {
        assert_eq!(
            pareto_front(&[(2.0, 1.0), (1.0, 2.0), (1.0, 2.0)]),
            [1, 2, 0]
        );
    }

    #[test]
    fn pareto_front_of_one_point_is_that_point_and_of_none_is_empty() {
        assert_eq!(pareto_front(&[(5.0, 5.0)]), [0]);
        assert!(pareto_front(&[]).is_empty());
    }

    #[test]
    fn pareto_front_skips_points_with_missing_values() {
        assert_eq!(
            pareto_front(&[(f64::NAN, 0.0), (1.0, 1.0), (0.5, f64::INFINITY)]),
            [1]
        );
    }

    fn pareto(n: usize) -> Pareto {
        let points = (0..n)
            .map(|i| ParetoPoint {
                name: format!("v{i:04}"),
                index: i,
                cost_usd: i as f64,
                // Variants 0..3 trade cost for latency; the rest are worse than variant 2.
                latency_p99_ms: if i < 3 { 10.0 - i as f64 } else { 20.0 },
            })
            .collect();
        Pareto {
            title: "t".into(),
            points,
        }
    }

    #[test]
    fn pareto_chart_labels_every_point_up_to_30_variants_then_the_front_only() {
        assert_eq!(pareto(30).labelled().len(), 30);
        assert_eq!(pareto(31).labelled(), [0, 1, 2]);
        let svg = crate::plots::render_svg(&pareto(31)).unwrap();
        assert!(
            svg.contains(">\nv0002\n<") && !svg.contains("v0030"),
            "{svg}"
        );
    }
}
