"""Survival at a million customers: Kaplan-Meier + log-rank by segment, and a Cox model with 5 covariates.

Generated customers: whole-day tenures (Weibull lifetimes, uniform follow-up up to 2,000
days), 3 segments, 5 covariates (2 normal, 2 binary, 1 uniform) acting on the hazard.

Kaplan-Meier + log-rank by segment:
  cxlib      survival_counts -> kaplan_meier -> logrank (intervals included)
  lifelines  KaplanMeierFitter per segment + multivariate_logrank_test
  statsmodels SurvfuncRight per segment + survdiff
  numpy      the practical limit: one bincount of exits and one of events per segment x day
Cox, with Efron's ties (the default) and Breslow's:
  cxlib      cox() on the DataFrame (design, fit, intervals, proportional-hazards check)
  statsmodels PHReg(ties="efron") and PHReg(ties="breslow")
  lifelines  CoxPHFitter (Efron ties), default and batch_mode=True
Medians of --repeat runs (the slow peers once); agreement is checked in the run.
Usage: python benchmarks/bench_survival.py [--customers N] [--repeat R]
"""

import argparse

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.statistics import multivariate_logrank_test
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight, survdiff
from timing import median_seconds

from cxlib.lifecycle.cox import cox
from cxlib.lifecycle.survival import kaplan_meier, logrank, survival_counts

SEGMENTS = ["basic", "premium", "standard"]
COVARIATES = ["x0", "x1", "x2", "x3", "x4"]


def generate(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    segment = rng.integers(0, 3, n)
    x = np.column_stack([rng.normal(size=n), rng.normal(size=n), rng.integers(0, 2, n), rng.integers(0, 2, n),
                         rng.uniform(0, 1, n)])
    beta = np.array([0.3, -0.2, 0.5, 0.0, 0.4])
    lifetime = rng.weibull(0.8, n) * np.array([900.0, 1600.0, 1200.0])[segment] * np.exp(-(x @ beta) / 0.8)
    follow = rng.uniform(0, 2000, n)
    frame = pd.DataFrame(x, columns=COVARIATES)
    frame["duration"] = np.floor(np.minimum(lifetime, follow)) + 1
    frame["event"] = lifetime < follow
    frame["segment"] = pd.Categorical.from_codes(segment, SEGMENTS)
    return frame


def cxlib_km(frame):
    counts = survival_counts(frame["duration"], frame["event"], segment=frame["segment"])
    return kaplan_meier(counts), logrank(counts)


def lifelines_km(frame):
    curves = {s: KaplanMeierFitter().fit(rows["duration"], rows["event"])
              for s, rows in frame.groupby("segment", observed=True)}
    return curves, multivariate_logrank_test(frame["duration"], frame["segment"], frame["event"])


def statsmodels_km(frame):
    curves = {s: SurvfuncRight(rows["duration"].to_numpy(), rows["event"].to_numpy().astype(int))
              for s, rows in frame.groupby("segment", observed=True)}
    return curves, survdiff(frame["duration"].to_numpy(), frame["event"].to_numpy().astype(int),
                            frame["segment"].to_numpy())


def numpy_counts(frame):
    codes = frame["segment"].cat.codes.to_numpy().astype(np.int64)
    days = frame["duration"].to_numpy().astype(np.int64)
    width = int(days.max()) + 1
    cell = codes * width + days
    return (np.bincount(cell, minlength=3 * width), np.bincount(cell[frame["event"].to_numpy()], minlength=3 * width))


def check_km(frame):
    km, test = cxlib_km(frame)
    curves, lifelines_test = lifelines_km(frame)
    worst = 0.0
    for segment, fitter in curves.items():
        ours = km[km["segment"] == segment].set_index("time")["survival"]
        theirs = fitter.survival_function_.iloc[:, 0].reindex(ours.index)
        worst = max(worst, float(np.max(np.abs(ours - theirs))))
    return worst, abs(test["statistic"] - lifelines_test.test_statistic)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    frame = generate(args.customers)
    print(f"{args.customers:,} customers, {int(frame['event'].sum()):,} events, 3 segments, whole-day tenures")

    km_gap, logrank_gap = check_km(frame)
    print(f"max |KM difference| cxlib vs lifelines {km_gap:.1e}; |log-rank difference| {logrank_gap:.1e}")
    timings = {
        "cxlib (KM + Greenwood + log-rank)": median_seconds(lambda: cxlib_km(frame), args.repeat),
        "lifelines KaplanMeierFitter + multivariate_logrank_test": median_seconds(lambda: lifelines_km(frame),
                                                                                  args.repeat),
        "statsmodels SurvfuncRight + survdiff": median_seconds(lambda: statsmodels_km(frame), args.repeat),
        "numpy bincount of exits and events (no estimates)": median_seconds(lambda: numpy_counts(frame),
                                                                            args.repeat),
    }
    base = timings["numpy bincount of exits and events (no estimates)"]
    ours = timings["cxlib (KM + Greenwood + log-rank)"]
    print("\n| Kaplan-Meier + log-rank | seconds | relative to bincount |\n|---|---:|---:|")
    for name, seconds in timings.items():
        print(f"| {name} | {seconds:.4f} | {seconds / base:.1f}x |")
    print(f"cxlib is {timings['lifelines KaplanMeierFitter + multivariate_logrank_test'] / ours:.0f}x faster than "
          f"lifelines and {timings['statsmodels SurvfuncRight + survdiff'] / ours:.0f}x faster than statsmodels")

    x = frame[COVARIATES].to_numpy()
    status = frame["event"].to_numpy().astype(int)
    for ties in ("efron", "breslow"):
        ours_fit = cox(frame, "duration", "event", COVARIATES, ties=ties)
        reference = PHReg(frame["duration"].to_numpy(), x, status=status, ties=ties).fit()
        gap = np.max(np.abs(ours_fit.terms["hazard_ratio"].to_numpy() / np.exp(reference.params) - 1))
        print(f"\nmax relative difference of hazard ratios, cxlib vs PHReg ({ties}): {gap:.1e}")
    data = frame[[*COVARIATES, "duration", "event"]]
    timings = {
        "cxlib cox (Efron; with intervals and PH check)": median_seconds(
            lambda: cox(frame, "duration", "event", COVARIATES), args.repeat),
        "cxlib cox (Breslow; with intervals and PH check)": median_seconds(
            lambda: cox(frame, "duration", "event", COVARIATES, ties="breslow"), args.repeat),
        "lifelines CoxPHFitter, batch_mode=True (Efron)": median_seconds(
            lambda: CoxPHFitter().fit(data, "duration", "event", batch_mode=True), max(1, args.repeat // 2)),
        "statsmodels PHReg (Efron)": median_seconds(
            lambda: PHReg(frame["duration"].to_numpy(), x, status=status, ties="efron").fit(), 1),
        "statsmodels PHReg (Breslow)": median_seconds(
            lambda: PHReg(frame["duration"].to_numpy(), x, status=status, ties="breslow").fit(), 1),
        "lifelines CoxPHFitter, default (Efron)": median_seconds(
            lambda: CoxPHFitter().fit(data, "duration", "event"), 1),
    }
    ours = timings["cxlib cox (Efron; with intervals and PH check)"]
    print("\n| Cox, 5 covariates | seconds | relative to cxlib (Efron) |\n|---|---:|---:|")
    for name, seconds in timings.items():
        print(f"| {name} | {seconds:.3f} | {seconds / ours:.1f}x |")

if __name__ == "__main__":
    main()
