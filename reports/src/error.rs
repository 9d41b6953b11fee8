//! The errors of writing reports: each names the path and says how to fix it.

use std::io;
use std::path::PathBuf;

/// Why output could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The output directory could not be created.
    #[error(
        "cannot create output directory {}: {source}; check the path (is a parent a file?) \
         and its permissions, or pass another --out",
        path.display()
    )]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// An output file could not be created, written, flushed or synced.
    #[error(
        "cannot write {}: {source}; check free disk space and permissions, or pass another --out",
        path.display()
    )]
    Write {
        /// The file as it would be named once committed.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A finished temp file could not be renamed into place.
    #[error(
        "cannot move {} into place as {}: {source}; check permissions of the output directory",
        from.display(),
        to.display()
    )]
    Commit {
        /// The temp file.
        from: PathBuf,
        /// Its final name.
        to: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A file name was not a plain name, or was asked for twice in one directory.
    #[error("bad output file name {name:?} in {}: {reason}", dir.display())]
    FileName {
        /// The output directory.
        dir: PathBuf,
        /// The name asked for.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An input file or directory of `hpasim report` does not exist or cannot be read.
    #[error("cannot read {}: {source}; {hint}", path.display())]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
        /// How to fix it.
        hint: String,
    },
    /// An input file of `hpasim report` is malformed (bad CSV or JSON, a missing column, a
    /// cell that is not a number).
    #[error("{}{}: {message}; {hint}", path.display(), line.map_or_else(String::new, |l| format!(":{l}")))]
    Input {
        /// The file.
        path: PathBuf,
        /// The line, when known (1-based, the header is line 1).
        line: Option<u64>,
        /// What is wrong.
        message: String,
        /// How to fix it.
        hint: String,
    },
    /// A plot could not be drawn (a bug or an unusual value, not bad input).
    #[error("cannot draw {}: {message}", path.display())]
    Draw {
        /// The plot file that was being drawn.
        path: PathBuf,
        /// The drawing library's message.
        message: String,
    },
}

impl ReportError {
    /// Whether the error is the user's input (exit status 2) rather than a failure to write
    /// (exit status 1).
    pub fn is_input(&self) -> bool {
        matches!(self, ReportError::Read { .. } | ReportError::Input { .. })
    }

    /// A write error on `path`, from a csv error (I/O or otherwise).
    pub(crate) fn from_csv(path: PathBuf, err: csv::Error) -> Self {
        let source = if err.is_io_error() {
            match err.into_kind() {
                csv::ErrorKind::Io(e) => e,
                other => io::Error::other(format!("{other:?}")),
            }
        } else {
            io::Error::other(err.to_string())
        };
        ReportError::Write { path, source }
    }
}
