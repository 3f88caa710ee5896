"""Why customers leave: cancellation comments (or a reason column) tagged by the theme taxonomy and ranked with
Wilson intervals; reasons written as a few codes are told from free text.
"""

from __future__ import annotations

import pandas as pd

from ..core.estimate import MIN_N
from ..core.inference import wilson_interval
from .themes import UNTAGGED, Taxonomy, load_taxonomy, tag_themes, theme_table

__all__ = ["CODE_WORDS", "REASON_CODES", "cancellation_reasons", "reason_codes"]


def cancellation_reasons(comments: pd.Series, taxonomy: str | Taxonomy = "en", ci: float = 0.95,
                         coded: bool | None = None) -> pd.DataFrame:
    """Why customers leave: themes of cancellation comments ranked by share, with Wilson intervals.

    Themes no comment mentions are left out; comments that match no theme are the last
    row (``untagged``). Shares may add to more than 100: a comment can give several reasons.
    Reasons given as codes that the taxonomy mostly cannot read (:func:`reason_codes`:
    "Cena", "Konkurencija" for an English taxonomy) are their own rows, in the same columns,
    each code its own theme. ``coded``: whether they are, where the caller knows (None: found here).
    """
    if reason_codes(comments, taxonomy) if coded is None else coded:
        said = comments.dropna().astype(str).str.strip()
        counts = said[said != ""].value_counts()
        n = float(counts.sum())
        low, high = wilson_interval(counts.to_numpy(float) / n, n, ci)
        return pd.DataFrame({"theme": counts.index, "label": counts.index, "comments": int(n),
                             "count": counts.to_numpy(), "share": 100 * counts.to_numpy() / n, "ci_low": 100 * low,
                             "ci_high": 100 * high, "small_n": n < MIN_N})
    table = theme_table(comments.rename("comment").to_frame(), "comment", taxonomy=load_taxonomy(taxonomy), ci=ci)
    return table[(table["count"] > 0) | (table["theme"] == UNTAGGED)].reset_index(drop=True)


REASON_CODES = 20  # at most this many distinct reasons of a few words, each given several times, are codes
CODE_WORDS = 4


def reason_codes(reasons: pd.Series, taxonomy: str | Taxonomy = "en") -> bool:
    """Are ``reasons`` codes (a choice list: "Cena", "Preselili smo se") that ``taxonomy`` mostly cannot read? At
    most :data:`REASON_CODES` distinct values of at most :data:`CODE_WORDS` words, given five times each on average,
    of which the taxonomy tags fewer than half of the answers (a list it reads keeps its themes)."""
    said = reasons.dropna().astype(str).str.strip()
    said = said[said != ""]
    distinct = said.unique()
    if not (1 < len(distinct) <= REASON_CODES and len(said) >= 5 * len(distinct)
            and max(len(v.split()) for v in distinct) <= CODE_WORDS):
        return False
    untagged = tag_themes(said.rename("comment").to_frame(), "comment", load_taxonomy(taxonomy))[UNTAGGED]
    return bool(untagged.fillna(True).astype(bool).mean() > 0.5)
