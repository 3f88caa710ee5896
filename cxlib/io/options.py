"""How to read a file: the reading options every study declares (all detected when not given)."""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = ["ReadOptions"]


@dataclass(frozen=True)
class ReadOptions:
    """Reading options; ``None`` means "detect".

    encoding
        A Python codec name (``"cp1254"``, ``"utf-16"``); detected from the bytes otherwise
        (:func:`cxlib.io.encodings.detect_encoding`).
    sep
        The field separator; sniffed from the header otherwise.
    decimal, thousands
        The decimal mark and the thousands separator of numbers written as text; detected
        per column otherwise (:mod:`cxlib.io.numbers`).
    date_format
        A ``strftime`` format such as ``"%d.%m.%Y"``; ISO dates, and day-first or
        month-first dates that are unambiguous across a column, are read otherwise
        (:mod:`cxlib.io.dates`).
    sheet
        The Excel sheet: its name or its position (1 is the first sheet, the default).
    keep_unfinished
        Keep a survey export's unfinished responses (Qualtrics ``Finished`` false), which are
        left out and counted otherwise (:mod:`cxlib.io.survey_status`).
    header_row
        The row of a CSV file or sheet that holds the column names (1 is the first); the first
        row that holds the ``columns`` otherwise (:mod:`cxlib.io.header_row`).
    """

    encoding: str | None = None
    sep: str | None = None
    decimal: str | None = None
    thousands: str | None = None
    date_format: str | None = None
    sheet: str | int | None = None
    keep_unfinished: bool = False
    header_row: int | None = None
    columns: tuple[str, ...] = ()  # set by the reader: the columns a study names, which the header holds
    comma_locale: bool = False  # set by the reader: the file is ";"-separated, as Excel writes where "," is decimal

    @classmethod
    def from_params(cls, params: dict) -> ReadOptions:
        """The options among a study's checked parameters; a ``sep`` of ``\\t`` (as a tab is typed) is a tab."""
        options = {f.name: params.get(f.name) for f in fields(cls) if f.name in params}
        if options.get("sep") == "\\t":
            options["sep"] = "\t"
        return cls(**options)
