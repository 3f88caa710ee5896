"""Cox proportional hazards: hazard ratios with intervals, and a check of proportionality.

Fitted with statsmodels ``PHReg`` (Breslow ties by default; Cox 1972). Text covariates
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

from .compare import holm
from .io.quality import DataError
from .scores import z_value

__all__ = ["CoxResult", "cox"]


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
    # The partial likelihood depends only on the order of times, so shifting them is exact:
    # time + 1 with entry + 1/2 puts a row at risk when entry <= t (PHReg: entry < t, entry >= 0);
    # entry + 1 keeps PHReg's entry < t, for (start, stop] intervals.
    time = frame[duration].to_numpy(dtype=float) + 1
    status = frame[event].astype(bool).to_numpy().astype(int)
    enter = None if entry is None else frame[entry].to_numpy(dtype=float) + (0.5 if entry_inclusive else 1.0)
    x = frame[design.columns].to_numpy(dtype=float)
    fit = PHReg(time, x, status=status, entry=enter, ties=ties).fit()
    z = z_value(ci)
    terms = pd.DataFrame({"term": list(design.columns), "coef": fit.params, "se": fit.bse,
                          "hazard_ratio": np.exp(fit.params), "ci_low": np.exp(fit.params - z * fit.bse),
                          "ci_high": np.exp(fit.params + z * fit.bse), "p_value": fit.pvalues})
    residuals = fit.schoenfeld_residuals
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
