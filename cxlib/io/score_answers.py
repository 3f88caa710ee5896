"""Answers to a score question written otherwise than as its number: with their label ("10 - Extremely likely"),
as the recommendation question's anchors, as NPS groups or their Qualtrics codes, or from a file's value labels;
and the scales that are not the 0-10 question (1-5 alone, 1-11), refused with what to do.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .header_row import normal_name
from .nps_groups import GROUP_SCORES, GROUPS_NOTE, group_of, normal_word
from .numbers import LABELLED_SCORE, is_number
from .quality import DataError

__all__ = ["ANCHOR_SCORES", "FIVE_POINT_ANSWERS", "OUT_OF_TEN", "QUALTRICS_GROUP_CODES", "RECOMMEND_ANCHORS",
           "group_scores", "labelled_scores", "numbers_from_labels", "qualtrics_group_codes",
           "recommend_anchors", "refuse_five_point", "refuse_one_to_eleven", "refuse_other_scales",
           "refuse_zero_to_four"]

FIVE_POINT_ANSWERS = 30  # this many answers, none 0 nor above 5: a 1-5 scale, not the 0-10 question


def refuse_five_point(name, values: pd.Series) -> None:
    """Stop on a 0-10 column whose answers all lie in 1-5 (at least :data:`FIVE_POINT_ANSWERS` of them): a CSAT
    or a 1-5 question read as NPS would give -100 (every answer a detractor) with exit 0."""
    answered = values.dropna()
    if len(answered) >= FIVE_POINT_ANSWERS and answered.between(1, 5).all() and answered.nunique() > 1:
        raise DataError(f"column {str(name)!r} holds answers from 1 to 5 alone ({len(answered):,} of them, none 0 "
                        "nor above 5): a 1-5 scale (CSAT?), not the 0-10 recommendation question NPS needs; name the "
                        "0-10 column", column=str(name), rule="answers on the 0-10 scale")


def refuse_one_to_eleven(name, values: pd.Series) -> None:
    """Stop on a 0-10 column whose answers run from 1 to 11 (11 given, 0 never, at least
    :data:`FIVE_POINT_ANSWERS` answers): the 0-10 question stored as its 11 choices numbered from 1, as survey tools
    recode them. Every 11 would be left out as off the scale and every other answer read one point too high."""
    answered = values.dropna()
    elevens = int((answered == 11).sum())
    if len(answered) >= FIVE_POINT_ANSWERS and elevens and answered.min() >= 1 and answered.max() == 11:
        raise DataError(f"column {str(name)!r} holds answers from 1 to 11 ({elevens:,} of them 11, none 0): the 0-10 "
                        "question numbered 1 to 11 (a survey tool's recode); recode it to 0-10 in the tool, or "
                        "subtract 1 from every answer", column=str(name), rule="answers on the 0-10 scale")


def _label_number(label) -> float | None:
    """The score a value label states: "7", "10 - Extremely likely", "Not at all likely" (an end point's words
    alone); None for a label that states no number."""
    text = str(label).strip()
    number = pd.to_numeric(text, errors="coerce")
    if pd.isna(number):
        match = LABELLED_SCORE.match(text)
        number = float(match[1]) if match else ANCHOR_SCORES.get(normal_word(text).rstrip("."), np.nan)
    return None if pd.isna(number) else float(number)


def numbers_from_labels(raw: pd.Series, value_labels: dict, notes: dict) -> pd.Series:
    """Codes whose value labels are scores that differ from them read as the labels' scores.

    An SPSS export codes 0-10 as 1-11 and labels each code ("0 - Not at all likely", "1",
    ..., "10 - Extremely likely"), or only the end points. Where every label that states a
    score differs from its code by one shift, every code is shifted (unlabelled middle codes
    included); otherwise the labelled codes take their labels' scores. Labels that are words
    leave the codes as they are.
    """
    numbers = {code: _label_number(label) for code, label in value_labels.items()}
    numbers = {code: v for code, v in numbers.items() if v is not None and is_number(code)}
    if not numbers or all(float(code) == v for code, v in numbers.items()):
        return raw
    code, label = next((c, value_labels[c]) for c, v in numbers.items() if float(c) != v)
    shifts = {v - float(c) for c, v in numbers.items()}
    codes = pd.to_numeric(raw, errors="coerce")
    if len(shifts) == 1:
        (shift,) = shifts
        mapped = codes + shift
        how = f"every code shifted by {shift:+g}"
    else:
        mapped = raw.map(numbers)
        how = "labelled codes only"
    recoded = (mapped.notna() & raw.notna()).to_numpy(dtype=bool)
    notes[f"scores read from the file's value labels (code {float(code):g} = {str(label)!r}; {how})"] = recoded
    return raw.where(~recoded, mapped)


def labelled_scores(text: pd.Series, values: pd.Series, unread: np.ndarray, notes: dict) -> pd.Series:
    """Scores written with their answer label ("10 - Extremely likely") read as the number they start with."""
    numbers = text[unread].str.extract(LABELLED_SCORE, expand=False).astype("float64")
    read = numbers.dropna()
    if read.empty:
        return values
    example = text[read.index[0]]
    notes[f"answer labels read as their numbers (e.g. {example!r} = {read.iloc[0]:g})"] = \
        text.index.isin(read.index)
    return values.fillna(numbers)


RECOMMEND_ANCHORS = {"extremely likely": 10.0, "not at all likely": 0.0, "not likely at all": 0.0,
                     "son derece olası": 10.0, "hiç olası değil": 0.0, "kesinlikle tavsiye ederim": 10.0,
                     "kesinlikle tavsiye etmem": 0.0, "izuzetno verovatno": 10.0, "nimalo verovatno": 0.0}
ANCHOR_SCORES = {normal_word(word): score for word, score in RECOMMEND_ANCHORS.items()}  # compared as words are
OUT_OF_TEN = re.compile(r"^\s*(\d{1,2})\s*(?:/|out of|od|üzerinden)\s*10\s*$", re.IGNORECASE)


def recommend_anchors(text: pd.Series, values: pd.Series, unread: np.ndarray, notes: dict) -> pd.Series:
    """0-10 answers whose end points are written as words only ("Extremely likely" for 10) or out of ten ("7/10")
    read as their numbers, noted."""
    words = text[unread].map(lambda v: ANCHOR_SCORES.get(normal_word(v).rstrip(".")) if isinstance(v, str)
                             else None).astype("float64")
    words = words.fillna(text[unread].str.extract(OUT_OF_TEN, expand=False).astype("float64"))
    read = words.dropna()
    read = read[(read >= 0) & (read <= 10)]
    if read.empty:
        return values
    notes[f"answer labels read as their numbers (e.g. {text[read.index[0]]!r} = {read.iloc[0]:g})"] = \
        text.index.isin(read.index)
    return values.fillna(read)


QUALTRICS_GROUP_CODES = {1: "detractor", 2: "passive", 3: "promoter"}  # the codes of Qualtrics' NPS_GROUP fields


def qualtrics_group_codes(name, values: pd.Series, notes: dict) -> pd.Series:
    """Qualtrics' ``…_NPS_GROUP`` field holds the group's code, not a score: 1 detractor, 2 passive, 3 promoter.
    Read as 0-10 scores, every answer would be a detractor's; read as groups (:func:`group_scores`), noted."""
    shown = values.dropna()
    codes = not shown.empty and shown.isin(list(QUALTRICS_GROUP_CODES)).all()
    if not codes or not normal_name(str(name)).endswith("nps_group"):
        return values
    groups = values.map(QUALTRICS_GROUP_CODES)
    counts = groups.value_counts()
    notes[f"{GROUPS_NOTE} (Qualtrics' codes of {name}: 1 detractor, 2 passive, 3 promoter; "
          + ", ".join(f"{counts.get(g, 0):,} {g}s" for g in GROUP_SCORES)
          + "): NPS and the groups' shares are exact; means of the 0-10 answers are not available"] = \
        values.notna().to_numpy(dtype=bool)
    return groups.map(GROUP_SCORES).astype("float64")


def group_scores(text: pd.Series, values: pd.Series, unread: np.ndarray, notes: dict) -> pd.Series:
    """NPS groups written as words ("Promoter") read as the lowest score of the group, noted
    (:mod:`cxlib.io.nps_groups`)."""
    groups = group_of(text[unread]).dropna()
    if groups.empty:
        return values
    shares = groups.value_counts()
    notes[f"{GROUPS_NOTE} (e.g. {text[groups.index[0]]!r} = {groups.iloc[0]}; "
          + ", ".join(f"{shares.get(g, 0):,} {g}s" for g in GROUP_SCORES)
          + "): NPS and the groups' shares are exact; means of the 0-10 answers are not available"] = \
        text.index.isin(groups.index)
    return values.fillna(groups.map(GROUP_SCORES).astype("float64"))


def refuse_zero_to_four(name, values: pd.Series) -> None:
    """Stop on a 1-5 column (CSAT) whose answers run from 0 to 4 (0 given, 5 never, at least
    :data:`FIVE_POINT_ANSWERS` answers): a 0-4 star scale. Every 0 would leave the figure and every other answer be
    read one point too low (4 of 4 stars is no "4 or 5 of 5")."""
    answered = values.dropna()
    zeros = int((answered == 0).sum())
    if len(answered) >= FIVE_POINT_ANSWERS and zeros and answered.min() == 0 and answered.max() <= 4:
        raise DataError(f"column {str(name)!r} holds answers from 0 to 4 ({zeros:,} of them 0, none 5): a 0-4 scale, "
                        "not the 1-5 one this figure reads; add 1 to every answer (or recode the question to 1-5)",
                        column=str(name), rule="answers on the 1-5 scale")


def refuse_other_scales(name, values: pd.Series, low: float, high: float) -> None:
    """Stop on answers that lie on another scale than the question's: 1-5 alone or 1-11 for the 0-10 question,
    0-4 for a 1-5 one (:func:`refuse_five_point`, :func:`refuse_one_to_eleven`, :func:`refuse_zero_to_four`)."""
    if (low, high) == (0, 10):
        refuse_five_point(name, values)
        refuse_one_to_eleven(name, values)
    elif (low, high) == (1, 5):
        refuse_zero_to_four(name, values)
