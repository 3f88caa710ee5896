"""Rows a reporting tool writes below the data: a total ("Total", "Grand total", "Toplam", "Ukupno").

A BI or spreadsheet export often ends in a footer row that sums or averages the rows above
it; read as data, it is one more answer (with the mean score) and one more segment named
"Total". A row among the last :data:`FOOTER_ROWS` whose text cell says total (in the
reports' languages and German, any case, with a colon or not) is such a footer.

>>> frame = pd.DataFrame({"LTR": [9, 3, 6], "Seg": ["A", "B", "Grand Total:"]})
>>> total_rows(frame).tolist()
[False, False, True]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .nps_groups import normal_word

__all__ = ["FOOTER_RULE", "TOTAL_WORDS", "total_rows"]

TOTAL_WORDS = frozenset({"total", "totals", "grand total", "sum", "overall total", "toplam", "genel toplam",
                         "ukupno", "svega", "укупно", "свега", "gesamt", "gesamtsumme", "summe", "insgesamt"})
FOOTER_ROWS = 3  # a footer is among the last rows of the table
FOOTER_RULE = "a total row below the data (a report's footer), not an answer"


def total_rows(frame: pd.DataFrame) -> np.ndarray:
    """True for the footer rows of ``frame`` (see the module docstring)."""
    out = np.zeros(len(frame), dtype=bool)
    last = frame.iloc[-FOOTER_ROWS:]
    for column in last.columns:
        text = last[column]
        if text.dtype.kind in "biufcmM":  # numbers and dates say no word
            continue
        said = text.map(lambda v: isinstance(v, str) and normal_word(v).rstrip(":").strip() in TOTAL_WORDS)
        out[len(frame) - len(last):] |= said.to_numpy(dtype=bool)
    return out
