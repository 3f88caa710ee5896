"""Statistical helpers every estimator shares: normal quantiles, Wilson intervals, multiple-test adjustment.

* :func:`z_value`: the two-sided normal quantile of a confidence level;
* :func:`wilson_interval`: Wilson's score interval of a proportion (Wilson 1927), also
  with an effective (Kish) n; equal to statsmodels ``proportion_confint(method="wilson")``;
* :func:`holm`: Holm's (1979) step-down adjustment, equal to statsmodels
  ``multipletests(method="holm")`` (a test checks), computed here because
  ``multipletests`` runs a full garbage collection on that path (80 ms in a large
  process); :func:`adjust_p` sends any other method to ``multipletests``.
"""

from __future__ import annotations

import numpy as np

from .lazy import lazy_module

stats = lazy_module("scipy.stats")
multitest = lazy_module("statsmodels.stats.multitest")


__all__ = ["adjust_p", "holm", "wilson_interval", "z_value"]


def z_value(ci: float) -> float:
    """The two-sided normal quantile of a ``ci`` interval (1.96 for 0.95)."""
    if not 0 < ci < 1:
        raise ValueError(f"ci must be between 0 and 1, got {ci}")
    return float(stats.norm.ppf(0.5 + ci / 2))


def wilson_interval(p: np.ndarray, n: np.ndarray, ci: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion ``p`` from ``n`` (which may be an effective, non-integer n).

    >>> [round(float(x), 6) for x in wilson_interval(np.array(0.3), np.array(50.0))]
    [0.191036, 0.437504]
    """
    z = z_value(ci)
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = 1 + z**2 / n
        center = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return center - half, center + half


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values: sorted ascending, p_(i) * (m - i + 1), running maximum, capped at 1.
    A missing p-value (a test that could not be made) is no test: it stays missing and ``m`` counts the others.

    >>> holm(np.array([0.01, 0.04, 0.03])).round(4).tolist()
    [0.03, 0.06, 0.06]
    >>> holm(np.array([0.01, np.nan, 0.03])).round(4).tolist()
    [0.02, nan, 0.03]
    """
    p = np.asarray(p_values, dtype=float)
    made = ~np.isnan(p)
    if not made.all():
        out = np.full(len(p), np.nan)
        out[made] = holm(p[made])
        return out
    order = np.argsort(p, kind="stable")
    adjusted = np.minimum(1.0, np.maximum.accumulate(p[order] * np.arange(len(p), 0, -1)))
    out = np.empty_like(adjusted)
    out[order] = adjusted
    return out


def adjust_p(p_values: np.ndarray, method: str = "holm") -> np.ndarray:
    """Adjust p-values for multiple tests: Holm here, any other ``multipletests`` method by statsmodels."""
    return holm(p_values) if method == "holm" else multitest.multipletests(p_values, method=method)[1]
