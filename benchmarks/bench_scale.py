"""Out of core and on a cluster: the reduce step on 10M and 100M generated responses stored as Parquet.

Tasks, each from the Parquet files to the finished result:
  nps_table   NPS of 100 segments, each against the rest, Holm-adjusted (score histogram)
  shapley     key-driver analysis with p = 12 drivers: exact Shapley shares, relative
              weights, betas, dominance (cross-product matrix; no bootstrap)
  km          Kaplan-Meier by segment (10 plans) with Greenwood intervals, and the log-rank test
Backends: pandas (the needed columns read into memory, then cxlib's in-memory functions,
as the studies run with backend "pandas"), DuckDB (SQL on the files, 2 threads) and
Dask (a LocalCluster of 2 single-threaded worker processes on this 2-core machine).

Each (rows, backend, task) runs in a fresh process: wall time from opening the source to
the result (a Dask cluster is started, with cxlib imported, before the clock, as a user's would be running);
peak memory is the highest total resident memory of that process and its children
(the Dask workers), sampled every 20 ms. pandas is not run at 100M rows: the rows alone
need more memory than the others' peak, and the point of the backends is not to load them.
The results of every backend are compared in the run (largest difference printed).

Usage: python benchmarks/bench_scale.py [--rows 10000000 100000000] [--repeat 3] [--data benchmarks/data]
Writes the table into benchmarks/README.md (between the scale markers) unless --no-readme.
"""

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
DRIVERS = [f"d{i:02d}" for i in range(1, 13)]
CHUNK = 2_500_000
BACKENDS = ("pandas", "duckdb", "dask")
TASKS = ("nps_table", "shapley", "km")
MARK_START, MARK_END = "<!-- scale:start -->", "<!-- scale:end -->"


def generate(folder: Path, rows: int, seed: int = 0) -> Path:
    """Responses in Parquet files of 2.5M rows: segment (100), plan (10), nps, 12 ratings, duration, event."""
    target = folder / f"responses_{rows}"
    if (target / "_done").exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    segments = pd.Categorical.from_codes(np.arange(100), [f"s{i:02d}" for i in range(100)]).categories
    plans = [f"plan{i}" for i in range(10)]
    beta = np.linspace(0.35, 0.05, 12)
    for part, start in enumerate(range(0, rows, CHUNK)):
        n = min(CHUNK, rows - start)
        rng = np.random.default_rng((seed, part))
        latent = rng.normal(size=n)
        ratings = np.clip(np.round(5.5 + 1.6 * (0.6 * latent[:, None] + 0.8 * rng.normal(size=(n, 12)))), 1, 10)
        segment = rng.integers(0, 100, n)
        plan = segment % 10
        score = ratings @ beta + 0.02 * segment - 5.0 + rng.normal(0, 1.5, n)
        nps = np.clip(np.round(score), 0, 10)
        lifetime = rng.weibull(0.8, n) * 900 * np.exp(0.08 * (nps - 7) + 0.03 * plan)
        follow_up = rng.uniform(30, 1500, n)
        table = pa.table({
            "segment": pa.DictionaryArray.from_arrays(segment.astype(np.int32), list(segments)),
            "plan": pa.DictionaryArray.from_arrays(plan.astype(np.int32), plans),
            "nps": nps.astype(np.int8),
            **{d: ratings[:, i].astype(np.int8) for i, d in enumerate(DRIVERS)},
            "duration": np.floor(np.minimum(lifetime, follow_up)).astype(np.int16),
            "event": (lifetime <= follow_up).astype(np.int8),
        })
        pq.write_table(table, target / f"part-{part:04d}.parquet", row_group_size=500_000)
    (target / "_done").touch()
    return target


def _km_check(counts) -> np.ndarray:
    """Kaplan-Meier by segment and the log-rank test; the last survival per segment and the statistic."""
    from cxlib.lifecycle.survival import kaplan_meier, logrank

    km = kaplan_meier(counts)
    return np.append(km.groupby("segment")["survival"].last().to_numpy(), logrank(counts)["statistic"])


def run_task(path: Path, backend: str, task: str) -> dict:
    """One measurement (in its own process): seconds and a summary of the result to compare across backends."""
    from cxlib.drivers.key_drivers import key_drivers, key_drivers_from_source
    from cxlib.engine import open_source
    from cxlib.lifecycle.survival import survival_counts
    from cxlib.metrics.compare import segment_table, segment_table_from_histograms

    client = None
    if backend == "dask":
        from distributed import Client, LocalCluster

        client = Client(LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                     memory_limit="8GiB"))
        client.run(__import__, "cxlib.engine")  # a running cluster has its libraries imported
    start = time.perf_counter()
    if backend == "pandas":  # what the studies do in memory: read the columns, then cxlib on the DataFrame
        columns = {"nps_table": ["segment", "nps"], "shapley": ["nps", *DRIVERS],
                   "km": ["plan", "duration", "event"]}[task]
        frame = pd.read_parquet(path, columns=columns)
        if task == "nps_table":
            check = segment_table(frame, by="segment")["value"].to_numpy()
        elif task == "shapley":
            check = key_drivers(frame, "nps", DRIVERS, n_boot=0).drivers["share"].to_numpy()
        else:
            counts = survival_counts(frame["duration"].to_numpy(), frame["event"].to_numpy(bool),
                                     segment=frame["plan"])
            check = _km_check(counts)
        source = None
    else:
        source = open_source(path, backend, dask_scheduler=client)
        if backend == "duckdb":
            source.connection.execute("SET threads = 2")
        if task == "nps_table":
            table = segment_table_from_histograms({"segment": source.score_histogram("nps", by="segment")})
            check = table["value"].to_numpy()
        elif task == "shapley":
            check = key_drivers_from_source(source, "nps", DRIVERS, n_boot=0).drivers["share"].to_numpy()
        else:
            check = _km_check(source.survival_counts("duration", "event", segment="plan"))
    seconds = time.perf_counter() - start
    if source is not None:
        source.close()
    if client is not None:
        client.close()
    return {"seconds": seconds, "check": check.tolist()}


def measure(path: Path, backend: str, task: str) -> dict:
    """Run one task in a child process and sample its (and its children's) resident memory."""
    child = subprocess.Popen([sys.executable, __file__, "--one", str(path), backend, task], stdout=subprocess.PIPE,
                             text=True)
    parent = psutil.Process(child.pid)
    peak = [0]

    def sample():
        while child.poll() is None:
            try:
                total = sum(p.memory_info().rss for p in [parent, *parent.children(recursive=True)])
                peak[0] = max(peak[0], total)
            except psutil.Error:
                pass
            time.sleep(0.02)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    out, _ = child.communicate()
    watcher.join()
    if child.returncode:
        raise SystemExit(f"{backend} {task} failed with exit code {child.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_gb"] = peak[0] / 2**30
    return result


def table_markdown(results: list[dict]) -> str:
    lines = ["| rows | task | backend | seconds (median) | peak memory (GB) | relative to DuckDB | max difference from DuckDB |",
             "|---:|---|---|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['rows']:,} | {r['task']} | {r['backend']} | {r['seconds']:.2f} | {r['peak_gb']:.2f} | "
                     f"{r['ratio']:.1f}x | {r['difference']:.1e} |")
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme = HERE / "README.md"
    content = readme.read_text()
    before, _, rest = content.partition(MARK_START)
    _, _, after = rest.partition(MARK_END)
    readme.write_text(f"{before}{MARK_START}\n{text}\n{MARK_END}{after}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000_000, 100_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement below 50M rows (1 above)")
    parser.add_argument("--data", type=Path, default=HERE / "data")
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_task(Path(args.one[0]), args.one[1], args.one[2])))
        return
    results = []
    for rows in args.rows:
        start = time.perf_counter()
        path = generate(args.data, rows)
        print(f"{rows:,} rows in {path} ({time.perf_counter() - start:.0f} s to generate if new)", flush=True)
        for task in TASKS:
            runs = {}
            for backend in BACKENDS:
                if backend == "pandas" and rows > 50_000_000:
                    continue
                repeats = [measure(path, backend, task) for _ in range(args.repeat if rows < 50_000_000 else 1)]
                runs[backend] = {"seconds": statistics.median(r["seconds"] for r in repeats),
                                 "peak_gb": max(r["peak_gb"] for r in repeats), "check": np.array(repeats[0]["check"])}
            for backend, run in runs.items():
                difference = float(np.max(np.abs(run["check"] - runs["duckdb"]["check"])))
                results.append({"rows": rows, "task": task, "backend": backend, "seconds": run["seconds"],
                                "peak_gb": run["peak_gb"], "ratio": run["seconds"] / runs["duckdb"]["seconds"],
                                "difference": difference})
                print(f"{rows:>12,} {task:<10} {backend:<7} {run['seconds']:8.2f} s {run['peak_gb']:6.2f} GB "
                      f"diff {difference:.1e}", flush=True)
    text = table_markdown(results)
    print(text)
    if not args.no_readme:
        write_readme(text)


if __name__ == "__main__":
    main()
