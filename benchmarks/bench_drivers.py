"""Shapley driver shares: cxlib against a naive OLS loop, the dominance-analysis package, and the correlation matrix.

n = 100,000 rows, p = 8, 10, 12 correlated drivers, side by side in one run:
* cxlib ``shapley_shares`` from the rows (its covariance matrix included), and the full
  ``key_drivers`` analysis without bootstrap (shares plus group shares, relative weights,
  betas with intervals, VIF, dominance, priorities);
* the practical limit: computing the correlation matrix alone (``np.corrcoef``);
* a naive loop of statsmodels OLS over every subset of drivers on the rows (one run: it is slow);
* the PyPI package dominance-analysis (``Dominance(..., objective=1)``), when installed
  (``pip install dominance-analysis``; to import it under numpy 2 this script sets
  ``np.bool8 = np.bool_`` and replaces ``bokeh.io.output_notebook`` by a no-op), in its
  default mode and in its correlation mode.
Reports medians, ratios and the largest difference of shares from cxlib's. Then the
scale targets: p = 12 on 1M rows plus 1,000 bootstrap resamples on a 100k subsample,
and p = 20 exact. Usage: python benchmarks/bench_drivers.py [--skip-naive] [--skip-peer]
"""

import argparse
import itertools
import math
import time
import types

import numpy as np
import pandas as pd
import statsmodels.api as sm
from timing import median_seconds

from cxlib.drivers.key_drivers import key_drivers, shapley_shares


def data(n: int, p: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(p, p)) * 0.5 + np.eye(p)
    x = rng.normal(size=(n, p)) @ mixing
    y = x @ rng.uniform(0.1, 1.0, p) + 2 * rng.normal(size=n)
    return pd.DataFrame(x, columns=[f"d{i:02d}" for i in range(p)]).assign(y=y)


def naive_shares(frame: pd.DataFrame, drivers: list[str]) -> np.ndarray:
    """Fit OLS on the rows for every subset, then average the marginal R^2 (LMG)."""
    p = len(drivers)
    r2 = {(): 0.0}
    for size in range(1, p + 1):
        for subset in itertools.combinations(range(p), size):
            r2[subset] = sm.OLS(frame["y"], sm.add_constant(frame[[drivers[i] for i in subset]])).fit().rsquared
    values = np.zeros(p)
    for j in range(p):
        for size in range(p):
            w = math.factorial(size) * math.factorial(p - size - 1) / math.factorial(p)
            for subset in itertools.combinations([i for i in range(p) if i != j], size):
                values[j] += w * (r2[tuple(sorted((*subset, j)))] - r2[subset])
    return values / values.sum()


def peer_module():
    """dominance-analysis, imported with the two patches it needs under numpy 2, or None."""
    np.bool8 = np.bool_
    try:
        import bokeh.io

        bokeh.io.output_notebook = lambda *args, **kwargs: None
        from dominance_analysis import Dominance
    except ImportError:
        return None
    return types.SimpleNamespace(Dominance=Dominance)


def peer_shares(peer, frame: pd.DataFrame, drivers: list[str], data_format: int) -> np.ndarray:
    dominance = peer.Dominance(data=frame, target="y", objective=1, top_k=len(drivers), data_format=data_format)
    dominance.incremental_rsquare()
    table = dominance.dominance_stats()
    return (table.loc[drivers, "Total Dominance"] / table["Total Dominance"].sum()).to_numpy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--skip-peer", action="store_true")
    args = parser.parse_args()
    peer = None if args.skip_peer else peer_module()
    print("n = 100,000 rows; seconds are medians of", args.repeat, "runs (naive and peer: one run)")
    print("| p | np.corrcoef (array) | DataFrame.corr() | cxlib shares | shares / corrcoef | full analysis "
          "| naive OLS loop | naive / cxlib | dominance-analysis | its correlation mode | peer / cxlib "
          "| max abs diff of shares |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for p in (8, 10, 12):
        frame = data(100_000, p)
        drivers = [c for c in frame.columns if c != "y"]
        values = frame.to_numpy()
        corr = median_seconds(lambda v=values: np.corrcoef(v, rowvar=False), args.repeat)
        frame_corr = median_seconds(lambda f=frame: f.corr(), args.repeat)
        ours = median_seconds(lambda f=frame, d=drivers: shapley_shares(f, "y", d), args.repeat)
        full = median_seconds(lambda f=frame, d=drivers: key_drivers(f, "y", drivers=d, n_boot=0), args.repeat)
        shares = shapley_shares(frame, "y", drivers).to_numpy()
        cells = [f"{p}", f"{corr:.4f}", f"{frame_corr:.4f}", f"{ours:.4f}", f"{ours / corr:.1f}x", f"{full:.4f}"]
        diffs = []
        if args.skip_naive:
            cells += ["-", "-"]
        else:
            start = time.perf_counter()
            naive = naive_shares(frame, drivers)
            seconds = time.perf_counter() - start
            diffs.append(np.abs(naive - shares).max())
            cells += [f"{seconds:.2f}", f"{seconds / ours:,.0f}x"]
        if peer is None:
            cells += ["not installed", "-", "-"]
        else:
            timings = []
            for data_format in (0, 1):
                source = frame if data_format == 0 else frame.corr()
                start = time.perf_counter()
                theirs = peer_shares(peer, source, drivers, data_format)
                timings.append(time.perf_counter() - start)
                diffs.append(np.abs(theirs - shares).max())
            cells += [f"{timings[0]:.2f}", f"{timings[1]:.2f}", f"{min(timings) / ours:,.0f}x"]
        cells.append(f"{max(diffs):.1e}" if diffs else "-")
        print("| " + " | ".join(cells) + " |")

    big = data(1_000_000, 12, seed=1)
    drivers = [c for c in big.columns if c != "y"]
    start = time.perf_counter()
    key_drivers(big, "y", drivers=drivers, n_boot=0)
    full = time.perf_counter() - start
    start = time.perf_counter()
    key_drivers(big.sample(100_000, random_state=0), "y", drivers=drivers, n_boot=1000, seed=1)
    boot = time.perf_counter() - start
    print(f"p = 12: 1M rows in {full:.2f} s, plus 1,000 bootstrap resamples on a 100k subsample in {boot:.2f} s "
          f"(total {full + boot:.2f} s)")
    wide = data(100_000, 20, seed=2)
    start = time.perf_counter()
    key_drivers(wide, "y", drivers=[c for c in wide.columns if c != "y"], n_boot=0)
    print(f"p = 20 exact (1,048,576 subsets) on 100k rows: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
