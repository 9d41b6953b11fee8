//! A sweep's metric over a full grid of two swept parameters, one annotated cell per variant
//! with a colour scale.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{self, heat_color, text_on, FONT, INK};
use super::{finite_range, Chart, DrawResult};

/// One metric over a full grid of two swept parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Heatmap {
    /// The title.
    pub title: String,
    /// What the colour shows, with its unit (`p99 latency (ms)`).
    pub value_desc: String,
    /// The parameter on the x axis, and its values in order.
    pub x: (String, Vec<String>),
    /// The parameter on the y axis, and its values in order.
    pub y: (String, Vec<String>),
    /// `cells[j](i)`: the value at `y.1(j)`, `x.1(i)`.
    pub cells: Vec<Vec<Option<f64>>>,
}

/// The distinct values of a parameter: numerically sorted when every one is a number, else
/// in order of first appearance.
fn axis_values<'a>(vals: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in vals {
        if !out.iter().any(|o| o == v) {
            out.push(v.to_owned());
        }
    }
    let nums: Option<Vec<f64>> = out.iter().map(|v| v.trim().parse::<f64>().ok()).collect();
    if let Some(nums) = nums {
        let mut pairs: Vec<(f64, String)> = nums.into_iter().zip(out).collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        out = pairs.into_iter().map(|p| p.1).collect();
    }
    out
}

impl Heatmap {
    /// A heatmap when the variants (each `(parameter values, value)`; those with an empty
    /// parameter value are left out) form a full grid of the two parameters: every
    /// combination present exactly once. Otherwise `None`.
    pub fn from_grid(
        title: String,
        value_desc: String,
        params: [&str; 2],
        variants: &[(&[String], Option<f64>)],
    ) -> Option<Heatmap> {
        let rows: Vec<&(&[String], Option<f64>)> = variants
            .iter()
            .filter(|(p, _)| p.len() == 2 && p.iter().all(|v| !v.is_empty()))
            .collect();
        let xs = axis_values(rows.iter().map(|(p, _)| p[0].as_str()));
        let ys = axis_values(rows.iter().map(|(p, _)| p[1].as_str()));
        if xs.len() < 2 || ys.len() < 2 || rows.len() != xs.len() * ys.len() {
            return None;
        }
        let mut cells = vec![vec![None; xs.len()]; ys.len()];
        let mut seen = vec![vec![false; xs.len()]; ys.len()];
        for (p, v) in rows {
            let i = xs.iter().position(|x| *x == p[0])?;
            let j = ys.iter().position(|y| *y == p[1])?;
            if std::mem::replace(&mut seen[j][i], true) {
                return None;
            }
            cells[j][i] = *v;
        }
        Some(Heatmap {
            title,
            value_desc,
            x: (params[0].to_owned(), xs),
            y: (params[1].to_owned(), ys),
            cells,
        })
    }
}

impl Chart for Heatmap {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let area = root.titled(&self.title, (FONT, style::TITLE_PX).into_font().color(&INK))?;
        let w = area.dim_in_pixel().0 as i32;
        let (main, bar) = area.split_horizontally(w - 190);
        let (lo, hi) =
            finite_range(self.cells.iter().flatten().flatten().copied()).unwrap_or((0.0, 1.0));
        let span = if hi > lo { hi - lo } else { 1.0 };
        let t = |v: f64| (v - lo) / span;
        let (nx, ny) = (self.x.1.len() as i32, self.y.1.len() as i32);
        let mut c = ChartBuilder::on(&main)
            .margin(20)
            .x_label_area_size(60)
            .y_label_area_size(90)
            // Integer ranges are inclusive: 0..n-1 holds n segments.
            .build_cartesian_2d((0..nx - 1).into_segmented(), (0..ny - 1).into_segmented())?;
        let label = |names: &[String], v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) => names.get(*i as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        c.configure_mesh()
            .disable_mesh()
            .x_desc(self.x.0.as_str())
            .y_desc(self.y.0.as_str())
            .x_labels(self.x.1.len())
            .y_labels(self.y.1.len())
            .label_style((FONT, style::TICK_PX).into_font().color(&INK))
            .axis_desc_style((FONT, style::AXIS_PX).into_font().color(&INK))
            .x_label_formatter(&|v| label(&self.x.1, v))
            .y_label_formatter(&|v| label(&self.y.1, v))
            .draw()?;
        for (j, row) in self.cells.iter().enumerate() {
            for (i, cell) in row.iter().enumerate() {
                let (i, j) = (i as i32, j as i32);
                let (fill, text) = match cell {
                    Some(v) if v.is_finite() => (heat_color(t(*v)), style::short_number(*v)),
                    _ => (RGBColor(240, 240, 240), "n/a".to_owned()),
                };
                let corners = [
                    (SegmentValue::Exact(i), SegmentValue::Exact(j)),
                    (SegmentValue::Exact(i + 1), SegmentValue::Exact(j + 1)),
                ];
                c.draw_series(std::iter::once(Rectangle::new(corners, fill.filled())))?;
                let font = (FONT, style::AXIS_PX)
                    .into_font()
                    .color(&text_on(fill))
                    .pos(Pos::new(HPos::Center, VPos::Center));
                c.draw_series(std::iter::once(Text::new(
                    text,
                    (SegmentValue::CenterOf(i), SegmentValue::CenterOf(j)),
                    font,
                )))?;
            }
        }
        // White lines between the cells, as filled rectangles in pixels (the bitmap backend
        // drops thick axis-parallel lines).
        let (w, h) = c.plotting_area().dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        let ex = SegmentValue::Exact;
        let white = WHITE.filled();
        c.draw_series((1..nx).map(|i| {
            EmptyElement::at((ex(i), ex(0))) + Rectangle::new([(-1, -h), (1, 0)], white)
        }))?;
        c.draw_series(
            (1..ny).map(|j| {
                EmptyElement::at((ex(0), ex(j))) + Rectangle::new([(0, -1), (w, 1)], white)
            }),
        )?;
        // The colour scale.
        let mut b = ChartBuilder::on(&bar)
            .margin_top(20)
            .margin_bottom(80)
            .margin_right(20)
            .y_label_area_size(80)
            .build_cartesian_2d(0.0..1.0, lo..(lo + span))?;
        b.configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_desc(self.value_desc.as_str())
            .y_labels(6)
            .label_style((FONT, style::TICK_PX).into_font().color(&INK))
            .axis_desc_style((FONT, style::AXIS_PX).into_font().color(&INK))
            .y_label_formatter(&|v| style::short_number(*v))
            .draw()?;
        let steps = 64;
        b.draw_series((0..steps).map(|k| {
            let (a, z) = (
                f64::from(k) / f64::from(steps),
                f64::from(k + 1) / f64::from(steps),
            );
            Rectangle::new(
                [(0.0, lo + a * span), (1.0, lo + z * span)],
                heat_color((a + z) / 2.0).filled(),
            )
        }))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn heatmap_needs_every_combination_and_sorts_numbers_numerically() {
        let p = [
            s(&["10", "a"]),
            s(&["9", "a"]),
            s(&["10", "b"]),
            s(&["9", "b"]),
        ];
        let v: Vec<(&[String], Option<f64>)> = p
            .iter()
            .enumerate()
            .map(|(i, p)| (p.as_slice(), Some(i as f64)))
            .collect();
        let h = Heatmap::from_grid("t".into(), "v".into(), ["x", "y"], &v).unwrap();
        assert_eq!(h.x.1, ["9", "10"]);
        assert_eq!(h.y.1, ["a", "b"]);
        assert_eq!(h.cells, [[Some(1.0), Some(0.0)], [Some(3.0), Some(2.0)]]);
        assert!(Heatmap::from_grid("t".into(), "v".into(), ["x", "y"], &v[..3]).is_none());
        let dup = [v[0], v[1], v[2], v[0]];
        assert!(Heatmap::from_grid("t".into(), "v".into(), ["x", "y"], &dup).is_none());
    }
}
