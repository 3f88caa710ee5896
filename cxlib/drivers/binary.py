"""Key drivers of a yes/no outcome (churned, resolved): Shapley shares of McFadden's pseudo-R² from logistic
regressions on every subset of drivers (statsmodels).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..formatting.result_view import ResultView
from ..formatting.tables import shares_of_one
from ..io.column_names import column_arguments
from ..io.quality import DataError
from .crossprod import (
    design_matrix,
)
from .key_drivers import _players, _resolve_groups
from .shapley import shapley_values

__all__ = ["MAX_LOGISTIC_PLAYERS", "BinaryDrivers", "binary_drivers", "binary_drivers_from_source"]

MAX_LOGISTIC_PLAYERS = 12


def binary_drivers_from_source(source, outcome: str, drivers: Sequence[str] | None = None,
                               groups: Mapping[str, Sequence[str]] | None = None, weights: str | None = None,
                               sample_size: int = 200_000, seed: int = 0) -> BinaryDrivers:
    """:func:`binary_drivers` on any backend: the logistic fits need rows, so they run on a seeded sample.

    The sample is ``sample_size`` rows drawn without replacement (all rows when there are
    fewer; the same rows on every backend, see :meth:`cxlib.engine.Backend.sample`); the
    shares describe the sample, and their precision is that of ``sample_size`` rows.
    """
    drivers, groups = _resolve_groups(drivers, groups)
    columns = [outcome, *drivers, *([weights] if weights else [])]
    return binary_drivers(source.sample(columns, sample_size, seed), outcome, drivers, groups, weights)


@dataclass(frozen=True, repr=False)
class BinaryDrivers(ResultView):
    """Shapley shares of McFadden's pseudo-R^2 for a yes/no outcome (see :func:`binary_drivers`)."""

    outcome: str
    n: int
    pseudo_r2: float
    drivers: pd.DataFrame
    groups: pd.DataFrame
    fits: int

    def __post_init__(self):
        shares_of_one(self.drivers, "share")
        shares_of_one(self.groups, "share")

    def to_dict(self) -> dict:
        return {"outcome": self.outcome, "n": self.n, "pseudo_r2": self.pseudo_r2, "drivers": self.drivers,
                "groups": self.groups, "fits": self.fits}


def _mcfadden(y: np.ndarray, x: np.ndarray, players: list[list[int]]) -> np.ndarray:
    """McFadden pseudo-R^2 (1 - llf / ll_null) of a logit on every subset of players (statsmodels fits)."""
    from statsmodels.discrete.discrete_model import Logit
    from statsmodels.tools.sm_exceptions import PerfectSeparationError

    m = len(players)
    p_bar = y.mean()
    ll_null = len(y) * (p_bar * np.log(p_bar) + (1 - p_bar) * np.log(1 - p_bar))
    r2 = np.zeros(1 << m)
    for mask in range(1, 1 << m):
        columns = [c - 1 for q in range(m) if mask >> q & 1 for c in players[q]]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", category=RuntimeWarning)
                fit = Logit(y, np.column_stack([np.ones(len(y)), x[:, columns]])).fit(disp=0, maxiter=100)
        except (PerfectSeparationError, np.linalg.LinAlgError, RuntimeWarning) as exc:
            raise DataError(f"the logistic model does not converge on drivers {columns}: {exc}; a driver may "
                            "separate the outcome perfectly", rule="logit converges") from None
        r2[mask] = 1 - fit.llf / ll_null
    return r2


@column_arguments("outcome", "drivers", "weights", members_of=("groups",))
def binary_drivers(data: pd.DataFrame, outcome: str, drivers: Sequence[str] | None = None,
                   groups: Mapping[str, Sequence[str]] | None = None, weights: str | None = None) -> BinaryDrivers:
    """Shapley decomposition of McFadden's pseudo-R^2 of a logistic model, for a yes/no outcome.

    The outcome holds 0/1 or True/False. Unlike the linear case there is no shortcut
    through a covariance matrix: each of the 2^p subsets is a logistic fit on the rows
    (statsmodels ``Logit``), so this is much slower -- about 4,000 fits at p = 12 -- and
    allows at most 12 drivers (or groups). No bootstrap intervals: they would take 2^p fits
    per resample. Weights are not supported (McFadden's R^2 of a weighted likelihood is
    not a share of anything observable); pass ``weights=None``.

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> rows = pd.DataFrame({"a": rng.normal(size=2000), "b": rng.normal(size=2000)})
    >>> rows["churned"] = (rng.random(2000) < 1 / (1 + np.exp(-(2 * rows["a"] + 0.5 * rows["b"])))).astype(int)
    >>> binary_drivers(rows, "churned", drivers=["a", "b"]).drivers["share"].round(2).tolist()
    [0.95, 0.05]
    """
    if weights is not None:
        raise ValueError("binary_drivers does not take weights (see its docstring)")
    drivers, groups = _resolve_groups(drivers, groups)
    if len(drivers) > MAX_LOGISTIC_PLAYERS:
        raise DataError(f"{len(drivers)} drivers: the logistic decomposition fits every subset on the rows and "
                        f"allows at most {MAX_LOGISTIC_PLAYERS}; group drivers or use fewer", rule="12 drivers at most")
    x, _, names, _ = design_matrix(data, outcome, drivers)
    y = x[:, 0]
    if not np.isin(y, [0.0, 1.0]).all() or y.min() == y.max():
        raise DataError(f"outcome {outcome!r} must hold 0 and 1 (or False and True), both present",
                        column=outcome, rule="binary outcome")
    players = _players(names, drivers)
    r2 = _mcfadden(y, x[:, 1:], players)
    phi = shapley_values(r2[None], len(players))[0]
    group_players = [[c for d in members for c in players[drivers.index(d)]] for members in groups.values()]
    group_r2 = _mcfadden(y, x[:, 1:], group_players)
    group_phi = shapley_values(group_r2[None], len(group_players))[0]
    driver_group = {d: g for g, members in groups.items() for d in members}
    table = pd.DataFrame({"driver": drivers, "group": [driver_group[d] for d in drivers], "value": phi,
                          "share": phi / phi.sum(), "rank": (-phi).argsort().argsort() + 1})
    group_table = pd.DataFrame({"group": list(groups), "value": group_phi, "share": group_phi / group_phi.sum(),
                                "members": [", ".join(m) for m in groups.values()]})
    return BinaryDrivers(outcome, len(y), float(r2[-1]), table, group_table, (1 << len(players)) + (1 << len(groups)) - 2)
