"""The ``persona_study``: who are our customers? Personas on the sample or a flat table, with their profiles."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.estimate import MIN_N
from ..core.lazy import lazy_module
from ..drivers.key_drivers import shapley_shares
from ..feedback.themes import theme_table
from ..formatting.claims import LEVEL, Claim
from ..formatting.narrative import fmt_count, fmt_p
from ..formatting.result_view import ResultView
from ..io import DataError, DataQuality
from ..io import columns as col
from ..io.quality import NOTE, SET_MISSING
from ..personas.clustering import (
    CHANCE_AGREEMENT,
    CLEAR_STRUCTURE,
    PersonaModel,
    discover_personas,
    plain_number,
    profile_personas,
)
from ..sample import DRIVERS
from .contract import Parameters, StudyDeclaration
from .inputs import Inputs
from .parameters import Column, Columns, Integer, IntegerRange
from .shared import (
    backend_parameters,
    check_backend,
    check_reading,
    common_parameters,
    data_path_parameter,
    gate,
    in_memory_only,
    read_loose,
    row_issue,
    unanswered_notes,
)

stats = lazy_module("scipy.stats")

__all__ = ["STUDY", "PersonaStudy", "run_persona_study"]


@dataclass(frozen=True, repr=False)
class PersonaStudy(ResultView):
    """Results of the persona study."""

    model: PersonaModel
    personas: pd.DataFrame
    contrasts: dict
    themes: pd.DataFrame | None = None
    drivers: pd.DataFrame | None = None

    def headline(self) -> dict:
        s = self.model.stability
        return {"personas": self.model.k,
                "stability (1 = the same groups)": None if s["mean"] is None else f"{s['mean']:.2f}"}

    def figures(self) -> list[dict]:
        """No key figure for the index: what this study finds is in its tables and claims."""
        return []

    def claims(self) -> list[Claim]:
        """What the executive summary states, each with its numbers (:mod:`cxlib.formatting.claims`)."""
        m, s = self.model, self.model.stability
        if s["ci_low"] <= CHANCE_AGREEMENT:
            verdict = "The groups are unstable: on some resamples they agree no better than chance."
        elif s["ci_low"] >= 0.75:
            verdict = "The groups are stable."
        elif s["ci_low"] >= 0.6:
            verdict = "The groups are moderately stable."
        else:
            verdict = "The groups are not stable, so read them as tendencies."
        out = [Claim("persona.stability", "The customers fall into {k} personas ({how}). Found again on resampled "
                     "customers, the groups agree at {ari} on a scale where 1 is the same groups and 0 chance (95% "
                     "CI {low} to {high}). {verdict}",
                     {"k": m.k, "how": "fixed by the user" if m.fixed_k else
                      "the largest number considered; the separation still grew there, so more may fit better"
                      if m.k == int(m.criterion["k"].max()) and len(m.criterion) > 1
                      and m.criterion["silhouette"].idxmax() == m.criterion["silhouette"].index[-1]
                      else "chosen by the silhouette criterion",
                      "ari": f"{s['mean']:.2f}", "low": f"{s['ci_low']:.2f}", "high": f"{s['ci_high']:.2f}",
                      "verdict": verdict},
                     {"k": m.k, "stability": s["mean"], "ci_low": s["ci_low"], "ci_high": s["ci_high"]},
                     "adjusted Rand index over bootstrap resamples")]
        best = float(m.criterion["silhouette"].max())
        if best < CLEAR_STRUCTURE:
            out.append(Claim("persona.no_clear_groups", "The customers show no clear groups (separation {best} on a "
                             "scale from -1 to 1, where below 0.25 means no real structure): the personas are a "
                             "convenient split of customers who vary gradually, not natural types.",
                             {"best": f"{best:.2f}"}, {"best_silhouette": best, "threshold": CLEAR_STRUCTURE},
                             "mean silhouette width (Kaufman & Rousseeuw 1990)"))
        small = self.personas[self.personas["size"] < MIN_N]
        if len(small):  # k chosen larger than the customers allow: personas of one or two customers are no kinds
            out.append(Claim("persona.too_small", "{count} of the {k} personas hold fewer than {min_n} customers "
                             "(the smallest {size}): too few to be a kind of customer, and left out of every "
                             "comparison; fewer personas (k) would describe these customers better.",
                             {"count": fmt_count(len(small)), "k": m.k, "min_n": fmt_count(MIN_N),
                              "size": fmt_count(int(small["size"].min()))},
                             {"small_personas": len(small), "k": m.k, "smallest": int(small["size"].min()),
                              "min_n": MIN_N}, joins=True))
        largest = self.personas.iloc[0]
        if largest["size"] >= MIN_N:  # a persona too small to be a kind of customer is described to no one
            out.append(Claim("persona.largest", "The largest, {name} ({share}% of customers), is described as: "
                             "{description}", {"name": largest["name"], "share": f"{largest['share']:.0f}",
                                               "description": largest["description"]},
                             {"persona": largest["name"], "share": largest["share"]}))
        sized = self.personas[self.personas["size"] >= MIN_N]  # a persona of a few customers ranks nothing
        if sized["nps"].notna().any():
            low, high = sized.loc[sized["nps"].idxmin()], sized.loc[sized["nps"].idxmax()]
            out.append(Claim("persona.nps_range", "NPS ranges from {lo} ({loname}, 95% CI {a} to {b}) to {hi} "
                             "({hiname}, 95% CI {c} to {d}).",
                             {"lo": f"{low['nps']:.0f}", "loname": low["name"], "a": f"{low['nps_ci_low']:.0f}",
                              "b": f"{low['nps_ci_high']:.0f}", "hi": f"{high['nps']:.0f}", "hiname": high["name"],
                              "c": f"{high['nps_ci_low']:.0f}", "d": f"{high['nps_ci_high']:.0f}"},
                             {"lowest": low["name"], "lowest_nps": low["nps"], "highest": high["name"],
                              "highest_nps": high["nps"]}))
        if sized["churn_rate"].notna().any():
            out.append(self._churn_claim(sized))
        return out

    def _churn_claim(self, sized: pd.DataFrame) -> Claim:
        """Which persona leaves most often, said only when leaving differs between the personas (a chi-square test
        of the personas' leavers and stayers at the report's level); otherwise that it does not clearly differ."""
        known = sized.dropna(subset=["churn_rate"])
        left = (known["churn_rate"] / 100 * known["churn_n"]).round()
        table = np.column_stack([left, known["churn_n"] - left])
        p = float(stats.chi2_contingency(table)[1]) if len(known) > 1 and table.sum(axis=0).all() else 1.0
        test = "chi-square test of leavers against stayers across the personas"
        among = f"Among the personas of {MIN_N} or more customers, " if len(sized) < len(self.personas) else ""
        worst = known.loc[known["churn_rate"].idxmax()]
        if p >= LEVEL:
            best = known.loc[known["churn_rate"].idxmin()]
            return Claim("persona.churn_no_clear_difference", "{among}how often customers leave does not clearly "
                         "differ between the personas: from {lo}% ({loname}) to {hi}% ({hiname}; {p}).",
                         {"among": among, "lo": f"{best['churn_rate']:.1f}", "loname": best["name"],
                          "hi": f"{worst['churn_rate']:.1f}", "hiname": worst["name"], "p": fmt_p(p)},
                         {"p_value": p, "lowest": best["churn_rate"], "highest": worst["churn_rate"]}, test)
        lead = f"{among}customers" if among else "Customers"
        return Claim("persona.churn", "{lead} of the persona \u201c{name}\u201d leave most often: {rate}% (95% CI {low} to "
                     "{high}%) of {n} customers; leaving differs between the personas ({p}).",
                     {"lead": lead, "name": worst["name"], "rate": f"{worst['churn_rate']:.1f}",
                      "low": f"{worst['churn_ci_low']:.1f}", "high": f"{worst['churn_ci_high']:.1f}",
                      "n": fmt_count(worst["churn_n"]), "p": fmt_p(p)},
                     {"persona": worst["name"], "churn_rate": worst["churn_rate"], "p_value": p}, test)

    def side_by_side(self) -> pd.DataFrame:
        """The personas for a table: size, share and each measure the data hold (NPS, CSAT, churn, revenue with
        their intervals and counts); a measure without data (no score column given) is left out, not shown as
        dashes."""
        measures = {"nps": ["nps_ci_low", "nps_ci_high", "nps_n"], "csat": ["csat_ci_low", "csat_ci_high", "csat_n"],
                    "churn_rate": ["churn_ci_low", "churn_ci_high", "churn_n"],
                    "revenue": ["revenue_ci_low", "revenue_ci_high", "revenue_share"]}
        empty = [c for measure, parts in measures.items() if self.personas[measure].isna().all()
                 for c in (measure, *parts)]
        return self.personas.drop(columns=["description", *empty])

    def trait_table(self, persona) -> pd.DataFrame:
        """What sets ``persona`` apart, for a report: per trait its level, effect, p (raw and Holm-adjusted), and
        the persona's value against the other customers' written in its unit: a mean ("1.51") for a number, a
        percentage ("57.5%") for a share."""
        t = self.contrasts[persona]
        share = (t["kind"] != "numeric").to_numpy()

        def written(values: pd.Series) -> list[str]:
            return [f"{v:.1f}%" if is_share else plain_number(v) for v, is_share in zip(values, share, strict=True)]

        return t.assign(in_persona=written(t["in_persona"]), elsewhere=written(t["elsewhere"]))[
            ["trait", "level", "effect", "in_persona", "elsewhere", "p_value", "p_adjusted", "distinguishing"]]

    def to_dict(self) -> dict:
        m = self.model
        return {"k": m.k, "criterion": {"name": "fixed" if m.fixed_k else "silhouette", "values": m.criterion},
                "stability": m.stability, "dropped_traits": m.encoding.dropped,
                "personas": self.personas, "traits": {str(k): v for k, v in self.contrasts.items()},
                "themes": self.themes, "drivers": self.drivers, "claims": [c.to_dict() for c in self.claims()]}


NOT_A_NUMBER_TRAIT = "not a number (a missing trait)"
SAMPLE_TRAITS = ["age_band", "region", "plan", "channel", "monthly_revenue"]


def _refuse_identifiers(frame: pd.DataFrame, traits) -> None:
    """Stop (exit 3) on a trait of words that differs for every customer (an e-mail address, a name): it describes
    no group, and its values would be printed in the report's persona cards."""
    for trait in traits:
        values = frame[trait].dropna() if trait in frame.columns else pd.Series(dtype=object)
        if len(values) >= MIN_N and not pd.api.types.is_numeric_dtype(values) and values.nunique() == len(values):
            raise DataError(f"customers: trait {trait!r} holds a different value for every customer (e.g. "
                            f"{values.iloc[0]!r}): an identifier describes no group of customers; leave it out of "
                            "trait_cols", table="customers", column=trait, rule="a trait customers share")


def _sample_customers(inputs: Inputs | None = None) -> tuple[pd.DataFrame, pd.DataFrame, object]:
    """The customers of the sample (or a canonical folder of ``inputs``) with their latest routine NPS and CSAT
    answers and whether they left; their comments."""
    data = (inputs or Inputs()).tables()
    routine = data.responses[data.responses["touchpoint"] != "cancellation"].sort_values("survey_date", kind="stable")

    def latest(score: str) -> pd.Series:
        last = routine.dropna(subset=[score]).groupby("customer_id")[score].last()
        return data.customers["customer_id"].map(last).astype("Float64")

    customers = data.customers.assign(latest_nps=latest("nps"), latest_csat=latest("csat"),
                                      churned=data.customers["churn_date"].notna())
    return customers, data.responses, data


def run(p: Parameters):
    """The persona study on checked parameters (the ``persona_study`` notebook's call): the customers (the
    sample's, or a flat table) loaded, then ``(PersonaStudy, data)``.

    On the sample, ``latest_nps`` and ``latest_csat`` are each customer's latest routine
    answers (customers who never answered count as unanswered, not as excluded), ``churned``
    whether they left, the top comment themes per persona come from their answers, and the
    Shapley shares of the driver ratings are shown per persona. ``min_rows`` and
    ``max_excluded`` stop the study on too few usable customers. With ``backend`` "duckdb"
    or "dask" a flat table is read where it is and the personas are found on a seeded
    sample of ``sample_size`` customers (:meth:`~cxlib.studies.inputs.Inputs.sampled`).
    """
    inputs = Inputs.of(p)
    if inputs.canonical:
        frame, responses, data = _sample_customers(inputs)
    else:
        rules = {}
        if p.id_col:
            rules[p.id_col] = col.identifier(unique=True)
        view = {"required": True, "optional_view": True}  # each is one figure per persona: a value it cannot use
        if p.score_col:                                      # leaves that figure only, never the customer
            rules[p.score_col] = col.score(0, 10, **view)
        if p.csat_col:
            rules[p.csat_col] = col.score(1, 5, **view)
        if p.churn_col:
            rules[p.churn_col] = col.left_flag(**view)
        if p.revenue_col:
            rules[p.revenue_col] = col.amount(**view)
        if not inputs.in_memory:
            read = list(dict.fromkeys([*rules, *p.trait_cols]))
            frame, data = inputs.sampled("customers", rules, read, "The personas", size=p.sample_size, seed=p.seed)
        else:
            data = inputs.read(rules, "customers")
            frame = data.data.copy()
        responses = None
        for trait in p.trait_cols:
            if trait in frame.columns and trait not in rules:
                # words among a trait's numbers: missing, as a blank is (set to the median, flagged)
                read, notes = read_loose(frame, trait, p.decimal, p.thousands, (NOT_A_NUMBER_TRAIT, SET_MISSING))
                data = dataclasses.replace(data, quality=data.quality + DataQuality(tuple(notes)))
                frame[trait] = read
    data = _blank_traits(data, frame, p.trait_cols)
    _refuse_identifiers(frame, p.trait_cols)
    gate(data.quality, "customers", p)
    answered = {c: int(frame[c].notna().sum()) for c in (p.score_col, p.csat_col, p.churn_col, p.revenue_col)
                if c in frame.columns}
    data = unanswered_notes(data, "customers", answered)
    model = discover_personas(frame, p.trait_cols, p.k, p.k_range, p.seed, n_boot=p.n_boot)
    personas, contrasts = profile_personas(frame, model, p.score_col, p.churn_col, p.revenue_col, p.csat_col)
    themes = persona_drivers = None
    if responses is not None:
        persona_of = pd.Series(model.labels + 1, index=frame["customer_id"])
        comments = responses.assign(persona=responses["customer_id"].map(persona_of))
        table = theme_table(comments[comments["persona"].notna()], "comment", "persona")
        themes = (table[table["theme"] != "untagged"].sort_values(["persona", "share"], ascending=[True, False])
                  .groupby("persona").head(3).reset_index(drop=True))
        persona_drivers = _persona_drivers(comments, list(DRIVERS)) if p.data_path is None else None
    return PersonaStudy(model, personas, contrasts, themes, persona_drivers), data


def _blank_traits(data, frame: pd.DataFrame, traits: Sequence[str]):
    """``data`` with a note per trait left blank: a number set to the trait's median and flagged, a category a
    level of its own (:mod:`cxlib.personas.clustering`); words already counted as not numbers are not counted again."""
    counted = {i.column: i.n_rows for i in data.quality.issues if i.rule == NOT_A_NUMBER_TRAIT}
    issues = []
    for trait in traits:
        blank = frame[trait].isna().to_numpy() if trait in frame.columns else np.zeros(0, dtype=bool)
        n = int(blank.sum()) - counted.get(trait, 0)
        if n > 0:
            how = ("set to the median, flagged" if pd.api.types.is_numeric_dtype(frame[trait].dtype)
                   else "a level of its own")
            issue = row_issue(frame, blank, trait, f"blank trait ({how})", NOTE)
            issues.append(dataclasses.replace(issue, n_rows=n, examples=()))
    return dataclasses.replace(data, quality=data.quality + DataQuality(tuple(issues))) if issues else data


def _persona_drivers(answers: pd.DataFrame, drivers: list[str]) -> pd.DataFrame:
    """Each persona's Shapley shares of the driver ratings for NPS, largest first."""
    rows = []
    for persona, group in answers[answers["persona"].notna()].groupby("persona"):
        rated = group.dropna(subset=["nps", *drivers])
        if len(rated) < 10 * len(drivers):
            continue
        shares = shapley_shares(rated, "nps", drivers).sort_values(ascending=False)
        rows.extend({"persona": int(persona), "driver": d, "share": float(v), "n": len(rated)}
                    for d, v in shares.items())
    return pd.DataFrame(rows, columns=["persona", "driver", "share", "n"])


def check_traits(values: dict) -> list[str]:
    return [] if values["trait_cols"] else ["trait_cols must name at least one column, got []"]


STUDY = StudyDeclaration(
    "persona_study", "Customer personas",
    "Who are our customers? Groups found from shared traits, each with a name, a card, NPS, CSAT, churn and revenue.",
    "a CSV or Parquet table with one row per customer",
    (
        data_path_parameter("CSV, Excel, SPSS, Stata or Parquet, one row per customer"),
        Columns("trait_cols", ["age_band", "region", "plan", "channel", "monthly_revenue"],
                "traits that define the groups"),
        Integer("k", None, "number of personas; None: chosen by the silhouette criterion within k_range", low=2,
                nullable=True),
        IntegerRange("k_range", [2, 8], "smallest and largest number of personas to consider", low=2,
                     high=20),
        Column("score_col", "latest_nps", "each customer's latest 0-10 answer (NPS); None: none", nullable=True,
               own_data=None),
        Column("csat_col", "latest_csat", "each customer's latest 1-5 answer (CSAT); None: none", nullable=True,
               own_data=None),
        Column("churn_col", "churned", "yes/no, or a status (Active/Cancelled): the customer has left; None: none",
               nullable=True, own_data=None),
        Column("revenue_col", "monthly_revenue", "revenue per customer; None: none", nullable=True, own_data=None),
        Column("id_col", None, "customer id column (repeated ids are handled); None: none", nullable=True),
        Integer("seed", 1, "random seed of the clustering and of the stability check", low=0),
        Integer("n_boot", 30, "resamples for the stability check", low=1, high=1000),
        *common_parameters(50),
        *backend_parameters(50_000, "the personas (clustering)"),
    ),
    checks=(check_traits, check_backend, check_reading, in_memory_only("missing_codes", "id_col")),
    shared_columns=tuple(("trait_cols", outcome) for outcome in ("score_col", "csat_col", "churn_col", "revenue_col")),
    derived_columns=("latest_nps", "latest_csat", "churned"),  # what _sample_customers adds
    run=run,
)

run_persona_study = STUDY.function("run_persona_study")
