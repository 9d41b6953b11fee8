//! The number format of the CSV files: deterministic, compact, locale-free.
//!
//! Rules (the same bytes on every platform, for the same `f64`):
//!
//! * Integers are written in plain decimal.
//! * A float is rounded to a fixed number of decimal places — [`TIME_DECIMALS`]
//!   (9, nanoseconds) for points in time and durations in seconds
//!   ([`Kind::Seconds`](crate::Kind::Seconds)) and for dimensionless fractions
//!   ([`Kind::Fraction`](crate::Kind::Fraction)), [`VALUE_DECIMALS`] (6) for
//!   everything else — and written in fixed notation (never exponent notation),
//!   with trailing zeros and a trailing `.` removed: `1.5`, `2`, `0.000125`.
//!   Rounding is Rust's exact decimal conversion of the binary value
//!   (`format!("{:.6}", x)`), which does not depend on the platform or locale.
//! * A result of `-0` (negative zero, or a negative value that rounds to zero) is
//!   written `0`.
//! * NaN (e.g. a percentile with no samples) is an empty cell, which pandas and R
//!   read as missing; infinities are `inf` and `-inf`.

use std::fmt::Write as _;

/// Decimal places of times in seconds and of fractions.
pub const TIME_DECIMALS: usize = 9;

/// Decimal places of every other float.
pub const VALUE_DECIMALS: usize = 6;

/// Appends `x` to `out` following the rules of this module.
pub fn push_f64(out: &mut String, x: f64, decimals: usize) {
    if x.is_nan() {
        return;
    }
    if x.is_infinite() {
        out.push_str(if x > 0.0 { "inf" } else { "-inf" });
        return;
    }
    let start = out.len();
    // Writing to a String cannot fail.
    let _ = write!(out, "{x:.decimals$}");
    if out[start..].contains('.') {
        let trimmed = out[start..]
            .trim_end_matches('0')
            .trim_end_matches('.')
            .len();
        out.truncate(start + trimmed);
    }
    if &out[start..] == "-0" {
        out.truncate(start);
        out.push('0');
    }
}

/// `x` formatted following the rules of this module.
pub fn format_f64(x: f64, decimals: usize) -> String {
    let mut s = String::new();
    push_f64(&mut s, x, decimals);
    s
}

/// `x` for people: four significant digits (at most 12 decimals), trailing zeros removed, no
/// exponent; `nan` for NaN, which callers usually replace by their own placeholder.
pub fn significant(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format_f64(x, 0);
    }
    let magnitude = x.abs().log10().floor() as i64;
    format_f64(x, (3 - magnitude).clamp(0, 12) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_keeps_four_digits_and_no_trailing_zeros() {
        assert_eq!(significant(20.4567), "20.46");
        assert_eq!(significant(0.0040921), "0.004092");
        assert_eq!(significant(123456.7), "123457");
        assert_eq!(significant(-1.5), "-1.5");
        assert_eq!(significant(0.0), "0");
    }

    fn v(x: f64) -> String {
        format_f64(x, VALUE_DECIMALS)
    }
    fn t(x: f64) -> String {
        format_f64(x, TIME_DECIMALS)
    }

    #[test]
    fn float_format_trims_trailing_zeros_and_point() {
        assert_eq!(v(1.5), "1.5");
        assert_eq!(v(2.0), "2");
        assert_eq!(v(100.0), "100");
        assert_eq!(v(0.000125), "0.000125");
        assert_eq!(v(-3.25), "-3.25");
        assert_eq!(v(0.0), "0");
    }

    #[test]
    fn float_format_rounds_values_to_six_decimals_and_times_to_nine() {
        assert_eq!(v(1.0 / 3.0), "0.333333");
        assert_eq!(v(2.0 / 3.0), "0.666667");
        assert_eq!(t(1.0 / 3.0), "0.333333333");
        assert_eq!(t(0.1 + 0.2), "0.3");
        assert_eq!(v(0.1 + 0.2), "0.3");
        assert_eq!(t(3600.000000001), "3600.000000001");
        assert_eq!(v(1e-7), "0");
    }

    #[test]
    fn float_format_never_writes_negative_zero() {
        assert_eq!(v(-0.0), "0");
        assert_eq!(v(-1e-9), "0");
        assert_eq!(t(-1e-12), "0");
    }

    #[test]
    fn float_format_never_uses_exponent_notation() {
        assert_eq!(v(1e21), "1000000000000000000000");
        assert_eq!(v(123456789.125), "123456789.125");
        assert_eq!(t(1e-9), "0.000000001");
    }

    #[test]
    fn float_format_writes_nan_as_empty_and_infinities_as_inf() {
        assert_eq!(v(f64::NAN), "");
        assert_eq!(v(f64::INFINITY), "inf");
        assert_eq!(v(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn float_format_appends_to_existing_text() {
        let mut s = String::from("a,");
        push_f64(&mut s, -0.0, VALUE_DECIMALS);
        push_f64(&mut s, 10.0, VALUE_DECIMALS);
        assert_eq!(s, "a,010");
    }
}
