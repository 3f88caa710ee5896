"""Key figures: a study's headline numbers with their interval and unit, for results.json and the index tiles.

A figure is plain data (a dict, so it goes to results.json as it is); its text is
rendered from it, never stored in its place. The index compares a figure with the same
figure of the previous run of the same study and parameters: :func:`change` gives the
difference and, when the two runs' data do not overlap in time, the two-sample z-test of
two independent estimates, each standard error taken from its 95% interval
(se = (high - low) / (2 x 1.96)); where the data overlap the samples are not
independent, and the change is shown without a verdict.

>>> f = figure("nps", "NPS", 16.3, 15.2, 17.4, "points", n=19156)
>>> figure_text(f)
'16.3 points (95% CI 15.2 to 17.4)'
>>> figure_text(figure("roi", "Return", 10.2, -22.2, 43.3, "%", sign_matters=True))
'10.2% (could be negative: 95% CI -22.2% to 43.3%)'
>>> g = figure("nps", "NPS", 20.1, 18.9, 21.3, "points")
>>> c = change(f, g, independent=True); round(c["difference"], 1), c["verdict"], bool(c["p_value"] < 0.001)
(3.8, 'beyond noise', True)
"""

from __future__ import annotations

import math

from ..core.lazy import lazy_module
from . import labels
from .narrative import fmt_count, fmt_p

stats = lazy_module("scipy.stats")

__all__ = ["change", "change_text", "figure", "figure_parts", "figure_text"]

UNITS = ("points", "%", "count", "amount")  # or an ISO currency code for money


def figure(key: str, label: str, value: float, ci_low: float | None = None, ci_high: float | None = None,
           unit: str = "points", n: int | None = None, better: str = "higher", sign_matters: bool = False,
           period: tuple[str, str] | None = None) -> dict:
    """One key figure: ``unit`` is points, %, count, amount (money without a currency) or a currency code;
    ``better`` says which way is good ("higher" or "lower"); ``sign_matters``: below zero is a loss (a return),
    so an interval across zero is said in words; ``period``: the dates the figure covers, when not the whole
    data's (the closed loop's window)."""
    def number(x):
        return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)
    return {"key": key, "label": label, "value": number(value), "ci_low": number(ci_low), "ci_high": number(ci_high),
            "unit": unit, "n": None if n is None else int(n), "better": better, "sign_matters": sign_matters,
            "period": None if period is None else {"from": period[0], "to": period[1]}}


def _amount(value: float, unit: str, signed: bool = False) -> str:
    sign = "+" if signed and value > 0 else ""
    if unit == "count":
        return sign + fmt_count(round(value))
    if unit == "%":
        return f"{sign}{value:.1f}%"
    if unit == "points":
        return f"{sign}{value:.1f}"
    if unit == "amount":  # money without a currency
        return f"{sign}{value:,.0f}"
    if len(unit) == 3 and unit.isupper():
        return sign + labels.money(value, code=unit)
    return f"{sign}{value:.2f}"


def figure_parts(f: dict) -> tuple[str, str]:
    """The figure's value and its interval as read: ("16.3 points", "95% CI 15.2 to 17.4"); "" without one."""
    if f["value"] is None:
        return "not available", ""
    value = _amount(f["value"], f["unit"]) + {"points": " points", "amount": " (money; no currency given)"}.get(
        f["unit"], "")
    if f["ci_low"] is None or f["ci_high"] is None:
        return value, ""
    loss = f.get("sign_matters") and f["ci_low"] < 0 < f["ci_high"]
    return value, (f"{'could be negative: ' if loss else ''}95% CI {_amount(f['ci_low'], f['unit'])} to "
                   f"{_amount(f['ci_high'], f['unit'])}")


def figure_text(f: dict) -> str:
    """The figure as read: "16.3 points (95% CI 15.2 to 17.4)", "€2,675 (95% CI €2,485 to €2,864)"."""
    value, interval = figure_parts(f)
    return f"{value} ({interval})" if interval else value


def change(before: dict, after: dict, independent: bool) -> dict:
    """The change from ``before`` to ``after``; with ``independent`` data, the z-test and a verdict."""
    difference = after["value"] - before["value"]
    out = {"difference": difference, "p_value": None, "verdict": "not tested: the two runs' data overlap"}
    bounds = [before["ci_low"], before["ci_high"], after["ci_low"], after["ci_high"]]
    if not independent or any(b is None for b in bounds):
        if independent:
            out["verdict"] = "not tested: no interval"
        return out
    z95 = stats.norm.ppf(0.975)
    se = math.hypot((before["ci_high"] - before["ci_low"]) / (2 * z95), (after["ci_high"] - after["ci_low"]) / (2 * z95))
    p = 2 * stats.norm.sf(abs(difference) / se) if se > 0 else (0.0 if difference else 1.0)
    out.update(p_value=p, verdict="beyond noise" if p < 0.05 else "within noise")
    return out


def change_text(f: dict, c: dict) -> str:
    """The change in words: "+3.8 points since the previous run, beyond noise (p < 0.001)"."""
    unit = "percentage points" if f["unit"] == "%" else "points" if f["unit"] == "points" else ""
    amount = _amount(c["difference"], "points" if f["unit"] == "%" else f["unit"], signed=True)
    text = f"{amount} {unit}".strip() + " since the previous run"
    if c["p_value"] is None:
        return f"{text} ({c['verdict']})"
    return f"{text}, {c['verdict']} ({fmt_p(c['p_value'])})"
