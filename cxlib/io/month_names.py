"""Dates written with the month's name, in the languages reports speak: English, Turkish and Serbian.

"15 Ocak 2025", "15. januar 2025.", "5 Şub 2025", "January 15, 2025", "15-Jan-2025",
"15. јануар 2025." read as dates; the day comes before or after the month's name, the year
last (four digits, or two after a day and the name: "29-Mar-25", whose order the name
fixes). Serbian writes the month in the genitive ("15. januara 2025."), read as well. The names, full and abbreviated, come from the Unicode CLDR through
Babel (``babel.dates.get_month_names``) for ``en``, ``tr``, ``sr_Latn`` and ``sr`` (CLDR's
plain ``sr`` is Cyrillic), in any case. ``strftime``'s ``%B`` reads English names only, so
this is the way to Turkish and Serbian ones; a name that two languages give to different
months would be left out (none do).

>>> named_dates(pd.Series(["15 Ocak 2025", "3. mart 2024.", "January 5, 2025", "7-Şub-2025", "Smarch 1, 2025"])
...             ).dt.strftime("%Y-%m-%d").tolist()
['2025-01-15', '2024-03-03', '2025-01-05', '2025-02-07', nan]
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from babel.dates import get_day_names, get_month_names

from .nps_groups import normal_word

__all__ = ["LOCALES", "full_year", "named_dates", "without_weekday"]

LOCALES = ("en", "tr", "sr_Latn", "sr")
YEAR_WORD = r"(?:\s*(?:године|godine|год\.|god\.|г\.|g\.|yılı))?"  # "15. јануар 2025. године", "2025 yılı"
DAY_FIRST = r"^(?P<day>\d{1,2})\.?[ -]+(?P<name>[^\W\d_]+)\.?,?[ -]+(?P<year>\d{4}|\d{2})\.?" + YEAR_WORD + "$"
CYRILLIC = "абвгдђежзијклљмнњопрстћуфхцчџш"
NAME_FIRST = r"^(?P<name>[^\W\d_]+)\.?[ -]+(?P<day>\d{1,2})\.?,?[ -]+(?P<year>\d{4})\.?" + YEAR_WORD + "$"


@cache
def months() -> dict[str, int]:
    """Every month name and abbreviation of :data:`LOCALES` (compared by :func:`normal_word`) -> its number."""
    found: dict[str, set[int]] = {}
    for locale in LOCALES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale).items():
                    found.setdefault(normal_word(name).rstrip("."), set()).add(number)
                    if locale.startswith("sr") and width == "wide":
                        found.setdefault(serbian_genitive(normal_word(name)), set()).add(number)
    return {name: numbers.pop() for name, numbers in found.items() if len(numbers) == 1}


@cache
def weekdays() -> frozenset[str]:
    """Every weekday name and abbreviation of :data:`LOCALES`, compared by :func:`normal_word`."""
    return frozenset(normal_word(name).rstrip(".") for locale in LOCALES for width in ("wide", "abbreviated")
                     for context in ("format", "stand-alone")
                     for name in get_day_names(width, context, locale).values())


WEEKDAY_FIRST = r"^(?P<weekday>[^\W\d_]+)\.?,?\s+(?P<rest>.*\d.*)$"  # "Monday, March 3, 2025", "Pzt 03.03.2025"
WEEKDAY_LAST = r"^(?P<rest>.*\d.*?)[\s,]+\(?(?P<weekday>[^\W\d_]+)\.?\)?$"  # "03.03.2025 (Mon)", "3 Mar 2025 Mon"


def without_weekday(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """``text`` with a weekday's name before or after the date left out ("Monday, March 3, 2025" -> "March 3,
    2025"), and where one was: the date says which day it is, the name adds nothing to read.

    >>> without_weekday(pd.Series(["Pazartesi, 3 Mart 2025", "03.03.2025 (Mon)", "May 5, 2025"]))[0].tolist()
    ['3 Mart 2025', '03.03.2025', 'May 5, 2025']
    """
    out, found = text.copy(), np.zeros(len(text), dtype=bool)
    for pattern in (WEEKDAY_FIRST, WEEKDAY_LAST):
        parts = out.str.extract(pattern)
        named = parts["weekday"].map(lambda w: isinstance(w, str) and normal_word(w) in weekdays()).to_numpy(bool)
        out = out.where(~named, parts["rest"])
        found |= named
    return out, found


def full_year(year: pd.Series) -> pd.Series:
    """Years written with two digits in their century: 00-69 are 2000-2069, 70-99 are 1970-1999 (as strptime's %y);
    years of four digits as they are."""
    return year.where(year >= 100, year + np.where(year < 70, 2000, 1900))


def serbian_genitive(name: str) -> str:
    """"januar" -> "januara", "septembar" -> "septembra" (the a of -bar drops), in either script."""
    for nominative, genitive in (("bar", "bra"), ("бар", "бра")):
        if name.endswith(nominative):
            return name.removesuffix(nominative) + genitive
    return name + ("а" if name[-1] in CYRILLIC else "a")


def named_dates(text: pd.Series) -> pd.Series:
    """Dates from text written with month names (NaT where a value is not such a date)."""
    parts = text.str.extract(DAY_FIRST).fillna(text.str.extract(NAME_FIRST))
    month = parts["name"].map(lambda name: months().get(normal_word(name)) if isinstance(name, str) else None)
    frame = pd.DataFrame({"year": full_year(pd.to_numeric(parts["year"])), "month": pd.to_numeric(month),
                          "day": pd.to_numeric(parts["day"])}, index=text.index)
    known = frame.notna().all(axis=1)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if known.any():
        out[known] = pd.to_datetime(frame[known].astype(int), errors="coerce")
    return out
