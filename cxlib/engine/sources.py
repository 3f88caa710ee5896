"""Opening a source on a backend, and what a study's input read through a backend carries into its report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..formatting.narrative import md
from ..io.dates import ANSWERS_FROM, EARLY_ANSWER, FUTURE_DATE, tomorrow
from ..io.quality import EXCLUDED, SET_MISSING, DataQuality, QualityIssue
from ..io.sources import SourceInfo, read_header
from ..io.tables import table_file
from .base import Backend, PandasBackend
from .dask_backend import DaskBackend, read_csv_blocks
from .duckdb_backend import DuckDBBackend, parquet_files, sql_name
from .rules import BACKENDS, Condition, RowRule

__all__ = ["SourceData", "is_set", "open_source", "open_survey", "source_data"]


@dataclass(frozen=True)
class SourceData:
    """A study's input read through a backend: provenance, what was left out, the period, and how it was computed."""

    source: SourceInfo
    quality: DataQuality
    period: dict | None
    backend: str
    notes: tuple[str, ...] = ()

    def describe(self) -> str:
        """Sentences for the report: where the numbers were computed and what used a sample."""
        where = {"pandas": "in memory (pandas)", "duckdb": "out of core in DuckDB",
                 "dask": "with Dask"}[self.backend]
        return " ".join([f"Computed {where} from {self.source.rows:,} rows of {self.source.path}.", *self.notes])

    def note(self):
        """The description as Markdown for a report (the path and notes HTML-escaped)."""
        return md("**How this was computed.** {text}", text=self.describe())


def source_data(source: Backend, name: str, kept: Sequence[tuple[str | None, str, int]], date_col: str | None = None,
                notes: Sequence[str] = ()) -> SourceData:
    """The SourceData of a study.

    ``kept`` lists (column, rule, rows the analysis used); the backend's
    :attr:`~Backend.exclusions` (bad values, with examples) are listed first, and the
    rest of the rows an analysis did not use count under its rule. Answers dated in the future in ``date_col``
    are counted: they are in no period (:class:`Period`).
    """
    info = source.source_info(name)
    flagged = [QualityIssue(name, column, rule, EXCLUDED, rows, (), tuple(str(v) for v in examples))
               for (column, rule), (rows, examples) in source.exclusions.items()]
    left_out = sum(issue.n_rows for issue in flagged)
    issues = (*flagged, *(QualityIssue(name, column, rule, EXCLUDED, info.rows - rows - left_out)
                          for column, rule, rows in kept if rows + left_out < info.rows))
    for kind, day, rule in (("on or after", tomorrow(), FUTURE_DATE), ("before", ANSWERS_FROM, EARLY_ANSWER)):
        if date_col and (rows := source.subset([Condition(date_col, kind, f"{day:%Y-%m-%d}")]).n_rows()):
            issues = (*issues, QualityIssue(name, date_col, rule, SET_MISSING, rows))  # no period (Period)
    quality = DataQuality(issues, {name: info.rows}, {name: min((rows for *_, rows in kept), default=info.rows)})
    return SourceData(info, quality, source.date_range(date_col) if date_col else None, source.name, tuple(notes))


def is_set(value) -> bool:
    """A value that asks for something: not None, False or empty (0 is a value: an event coded 0 is set).

    >>> [is_set(v) for v in (None, False, [], "", 0, "churned")]
    [False, False, False, False, True, True]
    """
    if value is None or value is False:
        return False
    return not (isinstance(value, list | tuple | dict | str) and not value)


def open_survey(folder, backend: str, dask_scheduler=None) -> Backend:
    """The answers of a folder of canonical tables with their customer's columns and ``tenure_days`` (days from
    signup to the answer), as :meth:`cxlib.io.CXData.survey_frame` gives them, joined where the data are.

    Each table is Parquet, or UTF-8 CSV with ISO dates. DuckDB joins ``responses`` and
    ``customers`` in SQL; Dask reads the responses by partition and joins each partition
    to the customers' columns, which it holds in memory. As :func:`cxlib.io.load` does,
    answers whose ``customer_id`` is not in ``customers`` are left out and counted.
    """
    folder = Path(folder)
    paths = {name: table_file(folder, name) for name in ("responses", "customers")}
    answers, people = read_header(paths["responses"]), read_header(paths["customers"])
    extra = [c for c in people if c not in answers]
    if backend == "duckdb":
        def reader(path: Path) -> str:
            quoted = "'" + str(path).replace("'", "''") + "'"
            return (f"read_parquet({quoted})" if path.suffix == ".parquet"
                    else f"read_csv({quoted}, header = true, dateformat = '%Y-%m-%d')")

        days = ("CAST(floor((epoch(CAST(r.survey_date AS TIMESTAMP)) - epoch(CAST(c.signup_date AS TIMESTAMP))) "
                "/ 86400) AS BIGINT)")
        orphan = "(r.customer_id IS NOT NULL AND c.customer_id IS NULL)"
        source = DuckDBBackend(f"SELECT r.*, {''.join(f'c.{sql_name(x)}, ' for x in extra)}{days} AS tenure_days, "
                               f"{orphan} AS _orphan FROM {reader(paths['responses'])} AS r "
                               f"LEFT JOIN {reader(paths['customers'])} AS c ON r.customer_id = c.customer_id")
    elif backend == "dask":
        people = paths["customers"]
        customers = (pd.read_parquet(people) if people.suffix == ".parquet"
                     else read_csv_blocks([str(people)]).compute())[["customer_id", *extra]]
        source = DaskBackend(str(paths["responses"]), scheduler=dask_scheduler)
        joined = source.frame.merge(customers.assign(_known=True), on="customer_id", how="left")
        source.frame = joined.assign(tenure_days=(joined["survey_date"] - joined["signup_date"]).dt.days,
                                     _orphan=joined["customer_id"].notnull() & joined["_known"].isnull()
                                     ).drop(columns="_known")
    else:
        raise ValueError(f"open_survey reads a folder out of core: backend 'duckdb' or 'dask', got {backend!r}")
    source.files, source.format, source.description = [str(p) for p in paths.values()], "folder", str(folder)
    source.restrict([RowRule("_orphan", "not flagged", "customer_id not in customers", "customer_id")])
    return source


def open_source(source, backend: str = "pandas", table: str | None = None, dask_scheduler=None) -> Backend:
    """A backend on ``source``: a DataFrame, a Parquet file/folder/glob, a DuckDB file (with ``table``) or a SQL query.

    ``backend="pandas"`` reads a path into memory (Parquet or CSV); ``"duckdb"`` and
    ``"dask"`` leave the data where they are. ``dask_scheduler`` is a
    ``distributed`` scheduler address (or Client); without it Dask runs in this process.

    >>> b = open_source(pd.DataFrame({"nps": [10, 9, 3, 7]}), "duckdb")
    >>> b.score_histogram("nps").counts[0, [3, 7, 9, 10]].tolist()
    [1, 1, 1, 1]
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if backend == "duckdb":
        return DuckDBBackend(source, table=table)
    if backend == "dask":
        return DaskBackend(source, scheduler=dask_scheduler)
    if isinstance(source, pd.DataFrame):
        return PandasBackend(source)
    if str(source).endswith(".csv"):
        return PandasBackend(pd.read_csv(source), source, [str(source)], "csv")
    if str(source).endswith((".duckdb", ".db")) or str(source).lstrip().lower().startswith(("select", "with", "from")):
        with DuckDBBackend(source, table=table) as db:
            return PandasBackend(db._query(f"SELECT * FROM {db.relation}"), source, None, db.format)
    files = parquet_files(source)
    return PandasBackend(pd.concat([pd.read_parquet(f) for f in files], ignore_index=True), source, files, "parquet")
