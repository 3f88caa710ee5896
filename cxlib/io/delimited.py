"""Delimited text (CSV, TSV) as survey tools and Excel write it.

* the encoding is detected (:mod:`cxlib.io.encodings`) unless given;
* any line ending: LF, CRLF, and CR alone (Excel for the Mac);
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
import csv
import io
import re
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa

from .encodings import EncodingError, detect_encoding
from .quality import NOTE, DataError, QualityIssue

__all__ = ["DELIMITERS", "Decoded", "decode", "header_names", "read_delimited", "sniff_delimiter"]

DELIMITERS = (",", ";", "\t", "|")
SEP_LINE = re.compile(r'^"?sep=(.)"?[ \t]*\r?\n')
QUALTRICS_LEGACY = {"StartDate": "Start Date", "EndDate": "End Date", "ResponseId": "Response ID",
                    "ResponseID": "ResponseID"}
SURVEYMONKEY_ANSWERS = {"response", "open-ended response", ""}


@dataclass(frozen=True)
class Decoded:
    """A text file's content and how it was read."""

    text: str
    encoding: str
    notes: tuple[str, ...] = ()
    utf8: bytes | None = field(default=None, repr=False)  # the file's own bytes when they are UTF-8 already
    sep: str | None = None  # the separator a "sep=;" first line names


@dataclass(frozen=True)
class Header:
    """Column names, data rows to skip after the header, column labels and what was recognised."""

    names: list[str]
    skip: int = 0
    labels: dict[str, str] = field(default_factory=dict)
    tool: str | None = None


def decode(data: bytes, filename: str, name: str, encoding: str | None) -> Decoded:
    """The text of ``data`` in ``encoding`` (detected when None), with line endings made LF where CR is alone."""
    notes = []
    if encoding is None and not data.startswith(codecs.BOM_UTF8) and b"\x00" not in data[:4096]:
        try:  # UTF-8, the common case: decoded once
            return _lines(data.decode("utf-8"), "utf-8", notes, data)
        except UnicodeDecodeError:
            pass
    if encoding is None:
        try:
            found = detect_encoding(data)
        except EncodingError as exc:
            options = " or ".join(f"encoding={c!r}" for c in exc.candidates) or "encoding='...'"
            raise DataError(f"{name}: {filename}: {exc}. Pass {options}.", table=name,
                            rule="text in a known encoding") from None
        codec = found.codec
        if found.codec not in ("utf-8", "utf-8-sig"):
            notes.append(f"text read as {found.name} ({found.codec}), {found.how}; pass encoding to choose another")
    else:
        codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise DataError(f"{name}: {filename} is not valid {encoding or codec}: byte {data[exc.start:exc.end]!r} on "
                        f"line {line}. Leave encoding unset to detect it, or pass the file's encoding "
                        "(cp1252 Western, cp1254 Turkish, cp1250 Central European).", table=name,
                        rule=f"text encoded as {encoding or codec}", rows=(line - 1,)) from None
    except LookupError:
        raise DataError(f"{name}: unknown encoding {encoding!r}", table=name, rule="known encoding") from None
    return _lines(text, codec, notes, data)


def _lines(text: str, codec: str, notes: list, data: bytes) -> Decoded:
    """Decoded text with any line ends made LF, and Excel's "sep=" line taken as the separator."""
    text = text.lstrip("\ufeff")
    utf8 = data.removeprefix(codecs.BOM_UTF8) if codec in ("utf-8", "utf-8-sig") else None
    bare_cr = text.count("\r") - text.count("\r\n")
    if bare_cr > text.count("\n") - text.count("\r\n"):  # CR ends the lines; an LF may sit inside a cell
        text, utf8 = text.replace("\r\n", "\n").replace("\r", "\n"), None
        notes.append("lines end in CR alone (Excel for the Mac): read as lines")
    hint = SEP_LINE.match(text)
    if hint:  # Excel's "sep=;" first line names the separator
        text, utf8 = text[hint.end():], None
        notes.append(f"the first line {hint.group(0).strip()!r} names the separator")
    return Decoded(text, codec, tuple(notes), utf8, hint.group(1) if hint else None)


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


def _first_records(text: str, delimiter: str, n: int = 3) -> list[list[str]]:
    records = []
    for record in csv.reader(io.StringIO(text[:1 << 20]), delimiter=delimiter):
        records.append(record)
        if len(records) == n:
            break
    return records


def _survey_header(records: list[list[str]]) -> Header:
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


def _labels(names: list[str], texts: list[str]) -> dict[str, str]:
    return {n: t for n, t in zip(names, texts, strict=False) if t and t != n}


def _surveymonkey(first: list[str], second: list[str]) -> Header:
    names, labels, question = [], {}, ""
    for top, sub in zip(first, [*second, *[""] * (len(first) - len(second))], strict=True):
        question = top or question
        if sub.strip().lower() in SURVEYMONKEY_ANSWERS:
            names.append(question)
        else:
            names.append(f"{question} - {sub}")
            labels[names[-1]] = f"{question}: {sub}"
    return Header(names, 1, labels, "SurveyMonkey")


def first_record(text: str) -> str:
    """The header's text: the first line, or more where a quoted name holds a line break."""
    end = text.find("\n")
    while end != -1 and text[:end].count('"') % 2:
        end = text.find("\n", end + 1)
    return (text if end == -1 else text[:end]).rstrip("\r")


def header_names(text: str, sep: str | None = None, preferred: str | None = None) -> Header:
    """The header of decoded text: column names after survey-tool headers are recognised."""
    delimiter = sep or sniff_delimiter(first_record(text), preferred)
    records = _first_records(text, delimiter)
    if not records:
        return Header([])
    return _survey_header(records)


def _first_ragged_line(content: str, delimiter: str) -> str | None:
    """Where a line's field count first differs from the header's (for the error message)."""
    rows = csv.reader(io.StringIO(content), delimiter=delimiter)
    width = len(next(rows))
    for row in rows:
        if row and len(row) != width:
            return f"line {rows.line_num} has {len(row)} fields, the header has {width}"
    return None


def read_delimited(decoded: Decoded, filename: str, name: str, sep: str | None
                   ) -> tuple[pd.DataFrame, str, Header, list[QualityIssue]]:
    """The table of decoded delimited text (every value as text), its delimiter, header and notes.

    A ``.tsv`` or ``.tab`` file is tab-separated when its header has a tab. Trailing header
    cells left empty (Excel writes "a;b;;") are dropped when their columns hold nothing.
    """
    text = decoded.text
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
    repeated = sorted({n for n in header.names if header.names.count(n) > 1 and n.strip()})
    if repeated:
        raise DataError(f"{name}: {filename} has duplicate column names: {repeated}", table=name,
                        rule="unique column names")
    try:  # Arrow's reader: about four times faster than pandas' own, same values
        frame = pd.read_csv(io.BytesIO(decoded.utf8 or text.encode("utf-8")), sep=delimiter, dtype=str,
                            keep_default_na=False, na_values=[""], engine="pyarrow")
    except (pa.ArrowInvalid, ValueError) as exc:
        raise DataError(f"{name}: {filename} cannot be parsed as {delimiter!r}-delimited text: "
                        f"{_first_ragged_line(text, delimiter) or exc}", table=name,
                        rule="same number of fields on every line") from None
    if header.skip:
        frame = frame.iloc[header.skip:].reset_index(drop=True)
    frame.columns = header.names
    unnamed = [i for i, n in enumerate(header.names) if not n.strip()]
    if unnamed:
        if frame.iloc[:, unnamed].notna().any().any():
            raise DataError(f"{name}: {filename} has values under a header cell left empty (column "
                            f"{unnamed[0] + 1}); name every column", table=name, rule="a name for every column")
        frame = frame.drop(columns=frame.columns[unnamed])
    notes = [QualityIssue(name, None, note, NOTE, 0) for note in decoded.notes]
    if header.tool:
        notes.append(QualityIssue(name, None, f"a {header.tool} export: {header.skip} more header "
                                  f"row{'s' if header.skip > 1 else ''} read as column labels", NOTE, 0))
    return frame, delimiter, header, notes
