//! `hpasim report OUT_DIR`: plots and one self-contained report.html drawn from an output
//! directory's files.
//!
//! * [`load`], [`runs`]: the files, read into plain structs (columns looked up by name).
//! * [`meta`]: hpasim.json ([`RunMeta`]), which `run` and `sweep` write next to the CSV.
//! * [`decisions`]: the scale decision log parsed from events.csv.
//! * [`html`]: the report page.
//!
//! [`write_report`] reads everything first, draws every plot in memory, then writes
//! `DIR/plots/*.svg|png` and `DIR/report.html` atomically (temp files renamed into place): an
//! error leaves no partial file.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::plots::cdf::{CdfChart, CdfSeries};
use crate::plots::sweep::{Heatmap, Pareto, ParetoPoint};
use crate::plots::timeline::Timeline;
use crate::plots::{render_png, render_svg, Chart};
use crate::{OutputDir, ReportError};

pub mod decisions;
pub mod html;
pub mod load;
pub mod meta;
pub mod runs;

pub use load::{Aggregate, Summary};
pub use meta::{MetaFile, RunMeta, SloMeta};
pub use runs::{Event, RunKey, RunSelect, Timeseries};

/// What `write_report` produces.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportOptions {
    /// Write `plots/*.png`.
    pub png: bool,
    /// Write `plots/*.svg`.
    pub svg: bool,
    /// Write `report.html` (its plots are inline SVG, whatever `svg` says).
    pub html: bool,
    /// The variant whose timeline is drawn (default: the first in the files).
    pub variant: Option<String>,
    /// The replication whose timeline and latency CDFs are drawn [default: the first; 0 for
    /// the CDFs].
    pub replication: Option<u32>,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            png: true,
            svg: true,
            html: true,
            variant: None,
            replication: None,
        }
    }
}

/// Everything read from an output directory.
#[derive(Clone, Debug)]
pub struct ReportData {
    /// hpasim.json, when present.
    pub meta: Option<RunMeta>,
    /// summary.csv.
    pub summary: Summary,
    /// aggregate.csv (a sweep directory has one).
    pub aggregate: Option<Aggregate>,
    /// The selected run's time series, when timeseries.csv exists.
    pub timeseries: Option<Timeseries>,
    /// The selected run's scale decisions from events.csv (empty without events.csv).
    pub decisions: Vec<Event>,
    /// Latency CDFs of the selected replication, per variant (latency_cdf.csv).
    pub cdfs: Vec<runs::LatencyCdf>,
}

impl ReportData {
    /// Reads the output directory `dir`.
    pub fn load(dir: &Path, opts: &ReportOptions) -> Result<ReportData, ReportError> {
        match std::fs::metadata(dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(not_a_dir(dir, std::io::Error::other("not a directory"))),
            Err(e) => return Err(not_a_dir(dir, e)),
        }
        let meta = load::load_meta(&dir.join("hpasim.json"))?;
        let agg_path = dir.join("aggregate.csv");
        let aggregate = if agg_path.exists() {
            Some(Aggregate::load(&agg_path)?)
        } else {
            None
        };
        let params = aggregate
            .as_ref()
            .map_or_else(Vec::new, |a| a.parameters.clone());
        let summary_path = dir.join("summary.csv");
        let summary = Summary::load(&summary_path, &params)?;
        let select = RunSelect {
            variant: opts.variant.clone(),
            replication: opts.replication,
        };
        let chosen = summary.rows.iter().find(|r| {
            select.variant.as_ref().is_none_or(|v| *v == r.variant)
                && select.replication.is_none_or(|n| n == r.replication)
        });
        if chosen.is_none() && (select.variant.is_some() || select.replication.is_some()) {
            let names: Vec<&str> = summary.variants().iter().take(20).map(|v| v.0).collect();
            return Err(ReportError::Input {
                path: summary_path,
                line: None,
                message: "no run matches --variant/--replication".to_owned(),
                hint: format!("the directory holds the variants {}", names.join(", ")),
            });
        }
        let ts_path = dir.join("timeseries.csv");
        let timeseries = match chosen {
            Some(r) if ts_path.exists() => {
                let exact = RunSelect {
                    variant: Some(r.variant.clone()),
                    replication: Some(r.replication),
                };
                Some(runs::load_timeseries(&ts_path, &exact)?)
            }
            _ => None,
        };
        let ev_path = dir.join("events.csv");
        let decisions = match &timeseries {
            Some(ts) if ev_path.exists() => runs::load_decisions(&ev_path, &ts.run)?,
            _ => Vec::new(),
        };
        let cdf_path = dir.join("latency_cdf.csv");
        let cdfs = if cdf_path.exists() {
            runs::load_cdfs(&cdf_path, opts.replication.unwrap_or(0))?
        } else {
            Vec::new()
        };
        Ok(ReportData {
            meta,
            summary,
            aggregate,
            timeseries,
            decisions,
            cdfs,
        })
    }

    /// Whether the directory is a sweep's (it has aggregate.csv).
    pub fn is_sweep(&self) -> bool {
        self.aggregate.is_some()
    }

    /// The scenario's name.
    pub fn scenario(&self) -> String {
        match (&self.meta, self.summary.rows.first()) {
            (Some(m), _) => m.scenario.clone(),
            (None, Some(r)) => r.scenario.clone(),
            (None, None) => "hpasim".to_owned(),
        }
    }

    /// The sweep's variants on the cost/latency plane (variants missing a value left out).
    pub fn pareto(&self) -> Pareto {
        let cost = self.summary.variant_means("cost_usd");
        let p99 = self.summary.variant_means("latency_p99_ms");
        let points = self
            .summary
            .variants()
            .iter()
            .enumerate()
            .filter_map(|(i, (name, _))| {
                Some(ParetoPoint {
                    name: name.to_string(),
                    index: i,
                    cost_usd: cost[i]?,
                    latency_p99_ms: p99[i]?,
                })
            })
            .collect();
        let title = format!("{}: cost vs p99 latency per variant", self.scenario());
        Pareto { title, points }
    }
}

fn not_a_dir(dir: &Path, source: std::io::Error) -> ReportError {
    ReportError::Read {
        path: dir.to_path_buf(),
        source,
        hint: "pass the output directory of `hpasim run` or `hpasim sweep` (its --out)".to_owned(),
    }
}

/// One drawn plot: its file stem, caption and SVG text.
#[derive(Clone, Debug)]
pub struct Figure {
    /// File stem (`timeline`, `pareto`, ...).
    pub name: String,
    /// A sentence describing the plot.
    pub caption: String,
    /// The SVG document.
    pub svg: String,
    /// The PNG image, when asked for.
    pub png: Option<Vec<u8>>,
}

fn figure<C: Chart>(
    dir: &Path,
    name: &str,
    caption: String,
    chart: &C,
    png: bool,
) -> Result<Figure, ReportError> {
    let fail = |ext: &str| {
        let path = dir.join("plots").join(format!("{name}.{ext}"));
        move |message| ReportError::Draw { path, message }
    };
    let svg = render_svg(chart).map_err(fail("svg"))?;
    let png = if png {
        Some(render_png(chart).map_err(fail("png"))?)
    } else {
        None
    };
    Ok(Figure {
        name: name.to_owned(),
        caption,
        svg,
        png,
    })
}

/// Draws every plot the data allows.
pub fn figures(dir: &Path, data: &ReportData, png: bool) -> Result<Vec<Figure>, ReportError> {
    let mut out = Vec::new();
    let slo = data.meta.as_ref().and_then(|m| m.slo.clone());
    if let Some(ts) = &data.timeseries {
        let r = &ts.run;
        let title = match data.is_sweep() {
            true => format!(
                "{}: variant {}, replication {} (seed {})",
                r.scenario, r.variant, r.replication, r.seed
            ),
            false => format!("{}: one run (seed {})", r.scenario, r.seed),
        };
        let chart = Timeline::new(title, ts.points.clone(), &data.decisions, slo);
        let caption = "Arrival rate, desired replicas and ready pods with each scale decision marked, latency percentiles \
                       of the requests completed in each interval, and errors (rejected + timed out) per interval."
            .to_owned();
        out.push(figure(dir, "timeline", caption, &chart, png)?);
    }
    let pareto = data.pareto();
    let front: Vec<usize> = pareto
        .front()
        .iter()
        .map(|&i| pareto.points[i].index)
        .collect();
    if data.is_sweep() && !pareto.points.is_empty() {
        let caption = "Each variant's mean cost and mean p99 latency over its replications; the Pareto front \
                       (no other variant is both cheaper and faster) is highlighted."
            .to_owned();
        out.push(figure(dir, "pareto", caption, &pareto, png)?);
        let params = &data.summary.parameters;
        if params.len() == 2 {
            let variants = data.summary.variants();
            for (metric, desc) in [
                ("latency_p99_ms", "p99 latency [ms]"),
                ("cost_usd", "cost [USD]"),
            ] {
                let means = data.summary.variant_means(metric);
                let cells: Vec<(&[String], Option<f64>)> =
                    variants.iter().map(|v| v.1).zip(means).collect();
                let title = format!("{}: {desc}, mean over replications", data.scenario());
                if let Some(h) =
                    Heatmap::from_grid(title, desc.to_owned(), [&params[0], &params[1]], &cells)
                {
                    let caption = format!(
                        "Mean {desc} over the grid of {} × {}.",
                        params[0], params[1]
                    );
                    out.push(figure(dir, &format!("heatmap_{metric}"), caption, &h, png)?);
                }
            }
        }
    }
    if !data.cdfs.is_empty() {
        let names: Vec<&str> = data.summary.variants().iter().map(|v| v.0).collect();
        let index = |n: &str| names.iter().position(|v| *v == n).unwrap_or(usize::MAX);
        let mut series: Vec<CdfSeries> = data
            .cdfs
            .iter()
            .map(|c| CdfSeries {
                name: c.variant.clone(),
                index: index(&c.variant),
                points: c.points.clone(),
            })
            .collect();
        // The Pareto variants first (by cost), then the others in summary order.
        series.sort_by_key(|s| {
            (
                front
                    .iter()
                    .position(|&f| f == s.index)
                    .unwrap_or(usize::MAX),
                s.index,
            )
        });
        series.truncate(crate::plots::cdf::MAX_SERIES);
        let replication = data.cdfs[0].replication;
        let title = format!(
            "{}: latency distribution (replication {replication})",
            data.scenario()
        );
        let caption = "Cumulative distribution of request latency (log scale): the fraction of requests answered \
                       within each latency. At most ten variants, the Pareto front's first."
            .to_owned();
        out.push(figure(
            dir,
            "cdf",
            caption,
            &CdfChart { title, series },
            png,
        )?);
    }
    Ok(out)
}

/// Reads `dir`'s files and writes the plots (`dir/plots/NAME.svg`, `.png`) and
/// `dir/report.html`, as `opts` asks; returns the written paths.
pub fn write_report(dir: &Path, opts: &ReportOptions) -> Result<Vec<PathBuf>, ReportError> {
    let data = ReportData::load(dir, opts)?;
    let figs = figures(dir, &data, opts.png)?;
    let page = opts.html.then(|| html::render(&data, &figs));
    let mut written = Vec::new();
    let mut plots = if (opts.svg || opts.png) && !figs.is_empty() {
        Some(OutputDir::create(&dir.join("plots"))?)
    } else {
        None
    };
    if let Some(out) = plots.as_mut() {
        for f in &figs {
            if opts.svg {
                write_file(out, &format!("{}.svg", f.name), f.svg.as_bytes())?;
            }
            if let Some(png) = &f.png {
                write_file(out, &format!("{}.png", f.name), png)?;
            }
        }
    }
    let mut root = None;
    if let Some(page) = page {
        let mut out = OutputDir::create(dir)?;
        write_file(&mut out, "report.html", page.as_bytes())?;
        root = Some(out);
    }
    if let Some(out) = plots {
        written.extend(out.commit()?);
    }
    if let Some(out) = root {
        written.extend(out.commit()?);
    }
    Ok(written)
}

fn write_file(out: &mut OutputDir, name: &str, bytes: &[u8]) -> Result<(), ReportError> {
    let mut f = out.create_file(name)?;
    f.write_all(bytes).map_err(|source| ReportError::Write {
        path: out.final_path(name),
        source,
    })
}

#[cfg(test)]
mod tests;
