//! `expect:` — assertions on summary.csv metrics (SLOs, budgets) that `hpasim check` runs as
//! a CI gate.
//!
//! ```yaml
//! expect:
//!   replications: 5          # runs averaged (default 5)
//!   on: mean                 # mean (default) | ci95: the unfavourable end of the 95 % CI
//!   latency_p99_ms: "< 500"
//!   cost_usd: "<= 1.10 * baseline"
//!   throughput_rps: { that: ">= 0.95 * baseline", on: ci95 }
//! ```
//!
//! The block is kept as written ([`Expect`], a map of raw values) so that every problem —
//! an unknown metric, a bare number, a bad operator — is reported by the validation pass with
//! its parameter path (`expect.latency_p99_ms`), which loading turns into `file:line:column`.
//! [`Expect::compile`] turns it into plain [`Assertion`]s; [`parse_condition`] reads one
//! condition (`OP RHS`). Both are pure.
//!
//! Condition grammar (whitespace is free): `OP RHS` with `OP` one of `<`, `<=`, `>`, `>=` and
//! `RHS` one of `NUMBER`, `baseline`, `NUMBER * baseline`, `baseline * NUMBER`,
//! `baseline + NUMBER`, `baseline - NUMBER` (`×` is accepted for `*`). Numbers are decimal
//! (`0.01`, `1e-3`, `500`, `-2`).

use super::suggest::did_you_mean;
use super::SpecError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// Replications averaged when `expect.replications` is not given.
pub const DEFAULT_REPLICATIONS: u32 = 5;

/// The `expect:` block as written, config: `replications`, `on`, and one entry per asserted
/// summary.csv metric (a condition string, or `{that: CONDITION, on: mean|ci95}`).
///
/// Kept as raw values so that validation, not parsing, reports problems, each at its path.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Expect {
    /// Every key of the block with its value, as written.
    pub entries: Map<String, Value>,
}

/// Which statistic of the replications an assertion compares.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum On {
    /// The mean over the replications.
    #[default]
    Mean,
    /// The unfavourable end of the 95 % confidence interval of the mean (Student t): the upper
    /// bound for `<` and `<=`, the lower bound for `>` and `>=`. Needs at least 2 replications.
    Ci95,
}

impl On {
    /// Names as written in the scenario.
    pub const NAMES: [&'static str; 2] = ["mean", "ci95"];

    /// `mean` or `ci95`.
    pub fn name(self) -> &'static str {
        match self {
            On::Mean => "mean",
            On::Ci95 => "ci95",
        }
    }

    fn parse(text: &str) -> Option<On> {
        match text {
            "mean" => Some(On::Mean),
            "ci95" => Some(On::Ci95),
            _ => None,
        }
    }
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Op {
    /// `<`, `<=`, `>` or `>=`.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }

    /// Whether `measured OP threshold` holds (never for NaN).
    pub fn holds(self, measured: f64, threshold: f64) -> bool {
        match self {
            Op::Lt => measured < threshold,
            Op::Le => measured <= threshold,
            Op::Gt => measured > threshold,
            Op::Ge => measured >= threshold,
        }
    }

    /// Whether a larger measured value is the unfavourable direction (`<`, `<=`): then the
    /// upper confidence bound is tested under `on: ci95`, otherwise the lower.
    pub fn upper_is_unfavourable(self) -> bool {
        matches!(self, Op::Lt | Op::Le)
    }
}

/// The right-hand side of a condition: the threshold, absolute or relative to the baseline.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rhs {
    /// An absolute threshold, in the metric's unit.
    Number(f64),
    /// `factor × baseline + offset`, the baseline being the metric's mean in `--baseline`.
    Baseline {
        /// Multiplier of the baseline value (1 for `baseline` and `baseline ± N`).
        factor: f64,
        /// Added to the scaled baseline, in the metric's unit (0 unless `baseline ± N`).
        offset: f64,
    },
}

impl Rhs {
    /// Whether the threshold needs a baseline value.
    pub fn uses_baseline(&self) -> bool {
        matches!(self, Rhs::Baseline { .. })
    }

    /// The threshold, given the baseline value (`None` when there is none: then a relative
    /// threshold is `None` too).
    pub fn threshold(&self, baseline: Option<f64>) -> Option<f64> {
        match *self {
            Rhs::Number(x) => Some(x),
            Rhs::Baseline { factor, offset } => baseline.map(|b| factor * b + offset),
        }
    }
}

impl fmt::Display for Rhs {
    /// The canonical text: `500`, `baseline`, `1.1 * baseline`, `baseline + 5`, `baseline - 5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Rhs::Number(x) => write!(f, "{x}"),
            Rhs::Baseline { factor, offset } => {
                if factor != 1.0 {
                    write!(f, "{factor} * ")?;
                }
                write!(f, "baseline")?;
                if offset > 0.0 {
                    write!(f, " + {offset}")?;
                } else if offset < 0.0 {
                    write!(f, " - {}", -offset)?;
                }
                Ok(())
            }
        }
    }
}

/// One assertion: `metric OP RHS`, compared on the statistic `on`.
#[derive(Clone, Debug, PartialEq)]
pub struct Assertion {
    /// The summary.csv column it reads.
    pub metric: String,
    /// The comparison.
    pub op: Op,
    /// The threshold.
    pub rhs: Rhs,
    /// The statistic compared: the mean or the unfavourable 95 % bound.
    pub on: On,
}

impl Assertion {
    /// The condition in canonical form: `< 500`, `<= 1.1 * baseline`.
    pub fn condition(&self) -> String {
        format!("{} {}", self.op.symbol(), self.rhs)
    }
}

impl fmt::Display for Assertion {
    /// `latency_p99_ms < 500`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.metric, self.condition())
    }
}

/// The compiled `expect:` block.
#[derive(Clone, Debug, PartialEq)]
pub struct Expectations {
    /// Replications averaged [runs], at least 1.
    pub replications: u32,
    /// The block's default statistic.
    pub on: On,
    /// The assertions, in summary.csv column order (whatever the order in the file).
    pub assertions: Vec<Assertion>,
}

impl Expectations {
    /// The same expectations measured over `replications` runs (`--replications`); an error
    /// message when that is 0 or when a `ci95` assertion would get fewer than 2.
    pub fn with_replications(mut self, replications: u32) -> Result<Expectations, String> {
        if replications == 0 {
            return Err("must be at least 1".to_string());
        }
        if replications < 2 {
            if let Some(a) = self.assertions.iter().find(|a| a.on == On::Ci95) {
                return Err(format!(
                    "`{}` is tested with `on: ci95`, which needs at least 2 replications",
                    a.metric
                ));
            }
        }
        self.replications = replications;
        Ok(self)
    }

    /// Whether any assertion compares against the baseline.
    pub fn uses_baseline(&self) -> bool {
        self.assertions.iter().any(|a| a.rhs.uses_baseline())
    }
}

/// What is wrong with a condition string, and how to fix it.
#[derive(Clone, Debug, PartialEq)]
pub struct ConditionError {
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

const FORMS: &str = "write OP THRESHOLD with OP one of <, <=, >, >= and THRESHOLD a number or `baseline`, `N * baseline`, `baseline * N`, `baseline + N`, `baseline - N`, e.g. \"< 500\" or \"<= 1.10 * baseline\"";

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Num(f64),
    Baseline,
    Star,
    Plus,
    Minus,
}

/// Parses a condition: `< 500`, `<= 1.10 * baseline`, `>= baseline - 5`.
pub fn parse_condition(text: &str) -> Result<(Op, Rhs), ConditionError> {
    let err = |message: String| ConditionError {
        message,
        hint: FORMS.to_string(),
    };
    let t = text.trim();
    if t.is_empty() {
        return Err(err("the condition is empty".into()));
    }
    let (op, rest) = if let Some(r) = t.strip_prefix("<=") {
        (Op::Le, r)
    } else if let Some(r) = t.strip_prefix(">=") {
        (Op::Ge, r)
    } else if let Some(r) = t.strip_prefix('<') {
        (Op::Lt, r)
    } else if let Some(r) = t.strip_prefix('>') {
        (Op::Gt, r)
    } else {
        let written: String = t.chars().take_while(|c| "<>=!≤≥≠".contains(*c)).collect();
        let message = match written.as_str() {
            "" => format!("`{t}` does not start with a comparison operator"),
            w => format!("unknown operator `{w}` in `{t}`"),
        };
        let hint = match written.as_str() {
            "=<" => "write `<=`".to_string(),
            "=>" => "write `>=`".to_string(),
            "≤" => "write `<=`".to_string(),
            "≥" => "write `>=`".to_string(),
            "=" | "==" | "!=" | "≠" => format!(
                "equality is not supported (simulated metrics are noisy): bound it from both sides with two scenarios, or use `<=` / `>=`; {FORMS}"
            ),
            _ => FORMS.to_string(),
        };
        return Err(ConditionError { message, hint });
    };
    if rest.trim_start().starts_with(['<', '>', '=']) {
        let bad: String = t
            .chars()
            .filter(|c| !c.is_whitespace())
            .take_while(|c| "<>=!".contains(*c))
            .collect();
        return Err(err(format!("unknown operator `{bad}` in `{t}`")));
    }
    if rest.contains('%') {
        return Err(ConditionError {
            message: format!("percentages are not supported in `{t}`"),
            hint: "write a factor of the baseline instead: \"<= 1.10 * baseline\" for at most 10 % more"
                .to_string(),
        });
    }
    let tokens = tokenize(rest).map_err(|m| err(format!("{m} in `{t}`")))?;
    let rhs = match tokens.as_slice() {
        [Token::Num(x)] => Rhs::Number(*x),
        [Token::Baseline] => Rhs::Baseline {
            factor: 1.0,
            offset: 0.0,
        },
        [Token::Num(x), Token::Star, Token::Baseline]
        | [Token::Baseline, Token::Star, Token::Num(x)] => Rhs::Baseline {
            factor: *x,
            offset: 0.0,
        },
        [Token::Baseline, Token::Plus, Token::Num(x)] => Rhs::Baseline {
            factor: 1.0,
            offset: *x,
        },
        [Token::Baseline, Token::Minus, Token::Num(x)] => Rhs::Baseline {
            factor: 1.0,
            offset: -*x,
        },
        [] => return Err(err(format!("no threshold after `{}`", op.symbol()))),
        _ => return Err(err(format!("cannot read the threshold `{}`", rest.trim()))),
    };
    Ok((op, rhs))
}

/// Splits a threshold into numbers, `baseline`, `*`, `+` and `-`. A sign directly before a
/// number at the very start belongs to the number.
fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts_number = c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
            || (tokens.is_empty()
                && (c == '-' || c == '+')
                && chars
                    .get(i + 1)
                    .is_some_and(|n| n.is_ascii_digit() || *n == '.'));
        if c.is_whitespace() {
            i += 1;
        } else if starts_number {
            let start = i;
            i += 1;
            while i < chars.len() {
                let d = chars[i];
                let exp_sign =
                    (d == '-' || d == '+') && matches!(chars[i - 1], 'e' | 'E') && i > start + 1;
                if d.is_ascii_digit() || d == '.' || d == 'e' || d == 'E' || exp_sign {
                    i += 1;
                } else {
                    break;
                }
            }
            let word: String = chars[start..i].iter().collect();
            match word.parse::<f64>() {
                Ok(x) if x.is_finite() => tokens.push(Token::Num(x)),
                _ => return Err(format!("`{word}` is not a number")),
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            match word.as_str() {
                "baseline" => tokens.push(Token::Baseline),
                _ => {
                    let mut m = format!("unknown word `{word}`");
                    if let Some(s) = did_you_mean(&word, ["baseline"]) {
                        m = format!("{m}, {s}");
                    }
                    return Err(m);
                }
            }
        } else {
            tokens.push(match c {
                '*' | '×' => Token::Star,
                '+' => Token::Plus,
                '-' | '−' => Token::Minus,
                other => return Err(format!("unexpected `{other}`")),
            });
            i += 1;
        }
    }
    Ok(tokens)
}

/// The summary.csv metric names an assertion may read, in column order.
pub fn metric_names() -> Vec<&'static str> {
    crate::rows::SummaryRow::default()
        .metrics()
        .iter()
        .map(|(name, _)| *name)
        .collect()
}

/// An example block, for hints.
pub const EXAMPLE: &str =
    "add e.g. `expect: {latency_p99_ms: \"< 500\", error_rate: \"< 0.01\", cost_usd: \"<= 1.10 * baseline\"}` to the scenario";

impl Expect {
    /// Checks the block and compiles its assertions; every problem, located by parameter
    /// path (`expect.latency_p99_ms`), in the order written.
    pub fn compile(&self) -> Result<Expectations, Vec<SpecError>> {
        let mut errors = Vec::new();
        let names = metric_names();
        let mut replications = DEFAULT_REPLICATIONS;
        let mut on = On::Mean;
        // Where each assertion's `on: ci95` was written, for the replications message.
        let mut ci95_path: Option<String> = None;
        if let Some(v) = self.entries.get("replications") {
            match v.as_u64() {
                Some(0) => errors.push(
                    SpecError::at_path("expect.replications", "must be at least 1, got 0")
                        .with_hint(format!(
                            "leave it out for the default ({DEFAULT_REPLICATIONS})"
                        )),
                ),
                Some(r) if r <= u64::from(u32::MAX) => replications = r as u32,
                _ => errors.push(
                    SpecError::at_path(
                        "expect.replications",
                        format!("must be a whole number of runs, got {}", show(v)),
                    )
                    .with_hint(format!("write e.g. `replications: {DEFAULT_REPLICATIONS}`")),
                ),
            }
        }
        if let Some(v) = self.entries.get("on") {
            match parse_on(v, "expect.on") {
                Ok(o) => on = o,
                Err(e) => errors.push(e),
            }
        }
        let mut assertions = Vec::new();
        for (key, value) in &self.entries {
            if key == "replications" || key == "on" {
                continue;
            }
            let path = format!("expect.{key}");
            let Some(metric) = names.iter().find(|n| **n == key) else {
                let mut message = format!("unknown metric `{key}`");
                if let Some(s) = did_you_mean(key, names.iter().copied()) {
                    message = format!("{message}, {s}");
                }
                errors.push(SpecError::at_path(&path, message).with_hint(format!(
                    "`expect:` takes `replications`, `on` and summary.csv metrics: {}",
                    names.join(", ")
                )));
                continue;
            };
            let (text, text_path, own_on) = match value {
                Value::String(s) => (s.clone(), path.clone(), None),
                Value::Object(map) => {
                    let mut bad = false;
                    for k in map.keys().filter(|k| *k != "that" && *k != "on") {
                        let mut message = format!("unknown field `{k}` in `{path}`");
                        if let Some(s) = did_you_mean(k, ["that", "on"]) {
                            message = format!("{message}, {s}");
                        }
                        errors.push(
                            SpecError::at_path(format!("{path}.{k}"), message)
                                .with_hint("valid fields here: that, on"),
                        );
                        bad = true;
                    }
                    let own_on = match map.get("on") {
                        None => None,
                        Some(v) => match parse_on(v, &format!("{path}.on")) {
                            Ok(o) => Some(o),
                            Err(e) => {
                                errors.push(e);
                                bad = true;
                                None
                            }
                        },
                    };
                    let that_path = format!("{path}.that");
                    let text = match map.get("that") {
                        Some(Value::String(s)) => s.clone(),
                        Some(other) => {
                            errors.push(not_a_string(&that_path, other));
                            continue;
                        }
                        None => {
                            errors.push(
                                SpecError::at_path(
                                    &path,
                                    format!("missing required field `that` in `{path}`"),
                                )
                                .with_hint(format!("write `{key}: {{that: \"< 500\", on: ci95}}`")),
                            );
                            continue;
                        }
                    };
                    if bad {
                        continue;
                    }
                    (text, that_path, own_on)
                }
                other => {
                    errors.push(not_a_string(&path, other));
                    continue;
                }
            };
            match parse_condition(&text) {
                Ok((op, rhs)) => {
                    let a_on = own_on.unwrap_or(on);
                    if a_on == On::Ci95 && ci95_path.is_none() {
                        ci95_path = Some(match own_on {
                            Some(_) => format!("{path}.on"),
                            None => "expect.on".to_string(),
                        });
                    }
                    assertions.push(Assertion {
                        metric: (*metric).to_string(),
                        op,
                        rhs,
                        on: a_on,
                    });
                }
                Err(e) => errors.push(SpecError::at_path(text_path, e.message).with_hint(e.hint)),
            }
        }
        if replications < 2 && errors.is_empty() {
            if let Some(p) = ci95_path {
                errors.push(
                    SpecError::at_path(
                        p,
                        format!(
                            "`on: ci95` needs at least 2 replications, and `expect.replications` is {replications}"
                        ),
                    )
                    .with_hint(format!(
                        "raise `expect.replications` (default {DEFAULT_REPLICATIONS}), or test the mean with `on: mean`"
                    )),
                );
            }
        }
        if errors.is_empty() && assertions.is_empty() {
            errors.push(
                SpecError::at_path("expect", "the `expect:` block has no assertions")
                    .with_hint(EXAMPLE),
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        assertions.sort_by_key(|a| names.iter().position(|n| *n == a.metric));
        Ok(Expectations {
            replications,
            on,
            assertions,
        })
    }
}

/// Reads `mean` or `ci95`.
fn parse_on(v: &Value, path: &str) -> Result<On, SpecError> {
    let written = match v {
        Value::String(s) => s.as_str(),
        _ => "",
    };
    On::parse(written).ok_or_else(|| {
        let mut message = format!("unknown value `{}` for `{path}`", show(v));
        if let Some(s) = did_you_mean(written, On::NAMES) {
            message = format!("{message}, {s}");
        }
        SpecError::at_path(path, message).with_hint(
            "use one of: mean (compare the mean), ci95 (compare the unfavourable end of the 95 % confidence interval)",
        )
    })
}

/// A condition that is not a string (a bare number, a list, ...).
fn not_a_string(path: &str, v: &Value) -> SpecError {
    let example = match v {
        Value::Number(n) => format!("write \"< {n}\""),
        _ => "write \"< 500\"".to_string(),
    };
    SpecError::at_path(
        path,
        format!(
            "must be a condition string such as \"< 500\", got {}",
            describe(v)
        ),
    )
    .with_hint(format!(
        "{example} (in quotes: an operator, then the threshold)"
    ))
}

fn describe(v: &Value) -> String {
    match v {
        Value::Number(n) => format!("the number {n}"),
        Value::Bool(b) => format!("`{b}`"),
        Value::Null => "nothing".into(),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a block of fields".into(),
        Value::String(s) => format!("`{s}`"),
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(text: &str) -> (Op, Rhs) {
        parse_condition(text).unwrap_or_else(|e| panic!("{text}: {e:?}"))
    }

    fn base(factor: f64, offset: f64) -> Rhs {
        Rhs::Baseline { factor, offset }
    }

    #[test]
    fn conditions_read_every_operator_and_number_form() {
        assert_eq!(cond("< 500"), (Op::Lt, Rhs::Number(500.0)));
        assert_eq!(cond("<=0.01"), (Op::Le, Rhs::Number(0.01)));
        assert_eq!(cond(">1e-3"), (Op::Gt, Rhs::Number(0.001)));
        assert_eq!(cond("  >=  2.5E2 "), (Op::Ge, Rhs::Number(250.0)));
        assert_eq!(cond("> -5"), (Op::Gt, Rhs::Number(-5.0)));
        assert_eq!(cond("< .5"), (Op::Lt, Rhs::Number(0.5)));
    }

    #[test]
    fn conditions_read_every_baseline_form() {
        assert_eq!(cond("<= baseline"), (Op::Le, base(1.0, 0.0)));
        assert_eq!(cond("<= 1.10 * baseline"), (Op::Le, base(1.1, 0.0)));
        assert_eq!(cond(">=0.95*baseline"), (Op::Ge, base(0.95, 0.0)));
        assert_eq!(cond("< baseline * 2"), (Op::Lt, base(2.0, 0.0)));
        assert_eq!(cond("< 1.1 × baseline"), (Op::Lt, base(1.1, 0.0)));
        assert_eq!(cond("< baseline + 50"), (Op::Lt, base(1.0, 50.0)));
        assert_eq!(cond("> baseline-1e-3"), (Op::Gt, base(1.0, -0.001)));
    }

    #[test]
    fn baseline_thresholds_scale_then_offset_and_need_a_baseline() {
        assert_eq!(base(1.1, 0.0).threshold(Some(10.0)), Some(11.0));
        assert_eq!(base(1.0, -2.0).threshold(Some(10.0)), Some(8.0));
        assert_eq!(base(1.0, 0.0).threshold(None), None);
        assert_eq!(Rhs::Number(3.0).threshold(None), Some(3.0));
    }

    #[test]
    fn conditions_print_in_canonical_form() {
        let show = |t: &str| {
            let (op, rhs) = cond(t);
            format!("{} {rhs}", op.symbol())
        };
        assert_eq!(show("<500"), "< 500");
        assert_eq!(show("<= 1.10*baseline"), "<= 1.1 * baseline");
        assert_eq!(show(">= baseline - 5"), ">= baseline - 5");
        assert_eq!(show(">= baseline"), ">= baseline");
    }

    #[test]
    fn bad_conditions_say_what_is_wrong() {
        let e = |t: &str| parse_condition(t).unwrap_err();
        assert!(e("== 5").message.contains("unknown operator `==`"));
        assert!(e("== 5").hint.contains("equality is not supported"));
        assert_eq!(e("=< 5").hint, "write `<=`");
        assert!(e("<< 5").message.contains("unknown operator `<<`"));
        assert!(e("500")
            .message
            .contains("does not start with a comparison operator"));
        assert!(e("").message.contains("empty"));
        assert!(e("<").message.contains("no threshold"));
        assert!(e("< 10 %").message.contains("percentages"));
        assert!(e("< 1.1 * baselin")
            .message
            .contains("did you mean `baseline`"));
        assert!(e("< 1.1 * baseline * 2").message.contains("cannot read"));
        assert!(e("< 2 + 3").message.contains("cannot read"));
        assert!(e("< 1.2.3").message.contains("`1.2.3` is not a number"));
        assert!(e("< 5 ms").message.contains("unknown word `ms`"));
        assert!(e("< inf").message.contains("unknown word `inf`"));
    }

    #[test]
    fn operators_compare_and_know_their_unfavourable_side() {
        assert!(Op::Lt.holds(1.0, 2.0) && !Op::Lt.holds(2.0, 2.0));
        assert!(Op::Le.holds(2.0, 2.0) && !Op::Le.holds(f64::NAN, 2.0));
        assert!(Op::Gt.holds(3.0, 2.0) && !Op::Gt.holds(2.0, 2.0));
        assert!(Op::Ge.holds(2.0, 2.0) && !Op::Ge.holds(2.0, f64::NAN));
        assert!(Op::Le.upper_is_unfavourable() && !Op::Ge.upper_is_unfavourable());
    }

    fn block(yaml: &str) -> Expect {
        serde_saphyr::from_str(yaml).expect("YAML")
    }

    fn errors(yaml: &str) -> Vec<SpecError> {
        block(yaml).compile().unwrap_err()
    }

    #[test]
    fn a_block_compiles_to_assertions_in_column_order() {
        let e = block(
            "replications: 3\non: ci95\ncost_usd: \"<= 1.1 * baseline\"\nlatency_p99_ms: < 500\nthroughput_rps: {that: \">= 10\", on: mean}\n",
        )
        .compile()
        .unwrap();
        assert_eq!(e.replications, 3);
        assert_eq!(e.on, On::Ci95);
        let shown: Vec<String> = e.assertions.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "latency_p99_ms < 500",
                "throughput_rps >= 10",
                "cost_usd <= 1.1 * baseline"
            ]
        );
        let ons: Vec<On> = e.assertions.iter().map(|a| a.on).collect();
        assert_eq!(ons, [On::Ci95, On::Mean, On::Ci95]);
        assert!(e.uses_baseline());
    }

    #[test]
    fn replications_default_to_five_and_on_to_the_mean() {
        let e = block("error_rate: \"< 0.01\"\n").compile().unwrap();
        assert_eq!(e.replications, DEFAULT_REPLICATIONS);
        assert_eq!(e.on, On::Mean);
        assert!(!e.uses_baseline());
    }

    #[test]
    fn an_unknown_metric_is_reported_with_the_nearest_name() {
        let e = errors("latency_p99_msx: \"< 500\"\n");
        assert_eq!(e[0].location, "expect.latency_p99_msx");
        assert!(
            e[0].message
                .contains("unknown metric `latency_p99_msx`, did you mean `latency_p99_ms`?"),
            "{}",
            e[0].message
        );
        assert!(e[0].hint.as_deref().unwrap().contains("cost_usd"));
    }

    #[test]
    fn a_bad_operator_is_reported_at_its_metric() {
        let e = errors("latency_p99_ms: \"== 500\"\n");
        assert_eq!(e[0].location, "expect.latency_p99_ms");
        assert!(e[0].message.contains("unknown operator `==`"));
        let e = errors("latency_p99_ms: {that: \"=> 500\"}\n");
        assert_eq!(e[0].location, "expect.latency_p99_ms.that");
    }

    #[test]
    fn a_bare_number_is_refused_with_a_quoted_example() {
        let e = errors("latency_p99_ms: 500\n");
        assert!(e[0].message.contains("got the number 500"));
        assert!(e[0].hint.as_deref().unwrap().contains("write \"< 500\""));
    }

    #[test]
    fn ci95_needs_two_replications() {
        let e = errors("replications: 1\non: ci95\nerror_rate: \"< 0.01\"\n");
        assert_eq!(e[0].location, "expect.on");
        assert!(e[0].message.contains("at least 2 replications"));
        let e = errors("replications: 1\nerror_rate: {that: \"< 0.01\", on: ci95}\n");
        assert_eq!(e[0].location, "expect.error_rate.on");
        let ok = block("replications: 2\non: ci95\nerror_rate: \"< 0.01\"\n").compile();
        assert!(ok.is_ok());
    }

    #[test]
    fn zero_replications_an_empty_block_and_bad_fields_are_refused() {
        let e = errors("replications: 0\nerror_rate: \"< 0.01\"\n");
        assert_eq!(e[0].location, "expect.replications");
        let e = errors("replications: 2.5\nerror_rate: \"< 0.01\"\n");
        assert!(e[0].message.contains("whole number"));
        let e = errors("replications: 3\n");
        assert_eq!(e[0].location, "expect");
        assert!(e[0].message.contains("no assertions"));
        let e = errors("on: median\nerror_rate: \"< 0.01\"\n");
        assert!(e[0].message.contains("unknown value `median`"));
        let e = errors("error_rate: {that: \"< 1\", onn: ci95}\n");
        assert!(e[0].message.contains("did you mean `on`"));
        let e = errors("error_rate: {on: ci95}\n");
        assert!(e[0].message.contains("missing required field `that`"));
    }

    #[test]
    fn more_replications_from_the_command_line_are_checked_against_ci95() {
        let e = block("on: ci95\nerror_rate: \"< 0.01\"\n")
            .compile()
            .unwrap();
        assert_eq!(e.clone().with_replications(7).unwrap().replications, 7);
        assert!(e.clone().with_replications(1).is_err());
        assert!(e.with_replications(0).is_err());
    }
}
