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

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .nps_groups import normal_word

__all__ = ["FOOTER_RULE", "TOTAL_WORDS", "total_rows"]

TOTAL_WORDS = frozenset({"total", "totals", "grand total", "sum", "overall total", "toplam", "genel toplam",
                         "ukupno", "svega", "укупно", "свега", "gesamt", "gesamtsumme", "summe", "insgesamt"})
SUBTOTAL_WORDS = frozenset({"subtotal", "sub-total", "sub total", "ara toplam", "zwischensumme", "međuzbir"})
_TOTALS = "|".join(sorted({*TOTAL_WORDS, *SUBTOTAL_WORDS}, key=len, reverse=True))
SUBTOTAL = rf"^(?:(?P<before>.+?)\s+(?:{_TOTALS})|(?:{_TOTALS})\s+(?P<after>.+))$"  # "north total", "total north"
TOTAL_STEM = "total|sum|toplam|ukupno|svega|укупно|свега|gesamt|insgesamt|zwischen|međuzbir"  # in any total word
GROUPS = 1_000  # a column of at most this many distinct values (or a twentieth of its rows) holds groups
FOOTER_ROWS = 3  # a footer is among the last rows of the table
FOOTER_RULE = "a total or subtotal row (a report's summary), not an answer"


def total_rows(frame: pd.DataFrame) -> np.ndarray:
    """True for the total rows of ``frame`` (see the module docstring): a total word among the last rows, and
    anywhere a subtotal ("Subtotal", or "North Total" where "North" is a value of the same column).

    Subtotals are looked for in columns of a few distinct values (segments, as grouped exports write them), among
    those values alone; a column of many (comments, ids) is looked at in its last rows only.
    """
    out = np.zeros(len(frame), dtype=bool)
    for column in frame.columns:
        text = frame[column]
        if text.dtype.kind in "biufcmM":  # numbers and dates say no word
            continue
        try:
            distinct = pc.unique(pa.array(text, type=pa.string(), from_pandas=True)).drop_null()
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # a workbook's column of numbers and words: no total row
            continue
        grouped = len(distinct) <= max(GROUPS, len(frame) // 20)
        values = (distinct.filter(pc.match_substring_regex(distinct, TOTAL_STEM, ignore_case=True)).to_pylist()
                  if grouped else [v for v in text.iloc[-FOOTER_ROWS:] if isinstance(v, str)])
        if not values:
            continue
        words = {v: normal_word(v).rstrip(":").strip() for v in values}
        footer = {v for v, w in words.items() if w in TOTAL_WORDS}
        subtotal = set()
        if grouped:
            present = {normal_word(v) for v in distinct.to_pylist()}
            for value, word in words.items():
                named = re.fullmatch(SUBTOTAL, word)
                if word in SUBTOTAL_WORDS or (named and (named["before"] or named["after"]) in present):
                    subtotal.add(value)
        last = np.zeros(len(frame), dtype=bool)
        last[-FOOTER_ROWS:] = True
        out |= (text.isin(footer).to_numpy(dtype=bool) & last) | text.isin(subtotal).to_numpy(dtype=bool)
    return out
