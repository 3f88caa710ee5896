"""Dates written as text: ISO, and the day-first and month-first forms of spreadsheets and survey tools.

ISO 8601 dates ("2025-03-07", with or without a time) are read as they are. Other dates of
the form ``a.b.yyyy``, ``a/b/yyyy`` or ``a-b-yy`` (with an optional time of day, also "10:22
AM") are read day-first or month-first when the column tells which: a first number above
12 somewhere and no second number above 12 means day-first; the reverse means month-first.
Dots are day-first by convention (no locale writes month.day.year). Where the column does
not tell (every number 12 or less, with slashes or dashes), reading stops with examples
and the ``date_format`` to pass, rather than guess and swap days and months.

Excel's serial dates (``45292``, days since 1899-12-30) and dates written with month names
in English, Turkish or Serbian (:mod:`cxlib.io.month_names`) are read too, noted.

A two-digit year may stand first (``24-12-15``, year-month-day) or last (``15.12.24``):
such dates are read in the one order in which every date of the column is a real day (a
field above 31 or 00 is no day, above 12 no month); where more than one order fits, reading
stops with examples and the ``date_format`` of each order, whatever the separator.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .month_names import full_year, named_dates, without_weekday
from .quality import DataError

__all__ = ["ANSWERS_FROM", "EARLY_ANSWER", "FUTURE_DATE", "MAX_SPAN_YEARS", "ParsedDates", "implausible", "parse_dates", "placeholder_dates",
           "tomorrow"]

FUTURE_DATE = "a date in the future (after today), so a wrong one"

OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})$"  # the UTC offset that ends an ISO time stamp
NUMERIC_DATE = (r"^(?P<a>\d{1,2})(?P<sep>[./-]) ?(?P<b>\d{1,2})(?P=sep) ?(?P<year>\d{4}|\d{2})\.?"
                r"(?:[ T]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*(?P<ampm>[AaPp][Mm])?)?$")

FIELDS = {"day": ("year", "b", "a"), "month": ("year", "a", "b"), "year": ("a", "b", "year")}  # year, month, day
FORMATS = {"day": "%d{sep}%m{sep}{year}", "month": "%m{sep}%d{sep}{year}", "year": "{year}{sep}%m{sep}%d"}
FIRST = {"day": "day first", "month": "month first", "year": "year first"}
MAX_SPAN_YEARS = 20  # dates of one column further apart than this are flagged: a year or an order misread?


@dataclass
class ParsedDates:
    """Dates from text: values (NaT where unreadable), the rule of the unreadable ones, and notes on what was read
    (each with the rows it is about)."""

    values: pd.Series
    bad_rule: str
    notes: dict[str, np.ndarray] = field(default_factory=dict)


def _order(parts: pd.DataFrame) -> str | None:
    """ "day" or "month" first, when the numbers or the separator tell; None when they do not.

    Dates with dots are judged apart from those with slashes or dashes (a column may hold
    both, as typed by different people): dots are day first unless a second number above
    12 says otherwise.
    """
    a, b = parts["a"].astype(int), parts["b"].astype(int)
    if (a > 12).any() and not (b > 12).any():
        return "day"
    if (b > 12).any() and not (a > 12).any():
        return "month"
    if (parts["sep"] == ".").all() and not (b > 12).any():
        return "day"
    return None


def _fits(parts: pd.DataFrame, layout: str) -> pd.Series:
    """Which dates of ``parts`` are real days when read in ``layout`` (month 1-12, day 1-31)."""
    _, month, day = (parts[f].astype(int) for f in FIELDS[layout])
    return month.between(1, 12) & day.between(1, 31)


def _fitting(parts: pd.DataFrame) -> list[str]:
    """The layouts of two-digit-year dates in which every date that is a real day in some layout is one."""
    fits = {layout: _fits(parts, layout) for layout in FIELDS}
    dated = pd.concat(fits.values(), axis=1).any(axis=1)  # a date no layout reads is left to the "not a date" rule
    return [layout for layout, fit in fits.items() if fit[dated].all()]


def _layout(parts: pd.DataFrame) -> str | None:
    """The order of one kind of date (one separator; four- or two-digit years) as "day", "month" (day or month
    first, the year last) or "year" (year, month, day); None when the data do not prove it.

    A four-digit year is last, and day and month as :func:`_order` tells them. A two-digit
    year could be any field: the order is the one in which every date is a real day (a
    field above 31 or 00 is no day, above 12 no month), and never assumed where more than
    one order fits.
    """
    if parts["year"].str.len().iloc[0] == 4:
        return _order(parts)
    fitting = _fitting(parts)
    return fitting[0] if len(fitting) == 1 else None


def _layouts(parts: pd.DataFrame) -> dict[tuple[str, bool], str | None]:
    """The layout of each kind of date: by separator, and by the year's digits."""
    return {(sep, bool(two)): _layout(group)
            for (sep, two), group in parts.groupby([parts["sep"], parts["year"].str.len() == 2])}


def _unclear(text: pd.Series, rows: pd.DataFrame, column: str) -> DataError:
    """The error for dates whose order the data do not prove: examples and the formats that would read them."""
    sep, short = rows["sep"].iloc[0], rows["year"].str.len().iloc[0] == 2
    examples = ", ".join(repr(v) for v in text[rows.index].unique()[:3])
    year = "%y" if short else "%Y"
    orders = _fitting(rows) if short else ("day", "month")
    formats = " or ".join(f"date_format='{FORMATS[o].format(sep=sep, year=year)}' ({FIRST[o]})" for o in orders)
    what = f"could be read {' or '.join(FIRST[o] for o in orders)}" if short else \
        "could be day-first or month-first"
    return DataError(f"column {column!r} has dates that {what} (e.g. {examples}): pass {formats}", column=column,
                     rule="dates in one order")


def _assemble(parts: pd.DataFrame, order: str) -> pd.Series:
    """Dates from their fields in ``order`` (a layout of :func:`_layout`)."""
    year, month, day = (parts[f] for f in FIELDS[order])
    parts = parts.assign(**{k: pd.to_numeric(parts[k]).fillna(0).astype(int) for k in ("hour", "minute", "second")})
    year = full_year(year.astype(int))
    hour = parts["hour"]
    pm = parts["ampm"].fillna("").str.lower()
    hour = hour.where(pm == "", hour % 12 + np.where(pm == "pm", 12, 0))
    return pd.to_datetime(pd.DataFrame({"year": year, "month": month.astype(int), "day": day.astype(int),
                                        "hour": hour, "minute": parts["minute"],
                                        "second": parts["second"]}), errors="coerce")


def _iso(text: pd.Series, local: bool) -> pd.Series:
    """ISO 8601 dates and times. With an offset ("+02:00", "Z"): ``local`` keeps the time as written (the day
    the customer saw), otherwise the moment in UTC; offsets may differ within a column (summer time)."""
    try:
        values = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=not local)
        mixed = False
    except ValueError:  # offsets that differ within the column (summer time)
        mixed = True
    if local and (mixed or getattr(values.dt, "tz", None) is not None):  # the time as written, offsets dropped
        values = pd.to_datetime(text.str.replace(OFFSET, "", regex=True), format="ISO8601", errors="coerce")
    elif mixed:
        return pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    return values.dt.tz_localize(None) if getattr(values.dt, "tz", None) is not None else values


def parse_dates(text: pd.Series, date_format: str | None = None, column: str = "",
                local: bool = True) -> ParsedDates:
    """Dates from stripped text (missing stays missing), as the module's docstring says.

    >>> parse_dates(pd.Series(["31.12.2025", "01.02.2026"])).values.dt.strftime("%Y-%m-%d").tolist()
    ['2025-12-31', '2026-02-01']
    >>> parse_dates(pd.Series(["12/31/2025 10:22 PM", "1/2/2026"])).values.astype(str).tolist()
    ['2025-12-31 22:22:00', '2026-01-02 00:00:00']
    """
    text, marked = _meridiem(text)
    if date_format is not None:
        values = pd.to_datetime(text, format=date_format, errors="coerce")
        return ParsedDates(values, f"not a date ({date_format})")
    notes: dict[str, np.ndarray] = {}
    if marked.any():
        notes["times marked as in Spanish or Turkish (p. m., ÖS) read as AM/PM"] = marked
    values = _iso(text, local)
    failed = (values.isna() & text.notna()).to_numpy(dtype=bool)
    if failed.any():  # "Monday, March 3, 2025": read without the weekday's name
        bare, named = without_weekday(text[failed])
        if named.any():
            text, rows = text.copy(), np.zeros(len(text), dtype=bool)
            text[failed], rows[np.flatnonzero(failed)[named]] = bare, True
            notes["weekday names left out (the date says the day)"] = rows
            values = _iso(text, local)
    for what, reader in (("Excel serial dates", _serials), ("month names", named_dates),
                         ("year-first dates (any time zone name left out)", _year_first)):
        failed = (values.isna() & text.notna()).to_numpy(dtype=bool)
        if failed.any():
            values = _fill(values, reader(text[failed]), text, f"{what} read", notes)
    failed = (values.isna() & text.notna()).to_numpy(dtype=bool)
    parts = text[failed].str.extract(NUMERIC_DATE).dropna(subset=["a"])
    if parts.empty:
        unix = text[failed].str.fullmatch(r"1\d{9}(\d{3})?").all() if failed.any() else False
        return ParsedDates(values, "not a date: numbers like Unix time (seconds or milliseconds since 1970); write "
                                   "dates (YYYY-MM-DD)" if unix else "not a date (YYYY-MM-DD)", notes)
    short = parts["year"].str.len() == 2
    layouts = _layouts(parts)
    for (sep, two), layout in layouts.items():
        if layout is None:
            raise _unclear(text, parts[(parts["sep"] == sep) & (short == two)], column)
    values = values.copy()
    for (sep, two), layout in layouts.items():
        rows = parts[(parts["sep"] == sep) & (short == two)]
        values[rows.index] = _assemble(rows, layout)
    read_rows = parts.index[values[parts.index].notna().to_numpy(dtype=bool)]
    example = read_rows[0] if len(read_rows) else parts.index[0]
    sep, layout = parts.loc[example, "sep"], layouts[(parts.loc[example, "sep"], bool(short[example]))]
    year = "YY" if short[example] else "YYYY"
    fields = {"day": ["DD", "MM", year], "month": ["MM", "DD", year], "year": [year, "MM", "DD"]}[layout]
    rule = f"not a date ({sep.join(fields)} or YYYY-MM-DD)"
    read = " and ".join(f"{FIRST[o].replace(' ', '-')}" for o in dict.fromkeys(layouts.values()))
    notes.update(_note(values[parts.index].dropna(), text, f"{read} dates read"))
    return ParsedDates(values, rule, notes)


# the morning and afternoon marks of other locales after a time: Spanish and Latin-American Google Sheets and Excel
# write "7:05:00 p. m." ("a. m.", "p.m."); Turkish ones "ÖÖ" (öğleden önce) and "ÖS" (öğleden sonra)
MERIDIEM = ((r"(?i)(?<=\d)\s*a\.\s?m\.?(?=\s|$)", " AM"), (r"(?i)(?<=\d)\s*p\.\s?m\.?(?=\s|$)", " PM"),
            (r"(?<=\d)\s*ÖÖ(?=\s|$)", " AM"), (r"(?<=\d)\s*ÖS(?=\s|$)", " PM"))


def _meridiem(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """``text`` with the marks of :data:`MERIDIEM` written AM and PM, and the rows that had one.

    >>> _meridiem(pd.Series(["29/6/2025 7:05:00 p. m.", "1/7/2025 9:00 a.m.", "3.7.2025 14:00", "4.7.2025 2:00 ÖS"]))[0].tolist()
    ['29/6/2025 7:05:00 PM', '1/7/2025 9:00 AM', '3.7.2025 14:00', '4.7.2025 2:00 PM']
    """
    out = text
    for pattern, mark in MERIDIEM:
        out = out.str.replace(pattern, mark, regex=True)
    marked = ((out != text) & text.notna()).fillna(False).to_numpy(dtype=bool)  # NaN != NaN: blanks are no mark
    return (out, marked) if marked.any() else (text, marked)


# "2025/03/01 2:05:07 PM EET", as Google Forms writes its timestamps: year first, so the order is known; a time
# zone's name (EET, GMT+3) left out, the time kept as written (the day the customer saw)
YEAR_FIRST = (r"^(?P<a>\d{4})(?P<sep>[/.])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{1,2})\.?"
              r"(?:[ T]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*(?P<ampm>[AaPp][Mm])?)?"
              r"(?:\s+[A-Z]{2,5}(?:[+-]\d{1,2}(?::?\d{2})?)?)?$")


def _year_first(text: pd.Series) -> pd.Series:
    """Dates written year first with slashes or dots (:data:`YEAR_FIRST`); NaT for any other text."""
    parts = text.str.extract(YEAR_FIRST)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    known = parts["a"].notna()
    if known.any():
        out[known] = _assemble(parts[known], "year")
    return out


def _serials(text: pd.Series) -> pd.Series:
    """Excel's serial dates: days since 1899-12-30 (Excel counts 1900 as a leap year, so its day 60 is no date and
    later days are one ahead of the calendar's count from 1900-01-01), as a workbook shows a date cell not formatted
    as a date, or a CSV saved from it writes it; five digits (1927 to 2173), a fraction the time of day."""
    days = pd.to_numeric(text.where(text.str.fullmatch(r"[1-9]\d{4}(?:\.\d+)?")), errors="coerce")
    return (pd.Timestamp("1899-12-30") + pd.to_timedelta(days, unit="D")).dt.round("s")  # a day's fraction: its time


def _fill(values: pd.Series, read: pd.Series, text: pd.Series, what: str, notes: dict) -> pd.Series:
    """``values`` with the dates ``read`` (of some rows) put in, and a note ``what`` with an example if any was."""
    found = read.dropna()
    if found.empty:
        return values
    values = values.copy()
    values[found.index] = found
    notes.update(_note(found, text, what))
    return values


def _note(found: pd.Series, text: pd.Series, what: str) -> dict[str, np.ndarray]:
    """The note on dates ``found`` (of some rows of ``text``): ``what``, an example, and the rows."""
    if found.empty:
        return {}
    return {f"{what} (e.g. {text[found.index[0]]!r} = {found.iloc[0]:%Y-%m-%d})": text.index.isin(found.index)}


EARLIEST, LATEST = pd.Timestamp("1900-01-01"), pd.Timestamp("2200-01-01")
BEFORE_1900 = ("a date before 1900: a placeholder for a missing date (Excel writes 1899-12-30, SQL Server "
               "1753-01-01) or a typo")
AFTER_2200 = "a date after 2200: a placeholder for no date (9999-12-31) or a typo"
ANSWERS_FROM = pd.Timestamp("1990-01-01")  # no survey answer a CX team holds is older
EARLY_ANSWER = ("an answer dated before 1990: a placeholder for a missing date (Excel writes 1899-12-30, SQL Server "
                "1753-01-01, the Unix clock starts at 1970-01-01) or a typo")


def placeholder_dates(values: pd.Series) -> dict[str, np.ndarray]:
    """Dates no customer record holds, by rule: before 1900 (what Excel and databases write for an empty date cell)
    and after 2200 (9999-12-31 for "no end"). They would make a period of their own, and most lie outside the
    dates pandas holds in nanoseconds.

    >>> rules = placeholder_dates(pd.Series(pd.to_datetime(["1899-12-30", "2024-06-01", "9999-12-31"], format="ISO8601")
    ...                                     .astype("datetime64[s]")))
    >>> {rule[:13]: mask.tolist() for rule, mask in rules.items()}
    {'a date before': [True, False, False], 'a date after ': [False, False, True]}
    """
    found = {BEFORE_1900: (values < EARLIEST).to_numpy(dtype=bool), AFTER_2200: (values >= LATEST).to_numpy(dtype=bool)}
    return {rule: mask for rule, mask in found.items() if mask.any()}


AHEAD_OF_UTC_HOURS = 14  # the time zone furthest ahead of UTC (Pacific/Kiritimati)


def tomorrow(today: pd.Timestamp | None = None) -> pd.Timestamp:
    """The first moment after ``today``: a date from then on lies in the future.

    By default ``today`` is the date in the time zone furthest ahead (UTC+14, Kiribati's Line Islands): an export's
    dates carry no time zone, so a date is in the future only when it has not begun anywhere. A run on a server in
    Honolulu on the evening of 7 December keeps the answers of 8 December that an export in UTC (or in Istanbul)
    already holds."""
    if today is None:
        today = (pd.Timestamp.now(tz="UTC") + pd.Timedelta(hours=AHEAD_OF_UTC_HOURS)).tz_localize(None)
    return today.normalize() + pd.Timedelta(days=1)


def implausible(values: pd.Series, today: pd.Timestamp | None = None) -> dict[str, np.ndarray]:
    """Dates that read but are unlikely, as notes for the data-quality record (the rows are kept): dates after
    ``today`` (a day-month swap, a two-digit year read in the wrong century), and a column whose dates span more
    than :data:`MAX_SPAN_YEARS` years (the earliest and latest dates flagged). Each note says what to check.

    >>> dates = pd.Series(pd.to_datetime(["2001-03-05", "2024-06-01", "2031-12-24"]))
    >>> list(implausible(dates, pd.Timestamp("2026-01-01")))
    ['dates in the future (e.g. 2031-12-24): check the dates, or date_format', 'dates span 2001-03-05 to 2031-12-24 (30.8 years): check the dates, or date_format']
    """
    flags = {}
    future = (values >= tomorrow(today)).to_numpy(dtype=bool)
    if future.any():
        flags[f"dates in the future (e.g. {values[future].iloc[0]:%Y-%m-%d}): check the dates, or date_format"] = \
            future
    low, high = values.min(), values.max()
    if pd.notna(low) and (years := (high - low).days / 365.25) > MAX_SPAN_YEARS:
        flags[f"dates span {low:%Y-%m-%d} to {high:%Y-%m-%d} ({years:.1f} years): check the dates, or "
              "date_format"] = ((values == low) | (values == high)).to_numpy(dtype=bool)
    return flags
