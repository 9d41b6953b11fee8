//! Durations and Kubernetes quantities as they appear in scenarios and manifests.
//!
//! - [`Duration`]: `250ms`, `30s`, `5m`, `1h30m`, `1.5s`, `2d`, or a plain number of seconds.
//! - [`Quantity`]: Kubernetes resource quantities: `500m`, `1.5`, `2`, `512Mi`, `1G`, `1e3`.
//!
//! Both deserialize from YAML strings or numbers and serialize back to the canonical string, so
//! `--set` overrides round-trip. Parse errors name the offending text and show valid examples.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// A non-negative span of time [s], written `30s`, `5m`, `1h30m`, `250ms` or a number of seconds.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Default)]
pub struct Duration {
    secs: f64,
}

impl Duration {
    /// A duration of `secs` seconds.
    pub fn from_secs(secs: f64) -> Duration {
        Duration { secs }
    }
    /// The span [s].
    pub fn secs(self) -> f64 {
        self.secs
    }
    /// The span as simulated time (rounded to the nearest nanosecond).
    pub fn sim(self) -> hpasim_sim::SimDuration {
        hpasim_sim::SimDuration::from_secs_f64(self.secs)
    }
}

/// Parses a duration; the error explains what is accepted.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let hint = "expected a duration such as `250ms`, `30s`, `5m`, `1h30m` or a number of seconds";
    if t.is_empty() {
        return Err(format!("empty duration: {hint}"));
    }
    if let Ok(v) = t.parse::<f64>() {
        return finite_non_negative(v, text, hint).map(Duration::from_secs);
    }
    let mut total = 0.0;
    let mut rest = t;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return Err(format!("invalid duration `{text}`: {hint}"));
        }
        let value: f64 = rest[..num_len]
            .parse()
            .map_err(|_| format!("invalid duration `{text}`: {hint}"))?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "d" => 86400.0,
            "" => {
                return Err(format!(
                    "invalid duration `{text}`: a number inside a duration needs a unit; {hint}"
                ))
            }
            unit => {
                return Err(format!(
                "invalid duration `{text}`: unknown unit `{unit}` (use ns, us, ms, s, m, h or d)"
            ))
            }
        };
        total += value * scale;
        rest = &rest[unit_len..];
    }
    finite_non_negative(total, text, hint).map(Duration::from_secs)
}

fn finite_non_negative(v: f64, text: &str, hint: &str) -> Result<f64, String> {
    if !v.is_finite() {
        Err(format!("invalid duration `{text}`: {hint}"))
    } else if v < 0.0 {
        Err(format!(
            "negative duration `{text}`: durations must be zero or positive"
        ))
    } else {
        Ok(v)
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.secs;
        if s != 0.0 && s < 1.0 && (s * 1e3).fract() == 0.0 {
            write!(f, "{}ms", s * 1e3)
        } else {
            write!(f, "{s}s")
        }
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration such as `30s`, `5m`, `1h30m` or a number of seconds")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
                parse_duration(v).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Duration, E> {
                parse_duration(&v.to_string()).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
                parse_duration(&v.to_string()).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
                Ok(Duration::from_secs(v as f64))
            }
        }
        d.deserialize_any(V)
    }
}

/// A Kubernetes resource quantity (CPU cores, bytes), kept as its value and its original text.
#[derive(Clone, Debug, PartialEq)]
pub struct Quantity {
    value: f64,
    text: String,
}

impl Quantity {
    /// The quantity's value in base units (cores for CPU, bytes for memory).
    pub fn value(&self) -> f64 {
        self.value
    }
    /// A quantity from its value, written back as a plain number.
    pub fn from_value(value: f64) -> Quantity {
        Quantity {
            value,
            text: value.to_string(),
        }
    }
}

/// Parses a Kubernetes quantity: a decimal number with an optional suffix
/// (`n u m k M G T P E` decimal, `Ki Mi Gi Ti Pi Ei` binary) or exponent (`1e3`).
pub fn parse_quantity(text: &str) -> Result<Quantity, String> {
    let t = text.trim();
    let hint = "expected a Kubernetes quantity such as `500m`, `1.5`, `2`, `512Mi` or `1G`";
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(t.len());
    let (num, suffix) = t.split_at(split);
    let base: f64 = match num.parse() {
        Ok(v) if num.chars().any(|c| c.is_ascii_digit()) => v,
        _ => return Err(format!("invalid quantity `{text}`: {hint}")),
    };
    let scale = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        s if s.starts_with(['e', 'E']) => match s[1..].parse::<i32>() {
            Ok(exp) => 10f64.powi(exp),
            Err(_) => return Err(format!("invalid quantity `{text}`: bad exponent; {hint}")),
        },
        s => {
            return Err(format!(
                "invalid quantity `{text}`: unknown suffix `{s}` (use m, k, M, G, T, Ki, Mi, Gi, Ti); {hint}"
            ))
        }
    };
    let value = base * scale;
    if value < 0.0 {
        return Err(format!(
            "negative quantity `{text}`: resource quantities must be zero or positive"
        ));
    }
    Ok(Quantity {
        value,
        text: t.to_string(),
    })
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Quantity;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a Kubernetes quantity such as `500m`, `1.5`, `512Mi` or `1G`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Quantity, E> {
                parse_quantity(v).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Quantity, E> {
                parse_quantity(&v.to_string()).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Quantity, E> {
                parse_quantity(&v.to_string()).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Quantity, E> {
                parse_quantity(&v.to_string()).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_accept_go_style_compound_units() {
        let s = |t: &str| parse_duration(t).unwrap().secs();
        assert_eq!(s("30s"), 30.0);
        assert_eq!(s("5m"), 300.0);
        assert_eq!(s("1h30m"), 5400.0);
        assert_eq!(s("250ms"), 0.25);
        assert_eq!(s("1.5s"), 1.5);
        assert_eq!(s("12"), 12.0);
        assert_eq!(s("0"), 0.0);
    }

    #[test]
    fn bad_durations_say_what_is_accepted() {
        assert!(parse_duration("5x")
            .unwrap_err()
            .contains("unknown unit `x`"));
        assert!(parse_duration("fast")
            .unwrap_err()
            .contains("expected a duration"));
        assert!(parse_duration("-3s").is_err());
        assert!(parse_duration("-3").unwrap_err().contains("negative"));
        assert!(parse_duration("5m3").unwrap_err().contains("needs a unit"));
    }

    #[test]
    fn quantities_follow_kubernetes_suffixes() {
        let q = |t: &str| parse_quantity(t).unwrap().value();
        assert_eq!(q("500m"), 0.5);
        assert_eq!(q("1.5"), 1.5);
        assert_eq!(q("512Mi"), 512.0 * 1024.0 * 1024.0);
        assert_eq!(q("1G"), 1e9);
        assert_eq!(q("1e3"), 1000.0);
        assert!(parse_quantity("12Q")
            .unwrap_err()
            .contains("unknown suffix `Q`"));
        assert!(parse_quantity("abc")
            .unwrap_err()
            .contains("invalid quantity"));
        assert!(parse_quantity("-1").unwrap_err().contains("negative"));
    }
}
