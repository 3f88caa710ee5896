"""Amounts as exports write them: with a currency sign or code ("$3,987.82", "1.250,00 TL"), negative in
parentheses (accounting), or with Excel's apostrophe that keeps a number as text.
"""

from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["ACCOUNTING_NEGATIVE", "ANOTHER_CURRENCY", "CURRENCY", "CURRENCY_CODES", "NEGATIVE",
           "ONE_CURRENCY", "accounting_negatives", "apostrophe_marks", "without_currency"]

CURRENCY_CODES = ("USD|EUR|GBP|TRY|TL|RSD|CHF|PLN|INR|RUB|UAH|JPY|CNY|SEK|NOK|DKK|CZK|HUF|RON|BGN|BAM|MKD|AUD|CAD|"
                  "NZD|ZAR|BRL|MXN")
CURRENCY = re.compile(r"^(?P<minus>-)?\s*(?P<pre>US\$|R\$|Rs\.?|[$€£₺¥₹₽₴₩₪]|(?:" + CURRENCY_CODES + r")(?=[\s\d]))?\s*"
                      r"(?P<number>[+-]?\d[\d.,\s\u00a0\u202f'\u2019]*?)(?:\.[-\u2013])?\s*"
                      r"(?P<post>[$€£₺¥₹₽₴₩₪]|" + CURRENCY_CODES + r"|zł|din\.?|дин\.?|руб\.?|грн\.?|kr\.?|Kč|Ft|lei)?$",
                      re.IGNORECASE)
ANOTHER_CURRENCY = "another currency than the column's other amounts"
ONE_CURRENCY = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "₺": "TRY", "TL": "TRY", "¥": "JPY", "ZŁ": "PLN",
                "DIN": "RSD", "ДИН": "RSD", "₹": "INR", "RS": "INR", "₽": "RUB", "РУБ": "RUB", "₴": "UAH", "ГРН": "UAH",
                "R$": "BRL", "KČ": "CZK", "FT": "HUF", "LEI": "RON", "₩": "KRW", "₪": "ILS"}


def without_currency(text: pd.Series, problems: dict, notes: dict) -> pd.Series:
    """Amounts written with a currency sign or code ("$3,987.82", "1.250,00 TL", "€ 12") as their numbers, noted.

    The column's most common sign is its currency; an amount in another one is not added to
    them (:data:`ANOTHER_CURRENCY`), since no rate between them is known here.
    """
    signed = pc.match_substring_regex(pa.array(text, type=pa.string(), from_pandas=True), r"[^\d.,\s'’+-]"
                                      ).fill_null(False).to_numpy(zero_copy_only=False)  # Arrow: no Python per value
    if not signed.any():  # digits and marks alone (a clean column): no sign to read, and no regex per value
        return text
    parts = text[signed].str.extract(CURRENCY).reindex(text.index)
    sign = parts["pre"].fillna(parts["post"]).str.upper().str.rstrip(".").replace(ONE_CURRENCY)
    marked = sign.notna() & parts["number"].notna()
    if not marked.any():
        return text
    main = sign[marked].mode().iloc[0]
    other = (marked & (sign != main)).to_numpy(dtype=bool)
    if other.any():
        problems[ANOTHER_CURRENCY] = other
    read = marked & (sign == main)
    numbers = (parts["minus"].fillna("") + parts["number"].str.strip()).where(read)
    notes[f"currency sign read ({main}; e.g. {text[read].iloc[0]!r})"] = read.to_numpy(dtype=bool)
    return numbers.where(marked, text).where(~pd.Series(other, index=text.index))


def apostrophe_marks(text: pd.Series, notes: dict) -> pd.Series:
    """Numbers written with a leading apostrophe ("'8"), Excel's mark for a number kept as text, without it, noted.

    >>> apostrophe_marks(pd.Series(["'8", "9", "'1,5", "'n/a"]), {}).tolist()
    ['8', '9', '1,5', "'n/a"]
    """
    if not text.str.startswith("'").any():
        return text
    marked = text.str.fullmatch(r"'\s*[+-]?\d[\d.,\s]*").fillna(False).to_numpy(dtype=bool)
    if not marked.any():
        return text
    notes[f"a leading apostrophe (Excel's mark for a number kept as text) left out (e.g. {text[marked].iloc[0]!r})"] = \
        marked
    return text.where(~marked, text.str[1:].str.strip())


NEGATIVE = "a number below 0"  # an amount or a duration below 0: a refund, a credit
ACCOUNTING_NEGATIVE = re.compile(r"^\(\s*([^()]*\d[^()]*?)\s*\)$")  # "(161.41)", "($8,113.40)": a credit, a refund


def accounting_negatives(text: pd.Series, notes: dict) -> pd.Series:
    """Amounts in parentheses, as accounting exports write negative ones, with a minus sign instead, noted.

    >>> accounting_negatives(pd.Series(["(161.41)", "($8,113.40)", "12"]), {}).tolist()
    ['-161.41', '-$8,113.40', '12']
    """
    inner = text.str.extract(ACCOUNTING_NEGATIVE, expand=False) if text.str.startswith("(").any() else None
    if inner is None or inner.isna().all():
        return text
    found = inner.notna().to_numpy(dtype=bool)
    notes[f"amounts in parentheses read as negative (accounting notation, e.g. {text[found].iloc[0]!r})"] = found
    return text.where(~found, "-" + inner)
