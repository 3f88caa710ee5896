"""The result of every single-number estimator: the value with its interval, n and method."""

from __future__ import annotations

import html
import math
from dataclasses import asdict, dataclass, field

import pandas as pd

__all__ = ["MIN_N", "Estimate", "format_ci"]

MIN_N = 30  # below this many observations an estimate is flagged as resting on too few


def format_ci(value: float, low: float, high: float, digits: int = 1, unit: str = "") -> str:
    """``'16.0 (6.2 to 25.5)'``, with a unit ``'66% (65% to 68%)'``; missing values as ``'n/a'``.

    The one way an estimate and its interval read in sentences and headlines (tables use
    :func:`cxlib.reports.pretty`).
    """
    if value is None or math.isnan(value):
        return "n/a"
    return f"{value:.{digits}f}{unit} ({low:.{digits}f}{unit} to {high:.{digits}f}{unit})"


@dataclass(frozen=True, repr=False)
class Estimate:
    """A point estimate with its confidence interval.

    ``n`` is the number of observations behind it (``n_effective`` the Kish effective n
    when weights were used); ``small_n`` flags ``n_effective < MIN_N``. ``components``
    holds the parts it was computed from (for NPS: the shares of promoters, passives and
    detractors). Differences carry the ``p_value`` of the test of no difference.
    """

    metric: str
    value: float
    ci_low: float
    ci_high: float
    n: int
    se: float = float("nan")
    ci: float = 0.95
    method: str = ""
    n_effective: float = float("nan")
    p_value: float = float("nan")
    components: dict = field(default_factory=dict)

    @property
    def small_n(self) -> bool:
        n = self.n if math.isnan(self.n_effective) else self.n_effective
        return n < MIN_N

    def to_dict(self) -> dict:
        out = asdict(self)
        out["small_n"] = self.small_n
        return out

    def headline(self) -> dict:
        """The figure for the reports index, as every study result gives one: ``{"NPS": "16.3 (15.2 to 17.4)"}``."""
        return {self.metric: self.format()}

    def to_frame(self) -> pd.DataFrame:
        """One row: metric, value, ci_low, ci_high, n, se, ... and one column per component."""
        row = {k: v for k, v in self.to_dict().items() if k != "components"}
        row.update(self.components)
        return pd.DataFrame([row])

    def format(self, digits: int | None = None) -> str:
        """The value and its interval with ``digits`` decimals; by default as many as the interval needs to be
        seen (one at least, four at most): a mean of 3.978 (3.962 to 3.994) reads "3.98 (3.96 to 3.99)", never
        "4.0 (4.0 to 4.0)"."""
        if digits is None:
            width = self.ci_high - self.ci_low
            digits = 1 if not width > 0 else min(4, max(1, math.ceil(-math.log10(width))))
        return format_ci(self.value, self.ci_low, self.ci_high, digits)

    def __str__(self) -> str:
        flag = " (small n)" if self.small_n else ""
        p = "" if math.isnan(self.p_value) else f", p = {self.p_value:.3g}"
        weighted = (f" (effective n {self.n_effective:,.0f})" if not math.isnan(self.n_effective)
                    and round(self.n_effective) != self.n else "")
        return f"{self.metric} {self.format()}, n = {self.n:,}{weighted}{p}{flag}"

    def __repr__(self) -> str:
        """The short form, as ``str`` gives it: an estimate inside a tuple or a list reads as one too (the fields
        are attributes, and :meth:`to_dict` holds them all)."""
        return f"<{self}>"

    def _repr_html_(self) -> str:
        return html.escape(str(self))
