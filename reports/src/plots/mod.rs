//! Plots of an output directory, drawn with plotters into SVG (text, for the HTML report) and
//! PNG (pixels, with the DejaVu Sans font compiled in: no system font is needed).
//!
//! Each plot is a [`Chart`]: plain data plus one `draw` function generic over the backend, so
//! the SVG and the PNG show the same thing. Drawing is deterministic: the same data gives the
//! same SVG bytes and the same PNG bytes.
//!
//! * [`timeline::Timeline`]: one run over time (arrivals, replicas, latency, errors).
//! * [`sweep::Pareto`], [`Heatmap`]: a sweep's cost/latency trade-off.
//! * [`cdf::CdfChart`]: latency distributions.

use plotters::coord::Shift;
use plotters::prelude::*;

pub mod cdf;
mod heatmap;
mod panel;
pub mod style;
pub mod sweep;
pub mod timeline;

pub use heatmap::Heatmap;
pub use sweep::pareto_front;

/// What a drawing function returns (the backend's error type).
pub type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A plot: data that knows how to draw itself on any plotters backend.
pub trait Chart {
    /// The image size (px).
    fn size(&self) -> (u32, u32) {
        style::SIZE
    }

    /// Draws the plot on `root` (white background already filled).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB>;
}

/// Draws `chart` as an SVG document.
pub fn render_svg<C: Chart>(chart: &C) -> Result<String, String> {
    style::register_fonts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, chart.size()).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        chart.draw(&root).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// Draws `chart` as a PNG image (8-bit RGB).
pub fn render_png<C: Chart>(chart: &C) -> Result<Vec<u8>, String> {
    style::register_fonts();
    let (w, h) = chart.size();
    let mut pixels = vec![0u8; w as usize * h as usize * 3];
    {
        let backend = BitMapBackend::<plotters::backend::RGBPixel>::with_buffer_and_format(
            &mut pixels,
            (w, h),
        )
        .map_err(|e| e.to_string())?;
        let root = backend.into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        chart.draw(&root).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    let mut png = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(|e| e.to_string())?;
        writer
            .write_image_data(&pixels)
            .map_err(|e| e.to_string())?;
        writer.finish().map_err(|e| e.to_string())?;
    }
    Ok(png)
}

/// The finite values of `xs`, their minimum and maximum (`None` when there are none).
pub(crate) fn finite_range(xs: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    xs.into_iter()
        .filter(|x| x.is_finite())
        .fold(None, |acc, x| match acc {
            None => Some((x, x)),
            Some((lo, hi)) => Some((lo.min(x), hi.max(x))),
        })
}

/// An axis range from 0 (or the data's minimum when negative) to a little above the maximum.
pub(crate) fn upper_range(max: Option<f64>) -> std::ops::Range<f64> {
    let hi = max.filter(|m| *m > 0.0).unwrap_or(1.0);
    0.0..hi * 1.1
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Box1;
    impl Chart for Box1 {
        fn size(&self) -> (u32, u32) {
            (120, 80)
        }
        fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
            root.draw(&Text::new("p99", (10, 10), (style::FONT, 15)))
        }
    }

    #[test]
    fn a_chart_renders_to_svg_text_and_to_a_png_image() {
        let svg = render_svg(&Box1).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("p99"), "{svg}");
        let png = render_png(&Box1).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        assert_eq!(render_png(&Box1).unwrap(), png, "deterministic");
    }
}
