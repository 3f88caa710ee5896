"""Cox proportional hazards: hazard ratios with intervals, and a check of proportionality.

The model is fitted here by Newton-Raphson on sums over the distinct times, which is what
makes a million customers take about a second. Ties (several customers leaving at the same
time, common with whole days or months) are handled as Efron (1977) proposed, the default
of R's ``survival::coxph`` and of lifelines; Breslow's (1974) approximation is an option.
With ``w_i = exp(x_i'b)``, risk-set sums ``S0(t) = sum w_i``, ``S1(t) = sum w_i x_i``
over the customers at risk at t, the sums ``E0(t)``, ``E1(t)`` over the ``d_t`` customers
who left at t, and for ``l = 0 .. d_t - 1`` (Breslow: l/d_t taken as 0)

    phi_tl = S0(t) - (l / d_t) E0(t),   m_tl = (S1(t) - (l / d_t) E1(t)) / phi_tl
    log L  = sum over events x_i'b - sum_t sum_l log phi_tl
    U      = sum over events x_i - sum_t sum_l m_tl
    I      = sum_i w_i (C_i - [i left at t] B1_t) x_i x_i' - sum_t sum_l m_tl m_tl',
             C_i = sum over t at which i is at risk of B0_t

with the per-time numbers ``B0_t = sum_l 1/phi_tl``, ``B1_t = sum_l (l/d_t)/phi_tl`` and
``A_j,t = sum_l (l/d_t)^j / phi_tl^2``, so that ``sum_l m_tl = S1 B0 - E1 B1`` and
``sum_l m_tl m_tl' = A_0 S1 S1' - A_1 (S1 E1' + E1 S1') + A_2 E1 E1'``. Only the scalars
phi_tl are per event; every vector and matrix is a sum over the distinct times, and the
information matrix is one weighted cross-product of the rows (no loop over risk sets).
The result equals ``PHReg`` (ties "breslow" and "efron") and lifelines' ``CoxPHFitter``
(Efron) on public data (tests). Text covariates are dummy-coded against a reference level
that the result states (the most frequent level, "no" in a yes/no column, unless
``reference`` names one). Delayed entry is supported as in :mod:`cxlib.lifecycle.survival` (a customer is at risk when
``entry <= t <= duration``).

A hazard ratio of a number is per one unit of it, which says little when the unit is a
dollar or a day; ``per`` gives each term the size of step its hazard ratio is read for:
a unit the user names, else one standard deviation for a number with more than two
values (0/1 numbers and categories stay per one step). :meth:`CoxResult.per_step` gives
the ratios for those steps, ``exp(b * step)`` with the interval ``exp((b -+ z se) * step)``.

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

from ..core.inference import holm, z_value
from ..core.lazy import lazy_module
from ..formatting.result_view import ResultView
from ..io.column_names import column_arguments
from ..io.quality import DataError, check_columns

stats = lazy_module("scipy.stats")

__all__ = ["TIES", "UNIT_OF_A_NUMBER", "CoxResult", "cox", "cox_fit"]

TIES = ("efron", "breslow")
UNIT_OF_A_NUMBER = "unit of a number"  # the rule a step (unit) given for a category breaks
DIVERGED_LOG_HR = 10.0  # a hazard ratio beyond e^10 (about 22,000) per step has no estimate


@dataclass(frozen=True, repr=False)
class CoxResult(ResultView):
    """Hazard ratios (``terms``, per one unit), the proportional-hazards check, and the reference levels used.

    ``terms`` has a ``per`` column: the step each term is best read for (module
    docstring); :meth:`per_step` gives the hazard ratios for those steps.
    """

    terms: pd.DataFrame
    ph_check: pd.DataFrame
    references: dict
    n: int
    events: int
    ties: str
    warnings: list[str] = field(default_factory=list)
    ci: float = 0.95

    def per_step(self) -> pd.DataFrame:
        """The terms with ``hazard_ratio``, ``ci_low`` and ``ci_high`` for a step of ``per`` units, ``p_adjusted``
        (Holm across the terms that have an estimate: what "clearly" rests on when several are read at once) and
        whether the proportional-hazards check holds (``proportional``)."""
        t = self.terms
        z = z_value(self.ci)
        proportional = self.ph_check.set_index("term")["proportional"].reindex(t["term"]).to_numpy()
        return t.assign(hazard_ratio=np.exp(t["coef"] * t["per"]), ci_low=np.exp((t["coef"] - z * t["se"]) * t["per"]),
                        ci_high=np.exp((t["coef"] + z * t["se"]) * t["per"]),
                        p_adjusted=holm(t["p_value"].to_numpy()), proportional=proportional)

    def no_estimate(self) -> list[str]:
        """The terms whose hazard ratio has no estimate (their figures are missing): the likelihood has no maximum
        (monotone likelihood), as when nobody, or everybody, in one group left, or a number orders who leaves."""
        return list(self.terms.loc[self.terms["coef"].isna(), "term"])

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
        base = reference.get(name, "no" if set(counts.index) == {"no", "yes"} else counts.index[0])
        if base not in counts.index:
            raise DataError(f"reference level {base!r} is not a level of {name!r}: {sorted(counts.index)}",
                            column=name, rule="reference level present")
        references[name] = base
        for level in sorted(counts.index):
            if level != base:
                columns.append((text == level).astype(float).where(text.notna()).rename(f"{name}[{level}]"))
    return pd.concat(columns, axis=1), references


def _references_with_leavers(data: pd.DataFrame, covariates: Sequence[str], event: str) -> dict[str, str]:
    """For a category whose most common level has no one who left, the most common level that has: against a
    reference nobody in which left, every other level's hazard ratio would run off (no estimate at all)."""
    out = {}
    left = data[event].astype("boolean").fillna(False).to_numpy(dtype=bool)
    for name in covariates:
        column = data[name]
        if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
            continue
        text = column.astype("str").where(column.notna())
        counts, leaving = text.value_counts(), text[left].value_counts()
        if len(counts) > 1 and counts.index[0] not in leaving.index and len(leaving) and \
                set(counts.index) != {"no", "yes"}:
            out[name] = next(level for level in counts.index if level in leaving.index)
    return out


def _steps(frame: pd.DataFrame, design: pd.DataFrame, units: Mapping[str, float]) -> tuple[list[float], list[str]]:
    """The step each term is read for and what it is: "given" (the user's unit), "standard deviation" (of a number
    with more than two values, among the rows used) or "one" (a category, a 0/1 number)."""
    steps, kinds = [], []
    for term in design.columns:
        values = frame[term]
        if term in units:
            steps.append(float(units[term]))
            kinds.append("given")
        elif "[" not in term and not values.isin([values.min(), values.max()]).all():  # more than two values
            steps.append(float(values.std()))
            kinds.append("standard deviation")
        else:
            steps.append(1.0)
            kinds.append("one")
    return steps, kinds


@column_arguments("duration", "event", "covariates", "entry", keys_of=("reference", "units"))
def cox(data: pd.DataFrame, duration: str, event: str, covariates: Sequence[str], entry: str | None = None,
        reference: Mapping[str, str] | None = None, ties: str = "efron", ci: float = 0.95,
        entry_inclusive: bool = True, units: Mapping[str, float] | None = None) -> CoxResult:
    """Fit a Cox model: one row per customer (or per interval) with ``duration``, ``event`` and covariates.

    Rows with a missing value in any used column are left out (their number is ``n``'s
    complement). Returns hazard ratios with intervals and p-values per term (per one
    unit; ``per`` and :meth:`CoxResult.per_step` for steps of ``units[name]`` or one
    standard deviation). ``ties``: "efron" (default) or "breslow". For time-varying
    covariates pass one row per (customer, interval) with the interval's start as
    ``entry`` and ``entry_inclusive=False``: a row is at risk on (start, stop].
    """
    needed = [duration, event, *covariates, *([entry] if entry else [])]
    check_columns(needed, data.columns)
    units = dict(units or {})
    unknown = sorted(set(units) - set(covariates))
    if unknown:
        raise DataError(f"units are given for {unknown}, which are not covariates: {list(covariates)}",
                        column=unknown[0], rule="unit of a covariate")
    design, references = _design(data, covariates, {**_references_with_leavers(data, covariates, event),
                                                    **dict(reference or {})})
    categories = sorted(set(units) & set(references))
    if categories:
        raise DataError(f"units are given for {categories}, which are categories (read per level, not per unit)",
                        column=categories[0], rule=UNIT_OF_A_NUMBER)
    frame = pd.concat([data[[duration, event, *([entry] if entry else [])]], design], axis=1).dropna()
    time = frame[duration].to_numpy(dtype=float)
    status = frame[event].astype(bool).to_numpy()
    enter = None if entry is None else frame[entry].to_numpy(dtype=float)
    x = frame[design.columns].to_numpy(dtype=float)
    per, per_kind = _steps(frame, design, units)
    params, bse, residuals, diverged = _fit_estimable(time, status, x, enter, entry_inclusive, ties,
                                                      np.asarray(per, dtype=float), list(design.columns))
    z = z_value(ci)
    terms = pd.DataFrame({"term": list(design.columns), "coef": params, "se": bse,
                          "hazard_ratio": np.exp(params), "ci_low": np.exp(params - z * bse),
                          "ci_high": np.exp(params + z * bse), "p_value": 2 * stats.norm.sf(np.abs(params / bse)),
                          "per": per, "per_kind": per_kind})
    checks = []
    for j, term in enumerate(design.columns):
        is_event = ~np.isnan(residuals[:, j])  # the events of the fit the term's estimate comes from
        rho, p = ((np.nan, np.nan) if diverged[j] else
                  stats.pearsonr(residuals[is_event, j], stats.rankdata(time[is_event])))
        checks.append({"term": term, "rho": rho, "p_value": p})
    ph = pd.DataFrame(checks)
    ph["p_adjusted"] = holm(ph["p_value"].to_numpy())
    ph["proportional"] = ~(ph["p_adjusted"] < 0.05)  # a check that could not be made (NaN) finds nothing
    notes = [f"proportional hazards may not hold for {r.term} (correlation with time {r.rho:+.2f}, "
             f"Holm-adjusted p = {r.p_adjusted:.3g})" for r in ph.itertuples() if not r.proportional]
    return CoxResult(terms.reset_index(drop=True), ph, references, len(frame), int(status.sum()), ties, notes, ci)


def _fit_estimable(time, status, x, enter, entry_inclusive: bool, ties: str, per: np.ndarray,
                   names: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Coefficients, standard errors, residuals and the terms without an estimate (NaN in the others).

    A level of a category none of whose customers left has no estimate (its coefficient runs
    to minus infinity), and while it runs, Newton's steps drag the other terms along. Its
    customers carry no information on the other terms: their estimates are the limit the fit
    runs to, which a fit without those customers and that level gives (R's ``coxph`` reports
    that limit beside its warning "coefficient may be infinite"). Any other term whose estimate
    runs off (beyond e^10 per step) or whose variance vanishes is without an estimate too.
    """
    silent = [j for j, name in enumerate(names) if "[" in name and not status[x[:, j] == 1].any()]
    rows = ~(x[:, silent] == 1).any(axis=1) if silent else np.ones(len(time), dtype=bool)
    kept = [j for j in range(len(names)) if j not in silent]
    params, bse = np.full(len(names), np.nan), np.full(len(names), np.nan)
    diverged = np.ones(len(names), dtype=bool)
    residuals = np.full((len(time), len(names)), np.nan)
    if silent:
        x, time, status, enter = (x[np.ix_(rows, kept)], time[rows], status[rows],
                                  None if enter is None else enter[rows])
    if silent and (not kept or not status.any() or (x.std(axis=0) == 0).any()):  # nothing left to estimate
        return params, bse, residuals, diverged
    fit, cov, fit_residuals = cox_fit(time, status, x, enter, entry_inclusive, ties)
    with np.errstate(invalid="ignore"):
        fit_se = np.sqrt(np.diag(cov))
    ran_off = ~(fit_se > 0) | ~np.isfinite(fit_se) | (np.abs(fit * per[kept]) > DIVERGED_LOG_HR)
    diverged[kept] = ran_off
    params[kept], bse[kept] = np.where(ran_off, np.nan, fit), np.where(ran_off, np.nan, fit_se)
    residuals[np.ix_(rows, kept)] = fit_residuals
    return params, bse, residuals, diverged


def cox_fit(time: np.ndarray, event: np.ndarray, x: np.ndarray, entry: np.ndarray | None = None,
            entry_inclusive: bool = True, ties: str = "efron", tol: float = 1e-10,
            max_iter: int = 50) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cox model by Newton-Raphson on sums over distinct times (module docstring): coefficients, covariance,
    Schoenfeld residuals.

    ``ties`` is "efron" or "breslow". A row is at risk at event time t when
    ``entry <= t <= time`` (``entry_inclusive``, as statsmodels ``PHReg``), or
    ``entry < t <= time`` (for (start, stop] intervals); ``entry=None``: from the start.
    Residuals are ``x_i`` minus the risk set's mean at the row's event time (with Efron's
    ties, the average of the ``d_t`` partial means, as R's ``cox.zph``), NaN for rows
    without an event.
    """
    if ties not in TIES:
        raise DataError(f"ties must be one of {', '.join(TIES)}, got {ties!r}", rule="ties method")
    x = np.asarray(x, dtype=float)
    x = x - x.mean(axis=0)  # the coefficients do not change; the sums stay well scaled
    event = np.asarray(event, dtype=bool)
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
    event_time = np.flatnonzero(has_event)
    d = deaths[has_event].astype(np.int64)
    # Efron: one slot per event, l = 0 .. d_t - 1 within its time, removing l/d_t of the tied events' weight;
    # Breslow: one slot per event time, counted d_t times (l/d_t taken as 0)
    if ties == "efron":
        slot_time = np.repeat(np.arange(len(d)), d)
        fraction = (np.arange(len(slot_time)) - np.repeat(np.cumsum(d) - d, d)) / np.repeat(d, d)
        multiplicity = np.ones(len(slot_time))
    else:
        slot_time, fraction, multiplicity = np.arange(len(d)), np.zeros(len(d)), d.astype(float)
    event_rows = np.flatnonzero(event)
    event_slot = (np.cumsum(has_event) - 1)[exit_index[event_rows]]  # the event's time among event times
    event_sum = x[event_rows].sum(axis=0)

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

    def per_time(weights: np.ndarray) -> np.ndarray:
        """Sums over the slots of each event time."""
        return np.bincount(slot_time, weights=multiplicity * weights, minlength=len(d))

    def pieces(beta: np.ndarray):
        eta = x @ beta
        shift = eta.max()
        w = np.exp(eta - shift)
        wx = np.column_stack([w, w[:, None] * x])
        risk = at_risk_sums(wx)[has_event]  # S0, S1 per event time
        tied = np.column_stack([np.bincount(event_slot, weights=column, minlength=len(d)) for column in
                                wx[event_rows].T])  # E0, E1 per event time
        phi = risk[slot_time, 0] - fraction * tied[slot_time, 0]  # one number per slot: the vectors stay per time
        b0, b1 = per_time(1 / phi), per_time(fraction / phi)
        a0, a1, a2 = per_time(1 / phi**2), per_time(fraction / phi**2), per_time(fraction**2 / phi**2)
        s1, e1 = risk[:, 1:], tied[:, 1:]
        loglik = eta[event_rows].sum() - per_time(np.log(phi) + shift).sum()
        mean_sum = s1 * b0[:, None] - e1 * b1[:, None]  # sum over the slots of m_tl, per event time
        gradient = event_sum - mean_sum.sum(axis=0)
        rate = np.zeros(k)
        rate[event_time] = b0
        cumulative = np.concatenate([[0.0], rate.cumsum()])
        weight = w * (cumulative[exit_index + 1] - cumulative[first])
        weight[event_rows] -= w[event_rows] * b1[event_slot]
        mixed = s1.T @ (e1 * a1[:, None])
        spread = s1.T @ (s1 * a0[:, None]) - mixed - mixed.T + e1.T @ (e1 * a2[:, None])  # sum of m_tl m_tl'
        information = x.T @ (x * weight[:, None]) - spread
        return loglik, gradient, information, mean_sum / d[:, None]

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
    residuals[event_rows] = x[event_rows] - mean[event_slot]
    return beta, np.linalg.inv(information), residuals
