//! Integer resource amounts, as the scheduler and the quota admission count them: CPU in
//! milli-cores, memory in bytes, pods as a count.
//!
//! Kubernetes compares quantities exactly; so does this module. [`cpu_millis`] and [`bytes`]
//! convert a [`Quantity`] from its written text (never from its `f64` value), rounding up as
//! upstream `Quantity.MilliValue()` and `Quantity.Value()` do (`0.1m` of CPU is 1 milli-core).
//! [`format_decimal_milli`] and [`format_binary`] write amounts back in the canonical forms of
//! `resource.Quantity.String()` (`500m`, `20`, `100Gi`), for messages that match the real ones.

use crate::scenario::Quantity;

/// What a node offers or a pod asks for: CPU [milli-cores], memory [bytes], pods [count].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Resources {
    /// CPU [milli-cores] (`1` core = `1000`).
    pub cpu_millis: u64,
    /// Memory [bytes].
    pub memory_bytes: u64,
    /// Pod slots [count]: a node's `allocatable.pods`, or 1 for one pod's request.
    pub pods: u32,
}

impl Resources {
    /// Nothing.
    pub const ZERO: Resources = Resources {
        cpu_millis: 0,
        memory_bytes: 0,
        pods: 0,
    };

    /// `cpu_millis` [milli-cores], `memory_bytes` [bytes], `pods` [count].
    pub const fn new(cpu_millis: u64, memory_bytes: u64, pods: u32) -> Resources {
        Resources {
            cpu_millis,
            memory_bytes,
            pods,
        }
    }

    /// One pod's request: `cpu_millis` [milli-cores], `memory_bytes` [bytes] and one pod slot.
    pub const fn pod(cpu_millis: u64, memory_bytes: u64) -> Resources {
        Resources::new(cpu_millis, memory_bytes, 1)
    }

    /// `self + other`, or `None` if any component overflows.
    pub fn checked_add(self, other: Resources) -> Option<Resources> {
        Some(Resources {
            cpu_millis: self.cpu_millis.checked_add(other.cpu_millis)?,
            memory_bytes: self.memory_bytes.checked_add(other.memory_bytes)?,
            pods: self.pods.checked_add(other.pods)?,
        })
    }

    /// `self - other`, or `None` if any component would go below zero.
    pub fn checked_sub(self, other: Resources) -> Option<Resources> {
        Some(Resources {
            cpu_millis: self.cpu_millis.checked_sub(other.cpu_millis)?,
            memory_bytes: self.memory_bytes.checked_sub(other.memory_bytes)?,
            pods: self.pods.checked_sub(other.pods)?,
        })
    }

    /// `self - other`, each component floored at zero (free room of an overcommitted node).
    pub fn saturating_sub(self, other: Resources) -> Resources {
        Resources {
            cpu_millis: self.cpu_millis.saturating_sub(other.cpu_millis),
            memory_bytes: self.memory_bytes.saturating_sub(other.memory_bytes),
            pods: self.pods.saturating_sub(other.pods),
        }
    }

    /// Whether every component of `self` is at most the same component of `room`.
    pub fn fits_in(self, room: Resources) -> bool {
        self.cpu_millis <= room.cpu_millis
            && self.memory_bytes <= room.memory_bytes
            && self.pods <= room.pods
    }
}

/// The exact value of a quantity's text, as `numerator / denominator` with the given extra
/// factor `times` applied (1000 for milli-units, 1 for base units); `Err` when it cannot be
/// represented in 128 bits.
fn exact(text: &str, times: u128) -> Result<(u128, u128), String> {
    let t = text.trim().trim_start_matches('+');
    let end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, suffix) = t.split_at(end);
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    let bad = || format!("invalid quantity `{text}`");
    if int.is_empty() && frac.is_empty() || frac.contains('.') {
        return Err(bad());
    }
    let too_big = || format!("quantity `{text}` is too large");
    let digits: u128 = format!("{int}{frac}")
        .trim_start_matches('0')
        .parse()
        .or_else(|e: std::num::ParseIntError| match e.kind() {
            std::num::IntErrorKind::Empty => Ok(0),
            _ => Err(too_big()),
        })?;
    let pow = |base: u128, exp: u32| base.checked_pow(exp).ok_or_else(too_big);
    let mut num = digits.checked_mul(times).ok_or_else(too_big)?;
    let frac_len = u32::try_from(frac.len()).map_err(|_| too_big())?;
    let mut den = pow(10, frac_len)?;
    let mut decimal = |exp: i32| -> Result<(), String> {
        if exp >= 0 {
            num = num
                .checked_mul(pow(10, exp.unsigned_abs())?)
                .ok_or_else(too_big)?;
        } else {
            den = den
                .checked_mul(pow(10, exp.unsigned_abs())?)
                .ok_or_else(too_big)?;
        }
        Ok(())
    };
    match suffix {
        "" => {}
        "n" => decimal(-9)?,
        "u" => decimal(-6)?,
        "m" => decimal(-3)?,
        "k" => decimal(3)?,
        "M" => decimal(6)?,
        "G" => decimal(9)?,
        "T" => decimal(12)?,
        "P" => decimal(15)?,
        "E" => decimal(18)?,
        "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" => {
            let k = 1 + "KMGTPE".find(&suffix[..1]).unwrap_or(0) as u32;
            num = num.checked_mul(pow(1024, k)?).ok_or_else(too_big)?;
        }
        s if s.starts_with(['e', 'E']) => {
            let exp: i32 = s[1..].parse().map_err(|_| bad())?;
            if exp.abs() > 38 {
                return Err(too_big());
            }
            decimal(exp)?
        }
        _ => return Err(bad()),
    }
    Ok((num, den))
}

/// `⌈numerator / denominator⌉` as a `u64`.
fn ceil_u64(text: &str, (num, den): (u128, u128)) -> Result<u64, String> {
    let q = num / den + u128::from(num % den != 0);
    u64::try_from(q).map_err(|_| format!("quantity `{text}` is too large"))
}

/// A CPU quantity in [milli-cores], rounded up (upstream `MilliValue`): `500m` → 500,
/// `1.5` → 1500, `2` → 2000.
pub fn cpu_millis(q: &Quantity) -> Result<u64, String> {
    let text = q.to_string();
    ceil_u64(&text, exact(&text, 1000)?)
}

/// A quantity in base units [bytes for memory, a count for pods], rounded up (upstream
/// `Value`): `512Mi` → 536870912, `1G` → 1000000000.
pub fn bytes(q: &Quantity) -> Result<u64, String> {
    let text = q.to_string();
    ceil_u64(&text, exact(&text, 1)?)
}

/// Whether a quantity was written with a binary suffix (`Ki` … `Ei`), which upstream keeps
/// when it writes the quantity back.
pub fn is_binary(q: &Quantity) -> bool {
    q.to_string().trim_end().ends_with('i')
}

/// An amount given in milli-units [milli-cores, or thousandths of a count] in the canonical
/// decimal form of `Quantity.String()`: `500m`, `20`, `1500m`, `20k`.
pub fn format_decimal_milli(millis: u128) -> String {
    if millis % 1000 != 0 {
        return format!("{millis}m");
    }
    let mut value = millis / 1000;
    let mut suffix = 0;
    const SUFFIXES: [&str; 7] = ["", "k", "M", "G", "T", "P", "E"];
    while value != 0 && value % 1000 == 0 && suffix + 1 < SUFFIXES.len() {
        value /= 1000;
        suffix += 1;
    }
    format!("{value}{}", SUFFIXES[suffix])
}

/// An amount [bytes] in the canonical binary form of `Quantity.String()`: the largest binary
/// suffix that divides it exactly (`100Gi`, `1536Mi`), else the decimal form (`1500`).
pub fn format_binary(bytes: u128) -> String {
    const SUFFIXES: [&str; 6] = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
    let mut best = None;
    for (k, s) in SUFFIXES.iter().enumerate() {
        let unit = 1u128 << (10 * (k + 1));
        if bytes != 0 && bytes % unit == 0 {
            best = Some((bytes / unit, *s));
        }
    }
    match best {
        Some((v, s)) => format!("{v}{s}"),
        None => format_decimal_milli(bytes.saturating_mul(1000)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse_quantity;

    fn q(text: &str) -> Quantity {
        parse_quantity(text).unwrap()
    }

    #[test]
    fn cpu_quantities_convert_exactly_to_milli_cores_rounding_up() {
        assert_eq!(cpu_millis(&q("500m")), Ok(500));
        assert_eq!(cpu_millis(&q("1.5")), Ok(1500));
        assert_eq!(cpu_millis(&q("2")), Ok(2000));
        assert_eq!(cpu_millis(&q("0.1")), Ok(100));
        assert_eq!(cpu_millis(&q("0.0001")), Ok(1));
        assert_eq!(cpu_millis(&q("100u")), Ok(1));
        assert_eq!(cpu_millis(&q("1e3")), Ok(1_000_000));
        assert_eq!(cpu_millis(&Quantity::from_value(0.3)), Ok(300));
    }

    #[test]
    fn memory_quantities_convert_exactly_to_bytes() {
        assert_eq!(bytes(&q("512Mi")), Ok(512 << 20));
        assert_eq!(bytes(&q("1G")), Ok(1_000_000_000));
        assert_eq!(bytes(&q("1.5Gi")), Ok(3 << 29));
        assert_eq!(bytes(&q("100Gi")), Ok(100 << 30));
        assert_eq!(bytes(&q("1Ti")), Ok(1 << 40));
        assert_eq!(bytes(&q("10")), Ok(10));
        assert_eq!(bytes(&q("1500m")), Ok(2));
    }

    #[test]
    fn quantities_too_large_for_64_bits_are_errors_not_panics() {
        assert!(bytes(&q("100E")).unwrap_err().contains("too large"));
        assert!(cpu_millis(&q("1e30")).unwrap_err().contains("too large"));
        assert!(bytes(&q("1e300")).is_err());
    }

    #[test]
    fn amounts_are_written_in_the_canonical_quantity_form() {
        assert_eq!(format_decimal_milli(500), "500m");
        assert_eq!(format_decimal_milli(19_800), "19800m");
        assert_eq!(format_decimal_milli(20_000), "20");
        assert_eq!(format_decimal_milli(20_000_000), "20k");
        assert_eq!(format_decimal_milli(0), "0");
        assert_eq!(format_binary(100 << 30), "100Gi");
        assert_eq!(format_binary(1536 << 20), "1536Mi");
        assert_eq!(format_binary(1500), "1500");
        assert_eq!(format_binary(0), "0");
        assert!(is_binary(&q("100Gi")) && !is_binary(&q("6G")));
    }

    #[test]
    fn arithmetic_is_checked_per_component() {
        let a = Resources::new(1000, 4 << 30, 110);
        let b = Resources::pod(250, 1 << 30);
        assert_eq!(a.checked_add(b), Some(Resources::new(1250, 5 << 30, 111)));
        assert_eq!(a.checked_sub(b), Some(Resources::new(750, 3 << 30, 109)));
        assert_eq!(b.checked_sub(a), None);
        assert_eq!(Resources::new(u64::MAX, 0, 0).checked_add(b), None);
        assert_eq!(b.saturating_sub(a), Resources::ZERO);
        assert!(b.fits_in(a));
        assert!(!a.fits_in(b));
        assert!(Resources::pod(1000, 4 << 30).fits_in(Resources::new(1000, 4 << 30, 1)));
    }
}
