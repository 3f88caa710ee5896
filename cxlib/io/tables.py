"""Loading validated tables: :func:`read_table` for one table, :func:`load` for a folder.

The rules, in the order they apply (each exclusion is counted in the DataQuality
record with example rows; ``strict=True`` turns any exclusion into an error):

1. the file must exist, be non-empty, decode in the given encoding, have data rows and
   unique column names (errors);
2. every required column must be present (error naming what is missing, what is there
   and the closest match); a column that differs only in case, spaces or dashes is used
   and the mapping noted;
3. a required column with no values at all is an error; an optional one is noted;
4. rows that are entirely blank are excluded; so are rows of a survey export that are not
   answers (previews, tests, spam) and, unless ``keep_unfinished``, unfinished responses
   (:mod:`cxlib.io.survey_status`);
5. declared missing codes (``missing_codes``: for every column of answers, or per column by name;
   an id, an amount or a date takes only codes named for it) and, in numeric, date and yes/no columns,
   the markers ``n/a``, ``null``, ``NA``, ... become missing (counted, not excluded);
6. each value must parse as its column's kind and lie in its range (excluded otherwise);
7. row checks across columns (a churn date before the signup date, ...);
8. a repeated row is kept once; rows that share an id but differ are all excluded.

Columns the schema does not name are passed through untouched and never stop a study.
"""

from __future__ import annotations

import dataclasses
import difflib
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..formatting.result_view import ResultView
from ..formatting.tables import pretty
from . import columns as c
from .footers import FOOTER_RULE, HEADER_RULE, header_rows, total_rows
from .header_row import normal_name
from .ids import lossy_ids
from .options import ReadOptions
from .quality import EXCLUDED, MAX_EXAMPLES, NOTE, SET_MISSING, DataError, DataQuality, QualityIssue
from .schemas import DATE_COLUMNS, SCHEMAS, Schema
from .sources import SourceInfo, read_header, read_raw
from .survey_status import not_answers

__all__ = ["SURVEY_FRAME_COLUMNS", "CXData", "Table", "canonical_folder", "canonical_header", "closest_column",
           "flat_table", "has_column", "load", "read_table", "require", "survey_rows", "where_columns_live"]

MissingCodes = Sequence | Mapping[str, Sequence] | None
COLUMN_HAS_VALUES = "column has values"  # the rule a column an analysis reads breaks when every row is blank
MISSING_LEVEL = "(missing)"  # the segment of rows whose segment column is blank
SURVEY_FRAME_COLUMNS = ("tenure_days",)  # what CXData.survey_frame adds to the responses and their customers
SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "sample"  # the bundled sample (cxlib.sample writes it)


@dataclass(frozen=True, repr=False)
class Table(ResultView):
    """A validated table, the record of what validation did, and where it came from."""

    data: pd.DataFrame
    quality: DataQuality
    source: SourceInfo
    labels: dict[str, str] = field(default_factory=dict)


def _span(dates: pd.Series | None) -> tuple:
    """The first and last day of a date column, or of a column of periods (2025Q4 ends on 2025-12-31)."""
    if dates is None or dates.dropna().empty:
        return pd.NaT, pd.NaT
    if pd.api.types.is_datetime64_any_dtype(dates):
        return dates.min(), dates.max()
    try:
        periods = [pd.Period(v) for v in dates.dropna().astype(str).unique()]  # each states its own length
    except (ValueError, TypeError):  # not dates: no span to show
        return pd.NaT, pd.NaT
    return min(p.start_time for p in periods), max(p.end_time for p in periods).normalize()


@dataclass(frozen=True)
class CXData:
    """The canonical tables of a study (``None`` where a table is absent) and their DataQuality."""

    customers: pd.DataFrame | None
    responses: pd.DataFrame | None
    tickets: pd.DataFrame | None
    competitor_nps: pd.DataFrame | None
    social: pd.DataFrame | None
    quality: DataQuality = field(repr=False)
    sources: tuple[SourceInfo, ...] = field(repr=False)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables present, by name."""
        return {name: getattr(self, name) for name in SCHEMAS if getattr(self, name) is not None}

    def summary(self) -> pd.DataFrame:
        """One row per table present: its rows, columns, and the first and last day it covers (its date column)."""
        rows = []
        for name, frame in self.tables().items():
            first, last = _span(frame.get(DATE_COLUMNS[name]))
            rows.append({"table": name, "rows": len(frame), "columns": frame.shape[1], "first": first, "last": last})
        return pd.DataFrame(rows, columns=["table", "rows", "columns", "first", "last"])

    def __repr__(self) -> str:
        """One screen: each table's size and dates, then the data-quality account (not every row of every table)."""
        lines = [f"CXData ({len(self.sources)} {'file' if len(self.sources) == 1 else 'files'})"]
        for r in self.summary().itertuples():
            span = f", {r.first:%Y-%m-%d} to {r.last:%Y-%m-%d}" if pd.notna(r.first) else ""
            lines.append(f"  {r.table}: {r.rows:,} rows, {r.columns} columns{span}")
        return "\n".join([*lines, self.quality.account()])

    def _repr_html_(self) -> str:
        return pretty(self.summary()).to_html() + f"<p>{html.escape(self.quality.account())}</p>"

    def survey_columns(self) -> list[str]:
        """The columns of :meth:`survey_frame`, without joining the tables."""
        if self.responses is None:
            return []
        if self.customers is None or "customer_id" not in self.responses.columns:
            return list(self.responses.columns)
        return list(dict.fromkeys([*self.responses.columns, *self.customers.columns, *SURVEY_FRAME_COLUMNS]))

    def survey_frame(self) -> pd.DataFrame:
        """Responses with their customer's columns and :data:`SURVEY_FRAME_COLUMNS`: ``tenure_days`` (days from
        signup to the survey).

        >>> frame = load().survey_frame()
        >>> {"plan", "monthly_revenue", "tenure_days"} <= set(frame.columns), len(frame) == len(load().responses)
        (True, True)
        """
        if self.responses is None:
            raise DataError("the data have no responses table", table="responses", rule="table present")
        if self.customers is None or "customer_id" not in self.responses.columns:
            return self.responses
        extra = [c for c in self.customers.columns if c not in self.responses.columns or c == "customer_id"]
        frame = self.responses.merge(self.customers[extra], on="customer_id", how="left", validate="many_to_one")
        frame.index = self.responses.index
        frame["tenure_days"] = (frame["survey_date"] - frame["signup_date"]).dt.days
        return frame


def survey_rows(data) -> pd.DataFrame:
    """One row per answer: a loaded :class:`CXData`'s :meth:`CXData.survey_frame`, or the frame given."""
    return data.survey_frame() if isinstance(data, CXData) else data


def where_columns_live(names: Sequence[str], present: Sequence[str]) -> str:
    """A hint for columns that belong to another canonical table than the frame's (empty if none).

    >>> where_columns_live(["plan"], ["nps", "customer_id"])
    " 'plan' is a column of the customers table: pass the loaded data itself (cx.segment_table(data, ...)) or data.survey_frame(), which joins customers to responses."
    """
    for name in names:
        tables = [t for t, schema in SCHEMAS.items() if name in schema.columns and t != "responses"]
        if tables and "customer_id" in present:
            return (f" {name!r} is a column of the {tables[0]} table: pass the loaded data itself "
                    "(cx.segment_table(data, ...)) or data.survey_frame(), which joins customers to responses.")
    return ""


def closest_column(name: str, present: Sequence[str], cutoff: float = 0.4) -> str | None:
    """The column of ``present`` most like ``name`` (ignoring case, spaces and dashes), if any is close."""
    normal = [normal_name(p) for p in present]
    close = difflib.get_close_matches(normal_name(name), normal, n=1, cutoff=cutoff)
    return present[normal.index(close[0])] if close else None


def has_column(name: str, present: Sequence[str]) -> bool:
    """``name`` is a column of ``present``, or exactly one column differs from it only in case, spaces or dashes.

    >>> has_column("Region", ["region", "nps"]), has_column("plan", ["Plan", "PLAN"])
    (True, False)
    """
    return name in present or sum(normal_name(p) == normal_name(name) for p in present) == 1


def require(frame: pd.DataFrame, columns: Sequence[str], table: str = "table") -> None:
    """Raise :class:`DataError` unless ``frame`` has every column in ``columns``.

    The message names each missing column, the columns present and the closest match.

    >>> require(pd.DataFrame({"NPS_score": [9]}), ["nps"], table="survey")
    Traceback (most recent call last):
    ...
    cxlib.io.quality.DataError: survey: required column 'nps' is missing; closest match: 'NPS_score'. Columns present: ['NPS_score']
    """
    present = [str(col) for col in frame.columns]
    for name in columns:
        if name not in frame.columns:
            close = closest_column(name, present)
            hint = f"; closest match: {close!r}" if close else ""
            raise DataError(f"{table}: required column {name!r} is missing{hint}. Columns present: {present}",
                            table=table, column=name, rule="required column present")


def _issue(table: str, column: str | None, rule: str, action: str, mask: np.ndarray,
           shown: pd.Series | None) -> QualityIssue:
    """Count the rows in ``mask``; cite the first few by source row number (index + 1) with their values."""
    positions = np.flatnonzero(mask)[:MAX_EXAMPLES]
    examples = tuple("" if shown is None or pd.isna(shown.iloc[p]) else str(shown.iloc[p]) for p in positions)
    examples = examples if any(examples) else ()  # blanks: the row numbers say it
    row_numbers = tuple(int(shown.index[p]) + 1 if shown is not None else int(p) + 1 for p in positions)
    return QualityIssue(table, column, rule, action, int(mask.sum()), row_numbers, examples)


NO_ROWS = "at least one row"  # the rule of a table with a header and no data rows


def _match_columns(raw: pd.DataFrame, schema: Mapping[str, c.Column], table: str,
                   issues: list[QualityIssue]) -> pd.DataFrame:
    """Use a column that differs only in case, spaces or dashes; fail on a missing required one."""
    renames = {}
    by_normal: dict[str, list[str]] = {}
    for col in raw.columns:
        by_normal.setdefault(normal_name(col), []).append(col)
    for name, rule in schema.items():
        if name in raw.columns:
            continue
        candidates = [col for col in by_normal.get(normal_name(name), []) if col not in schema]
        if len(candidates) == 1:
            renames[candidates[0]] = name
            issues.append(QualityIssue(table, name, f"column {candidates[0]!r} read as {name!r}", NOTE, 0))
        elif rule.required:
            require(raw, [name], table)
    return raw.rename(columns=renames)


def _codes_for(column: str, rule: c.Column, missing_codes: MissingCodes) -> Sequence:
    """The codes that mean "missing" in ``column``: those named for it, and those given for every column ("*", or a
    list) when it holds answers (:attr:`~cxlib.io.columns.Column.answer`; never an id, an amount or a date)."""
    if missing_codes is None:
        return ()
    if isinstance(missing_codes, Mapping):
        return [*(missing_codes.get("*", ()) if rule.answer else ()), *missing_codes.get(column, ())]
    return missing_codes if rule.answer else ()


def validate(raw: pd.DataFrame, schema: Schema | Mapping[str, c.Column], *, table: str,
             missing_codes: MissingCodes = None, options: ReadOptions | None = None,
             value_labels: Mapping[str, dict] | None = None) -> tuple[pd.DataFrame, DataQuality]:
    """Apply the schema's rules to a raw table: the valid rows, typed, and the DataQuality record."""
    if not isinstance(schema, Schema):
        schema = Schema(table, dict(schema))
    if len(raw) == 0:
        raise DataError(f"{table}: the table has a header but no data rows", table=table, rule=NO_ROWS)
    issues: list[QualityIssue] = []
    raw = _match_columns(raw.reset_index(drop=True), schema.columns, table, issues)
    present = [name for name in schema.columns if name in raw.columns]
    if isinstance(missing_codes, Mapping):
        unknown = sorted(set(missing_codes) - set(raw.columns) - {"*"})
        if unknown:
            raise DataError(f"{table}: missing_codes names columns that are not in the table: {unknown}",
                            table=table, column=unknown[0], rule="missing_codes names existing columns")
    excluded = np.zeros(len(raw), dtype=bool)

    blank = raw.isna().all(axis=1).to_numpy()
    if blank.any():  # not data (Excel leaves rows of separators behind): skipped, noted, not counted as read
        issues.append(_issue(table, None, "blank rows skipped", NOTE, blank, None))
        excluded |= blank
    footer = np.zeros(len(raw), dtype=bool)
    for rule, found in ((HEADER_RULE, header_rows(raw)), (FOOTER_RULE, total_rows(raw))):
        found &= ~excluded
        if found.any():
            issues.append(_issue(table, None, rule, EXCLUDED, found, None))
            excluded |= found
            footer |= found
    skipped = blank | footer  # no data: no rule of a column speaks of them
    for column, rule, mask in not_answers(raw, (options or ReadOptions()).keep_unfinished):
        issues.append(_issue(table, column, rule, EXCLUDED, mask & ~excluded, raw[column]))
        excluded |= mask

    out = raw.copy()
    for name in present:
        rule = schema.columns[name]
        if raw[name].isna().all():
            # no stop where a blank has a meaning: a blank segment is "(missing)", a blank yes/no flag is "no", a blank
            # comment no comment, an optional view's blank leaves that view; read as one blank cell would be
            if rule.required and not rule.optional_view and rule.missing_level is None and rule.kind not in (
                    "boolean", "text"):
                raise DataError(f"{table}: column {name!r} has no values (every row is blank)", table=table,
                                column=name, rule=COLUMN_HAS_VALUES)
            issues.append(QualityIssue(table, name, "column has no values", NOTE, 0))
        try:
            parsed = c.parse(raw[name], rule, _codes_for(name, rule, missing_codes), options,
                             (value_labels or {}).get(name))
        except DataError as exc:
            raise DataError(f"{table}: {exc}", table=table, column=name, rule=exc.rule) from None
        for reason, mask in parsed.notes.items():  # of the rows that hold data: a footer's blank is no answer's
            if (mask & ~skipped).any():
                issues.append(QualityIssue(table, name, reason, NOTE, int((mask & ~skipped).sum())))
        for reason, mask in parsed.set_missing.items():
            if (mask & ~skipped).any():
                issues.append(_issue(table, name, reason, SET_MISSING, mask & ~skipped, raw[name]))
        for reason, mask in parsed.problems.items():
            mask = mask & ~skipped
            if mask.any() and rule.optional_view:  # left out of the views that read the column, not of the table
                issues.append(_issue(table, name, f"{reason} (left out of the {name} view only)", SET_MISSING, mask,
                                     raw[name]))
            elif mask.any():
                issues.append(_issue(table, name, reason, EXCLUDED, mask, raw[name]))
                excluded |= mask
        unanswered = raw[name].isna().to_numpy() & ~skipped
        if rule.optional_view and unanswered.any() and not unanswered.all():  # a view on fewer rows than the table
            issues.append(QualityIssue(table, name, f"blank (left out of the {name} view only)", NOTE,
                                       int(unanswered.sum())))
        out[name] = parsed.values

    for check in schema.checks:
        if all(col in out.columns for col in check.columns):
            mask = check.bad(out).to_numpy(dtype=bool) & ~excluded
            if mask.any():
                shown = (raw[check.columns[0]].astype("string") + f" {check.symbol} "
                         + raw[check.columns[1]].astype("string"))
                issues.append(_issue(table, check.columns[0], check.rule, EXCLUDED, mask, shown))
                excluded |= mask

    if schema.key and schema.key in out.columns:
        excluded |= _duplicates(raw[present], out, schema.key, table, excluded, issues)

    quality = DataQuality(tuple(issues), {table: len(raw) - int(blank.sum())}, {table: int((~excluded).sum())})
    return out.loc[~excluded], quality


def _duplicates(raw: pd.DataFrame, out: pd.DataFrame, key: str, table: str, excluded: np.ndarray,
                issues: list[QualityIssue]) -> np.ndarray:
    """Exact repeats are kept once; rows sharing an id with different values are all excluded.

    ``raw`` holds the columns that are compared: those the schema validates (a column
    no analysis reads, such as an export time stamp, does not make two answers differ).
    They are compared as read (``out``): "C0001 " and "C0001", or "9" and "9.0", are one value. An id Excel
    wrote in scientific notation has lost its last digits (:func:`~cxlib.io.ids.lossy_ids`): it finds no repeat.
    """
    keys = out[key].where(~excluded & ~lossy_ids(out[key]))
    shared = keys.duplicated(keep=False).to_numpy() & keys.notna().to_numpy()
    repeated = np.zeros(len(raw), dtype=bool)
    if shared.any():  # compare whole rows only where an id repeats
        repeated[shared] = out.loc[shared, list(raw.columns)].astype("string").duplicated(keep="first").to_numpy()
    if repeated.any():
        issues.append(_issue(table, key, "repeated row (kept once)", EXCLUDED, repeated, raw[key]))
    keys = keys.where(~repeated)
    conflicting = keys.duplicated(keep=False).to_numpy() & keys.notna().to_numpy()
    if conflicting.any():
        issues.append(_issue(table, key, f"duplicate {key} with different values", EXCLUDED, conflicting, raw[key]))
    return repeated | conflicting


def read_table(source: str | Path, schema: Schema | Mapping[str, c.Column] | str | None = None, *,
               name: str | None = None, rename: Mapping[str, str] | None = None, query: str | None = None,
               table: str | None = None, missing_codes: MissingCodes = None, strict: bool = False,
               encoding: str | None = None, sep: str | None = None, decimal: str | None = None,
               thousands: str | None = None, date_format: str | None = None, sheet: str | int | None = None,
               keep_unfinished: bool = False, header_row: int | None = None) -> Table:
    """Read and validate one table.

    Parameters
    ----------
    source : path or str
        CSV/TSV file, Excel workbook (.xlsx), SPSS (.sav, .zsav) or Stata (.dta) file,
        Parquet file or folder (the format is read from the file's first bytes), DuckDB
        database file or ``":memory:"`` with ``query``, or a SQLAlchemy URL with ``query``
        or ``table``.
    schema : Schema, dict of column name -> :class:`~cxlib.io.columns.Column`, or str
        The rules; a string names a canonical table (``"responses"``). Only these
        columns are validated; others pass through untouched. ``None`` validates nothing.
    rename : dict
        Your column name -> the schema's name, applied before validation.
    missing_codes : list or dict
        Values that mean "missing" (``[-99, 999, "n/a"]``), for every validated column,
        or per column (``{"nps": [99], "*": [-99]}``, ``"*"`` for all).
    strict : bool
        Raise :class:`~cxlib.io.quality.DataError` instead of excluding any row.
    encoding, sep, decimal, thousands, date_format, sheet, keep_unfinished, header_row
        Reading options (:class:`~cxlib.io.options.ReadOptions`); each is detected when None
        (the header: the first row that holds the schema's required columns,
        :mod:`cxlib.io.header_row`).

    Returns
    -------
    Table
        ``data`` (valid rows, typed; the index is the 0-based source row), ``quality``
        (DataQuality), ``source`` (SourceInfo), ``labels`` (column labels from the file).

    Examples
    --------
    >>> import io, tempfile, pathlib
    >>> from cxlib.io import columns as col
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "survey.csv"
    >>> _ = path.write_text("id,LTR\\n1,9\\n2,11\\n3,-99\\n")
    >>> t = read_table(path, {"LTR": col.score(0, 10)}, missing_codes=[-99])
    >>> t.data["LTR"].tolist()
    [9, <NA>]
    >>> t.quality.to_frame()[["column", "rule", "action", "rows"]]
      column                             rule          action  rows
    0    LTR            declared missing code  set to missing     1
    1    LTR  not a whole number from 0 to 10        excluded     1
    """
    if isinstance(schema, str):
        if schema not in SCHEMAS:
            raise ValueError(f"unknown canonical table {schema!r}; one of {sorted(SCHEMAS)}")
        schema = SCHEMAS[schema]
    rules = schema.columns if isinstance(schema, Schema) else (schema or {})
    options = ReadOptions(encoding, sep, decimal, thousands, date_format, sheet, keep_unfinished, header_row,
                          tuple(n for n, rule in rules.items() if rule.required))
    name = name or (schema.name if isinstance(schema, Schema) else Path(str(source)).stem)
    raw = read_raw(source, name=name, query=query, table=table, options=options)
    if raw.source.delimiter == ";":  # Excel writes ";" where the decimal mark is ","
        options = dataclasses.replace(options, comma_locale=True)
    frame = raw.frame
    if rename:
        require(frame, list(rename), name)
        frame = frame.rename(columns=dict(rename))
    if schema is None:
        quality = DataQuality((), {name: len(frame)}, {name: len(frame)})
        data = frame
    else:
        data, quality = validate(frame, schema, table=name, missing_codes=missing_codes, options=options,
                                 value_labels=raw.value_labels)
    quality = DataQuality(raw.notes) + quality
    if strict:
        quality.raise_for_exclusions()
    read = None if schema is None else (schema.columns if isinstance(schema, Schema) else schema)
    labels = {c: t for c, t in raw.labels.items() if read is None or c in read}  # the columns a study read
    return Table(data, quality, raw.source, labels)


def canonical_folder(path) -> bool:
    """Is ``path`` a folder of the canonical data model (a ``customers`` and a ``responses`` table in it)?

    Such a folder is read as the bundled sample is (:func:`load`), with the sample's column
    names; any other path is a single table.
    """
    if path is None or not isinstance(path, str | Path):
        return False
    folder = Path(path)
    return folder.is_dir() and all(table_file(folder, name) for name in ("customers", "responses"))


def canonical_header(folder=None) -> list[str]:
    """The column names of every canonical table in ``folder`` (None: the bundled sample), once each, read from the
    files' headers alone: cheap enough to check named columns before a study runs."""
    folder = Path(folder) if folder is not None else SAMPLE_DIR
    names: dict[str, None] = {}
    for table in SCHEMAS:
        path = table_file(folder, table)
        names.update(dict.fromkeys((read_header(path) or []) if path is not None else []))
    return list(names)


def table_file(folder: Path, name: str) -> Path | None:
    """The file of canonical table ``name`` in ``folder`` (``responses.csv``, ``responses.parquet``, ...), or None;
    names and suffixes in any case (``Responses.CSV``).

    Two files of one table (``responses.csv`` beside ``responses.parquet``) stop the
    reading: which one is current is not for a reader to guess.
    """
    found = sorted(p for p in folder.iterdir() if p.stem.casefold() == name and p.suffix.casefold() in TABLE_SUFFIXES
                   and p.is_file())  # Customers.CSV as Windows saves it is the customers table
    if len(found) > 1:
        raise DataError(f"{name}: the folder {str(folder)!r} holds {len(found)} files of this table "
                        f"({', '.join(p.name for p in found)}); keep one, or move the others out", table=name,
                        rule="one file per table")
    return found[0] if found else None


TABLE_SUFFIXES = (".csv", ".parquet", ".tsv", ".txt", ".xlsx", ".sav", ".zsav", ".dta")


def load(folder: str | Path | None = None, *, rename: Mapping[str, Mapping[str, str]] | None = None,
         missing_codes: MissingCodes = None, strict: bool = False, **reading) -> CXData:
    """Load the canonical tables from a folder (customers, responses, tickets, competitor_nps, social).

    Each table is ``NAME.csv`` or ``NAME.parquet``; absent tables are ``None``. Responses
    and tickets whose ``customer_id`` is not in ``customers`` are excluded and counted.
    ``folder=None`` loads the bundled sample. ``rename`` maps a table name to its column
    renames (``{"responses": {"LTR": "nps"}}``); the other options (``missing_codes``,
    ``strict`` and the reading options ``encoding``, ``sep``, ``decimal``, ``thousands``,
    ``date_format``) are those of :func:`read_table`.

    >>> data = load()
    >>> len(data.customers), data.quality.n_excluded
    (5000, 0)
    """
    folder = Path(folder) if folder is not None else SAMPLE_DIR
    if not folder.is_dir():
        raise DataError(f"no such folder: {folder}", rule="folder exists")
    found = {name: table_file(folder, name) for name in SCHEMAS}
    if not any(found.values()):
        files = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
        held = f"; it holds {', '.join(files[:8])}{' …' if len(files) > 8 else ''}" if files else "; it is empty"
        raise DataError(f"{folder} holds none of the tables {sorted(SCHEMAS)} (as {', '.join(TABLE_SUFFIXES)})"
                        f"{held}: name each file after its table (customers.csv)", rule="canonical tables present")
    tables: dict[str, pd.DataFrame | None] = dict.fromkeys(SCHEMAS)
    quality, sources = DataQuality(), []
    for name, path in found.items():
        if path is None:
            continue
        try:
            t = read_table(path, SCHEMAS[name], rename=(rename or {}).get(name), missing_codes=missing_codes,
                           **reading)
        except DataError as exc:
            if exc.rule != NO_ROWS:
                raise
            # a table with a header alone (an export of a quarter without tickets): the table is absent, noted
            note = QualityIssue(name, None, f"{path.name} holds a header and no rows: the {name} table is absent",
                                NOTE, 0)
            quality = quality + DataQuality((note,), {}, {})
            continue
        tables[name], quality, sources = t.data, quality + t.quality, [*sources, t.source]
    if tables["customers"] is not None:
        known = set(tables["customers"]["customer_id"])
        for name in ("responses", "tickets"):
            frame = tables[name]
            if frame is None or "customer_id" not in frame.columns:
                continue
            orphan = (frame["customer_id"].notna() & ~frame["customer_id"].isin(known)).to_numpy()
            if orphan.any():
                issue = _issue(name, "customer_id", "customer_id not in customers", EXCLUDED, orphan,
                               frame["customer_id"])
                quality = quality + DataQuality((issue,), {}, {name: quality.rows_kept[name] - int(orphan.sum())})
                tables[name] = frame.loc[~orphan]
    if strict:
        quality.raise_for_exclusions()
    return CXData(**tables, quality=quality, sources=tuple(sources))


def flat_table(source, *, scores: Mapping[str, tuple[int, int]] | None = None, numbers: Sequence[str] = (),
               amounts: Sequence[str] = (), categories: Sequence[str] = (), dates: Sequence[str] = (),
               weights: str | None = None, missing_codes: MissingCodes = None, name: str = "table",
               id_col: str | None = None, labelled: Sequence[str] = (), blank_ok: Sequence[str] = (),
               **reading) -> Table:
    """Read a flat export (one row per answer) whose columns a study names by parameters.

    Each named column is required and checked by its role: ``scores`` (column -> (low,
    high), whole numbers; answer labels read as numbers), ``numbers`` (any number;
    answer labels read in the ``labelled`` ones) and ``weights`` (> 0): a blank
    in any of these leaves its row out, counted, unless the column is in ``blank_ok`` (a
    study that counts its own unanswered questions keeps the blank). ``amounts`` (>= 0) and ``dates`` (the day
    of each answer, on or before today) may be blank: they serve optional views (revenue, trends), which use the
    rows that have them; an unreadable, negative or future value is set to missing, counted, so that its answer
    leaves those views only. A blank in a
    ``categories`` column is the level "(missing)", counted in a note. With ``id_col``, an
    exact repeated row is kept once and rows that share an id but differ are left out, all
    counted. Other columns pass through unchecked. ``reading`` options are those of
    :func:`read_table`.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "export.csv"
    >>> _ = path.write_text("LTR,Tier\\n9,Gold\\n12,Gold\\n,Gold\\n10 - Extremely likely,\\n")
    >>> t = flat_table(path, scores={"LTR": (0, 10)}, categories=["Tier"])
    >>> t.data.to_dict("list")
    {'LTR': [9, 10], 'Tier': ['Gold', '(missing)']}
    >>> t.quality.to_frame()[["rule", "action", "rows"]]
                                                    rule    action  rows
    0  answer labels read as their numbers (e.g. '10 ...      note     1
    1                    not a whole number from 0 to 10  excluded     1
    2                                      missing value  excluded     1
    3        blank values shown as the level '(missing)'      note     1
    """
    rules: dict[str, c.Column] = {id_col: c.identifier(unique=True, required=True)} if id_col else {}
    for column, (low, high) in (scores or {}).items():
        rules[column] = c.score(low, high, required=True, nullable=column in blank_ok)
    rules.update({column: c.number(required=True, nullable=column in blank_ok, answer_labels=column in labelled)
                  for column in numbers})
    rules.update({column: c.amount(required=True, optional_view=True) for column in amounts})
    rules.update({column: c.category(required=True, missing_level=MISSING_LEVEL) for column in categories})
    rules.update({column: c.date(required=True, optional_view=True, past=True) for column in dates})
    if weights:
        rules[weights] = c.weight(required=True, nullable=False)
    return read_table(source, rules, name=name, missing_codes=missing_codes, **reading)
