"""Delimited text (CSV, TSV) as survey tools and Excel write it.

* the encoding is detected (:mod:`cxlib.io.encodings`) unless given;
* any line ending: LF, CRLF, and CR alone (Excel for the Mac); a CR alone inside a file whose
  lines end otherwise is a cell's text (pandas' ``to_csv`` writes ``a\rb`` without quotes)
  and stays in that cell;
* cells up to :data:`CELL_LIMIT` characters (Python's csv module stops at 128 KiB); a
  longer one is an error naming its line;
* the separator is sniffed from the header: the one of ``, ; TAB |`` that splits it into
  the most fields;
* survey-tool headers: a Qualtrics export has two more header rows (the question text, then
  ``{"ImportId": ...}``; older exports have the question text only), which are skipped, the
  question text kept as the column's label; a SurveyMonkey export has a two-row header (the
  question, then "Response", "Open-Ended Response" or the option of a multiple-choice
  question), which becomes one name per column (``question - option`` for options).

Values stay text, so that validation sees what was written and can quote it.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import dataclasses
import io
import re
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa

from ..formatting.narrative import plural
from .encodings import EncodingError, detect_encoding
from .header_row import SCAN_ROWS, check_unique_names, header_index, header_note
from .quality import NOTE, DataError, QualityIssue

__all__ = ["DELIMITERS", "Decoded", "Header", "decode", "from_header", "header_names", "other_answers", "read_delimited",
           "sniff_delimiter", "survey_header", "survey_note"]

DELIMITERS = (",", ";", "\t", "|")
SEP_LINE = re.compile(r'^"?sep=(.)"?[ \t]*\r?\n')
QUALTRICS_LEGACY = {"StartDate": "Start Date", "EndDate": "End Date", "ResponseId": "Response ID",
                    "ResponseID": "ResponseID"}
SURVEYMONKEY_ANSWERS = {"response", "open-ended response", ""}
CELL_LIMIT = 1 << 26  # characters in one cell (64 Mi): bounds what one field may hold, far above any real comment
BARE_CR = re.compile(r"\r(?!\n)")
CR_IN_CELL = "\ue0cd"  # a private-use character that stands for a CR inside a cell while the text is parsed


@dataclass(frozen=True)
class Decoded:
    """A text file's content and how it was read."""

    text: str
    encoding: str
    notes: tuple[str, ...] = ()
    utf8: bytes | None = field(default=None, repr=False)  # the file's own bytes when they are UTF-8 already
    sep: str | None = None  # the separator a "sep=;" first line names
    cr_in_cells: bool = False  # CRs inside cells stand as CR_IN_CELL in text


@dataclass(frozen=True)
class Header:
    """Column names, data rows to skip after the header, column labels and what was recognised."""

    names: list[str]
    skip: int = 0
    labels: dict[str, str] = field(default_factory=dict)
    tool: str | None = None
    others: dict[str, str] = field(default_factory=dict)  # a question's "Other (please specify)" column -> its answer


def decode(data: bytes, filename: str, name: str, encoding: str | None) -> Decoded:
    """The text of ``data`` in ``encoding`` (detected when None), with line endings made LF where CR is alone. A
    last byte 0x1A (Ctrl-Z, the end-of-file mark old DOS programs write) is no line of data."""
    notes = []
    if data.endswith(b"\x1a") and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        data = data.rstrip(b"\x1a")
        notes.append("the end-of-file mark Ctrl-Z (0x1A) after the last line left out")
    if encoding is None and not data.startswith(codecs.BOM_UTF8) and b"\x00" not in data[:4096]:
        try:  # UTF-8, the common case: decoded once
            return _lines(data.decode("utf-8"), "utf-8", notes, data)
        except UnicodeDecodeError:
            pass
    if encoding is None:
        try:
            found = detect_encoding(data)
        except EncodingError as exc:
            options = " or ".join(f"encoding={c!r}" for c in exc.candidates)
            fix = f" Pass {options}, or the file's own encoding (koi8_r, cp1253, ...)." if options else ""
            raise DataError(f"{name}: {filename}: {exc}.{fix}", table=name, rule="text in a known encoding") from None
        codec = found.codec
        if found.codec not in ("utf-8", "utf-8-sig"):
            notes.append(f"text read as {found.name} ({found.codec}), {found.how}; pass encoding to choose another")
    else:
        codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        # the utf-8-sig decoder counts from after the byte order mark
        start = exc.start + (len(codecs.BOM_UTF8) if codec == "utf-8-sig" and data.startswith(codecs.BOM_UTF8) else 0)
        line = data[:start].count(b"\n") + 1
        said = encoding or found.name
        if encoding is None and exc.reason == "truncated data":  # a UTF-16 or UTF-32 file cut inside a character
            raise DataError(f"{name}: {filename} is {said} (its byte order mark says so) but ends inside a character: "
                            "the file was cut short (an interrupted copy or download?); export it again",
                            table=name, rule=f"whole {said} text") from None
        fix = ("leave encoding unset to detect it, or pass the file's encoding (cp1252 Western, cp1254 Turkish, "
               "cp1250 Central European)" if encoding is not None else
               f"the file starts with a {said} byte order mark but mixes encodings: save the whole file in one "
               "encoding (UTF-8)" if found.how == "byte order mark" else
               "the file mixes encodings: save the whole file in one encoding (UTF-8)")
        raise DataError(f"{name}: {filename} is not valid {said}: byte {data[start:start + 1]!r} on "
                        f"line {line}; {fix}.", table=name,
                        rule=f"text encoded as {encoding or codec}", rows=(line - 1,)) from None
    except LookupError:
        raise DataError(f"{name}: unknown encoding {encoding!r}", table=name, rule="known encoding") from None
    return _lines(text, codec, notes, data)


def _lines(text: str, codec: str, notes: list, data: bytes) -> Decoded:
    """Decoded text with any line ends made LF, and Excel's "sep=" line taken as the separator."""
    text = text.lstrip("\ufeff")
    utf8 = data.removeprefix(codecs.BOM_UTF8) if codec in ("utf-8", "utf-8-sig") else None
    bare_cr = text.count("\r") - text.count("\r\n")
    cr_in_cells = False
    if bare_cr > text.count("\n") - text.count("\r\n"):  # CR ends the lines; an LF may sit inside a cell
        text, utf8 = text.replace("\r\n", "\n").replace("\r", "\n"), None
        notes.append("lines end in CR alone (Excel for the Mac): read as lines")
    elif bare_cr and CR_IN_CELL not in text:  # a CR alone inside a cell, quoted or not: the cell's text
        text, utf8, cr_in_cells = BARE_CR.sub(CR_IN_CELL, text), None, True
    hint = SEP_LINE.match(text)
    if hint:  # Excel's "sep=;" first line names the separator
        text, utf8 = text[hint.end():], None
        notes.append(f"the first line {hint.group(0).strip()!r} names the separator")
    return Decoded(text, codec, tuple(notes), utf8, hint.group(1) if hint else None, cr_in_cells)


def sniff_delimiter(header: str, preferred: str | None = None) -> str:
    """The candidate delimiter that splits the header line into the most fields (``preferred`` if it splits it)."""
    if preferred and preferred in header:
        return preferred
    counts = {}
    for d in DELIMITERS:
        try:
            counts[d] = len(next(csv.reader([header], delimiter=d)))
        except csv.Error:  # a stray line break in a quoted name
            counts[d] = header.count(d) + 1
    return max(DELIMITERS, key=lambda d: (counts[d], -DELIMITERS.index(d)))


def _records(text: str, delimiter: str):
    """The records of ``text`` as Python's csv module reads them, with cells up to :data:`CELL_LIMIT` long."""
    if csv.field_size_limit() < CELL_LIMIT:
        csv.field_size_limit(CELL_LIMIT)
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _first_records(text: str, delimiter: str, n: int = 3) -> list[list[str]]:
    """The first ``n`` records, or those before a cell past :data:`CELL_LIMIT` (the reader then says where)."""
    records, reader = [], _records(text[:1 << 24], delimiter)
    with contextlib.suppress(csv.Error):
        for record in reader:
            records.append(record)
            if len(records) == n:
                break
    return records


def unnamed_columns(frame: pd.DataFrame, positions: list[int], name: str) -> list[QualityIssue]:
    """Notes on the columns at ``positions`` (0-based) whose header cell is empty but which hold values (a column of
    remarks beside the data): no one can name them, so no study reads them; the caller leaves them out."""
    notes = []
    for i in positions:
        held = frame.iloc[:, i].dropna()
        held = held[held.astype(str).str.strip() != ""]
        if len(held):
            notes.append(QualityIssue(name, None, f"column {i + 1} has no name in the header: its values (e.g. "
                                      f"{str(held.iloc[0])!r}) are not read; name the column to use it", NOTE,
                                      len(held), tuple(int(r) + 1 for r in held.index[:5])))
    return notes


def survey_header(records: list[list[str]]) -> Header:
    """Qualtrics and SurveyMonkey headers recognised from the first three records."""
    names = records[0]
    second = records[1] if len(records) > 1 else []
    third = records[2] if len(records) > 2 else []
    import_ids = sum(cell.strip().startswith('{"ImportId"') for cell in third)
    if third and import_ids >= max(1, len(third) // 2):
        return Header(names, 2, _labels(names, second), "Qualtrics")
    legacy = [n for n, label in zip(names, second, strict=False) if QUALTRICS_LEGACY.get(n) == label]
    if len(legacy) >= 2:
        return Header(names, 1, _labels(names, second), "Qualtrics")
    if "Respondent ID" in names and second and sum(c.strip().lower() == "response" or
                                                   c.strip().lower() == "open-ended response" for c in second):
        return _surveymonkey(names, second)
    return Header(names)


def survey_note(header: Header, name: str) -> QualityIssue:
    """The data-quality note on a survey tool's header rows read as column labels."""
    return QualityIssue(name, None, f"a {header.tool} export: "
                        f"{plural(header.skip, 'more header row', 'more header rows')} read as column labels", NOTE, 0)


def _labels(names: list[str], texts: list[str]) -> dict[str, str]:
    return {n: t for n, t in zip(names, texts, strict=False) if t and t != n}


def _surveymonkey(first: list[str], second: list[str]) -> Header:
    names, labels, question, others = [], {}, "", {}
    for top, sub in zip(first, [*second, *[""] * (len(first) - len(second))], strict=True):
        question = top or question
        if sub.strip().lower() in SURVEYMONKEY_ANSWERS:
            names.append(question)
        else:
            if sub.strip().lower().startswith("other") and names and names[-1] == question:
                others[f"{question} - {sub}"] = question  # one answer, "Other", typed in beside the choices
            names.append(f"{question} - {sub}")
            labels[names[-1]] = f"{question}: {sub}"
    return Header(names, 1, labels, "SurveyMonkey", others)


OTHER_ANSWER = "Other"


def other_answers(frame: pd.DataFrame, header: Header, name: str) -> list[QualityIssue]:
    """A SurveyMonkey single-choice question answered "Other (please specify)": the question's own column is blank
    and the text stands in the column beside it. Those answers read as :data:`OTHER_ANSWER`, counted, not as
    unanswered; the text stays in its own column. Changes ``frame`` in place."""
    notes = []
    for other, question in header.others.items():
        if other not in frame.columns or question not in frame.columns:
            continue
        typed = frame[other].astype("string").str.strip()
        chose = (frame[question].isna() | (frame[question].astype("string").str.strip() == "")) & typed.notna() & (
            typed != "")
        if chose.any():
            frame[question] = frame[question].astype(object).mask(chose.to_numpy(dtype=bool), OTHER_ANSWER)
            rows = tuple(int(i) + 1 for i in frame.index[chose.to_numpy(dtype=bool)][:5])
            notes.append(QualityIssue(name, question, f"answered '{other.removeprefix(question + ' - ')}': read as "
                                      f"the answer {OTHER_ANSWER!r} (the text typed stays in {other!r})", NOTE,
                                      int(chose.sum()), rows))
    return notes


def _record_end(text: str, start: int = 0) -> int:
    """Where the record that starts at ``start`` ends: after its line break (one inside quotes does not end it)."""
    end = text.find("\n", start)
    while end != -1 and text[start:end].count('"') % 2:
        end = text.find("\n", end + 1)
    return len(text) if end == -1 else end + 1


def first_record(text: str) -> str:
    """The header's text: the first line, or more where a quoted name holds a line break."""
    return text[:_record_end(text)].removesuffix("\n").rstrip("\r")


def from_header(text: str, sep: str | None = None, header_row: int | None = None,
                columns: tuple[str, ...] = ()) -> tuple[str, int]:
    """The text from its header on, and how many rows above the header were left out: the ``header_row``, or the
    first row that holds every one of ``columns`` with ``sep`` or any separator (:mod:`cxlib.io.header_row`)."""
    starts = [0]
    while len(starts) <= max(SCAN_ROWS, header_row or 0) and starts[-1] < len(text):
        starts.append(_record_end(text, starts[-1]))
    index = header_index([], (), header_row)  # header_row - 1, or 0
    if header_row is None and columns:
        for delimiter in [sep] if sep else DELIMITERS:
            rows = [(_first_records(text[a:b], delimiter, 1) or [[]])[0] for a, b in zip(starts, starts[1:],
                                                                                           strict=False)]
            index = header_index(rows, columns)
            if index:
                break
    if index >= len(starts) - 1:
        raise DataError(f"header_row is {header_row}, but the file has only {len(starts) - 1} rows",
                        rule="header_row within the file")
    return text[starts[index]:], index


def header_names(text: str, sep: str | None = None, preferred: str | None = None) -> Header:
    """The header of decoded text: column names after survey-tool headers are recognised."""
    delimiter = sep or sniff_delimiter(first_record(text), preferred)
    records = _first_records(text, delimiter)
    if not records:
        return Header([])
    return survey_header(records)


FOOTER_LINES = 12  # a report's footer below its data is a few lines (Salesforce writes five)
FOOTER_BYTES = 1 << 14  # of text at the end, where a footer would be


def without_footer(text: str, delimiter: str) -> tuple[str, str | None]:
    """``text`` without a report's footer: after a blank line at the end, a few lines of one field each (a title,
    "Copyright (c) ... salesforce.com", "Generated By: ..."), and a note saying what was left out.

    >>> without_footer('a,b\\n1,2\\n\\n"Report, 2025"\\n"Generated By: Jane"\\n', ",")[1]
    "a report's footer below the data left out (2 lines, e.g. 'Report, 2025')"
    """
    if _one_field(first_record(text), delimiter):  # a table of one column: every line is one field
        return text, None
    end = text.rstrip("\r\n")
    lines = end[-FOOTER_BYTES:].split("\n")  # the end of the text alone: a footer is a few short lines
    tail = 0
    while tail < min(FOOTER_LINES, len(lines) - 2) and _one_field(lines[-1 - tail], delimiter):
        tail += 1
    footer = [line.strip() for line in lines[len(lines) - tail:] if line.strip()]
    if not footer or lines[len(lines) - tail].strip():  # a footer stands apart, below a blank line
        return text, None
    kept = end[:len(end) - len("\n".join(lines[len(lines) - tail:]))].rstrip("\r\n")
    shown = footer[0].strip('"')[:60]
    return kept + "\n", (f"a report's footer below the data left out ({len(footer)} "
                         f"{'line' if len(footer) == 1 else 'lines'}, e.g. {shown!r})")


def _one_field(line: str, delimiter: str) -> bool:
    """A line of at most one field (a quoted one may hold the delimiter), or a blank one."""
    return len(next(csv.reader([line.rstrip("\r")], delimiter=delimiter), [])) <= 1


TRAILING_SEPARATOR = "an empty field after the last column on every line (a separator at each line's end) left out"


def _trailing_separator(content: str, delimiter: str, width: int) -> bool:
    """Every record after the header has one field more than the header, and it is empty: the separator that some
    exporters write at the end of each line ("1,North,7,"), not a column.

    >>> _trailing_separator("a,b\\n1,2,\\n3,4,\\n", ",", 2), _trailing_separator("a,b\\n1,2,x\\n", ",", 2)
    (True, False)
    """
    rows = _records(content, delimiter)
    try:
        next(rows)
        return all(len(row) == width + 1 and not row[-1].strip() for row in rows if row)
    except (StopIteration, csv.Error):
        return False


def _first_ragged_line(content: str, delimiter: str) -> str | None:
    """Where a line's field count first differs from the header's (for the error message)."""
    rows = _records(content, delimiter)
    try:
        width = len(next(rows))
        start = rows.line_num + 1  # the line the next record starts on
        for row in rows:
            if row and len(row) != width and rows.line_num > start:  # a quoted cell ran over the line ends
                return (f"line {start} has {len(row)} fields, the header has {width}: a quote opened on line {start} "
                        f"runs to line {rows.line_num} (is it left open?)")
            if row and len(row) != width:
                return f"line {rows.line_num} has {len(row)} fields, the header has {width}"
            start = rows.line_num + 1
    except csv.Error as exc:  # a cell longer than CELL_LIMIT, or a quote left open
        if "field larger than field limit" in str(exc):
            return (f"a cell ending on line {rows.line_num} is longer than {CELL_LIMIT >> 20} Mi characters, the "
                    "limit (is a quote left open?)")
        return f"line {rows.line_num}: {exc}"
    return None


def _read_csv(data: bytes, delimiter: str) -> pd.DataFrame:
    """Every value as text, blanks missing: Arrow's reader, or pandas' own for a row longer than Arrow's block."""
    options = {"sep": delimiter, "dtype": str, "keep_default_na": False, "na_values": [""]}
    try:
        return pd.read_csv(io.BytesIO(data), engine="pyarrow", **options)
    except (pa.ArrowInvalid, ValueError) as exc:  # pandas passes Arrow's error on as a ValueError
        if "straddl" not in str(exc):  # a row that straddles Arrow's block (1 MB): a long cell
            raise
    if csv.field_size_limit() < CELL_LIMIT:
        csv.field_size_limit(CELL_LIMIT)
    return pd.read_csv(io.BytesIO(data), engine="python", **options)


def read_delimited(decoded: Decoded, filename: str, name: str, sep: str | None, header_row: int | None = None,
                   columns: tuple[str, ...] = ()) -> tuple[pd.DataFrame, str, Header, list[QualityIssue]]:
    """The table of decoded delimited text (every value as text), its delimiter, header and notes.

    A ``.tsv`` or ``.tab`` file is tab-separated when its header has a tab. Trailing header
    cells left empty (Excel writes "a;b;;") are dropped when their columns hold nothing.
    Rows above the header (:func:`from_header`: ``header_row``, or the first row that holds
    the named ``columns``) are left out, noted.
    """
    text, skipped = from_header(decoded.text, sep or decoded.sep, header_row, columns)
    if skipped:
        decoded = dataclasses.replace(decoded, utf8=None)
    first_line = first_record(text)
    preferred = "\t" if filename.lower().endswith((".tsv", ".tab")) else None
    delimiter = sep or decoded.sep or sniff_delimiter(first_line, preferred)
    if sep is not None and sep not in first_line:
        found = [d for d in DELIMITERS if d in first_line]
        if found:
            raise DataError(f"{name}: the header of {filename} has no {sep!r} but has {found[0]!r}; "
                            f"is the file {found[0]!r}-delimited? Pass sep={found[0]!r}.",
                            table=name, rule=f"fields separated by {sep!r}")
    header = header_names(text, delimiter)
    check_unique_names(header.names, name, filename)
    text, footer = without_footer(text, delimiter)
    if footer:
        decoded = dataclasses.replace(decoded, utf8=None)
    trailing = None
    try:  # Arrow's reader: about four times faster than pandas' own, same values
        frame = _read_csv(decoded.utf8 or text.encode("utf-8"), delimiter)
    except (pa.ArrowInvalid, ValueError, csv.Error) as exc:
        if not _trailing_separator(text, delimiter, len(header.names)):
            mixed = ("; the file mixes line ends (a CR alone, and LF), and a CR alone is read as part of a cell: "
                     "save it with one kind of line end" if decoded.cr_in_cells else "")
            raise DataError(f"{name}: {filename} cannot be parsed as {delimiter!r}-delimited text: "
                            f"{_first_ragged_line(text, delimiter) or exc}{mixed}", table=name,
                            rule="same number of fields on every line") from None
        end = _record_end(text)  # the header takes the empty field's place too: it is then left out
        frame = _read_csv((text[:end].rstrip("\r\n") + delimiter + text[end - 1:]).encode("utf-8"), delimiter)
        frame = frame.iloc[:, :-1]
        trailing = TRAILING_SEPARATOR
    if header.skip:
        frame = frame.iloc[header.skip:].reset_index(drop=True)
    if decoded.cr_in_cells:
        frame = frame.apply(lambda cells: cells.str.replace(CR_IN_CELL, "\r", regex=False))
        header = dataclasses.replace(header, names=[n.replace(CR_IN_CELL, "\r") for n in header.names])
    frame.columns = header.names
    unnamed = [i for i, n in enumerate(header.names) if not n.strip()]
    notes = [QualityIssue(name, None, note, NOTE, 0)
             for note in (*decoded.notes, header_note(skipped, header_row), footer, trailing) if note]
    if unnamed:
        notes += unnamed_columns(frame, unnamed, name)
        frame = frame.drop(columns=frame.columns[unnamed])
    if header.tool:
        notes += [survey_note(header, name), *other_answers(frame, header, name)]
    return frame, delimiter, header, notes
