"""Reading raw tables: CSV, Parquet, a SQL query on DuckDB, or any SQLAlchemy URL.

Every reader returns the raw table and a :class:`SourceInfo` (path, SHA-256, rows) for
the provenance of a report. CSV files are read as text, so that validation sees what
was written and can quote it. Input files are only ever opened for reading.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .quality import DataError

__all__ = ["SourceInfo", "read_header", "read_raw"]

DELIMITERS = (",", ";", "\t", "|")
SQL_URL_PREFIXES = ("postgresql", "postgres", "mysql", "mssql", "oracle", "sqlite", "snowflake", "bigquery",
                    "redshift", "trino", "databricks")


@dataclass(frozen=True)
class SourceInfo:
    """Where a table came from: enough to tell later whether an input changed."""

    name: str
    path: str
    format: str
    sha256: str
    rows: int
    query: str | None = None
    delimiter: str | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def read_raw(source: str | Path, *, name: str, query: str | None = None, sep: str | None = None,
             encoding: str = "utf-8") -> tuple[pd.DataFrame, SourceInfo]:
    """Read a table without interpreting its values.

    ``source`` is a CSV/TSV file, a Parquet file or folder, a DuckDB database file (with
    ``query``), or a SQLAlchemy URL (with ``query``; SQLAlchemy must be installed). A
    ``query`` alone (``source=":memory:"``) runs on an in-memory DuckDB, which reads
    files named in the query (``SELECT * FROM 'export.parquet'``).
    """
    text = str(source)
    if query is not None or text == ":memory:":
        if query is None:
            raise DataError(f"{name}: source ':memory:' needs a query", table=name, rule="query required")
        if "://" in text and text.split("://")[0].split("+")[0] in SQL_URL_PREFIXES:
            return _read_sqlalchemy(text, query, name)
        return _read_duckdb(text, query, name)
    path = Path(source)
    if not path.exists():
        raise DataError(f"{name}: no such file or folder: {path}", table=name, rule="file exists")
    if path.is_dir() or path.suffix.lower() in (".parquet", ".pq"):
        return _read_parquet(path, name)
    if path.suffix.lower() in (".duckdb", ".db"):
        raise DataError(f"{name}: {path} is a database; pass query='SELECT ...'", table=name, rule="query required")
    return _read_csv(path, name, sep, encoding)


def read_header(source: str | Path) -> list[str] | None:
    """The column names of a CSV or Parquet file, read cheaply (the header row, or the Parquet schema).

    None when that cannot be done cheaply or safely (a folder, a glob, a query, a database,
    a file that is missing or not UTF-8): the reader reports those in full later.
    """
    path = Path(str(source))
    try:
        if not path.is_file():
            return None
        if path.suffix.lower() in (".parquet", ".pq"):
            return list(pq.read_schema(path).names)
        if path.suffix.lower() not in (".csv", ".tsv", ".txt"):
            return None
        with path.open("r", encoding="utf-8-sig", newline="") as handle:
            record = handle.readline()
            while record.count('"') % 2 and (more := handle.readline()):  # a quoted name may hold a newline
                record += more
        record = record.rstrip("\r\n")
        if not record:
            return None
        return next(csv.reader([record], delimiter=_sniff_delimiter(record)))
    except (OSError, UnicodeDecodeError, pa.ArrowInvalid, csv.Error):
        return None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _frame_digest(frame: pd.DataFrame) -> str:
    """SHA-256 of a query's result rows: a database has no file to hash."""
    return _sha256(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())


def _codec(encoding: str) -> str:
    """UTF-8 is read as utf-8-sig, so that a byte order mark is not part of the first column name."""
    return "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding


def _decode(data: bytes, path: Path, name: str, codec: str, encoding: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        bad = data[exc.start:exc.end]
        raise DataError(
            f"{name}: {path.name} is not valid {encoding}: byte {bad!r} on line {line} "
            f"(near {data[max(0, exc.start - 20):exc.start + 5]!r}). Pass encoding='cp1252' for Excel exports "
            "from Windows, or 'latin-1'.", table=name, rule=f"text encoded as {encoding}", rows=(line - 1,)) from None
    except LookupError:
        raise DataError(f"{name}: unknown encoding {encoding!r}", table=name, rule="known encoding") from None


def _sniff_delimiter(header: str) -> str:
    """The candidate delimiter that splits the header line into the most fields."""
    counts = {d: len(next(csv.reader([header], delimiter=d))) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: (counts[d], -DELIMITERS.index(d)))


def _first_ragged_line(content: str, delimiter: str) -> str | None:
    """Where a line's field count first differs from the header's (for the error message)."""
    rows = csv.reader(io.StringIO(content), delimiter=delimiter)
    width = len(next(rows))
    for row in rows:
        if row and len(row) != width:
            return f"line {rows.line_num} has {len(row)} fields, the header has {width}"
    return None


def _read_csv(path: Path, name: str, sep: str | None, encoding: str) -> tuple[pd.DataFrame, SourceInfo]:
    data = path.read_bytes()
    if not data or data.isspace():
        raise DataError(f"{name}: {path.name} is empty", table=name, rule="file has a header and rows")
    codec = _codec(encoding)
    content = _decode(data, path, name, codec, encoding)
    header = content.lstrip("\ufeff").partition("\n")[0].rstrip("\r")
    delimiter = sep or _sniff_delimiter(header)
    if sep is not None and sep not in header:
        found = [d for d in DELIMITERS if d in header]
        if found:
            raise DataError(f"{name}: the header of {path.name} has no {sep!r} but has {found[0]!r}; "
                            f"is the file {found[0]!r}-delimited? Pass sep={found[0]!r}.",
                            table=name, rule=f"fields separated by {sep!r}")
    names = next(csv.reader([header], delimiter=delimiter))
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise DataError(f"{name}: {path.name} has duplicate column names: {repeated}", table=name,
                        rule="unique column names")
    utf8 = data.removeprefix(codecs.BOM_UTF8) if codec == "utf-8-sig" else content.encode("utf-8")
    try:  # Arrow's reader: about four times faster than pandas' own, same values
        frame = pd.read_csv(io.BytesIO(utf8), sep=delimiter, dtype=str, keep_default_na=False, na_values=[""],
                            engine="pyarrow")
    except (pa.ArrowInvalid, ValueError) as exc:
        raise DataError(f"{name}: {path.name} cannot be parsed as {delimiter!r}-delimited text: "
                        f"{_first_ragged_line(content, delimiter) or exc}", table=name,
                        rule="same number of fields on every line") from None
    info = SourceInfo(name, str(path), "csv", _sha256(data), len(frame), delimiter=delimiter)
    return frame, info


def _read_parquet(path: Path, name: str) -> tuple[pd.DataFrame, SourceInfo]:
    files = sorted(path.rglob("*.parquet")) if path.is_dir() else [path]
    if not files:
        raise DataError(f"{name}: no .parquet files in {path}", table=name, rule="parquet files present")
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.read_bytes())
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise DataError(f"{name}: {path} is not a readable Parquet file: {exc}", table=name,
                        rule="valid Parquet") from None
    return frame, SourceInfo(name, str(path), "parquet", digest.hexdigest(), len(frame))


def _read_duckdb(database: str, query: str, name: str) -> tuple[pd.DataFrame, SourceInfo]:
    import duckdb

    if database != ":memory:" and not Path(database).exists():
        raise DataError(f"{name}: no such DuckDB database: {database}", table=name, rule="file exists")
    try:
        with duckdb.connect(database, read_only=database != ":memory:") as con:
            frame = con.execute(query).df()
    except duckdb.Error as exc:
        raise DataError(f"{name}: the query failed on DuckDB: {exc}", table=name, rule="valid SQL") from None
    return frame, SourceInfo(name, database, "duckdb", _frame_digest(frame), len(frame), query=query)


def _read_sqlalchemy(url: str, query: str, name: str) -> tuple[pd.DataFrame, SourceInfo]:
    try:
        import sqlalchemy
    except ImportError:
        raise DataError(f"{name}: reading {url.split('://')[0]}:// needs SQLAlchemy: pip install sqlalchemy "
                        "and the database's driver", table=name, rule="SQLAlchemy installed") from None
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as con:
            frame = pd.read_sql_query(sqlalchemy.text(query), con)
    finally:
        engine.dispose()
    safe_url = sqlalchemy.engine.make_url(url).render_as_string(hide_password=True)
    return frame, SourceInfo(name, safe_url, "sql", _frame_digest(frame), len(frame), query=query)
