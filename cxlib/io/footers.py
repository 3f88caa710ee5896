"""Rows a reporting tool writes below the data: a total ("Total", "Grand total", "Toplam", "Ukupno") or a
summary statistic ("Average", "Median", "Max", "Count", "Ortalama", "Prosek").

A BI or spreadsheet export often ends in footer rows that sum or average the rows above
them; read as data, each is one more answer (the median score, the maximum) and one more
segment. A row among the last :data:`TOTAL_ROWS` whose text cell says total (in the
reports' languages, German and the words Excel's pivot tables write in other languages, any
case, with a colon or not) is such a footer, and so is each row of the block that ends the
table, or begins it as BI tools can put a grand total first (at most :data:`FOOTER_ROWS`
rows), whose text cell names a total or a statistic; so is, in any row, a subtotal of a
grouped export:
"Subtotal", or a total word beside another value of the same column ("North Total" below
the rows of "North").

>>> frame = pd.DataFrame({"LTR": [9, 3, 6], "Seg": ["A", "B", "Grand Total:"]})
>>> total_rows(frame).tolist()
[False, False, True]
>>> total_rows(pd.DataFrame({"Id": ["R1", "R2", "Average", "Median", "Max"], "LTR": [9, 3, 6.4, 6, 9]})).tolist()
[False, False, True, True, True]
>>> total_rows(pd.DataFrame({"Region": ["North", "North Total", "South", "South Total", "Total"]})).tolist()
[False, True, False, True, True]
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .header_row import INVISIBLE, normal_name
from .nps_groups import normal_word

__all__ = ["FOOTER_RULE", "HEADER_RULE", "TOTAL_WORDS", "header_rows", "total_rows"]

TOTAL_WORDS = frozenset({"total", "totals", "grand total", "sum", "overall total", "toplam", "genel toplam",
                         "ukupno", "svega", "укупно", "свега", "gesamt", "gesamtsumme", "summe", "insgesamt",
                         "gesamtergebnis", "total général", "total general", "totale", "totale complessivo",
                         "total geral", "eindtotaal", "totaal", "suma", "suma końcowa", "razem", "итого", "всего",
                         "ergebnis"})
# (Excel's pivot tables write "Gesamtergebnis", "Total général", "Totale complessivo", "Total general", "Eindtotaal";
# German Excel's subtotals are "Nord Ergebnis")
STATISTIC_WORDS = frozenset({
    "average", "avg", "avg.", "mean", "median", "min", "minimum", "max", "maximum", "count", "std dev",
    "std. dev.", "stdev", "standard deviation", "variance", "mode", "range",
    "ortalama", "medyan", "ortanca", "en düşük", "en yüksek", "maksimum", "sayı", "adet", "standart sapma",
    "prosek", "prosjek", "srednja vrednost", "medijana", "najmanje", "najviše", "broj", "standardna devijacija",
    "просек", "медијана", "минимум", "максимум", "број",
    "durchschnitt", "mittelwert", "anzahl", "standardabweichung"})  # a statistic's name: in a footer block only
SUBTOTAL_WORDS = frozenset({"subtotal", "sub-total", "sub total", "ara toplam", "zwischensumme", "međuzbir"})
GRAND_STATISTICS = frozenset(f"grand {w}" for w in ("max", "min", "average", "mean", "median", "count", "sum"))
FOOTER_WORDS = TOTAL_WORDS | STATISTIC_WORDS | GRAND_STATISTICS
# "North Max": Excel's Subtotal with Max (or Average, Count) names each group's row so
_TOTALS = "|".join(re.escape(w) for w in sorted({*TOTAL_WORDS, *SUBTOTAL_WORDS, *STATISTIC_WORDS}, key=len,
                                                  reverse=True))
SUBTOTAL = rf"^(?:(?P<before>.+?)\s+(?:{_TOTALS})|(?:{_TOTALS})\s+(?P<after>.+))$"  # "north total", "total north"
TOTAL_STEM = ("total|sum|toplam|ukupno|svega|укупно|свега|gesamt|insgesamt|zwischen|međuzbir|ergebnis|razem|totaal|"
              "итого|всего|max|min|average|avg|mean|median|count")  # in any total or summary word
GROUPS = 1_000  # a column of at most this many distinct values (or a twentieth of its rows) holds groups
TOTAL_ROWS = 3  # a total is among the last rows of the table
FOOTER_ROWS = 12  # a block of totals and statistics ends the table, in at most so many rows
FOOTER_RULE = "a total, subtotal or summary row (a report's summary), not an answer"
HEADER_RULE = "the header again (exports joined one below the other), not an answer"


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
        if text.dtype == object:  # a workbook's column of numbers and words: ids 1 to 120, then "Total"
            text = text.astype("string")
        distinct = pc.unique(pa.array(text, type=pa.string(), from_pandas=True)).drop_null()
        out |= _footer_block(text)
        grouped = len(distinct) <= max(GROUPS, len(frame) // 20)
        values = (distinct.filter(pc.match_substring_regex(distinct, TOTAL_STEM, ignore_case=True)).to_pylist()
                  if grouped else [v for v in text.iloc[-TOTAL_ROWS:] if isinstance(v, str)])
        if not values:
            continue
        words = {v: normal_word(v).rstrip(":").strip() for v in values}
        footer = {v for v, w in words.items() if w in TOTAL_WORDS or w in GRAND_STATISTICS}
        subtotal = set()
        if grouped:
            present = {normal_word(v) for v in distinct.to_pylist()}
            for value, word in words.items():
                named = re.fullmatch(SUBTOTAL, word)
                if word in SUBTOTAL_WORDS or (named and (named["before"] or named["after"]) in present):
                    subtotal.add(value)
        last = np.zeros(len(frame), dtype=bool)
        last[-TOTAL_ROWS:] = True
        out |= (text.isin(footer).to_numpy(dtype=bool) & last) | text.isin(subtotal).to_numpy(dtype=bool)
    return out


def _footer_block(text: pd.Series) -> np.ndarray:
    """True for the rows that end ``text``, or begin it, (at most :data:`FOOTER_ROWS` each) and each name a total or
    a statistic."""
    out = np.zeros(len(text), dtype=bool)
    for rows in (range(len(text) - 1, max(len(text) - 1 - FOOTER_ROWS, -1), -1), range(min(FOOTER_ROWS, len(text)))):
        for row in rows:
            value = text.iloc[row]
            if not isinstance(value, str) or normal_word(value).rstrip(":").strip() not in FOOTER_WORDS:
                break
            out[row] = True
    return out



def header_rows(frame: pd.DataFrame) -> np.ndarray:
    """True for rows that repeat the header: at least two cells, and every cell written, equal to their column's
    name (in any case), as when two exports are joined one below the other. The rows are first looked for in one
    column of words, so a long table costs one comparison.

    >>> header_rows(pd.DataFrame({"Id": ["R1", "Id", "R2"], "LTR": ["9", "ltr", "7"]})).tolist()
    [False, True, False]
    """
    words = [name for name in frame.columns if frame[name].dtype.kind not in "biufcmM"]
    if len(words) < 2:
        return np.zeros(len(frame), dtype=bool)
    first = frame[words[0]].astype("string").str.replace(INVISIBLE, "", regex=True)  # a byte order mark of a join
    candidates = np.flatnonzero((first.str.strip().str.casefold() == INVISIBLE.sub("", str(words[0])).strip()
                                 .casefold()).fillna(False).to_numpy(dtype=bool))
    out = np.zeros(len(frame), dtype=bool)
    for row in candidates:
        cells = {name: value for name, value in frame.iloc[row].items() if pd.notna(value) and str(value).strip()}
        out[row] = len(cells) >= 2 and all(normal_name(v) == normal_name(n) for n, v in cells.items())
    return out
