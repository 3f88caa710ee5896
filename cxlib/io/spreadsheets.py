"""Files survey teams have besides text: Excel workbooks, SPSS and Stata data files.

* Excel (``.xlsx``, ``.xlsm``): one sheet (``sheet``: its name, or its position with 1 for
  the first, the default), the first row that holds the named columns as the header
  (:mod:`cxlib.io.header_row`: a title above it is left out, noted); cells keep their types
  (numbers, dates, text).
* SPSS (``.sav``, ``.zsav``) and Stata (``.dta``), read with pyreadstat: values keep their
  codes (a 0-10 score stays a number), each column's value labels come along so that
  segment columns can show the labels (1 -> "North"), variable labels become column labels,
  and SPSS user-missing values (a code such as 99 declared missing in the file) become
  missing and are counted.

A workbook that cannot be opened (cut off, damaged XML) stops the run with a DataError, and
so does one whose sheets expand to more than :data:`MAX_SHEET_BYTES` of XML (a
decompression bomb, or more rows than Excel holds): those are read as CSV.
"""

from __future__ import annotations

import contextlib
import zipfile
from pathlib import Path
from xml.etree.ElementTree import ParseError

import numpy as np
import pandas as pd

from ..core.lazy import lazy_module
from ..formatting.quoting import shown
from .delimited import Header, other_answers, survey_header, survey_note, unnamed_columns
from .header_row import SCAN_ROWS, check_unique_names, header_index, header_note
from .quality import NOTE, SET_MISSING, DataError, QualityIssue

openpyxl = lazy_module("openpyxl")

__all__ = ["NoSuchSheet", "read_excel", "read_stata_or_spss", "sheet_header", "workbook_header"]


# the cells pandas reads as missing, but Excel's error values (#N/A): those are told apart by the column rules
BLANKS = {"keep_default_na": False, "na_values": ["", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
                                                  "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]}
MAX_SHEET_BYTES = 256 * 1024**2  # of XML: a sheet of Excel's 1,048,576 rows and a few columns, about 100 MB
DAMAGED = (zipfile.BadZipFile, ParseError, KeyError, EOFError, OSError, ValueError, TypeError)  # what openpyxl raises


class NoSuchSheet(DataError):
    """The ``sheet`` option names a sheet the workbook does not have (a parameter problem, found before a run)."""


def _sheet_name(sheets: list[str], sheet, path: Path, name: str) -> str:
    """The sheet that ``sheet`` names: as written, by position (1 for the first), or as column names are matched."""
    # imported here: tables reads workbooks through this module
    from .tables import closest_column, has_column

    if sheet is None:
        return sheets[0]
    if str(sheet) in sheets:
        return str(sheet)
    if str(sheet).strip().isdigit() and 1 <= int(sheet) <= len(sheets):  # a position, 1 for the first
        return sheets[int(sheet) - 1]
    if has_column(str(sheet), sheets):  # the one sheet that differs only in case, Unicode form, spaces or dashes
        return closest_column(str(sheet), sheets, cutoff=1.0)
    close = closest_column(str(sheet), sheets, cutoff=0.6)
    raise NoSuchSheet(f"{name}: {path.name} has no sheet {shown(sheet)}"
                      + (f" (closest: {shown(close)})" if close else "")
                      + f"; its sheets: {', '.join(shown(s) for s in sheets)} (sheet takes a name, or a position "
                      "with 1 for the first)", table=name, rule="sheet exists")


@contextlib.contextmanager
def open_workbook(path: Path, name: str = "table", data_only: bool = True):
    """The workbook at ``path`` (openpyxl, read only), checked and closed after use; a DataError when it is damaged or
    expands beyond :data:`MAX_SHEET_BYTES`."""
    try:
        with zipfile.ZipFile(path) as archive:
            expanded = sum(i.file_size for i in archive.infolist()
                           if i.filename.startswith(("xl/worksheets/", "xl/sharedStrings")))
        if expanded > MAX_SHEET_BYTES:
            size, limit = path.stat().st_size / 1024**2, MAX_SHEET_BYTES // 1024**2
            raise DataError(f"{name}: {path.name} expands to {expanded / 1024**2:,.0f} MB of sheet data ({size:,.1f} MB "
                            f"on disk), more than the {limit} MB read from a workbook: save the sheet as CSV and read "
                            "that (with backend duckdb if it is large)", table=name, rule=f"sheets of at most {limit} MB")
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except DataError:
        raise
    except DAMAGED as exc:
        raise _damaged(path, name, exc) from None
    try:
        yield workbook
    except DataError:
        raise
    except DAMAGED as exc:  # a sheet's XML is read lazily, row by row
        raise _damaged(path, name, exc) from None
    finally:
        workbook.close()


def _damaged(path: Path, name: str, exc: Exception) -> DataError:
    return DataError(f"{name}: {path.name} is not a readable Excel workbook ({type(exc).__name__}: {shown(str(exc))}): "
                     "is it cut off or damaged? Open it in Excel and save it again, or export the sheet as CSV",
                     table=name, rule="valid .xlsx")


def sheets_holding(path: Path, columns: tuple[str, ...]) -> list[str]:
    """The sheets of a workbook with a row (among the first :data:`SCAN_ROWS`) that holds every one of ``columns``,
    as column names are matched: where the data are when the first sheet is a cover or a note."""
    from .tables import has_column  # imported here: tables reads workbooks through this module

    with open_workbook(path) as workbook:
        return [sheet for sheet in workbook.sheetnames
                if any(all(has_column(c, [str(v) for v in row if v is not None]) for c in columns)
                       for row in workbook[sheet].iter_rows(max_row=SCAN_ROWS, values_only=True))]


def workbook_header(path: Path, sheet, name: str = "table", header_row: int | None = None,
                    columns: tuple[str, ...] = ()) -> tuple[str, list[str | None]]:
    """The chosen sheet's name and its header (:func:`sheet_header`)."""
    return sheet_header(path, sheet, name, header_row, columns)[:2]


def sheet_header(path: Path, sheet, name: str = "table", header_row: int | None = None,
                 columns: tuple[str, ...] = ()) -> tuple[str, list[str | None], int, Header]:
    """The chosen sheet's name, its header as written (names as text, None for empty cells), the header's index
    (0 for the first row): ``header_row``, or the first row that holds the named ``columns``
    (:mod:`cxlib.io.header_row`), and the survey tool's header it starts, if any
    (:func:`~cxlib.io.delimited.survey_header`: a SurveyMonkey export's second header row names the answers of
    a question whose cell above is merged), whose names then are the header's.

    Read alone, without the rows below: cheap enough to check named columns before a study runs.
    """
    with open_workbook(path, name) as workbook:
        chosen = _sheet_name(workbook.sheetnames, sheet, path, name)
        rows = list(workbook[chosen].iter_rows(max_row=max(SCAN_ROWS, header_row or 0), values_only=True))
        index = header_index(rows, columns, header_row)
        if index >= max(len(rows), 1):
            raise DataError(f"{name}: header_row is {header_row}, but sheet {chosen!r} of {path.name} has only "
                            f"{len(rows)} rows", table=name, rule="header_row within the sheet")
        header = rows[index] if rows else ()
        survey = survey_header([["" if v is None else str(v) for v in row] for row in rows[index:index + 3]])
        if survey.tool:
            return chosen, list(survey.names), index, survey
        return chosen, [None if v is None else str(v) for v in header], index, survey


def read_excel(path: Path, name: str, sheet, header_row: int | None = None,
               columns: tuple[str, ...] = ()) -> tuple[pd.DataFrame, str, list[QualityIssue], dict[str, str]]:
    """The sheet's rows (typed as the cells are) below its header (:func:`sheet_header`), the sheet's name, the
    notes (rows above the header left out, a survey tool's header rows read as labels) and the column labels."""
    chosen, names, index, survey = sheet_header(path, sheet, name, header_row, columns)  # checks the workbook first
    try:
        if survey.tool:  # the names come from the tool's header rows; its data start below them
            frame = pd.read_excel(path, sheet_name=chosen, header=None, skiprows=index + 1 + survey.skip,
                                  engine="openpyxl", **BLANKS)
            frame.columns = [*names, *(f"Unnamed: {i}" for i in range(len(names), frame.shape[1]))][:frame.shape[1]]
        else:
            frame = pd.read_excel(path, sheet_name=chosen, header=index, engine="openpyxl", **BLANKS)
    except DataError:
        raise
    except DAMAGED as exc:
        raise _damaged(path, name, exc) from None
    frame = _error_values(path, chosen, index + 1 + survey.skip, frame)
    unnamed = [i for i, c in enumerate(frame.columns) if str(c).startswith("Unnamed: ") or not str(c).strip()]
    notes = unnamed_columns(frame, unnamed, name)
    frame = frame.drop(columns=frame.columns[unnamed])
    frame.columns = [str(c) for c in frame.columns]
    check_unique_names(names, name, f"sheet {chosen!r} of {path.name}")
    _check_formula_results(path, chosen, index + survey.skip, frame, name)
    notes += [QualityIssue(name, None, note, NOTE, 0) for note in [header_note(index, header_row)] if note]
    if survey.tool:
        notes += [survey_note(survey, name), *other_answers(frame, survey, name)]
    return frame, chosen, notes, survey.labels


def _error_values(path: Path, sheet: str, first: int, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with Excel's error values (#DIV/0!, #N/A) written back where pandas reads them as blank, so that
    they are counted as errors, not as answers left blank. ``first`` is the sheet row (0 for the first) of the
    frame's first row. Only a workbook whose sheets hold an error cell (``t="e"`` in their XML) is read twice."""
    with zipfile.ZipFile(path) as archive:
        if not any(b't="e"' in archive.read(i) for i in archive.infolist() if i.filename.startswith("xl/worksheets/")):
            return frame
    found = {}
    with open_workbook(path) as workbook:
        for r, row in enumerate(workbook[sheet].iter_rows(min_row=first + 1, max_row=first + len(frame))):
            for c, cell in enumerate(row[:frame.shape[1]]):
                if getattr(cell, "data_type", None) == "e" and cell.value is not None:
                    found[(r, c)] = str(cell.value)
    if not found:
        return frame
    frame = frame.astype({frame.columns[c]: object for _, c in found})
    for (r, c), value in found.items():
        frame.iat[r, c] = value
    return frame


def _check_formula_results(path: Path, sheet: str, header: int, frame: pd.DataFrame, name: str) -> None:
    """Refuse a column whose cells are formulas without saved results: a program that writes workbooks (not
    Excel) leaves them so, and they would read as blank though Excel shows values."""
    empty = [i for i, c in enumerate(frame.columns) if len(frame) and frame[c].isna().all()]
    if not empty:
        return
    with open_workbook(path, name, data_only=False) as workbook:
        row = next(workbook[sheet].iter_rows(min_row=header + 2, max_row=header + 2, values_only=True), ())
    formulas = [frame.columns[i] for i in empty if i < len(row) and str(row[i] or "").startswith("=")]
    if formulas:
        raise DataError(f"{name}: column {formulas[0]!r} of sheet {sheet!r} in {path.name} holds formulas whose "
                        "results were never saved (a program, not Excel, wrote the workbook), so it reads as blank: "
                        "open the workbook in Excel and save it, or export the values as CSV", table=name,
                        column=formulas[0], rule="formula results saved")


def _user_missing(frame: pd.DataFrame, meta, name: str) -> list[QualityIssue]:
    """SPSS user-missing values (discrete codes and ranges declared in the file) set to missing, counted."""
    issues = []
    for column in frame.columns:
        values = frame[column]
        mask = np.zeros(len(frame), dtype=bool)
        for code in (meta.missing_user_values or {}).get(column, []):
            mask |= (values == code).to_numpy(dtype=bool)
        for bounds in (meta.missing_ranges or {}).get(column, []):
            low, high = bounds["lo"], bounds["hi"]
            if pd.api.types.is_numeric_dtype(values.dtype):
                mask |= ((values >= low) & (values <= high)).to_numpy(dtype=bool)
            else:
                mask |= (values == low).to_numpy(dtype=bool)
        if mask.any():
            shown = tuple(str(v) for v in values[mask].unique()[:5])
            rows = tuple(int(i) + 1 for i in np.flatnonzero(mask)[:5])
            issues.append(QualityIssue(name, column, "user-missing value declared in the file", SET_MISSING,
                                       int(mask.sum()), rows, shown))
            frame[column] = values.mask(mask)
    return issues


def read_stata_or_spss(path: Path, name: str, kind: str
                       ) -> tuple[pd.DataFrame, dict[str, str], dict[str, dict], list[QualityIssue]]:
    """The rows of a ``.sav``/``.zsav`` (kind "spss") or ``.dta`` (kind "stata") file, with its labels."""
    import pyreadstat

    reader = pyreadstat.read_sav if kind == "spss" else pyreadstat.read_dta
    try:
        frame, meta = reader(str(path), user_missing=kind == "spss")
    except Exception as exc:  # pyreadstat raises its own ReadstatError and others
        raise DataError(f"{name}: {path.name} is not a readable {kind.upper()} file: {exc}", table=name,
                        rule=f"valid {kind.upper()} file") from None
    issues = _user_missing(frame, meta, name) if kind == "spss" else []
    labels = {c: t for c, t in (meta.column_names_to_labels or {}).items() if t}
    value_labels = {c: dict(v) for c, v in (meta.variable_value_labels or {}).items() if v}
    return frame, labels, value_labels, issues
