"""The churn study: who leaves and when, and whether what customers say and experience predicts it.

From a customers table (or any table with one row per customer, a duration and an
event), :func:`churn_study` reports the churn rate, Kaplan-Meier survival by segment at
chosen horizons with the median lifetime, the log-rank test across segments, a Cox model,
and -- when responses and tickets are there -- survival by NPS group at the customer's
last survey and by service experience (an unresolved ticket, a first response over 48
hours, three or more contacts), each with its log-rank test.

NPS group at the last survey uses the last routine answer before the customer left (the
cancellation survey is left out: it is answered on the way out). Customers never surveyed
form their own group.

Whether NPS or service *predicts* churn is not read off those fixed groups: customers who
stay longer answer more surveys and open more tickets, so "ever had a bad ticket" is
partly a consequence of staying (immortal-time bias) and would make bad service look
protective. Instead each customer's months become intervals carrying the state at the
start of the month -- the NPS group of the latest answer so far, whether any ticket so
far went badly -- and a Cox model with these time-varying covariates gives the hazard
ratios (counting-process form; Andersen & Gill 1982). On the sample it recovers the
designed ratios (tests).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..engine import Backend, RowRule, SourceData, open_source, source_data
from ..feedback.reasons import cancellation_reasons, reason_codes
from ..feedback.themes import Taxonomy, load_taxonomy
from ..formatting.narrative import plural
from ..io import CXData, DataError, DataQuality, Table, require
from ..io import columns as col
from ..io.columns import check_yes_no_codes
from ..io.numbers import unread_words
from ..io.quality import EXCLUDED, NOTE, QualityIssue
from ..io.scale import plain
from ..lifecycle.cox import TIES, UNIT_OF_A_NUMBER, cox
from ..lifecycle.economics import revenue_at_risk
from ..lifecycle.states import (
    CHURN_FRAME_COLUMNS,
    churn_frame,
    nps_churn_by_touchpoint,
    service_churn,
    state_panel,
)
from ..lifecycle.survival import (
    SurvivalCounts,
    kaplan_meier,
    logrank,
    median_survival,
    survival_at,
    survival_counts,
)
from ..metrics.rates import count_estimate, rate_table
from .churn_result import BLANK_MEANS_STAYED, COUNTED_AS_STAYED, UNIT_FORMS, ChurnStudy
from .contract import Parameters, StudyDeclaration
from .inputs import Inputs, as_inputs
from .parameters import Choice, Column, Columns, Date, Integer, Literal, Number, Numbers, Steps
from .shared import (
    backend_parameters,
    check_backend,
    check_reading,
    check_segments,
    check_taxonomy,
    common_parameters,
    data_path_parameter,
    gate,
    in_memory_only,
    read_loose,
    row_issue,
    taxonomy_parameter,
)

__all__ = ["STUDY", "TIME_UNITS", "ChurnStudy", "cancellation_reasons", "churn_frame", "churn_study", "churn_study_from_source", "duration_rules", "event_rules", "load_churn_data",
           "nps_churn_by_touchpoint", "run_churn_study", "service_churn", "state_panel"]


def load_churn_data(data, *, duration_col: str, event_col: str, event_value=None,
                    segment_col: str | None = None, covariates: Sequence[str] = (), revenue_col: str | None = None,
                    id_col: str | None = None, reason_col: str | None = None, time_unit: str,
                    revenue_needed: bool = False, observed_from=None,
                    blank_covariate: tuple[str, str] = ("covariate missing (left out of the Cox model only)", NOTE)):
    """The rows of a churn study and the loaded object: the sample (with NPS and service columns) or a flat file.

    ``data`` is :class:`~cxlib.studies.inputs.Inputs` or a path (None: the sample). A flat file needs ``duration_col`` (a number of ``time_unit`` from 0 to 150 years; blank,
    negative or longer rows are excluded and counted: 999999999 is a placeholder) and ``event_col`` (yes/no: True/False, 1/0, "Yes"/"No";
    or any value equal to ``event_value``). With ``id_col``, exact repeated rows are kept
    once and ids repeated with different values are all excluded. Customers who left at
    duration 0 are kept and counted in a note. Covariates must exist (numbers stay
    numbers, text becomes categories); a blank one is recorded as ``blank_covariate``
    (rule, action). ``reason_col`` holds cancellation reasons in words. A blank or unreadable
    ``revenue_col`` leaves the customer out of revenue at risk only, unless ``revenue_needed``
    (the business case, where every figure is revenue).
    """
    inputs = as_inputs(data)
    if inputs.canonical:
        data = inputs.tables()
        return churn_frame(data, observed_from=observed_from), data
    rules = {duration_col: col.duration(time_unit, required=True, nullable=False)}
    if id_col:
        rules = {id_col: col.identifier(unique=True), **rules}
    rules[event_col] = (col.category(required=True) if event_value is not None
                        else col.flag(required=True, choose_with="event_value"))
    if segment_col:
        rules[segment_col] = col.category(required=True, nullable=False)
    if revenue_col:
        rules[revenue_col] = col.amount(required=True, nullable=not revenue_needed, optional_view=not revenue_needed)
    if reason_col:
        rules[reason_col] = col.text()
    table: Table = inputs.read(rules, "customers")
    frame, quality = table.data, table.quality
    _require_durations(quality, duration_col, len(frame))
    notes = []
    if event_value is not None:
        codes = [event_value] if not isinstance(event_value, list | tuple) else list(event_value)
        said = frame[event_col].str.strip().str.casefold()
        left = said.isin({str(code).strip().casefold() for code in codes})
        if not left.any():
            seen = ", ".join(repr(v) for v in frame[event_col].dropna().unique()[:8])
            raise DataError(f"customers: no value of {event_col!r} is {' or '.join(repr(str(c)) for c in codes)}, so "
                            f"nobody left; its values: {seen}. Set event_value to the values that mean \"left\" (a "
                            "list for several: [Cancelled, Closed])", table="customers", column=event_col,
                            rule="event_value present")
        others = frame.loc[~left & frame[event_col].notna(), event_col].value_counts()
        if len(others) > 1:  # besides the one code for staying: counted as stayed, said, with how to change that
            notes.append(QualityIssue("customers", event_col, COUNTED_AS_STAYED + ", ".join(
                f"{v!r} ({n:,})" for v, n in others.items()), NOTE, int(others.sum())))
    else:
        left = frame[event_col].fillna(False).astype(bool)
    blank = frame[event_col].isna().to_numpy()
    if blank.any() and (left.to_numpy() | blank).all():
        notes.append(row_issue(frame, blank, event_col, BLANK_MEANS_STAYED, NOTE))
    elif blank.any():
        quality += DataQuality((row_issue(frame, blank, event_col, col.MISSING_VALUE, EXCLUDED),), {},
                               {"customers": int((~blank).sum())})
        frame, left = frame[~blank], left[~blank]
    frame = frame.assign(**{event_col: left.to_numpy(dtype=bool)})
    require(frame, list(covariates), "customers")
    for name in covariates:
        if name in rules:
            continue
        # an age with "n/a" or "bilinmiyor" among its numbers: those answers are not ages
        unread = (f"not a number ({blank_covariate[0].partition('(')[2]}", blank_covariate[1])
        read, read_notes = read_loose(frame, name, inputs.reading.get("decimal"), inputs.reading.get("thousands"),
                                      unread)
        notes += read_notes
        blank = read.isna().to_numpy() & ~unread_words(frame[name], read)
        frame = frame.assign(**{name: col.yes_no_read(read)})  # True/False is a category: "Transplant: yes vs no"
        if blank.any():
            notes.append(row_issue(frame, blank, name, *blank_covariate))
    zero = (frame[duration_col] == 0).to_numpy()
    if zero.any():
        first = UNIT_FORMS.get(time_unit, ("day",))[0]
        notes.append(row_issue(frame, zero, duration_col, f"duration 0 (kept: left or censored within the first "
                               f"{first})", NOTE))
    return frame, Table(frame, quality + DataQuality(tuple(notes)), table.source)




def _descriptive(frame: pd.DataFrame, event: str, column: str) -> pd.DataFrame:
    """Share of customers who left, per group of ``column`` (descriptive: see the module docstring)."""
    return rate_table(frame[event].astype("boolean"), by=[frame[column]]).rename(columns={"rate": "churned %"})


def churn_study(frame: pd.DataFrame, *, duration: str, event: str, entry: str | None = None,
                segment_col: str | None = None, covariates: Sequence[str] = (), horizons: Sequence[float] | None = None,
                panel: pd.DataFrame | None = None, data: CXData | None = None, reasons: pd.Series | None = None,
                revenue_col: str | None = None, period: float | None = None, time_unit: str = "days",
                taxonomy: str | Taxonomy = "en", quality: DataQuality | None = None, ties: str = "efron",
                covariate_steps: Mapping[str, float] | None = None) -> ChurnStudy:
    """Run the churn study on one row per customer (see the module docstring).

    ``panel`` (from :func:`state_panel`) adds the time-varying Cox model of NPS state and
    service experience; ``data`` (the loaded tables) adds churn by NPS group per
    touchpoint; ``reasons`` (cancellation comments) the ranked reasons for leaving;
    ``revenue_col`` (revenue per ``period``, in the unit of ``duration``) the revenue at
    risk over the next period. Without them (a flat table) those parts are skipped.
    ``ties`` ("efron" or "breslow") and ``covariate_steps`` (column -> the step its hazard
    ratio is read for) go to :func:`cxlib.lifecycle.cox.cox`. ``horizons`` and ``period`` default to those
    of ``time_unit`` (:data:`UNIT_HORIZONS`, :data:`UNIT_PERIOD`).
    """
    entry = entry if entry and entry in frame.columns else None
    period = period or UNIT_PERIOD[time_unit]
    with open_source(frame) as source:  # the counts and the Cox model as on any backend; in memory, on every row
        core = churn_study_from_source(source, duration=duration, event=event, entry=entry, segment_col=segment_col,
                                       covariates=covariates, horizons=horizons, time_unit=time_unit,
                                       sample_size=len(frame), ties=ties, covariate_steps=covariate_steps)
    by_nps = by_service = km_by_nps = None
    if panel is not None:
        baseline = [c for c in covariates if c in panel.columns and c not in ("nps_group", "service")]
        states = cox(panel, "stop", "event", [*baseline, "nps_state", "bad_service_so_far"], entry="start",
                     entry_inclusive=False, reference={"nps_state": "promoter", "bad_service_so_far": "no"}, ties=ties)
        terms = states.terms
        last_group = survival_counts(frame[duration], frame[event], None if entry is None else frame[entry],
                                     frame["nps_group"])
        km_by_nps = kaplan_meier(last_group)
        by_nps = {"hazard_ratios": terms[terms["term"].str.startswith("nps_state")],
                  "churn_by_last_group": _descriptive(frame, event, "nps_group"),
                  "logrank_by_last_group": logrank(last_group), "model": states.to_dict()}
        bad = terms[terms["term"] == "bad_service_so_far[yes]"].iloc[0]
        by_service = {"hazard_ratio": {k: bad[k] for k in ("hazard_ratio", "ci_low", "ci_high", "p_value")},
                      "churn_by_experience": _descriptive(frame, event, "service"),
                      "comparisons": service_churn(frame, event)}
    touchpoints = nps_churn_by_touchpoint(data, frame, event) if data is not None else None
    coded = reasons is not None and reason_codes(reasons, taxonomy)  # the taxonomy tags the reasons once
    reason_table = cancellation_reasons(reasons, taxonomy, coded=coded) if reasons is not None else None
    known = frame[revenue_col].notna() if revenue_col else None
    risk = (revenue_at_risk(frame[known], revenue_col, duration, event, entry, segment_col, period)
            if revenue_col else None)
    return dataclasses.replace(core, by_nps=by_nps, by_service=by_service, touchpoints=touchpoints,
                               reasons=reason_table, revenue_risk=risk, quality=quality, km_by_nps=km_by_nps,
                               revenue_unknown=int((~known).sum()) if revenue_col else 0,
                               reasons_coded=coded,
                               taxonomy_language=load_taxonomy(taxonomy).language)


def _churn(events: int, n: int) -> dict:
    churn = count_estimate(events, n, "churned %")
    return {"value": churn.value, "ci_low": churn.ci_low, "ci_high": churn.ci_high, "n": churn.n}


def _survival_tables(overall: SurvivalCounts, by_segment: SurvivalCounts | None, horizons: Sequence[float]):
    """Survival at the horizons and medians (overall, then per segment), the log-rank test, and the curves."""
    km = km_all = kaplan_meier(overall)
    survival = [survival_at(km_all, horizons, follow_up=overall.follow_up(), known_until=overall.known_until())]
    medians, test = [median_survival(km_all)], None
    if by_segment is not None:
        km = kaplan_meier(by_segment)
        survival.append(survival_at(km, horizons, [str(s) for s in by_segment.segments], by_segment.follow_up(),
                                    by_segment.known_until()))
        found = median_survival(km)
        silent = [str(s) for s in by_segment.segments if str(s) not in set(found["segment"].astype(str))]
        medians.append(pd.concat([found, pd.DataFrame({"segment": silent, "median": np.inf, "ci_low": np.nan,
                                                       "ci_high": np.inf})], ignore_index=True)
                       if silent else found)  # a segment nobody in which left: its median is not reached
        test = logrank(by_segment)
    return pd.concat(survival, ignore_index=True), pd.concat(medians, ignore_index=True), test, km


def churn_study_from_source(source: Backend, *, duration: str, event: str, entry: str | None = None,
                            segment_col: str | None = None, covariates: Sequence[str] = (),
                            horizons: Sequence[float] | None = None, time_unit: str = "days",
                            sample_size: int = 200_000, seed: int = 0, ties: str = "efron",
                            covariate_steps: Mapping[str, float] | None = None) -> ChurnStudy:
    """The churn study on any backend: churn, Kaplan-Meier, medians and log-rank from counts per time.

    Rows without a duration, with a negative one, without an event, with an event that
    is not 0/1, or (with ``segment_col``) without a segment are left out and counted in
    the source's exclusions, as reading a table in memory does. The Cox model needs rows:
    it is fitted on a seeded random sample of ``sample_size`` of the rows kept (all of
    them when there are fewer), so its intervals are those of the sample. NPS, service,
    reasons and revenue at risk need the sample's tables or a flat table in memory and
    are left out.
    """
    source.restrict([*duration_rules(duration, time_unit), *event_rules(source, event),
                     *([RowRule(segment_col, "present")] if segment_col else [])])
    rates = source.rate_counts(event)
    events, n = int(rates["successes"].iloc[0]), int(rates["n"].iloc[0])
    require_leavers(events, n, event)
    longest = source.value_range(duration)[1]
    if not longest or longest <= 0:  # no time passed for anyone: no curve, no hazard, no change with tenure
        raise DataError(f"customers: every duration in {duration!r} is 0, so no one was followed over time; check the "
                        "column (is it the time from signup to leaving or to the end of observation?)",
                        table="customers", column=duration, rule="some time as a customer")
    overall = source.survival_counts(duration, event, entry)
    counts = source.survival_counts(duration, event, entry, segment_col) if segment_col else None
    if counts is not None:
        check_segments(segment_col, counts.segments, "customers")
    if counts is not None:  # True/False segments are yes and no, as the loader reads them
        counts = dataclasses.replace(counts, segments=pd.Index(col.yes_no_read(counts.segments.to_series())))
    horizons = list(horizons or UNIT_HORIZONS[time_unit])
    survival, medians, test, km = _survival_tables(overall, counts, horizons)
    cox_fit = None
    if covariates:
        rows = source.sample([duration, event, *([entry] if entry else []), *covariates], sample_size, seed)
        for name in covariates:  # as the loader reads them: True/False as yes and no, the segment as a category
            rows[name] = col.yes_no_read(rows[name])
        if segment_col in covariates:
            rows[segment_col] = col.as_text(rows[segment_col])
        try:
            cox_fit = cox(rows, duration, event, list(covariates), entry=entry, ties=ties, units=covariate_steps)
        except DataError as exc:
            if exc.rule != UNIT_OF_A_NUMBER:
                raise
            raise DataError(f"customers: covariate_steps gives a step for {exc.column!r}, a category: its hazard "
                            "ratios are read level against level; leave it out of covariate_steps", table="customers",
                            column=exc.column, rule=exc.rule) from None
    return ChurnStudy(n, events, _churn(events, n), survival, medians, test, cox_fit, None, None, None, None, None,
                      tuple(horizons), time_unit, None, km, None)


def require_leavers(events: int, n: int, event: str) -> None:
    """Stop (exit 3) when nobody left: how long customers stay and who leaves sooner cannot be told from a table
    where every customer stayed, and a share of 0% would hide a wrong ``event_col`` or ``event_value``."""
    if n and not events:
        raise DataError(f"customers: nobody left: {event!r} says 'stayed' for all {plural(n, 'customer', 'customers')}"
                        ". How long customers stay needs some who left; check event_col (and event_value, if its "
                        "values are words)", table="customers", column=event, rule="customers who left")


def duration_rules(duration: str, time_unit: str) -> list[RowRule]:
    """The rules a duration keeps on any backend, as the in-memory loader's :func:`~cxlib.io.columns.duration`:
    a value, from 0 to 150 years."""
    return [RowRule(duration, "present"), RowRule(duration, "not negative", high=col.longest_duration(time_unit),
                                                  label=f"not {col.duration(time_unit).rule}")]


def _require_durations(quality: DataQuality, duration: str, kept: int) -> None:
    """Stop (exit 3) when the duration column holds dates: a start or end date is no time as a customer, and every
    row would be left out as "not a number" (the CRM's start_date/end_date shape)."""
    unread = [i for i in quality.issues if i.column == duration and i.rule == "not a number" and i.action == EXCLUDED]
    examples = [e for i in unread for e in i.examples]
    if not unread or unread[0].n_rows < kept or not examples:
        return
    if pd.to_datetime(pd.Series(examples, dtype="string"), errors="coerce", format="mixed").notna().all():
        raise DataError(f"customers: {duration!r} holds dates ({', '.join(map(repr, examples[:3]))}), not durations: "
                        "give a column of the time as a customer (the end date, or the export date for customers "
                        "still there, minus the start date), in time_unit", table="customers", column=duration,
                        rule="a duration, not a date")


def event_rules(source: Backend, event: str) -> list[RowRule]:
    """The rule a yes/no event column keeps where the data are: a value present. A column with a code other than 0
    and 1 (0/1/2, R's 1/2) is refused first, as the in-memory loader refuses it
    (:func:`~cxlib.io.columns.check_yes_no_codes`)."""
    codes = source.totals([], by=[event])
    counts = pd.Series(codes["rows"].to_numpy(), index=[str(plain(v)).lower() for v in codes[event]])
    check_yes_no_codes(counts, event, "event_value")
    blank = int(source.totals([])["rows"].iloc[0]) - int(counts.sum())
    if blank and all(code in col.TRUE_WORDS for code in counts[counts > 0].index):
        raise DataError(f"customers: {event!r} marks only those who left and leaves {plural(blank, 'row', 'rows')} "
                        f"blank. With backend 'pandas' a blank then means the customer did not leave; out of core, "
                        f"fill the blanks with 0 or use backend pandas", table="customers", column=event,
                        rule=BLANK_MEANS_STAYED)
    return [RowRule(event, "present")]


def run(p: Parameters) -> tuple[ChurnStudy, CXData | Table | SourceData]:
    """The churn study on checked parameters (the ``churn_study`` notebook's call): ``(ChurnStudy, data)``.

    On the sample the durations are in days from signup, customers who joined before
    ``observed_from`` enter late, and the NPS, service, touchpoint and cancellation-reason
    parts are included. A flat table gives what its columns allow. With ``backend``
    "duckdb" or "dask" the table stays where it is (Parquet files, a DuckDB file with
    ``table``, or a SQL query; see :func:`churn_study_from_source`). ``min_rows`` and
    ``max_excluded`` stop the study on too few usable customers. ``horizons`` and
    ``period`` follow ``time_unit`` (or the unit the duration column's name states) unless given.
    """
    unit, inputs = p.time_unit or unit_in_name(p.duration_col), Inputs.of(p)
    if not inputs.in_memory:
        study, data = _run_from_source(p, inputs, unit)
        gate(data.quality, "customers", p)
        return study, data
    frame, data = load_churn_data(inputs, duration_col=p.duration_col, event_col=p.event_col,
                                  event_value=p.event_value, segment_col=p.segment_col, covariates=p.covariates,
                                  revenue_col=p.revenue_col, id_col=p.id_col, reason_col=p.reason_col,
                                  time_unit=unit, observed_from=p.observed_from)
    gate(data.quality, "customers", p)
    options = {"segment_col": p.segment_col, "covariates": p.covariates, "horizons": p.horizons,
               "revenue_col": p.revenue_col, "period": p.period, "time_unit": unit,
               "quality": data.quality, "ties": p.ties, "covariate_steps": p.covariate_steps, "taxonomy": p.taxonomy}
    if isinstance(data, CXData):
        responses = data.responses
        study = churn_study(frame, duration="duration", event="event", entry="entry",
                            panel=state_panel(data, observed_from=p.observed_from), data=data,
                            reasons=responses.loc[responses["touchpoint"] == "cancellation", "comment"], **options)
    else:
        study = churn_study(frame, duration=p.duration_col, event=p.event_col,
                            reasons=frame[p.reason_col] if p.reason_col else None, **options)
    return study, data


def _run_from_source(p: Parameters, inputs: Inputs, unit: str) -> tuple[ChurnStudy, SourceData]:
    with inputs.source() as source:
        study = churn_study_from_source(source, duration=p.duration_col, event=p.event_col,
                                        segment_col=p.segment_col, covariates=p.covariates, horizons=p.horizons,
                                        time_unit=unit, sample_size=p.sample_size, seed=p.seed, ties=p.ties,
                                        covariate_steps=p.covariate_steps)
        notes = []
        if p.covariates and p.sample_size < study.n:
            notes.append(f"The Cox model is fitted on a seeded random sample of {p.sample_size:,} of the {study.n:,} "
                         "rows (sample_size); everything else uses every row.")
        skipped = [c for c in (p.revenue_col, p.id_col, p.reason_col) if c]
        if skipped:
            notes.append(f"The columns {', '.join(skipped)} are used with backend 'pandas' only (revenue at risk, "
                         "repeated ids, reasons).")
        data = source_data(source, "customers", [(p.duration_col, f"{p.duration_col} present", study.n)], notes=notes)
    return dataclasses.replace(study, quality=data.quality), data






TIME_UNITS = ("days", "weeks", "months", "years")
DATE_NAME = re.compile(r"(^|[_\W])(date|datum|tarih|datetime|timestamp)($|[_\W])", re.IGNORECASE)  # end_date


def unit_in_name(column: str) -> str | None:
    """The time unit a duration column's name states (``tenure_months``, ``days_active``, ``Weeks``), or None.

    >>> unit_in_name("tenure_months"), unit_in_name("DaysActive"), unit_in_name("week"), unit_in_name("tenure")
    ('months', 'days', 'weeks', None)
    """
    words = re.findall(r"[a-z]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", str(column)).lower())
    found = {unit for unit in TIME_UNITS for word in words if word in (unit, unit[:-1])}
    return found.pop() if len(found) == 1 else None


def named_as_date(values: dict) -> list[str]:
    """A duration column named as a date (``end_date``) on the user's data: the problem, or none."""
    if values["data_path"] is None or not DATE_NAME.search(str(values["duration_col"])):
        return []
    return [f"duration_col {values['duration_col']!r} is named as a date; durations are needed: a column of the time "
            "as a customer (the end date, or the export date for customers still there, minus the start date)"]


def check_time_unit(values: dict) -> list[str]:
    """On the user's own table the unit of ``duration_col`` must be given, unless its name states it; a unit
    given against the one the name states is refused (``tenure_days`` with ``time_unit: months``), and so is a
    column named as a date (``end_date``): a duration is a time as a customer, not a day."""
    named, given = unit_in_name(values["duration_col"]), values["time_unit"]
    if named_as_date(values):
        return named_as_date(values)
    if given is not None and named is not None and named != given:
        return [f"time_unit is {given}, but duration_col {values['duration_col']!r} is named in {named}: leave "
                f"time_unit out to read it in {named}, or name the column that holds {given}"]
    if given is not None or named:
        return []
    return [f"time_unit must be given: the name of duration_col {values['duration_col']!r} does not say whether "
            f"it counts {', '.join(TIME_UNITS[:-1])} or {TIME_UNITS[-1]} (e.g. -p time_unit weeks)"]


def check_steps(values: dict) -> list[str]:
    """Steps are for covariates of the model."""
    other = [c for c in values["covariate_steps"] if c not in values["covariates"]]
    return [f"covariate_steps names {other}, which are not among the covariates {values['covariates']}"] if other else []


# what a reader asks of a table in each unit: survival after about a quarter, a year and two years (five years when
# the unit is years) and revenue at risk over the next month (the next year), unless the user names others
UNIT_HORIZONS = {"days": (90, 365, 730), "weeks": (13, 52, 104), "months": (3, 12, 24), "years": (1, 2, 5)}
UNIT_PERIOD = {"days": 30, "weeks": 4, "months": 1, "years": 1}


STUDY = StudyDeclaration(
    "churn_study", "Churn and survival",
    "Who leaves, when and why? Survival per segment, the Cox model, reasons for leaving, revenue at risk.",
    "a CSV or Parquet table with one row per customer: time as a customer and whether they left",
    (
        data_path_parameter("CSV, Excel, SPSS, Stata or Parquet, one row per customer"),
        Column("duration_col", "duration", "time from signup to leaving or to the end of observation"),
        Column("event_col", "event", 'did the customer leave? yes/no (True/1/"Yes" mean yes)'),
        Literal("event_value", None, 'or the value of event_col that means "left", e.g. "churned"; a list for several',
                nullable=True),
        Column("segment_col", "plan", "compare survival between these segments; None: no segments", nullable=True,
               own_data=None),
        Columns("covariates", ["plan", "region"], "columns of the Cox model (text columns become categories); "
                "[]: no model", own_data=[]),
        Steps("covariate_steps", {}, "read the hazard ratio of these number covariates per this step, e.g. "
              '{"age": 10}; others per one standard deviation'),
        Choice("ties", "efron", "how the Cox model treats customers who leave at the same time: efron (as R and "
               "lifelines) or breslow", choices=TIES),
        Numbers("horizons", None, "report survival at these durations, in the unit of duration_col; None: about "
                "a quarter, a year and two years (90, 365, 730 days; 13, 52, 104 weeks; 3, 12, 24 months; 1, 2, 5 "
                "years)", low=0, above=True, nullable=True),
        Column("revenue_col", "monthly_revenue", "revenue per period of each customer; None: no revenue at risk",
               nullable=True, own_data=None),
        Column("id_col", None, "customer id column (repeated ids are handled); None: none", nullable=True),
        Column("reason_col", None, "column with the reason for leaving, in words or as codes; None: none (the "
               "sample uses cancellation surveys)", nullable=True),
        taxonomy_parameter("reasons for leaving written in words"),
        Number("period", None, "the next period for revenue at risk, in the unit of duration_col; None: a month (30 "
               "days, 4 weeks, 1 month) or, in years, 1 year", low=0, above=True, nullable=True),
        Choice("time_unit", "days", "the unit of duration_col; None: stated by its name (tenure_months)",
               choices=TIME_UNITS, nullable=True, own_data=None),
        Date("observed_from", "2024-01-01", "sample only: records begin here (earlier customers enter late)"),
        *common_parameters(30),
        *backend_parameters(200_000, "the Cox model"),
        Integer("seed", 0, "the seed of that sample", low=0),
    ),
    checks=(check_backend, check_reading, check_time_unit, check_steps, check_taxonomy,
            in_memory_only("event_value", "missing_codes")),
    derived_columns=CHURN_FRAME_COLUMNS,
    shared_columns=(("segment_col", "covariates"), ("revenue_col", "covariates"), ("covariates", "covariate_steps"),
                    ("segment_col", "covariate_steps"), ("revenue_col", "covariate_steps")),
    run=run,
)

run_churn_study = STUDY.function("run_churn_study")
