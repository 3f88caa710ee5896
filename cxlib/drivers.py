"""Key-driver analysis: how much of the outcome each driver and each group of drivers explains.

``key_drivers`` decomposes the R^2 of a linear model of the outcome (likelihood to
recommend, CSAT, ...) on the drivers into Shapley values (LMG; Lindeman, Merenda & Gold
1980; Grömping 2006) and reports them side by side with Johnson's relative weights
(Johnson 2000, *Multivariate Behavioral Research* 35(1)), standardized coefficients with
intervals, zero-order correlations and variance inflation factors, so the reader sees
whether methods agree. Budescu's (1993) dominance relations say where an ordering holds
in every subset model.

Groups of drivers (CX, Price, Brand) are reported two ways: the Shapley value of the
group as one player (what the group explains, shared credit with other groups split
fairly), and the sum of its members' shares. They differ because a member's share also
credits it for variance it shares with other members of its own group.

Uncertainty: the rows are resampled ``n_boot`` times (seeded); each resample becomes a
covariance matrix without refitting any model on rows, and every share, rank and
pairwise difference is recomputed from it. Intervals are percentile intervals or BCa
(``ci_method="bca"``, acceleration from a delete-a-group jackknife). Everything is
computed from the covariance matrix of the outcome and drivers (see
:mod:`cxlib.crossprod` and :mod:`cxlib.shapley`).
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .crossprod import (
    bootstrap_crossproducts,
    crossproducts,
    design_matrix,
    driver_columns,
    jackknife_crossproducts,
)
from .estimate import Estimate, format_ci
from .formatting import labels
from .formatting.claims import LEVEL, Claim
from .formatting.narrative import fmt_count, ngettext, word_list
from .formatting.result_view import ResultView
from .formatting.tables import shares_of_one
from .inference import holm
from .io.column_names import column_arguments
from .io.quality import DataError
from .io.scale import ANSWER_SCALES
from .lazy import lazy_module
from .shapley import MAX_EXACT, dominance, permutation_shapley, shapley_values, subset_r2

stats = lazy_module("scipy.stats")

__all__ = ["MIN_SEGMENT_ROWS", "RATING_SCALES", "BinaryDrivers", "KeyDrivers", "binary_drivers", "binary_drivers_from_source",
           "key_drivers", "key_drivers_from_source", "rating_scale", "rating_scales", "relative_weights", "segment_drivers",
           "segment_drivers_from_source", "shapley_shares"]

MAX_LOGISTIC_PLAYERS = 12
MIN_SEGMENT_ROWS = 200  # complete answers a segment needs to be analysed on its own
STRONG_EFFECT = " by share, though its effect ranks high"  # a small share, a clear beta in the top half
RATING_SCALES = ANSWER_SCALES  # answer scales a driver's values may lie on, narrowest first


NO_CLEAR_GAIN = "important and rated low, but raising it shows no clear gain"  # "fix first" needs a positive beta


def rating_scale(low: float, high: float, whole: bool = True, tops: Collection[float] | None = None) -> str | None:
    """The answer scale a driver's values lie on, from their smallest and largest value ("1-5", "0-10"), or None
    when they fit none, span fewer than three points (a 0/1 marker, an age, an income: not ratings) or are not
    all ``whole`` numbers (a log, a fraction: not answers on a scale).

    Someone gave the scale's top answer: ``tops`` are the largest values of the drivers
    read together (default: this one's). Codes 1-6 (an occupation) are then no 1-7 rating
    and 1-4 no 1-5 one, while a driver rated 1-3 beside others that reach 5 is on 1-5.

    >>> rating_scale(1, 10), rating_scale(2, 5), rating_scale(18, 90), rating_scale(1, 6), rating_scale(0, 4.6, False)
    ('0-10', '1-5', None, None, None)
    """
    if not whole or pd.isna(low) or pd.isna(high) or high - low < 2:
        return None
    tops = {high} if tops is None else set(tops)
    return next((f"{a}-{b}" for a, b in RATING_SCALES if a <= low and high <= b and b in tops), None)


def rating_scales(ranges: Mapping[str, tuple[float, float, bool]]) -> dict[str, str | None]:
    """Each driver's answer scale (:func:`rating_scale`) from its (smallest, largest, whole) values, the top of a
    scale reached by any driver's largest whole value."""
    tops = {high for low, high, whole in ranges.values() if whole and not pd.isna(high)}
    return {d: rating_scale(low, high, whole, tops) for d, (low, high, whole) in ranges.items()}


def relative_weights(corr: np.ndarray) -> np.ndarray:
    """Johnson's relative weights of the drivers from a correlation matrix (outcome first); they sum to R^2.

    With ``R_xx = Q L Q'``, ``Lambda = Q L^(1/2) Q'`` relates the drivers to their closest
    orthogonal counterparts, ``beta = Lambda^-1 r_xy`` regresses the outcome on those,
    and the weight of driver j is ``sum_k Lambda_jk^2 beta_k^2``.

    >>> relative_weights(np.array([[1.0, 0.5, 0.3], [0.5, 1.0, 0.0], [0.3, 0.0, 1.0]])).round(4).tolist()
    [0.25, 0.09]
    """
    rxx, rxy = corr[1:, 1:], corr[1:, 0]
    values, vectors = np.linalg.eigh(rxx)
    lam = vectors @ np.diag(np.sqrt(np.clip(values, 0, None))) @ vectors.T
    beta = np.linalg.solve(lam, rxy)
    return (lam**2) @ (beta**2)


def _interval(boot: np.ndarray, estimate: np.ndarray, ci: float, method: str,
              jack: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Percentile or BCa interval per column of ``boot`` (resamples x statistics)."""
    alpha = np.array([(1 - ci) / 2, (1 + ci) / 2])
    if method == "percentile":
        low, high = np.quantile(boot, alpha, axis=0)
        return low, high
    z0 = stats.norm.ppf(np.clip((boot < estimate).mean(axis=0), 1e-6, 1 - 1e-6))
    centred = jack.mean(axis=0) - jack
    accel = (centred**3).sum(axis=0) / (6 * ((centred**2).sum(axis=0)) ** 1.5 + 1e-300)
    z = stats.norm.ppf(alpha)[:, None]
    adjusted = stats.norm.cdf(z0 + (z0 + z) / (1 - accel * (z0 + z)))
    low = np.array([np.quantile(boot[:, j], adjusted[0, j]) for j in range(boot.shape[1])])
    high = np.array([np.quantile(boot[:, j], adjusted[1, j]) for j in range(boot.shape[1])])
    return low, high


def _check_collinearity(corr: np.ndarray, names: Sequence[str]) -> None:
    """A clear error for a constant outcome or driver, or drivers that are linear combinations of others."""
    if not np.isfinite(corr[0, 0]):
        raise DataError(f"the outcome {names[0]!r} does not vary: every answer gives it the same value, so there is "
                        "nothing for the drivers to explain", column=names[0], rule="outcome varies")
    rxx = corr[1:, 1:]
    constant = [names[j + 1] for j in range(len(rxx)) if not np.isfinite(rxx[j, j])]
    if constant:
        raise DataError(f"driver(s) {constant} do not vary: a constant cannot explain anything; remove them",
                        column=constant[0], rule="driver varies")
    values, vectors = np.linalg.eigh(rxx)
    if values[0] > 1e-10 * values[-1]:
        return
    pairs = [(names[i + 1], names[j + 1], rxx[i, j]) for i in range(len(rxx)) for j in range(i + 1, len(rxx))
             if abs(rxx[i, j]) > 1 - 1e-8]
    if pairs:
        a, b, r = pairs[0]
        raise DataError(f"drivers {a!r} and {b!r} are perfectly collinear (r = {r:.4f}): they carry the same "
                        "information, so their shares cannot be told apart; keep one, or put both in one group",
                        column=a, rule="drivers not collinear")
    involved = [names[j + 1] for j in np.flatnonzero(np.abs(vectors[:, 0]) > 0.1)]
    raise DataError(f"drivers {involved} are linearly dependent (one is a combination of the others); drop one",
                    column=involved[0], rule="drivers not collinear")


@dataclass(frozen=True, repr=False)
class KeyDrivers(ResultView):
    """The result of :func:`key_drivers`. Shares are fractions of R^2 (they sum to 1)."""

    outcome: str
    n: int
    rows_dropped: int
    r2: float
    r2_ci: tuple[float, float]
    drivers: pd.DataFrame
    groups: pd.DataFrame
    differences: pd.DataFrame
    dominance: pd.DataFrame
    method: str
    ci: float
    n_boot: int
    coefficients: pd.DataFrame = field(repr=False)
    boot_group_shares: np.ndarray | None = field(default=None, repr=False)  # resamples x groups
    scales: dict = field(default_factory=dict)  # driver -> its answer scale ("1-5"), None when not a rating
    dropped_by: dict = field(default_factory=dict)  # column -> answers left out because it was their first blank

    def __post_init__(self):
        shares_of_one(self.drivers, "share", "relative_weight_share")  # shown as percentages, in notebooks too
        shares_of_one(self.groups, "share", "sum_of_member_shares")

    @property
    def group_shares(self) -> pd.DataFrame:
        """group, share, ci_low, ci_high (the group as one player)."""
        return self.groups[["group", "share", "ci_low", "ci_high"]]

    def what_if(self, driver: str, delta: float) -> Estimate:
        """Raising ``driver`` by ``delta`` points moves the outcome by b * delta (the model's coefficient)."""
        row = self.coefficients.set_index("driver").loc[driver]
        return Estimate(metric=f"change in {self.outcome} if {driver} rises by {delta:g}", value=row["b"] * delta,
                        ci_low=min(row["ci_low"] * delta, row["ci_high"] * delta),
                        ci_high=max(row["ci_low"] * delta, row["ci_high"] * delta), n=self.n,
                        se=row["se"] * abs(delta), ci=self.ci, method="linear model coefficient")

    def what_if_table(self, delta: float = 1.0) -> pd.DataFrame:
        """The outcome's change, in its own unit, if each driver with one coefficient rose by ``delta`` (a number
        by ``delta`` units; a category of two levels from its reference level to the other, named in ``term``
        as "Health ins: no"), with intervals."""
        single = self.coefficients[~self.coefficients["driver"].duplicated(keep=False)]
        rows = [self.what_if(d, delta) for d in single["driver"]]
        return pd.DataFrame({"term": list(single["column"]), "n": [e.n for e in rows],
                             "value": [e.value for e in rows], "ci_low": [e.ci_low for e in rows],
                             "ci_high": [e.ci_high for e in rows]})

    def priorities(self) -> pd.DataFrame:
        """Importance-performance of the ratings on one answer scale: share of R^2 and mean rating, each with its
        interval, and the quadrant those two place it in (split at their medians).

        Only drivers rated on the scale most drivers share are placed: a mean is never compared across scales,
        and an age or an income is not a rating. ``beta`` (the standardized coefficient) and the ranks by share and
        by beta sit beside the quadrant, because the two can order drivers differently: a share credits a driver
        for what it explains together with the drivers it overlaps with, a beta counts its effect with the others
        held fixed.
        """
        d = self.drivers.assign(scale=self.drivers["driver"].map(self.scales))
        d = d.assign(share_rank=d["share"].rank(ascending=False, method="min"),
                     beta_rank=d["beta"].abs().rank(ascending=False, method="min"))
        rated = d["scale"].dropna()
        d = d[d["scale"] == rated.mode().iloc[0]] if len(rated) else d.iloc[:0]
        high_importance = d["share"] >= d["share"].median()
        high_performance = d["mean"] >= d["mean"].median()
        quadrant = np.select([high_importance & ~high_performance, high_importance & high_performance,
                              ~high_importance & high_performance], ["fix first", "keep up", "possible overkill"],
                             "low priority")
        betas = self.drivers.set_index("driver")
        helps = d["driver"].map(betas["beta_ci_low"]) > 0
        clear = helps | (d["driver"].map(betas["beta_ci_high"]) < 0)
        strong = (~high_importance & (d["beta_rank"] <= len(self.drivers) / 2) & clear).to_numpy()
        quadrant = np.where(strong, np.char.add(quadrant.astype(str), STRONG_EFFECT), quadrant)
        quadrant = np.where((quadrant == "fix first") & ~helps.to_numpy(), NO_CLEAR_GAIN, quadrant)
        return d[["driver", "group", "scale", "share", "ci_low", "ci_high", "mean", "mean_ci_low", "mean_ci_high",
                  "beta", "share_rank", "beta_rank"]].assign(quadrant=quadrant).reset_index(drop=True)

    def fix_first(self) -> pd.DataFrame:
        """The ratings to fix first: important (a share above the median driver's), clearly helping the outcome
        (the standardized beta's interval above 0) and rated clearly low (the mean's interval below the median of
        the other ratings on the same scale); most important first, with ``others_median``."""
        p = self.priorities()
        others = [p["mean"].drop(i).median() for i in p.index]
        beta_low = p["driver"].map(self.drivers.set_index("driver")["beta_ci_low"])
        p = p.assign(others_median=others)
        return p[(p["share"] > p["share"].median()) & (beta_low > 0) & (p["mean_ci_high"] < p["others_median"])
                 ].sort_values("share", ascending=False)

    def largest_group(self) -> pd.Series:
        """The group with the largest share (the first declared among equals)."""
        return self.groups.loc[self.groups["share"].idxmax()]

    def headline(self) -> dict:
        g = self.largest_group()
        return {"variation explained": format_ci(100 * self.r2, 100 * self.r2_ci[0], 100 * self.r2_ci[1], 0, "%"),
                f"{labels.name(g['group'])} share": format_ci(100 * g["share"], 100 * g["ci_low"], 100 * g["ci_high"], 0, "%")}

    def claims(self) -> list[Claim]:
        """What the executive summary states, each with its numbers and test (:mod:`cxlib.formatting.claims`)."""
        outcome, out = labels.name(self.outcome), []
        g = self.groups.sort_values("share", ascending=False, kind="stable")
        if len(g) < len(self.drivers):  # groups of several drivers: the question "CX against price and brand"
            first = g.iloc[0]
            rest = "; ".join(f"{labels.name(row.group)} {100 * row.share:.0f}% ({100 * row.ci_low:.0f} to "
                             f"{100 * row.ci_high:.0f}%)" for row in g.iloc[1:].itertuples())
            overlap = len(g) > 1 and g.iloc[1]["ci_high"] >= first["ci_low"]  # the ranking alone would overstate it
            out.append(Claim("drivers.top_group", "{group} accounts for {share}% of what the drivers explain in "
                             "{outcome} (95% CI {low} to {high}%){rest}{overlap}.",
                             {"group": labels.name(first["group"]), "share": f"{100 * first['share']:.0f}",
                              "low": f"{100 * first['ci_low']:.0f}", "high": f"{100 * first['ci_high']:.0f}",
                              "outcome": outcome, "rest": f"; then {rest}" if rest else "",
                              "overlap": "; the first two groups' intervals overlap" if overlap else ""},
                             {"group": first["group"], "share": first["share"], "ci_low": first["ci_low"],
                              "ci_high": first["ci_high"], "groups": len(g)}, "Shapley decomposition of R², bootstrap"))
        out.append(Claim("drivers.variation_explained", "Together the drivers explain {r2}% of the variation in "
                         "{outcome} between answers (95% CI {low} to {high}%; {n} answers); the rest is not "
                         "explained by these drivers.",
                         {"r2": f"{100 * self.r2:.0f}", "low": f"{100 * self.r2_ci[0]:.0f}",
                          "high": f"{100 * self.r2_ci[1]:.0f}", "outcome": outcome, "n": fmt_count(self.n)},
                         {"r2": self.r2, "ci_low": self.r2_ci[0], "ci_high": self.r2_ci[1], "n": self.n}))
        if self.rows_dropped:
            blank = dict(self.dropped_by)
            no_outcome = blank.pop(self.outcome, 0)
            unrated = sum(blank.values())
            causes = [f"{fmt_count(no_outcome)} without {outcome}"] if no_outcome else []
            if unrated:
                causes.append(f"{fmt_count(unrated)} with a driver not rated ("
                              + ", ".join(f"{labels.name(d)} {fmt_count(n)}" for d, n in blank.items() if n) + ")")
            other = self.rows_dropped - no_outcome - unrated
            if other:
                causes.append(f"{fmt_count(other)} for the reasons in the data quality table")
            out.append(Claim("drivers.rows_dropped", "{dropped} answers are not in the model ({share}% of {total}): "
                             "{causes}.",
                             {"dropped": fmt_count(self.rows_dropped), "total": fmt_count(self.n + self.rows_dropped),
                              "share": f"{100 * self.rows_dropped / (self.n + self.rows_dropped):.0f}",
                              "causes": ", ".join(causes)},
                             {"rows_dropped": self.rows_dropped, "n": self.n, "by_cause": dict(self.dropped_by),
                              "other": other}, joins=True))
        ranked = self.drivers.sort_values("share", ascending=False)
        top = ranked.iloc[0]
        values = {"driver": labels.name(top["driver"]), "share": f"{100 * top['share']:.0f}",
                  "low": f"{100 * top['ci_low']:.0f}", "high": f"{100 * top['ci_high']:.0f}"}
        numbers = {"driver": top["driver"], "share": top["share"], "ci_low": top["ci_low"], "ci_high": top["ci_high"]}
        if len(ranked) > 1:
            p = {other: self._p_difference(top["driver"], other) for other in ranked["driver"].iloc[1:]}
            tied = ranked[ranked["driver"].isin([o for o, v in p.items() if not v < LEVEL])]
            numbers.update(p_values=p, not_clearly_behind=list(tied["driver"]))
            test = "bootstrap test of the difference of two shares"
            if len(tied):
                values["tied"] = word_list([f"{labels.name(r.driver)} ({100 * r.share:.0f}%)" for r in tied.itertuples()],
                                           "or")
                out.append(Claim("drivers.top_driver_not_clear", "The largest single driver is {driver}: {share}% of "
                                 "what the drivers explain (95% CI {low} to {high}%), but not clearly ahead of {tied}.",
                                 values, numbers, test))
            else:
                out.append(Claim("drivers.top_driver_clear", "The largest single driver is {driver}: {share}% of what "
                                 "the drivers explain (95% CI {low} to {high}%), clearly ahead of every other.",
                                 values, numbers, test))
        fix = self.fix_first()
        if len(fix):
            out.append(Claim("drivers.fix_first", "Fix first: {drivers}, which " + ngettext(
                             "explains more than the median driver, raises {outcome} and is rated clearly below the "
                             "median of the other ratings on its {scale} scale ({median}).",
                             "explain more than the median driver, raise {outcome} and are rated clearly below the "
                             "median of the other ratings on their {scale} scale ({median}).", len(fix)),
                             {"drivers": ", ".join(f"{labels.name(r.driver)} (mean {r.mean:.2f}, 95% CI "
                                                   f"{r.mean_ci_low:.2f} to {r.mean_ci_high:.2f})"
                                                   for r in fix.itertuples()), "outcome": outcome,
                              "scale": fix["scale"].iloc[0],
                              "median": ", ".join(f"{m:.2f}" for m in dict.fromkeys(fix["others_median"]))},
                             {"drivers": list(fix["driver"]), "shares": list(fix["share"]), "means": list(fix["mean"]),
                              "mean_ci_high": list(fix["mean_ci_high"]), "others_median": list(fix["others_median"]),
                              "betas": list(fix["beta"]), "scale": fix["scale"].iloc[0]},
                             "the mean rating's 95% interval below the median of the other ratings' means, on one "
                             "answer scale; a positive standardized coefficient"))
        by_beta = self.drivers.dropna(subset=["beta"]).sort_values("beta", key=np.abs, ascending=False, kind="stable")
        strongest = by_beta.iloc[0] if len(by_beta) > 1 else None
        rank = int((self.drivers["share"] > strongest["share"]).sum()) + 1 if strongest is not None else 1
        if rank >= 3:  # second by share is near agreement, not a contradiction
            single = self.coefficients.drop_duplicates("driver", keep=False).set_index("driver")["column"]
            among = (f" among the {len(by_beta)} drivers with one coefficient (a category of more than two levels "
                     "has several)" if len(by_beta) < len(self.drivers) else "")
            out.append(Claim("drivers.share_and_effect_differ", "{driver} has the largest effect with the other "
                             "drivers held fixed{among} (standardized coefficient {beta}), yet ranks {rank} by share "
                             "of what the drivers explain: a share also credits a driver for what it explains "
                             "together with the drivers it overlaps with.",
                             {"driver": labels.term(single.get(strongest["driver"], strongest["driver"])),
                              "among": among, "beta": f"{strongest['beta']:.2f}",
                              "rank": f"{rank} of {len(self.drivers)}"},
                             {"driver": strongest["driver"], "beta": strongest["beta"], "share_rank": rank},
                             joins=True))
        return out

    def _p_difference(self, a: str, b: str) -> float:
        """The bootstrap p-value of the difference between two drivers' shares (either order in ``differences``)."""
        d = self.differences
        pair = d[((d["driver_a"] == a) & (d["driver_b"] == b)) | ((d["driver_a"] == b) & (d["driver_b"] == a))]
        return float(pair["p_value"].iloc[0]) if len(pair) else float("nan")

    def group_claims(self) -> list[Claim]:
        """How each group's share compares with the sum of its members' shares, in the direction that holds here.

        A group's share treats it as one player among the groups; a member's share is its
        Shapley value among all drivers. The two split what drivers share with each other
        differently, so their sum can be above or below the group's share.
        """
        out = []
        for row in self.groups[self.groups["members"].str.contains(",")].itertuples():
            total, share = 100 * row.sum_of_member_shares, 100 * row.share
            relation = ("about the same as" if abs(total - share) < 0.5 else "more than" if total > share
                        else "less than")
            out.append(Claim("drivers.member_sum", "For {group}, the members' shares add up to {total}%, {relation} "
                             "the group's {share}%.", {"group": labels.name(row.group), "total": f"{total:.0f}",
                                                       "relation": relation, "share": f"{share:.0f}"},
                             {"group": row.group, "sum_of_member_shares": row.sum_of_member_shares,
                              "share": row.share}))
        if not out:
            return [Claim("drivers.single_driver_groups", "Every group here has a single driver: its share is that "
                          "driver's share.")]
        return [*out, Claim("drivers.member_sum_why", "A group's share treats it as one player among the groups; a "
                            "member's share is its own among all drivers. The two divide what drivers have in common "
                            "differently, so they need not agree.")]

    def to_dict(self) -> dict:
        return {"outcome": self.outcome, "n": self.n, "rows_dropped": self.rows_dropped,
                "rows_dropped_by": self.dropped_by, "r2": self.r2,
                "r2_ci_low": self.r2_ci[0], "r2_ci_high": self.r2_ci[1], "method": self.method, "ci": self.ci,
                "n_boot": self.n_boot, "drivers": self.drivers, "groups": self.groups,
                "differences": self.differences, "dominance": self.dominance, "coefficients": self.coefficients,
                "claims": [c.to_dict() for c in self.claims()]}


def _resolve_groups(drivers: Sequence[str] | None,
                    groups: Mapping[str, Sequence[str]] | None) -> tuple[list[str], dict[str, list[str]]]:
    """The drivers (those given, then any group member not among them) and every group (a lone driver is its own)."""
    groups = {str(k): list(v) for k, v in (groups or {}).items()}
    drivers = list(drivers) if drivers is not None else []
    for members in groups.values():
        drivers += [d for d in members if d not in drivers]
    grouped = {d for members in groups.values() for d in members}
    groups.update({d: [d] for d in drivers if d not in grouped})
    return drivers, groups


def _players(names: Sequence[str], drivers: Sequence[str]) -> list[list[int]]:
    """Columns (into ``names``, outcome at 0) of each driver: one, or its dummies."""
    return [[i for i, name in enumerate(names) if name == d or name.startswith(f"{d}[")] for d in drivers]


def _correlation(cov: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.diag(cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        return cov / np.outer(sd, sd)


@column_arguments("outcome", "drivers", "weights")
def shapley_shares(data: pd.DataFrame, outcome: str, drivers: Sequence[str], weights: str | None = None,
                   max_exact: int = MAX_EXACT, n_perm: int = 2000, seed: int | None = 0) -> pd.Series:
    """Each driver's share of R^2 (Shapley/LMG) and nothing else: the lean path of :func:`key_drivers`.

    >>> import cxlib as cx
    >>> from cxlib.sample import DRIVERS
    >>> shapley_shares(cx.io.load().responses, "nps", DRIVERS).round(3).tolist()
    [0.199, 0.194, 0.185, 0.181, 0.159, 0.083]
    """
    x, w, names, _ = design_matrix(data, outcome, drivers, weights)
    cov = crossproducts(x, names, w).cov
    _check_collinearity(_correlation(cov[0]), names)
    phi = _shares(cov, _players(names, drivers), max_exact, n_perm, seed)[0][0]
    return pd.Series(phi / phi.sum(), index=list(drivers), name="share")


def _shares(cov: np.ndarray, players: list[list[int]], max_exact: int, n_perm: int,
            seed) -> tuple[np.ndarray, np.ndarray | None, str, np.ndarray]:
    """Shapley values (batch, m), the subset R^2 of the first matrix (or None), the method, and the Monte Carlo SE."""
    m = len(players)
    if m <= max_exact:
        r2 = subset_r2(cov, players)
        return shapley_values(r2, m), r2[0], "exact (all subsets)", np.zeros(m)
    if any(len(p) > 1 for p in players):
        raise DataError(f"{m} drivers with categorical ones: exact Shapley stops at {max_exact} players and "
                        "sampling needs numeric drivers; group the dummies or raise max_exact", rule="players")
    estimates = [permutation_shapley(c, n_perm, seed) for c in cov]
    return (np.stack([e[0] for e in estimates]), None, f"permutation sampling ({n_perm:,} orderings)",
            estimates[0][1])


@column_arguments("outcome", "drivers", "weights", members_of=("groups",))
def key_drivers(data: pd.DataFrame, outcome: str, drivers: Sequence[str] | None = None,
                groups: Mapping[str, Sequence[str]] | None = None, weights: str | None = None, n_boot: int = 1000,
                seed: int | None = 0, ci: float = 0.95, ci_method: str = "percentile", missing: str = "listwise",
                max_exact: int = MAX_EXACT, n_perm: int = 2000) -> KeyDrivers:
    """Shapley decomposition of R^2 with bootstrap intervals, relative weights, betas and priorities.

    Parameters
    ----------
    data : DataFrame
        One row per answer.
    outcome : str
        The column to explain (e.g. "nps").
    drivers, groups : list, dict
        The drivers; ``groups`` maps a group name to its drivers (a driver in no group is
        its own group). Give either or both. Text columns enter as dummies (first level
        in sorted order is the reference) and act as one driver.
    weights : str, optional
        Survey weights.
    n_boot, seed : int
        Bootstrap resamples (0: no intervals) and seed.
    ci_method : {"percentile", "bca"}
    missing : {"listwise", "pairwise"}
        Pairwise uses every available pair for each covariance (with a warning: the matrix
        may not be a proper covariance matrix).
    max_exact : int
        Up to this many drivers the decomposition is exact over all 2^p subsets; beyond,
        it is estimated from ``n_perm`` random orderings (Monte Carlo error in ``mc_se``).

    Examples
    --------
    >>> import cxlib as cx
    >>> from cxlib.sample import DRIVER_GROUPS
    >>> kd = key_drivers(cx.io.load().responses, "nps", groups=DRIVER_GROUPS, n_boot=200, seed=1)
    >>> kd.group_shares.round(2).to_dict("list")
    {'group': ['CX', 'Price', 'Brand'], 'share': [0.66, 0.21, 0.13], 'ci_low': [0.64, 0.2, 0.12], 'ci_high': [0.68, 0.22, 0.14]}
    """
    drivers, groups = _check_request(drivers, groups, ci_method)
    if missing == "pairwise" and weights:
        raise ValueError("missing='pairwise' cannot use weights; use listwise deletion with weights")

    x, w, names, dropped = design_matrix(data, outcome, drivers, weights, missing)
    if len(x) < len(names) + 2:
        raise DataError(f"only {len(x)} complete rows for {len(names) - 1} driver columns", rule="enough rows")
    if missing == "pairwise":
        warnings.warn("pairwise deletion: each covariance uses the rows where both values are present, so the "
                      "matrix may not be a proper covariance matrix", stacklevel=2)
        cov = pd.DataFrame(x, columns=names).cov().to_numpy()[None]
        n, mean = int(np.isfinite(x).all(axis=1).sum()), np.nanmean(x, axis=0)
    else:
        cp = crossproducts(x, names, w)
        cov, n, mean = cp.cov, len(x), cp.mean[0]
    rng_seed = None if seed is None else seed + 1
    boot_cov = jack_cov = None
    if n_boot:
        if missing == "pairwise":
            rng = np.random.default_rng(rng_seed)
            boot_cov = np.stack([pd.DataFrame(x[rng.integers(0, len(x), len(x))], columns=names).cov().to_numpy()
                                 for _ in range(n_boot)])
        else:
            boot_cov = bootstrap_crossproducts(x, names, n_boot, rng_seed, w).cov
        if ci_method == "bca":
            jack_cov = jackknife_crossproducts(x, names, 50, seed, w).cov
    kd = _analysis(outcome, names, drivers, groups, cov, n, mean, dropped, boot_cov, jack_cov, weights is not None,
                   seed, ci, ci_method, max_exact, n_perm)
    numeric = [d for d in drivers if pd.api.types.is_numeric_dtype(data[d].dtype)]
    scales = rating_scales({d: (data[d].min(), data[d].max(), _whole(data[d])) for d in numeric})
    return replace(kd, scales={d: scales.get(d) for d in drivers})


def _whole(values: pd.Series) -> bool:
    present = values.dropna().to_numpy(dtype=float)
    return bool((present == np.round(present)).all())


def key_drivers_from_source(source, outcome: str, drivers: Sequence[str] | None = None,
                            groups: Mapping[str, Sequence[str]] | None = None, weights: str | None = None,
                            n_boot: int = 1000, sample_size: int = 100_000, seed: int | None = 0, ci: float = 0.95,
                            ci_method: str = "percentile", max_exact: int = MAX_EXACT, n_perm: int = 2000) -> KeyDrivers:
    """:func:`key_drivers` on data of any size: the covariance from a backend's reduce step, intervals from a sample.

    ``source`` is a :class:`cxlib.backends.Backend` (pandas, DuckDB or Dask); drivers
    holds the numeric drivers, and a categorical driver as its dummy columns ``driver[level]``
    (:func:`cxlib.crossprod.with_dummies`). The shares, betas and R^2 use every complete row. The bootstrap
    draws from a seeded random sample of m rows (``sample_size``): each replicate's
    deviation from the sample's covariance is shrunk by sqrt(m / n) and added to the
    covariance of all n rows, the rescaled m-out-of-n bootstrap (Bickel, Goetze & van
    Zwet 1997; Politis, Romano & Wolf 1999, ch. 2), valid because the shares are smooth
    functions of a covariance matrix that is asymptotically normal at rate sqrt(n).
    When m >= n it is the ordinary bootstrap, the same numbers as :func:`key_drivers`.
    """
    drivers, groups = _check_request(drivers, groups, ci_method)
    names = [outcome, *driver_columns(source.columns(), drivers)]
    full = source.crossproducts(names, weights=weights)["all"]
    rows = source.sample([*names, *([weights] if weights else [])], sample_size, seed or 0) if n_boot else None
    kd = _rescaled(full, rows, source.rows_read(), names, drivers, groups, weights, n_boot, seed, ci, ci_method,
                   max_exact, n_perm)
    seen = rows if rows is not None else source.sample(names, 10_000, seed or 0)  # whole numbers, as far as seen
    scales = rating_scales({d: (*source.value_range(d), _whole(seen[d])) for d in drivers if d in names})
    return replace(kd, scales={d: scales.get(d) for d in drivers})


def segment_drivers_from_source(source, outcome: str, by: str, groups: Mapping[str, Sequence[str]],
                                n_boot: int = 1000, seed: int | None = 0, ci: float = 0.95, min_n: int = MIN_SEGMENT_ROWS,
                                sample_size: int = 100_000, weights: str | None = None,
                                min_sample: int = 50) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`segment_drivers` on any backend: cross-products per segment, bootstrap from one seeded sample.

    Each segment's intervals come from its rows in the sample, rescaled by sqrt(m_s / n_s)
    (see :func:`key_drivers_from_source`); a segment with fewer than ``min_sample``
    complete rows in the sample is skipped and listed (raise ``sample_size``).
    """
    drivers, groups = _check_request(None, groups, "percentile")
    names = [outcome, *driver_columns(source.columns(), drivers)]
    full = source.crossproducts(names, by=by, weights=weights)
    rows = source.sample([*names, by, *([weights] if weights else [])], sample_size, seed or 0) if n_boot else None
    results = {}
    for segment, cp in full.items():
        part = None if rows is None else rows[rows[by] == segment].dropna(subset=names)
        too_small = cp.n[0] < min_n or (part is not None and len(part) < min_sample)
        results[str(segment)] = _segment_fit(int(cp.n[0]), too_small, lambda cp=cp, part=part: _rescaled(
            cp, part, int(cp.n[0]), names, drivers, groups, weights, n_boot, seed, ci, "percentile", MAX_EXACT, 2000))
    return _segment_comparison(results, list(groups), ci)


def _check_request(drivers, groups, ci_method) -> tuple[list[str], dict]:
    drivers, groups = _resolve_groups(drivers, groups)
    if len(drivers) < 2:
        raise DataError("key-driver analysis needs at least two drivers", rule="two or more drivers")
    if ci_method not in ("percentile", "bca"):
        raise ValueError(f"ci_method must be 'percentile' or 'bca', got {ci_method!r}")
    return drivers, groups


def _rescaled(full, rows, rows_read, names, drivers, groups, weights, n_boot, seed, ci, ci_method, max_exact,
              n_perm) -> KeyDrivers:
    """The analysis of all rows' cross-products ``full`` of ``names`` (the outcome, then the drivers' columns),
    bootstrapped on the sample ``rows`` rescaled to n."""
    outcome = names[0]
    n = int(full.n[0])
    if n < len(names) + 2:
        raise DataError(f"only {n} complete rows for {len(drivers)} drivers", rule="enough rows")
    boot_cov = jack_cov = None
    if n_boot:
        x, w, _, _ = design_matrix(rows, outcome, names[1:], weights)
        sample_cov = crossproducts(x, names, w).cov
        shrink = np.sqrt(len(x) / n)
        boot = bootstrap_crossproducts(x, names, n_boot, None if seed is None else seed + 1, w).cov
        boot_cov = full.cov + shrink * (boot - sample_cov)
        if ci_method == "bca":
            jack_cov = full.cov + shrink * (jackknife_crossproducts(x, names, 50, seed, w).cov - sample_cov)
    return _analysis(outcome, names, drivers, groups, full.cov, n, full.mean[0], rows_read - n, boot_cov, jack_cov,
                     weights is not None, seed, ci, ci_method, max_exact, n_perm)


def _analysis(outcome, names, drivers, groups, cov, n, mean, dropped, boot_cov, jack_cov, weighted, seed, ci,
              ci_method, max_exact, n_perm) -> KeyDrivers:
    """Everything key_drivers reports, from the covariance matrix and its bootstrap (and jackknife) replicates."""
    corr = _correlation(cov[0])
    _check_collinearity(corr, names)
    n_boot = 0 if boot_cov is None else len(boot_cov)
    players = _players(names, drivers)
    group_players = [[c for d in members for c in players[drivers.index(d)]] for members in groups.values()]
    phi, r2_all, method, mc_se = _shares(cov, players, max_exact, n_perm, seed)
    phi = phi[0]
    r2 = float(phi.sum())
    group_phi = _shares(cov, group_players, max_exact, n_perm, seed)[0][0]
    if n_boot:
        boot_phi = _shares(boot_cov, players, max_exact, max(100, n_perm // 10), seed)[0]
        boot_group = _shares(boot_cov, group_players, max_exact, max(100, n_perm // 10), seed)[0]
    jack_phi = jack_group = None
    if jack_cov is not None:
        jack_phi = _shares(jack_cov, players, max_exact, max(100, n_perm // 10), seed)[0]
        jack_group = _shares(jack_cov, group_players, max_exact, max(100, n_perm // 10), seed)[0]

    def shares_of(values: np.ndarray) -> np.ndarray:
        return values / values.sum(axis=-1, keepdims=True)

    def intervals(estimate, boot, jack):
        if not n_boot:
            return np.full(len(estimate), np.nan), np.full(len(estimate), np.nan)
        return _interval(boot, estimate, ci, ci_method, jack)

    share = shares_of(phi)
    share_low, share_high = intervals(share, shares_of(boot_phi) if n_boot else None,
                                      shares_of(jack_phi) if jack_phi is not None else None)
    rank = (-share).argsort().argsort() + 1
    if n_boot:
        boot_rank = (-shares_of(boot_phi)).argsort(axis=1).argsort(axis=1) + 1
        rank_low, rank_high = np.quantile(boot_rank, [(1 - ci) / 2, (1 + ci) / 2], axis=0)
        r2_low, r2_high = np.quantile(boot_phi.sum(axis=1), [(1 - ci) / 2, (1 + ci) / 2])
    else:
        rank_low = rank_high = np.full(len(share), np.nan)
        r2_low = r2_high = np.nan

    driver_group = {d: g for g, members in groups.items() for d in members}
    rw = relative_weights(corr)
    rw_driver = np.array([rw[[c - 1 for c in p]].sum() for p in players])
    coefficients = _coefficients(cov[0], corr, names, drivers, players, n, ci, weighted,
                                 boot_cov if n_boot else None)
    means = _means(cov[0], n, drivers, players, ci, mean)
    table = pd.DataFrame({
        "driver": drivers, "group": [driver_group[d] for d in drivers], "value": phi, "mc_se": mc_se, "share": share,
        "ci_low": share_low, "ci_high": share_high, "rank": rank, "rank_ci_low": rank_low, "rank_ci_high": rank_high,
        "relative_weight": rw_driver, "relative_weight_share": rw_driver / rw_driver.sum(),
        "correlation": [corr[0, p[0]] if len(p) == 1 else np.nan for p in players],
        "vif": [_vif(corr, p) for p in players],
    }).merge(coefficients.loc[~coefficients["driver"].duplicated(keep=False),  # numeric drivers: one column each
                              ["driver", "beta", "beta_ci_low", "beta_ci_high"]], on="driver", how="left")
    table = table.merge(means, on="driver", how="left")

    group_share = shares_of(group_phi)
    g_low, g_high = intervals(group_share, shares_of(boot_group) if n_boot else None,
                              shares_of(jack_group) if jack_group is not None else None)
    group_table = pd.DataFrame({
        "group": list(groups), "value": group_phi, "share": group_share, "ci_low": g_low, "ci_high": g_high,
        "sum_of_member_shares": [share[[drivers.index(d) for d in m]].sum() for m in groups.values()],
        "members": [", ".join(m) for m in groups.values()],
    })
    differences = _differences(drivers, share, shares_of(boot_phi) if n_boot else None, ci)
    dom = _dominance_table(r2_all, drivers) if r2_all is not None else pd.DataFrame()
    return KeyDrivers(outcome, n, dropped, r2, (float(r2_low), float(r2_high)), table, group_table, differences, dom,
                      method, ci, n_boot, coefficients, shares_of(boot_group) if n_boot else None)


@column_arguments("outcome", "by", members_of=("groups",))
def segment_drivers(data: pd.DataFrame, outcome: str, by: str, groups: Mapping[str, Sequence[str]],
                    n_boot: int = 1000, seed: int | None = 0, ci: float = 0.95, min_n: int = MIN_SEGMENT_ROWS,
                    **kwargs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Group shares per segment of ``by``, and whether they differ between segments.

    Each segment is analysed (and bootstrapped) on its own rows; the difference of a
    group's share between two segments gets a percentile interval from the independent
    resamples and a two-sided bootstrap p-value, Holm-adjusted over all comparisons.
    A segment with fewer than ``min_n`` complete rows is not analysed: its rows in the shares
    table have no share and ``analysed`` False, with its n, so that no segment is dropped
    unseen. Returns (shares: segment, group, share, ci_low, ci_high, n, analysed;
    differences: group, segment_a, segment_b, difference, ci_low, ci_high, p_value,
    p_adjusted, significant), the differences empty when fewer than two segments are analysed.
    """
    results = {}
    for segment, rows in data.groupby(by, sort=True, observed=True):
        complete = rows.dropna(subset=[outcome, *[d for m in groups.values() for d in m]])
        results[str(segment)] = _segment_fit(len(complete), len(complete) < min_n, lambda rows=rows: key_drivers(
            rows, outcome, groups=groups, n_boot=n_boot, seed=seed, ci=ci, **kwargs))
    return _segment_comparison(results, list(groups), ci)


@dataclass(frozen=True)
class NotAnalysed:
    """A segment left out of the segment comparison: its complete answers and why ("too small", or the driver
    that does not vary, or the drivers that move together, within it)."""

    n: int
    reason: str


def _segment_fit(n: int, too_small: bool, fit) -> KeyDrivers | NotAnalysed:
    """``fit()`` for one segment, or why it cannot be analysed on its own: too few answers, or drivers that vary
    overall but not within it (a constant, or two that move together), which only that segment's fit meets."""
    if too_small:
        return NotAnalysed(n, TOO_SMALL)
    try:
        return fit()
    except DataError as exc:
        if exc.rule not in WITHIN_SEGMENT:
            raise
        return NotAnalysed(n, f"{exc.column} {WITHIN_SEGMENT[exc.rule]}")


WITHIN_SEGMENT = {"outcome varies": "does not vary within it", "driver varies": "does not vary within it",
                  "drivers not collinear": "moves with another driver within it"}  # a fit's rule -> the reason


SEGMENT_SHARES = ["segment", "group", "share", "ci_low", "ci_high", "n", "analysed", "reason"]
TOO_SMALL = "too few complete answers"  # the reason a segment most often is not analysed on its own
SEGMENT_DIFFERENCES = ["group", "segment_a", "segment_b", "difference", "ci_low", "ci_high", "p_value", "p_adjusted",
                       "significant"]


def _segment_comparison(outcomes: Mapping[str, KeyDrivers | NotAnalysed], groups: list[str],
                        ci: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Group shares per segment (a segment not analysed with its n and reason, and no share), and each pair of
    analysed segments' differences with bootstrap intervals and Holm's p."""
    parts = [r.groups[["group", "share", "ci_low", "ci_high"]].assign(segment=s, n=r.n, analysed=True, reason="")
             if isinstance(r, KeyDrivers) else pd.DataFrame({"segment": s, "group": groups, "share": np.nan,
                                                             "ci_low": np.nan, "ci_high": np.nan, "n": r.n,
                                                             "analysed": False, "reason": r.reason})
             for s, r in outcomes.items()]
    shares = shares_of_one(pd.concat(parts, ignore_index=True).reindex(columns=SEGMENT_SHARES) if parts else
                           pd.DataFrame(columns=SEGMENT_SHARES), "share")
    results = {s: r for s, r in outcomes.items() if isinstance(r, KeyDrivers)}
    rows = []
    names = list(results)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            for g, group in enumerate(results[a].groups["group"]):
                diff = results[a].boot_group_shares[:, g] - results[b].boot_group_shares[:, g]
                low, high = np.quantile(diff, [(1 - ci) / 2, (1 + ci) / 2])
                rows.append({"group": group, "segment_a": a, "segment_b": b,
                             "difference": results[a].groups["share"].iloc[g] - results[b].groups["share"].iloc[g],
                             "ci_low": low, "ci_high": high,
                             "p_value": float(min(1.0, 2 * min((diff <= 0).mean(), (diff >= 0).mean())))})
    differences = pd.DataFrame(rows, columns=SEGMENT_DIFFERENCES[:-2])
    differences["p_adjusted"] = holm(differences["p_value"].to_numpy()) if len(differences) else []
    differences["significant"] = differences["p_adjusted"] < 1 - ci
    return shares, differences


def binary_drivers_from_source(source, outcome: str, drivers: Sequence[str] | None = None,
                               groups: Mapping[str, Sequence[str]] | None = None, weights: str | None = None,
                               sample_size: int = 200_000, seed: int = 0) -> BinaryDrivers:
    """:func:`binary_drivers` on any backend: the logistic fits need rows, so they run on a seeded sample.

    The sample is ``sample_size`` rows drawn without replacement (all rows when there are
    fewer; the same rows on every backend, see :meth:`cxlib.backends.Backend.sample`); the
    shares describe the sample, and their precision is that of ``sample_size`` rows.
    """
    drivers, groups = _resolve_groups(drivers, groups)
    columns = [outcome, *drivers, *([weights] if weights else [])]
    return binary_drivers(source.sample(columns, sample_size, seed), outcome, drivers, groups, weights)


def _vif(corr: np.ndarray, player: list[int]) -> float:
    """Variance inflation of a numeric driver: diag of the inverse driver correlation matrix."""
    if len(player) != 1:
        return float("nan")
    inverse = np.linalg.inv(corr[1:, 1:])
    return float(inverse[player[0] - 1, player[0] - 1])


def _coefficients(cov, corr, names, drivers, players, n, ci, weighted, boot_cov) -> pd.DataFrame:
    """Unstandardized b (for what-if) and standardized beta with intervals.

    Unweighted: OLS standard errors from the covariance matrix, ``Var(b) = s^2 S_xx^-1 / (n - 1)``
    with ``s^2 = (n - 1)(s_yy - s_xy' S_xx^-1 s_xy) / (n - p - 1)``, t intervals. Weighted:
    percentile intervals over the bootstrap resamples.
    """
    p = cov.shape[0] - 1
    b = np.linalg.solve(cov[1:, 1:], cov[1:, 0])
    sd = np.sqrt(np.diag(cov))
    beta = b * sd[1:] / sd[0]
    if weighted and boot_cov is not None:
        boot_b = np.linalg.solve(boot_cov[:, 1:, 1:], boot_cov[:, 1:, 0:1])[..., 0]
        boot_sd = np.sqrt(np.einsum("bii->bi", boot_cov))
        boot_beta = boot_b * boot_sd[:, 1:] / boot_sd[:, :1]
        low, high = np.quantile(boot_b, [(1 - ci) / 2, (1 + ci) / 2], axis=0)
        beta_low, beta_high = np.quantile(boot_beta, [(1 - ci) / 2, (1 + ci) / 2], axis=0)
        se = boot_b.std(axis=0, ddof=1)
    else:
        resid = (n - 1) * (cov[0, 0] - cov[1:, 0] @ b) / (n - p - 1)
        se = np.sqrt(resid * np.diag(np.linalg.inv(cov[1:, 1:])) / (n - 1))
        t = stats.t.ppf((1 + ci) / 2, n - p - 1)
        low, high = b - t * se, b + t * se
        beta_low, beta_high = low * sd[1:] / sd[0], high * sd[1:] / sd[0]
    column_driver = {}
    for d, player in zip(drivers, players, strict=True):
        for c in player:
            column_driver[names[c]] = d
    return pd.DataFrame({"column": names[1:], "driver": [column_driver[c] for c in names[1:]], "b": b, "se": se,
                         "ci_low": low, "ci_high": high, "beta": beta, "beta_ci_low": beta_low,
                         "beta_ci_high": beta_high})


def _means(cov: np.ndarray, n: int, drivers, players, ci: float, mean: np.ndarray) -> pd.DataFrame:
    """Mean rating of each numeric driver over the analysed rows, with a t interval (performance, for priorities)."""
    rows = []
    t = stats.t.ppf((1 + ci) / 2, n - 1)
    for d, player in zip(drivers, players, strict=True):
        if len(player) != 1:
            rows.append({"driver": d, "mean": np.nan, "mean_ci_low": np.nan, "mean_ci_high": np.nan})
            continue
        c = player[0]
        half = t * np.sqrt(cov[c, c] / n)
        rows.append({"driver": d, "mean": mean[c], "mean_ci_low": mean[c] - half, "mean_ci_high": mean[c] + half})
    return pd.DataFrame(rows)


def _differences(drivers, share, boot_share, ci) -> pd.DataFrame:
    """Every pair's difference of shares with a bootstrap interval and a two-sided bootstrap p-value."""
    rows = []
    for i in range(len(drivers)):
        for j in range(i + 1, len(drivers)):
            row = {"driver_a": drivers[i], "driver_b": drivers[j], "difference": share[i] - share[j]}
            if boot_share is not None:
                diff = boot_share[:, i] - boot_share[:, j]
                row["ci_low"], row["ci_high"] = np.quantile(diff, [(1 - ci) / 2, (1 + ci) / 2])
                row["p_value"] = float(min(1.0, 2 * min((diff <= 0).mean(), (diff >= 0).mean())))
            rows.append(row)
    return pd.DataFrame(rows)


def _dominance_table(r2: np.ndarray, drivers: Sequence[str]) -> pd.DataFrame:
    rows = dominance(r2, len(drivers))
    name = {None: None, **dict(enumerate(drivers))}
    return pd.DataFrame([{"driver_a": drivers[r["i"]], "driver_b": drivers[r["j"]],
                          "complete": name[r["complete"]], "conditional": name[r["conditional"]],
                          "general": name[r["general"]]} for r in rows])


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
