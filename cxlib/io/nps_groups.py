"""NPS groups written as words: the one list of group names, in the languages reports speak (en, tr, sr).

Some exports give each answer's NPS group instead of its 0-10 score ("Promoter",
"Passive", "Detractor"; Qualtrics and Medallia write them so when the score is recoded).
The group is all NPS needs: NPS is the share of promoters (9-10) minus the share of
detractors (0-6) (Reichheld, "The One Number You Need to Grow", HBR 2003), and its
variance follows from the three shares. Means of the scores, and anything else that needs
the 0-10 answer, cannot be had from groups.

A group word reads as the lowest score of its group (promoter 9, passive 7, detractor 0),
so that every histogram, NPS, share and interval of a study comes out exact; reading
notes it under :data:`GROUPS_NOTE`, and a study that needs 0-10 answers asks
:func:`holds_groups` and says so (:func:`cxlib.studies.shared.require_scores`). The business case groups customers by the same words
(:data:`GROUP_WORDS`), in memory and out of core.

>>> group_of(pd.Series(["Promoter", " DETRACTORS", "Kötüleyen", "Pasivni", "ПРОМОТЕР", "ten", None])).tolist()
['promoter', 'detractor', 'detractor', 'passive', 'promoter', <NA>, <NA>]
>>> group_of(pd.Series(["DESTEKCI", "Kotuleyen", "kriticar", "DESTEKÇİ"])).tolist()
['promoter', 'detractor', 'detractor', 'promoter']
>>> group_of(pd.Series(["Promoter (9-10)", "Detractor (0-6)", "Passive 7-8", "Promoter (0-6)", "9-10"])).tolist()
['promoter', 'detractor', 'passive', <NA>, 'promoter']
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

__all__ = ["GROUPS_NOTE", "GROUP_RANGES", "GROUP_SCORES", "GROUP_WORDS", "WORD_GROUP", "group_of", "holds_groups",
           "normal_word", "score_groups"]

GROUP_WORDS = {  # group -> its names (singular and plural) in English, Turkish and Serbian (Latin and Cyrillic)
    "promoter": ("promoter", "promoters", "destekçi", "destekçiler", "tavsiye eden", "tavsiye edenler",
                 "promoteri", "promotor", "promotori", "промотер", "промотери"),
    "passive": ("passive", "passives", "pasif", "pasifler", "nötr", "pasivni", "pasivan", "pasivna",
                "пасивни", "пасиван"),
    "detractor": ("detractor", "detractors", "kötüleyen", "kötüleyenler", "eleştiren", "eleştirenler",
                  "detraktor", "detraktori", "kritičar", "kritičari", "детрактор", "детрактори", "критичар",
                  "критичари"),
}
GROUP_RANGES = {"promoter": (9, 10), "passive": (7, 8), "detractor": (0, 6)}  # the scores each group holds (Reichheld)
GROUP_SCORES = {group: low for group, (low, _) in GROUP_RANGES.items()}  # the lowest score of each group
GROUPS_NOTE = "NPS groups read as groups"


def normal_word(text: str) -> str:
    """A word compared without case, spaces around it or Unicode form.

    Turkish dotted and dotless i are one letter here, as an upper-case export writes
    both as "I": "MAYIS" is "Mayıs", "İYİ" is "iyi".
    """
    return unicodedata.normalize("NFKC", text).casefold().replace("\u0307", "").replace("ı", "i").strip()


def score_groups(scores, blank: str | None = None) -> np.ndarray:
    """The NPS group of each 0-10 answer (:data:`GROUP_RANGES`): "promoter", "passive" or "detractor", ``blank``
    where there is no answer.

    >>> score_groups([10, 7, 6, np.nan], blank="not surveyed").tolist()
    ['promoter', 'passive', 'detractor', 'not surveyed']
    """
    s = np.asarray(scores, dtype=float)
    return np.select([s >= GROUP_SCORES["promoter"], s >= GROUP_SCORES["passive"], ~np.isnan(s)],
                     ["promoter", "passive", "detractor"], blank).astype(object)
RANGE_FORMS = ("{w} ({a}-{b})", "{w} ({a}–{b})", "{w} ({a} - {b})", "{w} {a}-{b}", "{w}: {a}-{b}", "{w} [{a}-{b}]")


def _forms(group: str, word: str) -> list[str]:
    """A group word alone and with its own score range, as exports label it: "Promoter (9-10)", "Pasif 7-8"."""
    low, high = GROUP_RANGES[group]
    return [word, *(form.format(w=word, a=low, b=high) for form in RANGE_FORMS)]


def _folded(text: str) -> str:
    """:func:`normal_word` without accents: exports typed on a keyboard without Turkish or Serbian letters write
    "DESTEKCI", "Kotuleyen", "kriticar"."""
    return "".join(c for c in unicodedata.normalize("NFKD", normal_word(text)) if not unicodedata.combining(c))


WORD_GROUP = {fold(form): group for group, words in GROUP_WORDS.items() for word in words
              for form in _forms(group, word) for fold in (normal_word, _folded)}  # with accents and without
# (a word with another group's range, "Promoter (0-6)", is none)
WORD_GROUP |= {f"{low}{dash}{high}": group for group, (low, high) in GROUP_RANGES.items()
               for dash in ("-", "\u2013", " - ")}  # a group written as its range alone: "0-6", "9-10"


def group_of(text: pd.Series) -> pd.Series:
    """The group each value names ("promoter", "passive", "detractor"), missing where it names none."""
    normal = text.astype("string").map(lambda v: _folded(v) if isinstance(v, str) else v)
    return normal.map(WORD_GROUP, na_action="ignore").astype("string")


def holds_groups(quality, column: str) -> bool:
    """Did reading take NPS groups for ``column``'s scores (a note of :data:`GROUPS_NOTE` in ``quality``)?"""
    return any(i.column == column and i.rule.startswith(GROUPS_NOTE) for i in quality.issues)

