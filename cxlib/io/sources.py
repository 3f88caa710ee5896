"""Reading raw tables: CSV/TSV, Excel, SPSS, Stata, Parquet, a SQL query on DuckDB, or any SQLAlchemy URL.

Every reader returns a :class:`RawTable`: the table, a :class:`SourceInfo` (path,
SHA-256, rows) for the provenance of a report, column labels and notes. Text files are
read as text, so that validation sees what was written and can quote it. Input files are
only ever opened for reading.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..formatting.result_view import ResultView
from .delimited import CR_IN_CELL, decode, from_header, header_names, read_delimited
from .files import not_readable
from .options import ReadOptions
from .quality import NOTE, DataError, QualityIssue
from .spreadsheets import NoSuchSheet, read_excel, read_stata_or_spss, workbook_header

__all__ = ["NotATable", "RawTable", "SourceInfo", "TABLE_FILE", "file_format", "is_sql_url", "read_header", "read_raw"]

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
    encoding: str | None = None
    sheet: str | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True, repr=False)
class RawTable(ResultView):
    """A table as read, before validation: values as written, and what the file says about its columns.

    ``labels`` are column labels (question texts of a survey tool, variable labels of SPSS),
    ``value_labels`` map a column's codes to their labels (SPSS and Stata), and ``notes``
    record what reading did (the encoding detected, header rows skipped, user-missing
    values set to missing).
    """

    frame: pd.DataFrame
    source: SourceInfo
    labels: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict] = field(default_factory=dict)
    notes: tuple[QualityIssue, ...] = ()


TABLE_FILE = "a table file"  # the rule of a file that holds no table cx reads (a zip, JSON, a web page)


class NotATable(DataError):
    """A file that is no table cx reads, known from its first bytes or its name: refused before a study starts."""


def is_sql_url(text: str) -> bool:
    """``text`` is a SQLAlchemy database URL (``postgresql://...``, ``postgresql+psycopg://...``)."""
    return "://" in text and text.split("://")[0].split("+")[0].lower() in SQL_URL_PREFIXES


def file_format(path: Path) -> str:
    """What a file holds, from its first bytes and then its suffix: never text for a binary file.

    One of "parquet", "excel", "spss", "stata", "duckdb", "text".
    """
    with path.open("rb") as handle:
        head = handle.read(16)
    suffix = path.suffix.lower()
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        if suffix in (".xlsx", ".xlsm") or _zip_has(path, "xl/"):
            return "excel"
        raise NotATable(f"{path.name} is a zip archive, not a table; unpack it, or save the workbook as .xlsx",
                        rule=TABLE_FILE)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise NotATable(f"{path.name} is an old Excel workbook (.xls); save it as .xlsx or CSV", rule=TABLE_FILE)
    if head.startswith((b"$FL2", b"$FL3")):
        return "spss"
    if head.startswith(b"<stata_dta>") or (suffix == ".dta" and head[:1] in (b"\x71", b"\x72", b"\x73")):
        return "stata"
    if head[8:12] == b"DUCK" or head.startswith(b"SQLite format 3"):
        return "duckdb"
    if suffix in (".parquet", ".pq", ".xlsx", ".xlsm", ".sav", ".zsav", ".dta"):
        raise NotATable(f"{path.name} is not a valid {suffix} file (its first bytes are {head[:8]!r})",
                        rule=f"valid {suffix} file")
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if suffix in JSON_SUFFIXES or start.startswith((b"{", b"[{", b"[\n", b"[\r")):
        raise NotATable(f"{path.name} holds JSON, which is not read as a table: export the answers as CSV, Excel or "
                        "Parquet (in Python: pandas.read_json(path, lines=True).to_csv('answers.csv', index=False))",
                        rule=TABLE_FILE)
    if start.startswith((b"<?xml", b"<html", b"<!doctype", b"<table")):
        raise NotATable(f"{path.name} is a web page or XML (an .xls that some systems export is one), not a table "
                        "file: open it in Excel and save it as .xlsx or CSV", rule=TABLE_FILE)
    return "text"


JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")


def _zip_has(path: Path, prefix: str) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return any(n.startswith(prefix) for n in archive.namelist())
    except zipfile.BadZipFile:
        return False


def read_raw(source: str | Path, *, name: str, query: str | None = None, table: str | None = None,
             options: ReadOptions | None = None) -> RawTable:
    """Read a table without interpreting its values.

    ``source`` is a CSV/TSV file, an Excel workbook, an SPSS or Stata file, a Parquet file
    or folder (the format is read from the file's first bytes), a DuckDB database file (with
    ``query``), or a SQLAlchemy URL (with ``query`` or ``table``). A ``query`` alone
    (``source=":memory:"``) runs on an in-memory DuckDB, which reads files named in the
    query (``SELECT * FROM 'export.parquet'``).
    """
    options = options or ReadOptions()
    text = str(source)
    if table is not None and query is None:
        query = f"SELECT * FROM {_quote_table(table)}"
    if query is not None or text == ":memory:":
        if query is None:
            raise DataError(f"{name}: source ':memory:' needs a query", table=name, rule="query required")
        if is_sql_url(text):
            return _read_sqlalchemy(text, query, name)
        return _read_duckdb(text, query, name)
    if is_sql_url(text):
        raise DataError(f"{name}: a database URL needs table or query", table=name, rule="query required")
    path = Path(source)
    problem = not_readable(text)  # a pipe or /dev/zero would never end; a URL is to be downloaded
    if problem:
        raise DataError(f"{name}: {problem}", table=name, rule="a regular file or folder")
    if path.is_dir():
        return _read_parquet(path, name)
    kind = file_format(path)
    if kind == "parquet":
        return _read_parquet(path, name)
    if kind == "duckdb":
        raise DataError(f"{name}: {path} is a database; pass table or query", table=name, rule="query required")
    if kind == "excel":
        frame, sheet, notes, labels = read_excel(path, name, options.sheet, options.header_row, options.columns)
        info = SourceInfo(name, str(path), "xlsx", _sha256(path.read_bytes()), len(frame), sheet=sheet)
        return RawTable(frame, info, labels, notes=tuple(notes))
    if kind in ("spss", "stata"):
        frame, labels, value_labels, notes = read_stata_or_spss(path, name, kind)
        info = SourceInfo(name, str(path), kind, _sha256(path.read_bytes()), len(frame))
        return RawTable(frame, info, labels, value_labels, tuple(notes))
    return _read_text(path, name, options)


def read_header(source: str | Path, options: ReadOptions | None = None) -> list[str] | None:
    """The column names of a file, read cheaply (the header rows, the Parquet schema, SPSS/Stata metadata, ...).

    None when that cannot be done cheaply or safely (a folder, a glob, a query, a database,
    a file that is missing or unreadable): the reader reports those in full later. A sheet
    the workbook does not have is :class:`~cxlib.io.spreadsheets.NoSuchSheet`.
    """
    options = options or ReadOptions()
    path = Path(str(source))
    try:
        if not path.is_file():
            return None
        kind = file_format(path)
        if kind == "parquet":
            return flat_fields(pq.read_schema(path).empty_table()).column_names
        if kind == "excel":
            return [n for n in workbook_header(path, options.sheet, "sheet", options.header_row, options.columns)[1]
                    if n is not None]
        if kind in ("spss", "stata"):
            import pyreadstat

            reader = pyreadstat.read_sav if kind == "spss" else pyreadstat.read_dta
            return list(reader(str(path), metadataonly=True)[1].column_names)
        if kind != "text":
            return None
        with path.open("rb") as handle:
            head = handle.read(1 << 16)
        decoded = decode(head, path.name, "table", options.encoding)
        text = decoded.text.rpartition("\n")[0] if len(head) == 1 << 16 else decoded.text
        text = from_header(text, options.sep or decoded.sep, options.header_row, options.columns)[0]
        preferred = "\t" if path.suffix.lower() in (".tsv", ".tab") else None
        names = header_names(text, options.sep or decoded.sep, preferred).names
        if decoded.cr_in_cells:  # a CR alone inside a name stood for itself while the text was parsed
            names = [n.replace(CR_IN_CELL, "\r") for n in names]
        return [n for n in names if n.strip()] or None
    except (NoSuchSheet, NotATable):
        raise
    except (OSError, DataError, pa.ArrowInvalid, csv.Error, UnicodeDecodeError):
        return None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _frame_digest(frame: pd.DataFrame) -> str:
    """SHA-256 of a query's result rows: a database has no file to hash."""
    return _sha256(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())


def _quote_table(table: str) -> str:
    """A table name for SQL: ``schema.table`` parts each quoted."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in table.split("."))


BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # what an empty export may still begin with


def _read_text(path: Path, name: str, options: ReadOptions) -> RawTable:
    data = path.read_bytes()
    bare = next((data[len(bom):] for bom in BOMS if data.startswith(bom)), data)
    if not bare.strip(b" \t\r\n\x00"):  # nothing, or a byte-order mark and white space
        raise DataError(f"{name}: {path.name} is empty: it holds no header and no rows (was the export cut off?)",
                        table=name, rule="file has a header and rows")
    decoded = decode(data, path.name, name, options.encoding)
    frame, delimiter, header, notes = read_delimited(decoded, path.name, name, options.sep, options.header_row,
                                                     options.columns)
    info = SourceInfo(name, str(path), "csv", _sha256(data), len(frame), delimiter=delimiter,
                      encoding=decoded.encoding)
    return RawTable(frame, info, header.labels, {}, tuple(notes))


def _read_parquet(path: Path, name: str) -> RawTable:
    files = sorted(path.rglob("*.parquet")) if path.is_dir() else [path]
    if not files:
        raise DataError(f"{name}: no .parquet files in {path}", table=name, rule="parquet files present")
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.read_bytes())
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise DataError(f"{name}: {path} is not a readable Parquet file: {exc}", table=name,
                        rule="valid Parquet") from None
    flat = flat_fields(table)
    notes = ()
    if flat.num_columns != table.num_columns or flat.column_names != table.column_names:
        nested = [n for n in flat.column_names if n not in table.column_names]
        notes = (QualityIssue(name, None, f"nested fields read as columns of their own ({', '.join(nested[:5])}"
                              f"{', ...' if len(nested) > 5 else ''})", NOTE, 0),)
    frame = flat.to_pandas()
    return RawTable(frame, SourceInfo(name, str(path), "parquet", digest.hexdigest(), len(frame)), notes=notes)


def flat_fields(table: pa.Table) -> pa.Table:
    """``table`` with each struct column replaced by its fields, named ``parent.field`` (nested structs too), as
    DuckDB and Spark name them: a segment is ``customer.region``, never a dict per row.

    >>> flat_fields(pa.table({"id": [1], "customer": [{"region": "North", "plan": "Basic"}]})).column_names
    ['id', 'customer.region', 'customer.plan']
    """
    while any(pa.types.is_struct(field.type) for field in table.schema):
        table = table.flatten()
    return table


def _read_duckdb(database: str, query: str, name: str) -> RawTable:
    import duckdb

    if database != ":memory:" and not Path(database).exists():
        raise DataError(f"{name}: no such DuckDB database: {database}", table=name, rule="file exists")
    try:
        with duckdb.connect(database, read_only=database != ":memory:") as con:
            frame = con.execute(query).df()
    except duckdb.Error as exc:
        raise DataError(f"{name}: the query failed on DuckDB: {exc}", table=name, rule="valid SQL") from None
    return RawTable(frame, SourceInfo(name, database, "duckdb", _frame_digest(frame), len(frame), query=query))


def _read_sqlalchemy(url: str, query: str, name: str) -> RawTable:
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
    return RawTable(frame, SourceInfo(name, safe_url, "sql", _frame_digest(frame), len(frame), query=query))
