"""The result of a key-driver analysis (:class:`KeyDrivers`): shares with intervals, priorities (importance
against performance), what-if changes, and what the report states about them; the answer scales ratings lie on.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.estimate import Estimate, format_ci
from ..formatting import labels
from ..formatting.claims import LEVEL, Claim
from ..formatting.narrative import fmt_count, ngettext, word_list
from ..formatting.result_view import ResultView
from ..formatting.tables import shares_of_one
from ..io.scale import ANSWER_SCALES

__all__ = ["NO_CLEAR_GAIN", "RATING_SCALES", "STRONG_EFFECT", "KeyDrivers", "rating_scale", "rating_scales"]

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
        shares_of_one(self.differences, "difference", points=True)  # of two shares

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
                  "beta", "share_rank", "beta_rank"]].assign(quadrant=quadrant).reset_index(drop=True).astype(
            {"share_rank": "Int64", "beta_rank": "Int64"})  # ranks are whole numbers

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
