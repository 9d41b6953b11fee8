//! Numeric columns from CSV files (empirical distributions, arrival traces).
//!
//! A file is read once, at compile time, streaming record by record into one reused buffer,
//! so a large trace costs one pass and no per-row allocation. The first row is a header that
//! names the columns. Every value must parse as a finite number; anything else is reported at
//! `file:LINE` with the column name, so the user can jump straight to it.

use crate::scenario::SpecError;
use std::path::{Path, PathBuf};

/// The path a scenario's `file:` entry refers to: relative paths are relative to `base_dir`.
pub(crate) fn resolve(base_dir: &Path, file: &str) -> PathBuf {
    let p = Path::new(file);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base_dir.join(p)
    }
}

/// Reads the `N` numeric `columns` of the CSV `file` (`None` = the first column) and calls
/// `row(line, values)` for every data row. `param` is the scenario path of the `file` field
/// (`service.cpu.file`), used when the file cannot be opened. An error returned by `row` is
/// reported at `file:LINE`.
pub(crate) fn for_each_row<const N: usize>(
    base_dir: &Path,
    file: &str,
    param: &str,
    columns: [Option<&str>; N],
    mut row: impl FnMut(u64, [f64; N]) -> Result<(), String>,
) -> Result<(), SpecError> {
    let resolved = resolve(base_dir, file);
    let shown = resolved.display().to_string();
    let handle = std::fs::File::open(&resolved).map_err(|e| {
        SpecError::at_path(param, format!("cannot open `{shown}`: {e}"))
            .with_hint("relative paths are resolved against the scenario file's directory")
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(std::io::BufReader::new(handle));
    let at = |line: u64| format!("{shown}:{line}");
    let csv_err = |e: csv::Error| {
        let line = e.position().map_or(1, |p| p.line());
        SpecError::at_path(at(line), format!("unreadable CSV: {e}"))
    };

    let headers = reader.headers().map_err(csv_err)?.clone();
    let mut index = [0usize; N];
    for (slot, col) in index.iter_mut().zip(columns) {
        *slot = match col {
            None if !headers.is_empty() => 0,
            None => usize::MAX,
            Some(name) => headers.iter().position(|h| h == name).unwrap_or(usize::MAX),
        };
        if *slot == usize::MAX {
            let names: Vec<&str> = headers.iter().collect();
            return Err(SpecError::at_path(
                at(1),
                format!(
                    "no column `{}` in the header (columns: {})",
                    col.unwrap_or("<first>"),
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                ),
            )
            .with_hint("the first row must be a header naming the columns"));
        }
    }

    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(csv_err)? {
        let line = record.position().map_or(0, |p| p.line());
        let mut values = [0.0; N];
        for (k, (value, &i)) in values.iter_mut().zip(&index).enumerate() {
            let name = columns[k].unwrap_or(&headers[0]);
            let text = record.get(i).ok_or_else(|| {
                SpecError::at_path(at(line), format!("missing value for column `{name}`"))
            })?;
            *value = match text.parse::<f64>() {
                Ok(v) if v.is_finite() => v,
                _ => {
                    return Err(SpecError::at_path(
                        at(line),
                        format!("`{text}` in column `{name}` is not a finite number"),
                    ))
                }
            };
        }
        row(line, values).map_err(|msg| SpecError::at_path(at(line), msg))?;
    }
    Ok(())
}

/// Writes `text` to `name` in a per-process temporary directory and returns its path.
#[cfg(test)]
pub(crate) fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hpasim-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}
