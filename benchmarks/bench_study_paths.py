"""A study computed by two revisions of cxlib, side by side in one run: did a change cost speed or move a number?

Each revision runs from a git worktree (``--before``, default HEAD, and the working tree)
in fresh processes that alternate, so both see the same machine load. Each process
imports cxlib, then times ``cx.studies.compute(study, parameters)`` (loading and
validation included, as a user runs it) and prints the seconds and the results. The
results must agree to 1e-9 (relative): the numbers did not move. Medians of ``--repeat`` runs.

Usage: python benchmarks/bench_study_paths.py [--before REV] [--rows N] [--repeat K]
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

PROJECT = Path(__file__).resolve().parent.parent
CHILD = """
import json, sys, time
import cxlib as cx
from cxlib.reports.results import dumps
study, parameters = sys.argv[1], json.loads(sys.argv[2])
start = time.perf_counter()
result, _ = cx.studies.compute(study, parameters)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "results": json.loads(dumps(result.to_dict())), "package": cx.__file__}))
"""


def flat_survey(path: Path, rows: int) -> None:
    """A flat export: a 0-10 score, three segment columns, dates over two years, weights."""
    rng = np.random.default_rng(0)
    pd.DataFrame({
        "LTR": rng.choice(11, rows, p=np.r_[np.full(7, 0.25 / 7), 0.18, 0.17, 0.2, 0.2]),
        "Tier": rng.choice(["gold", "silver", "bronze"], rows),
        "Country": rng.choice([f"C{i:02d}" for i in range(20)], rows),
        "Channel": rng.choice(["web", "app", "store", "phone"], rows),
        "Answered": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 730, rows), unit="D"),
        "W": rng.uniform(0.5, 2.0, rows).round(3),
    }).to_parquet(path)


def flat_customers(path: Path, rows: int) -> None:
    """A CRM extract: months as a customer, left or not, a tier and a region (hazards differ by tier)."""
    rng = np.random.default_rng(1)
    tier = rng.choice(["gold", "silver", "bronze"], rows)
    hazard = np.select([tier == "gold", tier == "silver"], [0.01, 0.02], 0.04)
    time = rng.exponential(1 / hazard)
    censor = rng.uniform(1, 60, rows)
    pd.DataFrame({"TenureMonths": np.ceil(np.minimum(time, censor)).astype(int), "Churned": (time <= censor).astype(int),
                  "Tier": tier, "Region": rng.choice(["N", "S", "E", "W"], rows)}).to_parquet(path)


def close(a, b, tol: float = 1e-9) -> bool:
    """Two JSON values equal, numbers to ``tol`` relative (or absolute near 0)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k], tol) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y, tol) for x, y in zip(a, b, strict=True))
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return abs(a - b) <= tol * max(1.0, abs(a), abs(b))
    return a == b


def worktree(rev: str, folder: Path) -> Path:
    subprocess.run(["git", "-C", str(PROJECT), "worktree", "add", "--detach", str(folder), rev], check=True,
                   capture_output=True)
    return folder


def run(tree: Path, study: str, parameters: dict) -> dict:
    env = {"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", CHILD, study, json.dumps(parameters)], env=env, check=True,
                         capture_output=True, text=True, cwd=tree)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["package"].startswith(str(tree)), f"{result['package']} is not from {tree}"
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="HEAD")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--study", action="append", help="only these studies (default: all cases)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        flat_survey(tmp / "survey.parquet", args.rows)
        pd.read_parquet(tmp / "survey.parquet").to_csv(tmp / "survey.csv", index=False)
        flat_customers(tmp / "customers.parquet", args.rows // 4)
        trees = {"before": worktree(args.before, tmp / "before"), "after": PROJECT}
        for tree in trees.values():  # the sample is tracked, so every worktree has it
            assert (tree / "data" / "sample" / "responses.csv").exists()
        cases = {
            "segment_study, the sample (19,729 answers)": ("segment_study", {}),
            f"segment_study, a flat Parquet export ({args.rows:,} answers, 3 segment columns, weights)": (
                "segment_study", {"data_path": str(tmp / "survey.parquet"), "score_col": "LTR",
                                  "segment_cols": ["Tier", "Country", "Channel"], "date_col": "Answered",
                                  "weight_col": "W"}),
            f"segment_study, the same export as UTF-8 CSV ({args.rows:,} answers)": (
                "segment_study", {"data_path": str(tmp / "survey.csv"), "score_col": "LTR",
                                  "segment_cols": ["Tier", "Country", "Channel"], "date_col": "Answered",
                                  "weight_col": "W"}),
            "driver_study, the sample (19,729 answers, 6 drivers, 1,000 resamples, 4 regions)": ("driver_study", {}),
            "churn_study, the sample (5,000 customers, time-varying model)": ("churn_study", {}),
            "cx_scorecard, the sample (5 tables)": ("cx_scorecard", {}),
            "data_overview, the sample (5 tables)": ("data_overview", {}),
            "business_case, the sample (5,000 customers)": ("business_case", {}),
            "closed_loop, the sample (19,729 answers)": ("closed_loop", {}),
            f"churn_study, a flat Parquet extract ({args.rows // 4:,} customers, Cox on tier and region)": (
                "churn_study", {"data_path": str(tmp / "customers.parquet"), "duration_col": "TenureMonths",
                                "event_col": "Churned", "segment_col": "Tier", "covariates": ["Tier", "Region"],
                                "horizons": [12, 24], "time_unit": "months", "period": 1}),
        }
        try:
            print(f"median of {args.repeat} runs, each in a fresh process; before = {args.before}")
            print("| case | before (s) | after (s) | after / before | same numbers |")
            print("|---|---:|---:|---:|---|")
            for name, (study, parameters) in cases.items():
                if args.study and study not in args.study:
                    continue
                runs = {label: [] for label in trees}
                for _ in range(args.repeat):
                    for label, tree in trees.items():
                        runs[label].append(run(tree, study, parameters))
                seconds = {label: statistics.median(r["seconds"] for r in rs) for label, rs in runs.items()}
                first = runs["before"][0]["results"]
                same = all(close(r["results"], first) for rs in runs.values() for r in rs)
                print(f"| {name} | {seconds['before']:.3f} | {seconds['after']:.3f} | "
                      f"{seconds['after'] / seconds['before']:.2f} | {'yes' if same else 'NO'} |")
        finally:
            subprocess.run(["git", "-C", str(PROJECT), "worktree", "remove", "--force", str(trees["before"])],
                           check=False, capture_output=True)


if __name__ == "__main__":
    main()
