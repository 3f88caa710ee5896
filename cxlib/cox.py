"""Cox proportional hazards: hazard ratios with intervals, and a check of proportionality.

With Breslow's handling of ties (the default; Cox 1972, Breslow 1974) the model is fitted
here by Newton-Raphson on sums over the distinct times, which is what makes a million
customers take about a second; Efron's ties go to statsmodels ``PHReg``. With
``w_i = exp(x_i'b)``, risk-set sums ``S0(t) = sum w_i``, ``S1(t) = sum w_i x_i`` over the
customers at risk at t, ``d_t`` events at t and ``m_t = S1(t) / S0(t)``:

    log L = sum over events x_i'b - sum_t d_t log S0(t)
    U     = sum over events x_i - sum_t d_t m_t
    I     = sum_i w_i C_i x_i x_i' - sum_t d_t m_t m_t',   C_i = sum over t at which i is at risk of d_t / S0(t)

so the information matrix is one weighted cross-product of the rows plus a sum over
times, and S0, S1 come from per-time sums and cumulative sums (no loop over risk sets).
The result equals ``PHReg(ties="breslow")`` (tests). Text covariates
are dummy-coded against a reference level that the result states (the most frequent
level unless ``reference`` names one). Delayed entry is supported as in
:mod:`cxlib.survival` (a customer is at risk when ``entry <= t <= duration``).

The proportional-hazards check correlates each covariate's Schoenfeld residuals with the
rank of the event times (Grambsch & Therneau 1994, with the rank transform); a
correlation significant at 5% after Holm's adjustment across the terms means the
covariate's hazard ratio changes with tenure, and the result says so in ``warnings``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .inference import holm, z_value
from .io.quality import DataError

__all__ = ["CoxResult", "breslow_fit", "cox"]


@dataclass(frozen=True)
class CoxResult:
    """Hazard ratios (``terms``), the proportional-hazards check, and the reference levels used."""

    terms: pd.DataFrame
    ph_check: pd.DataFrame
    references: dict
    n: int
    events: int
    ties: str
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"terms": self.terms, "ph_check": self.ph_check, "references": self.references, "n": self.n,
                "events": self.events, "ties": self.ties, "warnings": self.warnings}


def _design(data: pd.DataFrame, covariates: Sequence[str], reference: Mapping[str, str]) -> tuple[pd.DataFrame, dict]:
    columns, references = [], {}
    for name in covariates:
        column = data[name]
        if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
            columns.append(column.astype(float).rename(name))
            continue
        text = column.astype("str").where(column.notna())
        counts = text.value_counts()
        if len(counts) < 2:
            raise DataError(f"covariate {name!r} has fewer than two levels", column=name, rule="two levels")
        base = reference.get(name, counts.index[0])
        if base not in counts.index:
            raise DataError(f"reference level {base!r} is not a level of {name!r}: {sorted(counts.index)}",
                            column=name, rule="reference level present")
        references[name] = base
        for level in sorted(counts.index):
            if level != base:
                columns.append((text == level).astype(float).where(text.notna()).rename(f"{name}[{level}]"))
    return pd.concat(columns, axis=1), references


def cox(data: pd.DataFrame, duration: str, event: str, covariates: Sequence[str], entry: str | None = None,
        reference: Mapping[str, str] | None = None, ties: str = "breslow", ci: float = 0.95,
        entry_inclusive: bool = True) -> CoxResult:
    """Fit a Cox model: one row per customer (or per interval) with ``duration``, ``event`` and covariates.

    Rows with a missing value in any used column are left out (their number is ``n``'s
    complement). Returns hazard ratios with intervals and p-values per term. For
    time-varying covariates pass one row per (customer, interval) with the interval's
    start as ``entry`` and ``entry_inclusive=False``: a row is at risk on (start, stop].
    """
    from statsmodels.duration.hazard_regression import PHReg

    needed = [duration, event, *covariates, *([entry] if entry else [])]
    absent = [c for c in needed if c not in data.columns]
    if absent:
        raise DataError(f"columns {absent} are not in the data; columns present: {list(data.columns)}",
                        column=absent[0], rule="column present")
    design, references = _design(data, covariates, dict(reference or {}))
    frame = pd.concat([data[[duration, event, *([entry] if entry else [])]], design], axis=1).dropna()
    time = frame[duration].to_numpy(dtype=float)
    status = frame[event].astype(bool).to_numpy()
    enter = None if entry is None else frame[entry].to_numpy(dtype=float)
    x = frame[design.columns].to_numpy(dtype=float)
    if ties == "breslow":
        params, cov, residuals = breslow_fit(time, status, x, enter, entry_inclusive)
        bse = np.sqrt(np.diag(cov))
        pvalues = 2 * stats.norm.sf(np.abs(params / bse))
    else:
        # PHReg counts a row at risk when entry <= t; on the ranks of the distinct times,
        # entry - 1/2 keeps that and entry + 1/2 gives entry < t, both exactly.
        grid = np.unique(time if enter is None else np.concatenate([time, enter]))
        rank = np.searchsorted(grid, time) + 1.0
        enter_rank = None if enter is None else np.searchsorted(grid, enter) + (0.5 if entry_inclusive else 1.5)
        fit = PHReg(rank, x, status=status.astype(int), entry=enter_rank, ties=ties).fit()
        params, bse, pvalues, residuals = fit.params, fit.bse, fit.pvalues, fit.schoenfeld_residuals
    z = z_value(ci)
    terms = pd.DataFrame({"term": list(design.columns), "coef": params, "se": bse,
                          "hazard_ratio": np.exp(params), "ci_low": np.exp(params - z * bse),
                          "ci_high": np.exp(params + z * bse), "p_value": pvalues})
    is_event = ~np.isnan(residuals[:, 0])
    ranks = stats.rankdata(time[is_event])
    checks = []
    for j, term in enumerate(design.columns):
        rho, p = stats.pearsonr(residuals[is_event, j], ranks)
        checks.append({"term": term, "rho": rho, "p_value": p})
    ph = pd.DataFrame(checks)
    ph["p_adjusted"] = holm(ph["p_value"].to_numpy())
    ph["proportional"] = ph["p_adjusted"] >= 0.05
    notes = [f"proportional hazards may not hold for {r.term} (correlation with time {r.rho:+.2f}, "
             f"Holm-adjusted p = {r.p_adjusted:.3g})" for r in ph.itertuples() if not r.proportional]
    return CoxResult(terms.reset_index(drop=True), ph, references, len(frame), int(status.sum()), ties, notes)


def breslow_fit(time: np.ndarray, event: np.ndarray, x: np.ndarray, entry: np.ndarray | None = None,
                entry_inclusive: bool = True, tol: float = 1e-10,
                max_iter: int = 50) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cox model with Breslow ties by Newton-Raphson (module docstring): coefficients, covariance, Schoenfeld residuals.

    A row is at risk at event time t when ``entry <= t <= time`` (``entry_inclusive``, as
    statsmodels ``PHReg``), or ``entry < t <= time`` (for (start, stop] intervals);
    ``entry=None``: from the start. Residuals are ``x_i - m_t`` for event rows, NaN for others.
    """
    x = np.asarray(x, dtype=float)
    x = x - x.mean(axis=0)  # the coefficients do not change; the sums stay well scaled
    n, p = x.shape
    grid, exit_index = np.unique(time, return_inverse=True)
    k = len(grid)
    first = (np.zeros(n, dtype=np.int64) if entry is None
             else np.searchsorted(grid, entry, side="left" if entry_inclusive else "right"))
    if (first > exit_index).any():
        raise DataError("a row is never at risk: its entry is after its time (or equal, for (start, stop] "
                        "intervals)", column="entry", rule="entry before time",
                        rows=np.flatnonzero(first > exit_index)[:5])
    deaths = np.bincount(exit_index, weights=event, minlength=k)
    has_event = deaths > 0
    d = deaths[has_event]
    event_sum = x[event].sum(axis=0)

    def at_risk_sums(values: np.ndarray) -> np.ndarray:
        """Per grid time, the sum of ``values`` over rows at risk (first <= index <= exit)."""
        columns = []
        for column in values.T:
            leaving = np.bincount(exit_index, weights=column, minlength=k)[::-1].cumsum()[::-1]  # exit >= index
            if entry is not None:
                entered_later = np.bincount(first, weights=column, minlength=k + 1)[::-1].cumsum()[::-1][1:]
                leaving = leaving - entered_later  # first > index
            columns.append(leaving)
        return np.column_stack(columns)

    def pieces(beta: np.ndarray):
        eta = x @ beta
        shift = eta.max()
        w = np.exp(eta - shift)
        sums = at_risk_sums(np.column_stack([w, w[:, None] * x]))[has_event]
        s0, mean = sums[:, 0], sums[:, 1:] / sums[:, :1]
        loglik = eta[event].sum() - (d * (np.log(s0) + shift)).sum()
        gradient = event_sum - d @ mean
        rate = np.zeros(k)
        rate[has_event] = d / s0
        cumulative = np.concatenate([[0.0], rate.cumsum()])
        exposure = cumulative[exit_index + 1] - cumulative[first]
        information = x.T @ (x * (w * exposure)[:, None]) - (mean.T * d) @ mean
        return loglik, gradient, information, mean

    beta = np.zeros(p)
    loglik, gradient, information, mean = pieces(beta)
    if np.linalg.matrix_rank(information) < p:
        raise DataError("the covariates are collinear or one does not vary among customers at risk: "
                        "drop or merge one of them", rule="covariates not collinear")
    for _ in range(max_iter):
        step = np.linalg.solve(information, gradient)
        for _ in range(30):  # halve the step until the likelihood does not fall
            candidate = pieces(beta + step)
            if candidate[0] >= loglik - 1e-12 * abs(loglik):
                break
            step = step / 2
        beta = beta + step
        loglik, gradient, information, mean = candidate
        if np.max(np.abs(step)) < tol:
            break
    residuals = np.full((n, p), np.nan)
    time_of_event = np.cumsum(has_event) - 1
    rows = np.flatnonzero(event)
    residuals[rows] = x[rows] - mean[time_of_event[exit_index[rows]]]
    return beta, np.linalg.inv(information), residuals
