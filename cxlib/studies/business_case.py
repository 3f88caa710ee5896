"""The CX business case study: what churn costs, what retention is worth, and whether a CX programme pays.

It combines, on one row per customer, the formulas of :mod:`cxlib.lifecycle.economics`:

* revenue at risk next period and customers expected to leave, by segment, and what
  replacing them would cost at the stated acquisition cost;
* CLV per segment (per year, from each segment's hazard);
* retention economics: lifetime profit per customer at the observed yearly retention
  and at +k points, against the published "+5 points, +25-95% profit" claim;
* the business case for moving a share of detractors to passives, using the observed
  churn gap between the two groups (from customer-months in the state on the sample,
  where each month carries the latest answer so far; from the customer's group in a flat
  table), with ROI, payback and a sensitivity table.

Every assumption is a parameter, and :meth:`BusinessCaseStudy.assumptions_table` lists
the values used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.estimate import format_ci
from ..engine import (
    Backend,
    Band,
    Key,
    RowRule,
    Words,
    open_source,
    source_data,
)
from ..formatting import labels
from ..formatting.claims import Claim, interval_words
from ..formatting.figures import figure
from ..formatting.narrative import fmt_count, ngettext, plural, word_list
from ..formatting.result_view import ResultView
from ..io.columns import UNIT_DAYS
from ..io.nps_groups import WORD_GROUP
from ..io.quality import FIGURES_ONLY, DataError
from ..lifecycle.economics import (
    DAYS_PER_YEAR,
    BusinessCase,
    acquisition_vs_retention,
    business_case,
    churn_gap,
    churn_gap_from_totals,
    clv_table_from_totals,
    retention_economics,
    revenue_at_risk_from_totals,
)
from ..lifecycle.survival import hazard_table
from .churn_study import (
    CHURN_FRAME_COLUMNS,
    duration_rules,
    event_rules,
    load_churn_data,
    named_as_date,
    require_leavers,
    state_panel,
    unit_in_name,
)
from .contract import Parameters, StudyDeclaration
from .inputs import Inputs
from .parameters import Column, Date, Integer, Literal, Number, Numbers
from .shared import (
    NOT_ANSWERED,
    backend_parameters,
    check_backend,
    check_reading,
    check_segments,
    common_parameters,
    data_path_parameter,
    gate,
    in_memory_only,
    unanswered_notes,
)

__all__ = ["STUDY", "BusinessCaseStudy", "run_business_case"]

# each business assumption: its name in the report, how its value reads (days, share, money, years, count,
# percent) and what it means; the simulation's size and seed are methods, not business assumptions
ASSUMPTIONS = {
    "period": ("Revenue period", "days", "days of revenue in the revenue column, and the horizon of revenue at risk"),
    "margin": ("Margin", "share", "profit as a share of revenue"),
    "discount_rate": ("Discount rate", "share", "per year"),
    "acquisition_cost": ("Acquisition cost", "money", "cost of winning one new customer"),
    "share_moved": ("Detractors moved", "share", "share of active detractors the programme turns into passives"),
    "program_cost": ("Programme cost", "money", "one-off cost of the programme"),
    "running_cost_per_year": ("Running cost", "money", "per year of running the programme"),
    "horizon_years": ("Horizon", "years", "years over which the programme is judged"),
    "detractors": ("Active detractors", "count", "active customers whose latest answer was 0-6 (from the data)"),
    "yearly_retention": ("Yearly retention", "percent", "share of customers staying a year (from the data)"),
    "yearly_margin_per_customer": ("Yearly margin per customer", "money",
                                   "margin times a year of revenue of an active customer (from the data)"),
    "yearly_margin_per_detractor": ("Yearly margin per detractor", "money",
                                    "margin times a year of revenue of an active detractor (from the data): what "
                                    "each detractor the programme keeps protects"),
    "retention_points_past_100": ("Retention gains left out", "points",
                                  "gains that would take yearly retention to 100% or more (from the data)"),
}


def _expected(expected: float, singular: str, plural: str) -> str:
    """An expected count as a director reads it, its decimal kept below 10: "0.8 more customers", "1 expected
    leaver", "55 expected leavers"."""
    shown = f"{expected:,.1f}".removesuffix(".0") if expected < 10 else f"{expected:,.0f}"
    return f"{shown} {ngettext(singular, plural, 1 if shown == '1' else 2)}"


@dataclass(frozen=True, repr=False)
class BusinessCaseStudy(ResultView):
    """Results of the business case study (see the module docstring)."""

    assumptions: dict
    revenue_risk: pd.DataFrame
    clv: pd.DataFrame
    acquisition: pd.DataFrame
    retention: pd.DataFrame
    gap: dict
    case: BusinessCase
    replacement_cost: dict

    def assumptions_table(self) -> pd.DataFrame:
        """Each business assumption by its name, its value as people write it (money with its currency, shares in
        %, retention and margin rounded) and what it means; the simulation's size and seed are in Methods."""
        def text(value, kind: str) -> str:
            return {"days": lambda v: plural(v, "day", "days"), "years": lambda v: plural(v, "year", "years"),
                    "share": lambda v: f"{100 * v:.3g}%", "percent": lambda v: f"{v:.1f}%",
                    "money": labels.money, "count": fmt_count,
                    "points": lambda v: word_list([f"+{p:g}" for p in v]) + " points"}[kind](value)

        rows = [(name, text(self.assumptions[key], kind), meaning)
                for key, (name, kind, meaning) in ASSUMPTIONS.items() if key in self.assumptions]
        return pd.DataFrame(rows, columns=["assumption", "value", "meaning"])

    def case_table(self) -> pd.DataFrame:
        """The business case's results as a director reads them: each figure with its 95% interval, money with its
        currency, the return in % and payback in years ("not reached" beyond the horizon)."""
        case, money = self.case, labels.money

        def years(v: float) -> str:
            return f"{v:.1f}" if np.isfinite(v) else "not reached"

        rows = [
            (f"customers kept after {case.assumptions['horizon_years']:g} years", case.customers_saved,
             lambda v: f"{v:,.1f}"),
            ("discounted margin protected", case.gain, money),
            ("return on investment, %", {k: 100 * v for k, v in case.roi.items()}, lambda v: f"{v:,.0f}%"),
            ("payback, years", case.payback_years, years),
        ]
        def with_interval(e: dict, shown) -> str:
            if not np.isfinite(e["value"]) and not np.isfinite(e["ci_low"]):
                return f"{shown(e['value'])} within the horizon"
            return f"{shown(e['value'])} ({shown(e['ci_low'])} to {shown(e['ci_high'])})"

        return pd.DataFrame([(name, with_interval(e, shown)) for name, e, shown in rows],
                            columns=["figure", "estimate (95% CI)"])

    def headline(self) -> dict:
        return {"ROI": format_ci(100 * self.case.roi["value"], 100 * self.case.roi["ci_low"],
                                 100 * self.case.roi["ci_high"], 0, "%"),
                "revenue at risk next period": labels.money(self.revenue_risk.iloc[-1]["revenue_at_risk"])}

    def figures(self) -> list[dict]:
        """Key figures for results.json and the index: the retention programme's return on investment."""
        roi = self.case.roi
        return [figure("roi", "Return of the retention programme", 100 * roi["value"], 100 * roi["ci_low"],
                       100 * roi["ci_high"], "%", sign_matters=True)]

    def _clv_claim(self) -> Claim:
        """What a customer kept is worth: one figure, or the range over the segments where they differ."""
        money, clv, ratio = labels.money, self.clv["clv"], self.acquisition["clv_to_cac"]
        numbers = {"clv_min": clv.min(), "clv_max": clv.max()}
        if money(clv.min()) == money(clv.max()):
            return Claim("business.clv", "A customer kept is worth {value}, {ratio} times what winning a new one "
                         "costs.", {"value": money(clv.min()), "ratio": f"{ratio.min():.1f}"}, numbers)
        rlow, rhigh = f"{ratio.min():.1f}", f"{ratio.max():.1f}"
        return Claim("business.clv", "A customer kept is worth {low} to {high} depending on the segment, {ratios} "
                     "times what winning a new one costs.",
                     {"low": money(clv.min()), "high": money(clv.max()),
                      "ratios": rlow if rlow == rhigh else f"{rlow} to {rhigh}"}, numbers)

    def claims(self) -> list[Claim]:
        """What the executive summary states, each with its numbers (:mod:`cxlib.formatting.claims`)."""
        a, case, gap = self.assumptions, self.case, self.gap["annual_gap"]
        risk, money = self.revenue_risk.iloc[-1], labels.money
        five = self.retention.set_index("points").loc[5] if 5 in set(self.retention["points"]) else None
        payback = case.payback_years
        roi = {k: 100 * case.roi[k] for k in ("value", "ci_low", "ci_high")}
        out = [
            Claim("business.revenue_at_risk", "Over {period} customers are expected to leave with "
                  "{risk} of revenue per period (95% CI {low} to {high}), lost again every period they stay away; "
                  "replacing the {leavers} would cost {replace} at {cac} each.",
                  {"period": ngettext("the next day", "the next {n} days", a["period"]).format(n=f"{a['period']:g}"),
                   "risk": money(risk["revenue_at_risk"]),
                   "low": money(risk["risk_ci_low"]), "high": money(risk["risk_ci_high"]),
                   "leavers": _expected(risk["expected_leavers"], "expected leaver", "expected leavers"),
                   "replace": money(self.replacement_cost["value"]),
                   "cac": money(a["acquisition_cost"])},
                  {"revenue_at_risk": risk["revenue_at_risk"], "ci_low": risk["risk_ci_low"],
                   "ci_high": risk["risk_ci_high"], "currency": labels.currency()}),
            self._clv_claim(),
            Claim("business.gap", "Detractors leave at {d}% a year and passives at {p}%: a gap of {gap} percentage "
                  "points (95% CI {low} to {high}).",
                  {"d": f"{self.gap['annual_churn_from']:.1f}", "p": f"{self.gap['annual_churn_to']:.1f}",
                   "gap": f"{gap['value']:.1f}", "low": f"{gap['ci_low']:.1f}", "high": f"{gap['ci_high']:.1f}"},
                  {"gap": gap["value"], "ci_low": gap["ci_low"], "ci_high": gap["ci_high"]}),
            Claim("business.case", "If a programme moved {share}% of the {n} active detractors to passives (an "
                  "assumption), and passives {passives}, it would {saved} after {years} years and protect "
                  "{gain} of discounted margin against a cost of {cost}: a return of {roi}% ({roi_range}); "
                  "payback {payback}.",
                  {"share": f"{100 * a['share_moved']:.0f}", "n": fmt_count(a["detractors"]),
                   "passives": "keep leaving less often as they do in these data" if gap["ci_low"] > 0 else
                   "leave more often than detractors, as they do in these data" if gap["ci_high"] < 0 else
                   "leave as these data show (no clear difference from detractors)",
                   "saved": ("keep " if case.customers_saved["value"] >= 0 else "lose ") + _expected(
                       abs(case.customers_saved["value"]), "more customer", "more customers"),
                   "years": f"{a['horizon_years']:g}",
                   "gain": money(case.gain["value"]), "cost": money(case.cost), "roi": f"{roi['value']:,.0f}",
                   "roi_range": interval_words(roi["ci_low"], roi["ci_high"], "%"),
                   "payback": "is not reached within the horizon" if not np.isfinite(payback["value"])
                   else f"after {payback['value']:.1f} years" + (
                       f", but possibly not within the {a['horizon_years']:g} years (95% CI {payback['ci_low']:.1f} "
                       "years to not reached)" if not np.isfinite(payback["ci_high"]) else "")},
                  {"roi": roi["value"], "ci_low": roi["ci_low"], "ci_high": roi["ci_high"],
                   "gain": case.gain["value"], "cost": case.cost, "currency": labels.currency()}),
        ]
        if five is not None and not np.isnan(five["profit_change"]):
            out.append(Claim("business.retention_5_points", "Raising yearly retention by 5 points ({r0}% to {r1}%) "
                             "would raise lifetime profit per customer by {change}%, {inside} the published 25-95%.",
                             {"r0": f"{five['retention'] - 5:.1f}", "r1": f"{five['retention']:.1f}",
                              "change": f"{five['profit_change']:.0f}",
                              "inside": "within" if five["in_published_range"] else "outside"},
                             {"profit_change": five["profit_change"]}))
        elif 5 in a.get("retention_points_past_100", []):
            past = a["retention_points_past_100"]
            out.append(Claim("business.retention_5_points_past_100", "Yearly retention is already {r}%: {points} "
                             "more would pass 100%, so the published 25-95% comparison for 5 points cannot be made "
                             "here.", {"r": f"{a['yearly_retention']:.1f}",
                                       "points": word_list([f"{p:g}" for p in past]) + " points"},
                             {"yearly_retention": a["yearly_retention"], "points_past_100": past}))
        return out

    def to_dict(self) -> dict:
        return {"assumptions": self.assumptions, "revenue_at_risk": self.revenue_risk, "clv": self.clv,
                "acquisition_vs_retention": self.acquisition,
                "retention_economics": self.retention, "churn_gap": self.gap, "business_case": self.case.to_dict(),
                "replacement_cost": self.replacement_cost, "claims": [c.to_dict() for c in self.claims()]}


def _nps_group(nps_col: str, values: pd.Series) -> Band | Words:
    """The key that groups customers by ``nps_col``, judged from ``values`` of it: 0-10 scores by their NPS group
    (:class:`~cxlib.engine.Band`), or group names in any case and in the languages of
    :data:`~cxlib.io.nps_groups.GROUP_WORDS` (Detractor, Kötüleyen, Kritičar, ...)
    (:class:`~cxlib.engine.Words`); where the data are."""
    numbers = pd.to_numeric(values, errors="coerce")
    scores = numbers.notna().sum() == values.notna().sum()
    return Band(nps_col, name="nps_group") if scores else Words(nps_col, name="nps_group",
                                                               synonyms=tuple(WORD_GROUP.items()))


def _totals(source: Backend, duration: str, event: str, entry: str | None, revenue: str, segment_col: str | None,
            group: Key) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`~cxlib.lifecycle.economics.customer_totals` by segment and by NPS group, from one group-by of ``source``."""
    t = source.totals([duration, *([entry] if entry else []), revenue],
                      by=[*([segment_col] if segment_col else []), group, event])
    t = t.assign(left=t[event].astype(float) == 1, customers=t["rows"],
                 exposure=t[duration] - (t[entry] if entry else 0.0), revenue=t[revenue])

    def by(key: str | None) -> pd.DataFrame:
        keyed = t.assign(segment=t[key].astype(str) if key else "all")
        return keyed.groupby(["segment", "left"], sort=True)[["customers", "exposure", "revenue"]].sum().reset_index()

    return by(segment_col), by(group if isinstance(group, str) else group.name)


def run(p: Parameters):
    """The business case on checked parameters (the ``business_case`` notebook's call): the customers (sample
    or flat table, durations in days) loaded, then ``(BusinessCaseStudy, data)``.

    ``revenue_col`` is revenue per ``period`` days; ``margin`` a share of revenue;
    ``discount_rate`` and ``running_cost_per_year`` per year; ``nps_col`` each customer's
    latest NPS score (0-10) or group (detractor/passive/promoter) in a flat table.
    ``min_rows`` and ``max_excluded`` stop the study on too few usable customers.
    Every number rests on one group-by (:meth:`~cxlib.engine.Backend.totals`): customers,
    time at risk and revenue per segment, NPS group and left or not. With ``backend``
    "duckdb" or "dask" it is computed where a flat table is; its 0-10 scores are grouped
    there, and rows without a usable duration, event, segment or revenue are left out and
    counted as in memory.
    """
    inputs = Inputs.of(p)
    canonical = inputs.canonical  # the sample's tables, with NPS over time
    out_of_core = not inputs.in_memory
    if out_of_core:
        source = inputs.source()
        data, entry, duration, event = None, None, p.duration_col, p.event_col
        group = _nps_group(p.nps_col, source.sample([p.nps_col], 10_000, 0)[p.nps_col])
    else:
        frame, data = load_churn_data(inputs, duration_col=p.duration_col, event_col=p.event_col,
                                      event_value=p.event_value, segment_col=p.segment_col,
                                      covariates=[] if canonical else [p.nps_col], revenue_col=p.revenue_col,
                                      id_col=p.id_col, time_unit="days", revenue_needed=True,
                                      observed_from=p.observed_from, blank_covariate=(NOT_ANSWERED, FIGURES_ONLY))
        gate(data.quality, "customers", p)
        if canonical:  # the NPS groups come from the answers that have a score; the blank ones say nothing
            data = unanswered_notes(data, "responses", {"nps": int(data.responses["nps"].notna().sum())})
        entry = "entry" if canonical else None
        duration, event = ("duration", "event") if canonical else (p.duration_col, p.event_col)
        group = "nps_group" if canonical else _nps_group(p.nps_col, frame[p.nps_col])
        source = open_source(frame)
    with source:
        source.restrict([*duration_rules(duration, "days"), *event_rules(source, event),
                         *([RowRule(p.segment_col, "present")] if p.segment_col else []),
                         RowRule(p.revenue_col, "present"), RowRule(p.revenue_col, "not negative")])
        by_segment, by_group = _totals(source, duration, event, entry, p.revenue_col, p.segment_col, group)
        require_leavers(int(by_group.loc[by_group["left"], "customers"].sum()), int(by_group["customers"].sum()),
                        event)
        if data is None:
            data = source_data(source, "customers", [(duration, f"{duration} present",
                                                      int(by_segment["customers"].sum()))])
    if out_of_core:
        gate(data.quality, "customers", p)
    active = by_group[~by_group["left"]].set_index("segment")
    if active.empty:
        raise DataError(f"customers: every customer in the data has left ({p.event_col!r}): the business case prices "
                        "moving today's detractors, and there is no one left to move; is event_col (or event_value) "
                        "right?", table="customers", column=p.event_col, rule="active customers present")
    if not active["revenue"].sum() > 0:
        raise DataError(f"customers: every active customer's revenue in {p.revenue_col!r} is 0: the business case "
                        "prices revenue kept, and there is none; is revenue_col the revenue per period?",
                        table="customers", column=p.revenue_col, rule="revenue above 0")
    if "detractor" not in active.index:
        raise DataError(f"customers: no active customer in {p.nps_col!r} is a detractor (0-6): the business case "
                        "prices moving detractors to passives, and there is no one to move. Revenue at risk per "
                        "segment is in the churn study (cx run churn_study, with revenue_col); check nps_col if "
                        "detractors were expected", table="customers", column=p.nps_col,
                        rule="active detractors present")
    gap = (churn_gap(state_panel(data, observed_from=p.observed_from), "nps_state", duration="stop", entry="start")
           if canonical else churn_gap_from_totals(by_group, group_col=p.nps_col))
    detractors = active.loc["detractor"]
    if p.segment_col:
        check_segments(p.segment_col, by_segment["segment"].unique(), "customers")
    risk = revenue_at_risk_from_totals(by_segment, p.segment_col is not None, p.period)
    total = risk.iloc[-1]
    yearly = DAYS_PER_YEAR
    clv = clv_table_from_totals(by_segment, p.margin, p.discount_rate, period=yearly, revenue_period=p.period)
    everyone = by_segment.groupby("left")[["customers", "exposure", "revenue"]].sum()
    overall = hazard_table(["all"], [everyone.loc[True, "customers"] if True in everyone.index else 0],
                           [everyone["exposure"].sum()]).iloc[0]
    yearly_retention = 100 * np.exp(-overall["hazard"] * yearly)
    yearly_margin = p.margin * everyone.loc[False, "revenue"] / everyone.loc[False, "customers"] * yearly / p.period
    retention = retention_economics(yearly_retention, yearly_margin, p.discount_rate, p.acquisition_cost,
                                    [points for points in p.retention_points if yearly_retention + points < 100])
    hazards = gap["hazards"].set_index("segment")
    detractor_revenue = detractors["revenue"] / detractors["customers"] * yearly / p.period
    case = business_case(int(detractors["customers"]), p.share_moved, hazards.loc["detractor"], hazards.loc["passive"],
                         revenue_per_year=detractor_revenue,
                         margin=p.margin, program_cost=p.program_cost, running_cost_per_year=p.running_cost_per_year,
                         horizon_years=p.horizon_years, discount_rate=p.discount_rate, n_sim=p.n_sim, seed=p.seed,
                         sensitivity_shares=p.sensitivity_shares)
    assumptions = {"period": p.period, "margin": p.margin, "discount_rate": p.discount_rate,
                   "acquisition_cost": p.acquisition_cost, "share_moved": p.share_moved, "program_cost": p.program_cost,
                   "running_cost_per_year": p.running_cost_per_year, "horizon_years": p.horizon_years,
                   "detractors": int(detractors["customers"]), "n_sim": p.n_sim, "seed": p.seed,
                   "yearly_retention": yearly_retention, "yearly_margin_per_customer": yearly_margin,
                   "yearly_margin_per_detractor": p.margin * detractor_revenue}
    past = [points for points in p.retention_points if yearly_retention + points >= 100]
    if past:
        assumptions["retention_points_past_100"] = past
    replacement = {"value": total["expected_leavers"] * p.acquisition_cost,
                   "ci_low": total["leavers_ci_low"] * p.acquisition_cost,
                   "ci_high": total["leavers_ci_high"] * p.acquisition_cost}
    acquisition = acquisition_vs_retention(clv, p.acquisition_cost, p.margin)
    return BusinessCaseStudy(assumptions, risk, clv, acquisition, retention, gap, case, replacement), data


def check_days(values: dict) -> list[str]:
    """The business case reads durations in days (a month is 30 of them, a year 365.25): a column named in another
    unit (``tenure_months``) would make every hazard 30 times too high."""
    unit = unit_in_name(values["duration_col"])
    if unit in (None, "days"):
        return named_as_date(values)
    return [f"duration_col {values['duration_col']!r} is named in {unit}; the business case reads durations in days: "
            f"give a column of days ({unit} x {UNIT_DAYS[unit]:g})"]


def check_costs(values: dict) -> list[str]:
    """A programme that costs nothing has no return to compute: one of its costs must be above 0."""
    if values["program_cost"] == 0 and values["running_cost_per_year"] == 0:
        return ["program_cost and running_cost_per_year are both 0: the return on a programme that costs nothing is "
                "not defined; give one of them"]
    return []


STUDY = StudyDeclaration(
    "business_case", "CX business case",
    "What does churn cost and what is retention worth? Revenue at risk, CLV, retention scenarios, ROI and payback.",
    "a CSV or Parquet table with one row per customer: days as a customer, left or not, revenue, latest NPS",
    (
        data_path_parameter("CSV, Excel, SPSS, Stata or Parquet, one row per customer"),
        Column("duration_col", "duration", "days from signup to leaving or to the end of observation"),
        Column("event_col", "event", "did the customer leave? yes/no"),
        Literal("event_value", None, 'or the value of event_col that means "left"; a list for several',
                nullable=True),
        Column("nps_col", "nps_group", "latest NPS score (0-10) or group of each customer"),
        Column("revenue_col", "monthly_revenue", "revenue per period (below) of each customer"),
        Column("segment_col", "plan", "revenue at risk and CLV per segment; None: overall only", nullable=True,
               own_data=None),
        Column("id_col", None, "customer id column; None: none", nullable=True),
        Number("period", 30, "days covered by revenue_col, and the horizon of revenue at risk", low=0, above=True),
        Number("margin", 0.30, "profit share of revenue", low=0, high=1, above=True),
        Number("discount_rate", 0.08, "per year", low=0),
        Number("acquisition_cost", 150.0, "cost of winning one new customer", low=0),
        Number("share_moved", 0.20, "share of active detractors the programme turns into passives", low=0, high=1,
               above=True),
        Number("program_cost", 5000.0, "one-off cost of the programme", low=0),
        Number("running_cost_per_year", 1000.0, "yearly cost of running it", low=0),
        Number("horizon_years", 3.0, "years over which the programme is judged", low=0, above=True, high=50),
        Numbers("retention_points", [1, 2, 5], "retention scenarios: + these points of yearly retention", low=0,
                above=True),
        Numbers("sensitivity_shares", [0.05, 0.10, 0.20, 0.30], "shares of detractors moved in the sensitivity "
                "table", low=0, high=1),
        Integer("n_sim", 10_000, "simulations for the intervals of the business case", low=100, high=1_000_000),
        Integer("seed", 1, "their random seed", low=0),
        Date("observed_from", "2024-01-01", "sample only: records begin here"),
        *common_parameters(30),
        *backend_parameters(),
    ),
    derived_columns=CHURN_FRAME_COLUMNS,
    checks=(check_backend, check_reading, in_memory_only("event_value", "missing_codes", "id_col"), check_days,
            check_costs),
    run=run,
)

run_business_case = STUDY.function("run_business_case")
