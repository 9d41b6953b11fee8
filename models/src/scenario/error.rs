//! The one error type of scenario loading and validation.

use std::fmt;

/// A problem with the user's input: what is wrong, where, and how to fix it.
///
/// `location` is `file:line:column` when the problem can be pinned to the text, otherwise the
/// file and the parameter path (`scenario.yaml: pods.replicas`) or the `--set` that caused it.
#[derive(Clone, Debug, PartialEq)]
pub struct SpecError {
    /// Where: `file:line:column`, or `file: parameter.path`, or `--set a.b=c`.
    pub location: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is something useful to say.
    pub hint: Option<String>,
}

impl SpecError {
    /// An error at a parameter path (`workload.arrivals.rate`), before a file location is known.
    pub fn at_path(path: impl Into<String>, message: impl Into<String>) -> SpecError {
        SpecError {
            location: path.into(),
            message: message.into(),
            hint: None,
        }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> SpecError {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecError {}
