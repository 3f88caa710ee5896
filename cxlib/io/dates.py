"""Dates written as text: ISO, and the day-first and month-first forms of spreadsheets and survey tools.

ISO 8601 dates ("2025-03-07", with or without a time) are read as they are. Other dates of
the form ``a.b.yyyy``, ``a/b/yyyy`` or ``a-b-yy`` (with an optional time of day, also "10:22
AM") are read day-first or month-first when the column tells which: a first number above
12 somewhere and no second number above 12 means day-first; the reverse means month-first.
Dots are day-first by convention (no locale writes month.day.year). Where the column does
not tell (every number 12 or less, with slashes or dashes), reading stops with examples
and the ``date_format`` to pass, rather than guess and swap days and months.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .quality import DataError

__all__ = ["ParsedDates", "parse_dates"]

OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})$"  # the UTC offset that ends an ISO time stamp
NUMERIC_DATE = (r"^(?P<a>\d{1,2})(?P<sep>[./-]) ?(?P<b>\d{1,2})(?P=sep) ?(?P<year>\d{4}|\d{2})\.?"
                r"(?:[ T]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*(?P<ampm>[AaPp][Mm])?)?$")


@dataclass
class ParsedDates:
    """Dates from text: values (NaT where unreadable), the rule of the unreadable ones, and a note on what was read."""

    values: pd.Series
    bad_rule: str
    note: str | None = None
    noted: np.ndarray | None = None  # the rows the note is about


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


def _orders(parts: pd.DataFrame) -> dict[str, str | None]:
    """The order of each separator's dates."""
    return {sep: _order(group) for sep, group in parts.groupby("sep")}


def _assemble(parts: pd.DataFrame, order: str) -> pd.Series:
    day, month = (parts["a"], parts["b"]) if order == "day" else (parts["b"], parts["a"])
    parts = parts.assign(**{k: pd.to_numeric(parts[k]).fillna(0).astype(int) for k in ("hour", "minute", "second")})
    year = parts["year"].astype(int)
    year = year.where(year >= 100, year + np.where(year < 70, 2000, 1900))
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
    if date_format is not None:
        values = pd.to_datetime(text, format=date_format, errors="coerce")
        return ParsedDates(values, f"not a date ({date_format})")
    values = _iso(text, local)
    failed = (values.isna() & text.notna()).to_numpy(dtype=bool)
    if not failed.any():
        return ParsedDates(values, "not a date (YYYY-MM-DD)")
    parts = text[failed].str.extract(NUMERIC_DATE).dropna(subset=["a"])
    if parts.empty:
        return ParsedDates(values, "not a date (YYYY-MM-DD)")
    orders = _orders(parts)
    unclear = [sep for sep, order in orders.items() if order is None]
    if unclear:
        sep = unclear[0]
        rows = parts[parts["sep"] == sep]
        examples = ", ".join(repr(v) for v in text[rows.index].unique()[:3])
        year = "%Y" if len(rows["year"].iloc[0]) == 4 else "%y"
        raise DataError(f"column {column!r} has dates that could be day-first or month-first (e.g. "
                        f"{examples}): pass date_format='%d{sep}%m{sep}{year}' (day first) or "
                        f"date_format='%m{sep}%d{sep}{year}' (month first)", column=column,
                        rule="dates in one order")
    values = values.copy()
    for sep, order in orders.items():
        rows = parts[parts["sep"] == sep]
        values[rows.index] = _assemble(rows, order)
    example = parts.index[0]
    order, sep = orders[parts.loc[example, "sep"]], parts.loc[example, "sep"]
    rule = f"not a date ({sep.join(['DD', 'MM'] if order == 'day' else ['MM', 'DD'])}{sep}YYYY or YYYY-MM-DD)"
    noted = text.index.isin(parts.index) & values.notna().to_numpy(dtype=bool)
    read = " and ".join(f"{o}-first" for o in dict.fromkeys(orders.values()))
    return ParsedDates(values, rule, f"{read} dates read (e.g. {text[example]!r} = {values[example]:%Y-%m-%d})",
                       noted)
