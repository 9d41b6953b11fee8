"""Read an hpasim output directory with pandas and redraw the run's timeline.

    hpasim run scenarios/graphql-gateway/scenario.yaml --out out/gateway
    python3 examples/notebook/timeline.py out/gateway out/gateway/timeline-pandas.png

Every hpasim CSV row starts with scenario, variant, replication and seed, and every column
name carries its unit, so no joins and no unit guessing are needed. The same code runs cell by
cell in examples/notebook/timeline.ipynb.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402


def load(out_dir):
    """summary, timeseries, events and (if present) latency_cdf as DataFrames."""
    out = Path(out_dir)
    frames = {
        name: pd.read_csv(out / f"{name}.csv") for name in ("summary", "timeseries")
    }
    # An empty `detail` is an empty text, not a missing number.
    frames["events"] = pd.read_csv(out / "events.csv", keep_default_na=False)
    cdf = out / "latency_cdf.csv"
    frames["latency_cdf"] = pd.read_csv(cdf) if cdf.exists() else None
    return frames


def scale_decisions(events):
    """replicas_set rows made by an autoscaler, with from/to/reason parsed from `detail`."""
    rescale = events[
        (events["kind"] == "replicas_set")
        & ~events["detail"].str.contains("initial", regex=False)
    ].copy()
    parts = rescale["detail"].str.extract(r"(?P<from_>\d+) -> (?P<to>\d+) \((?P<reason>.*)\)")
    return pd.concat([rescale[["time_s"]], parts], axis=1)


def draw(frames, png):
    ts = frames["timeseries"]
    run = ts[(ts["variant"] == ts["variant"].iloc[0]) & (ts["replication"] == 0)]
    minutes = run["time_s"] / 60.0
    fig, (rate, pods, latency) = plt.subplots(3, 1, sharex=True, figsize=(10, 8))
    rate.plot(minutes, run["arrival_rate_rps"], color="tab:gray")
    rate.set_ylabel("arrivals [req/s]")
    pods.step(minutes, run["replicas_desired"], where="pre", label="desired")
    pods.step(minutes, run["pods_ready"], where="pre", label="ready")
    for t in scale_decisions(frames["events"])["time_s"]:
        pods.axvline(t / 60.0, color="tab:red", alpha=0.3, linewidth=1)
    pods.set_ylabel("replicas [pods]")
    pods.legend(loc="upper left")
    for q in ("p50", "p95", "p99"):
        latency.plot(minutes, run[f"latency_{q}_ms"], label=q)
    latency.set_yscale("log")
    latency.set_ylabel("latency per interval [ms]")
    latency.set_xlabel("time [min]")
    latency.legend(loc="upper left")
    fig.suptitle(f"{run['scenario'].iloc[0]}: load, replicas and latency")
    fig.tight_layout()
    fig.savefig(png, dpi=100)


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    out_dir = argv[1]
    png = argv[2] if len(argv) == 3 else str(Path(out_dir) / "timeline-pandas.png")
    frames = load(out_dir)
    summary = frames["summary"].iloc[0]
    print(f"scenario {summary['scenario']}: {int(summary['requests'])} requests")
    print(f"latency_p99_ms {summary['latency_p99_ms']}")
    print(f"cost_usd {summary['cost_usd']}")
    ts = frames["timeseries"]
    worst = ts.loc[ts["latency_p99_ms"].idxmax()]
    print(f"worst interval ends at {worst['time_s']} s with p99 {worst['latency_p99_ms']} ms")
    decisions = scale_decisions(frames["events"])
    print(f"scale decisions {len(decisions)}")
    cdf = frames["latency_cdf"]
    if cdf is not None:
        p99 = cdf.loc[(cdf["replication"] == 0) & (cdf["quantile"] == 0.99), "latency_ms"]
        print(f"cdf p99 {p99.iloc[0]}")
    draw(frames, png)
    print(f"wrote {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
