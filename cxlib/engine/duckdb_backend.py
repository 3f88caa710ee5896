"""The reduce step out of core: SQL GROUP BY in DuckDB on Parquet or CSV files, a DuckDB table or a SQL query.
"""

from __future__ import annotations

import contextlib
import glob
import os

import numpy as np
import pandas as pd

from ..io.quality import DataError
from ..io.scale import off_scale, scale_error
from .base import Backend
from .chunks import Moments, add_up, key_name
from .rules import condition_sql, sql_name, sql_strings

__all__ = ["CSV_DATES", "CSV_SUFFIXES", "ISO_DATE", "OUT_OF_TYPE", "DuckDBBackend", "csv_files",
           "iso_text_columns", "parquet_files"]

CSV_SUFFIXES = (".csv", ".tsv", ".txt")


def _named_files(path: str) -> list[str]:
    """The files a path names: the file itself where it exists (``survey[2025].csv`` is a name, not a pattern), else
    the files the glob matches."""
    return [path] if os.path.isfile(path) else glob.glob(path)


def csv_files(path: str | os.PathLike) -> list[str]:
    """The CSV files a path or glob names (none for a folder: a folder holds Parquet files)."""
    path = str(path)
    return [] if os.path.isdir(path) else sorted(f for f in _named_files(path) if f.lower().endswith(CSV_SUFFIXES))


def parquet_files(path: str | os.PathLike, csv_reader: str = "") -> list[str]:
    path = str(path)
    if os.path.isdir(path):
        files = sorted(glob.glob(os.path.join(path, "**", "*.parquet"), recursive=True))
    else:
        files = sorted(f for f in _named_files(path) if f.endswith((".parquet", ".parq", ".pq")))
    if not files:
        raise FileNotFoundError(f"no Parquet files at {path}; out of core, cxlib reads Parquet files, {csv_reader}"
                                "a DuckDB file (with table=) or a SQL query, e.g. \"SELECT * FROM read_csv('export.csv')\"")
    return files


class DuckDBBackend(Backend):
    """The reduce step as SQL in DuckDB: Parquet files, a table in a DuckDB file, or a query; out of core."""

    name = "duckdb"

    def __init__(self, source, table: str | None = None, memory_limit: str | None = None, threads: int | None = None):
        import duckdb

        super().__init__()
        self.files: list[str] | None = None
        self.table, self._restricted = None, False
        text = str(source)
        self.description, self.format = text, "duckdb"
        if isinstance(source, pd.DataFrame):
            self.connection = duckdb.connect()
            self.connection.register("cx_source", source)
            self.relation, self.table = "cx_source", "cx_source"
            self.description, self.format = "a DataFrame in memory", "dataframe"
        elif text.endswith((".duckdb", ".db")):
            if not table:
                raise ValueError("a DuckDB file needs table=, the table (or view) to read")
            self.connection = duckdb.connect(text, read_only=True)
            self.relation = self.table = sql_name(table)
        elif text.lstrip().lower().startswith(("select", "with", "from")):
            self.connection = duckdb.connect()
            self.relation = f"({text})"
            self.format = "sql"
        elif csv_files(source):  # UTF-8 CSV exports, read where they are; types detected by DuckDB
            self.files, self.format = csv_files(source), "csv"
            self.connection = duckdb.connect()
            self.relation = (f"read_csv([{sql_strings(self.files)}], header = true, union_by_name = true, "
                             f"{CSV_DATES})")  # ISO dates only: never guess the order
        else:
            self.files = parquet_files(source)
            self.format = "parquet"
            self.connection = duckdb.connect()
            self.relation = f"read_parquet([{sql_strings(self.files)}])"
        if memory_limit:
            self._execute(f"SET memory_limit = '{memory_limit}'")
        if threads:
            self._execute(f"SET threads = {int(threads)}")
        self._execute("SET preserve_insertion_order = false")  # group-bys need no order; less memory
        if self.format == "parquet":
            self.relation = self._typed_dates(self.relation)

    def _typed_dates(self, relation: str) -> str:
        """``relation`` with its ISO dates stored as text (:func:`iso_text_columns` of its first 1,000 rows) as
        timestamps."""
        dates = iso_text_columns(self._query(f"SELECT * FROM {relation} LIMIT 1000"))
        if not dates:
            return relation
        casts = ", ".join(f"CAST({sql_name(c)} AS TIMESTAMP) AS {sql_name(c)}" for c in dates)
        return f"(SELECT * REPLACE ({casts}) FROM {relation})"

    def _execute(self, sql: str):
        """Run SQL; a file DuckDB cannot read as it is stops with what to do instead."""
        import duckdb

        try:
            return self.connection.execute(sql)
        except duckdb.Error as exc:
            if self.format == "csv" and CSV_DATES + ")" in sql:  # types guessed from the first rows: a word on row
                whole = f"{CSV_DATES}, sample_size = -1"  # 30,000 broke them; once more, typed from every row
                self.relation = self.relation.replace(CSV_DATES, whole)  # (a pass more, only for such files)
                return self._execute(sql.replace(CSV_DATES + ")", whole + ")"))
            hint = (" Exports that are not plain UTF-8 CSV with ISO dates (another encoding, decimal commas, "
                    "day-first dates, survey-tool headers, answer labels) are read with backend 'pandas'."
                    if self.format == "csv" else f" {OUT_OF_TYPE}." if self.format == "parquet" else "")
            raise DataError(f"DuckDB could not read {self.description}: {str(exc).splitlines()[0]}.{hint}",
                            rule="readable by DuckDB") from None

    def _query(self, sql: str) -> pd.DataFrame:
        return self._execute(sql).df()

    def close(self) -> None:
        if not self._view:
            self.connection.close()

    def _filter(self, keep, sql):
        self.relation = f"(SELECT * FROM {self.relation} WHERE {sql})"
        self._restricted = True

    @contextlib.contextmanager
    def _in_order(self):
        """Rows in source order for the statements inside (group-bys run faster without it)."""
        self._execute("SET preserve_insertion_order = true")
        try:
            yield
        finally:
            self._execute("SET preserve_insertion_order = false")

    def _min_max(self, column, where):
        c = sql_name(column)
        return tuple(self._execute(f"SELECT min({c}), max({c}) FROM {self.relation} WHERE {condition_sql(where)}")
                     .fetchall()[0])

    def _rows_where(self, columns, where, any_of):
        with self._in_order():
            return self._query(f"SELECT {', '.join(sql_name(c) for c in columns)} FROM {self.relation} "
                               f"WHERE {condition_sql(where, any_of)}")

    def _scalar(self, sql: str):
        return self._execute(sql).fetchall()[0][0]

    def n_rows(self) -> int:
        return int(self._scalar(f"SELECT count(*) FROM {self.relation}"))

    def columns(self) -> list[str]:
        cursor = self._execute(f"SELECT * FROM {self.relation} LIMIT 0")
        names = [d[0] for d in cursor.description]
        cursor.fetchall()
        return names

    def _key_sql(self, keys) -> list[str]:
        return [sql_name(k) if isinstance(k, str) else f"{k.sql()} AS {sql_name(k.name)}" for k in keys]

    def _check_whole(self, column: str, low: float, high: float) -> None:
        """Raise, with the count and examples, when ``column`` holds values that are not whole numbers in range."""
        c = sql_name(column)
        bad = f"{c} IS NOT NULL AND ({c} < {low} OR {c} > {high} OR {c} <> round({c}))"
        rows = self._scalar(f"SELECT count(*) FROM {self.relation} WHERE {bad}")
        if rows:
            examples = [r[0] for r in self._execute(
                f"SELECT DISTINCT {c} FROM {self.relation} WHERE {bad} ORDER BY 1 LIMIT 5").fetchall()]
            raise scale_error(column, low, high, rows, examples)

    def _grouped(self, select: list[str], aggregates: list[str], where: list[str]) -> pd.DataFrame:
        names = [s.split(" AS ")[-1] for s in select]
        group = f" GROUP BY {', '.join(names)}" if names else ""
        sql = (f"SELECT {', '.join([*select, *aggregates])} FROM {self.relation}"
               f"{' WHERE ' + ' AND '.join(where) if where else ''}{group}")
        return self._query(sql)

    def _values_by_key(self, column: str, keys, aggregates: list[str], scale: tuple[float, float]) -> pd.DataFrame:
        """One pass: per key and distinct value of ``column``, the aggregates; the values are checked afterwards.

        Whole numbers in ``scale`` are the rule; a value that breaks it shows up as a group
        of its own, so the check costs no second pass (only an error looks up examples).
        Groups with a missing key are dropped after the check.
        """
        c = sql_name(column)
        groups = self._grouped([*self._key_sql(keys), f"CAST({c} AS DOUBLE) AS value"], aggregates,
                               [f"{c} IS NOT NULL"])
        if off_scale(groups["value"], *scale).any():
            self._check_whole(column, *scale)
        return groups.dropna(subset=[key_name(k) for k in keys])

    def _histogram_groups(self, score, keys, weights, scale):
        if weights:
            w = f"CAST({sql_name(weights)} AS DOUBLE)"
            valid = f"FILTER (WHERE {w} > 0)"
            aggregates = [f"count(*) {valid} AS count", f"coalesce(sum({w}) {valid}, 0) AS w",
                          f"coalesce(sum({w} * {w}) {valid}, 0) AS w2"]
        else:
            aggregates = ["count(*) AS count", "CAST(count(*) AS DOUBLE) AS w", "CAST(count(*) AS DOUBLE) AS w2"]
        c = sql_name(score)
        return self._grouped([*self._key_sql(keys), f"CAST({c} AS DOUBLE) AS value"],
                             [*aggregates, "count(*) AS answers"], [f"{c} IS NOT NULL"])

    def _rate_groups(self, flag, keys):
        groups = self._values_by_key(flag, keys, ["count(*) AS n"], (0, 1))
        groups["successes"] = groups["n"] * groups["value"]
        return add_up([groups], [key_name(k) for k in keys], ["n", "successes"])

    def _totals(self, columns, keys):
        sums = [f"coalesce(sum(CAST({sql_name(c)} AS DOUBLE)), 0) AS {sql_name(c)}" for c in columns]
        groups = self._grouped(self._key_sql(keys), ["count(*) AS rows", *sums], [])
        return groups.dropna(subset=[key_name(k) for k in keys])

    def _moments(self, columns, by, weights):
        quoted = [sql_name(c) for c in columns]
        present = " AND ".join(f"{c} IS NOT NULL" for c in [*quoted, *([sql_name(by)] if by else [])])
        w = f"CAST({sql_name(weights)} AS DOUBLE)" if weights else "1.0"
        segment = sql_name(by) if by else "'all'"
        values = ", ".join(f"CAST({c} AS DOUBLE) AS x{i}" for i, c in enumerate(quoted))
        source = f"(SELECT {segment} AS seg, {w} AS w, {values} FROM {self.relation} WHERE {present})"
        k = len(columns)
        # One pass around a shift c, the rounded means of the first 100,000 rows in source order (deterministic):
        # mean = c + S1 / W and M = S2 - S1 S1' / W, with S1, S2 the weighted sums of x - c and of their products.
        # With whole-number values (ratings, scores) and no weights every sum is a whole number, exact in any order.
        with self._in_order():
            first = self._execute(f"SELECT {', '.join(f'avg(x{i})' for i in range(k))} "
                                            f"FROM (SELECT * FROM {source} LIMIT 100000)").fetchall()[0]
        shift = np.round(np.nan_to_num(np.array(first, dtype=float)))
        centred = [f"(x{i} - {float(shift[i])!r})" for i in range(k)]
        pairs = [(a, b) for a in range(k) for b in range(a, k)]
        sums = [f"sum(w * {centred[i]}) AS s{i}" for i in range(k)]
        products = [f"sum(w * {centred[a]} * {centred[b]}) AS p{a}_{b}" for a, b in pairs]
        rows = self._query(f"SELECT seg, count(*) AS n, sum(w) AS ws, {', '.join(sums + products)}, "
                           f"count(*) FILTER (WHERE w IS NULL OR w <= 0) AS bad_weights FROM {source} "
                           "GROUP BY seg ORDER BY seg")
        if rows["bad_weights"].sum():
            raise DataError(f"weights in {weights!r} must be positive numbers; {int(rows['bad_weights'].sum())} "
                            "rows are not", column=weights, rule="weight above 0")
        weight_sum = rows["ws"].to_numpy(dtype=float)
        first_moment = rows[[f"s{i}" for i in range(k)]].to_numpy() / weight_sum[:, None]
        m2 = np.zeros((len(rows), k, k))
        for a, b in pairs:
            m2[:, a, b] = m2[:, b, a] = rows[f"p{a}_{b}"].to_numpy()
        m2 -= weight_sum[:, None, None] * first_moment[:, :, None] * first_moment[:, None, :]
        return Moments(tuple(columns), rows["seg"].tolist(), rows["n"].to_numpy(dtype=np.int64), weight_sum,
                       shift + first_moment, m2)

    def _survival_groups(self, duration, event, entry, segment):
        d, e = sql_name(duration), sql_name(event)
        select = [sql_name(segment)] if segment else []
        exits = self._grouped([*select, f"CAST({d} AS DOUBLE) AS time"],
                              [f"sum(coalesce(CAST({e} AS BIGINT), 0)) AS events", "count(*) AS exits",
                               f"count(*) FILTER (WHERE {e} IS NOT NULL AND {e} NOT IN (0, 1)) AS bad_events"], [])
        bad = exits["time"].isna() | (exits["time"] < 0)
        if bad.any():
            raise DataError(f"durations in {duration!r} must be present and not negative; "
                            f"{int(exits.loc[bad, 'exits'].sum())} rows are not", column=duration, rule="duration >= 0")
        if exits["bad_events"].sum():
            self._check_whole(event, 0, 1)
        if segment and exits[segment].isna().any():
            raise DataError(f"segment column {segment!r} has missing values", column=segment, rule="segment present")
        if entry is None:
            return exits, None
        entries = self._grouped([*select, f"CAST({sql_name(entry)} AS DOUBLE) AS time"],
                                ["count(*) AS entries", f"count(*) FILTER (WHERE {sql_name(entry)} > {d}) AS late"], [])
        if entries["late"].sum():
            raise DataError(f"an entry time in {entry!r} is after its exit time in {int(entries['late'].sum())} rows",
                            column=entry, rule="entry <= duration")
        return exits, entries

    def _broken(self, rules):
        tests = [r.sql() for r in rules]
        first = [" AND ".join([*(f"NOT {t}" for t in tests[:i]), test]) for i, test in enumerate(tests)]
        counts = self._execute(f"SELECT {', '.join(f'count(*) FILTER (WHERE {f})' for f in first)} "
                               f"FROM {self.relation}").fetchall()[0]
        out = []
        for r, where, rows in zip(rules, first, counts, strict=True):
            examples = [] if not rows or not r.shows_values else [v[0] for v in self._execute(
                f"SELECT DISTINCT {sql_name(r.column)} FROM {self.relation} WHERE {where} ORDER BY 1 LIMIT 5").fetchall()]
            out.append((int(rows), examples))
        return out

    def _rows_at(self, positions, columns):
        listing = ", ".join(sql_name(c) for c in columns)
        self.connection.register("cx_positions", pd.DataFrame({"position": positions}))
        try:
            if self.format == "parquet" and not self._restricted:  # global position -> (file, row within the file)
                import pyarrow.parquet as pq

                sizes = np.array([pq.ParquetFile(f).metadata.num_rows for f in self.files])
                starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
                which = np.searchsorted(starts, positions, side="right") - 1
                picks = pd.DataFrame({"filename": np.array(self.files, dtype=object)[which],
                                      "row": positions - starts[which], "position": positions})
                self.connection.register("cx_picks", picks)
                sql = (f"SELECT {listing} FROM read_parquet([{sql_strings(self.files)}], "
                       "filename = true, file_row_number = true) AS s JOIN cx_picks AS p "
                       "ON s.filename = p.filename AND s.file_row_number = p.row ORDER BY p.position")
            elif self.table is not None and not self._restricted:
                sql = (f"SELECT {listing} FROM (SELECT *, rowid AS cx_row FROM {self.relation}) "
                       "JOIN cx_positions ON cx_row = position ORDER BY position")
            else:  # a query's rows, or the rows restrict() kept: positions count them in source order
                sql = (f"SELECT {listing} FROM (SELECT *, row_number() OVER () - 1 AS cx_row FROM {self.relation}) "
                       "JOIN cx_positions ON cx_row = position ORDER BY position")
            with self._in_order():
                return self._query(sql)
        finally:
            self.connection.unregister("cx_positions")


ISO_DATE = r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$"


CSV_DATES = "dateformat = '%Y-%m-%d'"  # how DuckDB reads a CSV's dates: ISO only


OUT_OF_TYPE = ("Out of core, a value that does not fit its column (a date that is not YYYY-MM-DD, a word among "
               "numbers) stops the run: correct it where the file is made, or read the file with backend 'pandas', "
               "which leaves such values out and counts them")


def iso_text_columns(head: pd.DataFrame) -> list[str]:
    """The text columns of ``head`` (a source's first rows) whose values are all ISO dates (``2025-03-31``,
    ``2025-03-31 14:05``): dates stored as text, as pandas writes a CSV's dates into Parquet when it read them
    without parsing. Out of core they are read as dates, as the in-memory reader reads them; a later value that is
    no ISO date stops the run there."""
    text = [c for c in head.columns if not pd.api.types.is_numeric_dtype(head[c].dtype)
            and not pd.api.types.is_datetime64_any_dtype(head[c].dtype)]
    return [c for c in text if head[c].notna().any() and head[c].dropna().astype(str).str.fullmatch(ISO_DATE).all()]
