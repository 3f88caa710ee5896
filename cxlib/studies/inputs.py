"""Where a study's data are, told once: the bundled sample, a folder of canonical tables, or one flat table.

A study's parameters name its data (``data_path``, the reading options, ``missing_codes``,
``backend``, ``table``, ``dask_scheduler``); :class:`Inputs` holds them and gives the study
what it computes on, whatever the source:

* the sample or a folder of canonical tables (:attr:`Inputs.canonical`): the tables of the
  data model (:meth:`Inputs.tables`), in memory, or the answers joined to their customers
  where the data are (:meth:`Inputs.answers`);
* a flat table: a CSV, Excel, SPSS, Stata, JSON or Parquet file, a glob of Parquet files, a
  DuckDB file's table or a database's table or query; in memory, validated by the study's
  column rules (:meth:`Inputs.read`), or where it is (:meth:`Inputs.source`), or as the
  rows a study needs read from there and validated in memory (:meth:`Inputs.rows`,
  :meth:`Inputs.sampled`).

The lower functions of the studies (``load_survey``, ``load_churn_data``, ...) take an
:class:`Inputs` or a path (:func:`as_inputs`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..engine import Backend, SourceData, is_set, open_source, open_survey
from ..io import CXData, Table, flat_table, load, read_table
from ..io.columns import Column
from ..io.options import ReadOptions
from ..io.schemas import Schema
from ..io.sources import is_sql_url
from ..io.tables import canonical_folder, validate

__all__ = ["READING", "Inputs", "as_inputs", "reading"]

READING = ("encoding", "sep", "decimal", "thousands", "date_format", "sheet", "keep_unfinished", "header_row")


def reading(values: Mapping) -> dict:
    """The reading options among checked parameters, as keywords of :func:`cxlib.io.read_table`."""
    options = ReadOptions.from_params(values)
    chosen = {name: getattr(options, name) for name in READING if is_set(getattr(options, name))}
    if is_sql_url(str(values.get("data_path"))):  # a database's rows: a table, or a query
        chosen.update({name: values[name] for name in ("table", "query") if values.get(name) is not None})
    return chosen


@dataclass(frozen=True)
class Inputs:
    """A study's data: ``data_path`` (None: the bundled sample) read with ``reading`` options and ``missing_codes``,
    in memory (``backend`` "pandas") or where they are ("duckdb", "dask": ``table`` of a DuckDB file,
    ``dask_scheduler``)."""

    data_path: object = None
    backend: str = "pandas"
    table: str | None = None
    dask_scheduler: object = None
    missing_codes: object = None
    reading: Mapping = field(default_factory=dict)

    @classmethod
    def of(cls, p: Mapping) -> Inputs:
        """The inputs a study's checked parameters name (a study without backend parameters reads in memory)."""
        return cls(p["data_path"], p.get("backend", "pandas"), p.get("table"), p.get("dask_scheduler"),
                   p.get("missing_codes"), reading(p))

    @property
    def canonical(self) -> bool:
        """The sample, or a folder of canonical tables: the data model's tables, with what only they allow."""
        return self.data_path is None or bool(canonical_folder(self.data_path))

    @property
    def in_memory(self) -> bool:
        return self.backend == "pandas"

    def tables(self, **options) -> CXData:
        """The canonical tables (:func:`cxlib.io.load`), validated in memory; ``options`` such as ``strict``."""
        return load(self.data_path, missing_codes=self.missing_codes, **options, **self.reading)

    def read(self, rules: Mapping[str, Column], name: str) -> Table:
        """The flat table in memory, its columns validated by ``rules`` (:func:`cxlib.io.read_table`)."""
        return read_table(self.data_path, rules, name=name, missing_codes=self.missing_codes, **self.reading)

    def flat(self, name: str, **columns) -> Table:
        """The flat table in memory, its columns named by role (:func:`cxlib.io.flat_table`: ``scores=``,
        ``categories=``, ...)."""
        return flat_table(self.data_path, name=name, missing_codes=self.missing_codes, **columns, **self.reading)

    def source(self, path=None) -> Backend:
        """A backend on the flat table (or on ``path``, one table of a folder) where it is."""
        return open_source(path or self.data_path, self.backend, table=None if path else self.table,
                           dask_scheduler=self.dask_scheduler)

    def answers(self) -> Backend:
        """A backend on the answers: a folder of canonical tables as the answers joined to their customers
        (:func:`~cxlib.engine.open_survey`), a flat table as it is."""
        if self.data_path is not None and canonical_folder(self.data_path):
            return open_survey(self.data_path, self.backend, self.dask_scheduler)
        return self.source()

    def rows(self, name: str, rules: Mapping[str, Column] | Schema, read: Callable[[Backend], pd.DataFrame],
             describe: Callable[[int, int], str], path=None) -> tuple[pd.DataFrame, SourceData]:
        """Rows a study needs, read where the data are by ``read(source)`` (on :meth:`source` of ``path``), then
        validated by ``rules`` as a table in memory is.

        Their data-quality record counts the rows read; ``describe(rows read, rows in the
        source)`` is the report's note on what was read.
        """
        with self.source(path) as source:
            rows = read(source)
            info = source.source_info(name)
        frame, quality = validate(rows, rules, table=name)
        return frame, SourceData(info, quality, None, self.backend, (describe(len(rows), info.rows),))

    def sampled(self, name: str, rules: Mapping[str, Column] | Schema, columns: Sequence[str] | None, use: str, *,
                size: int, seed: int = 0, path=None) -> tuple[pd.DataFrame, SourceData]:
        """A seeded random sample of ``size`` rows of ``columns`` (None: all), all rows when there are fewer, drawn
        where the data are (:meth:`cxlib.engine.Backend.sample`) and validated (:meth:`rows`); the note says
        what ``use`` ran on."""
        def sample(source) -> pd.DataFrame:
            return source.sample(list(columns or source.columns()), size, seed)

        def describe(read: int, total: int) -> str:
            share = (f"a seeded random sample of {read:,} of the {total:,} rows (sample_size); the data quality "
                     "table counts the sample's rows" if read < total else f"all {total:,} rows")
            return f"{use} ran on {share}."

        return self.rows(name, rules, sample, describe, path)


def as_inputs(data) -> Inputs:
    """``data`` as :class:`Inputs`: as it is, or a path (None: the sample) read in memory with the default options."""
    return data if isinstance(data, Inputs) else Inputs(data)
