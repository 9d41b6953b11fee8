//! One look for every plot: the font, its sizes, and one colour per series name everywhere
//! (`p99` is the same red on the timeline and in the report; a variant keeps its colour from
//! the Pareto chart to the CDF chart).

use plotters::style::{FontStyle, RGBColor};

/// The font family every plot uses (registered from the `dejavu` crate's bytes).
pub const FONT: &str = "sans-serif";

/// Plot size (px).
pub const SIZE: (u32, u32) = (1200, 800);

/// Font sizes (px): title, axis description, tick labels, legend and annotations.
pub const TITLE_PX: u32 = 26;
/// Axis descriptions.
pub const AXIS_PX: u32 = 18;
/// Tick labels.
pub const TICK_PX: u32 = 15;
/// Legend entries and point labels.
pub const LABEL_PX: u32 = 15;

/// Text colour.
pub const INK: RGBColor = RGBColor(33, 33, 33);
/// Grid lines.
pub const GRID: RGBColor = RGBColor(225, 225, 225);
/// Points that are not on the Pareto front, and other context.
pub const MUTED: RGBColor = RGBColor(150, 150, 150);

/// The ten colours of the Tableau 10 palette, in order.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),  // blue
    RGBColor(255, 127, 14),  // orange
    RGBColor(44, 160, 44),   // green
    RGBColor(214, 39, 40),   // red
    RGBColor(148, 103, 189), // purple
    RGBColor(140, 86, 75),   // brown
    RGBColor(227, 119, 194), // pink
    RGBColor(127, 127, 127), // grey
    RGBColor(188, 189, 34),  // olive
    RGBColor(23, 190, 207),  // cyan
];

/// The colour of a named series; the same name gets the same colour in every plot.
pub fn series_color(name: &str) -> RGBColor {
    match name {
        "arrival rate" | "arrival" => PALETTE[0],
        "desired" => PALETTE[1],
        "ready" => PALETTE[2],
        "p99" => PALETTE[3],
        "p95" => PALETTE[4],
        "errors" => PALETTE[5],
        "KEDA" => PALETTE[6],
        "scale decision" => INK,
        "p50" => PALETTE[9],
        "SLO" => RGBColor(90, 90, 90),
        "Pareto front" => PALETTE[3],
        other => variant_color(stable_index(other)),
    }
}

/// The colour of the `i`-th variant (in summary.csv order).
pub fn variant_color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// A deterministic index from a name (FNV-1a), for names without a fixed colour.
fn stable_index(name: &str) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h % PALETTE.len() as u64) as usize
}

/// The sequential colour map of the heatmaps (light yellow → dark red), `t` from 0 to 1.
pub fn heat_color(t: f64) -> RGBColor {
    const STOPS: [(f64, [f64; 3]); 5] = [
        (0.0, [255.0, 255.0, 204.0]),
        (0.25, [254.0, 217.0, 118.0]),
        (0.5, [253.0, 141.0, 60.0]),
        (0.75, [227.0, 26.0, 28.0]),
        (1.0, [128.0, 0.0, 38.0]),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let k = STOPS
        .windows(2)
        .position(|w| t <= w[1].0)
        .unwrap_or(STOPS.len() - 2);
    let ((t0, a), (t1, b)) = (STOPS[k], STOPS[k + 1]);
    let f = (t - t0) / (t1 - t0);
    let c = |i: usize| (a[i] + (b[i] - a[i]) * f).round() as u8;
    RGBColor(c(0), c(1), c(2))
}

/// Black or white, whichever reads better on `bg`.
pub fn text_on(bg: RGBColor) -> RGBColor {
    let l = 0.299 * f64::from(bg.0) + 0.587 * f64::from(bg.1) + 0.114 * f64::from(bg.2);
    if l > 140.0 {
        INK
    } else {
        RGBColor(255, 255, 255)
    }
}

/// Registers the DejaVu Sans bytes as [`FONT`] (once per process; no system font is used).
pub fn register_fonts() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The bytes are a valid font; were they not, drawing text reports the error.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

/// `x` with a sensible number of significant digits for a label (`1234`, `12.3`, `0.0123`).
pub fn short_number(x: f64) -> String {
    if !x.is_finite() {
        return "–".to_owned();
    }
    let a = x.abs();
    let s = if a >= 1000.0 || a == 0.0 {
        format!("{x:.0}")
    } else if a >= 100.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else {
        let digits = (-a.log10()).ceil() as usize + 2;
        format!("{x:.digits$}")
    };
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_name_keeps_its_colour_and_percentiles_differ() {
        assert_eq!(series_color("p99"), series_color("p99"));
        let names = [
            "p50",
            "p95",
            "p99",
            "desired",
            "ready",
            "arrival rate",
            "errors",
        ];
        for (i, a) in names.iter().enumerate() {
            for b in &names[i + 1..] {
                assert_ne!(series_color(a), series_color(b), "{a} vs {b}");
            }
        }
        assert_eq!(series_color("v0003"), series_color("v0003"));
    }

    #[test]
    fn the_heat_scale_runs_from_light_to_dark() {
        assert_eq!(heat_color(0.0), RGBColor(255, 255, 204));
        assert_eq!(heat_color(1.0), RGBColor(128, 0, 38));
        assert_eq!(heat_color(f64::NAN), heat_color(0.0));
        assert_eq!(text_on(heat_color(0.0)), INK);
        assert_eq!(text_on(heat_color(1.0)), RGBColor(255, 255, 255));
    }

    #[test]
    fn short_numbers_keep_three_significant_digits() {
        assert_eq!(short_number(1234.567), "1235");
        assert_eq!(short_number(123.45), "123.5");
        assert_eq!(short_number(12.345), "12.35");
        assert_eq!(short_number(0.012345), "0.0123");
        assert_eq!(short_number(0.0), "0");
        assert_eq!(short_number(2.0), "2");
    }
}
