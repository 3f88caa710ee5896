"""Shapley (LMG) decomposition of R^2 from a covariance matrix, exact or by permutation sampling.

The R^2 of the linear model on a subset S of drivers follows from the covariance matrix
alone: ``R2_S = c_S' C_SS^-1 c_S / var(y)``. The Shapley value of a driver is its
marginal R^2 averaged over all orderings of the drivers, i.e. over all subsets S of
the others with weight ``|S|! (p - |S| - 1)! / p!`` (Lindeman, Merenda & Gold 1980;
Grömping 2006, *Journal of Statistical Software* 17(1)); it splits R^2 exactly.

All 2^p subset R^2 come from partialling drivers out of the covariance matrix one at a
time (a rank-one update, the Schur complement of the pivot), so no matrix is ever
inverted. The subsets whose highest player is q are exactly the subsets with a lower
highest player (or none) with q partialled out, so they are computed together: one
vectorized operation per pair of players, p^2/2 in all, instead of one per subset.
The same holds across a batch of covariance matrices (bootstrap resamples or segments). Players may be groups of columns: a group's
Shapley value treats it as one player (Grömping 2007 discusses why this differs from
the sum of its members' values).

Beyond ``max_exact`` players the values are estimated from random orderings, each one
a path of p partial-outs, with their Monte Carlo standard error (Castro, Gómez & Tejada
2009). The dominance relations of Budescu (1993, *Psychological Bulletin* 114(3)) --
complete, conditional, general -- are read off the same subset R^2.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["dominance", "permutation_shapley", "shapley_values", "subset_r2"]

MAX_EXACT = 20
COLLINEAR_TOL = 1e-10


def _order(cov: np.ndarray, players: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """The covariance with the players' columns first, in order, and the outcome (column 0) last."""
    columns = [c for player in players for c in player] + [0]
    offsets = np.concatenate([[0], np.cumsum([len(p) for p in players])])
    return cov[:, columns][:, :, columns], offsets


def _partial_out(block: np.ndarray, count: int) -> np.ndarray:
    """Partial the first ``count`` columns out of covariance blocks (..., d, d); return the remaining block.

    A pivot that is (numerically) zero belongs to a column that the earlier ones already
    explain; it adds nothing and is skipped.
    """
    for _ in range(count):
        pivot = block[..., 0, 0]
        pivot = np.where(pivot > COLLINEAR_TOL * np.abs(block[..., -1, -1]), pivot, np.inf)
        column = block[..., 1:, 0]
        block = block[..., 1:, 1:] - column[..., :, None] * column[..., None, :] / pivot[..., None, None]
    return block


def subset_r2(cov: np.ndarray, players: Sequence[Sequence[int]], chunk: int = 64) -> np.ndarray:
    """R^2 of every subset of players, for a batch of covariance matrices.

    ``cov`` is (batch, k, k) with the outcome in column 0; ``players`` lists the driver
    columns of each player. Returns (batch, 2^m): entry ``mask`` is the R^2 of the
    players whose bits are set. The batch is processed ``chunk`` matrices at a time.

    >>> cov = np.array([[[1.0, 0.5, 0.3], [0.5, 1.0, 0.0], [0.3, 0.0, 1.0]]])
    >>> subset_r2(cov, [[1], [2]]).round(4).tolist()
    [[0.0, 0.25, 0.09, 0.34]]
    """
    ordered, offsets = _order(np.asarray(cov, dtype=float), players)
    return np.concatenate([_subset_r2(ordered[i:i + chunk], offsets) for i in range(0, len(ordered), chunk)])


def _subset_r2(ordered: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    m = len(offsets) - 1
    var_y = ordered[:, -1, -1]
    out = np.zeros((ordered.shape[0], 1 << m))
    # by_max[q]: the states of the 2^q subsets whose highest player is q, in mask order, as
    # covariance blocks over the columns of players q+1..m-1 and the outcome
    by_max: list[np.ndarray] = []
    root = ordered[:, None]
    for new in range(m):
        parts = []
        for q, states in enumerate([root, *by_max]):
            rel = offsets[new] - offsets[q]  # q - 1 is the parents' highest player; its block starts at offsets[q]
            parts.append(_partial_out(states[..., rel:, rel:], offsets[new + 1] - offsets[new]))
        states = np.concatenate(parts, axis=1)
        out[:, 1 << new:1 << (new + 1)] = 1.0 - states[..., -1, -1] / var_y[:, None]
        by_max.append(states)
    return out


def _popcount(masks: np.ndarray) -> np.ndarray:
    counts = np.zeros(len(masks), dtype=np.int64)
    work = masks.copy()
    while work.any():
        counts += work & 1
        work >>= 1
    return counts


def shapley_values(r2: np.ndarray, m: int) -> np.ndarray:
    """Shapley values of m players from the R^2 of every subset, (batch, 2^m) -> (batch, m)."""
    masks = np.arange(1 << m)
    size = _popcount(masks)
    weight = np.array([math.factorial(s) * math.factorial(m - s - 1) / math.factorial(m) for s in range(m)])
    values = np.empty((r2.shape[0], m))
    for j in range(m):
        without = masks[(masks >> j) & 1 == 0]
        values[:, j] = (r2[:, without | (1 << j)] - r2[:, without]) @ weight[size[without]]
    return values


def permutation_shapley(cov: np.ndarray, n_perm: int = 2000, seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Shapley values of single-column drivers from ``n_perm`` random orderings, and their Monte Carlo SE.

    ``cov`` is one (k, k) matrix with the outcome in column 0. Each ordering adds the
    drivers one at a time; a driver's value is its mean increase of R^2 over the orderings.
    """
    rng = np.random.default_rng(seed)
    k = cov.shape[0]
    m = k - 1
    perms = np.argsort(rng.random((n_perm, m)), axis=1) + 1  # driver columns 1..m in random order
    block = np.broadcast_to(np.asarray(cov, dtype=float), (n_perm, k, k)).copy()
    rows = np.arange(n_perm)
    var_y = cov[0, 0]
    previous = np.zeros(n_perm)
    contributions = np.empty((n_perm, m))
    for t in range(m):
        c = perms[:, t]
        pivot = block[rows, c, c]
        pivot = np.where(pivot > COLLINEAR_TOL * var_y, pivot, np.inf)
        column = block[rows, :, c]
        block -= column[:, :, None] * column[:, None, :] / pivot[:, None, None]
        r2 = 1.0 - block[:, 0, 0] / var_y
        contributions[rows, c - 1] = r2 - previous
        previous = r2
    return contributions.mean(axis=0), contributions.std(axis=0, ddof=1) / np.sqrt(n_perm)


def dominance(r2: np.ndarray, m: int, tol: float = 1e-12) -> list[dict]:
    """Budescu's dominance of each pair of players from the R^2 of every subset (one sample).

    For players i and j and every subset S of the others: *complete* dominance when
    i's increment beats j's for every S; *conditional* when i's average increment beats
    j's within every subset size; *general* when i's Shapley value is larger. Each entry
    names the dominant player (i or j) or None.
    """
    masks = np.arange(1 << m)
    size = _popcount(masks)
    phi = shapley_values(r2[None, :], m)[0]
    out = []
    for i in range(m):
        for j in range(i + 1, m):
            others = masks[((masks >> i) & 1 == 0) & ((masks >> j) & 1 == 0)]
            diff = r2[others | (1 << i)] - r2[others | (1 << j)]
            by_size = np.bincount(size[others], weights=diff, minlength=m - 1) / np.bincount(size[others], minlength=m - 1)
            out.append({
                "i": i, "j": j,
                "complete": i if (diff >= -tol).all() else j if (diff <= tol).all() else None,
                "conditional": i if (by_size >= -tol).all() else j if (by_size <= tol).all() else None,
                "general": i if phi[i] > phi[j] + tol else j if phi[j] > phi[i] + tol else None,
            })
    return out
