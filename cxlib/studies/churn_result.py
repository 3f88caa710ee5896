"""The churn study's result (:class:`ChurnStudy`): its tables, and what the executive summary states about them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.estimate import format_ci
from ..feedback.themes import UNTAGGED, theme_claim
from ..formatting import labels
from ..formatting.claims import LEVEL, Claim
from ..formatting.figures import figure
from ..formatting.narrative import fmt_count, fmt_p, ngettext, plural, word_list
from ..formatting.result_view import ResultView
from ..io import DataQuality
from ..io import columns as col
from ..lifecycle.cox import CoxResult

__all__ = ["BLANK_MEANS_STAYED", "COUNTED_AS_STAYED", "LONG_FOLLOW_UP_YEARS", "NOT_CHECKED", "UNIT_FORMS",
           "ChurnStudy"]

LONG_FOLLOW_UP_YEARS = 50  # a longer follow-up is asked about: durations in another unit than time_unit says?
NOT_CHECKED = "not checked"  # a proportional-hazards check that could not be made (no variance, no estimate)


@dataclass(frozen=True, repr=False)
class ChurnStudy(ResultView):
    """Results of the churn study (see the module docstring)."""

    n: int
    events: int
    churn: dict
    survival: pd.DataFrame
    medians: pd.DataFrame
    logrank: dict | None
    cox: CoxResult | None
    by_nps: dict | None
    by_service: dict | None
    touchpoints: pd.DataFrame | None
    reasons: pd.DataFrame | None
    revenue_risk: pd.DataFrame | None
    horizons: tuple
    time_unit: str = "days"
    quality: DataQuality | None = None
    km: pd.DataFrame | None = field(default=None, repr=False)
    km_by_nps: pd.DataFrame | None = field(default=None, repr=False)
    revenue_unknown: int = 0  # customers without a readable revenue: left out of revenue at risk only
    reasons_coded: bool = False  # reasons given as codes (a choice list), each its own row of reasons
    taxonomy_language: str = "en"  # the language of the themes reasons in words were read for

    def headline(self) -> dict:
        out = {"customers": fmt_count(self.n), "churned": format_ci(self.churn["value"], self.churn["ci_low"],
                                                                           self.churn["ci_high"], 1, "%")}
        if self.revenue_risk is not None:
            total = self.revenue_risk.iloc[-1]
            out["revenue at risk next period"] = labels.money(total["revenue_at_risk"])
        return out

    def figures(self) -> list[dict]:
        """Key figures for results.json and the index: the share of customers who left, revenue at risk."""
        c = self.churn
        out = [figure("churn", "Customers who left", c["value"], c["ci_low"], c["ci_high"], "%", self.n, "lower")]
        if self.revenue_risk is not None:
            t = self.revenue_risk.iloc[-1]
            out.append(figure("revenue_at_risk", f"Revenue at risk, {self.next_period(t['period'])}",
                              t["revenue_at_risk"], t["risk_ci_low"], t["risk_ci_high"], labels.money_unit(),
                              better="lower"))
        return out

    def claims(self) -> list[Claim]:
        """What the executive summary states, each with its numbers and test (:mod:`cxlib.formatting.claims`)."""
        c = self.churn
        follow_up = float(self.survival.loc[self.survival["segment"] == "all", "follow_up"].iloc[0])
        out = [Claim("churn.overall", "Of {n} customers followed for up to {follow}, {events} left: {rate}% (95% CI "
                     "{low} to {high}%).",
                     {"n": fmt_count(self.n), "events": fmt_count(self.events), "rate": f"{c['value']:.1f}",
                      "low": f"{c['ci_low']:.1f}", "high": f"{c['ci_high']:.1f}",
                      "follow": self.duration_text(follow_up)},
                     {"customers": self.n, "left": self.events, "share": c["value"], "ci_low": c["ci_low"],
                      "ci_high": c["ci_high"], "follow_up": follow_up})]
        stayed = [i for i in (self.quality.issues if self.quality else ()) if i.rule.startswith(COUNTED_AS_STAYED)]
        if stayed:  # "Cancelled - Competitor" when event_value names only "Cancelled": the reader must see it
            out.append(Claim("churn.counted_as_stayed", "Counted as stayed, as event_value does not name them: "
                             "{values}.", {"values": stayed[0].rule.removeprefix(COUNTED_AS_STAYED)},
                             {"customers": stayed[0].n_rows}, joins=True))
        years = follow_up * col.UNIT_DAYS[self.time_unit] / col.UNIT_DAYS["years"]
        if years > LONG_FOLLOW_UP_YEARS:  # 1,218 "months" that are days: a century of custom
            out.append(Claim("churn.long_follow_up", "That is {years} years: are the durations in {unit}? If not, "
                             "give time_unit.", {"years": f"{years:,.0f}", "unit": self.time_unit},
                             {"follow_up_years": years}, joins=True))
        overall = self.survival[self.survival["segment"] == "all"]
        known = overall[overall["survival"].notna()]
        if len(known):
            last = known.iloc[-1]
            out.append(Claim("churn.survival", "An estimated {survival}% stay longer than {t} (95% CI {low} to {high}%).",
                             {"survival": f"{100 * last['survival']:.1f}", "t": self.duration_text(last["t"]),
                              "low": f"{100 * last['ci_low']:.1f}", "high": f"{100 * last['ci_high']:.1f}"},
                             {"t": last["t"], "survival": last["survival"], "ci_low": last["ci_low"],
                              "ci_high": last["ci_high"], "follow_up": last["follow_up"]}, "Kaplan-Meier",
                             joins=True))
        beyond = overall[overall["survival"].isna()]
        if len(beyond):
            out.append(Claim("churn.not_estimable", "Survival at {t} is not estimable from these data: the longest "
                             "follow-up is {follow}, and customers were still there at its end.",
                             {"t": " and ".join(self.duration_text(t) for t in beyond["t"]),
                              "follow": self.duration_text(beyond["follow_up"].iloc[0])},
                             {"t": list(beyond["t"]), "follow_up": beyond["follow_up"].iloc[0]}, joins=True))
        if self.logrank:
            p = self.logrank["p_value"]
            numbers = {"p_value": p, "statistic": self.logrank["statistic"], "df": self.logrank["df"]}
            if p < LEVEL:
                out.append(Claim("churn.segments_differ", "How long customers stay differs between segments ({p}): "
                                 "see which in section 1.", {"p": fmt_p(p)}, numbers, "log-rank test"))
            else:
                out.append(Claim("churn.segments_no_clear_difference", "No clear difference between segments in how "
                                 "long customers stay ({p}).", {"p": fmt_p(p)}, numbers, "log-rank test"))
        if self.cox is not None:  # who leaves sooner continues the bullet on segments
            out.append(dataclasses.replace(self._cox_claim(), joins=bool(self.logrank)))
        if self.by_nps and self.by_service:
            hr = self.by_nps["hazard_ratios"].set_index("term").loc["nps_state[detractor]"]
            bad = self.by_service["hazard_ratio"]
            out.append(Claim("churn.nps_and_service", "Customers whose latest answer made them detractors leave at "
                             "{hr} times the rate of promoters (95% CI {low} to {high}), and after a bad service "
                             "experience (unresolved, slow or repeated contacts) at {bhr} times the rate (95% CI "
                             "{blow} to {bhigh}).",
                             {"hr": f"{hr['hazard_ratio']:.2f}", "low": f"{hr['ci_low']:.2f}",
                              "high": f"{hr['ci_high']:.2f}", "bhr": f"{bad['hazard_ratio']:.2f}",
                              "blow": f"{bad['ci_low']:.2f}", "bhigh": f"{bad['ci_high']:.2f}"},
                             {"detractor_hazard_ratio": hr["hazard_ratio"], "ci_low": hr["ci_low"],
                              "ci_high": hr["ci_high"], "bad_service_hazard_ratio": bad["hazard_ratio"],
                              "bad_service_ci_low": bad["ci_low"], "bad_service_ci_high": bad["ci_high"]},
                             "Cox model with time-varying NPS and service states"))
        if self.reasons is not None and len(self.reasons) and self.reasons.iloc[0]["theme"] != UNTAGGED:
            top = self.reasons.iloc[0]
            claim = theme_claim("churn.top_reason", "The most frequent reason given for leaving is {label}: {share}% "
                                "of " + ("the reasons given" if self.reasons_coded else "cancellation comments")
                                + " (95% CI {low} to {high}%).", top)
            out.append(dataclasses.replace(claim, values={**claim.values, "label": f"'{top['label']}'"})
                       if self.reasons_coded else claim)  # a code as written, quoted
        elif self.reasons is not None and len(self.reasons):
            out.append(Claim("churn.no_reason_themes", "No reason for leaving names a theme of the taxonomy "
                             "({language}); is taxonomy the reasons' language?",
                             {"language": self.taxonomy_language}, {"tagged_reasons": 0}))
        if self.revenue_risk is not None:
            total = self.revenue_risk.iloc[-1]
            out.append(Claim("churn.revenue_at_risk", "Revenue at risk over {period}{on}: {risk} (95% CI {low} "
                             "to {high}).",
                             {"period": self.next_period(total["period"]), "risk": labels.money(total["revenue_at_risk"]),
                              "low": labels.money(total["risk_ci_low"]), "high": labels.money(total["risk_ci_high"]),
                              "on": (f", on the {fmt_count(self.n - self.revenue_unknown)} of {fmt_count(self.n)} "
                                     "customers whose revenue is known" if self.revenue_unknown else "")},
                             {"revenue_at_risk": total["revenue_at_risk"], "ci_low": total["risk_ci_low"],
                              "ci_high": total["risk_ci_high"], "period": total["period"],
                              "currency": labels.currency()}, "constant hazard per segment"))
        return out

    def introduction(self, segment_col: str | None = None, covariates: Sequence[str] = ()) -> Claim:
        """What this report follows, in the words of its parameters (never the sample's)."""
        covariates = list(covariates) if self.cox is not None else []
        return Claim("churn.introduction", "{n} customers followed over their time as customers, in {unit}{seg}{cox}"
                     "{risk}.",
                     {"n": fmt_count(self.n), "unit": self.time_unit,
                      "seg": f"; survival compared across {labels.in_text(segment_col)}" if segment_col else "",
                      "cox": f"; who leaves sooner, by {', '.join(labels.in_text(c) for c in covariates)}"
                      if covariates else "",
                      "risk": "; revenue at risk over the next period" if self.revenue_risk is not None else ""},
                     {"customers": self.n, "segment_col": segment_col, "covariates": covariates})

    def reasons_method(self) -> Claim:
        """How the reasons for leaving were read: as the codes they are, or as comments tagged with themes."""
        if self.reasons_coded:
            return Claim("churn.reasons_as_codes", "The reasons as given (a list of codes), each a share of the "
                         "customers who gave one, with 95% Wilson intervals.", {}, {})
        return Claim("churn.reasons_as_themes", "Themes of the comments left in cancellation surveys (or the reason "
                     "column), tagged by the taxonomy ({language}; case, accents and typos tolerated); a comment can "
                     "carry several themes. Shares with 95% Wilson intervals; comments matching no theme are "
                     "counted, not dropped.", {"language": self.taxonomy_language}, {})

    def cox_rows(self) -> Claim:
        """How many customers the Cox model rests on: those with a value in every covariate (a blank in one leaves
        the customer out of the model only; the survival figures keep them)."""
        out = self.n - self.cox.n
        left_out = (f"; {plural(out, 'customer', 'customers')} with a blank covariate {ngettext('is', 'are', out)} "
                    "left out of it (not of the survival figures)") if out else ""
        return Claim("churn.cox_rows", "The model rests on {n} of the {total} customers, {events} of whom left{out}.",
                     {"n": fmt_count(self.cox.n), "total": fmt_count(self.n), "events": fmt_count(self.cox.events),
                      "out": left_out}, {"n": self.cox.n, "customers": self.n, "events": self.cox.events})

    def cox_table(self) -> pd.DataFrame:
        """The Cox terms for a report: each hazard ratio per its step, the step in words ("6.11, one standard
        deviation"; blank for a category, read against its reference level), p, p Holm-adjusted across the terms
        (what the summary's "clearly" rests on) and the proportional-hazards check. A term without an estimate
        (:meth:`no_estimate`) shows dashes, and a check that could not be made reads "not checked"."""
        t = self.cox.per_step()
        step = [_step_words(p, kind) if "[" not in term else "" for term, p, kind in zip(t["term"], t["per"],
                                                                                         t["per_kind"], strict=True)]
        diverged = t["term"].isin(self.no_estimate())
        t = t.assign(per=step, proportional=t["term"].map(self.ph_table().set_index("term")["proportional"]))
        t.loc[diverged, ["hazard_ratio", "ci_low", "ci_high", "p_value", "p_adjusted"]] = np.nan
        return t[["term", "per", "hazard_ratio", "ci_low", "ci_high", "p_value", "p_adjusted", "proportional"]]

    def ph_table(self) -> pd.DataFrame:
        """The proportional-hazards check for a report: a check that could not be made (no variance among the
        residuals, or a term without an estimate) reads "not checked", never "yes"."""
        ph = self.cox.ph_check
        checked = ph["p_value"].notna() & ~ph["term"].isin(self.no_estimate())
        out = ph.assign(proportional=ph["proportional"].astype(object).where(checked, NOT_CHECKED))
        out.loc[~checked, ["rho", "p_value", "p_adjusted"]] = np.nan
        return out

    def _cox_claim(self) -> Claim:
        """Which characteristics make customers leave clearly sooner or later: a hazard ratio whose Wald test rejects
        at the report's level after Holm's adjustment for the number of terms. A number is read per its step (one
        standard deviation unless ``covariate_steps`` names one); a term whose effect the proportional-hazards check
        finds changing with tenure says so."""
        refs = self.cox.references
        terms = self.cox.per_step()
        test = (f"Cox model ({self.cox.ties} ties), Wald test of each hazard ratio, Holm-adjusted across the terms; "
                "proportional-hazards check on Schoenfeld residuals")

        def step(r) -> str:
            if "[" in r.term:
                return ""
            shown, _, kind = _step_words(r.per, r.per_kind).partition(", ")
            return f" per {shown} more{', ' + kind if kind else ''};"

        def listed(rows: pd.DataFrame) -> str:
            return "; ".join(f"{labels.term(r.term, refs)} ({r.hazard_ratio:.2f} times the rate{step(r) or ','} 95% "
                             f"CI {r.ci_low:.2f} to {r.ci_high:.2f}"
                             f"{'' if r.proportional else ', though its effect changes with tenure'})"
                             for r in rows.itertuples())

        diverged = terms["term"].isin(self.no_estimate()).to_numpy()
        clear = (terms["p_adjusted"] < LEVEL) & ~diverged
        sooner = terms[clear & (terms["hazard_ratio"] > 1)].sort_values("hazard_ratio", ascending=False)
        later = terms[clear & (terms["hazard_ratio"] < 1)].sort_values("hazard_ratio")
        numbers = {"sooner": list(sooner["term"]), "later": list(later["term"]), "terms": len(terms),
                   "changing_with_tenure": list(terms.loc[~terms["proportional"], "term"]),
                   "per": dict(zip(terms["term"], terms["per"], strict=True)), "ties": self.cox.ties,
                   **({"no_estimate": list(terms.loc[diverged, "term"])} if diverged.any() else {})}
        parts = ([f"Leave clearly sooner: {listed(sooner)}."] if len(sooner) else []) + (
            [f"Leave clearly later: {listed(later)}."] if len(later) else [])
        unsized = terms.loc[diverged, "term"]
        groups, measured = unsized[unsized.str.contains(r"\[")], unsized[~unsized.str.contains(r"\[")]
        if len(groups):
            parts.append(f"The model cannot size {word_list([labels.term(t, refs) for t in groups])}: nobody, or "
                         "everybody, in one of its groups left, so its hazard ratio has no estimate (the survival "
                         "curves compare the groups).")
        if len(measured):
            parts.append(f"The model cannot size {word_list([labels.term(t, refs) for t in measured])}: it tells "
                         "apart completely who leaves (at each departure the customer who left had the highest, or "
                         "the lowest, value of those still there), so its hazard ratio has no estimate.")
        if not len(sooner) and not len(later) and not diverged.any():
            return Claim("churn.cox_none", "No characteristic in the model clearly changes how soon customers leave, "
                         "once the number of characteristics compared is allowed for.", numbers=numbers, test=test)
        return Claim("churn.cox_clear", "{text}", {"text": " ".join(parts)}, numbers, test)

    @property
    def follow_up(self) -> dict[str, float]:
        """The longest follow-up of each segment ("all" included): how far its curve is known."""
        return self.survival.groupby("segment", sort=False)["follow_up"].first().to_dict()

    def no_estimate(self) -> list[str]:
        """The Cox terms whose hazard ratio has no estimate (:meth:`cxlib.lifecycle.cox.CoxResult.no_estimate`); their Wald
        test and proportional-hazards check say nothing."""
        return self.cox.no_estimate()

    def changing_with_tenure(self) -> Claim | None:
        """The terms the proportional-hazards check rejects (Holm-adjusted across the terms), in words; None when it
        rejects none (terms without an estimate are not read)."""
        ph = self.cox.ph_check if self.cox is not None else None
        if ph is None:
            return None
        changing = ph[~ph["proportional"] & ~ph["term"].isin(self.no_estimate())]
        if changing.empty:
            return None
        terms = [f"{labels.term(r.term, self.cox.references)} (correlation with time {r.rho:+.2f}, adjusted "
                 f"{fmt_p(r.p_adjusted)})" for r in changing.itertuples()]
        return Claim("churn.changing_with_tenure", "The hazard ratio of {terms} changes with tenure: read it as an "
                     "average over the customers' time, not as the same effect at every tenure.",
                     {"terms": word_list(terms)}, {"terms": list(changing["term"])},
                     "Schoenfeld residuals against the rank of time, Holm-adjusted across the terms")

    @property
    def duration_digits(self) -> int:
        """Decimals a duration in the study's unit is shown with: whole days, a tenth of a week or month, hundredths
        of a year (4.50 years is not "5")."""
        return {"days": 0, "weeks": 1, "months": 1, "years": 2}[self.time_unit]

    def duration_text(self, t: float) -> str:
        """A duration in the study's unit, in the form that agrees with it: "1 month", "72 months"."""
        return f"{_count_of(t)} {ngettext(*UNIT_FORMS[self.time_unit], t)}"

    def next_period(self, t: float) -> str:
        """The coming period: "the next month", "the next 30 days"."""
        return ngettext("the next {unit}", "the next {t} {units}", t).format(unit=UNIT_FORMS[self.time_unit][0],
                                                                            t=_count_of(t), units=self.time_unit)

    def to_dict(self) -> dict:
        return {"n": self.n, "events": self.events, "churn": self.churn, "survival": self.survival,
                "medians": self.medians, "logrank": self.logrank,
                "cox": None if self.cox is None else self.cox.terms[["term", "hazard_ratio", "ci_low", "ci_high",
                                                                      "p_value"]],
                "cox_details": None if self.cox is None else self.cox.to_dict(),
                "by_nps": self.by_nps, "by_service": self.by_service, "touchpoints": self.touchpoints,
                "reasons": self.reasons, "revenue_at_risk": self.revenue_risk, "horizons": list(self.horizons),
                "time_unit": self.time_unit, "claims": [c.to_dict() for c in self.claims()]}


BLANK_MEANS_STAYED = "blank: did not leave (the column marks only those who left)"


COUNTED_AS_STAYED = "counted as stayed (not in event_value): "  # then each other value with its customers


def _step_words(step: float, kind: str) -> str:
    """A Cox term's step as a reader takes it: "1", "6.11, one standard deviation", "1,000"."""
    shown = f"{step:,.0f}" if step >= 100 else f"{step:.3g}"
    return f"{shown}, one standard deviation" if kind == "standard deviation" else shown


def _count_of(t: float) -> str:
    """A number of time units as people write it: "2,555", "1.5"."""
    return f"{t:,.0f}" if t == round(t) else f"{t:,.2f}".rstrip("0")


UNIT_FORMS = {"days": ("day", "days"), "weeks": ("week", "weeks"), "months": ("month", "months"),
              "years": ("year", "years")}  # singular and plural of each unit (ngettext)
