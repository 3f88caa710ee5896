"""The reduce step on Dask: the pandas reducers on every partition, added up; on a distributed cluster
when a scheduler address is given.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..io.quality import DataError
from .base import Backend
from .chunks import (
    add_up,
    histogram_chunk,
    key_name,
    merge_moments,
    moments_chunk,
    rate_chunk,
    survival_chunk,
    totals_chunk,
)
from .duckdb_backend import OUT_OF_TYPE, csv_files, iso_text_columns, parquet_files
from .rules import broken_chunk, column_range, kept_rows, select_rows

__all__ = ["CONNECT_TIMEOUT", "DaskBackend", "read_csv_blocks"]

CONNECT_TIMEOUT = "30s"  # how long to wait for a Dask scheduler (distributed's default)


class DaskBackend(Backend):
    """The pandas reducers on every partition of a dask.dataframe, added up; on a cluster if a scheduler is given."""

    name = "dask"

    def __init__(self, source, scheduler: str | None = None, npartitions: int = 4):
        import dask.dataframe as dd

        super().__init__()
        self.client, self._own_client = None, False
        if scheduler is not None:
            from distributed import Client

            self._own_client = not isinstance(scheduler, Client)
            try:
                self.client = Client(scheduler, timeout=CONNECT_TIMEOUT) if self._own_client else scheduler
            except OSError as error:
                raise OSError(f"no Dask scheduler answered at dask_scheduler={scheduler!r} within {CONNECT_TIMEOUT} "
                              f"({error}); start one (dask scheduler; dask worker <address>) or leave dask_scheduler "
                              "None to run Dask in this process") from None
        self.files, self.format, self.description = None, "dataframe", "a Dask DataFrame"
        if isinstance(source, pd.DataFrame):
            self.frame = dd.from_pandas(source, npartitions=npartitions, sort=False)
        elif hasattr(source, "map_partitions"):
            self.frame = source
        elif csv_files(source):  # UTF-8 CSV exports, read where they are, in blocks
            self.files, self.format, self.description = csv_files(source), "csv", str(source)
            self.frame = read_csv_blocks(self.files)
        else:
            self.files, self.format, self.description = parquet_files(source, "a UTF-8 CSV file, "), "parquet", \
                str(source)
            frame = dd.read_parquet(self.files)
            dates = iso_text_columns(frame.head(1000))
            self.frame = frame.assign(**{c: dd.to_datetime(frame[c], format="ISO8601") for c in dates})
        self._lengths = None

    def close(self) -> None:
        if self._own_client and not self._view:
            self.client.close()

    def _filter(self, keep, sql):
        self.frame = self.frame.map_partitions(kept_rows, keep, meta=self.frame._meta)
        self._lengths = None

    def _each(self, function, *args) -> list:
        import dask

        tasks = [dask.delayed(function)(part, *args) for part in self.frame.to_delayed()]
        try:
            return list(dask.compute(*tasks))
        except (ValueError, TypeError) as exc:
            if self.format not in ("csv", "parquet") or isinstance(exc, DataError):
                raise
            hint = ("Exports that are not plain UTF-8 CSV with ISO dates are read with backend 'pandas' (or 'duckdb', "
                    "which reads each column's type from the whole file)" if self.format == "csv" else OUT_OF_TYPE)
            said = _dask_said(str(exc))
            raise DataError(f"Dask could not read {self.description}: {said}. {hint}",
                            rule="readable by Dask") from None

    def _broken(self, rules):
        parts = self._each(broken_chunk, rules)
        out = []
        for i in range(len(rules)):
            examples = pd.Series([v for p in parts for v in p[i][1]]).drop_duplicates()
            out.append((sum(p[i][0] for p in parts), examples.sort_values().iloc[:5].tolist()))
        return out

    def _partition_lengths(self) -> np.ndarray:
        if self._lengths is None:
            self._lengths = np.array(self._each(len), dtype=np.int64)
        return self._lengths

    def n_rows(self) -> int:
        return int(self._partition_lengths().sum())

    def columns(self) -> list[str]:
        return list(self.frame.columns)

    def _min_max(self, column, where):
        ranges = pd.DataFrame(self._each(column_range, column, where), columns=["low", "high"])
        return ranges["low"].min(), ranges["high"].max()

    def _rows_where(self, columns, where, any_of):
        return pd.concat(self._each(select_rows, columns, where, any_of))

    def _histogram_groups(self, score, keys, weights, scale):
        parts = self._each(histogram_chunk, score, keys, weights, scale)
        return add_up(parts, [*[key_name(k) for k in keys], "value"], ["count", "w", "w2", "answers"])

    def _rate_groups(self, flag, keys):
        return add_up(self._each(rate_chunk, flag, keys), [key_name(k) for k in keys], ["n", "successes"])

    def _moments(self, columns, by, weights):
        return merge_moments(self._each(moments_chunk, columns, by, weights))

    def _totals(self, columns, keys):
        return add_up(self._each(totals_chunk, columns, keys), [key_name(k) for k in keys], ["rows", *columns])

    def _survival_groups(self, duration, event, entry, segment):
        parts = self._each(survival_chunk, duration, event, entry, segment)
        names = [segment] if segment else []
        exits = add_up([p[0] for p in parts], [*names, "time"], ["events", "exits"])
        entries = None if entry is None else add_up([p[1] for p in parts], [*names, "time"], ["entries"])
        return exits, entries

    def _rows_at(self, positions, columns):
        import dask

        # a column projection may merge small partitions, so count the rows of the projected frame's own partitions
        parts = self.frame[columns].to_delayed()
        lengths = dask.compute(*[dask.delayed(len)(part) for part in parts])
        starts = np.concatenate([[0], np.cumsum(lengths)])
        tasks = []
        for i, part in enumerate(parts):
            local = positions[(positions >= starts[i]) & (positions < starts[i + 1])] - starts[i]
            if len(local):
                tasks.append(dask.delayed(_take)(part, local))
        return pd.concat(dask.compute(*tasks))


def _dask_said(message: str) -> str:
    """What went wrong in a Dask error, in a line: a column typed from its first rows that later holds text is
    named with the value (Dask's own message puts them in a table further down)."""
    if "Mismatched dtypes" in message:
        found = re.search(r"^- (.+)\n\s+ValueError\(\"could not convert string to float: ('[^']*')", message, re.M)
        if found:
            return f"column {found[1]!r} holds text ({found[2]}) where its first rows held numbers"
    return message.strip().splitlines()[0].split(" You might want to try")[0].rstrip(".:")


def read_csv_blocks(files: list[str]):
    """A dask.dataframe of UTF-8 CSV files in blocks: numbers as floats (a blank is missing in any block), text as
    text, and ISO dates as dates (:func:`iso_text_columns` of the first 1,000 rows), as DuckDB's reader is told to;
    other date forms stay text."""
    import dask.dataframe as dd

    head = pd.read_csv(files[0], nrows=1000)
    text = [c for c in head.columns if not pd.api.types.is_numeric_dtype(head[c].dtype)]
    dates = iso_text_columns(head)
    return dd.read_csv(files, assume_missing=True, dtype={c: "object" for c in text if c not in dates},
                       parse_dates=dates, blocksize="64MB")


def _take(frame: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    return frame.iloc[rows]
