"""Ids as customers are told apart: invisible characters left out, ids Excel wrote in scientific notation and
ids that differ only in case noted, and amounts of nines (999999) as placeholders.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .header_row import INVISIBLE

__all__ = ["NINES", "PLACEHOLDER_RATIO", "lossy_ids", "nines_placeholder", "read_ids"]


def read_ids(values: pd.Series, notes: dict) -> pd.Series:
    """Ids as customers are told apart: invisible characters (a zero-width space pasted along) left out; ids Excel
    wrote in scientific notation, and ids that differ only in case, noted in ``notes``."""
    invisible = values.str.contains(INVISIBLE, na=False).to_numpy(dtype=bool)
    if invisible.any():
        values = values.str.replace(INVISIBLE, "", regex=True)
        notes["invisible characters (zero-width spaces) left out of ids"] = invisible
    scientific = lossy_ids(values)
    if scientific.any():  # Excel showed a long number id so, and saved what it showed
        notes[f"ids in Excel's scientific notation (e.g. {values[scientific].iloc[0]}): their last digits are lost, "
              "so they are not used to find repeated rows; save the id column as text"] = scientific
    folded = values.str.casefold()
    if folded.nunique() < values.nunique():  # cheap test first: the grouping below is slow on a long column
        # "c900" and "C900": one customer typed twice, or two (Salesforce ids tell case apart)
        twins = (values.groupby(folded).transform("nunique") > 1).to_numpy(dtype=bool)
        shown = ", ".join(f"{a}/{b}" for a, b in values[twins].groupby(folded[twins]).agg(
            lambda v: tuple(dict.fromkeys(v))[:2]).head(3))
        notes[f"ids that differ only in case, kept as different customers ({shown})"] = twins
    return values


def lossy_ids(values: pd.Series) -> np.ndarray:
    """True where an id is a number Excel wrote in scientific notation (``1.23457E+11``): its last digits are lost,
    so it cannot tell two customers apart."""
    return values.astype("string").str.fullmatch(r"\d(\.\d+)?E\+\d+", case=False).fillna(False).to_numpy(dtype=bool)


def nines_placeholder(values: np.ndarray) -> np.ndarray:
    """True where an amount is a placeholder: all nines (99,999 to 999,999,999,999,999) and at least
    :data:`PLACEHOLDER_RATIO` times the median of the column's other amounts, as systems write "unknown"
    (9999999). A real amount of 99,999 among others of that size stays.

    >>> nines_placeholder(np.array([120.0, 80.0, 9999999.0, 99999.0, np.nan])).tolist()
    [False, False, True, True, False]
    """
    nines = np.isin(values, NINES)
    if not nines.any() or nines.all():
        return np.zeros(values.shape, dtype=bool)
    typical = np.nanmedian(np.where(nines, np.nan, values))
    return nines & (values >= PLACEHOLDER_RATIO * typical) if np.isfinite(typical) else np.zeros(values.shape, bool)


NINES = [10.0 ** digits - 1 for digits in range(5, 16)]  # 99,999 ... 999,999,999,999,999: "unknown" in many systems


PLACEHOLDER_RATIO = 100  # an all-nines amount this many times the column's median is a placeholder
