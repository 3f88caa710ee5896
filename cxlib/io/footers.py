"""Rows a reporting tool writes below the data: a total ("Total", "Grand total", "Toplam", "Ukupno").

A BI or spreadsheet export often ends in a footer row that sums or averages the rows above
it; read as data, it is one more answer (with the mean score) and one more segment named
"Total". A row among the last :data:`FOOTER_ROWS` whose text cell says total (in the
reports' languages and German, any case, with a colon or not) is such a footer; so is, in
any row, a subtotal of a grouped export: "Subtotal", or a total word beside another value
of the same column ("North Total" below the rows of "North").

>>> frame = pd.DataFrame({"LTR": [9, 3, 6], "Seg": ["A", "B", "Grand Total:"]})
>>> total_rows(frame).tolist()
[False, False, True]
>>> total_rows(pd.DataFrame({"Region": ["North", "North Total", "South", "South Total", "Total"]})).tolist()
[False, True, False, True, True]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .nps_groups import normal_word

__all__ = ["FOOTER_RULE", "TOTAL_WORDS", "total_rows"]

TOTAL_WORDS = frozenset({"total", "totals", "grand total", "sum", "overall total", "toplam", "genel toplam",
                         "ukupno", "svega", "укупно", "свега", "gesamt", "gesamtsumme", "summe", "insgesamt"})
SUBTOTAL_WORDS = frozenset({"subtotal", "sub-total", "sub total", "ara toplam", "zwischensumme", "međuzbir"})
_TOTALS = "|".join(sorted({*TOTAL_WORDS, *SUBTOTAL_WORDS}, key=len, reverse=True))
SUBTOTAL = rf"^(?:(?P<before>.+?)\s+(?:{_TOTALS})|(?:{_TOTALS})\s+(?P<after>.+))$"  # "north total", "total north"
FOOTER_ROWS = 3  # a footer is among the last rows of the table
FOOTER_RULE = "a total or subtotal row (a report's summary), not an answer"


def total_rows(frame: pd.DataFrame) -> np.ndarray:
    """True for the total rows of ``frame`` (see the module docstring): a total word among the last rows, and
    anywhere a subtotal ("Subtotal", or "North Total" where "North" is a value of the same column)."""
    out = np.zeros(len(frame), dtype=bool)
    for column in frame.columns:
        text = frame[column]
        if text.dtype.kind in "biufcmM":  # numbers and dates say no word
            continue
        words = text.map(lambda v: normal_word(v).rstrip(":").strip() if isinstance(v, str) else None)
        footer = words.isin(TOTAL_WORDS).to_numpy(dtype=bool, copy=True)
        footer[:-FOOTER_ROWS] = False
        out |= footer | _subtotals(words)
    return out


def _subtotals(words: pd.Series) -> np.ndarray:
    """A subtotal anywhere: "subtotal" alone, or a total word after or before another value of the column."""
    present = set(words.dropna())
    parts = words.str.extract(SUBTOTAL)
    named = parts["before"].fillna(parts["after"])
    return (words.isin(SUBTOTAL_WORDS) | named.isin(present)).to_numpy(dtype=bool)
