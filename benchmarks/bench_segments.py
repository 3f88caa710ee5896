"""NPS segment table with intervals: cxlib against pandas groupby-apply and a bare numpy bincount.

10 million answers, 100 segments (a categorical column). The peers:
(a) what an analyst writes: ``groupby(...).apply`` of a function returning NPS and a
    Wald interval per segment;
(b) the practical limit: one ``np.bincount`` over segment code x score, no intervals.
cxlib's ``segment_table`` gives every segment's NPS, adjusted-Wald interval,
difference from the rest, p-value and Holm adjustment. Medians of ``--repeat`` runs.
Usage: python benchmarks/bench_segments.py [--rows N] [--segments K]
"""

import argparse

import numpy as np
import pandas as pd
from timing import median_seconds

import cxlib as cx


def analyst(frame: pd.DataFrame) -> pd.DataFrame:
    def nps_with_ci(scores: pd.Series) -> pd.Series:
        p, d, n = (scores >= 9).mean(), (scores <= 6).mean(), len(scores)
        se = np.sqrt((p + d - (p - d) ** 2) / n)
        return pd.Series({"nps": 100 * (p - d), "low": 100 * (p - d - 1.96 * se), "high": 100 * (p - d + 1.96 * se),
                          "n": n})

    return frame.groupby("segment", observed=True)["nps"].apply(nps_with_ci).unstack()


def bincount(frame: pd.DataFrame, k: int) -> np.ndarray:
    codes = frame["segment"].cat.codes.to_numpy()
    return np.bincount(codes.astype(np.int64) * 11 + frame["nps"].to_numpy(), minlength=k * 11).reshape(k, 11)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--segments", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "segment": pd.Categorical.from_codes(rng.integers(0, args.segments, args.rows),
                                             [f"segment {i:03d}" for i in range(args.segments)]),
        "nps": rng.choice(11, size=args.rows, p=np.r_[np.full(7, 0.25 / 7), 0.18, 0.17, 0.2, 0.2]).astype(np.int64),
    })
    # the three agree on every segment's NPS
    ours = cx.segment_table(frame, by="segment").set_index("segment")["value"]
    counts = bincount(frame, args.segments)
    bare = 100 * (counts[:, 9:].sum(1) - counts[:, :7].sum(1)) / counts.sum(1)
    theirs = analyst(frame)["nps"]
    assert np.allclose(ours.to_numpy(), bare) and np.allclose(theirs.to_numpy(), bare)

    timings = {
        "(a) pandas groupby-apply": median_seconds(lambda: analyst(frame), args.repeat),
        "(b) numpy bincount (no intervals)": median_seconds(lambda: bincount(frame, args.segments), args.repeat),
        "cxlib segment_table": median_seconds(lambda: cx.segment_table(frame, by="segment"), args.repeat),
    }
    limit = timings["(b) numpy bincount (no intervals)"]
    print(f"{args.rows:,} answers, {args.segments} segments; median of {args.repeat} runs")
    print("| method | seconds | relative to bincount |")
    print("|---|---:|---:|")
    for name, seconds in timings.items():
        print(f"| {name} | {seconds:.3f} | {seconds / limit:.1f}x |")
    print(f"cxlib is {timings['(a) pandas groupby-apply'] / timings['cxlib segment_table']:.1f}x faster than (a)")


if __name__ == "__main__":
    main()
