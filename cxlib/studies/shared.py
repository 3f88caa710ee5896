"""Parameters that several studies share, declared once: reading options, the data gate, and where the numbers
are computed."""

from __future__ import annotations

import codecs
import dataclasses
import datetime
import glob
import pathlib
from collections.abc import Mapping, Sequence

import pandas as pd

from ..engine import is_set
from ..feedback.themes import TAXONOMY_DIR, load_taxonomy
from ..formatting.quoting import shown
from ..io import DataError, DataQuality, QualityIssue
from ..io.delimited import first_record, sniff_delimiter
from ..io.nps_groups import holds_groups
from ..io.numbers import numbers_or_text, percentages, unread_words
from ..io.quality import EXCLUDED, FIGURES_ONLY, NOTE
from ..io.sources import is_sql_url, read_header
from ..io.survey_status import survey_export
from ..io.tables import canonical_folder
from .inputs import READING
from .parameters import (
    GLOB,
    Choice,
    Currency,
    DisplayNames,
    Flag,
    Integer,
    MissingCodes,
    Number,
    Path,
    Separator,
    Text,
)

__all__ = ["BACKENDS", "FREQUENCIES", "backend_parameters", "check_backend", "check_backend_folder",
           "check_backend_survey", "check_reading", "common_parameters", "data_path_parameter", "display_parameters",
           "gate", "gate_parameters", "in_memory_only", "missing_codes_parameter", "reading_parameters",
           "require_scores"]

BACKENDS = ("pandas", "duckdb", "dask")
FREQUENCIES = ("M", "Q", "Y")


def data_path_parameter(holds: str, folder: bool = False) -> Path:
    """``data_path``: what the file (or, with ``folder``, the folder of tables) holds; None: the bundled sample."""
    return Path("data_path", None, f"{holds}; None: the bundled sample", nullable=True, folder=folder)


def missing_codes_parameter() -> MissingCodes:
    return MissingCodes("missing_codes", [], 'values that mean "missing" in answers, e.g. [-99, 999, "n/a"]; per '
                        'column: {LTR: [99], "*": [-99]} (ids, amounts and dates take only codes named for them)')


def backend_parameters(sample_size: int | None = None, sample_use: str = "", tables: bool = True) -> tuple:
    """``backend``, ``dask_scheduler``, with ``tables`` ``table`` and ``query``, and, for studies that draw rows,
    ``sample_size``."""
    params = (
        Choice("backend", "pandas", 'where the numbers are computed: "pandas" (in memory), "duckdb" (out of core), '
               '"dask"', choices=BACKENDS),
        Text("dask_scheduler", None, 'a Dask scheduler address such as "tcp://10.0.0.5:8786"; None: Dask in this '
             "process", nullable=True),
        Text("table", None, "the table to read when data_path is a DuckDB file or a database URL", nullable=True),
        Text("query", None, "with a database URL in data_path: the SQL query whose rows are read, instead of a "
             "table", nullable=True),
    )
    if not tables:
        params = params[:2]
    if sample_size is None:
        return params
    return (*params, Integer("sample_size", sample_size, f"with duckdb or dask: rows sampled (seeded) for {sample_use}",
                             low=1))


def check_backend(values: dict, folder: bool = False) -> list[str]:
    """Rules across the backend parameters; with ``folder`` a folder of canonical tables is read out of core too
    (the answers joined to their customers: :func:`~cxlib.engine.open_survey`)."""
    backend, problems = values["backend"], []
    if backend != "pandas" and values["data_path"] is None:
        problems.append(f"backend {backend!r} needs data_path: Parquet files, a DuckDB file (with table) or a SQL "
                        "query; the bundled sample is read with backend 'pandas'")
    elif backend != "pandas" and not folder and canonical_folder(values["data_path"]):
        problems.append(f"backend {backend!r} reads one table (Parquet files, a CSV file, a DuckDB table or a SQL "
                        f"query); the folder of canonical tables {values['data_path']} is read with backend 'pandas'")
    elif backend != "pandas" and survey_export(read_header(values["data_path"]) or ()):
        problems.append(f"backend {backend!r} reads rows as they are; {values['data_path']} is a survey export whose "
                        "previews, test and spam responses and unfinished answers (Status, Finished) are left out "
                        "in memory: read it with backend 'pandas', or filter them in a SQL query")
    elif backend != "pandas" and (separator := _not_comma_separated(values["data_path"])):
        problems.append(f"backend {backend!r} reads comma-separated UTF-8 CSV; {values['data_path']} is separated by "
                        f"{separator!r}: read it with backend 'pandas', which detects the separator")
    if backend == "dask" and pathlib.Path(str(values["data_path"])).is_file() and GLOB.search(
            pathlib.Path(str(values["data_path"])).name):
        problems.append(f"backend 'dask' reads a file name with [, ], * or ? as a pattern, so it cannot read "
                        f"{values['data_path']}: rename the file, or read it with backend 'duckdb' or 'pandas'")
    if backend == "pandas" and _several_files(values["data_path"]):
        problems.append(f"data_path {values['data_path']!r} names several files; in memory one file is read: join "
                        "them into one file, or read them together with -p backend duckdb")
    if is_sql_url(str(values["data_path"])):
        if values["table"] is None and values["query"] is None:
            problems.append("data_path is a database URL: name the table (table) or the rows (query)")
        if backend != "pandas":
            problems.append(f"a database URL is read with backend 'pandas', got backend {backend!r}")
    elif values["query"] is not None:
        problems.append("query applies only when data_path is a database URL (postgresql://...)")
    if values["dask_scheduler"] is not None and backend != "dask":
        problems.append(f"dask_scheduler applies only with backend 'dask', got backend {backend!r}")
    return problems


def check_backend_folder(values: dict) -> list[str]:
    """Rules across the backend parameters of a study that reads a folder of canonical tables: out of core, the
    folder is read where it is."""
    if values["backend"] == "pandas":
        return [] if values["dask_scheduler"] is None else [
            "dask_scheduler applies only with backend 'dask', got backend 'pandas'"]
    if not canonical_folder(values["data_path"]):
        return [f"backend {values['backend']!r} needs data_path: a folder of canonical tables (customers and "
                f"responses, .parquet or UTF-8 .csv), got {values['data_path']!r}"]
    return []


def _several_files(data_path) -> bool:
    """A glob (``exports/*.csv``) that names more than one file."""
    text = str(data_path or "")
    return bool(GLOB.search(text)) and not pathlib.Path(text).exists() and len(glob.glob(text)) > 1


def _not_comma_separated(data_path) -> str | None:
    """The separator of a CSV file's header when it is not a comma (a Turkish or German Excel export), else None."""
    path = pathlib.Path(str(data_path))
    if path.suffix.lower() not in (".csv", ".tsv", ".txt") or not path.is_file():
        return None
    with path.open("rb") as handle:
        head = handle.read(1 << 16).decode("utf-8", errors="replace")
    separator = sniff_delimiter(first_record(head))  # as the in-memory reader finds it
    return None if separator == "," else separator


def check_backend_survey(values: dict) -> list[str]:
    """:func:`check_backend` for a study of answers, which reads a folder of canonical tables out of core too."""
    return check_backend(values, folder=True)




def in_memory_only(*names: str):
    """A check refusing, out of core, options that work row by row in memory (they would be ignored otherwise)."""

    def check(values: dict) -> list[str]:
        if values["backend"] == "pandas":
            return []
        folder = canonical_folder(values["data_path"])  # canonical tables identify their rows; id_col is not read
        return [f"{name} cannot be applied with backend {values['backend']!r}: it works row by row in memory "
                "(backend 'pandas'); out of core, write it into a SQL query (missing codes: NULLIF(column, 99))"
                for name in names if is_set(values[name]) and not (folder and name == "id_col")]

    return check


def reading_parameters() -> tuple:
    """How to read the user's file: ``encoding``, ``sep``, ``decimal``, ``thousands``, ``date_format``, ``sheet``,
    ``keep_unfinished``, ``header_row``."""
    return (
        Text("encoding", None, "text encoding of a CSV/TSV file, e.g. cp1254; None: detected", nullable=True,
             shared="reading"),
        Separator("sep", None, 'field separator of a CSV file, e.g. ";" or \\t for a tab; None: sniffed from the '
                  "header", nullable=True, shared="reading"),
        Choice("decimal", None, 'decimal mark of numbers written as text; None: detected per column',
               choices=(".", ","), nullable=True, shared="reading"),
        Choice("thousands", None, "thousands separator of numbers written as text; None: detected per column",
               choices=(".", ",", " ", "'"), nullable=True, shared="reading"),
        Text("date_format", None, 'how dates are written, e.g. "%d.%m.%Y"; None: ISO, or day-first or month-first '
             "where the column tells", nullable=True, shared="reading"),
        Text("sheet", None, "the Excel sheet: its name, or its position (1: the first); None: the first",
             nullable=True, shared="reading"),
        Flag("keep_unfinished", False, "keep a survey export's unfinished responses (Qualtrics Finished false), "
             "left out and counted otherwise", shared="reading"),
        Integer("header_row", None, "the row that holds the column names (1: the first); None: the first row that "
                "holds the named columns (rows of a title above it are left out)", low=1, nullable=True,
                shared="reading"),
    )


def check_reading(values: dict) -> list[str]:
    """Rules across the reading options: a known encoding, one separator, a format with %, apart marks."""
    problems = []
    if values["encoding"] is not None:
        try:
            codecs.lookup(values["encoding"])
        except LookupError:
            problems.append(f"encoding must be a known text encoding (utf-8, cp1254, cp1252, cp1250, iso-8859-2, "
                            f"utf-16), got {values['encoding']!r}")
    if values["sep"] is not None and len(values["sep"].replace("\\t", "\t")) != 1:
        problems.append(f"sep must be one character (\\t for a tab), got {values['sep']!r}")
    if values["date_format"] is not None and (problem := _format_problem(values["date_format"])):
        problems.append(f"date_format must be a strftime format such as %d.%m.%Y ({problem}), got "
                        f"{values['date_format']!r}")
    if values["decimal"] is not None and values["decimal"] == values["thousands"]:
        problems.append(f"decimal and thousands must differ, both are {values['decimal']!r}")
    if values.get("backend", "pandas") != "pandas":
        problems += [f"{name} applies only with backend 'pandas': out of core, DuckDB and Dask read UTF-8 CSV and "
                     "Parquet as they are" for name in READING if is_set(values[name])]
    return problems


def _format_problem(date_format: str) -> str | None:
    """What is wrong with a strptime format (no directive, an unknown one such as %Q, a lone %), or None."""
    if "%" not in date_format:
        return "it has no % directive"
    try:
        datetime.datetime.strptime("", date_format)
    except ValueError as exc:
        text = str(exc)
        return None if text.startswith("time data") else text
    return None




def common_parameters(min_rows: int, max_excluded: float = 0.5) -> tuple:
    """What every study declares alike: ``missing_codes``, the reading options, the gate and the display options."""
    return (missing_codes_parameter(), *reading_parameters(), *gate_parameters(min_rows, max_excluded),
            *display_parameters())


def display_parameters() -> tuple:
    """``labels`` and ``currency``: how names and money are shown (:mod:`cxlib.formatting.labels`)."""
    return (
        DisplayNames("labels", {}, 'names to show for columns and values, e.g. {"price_value": "Value for money"}'
                     " (Python and YAML alike); others are humanised: price_value shows as Price value",
                     shared="display"),
        Currency("currency", "EUR", "ISO code of the money amounts, e.g. USD; None: amounts without a currency",
                 nullable=True, own_data=None, shared="display", sample_only=True),
    )


def gate_parameters(min_rows: int, max_excluded: float = 0.5) -> tuple:
    """``min_rows`` and ``max_excluded``: a study stops (exit 3) rather than report on too few rows."""
    return (
        Integer("min_rows", min_rows, "fewest usable rows for the study; fewer stop it with the reasons (exit 3)",
                low=1),
        Number("max_excluded", max_excluded, "largest share of rows that may be left out; more stop the study with "
               "the reasons (exit 3)", low=0, high=1),
    )


MAX_SEGMENTS = 200  # a column with more values names customers, days or comments, not segments


def check_segments(column: str, segments: Sequence, table: str) -> None:
    """Stop (:class:`~cxlib.io.DataError`, exit 3) on a segment column with more than :data:`MAX_SEGMENTS` values.

    Each segment costs a comparison, a line and a row; thousands of them (an id, a postcode, a
    date taken as the segment) would run for minutes into a report nobody can read, and
    a test against each of thousands of others finds nothing."""
    if len(segments) > MAX_SEGMENTS:
        shown = ", ".join(repr(str(s)) for s in list(segments)[:3])
        raise DataError(f"{table}: column {column!r} holds {len(segments):,} different values ({shown}, ...), too "
                        f"many to compare as segments (at most {MAX_SEGMENTS}): name a column that groups the "
                        "customers into a few segments (a region, a plan), or group the values first",
                        table=table, column=column, rule=f"at most {MAX_SEGMENTS} segments")


NOT_ANSWERED = "not answered (blank)"  # item nonresponse: an answer left out of an analysis that needs the question


def analysis_account(data, table: str, left_out: Sequence[tuple[str, str, int]], used: int):
    """``data`` (what a study loaded) with its analysis's own exclusions in the quality record, so that every report
    gives one account: rows read, rows the analysis used (``used``), and each reason a row was left out.

    ``left_out`` holds (column, reason, rows) for what the analysis itself left out, such as
    answers that skipped the question (:data:`NOT_ANSWERED`); reasons found on reading are
    already in the record.
    """
    issues = tuple(QualityIssue(table, column, reason, EXCLUDED, rows) for column, reason, rows in left_out if rows)
    return dataclasses.replace(data, quality=data.quality + DataQuality(issues, {}, {table: used}))


def row_issue(frame: pd.DataFrame, mask, column: str, rule: str, action: str,
              table: str = "customers") -> QualityIssue:
    """A quality record line for the rows of ``frame`` where ``mask`` holds: their count, the first five row
    numbers (1-based) and the values written there."""
    rows = tuple(int(i) + 1 for i in frame.index[mask][:5])
    shown = tuple("" if pd.isna(v) else str(v) for v in frame.loc[mask, column].iloc[:5])
    return QualityIssue(table, column, rule, action, int(mask.sum()), rows, shown if any(shown) else ())


def read_loose(frame: pd.DataFrame, name: str, decimal: str | None, thousands: str | None,
               unread: tuple[str, str]) -> tuple[pd.Series, list[QualityIssue]]:
    """A column of unknown kind (a covariate, a trait) read as numbers or text
    (:func:`~cxlib.io.numbers.numbers_or_text`), with what that did noted: percentages read as points, and words
    among numbers (an age of "n/a") recorded as the ``unread`` (rule, action)."""
    read = numbers_or_text(frame[name], decimal, thousands)
    notes = []
    percent = percentages(frame[name])
    if percent.any():
        notes.append(row_issue(frame, percent, name, "percentages read as numbers of points (10% = 10)", NOTE))
    words = unread_words(frame[name], read)
    if words.any():
        notes.append(row_issue(frame, words, name, *unread))
    return read, notes


def unanswered_notes(data, table: str, answered: Mapping[str, int]):
    """``data`` with one line per question in its quality record: the answers that left it blank
    (:data:`NOT_ANSWERED`), which stay in the data but not in that question's figures.

    ``answered`` maps each question (column) a report shows figures of to how many of the
    table's rows answered it; a report that uses one question only for all it says counts
    its blanks with :func:`analysis_account` instead.
    """
    rows = data.quality.rows_kept[table]
    issues = tuple(QualityIssue(table, column, NOT_ANSWERED, FIGURES_ONLY, rows - n)
                   for column, n in answered.items() if rows > n)
    return dataclasses.replace(data, quality=data.quality + DataQuality(issues))


def gate(quality: DataQuality, table: str, values: dict, noun: str = "rows") -> None:
    """Stop the study (:class:`~cxlib.io.DataError`, exit 3) when ``table`` kept too few rows or left out too many.

    The message gives the counts, then the data-quality record's main exclusions with
    example values and the parameter that would fix each.
    """
    read, kept = quality.rows_read.get(table, 0), quality.rows_kept.get(table, 0)
    share = (read - kept) / read if read else 0.0
    if kept >= values["min_rows"] and share <= values["max_excluded"]:
        return
    if kept < values["min_rows"]:
        problem = (f"only {kept:,} of {read:,} {noun} can be used; the study needs at least {values['min_rows']:,} "
                   "(min_rows)")
    else:
        problem = (f"{read - kept:,} of {read:,} {noun} ({share:.0%}) were left out, more than max_excluded "
                   f"({values['max_excluded']:.0%})")
    reasons = quality.reasons(table)
    raise DataError(f"{table}: {problem}." + ("\n  " + "\n  ".join(reasons) if reasons else ""), table=table,
                    rule="enough usable rows")


def require_scores(quality, column: str, table: str, use: str) -> None:
    """Stop (:class:`~cxlib.io.DataError`, exit 3) a study part that needs 0-10 answers when ``column`` gave NPS
    groups (:mod:`cxlib.io.nps_groups`); ``use`` says what needs them."""
    if holds_groups(quality, column):
        raise DataError(f"{table}: column {column!r} holds NPS groups (promoter, passive, detractor), not 0-10 "
                        f"answers: {use} needs the 0-10 answers; name a column that holds them (the segment study "
                        "and the scorecard give NPS from groups)", table=table, column=column,
                        rule="0-10 answers, not NPS groups")


def taxonomy_parameter(texts: str) -> Text:
    """The ``taxonomy`` parameter: the themes ``texts`` (comments, reasons) are read for."""
    return Text("taxonomy", "en", f'themes of the {texts}: a shipped taxonomy ("en", "tr") or the path of your YAML '
                "file")


def check_taxonomy(values: dict) -> list[str]:
    """A shipped taxonomy by language code, or a YAML file that exists and reads as a taxonomy (read here, before a
    kernel starts)."""
    taxonomy = values["taxonomy"]
    shipped = sorted(path.stem for path in TAXONOMY_DIR.glob("*.yaml"))
    if taxonomy in shipped:
        return []
    if taxonomy.endswith((".yaml", ".yml")) and pathlib.Path(taxonomy).is_file():
        try:
            load_taxonomy(taxonomy)
        except DataError as exc:
            return [str(exc)]
        return []
    return [f"taxonomy must be one of {', '.join(shipped)} or the path of a YAML file that exists, got {shown(taxonomy)}"]
